package dev.minutework.broker.server.approvals;

import dev.minutework.broker.core.approval.OneShotGrant;
import dev.minutework.broker.core.execution.ExecutionStatus;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.execution.ApprovedRuns;
import dev.minutework.broker.server.execution.ExecutionViews;
import dev.minutework.broker.server.execution.Executions;
import dev.minutework.broker.server.grants.Grants;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.receipts.Receipts;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * An approver's decisions on one-shot approvals, beside their endpoints: who may decide
 * ({@link OneShotGrant#review}: nobody their own request, only a pending, unexpired approval), a
 * denial, and an approval, whose execution {@link ApprovedRuns} carries out. Every decision and
 * every refused attempt is receipted.
 */
@Service
public class ApprovalDecisions {

    private final Grants grants;
    private final Executions executions;
    private final ApprovedRuns runs;
    private final Receipts receipts;
    private final TransactionTemplate tx;
    private final Clock clock;

    ApprovalDecisions(Grants grants, Executions executions, ApprovedRuns runs, Receipts receipts,
            TransactionTemplate tx, Clock clock) {
        this.grants = grants;
        this.executions = executions;
        this.runs = runs;
        this.receipts = receipts;
        this.tx = tx;
        this.clock = clock;
    }

    public Map<String, Object> approve(Caller.TenantKey approver, String approvalId) {
        OneShotGrant grant = open(approver, approvalId);
        return view(approvalId, runs.approve(approver, grant));
    }

    public Map<String, Object> deny(Caller.TenantKey approver, String approvalId, String reason) {
        String tenant = approver.tenantId();
        OneShotGrant grant = open(approver, approvalId);
        Boolean done = tx.execute(s -> {
            receipts.lockChain(tenant);
            if (!grants.decide(tenant, approvalId, "denied", approver.keyId(), reason)) {
                return false;
            }
            executions.transition(tenant, grant.executionId(), Set.of(ExecutionStatus.AWAITING_APPROVAL),
                    ExecutionStatus.DENIED, null, ExecutionViews.error(ErrorCode.APPROVAL_DENIED, "denied by an approver", reason));
            Map<String, Object> d = new HashMap<>();
            d.put("approval_id", approvalId);
            d.put("reason", reason);
            receipts.record(tenant, "approval.denied", grant.executionId(), approver.actor(), d);
            return true;
        });
        if (!Boolean.TRUE.equals(done)) {
            throw new ApiException(ErrorCode.APPROVAL_NOT_PENDING, "the approval was decided already");
        }
        return view(approvalId, executions.find(tenant, grant.executionId()).orElseThrow());
    }

    /** The one-shot approval, if {@code approver} may decide it now; otherwise the refusal, receipted where it is news. */
    private OneShotGrant open(Caller.TenantKey approver, String approvalId) {
        String tenant = approver.tenantId();
        Grants.Grant row = grants.find(tenant, approvalId).filter(g -> "one_shot".equals(g.kind()))
                .orElseThrow(() -> ApiException.notFound("approval"));
        OneShotGrant grant = row.oneShot();
        switch (grant.review(approver.keyId(), clock.instant())) {
            case OPEN -> {
                return grant;
            }
            case SELF_APPROVAL -> {
                tx.executeWithoutResult(s -> {
                    receipts.lockChain(tenant);
                    receipts.record(tenant, "approval.refused", grant.executionId(), approver.actor(),
                            Map.of("approval_id", approvalId, "code", ErrorCode.SELF_APPROVAL_FORBIDDEN.wire()));
                });
                throw new ApiException(ErrorCode.SELF_APPROVAL_FORBIDDEN, "nobody approves their own request");
            }
            case NOT_PENDING -> throw new ApiException(ErrorCode.APPROVAL_NOT_PENDING,
                    "the approval is " + grant.status());
            case EXPIRED -> {
                tx.executeWithoutResult(s -> {
                    receipts.lockChain(tenant);
                    if (grants.expire(tenant, approvalId)) {
                        executions.transition(tenant, grant.executionId(), Set.of(ExecutionStatus.AWAITING_APPROVAL),
                                ExecutionStatus.EXPIRED, null,
                                ExecutionViews.error(ErrorCode.APPROVAL_EXPIRED, "the approval expired before a decision", null));
                        receipts.record(tenant, "approval.expired", grant.executionId(), approver.actor(),
                                Map.of("approval_id", approvalId));
                    }
                });
                throw new ApiException(ErrorCode.APPROVAL_EXPIRED, "the approval expired at " + row.expiresAt());
            }
        }
        throw new IllegalStateException("unreachable");
    }

    private static Map<String, Object> view(String approvalId, Executions.Execution e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("approval_id", approvalId);
        m.put("decision", "denied".equals(e.status()) ? "denied" : "approved");
        m.put("execution", ExecutionViews.view(e));
        return m;
    }
}
