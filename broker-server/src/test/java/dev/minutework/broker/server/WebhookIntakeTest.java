package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.routing.LocalSimulators;
import dev.minutework.broker.server.support.Broker;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.LogCapture;
import dev.minutework.broker.server.support.Story;
import dev.minutework.broker.core.receipt.AuditLog;
import dev.minutework.broker.server.receipts.AuditVerifier;
import dev.minutework.broker.server.webhooks.WebhookEvents;
import dev.minutework.broker.sim.WebhookDeliveries;
import dev.minutework.broker.sim.WebhookDeliveries.Delivery;
import dev.minutework.broker.sim.metaads.MetaAdsSimulator;
import dev.minutework.broker.sim.tiktokads.TikTokAdsSimulator;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Provider webhooks over real HTTP into a broker on real PostgreSQL, sent by the Meta and TikTok
 * simulators: signed deliveries change the projections with a receipt; duplicates change nothing;
 * forged, unsigned and stale deliveries are stored with their verdict, change nothing and are
 * answered only "rejected"; the webhook chain verifies and no secret leaves the broker.
 */
class WebhookIntakeTest {

    private static final AtomicLong N = new AtomicLong();
    private static Broker broker;
    private static Http http;
    private static Story story;

    @BeforeAll
    static void start() {
        broker = Broker.startWithSimulators("webhooks");
        http = broker.http();
        story = new Story(http);
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    record Objects(String campaignId, String campaignProviderId, String adId, String adProviderId) {}

    @Test
    void signedMetaDeliveriesChangeTheProjectionsOnceAndForgedOnesNothing() {
        String appSecret = "meta-app-secret-" + N.incrementAndGet() + "-webhooks";
        String verifyToken = "meta-verify-token-" + N.get() + "-webhooks";
        Story.Tenant t = story.tenant("Hook Meta", Story.Setup.ready().provider("metaads").cap(5_000_000)
                .wallet(5_000_000).credentials(Map.of("access_token", "meta-token-hooks-" + N.get(), "app_secret",
                        appSecret, "webhook_verify_token", verifyToken)));
        Objects o = campaignWithAd(t, "metaads");
        String adAccount = scope(t).get("ad_account_id").asString();
        String path = "/v1/webhooks/metaads/" + t.providerAccountId();
        MetaAdsSimulator meta = (MetaAdsSimulator) broker.bean(LocalSimulators.class).forProvider("metaads").orElseThrow();
        meta.deliverWebhooksTo(broker.base().resolve(path), appSecret);

        // the verification handshake: the challenge is echoed for the right token only
        Http.Response ok = http.get(path + "?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token="
                + URLEncoder.encode(verifyToken, StandardCharsets.UTF_8), null);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.raw()).isEqualTo("1158201444");
        Http.Response wrong = http.get(path + "?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=guess", null);
        assertRejected(wrong);

        // a forged and an unsigned delivery: stored with their verdict, nothing changes
        String pause = meta.adAccountWebhook(adAccount, "in_process_ad_objects",
                Map.of("id", o.campaignProviderId(), "level", "CAMPAIGN", "status_name", "PAUSED"));
        assertRejected(meta.sendForgedWebhook(pause));
        assertRejected(meta.sendUnsignedWebhook(pause));
        assertThat(campaign(t, o.campaignId()).get("status").asString()).isEqualTo("active");

        // the signed delivery pauses the projection, with a receipt naming the event
        long reservedBefore = story.wallet(t).get("reserved_minor").asLong();
        Delivery first = meta.sendWebhook(pause);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(first.body()).contains("accepted");
        assertThat(campaign(t, o.campaignId()).get("status").asString()).isEqualTo("paused");
        List<JsonNode> receipts = story.receiptPayloads(t, "webhook_campaign_status");
        assertThat(receipts).hasSize(1);
        assertThat(receipts.getFirst().get("provider_event_id").asString()).startsWith("sha256:");
        assertThat(receipts.getFirst().get("event_kind").asString()).isEqualTo("metaads.in_process_ad_objects");
        assertThat(receipts.getFirst().get("object_id").asString()).isEqualTo(o.campaignId());
        assertThat(story.wallet(t).get("reserved_minor").asLong()).as("a provider-side pause moves no money here")
                .isEqualTo(reservedBefore);

        // the same delivery again: 200, nothing new
        Delivery again = meta.sendWebhook(pause);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body()).contains("duplicate");
        assertThat(story.receiptPayloads(t, "webhook_campaign_status")).hasSize(1);

