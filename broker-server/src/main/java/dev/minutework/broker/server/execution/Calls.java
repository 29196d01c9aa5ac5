package dev.minutework.broker.server.execution;

import dev.minutework.broker.core.command.Commands;
import dev.minutework.broker.core.command.ExecuteCommand;
import dev.minutework.broker.core.execution.ExecutionStatus;
import dev.minutework.broker.core.provider.ProviderCapabilities;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ProviderRequest;
import dev.minutework.broker.core.spend.CampaignExposure;
import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.server.routing.ProviderRouting;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.connections.Connections;
import dev.minutework.broker.server.spend.SpendAuthorizations;
import dev.minutework.broker.server.spend.SpendLedger;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The provider call of an execution that may run, and its reconciliation: the command its payload
 * digest names is sent to the adapter (with the campaign's end brought within its authorization),
 * and the outcome is settled by {@link Completions}. An approved execution's stored payload is
 * checked against its digest first ({@link #verifiedInput}).
 */
@Component
class Calls {

    private static final Logger log = LoggerFactory.getLogger(Calls.class);

    private final ProviderRouting routing;
    private final Executions executions;
    private final Completions completions;
    private final SpendLedger ledger;
    private final SpendAuthorizations authorizations;
    private final Connections connections;
    private final Snapshots snapshots;
    private final FaultPoints faultPoints;

    Calls(ProviderRouting routing, Executions executions, Completions completions, SpendLedger ledger,
            SpendAuthorizations authorizations, Connections connections, Snapshots snapshots,
            FaultPoints faultPoints) {
        this.routing = routing;
        this.executions = executions;
        this.completions = completions;
        this.ledger = ledger;
        this.authorizations = authorizations;
        this.connections = connections;
        this.snapshots = snapshots;
        this.faultPoints = faultPoints;
    }

    /**
     * Calls the provider for an execution that is {@code executing}, and settles its outcome.
     *
     * @param command the command the execution's payload digest names: the request's own for a new
     *     execution, or the one {@link #verifiedInput} read from the stored payload for an approved one
     */
    Executions.Execution call(String actor, Executions.Execution e, Snapshots.Resolved target,
            ExecuteCommand command) {
        faultPoints.reached("after_reservation");
        ExecuteCommand sent = providerCommand(command, target);
        ProviderOutcome outcome;
        try {
            Optional<ProviderRouting.Route> route = routing.route(e.provider(), target.connection().providerAccountId());
            outcome = route.isEmpty()
                    ? new ProviderOutcome.Rejected(ProviderOutcome.RejectionKind.UNSUPPORTED, "no_adapter",
                            "no adapter serves " + e.provider())
                    : callAdapter(route.get(), new ProviderRequest(sent, e.id(), target.providerIds(),
                            target.references()));
        } catch (GeneralSecurityException ex) {
            outcome = new ProviderOutcome.Rejected(ProviderOutcome.RejectionKind.AUTH_FAILED, "credentials_undecryptable",
                    "the provider account's credentials do not decrypt under the master keyset");
        }
        faultPoints.reached("after_provider_call");
        Executions.Execution after = completions.complete(actor, e, target, sent, outcome, null);
        return after != null ? after : executions.find(e.tenantId(), e.id()).orElseThrow();
    }

    /**
     * Asks the provider to check a request without carrying it out, where its adapter offers that
     * ({@code DRY_RUN}): before an approver is asked, or a standing grant's money spent, on a request
     * the provider would refuse. Never changes anything at the provider.
     *
     * @param reference the broker reference the execution will have
     * @return empty when the provider has no dry run; otherwise its outcome (an adapter fault or
     *     undecryptable credentials are an unknown outcome: they refuse nothing here)
     */
    Optional<ProviderOutcome> dryRun(String provider, Snapshots.Resolved target, ExecuteCommand command,
            String reference) {
        if (!target.capabilities().has(ProviderCapabilities.Feature.DRY_RUN) || target.connection() == null) {
            return Optional.empty();
        }
        long started = System.nanoTime();
        try {
            Optional<ProviderRouting.Route> route = routing.route(provider, target.connection().providerAccountId());
            if (route.isEmpty()) {
                return Optional.empty();
            }
            return route.get().factory().create(route.get().context()).validate(new ProviderRequest(
                    providerCommand(command, target), reference, target.providerIds(), target.references()));
        } catch (GeneralSecurityException | RuntimeException ex) {
            log.warn("dry run of {} for {} failed: {}", command.action(), reference, ex.getClass().getName());
            return Optional.of(new ProviderOutcome.Unknown("dry run failed: " + ex.getClass().getSimpleName()));
        } finally {
            ServerTiming.providerCall(System.nanoTime() - started);
        }
    }

    /**
     * The input of an execution's stored payload, once the payload is checked against the digest
     * the request was accepted (and approved) under: a payload changed since is refused
     * ({@code payload_digest_mismatch}), never sent.
     *
     * @throws ApiException {@code payload_digest_mismatch}
     */
    static Map<String, Object> verifiedInput(Executions.Execution e) {
        if (!CanonicalJson.sha256Hex(e.payload()).equals(e.payloadDigest())) {
            log.error("ALERT: execution {} of tenant {}: the stored payload no longer matches its digest {}; "
                    + "it was changed after it was accepted and will not be sent", e.id(), e.tenantId(),
                    e.payloadDigest());
            throw new ApiException(ErrorCode.PAYLOAD_DIGEST_MISMATCH,
                    "the stored payload does not match the digest it was accepted under; it was not sent",
                    Map.of("payload_digest", e.payloadDigest()));
        }
        return storedInput(e);
    }

    /** The command an execution stored, read without checking its digest. */
    static ExecuteCommand storedCommand(Executions.Execution e) {
        return Commands.stored(e.action(), storedInput(e));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> storedInput(Executions.Execution e) {
        return (Map<String, Object>) ExecutionViews.payload(e).get("input");
    }

    static Instant authorizationEnd(SpendAuthorizations.Authorization authorization) {
        return authorization == null || authorization.validUntil() == null ? null
                : authorization.validUntil().toInstant();
    }

    /** {@link #providerCommand(ExecuteCommand, Instant, Instant, ProviderCapabilities)} for the campaign and authorization of {@code target}. */
    static ExecuteCommand providerCommand(ExecuteCommand command, Snapshots.Resolved target) {
        Instant campaignEnd = target.campaign() == null || target.campaign().endTime() == null ? null
                : target.campaign().endTime().toInstant();
        return providerCommand(command, campaignEnd, authorizationEnd(target.authorization()), target.capabilities());
    }

    /**
     * The command the adapter gets: the approved one, with the campaign's end brought forward to the
     * end of the authorization backing its money, so the provider itself stops it then. A provider
     * that cannot move an existing campaign's end ({@code CAMPAIGN_END_TIME_UPDATE} missing) is
     * stopped by the broker's own pause when the authorization ends ({@link AuthorizationEndings}).
     *
     * @param campaignEnd the campaign's current end, for an update
     */
    static ExecuteCommand providerCommand(ExecuteCommand command, Instant campaignEnd, Instant authorizationEnd,
            ProviderCapabilities capabilities) {
        if (authorizationEnd == null) {
            return command;
        }
        return switch (command) {
            case ExecuteCommand.CreateCampaign c -> {
                Instant within = CampaignExposure.endWithin(c.end(), authorizationEnd);
                yield within.equals(c.end()) ? c : c.endingAt(within);
            }
            case ExecuteCommand.UpdateCampaign u when capabilities.has(
                    ProviderCapabilities.Feature.CAMPAIGN_END_TIME_UPDATE)
                    && (u.end() != null || u.budget() != null || Boolean.TRUE.equals(u.active())) -> {
                Instant current = u.end() != null ? u.end() : campaignEnd;
                Instant within = CampaignExposure.endWithin(current, authorizationEnd);
                yield within.equals(current) ? u : u.endingAt(within);
            }
            default -> command;
        };
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
    String reconcile(String actor, Executions.Execution seen) {
        String tenant = seen.tenantId();
        if (!executions.claim(tenant, seen.id(), seen.status(), seen.updatedAt())) {
            return executions.find(tenant, seen.id()).map(Executions.Execution::status).orElseThrow();
        }
        Executions.Execution e = executions.find(tenant, seen.id()).orElseThrow();
        ExecuteCommand command = storedCommand(e);
        ProviderOutcome verdict;
        Snapshots.Resolved target = null;
        ExecuteCommand sent = command;
        try {
            Connections.Connection connection = connections.live(tenant, e.provider()).orElseThrow(
                    () -> new IllegalStateException("no connection to " + e.provider() + " any more"));
            SpendAuthorizations.Authorization authorization = ledger.heldForExecution(tenant, e.id()).stream()
                    .findFirst().flatMap(r -> authorizations.find(tenant, r.authorizationId())).orElse(null);
            target = snapshots.target(tenant, e.provider(), command, connection, authorization);
            sent = providerCommand(command, target);
            ProviderRouting.Route route = routing.route(e.provider(), connection.providerAccountId()).orElseThrow();
            verdict = route.factory().create(route.context()).reconcile(e.action(), e.id());
        } catch (GeneralSecurityException | RuntimeException ex) {
            verdict = new ProviderOutcome.Unknown("reconciliation could not ask the provider: "
                    + ex.getClass().getSimpleName());
        }
        ProviderOutcome settled = switch (verdict) {
            case ProviderOutcome.Succeeded ok -> ok;
            case ProviderOutcome.Rejected r when r.kind() == ProviderOutcome.RejectionKind.NOT_FOUND ->
                    new ProviderOutcome.Rejected(ProviderOutcome.RejectionKind.PROVIDER_ERROR, "not_created",
                            "reconciliation found no object for this execution at the provider: it was not carried out");
            default -> null;
        };
        if (settled == null || target == null) {
            if ("outcome_unknown".equals(seen.status())) {
                // still unknown: back as it was, reservation untouched, no new decision to receipt
                executions.reverted(tenant, e.id(), Set.of(ExecutionStatus.EXECUTING),
                        ExecutionStatus.OUTCOME_UNKNOWN, null, e.error());
            } else {
                // a call whose process died mid-way: now known to be unknown, and receipted as such
                completions.complete(actor, e, target, sent, verdict instanceof ProviderOutcome.Unknown u ? u
                        : new ProviderOutcome.Unknown("reconciliation could not tell whether the call was carried out"),
                        null);
            }
            return "outcome_unknown";
        }
        completions.complete(actor, e, target, sent, settled,
                settled instanceof ProviderOutcome.Succeeded ? "carried_out" : "not_carried_out");
        return executions.find(tenant, e.id()).map(Executions.Execution::status).orElseThrow();
    }
}
