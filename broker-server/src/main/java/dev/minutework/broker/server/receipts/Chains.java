package dev.minutework.broker.server.receipts;

import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.core.receipt.ReceiptChain;
import dev.minutework.broker.server.persistence.Writes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.springframework.jdbc.core.RowMapper;
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
 * is kept in memory, and the links' rows are held back: just before commit they are inserted and
 * the heads moved in one round trip to the database, however many receipts the decision appended.
 * A transaction that rolls back inserts nothing and leaves the heads where they were.
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
    private static final String LOCK_HEADS = """
            select chain, seq, hash from chain_heads where tenant_id = :tenant and chain = any(:chains)
            order by chain for update
            """;
    private static final RowMapper<Head> HEAD = (rs, n) -> new Head(rs.getLong("seq"), rs.getString("hash"));
    private static final String MOVE_HEAD = """
            update chain_heads set seq = :seq, hash = :hash where tenant_id = :tenant and chain = :chain
            """;

    private final JdbcClient jdbc;
    private final Writes writes;

    Chains(JdbcClient jdbc, Writes writes) {
        this.jdbc = jdbc;
        this.writes = writes;
    }

    /** A link of a chain: its sequence number, canonical payload, digest and hashes. */
    public record Link(long seq, String payload, String payloadDigest, String prevHash, String hash) {}

    /** The recorded head of a chain. */
    public record Head(long seq, String hash) {}

    /**
     * Appends a link and holds its row back until just before commit: {@code row} maps the link to
     * the parameters of {@code insertSql}, which inserts it.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Link append(String chain, String tenantId, String kind, Map<String, Object> payload, String insertSql,
            Function<Link, Map<String, Object>> row) {
        Link link = next(chain, tenantId, kind, payload);
        pending().rows.add(new Writes.Write(insertSql, row.apply(link)));
        return link;
    }

    /**
     * The parameters every chained table's row shares — {@code tenant}, {@code seq}, {@code kind},
     * {@code payload}, {@code digest}, {@code prev}, {@code hash} — for the caller to add its own to.
     */
    public static Map<String, Object> linkRow(String tenantId, String kind, Link link) {
        Map<String, Object> row = new HashMap<>();
        row.put("tenant", tenantId);
        row.put("seq", link.seq());
        row.put("kind", kind);
        row.put("payload", link.payload());
        row.put("digest", link.payloadDigest());
        row.put("prev", link.prevHash());
        row.put("hash", link.hash());
        return row;
    }

    private Link next(String chain, String tenantId, String kind, Map<String, Object> payload) {
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

    /**
     * Locks several chain heads of a tenant until the transaction ends, in one round trip when they
     * all exist; they are locked in the order given, which must be the order every transaction
     * takes them in.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void lockAll(String tenantId, List<String> chainsInOrder) {
        Held held = pending();
        List<String> wanted = chainsInOrder.stream().filter(c -> !held.heads.containsKey(key(c, tenantId))).toList();
        if (wanted.size() > 1) {
            List<String> sorted = wanted.stream().sorted().toList();
            if (sorted.equals(wanted)) { // the statement locks in its ORDER BY order
                jdbc.sql(LOCK_HEADS).param("tenant", tenantId).param("chains", wanted.toArray(String[]::new))
                        .query((rs, n) -> {
                            String chain = rs.getString("chain");
                            held.heads.put(key(chain, tenantId), new Pending(chain, tenantId, HEAD.mapRow(rs, n)));
                            return chain;
                        }).list();
            }
        }
        // a head not locked above has never been used and is created now. Only a later chain can be
        // missing while an earlier one exists (a spend policy receipt always comes with a broker
        // receipt), so the order still holds
        for (String chain : wanted) {
            held(chain, tenantId);
        }
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

    /** What the current transaction holds: locked heads and the rows of the links it appended. */
    private static final class Held {
        final Map<String, Pending> heads = new LinkedHashMap<>();
        final List<Writes.Write> rows = new ArrayList<>();
    }

    private Held pending() {
        Held held = (Held) TransactionSynchronizationManager.getResource(this);
        if (held != null) {
            return held;
        }
        Held fresh = new Held();
        TransactionSynchronizationManager.bindResource(this, fresh);
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void beforeCommit(boolean readOnly) {
                writeHeld(fresh);
            }

            @Override
            public void afterCompletion(int status) {
                TransactionSynchronizationManager.unbindResourceIfPossible(Chains.this);
            }
        });
        return fresh;
    }

    private void writeHeld(Held held) {
        List<Writes.Write> writes = new ArrayList<>(held.rows);
        held.rows.clear();
        for (Pending p : held.heads.values()) {
            if (p.moved) {
                writes.add(new Writes.Write(MOVE_HEAD, Map.of("seq", p.seq, "hash", p.hash, "tenant", p.tenantId,
                        "chain", p.chain)));
                p.moved = false;
            }
        }
        this.writes.together(writes);
    }

    private static String key(String chain, String tenantId) {
        return chain + "|" + tenantId;
    }

    private Pending held(String chain, String tenantId) {
        return pending().heads.computeIfAbsent(key(chain, tenantId),
                k -> new Pending(chain, tenantId, lockHead(chain, tenantId)));
    }

    private Head lockHead(String chain, String tenantId) {
        return jdbc.sql(LOCK_HEAD).param("tenant", tenantId).param("chain", chain)
                .query(HEAD).optional()
                .orElseGet(() -> {
                    jdbc.sql(ENSURE_HEAD).param("tenant", tenantId).param("chain", chain)
                            .param("genesis", ReceiptChain.GENESIS).update();
                    return jdbc.sql(LOCK_HEAD).param("tenant", tenantId).param("chain", chain)
                            .query(HEAD).single();
                });
    }

    public Head head(String chain, String tenantId) {
        return jdbc.sql("select seq, hash from chain_heads where tenant_id = :tenant and chain = :chain")
                .param("tenant", tenantId).param("chain", chain)
                .query(HEAD).optional()
                .orElse(new Head(0, ReceiptChain.GENESIS));
    }
}
