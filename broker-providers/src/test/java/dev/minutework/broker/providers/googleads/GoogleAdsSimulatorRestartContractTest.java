package dev.minutework.broker.providers.googleads;

import static dev.minutework.broker.providers.Requests.request;
import static dev.minutework.broker.providers.googleads.SimulatedGoogleAds.CID;
import static dev.minutework.broker.providers.googleads.SimulatedGoogleAds.CREDENTIALS;
import static dev.minutework.broker.providers.googleads.SimulatedGoogleAds.DESCRIPTIONS;
import static dev.minutework.broker.providers.googleads.SimulatedGoogleAds.HEADLINES;
import static dev.minutework.broker.providers.googleads.SimulatedGoogleAds.NOW;
import static dev.minutework.broker.providers.googleads.SimulatedGoogleAds.made;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ReportRow;
import dev.minutework.broker.providers.http.ProviderHttp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulator keeps its objects in a journal: after a restart (the broker's), a new simulator on
 * the same file with the customer provisioned again serves the same campaign to the adapter, which
 * finds it by reference, pauses it and reports on it.
 */
class GoogleAdsSimulatorRestartContractTest {

    @TempDir
    Path dir;

    @Test
    void aCampaignMadeBeforeARestartIsFoundPausedAndReportedOnAfterIt() throws Exception {
        Path journal = dir.resolve("simulators/googleads.jsonl");
        MutableClock clock = new MutableClock(NOW);
        GoogleAdsAdapterFactory factory = new GoogleAdsAdapterFactory(new ProviderHttp(), url -> GoogleAdsAdapterContractTest.PNG,
                clock);
        String campaign;
        String group;
        String ad;
        List<Integer> counts;
        try (SimulatedGoogleAds before = new SimulatedGoogleAds(clock, factory, journal)) {
            campaign = made(before.execute("ads.create_campaign", "exe_r1",
                    GoogleAdsAdapterContractTest.campaign(50_000, "daily", "active"), Map.of()));
            group = made(before.group("exe_r2", campaign, "Hikers", Map.of("countries", List.of("US"),
                    "languages", List.of("en"))));
            Map<String, Object> creative = GoogleAdsAdapterContractTest.creative(HEADLINES, DESCRIPTIONS);
            String asset = made(before.execute("ads.create_creative", "exe_r3", creative, Map.of()));
            ad = made(before.adapter.execute(request(NOW, "ads.create_ad", "exe_r4", Map.of("group_id", "grp_b",
                    "creative_id", "crv_b", "name", "Ad one"), Map.of("group_id", group, "creative_id", asset),
                    Map.of("creative_id", creative))));
            counts = before.counts();
            assertThat(counts).containsExactly(1, 1, 1, 2, 1, 1);
        }
        clock.advance(Duration.ofDays(1)); // the access token the factory's session holds is long dead

        try (SimulatedGoogleAds after = new SimulatedGoogleAds(clock, factory, journal)) {
            assertThat(after.counts()).isEqualTo(counts);
            assertThat(after.sim.campaignCriteria(CID, campaign)).extracting(c -> c.get("type"))
                    .containsExactly("LOCATION", "LANGUAGE");

            assertThat(after.adapter.reconcile("ads.create_campaign", "exe_r1"))
                    .isInstanceOfSatisfying(ProviderOutcome.Succeeded.class, ok -> {
                        assertThat(ok.providerObjectId()).isEqualTo(campaign);
                        assertThat(ok.data()).containsEntry("status", "active");
                    });
            assertThat(after.adapter.reconcile("ads.create_group", "exe_r2"))
                    .isInstanceOfSatisfying(ProviderOutcome.Succeeded.class, ok -> assertThat(ok.providerObjectId()).isEqualTo(group));
            assertThat(after.adapter.reconcile("ads.create_ad", "exe_r4"))
                    .isInstanceOfSatisfying(ProviderOutcome.Succeeded.class, ok -> assertThat(ok.providerObjectId()).isEqualTo(ad));

            ProviderOutcome report = after.execute("ads.fetch_report", "exe_r5", Map.of("campaign_id", "cmp_b",
                    "since", "2026-11-19", "until", "2026-11-22", "granularity", "day"), Map.of("campaign_id", campaign));
            // created 2026-11-20 (New York), active since: half of 500.00 a day, today (11-21) included
            assertThat(((ProviderOutcome.Succeeded) report).rows()).containsExactly(
                    new ReportRow(LocalDate.parse("2026-11-20"), campaign, 50_000, 1_000, 25_000, "USD"),
                    new ReportRow(LocalDate.parse("2026-11-21"), campaign, 50_000, 1_000, 25_000, "USD"));

            assertThat(after.execute("ads.pause_campaign", "exe_r6", Map.of("campaign_id", "cmp_b"),
                    Map.of("campaign_id", campaign))).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class,
                            ok -> assertThat(ok.data()).containsEntry("status", "paused"));
            assertThat(after.sim.campaign(CID, campaign)).containsEntry("status", "PAUSED");

            // new objects continue after the ids handed out before the restart
            String next = made(after.execute("ads.create_campaign", "exe_r7", Map.of("name", "Spring boots",
                    "budget", Map.of("amount_minor", 20_000, "currency", "USD", "period", "daily")), Map.of()));
            assertThat(Long.parseLong(next)).isGreaterThan(Long.parseLong(ad.substring(ad.indexOf('~') + 1)));
        }

        // and the pause survives the next restart too; no credential or token was ever written
        try (SimulatedGoogleAds again = new SimulatedGoogleAds(clock, factory, journal)) {
            assertThat(again.sim.campaign(CID, campaign)).containsEntry("status", "PAUSED");
            assertThat(again.counts()).containsExactly(2, 2, 1, 2, 1, 1);
        }
        String kept = Files.readString(journal, StandardCharsets.UTF_8);
        for (String secret : CREDENTIALS.values()) {
            assertThat(kept).doesNotContain(secret);
        }
        assertThat(kept).doesNotContain("ya29.");
    }
}
