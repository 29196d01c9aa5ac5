package dev.minutework.broker.providers.openaiads;

import static dev.minutework.broker.providers.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.json.JsonParser;
import dev.minutework.broker.core.provider.ProviderAccountContext;
import dev.minutework.broker.core.provider.ProviderCheck;
import dev.minutework.broker.core.provider.ProviderCredentials;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ProviderOutcome.RejectionKind;
import dev.minutework.broker.core.provider.ReportRow;
import dev.minutework.broker.providers.http.ProviderHttp;
import dev.minutework.broker.sim.Faults.Fault;
import dev.minutework.broker.sim.SimRequest;
import dev.minutework.broker.sim.openaiads.OpenAiAdsSimulator;
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

/**
 * Each action through the OpenAI ads adapter against the simulator: the exact request the provider
 * receives (path, headers, body, units) and the mapped outcome, then the faults.
 */
class OpenAiAdsAdapterContractTest {

    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final String KEY = "sk-openai-test-key-0123456789";

    OpenAiAdsSimulator sim;
    ProviderAccountContext account;
    OpenAiAdsAdapter adapter;

    @BeforeEach
    void start() {
        sim = new OpenAiAdsSimulator(Clock.fixed(NOW, ZoneOffset.UTC));
        sim.start();
        sim.provision(Map.of("ad_account_id", "act_42"), Map.of("api_key", KEY));
        account = new ProviderAccountContext("pac_1", "openaiads", Map.of("ad_account_id", "act_42"),
                new ProviderCredentials(Map.of("api_key", KEY)), sim.baseUrl().toString());
        adapter = adapter(new ProviderHttp());
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    private OpenAiAdsAdapter adapter(ProviderHttp http) {
        return new OpenAiAdsAdapter(http, sim.baseUrl(), account, Duration.ofMillis(10));
    }

    static Map<String, Object> campaign(long amountMinor, String period) {
        return Map.of("name", "Winter boots", "status", "active",
                "budget", Map.of("amount_minor", amountMinor, "currency", "USD", "period", period),
                "start_time", "2026-11-21T00:00:00Z", "end_time", "2026-12-21T00:00:00Z");
    }

    private ProviderOutcome.Succeeded createCampaign(String ref) {
        ProviderOutcome out = adapter.execute(request(NOW, "ads.create_campaign", ref, campaign(50_000, "lifetime"), Map.of()));
        assertThat(out).isInstanceOf(ProviderOutcome.Succeeded.class);
        return (ProviderOutcome.Succeeded) out;
    }

    private SimRequest last() {
        List<SimRequest> all = sim.requests();
        return all.getLast();
    }

    @Test
    void createsALifetimeCampaignInMicrosWithTheReferenceInItsName() {
        ProviderOutcome.Succeeded ok = createCampaign("exe_1");

        SimRequest r = last();
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo("/v1/campaigns");
        assertThat(r.header("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.jsonObject()).isEqualTo(Map.of("name", "Winter boots [exe_1]", "status", "active",
                "budget", Map.of("lifetime_spend_limit_micros", 500_000_000L),
                "start_time", Instant.parse("2026-11-21T00:00:00Z").getEpochSecond(),
                "end_time", Instant.parse("2026-12-21T00:00:00Z").getEpochSecond()));
        assertThat(ok.providerObjectId()).startsWith("cmpn_");
        assertThat(ok.data()).containsEntry("status", "active");
        assertThat(sim.campaignCount("act_42")).isEqualTo(1);
    }

    @Test
    void refusesADailyBudgetWithoutCallingTheProvider() {
        ProviderOutcome out = adapter.execute(request(NOW, "ads.create_campaign", "exe_2", campaign(5_000, "daily"), Map.of()));
        assertThat(out).isEqualTo(new ProviderOutcome.Rejected(RejectionKind.UNSUPPORTED, "daily_budget_unsupported",
                "the OpenAI Advertiser API has no daily budget; use a lifetime budget"));
        assertThat(sim.requests()).isEmpty();
    }

    @Test
    void refusesALifetimeBudgetBelowTheProvidersMinimum() {
        ProviderOutcome out = adapter.execute(request(NOW, "ads.create_campaign", "exe_3", campaign(99, "lifetime"), Map.of()));
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Rejected.class,
                r -> assertThat(r.providerCode()).isEqualTo("budget_below_minimum"));
        assertThat(sim.requests()).isEmpty();
    }

