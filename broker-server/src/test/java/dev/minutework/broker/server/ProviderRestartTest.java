package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.support.Broker;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Story;
import dev.minutework.broker.server.support.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * The embedded run's promise across a restart: campaigns made on the local simulators before it
 * are still there after it (the simulators keep their objects in the data directory), so a
 * campaign can still be paused and its money released. And when the provider no longer has a
 * campaign — here its simulator's state is deleted while the broker is down, as a campaign deleted
 * at the real provider would be — the campaign is marked {@code removed_at_provider} with a
 * receipt, and nothing stays held for it.
 */
class ProviderRestartTest {

    /** A tenant with an active campaign of {@code provider}, made and approved on a first broker. */
    private record Before(String jdbcUrl, Path dataDir, Story.Tenant tenant, String campaignId) {}

    private static Before campaignBeforeRestart(String provider) {
        String db = TestPostgres.newDatabase("restart_" + provider);
        Path dir = Broker.tempDir();
        try (Broker first = Broker.startWithSimulators(db, dir)) {
            Story story = new Story(first.http());
            Story.Tenant t = story.tenant("Restart " + provider, Story.Setup.ready().provider(provider));
            String end = Instant.now().plus(20, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
            Http.Response asked = expect(202, story.execute(t.runtimeKey(), provider, "ads.create_campaign", "launch",
                    Map.of("name", "Winter boots", "status", "active", "end_time", end,
                            "budget", Map.of("amount_minor", 50_000, "currency", "USD", "period", "lifetime"))));
            JsonNode made = expect(200, first.http().post("/v1/approvals/" + asked.text("/approval_id") + "/approve",
                    t.approverKey(), null)).at("/execution");
            assertThat(made.get("status").asString()).as("create: %s", made).isEqualTo("succeeded");
            assertThat(story.wallet(t).get("reserved_minor").asLong()).isEqualTo(50_000);
            return new Before(db, dir, t, made.at("/result/object_id").asString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openaiads", "googleads", "metaads", "tiktokads"})
    void aCampaignMadeBeforeARestartIsPausedAfterIt(String provider) {
        Before before = campaignBeforeRestart(provider);
        try (Broker again = Broker.startWithSimulators(before.jdbcUrl(), before.dataDir())) {
            Story story = new Story(again.http());
            Story.Tenant t = before.tenant();
            Http.Response pause = story.execute(t.runtimeKey(), provider, "ads.pause_campaign", "pause",
                    Map.of("campaign_id", before.campaignId()));
            expect(202, pause);
            JsonNode paused = expect(200, again.http().post("/v1/approvals/" + pause.text("/approval_id") + "/approve",
                    t.approverKey(), null)).at("/execution");
            assertThat(paused.get("status").asString()).as("pause after the restart: %s", paused)
                    .isEqualTo("succeeded");
            assertThat(story.wallet(t).get("reserved_minor").asLong()).isZero();
            JsonNode campaign = expect(200, again.http().get("/v1/ads/campaigns", t.viewerKey())).at("/campaigns/0");
            assertThat(campaign.get("status").asString()).isEqualTo("paused");
            assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openaiads", "googleads", "metaads", "tiktokads"})
    void aCampaignTheProviderNoLongerHasIsMarkedRemovedAndReleasesItsMoney(String provider) throws Exception {
        Before before = campaignBeforeRestart(provider);
        // while the broker is down, the provider loses the campaign
        Files.delete(before.dataDir().resolve("simulators").resolve(provider + ".jsonl"));
        try (Broker again = Broker.startWithSimulators(before.jdbcUrl(), before.dataDir())) {
            Story story = new Story(again.http());
            Story.Tenant t = before.tenant();
            Http.Response pause = story.execute(t.runtimeKey(), provider, "ads.pause_campaign", "pause",
                    Map.of("campaign_id", before.campaignId()));
            if (!List.of("googleads", "metaads").contains(provider)) {
                // no dry run at this provider: the approved pause finds the campaign gone
                expect(202, pause);
                JsonNode failed = expect(200, again.http().post("/v1/approvals/" + pause.text("/approval_id")
                        + "/approve", t.approverKey(), null)).at("/execution");
                assertThat(failed.get("status").asString()).isEqualTo("failed");
                assertThat(failed.at("/error/kind").asString()).isEqualTo("not_found");
                assertThat(failed.at("/error/campaign_status").asString()).isEqualTo("removed_at_provider");
            } else {
                // the provider's dry run (validateOnly, validate_only) finds it gone: no approver is asked at all
                expect(404, pause);
                assertThat(pause.at("/error/details/status").asString()).isEqualTo("removed_at_provider");
            }
            JsonNode campaign = expect(200, again.http().get("/v1/ads/campaigns", t.viewerKey())).at("/campaigns/0");
            assertThat(campaign.get("status").asString()).isEqualTo("removed_at_provider");
            assertThat(story.wallet(t).get("reserved_minor").asLong()).as("nothing is held for it").isZero();
            assertThat(story.receiptPayloads(t, "campaign.removed_at_provider")).singleElement().satisfies(p -> {
                assertThat(p.get("campaign_id").asString()).isEqualTo(before.campaignId());
                assertThat(p.get("released_reservations").asInt()).isEqualTo(1);
            });
            // it can no longer be changed through the broker
            Http.Response again2 = expect(404, story.execute(t.runtimeKey(), provider, "ads.update_campaign", "update",
                    Map.of("campaign_id", before.campaignId(), "name", "Renamed")));
            assertThat(again2.text("/error/message")).contains("removed_at_provider");
            assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
        }
    }
}
