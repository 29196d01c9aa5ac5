package dev.minutework.broker.providers.tiktokads;

import static dev.minutework.broker.providers.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.provider.ProviderAccountContext;
import dev.minutework.broker.core.provider.ProviderCapabilities;
import dev.minutework.broker.core.provider.ProviderCapabilities.Feature;
import dev.minutework.broker.core.provider.ProviderCapabilities.TargetingKind;
import dev.minutework.broker.core.provider.ProviderCredentials;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ProviderOutcome.RejectionKind;
import dev.minutework.broker.core.provider.ProviderRequest;
import dev.minutework.broker.core.spend.BudgetPeriod;
import dev.minutework.broker.providers.http.ProviderHttp;
import dev.minutework.broker.sim.tiktokads.TikTokAdsSimulator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The factory's declaration against the adapter and the simulator over HTTP: every declared
 * country, age edge, objective and call to action goes through to the provider; what the
 * declaration refuses, the adapter refuses too, without calling the provider. The broker checks the
 * declaration before an approver is asked, so a disagreement would show up only after a human
 * decided.
 */
class TikTokAdsCapabilitiesTest {

    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final String TOKEN = "act.tiktok-capabilities-token-0123456789";
    static final String ADVERTISER = "7000000000000000001";
    static final ProviderCapabilities DECLARED = new TikTokAdsAdapterFactory().capabilities();

    TikTokAdsSimulator sim;
    TikTokAdsAdapter adapter;
    int refs;

