package dev.minutework.broker.core.provider;

import java.time.Instant;
import java.util.Objects;

/**
 * One change a provider reports, found by asking it ({@link ProviderAdapter#changesSince}) rather
 * than told by a webhook: what the object is now, in the broker's words.
 *
 * @param changeId the provider's identity of this change (stable across polls: the same change read
 *     twice has the same id, so the broker stores it once)
 * @param kind what the value is about
 * @param providerObjectId the object's id as the broker keeps it for the provider
 * @param value for {@link Kind#CAMPAIGN_STATUS} {@code active}, {@code paused} or
 *     {@code removed_at_provider}; for {@link Kind#AD_REVIEW} {@code approved}, {@code rejected} or
 *     {@code in_review}
 * @param changedAt when the provider says the object last changed
 */
public record ProviderChange(String changeId, Kind kind, String providerObjectId, String value, Instant changedAt) {

    public enum Kind { CAMPAIGN_STATUS, AD_REVIEW }

    public ProviderChange {
        Objects.requireNonNull(changeId, "changeId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(providerObjectId, "providerObjectId");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(changedAt, "changedAt");
    }

    /**
     * The provider could not say what changed (unreachable, refused, unreadable answer). Its
     * message names no credential and carries no provider text.
     */
    public static final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Unavailable(String message) {
            super(message);
        }
    }
}
