package dev.minutework.broker.core.receipt;

import dev.minutework.broker.core.json.CanonicalJson;
import java.util.List;

/**
 * Hash chain over a tenant's receipts. Each link's hash covers the tenant, its sequence number,
 * kind, payload digest and the previous link's hash, so any edit, deletion, insertion or
 * reordering breaks verification at the first affected sequence number.
 */
public final class ReceiptChain {

    public static final String GENESIS = "0".repeat(64);

    private ReceiptChain() {}

    public static String linkHash(String tenantId, long seq, String kind, String payloadDigest, String prevHash) {
        return CanonicalJson.sha256Hex(tenantId + "\n" + seq + "\n" + kind + "\n" + payloadDigest + "\n" + prevHash);
    }

    /** The outcome of verifying a chain. {@code firstBadSeq} is {@code null} when valid. */
    public record Verification(boolean valid, long count, String head, Long firstBadSeq) {}

    /**
     * Verifies links in stored order against the recorded head.
     *
     * @param links the tenant's receipts ordered by {@code seq}
     * @param headSeq the sequence number the tenant's chain head records (0 when empty)
     * @param headHash the hash the head records ({@link #GENESIS} when empty)
     */
    public static Verification verify(String tenantId, List<ChainLink> links, long headSeq, String headHash) {
        String prev = GENESIS;
        long expected = 1;
        for (ChainLink link : links) {
            boolean ok = link.seq() == expected
                    && link.prevHash().equals(prev)
                    && CanonicalJson.sha256Hex(link.payload()).equals(link.payloadDigest())
                    && linkHash(tenantId, link.seq(), link.kind(), link.payloadDigest(), link.prevHash()).equals(link.hash());
            if (!ok) {
                return new Verification(false, links.size(), prev, Math.min(link.seq(), expected));
            }
            prev = link.hash();
            expected++;
        }
        long count = links.size();
        if (count != headSeq || !prev.equals(headHash)) {
            // receipts were removed from (or added to) the end behind the chain head's back
            return new Verification(false, count, prev, Math.min(count, headSeq) + 1);
        }
        return new Verification(true, count, prev, null);
    }
}
