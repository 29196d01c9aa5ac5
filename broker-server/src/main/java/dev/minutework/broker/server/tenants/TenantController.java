package dev.minutework.broker.server.tenants;

import dev.minutework.broker.server.api.Times;
import dev.minutework.broker.server.api.Body;
import dev.minutework.broker.server.identity.ApiKeys;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.identity.Role;
import dev.minutework.broker.server.receipts.Receipts;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /v1/tenants} and {@code POST /v1/tenants/{t}/api-keys} (operator). */
@RestController
class TenantController {

    private final Tenants tenants;
    private final ApiKeys keys;
    private final Receipts receipts;
    private final TransactionTemplate tx;

    TenantController(Tenants tenants, ApiKeys keys, Receipts receipts, TransactionTemplate tx) {
        this.tenants = tenants;
        this.keys = keys;
        this.receipts = receipts;
        this.tx = tx;
    }

    @PostMapping("/v1/tenants")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> create(Caller caller, @RequestBody Map<String, Object> json) {
        caller.requireOperator();
        Body body = new Body(json);
        body.only(Set.of("name", "wallet_currency"));
        String name = body.string("name", true, 200);
        String currency = body.currency("wallet_currency", false);
        body.validate();
        Tenants.Tenant t = tx.execute(s -> {
            Tenants.Tenant created = tenants.create(name, currency == null ? "USD" : currency);
            receipts.record(created.id(), "tenant.created", null, caller.actor(), Map.of("name", name));
            return created;
        });
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tenant_id", t.id());
        m.put("name", t.name());
        m.put("wallet_currency", currency == null ? "USD" : currency);
        m.put("created_at", Times.rfc3339(t.createdAt()));
        return m;
    }

    @PostMapping("/v1/tenants/{tenantId}/api-keys")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> issueKey(Caller caller, @PathVariable String tenantId, @RequestBody Map<String, Object> json) {
        caller.requireOperator();
        tenants.require(tenantId);
        Body body = new Body(json);
        body.only(Set.of("role", "label"));
        String role = body.oneOf("role", true,
                Arrays.stream(Role.values()).filter(r -> r != Role.AGENT).map(Role::wire).collect(Collectors.toSet()));
        String label = body.string("label", false, 200);
        body.validate();
        ApiKeys.Issued issued = tx.execute(s -> {
            ApiKeys.Issued k = keys.issue(tenantId, Role.parse(role), label);
            receipts.record(tenantId, "api_key.issued", null, caller.actor(),
                    Map.of("key_id", k.keyId(), "role", role));
            return k;
        });
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key_id", issued.keyId());
        m.put("tenant_id", tenantId);
        m.put("role", issued.role().wire());
        m.put("label", label);
        m.put("api_key", issued.apiKey());
        m.put("note", "the key is shown once; store it now");
        return m;
    }
}
