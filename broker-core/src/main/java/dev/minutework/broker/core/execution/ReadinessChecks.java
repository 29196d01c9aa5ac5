package dev.minutework.broker.core.execution;

import dev.minutework.broker.core.command.ExecuteCommand;
import dev.minutework.broker.core.provider.ProviderCheck;
import java.util.ArrayList;
import java.util.List;

/**
 * Readiness (invariant 8), once: the named checks of a provider for a tenant, in the order preflight
 * shows them, each with the requests it gates. Preflight shows them all ({@link #all}); execute
 * refuses a request while a check that gates it fails ({@link #failing}).
 */
public final class ReadinessChecks {

    private ReadinessChecks() {}

    /** Which requests a check gates. */
    public enum Gate {
        /** every request: the provider must be reachable through an active connection */
        EVERY_REQUEST,
        /** requests that change anything at the provider */
        MUTATING,
        /** mutating requests except those that only lower spend (a campaign can always be paused) */
        SPENDING,
        /** requests that can raise spend */
        RAISING_SPEND;

        boolean gates(ExecuteCommand command) {
            return switch (this) {
                case EVERY_REQUEST -> true;
                case MUTATING -> command.mutating();
                case SPENDING -> command.mutating() && !command.lowersSpendOnly();
                case RAISING_SPEND -> command.raisesSpend();
            };
        }
    }

    /** A check and the requests it gates. */
    public record Check(ProviderCheck check, Gate gate) {}

    /**
     * Every check, in preflight's order: adapter, connection, the provider's live checks of the
     * account (when there is an adapter and a connection to run them on), advertiser, terms,
     * authorization, wallet.
     */
    public static List<Check> of(TenantSnapshot s) {
        List<Check> checks = new ArrayList<>();
        TenantSnapshot.Adapter adapter = s.adapter();
        checks.add(new Check(new ProviderCheck("adapter_available", adapter != null, adapter == null
                ? "no adapter serves " + s.provider()
                : adapter.real() ? "adapter " + adapter.id() : "adapter " + adapter.id() + " (not the real provider)"),
                Gate.EVERY_REQUEST));
        TenantSnapshot.Connection c = s.connection();
        checks.add(new Check(new ProviderCheck("connection_active", c != null && c.active(),
                c == null ? "no connection to " + s.provider() : "connection " + c.id() + " is " + c.status()),
                Gate.EVERY_REQUEST));
        if (adapter != null && c != null) {
            s.liveChecks().stream().filter(l -> !"adapter_available".equals(l.name()))
                    .forEach(l -> checks.add(new Check(l, Gate.EVERY_REQUEST)));
        }
        TenantSnapshot.Advertiser a = s.advertiser();
        checks.add(new Check(new ProviderCheck("advertiser_verified", a != null && a.verified(),
                a == null ? "no advertiser profile" : "verification " + a.verificationStatus()), Gate.MUTATING));
        checks.add(new Check(new ProviderCheck("terms_accepted", a != null && a.termsAccepted(),
                a != null && a.termsAccepted() ? "terms " + a.termsVersion() : "terms not accepted"), Gate.MUTATING));
        checks.add(new Check(new ProviderCheck("spend_authorization_active", s.anyAuthorizationActive(),
                s.anyAuthorizationActive() ? "an authorization is active"
                        : "no active spend authorization for " + s.provider()), Gate.SPENDING));
        TenantSnapshot.Wallet w = s.wallet();
        checks.add(new Check(new ProviderCheck("wallet_funded", w != null && w.availableMinor() > 0,
                w == null ? "no wallet" : "available " + w.availableMinor() + " " + w.currency() + " minor units"),
                Gate.RAISING_SPEND));
        return checks;
    }

    /** Every check as preflight shows it. */
    public static List<ProviderCheck> all(TenantSnapshot s) {
        return of(s).stream().map(Check::check).toList();
    }

    /** The failing checks that gate {@code command}. */
    public static List<ProviderCheck> failing(TenantSnapshot s, ExecuteCommand command) {
        return of(s).stream().filter(c -> !c.check().ok() && c.gate().gates(command)).map(Check::check).toList();
    }
}
