package dev.minutework.broker.providers.tiktokads;

import static dev.minutework.broker.providers.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.provider.ProviderAccountContext;
import dev.minutework.broker.core.provider.ProviderCredentials;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ProviderOutcome.RejectionKind;
import dev.minutework.broker.core.provider.ProviderRequest;
import dev.minutework.broker.core.provider.ReportRow;
import dev.minutework.broker.providers.http.ProviderHttp;
import dev.minutework.broker.sim.tiktokads.TikTokAdsSimulator;
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
 * The TikTok simulator keeping its advertisers in a journal, as the broker runs it: objects made
 * through the adapter before the simulator stops are found, changed and reported on through the
 * adapter after a new simulator opens the same journal and the advertiser is provisioned again, and
 * an ad group create repeated with its {@code request_id} still answers the ad group it made.
 */
class TikTokAdsRestartTest {

    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final String TOKEN = "act.tiktok-restart-token-0123456789abcdef";
    static final String ADVERTISER = "7000000000000000001";
    static final Map<String, String> SCOPE = Map.of("advertiser_id", ADVERTISER);

    @TempDir
    Path dir;
    Path journal;
    TikTokAdsSimulator sim;
    TikTokAdsAdapter adapter;

    @BeforeEach
    void start() {
        journal = dir.resolve("simulators/tiktokads.jsonl");
        restart();
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    /** Stops the running simulator, if any, and starts a new one on the same journal with the advertiser provisioned. */
    private void restart() {
        if (sim != null) {
            sim.close();
        }
        sim = new TikTokAdsSimulator(Clock.fixed(NOW, ZoneOffset.UTC));
        sim.keepStateIn(journal).start();
        sim.provision(SCOPE, Map.of("access_token", TOKEN));
        adapter = adapter();
    }

    private TikTokAdsAdapter adapter() {
        ProviderAccountContext account = new ProviderAccountContext("pac_1", "tiktokads", SCOPE,
                new ProviderCredentials(Map.of("access_token", TOKEN)), sim.baseUrl().toString());
        return new TikTokAdsAdapter(new ProviderHttp(), sim.baseUrl(), account, Duration.ofMillis(10),
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    /** 100.00 a day: a whole amount, which the journal gives back as an integer. */
    static final Map<String, Object> CAMPAIGN = Map.of("name", "Winter boots", "objective", "traffic", "status", "active",
            "budget", Map.of("amount_minor", 10_000, "currency", "USD", "period", "daily"));
    static final Map<String, Object> GROUP = Map.of("campaign_id", "cmp_b", "name", "Hikers",
            "bid", Map.of("amount_minor", 150, "currency", "USD"), "targeting", Map.of("countries", List.of("US", "GB")));
    static final Map<String, Object> CREATIVE = Map.of("name", "Card", "headlines", List.of("Boots for winter"),
            "descriptions", List.of("Warm and dry."), "image_url", "https://cdn.example.test/boot.png",
            "landing_url", "https://shop.example.test/boots", "call_to_action", "shop_now");

    private String made(ProviderOutcome out) {
        assertThat(out).isInstanceOf(ProviderOutcome.Succeeded.class);
        return ((ProviderOutcome.Succeeded) out).providerObjectId();
    }

    private ProviderRequest group(String ref, String cid) {
        return request(NOW, "ads.create_group", ref, GROUP, Map.of("campaign_id", cid), Map.of("campaign_id", CAMPAIGN));
    }

    private ProviderRequest ad(String ref, String gid, String image, String status) {
        return request(NOW, "ads.create_ad", ref, Map.of("group_id", "grp_b", "creative_id", "crv_b", "name", "Ad one",
                "status", status), Map.of("group_id", gid, "creative_id", image), Map.of("creative_id", CREATIVE));
    }

    @Test
    void aCampaignMadeBeforeARestartIsFoundReportedOnAndPausedAfterIt() {
        String cid = made(adapter.execute(request(NOW, "ads.create_campaign", "exe_1", CAMPAIGN, Map.of())));
        String gid = made(adapter.execute(group("exe_2", cid)));
        String image = made(adapter.execute(request(NOW, "ads.create_creative", "exe_3", CREATIVE, Map.of())));
        String ad = made(adapter.execute(ad("exe_4", gid, image, "paused")));

        restart();

        assertThat(made(adapter.reconcile("ads.create_campaign", "exe_1"))).isEqualTo(cid);
        assertThat(made(adapter.reconcile("ads.create_group", "exe_2"))).isEqualTo(gid);
        assertThat(adapter.reconcile("ads.create_ad", "exe_4")).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class,
                ok -> {
                    assertThat(ok.providerObjectId()).isEqualTo(ad);
                    assertThat(ok.data()).as("disabled before the restart").containsEntry("status", "paused");
                });
        ProviderOutcome report = adapter.execute(request(NOW, "ads.fetch_report", "exe_5", Map.of("campaign_id", "cmp_b",
                "since", "2026-11-19", "until", "2026-11-20", "granularity", "day"), Map.of("campaign_id", cid)));
        // created today with 100.00 a day: the simulator delivers half of it today
        assertThat(report).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class, ok -> assertThat(ok.rows())
                .containsExactly(new ReportRow(LocalDate.parse("2026-11-20"), cid, 10_000, 200, 5_000, "USD")));
        assertThat(adapter.execute(request(NOW, "ads.pause_campaign", "exe_6", Map.of("campaign_id", "cmp_b"),
                Map.of("campaign_id", cid)))).isEqualTo(new ProviderOutcome.Succeeded(cid, Map.of("status", "paused"),
                        List.of()));

        restart();

        assertThat(adapter.reconcile("ads.create_campaign", "exe_1")).isInstanceOfSatisfying(
                ProviderOutcome.Succeeded.class, ok -> assertThat(ok.data()).containsEntry("status", "paused"));
        assertThat(sim.campaignCount(ADVERTISER)).isEqualTo(1);
        assertThat(sim.adCount(ADVERTISER)).isEqualTo(1);
    }

    @Test
    void anAdGroupCreateRepeatedAfterARestartAnswersTheGroupItMadeBefore() {
        String cid = made(adapter.execute(request(NOW, "ads.create_campaign", "exe_1", CAMPAIGN, Map.of())));
        String gid = made(adapter.execute(group("exe_2", cid)));

        restart();

        sim.clearRequests();
        assertThat(made(adapter.execute(group("exe_2", cid)))).isEqualTo(gid);
        assertThat(sim.requests().getLast().jsonObject()).containsEntry("request_id", TikTokAdsAdapter.requestId("exe_2"));
        assertThat(sim.adGroupCount(ADVERTISER)).isEqualTo(1);
    }

    @Test
    void anImageUploadedBeforeARestartMakesAnAdAfterItAndNewIdsNeverRepeatOldOnes() {
        String cid = made(adapter.execute(request(NOW, "ads.create_campaign", "exe_1", CAMPAIGN, Map.of())));
        String gid = made(adapter.execute(group("exe_2", cid)));
        String image = made(adapter.execute(request(NOW, "ads.create_creative", "exe_3", CREATIVE, Map.of())));

        restart();

        String ad = made(adapter.execute(ad("exe_4", gid, image, "active")));
        String second = made(adapter.execute(request(NOW, "ads.create_campaign", "exe_5",
                Map.of("name", "Summer boots", "budget", Map.of("amount_minor", 10_000, "currency", "USD", "period", "daily")),
                Map.of())));
        String secondImage = made(adapter.execute(request(NOW, "ads.create_creative", "exe_6", CREATIVE, Map.of())));
        assertThat(List.of(cid, gid, ad, second)).doesNotHaveDuplicates().allMatch(id -> id.matches("[0-9]{19}"));
        assertThat(secondImage).isNotEqualTo(image);
        assertThat(sim.campaignCount(ADVERTISER)).isEqualTo(2);
        assertThat(sim.imageCount(ADVERTISER)).isEqualTo(2);
    }

    @Test
    void aBudgetChangedBeforeARestartIsWhatTheGroupsAndReportsSeeAfterIt() {
        String cid = made(adapter.execute(request(NOW, "ads.create_campaign", "exe_1", CAMPAIGN, Map.of())));
        made(adapter.execute(request(NOW, "ads.update_campaign", "exe_2", Map.of("campaign_id", "cmp_b",
                "budget", Map.of("amount_minor", 20_050, "currency", "USD", "period", "daily")), Map.of("campaign_id", cid))));

        restart();

        sim.clearRequests();
        made(adapter.execute(group("exe_3", cid)));
        assertThat(sim.requests().getLast().jsonObject().get("budget").toString()).isEqualTo("200.5");
        ProviderOutcome report = adapter.execute(request(NOW, "ads.fetch_report", "exe_4", Map.of("campaign_id", "cmp_b",
                "since", "2026-11-20", "until", "2026-11-20", "granularity", "total"), Map.of("campaign_id", cid)));
        assertThat(report).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class, ok -> assertThat(ok.rows())
                .extracting(ReportRow::spendMinor).containsExactly(10_025L));
    }

