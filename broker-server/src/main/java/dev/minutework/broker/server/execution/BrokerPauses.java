package dev.minutework.broker.server.execution;

import dev.minutework.broker.core.execution.Decider;
import dev.minutework.broker.core.command.ExecuteCommand;
import dev.minutework.broker.core.execution.ExecutionStatus;
import dev.minutework.broker.core.provider.ProviderAdapterFactory;
import dev.minutework.broker.core.provider.ProviderCapabilities;
import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.server.routing.ProviderRouting;
import dev.minutework.broker.server.ads.Projections;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.api.Ids;
import dev.minutework.broker.server.connections.Connections;
import dev.minutework.broker.server.receipts.Receipts;
import dev.minutework.broker.server.spend.SpendLedger;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Pauses a campaign through its provider on the broker's own authority, because the authorization
 * behind its money has ended. Lowering spend needs no approval, so no {@link Decider} decision is
 * asked; otherwise it runs like any pause: serialised with the campaign's other changes, receipted,
 * and its reservations released once the provider has paused it.
 */
@Component
class BrokerPauses {

    private static final Logger log = LoggerFactory.getLogger(BrokerPauses.class);
    private static final String CONNECTOR = "mw.connector.ads";

    private final Projections projections;
    private final ProviderRouting routing;
    private final Connections connections;
    private final Snapshots snapshots;
    private final Executions executions;
    private final SpendLedger ledger;
    private final Receipts receipts;
    private final Calls calls;
    private final TransactionTemplate tx;
    private final Clock clock;

    BrokerPauses(Projections projections, ProviderRouting routing, Connections connections, Snapshots snapshots,
            Executions executions, SpendLedger ledger, Receipts receipts, Calls calls, TransactionTemplate tx,
            Clock clock) {
        this.projections = projections;
        this.routing = routing;
        this.connections = connections;
        this.snapshots = snapshots;
        this.executions = executions;
        this.ledger = ledger;
        this.receipts = receipts;
        this.calls = calls;
        this.tx = tx;
        this.clock = clock;
    }

    /**
     * @param reason {@code authorization_expired} or {@code authorization_revoked}
     * @return the execution's status, {@code ended} when the provider stopped the campaign at its end
     *     already, {@code campaign_busy} when another change of the campaign is in flight (the next
     *     run tries again), or {@code no_connection}
     */
    String pauseForEndedAuthorization(String tenant, String campaignId, String authorizationId, String reason) {
        String executionId = Ids.next("exe");
        String actor = "broker:" + reason;
        Projections.Campaign campaign = projections.campaign(tenant, campaignId).orElseThrow();
        boolean endsAtProvider = routing.factory(campaign.provider()).map(ProviderAdapterFactory::capabilities)
                .orElse(ProviderCapabilities.NONE).has(ProviderCapabilities.Feature.CAMPAIGN_END_TIME_UPDATE);
        if (endsAtProvider && campaign.endTime() != null && !campaign.endTime().toInstant().isAfter(clock.instant())) {
            return recordEnded(tenant, campaignId, authorizationId, reason);
        }
        Connections.Connection connection = connections.live(tenant, campaign.provider()).orElse(null);
        if (connection == null) {
            log.error("campaign {} of tenant {} runs under ended authorization {} but the tenant has no connection to {}"
                    + " to pause it through", campaignId, tenant, authorizationId, campaign.provider());
            return "no_connection";
        }
        ExecuteCommand.PauseCampaign pause = new ExecuteCommand.PauseCampaign(campaignId);
        String payload = ExecuteRequest.canonicalPayload(CONNECTOR, pause.action(), campaign.provider(),
                Map.of("campaign_id", campaignId));
        String digest = CanonicalJson.sha256Hex(payload);
        String idempotencyKey = "broker:" + executionId;
        Snapshots.Resolved target = snapshots.target(tenant, campaign.provider(), pause, connection, null);
        Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("connector", CONNECTOR);
        ctx.put("action", pause.action());
        ctx.put("provider", campaign.provider());
        ctx.put("idempotency_key", idempotencyKey);
        ctx.put("payload_digest", digest);
        ctx.put("initiated_by", "broker");
        ctx.put("reason", reason);
        ctx.put("authorization_id", authorizationId);
        Executions.Execution[] inserted = new Executions.Execution[1];
        String outcome = tx.execute(s -> {
            if (lockIfFree(s, tenant, campaignId) == null) {
                return ErrorCode.CAMPAIGN_BUSY.wire();
            }
            inserted[0] = executions.insert(executionId, tenant, idempotencyKey, payload, digest, CONNECTOR,
                    pause.action(), campaign.provider(), ExecutionStatus.EXECUTING, actor, null, 0, null).orElseThrow();
            receipts.record(tenant, "execution.accepted", executionId, actor, ctx);
            projections.setBusy(tenant, campaignId, executionId);
            return "run";
        });
        if (!"run".equals(outcome)) {
            return outcome;
        }
        return calls.call(actor, inserted[0], target, pause).status();
    }

    /**
     * Records a campaign the provider has already stopped at its end time (which the broker set no
     * later than its authorization's end) as {@code ended}, and releases what was held for it:
     * there is nothing left to pause.
     */
    private String recordEnded(String tenant, String campaignId, String authorizationId, String reason) {
        String actor = "broker:" + reason;
        return tx.execute(s -> {
            Projections.Campaign c = lockIfFree(s, tenant, campaignId);
            if (c == null) {
                return ErrorCode.CAMPAIGN_BUSY.wire();
            }
            projections.updateCampaign(tenant, campaignId, null, "ended", null, null, null);
            ledger.heldForCampaign(tenant, campaignId).forEach(r -> ledger.release(tenant, r.id(), "campaign_ended", actor));
            receipts.record(tenant, "campaign.ended", null, actor, Map.of("campaign_id", campaignId,
                    "end_time", c.endTime().toString(), "authorization_id", authorizationId, "reason", reason));
            return "ended";
        });
    }

    /**
     * Locks the tenant's chains and the campaign's row; null — with the transaction marked to roll
     * back — while another change of the campaign is at the provider or of unknown outcome (the
     * rule {@code Decider} calls {@code campaign_busy}), which the next run of the job retries.
     */
    private Projections.Campaign lockIfFree(TransactionStatus s, String tenant, String campaignId) {
        receipts.lockChainForSpend(tenant);
        Projections.Campaign c = projections.lockCampaign(tenant, campaignId).orElseThrow();
        if (c.busyExecutionId() != null) {
            s.setRollbackOnly();
            return null;
        }
        return c;
    }
}
