package dev.minutework.broker.server.tenants;

import dev.minutework.broker.core.money.Money;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.api.Times;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.identity.Role;
import dev.minutework.broker.server.receipts.Receipts;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * A tenant's approval policy: {@code passkey_required_above_minor}. The operator sets it freely
 * ({@code PUT /v1/tenants/{t}/approval-policy}); a tenant approver may only tighten it
 * ({@code PUT /v1/approval-policy}) — set one where there was none, or lower it — because a bearer
 * key must never be able to switch off the passkey requirement that protects against its own theft.
 * Every change is receipted with the old and new figure.
 */
@RestController
class ApprovalPolicyController {

    private static final String FIELD = "passkey_required_above_minor";

    private final Tenants tenants;
    private final ApprovalPolicies policies;
    private final Receipts receipts;
    private final TransactionTemplate tx;

    ApprovalPolicyController(Tenants tenants, ApprovalPolicies policies, Receipts receipts, TransactionTemplate tx) {
        this.tenants = tenants;
        this.policies = policies;
        this.receipts = receipts;
        this.tx = tx;
    }

    @GetMapping("/v1/tenants/{tenantId}/approval-policy")
    Map<String, Object> operatorView(Caller caller, @PathVariable String tenantId) {
        caller.requireOperator();
        tenants.require(tenantId);
        return view(policies.find(tenantId));
    }

    @PutMapping("/v1/tenants/{tenantId}/approval-policy")
    Map<String, Object> operatorSet(Caller caller, @PathVariable String tenantId, @RequestBody Map<String, Object> json) {
        caller.requireOperator();
        tenants.require(tenantId);
        Long threshold = threshold(json);
        return change(tenantId, threshold, caller.actor(), false);
    }

    @GetMapping("/v1/approval-policy")
    Map<String, Object> tenantView(Caller caller) {
        return view(policies.find(caller.requireTenant().tenantId()));
    }

    @PutMapping("/v1/approval-policy")
    Map<String, Object> approverTighten(Caller caller, @RequestBody Map<String, Object> json) {
        Caller.TenantKey key = caller.requireTenant(Role.APPROVER);
        Long threshold = threshold(json);
        return change(key.tenantId(), threshold, key.actor(), true);
    }

    /** The body's threshold: an integer from 0 to the largest amount, or null (no passkey required). */
    private static Long threshold(Map<String, Object> json) {
        Map<String, Object> body = json == null ? Map.of() : json;
        List<Map<String, String>> errors = new java.util.ArrayList<>();
        for (String k : body.keySet()) {
            if (!k.equals(FIELD)) {
                errors.add(Map.of("path", "$." + k, "message", "is not a field of this request"));
            }
        }
        Object v = body.get(FIELD);
        if (!body.containsKey(FIELD)) {
            errors.add(Map.of("path", "$." + FIELD, "message", "is required (null: no passkey required)"));
        } else if (v != null && (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < 0
                || ((Number) v).longValue() > Money.MAX_AMOUNT_MINOR)) {
            errors.add(Map.of("path", "$." + FIELD,
                    "message", "must be null or an integer from 0 to " + Money.MAX_AMOUNT_MINOR));
        }
        if (!errors.isEmpty()) {
            throw new ApiException(ErrorCode.INVALID_INPUT, "the request has " + errors.size() + " invalid field(s)",
                    Map.of("errors", errors));
        }
        return v == null ? null : ((Number) v).longValue();
    }

    private Map<String, Object> change(String tenantId, Long threshold, String actor, boolean tightenOnly) {
        Boolean done = tx.execute(s -> {
            receipts.lockChain(tenantId);
            ApprovalPolicies.Policy before = policies.lock(tenantId).orElseThrow();
            Long old = before.passkeyRequiredAboveMinor();
            if (tightenOnly && !tightens(old, threshold)) {
                s.setRollbackOnly();
                return false;
            }
            policies.set(tenantId, threshold, actor);
            Map<String, Object> d = new HashMap<>();
            d.put("passkey_required_above_minor", threshold);
            d.put("previous_passkey_required_above_minor", old);
            receipts.record(tenantId, "approval_policy.updated", null, actor, d);
            return true;
        });
        if (!Boolean.TRUE.equals(done)) {
            throw new ApiException(ErrorCode.FORBIDDEN_ROLE, "a tenant approver may only tighten the approval policy "
                    + "(set a passkey threshold where there is none, or lower it); only the operator loosens it");
        }
        return view(policies.find(tenantId));
    }

    /** Whether {@code next} requires a passkey for at least every amount {@code current} does. */
    static boolean tightens(Long current, Long next) {
        return next != null && (current == null || next <= current);
    }

    private static Map<String, Object> view(ApprovalPolicies.Policy p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tenant_id", p.tenantId());
        m.put(FIELD, p.passkeyRequiredAboveMinor());
        m.put("updated_by", p.updatedBy());
        m.put("updated_at", p.updatedAt() == null ? null : Times.rfc3339(p.updatedAt()));
        return m;
    }
}
