package dev.minutework.broker.server.execution;

import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.api.Times;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Executions as the API shows them. */
public final class ExecutionViews {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ExecutionViews() {}

    public static Map<String, Object> view(Executions.Execution e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("execution_id", e.id());
        m.put("status", e.status());
        m.put("connector", e.connector());
        m.put("action", e.action());
        m.put("provider", e.provider());
        m.put("idempotency_key", e.idempotencyKey());
        m.put("payload_digest", e.payloadDigest());
        m.put("approval_id", e.approvalId());
        m.put("grant_id", e.grantId());
        m.put("spend_impact", e.currency() == null ? null
                : Map.of("amount_minor", e.spendImpactMinor(), "currency", e.currency()));
        m.put("result", e.result());
        m.put("error", e.error());
        m.put("created_at", Times.rfc3339(e.createdAt()));
        m.put("updated_at", Times.rfc3339(e.updatedAt()));
        return m;
    }

    /** The stored canonical payload: what an approval binds and what the broker runs. */
    static Map<String, Object> payload(Executions.Execution e) {
        return JSON.readValue(e.payload(), new TypeReference<Map<String, Object>>() {});
    }

    /** An execution's error as stored and shown: its code, the broker's message and, for a denial, the reason. */
    public static Map<String, Object> error(ErrorCode code, String message, String reason) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("code", code.wire());
        m.put("message", message);
        if (reason != null) {
            m.put("reason", reason);
        }
        return m;
    }
}
