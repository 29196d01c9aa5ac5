package dev.minutework.broker.server.killswitch;

import dev.minutework.broker.server.accounts.ProviderAccounts;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.Body;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.api.Times;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.identity.Role;
import dev.minutework.broker.server.tenants.Tenants;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The kill switch endpoints. Engaging needs no approval and only lowers spend: a tenant's approver
 * ({@code POST /v1/kill-switch}) or the operator ({@code POST /v1/tenants/{t}/kill-switch}) engages
 * a tenant's; the operator alone one on a platform-owned provider account
 * ({@code POST /v1/provider-accounts/{id}/kill-switch}), which stops every tenant using it. Runtime,
 * agent and viewer keys can neither engage nor release. Releasing lets new requests run again and
 * resumes nothing: a tenant's switch is released by the tenant's approver only (the operator cannot
 * lift a tenant's own stop), a provider account's by the operator.
 */
@RestController
class KillSwitchController {

    private final KillSwitchDecisions decisions;
    private final KillSwitches switches;
    private final KillSwitchStates states;
    private final Tenants tenants;
    private final ProviderAccounts accounts;

    KillSwitchController(KillSwitchDecisions decisions, KillSwitches switches, KillSwitchStates states,
            Tenants tenants, ProviderAccounts accounts) {
        this.decisions = decisions;
        this.switches = switches;
        this.states = states;
        this.tenants = tenants;
        this.accounts = accounts;
    }

    @GetMapping("/v1/kill-switch")
    Map<String, Object> state(Caller caller) {
        return state(caller.requireTenant().tenantId());
    }

    @PostMapping("/v1/kill-switch")
    ResponseEntity<Map<String, Object>> engage(Caller caller, @RequestBody Map<String, Object> json) {
        Caller.TenantKey key = caller.requireTenant(Role.APPROVER);
        boolean created = decisions.engageTenant(key.tenantId(), key.actor(), reason(json, true));
        return ResponseEntity.status(created ? 201 : 200).body(state(key.tenantId()));
    }

    @PostMapping("/v1/kill-switch/release")
    Map<String, Object> release(Caller caller, @RequestBody(required = false) Map<String, Object> json) {
        Caller.TenantKey key = caller.requireTenant(Role.APPROVER);
        KillSwitches.Switch released = decisions.releaseTenant(key.tenantId(), key.actor(), reason(json, false));
        Map<String, Object> m = state(key.tenantId());
        m.put("released", view(released));
        return m;
    }

    @GetMapping("/v1/tenants/{tenantId}/kill-switch")
    Map<String, Object> stateOf(Caller caller, @PathVariable String tenantId) {
        caller.requireOperator();
        tenants.require(tenantId);
        return state(tenantId);
    }

    @PostMapping("/v1/tenants/{tenantId}/kill-switch")
    ResponseEntity<Map<String, Object>> engageFor(Caller caller, @PathVariable String tenantId,
            @RequestBody Map<String, Object> json) {
        caller.requireOperator();
        tenants.require(tenantId);
        boolean created = decisions.engageTenant(tenantId, caller.actor(), reason(json, true));
        return ResponseEntity.status(created ? 201 : 200).body(state(tenantId));
    }

    @PostMapping("/v1/provider-accounts/{id}/kill-switch")
    ResponseEntity<Map<String, Object>> engageAccount(Caller caller, @PathVariable("id") String accountId,
            @RequestBody Map<String, Object> json) {
        caller.requireOperator();
        accounts.find(accountId).orElseThrow(() -> ApiException.notFound("provider account"));
        String reason = reason(json, true);
        boolean created = decisions.engageAccount(accountId, caller.actor(), reason);
        return ResponseEntity.status(created ? 201 : 200).body(accountState(accountId));
    }

    @PostMapping("/v1/provider-accounts/{id}/kill-switch/release")
    Map<String, Object> releaseAccount(Caller caller, @PathVariable("id") String accountId,
            @RequestBody(required = false) Map<String, Object> json) {
        caller.requireOperator();
        accounts.find(accountId).orElseThrow(() -> ApiException.notFound("provider account"));
        String reason = reason(json, false);
        KillSwitches.Switch s = switches.engagedForAccount(accountId).orElseThrow(() -> new ApiException(
                ErrorCode.CONFLICT, "no kill switch of this provider account is engaged"));
        decisions.release(s, switches.tenantsUsing(accountId), caller.actor(), reason);
        Map<String, Object> m = accountState(accountId);
        m.put("released", view(switches.find(s.id()).orElseThrow()));
        return m;
    }

    private static String reason(Map<String, Object> json, boolean required) {
        Body body = new Body(json);
        body.only(Set.of("reason"));
        String reason = body.string("reason", required, 500);
        body.validate();
        return reason;
    }

    /** A tenant's state: whether a switch covers it, which, and its campaigns in their scope. */
    private Map<String, Object> state(String tenantId) {
        KillSwitchStates.TenantState state = states.tenant(tenantId);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tenant_id", tenantId);
        m.put("engaged", state.isEngaged());
        m.put("kill_switches", state.engaged().stream().map(KillSwitchController::view).toList());
        m.put("campaigns", Map.of("pending_pause", state.pendingPause(), "paused", state.paused()));
        return m;
    }

    private Map<String, Object> accountState(String accountId) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("provider_account_id", accountId);
        KillSwitches.Switch s = switches.engagedForAccount(accountId).orElse(null);
        m.put("engaged", s != null);
        m.put("kill_switch", s == null ? null : view(s));
        m.put("tenant_ids", switches.tenantsUsing(accountId));
        return m;
    }

    static Map<String, Object> view(KillSwitches.Switch s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kill_switch_id", s.id());
        m.put("scope", s.scope());
        m.put("tenant_id", s.tenantId());
        m.put("provider_account_id", s.providerAccountId());
        m.put("status", s.status());
        m.put("engaged_by", s.engagedBy());
        m.put("reason", s.engagedReason());
        m.put("engaged_at", Times.rfc3339(s.engagedAt()));
        m.put("released_by", s.releasedBy());
        m.put("released_reason", s.releasedReason());
        m.put("released_at", Times.rfc3339(s.releasedAt()));
        return m;
    }
}
