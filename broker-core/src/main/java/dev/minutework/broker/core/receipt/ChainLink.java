package dev.minutework.broker.core.receipt;

/**
 * One stored receipt as the chain sees it.
 *
 * @param seq the tenant-local sequence number, 1-based and gapless
 * @param kind what happened, e.g. {@code execution.accepted}
 * @param payload the RFC 8785 canonical JSON payload, exactly as stored
 * @param payloadDigest hex SHA-256 of {@code payload}
 * @param prevHash the previous link's hash ({@link ReceiptChain#GENESIS} for the first)
 * @param hash this link's hash
 */
public record ChainLink(long seq, String kind, String payload, String payloadDigest, String prevHash, String hash) {}
