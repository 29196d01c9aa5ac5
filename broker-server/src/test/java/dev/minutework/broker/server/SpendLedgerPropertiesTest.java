package dev.minutework.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.receipts.Receipts;
import dev.minutework.broker.server.spend.SpendLedger;
import dev.minutework.broker.server.support.Broker;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Ledger;
import dev.minutework.broker.server.support.Story;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Random sequences of reserve (campaign creation), release (pause, or the ledger directly), settle,
 * metered debit and credit, run against a real broker and compared step by step with a model:
 * balances are conserved, nothing goes negative, no cap or wallet is exceeded, and a reservation is
 * resolved at most once.
 */
class SpendLedgerPropertiesTest {

    static final long CAP = 100_000;
    static final long START_BALANCE = 60_000;

    static Broker broker;
    static Http http;
    static Story story;
    static JdbcClient jdbc;
    static final AtomicInteger RUN = new AtomicInteger();

    @BeforeContainer
    static void start() {
        broker = Broker.startFresh("ledger_properties");
        http = broker.http();
        story = new Story(http);
        jdbc = broker.bean(JdbcClient.class);
    }

    @AfterContainer
    static void stop() {
        broker.close();
    }

    /** One step of a sequence. */
    sealed interface Op {}

    record Reserve(long amount) implements Op {}

    record Pause(int campaign) implements Op {}

    record Release(int campaign) implements Op {}

    record Settle(int campaign, long spent) implements Op {}

    record Debit(long amount) implements Op {}

    record Credit(long amount) implements Op {}

    @Provide
    Arbitrary<List<Op>> sequences() {
        Arbitrary<Op> op = Arbitraries.oneOf(
                Arbitraries.longs().between(1, 40_000).map(Reserve::new),
                Arbitraries.integers().between(0, 7).map(Pause::new),
                Arbitraries.integers().between(0, 7).map(Release::new),
                Arbitraries.integers().between(0, 7).flatMap(i -> Arbitraries.longs().between(0, 50_000).map(s -> new Settle(i, s))),
                Arbitraries.longs().between(1, 40_000).map(Debit::new),
                Arbitraries.longs().between(1, 30_000).map(Credit::new));
        return op.list().ofMinSize(1).ofMaxSize(14);
    }

    /** What the ledger should hold, by simple arithmetic. */
    static final class Model {
        long balance = START_BALANCE;
        long reserved;
        long settled;
        final List<String> campaigns = new ArrayList<>();
        final List<Long> held = new ArrayList<>(); // per campaign: the held amount, 0 when resolved
    }

    @Property(tries = 30)
    void theLedgerMatchesItsModelAfterEveryStep(@ForAll("sequences") List<Op> ops) {
        int run = RUN.incrementAndGet();
        Story.Tenant t = story.tenant("Properties " + run, Story.Setup.ready().cap(CAP).wallet(START_BALANCE));
        Story.expect(201, story.standingGrant(t, List.of("ads.create_campaign", "ads.pause_campaign"), 1_000_000_000,
                Instant.now().plusSeconds(3600).toString(), null));
        Model m = new Model();
        int step = 0;
        for (Op op : ops) {
            step++;
            String key = run + "-" + step;
            switch (op) {
                case Reserve r -> reserve(t, m, r.amount(), key);
                case Pause p -> pause(t, m, p.campaign(), key);
                case Release r -> release(t, m, r.campaign());
                case Settle s -> settle(t, m, s.campaign(), s.spent());
                case Debit d -> debit(t, m, d.amount(), key);
                case Credit c -> {
                    Story.expect(201, http.post("/v1/tenants/" + t.id() + "/wallet/credits", Story.OP,
                            Map.of("amount_minor", c.amount(), "reference", "credit-" + key)));
                    m.balance += c.amount();
                }
            }
            assertMatches(t, m, op);
        }
        Ledger.assertConsistent(jdbc, t.id());
    }

