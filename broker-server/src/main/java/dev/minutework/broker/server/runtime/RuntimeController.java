package dev.minutework.broker.server.runtime;

import dev.minutework.broker.server.api.Body;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.identity.CallerResolver;
import dev.minutework.broker.server.identity.Role;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /v1/runtime/workflow/run-action}, {@code GET /v1/runtime/capabilities},
 * {@code POST|GET /v1/runtime/capability-gaps}, {@code GET /v1/runtime/identity}: the runtime's
 * HTTP surface for apps and agents, the same in embedded and in runtime mode.
 */
@RestController
class RuntimeController {

    private final RuntimeActions actions;

    RuntimeController(RuntimeActions actions) {
        this.actions = actions;
    }

    @PostMapping("/v1/runtime/workflow/run-action")
    ResponseEntity<Map<String, Object>> runAction(Caller caller,
            @RequestHeader(HttpHeaders.AUTHORIZATION) String authorization, @RequestBody Map<String, Object> body) {
        Platform.Answer ran = actions.runAction(asker(caller.requireTenant(Role.RUNTIME, Role.AGENT), authorization),
                body);
        return ResponseEntity.status(ran.status()).header("Idempotent-Replayed", String.valueOf(ran.replayed()))
                .body(ran.body());
    }

    @GetMapping("/v1/runtime/capabilities")
    Map<String, Object> capabilities(Caller caller, @RequestHeader(HttpHeaders.AUTHORIZATION) String authorization) {
        return Map.of("capabilities", actions.inventory(asker(caller.requireTenant(), authorization)));
    }

    @PostMapping("/v1/runtime/capability-gaps")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> report(Caller caller, @RequestHeader(HttpHeaders.AUTHORIZATION) String authorization,
            @RequestBody Map<String, Object> json) {
        Caller.TenantKey key = caller.requireTenant(Role.RUNTIME, Role.AGENT);
        Body body = new Body(json);
        body.only(Set.of("capability", "action", "provider", "reason"));
        String capability = body.string("capability", true, 200);
        String action = body.string("action", false, 200);
        String provider = body.string("provider", false, 100);
        String reason = body.string("reason", true, 2000);
        body.validate();
        return actions.reportGap(asker(key, authorization), capability, action, provider, reason);
    }

    @GetMapping("/v1/runtime/capability-gaps")
    Map<String, Object> list(Caller caller, @RequestHeader(HttpHeaders.AUTHORIZATION) String authorization) {
        return Map.of("gaps", actions.gaps(asker(caller.requireTenant(), authorization)));
    }

    @GetMapping("/v1/runtime/identity")
    Map<String, Object> identity(Caller caller) {
        Caller.TenantKey key = caller.requireTenant();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tenant_id", key.tenantId());
        m.put("key_id", key.keyId());
        m.put("role", key.role().wire());
        if (key.agent() == null) {
            m.put("agent", null);
        } else {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("agent_id", key.agent().agentId());
            a.put("name", key.agent().name());
            a.put("capabilities", key.agent().capabilities());
            a.put("mode", key.agent().mutating() ? "mutating" : "read_only");
            m.put("agent", a);
        }
        return m;
    }

    /** The caller and the key it presented (the resolver already checked the header's shape). */
    static Platform.Asker asker(Caller.TenantKey key, String authorization) {
        return new Platform.Asker(key, CallerResolver.bearer(authorization).orElseThrow());
    }
}
