package dev.minutework.broker.core.spend;

import dev.minutework.broker.core.money.Money;
import java.util.Map;

/**
 * What a change of a campaign adds to the money held for it: the campaign's exposure after the
 * change, less what is already reserved for it, never below zero; or why it cannot be backed.
 * Refusals are values here; the ledger's conditional reservation is what enforces the cap and the
 * wallet under concurrency, and this check only refuses early, with the figures.
 */
public final class SpendImpact {

    private SpendImpact() {}

    /** The verdict: reserve {@code impact} (possibly zero), or refuse. */
    public sealed interface Verdict {}

    /** The change fits: this much more must be reserved. */
    public record Reserve(Money impact) implements Verdict {}

    /** The change cannot be backed; {@code details} are the figures behind the refusal. */
    public record Refused(Reason reason, String message, Map<String, Object> details) implements Verdict {}

    /** Why a change cannot be backed. */
    public enum Reason {
        /** a daily budget with neither an end nor an authorization expiry */
        UNBOUNDED_SPEND,
        /** over the authorization's cap or daily cap */
        BUDGET_EXCEEDED,
        /** over the wallet's available credits */
        INSUFFICIENT_CREDITS,
        /** the wallet holds another currency */
        UNSUPPORTED_CURRENCY,
        /** the tenant has no wallet */
        NO_WALLET
    }

    /**
     * @param budget the campaign's budget after the change
     * @param exposure the campaign's exposure after the change ({@link CampaignExposure})
     * @param heldMinor what is already reserved for the campaign
     * @param limits the authorization's and wallet's room
     */
    public static Verdict of(CampaignBudget budget, Exposure exposure, long heldMinor, SpendLimits limits) {
        if (exposure instanceof Exposure.Unbounded u) {
            return new Refused(Reason.UNBOUNDED_SPEND, u.reason(), Map.of());
        }
        Money total = ((Exposure.Bounded) exposure).amount();
        if (budget.period() == BudgetPeriod.DAILY && limits.dailyCapMinor() != null
                && budget.amount().amountMinor() > limits.dailyCapMinor()) {
            return new Refused(Reason.BUDGET_EXCEEDED, "the daily budget exceeds the authorization's daily cap",
                    Map.of("daily_cap_minor", limits.dailyCapMinor()));
        }
        Money impact = Money.of(Math.max(0, total.amountMinor() - heldMinor), total.currency());
        if (impact.isZero()) {
            return new Reserve(impact);
        }
        if (limits.walletCurrency() == null) {
            return new Refused(Reason.NO_WALLET, "the tenant has no wallet", Map.of());
        }
        if (!limits.walletCurrency().equals(impact.currency())) {
            return new Refused(Reason.UNSUPPORTED_CURRENCY, "the tenant's wallet holds " + limits.walletCurrency()
                    + " credits; spend in " + impact.currency() + " cannot be backed", Map.of());
        }
        if (impact.amountMinor() > limits.authorizationRemainingMinor()) {
            return new Refused(Reason.BUDGET_EXCEEDED, "the spend exposure " + impact
                    + " exceeds what the authorization has left", Map.of("spend_impact_minor", impact.amountMinor(),
                            "remaining_minor", limits.authorizationRemainingMinor()));
        }
        if (impact.amountMinor() > limits.walletAvailableMinor()) {
            return new Refused(Reason.INSUFFICIENT_CREDITS, "the spend exposure " + impact
                    + " exceeds the wallet's available credits", Map.of("spend_impact_minor", impact.amountMinor(),
                            "available_minor", limits.walletAvailableMinor()));
        }
        return new Reserve(impact);
    }
}
