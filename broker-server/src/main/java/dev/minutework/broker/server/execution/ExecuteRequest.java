package dev.minutework.broker.server.execution;

import dev.minutework.broker.core.connector.ActionSpec;
import dev.minutework.broker.core.command.ExecuteCommand;
import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.server.identity.Caller;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A validated execute request: its envelope, its typed command, and the canonical payload whose
 * digest binds idempotency and approval.
 *
 * @param input the input as sent (stored in the payload, shown back, never read for decisions)
 * @param context what every receipt of the request carries (connector, action, provider, ...)
 */
record ExecuteRequest(Caller.TenantKey key, String connector, ActionSpec action, String provider,
        String idempotencyKey, Map<String, Object> input, ExecuteCommand command, String payload, String digest,
        Map<String, Object> context) {

    /**
     * The canonical JSON (RFC 8785) of what an execution runs: its digest binds idempotency and
     * approval.
     *
     * @throws IllegalArgumentException when the input is not I-JSON
     */
    static String canonicalPayload(String connector, String action, String provider, Map<String, Object> input) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("connector", connector);
        payload.put("action", action);
        payload.put("provider", provider);
        payload.put("input", input);
        return CanonicalJson.canonicalize(payload);
    }

    static ExecuteRequest of(Caller.TenantKey key, String connector, ActionSpec action, String provider,
            String idempotencyKey, Map<String, Object> input, ExecuteCommand command, Map<String, Object> context) {
        String payload = canonicalPayload(connector, action.name(), provider, input);
        return new ExecuteRequest(key, connector, action, provider, idempotencyKey, input, command, payload,
                CanonicalJson.sha256Hex(payload), context);
    }
}
