package dev.minutework.broker.server.receipts;

import dev.minutework.broker.core.receipt.AuditLog;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.api.Times;
import dev.minutework.broker.server.identity.Caller;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The audit logs as anyone can check them: {@code GET /v1/receipts} (paged by sequence number),
 * {@code …/verify} (every chain of the tenant, against its head and its latest signed checkpoint),
 * {@code …/checkpoint} (a signed checkpoint, C2SP tlog-checkpoint), {@code …/inclusion-proof},
 * {@code …/consistency-proof} and {@code …/export} (the whole log, for the offline verifier).
 * {@code chain} picks the log: {@code receipts} (default) or {@code spend_policy}, the tenant's; or
 * {@code webhooks} with {@code provider_account_id}, the operator's.
 */
@RestController
class ReceiptController {

    private final AuditEntries entries;
    private final AuditVerifier verifier;
    private final Checkpoints checkpoints;

    ReceiptController(AuditEntries entries, AuditVerifier verifier, Checkpoints checkpoints) {
        this.entries = entries;
        this.verifier = verifier;
        this.checkpoints = checkpoints;
    }

    private record Log(AuditLog.Chain chain, String ownerId) {}

    private static Log log(Caller caller, String chain, String providerAccountId) {
        AuditLog.Chain c;
        try {
            c = AuditLog.Chain.of(chain);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.INVALID_INPUT, "chain must be receipts, spend_policy or webhooks");
        }
        if (c == AuditLog.Chain.WEBHOOKS) {
            caller.requireOperator();
            if (providerAccountId == null || providerAccountId.isBlank()) {
                throw new ApiException(ErrorCode.INVALID_INPUT, "the webhooks log needs provider_account_id");
            }
            return new Log(c, providerAccountId);
        }
        return new Log(c, caller.requireTenant().tenantId());
    }

    @GetMapping("/v1/receipts")
    Map<String, Object> list(Caller caller, @RequestParam(name = "after_seq", defaultValue = "0") long afterSeq,
            @RequestParam(name = "limit", defaultValue = "100") int limit,
            @RequestParam(name = "chain", defaultValue = "receipts") String chain,
            @RequestParam(name = "provider_account_id", required = false) String providerAccountId) {
        Log log = log(caller, chain, providerAccountId);
        if (limit < 1 || limit > 1000 || afterSeq < 0) {
            throw new ApiException(ErrorCode.INVALID_INPUT, "limit must be 1..1000 and after_seq ≥ 0");
        }
        List<Map<String, Object>> rows = entries.page(log.chain(), log.ownerId(), afterSeq, limit);
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("receipts", rows);
        page.put("next_after_seq", rows.size() == limit ? rows.getLast().get("seq") : null);
        return page;
    }

    @GetMapping("/v1/receipts/verify")
    Map<String, Object> verify(Caller caller, @RequestParam(name = "chain", required = false) String chain,
            @RequestParam(name = "provider_account_id", required = false) String providerAccountId) {
        List<AuditVerifier.LogVerdict> verdicts;
        if (chain == null) {
            verdicts = verifier.verifyTenant(caller.requireTenant().tenantId()).logs();
        } else {
            Log log = log(caller, chain, providerAccountId);
            verdicts = List.of(verifier.verify(log.chain(), log.ownerId()));
        }
        Map<String, Object> byChain = new LinkedHashMap<>();
        for (AuditVerifier.LogVerdict v : verdicts) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("valid", v.valid());
            m.put("count", v.count());
            m.put("head", v.head());
            m.put("first_bad_seq", v.firstBadSeq());
            m.put("problem", v.problem());
            m.put("checkpoint_size", v.checkpointSize());
            byChain.put(v.chain().wire(), m);
        }
        AuditVerifier.LogVerdict first = verdicts.getFirst();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("valid", verdicts.stream().allMatch(AuditVerifier.LogVerdict::valid));
        m.put("count", first.count());
        m.put("head", first.head());
        m.put("first_bad_seq", first.firstBadSeq());
        m.put("chains", byChain);
        return m;
    }

    @GetMapping("/v1/receipts/checkpoint")
    Map<String, Object> checkpoint(Caller caller, @RequestParam(name = "chain", defaultValue = "receipts") String chain,
            @RequestParam(name = "provider_account_id", required = false) String providerAccountId,
            @RequestParam(name = "tree_size", required = false) Long treeSize) {
        Log log = log(caller, chain, providerAccountId);
        Optional<Checkpoints.Published> cp = treeSize == null ? checkpoints.publish(log.chain(), log.ownerId())
                : checkpoints.checkpoint(log.chain(), log.ownerId(), treeSize);
        if (cp.isEmpty()) {
            throw treeSize == null
                    ? new ApiException(ErrorCode.CONFLICT, "the log does not verify; the broker signs no checkpoint of it")
                    : new ApiException(ErrorCode.NOT_FOUND, "no checkpoint of this log at tree_size " + treeSize);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("chain", log.chain().wire());
        m.put("owner_id", log.ownerId());
        m.put("tree_size", cp.get().size());
        m.put("root_hash", b64(cp.get().rootHash()));
        m.put("checkpoint", cp.get().note());
        m.put("public_key", checkpoints.verifierKey());
        m.put("created_at", Times.rfc3339(cp.get().createdAt()));
        return m;
    }

    @GetMapping("/v1/receipts/inclusion-proof")
    Map<String, Object> inclusion(Caller caller, @RequestParam("seq") long seq,
            @RequestParam("tree_size") long treeSize,
            @RequestParam(name = "chain", defaultValue = "receipts") String chain,
            @RequestParam(name = "provider_account_id", required = false) String providerAccountId) {
        Log log = log(caller, chain, providerAccountId);
        Checkpoints.Inclusion p;
        try {
            p = checkpoints.inclusion(log.chain(), log.ownerId(), seq, treeSize);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.INVALID_INPUT, e.getMessage());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", p.seq());
        m.put("leaf_index", p.seq() - 1);
        m.put("tree_size", p.size());
        m.put("leaf_hash", b64(p.leafHash()));
        m.put("audit_path", p.path().stream().map(ReceiptController::b64).toList());
        m.put("root_hash", b64(p.rootHash()));
        return m;
    }

    @GetMapping("/v1/receipts/consistency-proof")
    Map<String, Object> consistency(Caller caller, @RequestParam("first") long first, @RequestParam("second") long second,
            @RequestParam(name = "chain", defaultValue = "receipts") String chain,
            @RequestParam(name = "provider_account_id", required = false) String providerAccountId) {
        Log log = log(caller, chain, providerAccountId);
        Checkpoints.Consistency p;
        try {
            p = checkpoints.consistency(log.chain(), log.ownerId(), first, second);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.INVALID_INPUT, e.getMessage());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("first", p.first());
        m.put("second", p.second());
        m.put("first_root_hash", b64(p.firstRoot()));
        m.put("second_root_hash", b64(p.secondRoot()));
        m.put("proof", p.proof().stream().map(ReceiptController::b64).toList());
        return m;
    }

    @GetMapping("/v1/receipts/export")
    Map<String, Object> export(Caller caller, @RequestParam(name = "chain", defaultValue = "receipts") String chain,
            @RequestParam(name = "provider_account_id", required = false) String providerAccountId) {
        Log log = log(caller, chain, providerAccountId);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", "mwb-audit-log/v1");
        m.put("chain", log.chain().wire());
        m.put("owner_id", log.ownerId());
        m.put("origin", AuditLog.origin(checkpoints.keyName(), log.chain(), log.ownerId()));
        m.put("public_key", checkpoints.verifierKey());
        m.put("entries", entries.all(log.chain(), log.ownerId()));
        return m;
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
