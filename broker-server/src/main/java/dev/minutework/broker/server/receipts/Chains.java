package dev.minutework.broker.server.receipts;

import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.core.receipt.ReceiptChain;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Per-tenant hash chains. {@link #next} locks the chain's head row, so links of one tenant's chain
 * are appended one at a time, in the caller's transaction, with gapless sequence numbers.
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
        Head head = lockHead(chain, tenantId);
        long seq = head.seq() + 1;
        String canonical = CanonicalJson.canonicalize(payload);
        String digest = CanonicalJson.sha256Hex(canonical);
        String hash = ReceiptChain.linkHash(tenantId, seq, kind, digest, head.hash());
        jdbc.sql(MOVE_HEAD).param("seq", seq).param("hash", hash).param("tenant", tenantId).param("chain", chain).update();
        return new Link(seq, canonical, digest, head.hash(), hash);
    }

    /** Locks a chain's head until the transaction ends, without appending. */
    @Transactional(propagation = Propagation.MANDATORY)
    public Head lock(String chain, String tenantId) {
        return lockHead(chain, tenantId);
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
