package dev.minutework.broker.server.execution;

import dev.minutework.broker.core.approval.ApprovalCoverage;
import dev.minutework.broker.core.connector.ActionSpec;
import dev.minutework.broker.core.connector.ConnectorManifest;
import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.core.money.Money;
import dev.minutework.broker.core.provider.ProviderAdapterFactory;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ProviderRequest;
import dev.minutework.broker.core.provider.ReportRow;
import dev.minutework.broker.core.scope.ScopeGuard;
import dev.minutework.broker.core.spend.BudgetPeriod;
import dev.minutework.broker.core.spend.CampaignBudget;
import dev.minutework.broker.core.spend.CampaignChange;
import dev.minutework.broker.core.spend.CampaignExposure;
import dev.minutework.broker.core.spend.CampaignState;
import dev.minutework.broker.core.spend.DeliveryRule;
import dev.minutework.broker.core.spend.Exposure;
import dev.minutework.broker.core.spend.SpendImpact;
import dev.minutework.broker.core.spend.SpendLimits;
import dev.minutework.broker.server.routing.ProviderRouting;
import dev.minutework.broker.server.ads.Projections;
import dev.minutework.broker.server.advertisers.AdvertiserProfiles;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.api.Ids;
import dev.minutework.broker.server.api.RequestJson;
import dev.minutework.broker.server.approvals.Approvals;
import dev.minutework.broker.server.connections.Connections;
import dev.minutework.broker.server.persistence.Reads;
import dev.minutework.broker.server.connectors.ConnectorCatalog;
import dev.minutework.broker.server.gaps.CapabilityGaps;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.identity.Role;
import dev.minutework.broker.server.preflight.ProviderHealth;
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
    private final ProviderHealth health;

    ExecutionPipeline(ConnectorCatalog catalog, Connections connections,
            ProviderRouting routing, AdvertiserProfiles advertisers, SpendAuthorizations authorizations,
            Wallets wallets, SpendLedger ledger, Approvals approvals, Executions executions, Projections projections,
            Receipts receipts, CapabilityGaps gaps, TransactionTemplate tx, Clock clock, FaultPoints faultPoints,
            Reads reads, ProviderHealth health) {
        this.health = health;
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

    /**
     * What the request needs from the tenant's state: references, connection, spend. {@code impact}
     * is planned on the state as read; what is reserved is computed again, on the state the call
     * runs on ({@link #impactNow}).
     */
    private record Plan(Connections.Connection connection, Map<String, String> providerIds,
            Map<String, Map<String, Object>> references, Projections.Campaign campaign, Money impact,
            SpendAuthorizations.Authorization authorization, Wallets.Wallet wallet, List<Approvals.Grant> standing) {}

    // ------------------------------------------------------------------ execute

    public Answer execute(Caller.TenantKey key, Map<String, Object> body) {
        Map<String, Object> raw = body == null ? Map.of() : body;
        // HTTP bodies were read by RequestJson already; a caller in the process (an MCP tool) was not
        List<Map<String, String>> text = RequestJson.textProblems(raw, "$");
        if (!text.isEmpty()) {
            throw refuse(key, null, new ApiException(ErrorCode.INVALID_INPUT, "the request has " + text.size()
                    + " string(s) that cannot be stored", Map.of("errors", text)),
                    Map.of("paths", text.stream().map(e -> e.get("path")).toList()));
        }
        String connectorId = raw.get("connector") instanceof String s ? s : null;
        String actionName = raw.get("action") instanceof String s ? s : null;
        if (connectorId == null || actionName == null) {
            throw refuse(key, null, new ApiException(ErrorCode.INVALID_INPUT, "connector and action are required strings",
                    Map.of("errors", List.of(Map.of("path", connectorId == null ? "$.connector" : "$.action",
                            "message", "is required")))), Map.of());
        }
        Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("connector", InputRules.name(connectorId));
        ctx.put("action", InputRules.name(actionName));
        List<Map<String, String>> names = new ArrayList<>();
        for (String field : List.of("connector", "action", "provider")) {
            Object v = raw.get(field);
            if (v != null && !(v instanceof String)) {
                names.add(Map.of("path", "$." + field, "message", "must be a string"));
            } else if (v instanceof String s && s.length() > InputRules.MAX_NAME) {
                names.add(Map.of("path", "$." + field, "message",
                        "must be at most " + InputRules.MAX_NAME + " characters"));
            }
        }
        if (!names.isEmpty()) {
            throw refuse(key, null, new ApiException(ErrorCode.INVALID_INPUT, "the request has " + names.size()
                    + " invalid field(s)", Map.of("errors", names)),
                    with(ctx, "paths", names.stream().map(e -> e.get("path")).toList()));
        }
        ConnectorManifest connector = catalog.connector(connectorId).orElse(null);
        if (connector == null) {
            throw gap(key, connectorId, actionName, null, "unknown connector " + InputRules.name(connectorId), ctx);
        }
        ActionSpec action = connector.action(actionName).orElse(null);
        if (action == null) {
            throw gap(key, connectorId, actionName, null,
                    "unknown action " + InputRules.name(actionName) + " of " + connectorId, ctx);
        }
        Object providerRaw = raw.getOrDefault("provider", connector.defaultProvider());
        String provider = providerRaw instanceof String s ? s : null;
        ctx.put("provider", InputRules.name(provider));
        if (provider == null || !connector.providers().contains(provider)) {
            throw gap(key, connectorId, actionName, provider, "unknown provider " + InputRules.name(provider), ctx);
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
        String canonical;
        try {
            canonical = canonicalPayload(connectorId, actionName, provider, input);
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

    /**
     * The canonical JSON (RFC 8785) of what an execution runs: its digest binds idempotency and
     * approval.
     *
     * @throws IllegalArgumentException when the input is not I-JSON
     */
    private static String canonicalPayload(String connector, String action, String provider, Map<String, Object> input) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("connector", connector);
        payload.put("action", action);
        payload.put("provider", provider);
        payload.put("input", input);
        return CanonicalJson.canonicalize(payload);
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
            wanted.addAll(currency != null ? List.of(profile, authorization, anyAuthorization, wallet, standing)
                    : List.of(profile, anyAuthorization, wallet, standing));
        }
        Reads.Results r = reads.together(params, wanted);
        SpendAuthorizations.Authorization auth = mutating && currency != null ? r.optional(authorization) : null;
        return new State(withReplay ? r.optional(existing) : null, r.optional(connection),
                mutating ? r.optional(profile) : null, auth,
                mutating && Boolean.TRUE.equals(r.optional(anyAuthorization)),
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
        if (connection != null && connection.active()) {
            // what preflight's live checks say of the account: a provider refusing its credentials refuses this too
            health.failing(req.provider(), connection.providerAccountId())
                    .forEach(c -> failed.add(check(c.name(), c.detail())));
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
            authorization = state.authorization();
            // lowering spend needs no authorization: a campaign can always be paused
            if (!state.anyAuthorization() && !PAUSE.equals(req.action().name())) {
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
        String currency = spendCurrency(req, campaign);
        if (req.action().raisesSpend() && currency != null && authorization == null) {
            throw refuse(req.key(), null, new ApiException(ErrorCode.UNSUPPORTED_CURRENCY, "no active spend authorization"
                    + " for " + req.provider() + " is in " + currency + ": spend in " + currency + " cannot be backed"),
                    ctx);
        }
        if (req.action().raisesSpend()) {
            checkCurrencyKept(req, campaign, ctx);
            long held = campaign == null ? 0 : heldFor(req.key().tenantId(), campaign.id());
            SpendImpact.Verdict verdict = spendVerdict(req, campaign, held, authorization, state.wallet());
            if (verdict instanceof SpendImpact.Refused f) {
                throw refuse(req.key(), null, refusal(f), ctx);
            }
            impact = ((SpendImpact.Reserve) verdict).impact();
        }
        return new Plan(connection, providerIds, references, campaign, impact, authorization, state.wallet(),
                state.standing());
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

    /** A campaign's budget keeps its currency: an update in another one is invalid input. */
    private void checkCurrencyKept(Request req, Projections.Campaign campaign, Map<String, Object> ctx) {
        if (campaign != null && req.input().get("budget") != null
                && !InputRules.budget(req.input().get("budget")).amount().currency().equals(campaign.currency())) {
            throw refuse(req.key(), null, new ApiException(ErrorCode.INVALID_INPUT,
                    "a campaign's currency cannot change", Map.of("errors", List.of(Map.of("path",
                            "$.input.budget.currency", "message", "must be " + campaign.currency())))), ctx);
        }
    }

    /**
     * What running a spend-raising request adds to the money held, on the campaign state it runs on
     * ({@code campaign}; null for a create): the exposure after the change (design §4, once in
     * {@link CampaignExposure}) less {@code held}, already reserved for the campaign.
     */
    private SpendImpact.Verdict spendVerdict(Request req, Projections.Campaign campaign, long held,
            SpendAuthorizations.Authorization authorization, Wallets.Wallet wallet) {
        CampaignState after = campaign == null ? createdState(req.input()) : campaign.state().with(change(req));
        Instant authExpiry = authorization.validUntil() == null ? null : authorization.validUntil().toInstant();
        Exposure exposure = CampaignExposure.of(after, authExpiry, DeliveryRule.forProvider(req.provider()),
                clock.instant());
        SpendLimits limits = new SpendLimits(authorization.remainingMinor(), authorization.dailyCapMinor(),
                wallet == null ? null : wallet.currency(), wallet == null ? 0 : wallet.availableMinor());
        return SpendImpact.of(after.budget(), exposure, held, limits);
    }

    /** A spend refusal as the API answers it. */
    private static ApiException refusal(SpendImpact.Refused f) {
        return switch (f.reason()) {
            case NO_WALLET -> ApiException.notFound("wallet");
            case UNBOUNDED_SPEND -> new ApiException(ErrorCode.UNBOUNDED_SPEND, f.message());
            case BUDGET_EXCEEDED -> new ApiException(ErrorCode.BUDGET_EXCEEDED, f.message(), f.details());
            case INSUFFICIENT_CREDITS -> new ApiException(ErrorCode.INSUFFICIENT_CREDITS, f.message(), f.details());
            case UNSUPPORTED_CURRENCY -> new ApiException(ErrorCode.UNSUPPORTED_CURRENCY, f.message(), f.details());
        };
    }

    /** A campaign as {@code ads.create_campaign} would create it. */
    private static CampaignState createdState(Map<String, Object> in) {
        return new CampaignState(InputRules.budget(in.get("budget")), "active".equals(in.getOrDefault("status", "paused")),
                instant(in.get("start_time")), instant(in.get("end_time")), 0);
    }

    /** The change an update or pause asks of a campaign. */
    private static CampaignChange change(Request req) {
        return change(req.action().name(), req.input());
    }

    private static CampaignChange change(String action, Map<String, Object> in) {
        if (PAUSE.equals(action)) {
            return CampaignChange.pause();
        }
        return new CampaignChange(in.get("status") instanceof String st ? "active".equals(st) : null,
                in.containsKey("budget") ? InputRules.budget(in.get("budget")) : null, instant(in.get("end_time")));
    }

    private long heldFor(String tenant, String campaignId) {
        return ledger.heldForCampaign(tenant, campaignId).stream().mapToLong(r -> r.amount().amountMinor()).sum();
    }

    /**
     * The approval gate: a covering standing grant runs at once, with the impact computed on the
     * campaign state it runs on; otherwise a one-shot approval is requested.
     */
    private Answer gate(Request req, Plan plan, Map<String, Object> ctx) {
        String tenant = req.key().tenantId();
        String executionId = Ids.next("exe");
        List<Approvals.Grant> candidates = standingCandidates(req, plan.impact(), plan.standing());
        ApiException[] refusal = new ApiException[1];
        Executions.Execution[] inserted = new Executions.Execution[1];
        boolean mayReserve = req.action().raisesSpend() && !candidates.isEmpty();
        String outcome = tx.execute(s -> {
            if (mayReserve) {
                receipts.lockChainForSpend(tenant);
            } else {
                receipts.lockChain(tenant);
            }
            Money impact = plan.impact();
            String grantId = null;
            if (!candidates.isEmpty()) {
                try {
                    impact = impactNow(req, plan, executionId);
                } catch (ApiException e) {
                    s.setRollbackOnly();
                    refusal[0] = e;
                    return "refused";
                }
                grantId = consumeStandingGrant(req, impact, candidates);
            }
            long impactMinor = impact == null ? 0 : impact.amountMinor();
            String currency = impact == null ? null : impact.currency();
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
                String approvalId = requestApproval(tenant, executionId, req.action().name(), req.provider(), req.digest(),
                        impactMinor, currency, req.key().keyId(), req.key().actor());
                executions.setApproval(tenant, executionId, approvalId);
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
            claimCampaign(tenant, plan, req.action().name(), executionId);
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
     * Pauses a campaign through its provider on the broker's own authority, because the authorization
     * behind its money has ended ({@code reason}: {@code authorization_expired} or
     * {@code authorization_revoked}). Lowering spend needs no approval; otherwise it runs like any
     * pause: serialised with the campaign's other changes, receipted, and its reservations released
     * once the provider has paused it.
     *
     * @return the execution's status, or {@code campaign_busy} when another change of the campaign
     *     is in flight (the next run tries again)
     */
    public String pauseForEndedAuthorization(String tenant, String campaignId, String authorizationId, String reason) {
        String executionId = Ids.next("exe");
        Caller.TenantKey broker = new Caller.TenantKey(tenant, "broker:" + reason, Role.RUNTIME);
        ActionSpec action = catalog.connector("mw.connector.ads").flatMap(c -> c.action(PAUSE)).orElseThrow();
        Map<String, Object> input = Map.of("campaign_id", campaignId);
        Projections.Campaign campaign = projections.campaign(tenant, campaignId).orElseThrow();
        boolean endsAtProvider = routing.factory(campaign.provider()).map(ProviderAdapterFactory::capabilities)
                .orElse(Set.of()).contains(ProviderAdapterFactory.Capability.CAMPAIGN_END_TIME_UPDATE);
        if (endsAtProvider && campaign.endTime() != null && !campaign.endTime().toInstant().isAfter(clock.instant())) {
            return recordEnded(tenant, campaignId, authorizationId, reason);
        }
        String canonical = canonicalPayload("mw.connector.ads", PAUSE, campaign.provider(), input);
        Request req = new Request(broker, "mw.connector.ads", action, campaign.provider(), "broker:" + executionId,
                input, canonical, CanonicalJson.sha256Hex(canonical));
        Refs refs = resolve(tenant, input, (kind, id) -> ApiException.notFound(kind), (field, provider) -> { });
        Connections.Connection connection = connections.live(tenant, campaign.provider()).orElse(null);
        if (connection == null) {
            log.error("campaign {} of tenant {} runs under ended authorization {} but the tenant has no connection to {}"
                    + " to pause it through", campaignId, tenant, authorizationId, campaign.provider());
            return "no_connection";
        }
        Plan plan = new Plan(connection, refs.providerIds(), refs.references(), refs.campaign(), null, null, null,
                List.of());
        Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("connector", "mw.connector.ads");
        ctx.put("action", PAUSE);
        ctx.put("provider", campaign.provider());
        ctx.put("idempotency_key", req.idempotencyKey());
        ctx.put("payload_digest", req.digest());
        ctx.put("initiated_by", "broker");
        ctx.put("reason", reason);
        ctx.put("authorization_id", authorizationId);
        Executions.Execution[] inserted = new Executions.Execution[1];
        String outcome = tx.execute(s -> {
            receipts.lockChainForSpend(tenant);
            try {
                impactNow(req, plan, executionId);
            } catch (ApiException e) {
                s.setRollbackOnly();
                return e.code().wire();
            }
            inserted[0] = executions.insert(executionId, tenant, req.idempotencyKey(), req.payload(), req.digest(),
                    req.connector(), PAUSE, req.provider(), "executing", broker.keyId(), null, 0, null).orElseThrow();
            receipts.record(tenant, "execution.accepted", executionId, broker.actor(), ctx);
            claimCampaign(tenant, plan, PAUSE, executionId);
            return "run";
        });
        if (!"run".equals(outcome)) {
            return outcome;
        }
        return call(broker.actor(), inserted[0], plan).status();
    }

    /**
     * Records a campaign the provider has already stopped at its end time (which the broker set no
     * later than its authorization's end) as {@code ended}, and releases what was held for it:
     * there is nothing left to pause.
     */
    private String recordEnded(String tenant, String campaignId, String authorizationId, String reason) {
        String actor = "broker:" + reason;
        return tx.execute(s -> {
            receipts.lockChainForSpend(tenant);
            Projections.Campaign c = projections.lockCampaign(tenant, campaignId).orElseThrow();
            if (c.busyExecutionId() != null) {
                s.setRollbackOnly();
                return ErrorCode.CAMPAIGN_BUSY.wire();
            }
            projections.updateCampaign(tenant, campaignId, null, "ended", null, null, null);
            ledger.heldForCampaign(tenant, campaignId).forEach(r -> ledger.release(tenant, r.id(), "campaign_ended", actor));
            receipts.record(tenant, "campaign.ended", null, actor, Map.of("campaign_id", campaignId,
                    "end_time", c.endTime().toString(), "authorization_id", authorizationId, "reason", reason));
            return "ended";
        });
    }

    /** Asks for a one-shot approval of an execution's payload digest, showing its spend impact; receipted. */
    private String requestApproval(String tenant, String executionId, String action, String provider, String digest,
            long impactMinor, String currency, String requestedByKeyId, String actor) {
        String approvalId = approvals.createOneShot(tenant, executionId, action, provider, digest, impactMinor, currency,
                requestedByKeyId, clock.instant().plus(APPROVAL_TTL));
        receipts.record(tenant, "approval.requested", executionId, actor,
                Map.of("approval_id", approvalId, "payload_digest", digest, "spend_impact_minor", impactMinor));
        return approvalId;
    }

    /** The actions that change a campaign the tenant has: one at a time per campaign. */
    private static final Set<String> CAMPAIGN_CHANGES = Set.of("ads.update_campaign", "ads.pause_campaign");
    private static final String PAUSE = "ads.pause_campaign";

    /**
     * Inside the transaction that lets a request run: what it adds to the money held, computed on
     * the state it will run on. For a change of a campaign, the campaign's row is locked first, and
     * the request is refused ({@code campaign_busy}) while another change of it is at the provider
     * or of unknown outcome: two changes planned on one state would each reserve for a state the
     * other makes stale (invariant 1).
     *
     * @throws ApiException a refusal; the caller's transaction must roll back
     */
    private Money impactNow(Request req, Plan plan, String executionId) {
        if (!CAMPAIGN_CHANGES.contains(req.action().name())) {
            return plan.impact();
        }
        String tenant = req.key().tenantId();
        Projections.Campaign campaign = projections.lockCampaign(tenant, plan.campaign().id())
                .orElseThrow(() -> ApiException.notFound("campaign"));
        if (campaign.busyExecutionId() != null && !campaign.busyExecutionId().equals(executionId)) {
            throw new ApiException(ErrorCode.CAMPAIGN_BUSY, "another change of campaign " + campaign.id()
                    + " is still being carried out; send this one again once it has settled",
                    Map.of("campaign_id", campaign.id(), "execution_id", campaign.busyExecutionId()));
        }
        if (!req.action().raisesSpend()) {
            return null;
        }
        return switch (spendVerdict(req, campaign, heldFor(tenant, campaign.id()), plan.authorization(), plan.wallet())) {
            case SpendImpact.Reserve r -> r.impact();
            case SpendImpact.Refused f -> throw refusal(f);
        };
    }

    /** Marks the campaign a change runs on as changed by it, until its outcome is known. */
    private void claimCampaign(String tenant, Plan plan, String action, String executionId) {
        if (CAMPAIGN_CHANGES.contains(action)) {
            projections.setBusy(tenant, plan.campaign().id(), executionId);
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

    /**
     * Approves a pending one-shot approval and runs the stored payload, after checking it is still
     * the payload the approval's digest names. The money reserved is computed on the state the call
     * runs on: when that is more than the approver was shown, nothing runs and a new approval,
     * showing the new figure, replaces this one ({@code spend_impact_changed}).
     */
    public Map<String, Object> approve(Caller.TenantKey approver, String approvalId) {
        String tenant = approver.tenantId();
        Approvals.Grant grant = pendingGrant(approver, approvalId);
        Executions.Execution execution = executions.find(tenant, grant.executionId()).orElseThrow();
        if (!ApprovalCoverage.oneShotCovers(grant.tenantId(), grant.action(), grant.provider(), grant.payloadDigest(),
                grant.expiresAt().toInstant(), execution.tenantId(), execution.action(), execution.provider(),
                execution.payloadDigest(), clock.instant())) {
            throw new IllegalStateException("approval " + approvalId + " is not bound to its execution's payload");
        }
        Map<String, Object> input;
        try {
            input = approvedInput(execution);
        } catch (ApiException e) {
            failApproved(approver, grant, execution, e);
            return approvalView(grant.id(), executions.find(tenant, execution.id()).orElseThrow());
        }
        Caller.TenantKey requester = new Caller.TenantKey(tenant, execution.requestedByKeyId(), null);
        Plan plan;
        Request req;
        try {
            req = stored(requester, execution, input);
            plan = plan(req, storedContext(execution), null);
        } catch (ApiException e) {
            failApproved(approver, grant, execution, e);
            return approvalView(grant.id(), executions.find(tenant, execution.id()).orElseThrow());
        }
        ApiException[] refusal = new ApiException[1];
        String[] renewed = new String[1];
        Money[] now = new Money[1];
        String outcome = tx.execute(s -> {
            if (req.action().raisesSpend()) {
                receipts.lockChainForSpend(tenant);
            } else {
                receipts.lockChain(tenant);
            }
            Money impact;
            try {
                impact = impactNow(req, plan, execution.id());
            } catch (ApiException e) {
                s.setRollbackOnly();
                refusal[0] = e;
                return e.code() == ErrorCode.CAMPAIGN_BUSY ? "busy" : "refused";
            }
            long impactMinor = impact == null ? 0 : impact.amountMinor();
            if (impactMinor > execution.spendImpactMinor()) {
                // the approver saw a smaller figure: never reserve more than was approved
                if (!approvals.supersede(tenant, approvalId)) {
                    s.setRollbackOnly();
                    return "not_pending";
                }
                renewed[0] = requestApproval(tenant, execution.id(), execution.action(), execution.provider(),
                        execution.payloadDigest(), impactMinor, impact.currency(), execution.requestedByKeyId(),
                        approver.actor());
                executions.reapprove(tenant, execution.id(), renewed[0], impactMinor, impact.currency());
                receipts.record(tenant, "approval.superseded", execution.id(), approver.actor(), Map.of(
                        "approval_id", approvalId, "new_approval_id", renewed[0],
                        "code", ErrorCode.SPEND_IMPACT_CHANGED.wire(),
                        "approved_spend_impact_minor", execution.spendImpactMinor(),
                        "spend_impact_minor", impactMinor));
                now[0] = impact;
                return "changed";
            }
            if (!approvals.decide(tenant, approvalId, "used", approver.keyId(), null)) {
                s.setRollbackOnly();
                return "not_pending";
            }
            receipts.record(tenant, "approval.approved", execution.id(), approver.actor(),
                    Map.of("approval_id", approvalId, "payload_digest", execution.payloadDigest(),
                            "requested_by_key_id", execution.requestedByKeyId(), "spend_impact_minor", impactMinor));
            try {
                reserve(approver, execution.id(), plan, impact);
            } catch (ApiException e) {
                s.setRollbackOnly();
                refusal[0] = e;
                return "refused";
            }
            executions.transition(tenant, execution.id(), List.of("awaiting_approval"), "executing", null, null);
            claimCampaign(tenant, plan, execution.action(), execution.id());
            return "run";
        });
        switch (outcome) {
            case "not_pending" -> throw new ApiException(ErrorCode.APPROVAL_NOT_PENDING, "the approval was decided already");
            case "busy" -> throw refuse(approver, execution.id(), refusal[0], storedContext(execution));
            case "changed" -> throw new ApiException(ErrorCode.SPEND_IMPACT_CHANGED, "the spend impact rose from "
                    + Money.of(execution.spendImpactMinor(), now[0].currency()) + " to " + now[0]
                    + " since the approval was asked; nothing ran, and a new approval shows the new figure",
                    Map.of("approval_id", renewed[0], "execution_id", execution.id(),
                            "approved_spend_impact_minor", execution.spendImpactMinor(),
                            "spend_impact_minor", now[0].amountMinor()));
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

    /** The request an execution stored, as its requester sent it. */
    private Request stored(Caller.TenantKey requester, Executions.Execution e, Map<String, Object> input) {
        ActionSpec action = catalog.connector(e.connector()).flatMap(c -> c.action(e.action())).orElseThrow();
        return new Request(requester, e.connector(), action, e.provider(), e.idempotencyKey(), input, e.payload(),
                e.payloadDigest());
    }

    private static Map<String, Object> storedContext(Executions.Execution e) {
        Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("connector", e.connector());
        ctx.put("action", e.action());
        ctx.put("provider", e.provider());
        ctx.put("stage", "approved_execution");
        return ctx;
    }

    /**
     * The input of an execution's stored payload, once the payload is checked against the digest
     * the request was accepted (and approved) under: a payload changed since is refused
     * ({@code payload_digest_mismatch}), never sent.
     *
     * @throws ApiException {@code payload_digest_mismatch}
     */
    private Map<String, Object> approvedInput(Executions.Execution e) {
        if (!CanonicalJson.sha256Hex(e.payload()).equals(e.payloadDigest())) {
            log.error("ALERT: execution {} of tenant {}: the stored payload no longer matches its digest {}; "
                    + "it was changed after it was accepted and will not be sent", e.id(), e.tenantId(),
                    e.payloadDigest());
            throw new ApiException(ErrorCode.PAYLOAD_DIGEST_MISMATCH,
                    "the stored payload does not match the digest it was accepted under; it was not sent",
                    Map.of("payload_digest", e.payloadDigest()));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> input = (Map<String, Object>) ExecutionViews.payload(e).get("input");
        return input;
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
        Map<String, Object> input;
        try {
            input = approvedInput(e);
        } catch (ApiException refused) {
            return failBeforeCall(actor, e, refused);
        }
        Map<String, Object> sent = providerInput(e.action(), input, plan.campaign(), authorizationEnd(plan.authorization()),
                routing.factory(e.provider()).map(ProviderAdapterFactory::capabilities).orElse(Set.of()));
        ProviderOutcome outcome;
        try {
            Optional<ProviderRouting.Route> route = routing.route(e.provider(), plan.connection().providerAccountId());
            outcome = route.isEmpty()
                    ? new ProviderOutcome.Rejected(ProviderOutcome.RejectionKind.UNSUPPORTED, "no_adapter",
                            "no adapter serves " + e.provider())
                    : callAdapter(route.get(), new ProviderRequest(e.action(), e.id(), sent, plan.providerIds(),
                            plan.references()));
        } catch (GeneralSecurityException ex) {
            outcome = new ProviderOutcome.Rejected(ProviderOutcome.RejectionKind.AUTH_FAILED, "credentials_undecryptable",
                    "the provider account's credentials do not decrypt under the master keyset");
        }
        faultPoints.reached("after_provider_call");
        Executions.Execution after = complete(actor, e, plan, sent, outcome);
        return after != null ? after : executions.find(e.tenantId(), e.id()).orElseThrow();
    }

    private static Instant authorizationEnd(SpendAuthorizations.Authorization authorization) {
        return authorization == null || authorization.validUntil() == null ? null
                : authorization.validUntil().toInstant();
    }

    /**
     * The input the adapter gets: the approved input, with the campaign's end brought forward to the
     * end of the authorization backing its money, so the provider itself stops it then. A provider
     * that cannot move an existing campaign's end ({@code CAMPAIGN_END_TIME_UPDATE} missing) is
     * stopped by the broker's own pause when the authorization ends ({@link AuthorizationEndings}).
     */
    static Map<String, Object> providerInput(String action, Map<String, Object> input, Projections.Campaign campaign,
            Instant authorizationEnd, Set<ProviderAdapterFactory.Capability> capabilities) {
        if (authorizationEnd == null) {
            return input;
        }
        Instant end = instant(input.get("end_time"));
        boolean capped = switch (action) {
            case "ads.create_campaign" -> true;
            case "ads.update_campaign" -> capabilities.contains(ProviderAdapterFactory.Capability.CAMPAIGN_END_TIME_UPDATE)
                    && (end != null || input.containsKey("budget") || "active".equals(input.get("status")));
            default -> false;
        };
        if (!capped) {
            return input;
        }
        Instant current = end != null ? end
                : campaign != null && campaign.endTime() != null ? campaign.endTime().toInstant() : null;
        Instant within = CampaignExposure.endWithin(current, authorizationEnd);
        if (within.equals(current)) {
            return input;
        }
        Map<String, Object> sent = new LinkedHashMap<>(input);
        sent.put("end_time", within.toString());
        return sent;
    }

    /** Ends an execution that was never sent: failed, its money released, receipted. */
    private Executions.Execution failBeforeCall(String actor, Executions.Execution e, ApiException cause) {
        String tenant = e.tenantId();
        tx.executeWithoutResult(s -> {
            receipts.lockChain(tenant);
            if (executions.transition(tenant, e.id(), List.of("executing"), "failed", null,
                    error(cause.code(), cause.getMessage(), null))) {
                releaseAll(tenant, e.id(), cause.code().wire(), actor);
                projections.freeCampaign(tenant, e.id());
                receipts.record(tenant, "execution.failed", e.id(), actor,
                        Map.of("code", cause.code().wire(), "stage", "before_provider_call"));
            }
        });
        return executions.find(tenant, e.id()).orElseThrow();
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
            SpendAuthorizations.Authorization authorization = ledger.heldForExecution(tenant, e.id()).stream().findFirst()
                    .flatMap(r -> authorizations.find(tenant, r.authorizationId())).orElse(null);
            plan = new Plan(connection, refs.providerIds(), refs.references(), refs.campaign(), null, authorization, null,
                    List.of());
            input = providerInput(e.action(), input, refs.campaign(), authorizationEnd(authorization),
                    routing.factory(e.provider()).map(ProviderAdapterFactory::capabilities).orElse(Set.of()));
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
                    if (r.kind() == ProviderOutcome.RejectionKind.AUTH_FAILED && plan != null) {
                        health.authenticationFailed(plan.connection().providerAccountId());
                    }
                    releaseAll(tenant, e.id(), "provider_rejected", actor);
                    projections.freeCampaign(tenant, e.id());
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
                    projections.freeCampaign(tenant, e.id());
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
                ledger.attachToCampaign(tenant, e.id(), id);
                result.put("object_id", id);
                result.put("status", in.getOrDefault("status", "paused"));
            }
            case "ads.update_campaign", "ads.pause_campaign" -> {
                // the campaign as it is now: changes of it are serialised, so this is the state the call ran on
                Projections.Campaign c = projections.lockCampaign(tenant, plan.campaign().id()).orElseThrow();
                CampaignChange change = change(e.action(), in);
                String newStatus = change.active() == null ? c.status() : change.active() ? "active" : "paused";
                CampaignBudget budget = change.budget();
                projections.updateCampaign(tenant, c.id(), (String) in.get("name"), newStatus,
                        budget == null ? null : budget.amount().amountMinor(),
                        budget == null ? null : budget.period().wire(), change.end());
                rebase(actor, tenant, c.id(), e.id());
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
        Exposure exposure = CampaignExposure.of(now.state(), authorizationEnd(authorization),
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
        // what the caller named is recorded and echoed cut short: never a megabyte of it
        gaps.record(key.tenantId(), InputRules.name(connector), InputRules.name(action), InputRules.name(provider),
                truncate(reason), "automatic", key.keyId());
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
        return dev.minutework.broker.server.api.RequestJson.clip(s, 300);
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

        /** The longest connector, action or provider name a request may carry. */
        static final int MAX_NAME = 128;

        /** A caller-supplied connector, action or provider name as echoed and stored: cut at 64 characters. */
        static String name(String s) {
            return dev.minutework.broker.server.api.RequestJson.clip(s, 64);
        }

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
                // the schema says so too; kept here so that no adapter ever converts a larger amount
                if (in.get(m) instanceof Map<?, ?> money && money.get("amount_minor") instanceof Number n
                        && (n.doubleValue() > Money.MAX_AMOUNT_MINOR || n.doubleValue() < 1)) {
                    errors.add(err(m + ".amount_minor", "must be from 1 to " + Money.MAX_AMOUNT_MINOR));
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
                    if (!String.valueOf(in.get("since")).matches("\\d{4}-\\d{2}-\\d{2}")
                            || !String.valueOf(in.get("until")).matches("\\d{4}-\\d{2}-\\d{2}")) {
                        throw new DateTimeParseException("not YYYY-MM-DD", "", 0);
                    }
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
            if (!s.matches("\\d{4}-.*")) { // four-digit years only, as RFC 3339 says: 0000 to 9999
                errors.add(err(field, "must be an RFC 3339 date-time"));
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
