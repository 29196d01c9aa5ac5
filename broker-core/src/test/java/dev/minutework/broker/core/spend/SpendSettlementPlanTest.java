package dev.minutework.broker.core.spend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minutework.broker.core.money.Money;
import dev.minutework.broker.core.spend.SpendSettlementPlan.Held;
import dev.minutework.broker.core.spend.SpendSettlementPlan.Take;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpendSettlementPlanTest {

    @Test
    void aReReportSettlesOnlyWhatItAddsAndNeverTakesBack() {
        assertThat(SpendSettlementPlan.delta(5_000, 0)).isEqualTo(5_000);
        assertThat(SpendSettlementPlan.delta(5_000, 5_000)).isZero();
        assertThat(SpendSettlementPlan.delta(7_250, 5_000)).isEqualTo(2_250);
        assertThat(SpendSettlementPlan.delta(4_000, 5_000)).as("a lower re-report").isZero();
        assertThatThrownBy(() -> SpendSettlementPlan.delta(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theDeltaComesFromTheOldestReservationsFirstAndTheRestIsBeyond() {
        List<Held> held = List.of(new Held("res_1", 3_000), new Held("res_2", 10_000));
        assertThat(SpendSettlementPlan.of(2_000, held)).isEqualTo(new SpendSettlementPlan(
                List.of(new Take("res_1", 2_000)), 0));
        SpendSettlementPlan across = SpendSettlementPlan.of(5_000, held);
        assertThat(across.takes()).containsExactly(new Take("res_1", 3_000), new Take("res_2", 2_000));
        assertThat(across.fromReservationsMinor()).isEqualTo(5_000);
        SpendSettlementPlan over = SpendSettlementPlan.of(14_500, held);
        assertThat(over.fromReservationsMinor()).isEqualTo(13_000);
        assertThat(over.beyondMinor()).as("over-delivery").isEqualTo(1_500);
        assertThat(SpendSettlementPlan.of(700, List.of()).beyondMinor()).isEqualTo(700);
        assertThat(SpendSettlementPlan.of(0, held).takes()).isEmpty();
    }

    @Test
    void theExpectedDailyRateAndWhatIsTooFast() {
        Instant start = Instant.parse("2026-12-01T00:00:00Z");
        CampaignBudget daily = new CampaignBudget(Money.of(2_000, "USD"), BudgetPeriod.DAILY);
        CampaignBudget lifetime = new CampaignBudget(Money.of(50_000, "USD"), BudgetPeriod.LIFETIME);
        assertThat(SpendSettlementPlan.expectedDailyMinor(daily, null, null)).isEqualTo(2_000);
        assertThat(SpendSettlementPlan.expectedDailyMinor(lifetime, start, start.plus(Duration.ofDays(10))))
                .isEqualTo(5_000);
        assertThat(SpendSettlementPlan.expectedDailyMinor(lifetime, start, null)).isNull();
        assertThat(SpendSettlementPlan.tooFast(10_001, 5_000L, 2.0)).isTrue();
        assertThat(SpendSettlementPlan.tooFast(10_000, 5_000L, 2.0)).isFalse();
        assertThat(SpendSettlementPlan.tooFast(1_000_000, null, 2.0)).as("unknown rate").isFalse();
    }
}
