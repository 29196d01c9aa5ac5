package dev.minutework.broker.providers.metaads;

import static dev.minutework.broker.providers.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.minutework.broker.core.json.JsonParser;
import dev.minutework.broker.core.provider.ProviderAccountContext;
import dev.minutework.broker.core.provider.ProviderCheck;
import dev.minutework.broker.core.provider.ProviderCredentials;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ProviderOutcome.RejectionKind;
import dev.minutework.broker.core.provider.ProviderRequest;
import dev.minutework.broker.core.provider.ReportRow;
import dev.minutework.broker.providers.http.ProviderHttp;
import dev.minutework.broker.sim.Faults.Fault;
import dev.minutework.broker.sim.SimRequest;
import dev.minutework.broker.sim.metaads.MetaAdsSimulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each action through the Meta ads adapter against the simulator: the exact request Graph receives
 * (path, method, form fields, units, credentials only in the body of POSTs) and the mapped outcome,
 * then Graph's error codes and the faults.
 */
class MetaAdsAdapterContractTest {

    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final String TOKEN = "EAAB-meta-system-user-token-0123456789";
    static final String SECRET = "meta-app-secret-abcdef0123456789";
    static final String PROOF = MetaAdsSimulator.proof(SECRET, TOKEN);
    static final String ACT = "act_4242";
    static final String PAGE = "1010101010";

    MetaAdsSimulator sim;
    ProviderAccountContext account;
    MetaAdsAdapter adapter;
    final List<ProviderOutcome> outcomes = new ArrayList<>();

    @BeforeEach
    void start() {
        sim = new MetaAdsSimulator(Clock.fixed(NOW, ZoneOffset.UTC));
        sim.start();
        sim.provision(Map.of("ad_account_id", ACT, "page_id", PAGE), Map.of("access_token", TOKEN, "app_secret", SECRET));
        account = context(Map.of("ad_account_id", ACT, "page_id", PAGE), SECRET);
        adapter = adapter(new ProviderHttp(), account);
    }

    @AfterEach
    void stop() {
        sim.close();
        // invariant 6: no outcome of any test carries a credential or the derived proof
        for (ProviderOutcome o : outcomes) {
            assertThat(o.toString()).doesNotContain(TOKEN).doesNotContain(SECRET).doesNotContain(PROOF);
        }
    }

    private ProviderAccountContext context(Map<String, String> scope, String secret) {
        return new ProviderAccountContext("pac_1", "metaads", scope,
                new ProviderCredentials(Map.of("access_token", TOKEN, "app_secret", secret)), sim.baseUrl().toString());
    }

    private MetaAdsAdapter adapter(ProviderHttp http, ProviderAccountContext context) {
        return new MetaAdsAdapter(http, sim.baseUrl(), context, Duration.ofMillis(10));
    }

    private ProviderOutcome run(String action, String ref, Map<String, Object> input, Map<String, String> ids) {
        return run(adapter, request(NOW, action, ref, input, ids));
    }

    private ProviderOutcome run(MetaAdsAdapter a, ProviderRequest request) {
        ProviderOutcome out = a.execute(request);
        outcomes.add(out);
        return out;
    }

    static Map<String, Object> campaign(long amountMinor, String period) {
        return Map.of("name", "Winter boots", "status", "active", "objective", "traffic",
                "budget", Map.of("amount_minor", amountMinor, "currency", "USD", "period", period),
                "start_time", "2026-11-21T00:00:00Z", "end_time", "2026-12-21T00:00:00Z");
    }

    private String createCampaign(String ref, Map<String, Object> input) {
        ProviderOutcome out = run("ads.create_campaign", ref, input, Map.of());
        assertThat(out).isInstanceOf(ProviderOutcome.Succeeded.class);
        return ((ProviderOutcome.Succeeded) out).providerObjectId();
    }

    private String createGroup(String ref, String campaignId) {
        ProviderOutcome out = run("ads.create_group", ref, Map.of("campaign_id", "cmp_b", "name", "Hikers",
                "targeting", Map.of("countries", List.of("US"))), Map.of("campaign_id", campaignId));
        assertThat(out).isInstanceOf(ProviderOutcome.Succeeded.class);
        return ((ProviderOutcome.Succeeded) out).providerObjectId();
    }

