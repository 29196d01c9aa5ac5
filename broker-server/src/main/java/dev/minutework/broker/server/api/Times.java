package dev.minutework.broker.server.api;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;

/** Formats times for the API as RFC 3339 in UTC, always with seconds ({@code 2026-11-01T10:00:00Z}). */
public final class Times {

    private Times() {}

    /** RFC 3339 UTC text of an {@link Instant} or {@link OffsetDateTime}; {@code null} stays {@code null}. */
    public static String rfc3339(TemporalAccessor t) {
        if (t == null) {
            return null;
        }
        Instant instant = t instanceof OffsetDateTime o ? o.toInstant() : Instant.from(t);
        return DateTimeFormatter.ISO_INSTANT.format(instant);
    }
}
