package dev.minutework.broker.providers.http;

import dev.minutework.broker.core.provider.ProviderCredentials;
import java.util.function.UnaryOperator;

/** Makes provider text safe to keep: credential values removed, length bounded. */
public final class Redaction {

    public static final int MAX_MESSAGE = 300;

    private Redaction() {}

    /**
     * The text with every credential value (and any derived secret passed in {@code extra}) replaced
     * by {@code [redacted]}, truncated to {@link #MAX_MESSAGE} characters.
     */
    public static String clean(String text, ProviderCredentials credentials, String... extra) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String name : credentials.names()) {
            out = scrub(out, credentials.get(name));
        }
        for (String secret : extra) {
            out = scrub(out, secret);
        }
        return out.length() <= MAX_MESSAGE ? out : out.substring(0, MAX_MESSAGE) + "…";
    }

    /** {@link #clean} as a function, for one account's credentials. */
    public static UnaryOperator<String> forCredentials(ProviderCredentials credentials) {
        return text -> clean(text, credentials);
    }

    private static String scrub(String text, String secret) {
        // very short values would redact ordinary words; credentials are never that short
        return secret == null || secret.length() < 6 ? text : text.replace(secret, "[redacted]");
    }
}
