package dev.minutework.broker.server.runtime;

import dev.minutework.broker.server.execution.ExecuteService;
import dev.minutework.broker.server.gaps.CapabilityGaps;
import dev.minutework.broker.server.identity.ApiKeys;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.preflight.Preflight;
import dev.minutework.broker.server.receipts.Receipts;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/** The platform in the same process (embedded mode): its services, called directly. */
@Component
class EmbeddedPlatform implements Platform {

    private final ExecuteService pipeline;
    private final Preflight preflight;
    private final CapabilityGaps gaps;
    private final Receipts receipts;
    private final ApiKeys keys;
    private final TransactionTemplate tx;

    EmbeddedPlatform(ExecuteService pipeline, Preflight preflight, CapabilityGaps gaps,
            Receipts receipts, ApiKeys keys, TransactionTemplate tx) {
        this.pipeline = pipeline;
        this.preflight = preflight;
        this.gaps = gaps;
        this.receipts = receipts;
        this.keys = keys;
        this.tx = tx;
    }

    @Override
    public Optional<Caller.TenantKey> identify(String bearer) {
        return keys.find(bearer);
    }

    @Override
    public Answer execute(Asker asker, Map<String, Object> body) {
        ExecuteService.Answer a = pipeline.execute(asker.key(), body);
        return new Answer(a.status(), a.body(), a.replayed());
    }

    @Override
    public Map<String, Object> execution(Asker asker, String executionId) {
        return pipeline.view(asker.key().tenantId(), executionId);
    }

    @Override
    public Map<String, Object> preflight(Asker asker, String provider) {
        return preflight.view(asker.key().tenantId(), provider);
    }

    @Override
    public Map<String, Object> capabilities(Asker asker, String provider) {
        return preflight.capabilities(provider).map(c -> c.describe()).orElse(null);
    }

    @Override
    public Map<String, Object> reportGap(Asker asker, Map<String, Object> report) {
        Caller.TenantKey key = asker.key();
        String capability = (String) report.get("capability");
        String action = (String) report.get("action");
        String provider = (String) report.get("provider");
        String reason = (String) report.get("reason");
        return tx.execute(s -> {
            receipts.lockChain(key.tenantId());
            CapabilityGaps.Gap gap = gaps.record(key.tenantId(), capability, action, provider, reason, "reported",
                    key.actor());
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("gap_id", gap.id());
            d.put("capability", capability);
            d.put("action", action);
            d.put("provider", provider);
            receipts.record(key.tenantId(), "capability_gap.reported", null, key.actor(), d);
            return gap;
        }).view();
    }

    @Override
    public List<Map<String, Object>> gaps(Asker asker) {
        return gaps.forTenant(asker.key().tenantId()).stream().map(CapabilityGaps.Gap::view).toList();
    }
}
