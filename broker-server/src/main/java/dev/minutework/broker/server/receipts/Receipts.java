package dev.minutework.broker.server.receipts;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * BrokerReceipt: one append-only, payload-digested, hash-chained row per broker decision. Callers
 * record receipts inside the transaction that makes the decision, so a decision without its
 * receipt cannot be committed (the rows are written just before that transaction commits).
 */
@Repository
public class Receipts {

    private static final String INSERT = """
            insert into broker_receipts (tenant_id, seq, kind, execution_id, actor, payload, payload_digest,
                                         prev_hash, hash, created_at)
            values (:tenant, :seq, :kind, :execution, :actor, :payload, :digest, :prev, :hash, :at)
            """;

    private final JdbcClient jdbc;
    private final Chains chains;
    private final Clock clock;

    Receipts(JdbcClient jdbc, Chains chains, Clock clock) {
        this.jdbc = jdbc;
        this.chains = chains;
        this.clock = clock;
    }

    /**
     * Locks the tenant's receipt chain for the rest of the transaction. Every transaction that
     * moves money or grants calls this first, so locks are always taken in one order (receipt
     * chain, grant, authorization, wallet, spend policy chain) and cannot deadlock.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void lockChain(String tenantId) {
        chains.lock(Chains.RECEIPTS, tenantId);
    }

    /**
     * {@link #lockChain} for a transaction that will also reserve or release spend: the spend
     * policy chain's head is locked with the receipt chain's, in the same round trip. Under the
     * receipt chain's lock a tenant's money-moving transactions already run one at a time, so
     * taking the spend policy head this early cannot deadlock.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void lockChainForSpend(String tenantId) {
        chains.lockAll(tenantId, List.of(Chains.RECEIPTS, Chains.SPEND_POLICY));
    }

    /**
     * Appends a receipt. {@code details} must never hold a credential: callers pass ids, codes,
     * digests and amounts, never raw provider input or secrets.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public long record(String tenantId, String kind, String executionId, String actor, Map<String, Object> details) {
        OffsetDateTime at = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        Map<String, Object> payload = new LinkedHashMap<>(details);
        payload.put("kind", kind);
        payload.put("tenant_id", tenantId);
        payload.put("execution_id", executionId);
        payload.put("actor", actor);
        payload.put("at", at.toString());
        Chains.Link link = chains.append(Chains.RECEIPTS, tenantId, kind, payload, INSERT, l -> {
            Map<String, Object> row = Chains.linkRow(tenantId, kind, l);
            row.put("execution", executionId);
            row.put("actor", actor);
            row.put("at", at);
            return row;
        });
        return link.seq();
    }

    public List<String> kindsOfExecution(String tenantId, String executionId) {
        return jdbc.sql("select kind from broker_receipts where tenant_id = :tenant and execution_id = :e order by seq")
                .param("tenant", tenantId).param("e", executionId).query(String.class).list();
    }
}
