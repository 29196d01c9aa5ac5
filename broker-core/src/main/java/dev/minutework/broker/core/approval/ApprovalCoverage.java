package dev.minutework.broker.core.approval;

import dev.minutework.broker.core.money.Money;
import java.time.Instant;
import java.util.Objects;

/**
 * Decides whether a grant covers an execution. One-shot grants cover exactly one tenant, action,
 * provider and canonical payload digest; standing grants cover what their explicit limits allow.
 * Nobody approves their own request.
 */
public final class ApprovalCoverage {

    private ApprovalCoverage() {}

    /** The reason a standing grant does not cover a request, or {@code null} when it does. */
    public static String standingGrantRefusal(StandingGrantTerms terms, String action, String provider,
            Money impact, String requesterKeyId, Instant now) {
        if (!now.isBefore(terms.expiresAt())) {
            return "expired";
        }
        if (!terms.actions().contains(action)) {
            return "action_not_covered";
        }
        if (!terms.provider().equals(provider)) {
            return "provider_not_covered";
        }
        if (terms.limitedToKeyId() != null && !terms.limitedToKeyId().equals(requesterKeyId)) {
            return "key_not_covered";
        }
        if (Objects.equals(terms.issuedByKeyId(), requesterKeyId)) {
            return "self_approval";
        }
        if (!impact.isZero()) {
            if (!terms.ceiling().currency().equals(impact.currency())) {
                return "currency_not_covered";
            }
            if (terms.used().amountMinor() + impact.amountMinor() > terms.ceiling().amountMinor()) {
                return "ceiling_reached";
            }
        }
        return null;
    }

    /** A one-shot grant covers an execution when every binding matches and it is unexpired. */
    public static boolean oneShotCovers(String grantTenant, String grantAction, String grantProvider,
            String grantDigest, Instant grantExpiresAt, String tenant, String action, String provider,
            String payloadDigest, Instant now) {
        return grantTenant.equals(tenant) && grantAction.equals(action) && grantProvider.equals(provider)
                && grantDigest.equals(payloadDigest) && now.isBefore(grantExpiresAt);
    }
}
