package dev.minutework.broker.providers.openaiads;

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
import dev.minutework.broker.sim.openaiads.OpenAiAdsSimulator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The factory's declaration against the adapter and the simulator over HTTP: what the declaration
 * admits, the adapter sends and the provider accepts; what it refuses, the adapter refuses too,
 * without calling the provider. The broker checks the declaration before an approver is asked, so a
 * disagreement would show up only after a human decided.
 */
class OpenAiAdsCapabilitiesTest {

    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final String KEY = "sk-openai-capabilities-key-0123456789";
    static final ProviderCapabilities DECLARED = new OpenAiAdsAdapterFactory().capabilities();

    OpenAiAdsSimulator sim;
    OpenAiAdsAdapter adapter;

    @BeforeEach
    void start() {
        sim = new OpenAiAdsSimulator(Clock.fixed(NOW, ZoneOffset.UTC));
        sim.start();
        sim.provision(Map.of("ad_account_id", "act_42"), Map.of("api_key", KEY));
        ProviderAccountContext account = new ProviderAccountContext("pac_1", "openaiads",
                Map.of("ad_account_id", "act_42"), new ProviderCredentials(Map.of("api_key", KEY)),
                sim.baseUrl().toString());
        adapter = new OpenAiAdsAdapter(new ProviderHttp(), sim.baseUrl(), account, Duration.ofMillis(10));
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    /** Runs a request the declaration admits; the provider must accept it. */
    private ProviderOutcome.Succeeded admitted(ProviderRequest r) {
        assertThat(DECLARED.misfits(r.command(), "openaiads")).as("declared misfits of %s", r.command()).isEmpty();
        ProviderOutcome out = adapter.execute(r);
        assertThat(out).as("%s", r.command()).isInstanceOf(ProviderOutcome.Succeeded.class);
        return (ProviderOutcome.Succeeded) out;
    }

    /** Runs a request the declaration refuses; the adapter must refuse it before calling the provider. */
    private void refused(ProviderRequest r) {
        assertThat(DECLARED.misfits(r.command(), "openaiads")).as("declared misfits of %s", r.command()).isNotEmpty();
        sim.clearRequests();
        assertThat(adapter.execute(r)).as("%s", r.command()).isInstanceOfSatisfying(ProviderOutcome.Rejected.class,
                no -> assertThat(no.kind()).isIn(RejectionKind.UNSUPPORTED, RejectionKind.INVALID_REQUEST));
        assertThat(sim.requests()).as("requests for %s", r.command()).isEmpty();
    }

    static Map<String, Object> campaign(String objective, long amountMinor, String currency, String period) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "Winter boots");
        m.put("status", "active");
        m.put("budget", Map.of("amount_minor", amountMinor, "currency", currency, "period", period));
        if (objective != null) {
            m.put("objective", objective);
        }
        return m;
    }

    static Map<String, Object> creative(Map<String, Object> texts) {
        Map<String, Object> m = new LinkedHashMap<>(Map.of("name", "Card",
                "image_url", "https://cdn.example.test/boot.png", "landing_url", "https://shop.example.test/boots"));
        m.putAll(texts);
        return m;
    }

    @Test
    void declaresLifetimeDollarBudgetsContextHintsAndAChatCardWithoutCallToAction() {
        assertThat(DECLARED.budgetPeriods()).containsExactly(BudgetPeriod.LIFETIME);
        assertThat(DECLARED.currencies()).containsExactly("USD");
        assertThat(DECLARED.objectives()).containsExactlyInAnyOrderElementsOf(ProviderCapabilities.ALL_OBJECTIVES);
        assertThat(DECLARED.targeting().kinds()).containsExactly(TargetingKind.CONTEXT_HINTS);
        assertThat(DECLARED.targeting().countriesRequired()).isFalse();
        assertThat(DECLARED.creatives()).isEqualTo(new ProviderCapabilities.Creatives(1, 1, 50, 1, 1, 100, Set.of()));
        assertThat(DECLARED.features()).containsExactlyInAnyOrder(Feature.REPORTS, Feature.RECONCILE_BY_REFERENCE,
                Feature.CAMPAIGN_END_TIME_UPDATE);
    }

    @Test
    void offersNoDryRunBecauseOpenAiDocumentsNone() {
        ProviderRequest r = request(NOW, "ads.create_campaign", "exe_v", campaign(null, 5_000, "USD", "lifetime"),
                Map.of());
        assertThat(adapter.validate(r)).isEmpty();
        assertThat(DECLARED.has(Feature.DRY_RUN)).isFalse();
        assertThat(sim.requests()).isEmpty();
    }

    @Test
    void everyDeclaredObjectiveMakesACampaign() {
        int i = 0;
        for (String objective : DECLARED.objectives()) {
            admitted(request(NOW, "ads.create_campaign", "exe_o" + i++, campaign(objective, 5_000, "USD", "lifetime"),
                    Map.of()));
        }
        assertThat(sim.campaignCount("act_42")).isEqualTo(DECLARED.objectives().size());
    }

    @Test
    void aCreativeAtTheDeclaredLimitsBecomesAChatCard() {
        String cid = admitted(request(NOW, "ads.create_campaign", "exe_1", campaign(null, 5_000, "USD", "lifetime"),
                Map.of())).providerObjectId();
        String gid = admitted(request(NOW, "ads.create_group", "exe_2", Map.of("campaign_id", "cmp_b", "name", "Hikers",
                "targeting", Map.of("context_hints", List.of("hiking boots"))), Map.of("campaign_id", cid)))
                .providerObjectId();
        // lengths are characters: a boot emoji is one, though Java strings count it as two
        String longest = "a".repeat(49) + "\uD83E\uDD7E";
        String body = "b".repeat(99) + "\uD83E\uDD7E";
        for (Map<String, Object> texts : List.<Map<String, Object>>of(
                Map.of("headlines", List.of(longest), "descriptions", List.of(body)),
                Map.of("headline", "Hi!", "body", "B"))) {
            Map<String, Object> input = creative(texts);
            String file = admitted(request(NOW, "ads.create_creative", "exe_c", input, Map.of())).providerObjectId();
            ProviderOutcome.Succeeded ad = admitted(request(NOW, "ads.create_ad", "exe_a" + file,
                    Map.of("group_id", "grp_b", "creative_id", "crv_b", "name", "Ad"),
                    Map.of("group_id", gid, "creative_id", file), Map.of("creative_id", input)));
            assertThat(ad.data()).containsEntry("review_status", "in_review");
            @SuppressWarnings("unchecked")
            Map<String, Object> card = (Map<String, Object>) sim.requests().getLast().jsonObject().get("creative");
            assertThat(List.of(card.get("title"), card.get("body"))).containsExactly(
                    input.containsKey("headline") ? input.get("headline") : longest,
                    input.containsKey("body") ? input.get("body") : body);
        }
    }

    @Test
    void whatTheDeclarationRefusesTheAdapterRefusesWithoutCallingTheProvider() {
        refused(request(NOW, "ads.create_campaign", "exe_r1", campaign(null, 5_000, "USD", "daily"), Map.of()));
        refused(request(NOW, "ads.create_campaign", "exe_r2", campaign(null, 5_000, "EUR", "lifetime"), Map.of()));
        refused(request(NOW, "ads.update_campaign", "exe_r3", Map.of("campaign_id", "cmp_b",
                "budget", Map.of("amount_minor", 5_000, "currency", "USD", "period", "daily")),
                Map.of("campaign_id", "cmpn_x")));
        for (Map<String, Object> targeting : List.<Map<String, Object>>of(Map.of("countries", List.of("US")),
                Map.of("languages", List.of("en")), Map.of("age_min", 18), Map.of("age_max", 34))) {
            refused(request(NOW, "ads.create_group", "exe_r4", Map.of("campaign_id", "cmp_b", "name", "G",
                    "targeting", targeting), Map.of("campaign_id", "cmpn_x")));
        }
        refused(request(NOW, "ads.create_group", "exe_r5", Map.of("campaign_id", "cmp_b", "name", "G",
                "bid", Map.of("amount_minor", 100, "currency", "GBP")), Map.of("campaign_id", "cmpn_x")));
        refused(request(NOW, "ads.create_creative", "exe_r6", creative(Map.of("headlines",
                List.of("Boots for winter", "Dry feet"), "body", "Warm and dry.")), Map.of()));
        refused(request(NOW, "ads.create_creative", "exe_r7", creative(Map.of("headline", "Boots for winter",
                "descriptions", List.of("Warm and dry.", "Ships today."))), Map.of()));
        refused(request(NOW, "ads.create_creative", "exe_r8", creative(Map.of("headline", "Boots for winter",
                "body", "Warm and dry.", "call_to_action", "shop_now")), Map.of()));
        refused(request(NOW, "ads.create_creative", "exe_r9", creative(Map.of("headline", "a".repeat(51),
                "body", "Warm and dry.")), Map.of()));
    }
}
