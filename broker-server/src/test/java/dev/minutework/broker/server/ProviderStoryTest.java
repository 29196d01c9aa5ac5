package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.routing.LocalSimulators;
import dev.minutework.broker.server.support.Broker;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Story;
import dev.minutework.broker.sim.ProviderSimulator;
import dev.minutework.broker.sim.SimRequest;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * Issue 12's story, end to end per provider, over HTTP through the real pipeline, the real adapter
 * and the provider's simulator: a campaign with each budget kind the provider declares, an ad group
 * with the targeting it declares, a creative of the shape it declares, an ad, a report, an update,
 * a pause and an activation. What the provider does not declare is refused before approval. The
 * inputs are built from the capabilities the runtime's inventory shows, so the declaration an agent
 * reads is the one that is tested.
 */
class ProviderStoryTest {

    static Broker broker;
    static Http http;
    static Story story;

    @BeforeAll
    static void start() {
        broker = Broker.startWithSimulators("provider_story");
        http = broker.http();
        story = new Story(http);
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"openaiads", "googleads", "metaads", "tiktokads"})
    void theNeutralStoryRunsOnEveryProvider(String provider) {
        Story.Tenant t = story.tenant("Story " + provider, Story.Setup.ready().provider(provider).cap(5_000_000)
                .wallet(5_000_000));
        ProviderSimulator sim = broker.bean(LocalSimulators.class).forProvider(provider).orElseThrow();
        JsonNode caps = capabilities(t, provider);
        String end = Instant.now().plus(20, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();

        // a campaign with each budget kind the provider declares; the others are refused before approval
        String objective = caps.get("objectives").get(0).asString();
        String lifetime = null;
        for (String period : List.of("lifetime", "daily")) {
            Map<String, Object> input = Map.of("name", "Winter boots " + period, "objective", objective,
                    "status", "active", "end_time", end, "budget", Map.of("amount_minor", 20_000, "currency", "USD", "period", period));
            if (declared(caps.get("budget_periods"), period)) {
                String id = approve(t, story.execute(t.runtimeKey(), provider, "ads.create_campaign", "c-" + period,
                        input));
                lifetime = "lifetime".equals(period) ? id : lifetime;
            } else {
                refusedBeforeApproval(t, provider, sim, "ads.create_campaign", input, "$.input.budget.period");
            }
        }
        assertThat(lifetime).as("every provider takes lifetime budgets").isNotNull();

        // an ad group with the targeting the provider declares
        String group = approve(t, story.execute(t.runtimeKey(), provider, "ads.create_group", "g",
                Map.of("campaign_id", lifetime, "name", "Boots group", "status", "active",
                        "bid", Map.of("amount_minor", 150, "currency", "USD"), "targeting", targeting(caps))));
        if (!kinds(caps).contains("context_hints")) {
            refusedBeforeApproval(t, provider, sim, "ads.create_group", Map.of("campaign_id", lifetime,
                    "name", "Hinted group", "targeting", Map.of("countries", List.of("US"),
                            "context_hints", List.of("winter boots"))), "$.input.targeting.context_hints");
        }

        // a creative of the shape the provider declares; one headline too many is refused before approval
        JsonNode limits = caps.get("creatives");
        String creative = approve(t, story.execute(t.runtimeKey(), provider, "ads.create_creative", "cr",
                creative(limits, Math.max(1, limits.at("/headlines/min").asInt()))));
        if (limits.at("/headlines/max").asInt() < 15) {
            refusedBeforeApproval(t, provider, sim, "ads.create_creative",
                    creative(limits, limits.at("/headlines/max").asInt() + 1), "$.input.headlines");
        }

        String ad = approve(t, story.execute(t.runtimeKey(), provider, "ads.create_ad", "ad",
                Map.of("group_id", group, "creative_id", creative, "name", "Boots ad", "status", "paused")));
        JsonNode objects = expect(200, http.get("/v1/ads/objects?campaign_id=" + lifetime, t.viewerKey()))
                .at("/objects");
        assertThat(objects.values().stream().map(o -> o.get("object_id").asString()).toList()).contains(group, ad);

        // a report of the campaign's whole life
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        JsonNode report = expect(200, story.execute(t.runtimeKey(), provider, "ads.fetch_report", "report",
                Map.of("campaign_id", lifetime, "since", today.minusDays(29).toString(), "until", today.toString(),
                        "granularity", "total"))).json();
        assertThat(report.get("status").asString()).as("report: %s", report).isEqualTo("succeeded");

        // update (a larger budget), pause, activate
        approve(t, story.execute(t.runtimeKey(), provider, "ads.update_campaign", "raise", Map.of("campaign_id",
                lifetime, "budget", Map.of("amount_minor", 30_000, "currency", "USD", "period", "lifetime"))));
        assertThat(campaign(t, lifetime).at("/budget/amount_minor").asLong()).isEqualTo(30_000);
        long heldBefore = story.wallet(t).get("reserved_minor").asLong();
        approve(t, story.execute(t.runtimeKey(), provider, "ads.pause_campaign", "pause",
                Map.of("campaign_id", lifetime)));
        assertThat(campaign(t, lifetime).get("status").asString()).isEqualTo("paused");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).as("the paused campaign holds nothing")
                .isLessThan(heldBefore);
        approve(t, story.execute(t.runtimeKey(), provider, "ads.update_campaign", "activate",
                Map.of("campaign_id", lifetime, "status", "active")));
        assertThat(campaign(t, lifetime).get("status").asString()).isEqualTo("active");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isEqualTo(heldBefore);

        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
    }

    /** The provider's declared capabilities, as the runtime's inventory shows them to an agent. */
    private static JsonNode capabilities(Story.Tenant t, String provider) {
        JsonNode providers = expect(200, http.get("/v1/runtime/capabilities", t.runtimeKey()))
                .at("/capabilities/0/providers");
        JsonNode p = providers.valueStream().filter(n -> n.get("provider").asString().equals(provider)).findFirst()
                .orElseThrow();
        assertThat(p.get("readiness").asString()).as("%s: %s", provider, p).isEqualTo("live");
        return p.get("capabilities");
    }

    private static boolean declared(JsonNode list, String value) {
        return list.isArray() && list.valueStream().anyMatch(v -> v.asString().equals(value));
    }

    private static List<String> kinds(JsonNode caps) {
        return caps.at("/targeting/kinds").valueStream().map(JsonNode::asString).toList();
    }

    /** Targeting of every kind the provider declares, with values it declares. */
    private static Map<String, Object> targeting(JsonNode caps) {
        JsonNode t = caps.get("targeting");
        Map<String, Object> out = new LinkedHashMap<>();
        if (kinds(caps).contains("countries")) {
            out.put("countries", List.of(pick(t.get("countries"), "US")));
        }
        if (kinds(caps).contains("languages")) {
            out.put("languages", List.of(pick(t.get("languages"), "en")));
        }
        if (kinds(caps).contains("age_min/age_max")) {
            out.put("age_min", t.get("age_min").isArray() ? t.get("age_min").get(1).asInt() : 21);
            out.put("age_max", t.get("age_max").isArray() ? t.get("age_max").get(t.get("age_max").size() - 1).asInt()
                    : 65);
        }
        if (kinds(caps).contains("context_hints")) {
            out.put("context_hints", List.of("winter boots", "hiking"));
        }
        return out;
    }

    /** {@code preferred} when the declaration allows it (or allows any), else its first value. */
    private static String pick(JsonNode declared, String preferred) {
        if (!declared.isArray() || declared(declared, preferred)) {
            return preferred;
        }
        return declared.get(0).asString();
    }

    /** A creative with {@code headlines} headlines and the fewest descriptions the provider takes. */
    private static Map<String, Object> creative(JsonNode limits, int headlines) {
        int descriptions = Math.max(1, limits.at("/descriptions/min").asInt());
        int headlineLength = Math.min(30, limits.at("/headlines/max_length").asInt());
        List<String> h = new ArrayList<>();
        for (int i = 0; i < headlines; i++) {
            h.add(("Warm boots " + (char) ('A' + i) + " for wet winters").substring(0, Math.min(headlineLength, 12)));
        }
        List<String> d = new ArrayList<>();
        for (int i = 0; i < descriptions; i++) {
            d.add("Dry feet all winter, pair " + (i + 1));
        }
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("name", "Boots creative");
        in.put("headlines", h);
        in.put("descriptions", d);
        in.put("image_url", "https://example.com/boots.png");
        in.put("landing_url", "https://example.com/boots");
        if (limits.get("calls_to_action").size() > 0) {
            in.put("call_to_action", limits.get("calls_to_action").get(0).asString());
        }
        return in;
    }

    private static JsonNode campaign(Story.Tenant t, String id) {
        return expect(200, http.get("/v1/ads/campaigns", t.viewerKey())).at("/campaigns").valueStream()
                .filter(c -> c.get("campaign_id").asString().equals(id)).findFirst().orElseThrow();
    }

    /** A request that does not fit the declaration: 400 provider_unsupported, nothing written, nobody asked. */
    private static void refusedBeforeApproval(Story.Tenant t, String provider, ProviderSimulator sim, String action,
            Map<String, Object> input, String path) {
        int pending = expect(200, http.get("/v1/approvals?status=pending", t.viewerKey())).at("/approvals").size();
        int before = sim.requests().size();
        Http.Response r = expect(400, story.execute(t.runtimeKey(), provider, action, "refused-" + path, input));
        assertThat(r.errorCode()).isEqualTo("provider_unsupported");
        assertThat(r.at("/error/details/provider").asString()).isEqualTo(provider);
        assertThat(r.at("/error/details/errors").valueStream().map(e -> e.get("path").asString()).toList())
                .contains(path);
        assertThat(expect(200, http.get("/v1/approvals?status=pending", t.viewerKey())).at("/approvals").size())
                .as("no approver is asked").isEqualTo(pending);
        assertThat(sim.requests().subList(before, sim.requests().size())).map(SimRequest::method)
                .as("nothing is written at the provider").allMatch("GET"::equals);
    }

    /** Approves an execution that awaits approval; asserts it succeeded; answers the object it made or changed. */
    private static String approve(Story.Tenant t, Http.Response asked) {
        expect(202, asked);
        JsonNode done = expect(200, http.post("/v1/approvals/" + asked.text("/approval_id") + "/approve",
                t.approverKey(), null)).at("/execution");
        assertThat(done.get("status").asString()).as("%s: %s", done.get("action").asString(), done)
                .isEqualTo("succeeded");
        return done.at("/result/object_id").asString();
    }
}
