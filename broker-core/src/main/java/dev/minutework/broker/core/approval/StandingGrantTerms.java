package dev.minutework.broker.core.approval;

import dev.minutework.broker.core.money.Money;
import java.time.Instant;
import java.util.Set;

/**
 * The explicit limits of a standing grant: actions, provider, a spend ceiling of which
 * {@code used} is already consumed, an expiry, and optionally the one API key it is limited to.
 */
public record StandingGrantTerms(
        Set<String> actions, String provider, Money ceiling, Money used, Instant expiresAt,
        String limitedToKeyId, String issuedByKeyId) {

    public StandingGrantTerms {
        actions = Set.copyOf(actions);
    }
}
