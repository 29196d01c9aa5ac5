package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.support.BrokerTestCase;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Ledger;
import dev.minutework.broker.server.support.Story;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Invariant 2: one execution per (tenant, idempotency key), whatever the key order or concurrency. */
class IdempotencyTest extends BrokerTestCase {


    @Test
    void sameKeyAndSamePayloadInAnotherKeyOrderReturnsTheSameExecution() {
        Story.Tenant t = story.tenant("Replay", Story.Setup.ready());
        String first = """
                {"connector":"mw.connector.ads","action":"ads.create_campaign","idempotency_key":"same-1",
                 "input":{"name":"Winter boots","status":"active",
                          "budget":{"amount_minor":20000,"currency":"USD","period":"lifetime"}}}
                """;
        String reordered = """
                {"input":{"budget":{"period":"lifetime","currency":"USD","amount_minor":20000},
                          "status":"active","name":"Winter boots"},
                 "idempotency_key":"same-1","provider":"openaiads","action":"ads.create_campaign",
                 "connector":"mw.connector.ads"}
                """;

        Http.Response asked = expect(202, http.sendRaw("POST", "/v1/integration-broker/execute", t.runtimeKey(), first));
        Http.Response again = expect(202, http.sendRaw("POST", "/v1/integration-broker/execute", t.runtimeKey(), reordered));

        assertThat(again.text("/execution_id")).isEqualTo(asked.text("/execution_id"));
        assertThat(again.text("/approval_id")).isEqualTo(asked.text("/approval_id"));
        assertThat(again.text("/payload_digest")).isEqualTo(asked.text("/payload_digest"));
        assertThat(count("select count(*) from executions where tenant_id = :t", t.id())).isEqualTo(1);
        assertThat(count("select count(*) from approval_grants where tenant_id = :t", t.id())).isEqualTo(1);

        // once approved, the same request answers the finished execution instead of running again
        expect(200, http.post("/v1/approvals/" + asked.text("/approval_id") + "/approve", t.approverKey(), null));
        Http.Response done = expect(200, http.sendRaw("POST", "/v1/integration-broker/execute", t.runtimeKey(), reordered));
        assertThat(done.text("/execution_id")).isEqualTo(asked.text("/execution_id"));
        assertThat(done.text("/status")).isEqualTo("succeeded");
        assertThat(count("select count(*) from ads_campaigns where tenant_id = :t", t.id())).isEqualTo(1);
        assertThat(broker.sandbox()
                .objectCount(t.providerAccountId())).isEqualTo(1);
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isEqualTo(20_000);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void sameKeyWithADifferentPayloadIsAnIdempotencyConflict() {
        Story.Tenant t = story.tenant("Conflict", Story.Setup.ready());
        Http.Response asked = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "same-2",
                Story.campaign("Winter boots", 20_000)));

        Http.Response conflict = expect(422, story.execute(t.runtimeKey(), "ads.create_campaign", "same-2",
                Story.campaign("Winter boots", 20_001)));

        assertThat(conflict.errorCode()).isEqualTo("idempotency_conflict");
        assertThat(conflict.text("/error/details/execution_id")).isEqualTo(asked.text("/execution_id"));
        Http.Response otherProvider = expect(422, story.execute(t.runtimeKey(), "metaads", "ads.create_campaign", "same-2",
                Story.campaign("Winter boots", 20_000)));
        assertThat(otherProvider.errorCode()).isEqualTo("idempotency_conflict");
        Http.Response otherAction = expect(422, story.execute(t.runtimeKey(), "ads.fetch_report", "same-2",
                Map.of("since", "2026-11-01", "until", "2026-11-02", "granularity", "day")));
        assertThat(otherAction.errorCode()).isEqualTo("idempotency_conflict");

