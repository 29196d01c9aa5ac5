package dev.minutework.broker.server.execution;

import dev.minutework.broker.core.execution.ExecutionStatus;
import dev.minutework.broker.server.ops.BrokerMetrics;
import dev.minutework.broker.server.persistence.Reads;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Execution rows: one per (tenant, idempotency key), moved between statuses by conditional updates.
 * Every status an execution reaches is counted here ({@link BrokerMetrics#executionReached}, once
 * its transaction commits): the one place every insert and move passes.
 */
@Repository
public class Executions {

    private static final String COLUMNS = """
            id, tenant_id, idempotency_key, payload, payload_digest, connector, action, provider, status,
            requested_by_key_id, approval_id, grant_id, spend_impact_minor, currency, result::text as result,
            error::text as error, created_at, updated_at
            """;
    private static final String SELECT = "select " + COLUMNS + " from executions ";

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Clock clock;
    private final BrokerMetrics metrics;

    Executions(JdbcClient jdbc, JsonMapper json, Clock clock, BrokerMetrics metrics) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
        this.metrics = metrics;
    }

    public record Execution(String id, String tenantId, String idempotencyKey, String payload, String payloadDigest,
            String connector, String action, String provider, String status, String requestedByKeyId,
            String approvalId, String grantId, long spendImpactMinor, String currency, Map<String, Object> result,
            Map<String, Object> error, OffsetDateTime createdAt, OffsetDateTime updatedAt) {}

    /**
     * Inserts a new execution, run under standing grant {@code grantId} when not null; empty when the
     * tenant already used this idempotency key.
     */
    public Optional<Execution> insert(String id, String tenantId, String key, String payload, String digest,
            String connector, String action, String provider, ExecutionStatus status, String requestedBy, String grantId,
            long impact, String currency) {
        if (!ExecutionStatus.INITIAL.contains(status)) {
            throw new IllegalStateException("an execution is not created " + status.wire());
        }
        OffsetDateTime now = now();
        return jdbc.sql("""
                insert into executions (id, tenant_id, idempotency_key, payload, payload_digest, connector, action,
                    provider, status, requested_by_key_id, grant_id, spend_impact_minor, currency, created_at, updated_at)
                values (:id, :t, :key, :payload, :digest, :connector, :action, :provider, :status, :by, :grant, :impact,
                    :currency, :now, :now)
                on conflict (tenant_id, idempotency_key) do nothing
                returning\s""" + COLUMNS).param("id", id).param("t", tenantId).param("key", key).param("payload", payload)
                .param("digest", digest).param("connector", connector).param("action", action)
                .param("provider", provider).param("status", status.wire()).param("by", requestedBy).param("grant", grantId)
                .param("impact", impact).param("currency", currency).param("now", now).query(this::map).optional()
                .map(this::counted);
    }

    /** Records the one-shot approval an execution waits for. */
    public void setApproval(String tenantId, String id, String approvalId) {
        jdbc.sql("update executions set approval_id = :a where tenant_id = :t and id = :id")
                .param("a", approvalId).param("t", tenantId).param("id", id).update();
    }

    /**
     * Points an execution that still awaits approval at a new one-shot approval, with the spend
     * impact that approval shows.
     */
    public void reapprove(String tenantId, String id, String approvalId, long impactMinor, String currency) {
        jdbc.sql("""
                update executions set approval_id = :a, spend_impact_minor = :i, currency = coalesce(:c, currency),
                    updated_at = :now
                where tenant_id = :t and id = :id and status = 'awaiting_approval'
                """).param("a", approvalId).param("i", impactMinor).param("c", currency).param("now", now())
                .param("t", tenantId).param("id", id).update();
    }

    /**
     * Moves an execution from one of {@code from} to {@code to}; false when it was elsewhere. The
     * conditional update ({@code status = any(:from)}) enforces {@link ExecutionStatus}'s
     * transitions: the move is first checked legal there ({@link ExecutionStatus#requireTransition}),
     * then made only if the row is still where the caller saw it.
     */
    public boolean transition(String tenantId, String id, Set<ExecutionStatus> from, ExecutionStatus to,
            Map<String, Object> result, Map<String, Object> error) {
        return moved(tenantId, id, from, to, result, error).isPresent();
    }

    /** The same, answering the execution as the move left it; empty when it was elsewhere. */
    public Optional<Execution> moved(String tenantId, String id, Set<ExecutionStatus> from, ExecutionStatus to,
            Map<String, Object> result, Map<String, Object> error) {
        return move(tenantId, id, from, to, result, error).map(this::counted);
    }

    /**
     * Moves an execution claimed for reconciliation ({@link #claim}) back to the status it had, when
     * reconciliation learned nothing: like {@link #transition}, but not counted as reaching that
     * status again (it never left it but for the claim).
     */
    public boolean reverted(String tenantId, String id, Set<ExecutionStatus> from, ExecutionStatus to,
            Map<String, Object> result, Map<String, Object> error) {
        return move(tenantId, id, from, to, result, error).isPresent();
    }

    private Optional<Execution> move(String tenantId, String id, Set<ExecutionStatus> from, ExecutionStatus to,
            Map<String, Object> result, Map<String, Object> error) {
        ExecutionStatus.requireTransition(from, to);
        return jdbc.sql("""
                update executions set status = :to, result = coalesce(cast(:result as jsonb), result),
                    error = cast(:error as jsonb), updated_at = :now
                where tenant_id = :t and id = :id and status = any(:from)
                returning\s""" + COLUMNS).param("to", to.wire()).param("result", result == null ? null : json.writeValueAsString(result))
                .param("error", error == null ? null : json.writeValueAsString(error)).param("now", now())
                .param("t", tenantId).param("id", id).param("from", from.stream().map(ExecutionStatus::wire).toArray(String[]::new))
                .query(this::map)
                .optional();
    }

    /**
     * Claims an execution for reconciliation: moves it to {@code executing} only if nobody touched it
     * since it was read ({@code updated_at} unchanged), so two broker processes never reconcile the
     * same execution at once.
     */
    public boolean claim(String tenantId, String id, String seenStatus, OffsetDateTime seenUpdatedAt) {
        ExecutionStatus.requireTransition(Set.of(ExecutionStatus.parse(seenStatus)), ExecutionStatus.EXECUTING);
        return jdbc.sql("""
                update executions set status = 'executing', updated_at = :now
                where tenant_id = :t and id = :id and status = :seen and updated_at = :seenAt
                """).param("now", now()).param("t", tenantId).param("id", id).param("seen", seenStatus)
                .param("seenAt", seenUpdatedAt).update() == 1;
    }

    /**
     * Executions whose provider outcome nobody knows: {@code outcome_unknown} for longer than
     * {@code unknownFor}, or stuck {@code executing} for longer than {@code executingFor} (the process
     * that called the provider died). Oldest first, across tenants.
     */
    public List<Execution> awaitingReconciliation(Duration unknownFor, Duration executingFor, int limit) {
        OffsetDateTime now = now();
        return jdbc.sql(SELECT + """
                 where (status = 'outcome_unknown' and updated_at <= :unknownBefore)
                    or (status = 'executing' and updated_at <= :executingBefore)
                 order by updated_at limit :limit
                """).param("unknownBefore", now.minus(unknownFor)).param("executingBefore", now.minus(executingFor))
                .param("limit", limit).query(this::map).list();
    }

    public Optional<Execution> find(String tenantId, String id) {
        return jdbc.sql(SELECT + " where tenant_id = :t and id = :id").param("t", tenantId).param("id", id)
                .query(this::map).optional();
    }

    /** {@link #findByKey} as a read of a round trip: parameters {@code tenant}, {@code idempotency_key}. */
    public Reads.Read<Execution> byKeyRead() {
        return new Reads.Read<>(SELECT + " where tenant_id = :tenant and idempotency_key = :idempotency_key", this::map);
    }

    public Optional<Execution> findByKey(String tenantId, String key) {
        return jdbc.sql(byKeyRead().sql()).param("tenant", tenantId).param("idempotency_key", key).query(this::map)
                .optional();
    }

    private Execution map(ResultSet rs, int n) throws SQLException {
        return new Execution(rs.getString("id"), rs.getString("tenant_id"), rs.getString("idempotency_key"),
                rs.getString("payload"), rs.getString("payload_digest"), rs.getString("connector"),
                rs.getString("action"), rs.getString("provider"), rs.getString("status"),
                rs.getString("requested_by_key_id"), rs.getString("approval_id"), rs.getString("grant_id"),
                rs.getLong("spend_impact_minor"), rs.getString("currency"), parse(rs.getString("result")),
                parse(rs.getString("error")), rs.getObject("created_at", OffsetDateTime.class),
                rs.getObject("updated_at", OffsetDateTime.class));
    }

    private Map<String, Object> parse(String text) {
        return text == null ? null : json.readValue(text, new TypeReference<Map<String, Object>>() {});
    }

    private Execution counted(Execution e) {
        metrics.executionReached(e.action(), e.provider(), e.status());
        return e;
    }

    private OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }
}
