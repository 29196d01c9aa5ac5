package dev.minutework.broker.server.receipts;

import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.core.receipt.ReceiptChain;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Per-tenant hash chains. The first use of a chain in a transaction locks its head row
 * ({@code SELECT … FOR UPDATE}), so links of one tenant's chain are appended one transaction at a
 * time, across broker processes, with gapless sequence numbers. Within the transaction the head
 * is kept in memory and written back once, just before commit: a decision that appends several
 * receipts moves the head row once, not once per receipt.
 */
@Component
public class Chains {

    public static final String RECEIPTS = "receipts";
    public static final String SPEND_POLICY = "spend_policy";
    public static final String WEBHOOKS = "webhooks";

    private static final String ENSURE_HEAD = """
            insert into chain_heads (tenant_id, chain, seq, hash) values (:tenant, :chain, 0, :genesis)
            on conflict (tenant_id, chain) do nothing
            """;
    private static final String LOCK_HEAD = """
            select seq, hash from chain_heads where tenant_id = :tenant and chain = :chain for update
            """;
    private static final String MOVE_HEAD = """
            update chain_heads set seq = :seq, hash = :hash where tenant_id = :tenant and chain = :chain
            """;

    private final JdbcClient jdbc;

    Chains(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The next link of a chain: the caller inserts its row in the same transaction. */
    public record Link(long seq, String payload, String payloadDigest, String prevHash, String hash) {}

    /** The recorded head of a chain. */
    public record Head(long seq, String hash) {}

    @Transactional(propagation = Propagation.MANDATORY)
    public Link next(String chain, String tenantId, String kind, Map<String, Object> payload) {
        Pending head = held(chain, tenantId);
        long seq = head.seq + 1;
        String canonical = CanonicalJson.canonicalize(payload);
        String digest = CanonicalJson.sha256Hex(canonical);
        String hash = ReceiptChain.linkHash(tenantId, seq, kind, digest, head.hash);
        Link link = new Link(seq, canonical, digest, head.hash, hash);
        head.seq = seq;
        head.hash = hash;
        head.moved = true;
        return link;
    }

    /** Locks a chain's head until the transaction ends, without appending. */
    @Transactional(propagation = Propagation.MANDATORY)
    public Head lock(String chain, String tenantId) {
        Pending head = held(chain, tenantId);
        return new Head(head.seq, head.hash);
    }

    /** A chain head locked by the current transaction, as the transaction has moved it so far. */
    private static final class Pending {
        final String chain;
        final String tenantId;
        long seq;
        String hash;
        boolean moved;

        Pending(String chain, String tenantId, Head locked) {
            this.chain = chain;
            this.tenantId = tenantId;
            this.seq = locked.seq();
            this.hash = locked.hash();
        }
    }

    private Pending held(String chain, String tenantId) {
        @SuppressWarnings("unchecked")
        Map<String, Pending> heads = (Map<String, Pending>) TransactionSynchronizationManager.getResource(this);
        if (heads == null) {
            Map<String, Pending> fresh = new LinkedHashMap<>();
            TransactionSynchronizationManager.bindResource(this, fresh);
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void beforeCommit(boolean readOnly) {
                    for (Pending p : fresh.values()) {
                        if (p.moved) {
                            jdbc.sql(MOVE_HEAD).param("seq", p.seq).param("hash", p.hash).param("tenant", p.tenantId)
                                    .param("chain", p.chain).update();
                        }
                    }
                }

                @Override
                public void afterCompletion(int status) {
                    TransactionSynchronizationManager.unbindResourceIfPossible(Chains.this);
                }
            });
            heads = fresh;
        }
        return heads.computeIfAbsent(chain + "|" + tenantId, k -> new Pending(chain, tenantId, lockHead(chain, tenantId)));
    }

    private Head lockHead(String chain, String tenantId) {
        return jdbc.sql(LOCK_HEAD).param("tenant", tenantId).param("chain", chain)
                .query((rs, n) -> new Head(rs.getLong("seq"), rs.getString("hash"))).optional()
                .orElseGet(() -> {
                    jdbc.sql(ENSURE_HEAD).param("tenant", tenantId).param("chain", chain)
                            .param("genesis", ReceiptChain.GENESIS).update();
                    return jdbc.sql(LOCK_HEAD).param("tenant", tenantId).param("chain", chain)
                            .query((rs, n) -> new Head(rs.getLong("seq"), rs.getString("hash"))).single();
                });
    }

    public Head head(String chain, String tenantId) {
        return jdbc.sql("select seq, hash from chain_heads where tenant_id = :tenant and chain = :chain")
                .param("tenant", tenantId).param("chain", chain)
                .query((rs, n) -> new Head(rs.getLong("seq"), rs.getString("hash"))).optional()
                .orElse(new Head(0, ReceiptChain.GENESIS));
    }
}
