package dev.minutework.broker.core.approval;

import java.time.Instant;

/**
 * A one-shot approval: a human's yes to exactly one execution — one tenant, action, provider and
 * canonical payload digest — before it expires. Nobody approves their own request.
 *
 * @param status {@code pending}, {@code used}, {@code denied}, {@code expired} or {@code superseded}
 */
public record OneShotGrant(String id, String tenantId, String executionId, String action, String provider,
        String payloadDigest, Instant expiresAt, String requestedByKeyId, String status) {

    /** What an approver may do with this approval now. */
    public enum Review {
        /** it can be decided */
        OPEN,
        /** the approver asked for it themselves */
        SELF_APPROVAL,
        /** it was decided, expired or superseded already */
        NOT_PENDING,
        /** it is pending but past its expiry: it expires instead of being decided */
        EXPIRED
    }

    /** Whether {@code approverKeyId} may decide this approval at {@code now}, and if not, why. */
    public Review review(String approverKeyId, Instant now) {
        if (approverKeyId.equals(requestedByKeyId)) {
            return Review.SELF_APPROVAL;
        }
        if (!"pending".equals(status)) {
            return Review.NOT_PENDING;
        }
        return now.isBefore(expiresAt) ? Review.OPEN : Review.EXPIRED;
    }

    /** Whether this approval is bound to the execution described, at {@code now}. */
    public boolean covers(String tenant, String action, String provider, String digest, Instant now) {
        return ApprovalCoverage.oneShotCovers(tenantId, this.action, this.provider, payloadDigest, expiresAt, tenant,
                action, provider, digest, now);
    }
}