    @Test
    void theJournalHoldsNoTokenAndARestartedSimulatorKnowsNoTokenUntilTheAdvertiserIsProvisioned() throws IOException {
        String cid = made(adapter.execute(request(NOW, "ads.create_campaign", "exe_1", CAMPAIGN, Map.of())));
        sim.close();
        assertThat(Files.readString(journal)).contains(cid).doesNotContain(TOKEN);

        sim = new TikTokAdsSimulator(Clock.fixed(NOW, ZoneOffset.UTC));
        sim.keepStateIn(journal).start();
        adapter = adapter();
        assertThat(adapter.execute(request(NOW, "ads.pause_campaign", "exe_2", Map.of("campaign_id", "cmp_b"),
                Map.of("campaign_id", cid)))).isInstanceOfSatisfying(ProviderOutcome.Rejected.class,
                        r -> assertThat(r.kind()).isEqualTo(RejectionKind.AUTH_FAILED));

        sim.provision(SCOPE, Map.of("access_token", TOKEN));
        assertThat(adapter.execute(request(NOW, "ads.pause_campaign", "exe_2", Map.of("campaign_id", "cmp_b"),
                Map.of("campaign_id", cid)))).isInstanceOf(ProviderOutcome.Succeeded.class);
        assertThat(Files.readString(journal)).doesNotContain(TOKEN);
    }
}
