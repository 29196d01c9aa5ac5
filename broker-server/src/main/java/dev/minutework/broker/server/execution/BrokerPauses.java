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
 * Pauses a campaign through its provider on the broker's own authority: because the authorization
 * behind its money has ended or nothing backs it ({@link AuthorizationEndings}), because its spend
 * ran beyond what was held or too fast ({@link SpendSettlements}), or because a kill switch covering it is
 * engaged ({@link KillSwitchPauses}). Lowering spend needs no approval, so no {@link Decider}
 * decision is asked; otherwise it runs like any pause: serialised with the campaign's other changes,
 * receipted with its reason, and its reservations released once the provider has paused it.
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
        Projections.Campaign campaign = projections.campaign(tenant, campaignId).orElseThrow();
        boolean endsAtProvider = routing.factory(campaign.provider()).map(ProviderAdapterFactory::capabilities)
                .orElse(ProviderCapabilities.NONE).has(ProviderCapabilities.Feature.CAMPAIGN_END_TIME_UPDATE);
        if (endsAtProvider && campaign.endTime() != null && !campaign.endTime().toInstant().isAfter(clock.instant())) {
            return recordEnded(tenant, campaignId, authorizationId, reason);
        }
        return pause(tenant, campaign, reason, Map.of("authorization_id", authorizationId), false);
    }

    /**
     * Pauses a campaign a kill switch covers; its receipts name the switch.
     *
     * @return the execution's status, {@code campaign_busy} or {@code no_connection}, as
     *     {@link #pauseForEndedAuthorization}
     */
    String pauseForKillSwitch(String tenant, String campaignId, String killSwitchId) {
        Projections.Campaign campaign = projections.campaign(tenant, campaignId).orElseThrow();
        return pause(tenant, campaign, "kill_switch", Map.of("kill_switch_id", killSwitchId), false);
    }

    /**
     * Pauses an active campaign for which nothing is held: no authorization backs what it could
     * spend (activated in the provider's own tools, or its approved money used up).
     *
     * @return the execution's status, {@code campaign_busy}, {@code not_active}, {@code backed}
     *     (something is held for it by now) or {@code no_connection}
     */
    String pauseUnbacked(String tenant, String campaignId) {
        Projections.Campaign campaign = projections.campaign(tenant, campaignId).orElseThrow();
        return pause(tenant, campaign, "active_without_reservation", Map.of(), true);
    }

    /**
     * The broker's pause of a campaign: an {@code executing} execution accepted (receipted with
     * {@code reason} and {@code about}) with the campaign claimed, then the provider call and its
     * settlement. A failed call leaves the campaign active and free, for the next run to try again.
     *
     * @param onlyIfNothingHeld re-check, under the campaign's lock, that nothing is held for it
     *     (the pause of an unbacked campaign must not stop one that money was reserved for since)
     * @return the execution's status, {@code campaign_busy}, {@code not_active} (no longer active
     *     once locked: nothing to do), {@code backed} or {@code no_connection}
     */
    private String pause(String tenant, Projections.Campaign campaign, String reason, Map<String, Object> about,
            boolean onlyIfNothingHeld) {
        String campaignId = campaign.id();
        String executionId = Ids.next("exe");
        String actor = "broker:" + reason;
        Connections.Connection connection = connections.live(tenant, campaign.provider()).orElse(null);
        if (connection == null) {
            log.error("campaign {} of tenant {} is due a pause ({} {}) but the tenant has no connection to {}"
                    + " to pause it through", campaignId, tenant, reason, about, campaign.provider());
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
        ctx.putAll(about);
        Executions.Execution[] inserted = new Executions.Execution[1];
        String outcome = tx.execute(s -> {
            Projections.Campaign locked = lockIfFree(s, tenant, campaignId);
            if (locked == null) {
                return ErrorCode.CAMPAIGN_BUSY.wire();
            }
            if (!"active".equals(locked.status())) {
                // paused (or ended) since it was found due: nothing left to pause
                s.setRollbackOnly();
                return "not_active";
            }
            if (onlyIfNothingHeld && ledger.heldMinorForCampaign(tenant, campaignId) > 0) {
                // money was reserved for it since it was found: it is backed now
                s.setRollbackOnly();
                return "backed";
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
