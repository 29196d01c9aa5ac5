package dev.minutework.broker.providers.openaiads;

import static dev.minutework.broker.providers.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.provider.ProviderAccountContext;
import dev.minutework.broker.core.provider.ProviderCredentials;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ProviderOutcome.RejectionKind;
import dev.minutework.broker.core.provider.ReportRow;
import dev.minutework.broker.providers.http.ProviderHttp;
import dev.minutework.broker.sim.SimulatedCampaign;
import dev.minutework.broker.sim.openaiads.OpenAiAdsSimulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAI simulator keeping its ad accounts in a journal, as the broker runs it: objects made
 * through the adapter before the simulator stops are found, changed and reported on through the
 * adapter after a new simulator opens the same journal and the account is provisioned again.
 */
class OpenAiAdsRestartTest {

    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final String KEY = "sk-openai-restart-key-0123456789";
    static final Map<String, String> SCOPE = Map.of("ad_account_id", "act_42");

    @TempDir
    Path dir;
    Path journal;
    OpenAiAdsSimulator sim;
    OpenAiAdsAdapter adapter;

    @BeforeEach
    void start() {
        journal = dir.resolve("simulators/openaiads.jsonl");
        restart();
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    /** Stops the running simulator, if any, and starts a new one on the same journal with the account provisioned. */
    private void restart() {
        if (sim != null) {
            sim.close();
        }
        sim = new OpenAiAdsSimulator(Clock.fixed(NOW, ZoneOffset.UTC));
        sim.keepStateIn(journal).start();
        sim.provision(SCOPE, Map.of("api_key", KEY));
        ProviderAccountContext account = new ProviderAccountContext("pac_1", "openaiads", SCOPE,
                new ProviderCredentials(Map.of("api_key", KEY)), sim.baseUrl().toString());
        adapter = new OpenAiAdsAdapter(new ProviderHttp(), sim.baseUrl(), account, Duration.ofMillis(10));
    }

    static final Map<String, Object> CAMPAIGN = Map.of("name", "Winter boots", "status", "active",
            "budget", Map.of("amount_minor", 50_000, "currency", "USD", "period", "lifetime"),
            "end_time", "2026-12-21T00:00:00Z");
    static final Map<String, Object> CREATIVE = Map.of("name", "Card", "headlines", List.of("Boots for winter"),
            "descriptions", List.of("Warm and dry."), "image_url", "https://cdn.example.test/boot.png",
            "landing_url", "https://shop.example.test/boots");

    private String made(ProviderOutcome out) {
        assertThat(out).isInstanceOf(ProviderOutcome.Succeeded.class);
        return ((ProviderOutcome.Succeeded) out).providerObjectId();
    }

    private String found(String action, String ref) {
        return made(adapter.reconcile(action, ref));
    }

    @Test
    void aCampaignMadeBeforeARestartIsFoundReportedOnAndPausedAfterIt() {
        String cid = made(adapter.execute(request(NOW, "ads.create_campaign", "exe_1", CAMPAIGN, Map.of())));
        String gid = made(adapter.execute(request(NOW, "ads.create_group", "exe_2", Map.of("campaign_id", "cmp_b",
                "name", "Hikers", "targeting", Map.of("context_hints", List.of("hiking"))), Map.of("campaign_id", cid))));
        String file = made(adapter.execute(request(NOW, "ads.create_creative", "exe_3", CREATIVE, Map.of())));
        String ad = made(adapter.execute(request(NOW, "ads.create_ad", "exe_4", Map.of("group_id", "grp_b",
                "creative_id", "crv_b", "name", "Ad one"), Map.of("group_id", gid, "creative_id", file),
                Map.of("creative_id", CREATIVE))));

        restart();

        assertThat(found("ads.create_campaign", "exe_1")).isEqualTo(cid);
        assertThat(found("ads.create_group", "exe_2")).isEqualTo(gid);
        assertThat(found("ads.create_ad", "exe_4")).isEqualTo(ad);
        ProviderOutcome report = adapter.execute(request(NOW, "ads.fetch_report", "exe_5", Map.of("campaign_id", "cmp_b",
                "since", "2026-11-20", "until", "2026-11-20", "granularity", "day"), Map.of("campaign_id", cid)));
        // created today with a 500.00 lifetime limit: a tenth of it delivered today
        assertThat(report).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class, ok -> assertThat(ok.rows())
                .containsExactly(new ReportRow(LocalDate.parse("2026-11-20"), cid, 3_225, 64, 1_612, "USD")));
        ProviderOutcome paused = adapter.execute(request(NOW, "ads.pause_campaign", "exe_6",
                Map.of("campaign_id", "cmp_b"), Map.of("campaign_id", cid)));
        assertThat(paused).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class,
                ok -> assertThat(ok.data()).containsEntry("status", "paused"));

