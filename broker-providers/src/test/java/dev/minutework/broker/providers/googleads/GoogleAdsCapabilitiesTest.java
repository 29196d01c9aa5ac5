package dev.minutework.broker.providers.googleads;

import static dev.minutework.broker.providers.Requests.command;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.command.ExecuteCommand;
import dev.minutework.broker.core.command.FieldError;
import dev.minutework.broker.core.provider.ProviderCapabilities;
import dev.minutework.broker.core.provider.ProviderCapabilities.Feature;
import dev.minutework.broker.core.provider.ProviderCapabilities.TargetingKind;
import dev.minutework.broker.core.spend.BudgetPeriod;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the googleads factory declares is what the adapter and Google take: the broker refuses the
 * rest before anyone approves it, and lets through nothing the adapter would refuse for a reason
 * known in advance.
 */
class GoogleAdsCapabilitiesTest {

    static final ProviderCapabilities DECLARED = new GoogleAdsAdapterFactory().capabilities();

    private static List<String> misfits(String action, Map<String, Object> input) {
        return DECLARED.misfits(command(GoogleAdsAdapterContractTest.NOW, action, input), "googleads").stream()
                .map(FieldError::path).toList();
    }

    private static Map<String, Object> group(Map<String, Object> targeting) {
        return Map.of("campaign_id", "cmp_b", "name", "Hikers", "targeting", targeting);
    }

    @Test
    @SuppressWarnings("unchecked")
    void declaresCountriesAndLanguagesOfItsTableAppliedToTheCampaignAndNoAgesOrContextHints() {
        ProviderCapabilities.Targeting targeting = DECLARED.targeting();
        assertThat(targeting.kinds()).containsExactlyInAnyOrder(TargetingKind.COUNTRIES, TargetingKind.LANGUAGES);
        assertThat(targeting.countries()).contains("US", "DE", "GB", "FR", "JP", "BR", "IN", "AU")
                .doesNotContain("CU", "IR", "KP", "SY", "RU", "CN").hasSize(GoogleAdsTargeting.COUNTRIES.size());
        assertThat(targeting.languages()).contains("en", "de", "fr", "es", "it", "ja", "he")
                .doesNotContain("zh").hasSize(GoogleAdsTargeting.LANGUAGES.size());
        assertThat(targeting.countriesRequired()).isFalse();
        assertThat(targeting.note()).startsWith("locations and languages apply to the group's campaign (Google targets "
                + "them per campaign)");
        assertThat(GoogleAdsTargeting.location("US")).isEqualTo("geoTargetConstants/2840");
        assertThat(GoogleAdsTargeting.location("DE")).isEqualTo("geoTargetConstants/2276");
        assertThat(GoogleAdsTargeting.language("en")).isEqualTo("languageConstants/1000");
        assertThat(GoogleAdsTargeting.language("ja")).isEqualTo("languageConstants/1005");
        Map<?, ?> described = (Map<?, ?>) DECLARED.describe().get("targeting");
        assertThat((List<Object>) described.get("kinds")).containsExactlyInAnyOrder("countries", "languages");
        assertThat(described.get("note")).isEqualTo(GoogleAdsAdapterFactory.TARGETING_NOTE);
        assertThat(described.get("countries_required")).isEqualTo(false);

        assertThat(misfits("ads.create_group", group(Map.of("countries", List.of("US", "DE"), "languages",
                List.of("en", "de"))))).isEmpty();
        assertThat(misfits("ads.create_group", group(Map.of("age_min", 18, "age_max", 24))))
                .containsExactly("$.input.targeting.age_min");
        assertThat(misfits("ads.create_group", group(Map.of("context_hints", List.of("hiking")))))
                .containsExactly("$.input.targeting.context_hints");
        assertThat(misfits("ads.create_group", group(Map.of("countries", List.of("US", "CU")))))
                .containsExactly("$.input.targeting.countries");
        assertThat(misfits("ads.create_group", group(Map.of("languages", List.of("zh")))))
                .containsExactly("$.input.targeting.languages");
    }

