package dev.minutework.broker.server.execution;

import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.server.routing.CredentialScrubber;
import dev.minutework.broker.server.api.ErrorCode;
import java.util.Locale;
import java.util.Map;

/**
 * A provider's refusal as a tenant sees it (execution error, receipt): the broker's own words for its
 * kind and the provider's code, bounded and sanitized — never the provider's text, which may echo
 * anything, including a credential (invariant 6). The text goes only to an operator's log, scrubbed
 * (see {@code GuardedAdapter}).
 *
 * @param code the broker's error code
 * @param message the broker-written message
 * @param providerCode the provider's code, sanitized ({@link CredentialScrubber#safeCode}), or null
 * @param kind the kind of refusal, lower case
 */
record ProviderRejection(ErrorCode code, String message, String providerCode, String kind) {

    /** Refusals the broker itself (not the provider) words, by code. */
    private static final Map<String, String> BROKER_CODES = Map.of(
            "not_created", "reconciliation found no object for this execution at the provider: it was not carried out",
            "no_adapter", "no adapter serves this provider",
            "credentials_undecryptable", "the provider account's credentials do not decrypt under the master keyset",
            "unreachable", "the provider could not be reached",
            "unreadable_answer", "the provider's answer was not the documented JSON");

    static ProviderRejection of(ProviderOutcome.Rejected r) {
        String providerCode = CredentialScrubber.safeCode(r.providerCode());
        ErrorCode code = r.kind() == ProviderOutcome.RejectionKind.AUTH_FAILED ? ErrorCode.PROVIDER_AUTH_FAILED
                : ErrorCode.PROVIDER_REJECTED;
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
        return new ProviderRejection(code, message, providerCode, r.kind().name().toLowerCase(Locale.ROOT));
    }
}
