package dev.minutework.broker.providers.sandbox;

import static dev.minutework.broker.providers.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.provider.ProviderAccountContext;
import dev.minutework.broker.core.provider.ProviderAdapter;
import dev.minutework.broker.core.provider.ProviderCredentials;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ReportRow;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sandbox adapter reads the typed command: statuses (absent means paused), updates, pauses and reports. */
class SandboxAdapterTest {

    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");

    final ProviderAdapter adapter = new SandboxProviderFactory().create(new ProviderAccountContext("pac_1", "openaiads",
            Map.of(), new ProviderCredentials(Map.of()), null));

    private ProviderOutcome.Succeeded run(String action, String ref, Map<String, Object> input, Map<String, String> ids) {
        ProviderOutcome out = adapter.execute(request(NOW, action, ref, input, ids));
        assertThat(out).isInstanceOf(ProviderOutcome.Succeeded.class);
        return (ProviderOutcome.Succeeded) out;
    }

    @Test
    void createsPausedWithoutAStatusAndKeepsTheStatusAnUpdateLeavesOut() {
        ProviderOutcome.Succeeded campaign = run("ads.create_campaign", "exe_1", Map.of("name", "Winter boots",
                "budget", Map.of("amount_minor", 50_000, "currency", "USD", "period", "daily")), Map.of());
        assertThat(campaign.data()).containsEntry("status", "paused");
        String cid = campaign.providerObjectId();

        assertThat(run("ads.create_group", "exe_2", Map.of("campaign_id", "cmp_b", "name", "Hikers"),
                Map.of("campaign_id", cid)).data()).containsEntry("status", "paused");
        assertThat(run("ads.create_group", "exe_3", Map.of("campaign_id", "cmp_b", "name", "Hikers", "status", "active"),
                Map.of("campaign_id", cid)).data()).containsEntry("status", "active");

        assertThat(run("ads.update_campaign", "exe_4", Map.of("campaign_id", "cmp_b", "status", "active"),
                Map.of("campaign_id", cid)).data()).containsEntry("status", "active");
        assertThat(run("ads.update_campaign", "exe_5", Map.of("campaign_id", "cmp_b", "name", "Summer boots"),
                Map.of("campaign_id", cid)).data()).containsEntry("status", "active");
        assertThat(run("ads.pause_campaign", "exe_6", Map.of("campaign_id", "cmp_b"),
                Map.of("campaign_id", cid)).data()).containsEntry("status", "paused");
    }

    @Test
    void reportsEveryDayOfTheRange() {
        String cid = run("ads.create_campaign", "exe_1", Map.of("name", "Winter boots", "status", "active",
                "budget", Map.of("amount_minor", 50_000, "currency", "USD", "period", "daily")), Map.of()).providerObjectId();
        List<ReportRow> rows = run("ads.fetch_report", "exe_2", Map.of("campaign_id", "cmp_b", "since", "2026-11-19",
                "until", "2026-11-21", "granularity", "day"), Map.of("campaign_id", cid)).rows();
        assertThat(rows).extracting(ReportRow::date).containsExactly(LocalDate.parse("2026-11-19"),
                LocalDate.parse("2026-11-20"), LocalDate.parse("2026-11-21"));
        assertThat(rows).allSatisfy(r -> assertThat(r.providerCampaignId()).isEqualTo(cid));
    }
}
