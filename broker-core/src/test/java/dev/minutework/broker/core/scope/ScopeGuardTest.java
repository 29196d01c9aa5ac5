package dev.minutework.broker.core.scope;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScopeGuardTest {

    private static Map<String, Object> object(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static Map<String, Object> realCreateCampaignInput() {
        return object(
                "name", "Spring sale",
                "budget", object("amount_minor", 5000, "currency", "USD", "period", "daily"),
                "status", "active",
                "end_time", "2025-04-01T00:00:00Z");
    }

    @Test
    void aRealCreateCampaignInputIsClean() {
        assertThat(ScopeGuard.forbiddenPaths(realCreateCampaignInput())).isEmpty();
    }

    @Test
    void brokerIdsAndCreativeFieldsAreClean() {
        Map<String, Object> input = object(
                "campaign_id", "cmp_1", "group_id", "grp_1", "creative_id", "crv_1",
                "name", "Ad", "headline", "Big sale", "body", "Now on", "landing_url", "https://example.com/",
                "targeting", object("countries", List.of("US"), "age_min", 18));

        assertThat(ScopeGuard.forbiddenPaths(input)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"name", "campaign_id", "group_id", "creative_id", "headline", "status", "budget",
        "currency", "amount_minor", "end_time", "objective", "since", "granularity"})
    void harmlessKeysAreNotForbidden(String key) {
        assertThat(ScopeGuard.isForbiddenKey(key)).isFalse();
        assertThat(ScopeGuard.forbiddenPaths(object(key, "x"))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"adAccountId", "ad-account-id", "AD_ACCOUNT_ID", "ad_account_id", "customerId",
        "customer_id", "login_customer_id", "LoginCustomerId", "advertiser_id", "business_id", "organization_id",
        "api_key", "apiKey", "accessToken", "access_token", "refresh_token", "client_secret", "developer-token",
        "account_id", "act_id", "page_id", "pixel_id", "password", "Authorization", "base_url"})
    void spellingVariantsOfScopeAndCredentialKeysAreForbidden(String key) {
        assertThat(ScopeGuard.isForbiddenKey(key)).isTrue();
        assertThat(ScopeGuard.forbiddenPaths(object("name", "x", key, "123"))).containsExactly("$." + key);
    }

    @Test
    void findsAForbiddenKeyNestedInObjects() {
        Map<String, Object> input = object("a", object("b", object("customer_id", "123-456-7890")));

        assertThat(ScopeGuard.forbiddenPaths(input)).containsExactly("$.a.b.customer_id");
    }

    @Test
    void reportsTheForbiddenKeyItselfEvenWhenItsValueIsAnObject() {
        Map<String, Object> input = object("a", object("b", "x"), "targeting", object("advertiser", object("id", 7)));

        assertThat(ScopeGuard.forbiddenPaths(input)).containsExactly("$.targeting.advertiser");
    }

    @Test
    void findsForbiddenKeysInsideArraysWithTheirIndex() {
        Map<String, Object> input = object("items", List.of(
                object("name", "first"),
                object("name", "second"),
                object("name", "third", "access_token", "secret-value")));

        assertThat(ScopeGuard.forbiddenPaths(input)).containsExactly("$.items[2].access_token");
    }

    @Test
    void findsForbiddenKeysInNestedArrays() {
        Map<String, Object> input = object("matrix", List.of(List.of(), List.of("x", object("pixel_id", "p"))));

        assertThat(ScopeGuard.forbiddenPaths(input)).containsExactly("$.matrix[1][1].pixel_id");
    }

    @Test
    void listsEveryOffendingPathNotJustTheFirst() {
        Map<String, Object> input = realCreateCampaignInput();
        input.put("adAccountId", "act_1");
        input.put("budget", object("amount_minor", 5000, "currency", "USD", "period", "daily", "customerId", "c"));
        input.put("creds", List.of(object("api_key", "k"), object("ok", 1), object("accessToken", "t")));
        input.put("owner", object("business_id", "b", "organization_id", "o"));

        assertThat(ScopeGuard.forbiddenPaths(input)).containsExactlyInAnyOrder(
                "$.adAccountId",
                "$.budget.customerId",
                "$.creds[0].api_key",
                "$.creds[2].accessToken",
                "$.owner.business_id",
                "$.owner.organization_id");
    }

    @Test
    void aForbiddenKeyInsideAForbiddenKeyIsReportedTwice() {
        Map<String, Object> input = object("credentials", object("access_token", "t"));

        assertThat(ScopeGuard.forbiddenPaths(input))
                .containsExactlyInAnyOrder("$.credentials", "$.credentials.access_token");
    }

    @Test
    void forbiddenWordsAsValuesAreNotKeys() {
        Map<String, Object> input = object("name", "access_token", "tags", List.of("customer_id", "api_key"));

        assertThat(ScopeGuard.forbiddenPaths(input)).isEmpty();
    }

    @Test
    void scalarsAndNullAreClean() {
        assertThat(ScopeGuard.forbiddenPaths(null)).isEmpty();
        assertThat(ScopeGuard.forbiddenPaths("customer_id")).isEmpty();
        assertThat(ScopeGuard.forbiddenPaths(List.of(1, 2))).isEmpty();
    }
}
