package dev.minutework.broker.server.runtime;

import dev.minutework.broker.core.connector.ActionSpec;
import dev.minutework.broker.core.connector.ConnectorManifest;
import dev.minutework.broker.core.provider.ProviderCheck;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.api.Ids;
import dev.minutework.broker.server.connectors.ConnectorCatalog;
import dev.minutework.broker.server.execution.ExecutionPipeline;
import dev.minutework.broker.server.gaps.CapabilityGaps;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.preflight.Preflight;
import dev.minutework.broker.server.receipts.Receipts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code workflow.run_action} and the runtime's other calls, for the HTTP surface and the MCP
 * server alike. Actions run only through the governed execute ({@code integration_broker.execute});
 * the runtime never holds a credential and never calls a provider itself.
 */
@Service
public class RuntimeActions {

    private final ExecutionPipeline pipeline;
    private final ConnectorCatalog catalog;
    private final Preflight preflight;
    private final CapabilityGaps gaps;
    private final Receipts receipts;
    private final TransactionTemplate tx;

    RuntimeActions(ExecutionPipeline pipeline, ConnectorCatalog catalog, Preflight preflight, CapabilityGaps gaps,
            Receipts receipts, TransactionTemplate tx) {
        this.pipeline = pipeline;
        this.catalog = catalog;
        this.preflight = preflight;
        this.gaps = gaps;
        this.receipts = receipts;
        this.tx = tx;
    }

    /** The answer of the governed execute: status, execution view, whether it was a replay. */
    public record Ran(int status, Map<String, Object> body, boolean replayed) {}

    /**
     * {@code workflow.run_action}: {@code {capability, action, provider?, input, idempotency_key?}}
     * forwarded as is to the governed execute, answering its statuses and errors. Without an
     * idempotency key one is generated; the execution shows it.
     */
    public Ran runAction(Caller.TenantKey key, Map<String, Object> body) {
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
        ExecutionPipeline.Answer a = pipeline.execute(key, forward);
        return new Ran(a.status(), a.body(), a.replayed());
    }

    /** One execution of the caller's tenant. */
    public Map<String, Object> execution(Caller.TenantKey key, String executionId) {
        return pipeline.view(key.tenantId(), executionId);
    }

    /** Readiness of one provider for the caller's tenant, as preflight reports it. */
    public Preflight.Report preflight(Caller.TenantKey key, String provider) {
        ConnectorManifest ads = catalog.connector("mw.connector.ads").orElseThrow();
        String p = provider == null ? ads.defaultProvider() : provider;
        if (!ads.providers().contains(p)) {
            throw new ApiException(ErrorCode.CAPABILITY_GAP, "unknown provider " + p);
        }
        return preflight.check(key.tenantId(), p);
    }

    /**
     * Every capability with its actions (an agent sees only the actions it may run), reserved
     * actions, schemas, and per provider key the readiness preflight reports: {@code live} only
     * when every check passes, otherwise {@code not_ready} with the failing checks.
     */
    public List<Map<String, Object>> inventory(Caller.TenantKey key) {
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
                } else if (key.agent() == null || key.agent().allows(c.id(), a.name(), a.mutating())) {
                    actions.add(action(a));
                }
            }
            if (key.agent() != null && actions.isEmpty()) {
                continue;
            }
            List<Map<String, Object>> providers = new ArrayList<>();
            for (String p : c.providers()) {
                Preflight.Report report = preflight.check(key.tenantId(), p);
                Map<String, Object> pm = new LinkedHashMap<>();
                pm.put("provider", p);
                pm.put("default", p.equals(c.defaultProvider()));
                pm.put("readiness", report.ready() ? "live" : "not_ready");
                pm.put("failing_checks", report.failing().stream().map(RuntimeActions::check).toList());
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

    /** Records a need a builder or agent reported, with a receipt naming who reported it. */
    public CapabilityGaps.Gap reportGap(Caller.TenantKey key, String capability, String action, String provider,
            String reason) {
        return tx.execute(s -> {
            receipts.lockChain(key.tenantId());
            String id = gaps.record(key.tenantId(), capability, action, provider, reason, "reported", key.actor());
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("gap_id", id);
            d.put("capability", capability);
            d.put("action", action);
            d.put("provider", provider);
            receipts.record(key.tenantId(), "capability_gap.reported", null, key.actor(), d);
            return gaps.find(key.tenantId(), id).orElseThrow();
        });
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

    private static Map<String, Object> check(ProviderCheck c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.name());
        m.put("detail", c.detail());
        return m;
    }
}
