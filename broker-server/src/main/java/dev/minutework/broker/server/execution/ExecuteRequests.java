package dev.minutework.broker.server.execution;

import static dev.minutework.broker.server.execution.Refusals.with;

import dev.minutework.broker.core.connector.ActionSpec;
import dev.minutework.broker.core.connector.ConnectorManifest;
import dev.minutework.broker.core.command.Commands;
import dev.minutework.broker.core.command.FieldError;
import dev.minutework.broker.core.scope.ScopeGuard;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.api.RequestJson;
import dev.minutework.broker.server.connectors.ConnectorCatalog;
import dev.minutework.broker.server.gaps.CapabilityGaps;
import dev.minutework.broker.server.identity.Caller;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * The envelope of {@code integration_broker.execute}, checked in design §4's order before any
 * tenant state is read: storable strings, connector and action (an unknown one is a capability
 * gap), provider, the agent's permissions, reserved actions, provider scope in the input, the
 * action's JSON Schema and then its semantic rules ({@link Commands#parse}), which yield the typed
 * command. Every refusal is receipted.
 */
@Component
class ExecuteRequests {

    private static final Set<String> ENVELOPE = Set.of("connector", "action", "provider", "idempotency_key", "input");

    /** The longest connector, action or provider name a request may carry. */
    static final int MAX_NAME = 128;

    private final ConnectorCatalog catalog;
    private final CapabilityGaps gaps;
    private final Refusals refusals;
    private final Clock clock;

    ExecuteRequests(ConnectorCatalog catalog, CapabilityGaps gaps, Refusals refusals, Clock clock) {
        this.catalog = catalog;
        this.gaps = gaps;
        this.refusals = refusals;
        this.clock = clock;
    }

