package dev.minutework.broker.server.execution;

import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.RefusedBodies;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.identity.CallerResolver;
import dev.minutework.broker.server.identity.Role;
import dev.minutework.broker.server.receipts.Receipts;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Receipts an execute request refused for its body alone (a duplicate member, NUL, a lone surrogate,
 * malformed JSON): an {@code execution.refused} receipt with the code and the offending paths, as
 * every other refusal of the pipeline has. A body that smuggles provider scope in a duplicate member
 * is refused and audited, never quietly dropped (design §3, invariant 4).
 */
@Component
class RefusedExecuteBodies implements RefusedBodies {

    private static final Set<String> ENDPOINTS = Set.of("/v1/integration-broker/execute", "/v1/runtime/workflow/run-action");

    private final Receipts receipts;
    private final TransactionTemplate tx;

    RefusedExecuteBodies(Receipts receipts, TransactionTemplate tx) {
        this.receipts = receipts;
        this.tx = tx;
    }

    @Override
    public void refused(HttpServletRequest request, ApiException refusal) {
        if (!"POST".equals(request.getMethod()) || !ENDPOINTS.contains(request.getRequestURI())
                || !(request.getAttribute(CallerResolver.ATTRIBUTE) instanceof Caller.TenantKey key)
                || (key.role() != Role.RUNTIME && key.role() != Role.AGENT)) {
            return;
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("code", refusal.code().wire());
        d.put("refused", "body");
        List<String> paths = refusal.details() instanceof Map<?, ?> m && m.get("errors") instanceof List<?> errors
                ? errors.stream().map(e -> e instanceof Map<?, ?> em ? String.valueOf(em.get("path")) : "$").toList()
                : List.of("$");
        d.put("paths", paths);
        if (key.agent() != null) {
            d.put("agent_id", key.agent().agentId());
        }
        tx.executeWithoutResult(s -> {
            receipts.lockChain(key.tenantId());
            receipts.record(key.tenantId(), "execution.refused", null, key.actor(), d);
        });
    }
}
