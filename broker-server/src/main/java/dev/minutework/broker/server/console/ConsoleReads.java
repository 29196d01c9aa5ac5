package dev.minutework.broker.server.console;

import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The few lists the console shows that the API has no endpoint for: a tenant's recent executions,
 * who a key is, what is still held per campaign, and the operator's overview of tenants. Reads
 * only (the tables stay their owners' to write), each with its tenant predicate.
 */
@Repository
public class ConsoleReads {

    private static final String EXECUTIONS = """
            select id, status, action, provider, spend_impact_minor, currency, requested_by_key_id, approval_id,
                   created_at, updated_at
            from executions where tenant_id = :t order by created_at desc, id desc limit :n
            """;
    private static final String KEYS = """
            select k.id, k.role, k.label, a.id as agent_id, a.name as agent_name
            from api_keys k left join runtime_agents a on a.key_id = k.id and a.tenant_id = k.tenant_id
            where k.tenant_id = :t
            """;
    private static final String HELD = """
            select campaign_id, sum(amount_minor - settled_minor) as held
            from spend_reservations where tenant_id = :t and status = 'held' and campaign_id is not null
            group by campaign_id
            """;
    private static final String TENANTS = """
            select t.id, t.name, t.created_at, w.currency, coalesce(w.balance_minor, 0) as balance_minor,
                   coalesce(w.reserved_minor, 0) as reserved_minor,
                   (select count(*) from approval_grants g
                     where g.tenant_id = t.id and g.kind = 'one_shot' and g.status = 'pending') as pending_approvals,
                   (select count(*) from executions e where e.tenant_id = t.id) as executions,
                   exists (select 1 from kill_switches k where k.status = 'engaged'
                            and (k.tenant_id = t.id
                                 or k.provider_account_id in (select c.provider_account_id from broker_connections c
                                                              where c.tenant_id = t.id and c.status <> 'revoked')))
                     as kill_switch_engaged
            from tenants t left join tenant_wallets w on w.tenant_id = t.id
            order by t.created_at desc, t.id limit 500
            """;

    private final JdbcClient jdbc;

    ConsoleReads(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public record ExecutionRow(String id, String status, String action, String provider, long spendImpactMinor,
            String currency, String requestedByKeyId, String approvalId, OffsetDateTime createdAt,
            OffsetDateTime updatedAt) {}

    /** Who a key is, as the console names it: an agent by its name, a key by its role and label. */
    public record KeyName(String keyId, String role, String label, String agentId, String agentName) {

        public String describe() {
            if (agentId != null) {
                return "agent " + agentName + " (" + agentId + ", key " + keyId + ")";
            }
            return role + " key " + keyId + (label == null ? "" : " “" + label + "”");
        }
    }

    public record TenantRow(String id, String name, OffsetDateTime createdAt, String currency, long balanceMinor,
            long reservedMinor, long pendingApprovals, long executions, boolean killSwitchEngaged) {

        public long availableMinor() {
            return balanceMinor - reservedMinor;
        }
    }

    List<ExecutionRow> executions(String tenantId, int limit) {
        return jdbc.sql(EXECUTIONS).param("t", tenantId).param("n", limit)
                .query((rs, n) -> new ExecutionRow(rs.getString("id"), rs.getString("status"), rs.getString("action"),
                        rs.getString("provider"), rs.getLong("spend_impact_minor"), rs.getString("currency"),
                        rs.getString("requested_by_key_id"), rs.getString("approval_id"),
                        rs.getObject("created_at", OffsetDateTime.class), rs.getObject("updated_at", OffsetDateTime.class)))
                .list();
    }

    /** The canonical payloads of the tenant's executions {@code ids}, by execution id, in one query. */
    Map<String, String> payloads(String tenantId, List<String> ids) {
        Map<String, String> out = new HashMap<>();
        if (!ids.isEmpty()) {
            jdbc.sql("select id, payload from executions where tenant_id = :t and id in (:ids)").param("t", tenantId)
                    .param("ids", ids).query((rs, n) -> Map.entry(rs.getString("id"), rs.getString("payload")))
                    .list().forEach(e -> out.put(e.getKey(), e.getValue()));
        }
        return out;
    }

    /** The tenant's keys by id. */
    Map<String, KeyName> keys(String tenantId) {
        Map<String, KeyName> out = new HashMap<>();
        jdbc.sql(KEYS).param("t", tenantId).query((rs, n) -> new KeyName(rs.getString("id"), rs.getString("role"),
                rs.getString("label"), rs.getString("agent_id"), rs.getString("agent_name")))
                .list().forEach(k -> out.put(k.keyId(), k));
        return out;
    }

    /** What is still reserved (held, not yet settled) per campaign id. */
    Map<String, Long> heldByCampaign(String tenantId) {
        Map<String, Long> out = new HashMap<>();
        jdbc.sql(HELD).param("t", tenantId).query((rs, n) -> Map.entry(rs.getString("campaign_id"), rs.getLong("held")))
                .list().forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    List<TenantRow> tenants() {
        return jdbc.sql(TENANTS).query((rs, n) -> new TenantRow(rs.getString("id"), rs.getString("name"),
                rs.getObject("created_at", OffsetDateTime.class), rs.getString("currency"), rs.getLong("balance_minor"),
                rs.getLong("reserved_minor"), rs.getLong("pending_approvals"), rs.getLong("executions"),
                rs.getBoolean("kill_switch_engaged"))).list();
    }
}
