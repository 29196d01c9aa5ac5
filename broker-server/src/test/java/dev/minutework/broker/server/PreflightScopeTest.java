package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.routing.LocalSimulators;
import dev.minutework.broker.server.support.Broker;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Story;
import dev.minutework.broker.sim.metaads.MetaAdsSimulator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * Preflight, as a tenant key sees it (the preflight endpoint and the runtime's capability inventory),
 * never shows the platform's provider account scope: no ad account, customer, advertiser, page or
 * business id, in any spelling, whether the provider's checks pass or fail.
 */
class PreflightScopeTest {

    static Broker broker;
    static Http http;
    static Story story;

    @BeforeAll
    static void start() {
        broker = Broker.startWithSimulators("preflight_scope");
        http = broker.http();
        story = new Story(http);
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"openaiads", "googleads", "metaads", "tiktokads"})
    void aTenantsPreflightNamesEveryCheckWithoutThePlatformsAccountScope(String provider) {
        Story.Tenant t = story.tenant("Scope " + provider, Story.Setup.ready().provider(provider));
        JsonNode preflight = expect(200, http.get("/v1/integration-broker/preflight?provider=" + provider,
                t.runtimeKey())).json();
        assertThat(preflight.get("ready").asBoolean()).as("preflight %s", preflight).isTrue();
        assertThat(names(preflight.get("checks"))).contains("account_reachable", "credentials_authenticate");
        assertThat(scopeSpellings(t)).isNotEmpty().allSatisfy(v ->
                assertThat(preflight.toString().toLowerCase(Locale.ROOT)).as("scope value %s", v).doesNotContain(v));
    }

    @Test
    void aFailingAccountCheckSaysSoWithoutTheAccountOrWhatTheProviderSaid() {
        Story.Tenant t = story.tenant("Scope failing", Story.Setup.ready().provider("metaads"));
        List<String> scope = scopeSpellings(t);
        String adAccount = scope.getFirst();
        MetaAdsSimulator meta = (MetaAdsSimulator) broker.bean(LocalSimulators.class).forProvider("metaads").orElseThrow();
        meta.answerNext(200, "{\"id\":\"10000\"}"); // GET /me
        meta.answerNext(400, "{\"error\":{\"message\":\"(#100) Ad account " + adAccount + " (act_" + adAccount
                + ") is disabled\",\"type\":\"OAuthException\",\"code\":100,\"fbtrace_id\":\"x\"}}");
        JsonNode preflight = expect(200, http.get("/v1/integration-broker/preflight?provider=metaads",
                t.runtimeKey())).json();
        assertThat(preflight.get("ready").asBoolean()).isFalse();
        JsonNode account = check(preflight, "account_reachable");
        assertThat(account.get("ok").asBoolean()).isFalse();
        assertThat(account.get("detail").asString()).isEqualTo("the platform's provider account is not reachable or not active");
        assertThat(scope).allSatisfy(v -> assertThat(preflight.toString().toLowerCase(Locale.ROOT)).doesNotContain(v));
        assertThat(preflight.toString()).doesNotContain("disabled");

        // the capability inventory names the same failing check, as scope-free
        meta.answerNext(200, "{\"id\":\"10000\"}");
        meta.answerNext(400, "{\"error\":{\"message\":\"(#100) Ad account act_" + adAccount
                + " is disabled\",\"type\":\"OAuthException\",\"code\":100}}");
        JsonNode inventory = expect(200, http.get("/v1/runtime/capabilities", t.viewerKey())).json();
        assertThat(inventory.toString()).contains("account_reachable").doesNotContain("disabled");
        assertThat(scope).allSatisfy(v -> assertThat(inventory.toString().toLowerCase(Locale.ROOT)).doesNotContain(v));
    }

    /** Every scope value of the tenant's provider account, as stored and in the spellings a provider uses. */
    private static List<String> scopeSpellings(Story.Tenant t) {
        JsonNode scope = expect(200, http.get("/v1/provider-accounts/" + t.providerAccountId(), Story.OP)).at("/scope");
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : scope.properties()) {
            String v = e.getValue().asString().toLowerCase(Locale.ROOT);
            String digits = v.replaceAll("\\D", "");
            out.add(v.startsWith("act_") ? digits : v);
            if (digits.length() == 10) {
                out.add(digits.substring(0, 3) + "-" + digits.substring(3, 6) + "-" + digits.substring(6));
            }
        }
        return out;
    }

    private static List<String> names(JsonNode checks) {
        List<String> out = new ArrayList<>();
        checks.forEach(c -> out.add(c.get("name").asString()));
        return out;
    }

    private static JsonNode check(JsonNode preflight, String name) {
        for (JsonNode c : preflight.get("checks")) {
            if (name.equals(c.get("name").asString())) {
                return c;
            }
        }
        throw new AssertionError("no check " + name + " in " + preflight);
    }
}
