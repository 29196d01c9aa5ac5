package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.providers.sandbox.SandboxFaults;
import dev.minutework.broker.server.execution.Reconciler;
import dev.minutework.broker.server.execution.Executions;
import dev.minutework.broker.server.support.BrokerTestCase;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Ledger;
import dev.minutework.broker.server.support.Story;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Invariant 7: an unknown outcome is settled by asking the provider with the broker reference,
 * never by repeating the call; its reservation stays held until then.
 */
class ReconciliationTest extends BrokerTestCase {


    private Executions.Execution unknownCampaign(Story.Tenant t, SandboxFaults.Fault fault, String key) {
        Http.Response asked = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", key,
                Story.campaign("Maybe boots", 20_000)));
        broker.sandbox().faults(t.providerAccountId()).next(fault);
        Http.Response approved = expect(200, http.post("/v1/approvals/" + asked.text("/approval_id") + "/approve",
                t.approverKey(), null));
        assertThat(approved.text("/execution/status")).isEqualTo("outcome_unknown");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).as("held while unknown").isEqualTo(20_000);
        return broker.bean(Executions.class).find(t.id(), asked.text("/execution_id")).orElseThrow();
    }

    @Test
    void anAnswerLostAfterTheProviderActedIsSettledAsSucceededWithoutASecondCall() {
        Story.Tenant t = story.tenant("Lost answer", Story.Setup.ready());
        Executions.Execution e = unknownCampaign(t, SandboxFaults.Fault.COMMIT_THEN_LOSE_ANSWER, "lost-answer");

        String status = broker.bean(Reconciler.class).reconcile("test", e);

        assertThat(status).isEqualTo("succeeded");
        assertThat(broker.sandbox().objectCount(t.providerAccountId()))
                .as("one object at the provider: the create was never repeated").isEqualTo(1);
        assertThat(expect(200, http.get("/v1/ads/campaigns", t.viewerKey())).at("/campaigns")).hasSize(1);
        assertThat(story.wallet(t).get("reserved_minor").asLong()).as("the campaign can spend: still reserved")
                .isEqualTo(20_000);
        assertThat(story.receiptKinds(t)).containsSubsequence("execution.outcome_unknown", "execution.reconciled",
                "execution.succeeded");
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void aRequestLostBeforeTheProviderActedIsSettledAsFailedAndReleased() {
        Story.Tenant t = story.tenant("Lost request", Story.Setup.ready());
        Executions.Execution e = unknownCampaign(t, SandboxFaults.Fault.LOSE_REQUEST, "lost-request");

        String status = broker.bean(Reconciler.class).reconcile("test", e);

        assertThat(status).isEqualTo("failed");
        assertThat(broker.sandbox().objectCount(t.providerAccountId())).isZero();
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isZero();
        assertThat(expect(200, http.get("/v1/ads/campaigns", t.viewerKey())).at("/campaigns")).isEmpty();
        assertThat(story.receiptKinds(t)).containsSubsequence("execution.outcome_unknown", "execution.reconciled",
                "spend.released", "execution.failed");
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void twoReconcilersRacingSettleTheExecutionOnce() throws Exception {
        Story.Tenant t = story.tenant("Racing janitors", Story.Setup.ready());
        Executions.Execution e = unknownCampaign(t, SandboxFaults.Fault.COMMIT_THEN_LOSE_ANSWER, "race");
        Reconciler pipeline = broker.bean(Reconciler.class);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            for (int i = 0; i < 4; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    return pipeline.reconcile("janitor", e);
                }));
            }
            go.countDown();
            for (Future<String> f : results) {
                f.get();
            }
        }
        assertThat(story.receiptKinds(t).stream().filter("execution.reconciled"::equals)).hasSize(1);
        assertThat(story.receiptKinds(t).stream().filter("execution.succeeded"::equals)).hasSize(1);
        assertThat(expect(200, http.get("/v1/ads/campaigns", t.viewerKey())).at("/campaigns")).hasSize(1);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void theSweepPicksUpUnknownOutcomesOnceTheyAreOldEnough() {
        Story.Tenant t = story.tenant("Sweep", Story.Setup.ready());
        Executions.Execution e = unknownCampaign(t, SandboxFaults.Fault.COMMIT_THEN_LOSE_ANSWER, "sweep");
        Reconciler reconciler = broker.bean(Reconciler.class);

        reconciler.runOnce();
        assertThat(broker.bean(Executions.class).find(t.id(), e.id()).orElseThrow().status())
                .as("too fresh to reconcile").isEqualTo("outcome_unknown");

        jdbc.sql("update executions set updated_at = updated_at - interval '10 minutes' where tenant_id = :t and id = :id")
                .param("t", t.id()).param("id", e.id()).update();
        Map<String, Integer> swept = reconciler.runOnce();

        assertThat(swept).containsEntry("succeeded", 1);
        assertThat(broker.bean(Executions.class).find(t.id(), e.id()).orElseThrow().status()).isEqualTo("succeeded");
        Ledger.assertConsistent(jdbc, t.id());
    }
}
