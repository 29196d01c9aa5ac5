package dev.minutework.broker.server.connections;

import dev.minutework.broker.core.execution.TenantSnapshot;
import dev.minutework.broker.server.persistence.Reads;
import dev.minutework.broker.server.api.Ids;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Connection rows; at most one non-revoked connection per tenant and provider. */
@Repository
public class Connections {

    private static final String SELECT = """
            select id, tenant_id, provider_account_id, provider, status, created_at, updated_at from broker_connections
            """;

    private final JdbcClient jdbc;
    private final Clock clock;

    Connections(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public record Connection(String id, String tenantId, String providerAccountId, String provider, String status,
            OffsetDateTime createdAt, OffsetDateTime updatedAt) {
        public boolean active() {
            return "active".equals(status);
        }

        /** The connection as a decision sees it. */
        public TenantSnapshot.Connection fact() {
            return new TenantSnapshot.Connection(id, status);
        }
    }

    public Connection create(String tenantId, String providerAccountId, String provider) {
        String id = Ids.next("con");
        OffsetDateTime now = now();
        jdbc.sql("""
                insert into broker_connections (id, tenant_id, provider_account_id, provider, status, created_at, updated_at)
                values (:id, :tenant, :account, :provider, 'active', :now, :now)
                """).param("id", id).param("tenant", tenantId).param("account", providerAccountId)
                .param("provider", provider).param("now", now).update();
        return find(tenantId, id).orElseThrow();
    }

    /** Moves a connection to {@code to} from one of {@code from}; false when it was not in such a state. */
    public boolean transition(String tenantId, String id, List<String> from, String to) {
        return jdbc.sql("""
                update broker_connections set status = :to, updated_at = :now
                where tenant_id = :tenant and id = :id and status = any(:from)
                """).param("to", to).param("now", now()).param("tenant", tenantId).param("id", id)
                .param("from", from.toArray(String[]::new)).update() == 1;
    }

    public Optional<Connection> find(String tenantId, String id) {
        return jdbc.sql(SELECT + " where tenant_id = :tenant and id = :id").param("tenant", tenantId).param("id", id)
                .query(this::map).optional();
    }

    /** {@link #live} as a read of a round trip: parameters {@code tenant}, {@code provider}. */
    public Reads.Read<Connection> liveRead() {
        return new Reads.Read<>(SELECT + " where tenant_id = :tenant and provider = :provider and status <> 'revoked'",
                this::map);
    }

    /** The tenant's live (non-revoked) connection for a provider, active or suspended. */
    public Optional<Connection> live(String tenantId, String provider) {
        return jdbc.sql(liveRead().sql()).param("tenant", tenantId).param("provider", provider).query(this::map)
                .optional();
    }

    public List<Connection> all(String tenantId) {
        return jdbc.sql(SELECT + " where tenant_id = :tenant order by created_at").param("tenant", tenantId)
                .query(this::map).list();
    }

    private Connection map(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new Connection(rs.getString("id"), rs.getString("tenant_id"), rs.getString("provider_account_id"),
                rs.getString("provider"), rs.getString("status"), rs.getObject("created_at", OffsetDateTime.class),
                rs.getObject("updated_at", OffsetDateTime.class));
    }

    private OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }
}
