package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.support.Broker;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Story;
import dev.minutework.broker.server.support.TestPostgres;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Invariant 1 (no overspend) under concurrency: two broker instances share one PostgreSQL, and 64
 * pre-approved campaign creations race for a cap or a wallet that fits only some of them.
 */
class ConcurrentReservationTest {

    static final int REQUESTS = 64;
    static final long BUDGET = 1_000;

    static Broker first;
    static Broker second;
    static Story story;

    @BeforeAll
    static void start() {
        String db = TestPostgres.newDatabase("concurrency");
        Path data = Broker.tempDir();
        first = Broker.start(db, data);
        second = Broker.start(db, data);
        story = new Story(first.http());
    }

    @AfterAll
    static void stop() {
        second.close();
        first.close();
    }

    @Test
    void reservationsAtTheCapEdgeNeverExceedTheCap() throws Exception {
        long cap = 10 * BUDGET + BUDGET / 2;
        Story.Tenant t = story.tenant("Cap edge", Story.Setup.ready().cap(cap).wallet(1_000_000));
        List<Http.Response> answers = race(t, "cap");

        assertOutcome(t, answers, 10, "budget_exceeded");
        JsonNode auth = expect(200, first.http().get("/v1/tenants/" + t.id() + "/spend-authorizations", Story.OP))
                .at("/spend_authorizations/0");
        assertThat(auth.get("reserved_minor").asLong()).isEqualTo(10 * BUDGET).isLessThanOrEqualTo(cap);
    }

    @Test
    void reservationsAtTheWalletEdgeNeverExceedAvailableCredits() throws Exception {
        long wallet = 7 * BUDGET + BUDGET - 1;
        Story.Tenant t = story.tenant("Wallet edge", Story.Setup.ready().cap(1_000_000).wallet(wallet));
        List<Http.Response> answers = race(t, "wallet");

        assertOutcome(t, answers, 7, "insufficient_credits");
        JsonNode w = story.wallet(t);
        assertThat(w.get("reserved_minor").asLong()).isEqualTo(7 * BUDGET).isLessThanOrEqualTo(wallet);
        assertThat(w.get("available_minor").asLong()).isEqualTo(wallet - 7 * BUDGET);
    }

    /** Issues a standing grant, then 64 creations at once, half through each broker instance. */
    private List<Http.Response> race(Story.Tenant t, String tag) throws Exception {
        // story speaks to the first instance
        expect(201, story.standingGrant(t, List.of("ads.create_campaign"), 100_000_000,
                java.time.Instant.now().plusSeconds(3600).toString(), null));
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Http.Response>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(REQUESTS)) {
            for (int i = 0; i < REQUESTS; i++) {
                Story via = new Story((i % 2 == 0 ? first : second).http());
                String idem = tag + "-" + i;
                futures.add(pool.submit(() -> {
                    go.await();
                    return via.execute(t.runtimeKey(), "ads.create_campaign", idem, Story.campaign("Race " + idem, BUDGET));
                }));
            }
            go.countDown();
            List<Http.Response> answers = new ArrayList<>();
            for (Future<Http.Response> f : futures) {
                answers.add(f.get());
            }
            return answers;
        }
    }

    private void assertOutcome(Story.Tenant t, List<Http.Response> answers, int fits, String refusal) {
        List<Http.Response> succeeded = answers.stream()
                .filter(r -> r.status() == 200 && "succeeded".equals(r.text("/status"))).toList();
        List<Http.Response> refused = answers.stream().filter(r -> r.status() == 402).toList();
        assertThat(succeeded).as("answers: %s", answers).hasSize(fits);
        assertThat(refused).hasSize(REQUESTS - fits);
        assertThat(refused).allSatisfy(r -> assertThat(r.errorCode()).isEqualTo(refusal));

        JdbcClient jdbc = second.bean(JdbcClient.class);
        long held = jdbc.sql("select coalesce(sum(amount_minor), 0) from spend_reservations where tenant_id = :t and status = 'held'")
                .param("t", t.id()).query(Long.class).single();
        long heldCount = jdbc.sql("select count(*) from spend_reservations where tenant_id = :t and status = 'held'")
                .param("t", t.id()).query(Long.class).single();
        assertThat(held).isEqualTo(fits * BUDGET);
        assertThat(heldCount).isEqualTo(fits);
        long walletReserved = jdbc.sql("select reserved_minor from tenant_wallets where tenant_id = :t")
                .param("t", t.id()).query(Long.class).single();
        assertThat(walletReserved).isEqualTo(held);
        long orphans = jdbc.sql("""
                select count(*) from spend_reservations r left join executions e on e.id = r.execution_id
                where r.tenant_id = :t and (e.id is null or e.status <> 'succeeded')
                """).param("t", t.id()).query(Long.class).single();
        assertThat(orphans).as("reservations without a succeeded execution").isZero();
        assertThat(story.receiptKinds(t).stream().filter("execution.succeeded"::equals)).hasSize(fits);
        assertThat(story.receiptKinds(t).stream().filter("execution.refused"::equals)).hasSize(REQUESTS - fits);
        JsonNode verify = story.verify(t);
        assertThat(verify.get("valid").asBoolean()).as("chain after the race: %s", verify).isTrue();
        assertThat(expect(200, first.http().get("/v1/ads/campaigns", t.viewerKey())).at("/campaigns")).hasSize(fits);
    }
}
