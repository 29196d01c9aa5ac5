package dev.minutework.broker.providers.googleads;

import static dev.minutework.broker.providers.Requests.request;
import static dev.minutework.broker.providers.googleads.SimulatedGoogleAds.CID;
import static dev.minutework.broker.providers.googleads.SimulatedGoogleAds.DESCRIPTIONS;
import static dev.minutework.broker.providers.googleads.SimulatedGoogleAds.HEADLINES;
import static dev.minutework.broker.providers.googleads.SimulatedGoogleAds.NOW;
import static dev.minutework.broker.providers.googleads.SimulatedGoogleAds.made;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ProviderOutcome.RejectionKind;
import dev.minutework.broker.sim.Faults.Fault;
import dev.minutework.broker.sim.SimRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code validate()} against the simulator: every mutating action's requests sent again with
 * {@code "validateOnly": true}, Google's verdict as the outcome, and nothing made, changed or
 * counted at the provider.
 */
class GoogleAdsDryRunContractTest {

    static final ProviderOutcome.Succeeded WOULD_DO = new ProviderOutcome.Succeeded(null, Map.of(), List.of());

    SimulatedGoogleAds google;

    @BeforeEach
    void start() {
        google = new SimulatedGoogleAds();
    }

    @AfterEach
    void stop() {
        google.close();
    }

    /** Every mutate since the last clearing: each carries validateOnly. */
    private List<SimRequest> mutates() {
        return google.sim.requests().stream().filter(r -> r.path().endsWith(":mutate")).toList();
    }

    private void assertEveryMutateOnlyValidated() {
        assertThat(mutates()).isNotEmpty().allSatisfy(r -> assertThat(r.jsonObject()).containsEntry("validateOnly", true));
    }

    @Test
    void aGoodCampaignIsValidatedAsTheAtomicMutateExecuteSendsAndNothingIsMadeNorAnyIdUsedUp() {
        String first = google.campaign("exe_1");
        google.sim.clearRequests();

        Optional<ProviderOutcome> dry = google.validate("ads.create_campaign", "exe_2",
                GoogleAdsAdapterContractTest.campaign(50_000, "lifetime", "active"), Map.of());

        assertThat(dry).contains(WOULD_DO);
        assertThat(google.calls()).containsExactly("POST googleAds:mutate");
        Map<String, Object> checked = new HashMap<>(google.lastTo("googleAds:mutate").jsonObject());
        assertThat(checked.remove("validateOnly")).isEqualTo(true);
        assertThat(google.counts()).containsExactly(1, 1, 0, 0, 0, 0);

        google.sim.clearRequests();
        String second = made(google.execute("ads.create_campaign", "exe_2",
                GoogleAdsAdapterContractTest.campaign(50_000, "lifetime", "active"), Map.of()));
        // the very request the dry run checked, without the flag
        assertThat(google.lastTo("googleAds:mutate").jsonObject()).isEqualTo(checked);
        // budget and campaign of the second take the two ids after the first's: the dry run used none
        assertThat(Long.parseLong(second)).isEqualTo(Long.parseLong(first) + 2);
    }

    @Test
    void aCampaignGoogleWouldRefuseIsRejectedWithGooglesCodeAndNothingIsMade() {
        Map<String, Object> past = new HashMap<>(GoogleAdsAdapterContractTest.campaign(50_000, "daily", "paused"));
        past.put("start_time", "2026-11-01T00:00:00Z");

        Optional<ProviderOutcome> dry = google.validate("ads.create_campaign", "exe_3", past, Map.of());

        assertThat(dry).get().isInstanceOfSatisfying(ProviderOutcome.Rejected.class, r -> {
            assertThat(r.kind()).isEqualTo(RejectionKind.INVALID_REQUEST);
            assertThat(r.providerCode()).isEqualTo("dateRangeError:CANNOT_SET_DATE_TO_PAST");
            assertThat(r.message()).contains("mutate_operations[1].campaign_operation.create.start_date_time");
        });
        assertEveryMutateOnlyValidated();
        assertThat(google.counts()).containsExactly(0, 0, 0, 0, 0, 0);
    }

