package dev.minutework.broker.core.spend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.money.Money;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SpendExposureTest {

    private static final Instant NOW = Instant.parse("2025-03-10T12:00:00Z");
    private static final DeliveryRule NOMINAL = new DeliveryRule.Nominal();
    private static final DeliveryRule GOOGLE = new DeliveryRule.GoogleAdsOverdelivery();

    private static CampaignBudget daily(long minor) {
        return new CampaignBudget(Money.of(minor, "USD"), BudgetPeriod.DAILY);
    }

    private static CampaignBudget lifetime(long minor) {
        return new CampaignBudget(Money.of(minor, "USD"), BudgetPeriod.LIFETIME);
    }

    private static Exposure bounded(long minor) {
        return new Exposure.Bounded(Money.of(minor, "USD"));
    }

    @Test
    void aPausedCampaignExposesNothing() {
        Exposure exposure = SpendExposure.of(daily(1000), false, null, null, null, NOMINAL, NOW);

        assertThat(exposure).isEqualTo(bounded(0));
    }

    @Test
    void aPausedLifetimeCampaignExposesNothing() {
        Exposure exposure = SpendExposure.of(lifetime(50_000), false, null, null, null, NOMINAL, NOW);

        assertThat(exposure).isEqualTo(bounded(0));
    }

    @Test
    void aLifetimeBudgetExposesItsAmount() {
        Exposure exposure = SpendExposure.of(lifetime(50_000), true, null, null, null, GOOGLE, NOW);

        assertThat(exposure).isEqualTo(bounded(50_000));
    }

    @Test
    void aDailyBudgetWithAnEndExposesDailyTimesDaysUpToTheEndExclusive() {
        // 10, 11 and 12 March: the campaign ends at midnight, so 13 March does not count
        Instant end = Instant.parse("2025-03-13T00:00:00Z");

        Exposure exposure = SpendExposure.of(daily(1000), true, null, end, null, NOMINAL, NOW);

        assertThat(exposure).isEqualTo(bounded(3000));
    }

    @Test
    void anEndJustAfterMidnightCountsThatDay() {
        Instant end = Instant.parse("2025-03-13T00:00:01Z");

        Exposure exposure = SpendExposure.of(daily(1000), true, null, end, null, NOMINAL, NOW);

        assertThat(exposure).isEqualTo(bounded(4000));
    }

    @Test
    void anEndLaterTodayCountsOnlyToday() {
        Instant end = Instant.parse("2025-03-10T18:00:00Z");

        Exposure exposure = SpendExposure.of(daily(1000), true, null, end, null, NOMINAL, NOW);

        assertThat(exposure).isEqualTo(bounded(1000));
    }

    @Test
    void aDailyBudgetWithoutAnEndRunsToTheAuthorizationExpiry() {
        Instant expiry = Instant.parse("2025-03-15T00:00:00Z");

        Exposure exposure = SpendExposure.of(daily(1000), true, null, null, expiry, NOMINAL, NOW);

        assertThat(exposure).isEqualTo(bounded(5000));
    }

    @Test
    void theCampaignEndWinsOverTheAuthorizationExpiry() {
        Instant end = Instant.parse("2025-03-12T00:00:00Z");
        Instant expiry = Instant.parse("2025-03-20T00:00:00Z");

        Exposure exposure = SpendExposure.of(daily(1000), true, null, end, expiry, NOMINAL, NOW);

        assertThat(exposure).isEqualTo(bounded(2000));
    }

    @Test
    void aDailyBudgetWithNeitherEndNorExpiryIsUnbounded() {
        Exposure exposure = SpendExposure.of(daily(1000), true, null, null, null, NOMINAL, NOW);

        assertThat(exposure).isInstanceOf(Exposure.Unbounded.class);
        assertThat(((Exposure.Unbounded) exposure).reason()).isNotBlank();
    }

    @Test
    void aFutureStartCountsFromTheStart() {
        Instant start = Instant.parse("2025-03-20T08:00:00Z");
        Instant end = Instant.parse("2025-03-22T00:00:00Z");

        Exposure exposure = SpendExposure.of(daily(1000), true, start, end, null, NOMINAL, NOW);

        assertThat(exposure).isEqualTo(bounded(2000));
    }

    @Test
    void aPastStartCountsFromNow() {
        Instant start = Instant.parse("2025-03-01T00:00:00Z");
        Instant end = Instant.parse("2025-03-13T00:00:00Z");

        Exposure exposure = SpendExposure.of(daily(1000), true, start, end, null, NOMINAL, NOW);

        assertThat(exposure).isEqualTo(bounded(3000));
    }

    @Test
    void anEndAlreadyPassedExposesNothing() {
        Instant end = Instant.parse("2025-03-09T00:00:00Z");

        Exposure exposure = SpendExposure.of(daily(1000), true, null, end, null, NOMINAL, NOW);

        assertThat(exposure).isEqualTo(bounded(0));
    }

    @Test
    void anExpiredAuthorizationExposesNothing() {
        Exposure exposure = SpendExposure.of(daily(1000), true, null, null, NOW, NOMINAL, NOW);

        assertThat(exposure).isEqualTo(bounded(0));
    }

    @Test
    void googleAdsExposesTwiceTheDailyBudgetForAShortWindow() {
        Instant end = Instant.parse("2025-03-13T00:00:00Z");

        Exposure exposure = SpendExposure.of(daily(1000), true, null, end, null, GOOGLE, NOW);

        assertThat(exposure).isEqualTo(bounded(6000));
    }

    @Test
    void theExposureKeepsTheBudgetCurrency() {
        CampaignBudget yen = new CampaignBudget(Money.of(500, "JPY"), BudgetPeriod.DAILY);
        Instant end = Instant.parse("2025-03-12T00:00:00Z");

        Exposure exposure = SpendExposure.of(yen, true, null, end, null, NOMINAL, NOW);

        assertThat(exposure).isEqualTo(new Exposure.Bounded(Money.of(1000, "JPY")));
    }
}
