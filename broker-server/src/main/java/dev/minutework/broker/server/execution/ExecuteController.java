package dev.minutework.broker.server.execution;

import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.identity.Role;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /v1/integration-broker/execute} and {@code GET /v1/executions/{id}}. */
@RestController
class ExecuteController {

    private final ExecuteService pipeline;

    ExecuteController(ExecuteService pipeline) {
        this.pipeline = pipeline;
    }

    @PostMapping("/v1/integration-broker/execute")
    ResponseEntity<Map<String, Object>> execute(Caller caller, @RequestBody Map<String, Object> body,
            HttpServletRequest request) {
        ExecuteService.Answer answer = pipeline.execute(caller.requireTenant(Role.RUNTIME, Role.AGENT), body);
        ResponseEntity.BodyBuilder response = ResponseEntity.status(answer.status())
                .header("Idempotent-Replayed", String.valueOf(answer.replayed()));
        String timing = ServerTiming.header(request);
        if (timing != null) {
            response.header("Server-Timing", timing);
        }
        return response.body(answer.body());
    }

    @GetMapping("/v1/executions/{id}")
    Map<String, Object> get(Caller caller, @PathVariable String id) {
        Caller.TenantKey key = caller.requireTenant();
        return pipeline.view(key.tenantId(), id);
    }
}