        Http.Response original = expect(200, http.get("/v1/executions/" + asked.text("/execution_id"), t.viewerKey()));
        assertThat(original.text("/status")).isEqualTo("awaiting_approval");
        assertThat(original.text("/payload_digest")).isEqualTo(asked.text("/payload_digest"));
        assertThat(original.at("/spend_impact/amount_minor").asLong()).isEqualTo(20_000);
        assertThat(count("select count(*) from executions where tenant_id = :t", t.id())).isEqualTo(1);
        assertThat(count("select count(*) from approval_grants where tenant_id = :t", t.id())).isEqualTo(1);
        assertThat(story.receiptPayloads(t, "execution.refused")).extracting(p -> p.get("code").asString())
                .containsExactly("idempotency_conflict", "idempotency_conflict", "idempotency_conflict");
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void idempotencyKeysBelongToOneTenant() {
        Story.Tenant a = story.tenant("Key Owner A", Story.Setup.ready());
        Story.Tenant b = story.tenant("Key Owner B", Story.Setup.ready());

        Http.Response byA = expect(202, story.execute(a.runtimeKey(), "ads.create_campaign", "shared-key",
                Story.campaign("Tenant A boots", 10_000)));
        Http.Response byB = expect(202, story.execute(b.runtimeKey(), "ads.create_campaign", "shared-key",
                Story.campaign("Tenant B boots", 20_000)));

        assertThat(byB.text("/execution_id")).isNotEqualTo(byA.text("/execution_id"));
        assertThat(byB.at("/spend_impact/amount_minor").asLong()).isEqualTo(20_000);
        assertThat(count("select count(*) from executions where tenant_id = :t", a.id())).isEqualTo(1);
        assertThat(count("select count(*) from executions where tenant_id = :t", b.id())).isEqualTo(1);
        Ledger.assertConsistent(jdbc, a.id());
        Ledger.assertConsistent(jdbc, b.id());
    }

    @Test
    void concurrentRequestsWithOneKeyMakeOneExecution() throws Exception {
        Story.Tenant t = story.tenant("Concurrent Replay", Story.Setup.ready());
        Callable<Http.Response> ask = () -> story.execute(t.runtimeKey(), "ads.create_campaign", "same-3",
                Story.campaign("Racing boots", 10_000));
        List<Http.Response> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(6)) {
            List<Future<Http.Response>> futures = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                futures.add(pool.submit(ask));
            }
            for (Future<Http.Response> f : futures) {
                answers.add(f.get());
            }
        }

        assertThat(answers).allSatisfy(r -> assertThat(r.status()).as("%s", r).isEqualTo(202));
        assertThat(answers).extracting(r -> r.text("/execution_id")).containsOnly(answers.getFirst().text("/execution_id"));
        assertThat(answers).extracting(r -> r.text("/approval_id")).containsOnly(answers.getFirst().text("/approval_id"));
        assertThat(count("select count(*) from executions where tenant_id = :t", t.id())).isEqualTo(1);
        assertThat(count("select count(*) from approval_grants where tenant_id = :t", t.id())).isEqualTo(1);
        assertThat(count("select count(*) from broker_receipts where tenant_id = :t and kind = 'execution.accepted'", t.id()))
                .isEqualTo(1);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void aRefusedRequestLeavesItsKeyFreeForACorrectedRetry() {
        Story.Tenant t = story.tenant("Retry", Story.Setup.ready().wallet(5_000));

        Http.Response refused = expect(402, story.execute(t.runtimeKey(), "ads.create_campaign", "same-4",
                Story.campaign("Too dear", 9_000)));
        assertThat(refused.errorCode()).isEqualTo("insufficient_credits");
        Http.Response retried = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "same-4",
                Story.campaign("Affordable", 4_000)));

        assertThat(retried.text("/status")).isEqualTo("awaiting_approval");
        assertThat(count("select count(*) from executions where tenant_id = :t", t.id())).isEqualTo(1);
        Ledger.assertConsistent(jdbc, t.id());
    }

    private static long count(String sql, String tenantId) {
        return jdbc.sql(sql).param("t", tenantId).query(Long.class).single();
    }
}
