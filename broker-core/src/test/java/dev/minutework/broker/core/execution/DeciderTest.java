package dev.minutework.broker.core.execution;

import dev.minutework.broker.core.command.ExecuteCommand;
import static dev.minutework.broker.core.execution.Snapshots.AGENT;
import static dev.minutework.broker.core.execution.Snapshots.ALL;
import static dev.minutework.broker.core.execution.Snapshots.HUMAN;
import static dev.minutework.broker.core.execution.Snapshots.NOW;
import static dev.minutework.broker.core.execution.Snapshots.PROVIDER;
import static dev.minutework.broker.core.execution.Snapshots.daily;
import static dev.minutework.broker.core.execution.Snapshots.grant;
import static dev.minutework.broker.core.execution.Snapshots.lifetime;
import static dev.minutework.broker.core.execution.Snapshots.ready;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.approval.StandingGrant;
import dev.minutework.broker.core.approval.StandingGrantTerms;
import dev.minutework.broker.core.execution.Decision.AwaitApproval;
import dev.minutework.broker.core.execution.Decision.ImpactChanged;
import dev.minutework.broker.core.execution.Decision.Refused;
import dev.minutework.broker.core.execution.Decision.RunApproved;
import dev.minutework.broker.core.execution.Decision.RunRead;
import dev.minutework.broker.core.execution.Decision.RunUnderGrant;
import dev.minutework.broker.core.command.ExecuteCommand.CreateAd;
import dev.minutework.broker.core.command.ExecuteCommand.CreateCampaign;
import dev.minutework.broker.core.command.ExecuteCommand.CreateCreative;
import dev.minutework.broker.core.command.ExecuteCommand.CreateGroup;
import dev.minutework.broker.core.command.ExecuteCommand.FetchReport;
import dev.minutework.broker.core.command.ExecuteCommand.PauseCampaign;
import dev.minutework.broker.core.command.ExecuteCommand.Targeting;
import dev.minutework.broker.core.command.ExecuteCommand.UpdateCampaign;
import dev.minutework.broker.core.money.Money;
import dev.minutework.broker.core.provider.ProviderCapabilities;
import dev.minutework.broker.core.provider.ProviderCapabilities.Feature;
import dev.minutework.broker.core.spend.BudgetPeriod;
import dev.minutework.broker.core.spend.SpendImpact;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Decider: every refusal code and every decision kind, the order of its rules, capabilities before
 * approval, standing grants, campaign serialisation and approved impact. All figures in USD minor
 * units against a tenant with 100,000 left on its authorization and 80,000 in its wallet
 * ({@link Snapshots#ready}); the clock is {@link Snapshots#NOW}.
 */
class DeciderTest {

    static final String CREATE_ACTION = "ads.create_campaign";
    static final String UPDATE_ACTION = "ads.update_campaign";
    static final String PAUSE_ACTION = "ads.pause_campaign";

    static CreateCampaign create(long lifetimeMinor) {
        return new CreateCampaign("Boots", "traffic", true, lifetime(lifetimeMinor), null, null);
    }

    static CreateCampaign createDaily(long dailyMinor, Instant end) {
        return new CreateCampaign("Boots", "traffic", true, daily(dailyMinor), null, end);
    }

    static UpdateCampaign updateBudget(long lifetimeMinor) {
        return new UpdateCampaign("cmp_1", null, null, lifetime(lifetimeMinor), null);
    }

    static final PauseCampaign PAUSE = new PauseCampaign("cmp_1");
    static final CreateCreative CREATIVE = new CreateCreative("c", List.of("h"), List.of("b"), URI.create("https://a.example/i.png"),
            URI.create("https://a.example/"), null);
    static final FetchReport REPORT = new FetchReport(null, LocalDate.parse("2029-12-01"),
            LocalDate.parse("2029-12-31"), false);

    static Decision decide(ExecuteCommand c, Snapshots s) {
        return Decider.decide(c, s.build(), ALL, NOW);
    }

    static Decision decide(ExecuteCommand c, Snapshots s, ProviderCapabilities capabilities) {
        return Decider.decide(c, s.build(), capabilities, NOW);
    }

    static Decision approved(ExecuteCommand c, Snapshots s, long approvedMinor) {
        return Decider.decideApproved(c, s.build(), ALL, NOW, approvedMinor);
    }

    static Refusal refusal(Decision d, RefusalCode code) {
        assertThat(d).isInstanceOf(Refused.class);
        Refusal r = ((Refused) d).refusal();
        assertThat(r.code()).as("%s", r).isEqualTo(code);
        return r;
    }

    static Money usd(long minor) {
        return Money.of(minor, "USD");
    }

    static Map<String, Object> error(String path, String message) {
        return Map.of("path", path, "message", message);
    }

    // ------------------------------------------------------------------ every refusal code

    /** One case per refusal code, each reached through decide or decideApproved. */
    static Map<RefusalCode, Supplier<Decision>> oneCasePerCode() {
        Map<RefusalCode, Supplier<Decision>> cases = new EnumMap<>(RefusalCode.class);
        cases.put(RefusalCode.NOT_FOUND, () -> decide(PAUSE, ready()));
        cases.put(RefusalCode.INVALID_INPUT, () -> {
            Snapshots s = ready();
            s.references.put("campaign_id", new TenantSnapshot.Reference("campaign", "cmp_1", "metaads"));
            return decide(new CreateGroup("cmp_1", "g", null, null, Targeting.NONE), s);
        });
        cases.put(RefusalCode.PROVIDER_UNSUPPORTED, () -> decide(REPORT, ready(), ALL.without(Feature.REPORTS)));
        cases.put(RefusalCode.PROVIDER_WOULD_REJECT, () -> new Decision.Refused(DryRun.refusal("googleads",
                java.util.Optional.of(new dev.minutework.broker.core.provider.ProviderOutcome.Rejected(
                        dev.minutework.broker.core.provider.ProviderOutcome.RejectionKind.INVALID_REQUEST, "x", "y")))
                .orElseThrow()));
        cases.put(RefusalCode.NOT_READY, () -> {
            Snapshots s = ready();
            s.connection = null;
            return decide(CREATIVE, s);
        });
        cases.put(RefusalCode.UNSUPPORTED_CURRENCY, () -> {
            Snapshots s = ready();
            s.authorization = null;
            return decide(create(1_000), s);
        });
        cases.put(RefusalCode.UNBOUNDED_SPEND, () -> {
            Snapshots s = ready();
            s.authorization = new TenantSnapshot.Authorization("sau_1", "USD", 100_000, null, null);
            return decide(createDaily(1_000, null), s);
        });
        cases.put(RefusalCode.BUDGET_EXCEEDED, () -> approved(create(100_001), ready(), 100_001));
        cases.put(RefusalCode.INSUFFICIENT_CREDITS, () -> decide(create(80_001), ready()));
        cases.put(RefusalCode.CAMPAIGN_BUSY, () -> approved(PAUSE, ready().lifetimeCampaign(50_000, "exe_other"), 0));
        cases.put(RefusalCode.KILL_SWITCH_ENGAGED, () -> decide(create(1_000), ready().killSwitchEngaged()));
        return cases;
    }

    @Test
    void everyRefusalCodeIsReachable() {
        Map<RefusalCode, Supplier<Decision>> cases = oneCasePerCode();
        EnumSet<RefusalCode> reached = EnumSet.noneOf(RefusalCode.class);
        cases.forEach((code, c) -> reached.add(refusal(c.get(), code).code()));
        assertThat(reached).isEqualTo(EnumSet.allOf(RefusalCode.class));
    }

    @Test
    void refusalCodesHaveTheApiWireNames() {
        assertThat(EnumSet.allOf(RefusalCode.class).stream().map(RefusalCode::wire).toList()).containsExactly(
                "not_found", "invalid_input", "provider_unsupported", "provider_would_reject", "not_ready", "unsupported_currency", "unbounded_spend",
                "budget_exceeded", "insufficient_credits", "campaign_busy", "kill_switch_engaged");
    }

    @Nested
    class References {

        @Test
        void aCampaignRemovedAtTheProviderCannotBeChangedOrReportedOn() {
            Snapshots s = ready().lifetimeCampaign(50_000, null);
            s.references.put("campaign_id", new TenantSnapshot.Reference("campaign", "cmp_1", "openaiads", true));
            Refusal r = refusal(decide(PAUSE, s), RefusalCode.NOT_FOUND);
            assertThat(r.message()).isEqualTo("campaign cmp_1 was removed at openaiads (status removed_at_provider): "
                    + "it no longer exists there");
            refusal(decide(new FetchReport("cmp_1", LocalDate.parse("2029-12-01"), LocalDate.parse("2029-12-02"),
                    true), s), RefusalCode.NOT_FOUND);
        }


        @Test
        void aMissingCampaignIsNotFound() {
            Refusal r = refusal(decide(PAUSE, ready()), RefusalCode.NOT_FOUND);
            assertThat(r.message()).isEqualTo("campaign cmp_1 not found");
            assertThat(r.details()).isEmpty();
        }

        @Test
        void aMissingCreativeIsNotFoundAfterItsGroupWasFound() {
            Snapshots s = ready();
            s.references.put("group_id", new TenantSnapshot.Reference("group", "grp_1", PROVIDER));
            Refusal r = refusal(decide(new CreateAd("grp_1", "crv_9", "ad", null), s), RefusalCode.NOT_FOUND);
            assertThat(r.message()).isEqualTo("creative crv_9 not found");
            Snapshots none = ready();
            assertThat(refusal(decide(new CreateAd("grp_1", "crv_9", "ad", null), none), RefusalCode.NOT_FOUND)
                    .message()).isEqualTo("group grp_1 not found");
        }

        @Test
        void anObjectOfAnotherProviderIsInvalidInput() {
            Snapshots s = ready();
            s.references.put("campaign_id", new TenantSnapshot.Reference("campaign", "cmp_1", "metaads"));
            Refusal r = refusal(decide(new CreateGroup("cmp_1", "g", null, null, Targeting.NONE), s),
                    RefusalCode.INVALID_INPUT);
            assertThat(r.message()).isEqualTo("campaign_id belongs to provider metaads, not openaiads");
            assertThat(r.details()).isEqualTo(Map.of("errors",
                    List.of(error("$.input.campaign_id", "belongs to provider metaads"))));
        }
    }

    @Nested
    class Readiness {

        @Test
        void aFailingCheckIsNotReadyWithTheFailedChecks() {
            Snapshots s = ready();
            s.connection = null;
            s.advertiser = new TenantSnapshot.Advertiser(false, "rejected", true, "2026-10");
            Refusal r = refusal(decide(CREATIVE, s), RefusalCode.NOT_READY);
            assertThat(r.message())
                    .isEqualTo("openaiads is not ready for this tenant: [connection_active, advertiser_verified]");
            assertThat(r.details()).isEqualTo(Map.of("failed_checks", List.of(
                    Map.of("name", "connection_active", "detail", "no connection to openaiads"),
                    Map.of("name", "advertiser_verified", "detail", "verification rejected"))));
        }

        @Test
        void aCheckWithoutDetailShowsAnEmptyOne() {
            Snapshots s = ready();
            s.liveChecks.add(new dev.minutework.broker.core.provider.ProviderCheck("credentials_valid", false, null));
            Refusal r = refusal(decide(REPORT, s), RefusalCode.NOT_READY);
            assertThat(r.details()).isEqualTo(Map.of("failed_checks",
                    List.of(Map.of("name", "credentials_valid", "detail", ""))));
        }

        @Test
        void anEmptyWalletGatesOnlyWhatRaisesSpend() {
            Snapshots s = ready();
            s.wallet = new TenantSnapshot.Wallet("USD", 0);
            assertThat(refusal(decide(create(1_000), s), RefusalCode.NOT_READY).details()).isEqualTo(Map.of(
                    "failed_checks", List.of(Map.of("name", "wallet_funded", "detail", "available 0 USD minor units"))));
            assertThat(decide(CREATIVE, s)).isEqualTo(new AwaitApproval(null));
            s.lifetimeCampaign(50_000, null);
            assertThat(refusal(decide(updateBudget(60_000), s), RefusalCode.NOT_READY).message())
                    .endsWith("[wallet_funded]");
            assertThat(decide(PAUSE, s)).isEqualTo(new AwaitApproval(null));
        }

        @Test
        void aPauseNeedsNoSpendAuthorizationNorWallet() {
            Snapshots s = ready().lifetimeCampaign(50_000, null);
            s.anyAuthorizationActive = false;
            s.authorization = null;
            s.wallet = null;
            s.grant(grant("sgr_pause", 0, 0, PAUSE_ACTION));
            assertThat(decide(PAUSE, s)).isEqualTo(new RunUnderGrant(List.of("sgr_pause"), null));
            assertThat(approved(PAUSE, s, 0)).isEqualTo(new RunApproved(null));
            // the same tenant cannot change the campaign otherwise
            assertThat(refusal(decide(new UpdateCampaign("cmp_1", "renamed", null, null, null), s),
                    RefusalCode.NOT_READY).message())
                    .isEqualTo("openaiads is not ready for this tenant: [spend_authorization_active, wallet_funded]");
        }
    }

    @Nested
    class Capabilities {

        @Test
        void aDailyBudgetNeedsDailyBudgets() {
            Refusal r = refusal(decide(createDaily(1_000, NOW.plus(Duration.ofDays(10))), ready(),
                    ALL.withoutPeriods(BudgetPeriod.DAILY)), RefusalCode.PROVIDER_UNSUPPORTED);
            assertThat(r.message()).isEqualTo("openaiads cannot take this request: [openaiads does not take daily budgets (it takes [lifetime])]");
            assertThat(r.details()).isEqualTo(Map.of("provider", "openaiads", "errors",
                    List.of(error("$.input.budget.period", "openaiads does not take daily budgets (it takes [lifetime])"))));
        }

        @Test
        void aLifetimeBudgetNeedsLifetimeBudgets() {
            Snapshots s = ready().lifetimeCampaign(50_000, null);
            Refusal r = refusal(decide(updateBudget(60_000), s, ALL.withoutPeriods(BudgetPeriod.LIFETIME)),
                    RefusalCode.PROVIDER_UNSUPPORTED);
            assertThat(r.details()).isEqualTo(Map.of("provider", "openaiads", "errors",
                    List.of(error("$.input.budget.period", "openaiads does not take lifetime budgets (it takes [daily])"))));
        }

        @Test
        void movingAnEndTimeNeedsEndTimeUpdates() {
            Snapshots s = ready().lifetimeCampaign(50_000, null);
            UpdateCampaign moveEnd = new UpdateCampaign("cmp_1", null, null, null, NOW.plus(Duration.ofDays(3)));
            Refusal r = refusal(decide(moveEnd, s, ALL.without(Feature.CAMPAIGN_END_TIME_UPDATE)),
                    RefusalCode.PROVIDER_UNSUPPORTED);
            assertThat(r.details()).isEqualTo(Map.of("provider", "openaiads", "errors",
                    List.of(error("$.input.end_time", "openaiads cannot move an existing campaign's end time"))));
            // a new campaign's end is not a move
            assertThat(decide(new CreateCampaign("n", "traffic", true, lifetime(1_000), null, NOW.plus(Duration.ofDays(3))),
                    ready(), ALL.without(Feature.CAMPAIGN_END_TIME_UPDATE))).isInstanceOf(AwaitApproval.class);
        }

        @Test
        void bothShortcomingsAreNamedAtOnce() {
            Snapshots s = ready().lifetimeCampaign(50_000, null);
            UpdateCampaign both = new UpdateCampaign("cmp_1", null, null, daily(1_000), NOW.plus(Duration.ofDays(3)));
            Refusal r = refusal(decide(both, s, ALL.withoutPeriods(BudgetPeriod.DAILY).without(Feature.CAMPAIGN_END_TIME_UPDATE)),
                    RefusalCode.PROVIDER_UNSUPPORTED);
            assertThat(r.details()).isEqualTo(Map.of("provider", "openaiads", "errors", List.of(
                    error("$.input.budget.period", "openaiads does not take daily budgets (it takes [lifetime])"),
                    error("$.input.end_time", "openaiads cannot move an existing campaign's end time"))));
        }

        @Test
        void aReportNeedsReports() {
            Refusal r = refusal(decide(REPORT, ready(), ALL.without(Feature.REPORTS)), RefusalCode.PROVIDER_UNSUPPORTED);
            assertThat(r.message()).isEqualTo("openaiads cannot take this request: [openaiads has no reports]");
            assertThat(r.details()).isEqualTo(Map.of("provider", "openaiads", "errors",
                    List.of(error("$.action", "openaiads has no reports"))));
        }

        @Test
        void whatTheProviderCannotTakeIsRefusedBeforeApprovalAndAfterIt() {
            // no standing grant: without the capability check this would await a human's approval
            assertThat(decide(createDaily(1_000, NOW.plus(Duration.ofDays(10))), ready()))
                    .isInstanceOf(AwaitApproval.class);
            refusal(decide(createDaily(1_000, NOW.plus(Duration.ofDays(10))), ready(),
                    ALL.withoutPeriods(BudgetPeriod.DAILY)), RefusalCode.PROVIDER_UNSUPPORTED);
            refusal(Decider.decideApproved(createDaily(1_000, NOW.plus(Duration.ofDays(10))), ready().build(),
                    ALL.withoutPeriods(BudgetPeriod.DAILY), NOW, 1_000_000), RefusalCode.PROVIDER_UNSUPPORTED);
        }
    }

    @Nested
    class Spend {

        @Test
        void noAuthorizationInTheSpendsCurrencyIsUnsupportedCurrency() {
            Snapshots s = ready();
            s.authorization = null; // the tenant's active authorization is in another currency
            Refusal r = refusal(decide(create(1_000), s), RefusalCode.UNSUPPORTED_CURRENCY);
            assertThat(r.message()).isEqualTo(
                    "no active spend authorization for openaiads is in USD: spend in USD cannot be backed");
            assertThat(r.details()).isEmpty();
        }

        @Test
        void aWalletInAnotherCurrencyIsUnsupportedCurrency() {
            Snapshots s = ready();
            s.wallet = new TenantSnapshot.Wallet("EUR", 80_000);
            Refusal r = refusal(decide(create(1_000), s), RefusalCode.UNSUPPORTED_CURRENCY);
            assertThat(r.message()).isEqualTo("the tenant's wallet holds EUR credits; spend in USD cannot be backed");
        }

        @Test
        void aCampaignKeepsItsCurrency() {
            Snapshots s = ready().lifetimeCampaign(50_000, null);
            s.authorization = new TenantSnapshot.Authorization("sau_eur", "EUR", 100_000, null,
                    NOW.plus(Duration.ofDays(30)));
            UpdateCampaign toEur = new UpdateCampaign("cmp_1", null, null,
                    new dev.minutework.broker.core.spend.CampaignBudget(Money.of(1_000, "EUR"),
                            dev.minutework.broker.core.spend.BudgetPeriod.LIFETIME), null);
            Refusal r = refusal(decide(toEur, s), RefusalCode.INVALID_INPUT);
            assertThat(r.message()).isEqualTo("a campaign's currency cannot change");
            assertThat(r.details()).isEqualTo(Map.of("errors", List.of(error("$.input.budget.currency", "must be USD"))));
        }

        @Test
        void aDailyBudgetWithNeitherEndNorExpiryIsUnbounded() {
            Snapshots s = ready();
            s.authorization = new TenantSnapshot.Authorization("sau_1", "USD", 100_000, null, null);
            Refusal r = refusal(decide(createDaily(1_000, null), s), RefusalCode.UNBOUNDED_SPEND);
            assertThat(r.message()).isEqualTo("a daily budget needs an end_time, or a spend authorization with valid_until");
            assertThat(r.details()).isEmpty();
            // either bound makes it bounded
            assertThat(decide(createDaily(1_000, NOW.plus(Duration.ofDays(10))), s))
                    .isEqualTo(new AwaitApproval(usd(10_000)));
        }

        @Test
        void overTheAuthorizationsRemainingIsBudgetExceeded() {
            Snapshots s = ready();
            s.wallet = new TenantSnapshot.Wallet("USD", 1_000_000);
            Refusal r = refusal(decide(create(100_001), s), RefusalCode.BUDGET_EXCEEDED);
            assertThat(r.message()).isEqualTo("the spend exposure 1000.01 USD exceeds what the authorization has left");
            assertThat(r.details()).isEqualTo(Map.of("spend_impact_minor", 100_001L, "remaining_minor", 100_000L));
            assertThat(decide(create(100_000), s)).isEqualTo(new AwaitApproval(usd(100_000)));
        }

        @Test
        void aDailyBudgetOverTheDailyCapIsBudgetExceeded() {
            Snapshots s = ready();
            s.authorization = new TenantSnapshot.Authorization("sau_1", "USD", 100_000, 4_999L,
                    NOW.plus(Duration.ofDays(210)));
            Refusal r = refusal(decide(createDaily(5_000, NOW.plus(Duration.ofDays(2))), s), RefusalCode.BUDGET_EXCEEDED);
            assertThat(r.message()).isEqualTo("the daily budget exceeds the authorization's daily cap");
            assertThat(r.details()).isEqualTo(Map.of("daily_cap_minor", 4_999L));
            assertThat(decide(createDaily(4_999, NOW.plus(Duration.ofDays(2))), s))
                    .isEqualTo(new AwaitApproval(usd(9_998)));
        }

        @Test
        void aDailyBudgetWithoutEndIsExposedUpToTheAuthorizationsExpiry() {
            // 210 days of 1,000 is more than the 100,000 left
            Snapshots s = ready();
            s.wallet = new TenantSnapshot.Wallet("USD", 1_000_000);
            Refusal r = refusal(decide(createDaily(1_000, null), s), RefusalCode.BUDGET_EXCEEDED);
            assertThat(r.details()).isEqualTo(Map.of("spend_impact_minor", 210_000L, "remaining_minor", 100_000L));
            // an end past the authorization's expiry is exposed only up to the expiry
            assertThat(refusal(decide(createDaily(1_000, NOW.plus(Duration.ofDays(400))), s),
                    RefusalCode.BUDGET_EXCEEDED).details()).containsEntry("spend_impact_minor", 210_000L);
        }

        @Test
        void googleAdsDailyBudgetsAreExposedAtTheirOverdelivery() {
            Snapshots s = ready();
            s.provider = "googleads";
            // ten days of up to twice the daily budget
            assertThat(decide(createDaily(1_000, NOW.plus(Duration.ofDays(10))), s))
                    .isEqualTo(new AwaitApproval(usd(20_000)));
        }

        @Test
        void overTheWalletsAvailableCreditsIsInsufficientCredits() {
            Refusal r = refusal(decide(create(80_001), ready()), RefusalCode.INSUFFICIENT_CREDITS);
            assertThat(r.message()).isEqualTo("the spend exposure 800.01 USD exceeds the wallet's available credits");
            assertThat(r.details()).isEqualTo(Map.of("spend_impact_minor", 80_001L, "available_minor", 80_000L));
            assertThat(decide(create(80_000), ready())).isEqualTo(new AwaitApproval(usd(80_000)));
        }

        @Test
        void aCampaignsChangeAddsOnlyWhatIsNotHeldAlready() {
            Snapshots s = ready().lifetimeCampaign(50_000, null);
            assertThat(decide(updateBudget(70_000), s)).isEqualTo(new AwaitApproval(usd(20_000)));
            assertThat(decide(updateBudget(40_000), s)).isEqualTo(new AwaitApproval(usd(0)));
            assertThat(decide(new UpdateCampaign("cmp_1", null, false, null, null), s))
                    .isEqualTo(new AwaitApproval(usd(0)));
            // held 50,000 and 30,000 left on the authorization: up to 80,000 fits, one minor unit more does not
            s.authorization = new TenantSnapshot.Authorization("sau_1", "USD", 30_000, null,
                    NOW.plus(Duration.ofDays(210)));
            s.wallet = new TenantSnapshot.Wallet("USD", 1_000_000);
            assertThat(decide(updateBudget(80_000), s)).isEqualTo(new AwaitApproval(usd(30_000)));
            assertThat(refusal(decide(updateBudget(80_001), s), RefusalCode.BUDGET_EXCEEDED).details())
                    .isEqualTo(Map.of("spend_impact_minor", 30_001L, "remaining_minor", 30_000L));
            // and 80,000 available in the wallet (the held money is not available): the wallet refuses past it
            s.authorization = new TenantSnapshot.Authorization("sau_1", "USD", 1_000_000, null,
                    NOW.plus(Duration.ofDays(210)));
            s.wallet = new TenantSnapshot.Wallet("USD", 80_000);
            assertThat(decide(updateBudget(130_000), s)).isEqualTo(new AwaitApproval(usd(80_000)));
            assertThat(refusal(decide(updateBudget(130_001), s), RefusalCode.INSUFFICIENT_CREDITS).details())
                    .isEqualTo(Map.of("spend_impact_minor", 80_001L, "available_minor", 80_000L));
        }

        @Test
        void noWalletMapsToNotFound() {
            // decide cannot reach it (wallet_funded gates every request that raises spend), but the mapping exists
            Refusal r = Decider.refusal(new SpendImpact.Refused(SpendImpact.Reason.NO_WALLET, "x", Map.of()));
            assertThat(r).isEqualTo(new Refusal(RefusalCode.NOT_FOUND, "wallet not found", Map.of()));
            for (SpendImpact.Reason reason : SpendImpact.Reason.values()) {
                assertThat(Decider.refusal(new SpendImpact.Refused(reason, "m", Map.of())).code().name())
                        .isEqualTo(reason == SpendImpact.Reason.NO_WALLET ? "NOT_FOUND" : reason.name());
            }
        }
    }

    @Nested
    class Order {

        @Test
        void referencesBeforeReadiness() {
            Snapshots s = ready();
            s.connection = null;
            refusal(decide(PAUSE, s), RefusalCode.NOT_FOUND);
        }

        @Test
        void readinessBeforeCapabilities() {
            Snapshots s = ready();
            s.connection = null;
            refusal(decide(REPORT, s, ALL.without(Feature.REPORTS)), RefusalCode.NOT_READY);
        }

        @Test
        void capabilitiesBeforeSpend() {
            Snapshots s = ready();
            s.authorization = null;
            refusal(decide(createDaily(1_000, null), s, ALL.withoutPeriods(BudgetPeriod.DAILY)),
                    RefusalCode.PROVIDER_UNSUPPORTED);
            refusal(decide(createDaily(1_000, null), s), RefusalCode.UNSUPPORTED_CURRENCY);
        }

        @Test
        void spendBeforeApprovalAndSerialisation() {
            Snapshots s = ready().lifetimeCampaign(50_000, "exe_other");
            s.grant(grant("sgr_1", 1_000_000, 0, UPDATE_ACTION));
            refusal(decide(updateBudget(150_001), s), RefusalCode.BUDGET_EXCEEDED);
            refusal(approved(updateBudget(150_001), s, 1_000_000), RefusalCode.BUDGET_EXCEEDED);
            refusal(decide(updateBudget(60_000), s), RefusalCode.CAMPAIGN_BUSY);
        }

        @Test
        void theFirstRuleToRefuseDecides() {
            Snapshots s = ready();
            s.connection = null;
            s.authorization = null;
            s.wallet = new TenantSnapshot.Wallet("USD", 0);
            refusal(decide(createDaily(1_000, null), s, ALL.withoutPeriods(BudgetPeriod.values())), RefusalCode.NOT_READY);
        }
    }

    @Nested
    class Kinds {

        @Test
        void aReportRunsAtOnce() {
            assertThat(decide(REPORT, ready())).isEqualTo(new RunRead());
            // a read needs no authorization, advertiser or wallet
            Snapshots s = ready();
            s.advertiser = null;
            s.anyAuthorizationActive = false;
            s.authorization = null;
            s.wallet = null;
            assertThat(decide(REPORT, s)).isEqualTo(new RunRead());
        }

        @Test
        void aMutatingRequestWithoutGrantAwaitsApprovalShowingItsImpact() {
            assertThat(decide(create(50_000), ready())).isEqualTo(new AwaitApproval(usd(50_000)));
            assertThat(decide(CREATIVE, ready())).isEqualTo(new AwaitApproval(null));
        }

        @Test
        void aCoveredRequestRunsUnderItsGrants() {
            Snapshots s = ready().grant(grant("sgr_1", 100_000, 0, CREATE_ACTION));
            assertThat(decide(create(50_000), s)).isEqualTo(new RunUnderGrant(List.of("sgr_1"), usd(50_000)));
        }

        @Test
        void anApprovedRequestRunsWhileItsImpactIsNoMoreThanApproved() {
            assertThat(approved(create(50_000), ready(), 50_000)).isEqualTo(new RunApproved(usd(50_000)));
            assertThat(approved(create(50_000), ready(), 60_000)).isEqualTo(new RunApproved(usd(50_000)));
            assertThat(approved(CREATIVE, ready(), 0)).isEqualTo(new RunApproved(null));
        }

        @Test
        void anApprovedRequestWhoseImpactRoseNeedsANewApproval() {
            assertThat(approved(create(50_000), ready(), 49_999))
                    .isEqualTo(new ImpactChanged(usd(49_999), usd(50_000)));
            // on a campaign: held 50,000, approved when raising to 60,000 showed 10,000; the held money was since released
            Snapshots s = ready().lifetimeCampaign(50_000, null);
            assertThat(approved(updateBudget(60_000), s, 10_000)).isEqualTo(new RunApproved(usd(10_000)));
            s.held = 0;
            assertThat(approved(updateBudget(60_000), s, 10_000)).isEqualTo(new ImpactChanged(usd(10_000), usd(60_000)));
        }

        @Test
        void anApprovedRequestIsStillRefusedOnTheStateItWouldRunOn() {
            Snapshots s = ready();
            s.connection = new TenantSnapshot.Connection("con_1", "revoked");
            refusal(approved(create(1_000), s, 1_000), RefusalCode.NOT_READY);
            refusal(approved(create(80_001), ready(), 80_001), RefusalCode.INSUFFICIENT_CREDITS);
        }
    }

    @Nested
    class StandingGrants {

        private Decision decideCreate(StandingGrant g) {
            return decide(create(50_000), ready().grant(g));
        }

        private static final Instant WEEK = NOW.plus(Duration.ofDays(7));

        @Test
        void aGrantWithinEveryLimitCovers() {
            assertThat(decideCreate(grant("sgr_1", Snapshots.PROVIDER, 100_000, 50_000, WEEK, null, HUMAN,
                    CREATE_ACTION))).isEqualTo(new RunUnderGrant(List.of("sgr_1"), usd(50_000)));
        }

        @Test
        void anExpiredGrantDoesNotCover() {
            assertThat(decideCreate(grant("sgr_1", PROVIDER, 100_000, 0, NOW, null, HUMAN, CREATE_ACTION)))
                    .isEqualTo(new AwaitApproval(usd(50_000)));
            assertThat(decideCreate(grant("sgr_1", PROVIDER, 100_000, 0, NOW.plusMillis(1), null, HUMAN,
                    CREATE_ACTION))).isInstanceOf(RunUnderGrant.class);
        }

        @Test
        void aGrantForAnotherActionDoesNotCover() {
            assertThat(decideCreate(grant("sgr_1", 100_000, 0, UPDATE_ACTION, PAUSE_ACTION)))
                    .isEqualTo(new AwaitApproval(usd(50_000)));
        }

        @Test
        void aGrantForAnotherProviderDoesNotCover() {
            assertThat(decideCreate(grant("sgr_1", "metaads", 100_000, 0, WEEK, null, HUMAN, CREATE_ACTION)))
                    .isEqualTo(new AwaitApproval(usd(50_000)));
        }

        @Test
        void aGrantWhoseCeilingWouldBePassedDoesNotCover() {
            assertThat(decideCreate(grant("sgr_1", 100_000, 50_001, CREATE_ACTION)))
                    .isEqualTo(new AwaitApproval(usd(50_000)));
            assertThat(decideCreate(grant("sgr_1", 100_000, 50_000, CREATE_ACTION))).isInstanceOf(RunUnderGrant.class);
        }

        @Test
        void aGrantInAnotherCurrencyDoesNotCoverSpend() {
            StandingGrant eur = new StandingGrant("sgr_eur", new StandingGrantTerms(Set.of(CREATE_ACTION, "ads.create_creative"),
                    PROVIDER, Money.of(1_000_000, "EUR"), Money.of(0, "EUR"), WEEK, null, HUMAN));
            assertThat(decideCreate(eur)).isEqualTo(new AwaitApproval(usd(50_000)));
            // a request without spend is covered whatever the currency
            assertThat(decide(CREATIVE, ready().grant(eur))).isEqualTo(new RunUnderGrant(List.of("sgr_eur"), null));
        }

        @Test
        void aGrantLimitedToAnotherKeyDoesNotCover() {
            assertThat(decideCreate(grant("sgr_1", PROVIDER, 100_000, 0, WEEK, "key_other", HUMAN, CREATE_ACTION)))
                    .isEqualTo(new AwaitApproval(usd(50_000)));
            assertThat(decideCreate(grant("sgr_1", PROVIDER, 100_000, 0, WEEK, AGENT, HUMAN, CREATE_ACTION)))
                    .isInstanceOf(RunUnderGrant.class);
        }

        @Test
        void aGrantNeverCoversItsIssuersOwnRequests() {
            assertThat(decideCreate(grant("sgr_1", PROVIDER, 100_000, 0, WEEK, null, AGENT, CREATE_ACTION)))
                    .isEqualTo(new AwaitApproval(usd(50_000)));
        }

        @Test
        void aFullGrantStillCoversARequestWithoutSpend() {
            Snapshots s = ready().grant(grant("sgr_full", 100_000, 100_000, "ads.create_creative"));
            assertThat(decide(CREATIVE, s)).isEqualTo(new RunUnderGrant(List.of("sgr_full"), null));
            Snapshots c = ready().lifetimeCampaign(50_000, null).grant(grant("sgr_full", 100_000, 100_000, UPDATE_ACTION));
            assertThat(decide(updateBudget(50_000), c)).isEqualTo(new RunUnderGrant(List.of("sgr_full"), usd(0)));
            assertThat(decide(updateBudget(50_001), c)).isEqualTo(new AwaitApproval(usd(1)));
        }

        @Test
        void everyCoveringGrantIsNamedInTheSnapshotsOrder() {
            Snapshots s = ready()
                    .grant(grant("sgr_a", 100_000, 0, CREATE_ACTION))
                    .grant(grant("sgr_expired", PROVIDER, 100_000, 0, NOW.minusSeconds(1), null, HUMAN, CREATE_ACTION))
                    .grant(grant("sgr_full", 100_000, 90_000, CREATE_ACTION))
                    .grant(grant("sgr_b", 60_000, 10_000, CREATE_ACTION));
            assertThat(decide(create(50_000), s)).isEqualTo(new RunUnderGrant(List.of("sgr_a", "sgr_b"), usd(50_000)));
        }
    }

    @Nested
    class CampaignBusy {

        private static Snapshots busy(String busyExecution, String... grantActions) {
            Snapshots s = ready().lifetimeCampaign(50_000, busyExecution);
            if (grantActions.length > 0) {
                s.grant(grant("sgr_1", 1_000_000, 0, grantActions));
            }
            return s;
        }

        @Test
        void aChangeThatWouldRunUnderAGrantIsRefused() {
            Refusal r = refusal(decide(updateBudget(60_000), busy("exe_other", UPDATE_ACTION)), RefusalCode.CAMPAIGN_BUSY);
            assertThat(r.message()).isEqualTo("another change of campaign cmp_1 is still being carried out; "
                    + "send this one again once it has settled");
            assertThat(r.details()).isEqualTo(Map.of("campaign_id", "cmp_1", "execution_id", "exe_other"));
            refusal(decide(PAUSE, busy("exe_other", PAUSE_ACTION)), RefusalCode.CAMPAIGN_BUSY);
        }

        @Test
        void anApprovedChangeIsRefused() {
            refusal(approved(updateBudget(60_000), busy("exe_other"), 10_000), RefusalCode.CAMPAIGN_BUSY);
            refusal(approved(PAUSE, busy("exe_other"), 0), RefusalCode.CAMPAIGN_BUSY);
        }

        @Test
        void aChangeThatWouldAwaitApprovalIsNotRefused() {
            assertThat(decide(updateBudget(60_000), busy("exe_other"))).isEqualTo(new AwaitApproval(usd(10_000)));
            assertThat(decide(PAUSE, busy("exe_other"))).isEqualTo(new AwaitApproval(null));
        }

        @Test
        void theCampaignIsNotBusyForItsOwnExecution() {
            Snapshots s = busy("exe_self", UPDATE_ACTION);
            s.executionId = "exe_self";
            assertThat(decide(updateBudget(60_000), s)).isEqualTo(new RunUnderGrant(List.of("sgr_1"), usd(10_000)));
            assertThat(approved(updateBudget(60_000), s, 10_000)).isEqualTo(new RunApproved(usd(10_000)));
        }

        @Test
        void aFreeCampaignIsNotBusy() {
            assertThat(decide(updateBudget(60_000), busy(null, UPDATE_ACTION)))
                    .isEqualTo(new RunUnderGrant(List.of("sgr_1"), usd(10_000)));
        }

        @Test
        void whatDoesNotChangeTheCampaignIgnoresItsBusyness() {
            Snapshots s = busy("exe_other", "ads.create_group");
            assertThat(decide(new CreateGroup("cmp_1", "g", null, null, Targeting.NONE), s))
                    .isEqualTo(new RunUnderGrant(List.of("sgr_1"), null));
            assertThat(Decider.decide(new FetchReport("cmp_1", LocalDate.parse("2029-12-01"),
                    LocalDate.parse("2029-12-02"), true), busy("exe_other").build(), ALL, NOW)).isEqualTo(new RunRead());
        }
    }
    @Nested
    class KillSwitch {

        @Test
        void aNewMutatingRequestIsRefusedBeforeAnyOtherRule() {
            Snapshots s = ready().killSwitchEngaged();
            s.connection = null; // not ready either: the kill switch is what the tenant hears
            Refusal r = refusal(decide(create(1_000), s), RefusalCode.KILL_SWITCH_ENGAGED);
            assertThat(r.details()).isEqualTo(Map.of("kill_switch_id", "ksw_1", "scope", "tenant"));
            assertThat(r.message()).contains("kill switch is engaged");
            refusal(decide(CREATIVE, ready().killSwitchEngaged()), RefusalCode.KILL_SWITCH_ENGAGED);
            refusal(decide(updateBudget(40_000), ready().lifetimeCampaign(50_000, null).killSwitchEngaged()),
                    RefusalCode.KILL_SWITCH_ENGAGED);
        }

        @Test
        void evenAStandingGrantDoesNotLetARequestRun() {
            Snapshots s = ready().killSwitchEngaged().grant(grant("sgr_1", 1_000_000, 0, CREATE_ACTION));
            refusal(decide(create(1_000), s), RefusalCode.KILL_SWITCH_ENGAGED);
        }

        @Test
        void anApprovedRequestIsRefused() {
            refusal(approved(create(1_000), ready().killSwitchEngaged(), 1_000), RefusalCode.KILL_SWITCH_ENGAGED);
            refusal(approved(updateBudget(40_000), ready().lifetimeCampaign(50_000, null).killSwitchEngaged(), 0),
                    RefusalCode.KILL_SWITCH_ENGAGED);
        }

        @Test
        void aPauseAndAReadStillRun() {
            Snapshots s = ready().lifetimeCampaign(50_000, null).killSwitchEngaged();
            assertThat(decide(PAUSE, s)).isEqualTo(new AwaitApproval(null));
            assertThat(approved(PAUSE, s, 0)).isEqualTo(new RunApproved(null));
            assertThat(Decider.decide(REPORT, ready().killSwitchEngaged().build(), ALL, NOW)).isEqualTo(new RunRead());
        }

        @Test
        void withoutAnEngagedSwitchNothingChanges() {
            assertThat(decide(create(1_000), ready())).isEqualTo(new AwaitApproval(usd(1_000)));
        }
    }
}
