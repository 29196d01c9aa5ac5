package dev.minutework.broker.server.ads;

import dev.minutework.broker.server.api.Times;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.identity.Caller;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v1/ads/campaigns} and {@code GET /v1/ads/objects}: the tenant's own projections. */
@RestController
class AdsController {

    private final Projections projections;

    AdsController(Projections projections) {
        this.projections = projections;
    }

    @GetMapping("/v1/ads/campaigns")
    Map<String, Object> campaigns(Caller caller) {
        String tenant = caller.requireTenant().tenantId();
        return Map.of("campaigns", projections.campaigns(tenant).stream().map(c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("campaign_id", c.id());
            m.put("provider", c.provider());
            m.put("provider_object_id", c.providerObjectId());
            m.put("name", c.name());
            m.put("objective", c.objective());
            m.put("status", c.status());
            m.put("budget", Map.of("amount_minor", c.budgetAmountMinor(), "currency", c.currency(), "period", c.budgetPeriod()));
            m.put("start_time", Times.rfc3339(c.startTime()));
            m.put("end_time", Times.rfc3339(c.endTime()));
            m.put("spend_minor", c.spendMinor());
            m.put("created_by_execution", c.createdBy());
            m.put("created_at", Times.rfc3339(c.createdAt()));
            m.put("updated_at", Times.rfc3339(c.updatedAt()));
            return m;
        }).toList());
    }

    @GetMapping("/v1/ads/objects")
    Map<String, Object> objects(Caller caller, @RequestParam(name = "kind", required = false) String kind,
            @RequestParam(name = "campaign_id", required = false) String campaignId) {
        String tenant = caller.requireTenant().tenantId();
        if (kind != null && !Set.of("group", "creative", "ad").contains(kind)) {
            throw new ApiException(ErrorCode.INVALID_INPUT, "kind must be group, creative or ad");
        }
        return Map.of("objects", projections.objects(tenant, kind, campaignId).stream().map(o -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("object_id", o.id());
            m.put("kind", o.kind());
            m.put("provider", o.provider());
            m.put("provider_object_id", o.providerObjectId());
            m.put("campaign_id", o.campaignId());
            m.put("parent_id", o.parentId());
            m.put("name", o.name());
            m.put("status", o.status());
            m.put("review_status", o.reviewStatus());
            m.put("data", o.data());
            m.put("created_by_execution", o.createdBy());
            m.put("created_at", Times.rfc3339(o.createdAt()));
            return m;
        }).toList());
    }
}
