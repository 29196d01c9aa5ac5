package dev.minutework.broker.server.receipts;

import dev.minutework.broker.core.receipt.AuditLog;
import dev.minutework.broker.core.receipt.ReceiptChain;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * How the audit logs stand, for {@code GET /v1/receipts/verify} and the console alike: each log
 * against its entries ({@link AuditLog#verify}: links, digests, every served field), its recorded
 * head (a cut tail) and its latest signed checkpoint (a rewrite that recomputed every later hash).
 */
@Component
public class AuditVerifier {

    private final AuditEntries entries;
    private final Chains chains;
    private final Checkpoints checkpoints;

    AuditVerifier(AuditEntries entries, Chains chains, Checkpoints checkpoints) {
        this.entries = entries;
        this.chains = chains;
        this.checkpoints = checkpoints;
    }

    /** One log's verdict; {@code problem} says in words what is wrong (null when valid). */
    public record LogVerdict(AuditLog.Chain chain, boolean valid, long count, String head, Long firstBadSeq,
            String problem, Long checkpointSize) {}

    /**
     * A tenant's logs (receipts first, then spend-policy receipts): valid when both are; count,
     * head and first bad sequence number are the receipts log's.
     */
    public record TenantVerdict(boolean valid, long count, String head, Long firstBadSeq, List<LogVerdict> logs) {}

    public TenantVerdict verifyTenant(String tenantId) {
        LogVerdict receipts = verify(AuditLog.Chain.RECEIPTS, tenantId);
        LogVerdict spend = verify(AuditLog.Chain.SPEND_POLICY, tenantId);
        return new TenantVerdict(receipts.valid() && spend.valid(), receipts.count(), receipts.head(),
                receipts.firstBadSeq(), List.of(receipts, spend));
    }

    public LogVerdict verify(AuditLog.Chain chain, String ownerId) {
        List<Map<String, Object>> all = entries.all(chain, ownerId);
        AuditLog.Verification v = AuditLog.verify(chain, ownerId, all);
        Chains.Head head = chains.head(chain.wire(), ownerId);
        String problem = v.problem();
        Long firstBad = v.firstBadSeq();
        if (v.valid() && (all.size() != head.seq() || !v.head().equals(head.hash()))) {
            problem = "entries were removed from or added to the end behind the chain head's back";
            firstBad = Math.min(all.size(), head.seq()) + 1;
        }
        Optional<Checkpoints.Published> latest = checkpoints.latest(chain, ownerId);
        if (problem == null && latest.filter(cp -> !Checkpoints.agrees(cp, AuditLog.leafHashes(all))).isPresent()) {
            problem = "the entries are not those the latest signed checkpoint pinned (edited, removed or rewritten)";
            firstBad = 1L;
        }
        return new LogVerdict(chain, problem == null, all.size(), v.valid() ? v.head() : ReceiptChain.GENESIS, firstBad,
                problem, latest.map(Checkpoints.Published::size).orElse(null));
    }
}
