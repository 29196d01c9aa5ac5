package dev.minutework.broker.providers.metaads;

import static dev.minutework.broker.providers.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.provider.ProviderAccountContext;
import dev.minutework.broker.core.provider.ProviderCredentials;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ReportRow;
import dev.minutework.broker.providers.http.ProviderHttp;
import dev.minutework.broker.sim.metaads.MetaAdsSimulator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker restarts: the Meta simulator it runs is closed and a new one opens the same journal
 * ({@code <data dir>/simulators/metaads.jsonl}); once the broker provisions the account again, the
 * adapter finds, pauses and reports on what it made before.
 */
class MetaAdsRestartContractTest {

    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final String TOKEN = "EAAB-meta-restart-token-0123456789";
    static final String SECRET = "meta-restart-app-secret-abcdef";
    static final String ACT = "act_4242";
    static final String PAGE = "1010101010";
    static final Map<String, String> SCOPE = Map.of("ad_account_id", ACT, "page_id", PAGE);
    static final Map<String, String> CREDENTIALS = Map.of("access_token", TOKEN, "app_secret", SECRET);

    @TempDir
    Path dataDir;
    MetaAdsSimulator sim;

    @AfterEach
    void stop() {
        if (sim != null) {
            sim.close();
        }
    }

    /** A simulator as the broker starts it: on the journal, then the account provisioned. */
    private MetaAdsSimulator brokerStarts() {
        MetaAdsSimulator s = new MetaAdsSimulator(Clock.fixed(NOW, ZoneOffset.UTC));
        s.keepStateIn(dataDir.resolve("simulators/metaads.jsonl"));
        s.start();
        s.provision(SCOPE, CREDENTIALS);
        return s;
    }

    private MetaAdsAdapter adapter() {
        ProviderAccountContext account = new ProviderAccountContext("pac_1", "metaads", SCOPE,
                new ProviderCredentials(CREDENTIALS), sim.baseUrl().toString());
        return new MetaAdsAdapter(new ProviderHttp(), sim.baseUrl(), account, Duration.ofMillis(10));
    }

    private String made(ProviderOutcome out) {
        assertThat(out).isInstanceOf(ProviderOutcome.Succeeded.class);
        return ((ProviderOutcome.Succeeded) out).providerObjectId();
    }

    @Test
    void aCampaignMadeBeforeARestartIsFoundPausedAndReportedOnAfterIt() throws IOException {
        sim = brokerStarts();
        MetaAdsAdapter before = adapter();
        String cid = made(before.execute(request(NOW, "ads.create_campaign", "exe_1", Map.of("name", "Daily boots",
                "status", "active", "objective", "traffic",
                "budget", Map.of("amount_minor", 5_000, "currency", "USD", "period", "daily")), Map.of())));
        String gid = made(before.execute(request(NOW, "ads.create_group", "exe_2", Map.of("campaign_id", "cmp_b",
                "name", "Hikers", "targeting", Map.of("countries", List.of("US"))), Map.of("campaign_id", cid))));
        String crid = made(before.execute(request(NOW, "ads.create_creative", "exe_3", Map.of("name", "Card",
                "headline", "Boots for winter", "body", "Warm and dry.", "image_url", "https://cdn.example.test/boot.png",
                "landing_url", "https://shop.example.test/boots"), Map.of())));
        String adId = made(before.execute(request(NOW, "ads.create_ad", "exe_4", Map.of("group_id", "grp_b",
                "creative_id", "crv_b", "name", "Ad one"), Map.of("group_id", gid, "creative_id", crid))));
        sim.close();

        sim = brokerStarts();
        MetaAdsAdapter after = adapter();

        assertThat(after.reconcile("ads.create_campaign", "exe_1")).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class,
                found -> {
                    assertThat(found.providerObjectId()).isEqualTo(cid);
                    assertThat(found.data()).containsEntry("status", "active");
                });
        assertThat(made(after.reconcile("ads.create_group", "exe_2"))).isEqualTo(gid);
        assertThat(made(after.reconcile("ads.create_creative", "exe_3"))).isEqualTo(crid);
        assertThat(made(after.reconcile("ads.create_ad", "exe_4"))).isEqualTo(adId);
        // 50.00 a day, created today: 40.00 spent today
        assertThat(after.execute(request(NOW, "ads.fetch_report", "exe_5", Map.of("campaign_id", "cmp_b",
                "since", "2026-11-20", "until", "2026-11-20", "granularity", "day"), Map.of("campaign_id", cid))))
                .isInstanceOfSatisfying(ProviderOutcome.Succeeded.class, ok -> assertThat(ok.rows()).containsExactly(
                        new ReportRow(LocalDate.parse("2026-11-20"), cid, 20_000, 200, 4_000, "USD")));
        assertThat(after.execute(request(NOW, "ads.pause_campaign", "exe_6", Map.of("campaign_id", "cmp_b"),
                Map.of("campaign_id", cid)))).isEqualTo(new ProviderOutcome.Succeeded(cid, Map.of("status", "paused"),
                List.of()));
        // a new object after the restart gets a new id
        String next = made(after.execute(request(NOW, "ads.create_campaign", "exe_7", Map.of("name", "More boots",
                "objective", "traffic", "budget", Map.of("amount_minor", 1_000, "currency", "USD", "period", "daily")),
                Map.of())));
        assertThat(List.of(cid, gid, crid, adId)).doesNotContain(next);
        sim.close();

        sim = brokerStarts();
        assertThat(sim.object(cid)).as("the pause survives the next restart").containsEntry("status", "PAUSED");
        assertThat(sim.campaignCount(ACT)).isEqualTo(2);
        String journal = Files.readString(dataDir.resolve("simulators/metaads.jsonl"), StandardCharsets.UTF_8);
        assertThat(journal).doesNotContain(TOKEN).doesNotContain(SECRET)
                .doesNotContain(MetaAdsSimulator.proof(SECRET, TOKEN));
    }
}
