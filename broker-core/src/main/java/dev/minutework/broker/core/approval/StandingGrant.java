package dev.minutework.broker.core.approval;

import dev.minutework.broker.core.money.Money;
import java.time.Instant;

/**
 * A standing grant: a human's advance approval of repeated actions within explicit limits
 * ({@link StandingGrantTerms}). Which one a request consumes is settled by the conditional update of
 * its row, which adds the request's spend to what it has used only while that stays under its
 * ceiling; {@link #covers} is the same rule, asked before.
 */
public record StandingGrant(String id, StandingGrantTerms terms) {

    /** Why this grant does not cover the request, or {@code null} when it does. */
    public String refusal(String action, String provider, Money impact, String requesterKeyId, Instant now) {
        return ApprovalCoverage.standingGrantRefusal(terms, action, provider, impact, requesterKeyId, now);
    }

    public boolean covers(String action, String provider, Money impact, String requesterKeyId, Instant now) {
        return refusal(action, provider, impact, requesterKeyId, now) == null;
    }
}
