package dev.minutework.broker.server.mcp;

import dev.minutework.broker.core.connector.ActionSpec;
import dev.minutework.broker.core.connector.ConnectorManifest;
import dev.minutework.broker.server.api.ApiErrorHandler;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.connectors.ConnectorCatalog;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.runtime.Platform;
import dev.minutework.broker.server.runtime.RuntimeActions;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.modelcontextprotocol.spec.McpSchema.ToolAnnotations;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import tools.jackson.databind.json.JsonMapper;

/**
 * The tools one agent sees: one per action it may run, generated from the manifest (input schema =
 * the action's schema; read actions marked read-only, mutating ones destructive), plus
 * {@code execution_status}, {@code preflight}, {@code list_capabilities} and
 * {@code report_capability_gap}. Every call goes through {@link RuntimeActions}, so the governed
 * execute decides and receipts it. A broker refusal is a tool result with {@code isError} and the
 * API's error envelope; a mutating action waiting for a human is a normal result with status
 * {@code awaiting_approval}, never an error.
 */
class AgentTools {

    /** Request {@code _meta} keys an MCP client may send with an action tool call. */
    static final String META_IDEMPOTENCY_KEY = "idempotency_key";
    static final String META_PROVIDER = "provider";

    private final ConnectorCatalog catalog;
    private final RuntimeActions runtime;
    private final JsonMapper json;

    AgentTools(ConnectorCatalog catalog, RuntimeActions runtime, JsonMapper json) {
        this.catalog = catalog;
        this.runtime = runtime;
        this.json = json;
    }

    List<SyncToolSpecification> forAgent(Platform.Asker key) {
        Caller.Agent agent = key.key().agent();
        List<SyncToolSpecification> tools = new ArrayList<>();
        for (ConnectorManifest c : catalog.all()) {
            Map<String, Map<String, Object>> capabilities = capabilities(key, c);
            for (ActionSpec a : c.actions()) {
                if (!a.reserved() && agent.allows(c.id(), a.name(), a.mutating())) {
                    tools.add(actionTool(key, c, a, ProviderNotes.forAction(a.name(), capabilities)));
                }
            }
        }
        tools.add(tool(Tool.builder().name("execution_status").title("Execution status")
                .description("The status of one of your executions: awaiting_approval, executing, succeeded, failed, "
                        + "denied, outcome_unknown or expired, with its result or error.")
                .inputSchema(object(Map.of("execution_id", Map.of("type", "string",
                        "description", "The execution id an action tool returned (exe_…).")), List.of("execution_id")))
                .annotations(readOnly("Execution status")).build(),
                args -> runtime.execution(key, string(args, "execution_id"))));
        tools.add(tool(Tool.builder().name("preflight").title("Provider readiness")
                .description("Every readiness check of a provider for your tenant; ready only when all pass.")
                .inputSchema(object(Map.of("provider", Map.of("type", "string",
                        "description", "A provider key; the default provider when absent.")), List.of()))
                .annotations(readOnly("Provider readiness")).build(),
                args -> runtime.preflight(key, optional(args, "provider"))));
        tools.add(tool(Tool.builder().name("list_capabilities").title("Capability inventory")
                .description("The capabilities and actions you may run, reserved actions, and each provider's "
                        + "readiness (live, or not_ready with the failing checks).")
                .inputSchema(object(Map.of(), List.of())).annotations(readOnly("Capability inventory")).build(),
                args -> Map.of("capabilities", runtime.inventory(key))));
        tools.add(tool(Tool.builder().name("report_capability_gap").title("Report a capability gap")
                .description("Record a need no capability, action or provider offers yet, instead of working "
                        + "around it. The operator sees it counted.")
                .inputSchema(object(Map.of("capability", Map.of("type", "string", "minLength", 1),
                        "action", Map.of("type", "string", "minLength", 1),
                        "provider", Map.of("type", "string", "minLength", 1),
                        "reason", Map.of("type", "string", "minLength", 1, "maxLength", 2000)),
                        List.of("capability", "reason")))
                .annotations(ToolAnnotations.builder().title("Report a capability gap").readOnlyHint(false)
                        .destructiveHint(false).openWorldHint(false).build()).build(),
                args -> runtime.reportGap(key, string(args, "capability"), optional(args, "action"),
                        optional(args, "provider"), string(args, "reason"))));
        return tools;
    }

