package dev.minutework.broker.core.spend;

import java.time.Instant;

/**
 * A change of a campaign's spend-relevant fields, as {@code ads.update_campaign} or
 * {@code ads.pause_campaign} asks for it; a null field is left as it is.
 *
 * @param active the new status ({@code true} active, {@code false} paused), or null
 * @param budget the new budget, or null
 * @param end the new end time, or null
 */
public record CampaignChange(Boolean active, CampaignBudget budget, Instant end) {

    /** The change {@code ads.pause_campaign} makes. */
    public static CampaignChange pause() {
        return new CampaignChange(false, null, null);
    }
}
