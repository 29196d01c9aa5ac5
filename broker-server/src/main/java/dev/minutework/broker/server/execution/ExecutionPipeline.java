package dev.minutework.broker.server.execution;

import dev.minutework.broker.core.approval.ApprovalCoverage;
import dev.minutework.broker.core.connector.ActionSpec;
import dev.minutework.broker.core.connector.ConnectorManifest;
import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.core.money.Money;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ProviderRequest;
import dev.minutework.broker.core.provider.ReportRow;
import dev.minutework.broker.core.scope.ScopeGuard;
import dev.minutework.broker.core.spend.BudgetPeriod;
import dev.minutework.broker.core.spend.CampaignBudget;
import dev.minutework.broker.core.spend.DeliveryRule;
import dev.minutework.broker.core.spend.Exposure;
import dev.minutework.broker.core.spend.SpendExposure;
import dev.minutework.broker.server.accounts.ProviderRouting;
import dev.minutework.broker.server.ads.Projections;
import dev.minutework.broker.server.advertisers.AdvertiserProfiles;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.api.Ids;
import dev.minutework.broker.server.approvals.Approvals;
import dev.minutework.broker.server.connections.Connections;
import dev.minutework.broker.server.config.Reads;
import dev.minutework.broker.server.connectors.ConnectorCatalog;
import dev.minutework.broker.server.gaps.CapabilityGaps;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.receipts.Receipts;
import dev.minutework.broker.server.spend.SpendAuthorizations;
import dev.minutework.broker.server.spend.SpendLedger;
import dev.minutework.broker.server.spend.Wallets;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code integration_broker.execute} — design §4: authenticate → resolve connector/action (gap?) →
 * resolve provider & connection → scope guard → schema validation → idempotency → readiness →
 * spend impact → approval gate → reserve (atomic) → adapter call → project → receipt, with a
 * receipt at every decision and release of the reservation on definite failure.
 */
@Service
public class ExecutionPipeline {

    private static final Logger log = LoggerFactory.getLogger(ExecutionPipeline.class);
    private static final Set<String> ENVELOPE = Set.of("connector", "action", "provider", "idempotency_key", "input");
    private static final Duration APPROVAL_TTL = Duration.ofHours(24);

    private final ConnectorCatalog catalog;
    private final Connections connections;
    private final ProviderRouting routing;
    private final AdvertiserProfiles advertisers;
    private final SpendAuthorizations authorizations;
    private final Wallets wallets;
    private final SpendLedger ledger;
    private final Approvals approvals;
    private final Executions executions;
    private final Projections projections;
    private final Receipts receipts;
    private final CapabilityGaps gaps;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final FaultPoints faultPoints;
    private final Reads reads;

    ExecutionPipeline(ConnectorCatalog catalog, Connections connections,
            ProviderRouting routing, AdvertiserProfiles advertisers, SpendAuthorizations authorizations,
            Wallets wallets, SpendLedger ledger, Approvals approvals, Executions executions, Projections projections,
            Receipts receipts, CapabilityGaps gaps, TransactionTemplate tx, Clock clock, FaultPoints faultPoints,
            Reads reads) {
        this.faultPoints = faultPoints;
        this.reads = reads;
        this.catalog = catalog;
        this.connections = connections;
        this.routing = routing;
        this.advertisers = advertisers;
        this.authorizations = authorizations;
        this.wallets = wallets;
        this.ledger = ledger;
        this.approvals = approvals;
        this.executions = executions;
        this.projections = projections;
        this.receipts = receipts;
        this.gaps = gaps;
        this.tx = tx;
        this.clock = clock;
    }

    /** What the API answers: an HTTP status and the execution as the API shows it. */
    public record Answer(int status, Map<String, Object> body, boolean replayed) {}

    /** A validated request, before any state changed. */
    private record Request(Caller.TenantKey key, String connector, ActionSpec action, String provider,
            String idempotencyKey, Map<String, Object> input, String payload, String digest) {}

    /** What the request needs from the tenant's state: references, connection, spend. */
    private record Plan(Connections.Connection connection, Map<String, String> providerIds,
            Map<String, Map<String, Object>> references, Projections.Campaign campaign, Money impact,
            SpendAuthorizations.Authorization authorization, List<Approvals.Grant> standing) {}

    // ------------------------------------------------------------------ execute

