package dev.minutework.broker.server.console;

import dev.minutework.broker.core.connector.ActionSpec;
import dev.minutework.broker.core.connector.ConnectorManifest;
import dev.minutework.broker.server.api.ApiErrorHandler;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.approvals.ApprovalDecisions;
import dev.minutework.broker.server.approvals.StandingGrantIssuer;
import dev.minutework.broker.server.connectors.ConnectorCatalog;
import dev.minutework.broker.server.grants.Grants;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.identity.Role;
import dev.minutework.broker.server.killswitch.KillSwitches;
import dev.minutework.broker.server.spend.Wallets;
import dev.minutework.broker.server.tenants.ApprovalPolicies;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The console's approvals inbox: pending one-shot approvals (approve, deny) and the standing grants
 * in force (issue, revoke), each decided through the service its REST endpoint uses
 * ({@link ApprovalDecisions}, {@link StandingGrantIssuer}) with the session's {@link Caller}; a
 * refusal is shown in the inbox with the API's error code.
 */
@Controller
class ConsoleInboxController {

    private final Grants grants;
    private final ApprovalDecisions decisions;
    private final StandingGrantIssuer standingGrants;
    private final ConsoleReads reads;
    private final ApprovalPolicies policies;
    private final KillSwitches killSwitches;
    private final ConnectorCatalog catalog;
    private final Wallets wallets;
    private final Clock clock;

    ConsoleInboxController(Grants grants, ApprovalDecisions decisions, StandingGrantIssuer standingGrants,
            ConsoleReads reads, ApprovalPolicies policies, KillSwitches killSwitches, ConnectorCatalog catalog,
            Wallets wallets, Clock clock) {
        this.grants = grants;
        this.decisions = decisions;
        this.standingGrants = standingGrants;
        this.reads = reads;
        this.policies = policies;
        this.killSwitches = killSwitches;
        this.catalog = catalog;
        this.wallets = wallets;
        this.clock = clock;
    }

    /**
     * One pending approval as the inbox shows it: the grant, the exact payload it binds, who asked,
     * and whether the tenant's policy makes approving it take a passkey ({@code passkey_required},
     * as {@code GET /v1/approvals} shows it).
     */
    public record InboxItem(Grants.Grant approval, String payload, String askedBy, boolean passkeyRequired) {}

    @GetMapping("/console/inbox")
    String inbox(ConsoleSessions.Session session, @RequestParam(name = "revoked", required = false) String revoked,
            @RequestParam(name = "issued", required = false) String issued, Model model) {
        Caller.TenantKey key = session.caller().requireTenant();
        inboxModel(key.tenantId(), model);
        model.addAttribute("revoked", revoked != null && revoked.matches("[a-z]+_[a-z0-9]+") ? revoked : null);
        model.addAttribute("issued", issued != null && issued.matches("[a-z]+_[a-z0-9]+") ? issued : null);
        return "console/inbox";
    }

    /** The standing-grant form as typed: what it shows again after a refusal. */
    public record GrantForm(List<String> actions, String provider, String ceiling, String days, String limitedToKeyId) {

        static final GrantForm EMPTY = new GrantForm(List.of(), "", "", "7", "");
    }

    /**
     * Issues a standing grant as {@code POST /v1/approvals/standing-grants} does, from the inbox's
     * form: the ceiling typed in the wallet's currency (major units, e.g. {@code 300.00}), the
     * expiry as a number of days from now. A refusal ({@code invalid_input} with its fields,
     * {@code passkey_required}) is shown in the inbox with its code; nothing is issued.
     */
    @PostMapping("/console/standing-grants")
    String issueStanding(ConsoleSessions.Session session,
            @RequestParam(name = "actions", required = false) List<String> actions,
            @RequestParam(name = "provider", defaultValue = "") String provider,
            @RequestParam(name = "ceiling", defaultValue = "") String ceiling,
            @RequestParam(name = "days", defaultValue = "") String days,
            @RequestParam(name = "limited_to_key_id", defaultValue = "") String limitedTo,
            Model model, HttpServletResponse response) {
        Caller.TenantKey approver = session.caller().requireTenant(Role.APPROVER);
        try {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("actions", actions == null ? List.of() : actions);
            json.put("provider", provider.isBlank() ? null : provider);
            String currency = wallets.get(approver.tenantId()).currency();
            json.put("spend_ceiling", Map.of("amount_minor", ConsoleFormat.minorUnits(ceiling, currency),
                    "currency", currency));
            json.put("expires_at", clock.instant().plus(Duration.ofDays(ConsoleFormat.days(days))).toString());
            if (!limitedTo.isBlank()) {
                json.put("limited_to_key_id", limitedTo);
            }
            Grants.Grant issued = standingGrants.issue(approver, json);
            return "redirect:/console/inbox?issued=" + issued.id();
        } catch (ApiException refused) {
            response.setStatus(ApiErrorHandler.status(refused.code()));
            // the form comes back as it was typed, to be corrected
            model.addAttribute("grantForm", new GrantForm(actions == null ? List.of() : actions, provider, ceiling, days,
                    limitedTo));
            model.addAttribute("grantRefusal", refused);
            model.addAttribute("grantRefusalCode", refused.code().wire());
            model.addAttribute("grantErrors", refused.details() instanceof Map<?, ?> d && d.get("errors") instanceof List<?> e
                    ? e : List.of());
            inboxModel(approver.tenantId(), model);
            return "console/inbox";
        }
    }

