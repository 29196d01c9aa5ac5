package dev.minutework.broker.sim;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A read-only snapshot of one campaign as a simulator holds it, in provider-neutral terms: what a
 * test needs to compute, from the provider's own state, how much the provider could still spend.
 *
 * @param id the provider's campaign id
 * @param status the provider's status, lower case ({@code active}, {@code paused}, {@code archived},
 *     {@code deleted}); only {@code active} delivers
 * @param period {@code lifetime} or {@code daily}; {@code null} when the campaign has no budget
 * @param budget the budget in major units of the ad account's currency (e.g. {@code 5.00}); {@code null}
 *     when the campaign has no budget
 * @param endTime when the provider stops delivering it, or {@code null} when it runs until stopped
 */
public record SimulatedCampaign(String id, String status, String period, BigDecimal budget, Instant endTime) {

    /** Whether the provider would deliver (and spend on) the campaign now, its end time aside. */
    public boolean active() {
        return "active".equals(status);
    }
}