    private SimRequest last() {
        return sim.requests().getLast();
    }

    /** The form a POST carried, without the two credential parameters (asserted separately). */
    private static Map<String, String> fields(SimRequest r) {
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.query()).as("credentials and fields travel in the body, never in a POST's URL").isEmpty();
        assertThat(r.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        Map<String, String> form = new HashMap<>(r.form());
        assertThat(form.remove("access_token")).isEqualTo(TOKEN);
        assertThat(form.remove("appsecret_proof")).isEqualTo(PROOF);
        return form;
    }

    private List<String> calls() {
        return sim.requests().stream().map(r -> r.method() + " " + r.path()).toList();
    }

    // ------------------------------------------------------------------ campaigns

    @Test
    void timesWithAnOffsetOrAFractionTravelAsTheSameUtcTimeAsTheirInstant() {
        Map<String, Object> input = new HashMap<>(campaign(50_000, "lifetime"));
        input.put("start_time", "2026-11-21T02:00:00.250+02:00");
        input.put("end_time", "2026-12-20T19:00:00-05:00");
        createCampaign("exe_time", input);
        assertThat(fields(last())).containsEntry("start_time", "2026-11-21T00:00:00+0000")
                .containsEntry("stop_time", "2026-12-21T00:00:00+0000");
    }

    @Test
    void createsALifetimeCampaignInMinorUnitsWithSpecialAdCategoriesAndTheReference() {
        String id = createCampaign("exe_1", campaign(50_000, "lifetime"));

        SimRequest r = last();
        assertThat(r.path()).isEqualTo("/v26.0/act_4242/campaigns");
        assertThat(fields(r)).isEqualTo(Map.of("name", "Winter boots [exe_1]", "objective", "OUTCOME_TRAFFIC",
                "status", "ACTIVE", "special_ad_categories", "[]", "lifetime_budget", "50000",
                "start_time", "2026-11-21T00:00:00+0000", "stop_time", "2026-12-21T00:00:00+0000"));
        assertThat(id).matches("[0-9]+");
        assertThat(sim.campaignCount(ACT)).isEqualTo(1);
        assertThat(sim.object(id)).containsEntry("lifetime_budget", "50000").containsEntry("status", "ACTIVE");
    }

