package dev.minutework.broker.core.spend;

import dev.minutework.broker.core.money.Money;

/** A campaign budget in the unified model: an amount and whether it is daily or lifetime. */
public record CampaignBudget(Money amount, BudgetPeriod period) {}
