package dev.minutework.broker.server.api;

import dev.minutework.broker.core.money.Money;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads fields of a JSON request body, collecting every problem with its path, then refuses the
 * request once with {@code invalid_input} listing them all.
 */
public final class Body {

    private final Map<String, Object> json;
    private final String prefix;
    private final List<Map<String, String>> errors;

    public Body(Map<String, Object> json) {
        this(json == null ? Map.of() : json, "$", new ArrayList<>());
    }

    private Body(Map<String, Object> json, String prefix, List<Map<String, String>> errors) {
        this.json = json;
        this.prefix = prefix;
        this.errors = errors;
    }

    public Map<String, Object> raw() {
        return json;
    }

    public void error(String field, String message) {
        errors.add(Map.of("path", field.startsWith("$") ? field : prefix + "." + field, "message", message));
    }

    public String string(String field, boolean required, int maxLength) {
        Object v = json.get(field);
        if (v == null) {
            if (required) {
                error(field, "is required");
            }
            return null;
        }
        if (!(v instanceof String s) || s.isBlank()) {
            error(field, "must be a non-empty string");
            return null;
        }
        if (s.length() > maxLength) {
            error(field, "must be at most " + maxLength + " characters");
            return null;
        }
        return s;
    }

    public String oneOf(String field, boolean required, Set<String> allowed) {
        String s = string(field, required, 64);
        if (s != null && !allowed.contains(s)) {
            error(field, "must be one of " + allowed.stream().sorted().toList());
            return null;
        }
        return s;
    }

    public Long positiveLong(String field, boolean required) {
        Object v = json.get(field);
        if (v == null) {
            if (required) {
                error(field, "is required");
            }
            return null;
        }
        if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() <= 0) {
            error(field, "must be a positive integer");
            return null;
        }
        return ((Number) v).longValue();
    }

    /**
     * An amount in minor units: an integer from 1 to {@link Money#MAX_AMOUNT_MINOR}, the largest
     * amount the broker accepts anywhere.
     */
    public Long amountMinor(String field, boolean required) {
        Object v = json.get(field);
        if (v != null && (v instanceof Integer || v instanceof Long || v instanceof java.math.BigInteger)
                && ((Number) v).doubleValue() > Money.MAX_AMOUNT_MINOR) {
            error(field, "must be at most " + Money.MAX_AMOUNT_MINOR + " (the largest amount the broker accepts)");
            return null;
        }
        return positiveLong(field, required);
    }

    public Instant instant(String field, boolean required) {
        String s = string(field, required, 64);
        return s == null ? null : parseInstant(s, prefix + "." + field);
    }

    Instant parseInstant(String s, String path) {
        if (!s.matches("\\d{4}-.*")) { // RFC 3339 years have four digits: none before 0000 or after 9999
            error(path, "must be an RFC 3339 date-time");
            return null;
        }
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            error(path, "must be an RFC 3339 date-time");
            return null;
        }
    }

    public String currency(String field, boolean required) {
        String c = string(field, required, 3);
        if (c != null && (!c.matches("[A-Z]{3}") || !Money.isKnownCurrency(c))) {
            error(field, "must be an ISO-4217 currency code");
            return null;
        }
        return c;
    }

    public Money money(String field, boolean required) {
        Body m = object(field, required);
        if (m == null) {
            return null;
        }
        Long amount = m.amountMinor("amount_minor", true);
        String currency = m.currency("currency", true);
        return amount == null || currency == null ? null : Money.of(amount, currency);
    }

    @SuppressWarnings("unchecked")
    public Body object(String field, boolean required) {
        Object v = json.get(field);
        if (v == null) {
            if (required) {
                error(field, "is required");
            }
            return null;
        }
        if (!(v instanceof Map<?, ?>)) {
            error(field, "must be an object");
            return null;
        }
        return new Body((Map<String, Object>) v, prefix + "." + field, errors);
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> map(String field, boolean required) {
        Body b = object(field, required);
        return b == null ? null : new LinkedHashMap<>(b.json);
    }

    public List<String> strings(String field, boolean required) {
        Object v = json.get(field);
        if (v == null) {
            if (required) {
                error(field, "is required");
            }
            return null;
        }
        if (!(v instanceof List<?> list) || list.isEmpty() || !list.stream().allMatch(x -> x instanceof String)) {
            error(field, "must be a non-empty array of strings");
            return null;
        }
        return list.stream().map(String.class::cast).toList();
    }

    /** Refuses fields this endpoint does not know. */
    public void only(Set<String> known) {
        for (String k : json.keySet()) {
            if (!known.contains(k)) {
                error(k, "is not a field of this request");
            }
        }
    }

    public List<Map<String, String>> errors() {
        return List.copyOf(errors);
    }

    /** Throws {@code invalid_input} listing every problem found so far. */
    public void validate() {
        if (!errors.isEmpty()) {
            throw new ApiException(ErrorCode.INVALID_INPUT, "the request has " + errors.size() + " invalid field(s)",
                    Map.of("errors", List.copyOf(errors)));
        }
    }
}
