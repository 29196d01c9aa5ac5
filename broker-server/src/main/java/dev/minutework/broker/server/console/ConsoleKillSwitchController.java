package dev.minutework.broker.server.console;

import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.identity.Role;
import dev.minutework.broker.server.killswitch.KillSwitchDecisions;
import dev.minutework.broker.server.killswitch.KillSwitchStates;
import dev.minutework.broker.server.tenants.Tenants;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The kill switch in the console, deciding through what {@code /v1/kill-switch} decides through:
 * any tenant key sees whether it is engaged and which campaigns are still to be paused; the
 * tenant's approver engages it (a reason is required; no approval: it only lowers spend) and
 * releases it (which resumes nothing); the operator engages a tenant's from the tenants page and
 * cannot release it, as through the API.
 */
@Controller
class ConsoleKillSwitchController {

    private final KillSwitchStates states;
    private final KillSwitchDecisions decisions;
    private final Tenants tenants;

    ConsoleKillSwitchController(KillSwitchStates states, KillSwitchDecisions decisions, Tenants tenants) {
        this.states = states;
        this.decisions = decisions;
        this.tenants = tenants;
    }

    @GetMapping("/console/kill-switch")
    String page(ConsoleSessions.Session session, @RequestParam(name = "done", required = false) String done,
            Model model) {
        Caller.TenantKey key = session.caller().requireTenant(); // GET /v1/kill-switch
        model.addAttribute("state", states.tenant(key.tenantId()));
        model.addAttribute("done", "engaged".equals(done) || "released".equals(done) ? done : null);
        model.addAttribute("page", "kill-switch");
        return "console/kill-switch";
    }

    @PostMapping("/console/kill-switch/engage")
    String engage(ConsoleSessions.Session session, @RequestParam(name = "reason", defaultValue = "") String reason) {
        Caller.TenantKey approver = session.caller().requireTenant(Role.APPROVER); // POST /v1/kill-switch
        decisions.engageTenant(approver.tenantId(), approver.actor(), reason(reason, true));
        return "redirect:/console/kill-switch?done=engaged";
    }

    @PostMapping("/console/kill-switch/release")
    String release(ConsoleSessions.Session session, @RequestParam(name = "reason", defaultValue = "") String reason) {
        Caller.TenantKey approver = session.caller().requireTenant(Role.APPROVER); // POST /v1/kill-switch/release
        decisions.releaseTenant(approver.tenantId(), approver.actor(), reason(reason, false));
        return "redirect:/console/kill-switch?done=released";
    }

    @PostMapping("/console/tenants/{tenantId}/kill-switch")
    String engageFor(ConsoleSessions.Session session, @PathVariable String tenantId,
            @RequestParam(name = "reason", defaultValue = "") String reason) {
        session.caller().requireOperator(); // POST /v1/tenants/{t}/kill-switch
        tenants.require(tenantId);
        decisions.engageTenant(tenantId, session.caller().actor(), reason(reason, true));
        return "redirect:/console/tenants";
    }

    /** The reason as the API takes it: required to engage, at most 500 characters. */
    private static String reason(String typed, boolean required) {
        String reason = typed.strip();
        if (reason.isEmpty()) {
            if (required) {
                throw new ApiException(ErrorCode.INVALID_INPUT, "reason: say why the kill switch is engaged");
            }
            return null;
        }
        if (reason.length() > 500) {
            throw new ApiException(ErrorCode.INVALID_INPUT, "reason: at most 500 characters");
        }
        return reason;
    }
}
