package dev.minutework.broker.server.receipts;

import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import dev.minutework.broker.core.receipt.AuditLog;
import dev.minutework.broker.core.receipt.Checkpoint;
import dev.minutework.broker.core.receipt.MerkleTree;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Signed checkpoints of the audit logs (table {@code receipt_checkpoints}, append-only): each pins
 * a log's size and Merkle tree head, signed by {@link CheckpointKey}. The durable job {@value #JOB}
 * publishes one for every log that grew, every {@code broker.checkpoints.interval}; asking for the
 * checkpoint publishes one at once. A log that does not verify is never signed. Proofs — a
 * receipt's inclusion in a checkpointed tree, one tree's consistency with a later one — are
 * computed from the entries as served.
 */
@Configuration(proxyBeanMethods = false)
public class Checkpoints {

    static final String JOB = "receipt-checkpoints";
    private static final Logger log = LoggerFactory.getLogger(Checkpoints.class);

    private final JdbcClient jdbc;
    private final AuditEntries entries;
    private final CheckpointKey key;
    private final Clock clock;

    Checkpoints(JdbcClient jdbc, AuditEntries entries, CheckpointKey key, Clock clock) {
        this.jdbc = jdbc;
        this.entries = entries;
        this.key = key;
        this.clock = clock;
    }

    /** One published checkpoint. */
    public record Published(AuditLog.Chain chain, String ownerId, long size, byte[] rootHash, String note,
            OffsetDateTime createdAt) {}

    @Bean
    RecurringTask<Void> receiptCheckpointsJob(@Value("${broker.checkpoints.interval:PT10M}") Duration interval) {
        return Tasks.recurring(JOB, FixedDelay.of(interval)).execute((instance, context) -> {
            Map<String, Integer> outcome = runOnce();
            if (!outcome.isEmpty()) {
                log.info("receipt checkpoints: {}", outcome);
            }
        });
    }

    /** One pass: a checkpoint for every log whose head is past its latest checkpoint. */
    public Map<String, Integer> runOnce() {
        Map<String, Integer> counts = new TreeMap<>();
        List<String[]> grown = jdbc.sql("""
                select h.chain, h.tenant_id from chain_heads h
                where h.seq > coalesce((select max(c.tree_size) from receipt_checkpoints c
                                        where c.chain = h.chain and c.owner_id = h.tenant_id), 0)
                order by h.chain, h.tenant_id
                """).query((rs, n) -> new String[] {rs.getString(1), rs.getString(2)}).list();
        for (String[] g : grown) {
            try {
                counts.merge(publish(AuditLog.Chain.of(g[0]), g[1]).isPresent() ? "published" : "not_valid", 1,
                        Integer::sum);
            } catch (RuntimeException ex) {
                log.warn("checkpointing log {} of {} failed: {}", g[0], g[1], ex.getClass().getName());
                counts.merge("error", 1, Integer::sum);
            }
        }
        return counts;
    }

    /**
     * A checkpoint of the log as it is now: the latest one when the log has not grown since, else a
     * new one, signed and stored. Empty when the log does not verify (nothing is signed then).
     */
    public Optional<Published> publish(AuditLog.Chain chain, String ownerId) {
        List<Map<String, Object>> all = entries.all(chain, ownerId);
        List<byte[]> leaves = AuditLog.leafHashes(all);
        Optional<Published> latest = latest(chain, ownerId);
        if (!AuditLog.verify(chain, ownerId, all).valid() || latest.filter(cp -> !agrees(cp, leaves)).isPresent()) {
            log.error("audit log {} of {} does not verify against its entries or its latest checkpoint;"
                    + " no checkpoint is signed", chain.wire(), ownerId);
            return Optional.empty();
        }
        if (latest.isPresent() && latest.get().size() == all.size()) {
            return latest;
        }
        byte[] root = MerkleTree.root(leaves, leaves.size());
        Checkpoint cp = new Checkpoint(AuditLog.origin(key.name(), chain, ownerId), all.size(), root);
        String note = key.sign(cp);
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        jdbc.sql("""
                insert into receipt_checkpoints (chain, owner_id, tree_size, root_hash, note, created_at)
                values (:chain, :owner, :size, :root, :note, :at) on conflict do nothing
                """).param("chain", chain.wire()).param("owner", ownerId).param("size", (long) all.size())
                .param("root", Base64.getEncoder().encodeToString(root)).param("note", note).param("at", now).update();
        return checkpoint(chain, ownerId, all.size());
    }

