package dev.minutework.broker.core.receipt;

import dev.minutework.broker.core.json.JsonParser;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks an exported audit log against a signed checkpoint with nothing but the three texts: the
 * export ({@code GET /v1/receipts/export}), a checkpoint saved earlier ({@code GET
 * /v1/receipts/checkpoint}) and the broker's checkpoint verifier key. No database, no broker.
 *
 * <p>It finds: a checkpoint not signed by that key, or of another log; an entry edited (any served
 * field), removed, inserted or moved, even with every later hash recomputed, because the first
 * {@code size} entries must hash to the checkpoint's signed root; a log cut below the checkpoint's
 * size; and a passkey approval whose evidence does not verify.
 */
public final class OfflineVerifier {

    private OfflineVerifier() {}

    /** The outcome: valid or not, and one line per finding (the last says what was checked). */
    public record Report(boolean valid, List<String> lines) {}

    public static Report verify(String exportJson, String signedCheckpoint, String verifierKey) {
        List<String> lines = new ArrayList<>();
        Map<String, Object> export;
        try {
            export = JsonParser.parseObject(exportJson);
        } catch (IllegalArgumentException e) {
            return fail(lines, "the export is not a JSON object");
        }
        if (!(export.get("chain") instanceof String chainName) || !(export.get("owner_id") instanceof String owner)
                || !(export.get("entries") instanceof List<?> raw)) {
            return fail(lines, "the export lacks chain, owner_id or entries");
        }
        AuditLog.Chain chain;
        try {
            chain = AuditLog.Chain.of(chainName);
        } catch (IllegalArgumentException e) {
            return fail(lines, "unknown log " + chainName);
        }
        List<Map<String, Object>> entries = new ArrayList<>();
        for (Object o : raw) {
            if (!(o instanceof Map<?, ?> m)) {
                return fail(lines, "an entry is not a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> entry = (Map<String, Object>) m;
            entries.add(entry);
        }
        Optional<Checkpoint> checkpoint = Checkpoint.verify(signedCheckpoint, verifierKey);
        if (checkpoint.isEmpty()) {
            return fail(lines, "the checkpoint is not signed by this key (or is not a checkpoint)");
        }
        Checkpoint cp = checkpoint.get();
        String keyName = verifierKey.strip().split("\\+")[0];
        String origin = AuditLog.origin(keyName, chain, owner);
        if (!cp.origin().equals(origin)) {
            return fail(lines, "the checkpoint is of log " + cp.origin() + ", the export of " + origin);
        }
        lines.add("checkpoint: " + cp.origin() + " size " + cp.size() + ", signature valid");
        AuditLog.Verification chained = AuditLog.verify(chain, owner, entries);
        if (!chained.valid()) {
            return fail(lines, "entry " + chained.firstBadSeq() + ": " + chained.problem());
        }
        if (entries.size() < cp.size()) {
            return fail(lines, "the export holds " + entries.size() + " entries, fewer than the "
                    + cp.size() + " the checkpoint signed: entries were removed");
        }
        byte[] root = MerkleTree.root(AuditLog.leafHashes(entries), Math.toIntExact(cp.size()));
        if (!Arrays.equals(root, cp.rootHash())) {
            return fail(lines, "the first " + cp.size() + " entries are not those the checkpoint signed:"
                    + " an entry was edited, replaced or moved and the hashes after it recomputed");
        }
        if (chain == AuditLog.Chain.RECEIPTS) {
            PasskeyEvidenceCheck.Result passkeys = PasskeyEvidenceCheck.check(entries);
            if (passkeys.problem().isPresent()) {
                return fail(lines, passkeys.problem().get());
            }
            if (passkeys.signed() > 0) {
                lines.add("passkey approvals: " + passkeys.signed()
                        + ", each signed over its approval id and payload digest");
            }
        }
        lines.add("valid: " + entries.size() + " entries chained, the first " + cp.size()
                + " exactly those the checkpoint signed" + (entries.size() > cp.size()
                        ? "; " + (entries.size() - cp.size()) + " later entries are not covered by this checkpoint" : ""));
        return new Report(true, lines);
    }

    private static Report fail(List<String> lines, String why) {
        lines.add("INVALID: " + why);
        return new Report(false, lines);
    }
}
