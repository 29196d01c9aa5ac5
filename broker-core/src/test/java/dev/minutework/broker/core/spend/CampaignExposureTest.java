package dev.minutework.broker.core.spend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.money.Money;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CampaignExposureTest {

    private static final Instant NOW = Instant.parse("2025-03-10T12:00:00Z");
    private static final DeliveryRule NOMINAL = new DeliveryRule.Nominal();
    private static final SpendLimits ROOMY = new SpendLimits(100_000, null, "USD", 100_000);

    private static CampaignBudget lifetime(long minor) {
        return new CampaignBudget(Money.of(minor, "USD"), BudgetPeriod.LIFETIME);
    }

    private static CampaignBudget daily(long minor) {
        return new CampaignBudget(Money.of(minor, "USD"), BudgetPeriod.DAILY);
    }

    private static CampaignState paused(CampaignBudget budget) {
        return new CampaignState(budget, false, null, null);
    }

    @Test
    void aChangeAppliesOnlyTheFieldsItNames() {
        CampaignState before = paused(lifetime(500));

        CampaignState activated = before.with(new CampaignChange(true, null, null));
        CampaignState raised = before.with(new CampaignChange(null, lifetime(5_000), null));

        assertThat(activated).isEqualTo(new CampaignState(lifetime(500), true, null, null));
        assertThat(raised).as("a raise of a paused campaign leaves it paused")
                .isEqualTo(new CampaignState(lifetime(5_000), false, null, null));
        assertThat(activated.with(CampaignChange.pause()).active()).isFalse();
    }

    @Test
    void theRaiseAndTheActivationTogetherExposeTheRaisedBudgetWhicheverComesFirst() {
        CampaignState both = paused(lifetime(500)).with(new CampaignChange(true, null, null))
                .with(new CampaignChange(null, lifetime(5_000), null));
        CampaignState reversed = paused(lifetime(500)).with(new CampaignChange(null, lifetime(5_000), null))
                .with(new CampaignChange(true, null, null));

        assertThat(CampaignExposure.of(both, null, NOMINAL, NOW)).isEqualTo(new Exposure.Bounded(Money.of(5_000, "USD")));
        assertThat(CampaignExposure.of(reversed, null, NOMINAL, NOW)).isEqualTo(CampaignExposure.of(both, null, NOMINAL, NOW));
    }

    @Test
    void aLifetimeBudgetExposesAllOfIt() {
        CampaignState running = new CampaignState(lifetime(5_000), true, null, null);

        assertThat(CampaignExposure.of(running, null, NOMINAL, NOW)).isEqualTo(new Exposure.Bounded(Money.of(5_000, "USD")));
    }

    @Test
    void aDailyBudgetRunsNoLongerThanItsAuthorization() {
        Instant authEnd = NOW.plus(Duration.ofDays(3));
        CampaignState longer = new CampaignState(daily(1_000), true, null, NOW.plus(Duration.ofDays(30)));

        assertThat(CampaignExposure.endWithin(null, authEnd)).isEqualTo(authEnd);
        assertThat(CampaignExposure.endWithin(NOW.plus(Duration.ofDays(30)), authEnd)).isEqualTo(authEnd);
        assertThat(CampaignExposure.endWithin(NOW.plus(Duration.ofDays(1)), authEnd)).isEqualTo(NOW.plus(Duration.ofDays(1)));
        assertThat(CampaignExposure.endWithin(null, null)).isNull();
        assertThat(CampaignExposure.of(longer, authEnd, NOMINAL, NOW))
                .as("four calendar days from the 10th at noon to the 13th at noon")
                .isEqualTo(new Exposure.Bounded(Money.of(4_000, "USD")));
    }

    @Test
    void theImpactIsTheExposureLessWhatIsHeldAndNeverBelowZero() {
        Exposure fiveThousand = new Exposure.Bounded(Money.of(5_000, "USD"));

        assertThat(SpendImpact.of(lifetime(5_000), fiveThousand, 500, ROOMY))
                .isEqualTo(new SpendImpact.Reserve(Money.of(4_500, "USD")));
        assertThat(SpendImpact.of(lifetime(5_000), fiveThousand, 9_000, ROOMY))
                .isEqualTo(new SpendImpact.Reserve(Money.of(0, "USD")));
    }

    @Test
    void eachRefusalIsAValueWithItsReason() {
        Exposure big = new Exposure.Bounded(Money.of(50_000, "USD"));

        assertThat(SpendImpact.of(daily(1_000), new Exposure.Unbounded("no end"), 0, ROOMY))
                .isEqualTo(new SpendImpact.Refused(SpendImpact.Reason.UNBOUNDED_SPEND, "no end", Map.of()));
        assertThat(reason(SpendImpact.of(daily(1_000), big, 0, new SpendLimits(100_000, 500L, "USD", 100_000))))
                .isEqualTo(SpendImpact.Reason.BUDGET_EXCEEDED);
        assertThat(reason(SpendImpact.of(lifetime(50_000), big, 0, new SpendLimits(40_000, null, "USD", 100_000))))
                .isEqualTo(SpendImpact.Reason.BUDGET_EXCEEDED);
        assertThat(reason(SpendImpact.of(lifetime(50_000), big, 0, new SpendLimits(100_000, null, "USD", 40_000))))
                .isEqualTo(SpendImpact.Reason.INSUFFICIENT_CREDITS);
        assertThat(reason(SpendImpact.of(lifetime(50_000), big, 0, new SpendLimits(100_000, null, "EUR", 100_000))))
                .isEqualTo(SpendImpact.Reason.UNSUPPORTED_CURRENCY);
        assertThat(reason(SpendImpact.of(lifetime(50_000), big, 0, new SpendLimits(100_000, null, null, 0))))
                .isEqualTo(SpendImpact.Reason.NO_WALLET);
        assertThat(SpendImpact.of(lifetime(50_000), big, 50_000, new SpendLimits(0, null, null, 0)))
                .as("nothing more to reserve needs no room").isEqualTo(new SpendImpact.Reserve(Money.of(0, "USD")));
    }

    private static SpendImpact.Reason reason(SpendImpact.Verdict v) {
        return ((SpendImpact.Refused) v).reason();
    }
}
