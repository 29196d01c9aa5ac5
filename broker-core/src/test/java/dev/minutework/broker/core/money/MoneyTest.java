package dev.minutework.broker.core.money;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class MoneyTest {

    @Test
    void oneUsCentIsTenThousandMicros() {
        assertThat(Money.of(1, "USD").toMicros()).isEqualTo(10_000);
        assertThat(Money.of(12_345, "USD").toMicros()).isEqualTo(123_450_000);
    }

    @Test
    void oneYenIsOneMillionMicrosBecauseYenHasNoMinorUnit() {
        assertThat(Money.exponentOf("JPY")).isZero();
        assertThat(Money.of(1, "JPY").toMicros()).isEqualTo(1_000_000);
    }

    @Test
    void oneFilsIsOneThousandMicrosBecauseTheDinarHasThreeDecimals() {
        assertThat(Money.exponentOf("BHD")).isEqualTo(3);
        assertThat(Money.of(1, "BHD").toMicros()).isEqualTo(1_000);
    }

    @Test
    void majorUnitsFollowTheCurrencyExponent() {
        assertThat(Money.of(1234, "USD").toMajor()).isEqualByComparingTo(new BigDecimal("12.34"));
        assertThat(Money.of(1234, "USD").toMajor().scale()).isEqualTo(2);
        assertThat(Money.of(500, "JPY").toMajor()).isEqualByComparingTo(new BigDecimal("500"));
        assertThat(Money.of(1234, "BHD").toMajor()).isEqualByComparingTo(new BigDecimal("1.234"));
        assertThat(Money.of(-5, "USD").toMajor()).isEqualByComparingTo(new BigDecimal("-0.05"));
    }

    @Test
    void printsPlainMajorUnitsAndTheCode() {
        assertThat(Money.of(1234, "USD")).hasToString("12.34 USD");
        assertThat(Money.of(1, "BHD")).hasToString("0.001 BHD");
    }

    @Test
    void refusesAnUnknownCurrency() {
        assertThatThrownBy(() -> Money.of(1, "XYZ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("XYZ");
        assertThatThrownBy(() -> Money.of(1, "usd")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Money.of(1, null)).isInstanceOf(NullPointerException.class);
        assertThat(Money.isKnownCurrency("XYZ")).isFalse();
        assertThat(Money.isKnownCurrency("EUR")).isTrue();
    }

    @Test
    void refusesACurrencyWithoutAMinorUnit() {
        assertThatThrownBy(() -> Money.of(1, "XXX")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesMicrosThatOverflowALong() {
        Money huge = Money.of(Long.MAX_VALUE / 10_000 + 1, "USD");

        assertThatThrownBy(huge::toMicros).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void theLargestConvertibleAmountConvertsExactly() {
        long max = Long.MAX_VALUE / 10_000;

        assertThat(Money.of(max, "USD").toMicros()).isEqualTo(max * 10_000);
    }

    @Test
    void everyAmountUpToTheBrokersMaximumHasMicrosAndMajorUnitsInEveryCurrency() {
        for (java.util.Currency c : java.util.Currency.getAvailableCurrencies()) {
            if (c.getDefaultFractionDigits() < 0) {
                continue; // no minor unit (XXX, XAU…): Money refuses them
            }
            Money max = Money.of(Money.MAX_AMOUNT_MINOR, c.getCurrencyCode());

            assertThat(max.toMicros()).as("micros of %s", max)
                    .isEqualTo(BigDecimal.valueOf(Money.MAX_AMOUNT_MINOR).movePointRight(6 - c.getDefaultFractionDigits())
                            .longValueExact());
            assertThat(max.toMajor().movePointRight(c.getDefaultFractionDigits()).longValueExact())
                    .isEqualTo(Money.MAX_AMOUNT_MINOR);
        }
    }

    @Test
    void aDailyMaximumOverEveryDayToTheYear9999StillFitsALong() {
        long days = java.time.LocalDate.of(9999, 12, 31).toEpochDay() - java.time.LocalDate.of(1970, 1, 1).toEpochDay() + 1;

        assertThat(Math.multiplyExact(Math.multiplyExact(2L, days), Money.MAX_AMOUNT_MINOR)).isPositive();
    }

    @Test
    void addsAndSubtractsWithinOneCurrency() {
        assertThat(Money.of(150, "USD").plus(Money.of(50, "USD"))).isEqualTo(Money.of(200, "USD"));
        assertThat(Money.of(150, "USD").minus(Money.of(200, "USD"))).isEqualTo(Money.of(-50, "USD"));
        assertThat(Money.zero("EUR").isZero()).isTrue();
    }

    @Test
    void refusesToMixCurrencies() {
        assertThatThrownBy(() -> Money.of(1, "USD").plus(Money.of(1, "EUR"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Money.of(1, "USD").minus(Money.of(1, "EUR"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesSumsThatOverflow() {
        assertThatThrownBy(() -> Money.of(Long.MAX_VALUE, "USD").plus(Money.of(1, "USD")))
                .isInstanceOf(ArithmeticException.class);
    }
}
