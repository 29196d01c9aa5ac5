package dev.minutework.broker.core.receipt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.json.CanonicalJson;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The spend-policy log's served {@code reservation_id} must be what the hashed payload says. */
class AuditLogTest {

    private static final String TENANT = "ten_audit";

    @Test
    void aSettlementsServedReferenceIsTheHashedOne() {
        Map<String, Object> p = payload("settle", "res_1");
        p.put("receipt_reference", "res_1:set_1");
        assertThat(verify(entry(p, "res_1:set_1")).valid()).isTrue();
        assertThat(verify(entry(p, "res_1:set_2")).problem()).contains("reservation_id");
    }

    @Test
    void aSettlementWrittenBeforeTheReferenceWasHashedIsCheckedByItsReservation() {
        Map<String, Object> p = payload("settle", "res_1");
        assertThat(verify(entry(p, "res_1:set_9")).valid()).isTrue();
        assertThat(verify(entry(p, "res_2:set_9")).valid()).isFalse();
        Map<String, Object> beyond = payload("settle", null);
        assertThat(verify(entry(beyond, "beyond:set_3")).valid()).isTrue();
        assertThat(verify(entry(beyond, "res_1:set_3")).valid()).isFalse();
        Map<String, Object> reserve = payload("reserve", "res_1");
        assertThat(verify(entry(reserve, "res_1")).valid()).isTrue();
        assertThat(verify(entry(reserve, "res_1:x")).valid()).isFalse();
    }

    private static Map<String, Object> payload(String decision, String reservation) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("decision", decision);
        p.put("reservation_id", reservation);
        p.put("at", "2026-12-02T10:00:00Z");
        return p;
    }

    private static Map<String, Object> entry(Map<String, Object> payload, String servedReservation) {
        String canonical = CanonicalJson.canonicalize(payload);
        String digest = CanonicalJson.sha256Hex(canonical);
        String kind = (String) payload.get("decision");
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("seq", 1L);
        e.put("kind", kind);
        e.put("reservation_id", servedReservation);
        e.put("payload", canonical);
        e.put("payload_digest", digest);
        e.put("prev_hash", ReceiptChain.GENESIS);
        e.put("hash", ReceiptChain.linkHash(TENANT, 1, kind, digest, ReceiptChain.GENESIS));
        e.put("created_at", "2026-12-02T10:00:00Z");
        return e;
    }

    private static AuditLog.Verification verify(Map<String, Object> entry) {
        return AuditLog.verify(AuditLog.Chain.SPEND_POLICY, TENANT, List.of(entry));
    }
}
