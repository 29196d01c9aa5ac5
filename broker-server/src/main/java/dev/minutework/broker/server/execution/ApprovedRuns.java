package dev.minutework.broker.server.execution;

import dev.minutework.broker.core.approval.OneShotGrant;
import dev.minutework.broker.core.command.Commands;
import dev.minutework.broker.core.connector.ActionSpec;
import dev.minutework.broker.core.execution.Decider;
import dev.minutework.broker.core.execution.Decision;
import dev.minutework.broker.core.command.ExecuteCommand;
import dev.minutework.broker.core.execution.ExecutionStatus;
import dev.minutework.broker.core.execution.RefusalCode;
import dev.minutework.broker.core.money.Money;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.connectors.ConnectorCatalog;
import dev.minutework.broker.server.grants.Grants;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.receipts.Receipts;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs an execution a human approved: its stored payload is checked against the digest the
 * approval names, the decision is made again ({@link Decider#decideApproved}) on the state the call
 * would run on, and only a spend impact no larger than the approver saw is reserved — a larger one
 * supersedes the approval with a new one showing the new figure ({@code spend_impact_changed}).
 */
@Service
public class ApprovedRuns {

    private final ConnectorCatalog catalog;
    private final Executions executions;
    private final Grants grants;
    private final Snapshots snapshots;
    private final ExecuteService service;
    private final Calls calls;
    private final Refusals refusals;
    private final Receipts receipts;
    private final TransactionTemplate tx;
    private final Clock clock;

    ApprovedRuns(ConnectorCatalog catalog, Executions executions, Grants grants, Snapshots snapshots,
            ExecuteService service, Calls calls, Refusals refusals, Receipts receipts, TransactionTemplate tx,
            Clock clock) {
        this.catalog = catalog;
        this.executions = executions;
        this.grants = grants;
        this.snapshots = snapshots;
        this.service = service;
        this.calls = calls;
        this.refusals = refusals;
        this.receipts = receipts;
        this.tx = tx;
        this.clock = clock;
    }

    /** What the transaction decided. */
    private sealed interface Outcome {}

    private record NotPending() implements Outcome {}

    private record Busy(ApiException refusal) implements Outcome {}

    private record Failed(ApiException refusal) implements Outcome {}

    private record Changed(String newApprovalId, Money approved, Money impact) implements Outcome {}

    private record Run(Snapshots.Resolved target) implements Outcome {}

    /**
     * Approves {@code grant} (pending, open to {@code approver}) and runs its execution.
     *
     * @return the execution as the approval left it
     * @throws ApiException {@code approval_not_pending}, {@code campaign_busy} or
     *     {@code kill_switch_engaged} (nothing decided: the approval stays pending, to be approved
     *     once the campaign is free or the switch released, or to expire) or {@code spend_impact_changed}
     */
    public Executions.Execution approve(Caller.TenantKey approver, OneShotGrant grant) {
        return approve(approver, grant, Map.of());
    }

    /**
     * {@link #approve(Caller.TenantKey, OneShotGrant)}, with {@code evidence} (e.g. {@code passkey}:
     * the passkey assertion that signed this approval) added to the {@code approval.approved} receipt.
     */
    public Executions.Execution approve(Caller.TenantKey approver, OneShotGrant grant, Map<String, Object> evidence) {
        String tenant = approver.tenantId();
        Executions.Execution execution = executions.find(tenant, grant.executionId()).orElseThrow();
        if (!grant.covers(execution.tenantId(), execution.action(), execution.provider(), execution.payloadDigest(),
                clock.instant())) {
            throw new IllegalStateException("approval " + grant.id() + " is not bound to its execution's payload");
        }
        ExecuteRequest req;
        Snapshots.Resolved resolved;
        try {
            Map<String, Object> input = Calls.verifiedInput(execution);
            ExecuteCommand command = Commands.stored(execution.action(), input);
            ActionSpec action = catalog.connector(execution.connector()).flatMap(c -> c.action(execution.action()))
                    .orElseThrow();
            Caller.TenantKey requester = new Caller.TenantKey(tenant, execution.requestedByKeyId(), null);
            req = new ExecuteRequest(requester, execution.connector(), action, execution.provider(),
                    execution.idempotencyKey(), input, command, execution.payload(),
                    execution.payloadDigest(), storedContext(execution));
            resolved = snapshots.read(req, execution.requestedByKeyId(), execution.id(), false);
        } catch (ApiException e) {
            return failApproved(approver, grant, execution, e, evidence);
        }
        if (Decider.decideApproved(req.command(), resolved.snapshot(), resolved.capabilities(), clock.instant(),
                execution.spendImpactMinor()) instanceof Decision.Refused r) {
            if (leavesPending(r.refusal().code())) {
                throw refusals.refuse(approver, execution.id(), r.refusal(), req.context());
            }
            // receipted as the requester's request refused, as it would be were it sent now
            return failApproved(approver, grant, execution, refusals.refuse(req.key(), null, r.refusal(),
                    req.context()), evidence);
        }
        ExecuteCommand command = req.command();
        Outcome outcome = tx.execute(s -> {
            if (command.raisesSpend()) {
                receipts.lockChainForSpend(tenant);
            } else {
                receipts.lockChain(tenant);
            }
            Snapshots.Resolved target = command.changesCampaign() ? snapshots.lockCampaign(resolved, tenant) : resolved;
            Decision decision = Decider.decideApproved(command, target.snapshot(), target.capabilities(),
                    clock.instant(), execution.spendImpactMinor());
            Money impact;
            switch (decision) {
                case Decision.Refused r -> {
                    s.setRollbackOnly();
                    ApiException e = Refusals.exception(r.refusal());
                    return leavesPending(r.refusal().code()) ? new Busy(e) : new Failed(e);
                }
                case Decision.ImpactChanged c -> {
                    // the approver saw a smaller figure: never reserve more than was approved
                    if (!grants.supersede(tenant, grant.id())) {
                        s.setRollbackOnly();
                        return new NotPending();
                    }
                    String renewed = service.requestApproval(tenant, execution.id(), execution.action(),
                            execution.provider(), execution.payloadDigest(), c.impact().amountMinor(),
                            c.impact().currency(), execution.requestedByKeyId(), approver.actor());
                    executions.reapprove(tenant, execution.id(), renewed, c.impact().amountMinor(),
                            c.impact().currency());
                    receipts.record(tenant, "approval.superseded", execution.id(), approver.actor(), Map.of(
                            "approval_id", grant.id(), "new_approval_id", renewed,
                            "code", ErrorCode.SPEND_IMPACT_CHANGED.wire(),
                            "approved_spend_impact_minor", execution.spendImpactMinor(),
                            "spend_impact_minor", c.impact().amountMinor()));
                    return new Changed(renewed, c.approved(), c.impact());
                }
                case Decision.RunApproved run -> impact = run.impact();
                default -> throw new IllegalStateException("an approved request is run or refused");
            }
            long impactMinor = impact == null ? 0 : impact.amountMinor();
            if (!grants.decide(tenant, grant.id(), "used", approver.keyId(), null)) {
                s.setRollbackOnly();
                return new NotPending();
            }
            Map<String, Object> approved = new LinkedHashMap<>(evidence);
            approved.putAll(Map.of("approval_id", grant.id(), "payload_digest", execution.payloadDigest(),
                    "requested_by_key_id", execution.requestedByKeyId(), "spend_impact_minor", impactMinor));
            receipts.record(tenant, "approval.approved", execution.id(), approver.actor(), approved);
            try {
                service.reserve(tenant, execution.id(), target, impact, approver.actor());
            } catch (ApiException e) {
                s.setRollbackOnly();
                return new Failed(e);
            }
            executions.transition(tenant, execution.id(), Set.of(ExecutionStatus.AWAITING_APPROVAL),
                    ExecutionStatus.EXECUTING, null, null);
            service.claimCampaign(tenant, target, command, execution.id());
            return new Run(target);
        });
        return switch (outcome) {
            case NotPending n -> throw new ApiException(ErrorCode.APPROVAL_NOT_PENDING, "the approval was decided already");
            case Busy b -> throw refusals.refuse(approver, execution.id(), b.refusal(), req.context());
            case Changed c -> throw new ApiException(ErrorCode.SPEND_IMPACT_CHANGED, "the spend impact rose from "
                    + c.approved() + " to " + c.impact()
                    + " since the approval was asked; nothing ran, and a new approval shows the new figure",
                    Map.of("approval_id", c.newApprovalId(), "execution_id", execution.id(),
                            "approved_spend_impact_minor", c.approved().amountMinor(),
                            "spend_impact_minor", c.impact().amountMinor()));
            case Failed f -> failApproved(approver, grant, execution, f.refusal(), evidence);
            case Run r -> calls.call(approver.actor(), executions.find(tenant, execution.id()).orElseThrow(),
                    r.target(), command);
        };
    }

    /**
     * Refusals that decide nothing: the request may run later as it is (another change of its
     * campaign settles, a kill switch is released), so its approval stays pending.
     */
    private static boolean leavesPending(RefusalCode code) {
        return code == RefusalCode.CAMPAIGN_BUSY || code == RefusalCode.KILL_SWITCH_ENGAGED;
    }

    private static Map<String, Object> storedContext(Executions.Execution e) {
        Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("connector", e.connector());
        ctx.put("action", e.action());
        ctx.put("provider", e.provider());
        ctx.put("stage", "approved_execution");
        return ctx;
    }

    /** An approved execution refused before its call: the approval is used, the execution failed; receipted. */
    private Executions.Execution failApproved(Caller.TenantKey approver, OneShotGrant grant,
            Executions.Execution execution, ApiException cause, Map<String, Object> evidence) {
        String tenant = approver.tenantId();
        tx.executeWithoutResult(s -> {
            receipts.lockChain(tenant);
            boolean decided = grants.decide(tenant, grant.id(), "used", approver.keyId(), null);
            if (decided) {
                Map<String, Object> approved = new LinkedHashMap<>(evidence);
                approved.putAll(Map.of("approval_id", grant.id(), "payload_digest", execution.payloadDigest()));
                receipts.record(tenant, "approval.approved", execution.id(), approver.actor(), approved);
            }
            if (executions.transition(tenant, execution.id(), Set.of(ExecutionStatus.AWAITING_APPROVAL),
                    ExecutionStatus.FAILED, null, ExecutionViews.error(cause.code(), cause.getMessage(), null))) {
                receipts.record(tenant, "execution.failed", execution.id(), approver.actor(),
                        Map.of("code", cause.code().wire(), "stage", "before_provider_call"));
            }
        });
        return executions.find(tenant, execution.id()).orElseThrow();
    }
}
