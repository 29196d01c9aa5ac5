package dev.minutework.broker.core.provider;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Acts on one provider account. Implementations speak the provider's wire API, translate the
 * unified model at the edge and map every answer to a {@link ProviderOutcome}. They must never put
 * a credential into a log line, an exception message or an outcome.
 */
public interface ProviderAdapter {

    /** Performs one action. Never throws for a provider's answer; a lost answer is {@link ProviderOutcome.Unknown}. */
    ProviderOutcome execute(ProviderRequest request);

    /**
     * Looks up the object a previous call with this broker reference created, to settle an unknown
     * outcome: {@link ProviderOutcome.Succeeded} if it exists, {@link ProviderOutcome.Rejected} with
     * {@code NOT_FOUND} if it definitely does not, {@link ProviderOutcome.Unknown} if the provider
     * cannot say yet.
     */
    ProviderOutcome reconcile(String action, String brokerReference);

    /**
     * Asks the provider to check a request without carrying it out, where it offers that (Google's
     * {@code validateOnly}, Meta's {@code validate_only}): {@link ProviderOutcome.Succeeded} (with no
     * object id) if it would accept it, {@link ProviderOutcome.Rejected} if it would not, {@link
     * ProviderOutcome.Unknown} or {@link ProviderOutcome.RateLimited} if it could not say. Empty when
     * the provider has no dry run for this action (the default). Never creates or changes anything.
     * Implementations that offer it declare {@link ProviderCapabilities.Feature#DRY_RUN}.
     */
    default Optional<ProviderOutcome> validate(ProviderRequest request) {
        return Optional.empty();
    }

    /**
     * What changed at the provider since {@code since} (inclusive), for providers that offer no
     * webhooks but can be asked (Google's {@code change_status}): each changed campaign's status
     * and each changed ad's review, as they are now, oldest change first. Empty when the provider
     * cannot be polled (the default). A provider may bound how far back it looks; an implementation
     * moves a {@code since} older than that forward.
     *
     * @throws ProviderChange.Unavailable when the provider could not say
     */
    default Optional<List<ProviderChange>> changesSince(Instant since) {
        return Optional.empty();
    }

    /** Live readiness checks: credentials authenticate, scope reachable. */
    List<ProviderCheck> checks();
}
