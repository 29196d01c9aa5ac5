package dev.minutework.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.minutework.broker.server.execution.Reconciler;
import dev.minutework.broker.server.execution.Executions;
import dev.minutework.broker.server.support.BrokerTestCase;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Ledger;
import dev.minutework.broker.server.support.Story;
import dev.minutework.broker.server.support.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Fault test: while 60 pre-approved campaign creations run, the database repeatedly kills every
 * connection of the broker (as a failover or a network cut would), so some transactions die before,
 * during or after their COMMIT. Requests may fail; what must hold is that nothing is half-done: after
 * the janitor has settled what the cuts left in flight, reservations, executions, receipts and
 * provider objects agree, and the chain verifies.
 */
class ConnectionLossTest extends BrokerTestCase {

    @Test
    void connectionsCutMidTransactionLeaveNothingHalfDone() throws Exception {
        Story.Tenant t = story.tenant("Connection loss", Story.Setup.ready().cap(10_000_000).wallet(10_000_000));
        Story.expect(201, story.standingGrant(t, List.of("ads.create_campaign"), 10_000_000,
                Instant.now().plusSeconds(3600).toString(), null));
        int cuts = 0;
        List<Http.Response> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
                Connection admin = TestPostgres.superuser(broker.jdbcUrl())) {
            List<Future<Http.Response>> calls = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                String key = "cut-" + i;
                calls.add(pool.submit(() -> story.execute(t.runtimeKey(), "ads.create_campaign", key,
                        Story.campaign("Cut " + key, 1_000))));
            }
            while (calls.stream().anyMatch(f -> !f.isDone())) {
                try (Statement s = admin.createStatement(); ResultSet r = s.executeQuery("""
                        select count(pg_terminate_backend(pid)) from pg_stat_activity
                        where datname = current_database() and pid <> pg_backend_pid()
                        """)) {
                    r.next();
                    cuts += r.getInt(1);
                }
                Thread.sleep(120);
            }
            for (Future<Http.Response> f : calls) {
                answers.add(f.get());
            }
        }
        assertThat(cuts).as("connections cut while the calls ran").isPositive();
        // some calls got through, some met a dead connection
        assertThat(answers).anyMatch(a -> a.status() == 503);
        assertThat(answers).allSatisfy(a -> {
            assertThat(a.status()).as("%s", a).isIn(200, 503);
            if (a.status() == 503) {
                assertThat(a.errorCode()).isEqualTo("service_unavailable");
            }
        });

        // the database is back: the pool drops the connections the cuts killed (as it would on first use)
        broker.bean(HikariDataSource.class).getHikariPoolMXBean().softEvictConnections();

        // the test reads the database on connections of its own, untouched by the cuts
        JdbcClient db = TestPostgres.client(broker.jdbcUrl());

        // settle what the cuts left in flight, as the janitor would after its delay
        Executions executions = broker.bean(Executions.class);
        Reconciler pipeline = broker.bean(Reconciler.class);
        for (Map<String, Object> row : db.sql("select id from executions where tenant_id = :t and status in ('executing', 'outcome_unknown')")
                .param("t", t.id()).query().listOfRows()) {
            pipeline.reconcile("test", executions.find(t.id(), (String) row.get("id")).orElseThrow());
        }

        long succeeded = db.sql("select count(*) from executions where tenant_id = :t and status = 'succeeded'")
                .param("t", t.id()).query(Long.class).single();
        assertThat(broker.sandbox().objectCount(t.providerAccountId()))
                .as("one provider object per succeeded execution, none orphaned").isEqualTo((int) succeeded);
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isEqualTo(succeeded * 1_000);
        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
        Ledger.assertConsistent(db, t.id());
    }
}
