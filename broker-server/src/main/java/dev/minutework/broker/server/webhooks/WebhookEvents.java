package dev.minutework.broker.server.webhooks;

import dev.minutework.broker.server.receipts.Chains;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * BrokerWebhookEvent rows: every delivery, valid or not, append-only and hash-chained
 * ({@link Chains#WEBHOOKS}); verified like every audit log by {@code receipts.AuditVerifier}. The chain is kept per provider account: the {@code tenant_id} column
 * holds the provider account id, because a delivery belongs to the platform-owned account it was
 * addressed to (which may serve several tenants, and whose unverified bytes name no tenant at all).
 */
@Repository
public class WebhookEvents {

    private static final String INSERT = """
            insert into broker_webhook_events (tenant_id, seq, kind, provider, provider_event_id, signature_verdict,
                                               raw_body_digest, payload, payload_digest, prev_hash, hash, created_at)
            values (:tenant, :seq, :kind, :provider, :event, :verdict, :raw, :payload, :digest, :prev, :hash, :at)
            """;

    private final JdbcClient jdbc;
    private final Chains chains;

    WebhookEvents(JdbcClient jdbc, Chains chains) {
        this.jdbc = jdbc;
        this.chains = chains;
    }

    /** Locks the account's webhook chain for the rest of the transaction (deliveries one at a time). */
    @Transactional(propagation = Propagation.MANDATORY)
    void lock(String providerAccountId) {
        chains.lock(Chains.WEBHOOKS, providerAccountId);
    }

    /** Whether an event with this provider event id is already stored. */
    boolean seen(String provider, String providerEventId) {
        return jdbc.sql("select count(*) from broker_webhook_events where provider = :p and provider_event_id = :e")
                .param("p", provider).param("e", providerEventId).query(Long.class).single() > 0;
    }

    /** Appends one delivery to the account's chain; {@code providerEventId} is null for an unverified one. */
    @Transactional(propagation = Propagation.MANDATORY)
    long append(String providerAccountId, String kind, String provider, String providerEventId, String verdict,
            String rawBodyDigest, Map<String, Object> payload, OffsetDateTime at) {
        Chains.Link link = chains.append(Chains.WEBHOOKS, providerAccountId, kind, payload, INSERT, l -> {
            Map<String, Object> row = Chains.linkRow(providerAccountId, kind, l);
            row.put("provider", provider);
            row.put("event", providerEventId);
            row.put("verdict", verdict);
            row.put("raw", rawBodyDigest);
            row.put("at", at);
            return row;
        });
        return link.seq();
    }

    /** One stored event, as tests and operators read it. */
    public record Row(long seq, String kind, String provider, String providerEventId, String signatureVerdict,
            String rawBodyDigest, String payload) {}

    public List<Row> of(String providerAccountId) {
        return jdbc.sql("""
                select seq, kind, provider, provider_event_id, signature_verdict, raw_body_digest, payload
                from broker_webhook_events where tenant_id = :account order by seq
                """).param("account", providerAccountId)
                .query((rs, n) -> new Row(rs.getLong("seq"), rs.getString("kind"), rs.getString("provider"),
                        rs.getString("provider_event_id"), rs.getString("signature_verdict"),
                        rs.getString("raw_body_digest"), rs.getString("payload")))
                .list();
    }
}
