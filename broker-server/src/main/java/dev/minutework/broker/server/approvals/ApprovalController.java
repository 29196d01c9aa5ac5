package dev.minutework.broker.server.approvals;

import dev.minutework.broker.server.api.Times;
import dev.minutework.broker.core.connector.ActionSpec;
import dev.minutework.broker.core.money.Money;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.Body;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.connectors.ConnectorCatalog;
import dev.minutework.broker.server.grants.Grants;
import dev.minutework.broker.server.identity.ApiKeys;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.identity.Role;
import dev.minutework.broker.server.receipts.Receipts;
import dev.minutework.broker.server.tenants.ApprovalPolicies;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.support.TransactionTemplate;
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

    private static final Duration MAX_STANDING = Duration.ofDays(90);

    private final Grants approvals;
    private final ApprovalDecisions decisions;
    private final ConnectorCatalog catalog;
    private final Receipts receipts;
    private final TransactionTemplate tx;
    private final ApiKeys apiKeys;
    private final Clock clock;
    private final ApprovalPolicies policies;

    ApprovalController(Grants approvals, ApprovalDecisions decisions, ConnectorCatalog catalog, Receipts receipts,
            TransactionTemplate tx, ApiKeys apiKeys, Clock clock, ApprovalPolicies policies) {
        this.policies = policies;
        this.approvals = approvals;
        this.decisions = decisions;
        this.catalog = catalog;
        this.receipts = receipts;
        this.tx = tx;
        this.apiKeys = apiKeys;
        this.clock = clock;
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
        Caller.TenantKey key = caller.requireTenant(Role.APPROVER);
        Body body = new Body(json);
        body.only(Set.of("connector", "actions", "provider", "spend_ceiling", "expires_at", "limited_to_key_id"));
        String connectorId = body.string("connector", false, 100);
        var connector = catalog.connector(connectorId == null ? "mw.connector.ads" : connectorId);
        if (connector.isEmpty()) {
            body.error("connector", "unknown connector");
        }
        List<String> actions = body.strings("actions", true);
        if (actions != null && connector.isPresent()) {
            for (String a : actions) {
                ActionSpec spec = connector.get().action(a).orElse(null);
                if (spec == null || !spec.mutating() || spec.reserved()) {
                    body.error("actions", a + " is not a mutating action of " + connector.get().id());
                }
            }
        }
        String provider = body.oneOf("provider", true,
                connector.map(c -> Set.copyOf(c.providers())).orElse(Set.of()));
        Money ceiling = body.money("spend_ceiling", true);
        Instant expires = body.instant("expires_at", true);
        ApprovalPolicies.Policy policy = policies.find(key.tenantId());
        Instant now = clock.instant();
        if (expires != null && (!expires.isAfter(now) || expires.isAfter(now.plus(MAX_STANDING)))) {
            body.error("expires_at", "must be in the future and at most 90 days away");
        }
        String limitedTo = body.string("limited_to_key_id", false, 64);
        if (limitedTo != null) {
            if (limitedTo.equals(key.keyId())) {
                body.error("limited_to_key_id", "a grant cannot be limited to its issuer: nobody approves their own requests");
            } else if (!apiKeys.active(key.tenantId(), limitedTo)) {
                body.error("limited_to_key_id", "no such key in this tenant");
            }
        }
        body.validate();
        if (policy.passkeyRequiredFor(ceiling.amountMinor())) {
            // a standing grant runs work with no approval of its own: above the passkey threshold
            // every spend needs a passkey-signed one-shot approval, so no such grant is issued
            tx.executeWithoutResult(s -> {
                receipts.lockChain(key.tenantId());
                receipts.record(key.tenantId(), "approval.standing_grant_refused", null, key.actor(), Map.of(
                        "code", ErrorCode.PASSKEY_REQUIRED.wire(), "spend_ceiling_minor", ceiling.amountMinor(),
                        "passkey_required_above_minor", policy.passkeyRequiredAboveMinor()));
            });
            throw new ApiException(ErrorCode.PASSKEY_REQUIRED, "the spend ceiling (" + ceiling.amountMinor()
                    + ") is above the tenant's passkey threshold (" + policy.passkeyRequiredAboveMinor()
                    + "): spend above it needs a passkey-signed one-shot approval, never a standing grant",
                    Map.of("spend_ceiling_minor", ceiling.amountMinor(),
                            "passkey_required_above_minor", policy.passkeyRequiredAboveMinor()));
        }
        String id = tx.execute(s -> {
            receipts.lockChain(key.tenantId());
            String created = approvals.createStanding(key.tenantId(), actions, provider, ceiling, expires, limitedTo,
                    key.keyId());
            Map<String, Object> d = new HashMap<>();
            d.put("grant_id", created);
            d.put("actions", actions);
            d.put("provider", provider);
            d.put("spend_ceiling_minor", ceiling.amountMinor());
            d.put("currency", ceiling.currency());
            d.put("expires_at", Times.rfc3339(expires));
            d.put("limited_to_key_id", limitedTo);
            receipts.record(key.tenantId(), "approval.standing_grant_issued", null, key.actor(), d);
            return created;
        });
        return view(approvals.find(key.tenantId(), id).orElseThrow());
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
