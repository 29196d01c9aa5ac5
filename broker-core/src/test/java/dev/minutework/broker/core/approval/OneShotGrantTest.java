package dev.minutework.broker.core.approval;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class OneShotGrantTest {

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final Instant EXPIRES = NOW.plusSeconds(3600);

    private static OneShotGrant grant(String status) {
        return new OneShotGrant("apr_1", "ten_1", "exe_1", "ads.create_campaign", "openaiads", "sha256:abc", EXPIRES,
                "key_agent", status);
    }

    @Test
    void aPendingUnexpiredApprovalIsOpenToAnotherKey() {
        assertThat(grant("pending").review("key_human", NOW)).isEqualTo(OneShotGrant.Review.OPEN);
        assertThat(grant("pending").review("key_human", EXPIRES.minusMillis(1))).isEqualTo(OneShotGrant.Review.OPEN);
    }

    @Test
    void nobodyApprovesTheirOwnRequestWhateverItsState() {
        for (String status : new String[] {"pending", "used", "denied", "expired", "superseded"}) {
            assertThat(grant(status).review("key_agent", NOW)).as(status).isEqualTo(OneShotGrant.Review.SELF_APPROVAL);
        }
        assertThat(grant("pending").review("key_agent", EXPIRES.plusSeconds(1)))
                .isEqualTo(OneShotGrant.Review.SELF_APPROVAL);
    }

    @Test
    void aDecidedExpiredOrSupersededApprovalIsNotPending() {
        for (String status : new String[] {"used", "denied", "expired", "superseded"}) {
            assertThat(grant(status).review("key_human", NOW)).as(status).isEqualTo(OneShotGrant.Review.NOT_PENDING);
        }
        // not pending wins over past its expiry
        assertThat(grant("used").review("key_human", EXPIRES.plusSeconds(1))).isEqualTo(OneShotGrant.Review.NOT_PENDING);
    }

    @Test
    void aPendingApprovalPastItsExpiryExpires() {
        assertThat(grant("pending").review("key_human", EXPIRES)).isEqualTo(OneShotGrant.Review.EXPIRED);
        assertThat(grant("pending").review("key_human", EXPIRES.plusSeconds(60))).isEqualTo(OneShotGrant.Review.EXPIRED);
    }

    @Test
    void coversExactlyItsTenantActionProviderAndDigestBeforeItsExpiry() {
        OneShotGrant g = grant("pending");
        assertThat(g.covers("ten_1", "ads.create_campaign", "openaiads", "sha256:abc", NOW)).isTrue();
        assertThat(g.covers("ten_2", "ads.create_campaign", "openaiads", "sha256:abc", NOW)).isFalse();
        assertThat(g.covers("ten_1", "ads.update_campaign", "openaiads", "sha256:abc", NOW)).isFalse();
        assertThat(g.covers("ten_1", "ads.create_campaign", "metaads", "sha256:abc", NOW)).isFalse();
        assertThat(g.covers("ten_1", "ads.create_campaign", "openaiads", "sha256:abd", NOW)).isFalse();
        assertThat(g.covers("ten_1", "ads.create_campaign", "openaiads", "sha256:abc", EXPIRES)).isFalse();
    }
}