        // the ad review: disapproved
        Delivery review = meta.sendWebhook(meta.adAccountWebhook(adAccount, "with_issues_ad_objects",
                Map.of("id", o.adProviderId(), "level", "AD", "status_name", "DISAPPROVED", "error_code", 1487,
                        "error_summary", "Ad rejected", "error_message", "policy")));
        assertThat(review.status()).isEqualTo(200);
        assertThat(ad(t, o.adId()).get("review_status").asString()).isEqualTo("rejected");
        assertThat(story.receiptPayloads(t, "webhook_ad_review")).singleElement()
                .satisfies(r -> assertThat(r.get("event_kind").asString()).isEqualTo("metaads.with_issues_ad_objects"));

        // an event kind the broker does not know is stored and otherwise ignored
        assertThat(meta.sendWebhook(meta.adAccountWebhook(adAccount, "creative_fatigue",
                Map.of("ad_id", o.adProviderId(), "level", "HIGH"))).status()).isEqualTo(200);

        WebhookEvents events = broker.bean(WebhookEvents.class);
        assertThat(events.of(t.providerAccountId())).extracting(WebhookEvents.Row::signatureVerdict)
                .containsExactly("invalid", "missing", "valid", "valid", "valid");
        assertThat(events.of(t.providerAccountId())).filteredOn(r -> !r.signatureVerdict().equals("valid"))
                .allSatisfy(r -> assertThat(r.providerEventId()).isNull());
        assertThat(broker.bean(AuditVerifier.class).verify(AuditLog.Chain.WEBHOOKS, t.providerAccountId()).valid()).isTrue();
        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
        assertNoSecretLeft(List.of(appSecret, verifyToken), t);
    }

    @Test
    void signedTikTokDeliveriesChangeTheProjectionsAndStaleOrForgedOnesNothing() {
        Hooked h = tiktokHooked("Hook TikTok");
        Story.Tenant t = h.tenant();
        Objects o = h.objects();
        String advertiser = h.advertiser();
        TikTokAdsSimulator tiktok = h.tiktok();
        String secret = h.secret();

        String disable = tiktok.webhook(advertiser, "campaign.status_update",
                Map.of("campaign_id", o.campaignProviderId(), "operation_status", "DISABLE"));
        assertRejected(tiktok.sendStaleWebhook(disable, Duration.ofMinutes(10)));
        assertRejected(tiktok.sendForgedWebhook(disable));
        assertThat(campaign(t, o.campaignId()).get("status").asString()).isEqualTo("active");

        assertThat(tiktok.sendWebhook(disable).status()).isEqualTo(200);
        assertThat(campaign(t, o.campaignId()).get("status").asString()).isEqualTo("paused");
        assertThat(tiktok.sendWebhook(disable).body()).contains("duplicate");
        assertThat(story.receiptPayloads(t, "webhook_campaign_status")).singleElement()
                .satisfies(r -> assertThat(r.get("event_kind").asString()).isEqualTo("tiktokads.campaign.status_update"));

        assertThat(tiktok.sendWebhook(tiktok.webhook(advertiser, "ad.review_result",
                Map.of("ad_id", o.adProviderId(), "review_status", "APPROVED"))).status()).isEqualTo(200);
        assertThat(ad(t, o.adId()).get("review_status").asString()).isEqualTo("approved");

        WebhookEvents events = broker.bean(WebhookEvents.class);
        assertThat(events.of(t.providerAccountId())).extracting(WebhookEvents.Row::signatureVerdict)
                .containsExactly("invalid", "invalid", "valid", "valid");
        assertThat(events.of(t.providerAccountId()).getFirst().payload()).contains("stale_timestamp");
        assertThat(broker.bean(AuditVerifier.class).verify(AuditLog.Chain.WEBHOOKS, t.providerAccountId()).valid()).isTrue();
        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
        assertNoSecretLeft(List.of(secret), t);
    }

    @Test
    void aDeliveryOlderThanTheStatusLastAppliedChangesNothing() {
        Hooked h = tiktokHooked("Hook reordered");
        Story.Tenant t = h.tenant();
        Objects o = h.objects();
        String advertiser = h.advertiser();
        TikTokAdsSimulator tiktok = h.tiktok();
        String enable = tiktok.webhook(advertiser, "campaign.status_update",
                Map.of("campaign_id", o.campaignProviderId(), "operation_status", "ENABLE"));
        String disable = tiktok.webhook(advertiser, "campaign.status_update",
                Map.of("campaign_id", o.campaignProviderId(), "operation_status", "DISABLE"));

        // the provider paused it after an earlier enable; the two deliveries arrive the other way round
        assertThat(tiktok.sendWebhook(at(disable, 60)).status()).isEqualTo(200);
        assertThat(campaign(t, o.campaignId()).get("status").asString()).isEqualTo("paused");
        assertThat(tiktok.sendWebhook(at(enable, 120)).status()).isEqualTo(200);
        assertThat(campaign(t, o.campaignId()).get("status").asString()).as("the older event came late")
                .isEqualTo("paused");
        assertThat(story.receiptPayloads(t, "webhook_campaign_status")).extracting(r -> r.get("applied").asBoolean())
                .containsExactly(true, false);
        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
    }

    @Test
    void reorderedAndDuplicatedDeliveriesEndInTheProvidersLatestState() throws InterruptedException {
        Hooked h = tiktokHooked("Hook held");
        Story.Tenant t = h.tenant();
        Objects o = h.objects();
        String advertiser = h.advertiser();
        TikTokAdsSimulator tiktok = h.tiktok();

        // someone pauses it in TikTok's own tools and enables it again a second later (events carry
        // whole seconds); the deliveries are held back, then arrive newest first
        tiktok.webhooks().mode(WebhookDeliveries.Mode.HOLD);
        assertThat(tiktok.changeCampaignStatusAtProvider(advertiser, o.campaignProviderId(), "DISABLE")).isEmpty();
        Thread.sleep(1_100);
        assertThat(tiktok.changeCampaignStatusAtProvider(advertiser, o.campaignProviderId(), "ENABLE")).isEmpty();
        assertThat(tiktok.webhooks().held()).isEqualTo(2);
        assertThat(tiktok.webhooks().release(true)).extracting(Delivery::body)
                .allSatisfy(b -> assertThat(b).contains("accepted")).hasSize(2);
        assertThat(campaign(t, o.campaignId()).get("status").asString()).as("the late, older pause changes nothing")
                .isEqualTo("active");

        // later it is paused there again, and each delivery comes twice (at least once)
        Thread.sleep(1_100);
        tiktok.webhooks().mode(WebhookDeliveries.Mode.DUPLICATE);
        assertThat(tiktok.changeCampaignStatusAtProvider(advertiser, o.campaignProviderId(), "DISABLE"))
                .extracting(Delivery::body).satisfiesExactly(first -> assertThat(first).contains("accepted"),
                        second -> assertThat(second).contains("duplicate"));
        tiktok.webhooks().mode(WebhookDeliveries.Mode.IMMEDIATE);
        assertThat(campaign(t, o.campaignId()).get("status").asString()).as("the provider's latest word")
                .isEqualTo("paused");
        assertThat(story.receiptPayloads(t, "webhook_campaign_status")).extracting(r -> r.get("applied").asBoolean())
                .as("the enable (no change: it was active), the late pause (ignored), the pause")
                .containsExactly(false, false, true);
        assertThat(broker.bean(WebhookEvents.class).of(t.providerAccountId())).hasSize(3);
        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
    }

    @Test
    void aCampaignActivatedInTheProvidersOwnToolsWithNothingHeldIsPausedAgain() throws InterruptedException {
        Hooked h = tiktokHooked("Hook unbacked");
        Story.Tenant t = h.tenant();
        Objects o = h.objects();
        String advertiser = h.advertiser();
        TikTokAdsSimulator tiktok = h.tiktok();
        approve(t, story.execute(t.runtimeKey(), "tiktokads", "ads.pause_campaign", "p",
                Map.of("campaign_id", o.campaignId())));
        assertThat(story.wallet(t).get("reserved_minor").asLong()).as("the pause released the campaign's money").isZero();

        // someone enables it again in TikTok's own tools: it could spend money nobody approved
        assertThat(tiktok.changeCampaignStatusAtProvider(advertiser, o.campaignProviderId(), "ENABLE"))
                .singleElement().satisfies(d -> assertThat(d.status()).isEqualTo(200));
        // the applied event triggers the authorization-endings job, which pauses it through the provider
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"DISABLE".equals(operationStatus(tiktok, advertiser, o.campaignProviderId()))
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(operationStatus(tiktok, advertiser, o.campaignProviderId())).isEqualTo("DISABLE");
        assertThat(story.receiptPayloads(t, "execution.accepted")).anySatisfy(r -> {
            assertThat(r.path("reason").asString()).isEqualTo("active_without_reservation");
            assertThat(r.path("initiated_by").asString()).isEqualTo("broker");
        });
        while (!"paused".equals(campaign(t, o.campaignId()).get("status").asString()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(campaign(t, o.campaignId()).get("status").asString()).isEqualTo("paused");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isZero();
        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
    }

    private static String operationStatus(TikTokAdsSimulator tiktok, String advertiser, String campaignId) {
        return tiktok.campaignStatus(advertiser, campaignId);
    }

    /** The event with its create_time set {@code secondsAgo} seconds before now (the simulator's clock is the system's). */
    private static String at(String event, long secondsAgo) {
        Map<String, Object> body = new java.util.LinkedHashMap<>(
                dev.minutework.broker.core.json.JsonParser.parseObject(event));
        body.put("create_time", java.time.Instant.now().getEpochSecond() - secondsAgo);
        return dev.minutework.broker.core.json.CanonicalJson.canonicalize(body);
    }

    @Test
    void providersWithoutDocumentedWebhooksAndUnknownAccountsHaveNoEndpoint() {
        Story.Tenant t = story.tenant("Hook OpenAI", Story.Setup.ready());
        Delivery openai = WebhookDeliveries.post(broker.base().resolve("/v1/webhooks/openaiads/" + t.providerAccountId()),
                "{}", Map.of());
        assertThat(openai.status()).isEqualTo(404);
        assertThat(openai.body()).contains("capability_gap");
        Delivery google = WebhookDeliveries.post(broker.base().resolve("/v1/webhooks/googleads/pac_nope"), "{}", Map.of());
        assertThat(google.body()).contains("capability_gap");
        Delivery unknown = WebhookDeliveries.post(broker.base().resolve("/v1/webhooks/metaads/pac_nope"), "{}", Map.of());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body()).contains("not_found");
        Delivery wrongProvider = WebhookDeliveries.post(
                broker.base().resolve("/v1/webhooks/metaads/" + t.providerAccountId()), "{}", Map.of());
        assertThat(wrongProvider.status()).isEqualTo(404);
    }

    @Test
    void anOversizedBodyIsRefusedUnread() {
        Story.Tenant t = story.tenant("Hook Big", Story.Setup.ready().provider("metaads"));
        Delivery big = WebhookDeliveries.post(broker.base().resolve("/v1/webhooks/metaads/" + t.providerAccountId()),
                "{\"x\":\"" + "a".repeat(300 * 1024) + "\"}", Map.of("X-Hub-Signature-256", "sha256=00"));
        assertThat(big.status()).isEqualTo(413);
        assertThat(broker.bean(WebhookEvents.class).of(t.providerAccountId())).isEmpty();
    }

    @Test
    void otherEndpointsStillNeedAKey() {
        assertThat(http.get("/v1/ads/campaigns", null).errorCode()).isEqualTo("unauthenticated");
        assertThat(http.post("/v1/provider-accounts", null, Map.of()).errorCode()).isEqualTo("unauthenticated");
    }

    // ------------------------------------------------------------------ helpers

    private static void assertRejected(Delivery d) {
        assertThat(d.status()).as(d.body()).isEqualTo(401);
        assertThat(Http.JSON.readTree(d.body()).at("/error/message").asString()).isEqualTo("rejected");
    }

    private static void assertRejected(Http.Response r) {
        assertThat(r.status()).as(r.raw()).isEqualTo(401);
        assertThat(r.at("/error/message").asString()).isEqualTo("rejected");
    }

    private static void assertNoSecretLeft(List<String> secrets, Story.Tenant t) {
        String receipts = expect(200, http.get("/v1/receipts?limit=1000", t.viewerKey())).raw();
        String account = expect(200, http.get("/v1/provider-accounts/" + t.providerAccountId(), Story.OP)).raw();
        String stored = broker.bean(WebhookEvents.class).of(t.providerAccountId()).toString();
        for (String secret : secrets) {
            assertThat(receipts).doesNotContain(secret);
            assertThat(account).doesNotContain(secret);
            assertThat(stored).doesNotContain(secret);
            assertThat(LogCapture.lines()).noneMatch(l -> l.contains(secret));
            assertThat(Http.seenResponses()).noneMatch(r -> r.contains(secret));
        }
    }

    private static JsonNode scope(Story.Tenant t) {
        return expect(200, http.get("/v1/provider-accounts/" + t.providerAccountId(), Story.OP)).at("/scope");
    }

    /** A TikTok tenant with a campaign and an ad, whose simulator delivers signed webhooks to the broker. */
    private record Hooked(Story.Tenant tenant, Objects objects, String advertiser, TikTokAdsSimulator tiktok,
            String secret) {}

    private static Hooked tiktokHooked(String name) {
        String secret = "tiktok-client-secret-" + N.incrementAndGet() + "-webhooks";
        Story.Tenant t = story.tenant(name, Story.Setup.ready().provider("tiktokads").cap(5_000_000)
                .wallet(5_000_000).credentials(Map.of("access_token", "tiktok-token-hooks-" + N.get(),
                        "webhook_secret", secret)));
        Objects o = campaignWithAd(t, "tiktokads");
        TikTokAdsSimulator tiktok = (TikTokAdsSimulator) broker.bean(LocalSimulators.class).forProvider("tiktokads")
                .orElseThrow();
        tiktok.deliverWebhooksTo(broker.base().resolve("/v1/webhooks/tiktokads/" + t.providerAccountId()), secret);
        return new Hooked(t, o, scope(t).get("advertiser_id").asString(), tiktok, secret);
    }

    private static Objects campaignWithAd(Story.Tenant t, String provider) {
        String end = Instant.now().plus(20, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        String campaign = approve(t, story.execute(t.runtimeKey(), provider, "ads.create_campaign", "c", Map.of(
                "name", "Hooked boots", "objective", "traffic", "status", "active", "end_time", end,
                "budget", Map.of("amount_minor", 20_000, "currency", "USD", "period", "lifetime"))));
        String group = approve(t, story.execute(t.runtimeKey(), provider, "ads.create_group", "g",
                Map.of("campaign_id", campaign, "name", "Hooked group", "status", "active",
                        "bid", Map.of("amount_minor", 150, "currency", "USD"),
                        "targeting", Map.of("countries", List.of("US")))));
        Map<String, Object> creative = new LinkedHashMap<>();
        creative.put("name", "Hooked creative");
        creative.put("headlines", List.of("Warm boots"));
        creative.put("descriptions", List.of("Dry feet all winter"));
        creative.put("image_url", "https://example.com/boots.png");
        creative.put("landing_url", "https://example.com/boots");
        creative.put("call_to_action", "learn_more");
        String crv = approve(t, story.execute(t.runtimeKey(), provider, "ads.create_creative", "cr", creative));
        String ad = approve(t, story.execute(t.runtimeKey(), provider, "ads.create_ad", "ad",
                Map.of("group_id", group, "creative_id", crv, "name", "Hooked ad", "status", "paused")));
        return new Objects(campaign, campaign(t, campaign).get("provider_object_id").asString(), ad,
                ad(t, ad).get("provider_object_id").asString());
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
