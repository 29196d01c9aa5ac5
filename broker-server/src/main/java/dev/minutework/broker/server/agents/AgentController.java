package dev.minutework.broker.server.agents;

import dev.minutework.broker.core.connector.ActionSpec;
import dev.minutework.broker.core.connector.ConnectorManifest;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.Body;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.api.Times;
import dev.minutework.broker.server.connectors.ConnectorCatalog;
import dev.minutework.broker.server.identity.ApiKeys;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.identity.Role;
import dev.minutework.broker.server.receipts.Receipts;
import dev.minutework.broker.server.tenants.Tenants;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /v1/tenants/{t}/agents} and {@code GET /v1/tenants/{t}/agents} (operator): runtime
 * agents, each answered once with its own key. Capabilities are validated against the connector
 * manifests: {@code <capability>} for all its actions, {@code <capability>:<action>} for one.
 */
@RestController
class AgentController {

    private static final Set<String> MODES = Set.of("read_only", "mutating");

    private final RuntimeAgents agents;
    private final ApiKeys keys;
    private final Tenants tenants;
    private final ConnectorCatalog catalog;
    private final Receipts receipts;
    private final TransactionTemplate tx;

    AgentController(RuntimeAgents agents, ApiKeys keys, Tenants tenants, ConnectorCatalog catalog, Receipts receipts,
            TransactionTemplate tx) {
        this.agents = agents;
        this.keys = keys;
        this.tenants = tenants;
        this.catalog = catalog;
        this.receipts = receipts;
        this.tx = tx;
    }

    @PostMapping("/v1/tenants/{tenantId}/agents")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> create(Caller caller, @PathVariable String tenantId, @RequestBody Map<String, Object> json) {
        caller.requireOperator();
        tenants.require(tenantId);
        Body body = new Body(json);
        body.only(Set.of("name", "capabilities", "mode"));
        String name = body.string("name", true, 200);
        List<String> capabilities = body.strings("capabilities", true);
        String mode = body.oneOf("mode", true, MODES);
        if (capabilities != null) {
            for (int i = 0; i < capabilities.size(); i++) {
                String problem = problem(capabilities.get(i));
                if (problem != null) {
                    body.error("$.capabilities[" + i + "]", problem);
                }
            }
        }
        body.validate();
        List<String> distinct = List.copyOf(new LinkedHashSet<>(capabilities));
        Created created = tx.execute(s -> {
            receipts.lockChain(tenantId);
            if (agents.nameTaken(tenantId, name)) {
                return null;
            }
            ApiKeys.Issued k = keys.issue(tenantId, Role.AGENT, "agent " + name);
            RuntimeAgents.Agent a = agents.insert(tenantId, name, distinct, mode, k.keyId(), caller.actor());
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("agent_id", a.id());
            d.put("name", name);
            d.put("capabilities", distinct);
            d.put("mode", mode);
            d.put("key_id", k.keyId());
            receipts.record(tenantId, "agent.created", null, caller.actor(), d);
            return new Created(a, k);
        });
        if (created == null) {
            throw new ApiException(ErrorCode.CONFLICT, "the tenant already has an agent named " + name);
        }
        Map<String, Object> m = view(created.agent());
        m.put("api_key", created.key().apiKey());
        m.put("note", "the key is shown once; store it now");
        return m;
    }

    @GetMapping("/v1/tenants/{tenantId}/agents")
    Map<String, Object> list(Caller caller, @PathVariable String tenantId) {
        caller.requireOperator();
        tenants.require(tenantId);
        return Map.of("agents", agents.list(tenantId).stream().map(AgentController::view).toList());
    }

    private record Created(RuntimeAgents.Agent agent, ApiKeys.Issued key) {}

    /** Why a capability entry is not one the manifests offer; null when it is. */
    private String problem(String entry) {
        int colon = entry.indexOf(':');
        String capability = colon < 0 ? entry : entry.substring(0, colon);
        ConnectorManifest connector = catalog.connector(capability).orElse(null);
        if (connector == null) {
            return "unknown capability " + capability + "; known: "
                    + catalog.all().stream().map(ConnectorManifest::id).toList();
        }
        if (colon >= 0) {
            String action = entry.substring(colon + 1);
            if (connector.action(action).filter(a -> !a.reserved()).isEmpty()) {
                return "unknown or reserved action " + action + " of " + capability + "; available: "
                        + connector.actions().stream().filter(a -> !a.reserved()).map(ActionSpec::name).toList();
            }
        }
        return null;
    }

    private static Map<String, Object> view(RuntimeAgents.Agent a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("agent_id", a.id());
        m.put("tenant_id", a.tenantId());
        m.put("name", a.name());
        m.put("capabilities", a.capabilities());
        m.put("mode", a.mode());
        m.put("key_id", a.keyId());
        m.put("created_at", Times.rfc3339(a.createdAt()));
        return m;
    }
}