    @Test
    void updatesKeepTheReferenceAndSendTheBudgetWhole() {
        String id = createCampaign("exe_4").providerObjectId();
        ProviderOutcome out = adapter.execute(request(NOW, "ads.update_campaign", "exe_5",
                Map.of("campaign_id", "cmp_broker", "name", "Summer boots",
                        "budget", Map.of("amount_minor", 70_000, "currency", "USD", "period", "lifetime")),
                Map.of("campaign_id", id)));
        assertThat(out).isInstanceOf(ProviderOutcome.Succeeded.class);
        SimRequest r = last();
        assertThat(r.method() + " " + r.path()).isEqualTo("POST /v1/campaigns/" + id);
        assertThat(r.jsonObject()).isEqualTo(Map.of("name", "Summer boots [exe_4]",
                "budget", Map.of("lifetime_spend_limit_micros", 700_000_000L)));
    }

    @Test
    void pausesThroughThePauseEndpoint() {
        String id = createCampaign("exe_6").providerObjectId();
        ProviderOutcome out = adapter.execute(request(NOW, "ads.pause_campaign", "exe_7",
                Map.of("campaign_id", "cmp_broker"), Map.of("campaign_id", id)));
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class,
                ok -> assertThat(ok.data()).containsEntry("status", "paused"));
        assertThat(last().method() + " " + last().path()).isEqualTo("POST /v1/campaigns/" + id + "/pause");
        assertThat(last().body()).isEmpty();
    }

    @Test
    void createsAGroupWithContextHintsAndAMicrosBid() {
        String cid = createCampaign("exe_8").providerObjectId();
        ProviderOutcome out = adapter.execute(request(NOW, "ads.create_group", "exe_9",
                Map.of("campaign_id", "cmp_b", "name", "Hikers", "bid", Map.of("amount_minor", 250, "currency", "USD"),
                        "targeting", Map.of("context_hints", List.of("hiking", "boots"))),
                Map.of("campaign_id", cid)));
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class,
                ok -> assertThat(ok.providerObjectId()).startsWith("adgrp_"));
        assertThat(last().path()).isEqualTo("/v1/ad_groups");
        assertThat(last().jsonObject()).isEqualTo(Map.of("campaign_id", cid, "name", "Hikers [exe_9]", "status", "paused",
                "context_hints", List.of("hiking", "boots"),
                "bidding_config", Map.of("billing_event_type", "impression", "max_bid_micros", 2_500_000L)));
    }

    @Test
    void refusesCountryTargetingItCannotExpress() {
        ProviderOutcome out = adapter.execute(request(NOW, "ads.create_group", "exe_10",
                Map.of("campaign_id", "cmp_b", "name", "Hikers", "targeting", Map.of("countries", List.of("US"))),
                Map.of("campaign_id", "cmpn_x")));
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Rejected.class,
                r -> assertThat(r.kind()).isEqualTo(RejectionKind.UNSUPPORTED));
        assertThat(sim.requests()).isEmpty();
    }

    @Test
    void uploadsTheImageThenEmbedsTheCreativeInTheAd() {
        String cid = createCampaign("exe_11").providerObjectId();
        String gid = ((ProviderOutcome.Succeeded) adapter.execute(request(NOW, "ads.create_group", "exe_12",
                Map.of("campaign_id", "cmp_b", "name", "G"), Map.of("campaign_id", cid)))).providerObjectId();
        Map<String, Object> creative = Map.of("name", "Card", "headline", "Boots for winter", "body", "Warm and dry.",
                "image_url", "https://cdn.example.test/boot.png", "landing_url", "https://shop.example.test/boots");
        ProviderOutcome.Succeeded file = (ProviderOutcome.Succeeded) adapter.execute(
                request(NOW, "ads.create_creative", "exe_13", creative, Map.of()));
        assertThat(last().path()).isEqualTo("/v1/upload");
        assertThat(last().jsonObject()).isEqualTo(Map.of("image_url", "https://cdn.example.test/boot.png"));
        assertThat(file.providerObjectId()).startsWith("file_");

        ProviderOutcome ad = adapter.execute(request(NOW, "ads.create_ad", "exe_14",
                Map.of("group_id", "grp_b", "creative_id", "crv_b", "name", "Ad one", "status", "active"),
                Map.of("group_id", gid, "creative_id", file.providerObjectId()), Map.of("creative_id", creative)));
        assertThat(ad).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class,
                ok -> assertThat(ok.data()).containsEntry("review_status", "in_review"));
        assertThat(last().path()).isEqualTo("/v1/ads");
        assertThat(last().jsonObject()).isEqualTo(Map.of("ad_group_id", gid, "name", "Ad one [exe_14]", "status", "active",
                "creative", Map.of("type", "chat_card", "title", "Boots for winter", "body", "Warm and dry.",
                        "target_url", "https://shop.example.test/boots", "file_id", file.providerObjectId())));
    }

    @Test
    void aCreativeGivenAsListsOfOneBecomesTheSameChatCard() {
        String cid = createCampaign("exe_11b").providerObjectId();
        String gid = ((ProviderOutcome.Succeeded) adapter.execute(request(NOW, "ads.create_group", "exe_12b",
                Map.of("campaign_id", "cmp_b", "name", "G"), Map.of("campaign_id", cid)))).providerObjectId();
        Map<String, Object> creative = Map.of("name", "Card", "headlines", List.of("Boots for winter"),
                "descriptions", List.of("Warm and dry."), "image_url", "https://cdn.example.test/boot.png",
                "landing_url", "https://shop.example.test/boots");
        String file = ((ProviderOutcome.Succeeded) adapter.execute(request(NOW, "ads.create_creative", "exe_13b",
                creative, Map.of()))).providerObjectId();
        ProviderOutcome ad = adapter.execute(request(NOW, "ads.create_ad", "exe_14b",
                Map.of("group_id", "grp_b", "creative_id", "crv_b", "name", "Ad one"),
                Map.of("group_id", gid, "creative_id", file), Map.of("creative_id", creative)));
        assertThat(ad).isInstanceOf(ProviderOutcome.Succeeded.class);
        assertThat(last().jsonObject().get("creative")).isEqualTo(Map.of("type", "chat_card",
                "title", "Boots for winter", "body", "Warm and dry.", "target_url", "https://shop.example.test/boots",
                "file_id", file));
    }

    @Test
    void aCreativeWithMoreTextsThanAChatCardHasIsRefusedBeforeTheImageIsUploaded() {
        ProviderOutcome out = adapter.execute(request(NOW, "ads.create_creative", "exe_13c", Map.of("name", "Card",
                "headlines", List.of("Boots for winter", "Dry all season"), "descriptions", List.of("Warm and dry."),
                "image_url", "https://cdn.example.test/boot.png", "landing_url", "https://shop.example.test/boots"),
                Map.of()));
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Rejected.class, r -> {
            assertThat(r.kind()).isEqualTo(RejectionKind.UNSUPPORTED);
            assertThat(r.providerCode()).isEqualTo("creative_texts_unsupported");
        });
        assertThat(sim.requests()).isEmpty();
    }

    @Test
    void reportsDailyRowsWithDecimalSpendConvertedToMinorUnits() {
        Clock later = Clock.fixed(NOW, ZoneOffset.UTC);
        String cid = createCampaign("exe_15").providerObjectId();
        ProviderOutcome out = adapter.execute(request(NOW, "ads.fetch_report", "exe_16",
                Map.of("campaign_id", "cmp_b", "since", "2026-11-19", "until", "2026-11-21", "granularity", "day"),
                Map.of("campaign_id", cid)));
        assertThat(later.instant()).isEqualTo(NOW);
        assertThat(out).isInstanceOf(ProviderOutcome.Succeeded.class);
        List<ReportRow> rows = ((ProviderOutcome.Succeeded) out).rows();
        // created on 2026-11-20 with a 500.00 lifetime limit paced over its 31 days: 16.12 a day
        assertThat(rows).containsExactly(
                new ReportRow(LocalDate.parse("2026-11-19"), cid, 0, 0, 0, "USD"),
                new ReportRow(LocalDate.parse("2026-11-20"), cid, 3_225, 64, 1_612, "USD"),
                new ReportRow(LocalDate.parse("2026-11-21"), cid, 0, 0, 0, "USD"));
        SimRequest r = last();
        assertThat(r.path()).isEqualTo("/v1/campaigns/" + cid + "/insights");
        assertThat(r.query()).containsEntry("time_granularity", "daily").containsEntry("fields", "impressions,clicks,spend");
        assertThat(JsonParser.parse(r.query().get("time_ranges")))
                .isEqualTo(List.of(Map.of("since", "2026-11-19", "until", "2026-11-21")));
    }

    @Test
    void timesWithAnOffsetOrAFractionTravelAsTheSameEpochSecondsAsTheirInstant() {
        Map<String, Object> input = new java.util.HashMap<>(campaign(50_000, "lifetime"));
        input.put("start_time", "2026-11-21T02:00:00.250+02:00");
        input.put("end_time", "2026-12-20T19:00:00-05:00");
        assertThat(adapter.execute(request(NOW, "ads.create_campaign", "exe_17", input, Map.of())))
                .isInstanceOf(ProviderOutcome.Succeeded.class);
        assertThat(last().jsonObject()).containsEntry("start_time", Instant.parse("2026-11-21T00:00:00Z").getEpochSecond())
                .containsEntry("end_time", Instant.parse("2026-12-21T00:00:00Z").getEpochSecond());
    }

    // ------------------------------------------------------------------ faults

    @Test
    void waitsOutA429AndThenCreatesOnce() {
        sim.faults().next(Fault.RATE_LIMITED);
        createCampaign("exe_20");
        assertThat(sim.requests()).hasSize(2);
        assertThat(sim.campaignCount("act_42")).isEqualTo(1);
    }

    @Test
    void after5xxItLooksForTheObjectBeforeCreatingAgain() {
        sim.faults().next(Fault.SERVER_ERROR);
        createCampaign("exe_21");
        assertThat(sim.requests()).extracting(r -> r.method() + " " + r.path())
                .containsExactly("POST /v1/campaigns", "GET /v1/campaigns", "POST /v1/campaigns");
        assertThat(sim.campaignCount("act_42")).isEqualTo(1);
    }

    @Test
    void aLostAnswerIsReconciledToTheCreatedObjectNeverADuplicate() {
        sim.faults().next(Fault.DROP_RESPONSE);
        ProviderOutcome.Succeeded ok = createCampaign("exe_22");
        assertThat(sim.campaignCount("act_42")).isEqualTo(1);
        assertThat(ok.data()).containsEntry("provider_name", "Winter boots [exe_22]");
        assertThat(sim.requests()).extracting(SimRequest::method).containsExactly("POST", "GET");
    }

    @Test
    void aTimeoutAfterCommitIsReconciledNotRepeated() {
        sim.faults().hang(Duration.ofSeconds(3));
        sim.faults().next(Fault.TIMEOUT_AFTER_COMMIT);
        adapter = adapter(new ProviderHttp(Duration.ofMillis(700)));
        createCampaign("exe_23");
        assertThat(sim.campaignCount("act_42")).isEqualTo(1);
        assertThat(sim.requests()).extracting(SimRequest::method).containsExactly("POST", "GET");
    }

    @Test
    void aLostRequestThatLeftNoTraceIsUnknownAndNotRetried() {
        sim.faults().next(Fault.DROP_REQUEST);
        ProviderOutcome out = adapter.execute(request(NOW, "ads.create_campaign", "exe_24", campaign(50_000, "lifetime"), Map.of()));
        assertThat(out).isInstanceOf(ProviderOutcome.Unknown.class);
        assertThat(sim.campaignCount("act_42")).isZero();
        assertThat(sim.requests()).extracting(SimRequest::method).containsExactly("POST", "GET");
        // later reconciliation still finds nothing: the broker may then release the reservation
        assertThat(adapter.reconcile("ads.create_campaign", "exe_24")).isInstanceOfSatisfying(ProviderOutcome.Rejected.class,
                r -> assertThat(r.kind()).isEqualTo(RejectionKind.NOT_FOUND));
    }

    @Test
    void aRefusedKeyFailsAuthenticationAndPreflightNamesTheCheck() {
        sim.revoke(KEY);
        ProviderOutcome out = adapter.execute(request(NOW, "ads.create_campaign", "exe_25", campaign(50_000, "lifetime"), Map.of()));
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Rejected.class, r -> {
            assertThat(r.kind()).isEqualTo(RejectionKind.AUTH_FAILED);
            assertThat(r.message()).doesNotContain(KEY);
        });
        assertThat(adapter.checks()).extracting(ProviderCheck::name, ProviderCheck::ok)
                .contains(org.assertj.core.groups.Tuple.tuple("credentials_authenticate", false));
    }

    @Test
    void preflightPassesForAGoodKey() {
        assertThat(adapter.checks()).allSatisfy(c -> assertThat(c.ok()).as(c.toString()).isTrue()).isNotEmpty();
    }
}
