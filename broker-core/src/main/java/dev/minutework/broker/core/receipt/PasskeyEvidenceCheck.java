package dev.minutework.broker.core.receipt;

import dev.minutework.broker.core.approval.PasskeyEvidence;
import dev.minutework.broker.core.json.JsonParser;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The offline check of passkey-signed approvals in an exported receipt log: an
 * {@code approval.approved} receipt that carries {@code passkey} evidence must verify
 * ({@link PasskeyEvidence#verify}) for the approval id and payload digest it records, and that
 * digest must be the one the execution's {@code execution.accepted} receipt recorded when the
 * request was made — so the key approved exactly the payload the broker stored and ran.
 */
final class PasskeyEvidenceCheck {

    private PasskeyEvidenceCheck() {}

    /** What the check found: how many approvals were passkey-signed, and the first problem ("entry N: why"). */
    record Result(int signed, Optional<String> problem) {}

    static Result check(List<Map<String, Object>> entries) {
        Optional<String> problem = problem(entries);
        int signed = 0;
        for (Map<String, Object> e : entries) {
            if ("approval.approved".equals(e.get("kind")) && payload(e).get("passkey") instanceof Map<?, ?>) {
                signed++;
            }
        }
        return new Result(signed, problem);
    }

    private static Optional<String> problem(List<Map<String, Object>> entries) {
        Map<String, String> acceptedDigest = new HashMap<>();
        for (Map<String, Object> e : entries) {
            Map<String, Object> p = payload(e);
            if ("execution.accepted".equals(e.get("kind")) && e.get("execution_id") instanceof String exe
                    && p.get("payload_digest") instanceof String digest) {
                acceptedDigest.putIfAbsent(exe, digest);
            }
        }
        for (Map<String, Object> e : entries) {
            if (!"approval.approved".equals(e.get("kind"))) {
                continue;
            }
            Map<String, Object> p = payload(e);
            if (!(p.get("passkey") instanceof Map<?, ?> evidence)) {
                continue;
            }
            String where = "entry " + e.get("seq") + ": ";
            if (!(p.get("approval_id") instanceof String approval) || !(p.get("payload_digest") instanceof String digest)) {
                return Optional.of(where + "a passkey approval without approval_id and payload_digest");
            }
            PasskeyEvidence.Verdict verdict;
            try {
                @SuppressWarnings("unchecked")
                Map<String, ?> m = (Map<String, ?>) evidence;
                verdict = PasskeyEvidence.fromMap(m).verify(approval, digest);
            } catch (IllegalArgumentException ex) {
                return Optional.of(where + "unreadable passkey evidence: " + ex.getMessage());
            }
            if (verdict instanceof PasskeyEvidence.Verdict.Invalid invalid) {
                return Optional.of(where + "the passkey approval does not verify: " + invalid.reason());
            }
            String accepted = e.get("execution_id") instanceof String exe ? acceptedDigest.get(exe) : null;
            if (accepted != null && !accepted.equals(digest)) {
                return Optional.of(where + "the passkey approved another payload than the execution's");
            }
        }
        return Optional.empty();
    }

    private static Map<String, Object> payload(Map<String, Object> entry) {
        try {
            return entry.get("payload") instanceof String s ? JsonParser.parseObject(s) : Map.of();
        } catch (IllegalArgumentException ex) {
            return Map.of();
        }
    }
}