        restart();

        assertThat(sim.campaigns("act_42")).extracting(SimulatedCampaign::id, SimulatedCampaign::status,
                SimulatedCampaign::endTime).containsExactly(org.assertj.core.groups.Tuple.tuple(cid, "paused",
                        Instant.parse("2026-12-21T00:00:00Z")));
        assertThat(sim.campaignCount("act_42")).isEqualTo(1);
    }

    @Test
    void anUpdateMadeBeforeARestartIsWhatTheCampaignHoldsAfterIt() {
        String cid = made(adapter.execute(request(NOW, "ads.create_campaign", "exe_1", CAMPAIGN, Map.of())));
        made(adapter.execute(request(NOW, "ads.update_campaign", "exe_2", Map.of("campaign_id", "cmp_b",
                "name", "Summer boots", "budget", Map.of("amount_minor", 70_000, "currency", "USD", "period", "lifetime"),
                "end_time", "2026-12-01T00:00:00Z"), Map.of("campaign_id", cid))));

        restart();

        assertThat(adapter.reconcile("ads.create_campaign", "exe_1")).isInstanceOfSatisfying(
                ProviderOutcome.Succeeded.class, ok -> assertThat(ok.data()).containsEntry("provider_name",
                        "Summer boots [exe_1]"));
        assertThat(sim.campaigns("act_42")).singleElement().satisfies(c -> {
            assertThat(c.budget()).isEqualByComparingTo("700");
            assertThat(c.endTime()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
        });
    }

    @Test
    void aFileUploadedBeforeARestartMakesAnAdAfterItAndNewIdsNeverRepeatOldOnes() {
        String cid = made(adapter.execute(request(NOW, "ads.create_campaign", "exe_1", CAMPAIGN, Map.of())));
        String gid = made(adapter.execute(request(NOW, "ads.create_group", "exe_2", Map.of("campaign_id", "cmp_b",
                "name", "Hikers"), Map.of("campaign_id", cid))));
        String file = made(adapter.execute(request(NOW, "ads.create_creative", "exe_3", CREATIVE, Map.of())));

        restart();

        String ad = made(adapter.execute(request(NOW, "ads.create_ad", "exe_4", Map.of("group_id", "grp_b",
                "creative_id", "crv_b", "name", "Ad one"), Map.of("group_id", gid, "creative_id", file),
                Map.of("creative_id", CREATIVE))));
        String second = made(adapter.execute(request(NOW, "ads.create_campaign", "exe_5", CAMPAIGN, Map.of())));
        List<String> serials = List.of(cid, gid, file, ad, second).stream().map(id -> id.substring(id.indexOf('_') + 1))
                .toList();
        assertThat(serials).doesNotHaveDuplicates();
        assertThat(sim.campaignCount("act_42")).isEqualTo(2);
    }

    @Test
    void theJournalHoldsNoKeyAndARestartedSimulatorKnowsNoKeyUntilTheAccountIsProvisioned() throws IOException {
        String cid = made(adapter.execute(request(NOW, "ads.create_campaign", "exe_1", CAMPAIGN, Map.of())));
        sim.close();
        assertThat(Files.readString(journal)).contains(cid).doesNotContain(KEY);

        sim = new OpenAiAdsSimulator(Clock.fixed(NOW, ZoneOffset.UTC));
        sim.keepStateIn(journal).start();
        ProviderAccountContext account = new ProviderAccountContext("pac_1", "openaiads", SCOPE,
                new ProviderCredentials(Map.of("api_key", KEY)), sim.baseUrl().toString());
        adapter = new OpenAiAdsAdapter(new ProviderHttp(), sim.baseUrl(), account, Duration.ofMillis(10));
        assertThat(adapter.execute(request(NOW, "ads.pause_campaign", "exe_2", Map.of("campaign_id", "cmp_b"),
                Map.of("campaign_id", cid)))).isInstanceOfSatisfying(ProviderOutcome.Rejected.class,
                        r -> assertThat(r.kind()).isEqualTo(RejectionKind.AUTH_FAILED));

        sim.provision(SCOPE, Map.of("api_key", KEY));
        assertThat(adapter.execute(request(NOW, "ads.pause_campaign", "exe_2", Map.of("campaign_id", "cmp_b"),
                Map.of("campaign_id", cid)))).isInstanceOf(ProviderOutcome.Succeeded.class);
        assertThat(Files.readString(journal)).doesNotContain(KEY);
    }
}
