package dev.minutework.broker.server.execution;

import dev.minutework.broker.core.command.ExecuteCommand;
import dev.minutework.broker.core.execution.ExecutionStatus;
import dev.minutework.broker.core.execution.Settlement;
import dev.minutework.broker.core.money.Money;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ReportRow;
import dev.minutework.broker.core.spend.CampaignBudget;
import dev.minutework.broker.core.spend.CampaignChange;
import dev.minutework.broker.core.spend.CampaignExposure;
import dev.minutework.broker.core.spend.DeliveryRule;
import dev.minutework.broker.core.spend.Exposure;
import dev.minutework.broker.server.ads.Projections;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.api.RequestJson;
import dev.minutework.broker.server.preflight.ProviderHealth;
import dev.minutework.broker.server.receipts.Receipts;
import dev.minutework.broker.server.spend.SpendAuthorizations;
import dev.minutework.broker.server.spend.SpendLedger;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Records a provider's outcome as {@link Settlement#settle} decides it: projection, the money held
 * kept or released, the campaign freed, status and receipts, in one transaction.
 */
@Component
class Completions {

    private static final Logger log = LoggerFactory.getLogger(Completions.class);

    private final Executions executions;
    private final Projections projections;
    private final SpendLedger ledger;
    private final SpendAuthorizations authorizations;
    private final Receipts receipts;
    private final ProviderHealth health;
    private final FaultPoints faultPoints;
    private final TransactionTemplate tx;
    private final Clock clock;

    Completions(Executions executions, Projections projections, SpendLedger ledger,
            SpendAuthorizations authorizations, Receipts receipts, ProviderHealth health, FaultPoints faultPoints,
            TransactionTemplate tx, Clock clock) {
        this.executions = executions;
        this.projections = projections;
        this.ledger = ledger;
        this.authorizations = authorizations;
        this.receipts = receipts;
        this.health = health;
        this.faultPoints = faultPoints;
        this.tx = tx;
        this.clock = clock;
    }

    /**
     * Records the provider's outcome; {@code reconciledVerdict}, when not null, is receipted first as
     * the reconciliation that learned it. Completions of one execution are serialised by the tenant's
     * chain lock; one that finds the execution no longer {@code executing} rolls back whole, so an
     * outcome is projected and receipted once.
     *
     * @param target the execution's objects and connection; null when reconciliation could not read
     *     them (then the outcome is unknown and nothing is projected)
     * @return the execution as this completion left it, or null when it was discarded
     */
    Executions.Execution complete(String actor, Executions.Execution e, Snapshots.Resolved target,
            ExecuteCommand sent, ProviderOutcome outcome, String reconciledVerdict) {
        String tenant = e.tenantId();
        Settlement settlement = Settlement.settle(ExecutionStatus.EXECUTING, outcome);
        Executions.Execution[] after = new Executions.Execution[1];
        tx.executeWithoutResult(s -> {
            receipts.lockChain(tenant);
            if (reconciledVerdict != null) {
                receipts.record(tenant, "execution.reconciled", e.id(), actor, Map.of("verdict", reconciledVerdict));
            }
            Map<String, Object> details = new HashMap<>();
            Map<String, Object> result = null;
            if (outcome instanceof ProviderOutcome.Succeeded ok) {
                result = project(actor, e, target, sent, ok);
                details.put("object_id", result.get("object_id"));
                details.put("provider_object_id", ok.providerObjectId());
                details.put("rows", ok.rows().size());
            }
            if (settlement.accountRefusedCredentials() && target != null) {
                health.authenticationFailed(target.connection().providerAccountId());
            }
            if (settlement.releaseReason() != null) {
                ledger.heldForExecution(tenant, e.id())
                        .forEach(r -> ledger.release(tenant, r.id(), settlement.releaseReason(), actor));
                if (settlement.freeCampaign()) {
                    projections.freeCampaign(tenant, e.id());
                }
            }
            Map<String, Object> err = settlement.error() == null ? null : error(settlement.error(), details);
            if (removedAtProvider(sent, target, outcome)) {
                markRemoved(tenant, target.campaign(), e.id(), actor);
                err.put("campaign_status", "removed_at_provider");
            }
            after[0] = executions.moved(tenant, e.id(), Set.of(ExecutionStatus.EXECUTING), settlement.status(), result,
                    err).orElse(null);
            faultPoints.reached("before_receipt");
            if (after[0] == null) {
                // another completion (the janitor's, or another process's) settled it first: keep that one whole
                s.setRollbackOnly();
                log.warn("execution {} was already settled when its {} outcome arrived; this completion was discarded",
                        e.id(), outcome.getClass().getSimpleName());
                return;
            }
            details.put("requested_by_key_id", e.requestedByKeyId());
            receipts.record(tenant, settlement.receiptKind(), e.id(), actor, details);
        });
        return after[0];
    }

