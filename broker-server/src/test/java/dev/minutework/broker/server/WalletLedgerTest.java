package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minutework.broker.server.receipts.Receipts;
import dev.minutework.broker.server.spend.SpendLedger;
import dev.minutework.broker.server.support.BrokerTestCase;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Ledger;
import dev.minutework.broker.server.support.Story;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * The TenantWallet: available = balance − reserved, metered debits consume only available credits,
 * and the spend ledger settles reported spend from reserved to debited exactly once, each decision
 * with its spend policy receipt.
 */
class WalletLedgerTest extends BrokerTestCase {


    // ------------------------------------------------------------------ wallet

    @Test
    void walletShowsBalanceReservedAndAvailableToEveryRole() {
        Story.Tenant t = story.tenant("Wallet View", Story.Setup.ready());
        for (String key : List.of(t.runtimeKey(), t.approverKey(), t.viewerKey())) {
            JsonNode w = expect(200, http.get("/v1/wallet", key)).json();
            assertThat(w.get("tenant_id").asString()).isEqualTo(t.id());
            assertThat(w.get("currency").asString()).isEqualTo("USD");
            assertThat(w.get("balance_minor").asLong()).isEqualTo(80_000);
            assertThat(w.get("reserved_minor").asLong()).isZero();
            assertThat(w.get("available_minor").asLong()).isEqualTo(80_000);
        }

        story.createApproved(t, "wallet-1", Story.campaign("Wallet boots", 50_000));

        JsonNode w = story.wallet(t);
        assertThat(w.get("balance_minor").asLong()).isEqualTo(80_000);
        assertThat(w.get("reserved_minor").asLong()).isEqualTo(50_000);
        assertThat(w.get("available_minor").asLong()).isEqualTo(30_000);
        assertThat(expect(401, http.get("/v1/wallet", "mwb_not_a_key")).errorCode()).isEqualTo("unauthenticated");
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void meteredDebitsConsumeOnlyAvailableCredits() {
        Story.Tenant t = story.tenant("Debits", Story.Setup.ready());
        story.createApproved(t, "debit-0", Story.campaign("Reserved boots", 50_000));

        Http.Response tooMuch = expect(402, debit(t.runtimeKey(), 30_001, "meter-1"));
        assertThat(tooMuch.errorCode()).isEqualTo("insufficient_credits");
        assertThat(tooMuch.at("/error/details/available_minor").asLong()).isEqualTo(30_000);

        Http.Response ok = expect(201, debit(t.runtimeKey(), 30_000, "meter-2"));
        assertThat(ok.text("/kind")).isEqualTo("debit");
        assertThat(ok.at("/replayed").asBoolean()).isFalse();
        assertThat(ok.at("/wallet/balance_minor").asLong()).isEqualTo(50_000);
        assertThat(ok.at("/wallet/reserved_minor").asLong()).isEqualTo(50_000);
        assertThat(ok.at("/wallet/available_minor").asLong()).isZero();

        assertThat(expect(402, debit(t.runtimeKey(), 1, "meter-3")).errorCode()).isEqualTo("insufficient_credits");
        Http.Response replay = expect(200, debit(t.runtimeKey(), 30_000, "meter-2"));
        assertThat(replay.at("/replayed").asBoolean()).isTrue();
        assertThat(replay.text("/entry_id")).isEqualTo(ok.text("/entry_id"));
        assertThat(expect(409, debit(t.runtimeKey(), 20_000, "meter-2")).errorCode()).isEqualTo("conflict");
        assertThat(expect(403, debit(t.viewerKey(), 1, "meter-4")).errorCode()).isEqualTo("forbidden_role");

        JsonNode w = story.wallet(t);
        assertThat(w.get("balance_minor").asLong()).isEqualTo(50_000);
        assertThat(w.get("reserved_minor").asLong()).as("the reservation is untouched").isEqualTo(50_000);
        assertThat(story.receiptPayloads(t, "wallet.debited")).singleElement()
                .satisfies(p -> assertThat(p.get("amount_minor").asLong()).isEqualTo(30_000));
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void concurrentDebitsNeverTouchReservedCredits() throws Exception {
        Story.Tenant t = story.tenant("Racing Debits", Story.Setup.ready());
        story.createApproved(t, "debit-race-0", Story.campaign("Reserved boots", 50_000));

        List<Http.Response> answers = concurrently(10, i -> () -> debit(t.runtimeKey(), 5_000, "race-" + i));

        assertThat(answers).filteredOn(r -> r.status() == 201).hasSize(6);
        assertThat(answers).filteredOn(r -> r.status() != 201)
                .allSatisfy(r -> assertThat(r.errorCode()).as("%s", r).isEqualTo("insufficient_credits"));
        JsonNode w = story.wallet(t);
        assertThat(w.get("balance_minor").asLong()).isEqualTo(50_000);
        assertThat(w.get("reserved_minor").asLong()).isEqualTo(50_000);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void debitsAndReservationsRacingOnOneWalletNeitherDeadlockNorOvershoot() throws Exception {
        Story.Tenant t = story.tenant("Debits And Reservations", Story.Setup.ready().cap(1_000_000).wallet(100_000));
        expect(201, story.standingGrant(t, List.of("ads.create_campaign"), 1_000_000,
                Instant.now().plus(7, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString(), null));

        List<Http.Response> answers = concurrently(12, i -> i % 2 == 0
                ? () -> debit(t.runtimeKey(), 10_000, "mixed-" + i)
                : () -> story.execute(t.runtimeKey(), "ads.create_campaign", "mixed-" + i,
                        Story.campaign("Mixed " + i, 10_000)));

        assertThat(answers).allSatisfy(r -> assertThat(r.status()).as("%s", r).isIn(200, 201, 402));
        assertThat(answers).filteredOn(r -> r.status() == 402)
                .allSatisfy(r -> assertThat(r.errorCode()).isEqualTo("insufficient_credits"));
        long debited = answers.stream().filter(r -> r.status() == 201).count() * 10_000;
        long reserved = answers.stream().filter(r -> r.status() == 200).count() * 10_000;
        assertThat(debited + reserved).isEqualTo(100_000);
        JsonNode w = story.wallet(t);
        assertThat(w.get("balance_minor").asLong()).isEqualTo(100_000 - debited);
        assertThat(w.get("reserved_minor").asLong()).isEqualTo(reserved);
        Ledger.assertConsistent(jdbc, t.id());
    }

    // ------------------------------------------------------------------ settlement

    @Test
    void settlementMovesReportedSpendFromReservedToDebitedAndReleasesTheRestExactlyOnce() {
        Story.Tenant t = story.tenant("Settle", Story.Setup.ready());
        story.createApproved(t, "settle-0", Story.campaign("Settled boots", 50_000));
        String reservation = reservationId(t);

        assertThat(settle(t, reservation, 20_000)).isTrue();

        JsonNode w = story.wallet(t);
        assertThat(w.get("balance_minor").asLong()).isEqualTo(60_000);
        assertThat(w.get("reserved_minor").asLong()).isZero();
        assertThat(w.get("available_minor").asLong()).isEqualTo(60_000);
        Map<String, Object> auth = authorization(t);
        assertThat(auth.get("reserved_minor")).isEqualTo(0L);
        assertThat(auth.get("settled_minor")).isEqualTo(20_000L);
        Map<String, Object> row = jdbc.sql("select status, settled_minor from spend_reservations where id = :id")
                .param("id", reservation).query().singleRow();
        assertThat(row.get("status")).isEqualTo("settled");
        assertThat(row.get("settled_minor")).isEqualTo(20_000L);
        JsonNode receipt = settleReceipt(t);
        assertThat(receipt.get("decision").asString()).isEqualTo("settle");
        assertThat(receipt.get("reservation_id").asString()).isEqualTo(reservation);
        assertThat(receipt.get("amount_minor").asLong()).isEqualTo(50_000);
        assertThat(receipt.get("settled_minor").asLong()).isEqualTo(20_000);
        assertThat(receipt.get("released_minor").asLong()).isEqualTo(30_000);
        assertThat(receipt.get("wallet_balance_before").asLong()).isEqualTo(80_000);
        assertThat(receipt.get("wallet_balance_after").asLong()).isEqualTo(60_000);
        assertThat(receipt.get("wallet_reserved_before").asLong()).isEqualTo(50_000);
        assertThat(receipt.get("wallet_reserved_after").asLong()).isZero();
        assertThat(story.receiptPayloads(t, "spend.settled")).singleElement()
                .satisfies(p -> assertThat(p.get("settled_minor").asLong()).isEqualTo(20_000));

        // exactly once: a second settlement or a late release changes nothing
        assertThat(settle(t, reservation, 20_000)).isFalse();
        assertThat(release(t, reservation)).isFalse();
        assertThatThrownBy(() -> settle(t, reservation, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(story.wallet(t).get("balance_minor").asLong()).isEqualTo(60_000);
        assertThat(authorization(t).get("settled_minor")).isEqualTo(20_000L);
        assertThat(jdbc.sql("select kind from spend_policy_receipts where tenant_id = :t order by seq").param("t", t.id())
                .query(String.class).list()).containsExactly("reserve", "settle");
        assertThat(jdbc.sql("select amount_minor from wallet_entries where tenant_id = :t and kind = 'settlement'")
                .param("t", t.id()).query(Long.class).list()).containsExactly(20_000L);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void settlementNeverDebitsMoreThanWasReserved() {
        Story.Tenant t = story.tenant("Overreported", Story.Setup.ready());
        story.createApproved(t, "settle-1", Story.campaign("Overdelivered boots", 50_000));

        assertThat(settle(t, reservationId(t), 70_000)).isTrue();

        JsonNode w = story.wallet(t);
        assertThat(w.get("balance_minor").asLong()).isEqualTo(30_000);
        assertThat(w.get("reserved_minor").asLong()).isZero();
        assertThat(authorization(t).get("settled_minor")).isEqualTo(50_000L);
        JsonNode receipt = settleReceipt(t);
        assertThat(receipt.get("settled_minor").asLong()).isEqualTo(50_000);
        assertThat(receipt.get("released_minor").asLong()).isZero();
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void concurrentSettlementsOfOneReservationSettleItOnce() throws Exception {
        Story.Tenant t = story.tenant("Racing Settle", Story.Setup.ready());
        story.createApproved(t, "settle-2", Story.campaign("Racing boots", 50_000));
        String reservation = reservationId(t);

        CountDownLatch go = new CountDownLatch(1);
        List<Boolean> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<Boolean>> futures = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return settle(t, reservation, 10_000);
                }));
            }
            go.countDown();
            for (Future<Boolean> f : futures) {
                results.add(f.get());
            }
        }

        assertThat(results).containsOnlyOnce(true);
        assertThat(story.wallet(t).get("balance_minor").asLong()).isEqualTo(70_000);
        assertThat(jdbc.sql("select count(*) from spend_policy_receipts where tenant_id = :t and kind = 'settle'")
                .param("t", t.id()).query(Long.class).single()).isEqualTo(1);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void settledSpendKeepsCountingAgainstTheAuthorizationCap() {
        Story.Tenant t = story.tenant("Settled Cap", Story.Setup.ready().cap(60_000));
        story.createApproved(t, "settle-3", Story.campaign("Spent boots", 50_000));
        assertThat(settle(t, reservationId(t), 50_000)).isTrue();

        Http.Response over = expect(402, story.execute(t.runtimeKey(), "ads.create_campaign", "settle-4",
                Story.campaign("Over the rest", 10_001)));
        assertThat(over.errorCode()).isEqualTo("budget_exceeded");
        assertThat(over.at("/error/details/remaining_minor").asLong()).isEqualTo(10_000);
        Http.Response within = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "settle-5",
                Story.campaign("Within the rest", 10_000)));
        assertThat(within.at("/spend_impact/amount_minor").asLong()).isEqualTo(10_000);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void aReservationTheLedgerRefusesChangesNothing() {
        // the HTTP pipeline checks the cap and the credits before reserving, so only a race reaches these
        // refusals of the ledger's single reserve statement: call it directly, as that race would
        Story.Tenant t = story.tenant("Ledger refusals", Story.Setup.ready());
        JsonNode first = story.createApproved(t, "ledger-1", Story.campaign("First", 50_000));
        String execution = first.get("execution_id").asString();
        String authorization = jdbc.sql("select id from spend_authorizations where tenant_id = :t").param("t", t.id())
                .query(String.class).single();
        // cap 100,000 with 50,000 reserved; wallet 80,000 with 50,000 reserved
        assertThat(reserveRolledBack(t, execution, authorization, 50_001)).isEqualTo("budget_exceeded");
        assertThat(reserveRolledBack(t, execution, authorization, 30_001)).isEqualTo("insufficient_credits");
        assertThat(reserveRolledBack(t, execution, authorization, 30_000)).isEqualTo("reserved");
        JsonNode w = story.wallet(t);
        assertThat(w.get("reserved_minor").asLong()).isEqualTo(50_000);
        assertThat(jdbc.sql("select reserved_minor from spend_authorizations where id = :a").param("a", authorization)
                .query(Long.class).single()).isEqualTo(50_000L);
        assertThat(jdbc.sql("select count(*) from spend_reservations where tenant_id = :t").param("t", t.id())
                .query(Long.class).single()).isEqualTo(1L);
        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
        Ledger.assertConsistent(jdbc, t.id());
    }

    /**
     * Reserves in a transaction that always rolls back: the refusal's code, or "reserved". Inside the
     * transaction, right after the reserve statement answered, checks what it changed (read through
     * {@code jdbc}, which joins the transaction): a cap refusal changed nothing; a credits refusal
     * left the wallet and the reservations as they were, though the authorization step had already
     * moved (the caller's rollback undoes it); a success moved both and wrote the reservation row.
     */
    private static String reserveRolledBack(Story.Tenant t, String execution, String authorization, long amount) {
        return broker.bean(TransactionTemplate.class).execute(s -> {
            s.setRollbackOnly();
            broker.bean(Receipts.class).lockChain(t.id());
            Reserved before = reserved(t, authorization);
            try {
                SpendLedger.Reservation r = broker.bean(SpendLedger.class).reserve(t.id(), execution, authorization, null,
                        dev.minutework.broker.core.money.Money.of(amount, "USD"), "test");
                assertThat(jdbc.sql("select amount_minor from spend_reservations where id = :r").param("r", r.id())
                        .query(Long.class).optional()).as("the row, inside its transaction").contains(amount);
                assertThat(reserved(t, authorization)).as("reserved %d: cap, wallet and a new reservation row", amount)
                        .isEqualTo(new Reserved(before.authorization() + amount, before.wallet() + amount,
                                before.reservations() + 1));
                return "reserved";
            } catch (dev.minutework.broker.server.api.ApiException e) {
                Reserved after = reserved(t, authorization);
                switch (e.code().wire()) {
                    // the cap's UPDATE matched no row, so the wallet's and the INSERT (which need it) did nothing
                    case "budget_exceeded" -> assertThat(after).as("the cap refused %d: nothing changed", amount)
                            .isEqualTo(before);
                    // the cap's UPDATE matched and ran; the wallet's UPDATE matched no row, so no INSERT. The
                    // authorization's reserved_minor has moved inside this transaction: the reserve contract
                    // is that the caller's transaction then rolls back, which undoes it (checked at the end)
                    case "insufficient_credits" -> assertThat(after)
                            .as("the credits refused %d: wallet and reservations unchanged, authorization moved", amount)
                            .isEqualTo(new Reserved(before.authorization() + amount, before.wallet(),
                                    before.reservations()));
                    default -> throw e;
                }
                return e.code().wire();
            }
        });
    }

    /** The figures the reserve statement moves, read in the caller's transaction. */
    private record Reserved(long authorization, long wallet, long reservations) {}

    private static Reserved reserved(Story.Tenant t, String authorization) {
        return new Reserved(
                jdbc.sql("select reserved_minor from spend_authorizations where id = :a").param("a", authorization)
                        .query(Long.class).single(),
                jdbc.sql("select reserved_minor from tenant_wallets where tenant_id = :t").param("t", t.id())
                        .query(Long.class).single(),
                jdbc.sql("select count(*) from spend_reservations where tenant_id = :t").param("t", t.id())
                        .query(Long.class).single());
    }

    // ------------------------------------------------------------------ helpers

    private static Http.Response debit(String key, long amount, String reference) {
        return http.post("/v1/wallet/debits", key, Map.of("amount_minor", amount, "reference", reference,
                "description", "metered agent work"));
    }

    /** Settles as a report sync job would: in its own transaction, behind the tenant's receipt chain lock. */
    private static boolean settle(Story.Tenant t, String reservationId, long spentMinor) {
        return Boolean.TRUE.equals(broker.bean(TransactionTemplate.class).execute(s -> {
            broker.bean(Receipts.class).lockChain(t.id());
            return broker.bean(SpendLedger.class).settle(t.id(), reservationId, spentMinor, "report-sync");
        }));
    }

    private static boolean release(Story.Tenant t, String reservationId) {
        return Boolean.TRUE.equals(broker.bean(TransactionTemplate.class).execute(s -> {
            broker.bean(Receipts.class).lockChain(t.id());
            return broker.bean(SpendLedger.class).release(t.id(), reservationId, "test", "report-sync");
        }));
    }

    private static String reservationId(Story.Tenant t) {
        return jdbc.sql("select id from spend_reservations where tenant_id = :t and status = 'held'").param("t", t.id())
                .query(String.class).single();
    }

    private static JsonNode settleReceipt(Story.Tenant t) {
        String payload = jdbc.sql("select payload from spend_policy_receipts where tenant_id = :t and kind = 'settle'")
                .param("t", t.id()).query(String.class).single();
        return Http.JSON.readTree(payload);
    }

    private static Map<String, Object> authorization(Story.Tenant t) {
        return jdbc.sql("select reserved_minor, settled_minor from spend_authorizations where tenant_id = :t")
                .param("t", t.id()).query().singleRow();
    }

    private static List<Http.Response> concurrently(int n, java.util.function.IntFunction<Callable<Http.Response>> task)
            throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Http.Response> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            List<Future<Http.Response>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Callable<Http.Response> c = task.apply(i);
                futures.add(pool.submit(() -> {
                    go.await();
                    return c.call();
                }));
            }
            go.countDown();
            for (Future<Http.Response> f : futures) {
                answers.add(f.get());
            }
        }
        return answers;
    }
}
