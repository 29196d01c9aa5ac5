package dev.minutework.broker.server.spend;

import dev.minutework.broker.core.money.Money;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.api.Ids;
import dev.minutework.broker.server.persistence.Reads;
import dev.minutework.broker.server.receipts.Chains;
import dev.minutework.broker.server.receipts.Receipts;
import java.time.Clock;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reserve, release and settle — reserve and release once per reservation, settle in parts as spend
 * is reported ({@link #consume}) and at the end — each with an
 * AdsSpendPolicyReceipt (amounts before and after) and a BrokerReceipt, all in the caller's
 * transaction. Reservation is two conditional UPDATEs (authorization cap, wallet available
 * credits), sent with the reservation's INSERT as one statement: under any concurrency, a
 * reservation that would overspend matches no row.
 */
@Component
public class SpendLedger {

    /**
     * One round trip: the authorization's cap, then (only if that held) the wallet's available
     * credits, then (only if both held) the reservation row. No row answered: the cap refused;
     * a row without wallet figures: the credits refused. This is the enforcement of broker-core's
     * {@code SpendImpact} ({@code budget_exceeded}, {@code insufficient_credits}) under any
     * concurrency; {@code GuardsAgreeWithCoreTest} drives both with the same figures.
     */
    private static final String RESERVE = """
            with auth as (
                update spend_authorizations set reserved_minor = reserved_minor + :amount
                where tenant_id = :tenant and id = :auth and status = 'active'
                  and reserved_minor + settled_minor + :amount <= cap_minor
                returning reserved_minor, settled_minor
            ), wallet as (
                update tenant_wallets set reserved_minor = reserved_minor + :amount, updated_at = :now
                where tenant_id = :tenant and currency = :currency and balance_minor - reserved_minor >= :amount
                  and exists (select 1 from auth)
                returning balance_minor, reserved_minor
            ), reservation as (
                insert into spend_reservations (id, tenant_id, execution_id, authorization_id, campaign_id, currency,
                                                amount_minor, status, created_at)
                select :id, :tenant, :execution, :auth, cast(:campaign as text), :currency, :amount, 'held', :now
                from wallet
                returning id
            )
            select auth.reserved_minor as auth_reserved, auth.settled_minor as auth_settled,
                   wallet.balance_minor as wallet_balance, wallet.reserved_minor as wallet_reserved
            from auth left join wallet on true
            """;
    private static final String RESOLVE = """
            update spend_reservations set status = 'released', resolved_at = :now
            where tenant_id = :tenant and id = :id and status = 'held'
            returning authorization_id, amount_minor, settled_minor, currency, execution_id, campaign_id
            """;
    private static final String INSERT_POLICY_RECEIPT = """
            insert into spend_policy_receipts (tenant_id, seq, kind, reservation_id, payload, payload_digest,
                                               prev_hash, hash, created_at)
            values (:tenant, :seq, :kind, :reservation, :payload, :digest, :prev, :hash, :now)
            """;

    private final JdbcClient jdbc;
    private final Chains chains;
    private final Receipts receipts;
    private final Clock clock;

    SpendLedger(JdbcClient jdbc, Chains chains, Receipts receipts, Clock clock) {
        this.jdbc = jdbc;
        this.chains = chains;
        this.receipts = receipts;
        this.clock = clock;
    }

    /** A held reservation; {@code amount} is what it still holds (its amount less what was settled of it). */
    public record Reservation(String id, String authorizationId, String campaignId, Money amount) {}

    /**
     * Reserves {@code amount} against the authorization's cap and the wallet's available credits.
     *
     * @throws ApiException {@code budget_exceeded} or {@code insufficient_credits}; the caller's
     *     transaction must then roll back
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Reservation reserve(String tenantId, String executionId, String authorizationId, String campaignId,
            Money amount, String actor) {
        long a = amount.amountMinor();
        String id = Ids.next("res");
        record Reserved(long authReserved, long authSettled, Long walletBalance, Long walletReserved) {}
        Optional<Reserved> row = jdbc.sql(RESERVE).param("amount", a).param("tenant", tenantId)
                .param("auth", authorizationId).param("now", now()).param("currency", amount.currency()).param("id", id)
                .param("execution", executionId).param("campaign", campaignId)
                .query((rs, n) -> new Reserved(rs.getLong("auth_reserved"), rs.getLong("auth_settled"),
                        rs.getObject("wallet_balance", Long.class), rs.getObject("wallet_reserved", Long.class)))
                .optional();
        if (row.isEmpty()) {
            throw new ApiException(ErrorCode.BUDGET_EXCEEDED, "the spend authorization's cap does not cover " + amount,
                    Map.of("authorization_id", authorizationId, "requested_minor", a));
        }
        Reserved r = row.get();
        if (r.walletBalance() == null) {
            throw new ApiException(ErrorCode.INSUFFICIENT_CREDITS, "the wallet's available credits do not cover " + amount,
                    Map.of("requested_minor", a));
        }
        Map<String, Object> p = policyPayload(id, executionId, authorizationId, amount);
        p.put("authorization_reserved_before", r.authReserved() - a);
        p.put("authorization_reserved_after", r.authReserved());
        p.put("authorization_settled", r.authSettled());
        p.put("wallet_balance", r.walletBalance());
        p.put("wallet_reserved_before", r.walletReserved() - a);
        p.put("wallet_reserved_after", r.walletReserved());
        record(tenantId, "reserve", id, executionId, actor, p);
        return new Reservation(id, authorizationId, campaignId, amount);
    }

    /** Releases a held reservation whole; a no-op (false) when it was already resolved. */
    @Transactional(propagation = Propagation.MANDATORY)
    public boolean release(String tenantId, String reservationId, String reason, String actor) {
        return resolve(tenantId, reservationId, 0, reason, actor);
    }

    /**
     * Settles reported spend: at most the reserved amount moves from reserved to debited, the rest
     * is released. A no-op (false) when the reservation was already resolved.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public boolean settle(String tenantId, String reservationId, long spentMinor, String actor) {
        if (spentMinor < 0) {
            throw new IllegalArgumentException("spend cannot be negative");
        }
        return resolve(tenantId, reservationId, spentMinor, "reported_spend", actor);
    }

    private boolean resolve(String tenantId, String reservationId, long spentMinor, String reason, String actor) {
        Optional<Map<String, Object>> row = jdbc.sql(RESOLVE).param("now", now()).param("tenant", tenantId)
                .param("id", reservationId).query().listOfRows().stream().findFirst();
        if (row.isEmpty()) {
            return false;
        }
        String authorizationId = (String) row.get().get("authorization_id");
        long amount = ((Number) row.get().get("amount_minor")).longValue();
        long already = ((Number) row.get().get("settled_minor")).longValue();
        String currency = (String) row.get().get("currency");
        String executionId = (String) row.get().get("execution_id");
        // what earlier partial settlements took is spent already: only the rest is still reserved
        long remaining = amount - already;
        long settled = Math.min(spentMinor, remaining);
        jdbc.sql("update spend_reservations set settled_minor = :s, status = :status where tenant_id = :t and id = :id")
                .param("s", already + settled).param("status", already + settled > 0 ? "settled" : "released")
                .param("t", tenantId).param("id", reservationId).update();
        long[] auth = debitAuthorization(tenantId, authorizationId, remaining, settled);
        long[] wallet = debitWallet(tenantId, remaining, settled);
        if (settled > 0) {
            walletEntry(tenantId, settled, reservationId);
        }
        Map<String, Object> p = policyPayload(reservationId, executionId, authorizationId, Money.of(amount, currency));
        p.put("reason", reason);
        p.put("settled_minor", settled);
        p.put("released_minor", remaining - settled);
        if (already > 0) {
            p.put("settled_before_minor", already);
        }
        p.put("authorization_reserved_before", auth[0] + remaining);
        p.put("authorization_reserved_after", auth[0]);
        p.put("authorization_settled_after", auth[1]);
        p.put("wallet_balance_before", wallet[0] + settled);
        p.put("wallet_balance_after", wallet[0]);
        p.put("wallet_reserved_before", wallet[1] + remaining);
        p.put("wallet_reserved_after", wallet[1]);
        record(tenantId, settled > 0 ? "settle" : "release", reservationId, executionId, actor, p);
        return true;
    }

    /**
     * Settles part of a held reservation: up to {@code minor} of what it still holds moves from
     * reserved to spent (wallet balance and authorization debited), with a spend-policy receipt
     * ({@code settle}, amounts before and after). The reservation stays held for the rest, and is
     * {@code settled} once nothing remains.
     *
     * @param context what the settlement is of (campaign, day, reported figures), kept in the receipt
     * @return what was taken, from 0 to {@code minor}
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public long consume(String tenantId, String reservationId, long minor, Map<String, Object> context, String actor) {
        if (minor <= 0) {
            return 0;
        }
        Optional<Map<String, Object>> row = jdbc.sql("""
                select authorization_id, amount_minor, settled_minor, currency, execution_id from spend_reservations
                where tenant_id = :t and id = :id and status = 'held' for update
                """).param("t", tenantId).param("id", reservationId).query().listOfRows().stream().findFirst();
        if (row.isEmpty()) {
            return 0;
        }
        String authorizationId = (String) row.get().get("authorization_id");
        long amount = ((Number) row.get().get("amount_minor")).longValue();
        long already = ((Number) row.get().get("settled_minor")).longValue();
        String currency = (String) row.get().get("currency");
        String executionId = (String) row.get().get("execution_id");
        long taken = Math.min(minor, amount - already);
        if (taken <= 0) {
            return 0;
        }
        boolean all = already + taken == amount;
        jdbc.sql("""
                update spend_reservations set settled_minor = :s, status = :status,
                    resolved_at = case when :all then cast(:now as timestamptz) else resolved_at end
                where tenant_id = :t and id = :id
                """).param("s", already + taken).param("status", all ? "settled" : "held").param("all", all)
                .param("now", now()).param("t", tenantId).param("id", reservationId).update();
        long[] auth = debitAuthorization(tenantId, authorizationId, taken, taken);
        long[] wallet = debitWallet(tenantId, taken, taken);
        String reference = reservationId + ":" + Ids.next("set");
        walletEntry(tenantId, taken, reference);
        Map<String, Object> p = policyPayload(reservationId, executionId, authorizationId, Money.of(amount, currency));
        p.putAll(context);
        p.put("reason", "reported_spend");
        p.put("settled_minor", taken);
        p.put("settled_before_minor", already);
        p.put("held_after_minor", amount - already - taken);
        p.put("authorization_reserved_before", auth[0] + taken);
        p.put("authorization_reserved_after", auth[0]);
        p.put("authorization_settled_after", auth[1]);
        p.put("wallet_balance_before", wallet[0] + taken);
        p.put("wallet_balance_after", wallet[0]);
        p.put("wallet_reserved_before", wallet[1] + taken);
        p.put("wallet_reserved_after", wallet[1]);
        record(tenantId, "settle", reference, executionId, actor, p);
        return taken;
    }

    /**
     * Settles spend the provider reported beyond what was held for the campaign (over-delivery)
     * from the wallet's available credits, as far as they and the authorization's cap allow; the
     * receipt flags it ({@code beyond_reservation}) and names what could not be settled.
     *
     * @return what was settled, from 0 to {@code minor}
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public long settleBeyond(String tenantId, String authorizationId, String currency, long minor,
            Map<String, Object> context, String actor) {
        if (minor <= 0) {
            return 0;
        }
        long room = jdbc.sql("""
                select least(w.balance_minor - w.reserved_minor, a.cap_minor - a.reserved_minor - a.settled_minor)
                from tenant_wallets w, spend_authorizations a
                where w.tenant_id = :t and a.tenant_id = :t and a.id = :a
                for update of w, a
                """).param("t", tenantId).param("a", authorizationId).query(Long.class).optional().orElse(0L);
        long taken = Math.max(0, Math.min(minor, room));
        String reference = "beyond:" + Ids.next("set");
        long[] auth = debitAuthorization(tenantId, authorizationId, 0, taken);
        long[] wallet = debitWallet(tenantId, 0, taken);
        if (taken > 0) {
            walletEntry(tenantId, taken, reference);
        }
        Map<String, Object> p = new LinkedHashMap<>(context);
        p.put("reservation_id", null);
        p.put("authorization_id", authorizationId);
        p.put("currency", currency);
        p.put("reason", "reported_spend");
        p.put("beyond_reservation", true);
        p.put("reported_beyond_minor", minor);
        p.put("settled_minor", taken);
        p.put("unsettled_minor", minor - taken);
        p.put("authorization_settled_after", auth[1]);
        p.put("wallet_balance_before", wallet[0] + taken);
        p.put("wallet_balance_after", wallet[0]);
        record(tenantId, "settle", reference, null, actor, p);
        return taken;
    }

    /** A campaign's settled day: what was reported for it, settled, beyond its reservations, left unsettled. */
    public record SpendDay(long reportedMinor, long settledMinor, long beyondMinor, long unsettledMinor) {}

    /**
     * The campaign's day, created if new and locked for the rest of the transaction: a day settles
     * in one transaction at a time, so two broker processes never settle the same figure twice.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public SpendDay lockDay(String tenantId, String campaignId, LocalDate day, String currency) {
        jdbc.sql("""
                insert into campaign_spend_days (tenant_id, campaign_id, day, currency, updated_at)
                values (:t, :c, :d, :cur, :now) on conflict do nothing
                """).param("t", tenantId).param("c", campaignId).param("d", day).param("cur", currency)
                .param("now", now()).update();
        return jdbc.sql("""
                select reported_minor, settled_minor, beyond_minor, unsettled_minor from campaign_spend_days
                where tenant_id = :t and campaign_id = :c and day = :d for update
                """).param("t", tenantId).param("c", campaignId).param("d", day)
                .query((rs, n) -> new SpendDay(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4))).single();
    }

    /** Records a locked day as it now stands. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void recordDay(String tenantId, String campaignId, LocalDate day, SpendDay now) {
        jdbc.sql("""
                update campaign_spend_days set reported_minor = :r, settled_minor = :s, beyond_minor = :b,
                    unsettled_minor = :u, updated_at = :now
                where tenant_id = :t and campaign_id = :c and day = :d
                """).param("r", now.reportedMinor()).param("s", now.settledMinor()).param("b", now.beyondMinor())
                .param("u", now.unsettledMinor()).param("now", now()).param("t", tenantId).param("c", campaignId)
                .param("d", day).update();
    }

    /** What the provider reported a campaign spent over all its days. */
    public long reportedTotal(String tenantId, String campaignId) {
        return jdbc.sql("""
                select coalesce(sum(reported_minor), 0) from campaign_spend_days where tenant_id = :t and campaign_id = :c
                """).param("t", tenantId).param("c", campaignId).query(Long.class).single();
    }

    /** The days settled for a campaign, oldest first. */
    public Map<LocalDate, SpendDay> days(String tenantId, String campaignId) {
        Map<LocalDate, SpendDay> out = new java.util.TreeMap<>();
        jdbc.sql("""
                select day, reported_minor, settled_minor, beyond_minor, unsettled_minor from campaign_spend_days
                where tenant_id = :t and campaign_id = :c
                """).param("t", tenantId).param("c", campaignId).query((rs, n) -> out.put(rs.getObject(1, LocalDate.class),
                new SpendDay(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)))).list();
        return out;
    }

    /** The newest active authorization of the tenant for a provider in a currency, if any. */
    public Optional<String> activeAuthorization(String tenantId, String provider, String currency) {
        return jdbc.sql("""
                select id from spend_authorizations
                where tenant_id = :t and (provider = :p or provider is null) and currency = :c and status = 'active'
                order by created_at desc limit 1
                """).param("t", tenantId).param("p", provider).param("c", currency).query(String.class).optional();
    }

    private long[] debitAuthorization(String tenantId, String authorizationId, long fromReserved, long settled) {
        return jdbc.sql("""
                update spend_authorizations set reserved_minor = reserved_minor - :reserved,
                                                settled_minor = settled_minor + :settled
                where tenant_id = :tenant and id = :id
                returning reserved_minor, settled_minor
                """).param("reserved", fromReserved).param("settled", settled).param("tenant", tenantId)
                .param("id", authorizationId).query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2)}).single();
    }

    private long[] debitWallet(String tenantId, long fromReserved, long settled) {
        return jdbc.sql("""
                update tenant_wallets set reserved_minor = reserved_minor - :reserved,
                                          balance_minor = balance_minor - :settled, updated_at = :now
                where tenant_id = :tenant
                returning balance_minor, reserved_minor
                """).param("reserved", fromReserved).param("settled", settled).param("now", now())
                .param("tenant", tenantId).query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2)}).single();
    }

    private void walletEntry(String tenantId, long minor, String reference) {
        jdbc.sql("""
                insert into wallet_entries (id, tenant_id, kind, amount_minor, reference, created_at)
                values (:id, :t, 'settlement', :a, :r, :now)
                """).param("id", Ids.next("wen")).param("t", tenantId).param("a", minor).param("r", reference)
                .param("now", now()).update();
    }

    /**
     * Links the reservations {@code executionId} holds to the campaign it created, so they follow
     * the campaign (pause, settlement). Called in the transaction that projects the campaign, right
     * after its insert.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void attachToCampaign(String tenantId, String executionId, String campaignId) {
        jdbc.sql("""
                update spend_reservations set campaign_id = :c
                where tenant_id = :t and execution_id = :e and status = 'held'
                """).param("c", campaignId).param("t", tenantId).param("e", executionId).update();
    }

    /**
     * Releases everything held for a campaign (each reservation with its receipts), e.g. for one
     * the provider no longer has; how many reservations it released.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public int releaseCampaign(String tenantId, String campaignId, String reason, String actor) {
        List<Reservation> held = heldForCampaign(tenantId, campaignId);
        held.forEach(r -> release(tenantId, r.id(), reason, actor));
        return held.size();
    }

    /** Held reservations of a campaign. */
    public List<Reservation> heldForCampaign(String tenantId, String campaignId) {
        return jdbc.sql("""
                select id, authorization_id, campaign_id, amount_minor - settled_minor, currency from spend_reservations
                where tenant_id = :t and campaign_id = :c and status = 'held' order by created_at
                """).param("t", tenantId).param("c", campaignId).query((rs, n) -> new Reservation(rs.getString(1),
                rs.getString(2), rs.getString(3), Money.of(rs.getLong(4), rs.getString(5)))).list();
    }

    private static final String HELD_MINOR_FOR_CAMPAIGN = """
            select coalesce(sum(amount_minor - settled_minor), 0) from spend_reservations
            where tenant_id = :tenant and campaign_id = :campaign and status = 'held'
            """;

    /**
     * What is held for a campaign, in minor units, as a read of a round trip: parameters
     * {@code tenant}, {@code campaign}.
     */
    public Reads.Read<Long> heldMinorForCampaignRead() {
        return new Reads.Read<>(HELD_MINOR_FOR_CAMPAIGN, (rs, n) -> rs.getLong(1));
    }

    /** What is held for a campaign, in minor units. */
    public long heldMinorForCampaign(String tenantId, String campaignId) {
        return jdbc.sql(HELD_MINOR_FOR_CAMPAIGN).param("tenant", tenantId).param("campaign", campaignId)
                .query(Long.class).single();
    }

    /** Held reservations of an execution. */
    public List<Reservation> heldForExecution(String tenantId, String executionId) {
        return jdbc.sql("""
                select id, authorization_id, campaign_id, amount_minor - settled_minor, currency from spend_reservations
                where tenant_id = :t and execution_id = :e and status = 'held' order by created_at
                """).param("t", tenantId).param("e", executionId).query((rs, n) -> new Reservation(rs.getString(1),
                rs.getString(2), rs.getString(3), Money.of(rs.getLong(4), rs.getString(5)))).list();
    }

    private static Map<String, Object> policyPayload(String reservationId, String executionId, String authorizationId,
            Money amount) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("reservation_id", reservationId);
        p.put("execution_id", executionId);
        p.put("authorization_id", authorizationId);
        p.put("amount_minor", amount.amountMinor());
        p.put("currency", amount.currency());
        return p;
    }

    private void record(String tenantId, String kind, String reservationId, String executionId, String actor,
            Map<String, Object> payload) {
        payload.put("decision", kind);
        // the row's reservation_id column (for a settlement, a reference naming the reservation and
        // the settlement): hashed like every served field
        payload.put("receipt_reference", reservationId);
        OffsetDateTime at = now();
        payload.put("at", at.toString());
        Chains.Link link = chains.append(Chains.SPEND_POLICY, tenantId, kind, payload, INSERT_POLICY_RECEIPT, l -> {
            Map<String, Object> row = Chains.linkRow(tenantId, kind, l);
            row.put("reservation", reservationId);
            row.put("now", at);
            return row;
        });
        Map<String, Object> receipt = new LinkedHashMap<>(payload);
        receipt.put("spend_policy_receipt_seq", link.seq());
        receipt.put("spend_policy_receipt_digest", link.payloadDigest());
        receipts.record(tenantId, switch (kind) {
            case "reserve" -> "spend.reserved";
            case "release" -> "spend.released";
            default -> "spend.settled";
        }, executionId, actor, receipt);
    }

    private OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }
}
