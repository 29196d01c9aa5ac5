package dev.minutework.broker.core.receipt;

import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.core.json.JsonParser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The broker's three audit logs as anyone can check them: each entry is the object the API serves
 * (every field), chained — its payload digested, its link hash over owner, sequence number, kind,
 * digest and the previous hash ({@link ReceiptChain#linkHash}) — and every served field outside the
 * payload must repeat what the payload says, so no served field escapes the hash. The entries are
 * the leaves of the log's Merkle tree ({@link MerkleTree}: the leaf is the entry's RFC 8785
 * canonical JSON), whose signed {@link Checkpoint}s pin what the log held.
 */
public final class AuditLog {

    private AuditLog() {}

    /** A log kind: what one entry holds beside the chain fields, and how it must agree with the payload. */
    public enum Chain {
        /** BrokerReceipt, one log per tenant. */
        RECEIPTS("receipts"),
        /** AdsSpendPolicyReceipt, one log per tenant. */
        SPEND_POLICY("spend_policy"),
        /** BrokerWebhookEvent, one log per provider account. */
        WEBHOOKS("webhooks");

        private final String wire;

        Chain(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        public static Chain of(String wire) {
            for (Chain c : values()) {
                if (c.wire.equals(wire)) {
                    return c;
                }
            }
            throw new IllegalArgumentException("no audit log " + wire);
        }
    }

    /** The outcome of checking a log: valid, or the first entry that is not (and why). */
    public record Verification(boolean valid, long count, String head, Long firstBadSeq, String problem) {

        static Verification ok(long count, String head) {
            return new Verification(true, count, head, null, null);
        }
    }

    /** The Merkle leaf hash of one served entry. */
    public static byte[] leafHash(Map<String, Object> entry) {
        return MerkleTree.leafHash(CanonicalJson.canonicalize(entry).getBytes(StandardCharsets.UTF_8));
    }

    public static List<byte[]> leafHashes(List<Map<String, Object>> entries) {
        List<byte[]> out = new ArrayList<>(entries.size());
        entries.forEach(e -> out.add(leafHash(e)));
        return out;
    }

    /** The log's origin line in checkpoints: {@code <key name>/<chain>/<owner id>}. */
    public static String origin(String keyName, Chain chain, String ownerId) {
        return keyName + "/" + chain.wire() + "/" + ownerId;
    }

    /**
     * Checks a log's entries in order: gapless sequence numbers from 1, each link and digest, and
     * that the served fields outside the payload repeat the payload.
     */
    public static Verification verify(Chain chain, String ownerId, List<Map<String, Object>> entries) {
        String prev = ReceiptChain.GENESIS;
        long expected = 1;
        for (Map<String, Object> e : entries) {
            String problem = problem(chain, ownerId, e, expected, prev);
            if (problem != null) {
                return new Verification(false, entries.size(), prev, expected, problem);
            }
            prev = (String) e.get("hash");
            expected++;
        }
        return Verification.ok(entries.size(), prev);
    }

    private static String problem(Chain chain, String ownerId, Map<String, Object> e, long seq, String prev) {
        if (!(e.get("seq") instanceof Number n) || n.longValue() != seq) {
            return "sequence number is not " + seq;
        }
        if (!(e.get("payload") instanceof String payload) || !(e.get("kind") instanceof String kind)
                || !(e.get("payload_digest") instanceof String digest) || !(e.get("hash") instanceof String hash)) {
            return "an entry field is missing";
        }
        if (!prev.equals(e.get("prev_hash"))) {
            return "prev_hash is not the previous entry's hash";
        }
        if (!CanonicalJson.sha256Hex(payload).equals(digest)) {
            return "payload does not match its digest";
        }
        if (!ReceiptChain.linkHash(ownerId, seq, kind, digest, prev).equals(hash)) {
            return "hash does not cover this entry";
        }
        Map<String, Object> p;
        try {
            p = JsonParser.parseObject(payload);
        } catch (IllegalArgumentException ex) {
            return "payload is not a JSON object";
        }
        return switch (chain) {
            case RECEIPTS -> firstOf(
                    same("kind", kind, p.get("kind")),
                    same("tenant", ownerId, p.get("tenant_id")),
                    same("execution_id", e.get("execution_id"), p.get("execution_id")),
                    same("actor", e.get("actor"), p.get("actor")),
                    sameTime(e.get("created_at"), p.get("at")));
            case SPEND_POLICY -> firstOf(
                    same("kind", kind, p.get("decision")),
                    reference(kind, e.get("reservation_id"), p),
                    sameTime(e.get("created_at"), p.get("at")));
            case WEBHOOKS -> firstOf(
                    same("provider", e.get("provider"), p.get("provider")),
                    same("provider account", ownerId, p.get("provider_account_id")),
                    same("provider_event_id", e.get("provider_event_id"), p.get("provider_event_id")),
                    same("signature_verdict", e.get("signature_verdict"), p.get("signature_verdict")),
                    same("raw_body_digest", e.get("raw_body_digest"), p.get("raw_body_digest")),
                    sameTime(e.get("created_at"), p.get("received_at")));
        };
    }

    /**
     * A spend-policy receipt's served {@code reservation_id} is the payload's
     * {@code receipt_reference}. Receipts written before that field existed: a reserve or release
     * names its reservation; a settlement is {@code <reservation id>:<settlement id>}, or
     * {@code beyond:<settlement id>} for spend beyond any reservation (the suffix was not hashed then).
     */
    private static String reference(String kind, Object served, Map<String, Object> p) {
        if (p.containsKey("receipt_reference")) {
            return same("reservation_id", served, p.get("receipt_reference"));
        }
        if (!"settle".equals(kind)) {
            return same("reservation_id", served, p.get("reservation_id"));
        }
        String prefix = p.get("reservation_id") instanceof String r ? r + ":" : "beyond:";
        return served instanceof String s && s.startsWith(prefix) ? null
                : "reservation_id is not what the hashed payload says";
    }

    private static String same(String field, Object served, Object hashed) {
        return Objects.equals(served, hashed) ? null : field + " is not what the hashed payload says";
    }

    /** Times agree to the microsecond (the database keeps microseconds). */
    private static String sameTime(Object served, Object hashed) {
        try {
            Instant a = OffsetDateTime.parse((String) served).toInstant();
            Instant b = OffsetDateTime.parse((String) hashed).toInstant();
            return Duration.between(a, b).abs().compareTo(Duration.ofNanos(1_000)) < 0 ? null
                    : "created_at is not what the hashed payload says";
        } catch (RuntimeException ex) {
            return "created_at is not what the hashed payload says";
        }
    }

    private static String firstOf(String... problems) {
        for (String p : problems) {
            if (p != null) {
                return p;
            }
        }
        return null;
    }
}
