package dev.minutework.broker.server.execution;

import dev.minutework.broker.core.command.Commands;
import dev.minutework.broker.core.command.ExecuteCommand;
import dev.minutework.broker.core.execution.TenantSnapshot;
import dev.minutework.broker.core.provider.ProviderAdapterFactory;
import dev.minutework.broker.core.provider.ProviderCapabilities;
import dev.minutework.broker.core.provider.ProviderCheck;
import dev.minutework.broker.server.routing.ProviderRouting;
import dev.minutework.broker.server.ads.Projections;
import dev.minutework.broker.server.advertisers.AdvertiserProfiles;
import dev.minutework.broker.server.grants.Grants;
import dev.minutework.broker.server.killswitch.KillSwitches;
import dev.minutework.broker.server.persistence.Reads;
import dev.minutework.broker.server.connections.Connections;
import dev.minutework.broker.server.preflight.ProviderHealth;
import dev.minutework.broker.server.spend.SpendAuthorizations;
import dev.minutework.broker.server.spend.SpendLedger;
import dev.minutework.broker.server.spend.Wallets;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Reads what a decision needs ({@link TenantSnapshot}) and what carrying it out needs besides
 * ({@link Resolved}): the objects the input names, then — in one round trip — the execution
 * already holding the idempotency key, the live connection and, for mutating requests, the
 * advertiser profile, the spend authorization in the spend's currency, the wallet, the standing
 * grants, the engaged kill switch covering the tenant at the provider, and what is held for the
 * campaign a spend-raising change concerns.
 */
@Component
class Snapshots {

    private final ProviderRouting routing;
    private final Projections projections;
    private final Connections connections;
    private final AdvertiserProfiles advertisers;
    private final SpendAuthorizations authorizations;
    private final Wallets wallets;
    private final SpendLedger ledger;
    private final Grants approvals;
    private final Executions executions;
    private final ProviderHealth health;
    private final KillSwitches killSwitches;
    private final Reads reads;
    private final Clock clock;

    Snapshots(ProviderRouting routing, Projections projections, Connections connections,
            AdvertiserProfiles advertisers, SpendAuthorizations authorizations, Wallets wallets, SpendLedger ledger,
            Grants approvals, Executions executions, ProviderHealth health, KillSwitches killSwitches, Reads reads,
            Clock clock) {
        this.routing = routing;
        this.projections = projections;
        this.connections = connections;
        this.advertisers = advertisers;
        this.authorizations = authorizations;
        this.wallets = wallets;
        this.ledger = ledger;
        this.approvals = approvals;
        this.executions = executions;
        this.health = health;
        this.killSwitches = killSwitches;
        this.reads = reads;
        this.clock = clock;
    }

    /**
     * A request's snapshot and the rows behind it.
     *
     * @param existing the execution already holding the request's idempotency key, or null
     * @param providerIds provider ids of the objects the input names, keyed by input field
     * @param references the commands those objects were created with, keyed the same way
     * @param capabilities what the provider's adapter can do (empty without one)
     */
    record Resolved(TenantSnapshot snapshot, Executions.Execution existing, Connections.Connection connection,
            Map<String, String> providerIds, Map<String, ExecuteCommand> references, Projections.Campaign campaign,
            SpendAuthorizations.Authorization authorization, ProviderCapabilities capabilities) {

        /** These rows with the campaign as it is now, and what is held for it. */
        Resolved withCampaign(Projections.Campaign now, long heldMinor) {
            return new Resolved(snapshot.withCampaign(now.fact(), heldMinor), existing, connection, providerIds,
                    references, now, authorization, capabilities);
        }
    }

    /**
     * Reads a request's snapshot.
     *
     * @param callerKeyId the key the request is decided for (its requester's)
     * @param executionId the execution being decided, when it exists already
     * @param withReplay whether to read the execution holding the idempotency key
     */
    Resolved read(ExecuteRequest req, String callerKeyId, String executionId, boolean withReplay) {
        String tenant = req.key().tenantId();
        ExecuteCommand command = req.command();
        Refs refs = resolve(tenant, command);
        Projections.Campaign campaign = refs.campaign();
        String currency = command.currency() != null ? command.currency()
                : campaign == null ? null : campaign.currency();

        Map<String, Object> params = new HashMap<>();
        params.put("tenant", tenant);
        params.put("provider", req.provider());
        params.put("idempotency_key", req.idempotencyKey());
        params.put("currency", currency);
        params.put("action", command.action());
        params.put("campaign", campaign == null ? null : campaign.id());
        params.put("now", OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC));
        Reads.Read<Executions.Execution> existing = executions.byKeyRead();
        Reads.Read<Connections.Connection> connectionRead = connections.liveRead();
        Reads.Read<AdvertiserProfiles.Profile> profile = advertisers.read();
        Reads.Read<SpendAuthorizations.Authorization> authorization = authorizations.activeRead();
        Reads.Read<Boolean> anyAuthorization = authorizations.anyActiveRead();
        Reads.Read<Wallets.Wallet> wallet = wallets.read();
        Reads.Read<Grants.Grant> standing = approvals.standingRead();
        Reads.Read<Long> held = ledger.heldMinorForCampaignRead();
        Reads.Read<KillSwitches.Switch> killSwitch = killSwitches.coveringRead();
        List<Reads.Read<?>> wanted = new ArrayList<>();
        if (withReplay) {
            wanted.add(existing);
        }
        wanted.add(connectionRead);
        boolean mutating = command.mutating();
        if (mutating) {
            wanted.addAll(currency != null ? List.of(profile, authorization, anyAuthorization, wallet, standing)
                    : List.of(profile, anyAuthorization, wallet, standing));
            wanted.add(killSwitch);
        }
        boolean heldMatters = campaign != null && command.raisesSpend();
        if (heldMatters) {
            wanted.add(held);
        }
        Reads.Results r = reads.together(params, wanted);

