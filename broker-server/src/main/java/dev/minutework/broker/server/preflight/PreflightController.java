package dev.minutework.broker.server.preflight;

import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.connectors.ConnectorCatalog;
import dev.minutework.broker.server.identity.Caller;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v1/integration-broker/preflight?provider=…}: every check, named, with its verdict. */
@RestController
class PreflightController {

    private final ConnectorCatalog catalog;
    private final Preflight preflight;

    PreflightController(ConnectorCatalog catalog, Preflight preflight) {
        this.catalog = catalog;
        this.preflight = preflight;
    }

    @GetMapping("/v1/integration-broker/preflight")
    Map<String, Object> preflight(Caller caller, @RequestParam(name = "provider", required = false) String provider) {
        String tenant = caller.requireTenant().tenantId();
        var ads = catalog.connector("mw.connector.ads").orElseThrow();
        String key = provider == null ? ads.defaultProvider() : provider;
        if (!ads.providers().contains(key)) {
            throw new ApiException(ErrorCode.CAPABILITY_GAP, "unknown provider " + key);
        }
        return preflight.check(tenant, key).view();
    }
}
