package dev.minutework.broker.server.routing;

import dev.minutework.broker.core.execution.Settlement;
import dev.minutework.broker.core.provider.ProviderCheck;
import dev.minutework.broker.core.provider.ProviderCredentials;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ReportRow;
import dev.minutework.broker.core.provider.SecretMaterial;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one place where what a provider answered for one provider account is made safe to show, store
 * and log (invariant 6), built from that account's decrypted credentials: every
 * {@link ProviderOutcome} and {@link ProviderCheck} of its adapters passes through here (see
 * {@link ProviderRouting.Route}), whatever path called the adapter (execute, reconciliation,
 * preflight). Credential material is looked for in every form {@link SecretMaterial} knows (any case,
 * pieces of six characters or more, URL-, base64- or hex-encoded).
 *
 * <ul>
 *   <li>A refusal keeps its kind; its provider code is bounded to {@value #MAX_CODE} characters of
 *       {@code [A-Za-z0-9_.:-]} and becomes {@value #REDACTED_CODE} when it carries credential
 *       material; its message (the provider's own text, for operators' logs only) loses every piece of
 *       credential material and is bounded.
 *   <li>An unknown outcome's reason and a check's detail lose every piece of credential material.
 *   <li>A success whose provider object id, data or report rows carry credential material is not
 *       believed: the provider may have acted, but nothing of its answer may be stored or shown, so it
 *       becomes {@link ProviderOutcome.Unknown} with the reason {@value #CREDENTIAL_IN_ANSWER}. The
 *       execution keeps its reservation (invariant 7) and stays {@code outcome_unknown} until an
 *       operator settles it; reconciliation asks again but believes such an answer no more.
 * </ul>
 */
public final class CredentialScrubber {

    /** The longest provider code kept. */
    public static final int MAX_CODE = Settlement.MAX_CODE;

    /** The longest provider text kept (for operators' logs). */
    public static final int MAX_TEXT = 300;

    /** What a provider code that carried credential material becomes. */
    public static final String REDACTED_CODE = "redacted";

    /** The code in the reason of a success that was not believed because it carried credential material. */
    public static final String CREDENTIAL_IN_ANSWER = "credential_in_answer";

    private final SecretMaterial material;

    private CredentialScrubber(SecretMaterial material) {
        this.material = material;
    }

    /** The scrubber of one account's credentials. */
    public static CredentialScrubber of(ProviderCredentials credentials) {
        List<String> values = new ArrayList<>();
        for (String name : credentials.names()) {
            values.add(credentials.get(name));
        }
        return new CredentialScrubber(SecretMaterial.of(values));
    }

    /** The outcome as it may be shown, stored and logged (see the class comment). */
    public ProviderOutcome outcome(ProviderOutcome outcome) {
        return switch (outcome) {
            case ProviderOutcome.Succeeded ok -> carriers(ok).isEmpty() ? ok : new ProviderOutcome.Unknown(
                    "the provider's answer carried credential material (" + CREDENTIAL_IN_ANSWER + "): the broker "
                            + "recorded nothing of it and keeps any reservation until an operator settles the execution");
            case ProviderOutcome.Rejected r -> new ProviderOutcome.Rejected(r.kind(), providerCode(r.providerCode()),
                    text(r.message()));
            case ProviderOutcome.RateLimited rl -> rl;
            case ProviderOutcome.Unknown u -> new ProviderOutcome.Unknown(text(u.reason()));
        };
    }

    /**
     * The parts of a success that carry credential material ({@code provider_object_id},
     * {@code data.<key>}, {@code rows[<i>]}); empty when it carries none.
     */
    public List<String> carriers(ProviderOutcome.Succeeded ok) {
        List<String> found = new ArrayList<>();
        if (material.foundInIdentifier(ok.providerObjectId())) {
            found.add("provider_object_id");
        }
        ok.data().forEach((key, value) -> {
            if (material.foundInIdentifier(key) || carries(value)) {
                found.add("data." + key);
            }
        });
        for (int i = 0; i < ok.rows().size(); i++) {
            ReportRow row = ok.rows().get(i);
            if (material.foundInIdentifier(row.providerCampaignId()) || material.foundInIdentifier(row.currency())) {
                found.add("rows[" + i + "]");
            }
        }
        return found;
    }

    /** The check with credential material removed from its detail. */
    public ProviderCheck check(ProviderCheck check) {
        return new ProviderCheck(check.name(), check.ok(), text(check.detail()));
    }

    /** Provider text without credential material, bounded to {@value #MAX_TEXT} characters. */
    public String text(String text) {
        if (text == null) {
            return null;
        }
        String out = material.redact(text);
        return out.length() <= MAX_TEXT ? out : out.substring(0, MAX_TEXT) + "…";
    }

    /** A provider code as it may be shown: {@link #safeCode}, or {@value #REDACTED_CODE} when it carries credential material. */
    public String providerCode(String raw) {
        String safe = safeCode(raw);
        return material.foundIn(raw) || material.foundIn(safe) ? REDACTED_CODE : safe;
    }

    /**
     * A provider code bounded to {@value #MAX_CODE} characters of {@code [A-Za-z0-9_.:-]} (any other
     * character becomes {@code _}); null when there is none.
     */
    public static String safeCode(String raw) {
        return Settlement.safeCode(raw);
    }

    private boolean carries(Object value) {
        return switch (value) {
            case null -> false;
            case String s -> material.foundInIdentifier(s);
            case Map<?, ?> m -> m.entrySet().stream()
                    .anyMatch(e -> carries(String.valueOf(e.getKey())) || carries(e.getValue()));
            case Iterable<?> list -> {
                for (Object o : list) {
                    if (carries(o)) {
                        yield true;
                    }
                }
                yield false;
            }
            default -> material.foundInIdentifier(String.valueOf(value));
        };
    }
}
