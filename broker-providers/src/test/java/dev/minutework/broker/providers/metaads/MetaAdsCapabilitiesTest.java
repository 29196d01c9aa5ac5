package dev.minutework.broker.providers.metaads;

import static dev.minutework.broker.providers.Requests.command;
import static dev.minutework.broker.providers.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.provider.ProviderAccountContext;
import dev.minutework.broker.core.provider.ProviderCapabilities;
import dev.minutework.broker.core.provider.ProviderCapabilities.Feature;
import dev.minutework.broker.core.provider.ProviderCapabilities.TargetingKind;
import dev.minutework.broker.core.provider.ProviderCredentials;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.spend.BudgetPeriod;
import dev.minutework.broker.providers.http.ProviderHttp;
import dev.minutework.broker.sim.metaads.MetaAdsSimulator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link MetaAdsAdapterFactory} declares is what the adapter and Graph (the simulator's dry
 * run) take: a request that fits the declaration passes Graph's {@code validate_only}, one that
 * does not is refused by the adapter before Graph is called.
 */
class MetaAdsCapabilitiesTest {

    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final String TOKEN = "EAAB-meta-capabilities-token-0123";
    static final String SECRET = "meta-capabilities-app-secret";
    static final String ACT = "act_4242";
    static final String PAGE = "1010101010";
    static final ProviderOutcome PASSED = new ProviderOutcome.Succeeded(null, Map.of(), List.of());
    static final ProviderCapabilities DECLARED = new MetaAdsAdapterFactory().capabilities();

    MetaAdsSimulator sim;
    MetaAdsAdapter adapter;

