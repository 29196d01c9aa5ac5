package dev.minutework.broker.server.approvals;

import dev.minutework.broker.server.api.Times;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.Body;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.grants.Grants;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.identity.Role;
import dev.minutework.broker.server.tenants.ApprovalPolicies;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Approvals (list, approve, deny) and standing grants (issue, revoke), for approver keys. */
@RestController
class ApprovalController {

    private final Grants approvals;
    private final ApprovalDecisions decisions;
    private final StandingGrantIssuer issuer;
    private final ApprovalPolicies policies;

    ApprovalController(Grants approvals, ApprovalDecisions decisions, StandingGrantIssuer issuer,
            ApprovalPolicies policies) {
        this.approvals = approvals;
        this.decisions = decisions;
        this.issuer = issuer;
        this.policies = policies;
    }

    @GetMapping("/v1/approvals")
    Map<String, Object> list(Caller caller, @RequestParam(name = "status", required = false) String status) {
        Caller.TenantKey key = caller.requireTenant();
        if (status != null && !Set.of("pending", "approved", "denied", "used", "revoked", "expired").contains(status)) {
            throw new ApiException(ErrorCode.INVALID_INPUT, "unknown status " + status);
        }
        ApprovalPolicies.Policy policy = policies.find(key.tenantId());
        return Map.of("approvals", approvals.list(key.tenantId(), status).stream().map(g -> view(g, policy)).toList());
    }

    @GetMapping("/v1/approvals/{id}")
    Map<String, Object> get(Caller caller, @PathVariable String id) {
        Caller.TenantKey key = caller.requireTenant();
        return view(approvals.find(key.tenantId(), id).orElseThrow(() -> ApiException.notFound("approval")),
                policies.find(key.tenantId()));
    }

    @PostMapping("/v1/approvals/{id}/approve")
    Map<String, Object> approve(Caller caller, @PathVariable String id,
            @RequestBody(required = false) Map<String, Object> json) {
        Caller.TenantKey key = caller.requireTenant(Role.APPROVER);
        ApprovalDecisions.PasskeyAssertion assertion = ApprovalDecisions.PasskeyAssertion.of(json, false);
        return decisions.approve(key, id, assertion);
    }

    @PostMapping("/v1/approvals/{id}/deny")
    Map<String, Object> deny(Caller caller, @PathVariable String id,
            @RequestBody(required = false) Map<String, Object> json) {
        Caller.TenantKey key = caller.requireTenant(Role.APPROVER);
        Body body = new Body(json);
        body.only(Set.of("reason"));
        String reason = body.string("reason", false, 500);
        body.validate();
        return decisions.deny(key, id, reason);
    }

    @PostMapping("/v1/approvals/standing-grants")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> standing(Caller caller, @RequestBody Map<String, Object> json) {
        return view(issuer.issue(caller.requireTenant(Role.APPROVER), json));
    }

    @PostMapping("/v1/approvals/standing-grants/{id}/revoke")
    Map<String, Object> revoke(Caller caller, @PathVariable String id) {
        return view(decisions.revokeStanding(caller.requireTenant(Role.APPROVER), id));
    }

    /**
     * {@link #view(Grants.Grant)}, and for a one-shot approval {@code passkey_required}: whether the
     * tenant's policy makes approving it take a passkey (for the console to choose the flow).
     */
    static Map<String, Object> view(Grants.Grant g, ApprovalPolicies.Policy policy) {
        Map<String, Object> m = view(g);
        if ("one_shot".equals(g.kind())) {
            m.put("passkey_required", policy.passkeyRequiredFor(g.spendImpactMinor()));
        }
        return m;
    }

    static Map<String, Object> view(Grants.Grant g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("approval_id", g.id());
        m.put("kind", g.kind());
        m.put("status", g.status());
        m.put("provider", g.provider());
        if ("one_shot".equals(g.kind())) {
            m.put("execution_id", g.executionId());
            m.put("action", g.action());
            m.put("payload_digest", g.payloadDigest());
            m.put("spend_impact", g.currency() == null ? null
                    : Map.of("amount_minor", g.spendImpactMinor(), "currency", g.currency()));
            m.put("requested_by_key_id", g.requestedByKeyId());
        } else {
            m.put("actions", g.actions());
            m.put("spend_ceiling", Map.of("amount_minor", g.spendCeilingMinor(), "currency", g.currency()));
            m.put("spend_used_minor", g.spendUsedMinor());
            m.put("limited_to_key_id", g.limitedToKeyId());
        }
        m.put("expires_at", Times.rfc3339(g.expiresAt()));
        m.put("decided_by_key_id", g.decidedByKeyId());
        m.put("decided_at", Times.rfc3339(g.decidedAt()));
        m.put("reason", g.reason());
        m.put("created_at", Times.rfc3339(g.createdAt()));
        return m;
    }
}