    /**
     * Whether the provider said it does not have the campaign a pause, update or report named: the
     * broker's campaign is then marked {@code removed_at_provider} and what is held for it released
     * (it cannot spend).
     */
    static boolean removedAtProvider(ExecuteCommand sent, Snapshots.Resolved target, ProviderOutcome outcome) {
        if (!(outcome instanceof ProviderOutcome.Rejected r) || r.kind() != ProviderOutcome.RejectionKind.NOT_FOUND
                || target == null || target.campaign() == null) {
            return false;
        }
        String named = switch (sent) {
            case ExecuteCommand.PauseCampaign p -> p.campaignId();
            case ExecuteCommand.UpdateCampaign u -> u.campaignId();
            case ExecuteCommand.FetchReport f -> f.campaignId();
            default -> null;
        };
        return target.campaign().id().equals(named);
    }

    /**
     * Records, in its own transaction, that the provider no longer has a campaign (learned from a
     * dry run, before any execution was recorded): see {@link #markRemoved}.
     */
    void campaignRemoved(String tenant, Projections.Campaign campaign, String actor) {
        tx.executeWithoutResult(s -> {
            receipts.lockChain(tenant);
            markRemoved(tenant, campaign, null, actor);
        });
    }

    /**
     * Marks a campaign the provider no longer has {@code removed_at_provider}, releases everything
     * held for it and receipts it ({@code campaign.removed_at_provider}), inside the caller's
     * transaction (holding the tenant's chain lock).
     */
    private void markRemoved(String tenant, Projections.Campaign campaign, String executionId, String actor) {
        projections.markRemovedAtProvider(tenant, campaign.id());
        int released = ledger.releaseCampaign(tenant, campaign.id(), "campaign_removed_at_provider", actor);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("campaign_id", campaign.id());
        details.put("provider", campaign.provider());
        details.put("provider_object_id", campaign.providerObjectId());
        details.put("released_reservations", released);
        receipts.record(tenant, "campaign.removed_at_provider", executionId, actor, details);
        log.warn("campaign {} of tenant {} is no longer at {} (provider id {}): marked removed_at_provider, {} "
                + "reservation(s) released", campaign.id(), tenant, campaign.provider(), campaign.providerObjectId(),
                released);
    }

    /** A settled failure as the execution's error, and what its receipt says of it. */
    private static Map<String, Object> error(Settlement.Failure f, Map<String, Object> details) {
        ErrorCode code = ErrorCode.valueOf(f.code().name());
        if (f.code() == Settlement.FailureCode.PROVIDER_OUTCOME_UNKNOWN) {
            // invariant 7: the reservation stays held until reconciliation knows the outcome
            String reason = RequestJson.clip(f.message(), 300);
            details.put("reason", reason);
            return ExecutionViews.error(code, reason, null);
        }
        Map<String, Object> err = ExecutionViews.error(code, f.message(), null);
        details.put("code", code.wire());
        if (f.retryAfterSeconds() != null) {
            err.put("retry_after_seconds", f.retryAfterSeconds());
        } else {
            // the provider's text never reaches a tenant: the broker's words and the sanitized code
            err.put("provider_code", f.providerCode());
            err.put("kind", f.kind());
            details.put("provider_code", f.providerCode());
        }
        return err;
    }

    private Map<String, Object> project(String actor, Executions.Execution e, Snapshots.Resolved target,
            ExecuteCommand sent, ProviderOutcome.Succeeded ok) {
        String tenant = e.tenantId();
        Map<String, Object> result = new LinkedHashMap<>();
        String status = ok.data().get("status") instanceof String st ? st : null;
        String campaignId = target.campaign() == null ? null : target.campaign().id();
        switch (sent) {
            case ExecuteCommand.CreateCampaign c -> {
                String shown = c.active() ? "active" : "paused";
                String id = projections.insertCampaign(tenant, e.provider(), target.connection().id(),
                        ok.providerObjectId(), c.name(), c.objective(), shown, c.budget().amount().amountMinor(),
                        c.budget().amount().currency(), c.budget().period().wire(), c.start(), c.end(), e.id());
                // what the execution reserved is now the campaign's: it follows the campaign (pause, settlement)
                ledger.attachToCampaign(tenant, e.id(), id);
                result.put("object_id", id);
                result.put("status", shown);
            }
            case ExecuteCommand.UpdateCampaign u -> result.putAll(changeCampaign(actor, e, campaignId, u.name(),
                    u.change()));
            case ExecuteCommand.PauseCampaign p -> result.putAll(changeCampaign(actor, e, campaignId, null,
                    p.change()));
            case ExecuteCommand.CreateGroup g -> result.putAll(insertObject(e, target, "group", campaignId, campaignId,
                    g.name(), status != null ? status : g.active() == null ? null : g.active() ? "active" : "paused",
                    ok));
            case ExecuteCommand.CreateCreative c -> result.putAll(insertObject(e, target, "creative", null, null,
                    c.name(), status, ok));
            case ExecuteCommand.CreateAd a -> result.putAll(insertObject(e, target, "ad", campaignId, a.groupId(),
                    a.name(), status != null ? status : a.active() == null ? null : a.active() ? "active" : "paused",
                    ok));
            case ExecuteCommand.FetchReport r -> result.put("rows", reportRows(tenant, e.provider(), r, ok.rows()));
        }
        if (ok.providerObjectId() != null) {
            result.put("provider_object_id", ok.providerObjectId());
        }
        return result;
    }