    @Test
    void aDailyBudgetIsSentAsDailyBudgetInMinorUnits() {
        ProviderOutcome out = run("ads.create_campaign", "exe_2", Map.of("name", "Daily boots", "objective", "awareness",
                "budget", Map.of("amount_minor", 2_000, "currency", "USD", "period", "daily")), Map.of());
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class, ok -> assertThat(ok.data())
                .containsEntry("status", "paused").containsEntry("provider_name", "Daily boots [exe_2]"));
        assertThat(fields(last())).isEqualTo(Map.of("name", "Daily boots [exe_2]", "objective", "OUTCOME_AWARENESS",
                "status", "PAUSED", "special_ad_categories", "[]", "daily_budget", "2000"));
    }

    @Test
    void refusesALifetimeBudgetWithoutAnEndTimeBeforeCallingGraph() {
        ProviderOutcome out = run("ads.create_campaign", "exe_3", Map.of("name", "Open ended",
                "budget", Map.of("amount_minor", 50_000, "currency", "USD", "period", "lifetime")), Map.of());
        assertThat(out).isEqualTo(new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST,
                "lifetime_budget_needs_end_time", "Meta needs an end_time for a lifetime budget"));
        assertThat(sim.requests()).isEmpty();
    }

    @Test
    void refusesAnObjectiveThatNeedsAPromotedObject() {
        Map<String, Object> in = new HashMap<>(campaign(50_000, "lifetime"));
        in.put("objective", "sales");
        ProviderOutcome out = run("ads.create_campaign", "exe_3b", in, Map.of());
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Rejected.class, r -> {
            assertThat(r.kind()).isEqualTo(RejectionKind.UNSUPPORTED);
            assertThat(r.providerCode()).isEqualTo("objective_unsupported");
        });
        assertThat(sim.requests()).isEmpty();
    }

    @Test
    void theSimulatorRefusesACampaignWithoutSpecialAdCategories() throws Exception {
        String form = "name=x&objective=OUTCOME_TRAFFIC&status=PAUSED&daily_budget=2000&access_token=" + TOKEN
                + "&appsecret_proof=" + PROOF;
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(sim.baseUrl() + "/" + ACT + "/campaigns"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
        Map<?, ?> error = (Map<?, ?>) JsonParser.parseObject(r.body()).get("error");
        assertThat(error.get("code")).isEqualTo(100L);
        assertThat(error.get("message")).isEqualTo("(#100) The parameter special_ad_categories is required");
        assertThat(sim.campaignCount(ACT)).isZero();
    }

    @Test
    void updatesKeepTheReferenceAndSendOnlyChangedFields() {
        String id = createCampaign("exe_4", Map.of("name", "Winter boots", "objective", "traffic",
                "budget", Map.of("amount_minor", 5_000, "currency", "USD", "period", "daily")));
        sim.clearRequests();
        ProviderOutcome out = run("ads.update_campaign", "exe_5", Map.of("campaign_id", "cmp_b", "name", "Summer boots",
                "budget", Map.of("amount_minor", 7_000, "currency", "USD", "period", "daily")), Map.of("campaign_id", id));
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class, ok -> {
            assertThat(ok.providerObjectId()).isEqualTo(id);
            assertThat(ok.data()).containsEntry("provider_name", "Summer boots [exe_4]");
        });
        assertThat(calls()).containsExactly("GET /v26.0/" + id, "POST /v26.0/" + id);
        assertThat(fields(last())).isEqualTo(Map.of("name", "Summer boots [exe_4]", "daily_budget", "7000"));
        assertThat(sim.object(id)).containsEntry("daily_budget", "7000").containsEntry("name", "Summer boots [exe_4]");
    }

    @Test
    void pausesWithAStatusUpdate() {
        String id = createCampaign("exe_6", campaign(50_000, "lifetime"));
        ProviderOutcome out = run("ads.pause_campaign", "exe_7", Map.of("campaign_id", "cmp_b"), Map.of("campaign_id", id));
        assertThat(out).isEqualTo(new ProviderOutcome.Succeeded(id, Map.of("status", "paused"), List.of()));
        assertThat(last().path()).isEqualTo("/v26.0/" + id);
        assertThat(fields(last())).isEqualTo(Map.of("status", "PAUSED"));
        assertThat(sim.object(id)).containsEntry("status", "PAUSED");
    }

    @Test
    void error100IsAnInvalidRequestWithGraphsCode() {
        String id = createCampaign("exe_8", Map.of("name", "Daily", "objective", "traffic",
                "budget", Map.of("amount_minor", 5_000, "currency", "USD", "period", "daily")));
        // Graph does not let a budget switch from daily to lifetime
        ProviderOutcome out = run("ads.update_campaign", "exe_9", Map.of("campaign_id", "cmp_b", "end_time",
                "2026-12-31T00:00:00Z", "budget", Map.of("amount_minor", 90_000, "currency", "USD", "period", "lifetime")),
                Map.of("campaign_id", id));
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Rejected.class, r -> {
            assertThat(r.kind()).isEqualTo(RejectionKind.INVALID_REQUEST);
            assertThat(r.providerCode()).isEqualTo("100");
            assertThat(r.message()).isEqualTo("A campaign's budget cannot switch between daily and lifetime.");
        });
        assertThat(sim.object(id)).containsEntry("daily_budget", "5000").doesNotContainKey("lifetime_budget");
    }

    // ------------------------------------------------------------------ ad sets, creatives, ads

    @Test
    void createsAnAdSetWithJsonTargetingAMinorUnitBidAndTheCampaignsWindow() {
        String cid = createCampaign("exe_10", campaign(50_000, "lifetime"));
        sim.clearRequests();
        ProviderOutcome out = run("ads.create_group", "exe_11", Map.of("campaign_id", "cmp_b", "name", "Hikers",
                "bid", Map.of("amount_minor", 250, "currency", "USD"),
                "targeting", Map.of("countries", List.of("US", "CA"), "age_min", 18, "age_max", 40)),
                Map.of("campaign_id", cid));
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class,
                ok -> assertThat(ok.data()).containsEntry("status", "paused"));
        assertThat(calls()).containsExactly("GET /v26.0/" + cid, "POST /v26.0/act_4242/adsets");
        Map<String, String> form = fields(last());
        assertThat(JsonParser.parse(form.remove("targeting"))).isEqualTo(Map.of("geo_locations",
                Map.of("countries", List.of("US", "CA")), "age_min", 18L, "age_max", 40L,
                "targeting_automation", Map.of("advantage_audience", 0L)));
        assertThat(form).isEqualTo(Map.of("name", "Hikers [exe_11]", "campaign_id", cid, "billing_event", "IMPRESSIONS",
                "optimization_goal", "LINK_CLICKS", "status", "PAUSED", "bid_amount", "250",
                "start_time", "2026-11-21T00:00:00+0000", "end_time", "2026-12-21T00:00:00+0000"));
        assertThat(sim.adSetCount(ACT)).isEqualTo(1);
    }

    @Test
    void refusesTargetingMetaCannotExpressWithoutCallingGraph() {
        for (Map<String, Object> targeting : List.<Map<String, Object>>of(
                Map.of("countries", List.of("US"), "context_hints", List.of("hiking")),
                Map.of("countries", List.of("US"), "languages", List.of("en")),
                Map.of("age_min", 20))) {
            ProviderOutcome out = run("ads.create_group", "exe_12", Map.of("campaign_id", "cmp_b", "name", "Hikers",
                    "targeting", targeting), Map.of("campaign_id", "120210000000000001"));
            assertThat(out).isInstanceOf(ProviderOutcome.Rejected.class);
        }
        assertThat(outcomes).extracting(o -> ((ProviderOutcome.Rejected) o).kind())
                .containsExactly(RejectionKind.UNSUPPORTED, RejectionKind.UNSUPPORTED, RejectionKind.INVALID_REQUEST);
        assertThat(sim.requests()).isEmpty();
    }

    @Test
    void uploadsTheImageThenCreatesAnObjectStorySpecCreativeThenTheAd() {
        String cid = createCampaign("exe_13", campaign(50_000, "lifetime"));
        String gid = createGroup("exe_14", cid);
        sim.clearRequests();
        Map<String, Object> creative = Map.of("name", "Card", "headline", "Boots for winter", "body", "Warm and dry.",
                "image_url", "https://cdn.example.test/boot.png", "landing_url", "https://shop.example.test/boots",
                "call_to_action", "shop_now");
        ProviderOutcome made = run("ads.create_creative", "exe_15", creative, Map.of());
        assertThat(made).isInstanceOf(ProviderOutcome.Succeeded.class);
        String crid = ((ProviderOutcome.Succeeded) made).providerObjectId();
        assertThat(calls()).containsExactly("POST /v26.0/act_4242/adimages", "POST /v26.0/act_4242/adcreatives");
        assertThat(fields(sim.requests().getFirst())).isEqualTo(Map.of("url", "https://cdn.example.test/boot.png"));
        Map<String, String> form = fields(last());
        assertThat(form.get("name")).isEqualTo("Card [exe_15]");
        String hash = (String) ((ProviderOutcome.Succeeded) made).data().get("image_hash");
        assertThat(hash).matches("[0-9a-f]{32}");
        assertThat(JsonParser.parse(form.get("object_story_spec"))).isEqualTo(Map.of("page_id", PAGE, "link_data",
                Map.of("link", "https://shop.example.test/boots", "message", "Warm and dry.", "name", "Boots for winter",
                        "image_hash", hash, "call_to_action", Map.of("type", "SHOP_NOW"))));
        assertThat(sim.creativeCount(ACT)).isEqualTo(1);

        ProviderOutcome ad = run("ads.create_ad", "exe_16", Map.of("group_id", "grp_b", "creative_id", "crv_b",
                "name", "Ad one", "status", "active"), Map.of("group_id", gid, "creative_id", crid));
        assertThat(ad).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class,
                ok -> assertThat(ok.data()).containsEntry("status", "active"));
        assertThat(last().path()).isEqualTo("/v26.0/act_4242/ads");
        Map<String, String> adForm = fields(last());
        assertThat(JsonParser.parse(adForm.remove("creative"))).isEqualTo(Map.of("creative_id", crid));
        assertThat(adForm).isEqualTo(Map.of("name", "Ad one [exe_16]", "adset_id", gid, "status", "ACTIVE"));
        assertThat(sim.adCount(ACT)).isEqualTo(1);
    }

    @Test
    void aSecondDescriptionIsTheLinkDescriptionUnderThePrimaryText() {
        ProviderOutcome made = run("ads.create_creative", "exe_15b", Map.of("name", "Card", "headline", "Boots for winter",
                "descriptions", List.of("Warm and dry.", "Free returns"), "image_url", "https://cdn.example.test/boot.png",
                "landing_url", "https://shop.example.test/boots"), Map.of());
        assertThat(made).isInstanceOf(ProviderOutcome.Succeeded.class);
        String hash = (String) ((ProviderOutcome.Succeeded) made).data().get("image_hash");
        assertThat(JsonParser.parse(fields(last()).get("object_story_spec"))).isEqualTo(Map.of("page_id", PAGE, "link_data",
                Map.of("link", "https://shop.example.test/boots", "name", "Boots for winter", "message", "Warm and dry.",
                        "description", "Free returns", "image_hash", hash)));
        assertThat(sim.object(((ProviderOutcome.Succeeded) made).providerObjectId()).get("object_story_spec"))
                .isEqualTo(JsonParser.parse(fields(last()).get("object_story_spec")));
    }

    @Test
    void refusesMoreTextsThanALinkAdShowsBeforeCallingGraph() {
        ProviderOutcome twoHeadlines = run("ads.create_creative", "exe_15c", Map.of("name", "Card",
                "headlines", List.of("Boots for winter", "Dry feet"), "body", "Warm.",
                "image_url", "https://cdn.example.test/b.png", "landing_url", "https://shop.example.test/"), Map.of());
        ProviderOutcome threeDescriptions = run("ads.create_creative", "exe_15d", Map.of("name", "Card",
                "headline", "Boots for winter", "descriptions", List.of("Warm.", "Dry.", "Cheap."),
                "image_url", "https://cdn.example.test/b.png", "landing_url", "https://shop.example.test/"), Map.of());
        assertThat(List.of(twoHeadlines, threeDescriptions)).allSatisfy(o -> assertThat(o)
                .isInstanceOfSatisfying(ProviderOutcome.Rejected.class, r -> {
                    assertThat(r.kind()).isEqualTo(RejectionKind.UNSUPPORTED);
                    assertThat(r.providerCode()).isEqualTo("creative_unsupported");
                }));
        assertThat(((ProviderOutcome.Rejected) twoHeadlines).message()).contains("$.input.headlines");
        assertThat(sim.requests()).isEmpty();
    }

    @Test
    void refusesACreativeWithoutThePageIdScopeBeforeCallingGraph() {
        MetaAdsAdapter noPage = adapter(new ProviderHttp(), context(Map.of("ad_account_id", ACT), SECRET));
        ProviderOutcome out = run(noPage, request(NOW, "ads.create_creative", "exe_17", Map.of("name", "Card",
                "headline", "Boots", "body", "Warm.", "image_url", "https://cdn.example.test/b.png",
                "landing_url", "https://shop.example.test/"), Map.of()));
        assertThat(out).isEqualTo(new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "page_id_missing",
                "metaads creatives need the provider account's scope page_id"));
        assertThat(sim.requests()).isEmpty();
    }

    // ------------------------------------------------------------------ reports

    @Test
    void reportsDailyRowsWithStringSpendConvertedToMinorUnits() {
        String cid = createCampaign("exe_18", Map.of("name", "Daily boots", "status", "active", "objective", "traffic",
                "budget", Map.of("amount_minor", 5_000, "currency", "USD", "period", "daily")));
        ProviderOutcome out = run("ads.fetch_report", "exe_19", Map.of("campaign_id", "cmp_b", "since", "2026-11-19",
                "until", "2026-11-21", "granularity", "day"), Map.of("campaign_id", cid));
        // created on 2026-11-20 with 50.00 a day: 40.00 spent that day; Graph leaves out days without delivery
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class, ok -> assertThat(ok.rows())
                .containsExactly(new ReportRow(LocalDate.parse("2026-11-20"), cid, 20_000, 200, 4_000, "USD")));
        SimRequest r = last();
        assertThat(r.method() + " " + r.path()).isEqualTo("GET /v26.0/" + cid + "/insights");
        assertThat(r.query()).containsEntry("level", "campaign").containsEntry("time_increment", "1")
                .containsEntry("fields", "campaign_id,impressions,clicks,spend,account_currency")
                .containsEntry("access_token", TOKEN).containsEntry("appsecret_proof", PROOF);
        assertThat(JsonParser.parse(r.query().get("time_range"))).isEqualTo(Map.of("since", "2026-11-19", "until", "2026-11-21"));
    }

    @Test
    void reportsTotalsForEveryCampaignOfTheAccount() {
        String a = createCampaign("exe_20", Map.of("name", "Lifetime", "status", "active", "objective", "traffic",
                "budget", Map.of("amount_minor", 50_000, "currency", "USD", "period", "lifetime"),
                "end_time", "2026-12-21T00:00:00Z"));
        String b = createCampaign("exe_21", Map.of("name", "Daily", "status", "active", "objective", "traffic",
                "budget", Map.of("amount_minor", 1_000, "currency", "USD", "period", "daily")));
        createCampaign("exe_22", Map.of("name", "Paused", "objective", "traffic",
                "budget", Map.of("amount_minor", 1_000, "currency", "USD", "period", "daily")));
        ProviderOutcome out = run("ads.fetch_report", "exe_23", Map.of("since", "2026-11-01", "until", "2026-11-30",
                "granularity", "total"), Map.of());
        // lifetime 500.00 spends a tenth a day, the 10.00 daily budget 80%; the paused campaign nothing
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class, ok -> assertThat(ok.rows()).containsExactly(
                new ReportRow(LocalDate.parse("2026-11-01"), a, 25_000, 250, 5_000, "USD"),
                new ReportRow(LocalDate.parse("2026-11-01"), b, 4_000, 40, 800, "USD")));
        assertThat(last().path()).isEqualTo("/v26.0/act_4242/insights");
        assertThat(last().query()).containsEntry("time_increment", "all_days").containsEntry("level", "campaign");
    }

    // ------------------------------------------------------------------ throttling and faults

    @Test
    void waitsOutAShortThrottleAndThenCreatesOnce() {
        sim.faults().next(Fault.RATE_LIMITED);
        createCampaign("exe_30", campaign(50_000, "lifetime"));
        assertThat(calls()).containsExactly("POST /v26.0/act_4242/campaigns", "POST /v26.0/act_4242/campaigns");
        assertThat(sim.campaignCount(ACT)).isEqualTo(1);
    }

    @Test
    void throttlingCodes4And17And613AreRateLimited() {
        sim.answerNext(400, "{\"error\":{\"message\":\"(#4) Application request limit reached\",\"type\":\"OAuthException\","
                + "\"code\":4,\"fbtrace_id\":\"x1\"}}");
        sim.answerNext(400, "{\"error\":{\"message\":\"(#17) User request limit reached\",\"type\":\"OAuthException\","
                + "\"code\":17,\"error_subcode\":2446079,\"fbtrace_id\":\"x2\"}}", Map.of("X-Business-Use-Case-Usage",
                "{\"4242\":[{\"type\":\"ads_management\",\"call_count\":100,\"total_cputime\":40,\"total_time\":60,"
                        + "\"estimated_time_to_regain_access\":5}]}"));
        sim.answerNext(400, "{\"error\":{\"message\":\"(#613) Calls to this api have exceeded the rate limit.\","
                + "\"type\":\"OAuthException\",\"code\":613,\"fbtrace_id\":\"x3\"}}");
        assertThat(run("ads.create_campaign", "exe_31", campaign(50_000, "lifetime"), Map.of()))
                .isEqualTo(new ProviderOutcome.RateLimited(Duration.ofSeconds(60)));
        assertThat(run("ads.create_campaign", "exe_32", campaign(50_000, "lifetime"), Map.of()))
                .isEqualTo(new ProviderOutcome.RateLimited(Duration.ofMinutes(5)));
        assertThat(run("ads.pause_campaign", "exe_33", Map.of("campaign_id", "c"), Map.of("campaign_id", "120210000000000009")))
                .isEqualTo(new ProviderOutcome.RateLimited(Duration.ofSeconds(60)));
        assertThat(sim.requests()).hasSize(3);
        assertThat(sim.campaignCount(ACT)).isZero();
    }

    @Test
    void after5xxItLooksForTheObjectBeforeCreatingAgain() {
        sim.faults().next(Fault.SERVER_ERROR);
        createCampaign("exe_34", campaign(50_000, "lifetime"));
        assertThat(calls()).containsExactly("POST /v26.0/act_4242/campaigns", "GET /v26.0/act_4242/campaigns",
                "POST /v26.0/act_4242/campaigns");
        assertThat(JsonParser.parse(sim.requests().get(1).query().get("filtering"))).isEqualTo(List.of(
                Map.of("field", "name", "operator", "CONTAIN", "value", "[exe_34]")));
        assertThat(sim.campaignCount(ACT)).isEqualTo(1);
    }

    @Test
    void aLostAnswerIsReconciledToTheCreatedObjectNeverADuplicate() {
        sim.faults().next(Fault.DROP_RESPONSE);
        ProviderOutcome out = run("ads.create_campaign", "exe_35", campaign(50_000, "lifetime"), Map.of());
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class, ok -> assertThat(ok.data())
                .containsEntry("provider_name", "Winter boots [exe_35]").containsEntry("status", "active"));
        assertThat(sim.campaignCount(ACT)).isEqualTo(1);
        assertThat(calls()).containsExactly("POST /v26.0/act_4242/campaigns", "GET /v26.0/act_4242/campaigns");
    }

    @Test
    void aTimeoutAfterCommitIsReconciledNotRepeated() {
        sim.faults().hang(Duration.ofSeconds(3));
        sim.faults().next(Fault.TIMEOUT_AFTER_COMMIT);
        adapter = adapter(new ProviderHttp(Duration.ofMillis(700)), account);
        createCampaign("exe_36", campaign(50_000, "lifetime"));
        assertThat(sim.campaignCount(ACT)).isEqualTo(1);
        assertThat(calls()).containsExactly("POST /v26.0/act_4242/campaigns", "GET /v26.0/act_4242/campaigns");
    }

    @Test
    void aLostReadIsRepeatedButTheCreateIsSentOnce() {
        String cid = createCampaign("exe_37", campaign(50_000, "lifetime"));
        sim.clearRequests();
        sim.faults().hang(Duration.ofSeconds(3));
        sim.faults().next(Fault.TIMEOUT_AFTER_COMMIT); // the read of the campaign the ad set belongs to
        adapter = adapter(new ProviderHttp(Duration.ofMillis(700)), account);
        ProviderOutcome out = run("ads.create_group", "exe_37b", Map.of("campaign_id", "cmp_b", "name", "Hikers",
                "targeting", Map.of("countries", List.of("US"))), Map.of("campaign_id", cid));
        assertThat(out).isInstanceOf(ProviderOutcome.Succeeded.class);
        assertThat(sim.adSetCount(ACT)).isEqualTo(1);
        assertThat(calls()).containsExactly("GET /v26.0/" + cid, "GET /v26.0/" + cid, "POST /v26.0/act_4242/adsets");
    }

    @Test
    void aLostRequestThatLeftNoTraceIsUnknownAndNotRetried() {
        sim.faults().next(Fault.DROP_REQUEST);
        ProviderOutcome out = run("ads.create_campaign", "exe_38", campaign(50_000, "lifetime"), Map.of());
        assertThat(out).isInstanceOf(ProviderOutcome.Unknown.class);
        assertThat(sim.campaignCount(ACT)).isZero();
        assertThat(calls()).containsExactly("POST /v26.0/act_4242/campaigns", "GET /v26.0/act_4242/campaigns");
        // later reconciliation still finds nothing: the broker may then release the reservation
        assertThat(adapter.reconcile("ads.create_campaign", "exe_38")).isInstanceOfSatisfying(ProviderOutcome.Rejected.class,
                r -> assertThat(r.kind()).isEqualTo(RejectionKind.NOT_FOUND));
    }

    // ------------------------------------------------------------------ auth and preflight

    @Test
    void aRevokedTokenIsError190AuthFailedAndPreflightNamesTheCheck() {
        sim.revoke(TOKEN);
        ProviderOutcome out = run("ads.create_campaign", "exe_40", campaign(50_000, "lifetime"), Map.of());
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Rejected.class, r -> {
            assertThat(r.kind()).isEqualTo(RejectionKind.AUTH_FAILED);
            assertThat(r.providerCode()).isEqualTo("190");
        });
        assertThat(adapter.checks()).extracting(ProviderCheck::name, ProviderCheck::ok)
                .containsExactly(tuple("credentials_authenticate", false), tuple("account_reachable", false));
    }

    @Test
    void anExpiredTokenIsError190Slash463AndPreflightFailsTheCredentialsCheck() {
        sim.expire(TOKEN);
        ProviderOutcome out = run("ads.pause_campaign", "exe_41", Map.of("campaign_id", "c"),
                Map.of("campaign_id", "120210000000000009"));
        assertThat(out).isEqualTo(new ProviderOutcome.Rejected(RejectionKind.AUTH_FAILED, "190/463",
                "Error validating access token: Session has expired."));
        List<ProviderCheck> checks = adapter.checks();
        assertThat(checks.getFirst().name()).isEqualTo("credentials_authenticate");
        assertThat(checks.getFirst().ok()).isFalse();
        assertThat(checks.getFirst().detail()).contains("190").doesNotContain(TOKEN);
    }

    @Test
    void aWrongAppSecretFailsTheProofCheckAsAuthFailed() {
        MetaAdsAdapter wrong = adapter(new ProviderHttp(), context(Map.of("ad_account_id", ACT, "page_id", PAGE),
                "not-the-app-secret-000000"));
        ProviderOutcome out = run(wrong, request(NOW, "ads.create_campaign", "exe_42", campaign(50_000, "lifetime"),
                Map.of()));
        assertThat(out).isEqualTo(new ProviderOutcome.Rejected(RejectionKind.AUTH_FAILED, "100",
                "Invalid appsecret_proof provided in the API argument"));
        assertThat(sim.requests()).hasSize(1);
        assertThat(sim.campaignCount(ACT)).isZero();
        assertThat(wrong.checks()).extracting(ProviderCheck::name, ProviderCheck::ok)
                .contains(tuple("credentials_authenticate", false));
    }

    @Test
    void aCredentialEchoedByGraphNeverReachesTheOutcome() {
        sim.answerNext(400, "{\"error\":{\"message\":\"Malformed access token " + TOKEN + " (proof " + PROOF + ")\","
                + "\"type\":\"OAuthException\",\"code\":190,\"fbtrace_id\":\"x9\"}}");
        ProviderOutcome out = run("ads.create_campaign", "exe_43", campaign(50_000, "lifetime"), Map.of());
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Rejected.class, r -> {
            assertThat(r.kind()).isEqualTo(RejectionKind.AUTH_FAILED);
            assertThat(r.message()).isEqualTo("Malformed access token [redacted] (proof [redacted])");
        });
    }

    @Test
    void preflightPassesForGoodCredentialsAndNamesEachCheck() {
        assertThat(adapter.checks()).extracting(ProviderCheck::name, ProviderCheck::ok).containsExactly(
                tuple("credentials_authenticate", true), tuple("account_reachable", true), tuple("page_reachable", true));
        assertThat(calls()).containsExactly("GET /v26.0/me", "GET /v26.0/act_4242", "GET /v26.0/" + PAGE);
    }

    @Test
    void preflightNamesAnUnreachableAccount() {
        MetaAdsAdapter other = adapter(new ProviderHttp(), context(Map.of("ad_account_id", "act_999"), SECRET));
        assertThat(other.checks()).extracting(ProviderCheck::name, ProviderCheck::ok).containsExactly(
                tuple("credentials_authenticate", true), tuple("account_reachable", false));
    }
}