    /**
     * Revokes a standing grant as {@code POST /v1/approvals/standing-grants/{id}/revoke} does: what
     * it would have let run without asking needs a one-shot approval again.
     */
    @PostMapping("/console/standing-grants/{id}/revoke")
    String revokeStanding(ConsoleSessions.Session session, @PathVariable String id) {
        Grants.Grant revoked = decisions.revokeStanding(session.caller().requireTenant(Role.APPROVER), id);
        return "redirect:/console/inbox?revoked=" + revoked.id();
    }

    /**
     * Approves as {@code POST /v1/approvals/{id}/approve} does; the execution's outcome is then shown
     * on its page. A refusal ({@code spend_impact_changed}, {@code kill_switch_engaged}, …) is shown
     * in the inbox with its code, the approval left as the refusal left it.
     */
    @PostMapping("/console/approvals/{id}/approve")
    String approve(ConsoleSessions.Session session, @PathVariable String id, Model model,
            HttpServletResponse response) {
        Caller.TenantKey approver = session.caller().requireTenant(Role.APPROVER);
        try {
            Map<String, Object> decided = decisions.approve(approver, id);
            return "redirect:/console/executions/" + executionId(decided) + "?decided=approved";
        } catch (ApiException refused) {
            return refusedInInbox(approver, refused, model, response);
        }
    }

    @PostMapping("/console/approvals/{id}/deny")
    String deny(ConsoleSessions.Session session, @PathVariable String id,
            @RequestParam(name = "reason", defaultValue = "") String reason, Model model, HttpServletResponse response) {
        Caller.TenantKey approver = session.caller().requireTenant(Role.APPROVER);
        String why = reason.isBlank() ? null : reason.strip();
        if (why != null && why.length() > 500) {
            throw new ApiException(ErrorCode.INVALID_INPUT, "reason: at most 500 characters");
        }
        try {
            Map<String, Object> decided = decisions.deny(approver, id, why);
            return "redirect:/console/executions/" + executionId(decided) + "?decided=denied";
        } catch (ApiException refused) {
            return refusedInInbox(approver, refused, model, response);
        }
    }

    /** The inbox: pending approvals, the standing grants in force, whether a kill switch is engaged. */
    private void inboxModel(String tenantId, Model model) {
        Map<String, ConsoleReads.KeyName> keys = reads.keys(tenantId);
        model.addAttribute("items", inboxItems(tenantId, keys));
        Instant now = clock.instant();
        model.addAttribute("standing", grants.list(tenantId, "approved").stream()
                .filter(g -> "standing".equals(g.kind()) && g.expiresAt().toInstant().isAfter(now)).toList());
        model.addAttribute("keys", keys);
        // what the issuing form offers: the connector's mutating actions and providers, the keys that run work
        ConnectorManifest ads = catalog.connector("mw.connector.ads").orElseThrow();
        model.addAttribute("grantableActions", ads.actions().stream().filter(a -> a.mutating() && !a.reserved())
                .map(ActionSpec::name).toList());
        model.addAttribute("grantProviders", ads.providers());
        model.addAttribute("workerKeys", keys.values().stream()
                .filter(k -> k.agentId() != null || "runtime".equals(k.role()))
                .sorted(Comparator.comparing(ConsoleReads.KeyName::keyId)).toList());
        model.addAttribute("walletCurrency", wallets.get(tenantId).currency());
        if (!model.containsAttribute("grantForm")) {
            model.addAttribute("grantForm", GrantForm.EMPTY);
        }
        model.addAttribute("killSwitchEngaged", !killSwitches.covering(tenantId).isEmpty());
        model.addAttribute("page", "inbox");
    }

    private List<InboxItem> inboxItems(String tenantId, Map<String, ConsoleReads.KeyName> keys) {
        ApprovalPolicies.Policy policy = policies.find(tenantId);
        List<Grants.Grant> pending = grants.list(tenantId, "pending").stream()
                .filter(g -> "one_shot".equals(g.kind())).toList();
        Map<String, String> payloads = reads.payloads(tenantId, pending.stream().map(Grants.Grant::executionId).toList());
        return pending.stream().map(g -> {
            String payload = payloads.get(g.executionId());
            ConsoleReads.KeyName who = keys.get(g.requestedByKeyId());
            return new InboxItem(g, payload, who == null ? g.requestedByKeyId() : who.describe(),
                    policy.passkeyRequiredFor(g.spendImpactMinor()));
        }).toList();
    }

    private String refusedInInbox(Caller.TenantKey approver, ApiException refused, Model model,
            HttpServletResponse response) {
        response.setStatus(ApiErrorHandler.status(refused.code()));
        model.addAttribute("refusal", refused);
        model.addAttribute("refusalCode", refused.code().wire());
        inboxModel(approver.tenantId(), model);
        return "console/inbox";
    }

    @SuppressWarnings("unchecked")
    private static String executionId(Map<String, Object> decided) {
        return String.valueOf(((Map<String, Object>) decided.get("execution")).get("execution_id"));
    }
}
