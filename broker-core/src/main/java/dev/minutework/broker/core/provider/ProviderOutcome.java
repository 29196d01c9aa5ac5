package dev.minutework.broker.core.provider;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** How a provider call ended. Exactly one of these; adapters never throw for provider answers. */
public sealed interface ProviderOutcome {

    /**
     * The provider did it.
     *
     * @param providerObjectId the id of the created or changed object ({@code null} for reads)
     * @param data provider-neutral facts to project (status, review status, …)
     * @param rows report rows for {@code ads.fetch_report}
     */
    record Succeeded(String providerObjectId, Map<String, Object> data, List<ReportRow> rows) implements ProviderOutcome {
        public Succeeded {
            data = Map.copyOf(data);
            rows = List.copyOf(rows);
        }
    }

    /** The provider definitely did not do it. Message is truncated and credential-free. */
    record Rejected(RejectionKind kind, String providerCode, String message) implements ProviderOutcome {}

    /** The provider refused for rate; nothing was done. */
    record RateLimited(Duration retryAfter) implements ProviderOutcome {}

    /** The call may or may not have taken effect (timeout after send, reset): reconcile, never retry blindly. */
    record Unknown(String reason) implements ProviderOutcome {}

    /** Why a provider definitely refused. */
    enum RejectionKind { INVALID_REQUEST, AUTH_FAILED, POLICY_REJECTED, NOT_FOUND, UNSUPPORTED, PROVIDER_ERROR }
}
