package dev.minutework.broker.core.execution;

import dev.minutework.broker.core.provider.ProviderOutcome;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a provider's dry run (it checks a request without carrying it out) makes of a request that
 * would otherwise go to an approver or run under a standing grant: a request the provider would
 * refuse is refused now, so nobody approves what cannot be done and no grant's money is spent on it.
 * A dry run that could not tell (the provider unreachable, rate limiting, an unknown answer) refuses
 * nothing: the request goes on, and the real call is the judge.
 */
public final class DryRun {

    private DryRun() {}

    /** How a dry run ended, as receipts name it. */
    public enum Verdict {
        /** the provider has no dry run for this request */
        NOT_OFFERED,
        /** the provider would carry it out */
        PASSED,
        /** the provider would refuse it */
        REJECTED,
        /** the provider could not say */
        INCONCLUSIVE;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The verdict of a dry run's outcome (empty: none offered). */
    public static Verdict verdict(Optional<ProviderOutcome> outcome) {
        return outcome.map(o -> switch (o) {
            case ProviderOutcome.Succeeded s -> Verdict.PASSED;
            case ProviderOutcome.Rejected r -> Verdict.REJECTED;
            case ProviderOutcome.RateLimited r -> Verdict.INCONCLUSIVE;
            case ProviderOutcome.Unknown u -> Verdict.INCONCLUSIVE;
        }).orElse(Verdict.NOT_OFFERED);
    }

    /**
     * The refusal of a request the provider's dry run rejected, in the broker's words with the
     * provider's sanitized code (never the provider's own text); empty otherwise.
     */
    public static Optional<Refusal> refusal(String provider, Optional<ProviderOutcome> outcome) {
        if (outcome.isEmpty() || !(outcome.get() instanceof ProviderOutcome.Rejected r)) {
            return Optional.empty();
        }
        Settlement.Failure f = Settlement.rejection(r);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("provider", provider);
        details.put("kind", f.kind());
        if (f.providerCode() != null) {
            details.put("provider_code", f.providerCode());
        }
        return Optional.of(new Refusal(RefusalCode.PROVIDER_WOULD_REJECT, provider + " checked the request without "
                + "carrying it out and would refuse it: " + f.message() + "; no approval was requested", details));
    }
}
