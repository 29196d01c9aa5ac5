package dev.minutework.broker.core.receipt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.json.CanonicalJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A tenant's receipts log as {@link AuditLog#verify} checks it, entry by entry as the API serves
 * them: every edit, deletion, insertion or reordering is found at the first affected sequence
 * number. (The end of the log is checked against the chain head and the signed checkpoints by the
 * server's {@code AuditVerifier}: see {@code ReceiptTamperTest} and {@code AuditEvidenceTest}.)
 */
class ReceiptChainTest {

    private static final String TENANT = "tnt_1";

    /** A served receipt, correctly hashed after {@code prevHash}, with {@code note} in its payload. */
    private static Map<String, Object> receipt(String tenant, long seq, String kind, String note, String prevHash) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("kind", kind);
        payload.put("tenant_id", tenant);
        payload.put("execution_id", "exe_" + seq);
        payload.put("actor", "key_approver");
        payload.put("at", "2026-12-02T10:00:0" + (seq % 10) + "Z");
        payload.put("note", note);
        String canonical = CanonicalJson.canonicalize(payload);
        String digest = CanonicalJson.sha256Hex(canonical);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("seq", seq);
        e.put("kind", kind);
        e.put("execution_id", "exe_" + seq);
        e.put("actor", "key_approver");
        e.put("payload", canonical);
        e.put("payload_digest", digest);
        e.put("prev_hash", prevHash);
        e.put("hash", ReceiptChain.linkHash(tenant, seq, kind, digest, prevHash));
        e.put("created_at", payload.get("at"));
        return e;
    }

    /** A valid log of five receipts for {@link #TENANT}. */
    private static List<Map<String, Object>> fiveReceipts() {
        List<Map<String, Object>> log = new ArrayList<>();
        String prev = ReceiptChain.GENESIS;
        String[] kinds = {"execution.accepted", "approval.granted", "execution.succeeded", "spend.reserved",
            "execution.accepted"};
        for (int i = 0; i < kinds.length; i++) {
            Map<String, Object> e = receipt(TENANT, i + 1, kinds[i], "receipt " + (i + 1), prev);
            log.add(e);
            prev = (String) e.get("hash");
        }
        return log;
    }

    private static AuditLog.Verification verify(List<Map<String, Object>> log) {
        return AuditLog.verify(AuditLog.Chain.RECEIPTS, TENANT, log);
    }

    private static Map<String, Object> with(Map<String, Object> e, String field, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(e);
        copy.put(field, value);
        return copy;
    }

    @Test
    void anIntactLogIsValidWithItsCountAndHead() {
        List<Map<String, Object>> log = fiveReceipts();

        assertThat(verify(log)).isEqualTo(new AuditLog.Verification(true, 5, (String) log.getLast().get("hash"), null, null));
    }

    @Test
    void theFirstEntryFollowsGenesisAndEachEntryItsPredecessor() {
        List<Map<String, Object>> log = fiveReceipts();

        assertThat(log.getFirst().get("prev_hash")).isEqualTo(ReceiptChain.GENESIS);
        assertThat(ReceiptChain.GENESIS).matches("0{64}");
        for (int i = 1; i < log.size(); i++) {
            assertThat(log.get(i).get("prev_hash")).isEqualTo(log.get(i - 1).get("hash"));
        }
    }

    @Test
    void anEmptyLogIsValidWithTheGenesisHead() {
        assertThat(verify(List.of())).isEqualTo(new AuditLog.Verification(true, 0, ReceiptChain.GENESIS, null, null));
    }

    @Test
    void anEditedPayloadIsFoundAtItsSeq() {
        for (int k = 1; k <= 5; k++) {
            List<Map<String, Object>> log = fiveReceipts();
            Map<String, Object> e = log.get(k - 1);
            log.set(k - 1, with(e, "payload", ((String) e.get("payload")).replace("receipt", "receipt!")));

            AuditLog.Verification v = verify(log);

            assertThat(v.valid()).as("edit at seq %d", k).isFalse();
            assertThat(v.firstBadSeq()).as("edit at seq %d", k).isEqualTo(k);
            assertThat(v.problem()).isEqualTo("payload does not match its digest");
        }
    }

    @Test
    void anEditedPayloadWithARecomputedDigestIsFoundAtItsSeq() {
        List<Map<String, Object>> log = fiveReceipts();
        Map<String, Object> e = log.get(2);
        String forged = ((String) e.get("payload")).replace("receipt 3", "forged");
        log.set(2, with(with(e, "payload", forged), "payload_digest", CanonicalJson.sha256Hex(forged)));

        assertThat(verify(log).firstBadSeq()).isEqualTo(3);
        assertThat(verify(log).problem()).isEqualTo("hash does not cover this entry");
    }

    @Test
    void anEditedKindIsFoundAtItsSeq() {
        List<Map<String, Object>> log = fiveReceipts();
        log.set(1, with(log.get(1), "kind", "approval.denied"));

        assertThat(verify(log).firstBadSeq()).isEqualTo(2);
    }

    @Test
    void aRehashedEditIsFoundAtTheNextEntry() {
        List<Map<String, Object>> log = fiveReceipts();
        log.set(2, receipt(TENANT, 3, "execution.succeeded", "forged", (String) log.get(1).get("hash")));

        AuditLog.Verification v = verify(log);

        assertThat(v.valid()).isFalse();
        assertThat(v.firstBadSeq()).isEqualTo(4);
        assertThat(v.problem()).isEqualTo("prev_hash is not the previous entry's hash");
    }

    @Test
    void aDeletedMiddleEntryIsFoundAtTheGap() {
        List<Map<String, Object>> log = fiveReceipts();
        log.remove(2); // seq 3

        AuditLog.Verification v = verify(log);

        assertThat(v.valid()).isFalse();
        assertThat(v.firstBadSeq()).isEqualTo(3);
    }

    @Test
    void swappedEntriesAreFoundAtTheFirstMovedSeq() {
        List<Map<String, Object>> log = fiveReceipts();
        Map<String, Object> second = log.get(1);
        log.set(1, log.get(2));
        log.set(2, second);

        assertThat(verify(log).firstBadSeq()).isEqualTo(2);
    }

    @Test
    void swappedEntriesWithRenumberedSeqsAreFound() {
        List<Map<String, Object>> log = fiveReceipts();
        Map<String, Object> two = log.get(1);
        Map<String, Object> three = log.get(2);
        log.set(1, with(three, "seq", 2L));
        log.set(2, with(two, "seq", 3L));

        assertThat(verify(log).firstBadSeq()).isEqualTo(2);
    }

    @Test
    void anInsertedForgedEntryIsFound() {
        List<Map<String, Object>> log = fiveReceipts();
        // a well-formed entry claiming seq 3, chained onto seq 2, slipped in before the real seq 3
        log.add(2, receipt(TENANT, 3, "execution.accepted", "slipped in", (String) log.get(1).get("hash")));

        AuditLog.Verification v = verify(log);

        assertThat(v.valid()).isFalse();
        assertThat(v.firstBadSeq()).isEqualTo(4);
    }

    @Test
    void aForgedEntryWithABadHashIsFoundAtItsSeq() {
        List<Map<String, Object>> log = fiveReceipts();
        log.add(2, with(log.get(2), "hash", "f".repeat(64)));

        assertThat(verify(log).firstBadSeq()).isEqualTo(3);
    }

    @Test
    void anotherTenantsLogDoesNotVerify() {
        List<Map<String, Object>> log = fiveReceipts();

        AuditLog.Verification v = AuditLog.verify(AuditLog.Chain.RECEIPTS, "tnt_2", log);

        assertThat(v.valid()).isFalse();
        assertThat(v.firstBadSeq()).isEqualTo(1);
    }

    @Test
    void aServedFieldOutsideThePayloadMustRepeatIt() {
        for (String field : List.of("actor", "execution_id", "created_at")) {
            List<Map<String, Object>> log = fiveReceipts();
            log.set(3, with(log.get(3), field, "created_at".equals(field) ? "2026-12-03T10:00:00Z" : "edited"));

            AuditLog.Verification v = verify(log);

            assertThat(v.firstBadSeq()).as(field).isEqualTo(4);
            assertThat(v.problem()).as(field).contains("is not what the hashed payload says");
        }
    }

    @Test
    void theLinkHashCoversEveryField() {
        String base = ReceiptChain.linkHash(TENANT, 1, "k", "d", ReceiptChain.GENESIS);

        assertThat(base).matches("[0-9a-f]{64}");
        assertThat(ReceiptChain.linkHash("tnt_2", 1, "k", "d", ReceiptChain.GENESIS)).isNotEqualTo(base);
        assertThat(ReceiptChain.linkHash(TENANT, 2, "k", "d", ReceiptChain.GENESIS)).isNotEqualTo(base);
        assertThat(ReceiptChain.linkHash(TENANT, 1, "j", "d", ReceiptChain.GENESIS)).isNotEqualTo(base);
        assertThat(ReceiptChain.linkHash(TENANT, 1, "k", "e", ReceiptChain.GENESIS)).isNotEqualTo(base);
        assertThat(ReceiptChain.linkHash(TENANT, 1, "k", "d", "1".repeat(64))).isNotEqualTo(base);
    }
}
