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
    public static Refusal invalid(String message, List<FieldError> errors) {
        return new Refusal(RefusalCode.INVALID_INPUT, message, Map.of("errors",
                errors.stream().map(e -> Map.of("path", e.path(), "message", e.message())).toList()));
    }
}
