package dev.minutework.broker.server.execution;

import static dev.minutework.broker.server.execution.Refusals.with;

import dev.minutework.broker.core.execution.Decider;
import dev.minutework.broker.core.execution.Decision;
import dev.minutework.broker.core.execution.DryRun;
import dev.minutework.broker.core.execution.Refusal;
import dev.minutework.broker.core.command.ExecuteCommand;
import dev.minutework.broker.core.execution.ExecutionStatus;
import dev.minutework.broker.core.money.Money;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.server.ads.Projections;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.api.Ids;
import dev.minutework.broker.server.grants.Grants;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.ops.DatabaseGauges;
import dev.minutework.broker.server.receipts.Receipts;
import dev.minutework.broker.server.spend.SpendLedger;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code integration_broker.execute} (design §4): the envelope ({@link ExecuteRequests}), the
 * tenant's snapshot ({@link Snapshots}), the decision ({@link Decider}), then a transaction that
 * records it — the execution row, its receipts, and for a run the grant consumed, the money reserved
 * and the campaign claimed — then the provider call and its settlement ({@link Calls}). Where the
 * provider has a dry run, it is asked first: what it would refuse never reaches an approver.
 */
@Service
public class ExecuteService {

    static final Duration APPROVAL_TTL = Duration.ofHours(24);

    private final ExecuteRequests requests;
    private final Snapshots snapshots;
    private final Calls calls;
    private final Completions completions;
    private final Refusals refusals;
    private final Executions executions;
    private final Grants grants;
    private final SpendLedger ledger;
    private final Projections projections;
    private final Receipts receipts;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final DatabaseGauges gauges;

    ExecuteService(ExecuteRequests requests, Snapshots snapshots, Calls calls, Completions completions,
            Refusals refusals,
            Executions executions, Grants grants, SpendLedger ledger, Projections projections, Receipts receipts,
            TransactionTemplate tx, Clock clock, DatabaseGauges gauges) {
        this.requests = requests;
        this.snapshots = snapshots;
        this.calls = calls;
        this.completions = completions;
        this.refusals = refusals;
        this.executions = executions;
        this.grants = grants;
        this.ledger = ledger;
        this.projections = projections;
        this.receipts = receipts;
        this.tx = tx;
        this.clock = clock;
        this.gauges = gauges;
    }

    /** What the API answers: an HTTP status and the execution as the API shows it. */
    public record Answer(int status, Map<String, Object> body, boolean replayed) {}

    public Answer execute(Caller.TenantKey key, Map<String, Object> body) {
        ExecuteRequest req = requests.read(key, body);
        Snapshots.Resolved resolved = snapshots.read(req, key.keyId(), null, true);
        if (resolved.existing() != null) {
            return replayOf(req, resolved.existing());
        }
        return switch (Decider.decide(req.command(), resolved.snapshot(), resolved.capabilities(), clock.instant())) {
            case Decision.Refused r -> throw refusals.refuse(key, null, r.refusal(), req.context());
            case Decision.RunRead r -> runRead(req, resolved);
            case Decision.AwaitApproval a -> checkedFirst(req, resolved, List.of(), a.impact());
            case Decision.RunUnderGrant g -> checkedFirst(req, resolved, g.grantIds(), g.impact());
            case Decision.RunApproved r -> throw new IllegalStateException("a new request is not approved");
            case Decision.ImpactChanged c -> throw new IllegalStateException("a new request is not approved");
        };
    }

    /** One of the tenant's executions as the API shows it ({@code GET /v1/executions/{id}}); 404 otherwise. */
    public Map<String, Object> view(String tenantId, String executionId) {
        return ExecutionViews.view(executions.find(tenantId, executionId)
                .orElseThrow(() -> ApiException.notFound("execution")));
    }

    private Answer replayOf(ExecuteRequest req, Executions.Execution existing) {
        if (!existing.payloadDigest().equals(req.digest())) {
            throw refusals.refuse(req.key(), null, new ApiException(ErrorCode.IDEMPOTENCY_CONFLICT,
                    "idempotency key already used with a different payload",
                    Map.of("execution_id", existing.id())), req.context());
        }
        return new Answer(statusOf(existing), ExecutionViews.view(existing), true);
    }

