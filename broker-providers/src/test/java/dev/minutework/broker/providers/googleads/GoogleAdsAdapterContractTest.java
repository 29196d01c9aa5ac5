package dev.minutework.broker.providers.googleads;

import static dev.minutework.broker.providers.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.core.json.JsonParser;
import dev.minutework.broker.core.provider.ProviderAccountContext;
import dev.minutework.broker.core.provider.ProviderAdapter;
import dev.minutework.broker.core.provider.ProviderCapabilities.Feature;
import dev.minutework.broker.core.spend.BudgetPeriod;
import dev.minutework.broker.core.provider.ProviderCheck;
import dev.minutework.broker.core.provider.ProviderCredentials;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ProviderOutcome.RejectionKind;
import dev.minutework.broker.core.provider.ReportRow;
import dev.minutework.broker.providers.http.ProviderHttp;
import dev.minutework.broker.sim.Faults.Fault;
import dev.minutework.broker.sim.SimRequest;
import dev.minutework.broker.sim.googleads.GoogleAdsSimulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each action through the Google Ads adapter against the simulator: the exact requests the
 * provider receives (paths, headers, bodies, units) and the mapped outcomes, then the faults, the
 * OAuth token flow and the credential hygiene.
 */
class GoogleAdsAdapterContractTest {

    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final String CID = "1234567890";
    static final Map<String, String> SCOPE = Map.of("customer_id", "123-456-7890", "login_customer_id", "999-888-7777");
    static final Map<String, String> CREDENTIALS = Map.of(
            "client_id", "1234-client.apps.example.test",
            "client_secret", "GOCSPX-secret-value-0123456789",
            "refresh_token", "1//refresh-token-value-abcdefghij",
            "developer_token", "devtoken-ABCDEFGHIJKLMNOP");
    static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};

    MutableClock clock;
    GoogleAdsSimulator sim;
    ProviderAccountContext account;
    GoogleAdsAdapterFactory factory;
    GoogleAdsAdapter adapter;
    final AtomicInteger downloads = new AtomicInteger();

    @BeforeEach
    void start() {
        clock = new MutableClock(NOW);
        sim = new GoogleAdsSimulator(clock);
        sim.start();
        sim.provision(SCOPE, CREDENTIALS);
        account = account(SCOPE, CREDENTIALS);
        factory = new GoogleAdsAdapterFactory(new ProviderHttp(), this::fetch, clock);
        adapter = adapter(new ProviderHttp());
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    private byte[] fetch(URI url) {
        downloads.incrementAndGet();
        assertThat(url).isEqualTo(URI.create("https://cdn.example.test/boot.png"));
        return PNG;
    }

    private ProviderAccountContext account(Map<String, String> scope, Map<String, String> credentials) {
        return new ProviderAccountContext("pac_g1", "googleads", scope, new ProviderCredentials(credentials),
                sim.baseUrl().toString());
    }

    private GoogleAdsAdapter adapter(ProviderHttp http) {
        return new GoogleAdsAdapter(http, sim.baseUrl(), URI.create(sim.origin() + "/oauth2/v3/token"), account,
                factory.session(account), this::fetch, clock, Duration.ofMillis(10));
    }

    static Map<String, Object> campaign(long amountMinor, String period, String status) {
        return Map.of("name", "Winter boots", "status", status,
                "budget", Map.of("amount_minor", amountMinor, "currency", "USD", "period", period),
                "start_time", "2026-11-21T00:00:00Z", "end_time", "2026-12-21T00:00:00Z");
    }

    private ProviderOutcome.Succeeded createCampaign(String ref, String period, String status) {
        ProviderOutcome out = adapter.execute(request(NOW, "ads.create_campaign", ref, campaign(50_000, period, status), Map.of()));
        assertThat(out).isInstanceOf(ProviderOutcome.Succeeded.class);
        return (ProviderOutcome.Succeeded) out;
    }

    private ProviderOutcome createGroup(String ref, String campaignId) {
        return adapter.execute(request(NOW, "ads.create_group", ref,
                Map.of("campaign_id", "cmp_b", "name", "Hikers", "bid", Map.of("amount_minor", 250, "currency", "USD")),
                Map.of("campaign_id", campaignId)));
    }

    private List<SimRequest> api() {
        return sim.requests().stream().filter(r -> r.path().startsWith("/v26/")).toList();
    }

    private List<String> calls() {
        return sim.requests().stream().map(r -> r.method() + " " + r.path().replace("/v26/customers/" + CID + "/", "")).toList();
    }

    private SimRequest lastTo(String suffix) {
        return sim.requests().stream().filter(r -> r.path().endsWith(suffix)).reduce((a, b) -> b).orElseThrow();
    }

    static Map<String, Object> create(SimRequest r) {
        List<?> ops = (List<?>) r.jsonObject().get("operations");
        assertThat(ops).hasSize(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> create = (Map<String, Object>) ((Map<?, ?>) ops.getFirst()).get("create");
        return create;
    }

    /** The {@code index}th operation of a {@code googleAds:mutate}: its {@code <resource>Operation}'s content. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> operation(SimRequest r, int index, String operation) {
        List<?> ops = (List<?>) r.jsonObject().get("mutateOperations");
        return (Map<String, Object>) ((Map<?, ?>) ops.get(index)).get(operation);
    }

    /** The campaign a campaign's atomic create sent. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> campaignCreate() {
        return (Map<String, Object>) operation(lastTo("googleAds:mutate"), 1, "campaignOperation").get("create");
    }

    /** The budget a campaign's atomic create sent. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> budgetCreate() {
        return (Map<String, Object>) operation(lastTo("googleAds:mutate"), 0, "campaignBudgetOperation").get("create");
    }

    // ------------------------------------------------------------------ actions

    @Test
    void timesWithAnOffsetOrAFractionBecomeTheSameCustomerTimeAsTheirInstant() {
        Map<String, Object> input = new HashMap<>(campaign(50_000, "lifetime", "active"));
        input.put("start_time", "2026-11-21T02:00:00.250+02:00");
        input.put("end_time", "2026-12-20T19:00:00-05:00");
        assertThat(adapter.execute(request(NOW, "ads.create_campaign", "exe_time", input, Map.of())))
                .isInstanceOf(ProviderOutcome.Succeeded.class);
        assertThat(campaignCreate()).containsEntry("startDateTime", "2026-11-20 19:00:00")
                .containsEntry("endDateTime", "2026-12-20 19:00:00");
    }

    @Test
    void createsACampaignAndItsBudgetInOneAtomicMutateWithATemporaryBudgetName() {
        ProviderOutcome.Succeeded ok = createCampaign("exe_1", "lifetime", "active");

        assertThat(calls()).containsExactly("POST /oauth2/v3/token", "POST googleAds:search", "POST googleAds:mutate");
        SimRequest token = sim.requests().getFirst();
        assertThat(token.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(token.query()).isEmpty();
        assertThat(token.form()).isEqualTo(Map.of("grant_type", "refresh_token", "client_id", CREDENTIALS.get("client_id"),
                "client_secret", CREDENTIALS.get("client_secret"), "refresh_token", CREDENTIALS.get("refresh_token")));

        SimRequest mutate = lastTo("googleAds:mutate");
        assertThat(mutate.path()).isEqualTo("/v26/customers/" + CID + "/googleAds:mutate");
        assertThat(mutate.header("Authorization")).startsWith("Bearer ya29.sim-");
        assertThat(mutate.header("developer-token")).isEqualTo(CREDENTIALS.get("developer_token"));
        assertThat(mutate.header("login-customer-id")).isEqualTo("9998887777");
        assertThat(mutate.header("Content-Type")).isEqualTo("application/json");
        String temporary = "customers/" + CID + "/campaignBudgets/-1";
        // int64 values travel as JSON strings; the campaign names the budget by its temporary name
        assertThat(mutate.jsonObject()).isEqualTo(Map.of("responseContentType", "MUTABLE_RESOURCE", "mutateOperations", List.of(
                Map.of("campaignBudgetOperation", Map.of("create", Map.of("resourceName", temporary,
                        "name", "Winter boots budget [exe_1]", "totalAmountMicros", "500000000",
                        "deliveryMethod", "STANDARD", "explicitlyShared", false))),
                Map.of("campaignOperation", Map.of("create", Map.of("name", "Winter boots [exe_1]",
                        "advertisingChannelType", "SEARCH", "status", "ENABLED", "campaignBudget", temporary,
                        "manualCpc", Map.of(), "containsEuPoliticalAdvertising", "DOES_NOT_CONTAIN_EU_POLITICAL_ADVERTISING",
                        // RFC 3339 UTC midnight is 19:00 the day before in the customer's zone (America/New_York)
                        "startDateTime", "2026-11-20 19:00:00", "endDateTime", "2026-12-20 19:00:00"))))));
        // Google put the real budget in the temporary name's place
        assertThat((String) sim.campaign(CID, ok.providerObjectId()).get("campaignBudget"))
                .matches("customers/" + CID + "/campaignBudgets/[0-9]+");

        assertThat(ok.providerObjectId()).matches("[0-9]+");
        assertThat(ok.data()).containsEntry("status", "active").containsEntry("provider_name", "Winter boots [exe_1]")
                .containsEntry("resource_name", "customers/" + CID + "/campaigns/" + ok.providerObjectId());
        assertThat(sim.campaignCount(CID)).isEqualTo(1);
        assertThat(sim.budgetCount(CID)).isEqualTo(1);
    }

    @Test
    void aDailyBudgetIsAmountMicrosAndTheCustomerIsReadOnce() {
        createCampaign("exe_2", "daily", "paused");
        createCampaign("exe_3", "daily", "paused");
        assertThat(budgetCreate()).containsEntry("amountMicros", "500000000").doesNotContainKey("totalAmountMicros");
        assertThat(campaignCreate()).containsEntry("status", "PAUSED");
        assertThat(calls()).filteredOn(c -> c.endsWith("googleAds:search")).hasSize(1);
        assertThat(sim.tokenRequests()).isEqualTo(1);
    }

    @Test
    void refusesALifetimeBudgetWithoutAnEndTimeWithoutCallingTheProvider() {
        ProviderOutcome out = adapter.execute(request(NOW, "ads.create_campaign", "exe_4",
                Map.of("name", "Winter boots", "budget", Map.of("amount_minor", 50_000, "currency", "USD", "period", "lifetime")),
                Map.of()));
        assertThat(out).isEqualTo(new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "lifetime_budget_needs_end_time",
                "a googleads total (lifetime) budget needs the campaign's end_time"));
        assertThat(sim.requests()).isEmpty();
    }

    @Test
    void refusesMoneyInAnotherCurrencyThanTheCustomers() {
        ProviderOutcome out = adapter.execute(request(NOW, "ads.create_campaign", "exe_5",
                Map.of("name", "Winter boots", "budget", Map.of("amount_minor", 50_000, "currency", "EUR", "period", "daily")),
                Map.of()));
        assertThat(out).isEqualTo(new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "currency_mismatch",
                "the googleads customer bills in USD, not EUR"));
        assertThat(calls()).containsExactly("POST /oauth2/v3/token", "POST googleAds:search");
        assertThat(sim.budgetCount(CID)).isZero();
    }

    @Test
    void updatesTheBudgetAndTheCampaignInOneAtomicMutateKeepingTheReference() {
        String id = createCampaign("exe_6", "lifetime", "paused").providerObjectId();
        sim.clearRequests();
        ProviderOutcome out = adapter.execute(request(NOW, "ads.update_campaign", "exe_7",
                Map.of("campaign_id", "cmp_b", "name", "Summer boots", "status", "active", "end_time", "2027-01-10T12:00:00Z",
                        "budget", Map.of("amount_minor", 70_000, "currency", "USD", "period", "lifetime")),
                Map.of("campaign_id", id)));
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class, ok -> assertThat(ok.data())
                .containsEntry("status", "active").containsEntry("provider_name", "Summer boots [exe_6]"));
        assertThat(calls()).containsExactly("POST googleAds:search", "POST googleAds:mutate");
        String budget = (String) sim.campaign(CID, id).get("campaignBudget");
        assertThat(lastTo("googleAds:mutate").jsonObject()).isEqualTo(Map.of("responseContentType", "MUTABLE_RESOURCE",
                "mutateOperations", List.of(
                        Map.of("campaignBudgetOperation", Map.of("update", Map.of("resourceName", budget,
                                "totalAmountMicros", "700000000"), "updateMask", "totalAmountMicros")),
                        Map.of("campaignOperation", Map.of("update", Map.of("resourceName", "customers/" + CID + "/campaigns/" + id,
                                "name", "Summer boots [exe_6]", "status", "ENABLED", "endDateTime", "2027-01-10 07:00:00"),
                                "updateMask", "name,status,endDateTime")))));
        assertThat(sim.campaign(CID, id)).containsEntry("endDateTime", "2027-01-10 07:00:00").containsEntry("status", "ENABLED");
    }

    @Test
    void theLargestAmountTheBrokerAcceptsBecomesMicrosWithoutOverflow() {
        String id = createCampaign("exe_max_1", "lifetime", "paused").providerObjectId();
        sim.clearRequests();
        long max = dev.minutework.broker.core.money.Money.MAX_AMOUNT_MINOR;

        ProviderOutcome out = adapter.execute(request(NOW, "ads.update_campaign", "exe_max_2",
                Map.of("campaign_id", "cmp_b", "budget", Map.of("amount_minor", max, "currency", "USD", "period", "lifetime")),
                Map.of("campaign_id", id)));

        // whatever the provider makes of it, the conversion itself never throws: the outcome is known
        assertThat(out).isNotInstanceOf(ProviderOutcome.Unknown.class);
        String budget = (String) sim.campaign(CID, id).get("campaignBudget");
        assertThat(lastTo("googleAds:mutate").jsonObject()).isEqualTo(Map.of("responseContentType", "MUTABLE_RESOURCE",
                "mutateOperations", List.of(Map.of("campaignBudgetOperation", Map.of("update", Map.of("resourceName", budget,
                        "totalAmountMicros", Long.toString(Math.multiplyExact(max, 10_000L))), "updateMask", "totalAmountMicros")))));
    }

    @Test
    void refusesSwitchingADailyBudgetToALifetimeOne() {
        String id = createCampaign("exe_8", "daily", "paused").providerObjectId();
        sim.clearRequests();
        ProviderOutcome out = adapter.execute(request(NOW, "ads.update_campaign", "exe_9",
                Map.of("campaign_id", "cmp_b", "budget", Map.of("amount_minor", 70_000, "currency", "USD", "period", "lifetime")),
                Map.of("campaign_id", id)));
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Rejected.class, r -> {
            assertThat(r.kind()).isEqualTo(RejectionKind.UNSUPPORTED);
            assertThat(r.providerCode()).isEqualTo("budget_period_change");
        });
        assertThat(calls()).containsExactly("POST googleAds:search"); // read the budget, changed nothing
    }

    @Test
    void pausesWithAStatusUpdateMask() {
        String id = createCampaign("exe_10", "daily", "active").providerObjectId();
        ProviderOutcome out = adapter.execute(request(NOW, "ads.pause_campaign", "exe_11",
                Map.of("campaign_id", "cmp_b"), Map.of("campaign_id", id)));
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class, ok -> {
            assertThat(ok.providerObjectId()).isEqualTo(id);
            assertThat(ok.data()).containsEntry("status", "paused");
        });
        assertThat(lastTo("campaigns:mutate").jsonObject()).isEqualTo(Map.of("responseContentType", "MUTABLE_RESOURCE",
                "operations", List.of(Map.of("update", Map.of("resourceName", "customers/" + CID + "/campaigns/" + id,
                        "status", "PAUSED"), "updateMask", "status"))));
        assertThat(sim.campaign(CID, id)).containsEntry("status", "PAUSED");
    }

    @Test
    void createsASearchAdGroupWithACpcBidInMicros() {
        String cid = createCampaign("exe_12", "daily", "paused").providerObjectId();
        ProviderOutcome out = createGroup("exe_13", cid);
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class, ok -> {
            assertThat(ok.providerObjectId()).matches("[0-9]+");
            assertThat(ok.data()).containsEntry("status", "paused");
        });
        assertThat(lastTo("adGroups:mutate").path()).isEqualTo("/v26/customers/" + CID + "/adGroups:mutate");
        assertThat(create(lastTo("adGroups:mutate"))).isEqualTo(Map.of("name", "Hikers [exe_13]",
                "campaign", "customers/" + CID + "/campaigns/" + cid, "status", "PAUSED", "type", "SEARCH_STANDARD",
                "cpcBidMicros", "2500000"));
        assertThat(sim.adGroupCount(CID)).isEqualTo(1);
    }

    @Test
    void refusesGroupTargetingItDoesNotMapBeforeCallingTheProvider() {
        for (Map<String, Object> targeting : List.<Map<String, Object>>of(Map.of("age_min", 18, "age_max", 34),
                Map.of("context_hints", List.of("hiking boots")), Map.of("countries", List.of("CU")),
                Map.of("languages", List.of("zh")))) {
            ProviderOutcome out = adapter.execute(request(NOW, "ads.create_group", "exe_14",
                    Map.of("campaign_id", "cmp_b", "name", "Hikers", "targeting", targeting), Map.of("campaign_id", "123")));
            assertThat(out).as("%s", targeting).isInstanceOfSatisfying(ProviderOutcome.Rejected.class, r -> {
                assertThat(r.kind()).isEqualTo(RejectionKind.UNSUPPORTED);
                assertThat(r.providerCode()).isEqualTo("targeting_unsupported");
            });
        }
        assertThat(sim.requests()).isEmpty();
    }

    static final List<String> HEADLINES = List.of("Warm boots", "Dry feet", "Free returns");
    static final List<String> DESCRIPTIONS = List.of("Warm and dry all winter.", "Free returns.");

    static Map<String, Object> creative(List<String> headlines, List<String> descriptions) {
        return Map.of("name", "Boot card", "headlines", headlines, "descriptions", descriptions,
                "image_url", "https://cdn.example.test/boot.png", "landing_url", "https://shop.example.test/boots");
    }

    @Test
    void refusesCreativeTextThatCannotBecomeAResponsiveSearchAdBeforeDownloadingAnything() {
        ProviderOutcome one = adapter.execute(request(NOW, "ads.create_creative", "exe_15",
                creative(List.of("Boots for winter"), DESCRIPTIONS), Map.of()));
        assertThat(one).isInstanceOfSatisfying(ProviderOutcome.Rejected.class, r -> {
            assertThat(r.kind()).isEqualTo(RejectionKind.INVALID_REQUEST);
            assertThat(r.providerCode()).isEqualTo("rsa_headlines");
            assertThat(r.message()).isEqualTo("googleads responsive search ads need 3 to 15 headlines of at most 30 "
                    + "characters, not 1 (16 characters)");
        });
        ProviderOutcome tooLong = adapter.execute(request(NOW, "ads.create_creative", "exe_16",
                creative(List.of("Boots", "Warm boots for every winter day", "Dry"), DESCRIPTIONS), Map.of()));
        assertThat(tooLong).isInstanceOfSatisfying(ProviderOutcome.Rejected.class,
                r -> assertThat(r.providerCode()).isEqualTo("rsa_headlines"));
        ProviderOutcome oneDescription = adapter.execute(request(NOW, "ads.create_creative", "exe_17",
                creative(HEADLINES, List.of("Warm and dry.")), Map.of()));
        assertThat(oneDescription).isInstanceOfSatisfying(ProviderOutcome.Rejected.class,
                r -> assertThat(r.providerCode()).isEqualTo("rsa_descriptions"));
        Map<String, Object> withCallToAction = new HashMap<>(creative(HEADLINES, DESCRIPTIONS));
        withCallToAction.put("call_to_action", "shop_now");
        ProviderOutcome callToAction = adapter.execute(request(NOW, "ads.create_creative", "exe_17b", withCallToAction,
                Map.of()));
        assertThat(callToAction).isInstanceOfSatisfying(ProviderOutcome.Rejected.class,
                r -> assertThat(r.providerCode()).isEqualTo("rsa_call_to_action"));
        assertThat(downloads).hasValue(0);
        assertThat(sim.requests()).isEmpty();
    }

    @Test
    void aHeadlineOfThirtyCharactersFitsAndTheFifteenHeadlinesAndFourDescriptionsBecomeTheAd() {
        String cid = createCampaign("exe_18b", "daily", "paused").providerObjectId();
        String gid = ((ProviderOutcome.Succeeded) createGroup("exe_19b", cid)).providerObjectId();
        List<String> headlines = new ArrayList<>();
        for (int i = 1; i <= 15; i++) {
            headlines.add(String.format("%-27s%03d", "Boots for every trail", i)); // 30 characters
        }
        List<String> descriptions = List.of("a".repeat(90), "Dry feet.", "Free returns.", "Made to last.");
        Map<String, Object> creative = creative(headlines, descriptions);
        ProviderOutcome.Succeeded asset = (ProviderOutcome.Succeeded) adapter.execute(
                request(NOW, "ads.create_creative", "exe_20b", creative, Map.of()));
        ProviderOutcome ad = adapter.execute(request(NOW, "ads.create_ad", "exe_21b",
                Map.of("group_id", "grp_b", "creative_id", "crv_b", "name", "Ad one"),
                Map.of("group_id", gid, "creative_id", asset.providerObjectId()), Map.of("creative_id", creative)));
        assertThat(ad).isInstanceOf(ProviderOutcome.Succeeded.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> rsa = (Map<String, Object>) ((Map<String, Object>) create(lastTo("adGroupAds:mutate")).get("ad"))
                .get("responsiveSearchAd");
        assertThat(rsa.get("headlines")).isEqualTo(headlines.stream().map(h -> Map.of("text", h)).toList());
        assertThat(rsa.get("descriptions")).isEqualTo(descriptions.stream().map(d -> Map.of("text", d)).toList());
    }

    @Test
    void anAdOfACreativeGoogleWouldRefuseIsRefusedByGoogleWithItsFieldPath() {
        String cid = createCampaign("exe_18c", "daily", "paused").providerObjectId();
        String gid = ((ProviderOutcome.Succeeded) createGroup("exe_19c", cid)).providerObjectId();
        // a creative the broker took before its declaration was checked (e.g. made with another provider's rules)
        Map<String, Object> creative = creative(List.of("Warm boots", "Dry feet", "Free returns on every single pair"),
                DESCRIPTIONS);
        ProviderOutcome ad = adapter.execute(request(NOW, "ads.create_ad", "exe_21c",
                Map.of("group_id", "grp_b", "creative_id", "crv_b", "name", "Ad one"),
                Map.of("group_id", gid, "creative_id", "7000000999"), Map.of("creative_id", creative)));
        assertThat(ad).isEqualTo(new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "stringLengthError:TOO_LONG",
                "Too long: at most 30 characters. (at operations[0].create.ad.responsive_search_ad.headlines[2].text)"));
        assertThat(sim.adCount(CID)).isZero();
    }

    @Test
    void uploadsTheImageAsAnAssetThenCreatesAResponsiveSearchAd() {
        String cid = createCampaign("exe_18", "daily", "paused").providerObjectId();
        String gid = ((ProviderOutcome.Succeeded) createGroup("exe_19", cid)).providerObjectId();
        Map<String, Object> creative = creative(HEADLINES, DESCRIPTIONS);
        ProviderOutcome.Succeeded asset = (ProviderOutcome.Succeeded) adapter.execute(
                request(NOW, "ads.create_creative", "exe_20", creative, Map.of()));
        assertThat(downloads).hasValue(1);
        assertThat(create(lastTo("assets:mutate"))).isEqualTo(Map.of("name", "Boot card [exe_20]", "type", "IMAGE",
                "imageAsset", Map.of("data", Base64.getEncoder().encodeToString(PNG))));
        assertThat(asset.providerObjectId()).matches("[0-9]+");
        assertThat(sim.assetCount(CID)).isEqualTo(1);

        ProviderOutcome ad = adapter.execute(request(NOW, "ads.create_ad", "exe_21",
                Map.of("group_id", "grp_b", "creative_id", "crv_b", "name", "Ad one", "status", "active"),
                Map.of("group_id", gid, "creative_id", asset.providerObjectId()), Map.of("creative_id", creative)));
        assertThat(ad).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class, ok -> {
            assertThat(ok.providerObjectId()).matches(gid + "~[0-9]+");
            assertThat(ok.data()).containsEntry("status", "active").containsEntry("review_status", "in_review");
        });
        assertThat(create(lastTo("adGroupAds:mutate"))).isEqualTo(Map.of(
                "adGroup", "customers/" + CID + "/adGroups/" + gid, "status", "ENABLED",
                "ad", Map.of("finalUrls", List.of("https://shop.example.test/boots"), "finalUrlSuffix", "mw_ref=exe_21",
                        "responsiveSearchAd", Map.of(
                                "headlines", List.of(Map.of("text", "Warm boots"), Map.of("text", "Dry feet"), Map.of("text", "Free returns")),
                                "descriptions", List.of(Map.of("text", "Warm and dry all winter."), Map.of("text", "Free returns."))))));
        assertThat(sim.adCount(CID)).isEqualTo(1);
        assertThat(adapter.reconcile("ads.create_ad", "exe_21")).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class,
                ok -> assertThat(ok.providerObjectId()).isEqualTo(((ProviderOutcome.Succeeded) ad).providerObjectId()));
    }

    @Test
    void reportsDailyRowsThroughPagedGaqlWithCostMicrosInMinorUnits() {
        String cid = createCampaign("exe_22", "daily", "active").providerObjectId(); // 500.00 a day, spends half
        clock.advance(Duration.ofDays(2)); // the access token is long dead: the adapter refreshes first
        sim.pageSize(1);
        sim.clearRequests();
        ProviderOutcome out = adapter.execute(request(NOW, "ads.fetch_report", "exe_23",
                Map.of("campaign_id", "cmp_b", "since", "2026-11-19", "until", "2026-11-23", "granularity", "day"),
                Map.of("campaign_id", cid)));
        assertThat(out).isInstanceOf(ProviderOutcome.Succeeded.class);
        // created 2026-11-20 (New York); today is 2026-11-22; zero rows are not returned by Google
        assertThat(((ProviderOutcome.Succeeded) out).rows()).containsExactly(
                new ReportRow(LocalDate.parse("2026-11-20"), cid, 50_000, 1_000, 25_000, "USD"),
                new ReportRow(LocalDate.parse("2026-11-21"), cid, 50_000, 1_000, 25_000, "USD"),
                new ReportRow(LocalDate.parse("2026-11-22"), cid, 50_000, 1_000, 25_000, "USD"));
        assertThat(calls()).containsExactly("POST /oauth2/v3/token", "POST googleAds:search", "POST googleAds:search",
                "POST googleAds:search");
        List<SimRequest> searches = api();
        assertThat(searches.getFirst().jsonObject()).isEqualTo(Map.of("query",
                "SELECT campaign.id, metrics.impressions, metrics.clicks, metrics.cost_micros, segments.date FROM campaign "
                        + "WHERE segments.date BETWEEN '2026-11-19' AND '2026-11-23' AND campaign.id = " + cid));
        assertThat(searches.get(1).jsonObject()).containsKey("pageToken");
        assertThat(searches.get(2).jsonObject().get("pageToken")).isNotEqualTo(searches.get(1).jsonObject().get("pageToken"));
    }

    @Test
    void reportsATotalRowPerCampaignForTheWholeRange() {
        String cid = createCampaign("exe_24", "daily", "active").providerObjectId();
        clock.advance(Duration.ofDays(1));
        ProviderOutcome out = adapter.execute(request(NOW, "ads.fetch_report", "exe_25",
                Map.of("since", "2026-11-19", "until", "2026-11-23", "granularity", "total"), Map.of()));
        assertThat(((ProviderOutcome.Succeeded) out).rows()).containsExactly(
                new ReportRow(LocalDate.parse("2026-11-19"), cid, 100_000, 2_000, 50_000, "USD"));
        assertThat(lastTo("googleAds:search").jsonObject().get("query")).isEqualTo(
                "SELECT campaign.id, metrics.impressions, metrics.clicks, metrics.cost_micros FROM campaign "
                        + "WHERE segments.date BETWEEN '2026-11-19' AND '2026-11-23'");
    }

    // ------------------------------------------------------------------ simulator strictness

    private HttpResponse<String> raw(String path, Map<String, Object> body) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        String form = "grant_type=refresh_token&client_id=" + CREDENTIALS.get("client_id") + "&client_secret="
                + CREDENTIALS.get("client_secret") + "&refresh_token=" + CREDENTIALS.get("refresh_token").replace("/", "%2F");
        HttpResponse<String> token = client.send(HttpRequest.newBuilder(URI.create(sim.origin() + "/oauth2/v3/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).isEqualTo(200);
        Map<String, Object> granted = JsonParser.parseObject(token.body());
        assertThat(granted).containsEntry("expires_in", 3_599L).containsEntry("token_type", "Bearer");
        return client.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/customers/" + CID + path))
                .header("Authorization", "Bearer " + granted.get("access_token"))
                .header("developer-token", CREDENTIALS.get("developer_token")).header("login-customer-id", "9998887777")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(CanonicalJson.canonicalize(body))).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<?, ?> firstError(HttpResponse<String> r) {
        Map<?, ?> error = (Map<?, ?>) JsonParser.parseObject(r.body()).get("error");
        Map<?, ?> failure = (Map<?, ?>) ((List<?>) error.get("details")).getFirst();
        assertThat(failure.get("@type")).isEqualTo("type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure");
        return (Map<?, ?>) ((List<?>) failure.get("errors")).getFirst();
    }

    @Test
    void theSimulatorRefusesACampaignWithoutTheEuPoliticalDeclarationAndTakesInt64AsNumberOrString() throws Exception {
        // proto3 JSON takes an int64 as a JSON number too (Google answers with strings)
        HttpResponse<String> number = raw("/campaignBudgets:mutate", Map.of("operations", List.of(Map.of("create",
                Map.of("name", "B as a number", "amountMicros", 5_000_000L)))));
        assertThat(number.statusCode()).isEqualTo(200);
        HttpResponse<String> fraction = raw("/campaignBudgets:mutate", Map.of("operations", List.of(Map.of("create",
                Map.of("name", "B with a fraction", "amountMicros", new java.math.BigDecimal("5000000.5"))))));
        assertThat(fraction.statusCode()).isEqualTo(400);
        assertThat(firstError(fraction).get("errorCode")).isEqualTo(Map.of("fieldError", "INVALID_VALUE"));

        HttpResponse<String> budget = raw("/campaignBudgets:mutate", Map.of("operations", List.of(Map.of("create",
                Map.of("name", "B", "amountMicros", "5000000")))));
        assertThat(budget.statusCode()).isEqualTo(200);
        assertThat(budget.headers().firstValue("request-id")).isPresent();
        String budgetName = (String) ((Map<?, ?>) ((List<?>) JsonParser.parseObject(budget.body()).get("results")).getFirst())
                .get("resourceName");
        Map<String, Object> campaign = new HashMap<>(Map.of("name", "C", "advertisingChannelType", "SEARCH", "status", "PAUSED",
                "campaignBudget", budgetName, "manualCpc", Map.of()));
        HttpResponse<String> missing = raw("/campaigns:mutate", Map.of("operations", List.of(Map.of("create", campaign))));
        assertThat(missing.statusCode()).isEqualTo(400);
        Map<?, ?> error = firstError(missing);
        assertThat(error.get("errorCode")).isEqualTo(Map.of("fieldError", "REQUIRED"));
        assertThat(error.get("location")).isEqualTo(Map.of("fieldPathElements", List.of(Map.of("fieldName", "operations", "index", 0L),
                Map.of("fieldName", "create"), Map.of("fieldName", "contains_eu_political_advertising"))));

        campaign.put("containsEuPoliticalAdvertising", "DOES_NOT_CONTAIN_EU_POLITICAL_ADVERTISING");
        campaign.put("startDateTime", "2026-11-21T00:00:00Z");
        HttpResponse<String> isoDate = raw("/campaigns:mutate", Map.of("operations", List.of(Map.of("create", campaign))));
        assertThat(firstError(isoDate).get("errorCode")).isEqualTo(Map.of("dateError", "INVALID_STRING_DATE_TIME_SECONDS"));
        assertThat(sim.campaignCount(CID)).isZero();
    }

    // ------------------------------------------------------------------ faults

    @Test
    void waitsOutARateLimitAndThenCreatesOnce() {
        String cid = createCampaign("exe_30", "daily", "paused").providerObjectId();
        sim.clearRequests();
        sim.faults().next(Fault.RATE_LIMITED);
        assertThat(createGroup("exe_31", cid)).isInstanceOf(ProviderOutcome.Succeeded.class);
        assertThat(calls()).containsExactly("POST adGroups:mutate", "POST adGroups:mutate");
        assertThat(sim.adGroupCount(CID)).isEqualTo(1);
    }

    @Test
    void aQuotaThatStaysExhaustedEndsRateLimitedWithTheProvidersRetryDelay() {
        String cid = createCampaign("exe_29", "daily", "paused").providerObjectId();
        sim.clearRequests();
        sim.requestsPerMinute(0); // the clock stands still: the minute never ends
        assertThat(createGroup("exe_29b", cid)).isEqualTo(new ProviderOutcome.RateLimited(Duration.ofSeconds(1)));
        assertThat(calls()).containsExactly("POST adGroups:mutate", "POST adGroups:mutate", "POST adGroups:mutate");
        assertThat(sim.adGroupCount(CID)).isZero();
    }

    @Test
    void after5xxOnTheCampaignsAtomicCreateItLooksForItBeforeCreatingAgain() {
        createCampaign("exe_32", "daily", "paused");
        sim.clearRequests();
        sim.faults().next(Fault.SERVER_ERROR);
        createCampaign("exe_33", "daily", "paused");
        assertThat(calls()).containsExactly("POST googleAds:mutate", "POST googleAds:search", "POST googleAds:mutate");
        assertThat(sim.budgetCount(CID)).isEqualTo(2);
        assertThat(sim.campaignCount(CID)).isEqualTo(2);
    }

    @Test
    void aLostCampaignAnswerIsReconciledToTheCreatedObjectNeverADuplicate() {
        createCampaign("exe_36", "daily", "paused");
        sim.clearRequests();
        sim.faults().next(Fault.DROP_RESPONSE);
        ProviderOutcome.Succeeded ok = createCampaign("exe_37", "daily", "paused");
        assertThat(ok.data()).containsEntry("provider_name", "Winter boots [exe_37]").containsEntry("status", "paused");
        assertThat(calls()).containsExactly("POST googleAds:mutate", "POST googleAds:search");
        assertThat(sim.campaignCount(CID)).isEqualTo(2);
        assertThat(sim.budgetCount(CID)).isEqualTo(2);
    }

    @Test
    void aLostGroupAnswerIsReconciledByName() {
        String cid = createCampaign("exe_38", "daily", "paused").providerObjectId();
        sim.clearRequests();
        sim.faults().next(Fault.DROP_RESPONSE);
        ProviderOutcome out = createGroup("exe_39", cid);
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class,
                ok -> assertThat(ok.data()).containsEntry("provider_name", "Hikers [exe_39]"));
        assertThat(calls()).containsExactly("POST adGroups:mutate", "POST googleAds:search");
        assertThat(sim.adGroupCount(CID)).isEqualTo(1);
    }

    @Test
    void aTimeoutAfterCommitIsReconciledNotRepeated() {
        createCampaign("exe_40", "daily", "paused");
        sim.clearRequests();
        adapter = adapter(new ProviderHttp(Duration.ofMillis(700)));
        sim.faults().hang(Duration.ofSeconds(3));
        sim.faults().next(Fault.TIMEOUT_AFTER_COMMIT);
        createCampaign("exe_41", "daily", "paused");
        assertThat(calls()).containsExactly("POST googleAds:mutate", "POST googleAds:search");
        assertThat(sim.budgetCount(CID)).isEqualTo(2);
        assertThat(sim.campaignCount(CID)).isEqualTo(2);
    }

    @Test
    void aLostRequestThatLeftNoTraceIsUnknownAndNotRetried() {
        ProviderOutcome warm = adapter.execute(request(NOW, "ads.fetch_report", "exe_42",
                Map.of("since", "2026-11-19", "until", "2026-11-20", "granularity", "day"), Map.of()));
        assertThat(warm).isInstanceOf(ProviderOutcome.Succeeded.class);
        sim.clearRequests();
        sim.faults().next(Fault.DROP_REQUEST);
        ProviderOutcome out = adapter.execute(request(NOW, "ads.create_campaign", "exe_43",
                campaign(50_000, "daily", "active"), Map.of()));
        assertThat(out).isInstanceOf(ProviderOutcome.Unknown.class);
        assertThat(calls()).containsExactly("POST googleAds:mutate", "POST googleAds:search");
        assertThat(sim.campaignCount(CID)).isZero();
        assertThat(sim.budgetCount(CID)).isZero();
        assertThat(adapter.reconcile("ads.create_campaign", "exe_43")).isInstanceOfSatisfying(ProviderOutcome.Rejected.class,
                r -> assertThat(r.kind()).isEqualTo(RejectionKind.NOT_FOUND));
    }

    @Test
    void aRepeatAfterAnOrphanBudgetReusesTheBudget() throws Exception {
        createCampaign("exe_44", "daily", "paused");
        // an earlier version of the adapter sent budget and campaign apart; its campaign request was lost
        assertThat(raw("/campaignBudgets:mutate", Map.of("operations", List.of(Map.of("create", Map.of(
                "name", "Winter boots budget [exe_45]", "amountMicros", "500000000", "explicitlyShared", false))))).statusCode())
                .isEqualTo(200);
        sim.clearRequests();
        // the broker repeats the execution: the budget's duplicate name leads to the existing budget
        ProviderOutcome.Succeeded ok = createCampaign("exe_45", "daily", "paused");
        assertThat(calls()).containsExactly("POST googleAds:mutate", "POST googleAds:search", "POST googleAds:search",
                "POST campaigns:mutate");
        assertThat(sim.budgetCount(CID)).isEqualTo(2);
        assertThat(sim.campaignCount(CID)).isEqualTo(2);
        assertThat(sim.campaign(CID, ok.providerObjectId()).get("campaignBudget"))
                .isEqualTo(create(lastTo("campaigns:mutate")).get("campaignBudget"));
        // and once more: the campaign exists, nothing is made
        sim.clearRequests();
        assertThat(createCampaign("exe_45", "daily", "paused").providerObjectId()).isEqualTo(ok.providerObjectId());
        assertThat(sim.campaignCount(CID)).isEqualTo(2);
    }

    // ------------------------------------------------------------------ auth and credentials

    private List<String> secrets() {
        List<String> out = new ArrayList<>(CREDENTIALS.values());
        sim.requests().stream().map(r -> r.header("Authorization")).filter(a -> a != null)
                .forEach(a -> out.add(a.substring("Bearer ".length())));
        return out;
    }

    private void assertNoSecretIn(Object outcome) {
        String text = String.valueOf(outcome);
        for (String secret : secrets()) {
            assertThat(text).doesNotContain(secret);
        }
    }

    @Test
    void aRevokedRefreshTokenFailsAuthenticationAndPreflightNamesTheCheck() {
        createCampaign("exe_50", "daily", "paused");
        sim.revokeRefreshToken(CREDENTIALS.get("refresh_token"));
        ProviderOutcome out = adapter.execute(request(NOW, "ads.create_campaign", "exe_51",
                campaign(50_000, "daily", "paused"), Map.of()));
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Rejected.class, r -> {
            assertThat(r.kind()).isEqualTo(RejectionKind.AUTH_FAILED);
            assertThat(r.providerCode()).isEqualTo("oauth:invalid_grant");
        });
        assertNoSecretIn(out);
        List<ProviderCheck> checks = adapter.checks();
        assertThat(checks).extracting(ProviderCheck::name, ProviderCheck::ok)
                .contains(tuple("credentials_authenticate", false), tuple("account_reachable", false));
        assertNoSecretIn(checks);
        assertThat(sim.campaignCount(CID)).isEqualTo(1);
    }

    @Test
    void anUnapprovedDeveloperTokenIsAnAuthorizationFailure() {
        sim.disapproveDeveloperToken(CREDENTIALS.get("developer_token"));
        ProviderOutcome out = adapter.execute(request(NOW, "ads.create_campaign", "exe_52",
                campaign(50_000, "daily", "paused"), Map.of()));
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Rejected.class, r -> {
            assertThat(r.kind()).isEqualTo(RejectionKind.AUTH_FAILED);
            assertThat(r.providerCode()).isEqualTo("authorizationError:DEVELOPER_TOKEN_NOT_APPROVED");
        });
        assertNoSecretIn(out);
        assertThat(adapter.checks()).extracting(ProviderCheck::name, ProviderCheck::ok).containsExactly(
                tuple("credentials_authenticate", true), tuple("developer_token_approved", false), tuple("account_reachable", false));
    }

    @Test
    void aClientCustomerWithoutItsManagerHeaderIsNotReachable() {
        account = account(Map.of("customer_id", "123-456-7890"), CREDENTIALS);
        adapter = adapter(new ProviderHttp());
        ProviderOutcome out = adapter.execute(request(NOW, "ads.fetch_report", "exe_53",
                Map.of("since", "2026-11-19", "until", "2026-11-20", "granularity", "day"), Map.of()));
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Rejected.class, r -> {
            assertThat(r.kind()).isEqualTo(RejectionKind.AUTH_FAILED);
            assertThat(r.providerCode()).isEqualTo("authorizationError:USER_PERMISSION_DENIED");
        });
        assertThat(api()).allSatisfy(r -> assertThat(r.header("login-customer-id")).isNull());
        assertThat(adapter.checks()).extracting(ProviderCheck::name, ProviderCheck::ok)
                .contains(tuple("credentials_authenticate", true), tuple("account_reachable", false));
    }

    @Test
    void preflightPassesForGoodCredentials() {
        assertThat(adapter.checks()).extracting(ProviderCheck::name).containsExactly("credentials_authenticate",
                "developer_token_approved", "account_reachable");
        assertThat(adapter.checks()).allSatisfy(c -> assertThat(c.ok()).as(c.toString()).isTrue());
    }

    private List<ProviderOutcome> concurrentReports(int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<ProviderOutcome>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ProviderAdapter each = factory.create(account); // separate adapters, one shared token cache
                String ref = "exe_r" + i;
                futures.add(pool.submit(() -> {
                    go.await();
                    return each.execute(request(NOW, "ads.fetch_report", ref,
                            Map.of("since", "2026-11-19", "until", "2026-11-20", "granularity", "total"), Map.of()));
                }));
            }
            go.countDown();
            List<ProviderOutcome> out = new ArrayList<>();
            for (Future<ProviderOutcome> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anAccessTokenPastItsHourIsRefreshedExactlyOnceUnder32ConcurrentCalls() throws Exception {
        createCampaign("exe_60", "daily", "active");
        assertThat(sim.tokenRequests()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(3_601));
        List<ProviderOutcome> outcomes = concurrentReports(32);
        assertThat(outcomes).allSatisfy(o -> assertThat(o).isInstanceOf(ProviderOutcome.Succeeded.class));
        assertThat(sim.tokenRequests()).isEqualTo(2);
    }

    @Test
    void aTokenTheProviderCallsExpiredIsReplacedOnceUnder32ConcurrentCalls() throws Exception {
        createCampaign("exe_61", "daily", "active");
        sim.expireAccessTokens(); // the adapter still thinks its token is good
        List<ProviderOutcome> outcomes = concurrentReports(32);
        assertThat(outcomes).allSatisfy(o -> assertThat(o).isInstanceOf(ProviderOutcome.Succeeded.class));
        assertThat(sim.tokenRequests()).isEqualTo(2);
    }

    @Test
    void theFactoryDeclaresTheAccountFieldsAndDerivesTheTokenEndpointFromTheBaseUrl() {
        GoogleAdsAdapterFactory f = new GoogleAdsAdapterFactory();
        assertThat(f.id()).isEqualTo("googleads");
        assertThat(f.providerKeys()).containsExactly("googleads");
        assertThat(f.requiredCredentials()).containsExactlyInAnyOrder("client_id", "client_secret", "refresh_token", "developer_token");
        assertThat(f.requiredScope()).containsExactly("customer_id");
        assertThat(f.real()).isTrue();
        assertThat(f.capabilities().budgetPeriods()).containsExactlyInAnyOrder(BudgetPeriod.DAILY, BudgetPeriod.LIFETIME);
        assertThat(f.capabilities().features()).containsExactlyInAnyOrder(Feature.STANDALONE_CREATIVE, Feature.REPORTS,
                Feature.RECONCILE_BY_REFERENCE, Feature.CAMPAIGN_END_TIME_UPDATE, Feature.DRY_RUN);
        assertThat(GoogleAdsAdapterFactory.DEFAULT_BASE_URL).hasToString("https://googleads.googleapis.com/v26");
        assertThat(GoogleAdsAdapterFactory.DEFAULT_TOKEN_URL).hasToString("https://www.googleapis.com/oauth2/v3/token");
        // through the factory, the token comes from the base URL's origin: the simulator answers it
        assertThat(factory.create(account).checks()).allSatisfy(c -> assertThat(c.ok()).isTrue());
        assertThat(sim.tokenRequests()).isEqualTo(1);
        assertThat(factory.session(account)).isSameAs(factory.session(account));
    }
}