    private static void reserve(Story.Tenant t, Model m, long amount, String key) {
        Http.Response r = story.execute(t.runtimeKey(), "ads.create_campaign", "c-" + key, Story.campaign("P " + key, amount));
        if (m.reserved + m.settled + amount > CAP) {
            assertThat(r.errorCode()).as("%s", r).isEqualTo("budget_exceeded");
        } else if (m.balance - m.reserved < amount) {
            assertThat(r.errorCode()).as("%s", r).isEqualTo("insufficient_credits");
        } else {
            assertThat(r.text("/status")).as("%s", r).isEqualTo("succeeded");
            m.campaigns.add(r.text("/result/object_id"));
            m.held.add(amount);
            m.reserved += amount;
        }
    }

    private static void pause(Story.Tenant t, Model m, int index, String key) {
        if (index >= m.campaigns.size()) {
            return;
        }
        Http.Response r = story.execute(t.runtimeKey(), "ads.pause_campaign", "p-" + key,
                Map.of("campaign_id", m.campaigns.get(index)));
        assertThat(r.text("/status")).as("%s", r).isEqualTo("succeeded");
        m.reserved -= m.held.get(index);
        m.held.set(index, 0L);
    }

    private static void release(Story.Tenant t, Model m, int index) {
        if (index >= m.campaigns.size()) {
            return;
        }
        String reservation = reservationOf(t, m.campaigns.get(index));
        boolean released = Boolean.TRUE.equals(broker.bean(TransactionTemplate.class).execute(s -> {
            broker.bean(Receipts.class).lockChain(t.id());
            return broker.bean(SpendLedger.class).release(t.id(), reservation, "property_test", "test");
        }));
        assertThat(released).as("released only while held").isEqualTo(m.held.get(index) > 0);
        m.reserved -= m.held.get(index);
        m.held.set(index, 0L);
    }

    private static void settle(Story.Tenant t, Model m, int index, long spent) {
        if (index >= m.campaigns.size()) {
            return;
        }
        String reservation = reservationOf(t, m.campaigns.get(index));
        boolean settled = Boolean.TRUE.equals(broker.bean(TransactionTemplate.class).execute(s -> {
            broker.bean(Receipts.class).lockChain(t.id());
            return broker.bean(SpendLedger.class).settle(t.id(), reservation, spent, "test");
        }));
        long held = m.held.get(index);
        assertThat(settled).as("settled only while held").isEqualTo(held > 0);
        if (held > 0) {
            long moved = Math.min(spent, held);
            m.reserved -= held;
            m.settled += moved;
            m.balance -= moved;
            m.held.set(index, 0L);
        }
    }

    private static void debit(Story.Tenant t, Model m, long amount, String key) {
        Http.Response r = http.post("/v1/wallet/debits", t.runtimeKey(), Map.of("amount_minor", amount, "reference", "d-" + key));
        if (m.balance - m.reserved >= amount) {
            assertThat(r.status()).as("%s", r).isEqualTo(201);
            m.balance -= amount;
        } else {
            assertThat(r.errorCode()).as("%s", r).isEqualTo("insufficient_credits");
        }
    }

    private static String reservationOf(Story.Tenant t, String campaignId) {
        return jdbc.sql("select id from spend_reservations where tenant_id = :t and campaign_id = :c order by created_at limit 1")
                .param("t", t.id()).param("c", campaignId).query(String.class).single();
    }

    private static void assertMatches(Story.Tenant t, Model m, Op op) {
        var wallet = story.wallet(t);
        assertThat(wallet.get("balance_minor").asLong()).as("balance after %s", op).isEqualTo(m.balance);
        assertThat(wallet.get("reserved_minor").asLong()).as("reserved after %s", op).isEqualTo(m.reserved);
        assertThat(wallet.get("available_minor").asLong()).as("available after %s", op)
                .isEqualTo(m.balance - m.reserved).isNotNegative();
        Map<String, Object> auth = jdbc.sql("select reserved_minor, settled_minor from spend_authorizations where tenant_id = :t")
                .param("t", t.id()).query().singleRow();
        assertThat(auth.get("reserved_minor")).as("authorization reserved after %s", op).isEqualTo(m.reserved);
        assertThat(auth.get("settled_minor")).as("authorization settled after %s", op).isEqualTo(m.settled);
        assertThat(m.reserved + m.settled).isLessThanOrEqualTo(CAP);
    }
}