    private Map<String, Object> changeCampaign(String actor, Executions.Execution e, String campaignId, String name,
            CampaignChange change) {
        String tenant = e.tenantId();
        // the campaign as it is now: changes of it are serialised, so this is the state the call ran on
        Projections.Campaign c = projections.lockCampaign(tenant, campaignId).orElseThrow();
        String newStatus = change.active() == null ? c.status() : change.active() ? "active" : "paused";
        CampaignBudget budget = change.budget();
        projections.updateCampaign(tenant, c.id(), name, newStatus,
                budget == null ? null : budget.amount().amountMinor(), budget == null ? null : budget.period().wire(),
                change.end());
        rebase(actor, tenant, c.id(), e.id());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("object_id", c.id());
        result.put("status", newStatus);
        return result;
    }

    private Map<String, Object> insertObject(Executions.Execution e, Snapshots.Resolved target, String kind,
            String campaignId, String parent, String name, String status, ProviderOutcome.Succeeded ok) {
        String reviewStatus = ok.data().get("review_status") instanceof String rs ? rs : null;
        String id = projections.insertObject(e.tenantId(), kind, e.provider(), target.connection().id(), campaignId,
                parent, ok.providerObjectId(), name, status, reviewStatus, new LinkedHashMap<>(Calls.storedInput(e)),
                e.id());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("object_id", id);
        result.put("status", ok.data().get("status") instanceof String st ? st : null);
        result.put("review_status", reviewStatus);
        return result;
    }

    /**
     * After a successful update or pause, the campaign's held reservations are made to match its new
     * exposure: a paused campaign holds nothing; a lower exposure releases them and reserves the new
     * figure (which fits, since it is smaller than what was just released). Under an authorization
     * that is no longer active, what is held stays held until the campaign is paused.
     */
    private void rebase(String actor, String tenant, String campaignId, String executionId) {
        List<SpendLedger.Reservation> held = ledger.heldForCampaign(tenant, campaignId);
        Projections.Campaign now = projections.campaign(tenant, campaignId).orElseThrow();
        if (!"active".equals(now.status())) {
            held.forEach(r -> ledger.release(tenant, r.id(), "campaign_paused", actor));
            return;
        }
        if (held.isEmpty()) {
            return;
        }
        long heldTotal = held.stream().mapToLong(r -> r.amount().amountMinor()).sum();
        SpendAuthorizations.Authorization authorization = authorizations.find(tenant, held.getFirst().authorizationId())
                .filter(a -> "active".equals(a.status())).orElse(null);
        if (authorization == null) {
            return;
        }
        Exposure exposure = CampaignExposure.of(now.state(), Calls.authorizationEnd(authorization),
                DeliveryRule.forProvider(now.provider()), clock.instant());
        if (!(exposure instanceof Exposure.Bounded b)) {
            return;
        }
        long target = b.amount().amountMinor();
        if (target > heldTotal) {
            // cannot happen while changes of a campaign are serialised and reserved before their call
            log.error("campaign {} of tenant {} exposes {} but holds {} after execution {}", campaignId, tenant, target,
                    heldTotal, executionId);
        } else if (target < heldTotal) {
            held.forEach(r -> ledger.release(tenant, r.id(), "exposure_lowered", actor));
            if (target > 0) {
                ledger.reserve(tenant, executionId, authorization.id(), campaignId, Money.of(target, now.currency()),
                        actor);
            }
        }
    }

    private List<Map<String, Object>> reportRows(String tenant, String provider, ExecuteCommand.FetchReport report,
            List<ReportRow> rows) {
        Map<String, Map<String, Object>> totals = new LinkedHashMap<>();
        List<Map<String, Object>> out = new ArrayList<>();
        for (ReportRow r : rows) {
            Optional<Projections.Campaign> c = projections.campaignByProviderId(tenant, provider, r.providerCampaignId());
            if (c.isEmpty()) {
                continue; // an object the tenant does not own is never reported to it
            }
            if (report.total()) {
                Map<String, Object> t = totals.computeIfAbsent(c.get().id(), id -> row(null, id, 0, 0, 0, r.currency()));
                t.merge("impressions", r.impressions(), (a, b) -> (long) a + (long) b);
                t.merge("clicks", r.clicks(), (a, b) -> (long) a + (long) b);
                t.merge("spend_minor", r.spendMinor(), (a, b) -> (long) a + (long) b);
            } else {
                out.add(row(r.date(), c.get().id(), r.impressions(), r.clicks(), r.spendMinor(), r.currency()));
            }
        }
        return report.total() ? new ArrayList<>(totals.values()) : out;
    }

    private static Map<String, Object> row(LocalDate date, String campaignId, long impressions, long clicks, long spend,
            String currency) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("date", date == null ? null : date.toString());
        m.put("campaign_id", campaignId);
        m.put("impressions", impressions);
        m.put("clicks", clicks);
        m.put("spend_minor", spend);
        m.put("currency", currency);
        return m;
    }
}
