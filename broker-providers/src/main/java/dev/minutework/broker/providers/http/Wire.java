package dev.minutework.broker.providers.http;

import dev.minutework.broker.core.json.JsonParser;
import dev.minutework.broker.core.provider.ProviderOutcome;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Small pieces every adapter needs around the wire: reading a JSON answer, honouring
 * {@code Retry-After}, backing off, and carrying the broker reference in an object's name so an
 * unknown outcome can be looked up later.
 */
public final class Wire {

    /** How long to wait when a provider says "too many requests" without saying how long. */
    public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(60);

    private Wire() {}

    /** The answer as a JSON object, or empty when it is not one. */
    public static Optional<Map<String, Object>> parse(String body) {
        try {
            return Optional.of(JsonParser.parseObject(body));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The provider's {@code Retry-After} in seconds, or {@link #DEFAULT_RETRY_AFTER}. */
    public static Duration retryAfter(WireResult.Answered a) {
        String h = a.header("Retry-After");
        try {
            return h == null ? DEFAULT_RETRY_AFTER : Duration.ofSeconds(Math.max(0, Long.parseLong(h.trim())));
        } catch (NumberFormatException e) {
            return DEFAULT_RETRY_AFTER;
        }
    }

    /** Waits; an interrupt ends the wait and is kept for the caller. */
    public static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The tenant's name with the broker reference appended ({@code "Boots [exe_…]"}), cut to {@code max}. */
    public static String named(String name, String ref, int max) {
        String suffix = " [" + ref + "]";
        String head = name.length() + suffix.length() > max ? name.substring(0, max - suffix.length()) : name;
        return head + suffix;
    }

    /** The {@code " [ref]"} a provider-side name ends with, or "" when it has none. */
    public static String referenceSuffix(String providerName) {
        if (providerName == null) {
            return "";
        }
        int at = providerName.lastIndexOf(" [");
        return at >= 0 && providerName.endsWith("]") ? providerName.substring(at) : "";
    }

    /** Puts a value unless it is null (outcome data never holds nulls). */
    public static void putPresent(Map<String, Object> data, String key, Object value) {
        if (value != null) {
            data.put(key, value);
        }
    }

    /** URL-encodes a query value or path segment. */
    public static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The outcome of an answer that is not the provider's documented JSON. */
    public static ProviderOutcome.Rejected unreadable() {
        return new ProviderOutcome.Rejected(ProviderOutcome.RejectionKind.PROVIDER_ERROR, "unreadable_answer",
                "the provider's answer was not the documented JSON");
    }
}
