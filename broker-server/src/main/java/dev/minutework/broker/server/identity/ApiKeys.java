package dev.minutework.broker.server.identity;

import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.server.api.Ids;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Tenant API keys. The key itself is returned once at creation; only its SHA-256 is stored. */
@Repository
public class ApiKeys {

    private static final String INSERT = """
            insert into api_keys (id, tenant_id, role, label, key_hash, key_prefix, created_at)
            values (:id, :tenant, :role, :label, :hash, :prefix, :now)
            """;
    private static final String BY_HASH = """
            select k.id, k.tenant_id, k.role, a.id as agent_id, a.name as agent_name, a.capabilities, a.mode
            from api_keys k left join runtime_agents a on a.key_id = k.id and a.tenant_id = k.tenant_id
            where k.key_hash = :hash and k.revoked_at is null
            """;

    private final JdbcClient jdbc;
    private final Clock clock;

    ApiKeys(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** A new key, plaintext included: show it once and forget it. */
    public record Issued(String keyId, String apiKey, Role role) {}

    /**
     * Issues a key. Keys read {@code mwb_<r>_<40 random>} with {@code r} the role's initial
     * ({@code mwb_r_…} runtime, {@code mwb_a_…} approver, {@code mwb_v_…} viewer) and
     * {@code mwb_agent_…} for runtime agents.
     */
    public Issued issue(String tenantId, Role role, String label) {
        String key = (role == Role.AGENT ? "mwb_agent" : "mwb_" + role.wire().charAt(0)) + "_" + Ids.random(40);
        String id = Ids.next("key");
        jdbc.sql(INSERT).param("id", id).param("tenant", tenantId).param("role", role.wire()).param("label", label)
                .param("hash", hash(key)).param("prefix", key.substring(0, 10))
                .param("now", OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC)).update();
        return new Issued(id, key, role);
    }

    /** Whether the tenant has an unrevoked key {@code keyId}. */
    public boolean active(String tenantId, String keyId) {
        return jdbc.sql("select count(*) from api_keys where tenant_id = :t and id = :id and revoked_at is null")
                .param("t", tenantId).param("id", keyId).query(Long.class).single() > 0;
    }

    public Optional<Caller.TenantKey> find(String presentedKey) {
        return jdbc.sql(BY_HASH).param("hash", hash(presentedKey))
                .query((rs, n) -> {
                    Role role = Role.parse(rs.getString("role"));
                    Caller.Agent agent = null;
                    if (role == Role.AGENT) {
                        if (rs.getString("agent_id") == null) {
                            return null; // an agent key without its agent grants nothing
                        }
                        agent = new Caller.Agent(rs.getString("agent_id"), rs.getString("agent_name"),
                                List.of((String[]) rs.getArray("capabilities").getArray()),
                                "mutating".equals(rs.getString("mode")));
                    }
                    return new Caller.TenantKey(rs.getString("tenant_id"), rs.getString("id"), role, agent);
                })
                .list().stream().filter(java.util.Objects::nonNull).findFirst();
    }

    public static String hash(String key) {
        return CanonicalJson.sha256Hex(key);
    }
}