    private Answer replay(ExecuteRequest req) {
        return replayOf(req, executions.findByKey(req.key().tenantId(), req.idempotencyKey()).orElseThrow());
    }

    /**
     * The provider's dry run, where it has one, before the gate: a request it would refuse is refused
     * now ({@code provider_would_reject}, receipted), never put before an approver or run on a
     * standing grant's money. Its verdict is kept in the accepted receipt.
     */
    private Answer checkedFirst(ExecuteRequest req, Snapshots.Resolved resolved, List<String> grantIds,
            Money planned) {
        String executionId = Ids.next("exe");
        Optional<ProviderOutcome> dryRun = calls.dryRun(req.provider(), resolved, req.command(), executionId);
        Optional<Refusal> refused = DryRun.refusal(req.provider(), dryRun);
        if (refused.isPresent() && Completions.removedAtProvider(req.command(), resolved, dryRun.get())) {
            // the provider no longer has the campaign: it cannot spend, and nothing is held for it any more
            completions.campaignRemoved(req.key().tenantId(), resolved.campaign(), req.key().actor());
            throw refusals.refuse(req.key(), null, Refusal.removedAtProvider("campaign", resolved.campaign().id(),
                    req.provider()), with(req.context(), "dry_run", DryRun.Verdict.REJECTED.wire()));
        }
        if (refused.isPresent()) {
            throw refusals.refuse(req.key(), null, refused.get(), with(req.context(), "dry_run",
                    DryRun.Verdict.REJECTED.wire()));
        }
        return gate(req, resolved, grantIds, planned, executionId, DryRun.verdict(dryRun));
    }

    /** What the gate's transaction decided. */
    private sealed interface Gated {}

    private record Replayed() implements Gated {}

    private record Refused(ApiException refusal) implements Gated {}

    private record Awaiting() implements Gated {}

    private record Runs(Executions.Execution execution, Snapshots.Resolved target) implements Gated {}

    /**
     * The approval gate. With covering standing grants ({@code grantIds}), the decision is made again
     * inside the transaction on the campaign row it locks (the state the call runs on), and the
     * first grant whose conditional update still takes the spend is consumed; otherwise — or when
     * none still does — a one-shot approval is requested.
     */
    private Answer gate(ExecuteRequest req, Snapshots.Resolved resolved, List<String> grantIds, Money planned,
            String executionId, DryRun.Verdict dryRun) {
        String tenant = req.key().tenantId();
        ExecuteCommand command = req.command();
        Gated gated = tx.execute(s -> {
            if (command.raisesSpend() && !grantIds.isEmpty()) {
                receipts.lockChainForSpend(tenant);
            } else {
                receipts.lockChain(tenant);
            }
            Money impact = planned;
            Snapshots.Resolved target = resolved;
            List<String> candidates = grantIds;
            if (!candidates.isEmpty()) {
                target = command.changesCampaign() ? snapshots.lockCampaign(resolved, tenant) : resolved;
                switch (Decider.decide(command, target.snapshot(), target.capabilities(), clock.instant())) {
                    case Decision.Refused r -> {
                        s.setRollbackOnly();
                        return new Refused(Refusals.exception(r.refusal()));
                    }
                    case Decision.RunUnderGrant g -> {
                        impact = g.impact();
                        candidates = g.grantIds();
                    }
                    case Decision.AwaitApproval a -> {
                        impact = a.impact();
                        candidates = List.of();
                    }
                    default -> throw new IllegalStateException("a mutating request is gated");
                }
            }
            long impactMinor = impact == null ? 0 : impact.amountMinor();
            String currency = impact == null ? null : impact.currency();
            String grantId = candidates.stream()
                    .filter(id -> grants.consume(tenant, id, impactMinor, currency, req.key().keyId()))
                    .findFirst().orElse(null);
            Optional<Executions.Execution> inserted = executions.insert(executionId, tenant, req.idempotencyKey(),
                    req.payload(), req.digest(), req.connector(), command.action(), req.provider(),
                    grantId == null ? ExecutionStatus.AWAITING_APPROVAL : ExecutionStatus.EXECUTING,
                    req.key().keyId(), grantId, impactMinor, currency);
            if (inserted.isEmpty()) {
                s.setRollbackOnly();
                return new Replayed();
            }
            Map<String, Object> accepted = with(req.context(), "spend_impact_minor", impactMinor);
            accepted.put("currency", currency);
            if (dryRun != DryRun.Verdict.NOT_OFFERED) {
                accepted.put("dry_run", dryRun.wire());
            }
            receipts.record(tenant, "execution.accepted", executionId, req.key().actor(), accepted);
            if (grantId == null) {
                String approvalId = requestApproval(tenant, executionId, command.action(), req.provider(),
                        req.digest(), impactMinor, currency, req.key().keyId(), req.key().actor());
                executions.setApproval(tenant, executionId, approvalId);
                return new Awaiting();
            }
            receipts.record(tenant, "approval.standing_grant_applied", executionId, req.key().actor(),
                    Map.of("grant_id", grantId, "spend_impact_minor", impactMinor));
            try {
                reserve(tenant, executionId, target, impact, req.key().actor());
            } catch (ApiException e) {
                s.setRollbackOnly();
                return new Refused(e);
            }
            claimCampaign(tenant, target, command, executionId);
            return new Runs(inserted.get(), target);
        });
        return switch (gated) {
            case Replayed r -> replay(req);
            case Refused r -> throw refusals.refuse(req.key(), null, r.refusal(), req.context());
            case Awaiting a -> new Answer(202, ExecutionViews.view(executions.find(tenant, executionId).orElseThrow()),
                    false);
            case Runs r -> {
                Executions.Execution done = calls.call(req.key().actor(), r.execution(), r.target(), command);
                yield new Answer(statusOf(done), ExecutionViews.view(done), false);
            }
        };
    }

