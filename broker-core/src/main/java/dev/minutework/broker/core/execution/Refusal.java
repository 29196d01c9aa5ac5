package dev.minutework.broker.core.execution;

import dev.minutework.broker.core.command.FieldError;
import java.util.List;
import java.util.Map;

/**
 * A refusal as a value: its code, the broker's message and the figures or fields behind it (as
 * the API shows them under {@code details}).
 */
public record Refusal(RefusalCode code, String message, Map<String, Object> details) {

    public Refusal {
        details = Map.copyOf(details);
    }

    /** An {@code invalid_input} refusal naming the fields at fault. */
    /** An object the provider says it no longer has ({@code removed_at_provider}): it cannot be changed or read. */
    public static Refusal removedAtProvider(String kind, String id, String provider) {
        return new Refusal(RefusalCode.NOT_FOUND, kind + " " + id + " was removed at " + provider
                + " (status removed_at_provider): it no longer exists there", Map.of("status", "removed_at_provider"));
    }

    public static Refusal invalid(String message, List<FieldError> errors) {
        return new Refusal(RefusalCode.INVALID_INPUT, message, Map.of("errors",
                errors.stream().map(e -> Map.of("path", e.path(), "message", e.message())).toList()));
    }
}