        ProviderAdapterFactory factory = routing.factory(req.provider()).orElse(null);
        Connections.Connection connection = r.optional(connectionRead);
        List<ProviderCheck> live = factory != null && connection != null && connection.active()
                // what preflight's live checks say of the account: a provider refusing its credentials refuses this too
                ? health.failing(req.provider(), connection.providerAccountId()) : List.of();
        SpendAuthorizations.Authorization auth = mutating && currency != null ? r.optional(authorization) : null;
        AdvertiserProfiles.Profile advertiser = mutating ? r.optional(profile) : null;
        Wallets.Wallet w = mutating ? r.optional(wallet) : null;
        TenantSnapshot snapshot = new TenantSnapshot(req.provider(), callerKeyId, executionId,
                factory == null ? null : new TenantSnapshot.Adapter(factory.id(), factory.real()),
                connection == null ? null : connection.fact(), live, advertiser == null ? null : advertiser.fact(),
                mutating && Boolean.TRUE.equals(r.optional(anyAuthorization)), auth == null ? null : auth.fact(),
                w == null ? null : w.fact(), refs.found(), campaign == null ? null : campaign.fact(),
                heldMatters ? r.optional(held) : 0,
                mutating ? r.list(standing).stream().map(Grants.Grant::standing).toList() : List.of(),
                mutating ? Optional.ofNullable(r.optional(killSwitch)).map(KillSwitches.Switch::fact).orElse(null) : null);
        return new Resolved(snapshot, withReplay ? r.optional(existing) : null, connection, refs.providerIds(),
                refs.commands(), campaign, auth, factory == null ? ProviderCapabilities.NONE : factory.capabilities());
    }

    /**
     * What calling the provider for a decided execution needs, without a snapshot: for the broker's
     * own pause and for reconciliation.
     */
    Resolved target(String tenant, String provider, ExecuteCommand command, Connections.Connection connection,
            SpendAuthorizations.Authorization authorization) {
        Refs refs = resolve(tenant, command);
        return new Resolved(null, null, connection, refs.providerIds(), refs.commands(), refs.campaign(),
                authorization, routing.factory(provider).map(ProviderAdapterFactory::capabilities).orElse(ProviderCapabilities.NONE));
    }

    /** The objects an input names, found or not. */
    private record Refs(Map<String, TenantSnapshot.Reference> found, Map<String, String> providerIds,
            Map<String, ExecuteCommand> commands, Projections.Campaign campaign) {}

    private Refs resolve(String tenant, ExecuteCommand command) {
        Map<String, TenantSnapshot.Reference> refs = new LinkedHashMap<>();
        Map<String, String> providerIds = new HashMap<>();
        Map<String, ExecuteCommand> referenced = new HashMap<>();
        Projections.Campaign campaign = null;
        for (Map.Entry<String, String> ref : command.references().entrySet()) {
            String field = ref.getKey();
            if ("campaign_id".equals(field)) {
                campaign = projections.campaign(tenant, ref.getValue()).orElse(null);
                if (campaign != null) {
                    refs.put(field, new TenantSnapshot.Reference("campaign", campaign.id(), campaign.provider(),
                            "removed_at_provider".equals(campaign.status())));
                    providerIds.put(field, campaign.providerObjectId());
                    referenced.put(field, campaign.asCreated());
                }
                continue;
            }
            String kind = field.substring(0, field.length() - "_id".length());
            Optional<Projections.AdsObject> o = projections.object(tenant, kind, ref.getValue());
            if (o.isPresent()) {
                refs.put(field, new TenantSnapshot.Reference(kind, o.get().id(), o.get().provider()));
                providerIds.put(field, o.get().providerObjectId());
                referenced.put(field, Commands.stored("ads.create_" + kind, o.get().data()));
                if (campaign == null && o.get().campaignId() != null) {
                    campaign = projections.campaign(tenant, o.get().campaignId()).orElse(null);
                }
            }
        }
        return new Refs(refs, providerIds, referenced, campaign);
    }

    /**
     * Inside the transaction that lets a change of a campaign run: the campaign's row, locked, and
     * what is held for it, so that the decision is made again on the state the call runs on.
     */
    Resolved lockCampaign(Resolved resolved, String tenant) {
        Projections.Campaign now = projections.lockCampaign(tenant, resolved.campaign().id()).orElseThrow();
        return resolved.withCampaign(now, ledger.heldMinorForCampaign(tenant, now.id()));
    }
}
