package dev.minutework.broker.server.connections;

import dev.minutework.broker.server.api.Times;
import dev.minutework.broker.server.accounts.ProviderAccounts;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.Body;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.receipts.Receipts;
import dev.minutework.broker.server.tenants.Tenants;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Operator endpoints: create, list, suspend, resume and revoke a tenant's connections. */
@RestController
class ConnectionController {

    private final Connections connections;
    private final ProviderAccounts accounts;
    private final Tenants tenants;
    private final Receipts receipts;
    private final TransactionTemplate tx;

    ConnectionController(Connections connections, ProviderAccounts accounts, Tenants tenants, Receipts receipts,
            TransactionTemplate tx) {
        this.connections = connections;
        this.accounts = accounts;
        this.tenants = tenants;
        this.receipts = receipts;
        this.tx = tx;
    }

    @PostMapping("/v1/tenants/{tenantId}/connections")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> create(Caller caller, @PathVariable String tenantId, @RequestBody Map<String, Object> json) {
        caller.requireOperator();
        tenants.require(tenantId);
        Body body = new Body(json);
        body.only(Set.of("provider_account_id"));
        String accountId = body.string("provider_account_id", true, 64);
        body.validate();
        ProviderAccounts.View account = accounts.find(accountId).orElseThrow(() -> ApiException.notFound("provider account"));
        try {
            return view(tx.execute(s -> {
                Connections.Connection c = connections.create(tenantId, accountId, account.provider());
                receipts.record(tenantId, "connection.created", null, caller.actor(),
                        Map.of("connection_id", c.id(), "provider", c.provider(), "provider_account_id", accountId));
                return c;
            }));
        } catch (DuplicateKeyException e) {
            throw new ApiException(ErrorCode.CONFLICT,
                    "the tenant already has a live " + account.provider() + " connection; revoke it first");
        }
    }

    @GetMapping("/v1/tenants/{tenantId}/connections")
    Map<String, Object> list(Caller caller, @PathVariable String tenantId) {
        caller.requireOperator();
        tenants.require(tenantId);
        return Map.of("connections", connections.all(tenantId).stream().map(ConnectionController::view).toList());
    }

    @PostMapping("/v1/tenants/{tenantId}/connections/{id}/suspend")
    Map<String, Object> suspend(Caller caller, @PathVariable String tenantId, @PathVariable String id) {
        return move(caller, tenantId, id, List.of("active"), "suspended");
    }

    @PostMapping("/v1/tenants/{tenantId}/connections/{id}/resume")
    Map<String, Object> resume(Caller caller, @PathVariable String tenantId, @PathVariable String id) {
        return move(caller, tenantId, id, List.of("suspended"), "active");
    }

    @PostMapping("/v1/tenants/{tenantId}/connections/{id}/revoke")
    Map<String, Object> revoke(Caller caller, @PathVariable String tenantId, @PathVariable String id) {
        return move(caller, tenantId, id, List.of("active", "suspended"), "revoked");
    }

    private Map<String, Object> move(Caller caller, String tenantId, String id, List<String> from, String to) {
        caller.requireOperator();
        Connections.Connection current = connections.find(tenantId, id).orElseThrow(() -> ApiException.notFound("connection"));
        Boolean moved = tx.execute(s -> {
            if (!connections.transition(tenantId, id, from, to)) {
                return false;
            }
            receipts.record(tenantId, "connection." + to, null, caller.actor(),
                    Map.of("connection_id", id, "from", current.status()));
            return true;
        });
        if (!Boolean.TRUE.equals(moved)) {
            throw new ApiException(ErrorCode.CONFLICT, "connection is " + current.status() + "; cannot become " + to);
        }
        return view(connections.find(tenantId, id).orElseThrow());
    }

    static Map<String, Object> view(Connections.Connection c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("connection_id", c.id());
        m.put("tenant_id", c.tenantId());
        m.put("provider", c.provider());
        m.put("provider_account_id", c.providerAccountId());
        m.put("status", c.status());
        m.put("created_at", Times.rfc3339(c.createdAt()));
        m.put("updated_at", Times.rfc3339(c.updatedAt()));
        return m;
    }
}
