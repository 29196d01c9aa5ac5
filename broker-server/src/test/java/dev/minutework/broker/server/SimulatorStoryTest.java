package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.execution.SpendSettlements;
import dev.minutework.broker.server.routing.LocalSimulators;
import dev.minutework.broker.server.support.Broker;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.LogCapture;
import dev.minutework.broker.server.support.Story;
import dev.minutework.broker.sim.ProviderSimulator;
import dev.minutework.broker.sim.SimRequest;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * The README story end to end with the real adapters: broker → adapter → HTTP → the provider's
 * simulator, for each provider that has one.
 */
class SimulatorStoryTest {

    static Broker broker;
    static Http http;
    static Story story;

    @BeforeAll
    static void start() {
        broker = Broker.startWithSimulators("simulators");
        http = broker.http();
        story = new Story(http);
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void whatTheProviderCannotTakeIsRefusedBeforeAnyApproverIsAsked() {
        // openaiads takes lifetime budgets only: its adapter would refuse a daily one after approval
        Story.Tenant t = story.tenant("Daily on OpenAI", Story.Setup.ready().provider("openaiads"));
        ProviderSimulator sim = broker.bean(LocalSimulators.class).forProvider("openaiads").orElseThrow();
        int before = sim.requests().size();
        Map<String, Object> daily = Map.of("name", "Daily boots", "status", "active",
                "budget", Map.of("amount_minor", 1_000, "currency", "USD", "period", "daily"),
                "end_time", Instant.now().plus(5, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString());

        Http.Response r = expect(400, story.execute(t.runtimeKey(), "openaiads", "ads.create_campaign", "daily",
                daily));

        assertThat(r.errorCode()).isEqualTo("provider_unsupported");
        assertThat(r.at("/error/details/provider").asString()).isEqualTo("openaiads");
        assertThat(r.at("/error/details/errors/0/path").asString()).isEqualTo("$.input.budget.period");
        assertThat(r.at("/error/details/errors/0/message").asString())
                .isEqualTo("openaiads does not take daily budgets (it takes [lifetime])"); // as the README shows
        // and the declaration says so where the README sends a newcomer to look
        JsonNode caps = expect(200, http.get("/v1/integration-broker/preflight?provider=openaiads", t.runtimeKey()))
                .at("/capabilities");
        assertThat(caps.get("budget_periods").valueStream().map(JsonNode::asString).toList())
                .containsExactly("lifetime");
        assertThat(caps.at("/targeting/kinds").valueStream().map(JsonNode::asString).toList())
                .containsExactly("context_hints");
        assertThat(story.receiptPayloads(t, "execution.refused")).singleElement()
                .satisfies(p -> assertThat(p.get("code").asString()).isEqualTo("provider_unsupported"));
        assertThat(expect(200, http.get("/v1/approvals?status=pending", t.viewerKey())).at("/approvals").size())
                .as("no approver is asked").isZero();
        // preflight's live checks may read the account; nothing was written to the provider
        assertThat(sim.requests().subList(before, sim.requests().size())).as("requests after the refusal")
                .allSatisfy(q -> assertThat(q.method()).isEqualTo("GET"));
        // the same campaign with a lifetime budget goes to an approver as usual
        Map<String, Object> lifetime = Map.of("name", "Lifetime boots", "status", "active",
                "budget", Map.of("amount_minor", 1_000, "currency", "USD", "period", "lifetime"));
        assertThat(expect(202, story.execute(t.runtimeKey(), "openaiads", "ads.create_campaign", "lifetime",
                lifetime)).text("/status")).isEqualTo("awaiting_approval");
    }

    @ParameterizedTest
    @ValueSource(strings = {"openaiads", "googleads", "metaads", "tiktokads"})
    void theWalkthroughRunsAgainstTheProvidersSimulator(String provider) {
        Story.Setup setup = Story.Setup.ready().provider(provider);
        Story.Tenant t = story.tenant("Sim " + provider, setup);
        ProviderSimulator sim = broker.bean(LocalSimulators.class).forProvider(provider).orElseThrow();

        JsonNode preflight = expect(200, http.get("/v1/integration-broker/preflight?provider=" + provider, t.runtimeKey())).json();
        assertThat(preflight.get("ready").asBoolean()).as("preflight: %s", preflight).isTrue();
        assertThat(preflight.get("adapter").asString()).isEqualTo(provider);
        assertThat(preflight.get("endpoint").asString()).isEqualTo("simulator");
        assertThat(preflight.get("real_provider").asBoolean()).isFalse();

        String end = Instant.now().plus(20, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        Http.Response asked = expect(202, story.execute(t.runtimeKey(), provider, "ads.create_campaign", "launch",
                Map.of("name", "Winter boots", "status", "active", "end_time", end,
                        "budget", Map.of("amount_minor", 50_000, "currency", "USD", "period", "lifetime"))));
        int before = sim.requests().size();
        JsonNode approved = expect(200, http.post("/v1/approvals/" + asked.text("/approval_id") + "/approve",
                t.approverKey(), null)).at("/execution");
        assertThat(approved.get("status").asString()).as("execution: %s", approved).isEqualTo("succeeded");
        assertThat(sim.requests().size()).as("the simulator received the create").isGreaterThan(before);
        String providerId = approved.at("/result/provider_object_id").asString();
        assertThat(sim.requests()).map(SimRequest::body).anyMatch(b -> b.contains(asked.text("/execution_id")));

        JsonNode campaign = expect(200, http.get("/v1/ads/campaigns", t.viewerKey())).at("/campaigns/0");
        assertThat(campaign.get("provider_object_id").asString()).isEqualTo(providerId);
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isEqualTo(50_000);

        // 6. the agent reads what the campaign did today (a read: it runs at once); 7. spend settles
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        JsonNode daily = expect(200, story.execute(t.runtimeKey(), provider, "ads.fetch_report", "report-day",
                Map.of("campaign_id", campaign.get("campaign_id").asString(), "since", today.toString(),
                        "until", today.toString(), "granularity", "day"))).json();
        assertThat(daily.get("status").asString()).as("report: %s", daily).isEqualTo("succeeded");
        long reported = daily.at("/result/rows").valueStream().mapToLong(r -> r.get("spend_minor").asLong()).sum();
        assertThat(broker.bean(SpendSettlements.class).runOnce()).as("settlement").doesNotContainKey("error");
        JsonNode settledWallet = story.wallet(t);
        assertThat(settledWallet.get("settled_minor").asLong()).as("settled what the provider reported")
                .isEqualTo(reported);
        assertThat(settledWallet.get("reserved_minor").asLong()).isEqualTo(50_000 - reported);
        assertThat(settledWallet.get("balance_minor").asLong()).isEqualTo(80_000 - reported);
        if (provider.equals("openaiads")) {
            assertThat(reported).as("the simulator paces the lifetime budget over the campaign's days").isPositive();
        }

        Http.Response pause = expect(202, story.execute(t.runtimeKey(), provider, "ads.pause_campaign", "pause",
                Map.of("campaign_id", campaign.get("campaign_id").asString())));
        JsonNode paused = expect(200, http.post("/v1/approvals/" + pause.text("/approval_id") + "/approve",
                t.approverKey(), null)).at("/execution");
        assertThat(paused.get("status").asString()).as("pause: %s", paused).isEqualTo("succeeded");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isZero();
        assertThat(story.wallet(t).get("available_minor").asLong()).isEqualTo(80_000 - reported);

        // the last 30 days, today included: the campaign's whole life
        JsonNode report = expect(200, story.execute(t.runtimeKey(), provider, "ads.fetch_report", "report",
                Map.of("campaign_id", campaign.get("campaign_id").asString(), "since", today.minusDays(29).toString(),
                        "until", today.toString(), "granularity", "total"))).json();
        assertThat(report.get("status").asString()).as("report: %s", report).isEqualTo("succeeded");

        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();

        // the adapter used the credentials on the wire, and nothing the broker said or logged carries them
        for (String secret : setup.credentials().values()) {
            assertThat(Http.seenResponses()).noneMatch(r -> r.contains(secret));
            assertThat(LogCapture.lines()).noneMatch(l -> l.contains(secret));
            assertThat(jdbc().sql("select count(*) from broker_receipts where payload like :s")
                    .param("s", "%" + secret + "%").query(Long.class).single()).isZero();
        }
    }

    /**
     * Campaign → ad group → creative → ad through the broker, for the providers whose schema the
     * neutral inputs already fit (issue 12 brings googleads' creatives and openaiads' targeting).
     * TikTok's ad group needs its campaign's schedule, which the broker passes as a reference.
     */
    @ParameterizedTest
    @ValueSource(strings = {"tiktokads", "metaads"})
    void aGroupACreativeAndAnAdAreCreatedThroughTheBroker(String provider) {
        Story.Tenant t = story.tenant("Ads " + provider, Story.Setup.ready().provider(provider));
        String end = Instant.now().plus(20, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        String campaign = approve(t, story.execute(t.runtimeKey(), provider, "ads.create_campaign", "c",
                Map.of("name", "Winter boots", "objective", "traffic", "end_time", end,
                        "budget", Map.of("amount_minor", 50_000, "currency", "USD", "period", "lifetime"))));
        String group = approve(t, story.execute(t.runtimeKey(), provider, "ads.create_group", "g",
                Map.of("campaign_id", campaign, "name", "Boots group", "targeting", Map.of("countries", List.of("US")),
                        "bid", Map.of("amount_minor", 150, "currency", "USD"))));
        String creative = approve(t, story.execute(t.runtimeKey(), provider, "ads.create_creative", "cr",
                Map.of("name", "Boots creative", "headline", "Warm boots", "body", "Dry feet all winter",
                        "image_url", "https://example.com/boots.png", "landing_url", "https://example.com/boots")));
        String ad = approve(t, story.execute(t.runtimeKey(), provider, "ads.create_ad", "ad",
                Map.of("group_id", group, "creative_id", creative, "name", "Boots ad", "status", "paused")));

        JsonNode objects = expect(200, http.get("/v1/ads/objects?campaign_id=" + campaign, t.viewerKey()))
                .at("/objects");
        assertThat(objects.values().stream().map(o -> o.get("object_id").asString()).toList())
                .contains(group, ad);
        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
    }

    /** Approves an execution that awaits approval; asserts it succeeded; answers the object it made. */
    private static String approve(Story.Tenant t, Http.Response asked) {
        expect(202, asked);
        JsonNode done = expect(200, http.post("/v1/approvals/" + asked.text("/approval_id") + "/approve",
                t.approverKey(), null)).at("/execution");
        assertThat(done.get("status").asString()).as("%s: %s", done.get("action").asString(), done)
                .isEqualTo("succeeded");
        return done.at("/result/object_id").asString();
    }

    @org.junit.jupiter.api.Test
    void anExpiredMetaTokenFailsPreflightNamingTheCheck() {
        Story.Setup setup = Story.Setup.ready().provider("metaads");
        Story.Tenant t = story.tenant("Meta expired", setup);
        var sim = (dev.minutework.broker.sim.metaads.MetaAdsSimulator) broker.bean(LocalSimulators.class)
                .forProvider("metaads").orElseThrow();
        assertThat(expect(200, http.get("/v1/integration-broker/preflight?provider=metaads", t.runtimeKey()))
                .at("/ready").asBoolean()).isTrue();

        sim.expire(setup.credentials().get("access_token")); // the provider answers error 190 from now on

        JsonNode preflight = expect(200, http.get("/v1/integration-broker/preflight?provider=metaads", t.runtimeKey())).json();
        assertThat(preflight.get("ready").asBoolean()).isFalse();
        assertThat(preflight.get("checks")).anySatisfy(c -> {
            assertThat(c.get("name").asString()).isEqualTo("credentials_authenticate");
            assertThat(c.get("ok").asBoolean()).isFalse();
        });
        assertThat(preflight.toString()).doesNotContain(setup.credentials().get("access_token"));
    }

    /**
     * Invariant 5 and 7 under a race: while a call is in flight, another completion (here written
     * straight into the row, as another process's janitor would) settles the execution. The late
     * answer's completion must then change nothing — no projection, no second outcome receipt.
     */
    @org.junit.jupiter.api.Test
    void aCompletionArrivingAfterAnotherSettledTheExecutionIsDiscardedWhole() throws Exception {
        Story.Tenant t = story.tenant("Late answer", Story.Setup.ready());
        ProviderSimulator sim = broker.bean(LocalSimulators.class).forProvider("openaiads").orElseThrow();
        Http.Response asked = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "late",
                Story.campaign("Late", 2_000)));
        String id = asked.text("/execution_id");
        sim.faults().latency(java.time.Duration.ofSeconds(2));
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var approving = pool.submit(() ->
                    http.post("/v1/approvals/" + asked.text("/approval_id") + "/approve", t.approverKey(), null));
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
            int settled = 0;
            while (settled == 0 && System.nanoTime() < deadline) {
                settled = jdbc().sql("update executions set status = 'failed' where id = :id and status = 'executing'")
                        .param("id", id).update();
                Thread.sleep(20);
            }
            assertThat(settled).as("the call was in flight when the other completion came").isEqualTo(1);
            expect(200, approving.get());
        } finally {
            sim.faults().latency(java.time.Duration.ZERO);
        }
        assertThat(jdbc().sql("select status from executions where id = :id").param("id", id).query(String.class)
                .single()).as("the first settlement stands").isEqualTo("failed");
        assertThat(jdbc().sql("select count(*) from ads_campaigns where created_by = :id").param("id", id)
                .query(Long.class).single()).as("no projection from the late answer").isZero();
        assertThat(story.receiptKinds(t)).doesNotContain("execution.succeeded");
        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
    }

    private static org.springframework.jdbc.core.simple.JdbcClient jdbc() {
        return broker.bean(org.springframework.jdbc.core.simple.JdbcClient.class);
    }
}
