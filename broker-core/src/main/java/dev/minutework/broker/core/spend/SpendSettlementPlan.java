package dev.minutework.broker.core.spend;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How a day's reported spend of a campaign settles: only what the report adds to what was settled
 * for that day before (a re-report of the same figure settles nothing, a lower one takes nothing
 * back), taken from what is held for the campaign, oldest reservation first; what exceeds it is
 * spend beyond the reservation (the provider over-delivered), settled from available credits and
 * flagged, and a reason to pause the campaign.
 *
 * @param takes what each held reservation gives, in order
 * @param beyondMinor what no reservation covers
 */
public record SpendSettlementPlan(List<Take> takes, long beyondMinor) {

    public SpendSettlementPlan {
        takes = List.copyOf(takes);
    }

    /** A held reservation and what it still holds. */
    public record Held(String reservationId, long remainingMinor) {}

    /** What one reservation gives to the settlement. */
    public record Take(String reservationId, long minor) {}

    /** What a report of {@code reportedMinor} for a day adds to the {@code settledMinor} settled for it already. */
    public static long delta(long reportedMinor, long settledMinor) {
        if (reportedMinor < 0 || settledMinor < 0) {
            throw new IllegalArgumentException("spend cannot be negative");
        }
        return Math.max(0, reportedMinor - settledMinor);
    }

    /** Splits {@code deltaMinor} over the held reservations, oldest first. */
    public static SpendSettlementPlan of(long deltaMinor, List<Held> held) {
        List<Take> takes = new ArrayList<>();
        long left = deltaMinor;
        for (Held h : held) {
            if (left == 0) {
                break;
            }
            long take = Math.min(left, Math.max(0, h.remainingMinor()));
            if (take > 0) {
                takes.add(new Take(h.reservationId(), take));
                left -= take;
            }
        }
        return new SpendSettlementPlan(takes, left);
    }

    /** What is settled from reservations. */
    public long fromReservationsMinor() {
        return takes.stream().mapToLong(Take::minor).sum();
    }

    /**
     * The spend a campaign is expected to make in a day: its daily budget, or its lifetime budget
     * spread over its days; null when that cannot be told (a lifetime budget without an end).
     */
    public static Long expectedDailyMinor(CampaignBudget budget, Instant start, Instant end) {
        if (budget.period() == BudgetPeriod.DAILY) {
            return budget.amount().amountMinor();
        }
        if (start == null || end == null || !end.isAfter(start)) {
            return null;
        }
        long days = Math.max(1, (Duration.between(start, end).toHours() + 23) / 24);
        return Math.max(1, (budget.amount().amountMinor() + days - 1) / days);
    }

    /** Whether a day's spend runs faster than {@code multiple} times the expected rate. */
    public static boolean tooFast(long daySpendMinor, Long expectedDailyMinor, double multiple) {
        return expectedDailyMinor != null && multiple > 0 && daySpendMinor > expectedDailyMinor * multiple;
    }
}