    public Answer execute(Caller.TenantKey key, Map<String, Object> body) {
        Map<String, Object> raw = body == null ? Map.of() : body;
        String connectorId = raw.get("connector") instanceof String s ? s : null;
        String actionName = raw.get("action") instanceof String s ? s : null;
        if (connectorId == null || actionName == null) {
            throw refuse(key, null, new ApiException(ErrorCode.INVALID_INPUT, "connector and action are required strings",
                    Map.of("errors", List.of(Map.of("path", connectorId == null ? "$.connector" : "$.action",
                            "message", "is required")))), Map.of());
        }
        Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("connector", connectorId);
        ctx.put("action", actionName);
        ConnectorManifest connector = catalog.connector(connectorId).orElse(null);
        if (connector == null) {
            throw gap(key, connectorId, actionName, null, "unknown connector " + connectorId, ctx);
        }
        ActionSpec action = connector.action(actionName).orElse(null);
        if (action == null) {
            throw gap(key, connectorId, actionName, null, "unknown action " + actionName + " of " + connectorId, ctx);
        }
        Object providerRaw = raw.getOrDefault("provider", connector.defaultProvider());
        String provider = providerRaw instanceof String s ? s : null;
        ctx.put("provider", provider);
        if (provider == null || !connector.providers().contains(provider)) {
            throw gap(key, connectorId, actionName, String.valueOf(providerRaw), "unknown provider " + providerRaw, ctx);
        }
        if (key.agent() != null && !key.agent().allows(connectorId, actionName, action.mutating())) {
            boolean covered = key.agent().covers(connectorId, actionName);
            throw refuse(key, null, new ApiException(ErrorCode.FORBIDDEN_ROLE, covered
                    ? "agent " + key.agent().name() + " is read-only and " + actionName + " is a mutating action"
                    : "agent " + key.agent().name() + " may not run " + connectorId + ":" + actionName,
                    Map.of("agent_id", key.agent().agentId())), with(ctx, "agent_id", key.agent().agentId()));
        }
        if (action.reserved()) {
            gaps.record(key.tenantId(), connectorId, actionName, provider, "reserved action called", "automatic", key.keyId());
            throw refuse(key, null, new ApiException(ErrorCode.ACTION_RESERVED,
                    actionName + " is reserved and not available yet; the need was recorded as a capability gap"), ctx);
        }
        List<String> forbidden = ScopeGuard.forbiddenPaths(raw);
        if (!forbidden.isEmpty()) {
            throw refuse(key, null, new ApiException(ErrorCode.FORBIDDEN_SCOPE_FIELD,
                    "provider scope comes from the tenant's broker connection, never from input",
                    Map.of("paths", forbidden)), with(ctx, "paths", forbidden));
        }
        List<Map<String, String>> errors = new ArrayList<>();
        for (String k : raw.keySet()) {
            if (!ENVELOPE.contains(k)) {
                errors.add(Map.of("path", "$." + k, "message", "is not a field of an execute request"));
            }
        }
        String idempotencyKey = raw.get("idempotency_key") instanceof String s && !s.isBlank() && s.length() <= 255 ? s : null;
        if (idempotencyKey == null) {
            errors.add(Map.of("path", "$.idempotency_key", "message", "is required: a string of 1 to 255 characters"));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> input = raw.get("input") instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
        if (input == null) {
            errors.add(Map.of("path", "$.input", "message", "is required and must be an object"));
        } else {
            errors.addAll(catalog.validate(connectorId, actionName, input));
            if (errors.isEmpty()) {
                errors.addAll(InputRules.check(actionName, input, clock.instant()));
            }
        }
        if (!errors.isEmpty()) {
            throw refuse(key, null, new ApiException(ErrorCode.INVALID_INPUT,
                    "the request has " + errors.size() + " invalid field(s)", Map.of("errors", errors)),
                    with(ctx, "paths", errors.stream().map(e -> e.get("path")).toList()));
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("connector", connectorId);
        payload.put("action", actionName);
        payload.put("provider", provider);
        payload.put("input", input);
        String canonical;
        try {
            canonical = CanonicalJson.canonicalize(payload);
        } catch (IllegalArgumentException e) {
            throw refuse(key, null, new ApiException(ErrorCode.INVALID_INPUT, "input is not I-JSON: " + e.getMessage()), ctx);
        }
        Request req = new Request(key, connectorId, action, provider, idempotencyKey, input, canonical,
                CanonicalJson.sha256Hex(canonical));
        ctx.put("idempotency_key", idempotencyKey);
        ctx.put("payload_digest", req.digest());

        State state = null;
        if (REFERENCES.stream().noneMatch(input::containsKey)) {
            // nothing to resolve first: the replay check and every read the plan needs share one round trip
            state = load(req, spendCurrency(req, null), true);
            if (state.existing() != null) {
                return replayOf(req, state.existing(), ctx);
            }
        } else {
            Optional<Executions.Execution> existing = executions.findByKey(key.tenantId(), idempotencyKey);
            if (existing.isPresent()) {
                return replayOf(req, existing.get(), ctx);
            }
        }
        Plan plan = plan(req, ctx, state);
        return action.mutating() ? gate(req, plan, ctx) : runRead(req, plan, ctx);
    }

    private Answer replayOf(Request req, Executions.Execution existing, Map<String, Object> ctx) {
        if (!existing.payloadDigest().equals(req.digest())) {
            throw refuse(req.key(), null, new ApiException(ErrorCode.IDEMPOTENCY_CONFLICT,
                    "idempotency key already used with a different payload",
                    Map.of("execution_id", existing.id())), ctx);
        }
        return new Answer(statusOf(existing), ExecutionViews.view(existing), true);
    }

    private Optional<Answer> replay(Request req, Map<String, Object> ctx) {
        return executions.findByKey(req.key().tenantId(), req.idempotencyKey()).map(existing -> replayOf(req, existing, ctx));
    }

    /** Input fields naming the tenant's objects by broker id, resolved before readiness: those {@link #resolve} reads. */
    private static final List<String> REFERENCES = List.of("campaign_id", "group_id", "creative_id");

    /**
     * What the tenant's state says about a request, read in one round trip: the execution already
     * holding its idempotency key (when asked), the live connection, and for mutating actions the
     * advertiser profile, the spend authorization (in {@code currency}, or whether any is active),
     * the wallet and the standing grants for the action.
     */
    private record State(Executions.Execution existing, Connections.Connection connection,
            AdvertiserProfiles.Profile profile, SpendAuthorizations.Authorization authorization, boolean anyAuthorization,
            Wallets.Wallet wallet, List<Approvals.Grant> standing) {}

    private State load(Request req, String currency, boolean withReplay) {
        Map<String, Object> params = new HashMap<>();
        params.put("tenant", req.key().tenantId());
        params.put("provider", req.provider());
        params.put("idempotency_key", req.idempotencyKey());
        params.put("currency", currency);
        params.put("action", req.action().name());
        params.put("now", OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC));
        Reads.Read<Executions.Execution> existing = executions.byKeyRead();
        Reads.Read<Connections.Connection> connection = connections.liveRead();
        Reads.Read<AdvertiserProfiles.Profile> profile = advertisers.read();
        Reads.Read<SpendAuthorizations.Authorization> authorization = authorizations.activeRead();
        Reads.Read<Boolean> anyAuthorization = authorizations.anyActiveRead();
        Reads.Read<Wallets.Wallet> wallet = wallets.read();
        Reads.Read<Approvals.Grant> standing = approvals.standingRead();
        List<Reads.Read<?>> wanted = new ArrayList<>();
        if (withReplay) {
            wanted.add(existing);
        }
        wanted.add(connection);
        boolean mutating = req.action().mutating();
        if (mutating) {
            wanted.addAll(List.of(profile, currency != null ? authorization : anyAuthorization, wallet, standing));
        }
        Reads.Results r = reads.together(params, wanted);
        SpendAuthorizations.Authorization auth = mutating && currency != null ? r.optional(authorization) : null;
        return new State(withReplay ? r.optional(existing) : null, r.optional(connection),
                mutating ? r.optional(profile) : null, auth,
                mutating && (currency != null ? auth != null : Boolean.TRUE.equals(r.optional(anyAuthorization))),
                mutating ? r.optional(wallet) : null, mutating ? r.list(standing) : List.of());
    }

    private Plan plan(Request req, Map<String, Object> ctx, State loaded) {
        String tenant = req.key().tenantId();
        Map<String, Object> in = req.input();
        Refs refs = resolve(tenant, in, (kind, id) -> refuse(req.key(), null, ApiException.notFound(kind + " " + id), ctx),
                (field, provider) -> sameProvider(req, provider, field, ctx));
        Map<String, String> providerIds = refs.providerIds();
        Map<String, Map<String, Object>> references = refs.references();
        Projections.Campaign campaign = refs.campaign();
        State state = loaded != null ? loaded : load(req, spendCurrency(req, campaign), false);
        List<Map<String, String>> failed = new ArrayList<>();
        Connections.Connection connection = state.connection();
        if (connection == null || !connection.active()) {
            failed.add(check("connection_active", connection == null ? "no connection to " + req.provider()
                    : "connection " + connection.id() + " is " + connection.status()));
        }
        SpendAuthorizations.Authorization authorization = null;
        Money impact = null;
        if (req.action().mutating()) {
            AdvertiserProfiles.Profile profile = state.profile();
            if (profile == null || !profile.verified()) {
                failed.add(check("advertiser_verified", profile == null ? "no advertiser profile"
                        : "advertiser verification is " + profile.verificationStatus()));
            }
            if (profile == null || !profile.termsAccepted()) {
                failed.add(check("terms_accepted", "the advertiser has not accepted the terms"));
            }
            String currency = spendCurrency(req, campaign);
            if (currency != null) {
                authorization = state.authorization();
                if (authorization == null) {
                    failed.add(check("spend_authorization_active", "no active spend authorization in " + currency
                            + " for " + req.provider()));
                }
            } else if (!state.anyAuthorization()) {
                failed.add(check("spend_authorization_active", "no active spend authorization for " + req.provider()));
            }
        }
        if (!failed.isEmpty()) {
            throw refuse(req.key(), null, new ApiException(ErrorCode.NOT_READY,
                    req.provider() + " is not ready for this tenant: "
                            + failed.stream().map(f -> f.get("name")).toList(),
                    Map.of("failed_checks", failed)), with(ctx, "failed_checks",
                    failed.stream().map(f -> f.get("name")).toList()));
        }
        if (req.action().raisesSpend()) {
            impact = spendImpact(req, campaign, authorization, state.wallet(), ctx);
        }
        return new Plan(connection, providerIds, references, campaign, impact, authorization, state.standing());
    }

    /** The tenant's objects an input refers to by broker id: their provider ids, creating inputs and campaign. */
    private record Refs(Map<String, String> providerIds, Map<String, Map<String, Object>> references,
            Projections.Campaign campaign) {}

    /** Resolves the fields of {@link #REFERENCES}; a new reference field belongs in both. */
    private Refs resolve(String tenant, Map<String, Object> in, BiFunction<String, String, RuntimeException> notFound,
            BiConsumer<String, String> checkProvider) {
        Map<String, String> providerIds = new HashMap<>();
        Map<String, Map<String, Object>> references = new HashMap<>();
        Projections.Campaign campaign = null;
        if (in.get("campaign_id") instanceof String id) {
            campaign = projections.campaign(tenant, id).orElseThrow(() -> notFound.apply("campaign", id));
            checkProvider.accept("campaign_id", campaign.provider());
            providerIds.put("campaign_id", campaign.providerObjectId());
        }
        for (String[] ref : new String[][] {{"group_id", "group"}, {"creative_id", "creative"}}) {
            if (in.get(ref[0]) instanceof String id) {
                Projections.AdsObject o = projections.object(tenant, ref[1], id)
                        .orElseThrow(() -> notFound.apply(ref[1], id));
                checkProvider.accept(ref[0], o.provider());
                providerIds.put(ref[0], o.providerObjectId());
                references.put(ref[0], o.data());
                if (campaign == null && o.campaignId() != null) {
                    campaign = projections.campaign(tenant, o.campaignId()).orElse(null);
                }
            }
        }
        return new Refs(providerIds, references, campaign);
    }

    private Money spendImpact(Request req, Projections.Campaign campaign,
            SpendAuthorizations.Authorization authorization, Wallets.Wallet wallet, Map<String, Object> ctx) {
        Map<String, Object> in = req.input();
        Instant now = clock.instant();
        Instant authExpiry = authorization.validUntil() == null ? null : authorization.validUntil().toInstant();
        DeliveryRule rule = DeliveryRule.forProvider(req.provider());
        Exposure exposure;
        CampaignBudget budget;
        long held = 0;
        if ("ads.create_campaign".equals(req.action().name())) {
            budget = InputRules.budget(in.get("budget"));
            exposure = SpendExposure.of(budget, "active".equals(in.getOrDefault("status", "paused")),
                    instant(in.get("start_time")), instant(in.get("end_time")), authExpiry, rule, now);
        } else {
            budget = in.containsKey("budget") ? InputRules.budget(in.get("budget"))
                    : new CampaignBudget(Money.of(campaign.budgetAmountMinor(), campaign.currency()),
                            BudgetPeriod.parse(campaign.budgetPeriod()));
            if (!budget.amount().currency().equals(campaign.currency())) {
                throw refuse(req.key(), null, new ApiException(ErrorCode.INVALID_INPUT,
                        "a campaign's currency cannot change", Map.of("errors", List.of(Map.of("path",
                                "$.input.budget.currency", "message", "must be " + campaign.currency())))), ctx);
            }
            String status = (String) in.getOrDefault("status", campaign.status());
            Instant end = in.containsKey("end_time") ? instant(in.get("end_time"))
                    : campaign.endTime() == null ? null : campaign.endTime().toInstant();
            Instant start = campaign.startTime() == null ? null : campaign.startTime().toInstant();
            exposure = SpendExposure.of(budget, "active".equals(status), start, end, authExpiry, rule, now);
            if (exposure instanceof Exposure.Bounded b && budget.period() == BudgetPeriod.LIFETIME) {
                exposure = new Exposure.Bounded(Money.of(Math.max(0, b.amount().amountMinor() - campaign.spendMinor()),
                        b.amount().currency()));
            }
            held = ledger.heldForCampaign(req.key().tenantId(), campaign.id()).stream()
                    .mapToLong(r -> r.amount().amountMinor()).sum();
        }
        if (exposure instanceof Exposure.Unbounded u) {
            throw refuse(req.key(), null, new ApiException(ErrorCode.UNBOUNDED_SPEND, u.reason()), ctx);
        }
        Money total = ((Exposure.Bounded) exposure).amount();
        if (budget.period() == BudgetPeriod.DAILY && authorization.dailyCapMinor() != null
                && budget.amount().amountMinor() > authorization.dailyCapMinor()) {
            throw refuse(req.key(), null, new ApiException(ErrorCode.BUDGET_EXCEEDED,
                    "the daily budget exceeds the authorization's daily cap",
                    Map.of("daily_cap_minor", authorization.dailyCapMinor())), ctx);
        }
        Money impact = Money.of(Math.max(0, total.amountMinor() - held), total.currency());
        if (!impact.isZero()) {
            if (wallet == null) {
                throw ApiException.notFound("wallet");
            }
            if (!wallet.currency().equals(impact.currency())) {
                throw refuse(req.key(), null, new ApiException(ErrorCode.UNSUPPORTED_CURRENCY,
                        "the tenant's wallet holds " + wallet.currency() + " credits; spend in " + impact.currency()
                                + " cannot be backed"), ctx);
            }
            if (impact.amountMinor() > authorization.remainingMinor()) {
                throw refuse(req.key(), null, new ApiException(ErrorCode.BUDGET_EXCEEDED,
                        "the spend exposure " + impact + " exceeds what the authorization has left",
                        Map.of("spend_impact_minor", impact.amountMinor(), "remaining_minor",
                                authorization.remainingMinor())), ctx);
            }
            if (impact.amountMinor() > wallet.availableMinor()) {
                throw refuse(req.key(), null, new ApiException(ErrorCode.INSUFFICIENT_CREDITS,
                        "the spend exposure " + impact + " exceeds the wallet's available credits",
                        Map.of("spend_impact_minor", impact.amountMinor(), "available_minor",
                                wallet.availableMinor())), ctx);
            }
        }
        return impact;
    }

    /** The approval gate: a covering standing grant runs at once; otherwise a one-shot approval is requested. */
    private Answer gate(Request req, Plan plan, Map<String, Object> ctx) {
        String tenant = req.key().tenantId();
        String executionId = Ids.next("exe");
        Money impact = plan.impact() == null ? null : plan.impact();
        long impactMinor = impact == null ? 0 : impact.amountMinor();
        String currency = impact == null ? null : impact.currency();
        List<Approvals.Grant> candidates = standingCandidates(req, impact, plan.standing());
        ApiException[] refusal = new ApiException[1];
        Executions.Execution[] inserted = new Executions.Execution[1];
        boolean mayReserve = impact != null && !impact.isZero() && !candidates.isEmpty();
        String outcome = tx.execute(s -> {
            if (mayReserve) {
                receipts.lockChainForSpend(tenant);
            } else {
                receipts.lockChain(tenant);
            }
            String grantId = consumeStandingGrant(req, impact, candidates);
            inserted[0] = executions.insert(executionId, tenant, req.idempotencyKey(), req.payload(), req.digest(),
                    req.connector(), req.action().name(), req.provider(), grantId == null ? "awaiting_approval" : "executing",
                    req.key().keyId(), grantId, impactMinor, currency).orElse(null);
            if (inserted[0] == null) {
                s.setRollbackOnly();
                return "replay";
            }
            Map<String, Object> accepted = with(ctx, "spend_impact_minor", impactMinor);
            accepted.put("currency", currency);
            receipts.record(tenant, "execution.accepted", executionId, req.key().actor(), accepted);
            if (grantId == null) {
                String approvalId = approvals.createOneShot(tenant, executionId, req.action().name(), req.provider(),
                        req.digest(), impactMinor, currency, req.key().keyId(), clock.instant().plus(APPROVAL_TTL));
                executions.setApproval(tenant, executionId, approvalId);
                receipts.record(tenant, "approval.requested", executionId, req.key().actor(),
                        Map.of("approval_id", approvalId, "payload_digest", req.digest(), "spend_impact_minor", impactMinor));
                return "awaiting";
            }
            receipts.record(tenant, "approval.standing_grant_applied", executionId, req.key().actor(),
                    Map.of("grant_id", grantId, "spend_impact_minor", impactMinor));
            try {
                reserve(req.key(), executionId, plan, impact);
            } catch (ApiException e) {
                s.setRollbackOnly();
                refusal[0] = e;
                return "refused";
            }
            return "run";
        });
        switch (outcome) {
            case "replay" -> {
                return replay(req, ctx).orElseThrow();
            }
            case "refused" -> throw refuse(req.key(), null, refusal[0], ctx);
            case "awaiting" -> {
                return new Answer(202, ExecutionViews.view(executions.find(tenant, executionId).orElseThrow()), false);
            }
            default -> {
                Executions.Execution done = call(req.key().actor(), inserted[0], plan);
                return new Answer(statusOf(done), ExecutionViews.view(done), false);
            }
        }
    }

    /**
     * The tenant's standing grants that would cover the request as they stand now, read before the
     * gate's transaction: which of them still does is decided by the conditional update that
     * consumes it, inside the transaction.
     */
    private List<Approvals.Grant> standingCandidates(Request req, Money impact, List<Approvals.Grant> standing) {
        Money need = impact == null ? Money.zero("USD") : impact;
        Instant now = clock.instant();
        return standing.stream()
                .filter(g -> ApprovalCoverage.standingGrantRefusal(g.terms(), req.action().name(), req.provider(), need,
                        req.key().keyId(), now) == null)
                .toList();
    }

    /** Consumes the first candidate standing grant that still covers the request, or returns null. */
    private String consumeStandingGrant(Request req, Money impact, List<Approvals.Grant> candidates) {
        Money need = impact == null ? Money.zero("USD") : impact;
        for (Approvals.Grant g : candidates) {
            if (approvals.consume(req.key().tenantId(), g.id(), need.amountMinor(), need.currency())) {
                return g.id();
            }
        }
        return null;
    }

    private void reserve(Caller.TenantKey key, String executionId, Plan plan, Money impact) {
        if (impact != null && !impact.isZero()) {
            ledger.reserve(key.tenantId(), executionId, plan.authorization().id(),
                    plan.campaign() == null ? null : plan.campaign().id(), impact, key.actor());
        }
    }

    private Answer runRead(Request req, Plan plan, Map<String, Object> ctx) {
        String tenant = req.key().tenantId();
        String executionId = Ids.next("exe");
        Executions.Execution inserted = tx.execute(s -> {
            receipts.lockChain(tenant);
            Optional<Executions.Execution> row = executions.insert(executionId, tenant, req.idempotencyKey(), req.payload(),
                    req.digest(), req.connector(), req.action().name(), req.provider(), "executing", req.key().keyId(), null,
                    0, null);
            if (row.isEmpty()) {
                s.setRollbackOnly();
                return null;
            }
            receipts.record(tenant, "execution.accepted", executionId, req.key().actor(), ctx);
            return row.get();
        });
        if (inserted == null) {
            return replay(req, ctx).orElseThrow();
        }
        Executions.Execution done = call(req.key().actor(), inserted, plan);
        return new Answer(statusOf(done), ExecutionViews.view(done), false);
    }

    /** One of the tenant's executions as the API shows it ({@code GET /v1/executions/{id}}); 404 otherwise. */
    public Map<String, Object> view(String tenantId, String executionId) {
        return ExecutionViews.view(executions.find(tenantId, executionId)
                .orElseThrow(() -> ApiException.notFound("execution")));
    }

    // ------------------------------------------------------------------ approvals

    /** Approves a pending one-shot approval and runs the stored payload. */
    public Map<String, Object> approve(Caller.TenantKey approver, String approvalId) {
        String tenant = approver.tenantId();
        Approvals.Grant grant = pendingGrant(approver, approvalId);
        Executions.Execution execution = executions.find(tenant, grant.executionId()).orElseThrow();
        if (!ApprovalCoverage.oneShotCovers(grant.tenantId(), grant.action(), grant.provider(), grant.payloadDigest(),
                grant.expiresAt().toInstant(), execution.tenantId(), execution.action(), execution.provider(),
                execution.payloadDigest(), clock.instant())) {
            throw new IllegalStateException("approval " + approvalId + " is not bound to its execution's payload");
        }
        Map<String, Object> stored = ExecutionViews.payload(execution);
        @SuppressWarnings("unchecked")
        Map<String, Object> input = (Map<String, Object>) stored.get("input");
        Caller.TenantKey requester = new Caller.TenantKey(tenant, execution.requestedByKeyId(), null);
        Plan plan;
        try {
            plan = replan(requester, execution, input);
        } catch (ApiException e) {
            failApproved(approver, grant, execution, e);
            return approvalView(grant.id(), executions.find(tenant, execution.id()).orElseThrow());
        }
        Money impact = execution.spendImpactMinor() == 0 ? null : Money.of(execution.spendImpactMinor(), execution.currency());
        ApiException[] refusal = new ApiException[1];
        String outcome = tx.execute(s -> {
            receipts.lockChain(tenant);
            if (!approvals.decide(tenant, approvalId, "used", approver.keyId(), null)) {
                s.setRollbackOnly();
                return "not_pending";
            }
            receipts.record(tenant, "approval.approved", execution.id(), approver.actor(),
                    Map.of("approval_id", approvalId, "payload_digest", execution.payloadDigest(),
                            "requested_by_key_id", execution.requestedByKeyId()));
            try {
                reserve(approver, execution.id(), plan, impact);
            } catch (ApiException e) {
                s.setRollbackOnly();
                refusal[0] = e;
                return "refused";
            }
            executions.transition(tenant, execution.id(), List.of("awaiting_approval"), "executing", null, null);
            return "run";
        });
        switch (outcome) {
            case "not_pending" -> throw new ApiException(ErrorCode.APPROVAL_NOT_PENDING, "the approval was decided already");
            case "refused" -> failApproved(approver, grant, execution, refusal[0]);
            default -> call(approver.actor(), executions.find(tenant, execution.id()).orElseThrow(), plan);
        }
        return approvalView(approvalId, executions.find(tenant, execution.id()).orElseThrow());
    }

    public Map<String, Object> deny(Caller.TenantKey approver, String approvalId, String reason) {
        String tenant = approver.tenantId();
        Approvals.Grant grant = pendingGrant(approver, approvalId);
        Boolean done = tx.execute(s -> {
            receipts.lockChain(tenant);
            if (!approvals.decide(tenant, approvalId, "denied", approver.keyId(), reason)) {
                return false;
            }
            executions.transition(tenant, grant.executionId(), List.of("awaiting_approval"), "denied", null,
                    error(ErrorCode.APPROVAL_DENIED, "denied by an approver", reason));
            Map<String, Object> d = new HashMap<>();
            d.put("approval_id", approvalId);
            d.put("reason", reason);
            receipts.record(tenant, "approval.denied", grant.executionId(), approver.actor(), d);
            return true;
        });
        if (!Boolean.TRUE.equals(done)) {
            throw new ApiException(ErrorCode.APPROVAL_NOT_PENDING, "the approval was decided already");
        }
        return approvalView(approvalId, executions.find(tenant, grant.executionId()).orElseThrow());
    }

    private Approvals.Grant pendingGrant(Caller.TenantKey approver, String approvalId) {
        String tenant = approver.tenantId();
        Approvals.Grant grant = approvals.find(tenant, approvalId).filter(g -> "one_shot".equals(g.kind()))
                .orElseThrow(() -> ApiException.notFound("approval"));
        if (approver.keyId().equals(grant.requestedByKeyId())) {
            tx.executeWithoutResult(s -> {
                receipts.lockChain(tenant);
                receipts.record(tenant, "approval.refused", grant.executionId(), approver.actor(),
                        Map.of("approval_id", approvalId, "code", ErrorCode.SELF_APPROVAL_FORBIDDEN.wire()));
            });
            throw new ApiException(ErrorCode.SELF_APPROVAL_FORBIDDEN, "nobody approves their own request");
        }
        if (!"pending".equals(grant.status())) {
            throw new ApiException(ErrorCode.APPROVAL_NOT_PENDING, "the approval is " + grant.status());
        }
        if (!clock.instant().isBefore(grant.expiresAt().toInstant())) {
            tx.executeWithoutResult(s -> {
                receipts.lockChain(tenant);
                if (approvals.expire(tenant, approvalId)) {
                    executions.transition(tenant, grant.executionId(), List.of("awaiting_approval"), "expired", null,
                            error(ErrorCode.APPROVAL_EXPIRED, "the approval expired before a decision", null));
                    receipts.record(tenant, "approval.expired", grant.executionId(), approver.actor(),
                            Map.of("approval_id", approvalId));
                }
            });
            throw new ApiException(ErrorCode.APPROVAL_EXPIRED, "the approval expired at " + grant.expiresAt());
        }
        return grant;
    }

    private Plan replan(Caller.TenantKey requester, Executions.Execution e, Map<String, Object> input) {
        ActionSpec action = catalog.connector(e.connector()).flatMap(c -> c.action(e.action())).orElseThrow();
        Request req = new Request(requester, e.connector(), action, e.provider(), e.idempotencyKey(), input, e.payload(),
                e.payloadDigest());
        Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("connector", e.connector());
        ctx.put("action", e.action());
        ctx.put("provider", e.provider());
        ctx.put("stage", "approved_execution");
        return plan(req, ctx, null);
    }

    private void failApproved(Caller.TenantKey approver, Approvals.Grant grant, Executions.Execution execution,
            ApiException cause) {
        String tenant = approver.tenantId();
        tx.executeWithoutResult(s -> {
            receipts.lockChain(tenant);
            boolean decided = approvals.decide(tenant, grant.id(), "used", approver.keyId(), null);
            if (decided) {
                receipts.record(tenant, "approval.approved", execution.id(), approver.actor(),
                        Map.of("approval_id", grant.id(), "payload_digest", execution.payloadDigest()));
            }
            if (executions.transition(tenant, execution.id(), List.of("awaiting_approval"), "failed", null,
                    error(cause.code(), cause.getMessage(), null))) {
                receipts.record(tenant, "execution.failed", execution.id(), approver.actor(),
                        Map.of("code", cause.code().wire(), "stage", "before_provider_call"));
            }
        });
    }

    // ------------------------------------------------------------------ provider call and completion

    private Executions.Execution call(String actor, Executions.Execution e, Plan plan) {
        faultPoints.reached("after_reservation");
        Map<String, Object> stored = ExecutionViews.payload(e);
        @SuppressWarnings("unchecked")
        Map<String, Object> input = (Map<String, Object>) stored.get("input");
        ProviderOutcome outcome;
        try {
            Optional<ProviderRouting.Route> route = routing.route(e.provider(), plan.connection().providerAccountId());
            outcome = route.isEmpty()
                    ? new ProviderOutcome.Rejected(ProviderOutcome.RejectionKind.UNSUPPORTED, "no_adapter",
                            "no adapter serves " + e.provider())
                    : callAdapter(route.get(), new ProviderRequest(e.action(), e.id(), input, plan.providerIds(),
                            plan.references()));
        } catch (GeneralSecurityException ex) {
            outcome = new ProviderOutcome.Rejected(ProviderOutcome.RejectionKind.AUTH_FAILED, "credentials_undecryptable",
                    "the provider account's credentials do not decrypt under the master keyset");
        }
        faultPoints.reached("after_provider_call");
        Executions.Execution after = complete(actor, e, plan, input, outcome);
        return after != null ? after : executions.find(e.tenantId(), e.id()).orElseThrow();
    }

    private ProviderOutcome callAdapter(ProviderRouting.Route route, ProviderRequest request) {
        long started = System.nanoTime();
        try {
            return route.factory().create(route.context()).execute(request);
        } catch (RuntimeException ex) {
            // an adapter fault after the request may have left: never assume it did nothing
            log.warn("adapter {} failed on execution {}: {}", route.factory().id(), request.brokerReference(),
                    ex.getClass().getName());
            return new ProviderOutcome.Unknown("adapter fault: " + ex.getClass().getSimpleName());
        } finally {
            ServerTiming.providerCall(System.nanoTime() - started);
        }
    }

    /**
     * Settles an execution whose provider outcome is unknown (invariant 7) by looking its object up
     * at the provider with the broker reference, never by sending the call again: found → it
     * succeeded (projected, reservation kept for the campaign); definitely absent → it failed and
     * its reservation is released; otherwise it stays {@code outcome_unknown} with the reservation
     * held. A claim on the row keeps two broker processes from settling the same execution.
     *
     * @return the execution's status afterwards
     */
    public String reconcile(String actor, Executions.Execution seen) {
        String tenant = seen.tenantId();
        if (!executions.claim(tenant, seen.id(), seen.status(), seen.updatedAt())) {
            return executions.find(tenant, seen.id()).map(Executions.Execution::status).orElseThrow();
        }
        Executions.Execution e = executions.find(tenant, seen.id()).orElseThrow();
        @SuppressWarnings("unchecked")
        Map<String, Object> input = (Map<String, Object>) ExecutionViews.payload(e).get("input");
        ProviderOutcome verdict;
        Plan plan = null;
        try {
            Refs refs = resolve(tenant, input, (kind, id) -> new IllegalStateException(kind + " " + id + " vanished"),
                    (field, provider) -> { });
            Connections.Connection connection = connections.live(tenant, e.provider()).orElseThrow(
                    () -> new IllegalStateException("no connection to " + e.provider() + " any more"));
            plan = new Plan(connection, refs.providerIds(), refs.references(), refs.campaign(), null, null, List.of());
            ProviderRouting.Route route = routing.route(e.provider(), connection.providerAccountId()).orElseThrow();
            verdict = route.factory().create(route.context()).reconcile(e.action(), e.id());
        } catch (GeneralSecurityException | RuntimeException ex) {
            verdict = new ProviderOutcome.Unknown("reconciliation could not ask the provider: " + ex.getClass().getSimpleName());
        }
        ProviderOutcome settled = switch (verdict) {
            case ProviderOutcome.Succeeded ok -> ok;
            case ProviderOutcome.Rejected r when r.kind() == ProviderOutcome.RejectionKind.NOT_FOUND ->
                    new ProviderOutcome.Rejected(ProviderOutcome.RejectionKind.PROVIDER_ERROR, "not_created",
                            "reconciliation found no object for this execution at the provider: it was not carried out");
            default -> null;
        };
        if (settled == null || plan == null) {
            if ("outcome_unknown".equals(seen.status())) {
                // still unknown: back as it was, reservation untouched, no new decision to receipt
                executions.transition(tenant, e.id(), List.of("executing"), "outcome_unknown", null, e.error());
            } else {
                // a call whose process died mid-way: now known to be unknown, and receipted as such
                complete(actor, e, plan, input, verdict instanceof ProviderOutcome.Unknown u ? u
                        : new ProviderOutcome.Unknown("reconciliation could not tell whether the call was carried out"), null);
            }
            return "outcome_unknown";
        }
        complete(actor, e, plan, input, settled,
                settled instanceof ProviderOutcome.Succeeded ? "carried_out" : "not_carried_out");
        return executions.find(tenant, e.id()).map(Executions.Execution::status).orElseThrow();
    }

    private Executions.Execution complete(String actor, Executions.Execution e, Plan plan, Map<String, Object> input,
            ProviderOutcome outcome) {
        return complete(actor, e, plan, input, outcome, null);
    }

    /**
     * Records the provider's outcome: projection, reservation kept or released, status and receipts,
     * in one transaction; {@code reconciledVerdict}, when not null, is receipted first as the
     * reconciliation that learned the outcome. Completions of one execution are serialised by the
     * tenant's chain lock; one that finds the execution no longer {@code executing} rolls back whole,
     * so an outcome is projected and receipted once.
     *
     * @return the execution as this completion left it, or null when it was discarded
     */
    private Executions.Execution complete(String actor, Executions.Execution e, Plan plan, Map<String, Object> input,
            ProviderOutcome outcome, String reconciledVerdict) {
        String tenant = e.tenantId();
        Executions.Execution[] after = new Executions.Execution[1];
        tx.executeWithoutResult(s -> {
            receipts.lockChain(tenant);
            if (reconciledVerdict != null) {
                receipts.record(tenant, "execution.reconciled", e.id(), actor, Map.of("verdict", reconciledVerdict));
            }
            Map<String, Object> details = new HashMap<>();
            Settled settled = switch (outcome) {
                case ProviderOutcome.Succeeded ok -> {
                    Map<String, Object> result = project(actor, e, plan, input, ok);
                    details.put("object_id", result.get("object_id"));
                    details.put("provider_object_id", ok.providerObjectId());
                    details.put("rows", ok.rows().size());
                    yield new Settled("succeeded", result, null, "execution.succeeded");
                }
                case ProviderOutcome.Rejected r -> {
                    releaseAll(tenant, e.id(), "provider_rejected", actor);
                    // the provider's text never reaches a tenant: the broker's words and the sanitized code
                    ProviderRejection shown = ProviderRejection.of(r);
                    Map<String, Object> err = error(shown.code(), shown.message(), null);
                    err.put("provider_code", shown.providerCode());
                    err.put("kind", shown.kind());
                    details.put("code", shown.code().wire());
                    details.put("provider_code", shown.providerCode());
                    yield new Settled("failed", null, err, "execution.failed");
                }
                case ProviderOutcome.RateLimited rl -> {
                    releaseAll(tenant, e.id(), "provider_rate_limited", actor);
                    Map<String, Object> err = error(ErrorCode.PROVIDER_RATE_LIMITED, "the provider is rate limiting", null);
                    err.put("retry_after_seconds", rl.retryAfter().toSeconds());
                    details.put("code", ErrorCode.PROVIDER_RATE_LIMITED.wire());
                    yield new Settled("failed", null, err, "execution.failed");
                }
                case ProviderOutcome.Unknown u -> {
                    // invariant 7: the reservation stays held until reconciliation knows the outcome
                    details.put("reason", truncate(u.reason()));
                    yield new Settled("outcome_unknown", null,
                            error(ErrorCode.PROVIDER_OUTCOME_UNKNOWN, truncate(u.reason()), null), "execution.outcome_unknown");
                }
            };
            after[0] = executions.moved(tenant, e.id(), List.of("executing"), settled.status(), settled.result(),
                    settled.error()).orElse(null);
            faultPoints.reached("before_receipt");
            if (after[0] == null) {
                // another completion (the janitor's, or another process's) settled it first: keep that one whole
                s.setRollbackOnly();
                log.warn("execution {} was already settled when its {} outcome arrived; this completion was discarded",
                        e.id(), outcome.getClass().getSimpleName());
                return;
            }
            details.put("requested_by_key_id", e.requestedByKeyId());
            receipts.record(tenant, settled.receiptKind(), e.id(), actor, details);
        });
        return after[0];
    }

    /** What a provider outcome makes of an execution: its status, result or error, and the receipt's kind. */
    private record Settled(String status, Map<String, Object> result, Map<String, Object> error, String receiptKind) {}

    private Map<String, Object> project(String actor, Executions.Execution e, Plan plan, Map<String, Object> in,
            ProviderOutcome.Succeeded ok) {
        String tenant = e.tenantId();
        Map<String, Object> result = new LinkedHashMap<>();
        String status = ok.data().get("status") instanceof String st ? st : null;
        switch (e.action()) {
            case "ads.create_campaign" -> {
                CampaignBudget budget = InputRules.budget(in.get("budget"));
                String id = projections.insertCampaign(tenant, e.provider(), plan.connection().id(), ok.providerObjectId(),
                        (String) in.get("name"), (String) in.get("objective"), (String) in.getOrDefault("status", "paused"),
                        budget.amount().amountMinor(), budget.amount().currency(), budget.period().wire(),
                        instant(in.get("start_time")), instant(in.get("end_time")), e.id());
                result.put("object_id", id);
                result.put("status", in.getOrDefault("status", "paused"));
            }
            case "ads.update_campaign", "ads.pause_campaign" -> {
                Projections.Campaign c = plan.campaign();
                CampaignBudget budget = in.containsKey("budget") ? InputRules.budget(in.get("budget")) : null;
                String newStatus = "ads.pause_campaign".equals(e.action()) ? "paused"
                        : (String) in.getOrDefault("status", c.status());
                projections.updateCampaign(tenant, c.id(), (String) in.get("name"), newStatus,
                        budget == null ? null : budget.amount().amountMinor(),
                        budget == null ? null : budget.period().wire(), instant(in.get("end_time")));
                rebase(actor, tenant, c.id(), e.id(), plan, "paused".equals(newStatus));
                result.put("object_id", c.id());
                result.put("status", newStatus);
            }
            case "ads.create_group", "ads.create_creative", "ads.create_ad" -> {
                String kind = e.action().substring("ads.create_".length());
                Map<String, Object> data = new LinkedHashMap<>(in);
                String campaignId = plan.campaign() == null ? null : plan.campaign().id();
                String parent = switch (kind) {
                    case "group" -> campaignId;
                    case "ad" -> (String) in.get("group_id");
                    default -> null;
                };
                String reviewStatus = ok.data().get("review_status") instanceof String rs ? rs : null;
                String id = projections.insertObject(tenant, kind, e.provider(), plan.connection().id(),
                        "creative".equals(kind) ? null : campaignId, parent, ok.providerObjectId(), (String) in.get("name"),
                        status != null ? status : (String) in.get("status"), reviewStatus, data, e.id());
                result.put("object_id", id);
                result.put("status", status);
                result.put("review_status", reviewStatus);
            }
            case "ads.fetch_report" -> result.put("rows", reportRows(tenant, e.provider(), in, ok.rows()));
            default -> throw new IllegalStateException("no projection for " + e.action());
        }
        if (ok.providerObjectId() != null) {
            result.put("provider_object_id", ok.providerObjectId());
        }
        return result;
    }

    /**
     * After a successful update or pause, the campaign's held reservations are made to match its new
     * exposure: a pause releases them all; a lower exposure releases them and reserves the new
     * figure (which fits, since it is smaller than what was just released).
     */
    private void rebase(String actor, String tenant, String campaignId, String executionId, Plan plan, boolean paused) {
        List<SpendLedger.Reservation> held = ledger.heldForCampaign(tenant, campaignId);
        long heldTotal = held.stream().mapToLong(r -> r.amount().amountMinor()).sum();
        if (paused) {
            held.forEach(r -> ledger.release(tenant, r.id(), "campaign_paused", actor));
            return;
        }
        if (plan.impact() == null) {
            return;
        }
        long target = heldTotal; // exposure never shrinks below what an update reserved before the call
        Projections.Campaign now = projections.campaign(tenant, campaignId).orElseThrow();
        Instant authExpiry = plan.authorization().validUntil() == null ? null : plan.authorization().validUntil().toInstant();
        Exposure exposure = SpendExposure.of(new CampaignBudget(Money.of(now.budgetAmountMinor(), now.currency()),
                BudgetPeriod.parse(now.budgetPeriod())), "active".equals(now.status()),
                now.startTime() == null ? null : now.startTime().toInstant(),
                now.endTime() == null ? null : now.endTime().toInstant(), authExpiry,
                DeliveryRule.forProvider(now.provider()), clock.instant());
        if (exposure instanceof Exposure.Bounded b) {
            target = b.amount().amountMinor();
            if (BudgetPeriod.parse(now.budgetPeriod()) == BudgetPeriod.LIFETIME) {
                target = Math.max(0, target - now.spendMinor());
            }
        }
        if (target < heldTotal) {
            held.forEach(r -> ledger.release(tenant, r.id(), "exposure_lowered", actor));
            if (target > 0) {
                ledger.reserve(tenant, executionId, plan.authorization().id(), campaignId, Money.of(target, now.currency()),
                        actor);
            }
        }
    }

    private List<Map<String, Object>> reportRows(String tenant, String provider, Map<String, Object> in,
            List<ReportRow> rows) {
        boolean total = "total".equals(in.get("granularity"));
        Map<String, Map<String, Object>> totals = new LinkedHashMap<>();
        List<Map<String, Object>> out = new ArrayList<>();
        for (ReportRow r : rows) {
            Optional<Projections.Campaign> c = projections.campaignByProviderId(tenant, provider, r.providerCampaignId());
            if (c.isEmpty()) {
                continue; // an object the tenant does not own is never reported to it
            }
            if (total) {
                Map<String, Object> t = totals.computeIfAbsent(c.get().id(), id -> row(null, id, 0, 0, 0, r.currency()));
                t.merge("impressions", r.impressions(), (a, b) -> (long) a + (long) b);
                t.merge("clicks", r.clicks(), (a, b) -> (long) a + (long) b);
                t.merge("spend_minor", r.spendMinor(), (a, b) -> (long) a + (long) b);
            } else {
                out.add(row(r.date(), c.get().id(), r.impressions(), r.clicks(), r.spendMinor(), r.currency()));
            }
        }
        return total ? new ArrayList<>(totals.values()) : out;
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

    private void releaseAll(String tenant, String executionId, String reason, String actor) {
        ledger.heldForExecution(tenant, executionId).forEach(r -> ledger.release(tenant, r.id(), reason, actor));
    }

    // ------------------------------------------------------------------ helpers

    private ApiException gap(Caller.TenantKey key, String connector, String action, String provider, String reason,
            Map<String, Object> ctx) {
        gaps.record(key.tenantId(), connector, action, provider, reason, "automatic", key.keyId());
        return refuse(key, null, new ApiException(ErrorCode.CAPABILITY_GAP,
                reason + "; the need was recorded as a capability gap"), ctx);
    }

    /** Receipts a refusal in its own transaction, then returns the exception to throw. */
    private ApiException refuse(Caller.TenantKey key, String executionId, ApiException e, Map<String, Object> ctx) {
        Map<String, Object> d = new LinkedHashMap<>(ctx);
        d.put("code", e.code().wire());
        tx.executeWithoutResult(s -> {
            receipts.lockChain(key.tenantId());
            receipts.record(key.tenantId(), "execution.refused", executionId, key.actor(), d);
        });
        return e;
    }

    private void sameProvider(Request req, String provider, String field, Map<String, Object> ctx) {
        if (!provider.equals(req.provider())) {
            throw refuse(req.key(), null, new ApiException(ErrorCode.INVALID_INPUT,
                    field + " belongs to provider " + provider + ", not " + req.provider(),
                    Map.of("errors", List.of(Map.of("path", "$.input." + field, "message",
                            "belongs to provider " + provider)))), ctx);
        }
    }

    private static String spendCurrency(Request req, Projections.Campaign campaign) {
        if (req.input().get("budget") instanceof Map<?, ?> b && b.get("currency") instanceof String c) {
            return c;
        }
        if (req.input().get("bid") instanceof Map<?, ?> b && b.get("currency") instanceof String c) {
            return c;
        }
        return campaign == null ? null : campaign.currency();
    }

    private static Map<String, String> check(String name, String detail) {
        return Map.of("name", name, "detail", detail);
    }

    private static Map<String, Object> with(Map<String, Object> ctx, String k, Object v) {
        Map<String, Object> m = new LinkedHashMap<>(ctx);
        m.put(k, v);
        return m;
    }

    static Map<String, Object> error(ErrorCode code, String message, String reason) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("code", code.wire());
        m.put("message", message);
        if (reason != null) {
            m.put("reason", reason);
        }
        return m;
    }

    private static Instant instant(Object value) {
        return value instanceof String s ? OffsetDateTime.parse(s).toInstant() : null;
    }

    private static String truncate(String s) {
        return s == null ? null : s.length() <= 300 ? s : s.substring(0, 300) + "…";
    }

    static int statusOf(Executions.Execution e) {
        return "awaiting_approval".equals(e.status()) ? 202 : 200;
    }

    private Map<String, Object> approvalView(String approvalId, Executions.Execution e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("approval_id", approvalId);
        m.put("decision", "denied".equals(e.status()) ? "denied" : "approved");
        m.put("execution", ExecutionViews.view(e));
        return m;
    }

    /** Semantic checks JSON Schema cannot express. */
    static final class InputRules {
        private InputRules() {}

        static List<Map<String, String>> check(String action, Map<String, Object> in, Instant now) {
            List<Map<String, String>> errors = new ArrayList<>();
            Instant start = time(in, "start_time", errors);
            Instant end = time(in, "end_time", errors);
            if (start != null && end != null && !end.isAfter(start)) {
                errors.add(err("end_time", "must be after start_time"));
            }
            if (end != null && !end.isAfter(now)) {
                errors.add(err("end_time", "must be in the future"));
            }
            for (String m : List.of("budget", "bid")) {
                if (in.get(m) instanceof Map<?, ?> money && money.get("currency") instanceof String c
                        && !Money.isKnownCurrency(c)) {
                    errors.add(err(m + ".currency", "must be an ISO-4217 currency code"));
                }
            }
            if (in.get("targeting") instanceof Map<?, ?> t && t.get("age_min") instanceof Number lo
                    && t.get("age_max") instanceof Number hi && lo.intValue() > hi.intValue()) {
                errors.add(err("targeting.age_min", "must not exceed age_max"));
            }
            for (String u : List.of("image_url", "landing_url")) {
                if (in.get(u) instanceof String s) {
                    try {
                        URI uri = URI.create(s);
                        if (uri.getHost() == null || uri.getUserInfo() != null) {
                            errors.add(err(u, "must be an https URL with a host and no credentials"));
                        }
                    } catch (IllegalArgumentException e) {
                        errors.add(err(u, "must be an https URL"));
                    }
                }
            }
            if ("ads.fetch_report".equals(action)) {
                try {
                    LocalDate since = LocalDate.parse((String) in.get("since"));
                    LocalDate until = LocalDate.parse((String) in.get("until"));
                    if (until.isBefore(since)) {
                        errors.add(err("until", "must not be before since"));
                    } else if (until.toEpochDay() - since.toEpochDay() > 366) {
                        errors.add(err("until", "a report covers at most 367 days"));
                    }
                } catch (DateTimeParseException e) {
                    errors.add(err("since", "since and until must be dates (YYYY-MM-DD)"));
                }
            }
            return errors;
        }

        static CampaignBudget budget(Object raw) {
            Map<?, ?> b = (Map<?, ?>) raw;
            return new CampaignBudget(Money.of(((Number) b.get("amount_minor")).longValue(), (String) b.get("currency")),
                    BudgetPeriod.parse((String) b.get("period")));
        }

        private static Instant time(Map<String, Object> in, String field, List<Map<String, String>> errors) {
            if (!(in.get(field) instanceof String s)) {
                return null;
            }
            try {
                return OffsetDateTime.parse(s).toInstant();
            } catch (DateTimeParseException e) {
                errors.add(err(field, "must be an RFC 3339 date-time"));
                return null;
            }
        }

        private static Map<String, String> err(String field, String message) {
            return Map.of("path", "$.input." + field, "message", message);
        }
    }
}