    @Test
    void aLifetimeBudgetWithoutEndIsRefusedByTheAdapterAsExecuteWouldWithoutAnyCall() {
        ProviderOutcome dry = google.validate("ads.create_campaign", "exe_4", Map.of("name", "Winter boots",
                "budget", Map.of("amount_minor", 50_000, "currency", "USD", "period", "lifetime")), Map.of()).orElseThrow();
        assertThat(dry).isInstanceOfSatisfying(ProviderOutcome.Rejected.class,
                r -> assertThat(r.providerCode()).isEqualTo("lifetime_budget_needs_end_time"));
        assertThat(google.sim.requests()).isEmpty();
    }

    @Test
    void updatesAndPausesAreValidatedAndChangeNothing() {
        String id = google.campaign("exe_5");
        Map<String, Object> before = google.sim.campaign(CID, id);
        String budget = (String) before.get("campaignBudget");
        google.sim.clearRequests();

        assertThat(google.validate("ads.update_campaign", "exe_6", Map.of("campaign_id", "cmp_b", "name", "Summer boots",
                "status", "active", "budget", Map.of("amount_minor", 70_000, "currency", "USD", "period", "daily")),
                Map.of("campaign_id", id))).contains(WOULD_DO);
        assertThat(google.calls()).containsExactly("POST googleAds:search", "POST googleAds:mutate");
        assertThat(google.validate("ads.pause_campaign", "exe_7", Map.of("campaign_id", "cmp_b"),
                Map.of("campaign_id", id))).contains(WOULD_DO);
        assertThat(google.lastTo("campaigns:mutate").jsonObject()).isEqualTo(Map.of("responseContentType", "MUTABLE_RESOURCE",
                "validateOnly", true, "operations", List.of(Map.of("update", Map.of("resourceName",
                        "customers/" + CID + "/campaigns/" + id, "status", "PAUSED"), "updateMask", "status"))));

        assertEveryMutateOnlyValidated();
        assertThat(google.sim.campaign(CID, id)).isEqualTo(before);
        assertThat(google.lastTo("googleAds:mutate").jsonObject().toString()).contains(budget);

        // a campaign Google does not have
        assertThat(google.validate("ads.pause_campaign", "exe_8", Map.of("campaign_id", "cmp_x"),
                Map.of("campaign_id", "6999999999"))).get().isInstanceOfSatisfying(ProviderOutcome.Rejected.class, r -> {
                    assertThat(r.kind()).isEqualTo(RejectionKind.NOT_FOUND);
                    assertThat(r.providerCode()).isEqualTo("mutateError:RESOURCE_NOT_FOUND");
                });
    }

    @Test
    void aGroupWithTargetingIsValidatedWithItsCriteriaAndACampaignConflictIsCaughtBeforeApproval() {
        String id = google.campaign("exe_9");
        made(google.group("exe_10", id, "Hikers", Map.of("countries", List.of("US"))));
        google.sim.clearRequests();

        assertThat(google.validate("ads.create_group", "exe_11", SimulatedGoogleAds.group("Climbers",
                Map.of("countries", List.of("US"), "languages", List.of("en"))), Map.of("campaign_id", id)))
                .contains(WOULD_DO);
        assertThat(google.calls()).containsExactly("POST googleAds:search", "POST googleAds:mutate");
        assertThat(GoogleAdsAdapterContractTest.operation(google.lastTo("googleAds:mutate"), 1, "campaignCriterionOperation"))
                .isEqualTo(Map.of("create", Map.of("campaign", "customers/" + CID + "/campaigns/" + id,
                        "language", Map.of("languageConstant", "languageConstants/1000"))));

        assertThat(google.validate("ads.create_group", "exe_12", SimulatedGoogleAds.group("Climbers",
                Map.of("countries", List.of("FR"))), Map.of("campaign_id", id))).get()
                .isInstanceOfSatisfying(ProviderOutcome.Rejected.class,
                        r -> assertThat(r.providerCode()).isEqualTo("campaign_targets_other_countries"));
        assertEveryMutateOnlyValidated();
        assertThat(google.counts()).containsExactly(1, 1, 1, 1, 0, 0);
    }

