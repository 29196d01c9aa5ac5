package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minutework.broker.server.routing.LocalSimulators;
import dev.minutework.broker.server.routing.ProviderRouting;
import dev.minutework.broker.server.execution.Reconciler;
import dev.minutework.broker.server.execution.Executions;
import dev.minutework.broker.server.support.Broker;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Story;
import dev.minutework.broker.sim.Faults;
import dev.minutework.broker.sim.ProviderSimulator;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The janitor never settles a provider call that may still be running: a call ends (or is abandoned
 * as unknown) within its deadline — the adapter's worst case, or {@code BROKER_PROVIDER_CALL_TIMEOUT}
 * — and a {@code BROKER_RECONCILE_STUCK_AFTER} that does not exceed the longest deadline (plus the
 * broker's allowance) keeps the broker from starting.
 */
class ProviderCallDeadlineTest {

    @Test
    void aStuckAfterShorterThanTheSlowestAdaptersWorstCaseKeepsTheBrokerFromStarting() {
        // googleads: three protocol calls of 115 s and an image download of 25 s = 370 s
        assertThatThrownBy(() -> Broker.startWithSimulators("stuck_refused",
                Map.of("broker.reconcile.stuck-after", "PT5M")).close())
                .rootCause().hasMessageContaining("BROKER_RECONCILE_STUCK_AFTER is PT5M")
                .hasMessageContaining("PT6M10S (googleads")
                .hasMessageContaining("longer than PT6M15S");
    }

    @Test
    void aStuckAfterJustLongerThanTheDeadlineAndAllowanceIsAccepted() {
        try (Broker ok = Broker.startWithSimulators("stuck_accepted", Map.of("broker.reconcile.stuck-after", "PT6M16S"))) {
            assertThat(ok.bean(ProviderRouting.class).callDeadlines())
                    .containsEntry("googleads", Duration.ofSeconds(370))
                    .containsEntry("openaiads", Duration.ofSeconds(230))
                    .containsEntry("metaads", Duration.ofSeconds(230))
                    .containsEntry("tiktokads", Duration.ofSeconds(345));
        }
        // a broker whose calls are bounded tighter may settle orphans sooner
        assertThatThrownBy(() -> Broker.startWithSimulators("stuck_tight", Map.of(
                "broker.provider.call-timeout", "PT30S", "broker.reconcile.stuck-after", "PT35S")).close())
                .rootCause().hasMessageContaining("BROKER_RECONCILE_STUCK_AFTER is PT35S");
        try (Broker ok = Broker.startWithSimulators("stuck_tight_ok", Map.of(
                "broker.provider.call-timeout", "PT30S", "broker.reconcile.stuck-after", "PT36S"))) {
            assertThat(ok.bean(ProviderRouting.class).callDeadlines()).containsEntry("googleads", Duration.ofSeconds(30));
        }
        // the sandbox answers in memory: one second bounds its calls
        assertThatThrownBy(() -> Broker.startFresh("stuck_sandbox", Map.of("broker.reconcile.stuck-after", "PT6S")).close())
                .rootCause().hasMessageContaining("PT1S (sandbox");
    }

    @Test
    void aCallStillRunningAtItsDeadlineIsAbandonedAsUnknownAndReconciledLater() {
        try (Broker b = Broker.startWithSimulators("deadline", Map.of("broker.provider.call-timeout", "PT2S",
                "broker.reconcile.stuck-after", "PT10S"))) {
            Http http = b.http();
            Story story = new Story(http);
            Story.Tenant t = story.tenant("Deadline", Story.Setup.ready());
            ProviderSimulator openai = b.bean(LocalSimulators.class).forProvider("openaiads").orElseThrow();
            // the account's live checks pass first (execute trusts them for a while); then the create hangs
            expect(200, http.get("/v1/integration-broker/preflight", t.runtimeKey()));
            openai.faults().hang(Duration.ofSeconds(60)); // the provider acts, then holds its answer back a minute
            openai.faults().next(Faults.Fault.TIMEOUT_AFTER_COMMIT);

            Http.Response asked = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "slow",
                    Story.campaign("Slow", 1_000)));
            long started = System.nanoTime();
            JsonNode done = expect(200, http.post("/v1/approvals/" + asked.text("/approval_id") + "/approve",
                    t.approverKey(), null)).at("/execution");
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(took).as("the call was abandoned at its deadline, not after the 30 s request timeout")
                    .isLessThan(Duration.ofSeconds(10));
            assertThat(done.at("/status").asString()).isEqualTo("outcome_unknown");
            assertThat(done.at("/error/message").asString()).contains("deadline");
            assertThat(story.wallet(t).get("reserved_minor").asLong()).isEqualTo(1_000);

            // the provider made it: reconciliation finds it by reference
            Executions.Execution e = b.bean(Executions.class).find(t.id(), done.at("/execution_id").asString()).orElseThrow();
            assertThat(b.bean(Reconciler.class).reconcile("test", e)).isEqualTo("succeeded");
            assertThat(story.wallet(t).get("reserved_minor").asLong()).isEqualTo(1_000);
            assertThat(expect(200, http.get("/v1/ads/campaigns", t.viewerKey())).at("/campaigns")).hasSize(1);
        }
    }
}