    /** @throws ApiException the request's refusal, receipted */
    ExecuteRequest read(Caller.TenantKey key, Map<String, Object> body) {
        Map<String, Object> raw = body == null ? Map.of() : body;
        // HTTP bodies were read by RequestJson already; a caller in the process (an MCP tool) was not
        List<Map<String, String>> text = RequestJson.textProblems(raw, "$");
        if (!text.isEmpty()) {
            throw refuse(key, new ApiException(ErrorCode.INVALID_INPUT, "the request has " + text.size()
                    + " string(s) that cannot be stored", Map.of("errors", text)),
                    Map.of("paths", text.stream().map(e -> e.get("path")).toList()));
        }
        String connectorId = raw.get("connector") instanceof String s ? s : null;
        String actionName = raw.get("action") instanceof String s ? s : null;
        if (connectorId == null || actionName == null) {
            throw refuse(key, new ApiException(ErrorCode.INVALID_INPUT, "connector and action are required strings",
                    Map.of("errors", List.of(Map.of("path", connectorId == null ? "$.connector" : "$.action",
                            "message", "is required")))), Map.of());
        }
        Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("connector", name(connectorId));
        ctx.put("action", name(actionName));
        List<Map<String, String>> names = new ArrayList<>();
        for (String field : List.of("connector", "action", "provider")) {
            Object v = raw.get(field);
            if (v != null && !(v instanceof String)) {
                names.add(Map.of("path", "$." + field, "message", "must be a string"));
            } else if (v instanceof String s && s.length() > MAX_NAME) {
                names.add(Map.of("path", "$." + field, "message", "must be at most " + MAX_NAME + " characters"));
            }
        }
        if (!names.isEmpty()) {
            throw refuse(key, new ApiException(ErrorCode.INVALID_INPUT, "the request has " + names.size()
                    + " invalid field(s)", Map.of("errors", names)),
                    with(ctx, "paths", names.stream().map(e -> e.get("path")).toList()));
        }
        ConnectorManifest connector = catalog.connector(connectorId).orElse(null);
        if (connector == null) {
            throw gap(key, connectorId, actionName, null, "unknown connector " + name(connectorId), ctx);
        }
        ActionSpec action = connector.action(actionName).orElse(null);
        if (action == null) {
            throw gap(key, connectorId, actionName, null, "unknown action " + name(actionName) + " of " + connectorId,
                    ctx);
        }
        Object providerRaw = raw.getOrDefault("provider", connector.defaultProvider());
        String provider = providerRaw instanceof String s ? s : null;
        ctx.put("provider", name(provider));
        if (provider == null || !connector.providers().contains(provider)) {
            throw gap(key, connectorId, actionName, provider, "unknown provider " + name(provider), ctx);
        }
        if (key.agent() != null && !key.agent().allows(connectorId, actionName, action.mutating())) {
            boolean covered = key.agent().covers(connectorId, actionName);
            throw refuse(key, new ApiException(ErrorCode.FORBIDDEN_ROLE, covered
                    ? "agent " + key.agent().name() + " is read-only and " + actionName + " is a mutating action"
                    : "agent " + key.agent().name() + " may not run " + connectorId + ":" + actionName,
                    Map.of("agent_id", key.agent().agentId())), with(ctx, "agent_id", key.agent().agentId()));
        }
        if (action.reserved()) {
            gaps.record(key.tenantId(), connectorId, actionName, provider, "reserved action called", "automatic",
                    key.keyId());
            throw refuse(key, new ApiException(ErrorCode.ACTION_RESERVED,
                    actionName + " is reserved and not available yet; the need was recorded as a capability gap"), ctx);
        }
        List<String> forbidden = ScopeGuard.forbiddenPaths(raw);
        if (!forbidden.isEmpty()) {
            throw refuse(key, new ApiException(ErrorCode.FORBIDDEN_SCOPE_FIELD,
                    "provider scope comes from the tenant's broker connection, never from input",
                    Map.of("paths", forbidden)), with(ctx, "paths", forbidden));
        }
        List<Map<String, String>> errors = new ArrayList<>();
        for (String k : raw.keySet()) {
            if (!ENVELOPE.contains(k)) {
                errors.add(Map.of("path", "$." + k, "message", "is not a field of an execute request"));
            }
        }
        String idempotencyKey = raw.get("idempotency_key") instanceof String s && !s.isBlank() && s.length() <= 255
                ? s : null;
        if (idempotencyKey == null) {
            errors.add(Map.of("path", "$.idempotency_key", "message", "is required: a string of 1 to 255 characters"));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> input = raw.get("input") instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
        Commands.Parsed parsed = null;
        if (input == null) {
            errors.add(Map.of("path", "$.input", "message", "is required and must be an object"));
        } else {
            errors.addAll(catalog.validate(connectorId, actionName, input));
            if (errors.isEmpty()) {
                parsed = Commands.parse(actionName, input, clock.instant());
                if (parsed instanceof Commands.Invalid invalid) {
                    invalid.errors().forEach(e -> errors.add(view(e)));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw refuse(key, new ApiException(ErrorCode.INVALID_INPUT,
                    "the request has " + errors.size() + " invalid field(s)", Map.of("errors", errors)),
                    with(ctx, "paths", errors.stream().map(e -> e.get("path")).toList()));
        }
        ExecuteRequest req;
        try {
            req = ExecuteRequest.of(key, connectorId, action, provider, idempotencyKey, input,
                    ((Commands.Valid) parsed).command(), ctx);
        } catch (IllegalArgumentException e) {
            throw refuse(key, new ApiException(ErrorCode.INVALID_INPUT, "input is not I-JSON: " + e.getMessage()), ctx);
        }
        ctx.put("idempotency_key", idempotencyKey);
        ctx.put("payload_digest", req.digest());
        return req;
    }

    static Map<String, String> view(FieldError e) {
        return Map.of("path", e.path(), "message", e.message());
    }

    /** A caller-supplied connector, action or provider name as echoed and stored: cut at 64 characters. */
    static String name(String s) {
        return RequestJson.clip(s, 64);
    }

    private ApiException refuse(Caller.TenantKey key, ApiException e, Map<String, Object> ctx) {
        return refusals.refuse(key, null, e, ctx);
    }

    private ApiException gap(Caller.TenantKey key, String connector, String action, String provider, String reason,
            Map<String, Object> ctx) {
        // what the caller named is recorded and echoed cut short: never a megabyte of it
        gaps.record(key.tenantId(), name(connector), name(action), name(provider), RequestJson.clip(reason, 300),
                "automatic", key.keyId());
        return refuse(key, new ApiException(ErrorCode.CAPABILITY_GAP,
                reason + "; the need was recorded as a capability gap"), ctx);
    }
}
