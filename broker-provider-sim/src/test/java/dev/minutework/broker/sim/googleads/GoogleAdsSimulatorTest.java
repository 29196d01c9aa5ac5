package dev.minutework.broker.sim.googleads;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.core.json.JsonParser;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Google Ads simulator over HTTP, on its own: the atomic {@code googleAds:mutate} with
 * temporary resource names, campaign criteria, {@code validateOnly} that validates exactly as a
 * real call and keeps nothing, and the journal that brings a customer's objects back after a
 * restart without ever holding a credential.
 */
class GoogleAdsSimulatorTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"), ZoneOffset.UTC);
    static final String CID = "1234567890";
    static final Map<String, String> SCOPE = Map.of("customer_id", "123-456-7890");
    static final Map<String, String> CREDENTIALS = Map.of("client_id", "sim-client.apps.example.test",
            "client_secret", "GOCSPX-sim-secret-424242", "refresh_token", "1//sim-refresh-token-abcdef",
            "developer_token", "sim-devtoken-QWERTY");

    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newHttpClient();
    GoogleAdsSimulator sim;
    String accessToken;

    @AfterEach
    void stop() {
        if (sim != null) {
            sim.close();
        }
    }

    /** Starts a simulator (keeping its objects in {@code journal} when not null) with the customer provisioned. */
    private void start(Path journal) throws Exception {
        if (sim != null) {
            sim.close();
        }
        sim = new GoogleAdsSimulator(CLOCK);
        if (journal != null) {
            sim.keepStateIn(journal);
        }
        sim.start();
        sim.provision(SCOPE, CREDENTIALS);
        String form = "grant_type=refresh_token&client_id=" + enc(CREDENTIALS.get("client_id")) + "&client_secret="
                + enc(CREDENTIALS.get("client_secret")) + "&refresh_token=" + enc(CREDENTIALS.get("refresh_token"));
        HttpResponse<String> token = http.send(HttpRequest.newBuilder(URI.create(sim.origin() + "/oauth2/v3/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).isEqualTo(200);
        accessToken = (String) JsonParser.parseObject(token.body()).get("access_token");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private record Answer(int status, Map<String, Object> json) {
        /** The first GoogleAdsFailure error's code, e.g. {@code mutateError:RESOURCE_NOT_FOUND}. */
        String error() {
            Map<?, ?> failure = (Map<?, ?>) ((List<?>) ((Map<?, ?>) json.get("error")).get("details")).getFirst();
            Map<?, ?> first = (Map<?, ?>) ((List<?>) failure.get("errors")).getFirst();
            Map.Entry<?, ?> code = ((Map<?, ?>) first.get("errorCode")).entrySet().iterator().next();
            return code.getKey() + ":" + code.getValue();
        }

        /** The first error without the request's id: what two answers to the same request share. */
        Object firstError() {
            Map<?, ?> failure = (Map<?, ?>) ((List<?>) ((Map<?, ?>) json.get("error")).get("details")).getFirst();
            return ((List<?>) failure.get("errors")).getFirst();
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> response(int index) {
            return (Map<String, Object>) ((List<?>) json.get("mutateOperationResponses")).get(index);
        }
    }

    private Answer post(String path, Map<String, Object> body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/customers/" + CID + path))
                .header("Authorization", "Bearer " + accessToken).header("developer-token", CREDENTIALS.get("developer_token"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(CanonicalJson.canonicalize(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), JsonParser.parseObject(r.body()));
    }

    private static Map<String, Object> with(Map<String, Object> body, String key, Object value) {
        Map<String, Object> out = new HashMap<>(body);
        out.put(key, value);
        return out;
    }

    private static Map<String, Object> budget(String name, String temporary) {
        Map<String, Object> b = new HashMap<>(Map.of("name", name, "amountMicros", "5000000", "explicitlyShared", false));
        if (temporary != null) {
            b.put("resourceName", "customers/" + CID + "/campaignBudgets/" + temporary);
        }
        return b;
    }

    private static Map<String, Object> campaign(String name, String budget) {
        return Map.of("name", name, "advertisingChannelType", "SEARCH", "status", "PAUSED", "campaignBudget", budget,
                "manualCpc", Map.of(), "containsEuPoliticalAdvertising", "DOES_NOT_CONTAIN_EU_POLITICAL_ADVERTISING");
    }

    /** A googleAds:mutate that creates a budget under temporary id -1 and a campaign using it. */
    private static Map<String, Object> budgetAndCampaign(String name) {
        return Map.of("mutateOperations", List.of(
                Map.of("campaignBudgetOperation", Map.of("create", budget(name + " budget", "-1"))),
                Map.of("campaignOperation", Map.of("create", campaign(name, "customers/" + CID + "/campaignBudgets/-1")))));
    }

    private static Map<String, Object> criterion(String campaign, String field, Map<String, Object> constant) {
        return Map.of("operations", List.of(Map.of("create", Map.of("campaign", campaign, field, constant))));
    }

    private String made(Answer a, int index, String result) {
        assertThat(a.status()).as("%s", a.json()).isEqualTo(200);
        String name = (String) ((Map<?, ?>) a.response(index).get(result)).get("resourceName");
        return name.substring(name.lastIndexOf('/') + 1);
    }

    @Test
    void changeStatusListsWhatMutatesAndTheProviderChangedAndNeedsARecentLowerBoundAndALimit() throws Exception {
        start(null);
        Answer made = post("/googleAds:mutate", budgetAndCampaign("Boots"));
        String campaign = made(made, 1, "campaignResult");
        sim.changeCampaignStatus(CID, campaign, "ENABLED");
        String today = java.time.LocalDate.ofInstant(CLOCK.instant(), java.time.ZoneId.of("America/New_York")).toString();
        String select = "SELECT change_status.resource_name, change_status.resource_type, change_status.resource_status, "
                + "change_status.campaign, change_status.last_change_date_time FROM change_status";

        Answer rows = post("/googleAds:search", Map.of("query", select + " WHERE change_status.last_change_date_time >= '"
                + today + " 00:00:00' AND change_status.resource_type IN ('CAMPAIGN') LIMIT 100"));
        assertThat(rows.status()).as("%s", rows.json()).isEqualTo(200);
        Map<?, ?> status = (Map<?, ?>) ((Map<?, ?>) ((List<?>) rows.json().get("results")).getFirst()).get("changeStatus");
        assertThat(status.get("resourceType")).isEqualTo("CAMPAIGN");
        assertThat(status.get("resourceStatus")).isEqualTo("CHANGED");
        assertThat(status.get("campaign")).isEqualTo("customers/" + CID + "/campaigns/" + campaign);
        assertThat((String) status.get("lastChangeDateTime")).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6}");

        assertThat(post("/googleAds:search", Map.of("query", select + " LIMIT 100")).error())
                .isEqualTo("changeStatusError:CHANGE_DATE_RANGE_INFINITE");
        assertThat(post("/googleAds:search", Map.of("query", select + " WHERE change_status.last_change_date_time >= '"
                + today + " 00:00:00'")).error()).isEqualTo("changeStatusError:LIMIT_NOT_SPECIFIED");
        assertThat(post("/googleAds:search", Map.of("query", select + " WHERE change_status.last_change_date_time >= '"
                + today + " 00:00:00' LIMIT 10001")).error()).isEqualTo("changeStatusError:INVALID_LIMIT_CLAUSE");
        assertThat(post("/googleAds:search", Map.of("query", select + " WHERE change_status.last_change_date_time >= '"
                + java.time.LocalDate.parse(today).minusDays(91) + " 00:00:00' LIMIT 100")).error())
                .isEqualTo("changeStatusError:START_DATE_TOO_OLD");
    }

    @Test
    void aBudgetAndACampaignAreMadeAtomicallyTheTemporaryNameReplacedByTheRealOne() throws Exception {
        start(null);
        Answer a = post("/googleAds:mutate", with(budgetAndCampaign("Boots"), "responseContentType", "MUTABLE_RESOURCE"));

        String budget = made(a, 0, "campaignBudgetResult");
        String campaign = made(a, 1, "campaignResult");
        assertThat(Long.parseLong(campaign)).isEqualTo(Long.parseLong(budget) + 1);
        assertThat(((Map<?, ?>) ((Map<?, ?>) a.response(1).get("campaignResult")).get("campaign")).get("campaignBudget"))
                .isEqualTo("customers/" + CID + "/campaignBudgets/" + budget);
        assertThat(sim.campaign(CID, campaign)).containsEntry("campaignBudget", "customers/" + CID + "/campaignBudgets/" + budget);
        assertThat(sim.budgetCount(CID)).isEqualTo(1);
    }

    @Test
    void aRequestWithOneBadOperationChangesNothingAndTemporaryNamesAreCheckedAsDocumented() throws Exception {
        start(null);
        Map<String, Object> badCampaign = new HashMap<>(campaign("Boots", "customers/" + CID + "/campaignBudgets/-1"));
        badCampaign.remove("containsEuPoliticalAdvertising");
        Answer bad = post("/googleAds:mutate", Map.of("mutateOperations", List.of(
                Map.of("campaignBudgetOperation", Map.of("create", budget("Boots budget", "-1"))),
                Map.of("campaignOperation", Map.of("create", badCampaign)))));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.error()).isEqualTo("fieldError:REQUIRED");
        assertThat(bad.firstError()).extracting(e -> ((Map<?, ?>) e).get("location")).isEqualTo(Map.of("fieldPathElements",
                List.of(Map.of("fieldName", "mutate_operations", "index", 1L), Map.of("fieldName", "campaign_operation"),
                        Map.of("fieldName", "create"), Map.of("fieldName", "contains_eu_political_advertising"))));
        assertThat(sim.budgetCount(CID)).isZero();

        // a temporary name must be made before it is used
        Answer reversed = post("/googleAds:mutate", Map.of("mutateOperations", List.of(
                Map.of("campaignOperation", Map.of("create", campaign("Boots", "customers/" + CID + "/campaignBudgets/-1"))),
                Map.of("campaignBudgetOperation", Map.of("create", budget("Boots budget", "-1"))))));
        assertThat(reversed.error()).isEqualTo("mutateError:RESOURCE_NOT_FOUND");
        // each temporary name uses its own negative number, even across resource types
        Answer twice = post("/googleAds:mutate", Map.of("mutateOperations", List.of(
                Map.of("campaignBudgetOperation", Map.of("create", budget("Boots budget", "-1"))),
                Map.of("campaignOperation", Map.of("create", with(campaign("Boots", "customers/" + CID + "/campaignBudgets/-1"),
                        "resourceName", "customers/" + CID + "/campaigns/-1"))))));
        assertThat(twice.error()).isEqualTo("mutateError:ID_EXISTS_IN_MULTIPLE_MUTATES");
        // the same campaign changed twice in one request
        String campaign = made(post("/googleAds:mutate", budgetAndCampaign("Boots")), 1, "campaignResult");
        Map<String, Object> pause = Map.of("campaignOperation", Map.of("update", Map.of("resourceName",
                "customers/" + CID + "/campaigns/" + campaign, "status", "PAUSED"), "updateMask", "status"));
        assertThat(post("/googleAds:mutate", Map.of("mutateOperations", List.of(pause, pause))).error())
                .isEqualTo("mutateError:ID_EXISTS_IN_MULTIPLE_MUTATES");
        assertThat(sim.budgetCount(CID)).isEqualTo(1);
        assertThat(sim.campaignCount(CID)).isEqualTo(1);
    }

    @Test
    void validateOnlyAnswersWhatTheRealCallWouldAndKeepsRecordsAndCountsNothing() throws Exception {
        Path journal = dir.resolve("googleads.jsonl");
        start(journal);
        String first = made(post("/googleAds:mutate", budgetAndCampaign("Boots")), 1, "campaignResult");
        byte[] journaled = Files.readAllBytes(journal);

        // good requests: an empty answer ("only errors are returned, not results"), nothing made
        Answer dry = post("/googleAds:mutate", with(budgetAndCampaign("Sandals"), "validateOnly", true));
        assertThat(dry.status()).isEqualTo(200);
        assertThat(dry.json()).isEmpty();
        String campaign = "customers/" + CID + "/campaigns/" + first;
        Map<String, Map<String, Object>> services = Map.of(
                "/campaignCriteria:mutate", criterion(campaign, "location", Map.of("geoTargetConstant", "geoTargetConstants/2840")),
                "/campaignBudgets:mutate", Map.of("operations", List.of(Map.of("create", budget("Sandals budget", null)))),
                "/adGroups:mutate", Map.of("operations", List.of(Map.of("create", Map.of("name", "Hikers", "campaign", campaign)))));
        for (Map.Entry<String, Map<String, Object>> service : services.entrySet()) {
            Answer checked = post(service.getKey(), with(service.getValue(), "validateOnly", true));
            assertThat(checked.status()).as(service.getKey()).isEqualTo(200);
            assertThat(checked.json()).isEmpty();
        }
        assertThat(List.of(sim.budgetCount(CID), sim.campaignCount(CID), sim.adGroupCount(CID), sim.criterionCount(CID)))
                .containsExactly(1, 1, 0, 0);
        assertThat(Files.readAllBytes(journal)).isEqualTo(journaled);

        // bad requests: the very refusal the real call gets
        Map<String, Object> duplicate = budgetAndCampaign("Boots");
        Answer refusedDry = post("/googleAds:mutate", with(duplicate, "validateOnly", true));
        Answer refused = post("/googleAds:mutate", duplicate);
        assertThat(refusedDry.status()).isEqualTo(400);
        assertThat(refusedDry.error()).isEqualTo("campaignBudgetError:DUPLICATE_NAME");
        assertThat(refusedDry.firstError()).isEqualTo(refused.firstError());
        Map<String, Object> unknownCountry = criterion(campaign, "location", Map.of("geoTargetConstant", "geoTargetConstants/2999"));
        assertThat(post("/campaignCriteria:mutate", with(unknownCountry, "validateOnly", true)).firstError())
                .isEqualTo(post("/campaignCriteria:mutate", unknownCountry).firstError());

        // no id was used up: the next budget and campaign follow the first right away
        String second = made(post("/googleAds:mutate", budgetAndCampaign("Sandals")), 1, "campaignResult");
        assertThat(Long.parseLong(second)).isEqualTo(Long.parseLong(first) + 2);
    }

    @Test
    void campaignCriteriaAreCountriesAndLanguagesOncePerCampaignAndGoneWhenRemoved() throws Exception {
        start(null);
        String id = made(post("/googleAds:mutate", budgetAndCampaign("Boots")), 1, "campaignResult");
        String campaign = "customers/" + CID + "/campaigns/" + id;

        Answer us = post("/campaignCriteria:mutate", criterion(campaign, "location", Map.of("geoTargetConstant",
                "geoTargetConstants/2840")));
        assertThat(us.status()).isEqualTo(200);
        assertThat(us.json()).isEqualTo(Map.of("results", List.of(Map.of("resourceName",
                "customers/" + CID + "/campaignCriteria/" + id + "~2840"))));
        assertThat(post("/campaignCriteria:mutate", criterion(campaign, "language", Map.of("languageConstant",
                "languageConstants/1000"))).status()).isEqualTo(200);
        assertThat(post("/campaignCriteria:mutate", criterion(campaign, "location", Map.of("geoTargetConstant",
                "geoTargetConstants/2840"))).error()).isEqualTo("mutateError:RESOURCE_ALREADY_EXISTS");
        assertThat(post("/campaignCriteria:mutate", criterion(campaign, "language", Map.of("languageConstant",
                "languageConstants/9999"))).error()).isEqualTo("criterionError:INVALID_CRITERION_ID");
        assertThat(post("/campaignCriteria:mutate", Map.of("operations", List.of(Map.of("create",
                Map.of("campaign", campaign)))))
                .error()).isEqualTo("criterionError:CONCRETE_TYPE_REQUIRED");

        Answer found = post("/googleAds:search", Map.of("query", "SELECT campaign_criterion.criterion_id, "
                + "campaign_criterion.type, campaign_criterion.location.geo_target_constant FROM campaign_criterion "
                + "WHERE campaign.id = " + id + " AND campaign_criterion.type IN ('LOCATION', 'LANGUAGE')"));
        assertThat(found.json().get("results")).isEqualTo(List.of(
                Map.of("campaignCriterion", Map.of("criterionId", "2840", "type", "LOCATION",
                        "location", Map.of("geoTargetConstant", "geoTargetConstants/2840"))),
                Map.of("campaignCriterion", Map.of("criterionId", "1000", "type", "LANGUAGE"))));

        assertThat(post("/campaignCriteria:mutate", Map.of("operations", List.of(Map.of("remove",
                "customers/" + CID + "/campaignCriteria/" + id + "~2840")))).status()).isEqualTo(200);
        assertThat(sim.campaignCriteria(CID, id)).extracting(c -> c.get("criterionId")).containsExactly("1000");
    }

    @Test
    void aCustomersObjectsSettingsAndIdsComeBackAfterARestartAndNoSecretIsEverWritten() throws Exception {
        Path journal = dir.resolve("simulators/googleads.jsonl");
        start(journal);
        sim.customerSettings(CID, "EUR", "Europe/Berlin");
        String id = made(post("/googleAds:mutate", budgetAndCampaign("Boots")), 1, "campaignResult");
        String campaign = "customers/" + CID + "/campaigns/" + id;
        assertThat(post("/campaignCriteria:mutate", criterion(campaign, "location", Map.of("geoTargetConstant",
                "geoTargetConstants/2276"))).status()).isEqualTo(200);
        assertThat(post("/adGroups:mutate", Map.of("operations", List.of(Map.of("create", Map.of("name", "Hikers",
                "campaign", campaign))))).status()).isEqualTo(200);
        assertThat(post("/campaigns:mutate", Map.of("operations", List.of(Map.of("update", Map.of("resourceName", campaign,
                "status", "ENABLED"), "updateMask", "status")))).status()).isEqualTo(200);

        start(journal); // a new process on the same journal; the broker provisions the customer again

        assertThat(sim.campaign(CID, id)).containsEntry("status", "ENABLED").containsEntry("name", "Boots");
        assertThat(List.of(sim.budgetCount(CID), sim.campaignCount(CID), sim.adGroupCount(CID), sim.criterionCount(CID)))
                .containsExactly(1, 1, 1, 1);
        Answer customer = post("/googleAds:search", Map.of("query", "SELECT customer.currency_code, customer.time_zone FROM customer"));
        assertThat(customer.json().get("results")).isEqualTo(List.of(Map.of("customer", Map.of("currencyCode", "EUR",
                "timeZone", "Europe/Berlin"))));
        // the budget name is still taken, and new ids continue after the old ones
        assertThat(post("/campaignBudgets:mutate", Map.of("operations", List.of(Map.of("create",
                budget("Boots budget", null))))).error()).isEqualTo("campaignBudgetError:DUPLICATE_NAME");
        String next = made(post("/googleAds:mutate", budgetAndCampaign("Sandals")), 1, "campaignResult");
        assertThat(Long.parseLong(next)).isGreaterThan(Long.parseLong(id) + 2); // the group took one too

        String kept = Files.readString(journal, StandardCharsets.UTF_8);
        for (String secret : CREDENTIALS.values()) {
            assertThat(kept).doesNotContain(secret);
        }
        assertThat(kept).doesNotContain(accessToken).doesNotContain("ya29.");
    }

    // ------------------------------------------------------------------ asset and ad types

    private Answer asset(Map<String, Object> create) throws Exception {
        return post("/assets:mutate", Map.of("operations", List.of(Map.of("create", create))));
    }

    private Answer adIn(String adGroup, Map<String, Object> ad) throws Exception {
        return post("/adGroupAds:mutate", Map.of("operations", List.of(Map.of("create",
                Map.of("adGroup", adGroup, "status", "PAUSED", "ad", ad)))));
    }

    @Test
    void textAndVideoAssetsAndCallAdsAreServedAndOtherAdTypesAnsweredWithGooglesErrors() throws Exception {
        start(null);
        assertThat(asset(Map.of("textAsset", Map.of("text", "Fast delivery"))).status()).isEqualTo(200);
        assertThat(asset(Map.of("type", "YOUTUBE_VIDEO", "youtubeVideoAsset", Map.of("youtubeVideoId", "abcdefghijk")))
                .status()).isEqualTo(200);
        assertThat(asset(Map.of("type", "IMAGE", "textAsset", Map.of("text", "x"))).error()).isEqualTo("fieldError:INVALID_VALUE");
        assertThat(asset(Map.of("textAsset", Map.of("text", " "))).error()).isEqualTo("fieldError:REQUIRED");
        assertThat(asset(Map.of("youtubeVideoAsset", Map.of("youtubeVideoId", "short"))).error()).isEqualTo("fieldError:INVALID_VALUE");
        assertThat(asset(Map.of("textAsset", Map.of("text", "a"), "youtubeVideoAsset", Map.of("youtubeVideoId", "abcdefghijk")))
                .status()).isEqualTo(400);
        assertThat(asset(Map.of("name", "nothing")).error()).isEqualTo("fieldError:REQUIRED");
        assertThat(sim.assetCount(CID)).isEqualTo(2);
        Answer read = post("/googleAds:search", Map.of("query",
                "SELECT asset.type, asset.text_asset.text FROM asset WHERE asset.type = 'TEXT'"));
        assertThat(read.json().get("results")).isEqualTo(List.of(Map.of("asset",
                Map.of("type", "TEXT", "textAsset", Map.of("text", "Fast delivery")))));

        String campaign = "customers/" + CID + "/campaigns/" + made(post("/googleAds:mutate", budgetAndCampaign("Calls")), 1,
                "campaignResult");
        Answer group = post("/adGroups:mutate", Map.of("operations", List.of(Map.of("create",
                Map.of("name", "Calls", "campaign", campaign)))));
        String adGroup = (String) ((Map<?, ?>) ((List<?>) group.json().get("results")).getFirst()).get("resourceName");
        Map<String, Object> call = new HashMap<>(Map.of("countryCode", "US", "phoneNumber", "+1 800-555-0100",
                "businessName", "Example", "description1", "Open 24/7", "description2", "Call now"));
        assertThat(adIn(adGroup, Map.of("finalUrls", List.of("https://www.example.com/"), "callAd", call)).status()).isEqualTo(200);
        assertThat(adIn(adGroup, Map.of("callAd", with(call, "phoneNumberVerificationUrl", "https://www.example.com/call")))
                .status()).isEqualTo(200);
        assertThat(adIn(adGroup, Map.of("callAd", call)).error())
                .isEqualTo("adError:CALL_AD_FINAL_URL_AND_VERIFICATION_URL_CANNOT_BOTH_BE_EMPTY");
        Map<String, Object> noBusiness = new HashMap<>(call);
        noBusiness.remove("businessName");
        assertThat(adIn(adGroup, Map.of("finalUrls", List.of("https://www.example.com/"), "callAd", noBusiness)).error())
                .isEqualTo("adError:MISSING_BUSINESS_NAME");
        assertThat(adIn(adGroup, Map.of("finalUrls", List.of("https://www.example.com/"), "callAd",
                with(call, "phoneNumber", "call me"))).error()).isEqualTo("adError:INVALID_PHONE_NUMBER_FORMAT");
        assertThat(adIn(adGroup, Map.of("finalUrls", List.of("https://www.example.com/"), "imageAd", Map.of())).error())
                .isEqualTo("adError:INVALID_AD_TYPE");
        assertThat(adIn(adGroup, Map.of("finalUrls", List.of("https://www.example.com/"))).error()).isEqualTo("adError:INVALID_AD_TYPE");
        assertThat(adIn(adGroup, Map.of("finalUrls", List.of("https://www.example.com/"), "expandedTextAd", Map.of())).error())
                .isEqualTo("adGroupAdError:CANNOT_CREATE_DEPRECATED_ADS");
        assertThat(adIn(adGroup, Map.of("finalUrls", List.of("https://www.example.com/"), "textAd", Map.of())).error())
                .isEqualTo("adGroupAdError:CANNOT_CREATE_TEXT_ADS");
        assertThat(sim.adCount(CID)).isEqualTo(2);
        Answer ads = post("/googleAds:search", Map.of("query", "SELECT ad_group_ad.ad.type FROM ad_group_ad"));
        assertThat(ads.json().get("results")).isEqualTo(List.of(
                Map.of("adGroupAd", Map.of("ad", Map.of("type", "CALL_AD"))),
                Map.of("adGroupAd", Map.of("ad", Map.of("type", "CALL_AD")))));
    }
}
