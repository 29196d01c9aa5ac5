package dev.minutework.broker.server.spend;

import dev.minutework.broker.core.execution.TenantSnapshot;
import dev.minutework.broker.server.persistence.Reads;
import dev.minutework.broker.server.api.Ids;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** AdsSpendAuthorization rows: approved caps per tenant (per provider or all). */
@Repository
public class SpendAuthorizations {

    private static final String SELECT = """
            select id, tenant_id, provider, currency, cap_minor, daily_cap_minor, valid_from, valid_until, approved_by,
                   reserved_minor, settled_minor, status, created_at
            from spend_authorizations
            """;
    private static final String ACTIVE = SELECT + """
             where tenant_id = :tenant and status = 'active' and currency = :currency
               and (provider = :provider or provider is null)
               and valid_from <= :now and (valid_until is null or valid_until > :now)
             order by provider nulls last, created_at desc
             limit 1
            """;

    private static final String ANY_ACTIVE = """
            select count(*) from spend_authorizations
            where tenant_id = :tenant and status = 'active' and (provider = :provider or provider is null)
              and valid_from <= :now and (valid_until is null or valid_until > :now)
            """;

    private final JdbcClient jdbc;
    private final Clock clock;

    SpendAuthorizations(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public record Authorization(String id, String tenantId, String provider, String currency, long capMinor,
            Long dailyCapMinor, OffsetDateTime validFrom, OffsetDateTime validUntil, String approvedBy,
            long reservedMinor, long settledMinor, String status, OffsetDateTime createdAt) {
        public long remainingMinor() {
            return capMinor - reservedMinor - settledMinor;
        }

        /** The authorization as a decision sees it. */
        public TenantSnapshot.Authorization fact() {
            return new TenantSnapshot.Authorization(id, currency, remainingMinor(), dailyCapMinor,
                    validUntil == null ? null : validUntil.toInstant());
        }
    }

    public Authorization create(String tenantId, String provider, String currency, long cap, Long dailyCap,
            Instant validFrom, Instant validUntil, String approvedBy) {
        String id = Ids.next("sau");
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        jdbc.sql("""
                insert into spend_authorizations (id, tenant_id, provider, currency, cap_minor, daily_cap_minor,
                    valid_from, valid_until, approved_by, created_at)
                values (:id, :tenant, :provider, :currency, :cap, :daily, :from, :until, :by, :now)
                """).param("id", id).param("tenant", tenantId).param("provider", provider).param("currency", currency)
                .param("cap", cap).param("daily", dailyCap)
                .param("from", validFrom == null ? now : OffsetDateTime.ofInstant(validFrom, ZoneOffset.UTC))
                .param("until", validUntil == null ? null : OffsetDateTime.ofInstant(validUntil, ZoneOffset.UTC))
                .param("by", approvedBy).param("now", now).update();
        return find(tenantId, id).orElseThrow();
    }

    /**
     * The authorization that governs spend in {@code currency} at {@code provider} now, preferring a
     * provider-specific one, as a read of a round trip: parameters {@code tenant}, {@code provider},
     * {@code currency}, {@code now}.
     */
    public Reads.Read<Authorization> activeRead() {
        return new Reads.Read<>(ACTIVE, this::map);
    }

    /**
     * Whether any authorization for the provider is active now, in any currency, as a read of a
     * round trip (one row, true or false): parameters {@code tenant}, {@code provider}, {@code now}.
     */
    public Reads.Read<Boolean> anyActiveRead() {
        return new Reads.Read<>(ANY_ACTIVE, (rs, n) -> rs.getLong(1) > 0);
    }

    public Optional<Authorization> find(String tenantId, String id) {
        return jdbc.sql(SELECT + " where tenant_id = :tenant and id = :id").param("tenant", tenantId).param("id", id)
                .query(this::map).optional();
    }

    public List<Authorization> all(String tenantId) {
        return jdbc.sql(SELECT + " where tenant_id = :tenant order by created_at").param("tenant", tenantId)
                .query(this::map).list();
    }

    public boolean revoke(String tenantId, String id) {
        return jdbc.sql("update spend_authorizations set status = 'revoked' where tenant_id = :t and id = :id and status = 'active'")
                .param("t", tenantId).param("id", id).update() == 1;
    }

    private Authorization map(ResultSet rs, int n) throws SQLException {
        Long daily = rs.getObject("daily_cap_minor", Long.class); // null: no daily cap
        return new Authorization(rs.getString("id"), rs.getString("tenant_id"), rs.getString("provider"),
                rs.getString("currency"), rs.getLong("cap_minor"), daily,
                rs.getObject("valid_from", OffsetDateTime.class), rs.getObject("valid_until", OffsetDateTime.class),
                rs.getString("approved_by"), rs.getLong("reserved_minor"), rs.getLong("settled_minor"),
                rs.getString("status"), rs.getObject("created_at", OffsetDateTime.class));
    }
}
