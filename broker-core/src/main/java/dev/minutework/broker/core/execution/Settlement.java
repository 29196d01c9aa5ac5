package dev.minutework.broker.core.execution;

import dev.minutework.broker.core.provider.ProviderOutcome;
import java.util.Locale;
import java.util.Map;

/**
 * What a provider's outcome makes of an executing execution: its next status, what happens to the
 * money held for it and to the campaign it changed, the error a tenant sees and the receipt's kind.
 * A success is projected; a definite failure releases the money and frees the campaign; an unknown
 * outcome keeps both until reconciliation knows (invariant 7). A provider's own words never reach a
 * tenant: a rejection is described in the broker's words with the provider's code, sanitized.
 *
 * @param status the execution's next status
 * @param releaseReason why the money held for the execution is released, or null to keep it
 * @param freeCampaign whether the campaign the execution changed is free for its next change
 * @param error the error a tenant sees, or null on success (an unknown outcome's message is the
 *     adapter's reason, which the server bounds before showing it)
 * @param receiptKind the kind of the receipt that records it
 * @param accountRefusedCredentials whether the provider refused the platform account's credentials
 */
public record Settlement(ExecutionStatus status, String releaseReason, boolean freeCampaign, Failure error,
        String receiptKind, boolean accountRefusedCredentials) {

    /** The error codes of a settled failure, named as the API names them. */
    public enum FailureCode {
        PROVIDER_REJECTED, PROVIDER_AUTH_FAILED, PROVIDER_RATE_LIMITED, PROVIDER_OUTCOME_UNKNOWN;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param providerCode the provider's code, sanitized ({@link #safeCode}), or null
     * @param kind the rejection's kind in lower case, or null
     * @param retryAfterSeconds when the provider asked to wait, or null
     */
    public record Failure(FailureCode code, String message, String providerCode, String kind,
            Long retryAfterSeconds) {}

    /** The longest provider code kept. */
    public static final int MAX_CODE = 128;

    /** Refusals the broker itself (not the provider) words, by code. */
    private static final Map<String, String> BROKER_CODES = Map.of(
            "not_created", "reconciliation found no object for this execution at the provider: it was not carried out",
            "no_adapter", "no adapter serves this provider",
            "credentials_undecryptable", "the provider account's credentials do not decrypt under the master keyset",
            "unreachable", "the provider could not be reached",
            "unreadable_answer", "the provider's answer was not the documented JSON");

    /**
     * Settles an execution in {@code current} (which must be {@code executing}) with the provider's
     * {@code outcome}.
     *
     * @throws IllegalStateException when the execution is not executing
     */
    public static Settlement settle(ExecutionStatus current, ProviderOutcome outcome) {
        if (current != ExecutionStatus.EXECUTING) {
            throw new IllegalStateException("only an executing execution is settled, not a " + current.wire() + " one");
        }
        return switch (outcome) {
            case ProviderOutcome.Succeeded ok -> new Settlement(ExecutionStatus.SUCCEEDED, null, true, null,
                    "execution.succeeded", false);
            case ProviderOutcome.Rejected r -> new Settlement(ExecutionStatus.FAILED, "provider_rejected", true,
                    rejection(r), "execution.failed", r.kind() == ProviderOutcome.RejectionKind.AUTH_FAILED);
            case ProviderOutcome.RateLimited rl -> new Settlement(ExecutionStatus.FAILED, "provider_rate_limited", true,
                    new Failure(FailureCode.PROVIDER_RATE_LIMITED, "the provider is rate limiting", null, null,
                            rl.retryAfter().toSeconds()), "execution.failed", false);
            case ProviderOutcome.Unknown u -> new Settlement(ExecutionStatus.OUTCOME_UNKNOWN, null, false,
                    new Failure(FailureCode.PROVIDER_OUTCOME_UNKNOWN, u.reason(), null, null, null),
                    "execution.outcome_unknown", false);
        };
    }

    /** A provider's refusal in the broker's words for its kind and the provider's code. */
    /** A provider's rejection in the broker's words, with its code sanitized. */
    public static Failure rejection(ProviderOutcome.Rejected r) {
        String providerCode = safeCode(r.providerCode());
        FailureCode code = r.kind() == ProviderOutcome.RejectionKind.AUTH_FAILED ? FailureCode.PROVIDER_AUTH_FAILED
                : FailureCode.PROVIDER_REJECTED;
        String byKind = switch (r.kind()) {
            case INVALID_REQUEST -> "the provider refused the request as invalid";
            case AUTH_FAILED -> "the provider refused the platform account's credentials";
            case POLICY_REJECTED -> "the provider refused the request under its policies";
            case NOT_FOUND -> "the provider does not know the object";
            case UNSUPPORTED -> "the provider does not support this request";
            case PROVIDER_ERROR -> "the provider failed to carry out the request";
        };
        String words = providerCode == null ? byKind : BROKER_CODES.getOrDefault(providerCode, byKind);
        String message = providerCode == null ? words : words + " (code " + providerCode + ")";
        return new Failure(code, message, providerCode, r.kind().name().toLowerCase(Locale.ROOT), null);
    }

    /**
     * A provider code bounded to {@value #MAX_CODE} characters of {@code [A-Za-z0-9_.:-]} (any other
     * character becomes {@code _}); null when there is none.
     */
    public static String safeCode(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        StringBuilder b = new StringBuilder(Math.min(raw.length(), MAX_CODE));
        for (int i = 0; i < raw.length() && b.length() < MAX_CODE; i++) {
            char c = raw.charAt(i);
            boolean allowed = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '_' || c == '.' || c == ':' || c == '-';
            b.append(allowed ? c : '_');
        }
        return b.toString();
    }
}
