package dev.minutework.broker.core.spend;

import java.time.Instant;

/**
 * The exposure rule of design §4, once: what a campaign in a given state can still spend. A paused
 * campaign exposes nothing; a lifetime budget exposes all of it (settled spend is not
 * subtracted until settlement from reports records it); a
 * daily budget exposes the provider's worst case up to its end, or to the authorization's expiry.
 * The enforcement is the reservation ledger's conditional update, which never lets the sum of
 * these exposures pass the authorization's cap or the wallet's balance.
 */
public final class CampaignExposure {

    private CampaignExposure() {}

    /**
     * @param state the campaign's state
     * @param authorizationExpiry the spend authorization's {@code valid_until}, or {@code null}
     * @param rule the provider's delivery rule
     * @param now the current instant (from the injected clock)
     */
    public static Exposure of(CampaignState state, Instant authorizationExpiry, DeliveryRule rule, Instant now) {
        Instant end = endWithin(state.end(), authorizationExpiry);
        return SpendExposure.of(state.budget(), state.active(), state.start(), end, authorizationExpiry, rule, now);
    }

    /**
     * The end a campaign runs to at the provider: never later than the authorization that backs its
     * money ({@code null} for neither).
     */
    public static Instant endWithin(Instant end, Instant authorizationExpiry) {
        if (authorizationExpiry == null) {
            return end;
        }
        return end == null || end.isAfter(authorizationExpiry) ? authorizationExpiry : end;
    }
}
