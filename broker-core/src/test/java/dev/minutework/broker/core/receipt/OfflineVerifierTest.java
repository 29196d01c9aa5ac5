package dev.minutework.broker.core.receipt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.json.CanonicalJson;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The offline verifier on logs built here: what it accepts, and each way it refuses. */
class OfflineVerifierTest {

    private static final String TENANT = "ten_offline";

    @Test
    void aWholeLogVerifiesAndEachKindOfTamperingIsNamed() throws Exception {
        KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String vkey = Checkpoint.verifierKey("test-broker", keys.getPublic());
        List<Map<String, Object>> log = log(List.of(
                receipt("execution.accepted", "exe_1", Map.of("payload_digest", "ab".repeat(32))),
                receipt("approval.approved", "exe_1", Map.of("approval_id", "apr_1", "payload_digest", "ab".repeat(32))),
                receipt("execution.succeeded", "exe_1", Map.of())));
        String note = checkpoint(log, 3).sign("test-broker", keys.getPrivate(), keys.getPublic());

        assertThat(OfflineVerifier.verify(export(log), note, vkey).valid()).isTrue();

        List<Map<String, Object>> edited = copy(log);
        edited.get(1).put("actor", "someone-else");
        assertThat(OfflineVerifier.verify(export(edited), note, vkey).lines().getLast())
                .contains("entry 2: actor is not what the hashed payload says");

        assertThat(OfflineVerifier.verify(export(log.subList(0, 2)), note, vkey).lines().getLast())
                .contains("fewer than the 3");

        // a log rebuilt from an edited second entry, every hash after it recomputed
        List<Map<String, Object>> rebuilt = log(List.of(
                receipt("execution.accepted", "exe_1", Map.of("payload_digest", "ab".repeat(32))),
                receipt("approval.approved", "exe_1", Map.of("approval_id", "apr_2", "payload_digest", "ab".repeat(32))),
                receipt("execution.succeeded", "exe_1", Map.of())));
        assertThat(OfflineVerifier.verify(export(rebuilt), note, vkey).lines().getLast())
                .contains("not those the checkpoint signed");

        KeyPair other = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        assertThat(OfflineVerifier.verify(export(log), note, Checkpoint.verifierKey("test-broker", other.getPublic()))
                .lines().getLast()).contains("not signed by this key");
    }

    @Test
    void aPasskeyApprovalWhoseEvidenceDoesNotVerifyIsNamed() throws Exception {
        KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Map<String, Object> evidence = new LinkedHashMap<>();
        for (String f : List.of("passkey_id", "credential_id", "public_key_cose", "authenticator_data",
                "client_data_json", "signature", "nonce", "challenge", "rp_id", "origin")) {
            evidence.put(f, "AAAA");
        }
        List<Map<String, Object>> log = log(List.of(
                receipt("execution.accepted", "exe_1", Map.of("payload_digest", "ab".repeat(32))),
                receipt("approval.approved", "exe_1", Map.of("approval_id", "apr_1", "payload_digest", "ab".repeat(32),
                        "passkey", evidence))));
        String note = checkpoint(log, 2).sign("test-broker", keys.getPrivate(), keys.getPublic());
        OfflineVerifier.Report report = OfflineVerifier.verify(export(log), note,
                Checkpoint.verifierKey("test-broker", keys.getPublic()));
        assertThat(report.valid()).isFalse();
        assertThat(report.lines().getLast()).contains("entry 2: the passkey approval does not verify");
    }

    private static Map<String, Object> receipt(String kind, String execution, Map<String, Object> details) {
        Map<String, Object> payload = new LinkedHashMap<>(details);
        payload.put("kind", kind);
        payload.put("tenant_id", TENANT);
        payload.put("execution_id", execution);
        payload.put("actor", "operator");
        payload.put("at", "2026-12-02T10:00:00.123456Z");
        return payload;
    }

    /** Chains payloads into served entries, as the broker stores them. */
    private static List<Map<String, Object>> log(List<Map<String, Object>> payloads) {
        List<Map<String, Object>> out = new ArrayList<>();
        String prev = ReceiptChain.GENESIS;
        long seq = 1;
        for (Map<String, Object> p : payloads) {
            String canonical = CanonicalJson.canonicalize(p);
            String digest = CanonicalJson.sha256Hex(canonical);
            String hash = ReceiptChain.linkHash(TENANT, seq, (String) p.get("kind"), digest, prev);
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("seq", seq++);
            e.put("kind", p.get("kind"));
            e.put("execution_id", p.get("execution_id"));
            e.put("actor", p.get("actor"));
            e.put("payload", canonical);
            e.put("payload_digest", digest);
            e.put("prev_hash", prev);
            e.put("hash", hash);
            e.put("created_at", "2026-12-02T10:00:00.123456Z");
            out.add(e);
            prev = hash;
        }
        return out;
    }

    private static Checkpoint checkpoint(List<Map<String, Object>> log, int size) {
        return new Checkpoint(AuditLog.origin("test-broker", AuditLog.Chain.RECEIPTS, TENANT), size,
                MerkleTree.root(AuditLog.leafHashes(log), size));
    }

    private static String export(List<Map<String, Object>> entries) {
        return CanonicalJson.canonicalize(Map.of("format", "mwb-audit-log/v1", "chain", "receipts", "owner_id", TENANT,
                "entries", entries));
    }

    private static List<Map<String, Object>> copy(List<Map<String, Object>> log) {
        List<Map<String, Object>> out = new ArrayList<>();
        log.forEach(e -> out.add(new LinkedHashMap<>(e)));
        return out;
    }
}
