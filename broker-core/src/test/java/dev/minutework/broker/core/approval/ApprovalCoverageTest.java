package dev.minutework.broker.core.approval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.money.Money;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ApprovalCoverageTest {

    private static final Instant NOW = Instant.parse("2025-03-10T12:00:00Z");
    private static final Instant EXPIRES = Instant.parse("2025-04-01T00:00:00Z");
    private static final String AGENT_KEY = "key_agent";
    private static final String HUMAN_KEY = "key_human";

    @Nested
    class StandingGrants {

        /** Ceiling 1,000.00 USD of which 400.00 is used; limited to the agent's key; issued by a human. */
        private static StandingGrantTerms terms() {
            return new StandingGrantTerms(Set.of("ads.create_campaign", "ads.update_campaign"), "openaiads",
                    Money.of(100_000, "USD"), Money.of(40_000, "USD"), EXPIRES, AGENT_KEY, HUMAN_KEY);
        }

        private static StandingGrantTerms termsForAnyKey(String issuedBy) {
            return new StandingGrantTerms(Set.of("ads.create_campaign"), "openaiads",
                    Money.of(100_000, "USD"), Money.of(40_000, "USD"), EXPIRES, null, issuedBy);
        }

        private static String refusal(StandingGrantTerms terms, String action, String provider, Money impact,
                String requester, Instant now) {
            return ApprovalCoverage.standingGrantRefusal(terms, action, provider, impact, requester, now);
        }

        @Test
        void coversARequestWithinEveryLimit() {
            assertThat(refusal(terms(), "ads.create_campaign", "openaiads", Money.of(10_000, "USD"), AGENT_KEY, NOW))
                    .isNull();
        }

        @Test
        void refusesOnceExpired() {
            assertThat(refusal(terms(), "ads.create_campaign", "openaiads", Money.of(1, "USD"), AGENT_KEY, EXPIRES))
                    .isEqualTo("expired");
            assertThat(refusal(terms(), "ads.create_campaign", "openaiads", Money.of(1, "USD"), AGENT_KEY,
                    EXPIRES.plusSeconds(1))).isEqualTo("expired");
        }

        @Test
        void coversUpToTheInstantBeforeExpiry() {
            assertThat(refusal(terms(), "ads.create_campaign", "openaiads", Money.of(1, "USD"), AGENT_KEY,
                    EXPIRES.minusNanos(1))).isNull();
        }

        @Test
        void refusesAnActionNotListed() {
            assertThat(refusal(terms(), "ads.pause_campaign", "openaiads", Money.zero("USD"), AGENT_KEY, NOW))
                    .isEqualTo("action_not_covered");
        }

        @Test
        void refusesAnotherProvider() {
            assertThat(refusal(terms(), "ads.create_campaign", "googleads", Money.of(1, "USD"), AGENT_KEY, NOW))
                    .isEqualTo("provider_not_covered");
        }

        @Test
        void refusesAKeyOtherThanTheOneItIsLimitedTo() {
            assertThat(refusal(terms(), "ads.create_campaign", "openaiads", Money.of(1, "USD"), "key_other", NOW))
                    .isEqualTo("key_not_covered");
        }

        @Test
        void coversAnyOtherKeyWhenNotLimitedToOne() {
            assertThat(refusal(termsForAnyKey(HUMAN_KEY), "ads.create_campaign", "openaiads", Money.of(1, "USD"),
                    "key_other", NOW)).isNull();
        }

        @Test
        void refusesTheKeyThatIssuedIt() {
            assertThat(refusal(termsForAnyKey(AGENT_KEY), "ads.create_campaign", "openaiads", Money.of(1, "USD"),
                    AGENT_KEY, NOW)).isEqualTo("self_approval");
        }

        @Test
        void refusesSpendInAnotherCurrency() {
            assertThat(refusal(terms(), "ads.create_campaign", "openaiads", Money.of(100, "EUR"), AGENT_KEY, NOW))
                    .isEqualTo("currency_not_covered");
        }

        @Test
        void coversZeroImpactInAnyCurrency() {
            assertThat(refusal(terms(), "ads.update_campaign", "openaiads", Money.zero("EUR"), AGENT_KEY, NOW))
                    .isNull();
        }

        @Test
        void coversSpendThatExactlyReachesTheCeiling() {
            assertThat(refusal(terms(), "ads.create_campaign", "openaiads", Money.of(60_000, "USD"), AGENT_KEY, NOW))
                    .isNull();
        }

        @Test
        void refusesSpendOneMinorUnitBeyondTheCeiling() {
            assertThat(refusal(terms(), "ads.create_campaign", "openaiads", Money.of(60_001, "USD"), AGENT_KEY, NOW))
                    .isEqualTo("ceiling_reached");
        }
    }

    @Nested
    class OneShotGrants {

        private static final String DIGEST = "a".repeat(64);

        private static boolean covers(String tenant, String action, String provider, String digest, Instant now) {
            return ApprovalCoverage.oneShotCovers("tnt_1", "ads.create_campaign", "openaiads", DIGEST, EXPIRES,
                    tenant, action, provider, digest, now);
        }

        @Test
        void coversTheExactExecutionItWasGrantedFor() {
            assertThat(covers("tnt_1", "ads.create_campaign", "openaiads", DIGEST, NOW)).isTrue();
        }

        @Test
        void doesNotCoverAnotherTenant() {
            assertThat(covers("tnt_2", "ads.create_campaign", "openaiads", DIGEST, NOW)).isFalse();
        }

        @Test
        void doesNotCoverAnotherAction() {
            assertThat(covers("tnt_1", "ads.update_campaign", "openaiads", DIGEST, NOW)).isFalse();
        }

        @Test
        void doesNotCoverAnotherProvider() {
            assertThat(covers("tnt_1", "ads.create_campaign", "googleads", DIGEST, NOW)).isFalse();
        }

        @Test
        void doesNotCoverAnotherPayload() {
            assertThat(covers("tnt_1", "ads.create_campaign", "openaiads", "b".repeat(64), NOW)).isFalse();
        }

        @Test
        void doesNotCoverOnceExpired() {
            assertThat(covers("tnt_1", "ads.create_campaign", "openaiads", DIGEST, EXPIRES)).isFalse();
            assertThat(covers("tnt_1", "ads.create_campaign", "openaiads", DIGEST, EXPIRES.plusSeconds(60))).isFalse();
        }
    }
}
