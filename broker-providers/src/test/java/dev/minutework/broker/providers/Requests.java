package dev.minutework.broker.providers;

import dev.minutework.broker.core.command.Commands;
import dev.minutework.broker.core.command.ExecuteCommand;
import dev.minutework.broker.core.provider.ProviderRequest;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds {@link ProviderRequest}s for adapter tests from the same input maps a caller sends: each map
 * is parsed into its command by {@link Commands#parse}, as the broker does, and a map the parser
 * refuses fails the test.
 */
public final class Requests {

    private Requests() {}

    /** The input of {@code action} as its command, parsed at {@code now}; fails on an invalid input. */
    public static ExecuteCommand command(Instant now, String action, Map<String, Object> input) {
        return switch (Commands.parse(action, input, now)) {
            case Commands.Valid v -> v.command();
            case Commands.Invalid i -> throw new AssertionError("invalid " + action + " input " + input + ": "
                    + i.errors());
        };
    }

    /** A request without referenced objects. */
    public static ProviderRequest request(Instant now, String action, String brokerReference,
            Map<String, Object> input, Map<String, String> providerIds) {
        return new ProviderRequest(command(now, action, input), brokerReference, providerIds);
    }

    /**
     * A request with the inputs the referenced objects were created with, keyed by input field
     * ({@code campaign_id}, {@code group_id}, {@code creative_id}); each is parsed as that object's create.
     */
    public static ProviderRequest request(Instant now, String action, String brokerReference,
            Map<String, Object> input, Map<String, String> providerIds, Map<String, Map<String, Object>> references) {
        Map<String, ExecuteCommand> commands = new LinkedHashMap<>();
        references.forEach((field, referenced) -> commands.put(field, command(now, createdBy(field), referenced)));
        return new ProviderRequest(command(now, action, input), brokerReference, providerIds, commands);
    }

    /** The action that creates the object an input field names. */
    public static String createdBy(String field) {
        return switch (field) {
            case "campaign_id" -> "ads.create_campaign";
            case "group_id" -> "ads.create_group";
            case "creative_id" -> "ads.create_creative";
            default -> throw new IllegalArgumentException("no object is named by " + field);
        };
    }
}
