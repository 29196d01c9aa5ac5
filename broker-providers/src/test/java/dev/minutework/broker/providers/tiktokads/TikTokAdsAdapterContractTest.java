package dev.minutework.broker.providers.tiktokads;

import static dev.minutework.broker.providers.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.minutework.broker.core.json.JsonParser;
import dev.minutework.broker.core.provider.ProviderAccountContext;
import dev.minutework.broker.core.provider.ProviderCheck;
import dev.minutework.broker.core.provider.ProviderCredentials;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ProviderOutcome.RejectionKind;
import dev.minutework.broker.core.provider.ReportRow;
import dev.minutework.broker.providers.http.Calls;
import dev.minutework.broker.providers.http.ProviderHttp;
import dev.minutework.broker.sim.Faults.Fault;
import dev.minutework.broker.sim.SimRequest;
import dev.minutework.broker.sim.tiktokads.TikTokAdsSimulator;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each action through the TikTok adapter against the simulator: the exact request the provider
 * receives (path, method, headers, body, units) and the mapped outcome, then the faults. After each
 * test: no outcome and no URL carries the access token, and no request ever asked for
 * {@code BUDGET_MODE_INFINITE}.
 */
class TikTokAdsAdapterContractTest {

    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final String TOKEN = "act.tiktok-test-token-0123456789abcdef";
    static final String ADVERTISER = "7000000000000000001";
    static final String API = "/open_api/v1.3";

    TikTokAdsSimulator sim;
    ProviderAccountContext account;
    TikTokAdsAdapter adapter;
    final List<ProviderOutcome> outcomes = new ArrayList<>();

    @BeforeEach
    void start() {
        sim = new TikTokAdsSimulator(Clock.fixed(NOW, ZoneOffset.UTC));
        sim.start();
        sim.provision(Map.of("advertiser_id", ADVERTISER), Map.of("access_token", TOKEN));
        account = account(Map.of("advertiser_id", ADVERTISER));
        adapter = adapter(new ProviderHttp());
    }

    @AfterEach
    void stop() {
        try {
            assertThat(outcomes).allSatisfy(o -> assertThat(o.toString()).doesNotContain(TOKEN));
            assertThat(sim.requests()).allSatisfy(r -> {
                assertThat(r.path() + r.query()).doesNotContain(TOKEN);
                assertThat(r.body()).doesNotContain("BUDGET_MODE_INFINITE");
            });
        } finally {
            sim.close();
        }
    }

    private ProviderAccountContext account(Map<String, String> scope) {
        return new ProviderAccountContext("pac_1", "tiktokads", scope, new ProviderCredentials(Map.of("access_token", TOKEN)),
                sim.baseUrl().toString());
    }

    /** A new adapter after its preflight, which also learns the advertiser's currency; the request log starts empty. */
    private TikTokAdsAdapter adapter(ProviderHttp http) {
        TikTokAdsAdapter a = new TikTokAdsAdapter(http, sim.baseUrl(), account, Duration.ofMillis(10),
                Clock.fixed(NOW, ZoneOffset.UTC));
        a.checks();
        sim.clearRequests();
        return a;
    }

    private ProviderOutcome run(String action, String ref, Map<String, Object> input, Map<String, String> ids,
            Map<String, Map<String, Object>> references) {
        ProviderOutcome out = adapter.execute(request(NOW, action, ref, input, ids, references));
        outcomes.add(out);
        return out;
    }

