package dev.minutework.broker.providers.googleads;

import static dev.minutework.broker.providers.googleads.SimulatedGoogleAds.CID;
import static dev.minutework.broker.providers.googleads.SimulatedGoogleAds.made;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ProviderOutcome.RejectionKind;
import dev.minutework.broker.sim.Faults.Fault;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A group's countries and languages through the adapter against the simulator: they become
 * location and language criteria of the group's campaign, made in one atomic request with the
 * group, and the groups of one campaign share them.
 */
class GoogleAdsGroupTargetingContractTest {

    SimulatedGoogleAds google;
    String campaignId;

    @BeforeEach
    void start() {
        google = new SimulatedGoogleAds();
        campaignId = google.campaign("exe_c1");
        google.sim.clearRequests();
    }

    @AfterEach
    void stop() {
        google.close();
    }

    private List<Object> criteria() {
        return google.sim.campaignCriteria(CID, campaignId).stream()
                .map(c -> c.containsKey("location") ? c.get("location") : c.get("language")).toList();
    }

    private String resource() {
        return "customers/" + CID + "/campaigns/" + campaignId;
    }

    @Test
    void countriesAndLanguagesBecomeCriteriaOfTheCampaignInTheGroupsAtomicMutate() {
        ProviderOutcome out = google.group("exe_g1", campaignId, "Hikers",
                Map.of("countries", List.of("US", "DE"), "languages", List.of("en", "de")));

        String groupId = made(out);
        assertThat(google.calls()).containsExactly("POST googleAds:search", "POST googleAds:mutate");
        assertThat(google.lastTo("googleAds:search").jsonObject().get("query")).isEqualTo(
                "SELECT campaign_criterion.criterion_id, campaign_criterion.type, campaign_criterion.negative "
                        + "FROM campaign_criterion WHERE campaign.id = " + campaignId
                        + " AND campaign_criterion.type IN ('LOCATION', 'LANGUAGE')");
        assertThat(google.lastTo("googleAds:mutate").jsonObject()).isEqualTo(Map.of(
                "responseContentType", "MUTABLE_RESOURCE", "mutateOperations", List.of(
                        Map.of("adGroupOperation", Map.of("create", Map.of("name", "Hikers [exe_g1]", "campaign", resource(),
                                "status", "PAUSED", "type", "SEARCH_STANDARD", "cpcBidMicros", "2500000"))),
                        Map.of("campaignCriterionOperation", Map.of("create", Map.of("campaign", resource(),
                                "location", Map.of("geoTargetConstant", "geoTargetConstants/2840")))),
                        Map.of("campaignCriterionOperation", Map.of("create", Map.of("campaign", resource(),
                                "location", Map.of("geoTargetConstant", "geoTargetConstants/2276")))),
                        Map.of("campaignCriterionOperation", Map.of("create", Map.of("campaign", resource(),
                                "language", Map.of("languageConstant", "languageConstants/1000")))),
                        Map.of("campaignCriterionOperation", Map.of("create", Map.of("campaign", resource(),
                                "language", Map.of("languageConstant", "languageConstants/1001")))))));
        assertThat(criteria()).containsExactly(Map.of("geoTargetConstant", "geoTargetConstants/2840"),
                Map.of("geoTargetConstant", "geoTargetConstants/2276"), Map.of("languageConstant", "languageConstants/1000"),
                Map.of("languageConstant", "languageConstants/1001"));
        assertThat(google.sim.campaignCriteria(CID, campaignId)).extracting(c -> c.get("resourceName")).containsExactly(
                "customers/" + CID + "/campaignCriteria/" + campaignId + "~2840",
                "customers/" + CID + "/campaignCriteria/" + campaignId + "~2276",
                "customers/" + CID + "/campaignCriteria/" + campaignId + "~1000",
                "customers/" + CID + "/campaignCriteria/" + campaignId + "~1001");
        assertThat(google.sim.adGroupCount(CID)).isEqualTo(1);
        assertThat(((ProviderOutcome.Succeeded) out).data()).containsEntry("provider_name", "Hikers [exe_g1]")
                .containsEntry("resource_name", "customers/" + CID + "/adGroups/" + groupId);
    }

    @Test
    void aSecondGroupWithTheSameTargetingAddsNoCriteriaAndOneWithoutTargetingReadsNothing() {
        made(google.group("exe_g1", campaignId, "Hikers", Map.of("countries", List.of("US"), "languages", List.of("en"))));
        google.sim.clearRequests();

        made(google.group("exe_g2", campaignId, "Climbers", Map.of("countries", List.of("US"), "languages", List.of("en"))));
        assertThat(google.calls()).containsExactly("POST googleAds:search", "POST adGroups:mutate");

        google.sim.clearRequests();
        made(google.group("exe_g3", campaignId, "Walkers", Map.of()));
        assertThat(google.calls()).containsExactly("POST adGroups:mutate");
        assertThat(google.sim.criterionCount(CID)).isEqualTo(2);
        assertThat(google.sim.adGroupCount(CID)).isEqualTo(3);
    }