    @Test
    void whatTheDeclarationLetsThroughTheAdapterMapsAndWhatItRefusesTheAdapterRefusesToo() {
        for (String country : DECLARED.targeting().countries()) {
            assertThat(GoogleAdsAdapter.unmappedTargeting(new ExecuteCommand.Targeting(List.of(country), null, null,
                    List.of(), List.of()))).as(country).isNull();
        }
        for (String language : DECLARED.targeting().languages()) {
            assertThat(GoogleAdsAdapter.unmappedTargeting(new ExecuteCommand.Targeting(List.of(), null, null,
                    List.of(language), List.of()))).as(language).isNull();
        }
        assertThat(GoogleAdsAdapter.unmappedTargeting(new ExecuteCommand.Targeting(List.of(), 18, null, List.of(),
                List.of()))).isNotNull();
    }

    @Test
    void declaresResponsiveSearchAdLimitsWithoutACallToAction() {
        assertThat(DECLARED.creatives()).isEqualTo(new ProviderCapabilities.Creatives(3, 15, 30, 2, 4, 90, java.util.Set.of()));
        Map<String, Object> fits = GoogleAdsAdapterContractTest.creative(List.of("Warm boots", "Dry feet", "x".repeat(30)),
                List.of("Warm and dry all winter.", "y".repeat(90)));
        assertThat(misfits("ads.create_creative", fits)).isEmpty();
        assertThat(GoogleAdsAdapter.responsiveSearchAdUnfit((ExecuteCommand.CreateCreative)
                command(GoogleAdsAdapterContractTest.NOW, "ads.create_creative", fits))).isNull();

        assertThat(misfits("ads.create_creative", GoogleAdsAdapterContractTest.creative(
                List.of("Warm boots", "Dry feet", "x".repeat(31)), GoogleAdsAdapterContractTest.DESCRIPTIONS)))
                .containsExactly("$.input.headlines[2]");
        assertThat(misfits("ads.create_creative", GoogleAdsAdapterContractTest.creative(List.of("Warm boots", "Dry feet"),
                List.of("Warm and dry all winter.")))).containsExactly("$.input.headlines", "$.input.descriptions");
        Map<String, Object> withCallToAction = new HashMap<>(fits);
        withCallToAction.put("call_to_action", "shop_now");
        assertThat(misfits("ads.create_creative", withCallToAction)).containsExactly("$.input.call_to_action");
        // the single headline and body of the neutral schema are one each: too few for Google
        assertThat(misfits("ads.create_creative", Map.of("name", "Boot card", "headline", "Warm boots", "body", "Dry feet",
                "image_url", "https://cdn.example.test/boot.png", "landing_url", "https://shop.example.test/boots")))
                .containsExactly("$.input.headlines", "$.input.descriptions");
    }

    @Test
    void declaresBothBudgetPeriodsAnyCurrencyEveryObjectiveAndTheDryRun() {
        assertThat(DECLARED.budgetPeriods()).containsExactlyInAnyOrder(BudgetPeriod.DAILY, BudgetPeriod.LIFETIME);
        assertThat(DECLARED.currencies()).isEmpty();
        assertThat(DECLARED.objectives()).containsExactlyInAnyOrderElementsOf(ProviderCapabilities.ALL_OBJECTIVES);
        assertThat(DECLARED.features()).containsExactlyInAnyOrder(Feature.STANDALONE_CREATIVE, Feature.REPORTS,
                Feature.RECONCILE_BY_REFERENCE, Feature.CAMPAIGN_END_TIME_UPDATE, Feature.DRY_RUN);
        assertThat(DECLARED.summary("googleads")).contains("3-15 headlines of <=30 chars, 2-4 descriptions of <=90 chars")
                .contains("checked by the provider before approval");
    }
}
