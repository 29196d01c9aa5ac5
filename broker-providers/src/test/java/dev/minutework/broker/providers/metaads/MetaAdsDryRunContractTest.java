package dev.minutework.broker.providers.metaads;

import static dev.minutework.broker.providers.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.json.JsonParser;
import dev.minutework.broker.core.provider.ProviderAccountContext;
import dev.minutework.broker.core.provider.ProviderCredentials;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ProviderOutcome.RejectionKind;
import dev.minutework.broker.core.provider.ProviderRequest;
import dev.minutework.broker.providers.http.ProviderHttp;
import dev.minutework.broker.sim.Faults.Fault;
import dev.minutework.broker.sim.SimRequest;
import dev.minutework.broker.sim.metaads.MetaAdsSimulator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MetaAdsAdapter#validate} against the simulator over HTTP: each mutation is sent as execute
 * sends it, with {@code execution_options=["validate_only"]}, and nothing is created or changed.
 */
class MetaAdsDryRunContractTest {

    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final String TOKEN = "EAAB-meta-dry-run-token-0123456789";
    static final String SECRET = "meta-dry-run-app-secret-abcdef";
    static final String PROOF = MetaAdsSimulator.proof(SECRET, TOKEN);
    static final String ACT = "act_4242";
    static final String PAGE = "1010101010";
    static final String VALIDATE_ONLY = "[\"validate_only\"]";
    static final String FIRST_ID = "120210000000000001";
    static final ProviderOutcome PASSED = new ProviderOutcome.Succeeded(null, Map.of(), List.of());

    MetaAdsSimulator sim;
    MetaAdsAdapter adapter;
    final List<ProviderOutcome> outcomes = new ArrayList<>();

    @BeforeEach
    void start() {
        sim = new MetaAdsSimulator(Clock.fixed(NOW, ZoneOffset.UTC));
        sim.start();
        sim.provision(Map.of("ad_account_id", ACT, "page_id", PAGE), Map.of("access_token", TOKEN, "app_secret", SECRET));
        adapter = adapter(Map.of("ad_account_id", ACT, "page_id", PAGE));
    }

    @AfterEach
    void stop() {
        sim.close();
        for (ProviderOutcome o : outcomes) {
            assertThat(o.toString()).doesNotContain(TOKEN).doesNotContain(SECRET).doesNotContain(PROOF);
        }
    }

    private MetaAdsAdapter adapter(Map<String, String> scope) {
        ProviderAccountContext account = new ProviderAccountContext("pac_1", "metaads", scope,
                new ProviderCredentials(Map.of("access_token", TOKEN, "app_secret", SECRET)), sim.baseUrl().toString());
        return new MetaAdsAdapter(new ProviderHttp(), sim.baseUrl(), account, Duration.ofMillis(10));
    }

    private ProviderOutcome validate(String action, String ref, Map<String, Object> input, Map<String, String> ids) {
        Optional<ProviderOutcome> out = adapter.validate(request(NOW, action, ref, input, ids));
        assertThat(out).as("metaads has a dry run for %s", action).isPresent();
        outcomes.add(out.get());
        return out.get();
    }

    private String execute(String action, String ref, Map<String, Object> input, Map<String, String> ids) {
        ProviderOutcome out = adapter.execute(request(NOW, action, ref, input, ids));
        outcomes.add(out);
        assertThat(out).isInstanceOf(ProviderOutcome.Succeeded.class);
        return ((ProviderOutcome.Succeeded) out).providerObjectId();
    }

    static Map<String, Object> campaign() {
        return Map.of("name", "Winter boots", "status", "active", "objective", "traffic",
                "budget", Map.of("amount_minor", 50_000, "currency", "USD", "period", "lifetime"),
                "start_time", "2026-11-21T00:00:00Z", "end_time", "2026-12-21T00:00:00Z");
    }

