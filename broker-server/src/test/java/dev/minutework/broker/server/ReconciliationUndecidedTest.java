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
import org.junit.jupiter.api.Test;

/**
 * Invariant 7 when reconciliation cannot ask the provider (here: the connection was revoked): the
 * execution stays {@code outcome_unknown} with its reservation held, and an execution whose process
 * died mid-call ({@code executing}) becomes {@code outcome_unknown} with the receipt that says so.
 */
class ReconciliationUndecidedTest extends BrokerTestCase {

    @Test
    void anUndecidableExecutionStaysUnknownAndAStuckOneIsReceiptedAsUnknown() {
        Story.Tenant t = story.tenant("Undecided", Story.Setup.ready());
        Http.Response asked = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "undecided",
                Story.campaign("Maybe", 3_000)));
        broker.sandbox().faults(t.providerAccountId()).next(SandboxFaults.Fault.LOSE_REQUEST);
        expect(200, http.post("/v1/approvals/" + asked.text("/approval_id") + "/approve", t.approverKey(), null));
        expect(200, http.post("/v1/tenants/" + t.id() + "/connections/" + t.connectionId() + "/revoke", Story.OP, null));
        Executions executions = broker.bean(Executions.class);
        Reconciler pipeline = broker.bean(Reconciler.class);
        String id = asked.text("/execution_id");

        assertThat(pipeline.reconcile("test", executions.find(t.id(), id).orElseThrow())).isEqualTo("outcome_unknown");
        assertThat(unknownReceipts(t)).as("nothing new was learned: no new receipt").isEqualTo(1);

        // the process that made the call died before recording anything: the row still says executing
        jdbc.sql("update executions set status = 'executing' where tenant_id = :t and id = :id")
                .param("t", t.id()).param("id", id).update();
        assertThat(pipeline.reconcile("test", executions.find(t.id(), id).orElseThrow())).isEqualTo("outcome_unknown");

        assertThat(executions.find(t.id(), id).orElseThrow().status()).isEqualTo("outcome_unknown");
        assertThat(unknownReceipts(t)).as("the stuck call is now receipted as unknown").isEqualTo(2);
        assertThat(story.wallet(t).get("reserved_minor").asLong()).as("held until the outcome is known").isEqualTo(3_000);
        Ledger.assertConsistent(jdbc, t.id());
    }

    private static long unknownReceipts(Story.Tenant t) {
        return story.receiptKinds(t).stream().filter("execution.outcome_unknown"::equals).count();
    }
}
