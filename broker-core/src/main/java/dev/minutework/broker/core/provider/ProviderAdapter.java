package dev.minutework.broker.core.provider;

import java.util.List;

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

    /** Live readiness checks: credentials authenticate, scope reachable. */
    List<ProviderCheck> checks();
}
