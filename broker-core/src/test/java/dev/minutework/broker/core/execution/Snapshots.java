package dev.minutework.broker.core.execution;

import dev.minutework.broker.core.approval.StandingGrant;
import dev.minutework.broker.core.approval.StandingGrantTerms;
import dev.minutework.broker.core.money.Money;
import dev.minutework.broker.core.provider.ProviderCapabilities;
import dev.minutework.broker.core.provider.ProviderCheck;
import dev.minutework.broker.core.spend.BudgetPeriod;
import dev.minutework.broker.core.spend.CampaignBudget;
import dev.minutework.broker.core.spend.CampaignState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A tenant ready to act at {@code openaiads}, relative to one fixed clock, changed field by field:
 * sandbox adapter, active connection, verified advertiser with accepted terms, an active USD
 * authorization with 100,000 left and no daily cap valid for 210 days, a USD wallet with 80,000
 * available, no references, no campaign, no standing grant.
 */
final class Snapshots {

    /** The clock of every test. */
    static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    static final String PROVIDER = "openaiads";
    static final String AGENT = "key_agent";
    static final String HUMAN = "key_human";
    static final ProviderCapabilities ALL = ProviderCapabilities.ANY;

    String provider = PROVIDER;
    String callerKeyId = AGENT;
    String executionId;
    TenantSnapshot.Adapter adapter = new TenantSnapshot.Adapter("sandbox", false);
    TenantSnapshot.Connection connection = new TenantSnapshot.Connection("con_1", "active");
    List<ProviderCheck> liveChecks = new ArrayList<>();
    TenantSnapshot.Advertiser advertiser = new TenantSnapshot.Advertiser(true, "verified", true, "2026-10");
    boolean anyAuthorizationActive = true;
    TenantSnapshot.Authorization authorization = new TenantSnapshot.Authorization("sau_1", "USD", 100_000, null,
            NOW.plus(Duration.ofDays(210)));
    TenantSnapshot.Wallet wallet = new TenantSnapshot.Wallet("USD", 80_000);
    Map<String, TenantSnapshot.Reference> references = new LinkedHashMap<>();
    TenantSnapshot.Campaign campaign;
    long held;
    List<StandingGrant> standing = new ArrayList<>();
    TenantSnapshot.KillSwitch killSwitch;

    static Snapshots ready() {
        return new Snapshots();
    }

    TenantSnapshot build() {
        return new TenantSnapshot(provider, callerKeyId, executionId, adapter, connection, liveChecks, advertiser,
                anyAuthorizationActive, authorization, wallet, references, campaign, held, standing, killSwitch);
    }

    /** A campaign {@code cmp_1} of this provider in USD, named by the input as {@code campaign_id}. */
    Snapshots campaign(CampaignState state, long heldMinor, String busyExecutionId) {
        references.put("campaign_id", new TenantSnapshot.Reference("campaign", "cmp_1", provider));
        campaign = new TenantSnapshot.Campaign("cmp_1", provider, state.budget().amount().currency(), state,
                busyExecutionId);
        held = heldMinor;
        return this;
    }

    /** An active campaign with a lifetime budget of {@code lifetimeMinor} USD, all of it held. */
    Snapshots lifetimeCampaign(long lifetimeMinor, String busyExecutionId) {
        return campaign(new CampaignState(lifetime(lifetimeMinor), true, null, null), lifetimeMinor, busyExecutionId);
    }

    /** A kill switch {@code ksw_1} engaged for the tenant. */
    Snapshots killSwitchEngaged() {
        killSwitch = new TenantSnapshot.KillSwitch("ksw_1", "tenant", "key_approver", "runaway agent");
        return this;
    }

    Snapshots grant(StandingGrant g) {
        standing.add(g);
        return this;
    }

    static CampaignBudget lifetime(long minor) {
        return new CampaignBudget(Money.of(minor, "USD"), BudgetPeriod.LIFETIME);
    }

    static CampaignBudget daily(long minor) {
        return new CampaignBudget(Money.of(minor, "USD"), BudgetPeriod.DAILY);
    }

    /** A standing grant issued by the human, for any key, for {@code actions} at this provider. */
    static StandingGrant grant(String id, long ceilingMinor, long usedMinor, String... actions) {
        return grant(id, PROVIDER, ceilingMinor, usedMinor, NOW.plus(Duration.ofDays(7)), null, HUMAN, actions);
    }

    static StandingGrant grant(String id, String provider, long ceilingMinor, long usedMinor, Instant expiresAt,
            String limitedTo, String issuedBy, String... actions) {
        return new StandingGrant(id, new StandingGrantTerms(Set.of(actions), provider, Money.of(ceilingMinor, "USD"),
                Money.of(usedMinor, "USD"), expiresAt, limitedTo, issuedBy));
    }
}
