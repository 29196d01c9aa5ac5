package dev.minutework.broker.core.spend;

import java.time.Instant;

/**
 * What a campaign is at the provider, as far as spend goes: the state a change runs on, and the
 * state it leaves.
 *
 * @param budget its budget
 * @param active whether it can spend
 * @param start when it starts, or {@code null} for "now"
 * @param end when the provider stops it, or {@code null} for never
 */
public record CampaignState(CampaignBudget budget, boolean active, Instant start, Instant end) {

    /** This state with {@code change} applied: every field the change names replaces this one's. */
    public CampaignState with(CampaignChange change) {
        return new CampaignState(change.budget() != null ? change.budget() : budget,
                change.active() != null ? change.active() : active, start,
                change.end() != null ? change.end() : end);
    }
}
