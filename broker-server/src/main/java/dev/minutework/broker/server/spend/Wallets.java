package dev.minutework.broker.server.spend;

import dev.minutework.broker.core.execution.TenantSnapshot;
import dev.minutework.broker.core.money.Money;
import dev.minutework.broker.server.persistence.Reads;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.api.Ids;
import dev.minutework.broker.server.tenants.WalletOpening;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** TenantWallet: balance and reserved credits; metered debits consume only available credits. */
@Repository
public class Wallets implements WalletOpening {

    /**
     * The most a wallet may hold, in minor units: 10<sup>13</sup> (100,000,000,000.00 USD), ten times
     * the largest single credit ({@link Money#MAX_AMOUNT_MINOR}). Sums of balances and reservations
     * stay far from a {@code bigint}'s range.
     */
    public static final long MAX_BALANCE_MINOR = 10 * Money.MAX_AMOUNT_MINOR;

    private final JdbcClient jdbc;
    private final Clock clock;

    Wallets(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public record Wallet(String tenantId, String currency, long balanceMinor, long reservedMinor) {
        public long availableMinor() {
            return balanceMinor - reservedMinor;
        }

        /** The wallet as a decision sees it. */
        public TenantSnapshot.Wallet fact() {
            return new TenantSnapshot.Wallet(currency, availableMinor());
        }
    }

    /** A credit or debit entry; replays with the same reference return the first one. */
    public record Entry(String id, String kind, long amountMinor, String reference, boolean replayed) {}

    /** Opens a new tenant's empty wallet; called by {@code Tenants.create}, in its transaction. */
    @Override
    public void open(String tenantId, String currency, OffsetDateTime at) {
        jdbc.sql("insert into tenant_wallets (tenant_id, currency, updated_at) values (:id, :cur, :now)")
                .param("id", tenantId).param("cur", currency).param("now", at).update();
    }

    /** What settlements of reported spend have debited from the tenant's wallet in all. */
    public long settledMinor(String tenantId) {
        return jdbc.sql("""
                select coalesce(sum(amount_minor), 0) from wallet_entries where tenant_id = :t and kind = 'settlement'
                """).param("t", tenantId).query(Long.class).single();
    }

    public Wallet get(String tenantId) {
        Reads.Read<Wallet> read = read();
        return jdbc.sql(read.sql()).param("tenant", tenantId).query(read.mapper()).optional()
                .orElseThrow(() -> ApiException.notFound("wallet"));
    }

    /** {@link #get} as a read of a round trip (no row: no wallet): parameter {@code tenant}. */
    public Reads.Read<Wallet> read() {
        return new Reads.Read<>("select tenant_id, currency, balance_minor, reserved_minor from tenant_wallets where tenant_id = :tenant",
                (rs, n) -> new Wallet(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4)));
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public Entry credit(String tenantId, long amount, String reference) {
        Optional<Entry> replay = existing(tenantId, "credit", reference, amount);
        if (replay.isPresent()) {
            return replay.get();
        }
        int updated = jdbc.sql("""
                update tenant_wallets set balance_minor = balance_minor + :a, updated_at = :now
                where tenant_id = :t and balance_minor <= :max - :a
                """).param("a", amount).param("max", MAX_BALANCE_MINOR).param("now", now()).param("t", tenantId).update();
        if (updated == 0) {
            Wallet w = get(tenantId);
            throw new ApiException(ErrorCode.BALANCE_LIMIT_EXCEEDED, "the credit would take the wallet over its limit of "
                    + MAX_BALANCE_MINOR + " minor units", Map.of("balance_minor", w.balanceMinor(), "requested_minor", amount,
                    "max_balance_minor", MAX_BALANCE_MINOR));
        }
        return insertEntry(tenantId, "credit", amount, reference);
    }

    /** Consumes available credits only; refuses with {@code insufficient_credits} otherwise. */
    @Transactional(propagation = Propagation.MANDATORY)
    public Entry debit(String tenantId, long amount, String reference) {
        Optional<Entry> replay = existing(tenantId, "debit", reference, amount);
        if (replay.isPresent()) {
            return replay.get();
        }
        int updated = jdbc.sql("""
                update tenant_wallets set balance_minor = balance_minor - :a, updated_at = :now
                where tenant_id = :t and balance_minor - reserved_minor >= :a
                """).param("a", amount).param("now", now()).param("t", tenantId).update();
        if (updated == 0) {
            Wallet w = get(tenantId);
            throw new ApiException(ErrorCode.INSUFFICIENT_CREDITS, "not enough available credits",
                    Map.of("available_minor", w.availableMinor(), "requested_minor", amount));
        }
        return insertEntry(tenantId, "debit", amount, reference);
    }

    private Optional<Entry> existing(String tenantId, String kind, String reference, long amount) {
        // serialise replays of one reference behind the wallet row lock
        jdbc.sql("select 1 from tenant_wallets where tenant_id = :t for update").param("t", tenantId).query(Integer.class).single();
        return jdbc.sql("select id, amount_minor from wallet_entries where tenant_id = :t and kind = :k and reference = :r")
                .param("t", tenantId).param("k", kind).param("r", reference)
                .query((rs, n) -> {
                    if (rs.getLong("amount_minor") != amount) {
                        throw new ApiException(ErrorCode.CONFLICT,
                                "reference " + reference + " was already used with another amount");
                    }
                    return new Entry(rs.getString("id"), kind, amount, reference, true);
                }).optional();
    }

    private Entry insertEntry(String tenantId, String kind, long amount, String reference) {
        String id = Ids.next("wen");
        jdbc.sql("""
                insert into wallet_entries (id, tenant_id, kind, amount_minor, reference, created_at)
                values (:id, :t, :k, :a, :r, :now)
                """).param("id", id).param("t", tenantId).param("k", kind).param("a", amount).param("r", reference)
                .param("now", now()).update();
        return new Entry(id, kind, amount, reference, false);
    }

    private OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }
}