    static Map<String, Object> group() {
        return Map.of("campaign_id", "cmp_b", "name", "Hikers", "bid", Map.of("amount_minor", 250, "currency", "USD"),
                "targeting", Map.of("countries", List.of("US", "CA"), "age_min", 18, "age_max", 40));
    }

    static Map<String, Object> creative() {
        return Map.of("name", "Card", "headline", "Boots for winter", "descriptions", List.of("Warm and dry.", "Free returns"),
                "image_url", "https://cdn.example.test/boot.png", "landing_url", "https://shop.example.test/boots",
                "call_to_action", "shop_now");
    }

    private List<String> calls() {
        return sim.requests().stream().map(r -> r.method() + " " + r.path()).toList();
    }

    /** The form a POST carried, without the two credential parameters. */
    private static Map<String, String> form(SimRequest r) {
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.query()).isEmpty();
        Map<String, String> form = new HashMap<>(r.form());
        assertThat(form.remove("access_token")).isEqualTo(TOKEN);
        assertThat(form.remove("appsecret_proof")).isEqualTo(PROOF);
        return form;
    }

    private static Map<String, String> withoutValidateOnly(Map<String, String> form) {
        Map<String, String> m = new HashMap<>(form);
        assertThat(m.remove("execution_options")).isEqualTo(VALIDATE_ONLY);
        return m;
    }

    // ------------------------------------------------------------------ good requests pass, nothing is made

    @Test
    void aCampaignIsCheckedWithTheSameFormExecuteSendsAndNothingIsCreated() {
        assertThat(validate("ads.create_campaign", "exe_1", campaign(), Map.of())).isEqualTo(PASSED);
        assertThat(calls()).containsExactly("POST /v26.0/act_4242/campaigns");
        Map<String, String> checked = withoutValidateOnly(form(sim.requests().getFirst()));
        assertThat(sim.campaignCount(ACT)).isZero();

        String id = execute("ads.create_campaign", "exe_1", campaign(), Map.of());
        assertThat(form(sim.requests().getLast())).isEqualTo(checked);
        assertThat(id).as("the dry run handed out no id").isEqualTo(FIRST_ID);
    }

    @Test
    void updatesAndPausesAreCheckedWithoutChangingTheCampaign() {
        String id = execute("ads.create_campaign", "exe_2", campaign(), Map.of());
        sim.clearRequests();

        assertThat(validate("ads.update_campaign", "exe_3", Map.of("campaign_id", "cmp_b", "name", "Summer boots",
                "budget", Map.of("amount_minor", 70_000, "currency", "USD", "period", "lifetime")),
                Map.of("campaign_id", id))).isEqualTo(PASSED);
        assertThat(validate("ads.pause_campaign", "exe_4", Map.of("campaign_id", "cmp_b"), Map.of("campaign_id", id)))
                .isEqualTo(PASSED);

        assertThat(calls()).containsExactly("GET /v26.0/" + id, "POST /v26.0/" + id, "POST /v26.0/" + id);
        assertThat(form(sim.requests().get(1))).isEqualTo(Map.of("name", "Summer boots [exe_2]",
                "lifetime_budget", "70000", "execution_options", VALIDATE_ONLY));
        assertThat(form(sim.requests().get(2))).isEqualTo(Map.of("status", "PAUSED", "execution_options", VALIDATE_ONLY));
        assertThat(sim.object(id)).containsEntry("status", "ACTIVE").containsEntry("lifetime_budget", "50000")
                .containsEntry("name", "Winter boots [exe_2]");
    }

    @Test
    void anAdSetIsCheckedAfterReadingItsCampaignAndNothingIsCreated() {
        String cid = execute("ads.create_campaign", "exe_5", campaign(), Map.of());
        sim.clearRequests();

        assertThat(validate("ads.create_group", "exe_6", group(), Map.of("campaign_id", cid))).isEqualTo(PASSED);

        assertThat(calls()).containsExactly("GET /v26.0/" + cid, "POST /v26.0/act_4242/adsets");
        Map<String, String> checked = withoutValidateOnly(form(sim.requests().getLast()));
        assertThat(JsonParser.parse(checked.get("targeting"))).isEqualTo(Map.of("geo_locations",
                Map.of("countries", List.of("US", "CA")), "age_min", 18L, "age_max", 40L,
                "targeting_automation", Map.of("advantage_audience", 0L)));
        assertThat(sim.adSetCount(ACT)).isZero();
        execute("ads.create_group", "exe_6", group(), Map.of("campaign_id", cid));
        assertThat(form(sim.requests().getLast())).isEqualTo(checked);
    }

    @Test
    void aCreativeIsCheckedByItsImageUrlWithoutUploadingTheImage() {
        assertThat(validate("ads.create_creative", "exe_7", creative(), Map.of())).isEqualTo(PASSED);

        assertThat(calls()).containsExactly("POST /v26.0/act_4242/adcreatives");
        Map<String, String> checked = withoutValidateOnly(form(sim.requests().getFirst()));
        assertThat(checked.get("name")).isEqualTo("Card [exe_7]");
        assertThat(JsonParser.parse(checked.get("object_story_spec"))).isEqualTo(Map.of("page_id", PAGE, "link_data",
                Map.of("link", "https://shop.example.test/boots", "name", "Boots for winter", "message", "Warm and dry.",
                        "description", "Free returns", "picture", "https://cdn.example.test/boot.png",
                        "call_to_action", Map.of("type", "SHOP_NOW"))));
        assertThat(sim.imageCount(ACT)).isZero();
        assertThat(sim.creativeCount(ACT)).isZero();
    }

    @Test
    void anAdIsCheckedAndNothingIsCreated() {
        String cid = execute("ads.create_campaign", "exe_8", campaign(), Map.of());
        String gid = execute("ads.create_group", "exe_9", group(), Map.of("campaign_id", cid));
        String crid = execute("ads.create_creative", "exe_10", creative(), Map.of());
        sim.clearRequests();

        assertThat(validate("ads.create_ad", "exe_11", Map.of("group_id", "grp_b", "creative_id", "crv_b",
                "name", "Ad one", "status", "active"), Map.of("group_id", gid, "creative_id", crid))).isEqualTo(PASSED);

        assertThat(calls()).containsExactly("POST /v26.0/act_4242/ads");
        Map<String, String> checked = form(sim.requests().getLast());
        assertThat(checked).containsEntry("adset_id", gid).containsEntry("status", "ACTIVE")
                .containsEntry("execution_options", VALIDATE_ONLY);
        assertThat(sim.adCount(ACT)).isZero();
    }

    // ------------------------------------------------------------------ bad requests are refused, nothing changes

    @Test
    void graphsRefusalOfAnUpdateIsTheDryRunsRejectionAndTheCampaignIsUnchanged() {
        String id = execute("ads.create_campaign", "exe_12", Map.of("name", "Daily", "objective", "traffic",
                "budget", Map.of("amount_minor", 5_000, "currency", "USD", "period", "daily")), Map.of());
        // Graph does not let a budget switch from daily to lifetime
        ProviderOutcome out = validate("ads.update_campaign", "exe_13", Map.of("campaign_id", "cmp_b",
                "end_time", "2026-12-31T00:00:00Z",
                "budget", Map.of("amount_minor", 90_000, "currency", "USD", "period", "lifetime")), Map.of("campaign_id", id));
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Rejected.class, r -> {
            assertThat(r.kind()).isEqualTo(RejectionKind.INVALID_REQUEST);
            assertThat(r.providerCode()).isEqualTo("100");
            assertThat(r.message()).isEqualTo("A campaign's budget cannot switch between daily and lifetime.");
        });
        assertThat(form(sim.requests().getLast())).containsEntry("execution_options", VALIDATE_ONLY);
        assertThat(sim.object(id)).containsEntry("daily_budget", "5000").doesNotContainKey("lifetime_budget")
                .doesNotContainKey("stop_time");
    }

    @Test
    void aCreativeForAPageTheAccountMayNotUseIsRefusedAndNothingIsUploaded() {
        adapter = adapter(Map.of("ad_account_id", ACT, "page_id", "2020202020"));
        ProviderOutcome out = validate("ads.create_creative", "exe_14", creative(), Map.of());
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Rejected.class, r -> {
            assertThat(r.kind()).isEqualTo(RejectionKind.INVALID_REQUEST);
            assertThat(r.providerCode()).isEqualTo("100/1487901");
        });
        assertThat(calls()).containsExactly("POST /v26.0/act_4242/adcreatives");
        assertThat(sim.imageCount(ACT)).isZero();
        assertThat(sim.creativeCount(ACT)).isZero();
    }

    @Test
    void whatTheAdapterRefusesItselfIsRefusedWithoutCallingGraph() {
        Map<String, Object> sales = new HashMap<>(campaign());
        sales.put("objective", "sales");
        assertThat(validate("ads.create_campaign", "exe_15", sales, Map.of()))
                .isInstanceOfSatisfying(ProviderOutcome.Rejected.class,
                        r -> assertThat(r.providerCode()).isEqualTo("objective_unsupported"));
        assertThat(validate("ads.create_group", "exe_16", Map.of("campaign_id", "cmp_b", "name", "Hikers",
                "targeting", Map.of("countries", List.of("US"), "languages", List.of("en"))), Map.of("campaign_id", "1")))
                .isInstanceOfSatisfying(ProviderOutcome.Rejected.class,
                        r -> assertThat(r.providerCode()).isEqualTo("targeting_unsupported"));
        assertThat(sim.requests()).isEmpty();
    }

    // ------------------------------------------------------------------ when Graph cannot say

    @Test
    void aGroupWhoseCampaignIsNotAtMetaYetCannotBeChecked() {
        ProviderOutcome out = validate("ads.create_group", "exe_17", group(), Map.of());
        assertThat(out).isInstanceOf(ProviderOutcome.Unknown.class);
        assertThat(sim.requests()).isEmpty();
    }

    @Test
    void graphsOwnTroubleIsUnknownNotARefusal() {
        sim.faults().next(Fault.SERVER_ERROR, 3);
        ProviderOutcome out = validate("ads.create_campaign", "exe_18", campaign(), Map.of());
        assertThat(out).isInstanceOf(ProviderOutcome.Unknown.class);
        assertThat(calls()).containsExactly("POST /v26.0/act_4242/campaigns", "POST /v26.0/act_4242/campaigns",
                "POST /v26.0/act_4242/campaigns");
        assertThat(sim.campaignCount(ACT)).isZero();
    }

    @Test
    void throttlingDuringADryRunIsRateLimited() {
        sim.answerNext(400, "{\"error\":{\"message\":\"(#17) User request limit reached\",\"type\":\"OAuthException\","
                + "\"code\":17,\"error_subcode\":2446079,\"fbtrace_id\":\"x2\"}}", Map.of("X-Business-Use-Case-Usage",
                "{\"4242\":[{\"type\":\"ads_management\",\"call_count\":100,\"estimated_time_to_regain_access\":5}]}"));
        assertThat(validate("ads.create_campaign", "exe_19", campaign(), Map.of()))
                .isEqualTo(new ProviderOutcome.RateLimited(Duration.ofMinutes(5)));
    }

    @Test
    void aReportHasNoDryRun() {
        ProviderRequest report = request(NOW, "ads.fetch_report", "exe_20", Map.of("since", "2026-11-01",
                "until", "2026-11-30", "granularity", "total"), Map.of());
        assertThat(adapter.validate(report)).isEmpty();
        assertThat(sim.requests()).isEmpty();
    }
}