    /** Whether the log's first entries (given by their leaf hashes) are exactly what the checkpoint signed. */
    public static boolean agrees(Published checkpoint, List<byte[]> leaves) {
        long size = checkpoint.size();
        return size <= leaves.size()
                && Arrays.equals(MerkleTree.root(leaves, Math.toIntExact(size)), checkpoint.rootHash());
    }

    /** The latest stored checkpoint of a log. */
    public Optional<Published> latest(AuditLog.Chain chain, String ownerId) {
        return jdbc.sql("""
                select tree_size, root_hash, note, created_at from receipt_checkpoints
                where chain = :chain and owner_id = :owner order by tree_size desc limit 1
                """).param("chain", chain.wire()).param("owner", ownerId).query((rs, n) -> published(chain, ownerId,
                        rs.getLong(1), rs.getString(2), rs.getString(3), rs.getObject(4, OffsetDateTime.class)))
                .optional();
    }

    /** The stored checkpoint of a log at one size. */
    public Optional<Published> checkpoint(AuditLog.Chain chain, String ownerId, long size) {
        return jdbc.sql("""
                select tree_size, root_hash, note, created_at from receipt_checkpoints
                where chain = :chain and owner_id = :owner and tree_size = :size
                """).param("chain", chain.wire()).param("owner", ownerId).param("size", size)
                .query((rs, n) -> published(chain, ownerId, rs.getLong(1), rs.getString(2), rs.getString(3),
                        rs.getObject(4, OffsetDateTime.class)))
                .optional();
    }

    private static Published published(AuditLog.Chain chain, String ownerId, long size, String root, String note,
            OffsetDateTime at) {
        return new Published(chain, ownerId, size, Base64.getDecoder().decode(root), note, at);
    }

    /** An inclusion proof: the entry's leaf hash and audit path in the tree of {@code size}. */
    public record Inclusion(long seq, long size, byte[] leafHash, List<byte[]> path, byte[] rootHash) {}

    public Inclusion inclusion(AuditLog.Chain chain, String ownerId, long seq, long size) {
        List<Map<String, Object>> all = entries.all(chain, ownerId);
        if (seq < 1 || size < seq || size > all.size()) {
            throw new IllegalArgumentException("seq must be 1..tree_size and tree_size at most " + all.size());
        }
        List<byte[]> leaves = AuditLog.leafHashes(all);
        int index = Math.toIntExact(seq - 1);
        int n = Math.toIntExact(size);
        return new Inclusion(seq, size, leaves.get(index), MerkleTree.inclusionProof(leaves, index, n),
                MerkleTree.root(leaves, n));
    }

    /** A consistency proof between the trees of {@code first} and {@code second} entries. */
    public record Consistency(long first, long second, byte[] firstRoot, byte[] secondRoot, List<byte[]> proof) {}

    public Consistency consistency(AuditLog.Chain chain, String ownerId, long first, long second) {
        List<Map<String, Object>> all = entries.all(chain, ownerId);
        if (first < 1 || second < first || second > all.size()) {
            throw new IllegalArgumentException("need 1 ≤ first ≤ second ≤ " + all.size());
        }
        List<byte[]> leaves = AuditLog.leafHashes(all);
        int m = Math.toIntExact(first);
        int n = Math.toIntExact(second);
        return new Consistency(first, second, MerkleTree.root(leaves, m), MerkleTree.root(leaves, n),
                MerkleTree.consistencyProof(leaves, m, n));
    }

    /** The verifier key of the checkpoint signing key. */
    public String verifierKey() {
        return key.verifierKey();
    }

    public String keyName() {
        return key.name();
    }
}
