package dev.minutework.broker.server.preflight;

import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.connectors.ConnectorCatalog;
import dev.minutework.broker.server.identity.Caller;
import java.util.LinkedHashMap;
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
        return view(preflight.check(tenant, key));
    }

    /** A report as the API shows it. */
    public static Map<String, Object> view(Preflight.Report r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("provider", r.provider());
        m.put("ready", r.ready());
        m.put("adapter", r.adapter());
        m.put("real_provider", r.realProvider());
        m.put("endpoint", r.endpoint());
        m.put("checks", r.checks().stream().map(c -> {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("name", c.name());
            cm.put("ok", c.ok());
            cm.put("detail", c.detail());
            return cm;
        }).toList());
        return m;
    }
}
