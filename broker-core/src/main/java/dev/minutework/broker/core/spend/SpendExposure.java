package dev.minutework.broker.core.spend;

import dev.minutework.broker.core.money.Money;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Computes a campaign's spend exposure (design §4): money is reserved exactly while a campaign can
 * spend. A paused campaign exposes nothing; a lifetime budget exposes its amount; a daily budget
 * exposes the provider's worst case over the days from {@code max(now, start)} to its end, or to
 * the authorization's expiry when the campaign has no end.
 */
public final class SpendExposure {

    private SpendExposure() {}

    /**
     * @param budget the campaign's budget
     * @param active whether the campaign can spend
     * @param start campaign start, or {@code null} for "now"
     * @param end campaign end, or {@code null} for none
     * @param authorizationExpiry the spend authorization's {@code valid_until}, or {@code null}
     * @param rule the provider's delivery rule
     * @param now the current instant (from the injected clock)
     */
    public static Exposure of(CampaignBudget budget, boolean active, Instant start, Instant end,
            Instant authorizationExpiry, DeliveryRule rule, Instant now) {
        String currency = budget.amount().currency();
        if (!active) {
            return new Exposure.Bounded(Money.zero(currency));
        }
        if (budget.period() == BudgetPeriod.LIFETIME) {
            return new Exposure.Bounded(budget.amount());
        }
        Instant until = end != null ? end : authorizationExpiry;
        if (until == null) {
            return new Exposure.Unbounded(
                    "a daily budget needs an end_time, or a spend authorization with valid_until");
        }
        Instant from = start != null && start.isAfter(now) ? start : now;
        if (!until.isAfter(from)) {
            return new Exposure.Bounded(Money.zero(currency));
        }
        LocalDate first = LocalDate.ofInstant(from, ZoneOffset.UTC);
        // the end instant is exclusive: a campaign ending at midnight does not spend on that day
        LocalDate last = LocalDate.ofInstant(until.minusNanos(1), ZoneOffset.UTC);
        long worst = rule.worstCaseMinor(budget.amount().amountMinor(), first, last);
        return new Exposure.Bounded(Money.of(worst, currency));
    }
}
