package dev.minutework.broker.server.runtime;

import dev.minutework.broker.core.connector.ActionSpec;
import dev.minutework.broker.core.connector.ConnectorManifest;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.Body;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.api.Ids;
import dev.minutework.broker.server.api.RequestJson;
import dev.minutework.broker.server.connectors.ConnectorCatalog;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;

/**
 * {@code workflow.run_action} and the runtime's other calls, for the HTTP surface and the MCP
 * server alike. The runtime owns the app pack (the connector manifests) and reaches the platform
 * only through {@link Platform}: it never holds a credential and never calls a provider itself.
 */
@Service
public class RuntimeActions {

    private final Platform platform;
    private final ConnectorCatalog catalog;

    RuntimeActions(Platform platform, ConnectorCatalog catalog) {
        this.platform = platform;
        this.catalog = catalog;
    }

    public Platform platform() {
        return platform;
    }

    /**
     * {@code workflow.run_action}: {@code {capability, action, provider?, input, idempotency_key?}}
     * forwarded to the governed execute, answering its statuses and errors. Without an idempotency
     * key one is generated; the execution shows it.
     */
    public Platform.Answer runAction(Platform.Asker asker, Map<String, Object> body) {
        Map<String, Object> raw = body == null ? Map.of() : body;
        if (!(raw.get("capability") instanceof String capability) || capability.isBlank()) {
            throw new ApiException(ErrorCode.INVALID_INPUT, "capability is required",
                    Map.of("errors", List.of(Map.of("path", "$.capability", "message", "is required: a capability id"))));
        }
        if (raw.containsKey("connector")) {
            throw new ApiException(ErrorCode.INVALID_INPUT, "a run-action request names a capability, not a connector",
                    Map.of("errors", List.of(Map.of("path", "$.connector", "message",
                            "is not a field of a run-action request; use capability"))));
        }
        Map<String, Object> forward = new LinkedHashMap<>();
        forward.put("connector", capability);
        raw.forEach((k, v) -> {
            if (!"capability".equals(k)) {
                forward.put(k, v); // anything else unknown is refused, and receipted, by the execute
            }
        });
        if (!raw.containsKey("idempotency_key")) {
            forward.put("idempotency_key", "rt-" + Ids.random(32));
        }
        return platform.execute(asker, forward);
    }

    /** One execution of the caller's tenant. */
    public Map<String, Object> execution(Platform.Asker asker, String executionId) {
        return platform.execution(asker, executionId);
    }

    /** Readiness of one provider for the caller's tenant, as preflight reports it. */
    public Map<String, Object> preflight(Platform.Asker asker, String provider) {
        return platform.preflight(asker, provider);
    }

    /**
     * Every capability with its actions (an agent sees only the actions it may run), reserved
     * actions, schemas, and per provider key the readiness the platform's preflight reports:
     * {@code live} only when every check passes, otherwise {@code not_ready} with the failing checks,
     * and what the provider can take ({@code capabilities}, as its adapter declares it).
     */
    public List<Map<String, Object>> inventory(Platform.Asker asker) {
        var agent = asker.key().agent();
        List<Map<String, Object>> out = new ArrayList<>();
        for (ConnectorManifest c : catalog.all()) {
            List<Map<String, Object>> actions = new ArrayList<>();
            List<Map<String, Object>> reserved = new ArrayList<>();
            for (ActionSpec a : c.actions()) {
                if (a.reserved()) {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("action", a.name());
                    r.put("title", a.title());
                    r.put("description", a.description());
                    reserved.add(r);
                } else if (agent == null || agent.allows(c.id(), a.name(), a.mutating())) {
                    actions.add(action(a));
                }
            }
            if (agent != null && actions.isEmpty()) {
                continue;
            }
            List<Map<String, Object>> providers = new ArrayList<>();
            for (String p : c.providers()) {
                Map<String, Object> report = platform.preflight(asker, p);
                Map<String, Object> pm = new LinkedHashMap<>();
                pm.put("provider", p);
                pm.put("default", p.equals(c.defaultProvider()));
                pm.put("readiness", Boolean.TRUE.equals(report.get("ready")) ? "live" : "not_ready");
                pm.put("failing_checks", failing(report));
                // budget periods, currencies, objectives, targeting, creative limits: the rest is refused before approval
                pm.put("capabilities", report.get("capabilities"));
                providers.add(pm);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("capability", c.id());
            m.put("version", c.version());
            m.put("title", c.title());
            m.put("default_provider", c.defaultProvider());
            m.put("actions", actions);
            m.put("reserved_actions", reserved);
            m.put("providers", providers);
            out.add(m);
        }
        return out;
    }

    /**
     * What each provider of a connector can take, as its adapter declares it, by provider key; a
     * provider whose declaration cannot be read is left out.
     */
    public Map<String, Map<String, Object>> capabilities(Platform.Asker asker, ConnectorManifest connector) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (String p : connector.providers()) {
            Map<String, Object> c = platform.capabilities(asker, p);
            if (c != null) {
                out.put(p, c);
            }
        }
        return out;
    }

    /** Records a need a builder or agent reported; the platform receipts it naming who reported it. */
    public Map<String, Object> reportGap(Platform.Asker asker, String capability, String action, String provider,
            String reason) {
        // the HTTP surface checked these already; an MCP tool call did not
        Map<String, Object> given = new LinkedHashMap<>();
        given.put("capability", capability);
        given.put("action", action);
        given.put("provider", provider);
        given.put("reason", reason);
        Body body = new Body(given);
        body.string("capability", true, 200);
        body.string("action", false, 200);
        body.string("provider", false, 100);
        body.string("reason", true, 2000);
        RequestJson.textProblems(given, "$").forEach(e -> body.error(e.get("path"), e.get("message")));
        body.validate();
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("capability", capability);
        if (action != null) {
            report.put("action", action);
        }
        if (provider != null) {
            report.put("provider", provider);
        }
        report.put("reason", reason);
        return platform.reportGap(asker, report);
    }

    public List<Map<String, Object>> gaps(Platform.Asker asker) {
        return platform.gaps(asker);
    }

    private static List<Map<String, Object>> failing(Map<String, Object> report) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (report.get("checks") instanceof List<?> checks) {
            for (Object o : checks) {
                if (o instanceof Map<?, ?> c && !Boolean.TRUE.equals(c.get("ok"))) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("name", c.get("name"));
                    m.put("detail", c.get("detail"));
                    out.add(m);
                }
            }
        }
        return out;
    }

    private static Map<String, Object> action(ActionSpec a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("action", a.name());
        m.put("title", a.title());
        m.put("description", a.description());
        m.put("mutating", a.mutating());
        m.put("raises_spend", a.raisesSpend());
        m.put("input_schema", a.inputSchema());
        m.put("output_schema", a.outputSchema());
        return m;
    }
}
