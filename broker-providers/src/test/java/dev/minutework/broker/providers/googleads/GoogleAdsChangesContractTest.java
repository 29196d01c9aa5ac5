package dev.minutework.broker.providers.googleads;

import static dev.minutework.broker.providers.Requests.request;
import static dev.minutework.broker.providers.googleads.SimulatedGoogleAds.CID;
import static dev.minutework.broker.providers.googleads.SimulatedGoogleAds.DESCRIPTIONS;
import static dev.minutework.broker.providers.googleads.SimulatedGoogleAds.HEADLINES;
import static dev.minutework.broker.providers.googleads.SimulatedGoogleAds.NOW;
import static dev.minutework.broker.providers.googleads.SimulatedGoogleAds.made;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.minutework.broker.core.json.JsonParser;
import dev.minutework.broker.core.provider.ProviderChange;
import dev.minutework.broker.core.provider.ProviderChange.Kind;
import dev.minutework.broker.sim.SimRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Google has no webhooks: the adapter lists what changed since a time from {@code change_status}
 * and reads the changed campaigns' status and ads' approval, against the simulator.
 */
class GoogleAdsChangesContractTest {

    @TempDir
    Path dir;

    @Test
    void listsCampaignsChangedAtGoogleSinceATimeWithTheirCurrentStatus() {
        try (SimulatedGoogleAds g = new SimulatedGoogleAds()) {
            String first = g.campaign("exe_c1");
            g.clock.advance(Duration.ofMinutes(10));
            String second = made(g.execute("ads.create_campaign", "exe_c2", Map.of("name", "Spring boots",
                    "budget", Map.of("amount_minor", 20_000, "currency", "USD", "period", "daily")), Map.of()));
            g.clock.advance(Duration.ofMinutes(10));
            g.sim.changeCampaignStatus(CID, first, "ENABLED");
            g.clock.advance(Duration.ofMinutes(1));
            g.sim.changeCampaignStatus(CID, second, "REMOVED");
            g.clock.advance(Duration.ofMinutes(1));

            List<ProviderChange> all = g.adapter.changesSince(NOW).orElseThrow();
            // one row per object, its last change only, oldest first
            assertThat(all).extracting(ProviderChange::kind, ProviderChange::providerObjectId, ProviderChange::value,
                    ProviderChange::changedAt).containsExactly(
                            tuple(Kind.CAMPAIGN_STATUS, first, "active",
                                    NOW.plus(Duration.ofMinutes(20))),
                            tuple(Kind.CAMPAIGN_STATUS, second, "removed_at_provider",
                                    NOW.plus(Duration.ofMinutes(21))));
            assertThat(all.getFirst().changeId()).startsWith("customers/" + CID + "/changeStatus/")
                    .contains("@2026-11-20 07:20:00"); // the account's time zone (New York)

            // since a time: only what changed at or after it; the same change keeps its id
            List<ProviderChange> later = g.adapter.changesSince(NOW.plus(Duration.ofMinutes(21))).orElseThrow();
            assertThat(later).extracting(ProviderChange::providerObjectId).containsExactly(second);
            assertThat(later.getFirst().changeId()).isEqualTo(all.get(1).changeId());

            SimRequest query = g.sim.requests().stream().filter(r -> r.path().endsWith("googleAds:search"))
                    .filter(r -> r.body().contains("change_status")).reduce((a, b) -> b).orElseThrow();
            assertThat((String) JsonParser.parseObject(query.body()).get("query"))
                    .contains("WHERE change_status.last_change_date_time >= '2026-11-20 07:21:00'")
                    .endsWith("ORDER BY change_status.last_change_date_time LIMIT 10000");
        }
    }

    @Test
    void listsAnAdsReviewOnceGoogleDecidedIt() {
        try (SimulatedGoogleAds g = new SimulatedGoogleAds()) {
            String campaign = g.campaign("exe_a1");
            String group = made(g.group("exe_a2", campaign, "Hikers", Map.of("countries", List.of("US"))));
            Map<String, Object> creative = GoogleAdsAdapterContractTest.creative(HEADLINES, DESCRIPTIONS);
            String asset = made(g.execute("ads.create_creative", "exe_a3", creative, Map.of()));
            String ad = made(g.adapter.execute(request(NOW, "ads.create_ad", "exe_a4", Map.of("group_id", "grp_b",
                    "creative_id", "crv_b", "name", "Ad one"), Map.of("group_id", group, "creative_id", asset),
                    Map.of("creative_id", creative))));
            // still in review: nothing to say about the ad
            assertThat(g.adapter.changesSince(NOW).orElseThrow()).extracting(ProviderChange::kind)
                    .containsExactly(Kind.CAMPAIGN_STATUS);

            g.clock.advance(Duration.ofMinutes(5));
            g.sim.reviewAd(CID, ad, "DISAPPROVED");
            assertThat(g.adapter.changesSince(NOW.plus(Duration.ofMinutes(1))).orElseThrow())
                    .extracting(ProviderChange::kind, ProviderChange::providerObjectId, ProviderChange::value)
                    .containsExactly(tuple(Kind.AD_REVIEW, ad, "rejected"));
        }
    }

    @Test
    void movesASinceOlderThanGoogleKeepsChangesForward() {
        try (SimulatedGoogleAds g = new SimulatedGoogleAds()) {
            g.campaign("exe_o1");
            assertThat(g.adapter.changesSince(NOW.minus(Duration.ofDays(400))).orElseThrow()).hasSize(1);
        }
    }

    @Test
    void aPollThatCannotReachGoogleIsUnavailableNotEmpty() {
        try (SimulatedGoogleAds g = new SimulatedGoogleAds()) {
            g.sim.revokeRefreshToken(SimulatedGoogleAds.CREDENTIALS.get("refresh_token"));
            g.sim.expireAccessTokens();
            assertThatThrownBy(() -> g.adapter.changesSince(NOW)).isInstanceOf(ProviderChange.Unavailable.class)
                    .satisfies(e -> SimulatedGoogleAds.CREDENTIALS.values()
                            .forEach(secret -> assertThat(e.getMessage()).doesNotContain(secret)));
        }
    }

    @Test
    void changesSurviveASimulatorRestart() throws Exception {
        Path journal = dir.resolve("googleads.jsonl");
        MutableClock clock = new MutableClock(NOW);
        String campaign;
        try (SimulatedGoogleAds before = new SimulatedGoogleAds(clock, null, journal)) {
            campaign = before.campaign("exe_s1");
            clock.advance(Duration.ofMinutes(3));
            before.sim.changeCampaignStatus(CID, campaign, "ENABLED");
        }
        try (SimulatedGoogleAds after = new SimulatedGoogleAds(clock, null, journal)) {
            assertThat(after.adapter.changesSince(NOW).orElseThrow())
                    .extracting(ProviderChange::providerObjectId, ProviderChange::value, ProviderChange::changedAt)
                    .containsExactly(tuple(campaign, "active", NOW.plus(Duration.ofMinutes(3))));
        }
        assertThat(Files.readString(journal)).contains("_changedAt");
    }
}
