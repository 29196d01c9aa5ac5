package dev.minutework.broker.server.runtime;

import dev.minutework.broker.server.api.Body;
import dev.minutework.broker.server.api.Times;
import dev.minutework.broker.server.gaps.CapabilityGaps;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.identity.Role;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /v1/runtime/workflow/run-action}, {@code GET /v1/runtime/capabilities},
 * {@code POST|GET /v1/runtime/capability-gaps}: the runtime's HTTP surface for apps and agents.
 */
@RestController
class RuntimeController {

    private final RuntimeActions actions;
    private final CapabilityGaps gaps;

    RuntimeController(RuntimeActions actions, CapabilityGaps gaps) {
        this.actions = actions;
        this.gaps = gaps;
    }

    @PostMapping("/v1/runtime/workflow/run-action")
    ResponseEntity<Map<String, Object>> runAction(Caller caller, @RequestBody Map<String, Object> body) {
        RuntimeActions.Ran ran = actions.runAction(caller.requireTenant(Role.RUNTIME, Role.AGENT), body);
        return ResponseEntity.status(ran.status()).header("Idempotent-Replayed", String.valueOf(ran.replayed()))
                .body(ran.body());
    }

    @GetMapping("/v1/runtime/capabilities")
    Map<String, Object> capabilities(Caller caller) {
        return Map.of("capabilities", actions.inventory(caller.requireTenant()));
    }

    @PostMapping("/v1/runtime/capability-gaps")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> report(Caller caller, @RequestBody Map<String, Object> json) {
        Caller.TenantKey key = caller.requireTenant(Role.RUNTIME, Role.AGENT);
        Body body = new Body(json);
        body.only(Set.of("capability", "action", "provider", "reason"));
        String capability = body.string("capability", true, 200);
        String action = body.string("action", false, 200);
        String provider = body.string("provider", false, 100);
        String reason = body.string("reason", true, 2000);
        body.validate();
        return view(actions.reportGap(key, capability, action, provider, reason));
    }

    @GetMapping("/v1/runtime/capability-gaps")
    Map<String, Object> list(Caller caller) {
        List<Map<String, Object>> own = gaps.forTenant(caller.requireTenant().tenantId()).stream()
                .map(RuntimeController::view).toList();
        return Map.of("gaps", own);
    }

    static Map<String, Object> view(CapabilityGaps.Gap g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("gap_id", g.id());
        m.put("capability", g.capability());
        m.put("action", g.action());
        m.put("provider", g.provider());
        m.put("reason", g.reason());
        m.put("source", g.source());
        m.put("reported_by", g.reportedBy());
        m.put("created_at", Times.rfc3339(g.createdAt()));
        return m;
    }
}
