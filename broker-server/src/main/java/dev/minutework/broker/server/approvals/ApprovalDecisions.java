package dev.minutework.broker.server.approvals;

import dev.minutework.broker.core.approval.OneShotGrant;
import dev.minutework.broker.core.approval.PasskeyEvidence;
import dev.minutework.broker.core.execution.ExecutionStatus;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.Body;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.execution.ApprovedRuns;
import dev.minutework.broker.server.execution.ExecutionViews;
import dev.minutework.broker.server.execution.Executions;
import dev.minutework.broker.server.grants.Grants;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.passkeys.PasskeyAssertions;
import dev.minutework.broker.server.receipts.Receipts;
import dev.minutework.broker.server.tenants.ApprovalPolicies;
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
 *
 * <p>An approval whose spend impact is above the tenant's {@code passkey_required_above_minor}
 * ({@link ApprovalPolicies}) must carry a passkey assertion over its challenge
 * ({@link PasskeyAssertions}); without one it is refused {@code passkey_required}, with a bad one
 * {@code passkey_invalid}, both receipted as {@code approval.refused} and nothing decided. A valid
 * assertion — required or offered — goes into the {@code approval.approved} receipt as
 * {@code passkey} ({@link PasskeyEvidence#toMap}), to be verified offline.
 */
@Service
public class ApprovalDecisions {

    private final Grants grants;
    private final Executions executions;
    private final ApprovedRuns runs;
    private final Receipts receipts;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final ApprovalPolicies policies;
    private final PasskeyAssertions passkeys;

    ApprovalDecisions(Grants grants, Executions executions, ApprovedRuns runs, Receipts receipts,
            TransactionTemplate tx, Clock clock, ApprovalPolicies policies, PasskeyAssertions passkeys) {
        this.grants = grants;
        this.executions = executions;
        this.runs = runs;
        this.receipts = receipts;
        this.tx = tx;
        this.clock = clock;
        this.policies = policies;
        this.passkeys = passkeys;
    }

    /** A passkey assertion sent with an approval: the challenge it answers and the credential JSON. */
    public record PasskeyAssertion(String challengeId, Map<String, Object> credential) {

        /**
         * Reads an approve body, {@code {"passkey"?: {"challenge_id", "credential"}}}, as the API and
         * the console take it; null when it carries no passkey (refused when {@code required}).
         */
        public static PasskeyAssertion of(Map<String, Object> json, boolean required) {
            Body body = new Body(json);
            body.only(Set.of("passkey"));
            Body passkey = body.object("passkey", required);
            PasskeyAssertion assertion = null;
            if (passkey != null) {
                passkey.only(Set.of("challenge_id", "credential"));
                String challengeId = passkey.string("challenge_id", true, 64);
                Map<String, Object> credential = passkey.map("credential", true);
                assertion = new PasskeyAssertion(challengeId, credential);
            }
            body.validate();
            if (required && assertion == null) {
                throw new ApiException(ErrorCode.INVALID_INPUT, "passkey is required");
            }
            return assertion;
        }
    }

    /** Approves with the bearer key alone (refused {@code passkey_required} above the tenant's threshold). */
    public Map<String, Object> approve(Caller.TenantKey approver, String approvalId) {
        return approve(approver, approvalId, null);
    }

    /** Approves, with a passkey assertion when {@code passkey} is not null. */
    public Map<String, Object> approve(Caller.TenantKey approver, String approvalId, PasskeyAssertion passkey) {
        String tenant = approver.tenantId();
        Grants.Grant row = open(approver, approvalId);
        OneShotGrant grant = row.oneShot();
        long impact = row.spendImpactMinor();
        ApprovalPolicies.Policy policy = policies.find(tenant);
        Map<String, Object> evidence = Map.of();
        if (passkey != null) {
            PasskeyEvidence signed;
            try {
                signed = passkeys.verify(approver, grant, passkey.challengeId(), passkey.credential());
            } catch (ApiException e) {
                if (e.code() == ErrorCode.PASSKEY_INVALID) {
                    refused(approver, grant, Map.of("code", e.code().wire(), "reason", e.getMessage(),
                            "challenge_id", passkey.challengeId()));
                }
                throw e;
            }
            evidence = Map.of("passkey", signed.toMap());
        } else if (policy.passkeyRequiredFor(impact)) {
            refused(approver, grant, Map.of("code", ErrorCode.PASSKEY_REQUIRED.wire(), "spend_impact_minor", impact,
                    "passkey_required_above_minor", policy.passkeyRequiredAboveMinor()));
            throw new ApiException(ErrorCode.PASSKEY_REQUIRED, "this approval's spend impact (" + impact
                    + ") is above the tenant's passkey threshold (" + policy.passkeyRequiredAboveMinor()
                    + "): approve with a passkey (POST /v1/approvals/" + approvalId + "/passkey-challenge)",
                    Map.of("approval_id", approvalId, "spend_impact_minor", impact,
                            "passkey_required_above_minor", policy.passkeyRequiredAboveMinor()));
        }
        return view(approvalId, runs.approve(approver, grant, evidence));
    }

    /** Receipts a refused approval attempt ({@code approval.refused}); the approval stays pending. */
    private void refused(Caller.TenantKey approver, OneShotGrant grant, Map<String, Object> details) {
        String tenant = approver.tenantId();
        Map<String, Object> d = new HashMap<>(details);
        d.put("approval_id", grant.id());
        tx.executeWithoutResult(s -> {
            receipts.lockChain(tenant);
            receipts.record(tenant, "approval.refused", grant.executionId(), approver.actor(), d);
        });
    }

    public Map<String, Object> deny(Caller.TenantKey approver, String approvalId, String reason) {
        String tenant = approver.tenantId();
        OneShotGrant grant = open(approver, approvalId).oneShot();
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

    /**
     * Revokes an active standing grant of the approver's tenant, receipted: work it would have
     * covered needs a one-shot approval again; what it already ran stays.
     *
     * @return the grant as revoked
     */
    public Grants.Grant revokeStanding(Caller.TenantKey approver, String grantId) {
        String tenant = approver.tenantId();
        grants.find(tenant, grantId).filter(g -> "standing".equals(g.kind()))
                .orElseThrow(() -> ApiException.notFound("standing grant"));
        Boolean done = tx.execute(s -> {
            receipts.lockChain(tenant);
            if (!grants.revokeStanding(tenant, grantId, approver.keyId())) {
                return false;
            }
            receipts.record(tenant, "approval.standing_grant_revoked", null, approver.actor(), Map.of("grant_id", grantId));
            return true;
        });
        if (!Boolean.TRUE.equals(done)) {
            throw new ApiException(ErrorCode.CONFLICT, "the standing grant is not active");
        }
        return grants.find(tenant, grantId).orElseThrow();
    }

    /** The one-shot approval's row, if {@code approver} may decide it now; otherwise the refusal, receipted where it is news. */
    private Grants.Grant open(Caller.TenantKey approver, String approvalId) {
        String tenant = approver.tenantId();
        Grants.Grant row = grants.find(tenant, approvalId).filter(g -> "one_shot".equals(g.kind()))
                .orElseThrow(() -> ApiException.notFound("approval"));
        OneShotGrant grant = row.oneShot();
        switch (grant.review(approver.keyId(), clock.instant())) {
            case OPEN -> {
                return row;
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
