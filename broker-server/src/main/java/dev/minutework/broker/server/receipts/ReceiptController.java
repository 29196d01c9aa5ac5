package dev.minutework.broker.server.receipts;

import dev.minutework.broker.server.api.Times;
import dev.minutework.broker.core.receipt.ReceiptChain;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.identity.Caller;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v1/receipts} (paged by sequence number) and {@code GET /v1/receipts/verify}. */
@RestController
class ReceiptController {

    private final Receipts receipts;

    ReceiptController(Receipts receipts) {
        this.receipts = receipts;
    }

    @GetMapping("/v1/receipts")
    Map<String, Object> list(Caller caller, @RequestParam(name = "after_seq", defaultValue = "0") long afterSeq,
            @RequestParam(name = "limit", defaultValue = "100") int limit) {
        Caller.TenantKey key = caller.requireTenant();
        if (limit < 1 || limit > 1000 || afterSeq < 0) {
            throw new ApiException(ErrorCode.INVALID_INPUT, "limit must be 1..1000 and after_seq ≥ 0");
        }
        List<Receipts.Row> rows = receipts.page(key.tenantId(), afterSeq, limit);
        List<Map<String, Object>> out = rows.stream().map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("seq", r.seq());
            m.put("kind", r.kind());
            m.put("execution_id", r.executionId());
            m.put("actor", r.actor());
            m.put("payload", r.payload());
            m.put("payload_digest", r.payloadDigest());
            m.put("prev_hash", r.prevHash());
            m.put("hash", r.hash());
            m.put("created_at", Times.rfc3339(r.createdAt()));
            return m;
        }).toList();
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("receipts", out);
        page.put("next_after_seq", rows.size() == limit ? rows.getLast().seq() : null);
        return page;
    }

    @GetMapping("/v1/receipts/verify")
    Map<String, Object> verify(Caller caller) {
        Caller.TenantKey key = caller.requireTenant();
        ReceiptChain.Verification v = receipts.verify(key.tenantId());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("valid", v.valid());
        m.put("count", v.count());
        m.put("head", v.head());
        m.put("first_bad_seq", v.firstBadSeq());
        return m;
    }
}
