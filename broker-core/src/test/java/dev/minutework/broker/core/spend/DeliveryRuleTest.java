package dev.minutework.broker.core.spend;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class DeliveryRuleTest {

    private static final DeliveryRule NOMINAL = new DeliveryRule.Nominal();
    private static final DeliveryRule GOOGLE = new DeliveryRule.GoogleAdsOverdelivery();

    private static LocalDate day(String iso) {
        return LocalDate.parse(iso);
    }

    @Test
    void nominalIsDailyTimesDays() {
        assertThat(NOMINAL.worstCaseMinor(1000, day("2025-03-10"), day("2025-03-12"))).isEqualTo(3000);
        assertThat(NOMINAL.worstCaseMinor(1000, day("2025-03-10"), day("2025-03-10"))).isEqualTo(1000);
    }

    @Test
    void nominalIgnoresMonthBoundaries() {
        assertThat(NOMINAL.worstCaseMinor(1001, day("2025-01-01"), day("2025-02-28"))).isEqualTo(59 * 1001);
    }

    @Test
    void googleAdsMayDeliverTwiceTheDailyBudgetOnEachDayOfAShortWindow() {
        assertThat(GOOGLE.worstCaseMinor(1000, day("2025-03-10"), day("2025-03-12"))).isEqualTo(6 * 1000);
    }

    @Test
    void googleAdsFifteenDaysInAMonthStaysBelowTheMonthlyCap() {
        assertThat(GOOGLE.worstCaseMinor(1000, day("2025-03-01"), day("2025-03-15"))).isEqualTo(30 * 1000);
    }

    @Test
    void googleAdsSixteenDaysInAMonthHitTheMonthlyCap() {
        assertThat(GOOGLE.worstCaseMinor(1000, day("2025-03-01"), day("2025-03-16"))).isEqualTo(30_400);
    }

    @Test
    void googleAdsAWholeMonthIsCappedAtThirtyPointFourDays() {
        assertThat(GOOGLE.worstCaseMinor(1000, day("2025-03-01"), day("2025-03-31"))).isEqualTo(30_400);
    }

    @Test
    void googleAdsMonthlyCapIsRoundedUpToAWholeMinorUnit() {
        // 30.4 × 1001 = 30430.4 → 30431
        assertThat(GOOGLE.worstCaseMinor(1001, day("2025-03-01"), day("2025-03-31"))).isEqualTo(30_431);
        // 30.4 × 1 = 30.4 → 31
        assertThat(GOOGLE.worstCaseMinor(1, day("2025-03-01"), day("2025-03-31"))).isEqualTo(31);
    }

    @Test
    void googleAdsAShortWindowAcrossTwoMonthsSumsEachMonth() {
        // 30-31 January and 1-2 February: 2 × 2 days in each month
        assertThat(GOOGLE.worstCaseMinor(1000, day("2025-01-30"), day("2025-02-02"))).isEqualTo(8000);
    }

    @Test
    void googleAdsTwoWholeMonthsAreCappedPerMonth() {
        assertThat(GOOGLE.worstCaseMinor(1001, day("2025-01-01"), day("2025-02-28"))).isEqualTo(2 * 30_431);
    }

    @Test
    void googleAdsAPartialMonthThenAWholeMonthSumsEachPart() {
        // 20-31 March: 12 days → 24 × daily; April: capped at 30.4 × daily
        assertThat(GOOGLE.worstCaseMinor(1001, day("2025-03-20"), day("2025-04-30")))
                .isEqualTo(24 * 1001 + 30_431);
    }

    @Test
    void googleAdsAWindowAcrossTheYearEndSumsEachMonth() {
        assertThat(GOOGLE.worstCaseMinor(1000, day("2024-12-31"), day("2025-01-01"))).isEqualTo(4000);
    }

    @Test
    void googleAdsUsesTheOverdeliveryRuleAndOthersTheNominalOne() {
        assertThat(DeliveryRule.forProvider("googleads")).isInstanceOf(DeliveryRule.GoogleAdsOverdelivery.class);
        assertThat(DeliveryRule.forProvider("openaiads")).isInstanceOf(DeliveryRule.Nominal.class);
        assertThat(DeliveryRule.forProvider("metaads")).isInstanceOf(DeliveryRule.Nominal.class);
    }
}
