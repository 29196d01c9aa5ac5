package dev.minutework.broker.core.receipt;

import dev.minutework.broker.core.json.CanonicalJson;

/**
 * The link hash of the broker's audit logs. Each entry's hash covers the log's owner (tenant or
 * provider account), its sequence number, kind, payload digest and the previous entry's hash, so
 * any edit, deletion, insertion or reordering breaks the chain at the first affected sequence
 * number; {@link AuditLog#verify} checks a log with it.
 */
public final class ReceiptChain {

    public static final String GENESIS = "0".repeat(64);

    private ReceiptChain() {}

    public static String linkHash(String tenantId, long seq, String kind, String payloadDigest, String prevHash) {
        return CanonicalJson.sha256Hex(tenantId + "\n" + seq + "\n" + kind + "\n" + payloadDigest + "\n" + prevHash);
    }
}
