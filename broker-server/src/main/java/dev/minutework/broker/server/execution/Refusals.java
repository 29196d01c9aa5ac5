package dev.minutework.broker.server.execution;

import dev.minutework.broker.core.execution.Refusal;
import dev.minutework.broker.core.execution.RefusalCode;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.ops.BrokerMetrics;
import dev.minutework.broker.server.receipts.Receipts;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Refusals of execute and approve: receipted ({@code execution.refused}) in their own transaction,
 * and counted by code ({@link BrokerMetrics#refused}).
 */
@Component
class Refusals {

    private final Receipts receipts;
    private final TransactionTemplate tx;
    private final BrokerMetrics metrics;

    Refusals(Receipts receipts, TransactionTemplate tx, BrokerMetrics metrics) {
        this.receipts = receipts;
        this.tx = tx;
        this.metrics = metrics;
    }

    /** Receipts a refusal in its own transaction, then returns the exception to throw. */
    ApiException refuse(Caller.TenantKey key, String executionId, ApiException e, Map<String, Object> ctx) {
        Map<String, Object> d = new LinkedHashMap<>(ctx);
        d.put("code", e.code().wire());
        tx.executeWithoutResult(s -> {
            receipts.lockChain(key.tenantId());
            receipts.record(key.tenantId(), "execution.refused", executionId, key.actor(), d);
        });
        metrics.refused(e.code().wire());
        return e;
    }

    /**
     * Receipts a decision's refusal — with the names of the failed checks of a {@code not_ready} —
     * then returns the exception to throw.
     */
    ApiException refuse(Caller.TenantKey key, String executionId, Refusal r, Map<String, Object> ctx) {
        Map<String, Object> receipted = ctx;
        if (r.code() == RefusalCode.NOT_READY && r.details().get("failed_checks") instanceof List<?> failed) {
            receipted = with(ctx, "failed_checks", failed.stream().map(f -> ((Map<?, ?>) f).get("name")).toList());
        }
        return refuse(key, executionId, exception(r), receipted);
    }

    /** A decision's refusal as the API answers it: the API code of the same name. */
    static ApiException exception(Refusal r) {
        return new ApiException(ErrorCode.valueOf(r.code().name()), r.message(), r.details());
    }

    static Map<String, Object> with(Map<String, Object> ctx, String k, Object v) {
        Map<String, Object> m = new LinkedHashMap<>(ctx);
        m.put(k, v);
        return m;
    }
}
