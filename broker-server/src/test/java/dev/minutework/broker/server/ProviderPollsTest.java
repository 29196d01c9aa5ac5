package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.routing.LocalSimulators;
import dev.minutework.broker.server.support.Broker;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Story;
import dev.minutework.broker.server.webhooks.ProviderPolls;
import dev.minutework.broker.core.receipt.AuditLog;
import dev.minutework.broker.server.receipts.AuditVerifier;
import dev.minutework.broker.server.webhooks.WebhookEvents;
import dev.minutework.broker.sim.googleads.GoogleAdsSimulator;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Google Ads has no webhooks: the poll job asks each connected account's {@code change_status}
 * what changed, over real HTTP to the simulator, and takes each change the webhook way. A campaign
 * paused and an ad disapproved "at Google" reach the broker's projections with a receipt naming
 * the change; polling again changes nothing.
 */
class ProviderPollsTest {

    private static Broker broker;
    private static Http http;
    private static Story story;

    @BeforeAll
    static void start() {
        // the job's own schedule stays out of the way: the test runs it
        broker = Broker.startWithSimulators("polls", Map.of("broker.provider-polls.interval", "PT1H"));
        http = broker.http();
        story = new Story(http);
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void aCampaignPausedAndAnAdDisapprovedAtGoogleReachTheBrokerOnceByPolling() {
        Story.Tenant t = story.tenant("Polled Google", Story.Setup.ready().provider("googleads").cap(5_000_000)
                .wallet(5_000_000));
        String end = Instant.now().plus(20, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        String campaign = approve(t, story.execute(t.runtimeKey(), "googleads", "ads.create_campaign", "c", Map.of(
                "name", "Polled boots", "objective", "traffic", "status", "active", "end_time", end,
                "budget", Map.of("amount_minor", 20_000, "currency", "USD", "period", "daily"))));
        String group = approve(t, story.execute(t.runtimeKey(), "googleads", "ads.create_group", "g",
                Map.of("campaign_id", campaign, "name", "Polled group", "status", "active",
                        "bid", Map.of("amount_minor", 150, "currency", "USD"))));
        String creative = approve(t, story.execute(t.runtimeKey(), "googleads", "ads.create_creative", "cr", Map.of(
                "name", "Polled creative", "headlines", List.of("Warm boots", "Dry feet", "Winter ready"),
                "descriptions", List.of("Dry feet all winter", "Free returns"),
                "image_url", "https://example.com/boots.png", "landing_url", "https://example.com/boots")));
        String ad = approve(t, story.execute(t.runtimeKey(), "googleads", "ads.create_ad", "ad",
                Map.of("group_id", group, "creative_id", creative, "name", "Polled ad", "status", "paused")));
        String customer = expect(200, http.get("/v1/provider-accounts/" + t.providerAccountId(), Story.OP))
                .at("/scope/customer_id").asString().replace("-", "");
        GoogleAdsSimulator google = (GoogleAdsSimulator) broker.bean(LocalSimulators.class).forProvider("googleads")
                .orElseThrow();
        ProviderPolls polls = broker.bean(ProviderPolls.class);
        polls.runOnce(); // what the broker itself made: nothing new to say
        assertThat(campaign(t, campaign).get("status").asString()).isEqualTo("active");

        // paused by someone in Google's interface
        String campaignAtGoogle = campaign(t, campaign).get("provider_object_id").asString();
        google.changeCampaignStatus(customer, campaignAtGoogle, "PAUSED");
        Map<String, Integer> first = polls.runOnce();
        assertThat(first.get("accepted")).as("%s", first).isPositive();
        assertThat(first.get("failed_accounts")).isZero();
        assertThat(campaign(t, campaign).get("status").asString()).isEqualTo("paused");
        List<JsonNode> paused = story.receiptPayloads(t, "webhook_campaign_status").stream()
                .filter(r -> r.get("applied").asBoolean()).toList();
        assertThat(paused).singleElement().satisfies(r -> {
            assertThat(r.get("provider_event_id").asString())
                    .startsWith("customers/" + customer + "/changeStatus/").contains("@");
            assertThat(r.get("event_kind").asString()).isEqualTo("googleads.polled.campaign_status");
            assertThat(r.get("object_id").asString()).isEqualTo(campaign);
            assertThat(r.at("/status/to").asString()).isEqualTo("paused");
        });
        int receipts = story.receiptPayloads(t, "webhook_campaign_status").size();

        // polling again reads the same change: a duplicate, nothing new
        Map<String, Integer> again = polls.runOnce();
        assertThat(again.get("accepted")).as("%s", again).isZero();
        assertThat(again.get("duplicate")).isPositive();
        assertThat(story.receiptPayloads(t, "webhook_campaign_status")).hasSize(receipts);

        // an ad disapproved in Google's review
        google.reviewAd(customer, ad(t, ad).get("provider_object_id").asString(), "DISAPPROVED");
        polls.runOnce();
        assertThat(ad(t, ad).get("review_status").asString()).isEqualTo("rejected");
        assertThat(story.receiptPayloads(t, "webhook_ad_review")).singleElement()
                .satisfies(r -> assertThat(r.get("event_kind").asString()).isEqualTo("googleads.polled.ad_review"));

        // removed in Google's interface: it can no longer spend, so nothing stays held for it
        approve(t, story.execute(t.runtimeKey(), "googleads", "ads.update_campaign", "activate",
                Map.of("campaign_id", campaign, "status", "active")));
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isPositive();
        google.changeCampaignStatus(customer, campaignAtGoogle, "REMOVED");
        polls.runOnce();
        assertThat(campaign(t, campaign).get("status").asString()).isEqualTo("removed_at_provider");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isZero();
        assertThat(story.receiptPayloads(t, "campaign.removed_at_provider")).singleElement()
                .satisfies(r -> assertThat(r.get("released_reservations").asInt()).isPositive());

        WebhookEvents events = broker.bean(WebhookEvents.class);
        assertThat(events.of(t.providerAccountId())).isNotEmpty()
                .allSatisfy(r -> assertThat(r.signatureVerdict()).isEqualTo("polled"));
        assertThat(broker.bean(AuditVerifier.class).verify(AuditLog.Chain.WEBHOOKS, t.providerAccountId()).valid()).isTrue();
        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
    }

    private static String approve(Story.Tenant t, Http.Response asked) {
        expect(202, asked);
        JsonNode done = expect(200, http.post("/v1/approvals/" + asked.text("/approval_id") + "/approve",
                t.approverKey(), null)).at("/execution");
        assertThat(done.get("status").asString()).as("%s", done).isEqualTo("succeeded");
        return done.at("/result/object_id").asString();
    }

    private static JsonNode campaign(Story.Tenant t, String id) {
        return expect(200, http.get("/v1/ads/campaigns", t.viewerKey())).at("/campaigns").valueStream()
                .filter(c -> c.get("campaign_id").asString().equals(id)).findFirst().orElseThrow();
    }

    private static JsonNode ad(Story.Tenant t, String id) {
        return expect(200, http.get("/v1/ads/objects?kind=ad", t.viewerKey())).at("/objects").valueStream()
                .filter(c -> c.get("object_id").asString().equals(id)).findFirst().orElseThrow();
    }
}