    @Test
    void aCreativeAndAnAdAreValidatedAndAnAdWithATooLongHeadlineIsRefusedByGoogle() {
        String id = google.campaign("exe_13");
        String group = made(google.group("exe_14", id, "Hikers", Map.of()));
        Map<String, Object> creative = GoogleAdsAdapterContractTest.creative(HEADLINES, DESCRIPTIONS);
        google.sim.clearRequests();

        assertThat(google.validate("ads.create_creative", "exe_15", creative, Map.of())).contains(WOULD_DO);
        assertThat(google.calls()).containsExactly("POST assets:mutate");
        assertThat(google.downloads).hasValue(1);
        String asset = made(google.execute("ads.create_creative", "exe_15", creative, Map.of()));

        assertThat(google.adapter.validate(request(NOW, "ads.create_ad", "exe_16", Map.of("group_id", "grp_b",
                "creative_id", "crv_b", "name", "Ad one"), Map.of("group_id", group, "creative_id", asset),
                Map.of("creative_id", creative)))).contains(WOULD_DO);
        // a creative that bypassed the declaration: Google refuses its ad, field by field
        Map<String, Object> tooLong = GoogleAdsAdapterContractTest.creative(
                List.of("Warm boots", "Dry feet", "Free returns on every single pair"), DESCRIPTIONS);
        assertThat(google.adapter.validate(request(NOW, "ads.create_ad", "exe_17", Map.of("group_id", "grp_b",
                "creative_id", "crv_b", "name", "Ad two"), Map.of("group_id", group, "creative_id", asset),
                Map.of("creative_id", tooLong)))).get().isInstanceOfSatisfying(ProviderOutcome.Rejected.class, r -> {
                    assertThat(r.providerCode()).isEqualTo("stringLengthError:TOO_LONG");
                    assertThat(r.message()).contains("responsive_search_ad.headlines[2].text");
                });
        assertThat(google.adapter.validate(request(NOW, "ads.create_creative", "exe_18",
                GoogleAdsAdapterContractTest.creative(List.of("Boots"), DESCRIPTIONS), Map.of()))).get()
                .isInstanceOfSatisfying(ProviderOutcome.Rejected.class,
                        r -> assertThat(r.providerCode()).isEqualTo("rsa_headlines"));

        assertThat(google.sim.adCount(CID)).isZero();
        assertThat(google.sim.assetCount(CID)).isEqualTo(1);
        assertThat(mutates().stream().filter(r -> r.jsonObject().containsKey("validateOnly")).count()).isEqualTo(3);
    }

    @Test
    void whenGoogleCannotAnswerTheDryRunIsUnknownAndAReportHasNone() {
        google.campaign("exe_19");
        google.sim.clearRequests();
        google.sim.faults().next(Fault.SERVER_ERROR, 3);

        assertThat(google.validate("ads.create_campaign", "exe_20",
                GoogleAdsAdapterContractTest.campaign(50_000, "daily", "paused"), Map.of())).get()
                .isInstanceOf(ProviderOutcome.Unknown.class);
        assertThat(google.calls()).containsExactly("POST googleAds:mutate", "POST googleAds:mutate", "POST googleAds:mutate");
        assertThat(google.validate("ads.fetch_report", "exe_21", Map.of("since", "2026-11-19", "until", "2026-11-20",
                "granularity", "day"), Map.of())).isEmpty();
        assertThat(google.counts()).containsExactly(1, 1, 0, 0, 0, 0);
    }
}
