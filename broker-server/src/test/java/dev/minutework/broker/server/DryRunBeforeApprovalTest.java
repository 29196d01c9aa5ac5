package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.routing.LocalSimulators;
import dev.minutework.broker.server.support.Broker;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Story;
import dev.minutework.broker.sim.ProviderSimulator;
import dev.minutework.broker.sim.SimRequest;
import dev.minutework.broker.sim.metaads.MetaAdsSimulator;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Where the provider can check a request without carrying it out (Google's {@code validateOnly},
 * Meta's {@code validate_only}), the broker asks it before an approver is asked: what the provider
 * would refuse is answered {@code 422 provider_would_reject} and never reaches an approver; what it
 * would take goes on, its verdict kept in the accepted receipt.
 */
class DryRunBeforeApprovalTest {

    static Broker broker;
    static Http http;
    static Story story;

    @BeforeAll
    static void start() {
        broker = Broker.startWithSimulators("dry_run");
        http = broker.http();
        story = new Story(http);
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static int pending(Story.Tenant t) {
        return expect(200, http.get("/v1/approvals?status=pending", t.viewerKey())).at("/approvals").size();
    }

    @Test
    void googleRefusesACampaignStartingInThePastBeforeAnyApproverIsAsked() {
        Story.Tenant t = story.tenant("Dry run Google", Story.Setup.ready().provider("googleads"));
        ProviderSimulator sim = broker.bean(LocalSimulators.class).forProvider("googleads").orElseThrow();
        String end = Instant.now().plus(20, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        String yesterday = Instant.now().minus(2, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        int before = sim.requests().size();

        Http.Response r = expect(422, story.execute(t.runtimeKey(), "googleads", "ads.create_campaign", "past",
                Map.of("name", "Back in time", "status", "active", "start_time", yesterday, "end_time", end,
                        "budget", Map.of("amount_minor", 20_000, "currency", "USD", "period", "lifetime"))));

        assertThat(r.errorCode()).isEqualTo("provider_would_reject");
        assertThat(r.at("/error/details/provider").asString()).isEqualTo("googleads");
        assertThat(r.at("/error/details/kind").asString()).isEqualTo("invalid_request");
        assertThat(r.at("/error/details/provider_code").asString()).contains("CANNOT_SET_DATE_TO_PAST");
        assertThat(r.text("/error/message")).contains("no approval was requested");
        assertThat(pending(t)).as("no approver is asked").isZero();
        // the provider was asked, and only to check: every write carried validateOnly
        List<SimRequest> sent = sim.requests().subList(before, sim.requests().size());
        assertThat(sent).filteredOn(q -> q.path().contains(":mutate")).isNotEmpty()
                .allSatisfy(q -> assertThat(q.body()).contains("\"validateOnly\":true"));
        assertThat(story.receiptPayloads(t, "execution.refused")).singleElement().satisfies(p -> {
            assertThat(p.get("code").asString()).isEqualTo("provider_would_reject");
            assertThat(p.get("dry_run").asString()).isEqualTo("rejected");
        });
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isZero();

        // fixed, the same request goes to an approver, and the receipt says the provider checked it
        Http.Response fixed = expect(202, story.execute(t.runtimeKey(), "googleads", "ads.create_campaign", "future",
                Map.of("name", "On time", "status", "active", "end_time", end,
                        "budget", Map.of("amount_minor", 20_000, "currency", "USD", "period", "lifetime"))));
        assertThat(fixed.text("/status")).isEqualTo("awaiting_approval");
        assertThat(story.receiptPayloads(t, "execution.accepted")).singleElement()
                .satisfies(p -> assertThat(p.get("dry_run").asString()).isEqualTo("passed"));
        assertThat(expect(200, http.post("/v1/approvals/" + fixed.text("/approval_id") + "/approve",
                t.approverKey(), null)).text("/execution/status")).isEqualTo("succeeded");
    }

    @Test
    void metaRefusesWhatItWouldNotTakeBeforeAnyApproverIsAsked() {
        Story.Tenant t = story.tenant("Dry run Meta", Story.Setup.ready().provider("metaads"));
        MetaAdsSimulator sim = (MetaAdsSimulator) broker.bean(LocalSimulators.class).forProvider("metaads")
                .orElseThrow();
        String end = Instant.now().plus(20, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        // the live checks run now (and are remembered), so the next call is the dry run's
        assertThat(expect(200, http.get("/v1/integration-broker/preflight?provider=metaads", t.runtimeKey()))
                .at("/ready").asBoolean()).isTrue();
        int before = sim.requests().size();
        // Meta's answer to the next call: an invalid parameter
        sim.answerNext(400, "{\"error\":{\"message\":\"(#100) Invalid parameter\",\"type\":\"OAuthException\","
                + "\"code\":100,\"error_subcode\":1885183,\"fbtrace_id\":\"AbCdEf\"}}");

        Http.Response r = expect(422, story.execute(t.runtimeKey(), "metaads", "ads.create_campaign", "bad",
                Map.of("name", "Refused", "objective", "traffic", "status", "active", "end_time", end,
                        "budget", Map.of("amount_minor", 20_000, "currency", "USD", "period", "lifetime"))));

        assertThat(r.errorCode()).isEqualTo("provider_would_reject");
        assertThat(r.at("/error/details/provider").asString()).isEqualTo("metaads");
        assertThat(r.raw()).doesNotContain("Invalid parameter").doesNotContain("AbCdEf");
        assertThat(pending(t)).as("no approver is asked").isZero();
        assertThat(sim.requests().subList(before, sim.requests().size())).filteredOn(q -> q.method().equals("POST"))
                .as("only checks were sent: nothing was created").isNotEmpty()
                .allSatisfy(q -> assertThat(q.body()).contains("validate_only"));
    }
}
