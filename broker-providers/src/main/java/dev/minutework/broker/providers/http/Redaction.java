package dev.minutework.broker.providers.http;

import dev.minutework.broker.core.provider.ProviderCredentials;
import dev.minutework.broker.core.provider.SecretMaterial;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * Makes provider text safe to keep at the adapter: credential values removed, the material of secrets
 * the adapter derived from them (access tokens, proofs) removed in every form {@link SecretMaterial}
 * knows, length bounded. The broker removes the material of the account's credentials in every form
 * again, in one place, from whatever an adapter returns.
 */
public final class Redaction {

    public static final int MAX_MESSAGE = 300;

    private Redaction() {}

    /**
     * The text with every credential value, and the material of any derived secret passed in
     * {@code extra}, replaced by {@code [redacted]}, truncated to {@link #MAX_MESSAGE} characters.
     */
    public static String clean(String text, ProviderCredentials credentials, String... extra) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String name : credentials.names()) {
            out = scrub(out, credentials.get(name));
        }
        if (extra.length > 0) {
            out = SecretMaterial.of(Arrays.asList(extra)).redact(out);
        }
        return out.length() <= MAX_MESSAGE ? out : out.substring(0, MAX_MESSAGE) + "…";
    }

    /** {@link #clean} as a function, for one account's credentials. */
    public static UnaryOperator<String> forCredentials(ProviderCredentials credentials) {
        return text -> clean(text, credentials);
    }

    private static String scrub(String text, String secret) {
        // very short values would redact ordinary words; credentials are never that short
        return secret == null || secret.length() < SecretMaterial.MIN_PIECE ? text
                : text.replace(secret, SecretMaterial.REDACTED);
    }
}
