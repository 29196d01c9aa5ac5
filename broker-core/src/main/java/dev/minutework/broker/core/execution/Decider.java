package dev.minutework.broker.core.execution;

import dev.minutework.broker.core.command.FieldError;
import dev.minutework.broker.core.command.ExecuteCommand;
import dev.minutework.broker.core.approval.StandingGrant;
import dev.minutework.broker.core.money.Money;
import dev.minutework.broker.core.provider.ProviderCapabilities;
import dev.minutework.broker.core.provider.ProviderCheck;
import dev.minutework.broker.core.spend.CampaignExposure;
import dev.minutework.broker.core.spend.CampaignState;
import dev.minutework.broker.core.spend.DeliveryRule;
import dev.minutework.broker.core.spend.Exposure;
import dev.minutework.broker.core.spend.SpendImpact;
import dev.minutework.broker.core.spend.SpendLimits;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The decision of design §4, once and pure: given a typed request, what the broker knows of the
 * tenant, what the provider's adapter can do and the time, whether the request is refused, runs at
 * once, runs under a standing grant or waits for a human. Every rule is asked in this order, and
 * the first that refuses decides:
 * <ol>
 * <li>kill switch: while one covering the tenant at the provider is engaged, no mutating request
 * runs, is approved or waits for approval, except a pause (which lowers spend); reads still run;</li>
 * <li>references: every object the input names exists and lives at the request's provider;</li>
 * <li>readiness: every {@link ReadinessChecks check} that gates the request passes;</li>
 * <li>capabilities: the provider can take the request at all (a budget period, moving an end
 * time, reports), so that no human is asked to approve what the provider will refuse;</li>
 * <li>spend (requests that can raise it): an active authorization in the spend's currency, a
 * campaign keeping its currency, and the exposure after the change ({@link CampaignExposure})
 * fitting the authorization's and the wallet's room ({@link SpendImpact});</li>
 * <li>approval: a covering standing grant lets it run now, else a human must approve;</li>
 * <li>serialisation: a change of a campaign runs only while no other change of it is in flight.</li>
 * </ol>
 * The server calls this on a snapshot read before its transaction, and again inside it on the
 * campaign row it locked; the ledger's and the grant's conditional updates enforce what it found.
 */
public final class Decider {

    private Decider() {}

    /** A new request. */
    public static Decision decide(ExecuteCommand command, TenantSnapshot tenant, ProviderCapabilities capabilities,
            Instant now) {
        Assessment a = assess(command, tenant, capabilities, now);
        if (a.refusal() != null) {
            return new Decision.Refused(a.refusal());
        }
        if (!command.mutating()) {
            return new Decision.RunRead();
        }
        Money need = a.impact() == null ? Money.zero("USD") : a.impact();
        List<String> grants = tenant.standing().stream()
                .filter(g -> g.covers(command.action(), tenant.provider(), need, tenant.callerKeyId(), now))
                .map(StandingGrant::id).toList();
        if (grants.isEmpty()) {
            return new Decision.AwaitApproval(a.impact());
        }
        Refusal busy = busy(command, tenant);
        return busy != null ? new Decision.Refused(busy) : new Decision.RunUnderGrant(grants, a.impact());
    }

    /**
     * A request a human approved when it showed {@code approvedMinor} of spend impact: it runs when
     * the impact on the state it would run on is no more than that; otherwise a new approval must
     * show the new figure.
     */
    public static Decision decideApproved(ExecuteCommand command, TenantSnapshot tenant,
            ProviderCapabilities capabilities, Instant now, long approvedMinor) {
        Assessment a = assess(command, tenant, capabilities, now);
        if (a.refusal() != null) {
            return new Decision.Refused(a.refusal());
        }
        Refusal busy = busy(command, tenant);
        if (busy != null) {
            return new Decision.Refused(busy);
        }
        if (a.impact() != null && a.impact().amountMinor() > approvedMinor) {
            return new Decision.ImpactChanged(Money.of(approvedMinor, a.impact().currency()), a.impact());
        }
        return new Decision.RunApproved(a.impact());
    }

    /** Either a refusal, or what the request adds to the money held (null when it cannot raise spend). */
    private record Assessment(Refusal refusal, Money impact) {
        static Assessment refused(Refusal r) {
            return new Assessment(r, null);
        }
    }

    private static Assessment assess(ExecuteCommand command, TenantSnapshot tenant, ProviderCapabilities capabilities,
            Instant now) {
        Refusal r = killSwitch(command, tenant);
        if (r == null) {
            r = references(command, tenant);
        }
        if (r == null) {
            r = readiness(command, tenant);
        }
        if (r == null) {
            r = capabilities(command, tenant.provider(), capabilities);
        }
        if (r != null) {
            return Assessment.refused(r);
        }
        return command.raisesSpend() ? spend(command, tenant, now) : new Assessment(null, null);
    }

    /** A kill switch stops everything that could start or raise spend; a pause lowers it, a read changes nothing. */
    private static Refusal killSwitch(ExecuteCommand command, TenantSnapshot tenant) {
        TenantSnapshot.KillSwitch k = tenant.killSwitch();
        if (k == null || !command.mutating() || command instanceof ExecuteCommand.PauseCampaign) {
            return null;
        }
        return new Refusal(RefusalCode.KILL_SWITCH_ENGAGED, "a kill switch is engaged for this tenant at "
                + tenant.provider() + ": nothing runs but pauses and reads until an approver releases it",
                Map.of("kill_switch_id", k.id(), "scope", k.scope()));
    }

