package dev.minutework.broker.providers.sandbox;

import dev.minutework.broker.core.command.ExecuteCommand;
import dev.minutework.broker.core.provider.ProviderAdapter;
import dev.minutework.broker.core.provider.ProviderCheck;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ProviderRequest;
import dev.minutework.broker.core.provider.ReportRow;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The sandbox provider acting for one account. State lives in the shared {@link SandboxLedger}. */
final class SandboxAdapter implements ProviderAdapter {

    private final SandboxLedger.Account account;
    private final String providerKey;

    SandboxAdapter(SandboxLedger.Account account, String providerKey) {
        this.account = account;
        this.providerKey = providerKey;
    }

    @Override
    public ProviderOutcome execute(ProviderRequest request) {
        SandboxFaults.Fault fault = account.faults().poll();
        if (fault == SandboxFaults.Fault.REJECT) {
            return SandboxFaults.rejected();
        }
        if (fault == SandboxFaults.Fault.LOSE_REQUEST) {
            return new ProviderOutcome.Unknown("sandbox: request lost before the provider acted");
        }
        ProviderOutcome outcome = perform(request);
        if (fault == SandboxFaults.Fault.COMMIT_THEN_LOSE_ANSWER) {
            return new ProviderOutcome.Unknown("sandbox: answer lost after the provider acted");
        }
        return outcome;
    }

    private ProviderOutcome perform(ProviderRequest request) {
        return switch (request.command()) {
            case ExecuteCommand.CreateCampaign c -> create("cmp", request, Map.of("status", status(c.active())));
            case ExecuteCommand.CreateGroup g -> {
                String campaign = request.providerIds().get("campaign_id");
                if (!account.objects().containsKey(campaign)) {
                    yield notFound("campaign " + campaign);
                }
                yield create("grp", request, Map.of("status", status(g.active())));
            }
            case ExecuteCommand.CreateCreative c -> create("crv", request, Map.of("review_status", "approved"));
            case ExecuteCommand.CreateAd ad -> {
                for (String ref : List.of("group_id", "creative_id")) {
                    String id = request.providerIds().get(ref);
                    if (!account.objects().containsKey(id)) {
                        yield notFound(ref + " " + id);
                    }
                }
                yield create("ad", request, Map.of("status", status(ad.active()), "review_status", "in_review"));
            }
            case ExecuteCommand.UpdateCampaign u -> setStatus(request, u.active());
            case ExecuteCommand.PauseCampaign p -> setStatus(request, false);
            case ExecuteCommand.FetchReport r -> report(r, request.providerIds().get("campaign_id"));
        };
    }

    /** A campaign's status set, or kept ({@code active} null). */
    private ProviderOutcome setStatus(ProviderRequest request, Boolean active) {
        String campaign = request.providerIds().get("campaign_id");
        SandboxLedger.StoredObject stored = account.objects().get(campaign);
        if (stored == null) {
            return notFound("campaign " + campaign);
        }
        String status = active == null ? stored.status() : status(active);
        account.objects().put(campaign, stored.withStatus(status));
        return new ProviderOutcome.Succeeded(campaign, Map.of("status", status), List.of());
    }

    /** The unified status; an object created without one is paused. */
    private static String status(Boolean active) {
        return Boolean.TRUE.equals(active) ? "active" : "paused";
    }

    private ProviderOutcome create(String prefix, ProviderRequest request, Map<String, Object> data) {
        // one object per broker reference: a repeated call returns the first object, as an
        // idempotent provider would, so a retry can never duplicate it
        SandboxLedger.StoredObject stored = account.byReference().computeIfAbsent(request.brokerReference(), ref -> {
            String id = "sbx_" + prefix + "_" + account.nextId();
            SandboxLedger.StoredObject o = new SandboxLedger.StoredObject(id, request.action(),
                    String.valueOf(data.getOrDefault("status", "active")));
            account.objects().put(id, o);
            return o;
        });
        return new ProviderOutcome.Succeeded(stored.id(), data, List.of());
    }

    private ProviderOutcome report(ExecuteCommand.FetchReport report, String only) {
        LocalDate since = report.since();
        LocalDate until = report.until();
        List<ReportRow> rows = new ArrayList<>();
        for (SandboxLedger.StoredObject o : account.objects().values()) {
            if (!"ads.create_campaign".equals(o.action()) || (only != null && !only.equals(o.id()))) {
                continue;
            }
            for (LocalDate d = since; !d.isAfter(until); d = d.plusDays(1)) {
                int h = Math.floorMod((o.id() + "|" + d).hashCode(), 10_000);
                long impressions = 100 + h % 900;
                long clicks = impressions / (10 + h % 20);
                long spend = "active".equals(o.status()) ? clicks * 7 : 0;
                rows.add(new ReportRow(d, o.id(), impressions, clicks, spend, "USD"));
            }
        }
        rows.sort((a, b) -> a.date().equals(b.date()) ? a.providerCampaignId().compareTo(b.providerCampaignId())
                : a.date().compareTo(b.date()));
        return new ProviderOutcome.Succeeded(null, Map.of(), rows);
    }

    @Override
    public ProviderOutcome reconcile(String action, String brokerReference) {
        SandboxLedger.StoredObject stored = account.byReference().get(brokerReference);
        if (stored == null) {
            return notFound("reference " + brokerReference);
        }
        return new ProviderOutcome.Succeeded(stored.id(), Map.of("status", stored.status()), List.of());
    }

    @Override
    public List<ProviderCheck> checks() {
        return List.of(new ProviderCheck("provider_reachable", true,
                "sandbox provider in this process (no real " + providerKey + " calls)"));
    }

    private static ProviderOutcome notFound(String what) {
        return new ProviderOutcome.Rejected(ProviderOutcome.RejectionKind.NOT_FOUND, "not_found", what + " not found");
    }
}
