package dev.minutework.broker.server.advertisers;

import dev.minutework.broker.server.api.Times;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.Body;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.receipts.Receipts;
import dev.minutework.broker.server.tenants.Tenants;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code PUT/GET /v1/tenants/{t}/advertiser-profile} (operator). */
@RestController
class AdvertiserProfileController {

    private final AdvertiserProfiles profiles;
    private final Tenants tenants;
    private final Receipts receipts;
    private final TransactionTemplate tx;

    AdvertiserProfileController(AdvertiserProfiles profiles, Tenants tenants, Receipts receipts, TransactionTemplate tx) {
        this.profiles = profiles;
        this.tenants = tenants;
        this.receipts = receipts;
        this.tx = tx;
    }

    @PutMapping("/v1/tenants/{tenantId}/advertiser-profile")
    Map<String, Object> put(Caller caller, @PathVariable String tenantId, @RequestBody Map<String, Object> json) {
        caller.requireOperator();
        tenants.require(tenantId);
        Body body = new Body(json);
        body.only(Set.of("legal_name", "verification_status", "terms_version", "terms_accepted_at", "terms_accepted_by"));
        String name = body.string("legal_name", true, 300);
        String status = body.oneOf("verification_status", true, Set.of("verified", "pending", "rejected"));
        String version = body.string("terms_version", false, 64);
        Instant at = body.instant("terms_accepted_at", false);
        String by = body.string("terms_accepted_by", false, 200);
        if ((version == null) != (at == null) || (version == null) != (by == null)) {
            body.error("terms_version", "terms_version, terms_accepted_at and terms_accepted_by go together");
        }
        body.validate();
        AdvertiserProfiles.Profile p = tx.execute(s -> {
            AdvertiserProfiles.Profile saved = profiles.put(tenantId, name, status, version, at, by);
            Map<String, Object> details = new HashMap<>();
            details.put("verification_status", status);
            details.put("terms_version", version);
            receipts.record(tenantId, "advertiser_profile.updated", null, caller.actor(), details);
            return saved;
        });
        return view(p);
    }

    @GetMapping("/v1/tenants/{tenantId}/advertiser-profile")
    Map<String, Object> get(Caller caller, @PathVariable String tenantId) {
        caller.requireOperator();
        tenants.require(tenantId);
        return view(profiles.find(tenantId).orElseThrow(() -> ApiException.notFound("advertiser profile")));
    }

    static Map<String, Object> view(AdvertiserProfiles.Profile p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tenant_id", p.tenantId());
        m.put("legal_name", p.legalName());
        m.put("verification_status", p.verificationStatus());
        m.put("terms_version", p.termsVersion());
        m.put("terms_accepted_at", Times.rfc3339(p.termsAcceptedAt()));
        m.put("terms_accepted_by", p.termsAcceptedBy());
        m.put("updated_at", Times.rfc3339(p.updatedAt()));
        return m;
    }
}
