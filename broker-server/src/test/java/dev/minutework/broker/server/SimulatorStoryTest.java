package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.accounts.LocalSimulators;
import dev.minutework.broker.server.support.Broker;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.LogCapture;
import dev.minutework.broker.server.support.Story;
import dev.minutework.broker.sim.ProviderSimulator;
import dev.minutework.broker.sim.SimRequest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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

        Http.Response pause = expect(202, story.execute(t.runtimeKey(), provider, "ads.pause_campaign", "pause",
                Map.of("campaign_id", campaign.get("campaign_id").asString())));
        JsonNode paused = expect(200, http.post("/v1/approvals/" + pause.text("/approval_id") + "/approve",
                t.approverKey(), null)).at("/execution");
        assertThat(paused.get("status").asString()).as("pause: %s", paused).isEqualTo("succeeded");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isZero();

        JsonNode report = expect(200, story.execute(t.runtimeKey(), provider, "ads.fetch_report", "report",
                Map.of("campaign_id", campaign.get("campaign_id").asString(), "since", "2026-11-01",
                        "until", "2026-11-30", "granularity", "total"))).json();
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

    private static org.springframework.jdbc.core.simple.JdbcClient jdbc() {
        return broker.bean(org.springframework.jdbc.core.simple.JdbcClient.class);
    }
}
