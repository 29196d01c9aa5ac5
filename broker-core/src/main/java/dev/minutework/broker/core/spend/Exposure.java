package dev.minutework.broker.core.spend;

import dev.minutework.broker.core.money.Money;

/** The money a campaign can spend from now on, or the reason it cannot be bounded. */
public sealed interface Exposure {

    record Bounded(Money amount) implements Exposure {}

    /** No end date and no authorization expiry: a daily budget could spend forever. */
    record Unbounded(String reason) implements Exposure {}
}