    @Test
    void aGroupNamingOtherCountriesThanItsCampaignTargetsIsRefusedAndChangesNothing() {
        made(google.group("exe_g1", campaignId, "Hikers", Map.of("countries", List.of("US", "CA"))));
        google.sim.clearRequests();

        ProviderOutcome out = google.group("exe_g2", campaignId, "Climbers", Map.of("countries", List.of("DE")));

        assertThat(out).isEqualTo(new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST,
                "campaign_targets_other_countries", "googleads targets countries per campaign: campaign " + campaignId
                        + " targets [CA, US], not [DE]; the groups of one campaign share its countries"));
        assertThat(google.calls()).containsExactly("POST googleAds:search");
        assertThat(google.sim.adGroupCount(CID)).isEqualTo(1);
        assertThat(google.sim.criterionCount(CID)).isEqualTo(2);
        // languages are their own: the campaign has none yet, so the group's are added
        made(google.group("exe_g3", campaignId, "Readers", Map.of("countries", List.of("CA", "US"), "languages",
                List.of("fr"))));
        assertThat(criteria()).contains(Map.of("languageConstant", "languageConstants/1002"));
    }

    @Test
    void whenTheGroupIsRefusedItsCampaignGetsNoCriteriaEither() {
        made(google.group("exe_g1", campaignId, "Hikers", Map.of()));
        google.sim.clearRequests();

        // same name in the same campaign: Google refuses the group, and with it the whole request
        ProviderOutcome out = google.group("exe_g1", campaignId, "Hikers", Map.of("countries", List.of("US"),
                "languages", List.of("en")));

        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Rejected.class,
                r -> assertThat(r.providerCode()).isEqualTo("adGroupError:DUPLICATE_ADGROUP_NAME"));
        assertThat(google.sim.criterionCount(CID)).isZero();
        assertThat(google.sim.adGroupCount(CID)).isEqualTo(1);
    }

    @Test
    void aLostAnswerIsSettledByTheGroupAloneSinceItsCriteriaCameWithIt() {
        google.sim.faults().hang(java.time.Duration.ZERO);
        google.sim.faults().next(Fault.TIMEOUT_AFTER_COMMIT); // the criteria read passes
        google.sim.faults().next(Fault.DROP_RESPONSE); // the mutate is applied, its answer lost

        ProviderOutcome out = google.group("exe_g1", campaignId, "Hikers", Map.of("countries", List.of("US")));

        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class,
                ok -> assertThat(ok.data()).containsEntry("provider_name", "Hikers [exe_g1]"));
        assertThat(google.calls()).containsExactly("POST googleAds:search", "POST googleAds:mutate",
                "POST googleAds:search");
        assertThat(google.sim.adGroupCount(CID)).isEqualTo(1);
        assertThat(google.sim.criterionCount(CID)).isEqualTo(1);
        assertThat(google.adapter.reconcile("ads.create_group", "exe_g1")).isEqualTo(out);
    }

    @Test
    void after5xxTheGroupIsLookedUpAndTheWholeRequestSentAgain() {
        google.sim.faults().hang(java.time.Duration.ZERO);
        google.sim.faults().next(Fault.TIMEOUT_AFTER_COMMIT); // the criteria read passes
        google.sim.faults().next(Fault.SERVER_ERROR); // the mutate fails before doing anything

        made(google.group("exe_g1", campaignId, "Hikers", Map.of("countries", List.of("US"))));

        assertThat(google.calls()).containsExactly("POST googleAds:search", "POST googleAds:mutate",
                "POST googleAds:search", "POST googleAds:mutate");
        assertThat(google.counts()).containsExactly(1, 1, 1, 1, 0, 0);
    }

    @Test
    void everyDeclaredCountryAndLanguageIsOneGoogleTakes() {
        List<Object> countries = new ArrayList<>(GoogleAdsTargeting.COUNTRIES.keySet());
        List<Object> languages = new ArrayList<>(GoogleAdsTargeting.LANGUAGES.keySet());
        assertThat(GoogleAdsAdapterFactory.CAPABILITIES.targeting().countries())
                .isEqualTo(GoogleAdsTargeting.COUNTRIES.keySet());
        assertThat(GoogleAdsAdapterFactory.CAPABILITIES.targeting().languages())
                .isEqualTo(GoogleAdsTargeting.LANGUAGES.keySet());

        made(google.group("exe_all", campaignId, "Everyone", Map.of("countries", countries, "languages", languages)));

        assertThat(google.sim.criterionCount(CID)).isEqualTo(countries.size() + languages.size());
    }
}