    @BeforeEach
    void start() {
        sim = new TikTokAdsSimulator(Clock.fixed(NOW, ZoneOffset.UTC));
        sim.start();
        sim.provision(Map.of("advertiser_id", ADVERTISER), Map.of("access_token", TOKEN));
        ProviderAccountContext account = new ProviderAccountContext("pac_1", "tiktokads",
                Map.of("advertiser_id", ADVERTISER), new ProviderCredentials(Map.of("access_token", TOKEN)),
                sim.baseUrl().toString());
        adapter = new TikTokAdsAdapter(new ProviderHttp(), sim.baseUrl(), account, Duration.ofMillis(10),
                Clock.fixed(NOW, ZoneOffset.UTC));
        adapter.checks(); // learns the advertiser's currency
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    private String ref() {
        return "exe_" + refs++;
    }

    /** Runs a request the declaration admits; the provider must accept it. */
    private ProviderOutcome.Succeeded admitted(ProviderRequest r) {
        assertThat(DECLARED.misfits(r.command(), "tiktokads")).as("declared misfits of %s", r.command()).isEmpty();
        ProviderOutcome out = adapter.execute(r);
        assertThat(out).as("%s", r.command()).isInstanceOf(ProviderOutcome.Succeeded.class);
        return (ProviderOutcome.Succeeded) out;
    }

    /** Runs a request the declaration refuses; the adapter must refuse it before calling the provider. */
    private void refused(ProviderRequest r) {
        assertThat(DECLARED.misfits(r.command(), "tiktokads")).as("declared misfits of %s", r.command()).isNotEmpty();
        sim.clearRequests();
        assertThat(adapter.execute(r)).as("%s", r.command()).isInstanceOfSatisfying(ProviderOutcome.Rejected.class,
                no -> assertThat(no.kind()).isIn(RejectionKind.UNSUPPORTED, RejectionKind.INVALID_REQUEST));
        assertThat(sim.requests()).as("requests for %s", r.command()).isEmpty();
    }

    static Map<String, Object> campaign(String objective) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "Winter boots " + objective);
        m.put("status", "active");
        m.put("budget", Map.of("amount_minor", 10_000, "currency", "USD", "period", "daily"));
        if (objective != null) {
            m.put("objective", objective);
        }
        return m;
    }

    static Map<String, Object> group(Map<String, Object> targeting) {
        return Map.of("campaign_id", "cmp_b", "name", "Group", "targeting", targeting);
    }

    static Map<String, Object> creative(Map<String, Object> texts) {
        Map<String, Object> m = new LinkedHashMap<>(Map.of("name", "Card",
                "image_url", "https://cdn.example.test/boot.png", "landing_url", "https://shop.example.test/boots"));
        m.putAll(texts);
        return m;
    }

    /** A campaign with the objective, and one group of it with the targeting: the group's request. */
    private ProviderRequest groupRequest(String objective, Map<String, Object> targeting) {
        Map<String, Object> campaignInput = campaign(objective);
        String cid = admitted(request(NOW, "ads.create_campaign", ref(), campaignInput, Map.of())).providerObjectId();
        return request(NOW, "ads.create_group", ref(), group(targeting), Map.of("campaign_id", cid),
                Map.of("campaign_id", campaignInput));
    }

    /** An ad of the creative in a new group of a campaign with the objective. */
    private ProviderOutcome.Succeeded ad(String objective, Map<String, Object> creativeInput) {
        String gid = admitted(groupRequest(objective, Map.of("countries", List.of("US")))).providerObjectId();
        String image = admitted(request(NOW, "ads.create_creative", ref(), creativeInput, Map.of())).providerObjectId();
        return admitted(request(NOW, "ads.create_ad", ref(), Map.of("group_id", "grp_b", "creative_id", "crv_b",
                "name", "Ad"), Map.of("group_id", gid, "creative_id", image), Map.of("creative_id", creativeInput)));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> lastCreativeSent() {
        return (Map<String, Object>) ((List<?>) sim.requests().stream()
                .filter(r -> r.path().endsWith("/ad/create/")).toList().getLast().jsonObject().get("creatives"))
                .getFirst();
    }

    @Test
    void declaresBothBudgetsCountriesAgeGroupsAndOneTextWithTikToksCallsToAction() {
        assertThat(DECLARED.budgetPeriods()).containsExactlyInAnyOrder(BudgetPeriod.DAILY, BudgetPeriod.LIFETIME);
        assertThat(DECLARED.currencies()).as("checked against the advertiser instead").isEmpty();
        assertThat(DECLARED.objectives()).containsExactlyInAnyOrder("awareness", "traffic");
        assertThat(DECLARED.targeting().kinds()).containsExactlyInAnyOrder(TargetingKind.COUNTRIES,
                TargetingKind.LANGUAGES, TargetingKind.AGE);
        assertThat(DECLARED.targeting().countriesRequired()).isTrue();
        assertThat(DECLARED.targeting().countries()).contains("US", "GB", "DE", "JP", "BR").doesNotContain("IN", "CN");
        assertThat(new TreeSet<>(DECLARED.targeting().ageMins())).containsExactly(13, 18, 25, 35, 45, 55);
        assertThat(new TreeSet<>(DECLARED.targeting().ageMaxes())).containsExactly(17, 24, 34, 44, 54, 65);
        assertThat(DECLARED.creatives()).isEqualTo(new ProviderCapabilities.Creatives(1, 1, 40, 1, 1, 100,
                java.util.Set.of("learn_more", "shop_now", "sign_up", "download", "contact_us", "book_now")));
        assertThat(DECLARED.features()).containsExactlyInAnyOrder(Feature.REPORTS, Feature.RECONCILE_BY_REFERENCE,
                Feature.IDEMPOTENCY_KEYS);
    }

    @Test
    void offersNoDryRunBecauseTikTokDocumentsNone() {
        assertThat(adapter.validate(request(NOW, "ads.create_campaign", ref(), campaign("traffic"), Map.of())))
                .isEmpty();
        assertThat(DECLARED.has(Feature.DRY_RUN)).isFalse();
    }

    @Test
    void everyDeclaredCountryIsALocationTheProviderTakes() {
        for (String country : new TreeSet<>(DECLARED.targeting().countries())) {
            admitted(groupRequest("traffic", Map.of("countries", List.of(country))));
            assertThat(sim.requests().getLast().jsonObject().get("location_ids"))
                    .isEqualTo(List.of(TikTokAdsAdapter.LOCATION_IDS.get(country)));
        }
        assertThat(sim.adGroupCount(ADVERTISER)).isEqualTo(DECLARED.targeting().countries().size());
    }

    @Test
    void everyDeclaredAgeEdgeMakesAGroupOfTikToksAgeGroups() {
        for (int min : new TreeSet<>(DECLARED.targeting().ageMins())) {
            for (int max : new TreeSet<>(DECLARED.targeting().ageMaxes())) {
                if (min <= max) {
                    admitted(groupRequest("traffic", Map.of("countries", List.of("US"), "age_min", min, "age_max", max)));
                    assertThat((List<?>) sim.requests().getLast().jsonObject().get("age_groups")).isNotEmpty()
                            .allSatisfy(g -> assertThat(String.valueOf(g)).startsWith("AGE_"));
                }
            }
            admitted(groupRequest("traffic", Map.of("countries", List.of("US"), "age_min", min)));
        }
        for (int max : DECLARED.targeting().ageMaxes()) {
            admitted(groupRequest("traffic", Map.of("countries", List.of("US"), "age_max", max)));
        }
        admitted(groupRequest("traffic", Map.of("countries", List.of("US"), "age_min", 55, "age_max", 65)));
        assertThat(sim.requests().getLast().jsonObject().get("age_groups")).isEqualTo(List.of("AGE_55_100"));
    }

    @Test
    void everyDeclaredObjectiveCarriesThroughToAnAd() {
        for (String objective : new TreeSet<>(DECLARED.objectives())) {
            ad(objective, creative(Map.of("headline", "Boots for winter", "body", "Warm and dry.")));
        }
        ad(null, creative(Map.of("headline", "Boots for winter", "body", "Warm and dry.")));
        assertThat(sim.adCount(ADVERTISER)).isEqualTo(DECLARED.objectives().size() + 1);
    }

    @Test
    void everyDeclaredCallToActionIsOneTikTokShows() {
        for (String cta : new TreeSet<>(DECLARED.creatives().callsToAction())) {
            ad("traffic", creative(Map.of("headline", "Boots for winter", "body", "Warm and dry.", "call_to_action", cta)));
            assertThat(lastCreativeSent()).containsEntry("call_to_action", TikTokAdsAdapter.CALLS_TO_ACTION.get(cta));
        }
    }

    @Test
    void textsAtTheDeclaredLengthsAreTheAdsTextAndDisplayName() {
        String name = "n".repeat(DECLARED.creatives().headlineLength());
        String text = "t".repeat(DECLARED.creatives().descriptionLength());
        ad("traffic", creative(Map.of("headlines", List.of(name), "descriptions", List.of(text))));
        assertThat(lastCreativeSent()).containsEntry("display_name", name).containsEntry("ad_text", text);
    }

    @Test
    void whatTheDeclarationRefusesTheAdapterRefusesWithoutCallingTheProvider() {
        for (String objective : List.of("engagement", "leads", "app_promotion", "sales")) {
            refused(request(NOW, "ads.create_campaign", ref(), campaign(objective), Map.of()));
        }
        refused(request(NOW, "ads.update_campaign", ref(), Map.of("campaign_id", "cmp_b",
                "end_time", "2027-01-01T00:00:00Z"), Map.of("campaign_id", "1")));
        Map<String, Object> campaignInput = campaign("traffic");
        for (Map<String, Object> targeting : List.<Map<String, Object>>of(Map.of(), Map.of("languages", List.of("en")),
                Map.of("countries", List.of("IN")), Map.of("countries", List.of("US", "ZZ")),
                Map.of("countries", List.of("US"), "age_min", 21),
                Map.of("countries", List.of("US"), "age_max", 40),
                Map.of("countries", List.of("US"), "context_hints", List.of("hiking")))) {
            refused(request(NOW, "ads.create_group", ref(), group(targeting), Map.of("campaign_id", "1"),
                    Map.of("campaign_id", campaignInput)));
        }
        for (Map<String, Object> texts : List.<Map<String, Object>>of(
                Map.of("headlines", List.of("Boots for winter", "Dry feet"), "body", "Warm and dry."),
                Map.of("headline", "Boots for winter", "descriptions", List.of("Warm and dry.", "Ships today.")),
                Map.of("headline", "n".repeat(41), "body", "Warm and dry."),
                Map.of("headline", "Boots for winter", "descriptions", List.of("t".repeat(101))))) {
            refused(request(NOW, "ads.create_creative", ref(), creative(texts), Map.of()));
        }
    }

    /**
     * TikTok counts a Chinese, Japanese or Korean character as two and takes no emoji in ad text;
     * the declaration counts characters and cannot say either, so such a text passes it and is
     * refused by the adapter (before anything is uploaded) instead of by TikTok.
     */
    @Test
    void wideOrEmojiTextWithinTheDeclaredLengthIsRefusedByTheAdapterInTikToksCount() {
        Map<String, Object> wide = creative(Map.of("headline", "Boots for winter", "body", "暖かいブーツ".repeat(10)));
        Map<String, Object> emoji = creative(Map.of("headline", "Boots for winter", "body", "Warm boots \uD83E\uDD7E"));
        Map<String, Object> wideName = creative(Map.of("headline", "暖かいブーツ".repeat(4), "body", "Warm and dry."));
        for (Map<String, Object> input : List.of(wide, emoji, wideName)) {
            ProviderRequest r = request(NOW, "ads.create_creative", ref(), input, Map.of());
            assertThat(DECLARED.misfits(r.command(), "tiktokads")).isEmpty();
            sim.clearRequests();
            assertThat(adapter.execute(r)).isInstanceOfSatisfying(ProviderOutcome.Rejected.class,
                    no -> assertThat(no.providerCode()).isIn("body_length", "body_emoji", "headline_length"));
            assertThat(sim.requests()).isEmpty();
        }
        assertThat(TikTokAdsAdapter.tiktokLength("暖かいブーツ")).isEqualTo(12);
        assertThat(TikTokAdsAdapter.tiktokLength("Boots, 한국어！")).isEqualTo(7 + 6 + 2);
        // half as many wide characters fit
        ad("traffic", creative(Map.of("headline", "暖かいブーツ".repeat(3) + "ab", "body", "暖かいブーツ".repeat(8) + "ab")));
    }
}