    @BeforeEach
    void start() {
        sim = new MetaAdsSimulator(Clock.fixed(NOW, ZoneOffset.UTC));
        sim.start();
        sim.provision(Map.of("ad_account_id", ACT, "page_id", PAGE), Map.of("access_token", TOKEN, "app_secret", SECRET));
        ProviderAccountContext account = new ProviderAccountContext("pac_1", "metaads",
                Map.of("ad_account_id", ACT, "page_id", PAGE),
                new ProviderCredentials(Map.of("access_token", TOKEN, "app_secret", SECRET)), sim.baseUrl().toString());
        adapter = new MetaAdsAdapter(new ProviderHttp(), sim.baseUrl(), account, Duration.ofMillis(10));
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    private ProviderOutcome dryRun(String action, Map<String, Object> input, Map<String, String> ids) {
        return adapter.validate(request(NOW, action, "exe_c", input, ids)).orElseThrow();
    }

    private boolean fits(String action, Map<String, Object> input) {
        return DECLARED.misfits(command(NOW, action, input), MetaAdsAdapterFactory.ID).isEmpty();
    }

    static Map<String, Object> campaign(String objective) {
        return Map.of("name", "Boots", "objective", objective, "status", "active",
                "budget", Map.of("amount_minor", 5_000, "currency", "USD", "period", "daily"));
    }

    private String campaignAtMeta(String objective) {
        ProviderOutcome out = adapter.execute(request(NOW, "ads.create_campaign", "exe_cmp_" + objective,
                campaign(objective), Map.of()));
        assertThat(out).isInstanceOf(ProviderOutcome.Succeeded.class);
        return ((ProviderOutcome.Succeeded) out).providerObjectId();
    }

    static Map<String, Object> group(Map<String, Object> targeting) {
        return Map.of("campaign_id", "cmp_b", "name", "Hikers", "targeting", targeting);
    }

    static Map<String, Object> creative(Map<String, Object> texts) {
        Map<String, Object> in = new HashMap<>(Map.of("name", "Card", "image_url", "https://cdn.example.test/boot.png",
                "landing_url", "https://shop.example.test/boots"));
        in.putAll(texts);
        return in;
    }

    @Test
    void theFactoryDeclaresWhatTheAdapterMaps() {
        assertThat(DECLARED.budgetPeriods()).containsExactlyInAnyOrder(BudgetPeriod.DAILY, BudgetPeriod.LIFETIME);
        assertThat(DECLARED.currencies()).as("any currency the ad account bills in").isEmpty();
        assertThat(DECLARED.objectives()).containsExactlyInAnyOrder("awareness", "traffic", "engagement");
        ProviderCapabilities.Targeting t = DECLARED.targeting();
        assertThat(t.kinds()).containsExactlyInAnyOrder(TargetingKind.COUNTRIES, TargetingKind.AGE);
        assertThat(t.countriesRequired()).isTrue();
        assertThat(t.countries()).isEmpty();
        assertThat(t.ageMins()).as("13 to 65").isEmpty();
        assertThat(t.ageMaxes()).as("13 to 65").isEmpty();
        assertThat(t.note()).contains("Advantage+ audience off");
        assertThat(DECLARED.creatives()).isEqualTo(new ProviderCapabilities.Creatives(1, 1, 50, 1, 2, 100,
                Set.of("learn_more", "shop_now", "sign_up", "download", "contact_us", "book_now")));
        assertThat(DECLARED.features()).containsExactlyInAnyOrder(Feature.STANDALONE_CREATIVE, Feature.REPORTS,
                Feature.RECONCILE_BY_REFERENCE, Feature.CAMPAIGN_END_TIME_UPDATE, Feature.DRY_RUN);
        assertThat(DECLARED.has(Feature.IDEMPOTENCY_KEYS)).as("Graph has no idempotency key").isFalse();
    }

    @Test
    void everyDeclaredObjectivePassesGraphsDryRunAndEveryOtherIsRefusedBeforeGraph() {
        for (String objective : ProviderCapabilities.ALL_OBJECTIVES) {
            sim.clearRequests();
            ProviderOutcome out = dryRun("ads.create_campaign", campaign(objective), Map.of());
            if (fits("ads.create_campaign", campaign(objective))) {
                assertThat(out).as(objective).isEqualTo(PASSED);
            } else {
                assertThat(out).as(objective).isInstanceOf(ProviderOutcome.Rejected.class);
                assertThat(sim.requests()).as(objective).isEmpty();
            }
        }
        // and the ad set of each declared objective gets a goal Graph accepts for it
        for (String objective : DECLARED.objectives()) {
            String cid = campaignAtMeta(objective);
            assertThat(dryRun("ads.create_group", group(Map.of("countries", List.of("US"))), Map.of("campaign_id", cid)))
                    .as(objective).isEqualTo(PASSED);
        }
        assertThat(sim.adSetCount(ACT)).isZero();
    }

    @Test
    void agesAcrossMetasRangePassGraphsDryRun() {
        String cid = campaignAtMeta("traffic");
        List<Map<String, Object>> targetings = List.of(
                Map.of("countries", List.of("US"), "age_min", 13, "age_max", 17),
                Map.of("countries", List.of("US"), "age_min", 13),
                Map.of("countries", List.of("US"), "age_max", 16),
                Map.of("countries", List.of("US"), "age_min", 65, "age_max", 65),
                Map.of("countries", List.of("US", "DE"), "age_min", 25, "age_max", 54));
        for (Map<String, Object> targeting : targetings) {
            assertThat(fits("ads.create_group", group(targeting))).as("%s", targeting).isTrue();
            assertThat(dryRun("ads.create_group", group(targeting), Map.of("campaign_id", cid))).as("%s", targeting)
                    .isEqualTo(PASSED);
        }
    }

    @Test
    void targetingTheDeclarationLeavesOutIsRefusedBeforeGraph() {
        List<Map<String, Object>> targetings = List.of(
                Map.of("countries", List.of("US"), "languages", List.of("en")),
                Map.of("countries", List.of("US"), "context_hints", List.of("hiking")),
                Map.of("age_min", 20));
        for (Map<String, Object> targeting : targetings) {
            assertThat(fits("ads.create_group", group(targeting))).as("%s", targeting).isFalse();
            assertThat(dryRun("ads.create_group", group(targeting), Map.of("campaign_id", "120210000000000009")))
                    .as("%s", targeting).isInstanceOf(ProviderOutcome.Rejected.class);
        }
        assertThat(sim.requests()).isEmpty();
    }

    @Test
    void theLongestDeclaredTextsAndEveryDeclaredCallToActionPassGraphsDryRun() {
        Map<String, Object> longest = Map.of("headline", "H".repeat(50), "descriptions",
                List.of("P".repeat(100), "D".repeat(100)));
        assertThat(fits("ads.create_creative", creative(longest))).isTrue();
        assertThat(dryRun("ads.create_creative", creative(longest), Map.of())).isEqualTo(PASSED);
        for (String cta : DECLARED.creatives().callsToAction()) {
            Map<String, Object> in = creative(Map.of("headline", "Boots", "body", "Warm.", "call_to_action", cta));
            assertThat(dryRun("ads.create_creative", in, Map.of())).as(cta).isEqualTo(PASSED);
        }
        assertThat(sim.creativeCount(ACT)).isZero();
    }

    @Test
    void creativeTextsTheDeclarationLeavesOutAreRefusedBeforeGraph() {
        List<Map<String, Object>> texts = List.of(
                Map.of("headlines", List.of("Boots", "Dry feet"), "body", "Warm."),
                Map.of("headline", "Boots", "descriptions", List.of("Warm.", "Dry.", "Cheap.")));
        for (Map<String, Object> t : texts) {
            assertThat(fits("ads.create_creative", creative(t))).as("%s", t).isFalse();
            assertThat(dryRun("ads.create_creative", creative(t), Map.of())).as("%s", t)
                    .isInstanceOf(ProviderOutcome.Rejected.class);
        }
        assertThat(sim.requests()).isEmpty();
    }
}
