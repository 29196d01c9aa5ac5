package dev.minutework.broker.server.preflight;

import dev.minutework.broker.server.identity.Caller;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v1/integration-broker/preflight?provider=…}: every check, named, with its verdict. */
@RestController
class PreflightController {

    private final Preflight preflight;

    PreflightController(Preflight preflight) {
        this.preflight = preflight;
    }

    @GetMapping("/v1/integration-broker/preflight")
    Map<String, Object> preflight(Caller caller, @RequestParam(name = "provider", required = false) String provider) {
        return preflight.view(caller.requireTenant().tenantId(), provider);
    }
}
