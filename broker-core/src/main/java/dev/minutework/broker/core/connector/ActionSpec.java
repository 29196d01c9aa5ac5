package dev.minutework.broker.core.connector;

import java.util.Map;

/**
 * One action of a connector, as its manifest declares it.
 *
 * @param name e.g. {@code ads.create_campaign}
 * @param mutating whether it changes provider state (approval-gated)
 * @param raisesSpend whether it can raise spend exposure (budget-gated)
 * @param reserved listed but not callable yet
 * @param inputSchema JSON Schema (2020-12) of the action's input, as plain JSON values
 * @param outputSchema JSON Schema of the action's result
 */
public record ActionSpec(String name, String title, String description, boolean mutating, boolean raisesSpend,
        boolean reserved, Map<String, Object> inputSchema, Map<String, Object> outputSchema) {}
