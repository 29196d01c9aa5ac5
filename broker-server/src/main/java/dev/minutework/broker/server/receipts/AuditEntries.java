package dev.minutework.broker.server.receipts;

import dev.minutework.broker.core.receipt.AuditLog;
import dev.minutework.broker.server.api.Times;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The entries of the three audit logs exactly as the API serves them — every field — read in
 * sequence order: what {@code GET /v1/receipts} pages through, what the export holds, and what the
 * Merkle leaves of checkpoints and proofs are made of ({@link AuditLog}).
 */
@Repository
public class AuditEntries {

    private static final Map<AuditLog.Chain, String> SELECT = Map.of(
            AuditLog.Chain.RECEIPTS, """
                    select seq, kind, execution_id, actor, payload, payload_digest, prev_hash, hash, created_at
                    from broker_receipts where tenant_id = :owner and seq > :after order by seq limit :limit
                    """,
            AuditLog.Chain.SPEND_POLICY, """
                    select seq, kind, reservation_id, payload, payload_digest, prev_hash, hash, created_at
                    from spend_policy_receipts where tenant_id = :owner and seq > :after order by seq limit :limit
                    """,
            AuditLog.Chain.WEBHOOKS, """
                    select seq, kind, provider, provider_event_id, signature_verdict, raw_body_digest, payload,
                           payload_digest, prev_hash, hash, created_at
                    from broker_webhook_events where tenant_id = :owner and seq > :after order by seq limit :limit
                    """);

    private final JdbcClient jdbc;

    AuditEntries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Up to {@code limit} entries after sequence number {@code afterSeq}. */
    public List<Map<String, Object>> page(AuditLog.Chain chain, String ownerId, long afterSeq, int limit) {
        return jdbc.sql(SELECT.get(chain)).param("owner", ownerId).param("after", afterSeq).param("limit", limit)
                .query((rs, n) -> entry(chain, rs)).list();
    }

    /** Every entry of the log. */
    public List<Map<String, Object>> all(AuditLog.Chain chain, String ownerId) {
        return page(chain, ownerId, 0, Integer.MAX_VALUE);
    }

    private static Map<String, Object> entry(AuditLog.Chain chain, ResultSet rs) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", rs.getLong("seq"));
        m.put("kind", rs.getString("kind"));
        switch (chain) {
            case RECEIPTS -> {
                m.put("execution_id", rs.getString("execution_id"));
                m.put("actor", rs.getString("actor"));
            }
            case SPEND_POLICY -> m.put("reservation_id", rs.getString("reservation_id"));
            case WEBHOOKS -> {
                m.put("provider", rs.getString("provider"));
                m.put("provider_event_id", rs.getString("provider_event_id"));
                m.put("signature_verdict", rs.getString("signature_verdict"));
                m.put("raw_body_digest", rs.getString("raw_body_digest"));
            }
        }
        m.put("payload", rs.getString("payload"));
        m.put("payload_digest", rs.getString("payload_digest"));
        m.put("prev_hash", rs.getString("prev_hash"));
        m.put("hash", rs.getString("hash"));
        m.put("created_at", Times.rfc3339(rs.getObject("created_at", OffsetDateTime.class)));
        return m;
    }
}
