package dev.minutework.broker.server.agents;

import dev.minutework.broker.server.api.Ids;
import java.sql.Array;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Runtime agent rows; each agent's key is an {@code api_keys} row of role {@code agent}. */
@Repository
class RuntimeAgents {

    private static final String INSERT = """
            insert into runtime_agents (id, tenant_id, name, capabilities, mode, key_id, created_by, created_at)
            values (:id, :tenant, :name, :capabilities, :mode, :key, :by, :now)
            """;
    private static final String BY_TENANT = """
            select id, tenant_id, name, capabilities, mode, key_id, created_at
            from runtime_agents where tenant_id = :tenant order by created_at, id
            """;
    private static final String EXISTS = """
            select count(*) from runtime_agents where tenant_id = :tenant and name = :name
            """;

    private final JdbcClient jdbc;
    private final Clock clock;

    RuntimeAgents(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    record Agent(String id, String tenantId, String name, List<String> capabilities, String mode, String keyId,
            OffsetDateTime createdAt) {}

    /** Inserts the agent; call inside the transaction that issued its key. */
    Agent insert(String tenantId, String name, List<String> capabilities, String mode, String keyId, String createdBy) {
        String id = Ids.next("agt");
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        jdbc.sql(INSERT).param("id", id).param("tenant", tenantId).param("name", name)
                .param("capabilities", capabilities.toArray(String[]::new)).param("mode", mode).param("key", keyId)
                .param("by", createdBy).param("now", now).update();
        return new Agent(id, tenantId, name, List.copyOf(capabilities), mode, keyId, now);
    }

    boolean nameTaken(String tenantId, String name) {
        return jdbc.sql(EXISTS).param("tenant", tenantId).param("name", name).query(Long.class).single() > 0;
    }

    List<Agent> list(String tenantId) {
        return jdbc.sql(BY_TENANT).param("tenant", tenantId).query((rs, n) -> new Agent(rs.getString("id"),
                rs.getString("tenant_id"), rs.getString("name"), strings(rs.getArray("capabilities")),
                rs.getString("mode"), rs.getString("key_id"), rs.getObject("created_at", OffsetDateTime.class))).list();
    }

    private static List<String> strings(Array array) throws SQLException {
        return List.of((String[]) array.getArray());
    }
}
