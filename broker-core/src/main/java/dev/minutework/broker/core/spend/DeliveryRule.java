package dev.minutework.broker.core.spend;

import java.time.LocalDate;
import java.time.YearMonth;

/**
 * The most a provider may charge for a daily budget over a run of calendar days. Providers may
 * over-deliver within their own rules, so exposure must cover the worst case, not the nominal
 * figure (design §4).
 */
public sealed interface DeliveryRule {

    /** Worst-case spend, in minor units, for {@code dailyMinor} a day from {@code first} to {@code last} inclusive. */
    long worstCaseMinor(long dailyMinor, LocalDate first, LocalDate last);

    /** Spend never exceeds the daily budget on any day. */
    record Nominal() implements DeliveryRule {
        @Override
        public long worstCaseMinor(long dailyMinor, LocalDate first, LocalDate last) {
            long days = last.toEpochDay() - first.toEpochDay() + 1;
            return Math.multiplyExact(dailyMinor, days);
        }
    }

    /**
     * Google Ads: up to 2× the daily budget on one day, and never more than 30.4× the daily budget
     * in one calendar month. The bound is applied per calendar month the window touches.
     */
    record GoogleAdsOverdelivery() implements DeliveryRule {
        @Override
        public long worstCaseMinor(long dailyMinor, LocalDate first, LocalDate last) {
            long total = 0;
            YearMonth month = YearMonth.from(first);
            YearMonth lastMonth = YearMonth.from(last);
            while (!month.isAfter(lastMonth)) {
                LocalDate from = first.isAfter(month.atDay(1)) ? first : month.atDay(1);
                LocalDate to = last.isBefore(month.atEndOfMonth()) ? last : month.atEndOfMonth();
                long days = to.toEpochDay() - from.toEpochDay() + 1;
                // min(2 × days, 30.4) × daily, rounded up to a whole minor unit: 30.4 = 304 / 10
                long twice = Math.multiplyExact(Math.multiplyExact(2L, days), dailyMinor);
                long monthly = Math.ceilDiv(Math.multiplyExact(304L, dailyMinor), 10L);
                total = Math.addExact(total, Math.min(twice, monthly));
                month = month.plusMonths(1);
            }
            return total;
        }
    }

    static DeliveryRule forProvider(String providerKey) {
        return "googleads".equals(providerKey) ? new GoogleAdsOverdelivery() : new Nominal();
    }
}
