package dev.minutework.broker.server.killswitch;

import dev.minutework.broker.core.execution.TenantSnapshot;
import dev.minutework.broker.server.api.Ids;
import dev.minutework.broker.server.persistence.Reads;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Kill switch rows: engaged for one tenant (every provider account it uses) or for one provider
 * account (every tenant connected to it), then released. At most one is engaged per scope (a
 * partial unique index), so engaging an engaged scope changes nothing.
 */
@Repository
public class KillSwitches {

    private static final String COLUMNS = """
            select id, tenant_id, provider_account_id, status, engaged_by, engaged_reason, engaged_at,
                   released_by, released_reason, released_at
            from kill_switches
            """;

    /**
     * The engaged switches covering a tenant: its own, and those of the provider accounts of its
     * live (not revoked) connections — at {@code :provider} only when that parameter is set.
     */
    private static final String COVERING = COLUMNS + """
            where status = 'engaged'
              and (tenant_id = :tenant
                   or provider_account_id in (select c.provider_account_id from broker_connections c
                                              where c.tenant_id = :tenant and c.status <> 'revoked'
                                                and (cast(:provider as text) is null or c.provider = :provider)))
            order by engaged_at, id
            """;

    private final JdbcClient jdbc;
    private final Clock clock;

    KillSwitches(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** One kill switch; {@code tenantId} is null for a provider account's, {@code providerAccountId} for a tenant's. */
    public record Switch(String id, String tenantId, String providerAccountId, String status, String engagedBy,
            String engagedReason, OffsetDateTime engagedAt, String releasedBy, String releasedReason,
            OffsetDateTime releasedAt) {

        public String scope() {
            return tenantId != null ? "tenant" : "provider_account";
        }

        /** The switch as a decision sees it. */
        public TenantSnapshot.KillSwitch fact() {
            return new TenantSnapshot.KillSwitch(id, scope(), engagedBy, engagedReason);
        }
    }

    /**
     * For the snapshot's round trip: the first engaged switch covering {@code :tenant} at
     * {@code :provider}, or none.
     */
    public Reads.Read<Switch> coveringRead() {
        return new Reads.Read<>(COVERING + " limit 1", KillSwitches::map);
    }

    /** Every engaged switch covering the tenant, at any provider. */
    public List<Switch> covering(String tenantId) {
        return jdbc.sql(COVERING).param("tenant", tenantId).param("provider", null).query(KillSwitches::map).list();
    }

    public Optional<Switch> engagedForTenant(String tenantId) {
        return jdbc.sql(COLUMNS + " where tenant_id = :tenant and status = 'engaged'").param("tenant", tenantId)
                .query(KillSwitches::map).optional();
    }

    public Optional<Switch> engagedForAccount(String providerAccountId) {
        return jdbc.sql(COLUMNS + " where provider_account_id = :account and status = 'engaged'")
                .param("account", providerAccountId).query(KillSwitches::map).optional();
    }

    public Optional<Switch> find(String id) {
        return jdbc.sql(COLUMNS + " where id = :id").param("id", id).query(KillSwitches::map).optional();
    }

    /**
     * Engages a switch for a tenant or a provider account (exactly one of the two); empty when one is
     * engaged for that scope already.
     */
    Optional<Switch> engage(String tenantId, String providerAccountId, String by, String reason) {
        String id = Ids.next("ksw");
        int inserted = jdbc.sql("""
                insert into kill_switches (id, tenant_id, provider_account_id, status, engaged_by, engaged_reason, engaged_at)
                values (:id, :tenant, :account, 'engaged', :by, :reason, :now)
                on conflict do nothing
                """).param("id", id).param("tenant", tenantId).param("account", providerAccountId).param("by", by)
                .param("reason", reason).param("now", now()).update();
        return inserted == 1 ? find(id) : Optional.empty();
    }

    /** Releases an engaged switch; false when it is not engaged (any more). */
    boolean release(String id, String by, String reason) {
        return jdbc.sql("""
                update kill_switches set status = 'released', released_by = :by, released_reason = :reason,
                       released_at = :now
                where id = :id and status = 'engaged'
                """).param("id", id).param("by", by).param("reason", reason).param("now", now()).update() == 1;
    }

    /** The tenants with a live (not revoked) connection to a provider account. */
    public List<String> tenantsUsing(String providerAccountId) {
        return jdbc.sql("""
                select distinct tenant_id from broker_connections
                where provider_account_id = :account and status <> 'revoked' order by tenant_id
                """).param("account", providerAccountId).query(String.class).list();
    }

    /** A tenant's campaigns a switch covers, by whether the provider still delivers them as the broker knows it. */
    public record Campaigns(List<String> pendingPause, List<String> paused) {}

    /**
     * The tenant's campaigns within {@code s}'s scope: those still {@code active} (a pause is due or
     * under way) and those {@code paused}.
     */
    public Campaigns campaigns(String tenantId, Switch s) {
        String inScope = s.tenantId() != null ? "true" : """
                exists (select 1 from broker_connections bc where bc.tenant_id = c.tenant_id
                        and bc.provider = c.provider and bc.provider_account_id = :account and bc.status <> 'revoked')
                """;
        List<String[]> rows = jdbc.sql("select c.id, c.status from ads_campaigns c where c.tenant_id = :tenant and "
                + inScope + " and c.status in ('active', 'paused') order by c.created_at, c.id")
                .param("tenant", tenantId).param("account", s.providerAccountId())
                .query((rs, n) -> new String[] {rs.getString(1), rs.getString(2)}).list();
        return new Campaigns(rows.stream().filter(r -> "active".equals(r[1])).map(r -> r[0]).toList(),
                rows.stream().filter(r -> "paused".equals(r[1])).map(r -> r[0]).toList());
    }

    private static Switch map(ResultSet rs, int n) throws SQLException {
        return new Switch(rs.getString("id"), rs.getString("tenant_id"), rs.getString("provider_account_id"),
                rs.getString("status"), rs.getString("engaged_by"), rs.getString("engaged_reason"),
                rs.getObject("engaged_at", OffsetDateTime.class), rs.getString("released_by"),
                rs.getString("released_reason"), rs.getObject("released_at", OffsetDateTime.class));
    }

    private OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }
}