    private static Refusal references(ExecuteCommand command, TenantSnapshot tenant) {
        for (Map.Entry<String, String> ref : command.references().entrySet()) {
            TenantSnapshot.Reference found = tenant.references().get(ref.getKey());
            if (found == null) {
                String kind = ref.getKey().substring(0, ref.getKey().length() - "_id".length());
                return new Refusal(RefusalCode.NOT_FOUND, kind + " " + ref.getValue() + " not found", Map.of());
            }
            if (found.removedAtProvider()) {
                return Refusal.removedAtProvider(found.kind(), found.id(), found.provider());
            }
            if (!found.provider().equals(tenant.provider())) {
                return Refusal.invalid(ref.getKey() + " belongs to provider " + found.provider() + ", not "
                        + tenant.provider(), List.of(FieldError.input(ref.getKey(), "belongs to provider "
                        + found.provider())));
            }
        }
        return null;
    }

    private static Refusal readiness(ExecuteCommand command, TenantSnapshot tenant) {
        List<ProviderCheck> failed = ReadinessChecks.failing(tenant, command);
        if (failed.isEmpty()) {
            return null;
        }
        return new Refusal(RefusalCode.NOT_READY, tenant.provider() + " is not ready for this tenant: "
                + failed.stream().map(ProviderCheck::name).toList(), Map.of("failed_checks", failed.stream()
                .map(f -> Map.of("name", f.name(), "detail", f.detail() == null ? "" : f.detail())).toList()));
    }

    /** What the provider's adapter cannot take, refused before anyone is asked to approve it. */
    private static Refusal capabilities(ExecuteCommand command, String provider, ProviderCapabilities capabilities) {
        List<FieldError> errors = capabilities.misfits(command, provider);
        return errors.isEmpty() ? null : new Refusal(RefusalCode.PROVIDER_UNSUPPORTED,
                provider + " cannot take this request: " + errors.stream().map(FieldError::message).toList(),
                Map.of("provider", provider, "errors", errors.stream()
                        .map(e -> Map.of("path", e.path(), "message", e.message())).toList()));
    }

    private static Assessment spend(ExecuteCommand command, TenantSnapshot tenant, Instant now) {
        TenantSnapshot.Campaign campaign = tenant.campaign();
        String currency = command.currency() != null ? command.currency()
                : campaign == null ? null : campaign.currency();
        TenantSnapshot.Authorization authorization = tenant.authorization();
        if (currency != null && authorization == null) {
            return Assessment.refused(new Refusal(RefusalCode.UNSUPPORTED_CURRENCY, "no active spend authorization for "
                    + tenant.provider() + " is in " + currency + ": spend in " + currency + " cannot be backed",
                    Map.of()));
        }
        if (command instanceof ExecuteCommand.UpdateCampaign u && u.budget() != null && campaign != null
                && !u.budget().amount().currency().equals(campaign.currency())) {
            return Assessment.refused(Refusal.invalid("a campaign's currency cannot change",
                    List.of(FieldError.input("budget.currency", "must be " + campaign.currency()))));
        }
        CampaignState after = switch (command) {
            case ExecuteCommand.CreateCampaign c -> c.state();
            case ExecuteCommand.UpdateCampaign u -> campaign.state().with(u.change());
            default -> throw new IllegalStateException(command.action() + " does not raise spend");
        };
        Exposure exposure = CampaignExposure.of(after, authorization.validUntil(),
                DeliveryRule.forProvider(tenant.provider()), now);
        TenantSnapshot.Wallet wallet = tenant.wallet();
        SpendLimits limits = new SpendLimits(authorization.remainingMinor(), authorization.dailyCapMinor(),
                wallet == null ? null : wallet.currency(), wallet == null ? 0 : wallet.availableMinor());
        long held = campaign == null || command instanceof ExecuteCommand.CreateCampaign ? 0
                : tenant.heldForCampaignMinor();
        return switch (SpendImpact.of(after.budget(), exposure, held, limits)) {
            case SpendImpact.Reserve r -> new Assessment(null, r.impact());
            case SpendImpact.Refused f -> Assessment.refused(refusal(f));
        };
    }

    /** A spend refusal as a decision's. */
    static Refusal refusal(SpendImpact.Refused f) {
        return switch (f.reason()) {
            case NO_WALLET -> new Refusal(RefusalCode.NOT_FOUND, "wallet not found", Map.of());
            case UNBOUNDED_SPEND -> new Refusal(RefusalCode.UNBOUNDED_SPEND, f.message(), f.details());
            case BUDGET_EXCEEDED -> new Refusal(RefusalCode.BUDGET_EXCEEDED, f.message(), f.details());
            case INSUFFICIENT_CREDITS -> new Refusal(RefusalCode.INSUFFICIENT_CREDITS, f.message(), f.details());
            case UNSUPPORTED_CURRENCY -> new Refusal(RefusalCode.UNSUPPORTED_CURRENCY, f.message(), f.details());
        };
    }

    /**
     * A change of a campaign while another change of it is at the provider or of unknown outcome:
     * two changes decided on one state would each reserve for a state the other makes stale
     * (invariant 1).
     */
    private static Refusal busy(ExecuteCommand command, TenantSnapshot tenant) {
        TenantSnapshot.Campaign c = tenant.campaign();
        if (!command.changesCampaign() || c == null || c.busyExecutionId() == null
                || c.busyExecutionId().equals(tenant.executionId())) {
            return null;
        }
        return new Refusal(RefusalCode.CAMPAIGN_BUSY, "another change of campaign " + c.id()
                + " is still being carried out; send this one again once it has settled",
                Map.of("campaign_id", c.id(), "execution_id", c.busyExecutionId()));
    }
}