    private Answer runRead(ExecuteRequest req, Snapshots.Resolved resolved) {
        String tenant = req.key().tenantId();
        String executionId = Ids.next("exe");
        Executions.Execution inserted = tx.execute(s -> {
            receipts.lockChain(tenant);
            Optional<Executions.Execution> row = executions.insert(executionId, tenant, req.idempotencyKey(),
                    req.payload(), req.digest(), req.connector(), req.command().action(), req.provider(),
                    ExecutionStatus.EXECUTING, req.key().keyId(), null, 0, null);
            if (row.isEmpty()) {
                s.setRollbackOnly();
                return null;
            }
            receipts.record(tenant, "execution.accepted", executionId, req.key().actor(), req.context());
            return row.get();
        });
        if (inserted == null) {
            return replay(req);
        }
        Executions.Execution done = calls.call(req.key().actor(), inserted, resolved, req.command());
        return new Answer(statusOf(done), ExecutionViews.view(done), false);
    }

    /** Asks for a one-shot approval of an execution's payload digest, showing its spend impact; receipted. */
    String requestApproval(String tenant, String executionId, String action, String provider, String digest,
            long impactMinor, String currency, String requestedByKeyId, String actor) {
        String approvalId = grants.createOneShot(tenant, executionId, action, provider, digest, impactMinor, currency,
                requestedByKeyId, clock.instant().plus(APPROVAL_TTL));
        receipts.record(tenant, "approval.requested", executionId, actor,
                Map.of("approval_id", approvalId, "payload_digest", digest, "spend_impact_minor", impactMinor));
        return approvalId;
    }

    /** Reserves what a run adds to the money held; the ledger's conditional update refuses what does not fit. */
    void reserve(String tenant, String executionId, Snapshots.Resolved target, Money impact, String actor) {
        if (impact != null && !impact.isZero()) {
            ledger.reserve(tenant, executionId, target.authorization().id(),
                    target.campaign() == null ? null : target.campaign().id(), impact, actor);
            gauges.currencyHeld(impact.currency());
        }
    }

    /** Marks the campaign a change runs on as changed by it, until its outcome is known. */
    void claimCampaign(String tenant, Snapshots.Resolved target, ExecuteCommand command, String executionId) {
        if (command.changesCampaign()) {
            projections.setBusy(tenant, target.campaign().id(), executionId);
        }
    }

    static int statusOf(Executions.Execution e) {
        return ExecutionStatus.AWAITING_APPROVAL.wire().equals(e.status()) ? 202 : 200;
    }
}