    /** What each provider of the connector can take; without it (the platform unreachable) the tools say nothing of it. */
    private Map<String, Map<String, Object>> capabilities(Platform.Asker key, ConnectorManifest c) {
        try {
            return runtime.capabilities(key, c);
        } catch (RuntimeException e) {
            return Map.of();
        }
    }

    private SyncToolSpecification actionTool(Platform.Asker key, ConnectorManifest c, ActionSpec a,
            String providerNotes) {
        String description = a.description() + providerNotes
                + (a.mutating() ? " Mutating: answers at once with status awaiting_approval (execution_id, approval_id, "
                        + "spend_impact) until a human approves; follow it with execution_status." : " Read-only.")
                + " Optional request _meta: idempotency_key (retries with the same key never run twice), provider.";
        Tool tool = Tool.builder().name(a.name()).title(a.title()).description(description)
                .inputSchema(a.inputSchema())
                .annotations(ToolAnnotations.builder().title(a.title()).readOnlyHint(!a.mutating())
                        .destructiveHint(a.mutating()).idempotentHint(false).openWorldHint(true).build())
                .build();
        return SyncToolSpecification.builder().tool(tool).callHandler((exchange, request) -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("capability", c.id());
            body.put("action", a.name());
            Map<String, Object> meta = request.meta() == null ? Map.of() : request.meta();
            if (meta.get(META_PROVIDER) instanceof String p) {
                body.put("provider", p);
            }
            if (meta.get(META_IDEMPOTENCY_KEY) instanceof String k) {
                body.put("idempotency_key", k);
            }
            body.put("input", request.arguments() == null ? Map.of() : request.arguments());
            return answer(() -> runtime.runAction(key, body).body());
        }).build();
    }

    private SyncToolSpecification tool(Tool tool, Function<Map<String, Object>, Map<String, Object>> handler) {
        return SyncToolSpecification.builder().tool(tool).callHandler((exchange, request) -> answer(
                () -> handler.apply(request.arguments() == null ? Map.of() : request.arguments()))).build();
    }

    /** A structured result, or the broker's error envelope as an error result. */
    private CallToolResult answer(Supplier<Map<String, Object>> call) {
        Map<String, Object> structured;
        boolean error = false;
        try {
            structured = call.get();
        } catch (ApiException e) {
            structured = ApiErrorHandler.envelope(e.code(), e.getMessage(), e.details());
            error = true;
        }
        return CallToolResult.builder().structuredContent(structured).addTextContent(json.writeValueAsString(structured))
                .isError(error).build();
    }

    private static Map<String, Object> object(Map<String, Object> properties, List<String> required) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "object");
        m.put("properties", properties);
        m.put("required", required);
        m.put("additionalProperties", false);
        return m;
    }

    private static ToolAnnotations readOnly(String title) {
        return ToolAnnotations.builder().title(title).readOnlyHint(true).destructiveHint(false).openWorldHint(false)
                .build();
    }

    private static String string(Map<String, Object> args, String name) {
        String s = optional(args, name);
        if (s == null) {
            throw new ApiException(ErrorCode.INVALID_INPUT, name + " is required",
                    Map.of("errors", List.of(Map.of("path", "$." + name, "message", "is required"))));
        }
        return s;
    }

    private static String optional(Map<String, Object> args, String name) {
        return args.get(name) instanceof String s && !s.isBlank() ? s : null;
    }
}