    static Map<String, Object> campaign(long amountMinor, String period, boolean scheduled) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "Winter boots");
        m.put("objective", "traffic");
        m.put("status", "active");
        m.put("budget", Map.of("amount_minor", amountMinor, "currency", "USD", "period", period));
        if (scheduled) {
            m.put("start_time", "2026-11-21T00:00:00Z");
            m.put("end_time", "2026-12-21T00:00:00Z");
        }
        return m;
    }

    private ProviderOutcome.Succeeded createCampaign(String ref, Map<String, Object> input) {
        ProviderOutcome out = run("ads.create_campaign", ref, input, Map.of(), Map.of());
        assertThat(out).isInstanceOf(ProviderOutcome.Succeeded.class);
        return (ProviderOutcome.Succeeded) out;
    }

    private ProviderOutcome.Succeeded createCampaign(String ref) {
        return createCampaign(ref, campaign(50_000, "lifetime", true));
    }

    private ProviderOutcome createGroup(String ref, String campaignId, Map<String, Object> campaignInput,
            Map<String, Object> groupInput) {
        return run("ads.create_group", ref, groupInput, Map.of("campaign_id", campaignId),
                Map.of("campaign_id", campaignInput));
    }

    static Map<String, Object> group(String name) {
        return Map.of("campaign_id", "cmp_b", "name", name, "targeting", Map.of("countries", List.of("US")));
    }

    private SimRequest last() {
        return sim.requests().getLast();
    }

    private List<String> calls() {
        return sim.requests().stream().map(r -> r.method() + " " + r.path().substring(API.length())).toList();
    }

    static BigDecimal decimal(Object v) {
        return new BigDecimal(String.valueOf(v));
    }

    // ------------------------------------------------------------------ campaigns

    @Test
    void createsADailyCampaignInDecimalMajorUnitsWithTheReferenceInItsName() {
        ProviderOutcome.Succeeded ok = createCampaign("exe_1", campaign(12_345, "daily", false));

        SimRequest r = last();
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo(API + "/campaign/create/");
        assertThat(r.header("Access-Token")).isEqualTo(TOKEN);
        assertThat(r.header("Authorization")).isNull();
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.query()).isEmpty();
        assertThat(r.jsonObject()).isEqualTo(Map.of("advertiser_id", ADVERTISER, "campaign_name", "Winter boots [exe_1]",
                "objective_type", "TRAFFIC", "budget_mode", "BUDGET_MODE_DAY", "budget", new BigDecimal("123.45"),
                "operation_status", "ENABLE"));
        assertThat(ok.providerObjectId()).matches("[0-9]{19}");
        assertThat(ok.data()).containsEntry("status", "active").containsEntry("provider_name", "Winter boots [exe_1]");
        assertThat(sim.campaignCount(ADVERTISER)).isEqualTo(1);
    }

    @Test
    void aLifetimeBudgetIsBudgetModeTotalAndAPausedCampaignIsDisabled() {
        Map<String, Object> input = new LinkedHashMap<>(campaign(50_000, "lifetime", true));
        input.put("status", "paused");
        input.put("objective", "awareness");
        ProviderOutcome.Succeeded ok = createCampaign("exe_2", input);
        Map<String, Object> body = last().jsonObject();
        assertThat(body).containsEntry("budget_mode", "BUDGET_MODE_TOTAL").containsEntry("operation_status", "DISABLE")
                .containsEntry("objective_type", "REACH").doesNotContainKeys("schedule_start_time", "start_time");
        assertThat(decimal(body.get("budget"))).isEqualByComparingTo("500.00");
        assertThat(ok.data()).containsEntry("status", "paused");
    }

    @Test
    void refusesMoneyInAnotherCurrencyThanTheAdvertisersWithoutCallingTheProvider() {
        Map<String, Object> input = new LinkedHashMap<>(campaign(10_000, "daily", false));
        input.put("budget", Map.of("amount_minor", 10_000, "currency", "JPY", "period", "daily"));
        ProviderOutcome out = run("ads.create_campaign", "exe_2b", input, Map.of(), Map.of());
        assertThat(out).isEqualTo(new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "currency_mismatch",
                "the advertiser is billed in USD, not JPY"));
        ProviderOutcome bid = createGroup("exe_2c", "1", campaign(10_000, "daily", false), Map.of("campaign_id", "c",
                "name", "G", "bid", Map.of("amount_minor", 30, "currency", "EUR"), "targeting", Map.of("countries", List.of("US"))));
        assertThat(bid).isInstanceOfSatisfying(ProviderOutcome.Rejected.class,
                r -> assertThat(r.providerCode()).isEqualTo("currency_mismatch"));
        assertThat(sim.requests()).isEmpty();
    }

    @Test
    void anUnprimedAdapterLearnsTheCurrencyOnceBeforeTheFirstMoneyGoesOut() {
        adapter = new TikTokAdsAdapter(new ProviderHttp(), sim.baseUrl(), account, Duration.ofMillis(10),
                Clock.fixed(NOW, ZoneOffset.UTC));
        createCampaign("exe_2d");
        createCampaign("exe_2e");
        assertThat(calls()).containsExactly("GET /advertiser/info/", "POST /campaign/create/", "POST /campaign/create/");
    }

    @Test
    void refusesAnUpdateOfTheEndTimeWithoutCallingTheProvider() {
        ProviderOutcome out = run("ads.update_campaign", "exe_3",
                Map.of("campaign_id", "cmp_b", "end_time", "2027-01-01T00:00:00Z"), Map.of("campaign_id", "1"), Map.of());
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Rejected.class, r -> {
            assertThat(r.kind()).isEqualTo(RejectionKind.UNSUPPORTED);
            assertThat(r.providerCode()).isEqualTo("end_time_unsupported");
        });
        assertThat(sim.requests()).isEmpty();
    }

    @Test
    void updatesKeepTheReferenceSendMajorUnitsAndChangeStatusThroughTheStatusEndpoint() {
        String id = createCampaign("exe_4", campaign(10_000, "daily", false)).providerObjectId();
        sim.clearRequests();
        ProviderOutcome out = run("ads.update_campaign", "exe_5",
                Map.of("campaign_id", "cmp_b", "name", "Summer boots", "status", "paused",
                        "budget", Map.of("amount_minor", 20_050, "currency", "USD", "period", "daily")),
                Map.of("campaign_id", id), Map.of());
        assertThat(out).isEqualTo(new ProviderOutcome.Succeeded(id, Map.of("status", "paused"), List.of()));
        assertThat(calls()).containsExactly("GET /campaign/get/", "POST /campaign/update/", "POST /campaign/status/update/");
        SimRequest get = sim.requests().get(0);
        assertThat(get.query()).containsEntry("advertiser_id", ADVERTISER);
        assertThat(JsonParser.parse(get.query().get("filtering"))).isEqualTo(Map.of("campaign_ids", List.of(id)));
        assertThat(sim.requests().get(1).jsonObject()).isEqualTo(Map.of("advertiser_id", ADVERTISER, "campaign_id", id,
                "campaign_name", "Summer boots [exe_4]", "budget", new BigDecimal("200.5")));
        assertThat(last().jsonObject()).isEqualTo(Map.of("advertiser_id", ADVERTISER, "campaign_ids", List.of(id),
                "operation_status", "DISABLE"));
    }

    @Test
    void refusesChangingTheBudgetModeWhichTikTokCannotDo() {
        String id = createCampaign("exe_6", campaign(10_000, "daily", false)).providerObjectId();
        sim.clearRequests();
        ProviderOutcome out = run("ads.update_campaign", "exe_7",
                Map.of("campaign_id", "cmp_b", "budget", Map.of("amount_minor", 90_000, "currency", "USD", "period", "lifetime")),
                Map.of("campaign_id", id), Map.of());
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Rejected.class, r -> {
            assertThat(r.kind()).isEqualTo(RejectionKind.UNSUPPORTED);
            assertThat(r.providerCode()).isEqualTo("budget_mode_change_unsupported");
        });
        assertThat(calls()).containsExactly("GET /campaign/get/");
    }

    @Test
    void pausesThroughCampaignStatusUpdateWithDisable() {
        String id = createCampaign("exe_8").providerObjectId();
        ProviderOutcome out = run("ads.pause_campaign", "exe_9", Map.of("campaign_id", "cmp_b"), Map.of("campaign_id", id),
                Map.of());
        assertThat(out).isEqualTo(new ProviderOutcome.Succeeded(id, Map.of("status", "paused"), List.of()));
        assertThat(last().method() + " " + last().path()).isEqualTo("POST " + API + "/campaign/status/update/");
        assertThat(last().jsonObject()).isEqualTo(Map.of("advertiser_id", ADVERTISER, "campaign_ids", List.of(id),
                "operation_status", "DISABLE"));
    }

    @Test
    void aNonZeroCodeOnHttp200IsARejectionNeverASuccessAndAnUnknownCampaignIsNotFound() {
        ProviderOutcome out = run("ads.pause_campaign", "exe_10", Map.of("campaign_id", "cmp_b"),
                Map.of("campaign_id", "1234"), Map.of());
        // TikTok answers 40002 on HTTP 200 for an id it does not have; the lookup that follows tells
        // "no such campaign" (the broker then marks it removed_at_provider) from a bad parameter
        assertThat(out).isEqualTo(new ProviderOutcome.Rejected(RejectionKind.NOT_FOUND, "campaign_not_found",
                "TikTok does not know campaign 1234"));
        assertThat(sim.requests()).extracting(r -> r.method() + " " + r.path()).containsExactly(
                "POST " + API + "/campaign/status/update/", "GET " + API + "/campaign/get/");
    }

    // ------------------------------------------------------------------ ad groups

    @Test
    void aCampaignScheduleWithOffsetsOrFractionsBecomesTheSameUtcScheduleAsItsInstants() {
        Map<String, Object> campaignInput = campaign(50_000, "lifetime", true);
        campaignInput.put("start_time", "2026-11-21T02:00:00.250+02:00");
        campaignInput.put("end_time", "2026-12-20T19:00:00-05:00");
        String cid = createCampaign("exe_time_1", campaignInput).providerObjectId();
        ProviderOutcome out = createGroup("exe_time_2", cid, campaignInput, Map.of("campaign_id", "cmp_b", "name", "Hikers",
                "targeting", Map.of("countries", List.of("US"))));
        assertThat(out).isInstanceOf(ProviderOutcome.Succeeded.class);
        assertThat(last().jsonObject()).containsEntry("schedule_start_time", "2026-11-21 00:00:00")
                .containsEntry("schedule_end_time", "2026-12-21 00:00:00");
    }

    @Test
    void createsAGroupWithTheCampaignsScheduleInUtcLocationIdsAMajorUnitBidAndARequestId() {
        Map<String, Object> campaignInput = campaign(50_000, "lifetime", true);
        String cid = createCampaign("exe_11", campaignInput).providerObjectId();
        sim.clearRequests();
        ProviderOutcome out = createGroup("exe_12", cid, campaignInput, Map.of("campaign_id", "cmp_b", "name", "Hikers",
                "bid", Map.of("amount_minor", 250, "currency", "USD"),
                "targeting", Map.of("countries", List.of("US", "GB"), "age_min", 18, "age_max", 34, "languages", List.of("en"))));
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class, ok -> {
            assertThat(ok.providerObjectId()).matches("[0-9]{19}");
            assertThat(ok.data()).containsEntry("status", "paused").containsEntry("provider_name", "Hikers [exe_12]");
        });
        assertThat(calls()).containsExactly("GET /campaign/get/", "POST /adgroup/create/");
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("advertiser_id", ADVERTISER);
        expected.put("campaign_id", cid);
        expected.put("adgroup_name", "Hikers [exe_12]");
        expected.put("promotion_type", "WEBSITE");
        expected.put("placement_type", "PLACEMENT_TYPE_NORMAL");
        expected.put("placements", List.of("PLACEMENT_TIKTOK"));
        expected.put("location_ids", List.of("6252001", "2635167"));
        expected.put("age_groups", List.of("AGE_18_24", "AGE_25_34"));
        expected.put("languages", List.of("en"));
        expected.put("budget_mode", "BUDGET_MODE_TOTAL");
        expected.put("budget", 500L);
        expected.put("schedule_type", "SCHEDULE_START_END");
        expected.put("schedule_start_time", "2026-11-21 00:00:00");
        expected.put("schedule_end_time", "2026-12-21 00:00:00");
        expected.put("optimization_goal", "CLICK");
        expected.put("billing_event", "CPC");
        expected.put("bid_type", "BID_TYPE_CUSTOM");
        expected.put("bid_price", new BigDecimal("2.5"));
        expected.put("operation_status", "DISABLE");
        expected.put("request_id", TikTokAdsAdapter.requestId("exe_12"));
        assertThat(last().jsonObject()).isEqualTo(expected);
        assertThat((String) last().jsonObject().get("request_id")).matches("[0-9]{1,19}");
        assertThat(sim.adGroupCount(ADVERTISER)).isEqualTo(1);
    }

    @Test
    void aDailyCampaignWithoutScheduleGivesAGroupThatRunsFromNowWithoutABid() {
        Map<String, Object> campaignInput = campaign(10_000, "daily", false);
        String cid = createCampaign("exe_13", campaignInput).providerObjectId();
        ProviderOutcome out = createGroup("exe_14", cid, campaignInput, group("Runners"));
        assertThat(out).isInstanceOf(ProviderOutcome.Succeeded.class);
        assertThat(last().jsonObject()).containsEntry("schedule_type", "SCHEDULE_FROM_NOW")
                .containsEntry("schedule_start_time", "2026-11-20 12:00:00").containsEntry("budget_mode", "BUDGET_MODE_DAY")
                .containsEntry("bid_type", "BID_TYPE_NO_BID").doesNotContainKeys("schedule_end_time", "bid_price", "age_groups");
    }

    @Test
    void refusesGroupsTikTokCannotExpressWithoutCallingIt() {
        Map<String, Object> campaignInput = campaign(10_000, "daily", false);
        ProviderOutcome noCountries = createGroup("exe_15", "1", campaignInput, Map.of("campaign_id", "c", "name", "G"));
        ProviderOutcome hints = createGroup("exe_16", "1", campaignInput, Map.of("campaign_id", "c", "name", "G",
                "targeting", Map.of("countries", List.of("US"), "context_hints", List.of("hiking"))));
        ProviderOutcome ages = createGroup("exe_17", "1", campaignInput, Map.of("campaign_id", "c", "name", "G",
                "targeting", Map.of("countries", List.of("US"), "age_min", 21, "age_max", 40)));
        ProviderOutcome country = createGroup("exe_18", "1", campaignInput, Map.of("campaign_id", "c", "name", "G",
                "targeting", Map.of("countries", List.of("ZZ"))));
        ProviderOutcome unknownCampaign = run("ads.create_group", "exe_19", group("G"), Map.of("campaign_id", "1"), Map.of());
        assertThat(List.of(noCountries, hints, ages, country, unknownCampaign)).extracting(o -> (ProviderOutcome.Rejected) o)
                .extracting(ProviderOutcome.Rejected::kind, ProviderOutcome.Rejected::providerCode)
                .containsExactly(tuple(RejectionKind.INVALID_REQUEST, "countries_required"),
                        tuple(RejectionKind.UNSUPPORTED, "context_hints_unsupported"),
                        tuple(RejectionKind.UNSUPPORTED, "age_range_unsupported"),
                        tuple(RejectionKind.UNSUPPORTED, "country_unsupported"),
                        tuple(RejectionKind.INVALID_REQUEST, "campaign_unknown"));
        assertThat(sim.requests()).isEmpty();
    }

    @Test
    void anAwarenessCampaignsGroupOptimisesForReachBilledByImpressions() {
        Map<String, Object> campaignInput = campaign(10_000, "daily", false);
        campaignInput.put("objective", "awareness");
        String cid = createCampaign("exe_20a", campaignInput).providerObjectId();
        ProviderOutcome out = createGroup("exe_20b", cid, campaignInput, Map.of("campaign_id", "cmp_b", "name", "Seen",
                "bid", Map.of("amount_minor", 400, "currency", "USD"), "targeting", Map.of("countries", List.of("US"))));
        assertThat(out).isInstanceOf(ProviderOutcome.Succeeded.class);
        assertThat(last().jsonObject()).containsEntry("optimization_goal", "REACH").containsEntry("billing_event", "CPM")
                .containsEntry("bid_type", "BID_TYPE_CUSTOM");
    }

    @Test
    void aLifetimeCampaignWithoutEndCannotGetAGroupAndNothingIsCreated() {
        Map<String, Object> campaignInput = campaign(50_000, "lifetime", false);
        String cid = createCampaign("exe_20", campaignInput).providerObjectId();
        ProviderOutcome out = createGroup("exe_21", cid, campaignInput, group("G"));
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Rejected.class,
                r -> assertThat(r.providerCode()).isEqualTo("end_time_required"));
        assertThat(calls()).doesNotContain("POST /adgroup/create/");
        assertThat(sim.adGroupCount(ADVERTISER)).isZero();
    }

    // ------------------------------------------------------------------ creatives and ads

    static final Map<String, Object> CREATIVE = Map.of("name", "Card", "headline", "Boots for winter",
            "body", "Warm and dry.", "image_url", "https://cdn.example.test/boot.png",
            "landing_url", "https://shop.example.test/boots", "call_to_action", "shop_now");

    private String groupId(String ref) {
        Map<String, Object> campaignInput = campaign(10_000, "daily", false);
        String cid = createCampaign(ref + "c", campaignInput).providerObjectId();
        return ((ProviderOutcome.Succeeded) createGroup(ref + "g", cid, campaignInput, group("G"))).providerObjectId();
    }

    private String upload(String ref) {
        ProviderOutcome out = run("ads.create_creative", ref, CREATIVE, Map.of(), Map.of());
        assertThat(out).isInstanceOf(ProviderOutcome.Succeeded.class);
        return ((ProviderOutcome.Succeeded) out).providerObjectId();
    }

    @Test
    void createCreativeUploadsTheImageByUrl() {
        String image = upload("exe_22");
        SimRequest r = last();
        assertThat(r.method() + " " + r.path()).isEqualTo("POST " + API + "/file/image/ad/upload/");
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.jsonObject()).isEqualTo(Map.of("advertiser_id", ADVERTISER, "upload_type", "UPLOAD_BY_URL",
                "image_url", "https://cdn.example.test/boot.png"));
        assertThat(image).startsWith("ad-site-i18n-sg/");
        assertThat(sim.imageCount(ADVERTISER)).isEqualTo(1);
    }

    @Test
    void createAdEmbedsTheReferencedCreativeWithADisplayNameWhenThereIsNoIdentity() {
        String gid = groupId("exe_23");
        String image = upload("exe_24");
        ProviderOutcome ad = run("ads.create_ad", "exe_25",
                Map.of("group_id", "grp_b", "creative_id", "crv_b", "name", "Ad one", "status", "active"),
                Map.of("group_id", gid, "creative_id", image), Map.of("creative_id", CREATIVE));
        assertThat(ad).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class, ok -> {
            assertThat(ok.providerObjectId()).matches("[0-9]{19}");
            assertThat(ok.data()).containsEntry("status", "active").containsEntry("review_status", "in_review");
        });
        assertThat(last().path()).isEqualTo(API + "/ad/create/");
        Map<String, Object> creative = new LinkedHashMap<>();
        creative.put("ad_name", "Ad one [exe_25]");
        creative.put("ad_format", "SINGLE_IMAGE");
        creative.put("ad_text", "Warm and dry.");
        creative.put("call_to_action", "SHOP_NOW");
        creative.put("landing_page_url", "https://shop.example.test/boots");
        creative.put("image_ids", List.of(image));
        creative.put("display_name", "Boots for winter");
        assertThat(last().jsonObject()).isEqualTo(Map.of("advertiser_id", ADVERTISER, "adgroup_id", gid,
                "creatives", List.of(creative)));
        assertThat(sim.adCount(ADVERTISER)).isEqualTo(1);
    }

    @Test
    void aCreativeGivenAsListsOfOneBecomesTheAdsTextAndDisplayName() {
        Map<String, Object> lists = Map.of("name", "Card", "headlines", List.of("Boots for winter"),
                "descriptions", List.of("Warm and dry."), "image_url", "https://cdn.example.test/boot.png",
                "landing_url", "https://shop.example.test/boots");
        String gid = groupId("exe_25a");
        ProviderOutcome image = run("ads.create_creative", "exe_25b", lists, Map.of(), Map.of());
        assertThat(image).isInstanceOf(ProviderOutcome.Succeeded.class);
        String imageId = ((ProviderOutcome.Succeeded) image).providerObjectId();
        ProviderOutcome ad = run("ads.create_ad", "exe_25c", Map.of("group_id", "grp_b", "creative_id", "crv_b",
                "name", "Ad one"), Map.of("group_id", gid, "creative_id", imageId), Map.of("creative_id", lists));
        assertThat(ad).isInstanceOf(ProviderOutcome.Succeeded.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> creative = (Map<String, Object>) ((List<?>) last().jsonObject().get("creatives")).getFirst();
        assertThat(creative).containsEntry("ad_text", "Warm and dry.").containsEntry("display_name", "Boots for winter")
                .containsEntry("call_to_action", "LEARN_MORE");
    }

    @Test
    void aCreativeWithTwoDescriptionsIsRefusedBeforeTheImageIsUploaded() {
        sim.clearRequests();
        Map<String, Object> two = new LinkedHashMap<>(CREATIVE);
        two.remove("body");
        two.put("descriptions", List.of("Warm and dry.", "Ships today."));
        ProviderOutcome out = run("ads.create_creative", "exe_25d", two, Map.of(), Map.of());
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Rejected.class,
                r -> assertThat(r.providerCode()).isEqualTo("creative_texts_unsupported"));
        assertThat(sim.requests()).isEmpty();
    }

    @Test
    void createAdUsesTheScopesIdentityAndDisablesAPausedAd() {
        sim.provision(Map.of("advertiser_id", ADVERTISER, "identity_id", "7100000000000000009"), Map.of("access_token", TOKEN));
        account = account(Map.of("advertiser_id", ADVERTISER, "identity_id", "7100000000000000009"));
        adapter = adapter(new ProviderHttp());
        String gid = groupId("exe_26");
        String image = upload("exe_27");
        sim.clearRequests();
        ProviderOutcome ad = run("ads.create_ad", "exe_28",
                Map.of("group_id", "grp_b", "creative_id", "crv_b", "name", "Ad two", "status", "paused"),
                Map.of("group_id", gid, "creative_id", image), Map.of("creative_id", CREATIVE));
        assertThat(ad).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class,
                ok -> assertThat(ok.data()).containsEntry("status", "paused"));
        assertThat(calls()).containsExactly("POST /ad/create/", "POST /ad/status/update/");
        @SuppressWarnings("unchecked")
        Map<String, Object> creative = (Map<String, Object>) ((List<?>) sim.requests().getFirst().jsonObject()
                .get("creatives")).getFirst();
        assertThat(creative).containsEntry("identity_id", "7100000000000000009")
                .containsEntry("identity_type", "CUSTOMIZED_USER").doesNotContainKey("display_name");
        String adId = ((ProviderOutcome.Succeeded) ad).providerObjectId();
        assertThat(last().jsonObject()).isEqualTo(Map.of("advertiser_id", ADVERTISER, "ad_ids", List.of(adId),
                "operation_status", "DISABLE"));
    }

    // ------------------------------------------------------------------ reports

    @Test
    void reportsDailyRowsWithSpendStringsConvertedToMinorUnits() {
        String cid = createCampaign("exe_30", campaign(10_000, "daily", false)).providerObjectId();
        createCampaign("exe_31", campaign(10_000, "daily", false)); // not asked for
        sim.clearRequests();
        ProviderOutcome out = run("ads.fetch_report", "exe_32",
                Map.of("campaign_id", "cmp_b", "since", "2026-11-19", "until", "2026-11-21", "granularity", "day"),
                Map.of("campaign_id", cid), Map.of());
        // created 2026-11-20 with 100.00 a day: the simulator delivers 50.00 that day, nothing before, today is the 20th
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class, ok -> assertThat(ok.rows())
                .containsExactly(new ReportRow(LocalDate.parse("2026-11-20"), cid, 10_000, 200, 5_000, "USD")));
        assertThat(calls()).containsExactly("GET /report/integrated/get/");
        SimRequest r = last();
        assertThat(r.body()).isEmpty();
        assertThat(r.query()).containsEntry("advertiser_id", ADVERTISER).containsEntry("report_type", "BASIC")
                .containsEntry("data_level", "AUCTION_CAMPAIGN").containsEntry("start_date", "2026-11-19")
                .containsEntry("end_date", "2026-11-21").containsEntry("page", "1").containsEntry("page_size", "1000");
        assertThat(JsonParser.parse(r.query().get("dimensions"))).isEqualTo(List.of("campaign_id", "stat_time_day"));
        assertThat(JsonParser.parse(r.query().get("metrics"))).isEqualTo(List.of("spend", "impressions", "clicks"));
        assertThat(JsonParser.parse(r.query().get("filtering"))).isEqualTo(List.of(Map.of("field_name", "campaign_ids",
                "filter_type", "IN", "filter_value", "[\"" + cid + "\"]")));
    }

    @Test
    void aLongDailyReportIsAskedInThirtyDayWindowsAndTotalsCoverAllCampaigns() {
        String a = createCampaign("exe_33", campaign(10_000, "daily", false)).providerObjectId();
        String b = createCampaign("exe_34", campaign(50_000, "lifetime", true)).providerObjectId();
        sim.clearRequests();
        ProviderOutcome daily = run("ads.fetch_report", "exe_35",
                Map.of("since", "2026-10-01", "until", "2026-11-20", "granularity", "day"), Map.of(), Map.of());
        assertThat(daily).isInstanceOf(ProviderOutcome.Succeeded.class);
        assertThat(sim.requests()).filteredOn(r -> r.path().endsWith("/report/integrated/get/"))
                .extracting(r -> r.query().get("start_date") + ".." + r.query().get("end_date"))
                .containsExactly("2026-10-01..2026-10-30", "2026-10-31..2026-11-20");
        ProviderOutcome total = run("ads.fetch_report", "exe_36",
                Map.of("since", "2026-11-01", "until", "2026-11-30", "granularity", "total"), Map.of(), Map.of());
        assertThat(JsonParser.parse(last().query().get("dimensions"))).isEqualTo(List.of("campaign_id"));
        assertThat(last().query()).doesNotContainKey("filtering");
        // 50.00 a day for the daily one; a tenth of 500.00 for the lifetime one, on the one day delivered so far
        assertThat(((ProviderOutcome.Succeeded) total).rows()).containsExactly(
                new ReportRow(LocalDate.parse("2026-11-01"), a, 10_000, 200, 5_000, "USD"),
                new ReportRow(LocalDate.parse("2026-11-01"), b, 10_000, 200, 5_000, "USD"));
    }

    // ------------------------------------------------------------------ faults

    @Test
    void waitsOutARateLimitCodeAndThenCreatesOnce() {
        sim.faults().next(Fault.RATE_LIMITED);
        createCampaign("exe_40");
        assertThat(calls()).containsExactly("POST /campaign/create/", "POST /campaign/create/");
        assertThat(sim.campaignCount(ADVERTISER)).isEqualTo(1);
    }

    @Test
    void aPersistentRateLimitBecomesRateLimitedWithNothingCreated() {
        sim.faults().next(Fault.RATE_LIMITED, 3);
        ProviderOutcome out = run("ads.create_campaign", "exe_41", campaign(50_000, "lifetime", true), Map.of(), Map.of());
        assertThat(out).isEqualTo(new ProviderOutcome.RateLimited(TikTokAdsAdapter.RATE_LIMIT_RETRY_AFTER));
        assertThat(sim.requests()).hasSize(3);
        assertThat(sim.campaignCount(ADVERTISER)).isZero();
    }

    @Test
    void after5xxItLooksForTheCampaignBeforeCreatingAgain() {
        sim.faults().next(Fault.SERVER_ERROR);
        createCampaign("exe_42");
        assertThat(calls()).containsExactly("POST /campaign/create/", "GET /campaign/get/", "POST /campaign/create/");
        assertThat(sim.campaignCount(ADVERTISER)).isEqualTo(1);
    }

    @Test
    void aLostAnswerIsReconciledToTheCreatedCampaignNeverADuplicate() {
        sim.faults().next(Fault.DROP_RESPONSE);
        ProviderOutcome.Succeeded ok = createCampaign("exe_43");
        assertThat(sim.campaignCount(ADVERTISER)).isEqualTo(1);
        assertThat(ok.data()).containsEntry("provider_name", "Winter boots [exe_43]");
        assertThat(calls()).containsExactly("POST /campaign/create/", "GET /campaign/get/");
    }

    @Test
    void aTimeoutAfterCommitIsReconciledNotRepeated() {
        adapter = adapter(new ProviderHttp(Duration.ofMillis(700)));
        sim.faults().hang(Duration.ofSeconds(3));
        sim.faults().next(Fault.TIMEOUT_AFTER_COMMIT);
        createCampaign("exe_44");
        assertThat(sim.campaignCount(ADVERTISER)).isEqualTo(1);
        assertThat(calls()).containsExactly("POST /campaign/create/", "GET /campaign/get/");
    }

    @Test
    void aLostRequestThatLeftNoTraceIsUnknownAndNotRetried() {
        sim.faults().next(Fault.DROP_REQUEST);
        ProviderOutcome out = run("ads.create_campaign", "exe_45", campaign(50_000, "lifetime", true), Map.of(), Map.of());
        assertThat(out).isInstanceOf(ProviderOutcome.Unknown.class);
        assertThat(sim.campaignCount(ADVERTISER)).isZero();
        assertThat(calls()).containsExactly("POST /campaign/create/", "GET /campaign/get/");
        // later reconciliation still finds nothing: the broker may then release the reservation
        assertThat(adapter.reconcile("ads.create_campaign", "exe_45")).isInstanceOfSatisfying(ProviderOutcome.Rejected.class,
                r -> assertThat(r.kind()).isEqualTo(RejectionKind.NOT_FOUND));
    }

    private String reconcileId(String action, String ref) {
        ProviderOutcome found = adapter.reconcile(action, ref);
        assertThat(found).isInstanceOf(ProviderOutcome.Succeeded.class);
        return ((ProviderOutcome.Succeeded) found).providerObjectId();
    }

    @Test
    void aLostAdGroupAnswerIsResentWithTheSameRequestIdAndMakesOneGroup() {
        Map<String, Object> campaignInput = campaign(10_000, "daily", false);
        String cid = createCampaign("exe_46", campaignInput).providerObjectId();
        sim.clearRequests();
        sim.failNext("/adgroup/create/", Fault.DROP_RESPONSE);
        ProviderOutcome out = createGroup("exe_47", cid, campaignInput, group("G"));
        assertThat(out).isInstanceOf(ProviderOutcome.Succeeded.class);
        assertThat(calls()).containsExactly("GET /campaign/get/", "POST /adgroup/create/", "POST /adgroup/create/");
        assertThat(sim.requests().get(1).jsonObject().get("request_id"))
                .isEqualTo(sim.requests().get(2).jsonObject().get("request_id"));
        assertThat(sim.adGroupCount(ADVERTISER)).isEqualTo(1);
        assertThat(reconcileId("ads.create_group", "exe_47")).isEqualTo(((ProviderOutcome.Succeeded) out).providerObjectId());
    }

    @Test
    void anAdGroupServerErrorIsResentWithTheSameRequestIdAndMakesOneGroup() {
        Map<String, Object> campaignInput = campaign(10_000, "daily", false);
        String cid = createCampaign("exe_48", campaignInput).providerObjectId();
        sim.clearRequests();
        sim.failNext("/adgroup/create/", Fault.SERVER_ERROR);
        ProviderOutcome out = createGroup("exe_49", cid, campaignInput, group("G"));
        assertThat(out).isInstanceOf(ProviderOutcome.Succeeded.class);
        assertThat(calls()).containsExactly("GET /campaign/get/", "POST /adgroup/create/", "POST /adgroup/create/");
        assertThat(sim.adGroupCount(ADVERTISER)).isEqualTo(1);
    }

    @Test
    void anAdGroupWhoseAnswersAreAllLostIsFoundByItsReference() {
        Map<String, Object> campaignInput = campaign(10_000, "daily", false);
        String cid = createCampaign("exe_50", campaignInput).providerObjectId();
        sim.clearRequests();
        for (int i = 0; i < Calls.ATTEMPTS; i++) {
            sim.failNext("/adgroup/create/", Fault.DROP_RESPONSE);
        }
        ProviderOutcome out = createGroup("exe_51", cid, campaignInput, group("G"));
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class,
                ok -> assertThat(ok.data()).containsEntry("provider_name", "G [exe_51]"));
        assertThat(calls()).endsWith("GET /adgroup/get/");
        assertThat(sim.adGroupCount(ADVERTISER)).isEqualTo(1);
    }

    @Test
    void aLostAdAnswerIsReconciledNeverADuplicate() {
        String gid = groupId("exe_52");
        String image = upload("exe_53");
        sim.clearRequests();
        sim.failNext("/ad/create/", Fault.DROP_RESPONSE);
        ProviderOutcome ad = run("ads.create_ad", "exe_54",
                Map.of("group_id", "grp_b", "creative_id", "crv_b", "name", "Ad one"),
                Map.of("group_id", gid, "creative_id", image), Map.of("creative_id", CREATIVE));
        assertThat(ad).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class,
                ok -> assertThat(ok.data()).containsEntry("provider_name", "Ad one [exe_54]"));
        assertThat(calls()).containsExactly("POST /ad/create/", "GET /ad/get/");
        assertThat(sim.adCount(ADVERTISER)).isEqualTo(1);
    }

    @Test
    void anAdServerErrorLooksBeforeCreatingAgain() {
        String gid = groupId("exe_55");
        String image = upload("exe_56");
        sim.clearRequests();
        sim.failNext("/ad/create/", Fault.SERVER_ERROR);
        ProviderOutcome ad = run("ads.create_ad", "exe_57",
                Map.of("group_id", "grp_b", "creative_id", "crv_b", "name", "Ad one"),
                Map.of("group_id", gid, "creative_id", image), Map.of("creative_id", CREATIVE));
        assertThat(ad).isInstanceOf(ProviderOutcome.Succeeded.class);
        assertThat(calls()).containsExactly("POST /ad/create/", "GET /ad/get/", "POST /ad/create/");
        assertThat(sim.adCount(ADVERTISER)).isEqualTo(1);
    }

    @Test
    void aLostCampaignPauseIsRepeatedBecauseItIsAbsolute() {
        String id = createCampaign("exe_58").providerObjectId();
        sim.clearRequests();
        sim.faults().next(Fault.DROP_RESPONSE);
        ProviderOutcome out = run("ads.pause_campaign", "exe_59", Map.of("campaign_id", "cmp_b"), Map.of("campaign_id", id),
                Map.of());
        assertThat(out).isEqualTo(new ProviderOutcome.Succeeded(id, Map.of("status", "paused"), List.of()));
        assertThat(calls()).containsExactly("POST /campaign/status/update/", "POST /campaign/status/update/");
    }

    // ------------------------------------------------------------------ credentials and preflight

    @Test
    void aRevokedTokenFailsAuthenticationAndPreflightNamesTheCheck() {
        sim.revoke(TOKEN);
        ProviderOutcome out = run("ads.create_campaign", "exe_60", campaign(50_000, "lifetime", true), Map.of(), Map.of());
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Rejected.class, r -> {
            assertThat(r.kind()).isEqualTo(RejectionKind.AUTH_FAILED);
            assertThat(r.providerCode()).isEqualTo("40101");
            assertThat(r.message()).doesNotContain(TOKEN);
        });
        assertThat(sim.requests()).hasSize(1);
        List<ProviderCheck> checks = adapter.checks();
        assertThat(checks).extracting(ProviderCheck::name, ProviderCheck::ok)
                .containsExactly(tuple("credentials_authenticate", false), tuple("account_reachable", false));
        assertThat(checks).allSatisfy(c -> assertThat(c.detail()).doesNotContain(TOKEN));
    }

    @Test
    void anExpiredTokenIsAnAuthenticationFailure() {
        sim.expire(TOKEN);
        ProviderOutcome out = run("ads.pause_campaign", "exe_61", Map.of("campaign_id", "cmp_b"), Map.of("campaign_id", "1"),
                Map.of());
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Rejected.class, r -> {
            assertThat(r.kind()).isEqualTo(RejectionKind.AUTH_FAILED);
            assertThat(r.providerCode()).isEqualTo("40102");
        });
    }

    @Test
    void aTokenWithoutPermissionForTheAdvertiserFailsTheAccountCheck() {
        account = account(Map.of("advertiser_id", "7000000000000000999"));
        adapter = adapter(new ProviderHttp());
        assertThat(adapter.checks()).extracting(ProviderCheck::name, ProviderCheck::ok)
                .containsExactly(tuple("credentials_authenticate", true), tuple("account_reachable", false));
        ProviderOutcome out = run("ads.create_campaign", "exe_62", campaign(50_000, "lifetime", true), Map.of(), Map.of());
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Rejected.class, r -> {
            assertThat(r.kind()).isEqualTo(RejectionKind.AUTH_FAILED);
            assertThat(r.providerCode()).isEqualTo("40001");
        });
        assertThat(sim.campaignCount("7000000000000000999")).isZero();
    }

    @Test
    void preflightPassesForAGoodToken() {
        List<ProviderCheck> checks = adapter.checks();
        assertThat(checks).extracting(ProviderCheck::name).containsExactly("credentials_authenticate", "account_reachable");
        assertThat(checks).allSatisfy(c -> assertThat(c.ok()).as(c.toString()).isTrue());
        SimRequest r = last();
        assertThat(r.method() + " " + r.path()).isEqualTo("GET " + API + "/advertiser/info/");
        assertThat(r.header("Access-Token")).isEqualTo(TOKEN);
        assertThat(JsonParser.parse(r.query().get("advertiser_ids"))).isEqualTo(List.of(ADVERTISER));
    }

    @Test
    void anUnreachableProviderIsNamedInPreflight() {
        sim.close();
        assertThat(adapter.checks()).extracting(ProviderCheck::name, ProviderCheck::ok)
                .containsExactly(tuple("provider_reachable", false));
        sim = new TikTokAdsSimulator(Clock.fixed(NOW, ZoneOffset.UTC)); // closed again after the test
    }
}
