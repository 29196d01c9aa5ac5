package dev.minutework.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minutework.broker.core.approval.StandingGrant;
import dev.minutework.broker.core.command.ExecuteCommand;
import dev.minutework.broker.core.execution.Decider;
import dev.minutework.broker.core.execution.Decision;
import dev.minutework.broker.core.execution.RefusalCode;
import dev.minutework.broker.core.execution.TenantSnapshot;
import dev.minutework.broker.core.provider.ProviderCapabilities;
import dev.minutework.broker.server.ads.Projections;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import dev.minutework.broker.core.approval.StandingGrantTerms;
import dev.minutework.broker.core.execution.ExecutionStatus;
import dev.minutework.broker.core.money.Money;
import dev.minutework.broker.core.spend.BudgetPeriod;
import dev.minutework.broker.core.spend.CampaignBudget;
import dev.minutework.broker.core.spend.Exposure;
import dev.minutework.broker.core.spend.SpendImpact;
import dev.minutework.broker.core.spend.SpendLimits;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.Ids;
import dev.minutework.broker.server.grants.Grants;
import dev.minutework.broker.server.execution.Executions;
import dev.minutework.broker.server.receipts.Receipts;
import dev.minutework.broker.server.spend.SpendAuthorizations;
import dev.minutework.broker.server.spend.SpendLedger;
import dev.minutework.broker.server.spend.Wallets;
import dev.minutework.broker.server.support.BrokerTestCase;
import dev.minutework.broker.server.support.Story;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The atomic SQL guards enforce the same rules the core decides with: each pair is driven with the
 * same figures (read back from the repositories, as the server reads them for a snapshot) and must
 * agree, on both sides of every boundary (exactly equal, one minor unit over).
 * <ul>
 * <li>{@link SpendLedger#reserve} (the authorization's cap, then the wallet's available credits) and
 * {@link SpendImpact#of};</li>
 * <li>{@link Grants#consume} (a standing grant's ceiling) and {@link StandingGrant#covers};</li>
 * <li>{@link Executions#transition} ({@code where status = any(:from)}) and
 * {@link ExecutionStatus#canMoveTo};</li>
 * <li>the campaign row's lock and {@code busy_execution_id} ({@link Projections#lockCampaign},
 * {@link Projections#setBusy}) and {@link Decider}'s {@code campaign_busy}: a change decided on the
 * locked row never runs while another change of the campaign is in flight, even when both were
 * asked at the same moment.</li>
 * </ul>
 * Every probe of a guard runs in a transaction that rolls back, so the figures stay as set up.
 */
class GuardsAgreeWithCoreTest extends BrokerTestCase {

    private static final String PROVIDER = "openaiads";
    private static final String ACTION = "ads.create_campaign";
    private static final String AGENT = "key_agent";
    private static final String HUMAN = "key_human";

    // ------------------------------------------------------------------ (a) reservation vs SpendImpact

    @Test
    void theLedgersReservationAgreesWithSpendImpact() {
        Story.Tenant t = story.tenant("Guards reserve", Story.Setup.ready().noAuthorization().wallet(80_000));
        String execution = execution(t.id(), ExecutionStatus.EXECUTING);
        List<String> outcomes = new ArrayList<>();

        // wallet 80,000 available; cap 100,000: the wallet decides
        String roomy = authorization(t.id(), 100_000);
        for (long amount : new long[] {1, 79_999, 80_000, 80_001, 100_000}) {
            outcomes.add(reserveAgrees(t.id(), execution, roomy, amount));
        }
        // cap 50,000: the cap decides
        String tight = authorization(t.id(), 50_000);
        for (long amount : new long[] {49_999, 50_000, 50_001, 90_000}) {
            outcomes.add(reserveAgrees(t.id(), execution, tight, amount));
        }
        // cap equal to the wallet: past both, the cap refuses first on both sides
        String equal = authorization(t.id(), 80_000);
        for (long amount : new long[] {80_000, 80_001}) {
            outcomes.add(reserveAgrees(t.id(), execution, equal, amount));
        }

        // money held: reserve 30,000 for real on the roomy authorization: 70,000 left of it, 50,000 in the wallet
        commitReservation(t.id(), execution, roomy, 30_000);
        assertThat(remaining(t.id(), roomy)).isEqualTo(70_000);
        assertThat(available(t.id())).isEqualTo(50_000);
        for (long amount : new long[] {50_000, 50_001, 70_001}) {
            outcomes.add(reserveAgrees(t.id(), execution, roomy, amount));
        }
        // the held money counts against every authorization through the shared wallet
        for (long amount : new long[] {50_000, 50_001}) {
            outcomes.add(reserveAgrees(t.id(), execution, tight, amount));
        }

        assertThat(outcomes).contains("reserved", "budget_exceeded", "insufficient_credits");
    }

    @Test
    void settledSpendCountsAgainstTheCapOnBothSides() {
        Story.Tenant t = story.tenant("Guards settled", Story.Setup.ready().noAuthorization().wallet(100_000));
        String execution = execution(t.id(), ExecutionStatus.EXECUTING);
        String auth = authorization(t.id(), 60_000);
        String reservation = commitReservation(t.id(), execution, auth, 20_000);
        Boolean settled = broker.bean(TransactionTemplate.class).execute(s -> {
            broker.bean(Receipts.class).lockChain(t.id());
            return broker.bean(SpendLedger.class).settle(t.id(), reservation, 20_000, "report-sync");
        });
        assertThat(settled).isTrue();
        // cap 60,000 of which 20,000 settled: 40,000 left; wallet 80,000 after the debit
        assertThat(remaining(t.id(), auth)).isEqualTo(40_000);
        assertThat(available(t.id())).isEqualTo(80_000);
        assertThat(reserveAgrees(t.id(), execution, auth, 40_000)).isEqualTo("reserved");
        assertThat(reserveAgrees(t.id(), execution, auth, 40_001)).isEqualTo("budget_exceeded");

        commitReservation(t.id(), execution, auth, 10_000);
        assertThat(reserveAgrees(t.id(), execution, auth, 30_000)).isEqualTo("reserved");
        assertThat(reserveAgrees(t.id(), execution, auth, 30_001)).isEqualTo("budget_exceeded");
    }

    @Test
    void spendInAnotherCurrencyThanTheWalletsIsRefusedOnBothSides() {
        // the codes differ (the core names the currency; the ledger's wallet update just matches no row), but
        // neither reserves: the server only reserves on an authorization found in the spend's currency
        Story.Tenant t = story.tenant("Guards currency", Story.Setup.ready().noAuthorization().wallet(80_000));
        String execution = execution(t.id(), ExecutionStatus.EXECUTING);
        String auth = authorization(t.id(), 100_000);
        Wallets.Wallet w = broker.bean(Wallets.class).get(t.id());
        SpendImpact.Verdict core = coreVerdict(Money.of(1_000, "EUR"), remaining(t.id(), auth), w);
        assertThat(core).isInstanceOfSatisfying(SpendImpact.Refused.class,
                r -> assertThat(r.reason()).isEqualTo(SpendImpact.Reason.UNSUPPORTED_CURRENCY));
        assertThat(reserveRolledBack(t.id(), execution, auth, Money.of(1_000, "EUR"))).isNotEqualTo("reserved");
    }

    /** Asks the core and the ledger about reserving {@code amount} USD now; asserts they agree; answers the outcome. */
    private static String reserveAgrees(String tenantId, String execution, String auth, long amount) {
        Money money = Money.of(amount, "USD");
        long remaining = remaining(tenantId, auth);
        Wallets.Wallet wallet = broker.bean(Wallets.class).get(tenantId);
        String core = switch (coreVerdict(money, remaining, wallet)) {
            case SpendImpact.Reserve r -> {
                assertThat(r.impact()).isEqualTo(money);
                yield "reserved";
            }
            case SpendImpact.Refused f -> f.reason().name().toLowerCase(Locale.ROOT);
        };
        String ledger = reserveRolledBack(tenantId, execution, auth, money);
        assertThat(ledger).as("reserve %d with %d left on the authorization and %d available in the wallet", amount,
                remaining, wallet.availableMinor()).isEqualTo(core);
        assertThat(remaining(tenantId, auth)).as("the probe rolled back").isEqualTo(remaining);
        return ledger;
    }

    /** The core's verdict on adding {@code amount} (a new lifetime campaign of that budget, nothing held). */
    private static SpendImpact.Verdict coreVerdict(Money amount, long remaining, Wallets.Wallet wallet) {
        return SpendImpact.of(new CampaignBudget(amount, BudgetPeriod.LIFETIME), new Exposure.Bounded(amount), 0,
                new SpendLimits(remaining, null, wallet.currency(), wallet.availableMinor()));
    }

    private static String reserveRolledBack(String tenantId, String execution, String auth, Money amount) {
        return broker.bean(TransactionTemplate.class).execute(s -> {
            s.setRollbackOnly();
            broker.bean(Receipts.class).lockChain(tenantId);
            try {
                broker.bean(SpendLedger.class).reserve(tenantId, execution, auth, null, amount, "guards-test");
                return "reserved";
            } catch (ApiException e) {
                return e.code().wire();
            }
        });
    }

    private static String commitReservation(String tenantId, String execution, String auth, long amount) {
        return broker.bean(TransactionTemplate.class).execute(s -> {
            broker.bean(Receipts.class).lockChain(tenantId);
            return broker.bean(SpendLedger.class).reserve(tenantId, execution, auth, null, Money.of(amount, "USD"),
                    "guards-test").id();
        });
    }

    private static String authorization(String tenantId, long cap) {
        return broker.bean(SpendAuthorizations.class).create(tenantId, PROVIDER, "USD", cap, null, null,
                now().plus(Duration.ofDays(30)), "cfo@guards.test").id();
    }

    private static long remaining(String tenantId, String auth) {
        return broker.bean(SpendAuthorizations.class).find(tenantId, auth).orElseThrow().remainingMinor();
    }

    private static long available(String tenantId) {
        return broker.bean(Wallets.class).get(tenantId).availableMinor();
    }

    // ------------------------------------------------------------------ (b) grant consumption vs StandingGrant.covers

    @Test
    void consumingAStandingGrantAgreesWithCovers() {
        Story.Tenant t = story.tenant("Guards grants", Story.Setup.ready());
        Grants approvals = broker.bean(Grants.class);
        List<Boolean> outcomes = new ArrayList<>();

        String grant = approvals.createStanding(t.id(), List.of(ACTION), PROVIDER, Money.of(100_000, "USD"),
                now().plus(Duration.ofDays(7)), null, HUMAN);
        // nothing used: up to the ceiling exactly
        for (Money impact : List.of(usd(0), usd(1), usd(100_000), usd(100_001))) {
            outcomes.add(consumeAgrees(t.id(), grant, impact));
        }
        // 40,000 used: 60,000 left
        assertThat(approvals.consume(t.id(), grant, 40_000, "USD", AGENT)).isTrue();
        for (Money impact : List.of(usd(0), usd(59_999), usd(60_000), usd(60_001), Money.of(1, "EUR"),
                Money.of(0, "EUR"))) {
            outcomes.add(consumeAgrees(t.id(), grant, impact));
        }
        // all of it used: only a request without spend is still covered
        assertThat(approvals.consume(t.id(), grant, 60_000, "USD", AGENT)).isTrue();
        for (Money impact : List.of(usd(0), usd(1))) {
            outcomes.add(consumeAgrees(t.id(), grant, impact));
        }
        // an expired grant covers nothing, not even a request without spend
        String expired = approvals.createStanding(t.id(), List.of(ACTION), PROVIDER, Money.of(100_000, "USD"),
                now().minus(Duration.ofMinutes(1)), null, HUMAN);
        for (Money impact : List.of(usd(0), usd(1))) {
            outcomes.add(consumeAgrees(t.id(), expired, impact));
        }
        // a grant limited to one key covers that key's requests only, and none of its issuer's
        String limited = approvals.createStanding(t.id(), List.of(ACTION), PROVIDER, Money.of(100_000, "USD"),
                now().plus(Duration.ofDays(7)), "key_other", HUMAN);
        for (String requester : List.of(AGENT, "key_other", HUMAN)) {
            outcomes.add(consumeAgrees(t.id(), limited, usd(1), requester));
            outcomes.add(consumeAgrees(t.id(), limited, usd(0), requester));
        }
        String open = approvals.createStanding(t.id(), List.of(ACTION), PROVIDER, Money.of(100_000, "USD"),
                now().plus(Duration.ofDays(7)), null, HUMAN);
        outcomes.add(consumeAgrees(t.id(), open, usd(0), HUMAN));
        outcomes.add(consumeAgrees(t.id(), open, usd(1), HUMAN));
        assertThat(outcomes).contains(true, false);
    }

    /** Asks the core and the grant row about consuming {@code impact}; asserts they agree; answers whether it covers. */
    private static boolean consumeAgrees(String tenantId, String grantId, Money impact) {
        return consumeAgrees(tenantId, grantId, impact, AGENT);
    }

    private static boolean consumeAgrees(String tenantId, String grantId, Money impact, String requester) {
        Grants approvals = broker.bean(Grants.class);
        Grants.Grant row = approvals.find(tenantId, grantId).orElseThrow();
        Instant now = now();
        StandingGrant core = new StandingGrant(row.id(), new StandingGrantTerms(Set.copyOf(row.actions()),
                row.provider(), Money.of(row.spendCeilingMinor(), row.currency()),
                Money.of(row.spendUsedMinor(), row.currency()), row.expiresAt().toInstant(), row.limitedToKeyId(),
                row.decidedByKeyId()));
        boolean covers = core.covers(ACTION, PROVIDER, impact, requester, now);
        boolean consumed = Boolean.TRUE.equals(broker.bean(TransactionTemplate.class).execute(s -> {
            s.setRollbackOnly();
            return approvals.consume(tenantId, grantId, impact.amountMinor(), impact.currency(), requester);
        }));
        assertThat(consumed).as("consume %s of a grant of %d with %d used (core: %s)", impact, row.spendCeilingMinor(),
                row.spendUsedMinor(), core.refusal(ACTION, PROVIDER, impact, requester, now)).isEqualTo(covers);
        assertThat(approvals.find(tenantId, grantId).orElseThrow().spendUsedMinor()).as("the probe rolled back")
                .isEqualTo(row.spendUsedMinor());
        return consumed;
    }

    // ------------------------------------------------------------------ (c) status update vs the state machine

    @Test
    void theStatusUpdateMovesARowExactlyWhenTheMachineAllows() {
        Story.Tenant t = story.tenant("Guards transitions", Story.Setup.ready());
        Executions executions = broker.bean(Executions.class);
        int moves = 0;
        for (ExecutionStatus to : ExecutionStatus.values()) {
            // the states the machine lets move to `to`: what the server passes as `from`, once requireTransition agreed
            EnumSet<ExecutionStatus> allowed = EnumSet.noneOf(ExecutionStatus.class);
            Stream.of(ExecutionStatus.values()).filter(f -> f.canMoveTo(to)).forEach(allowed::add);
            if (allowed.isEmpty()) {
                assertThatThrownBy(() -> ExecutionStatus.requireTransition(allowed, to))
                        .isInstanceOf(IllegalStateException.class);
            } else {
                assertThat(ExecutionStatus.requireTransition(allowed, to)).isEqualTo(to);
            }
            for (ExecutionStatus actual : ExecutionStatus.values()) {
                String id = execution(t.id(), actual);
                if (allowed.isEmpty()) {
                    // the repository asks the machine first: a move to a state nothing reaches is never sent
                    assertThatThrownBy(() -> executions.transition(t.id(), id, allowed, to, null, null))
                            .isInstanceOf(IllegalStateException.class);
                    continue;
                }
                boolean moved = executions.transition(t.id(), id, allowed, to, null, null);
                assertThat(moved).as("%s -> %s", actual, to).isEqualTo(actual.canMoveTo(to));
                assertThat(executions.find(t.id(), id).orElseThrow().status())
                        .isEqualTo(moved ? to.wire() : actual.wire());
                moves += moved ? 1 : 0;
            }
        }
        assertThat(moves).isEqualTo(9);
    }

    @Test
    void aSingleStartingStateMovesOnlyARowInIt() {
        // as the pipeline's call sites ask: one legal starting state each
        Story.Tenant t = story.tenant("Guards single", Story.Setup.ready());
        Executions executions = broker.bean(Executions.class);
        for (ExecutionStatus from : ExecutionStatus.values()) {
            for (ExecutionStatus to : from.next()) {
                assertThat(ExecutionStatus.requireTransition(EnumSet.of(from), to)).isEqualTo(to);
                for (ExecutionStatus actual : ExecutionStatus.values()) {
                    String id = execution(t.id(), actual);
                    boolean moved = executions.moved(t.id(), id, EnumSet.of(from), to, null, null)
                            .map(e -> e.status().equals(to.wire())).orElse(false);
                    assertThat(moved).as("%s -> %s asked of a row in %s", from, to, actual).isEqualTo(actual == from);
                }
            }
        }
    }

    // ------------------------------------------------------------------ (d) campaign lock vs campaign_busy

    @Test
    void theCampaignLockAndBusyMarkAgreeWithTheDecision() throws Exception {
        Story.Tenant t = story.tenant("Guards busy", Story.Setup.ready());
        Projections projections = broker.bean(Projections.class);
        TransactionTemplate tx = broker.bean(TransactionTemplate.class);
        String creator = execution(t.id(), ExecutionStatus.SUCCEEDED);
        String firstChange = execution(t.id(), ExecutionStatus.EXECUTING);
        String campaign = tx.execute(s -> projections.insertCampaign(t.id(), PROVIDER, t.connectionId(), "prov_busy",
                "Busy boots", null, "active", 1_000, "USD", "lifetime", null, null, creator));
        ExecuteCommand.UpdateCampaign raise = new ExecuteCommand.UpdateCampaign(campaign, null, null,
                new CampaignBudget(Money.of(2_000, "USD"), BudgetPeriod.LIFETIME), null);

        // free: the decision on the locked row lets it run
        assertThat(decideOnLockedRow(tx, projections, t.id(), campaign, raise, null))
                .isInstanceOf(Decision.RunUnderGrant.class);

        // one transaction claims the campaign; a second, deciding at the same time, waits on the row's
        // lock and then sees the claim, so the decision refuses it
        CountDownLatch claimed = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread first = Thread.ofVirtual().start(() -> tx.executeWithoutResult(s -> {
            projections.lockCampaign(t.id(), campaign).orElseThrow();
            projections.setBusy(t.id(), campaign, firstChange);
            claimed.countDown();
            await(release);
        }));
        assertThat(claimed.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Decision> second = CompletableFuture.supplyAsync(
                () -> decideOnLockedRow(tx, projections, t.id(), campaign, raise, null));
        Thread.sleep(200);
        assertThat(second).as("the second decision waits for the first claim's transaction").isNotDone();
        release.countDown();
        first.join();
        Decision refused = second.get(10, TimeUnit.SECONDS);
        assertThat(refused).isInstanceOfSatisfying(Decision.Refused.class,
                r -> assertThat(r.refusal().code()).isEqualTo(RefusalCode.CAMPAIGN_BUSY));

        // the change that holds the claim is not refused by its own mark; once it settles, the campaign is free
        assertThat(decideOnLockedRow(tx, projections, t.id(), campaign, raise, firstChange))
                .isInstanceOf(Decision.RunUnderGrant.class);
        tx.executeWithoutResult(s -> projections.freeCampaign(t.id(), firstChange));
        assertThat(decideOnLockedRow(tx, projections, t.id(), campaign, raise, null))
                .isInstanceOf(Decision.RunUnderGrant.class);
    }

    /** Decides {@code command} under a covering grant on the campaign row as locked in a transaction of its own. */
    private static Decision decideOnLockedRow(TransactionTemplate tx, Projections projections, String tenant,
            String campaign, ExecuteCommand command, String executionId) {
        return tx.execute(s -> {
            Projections.Campaign row = projections.lockCampaign(tenant, campaign).orElseThrow();
            TenantSnapshot snapshot = new TenantSnapshot(PROVIDER, AGENT, executionId,
                    new TenantSnapshot.Adapter("openaiads", true), new TenantSnapshot.Connection("con", "active"),
                    List.of(), new TenantSnapshot.Advertiser(true, "verified", true, "v1"), true,
                    new TenantSnapshot.Authorization("sau", "USD", 1_000_000, null, null),
                    new TenantSnapshot.Wallet("USD", 1_000_000),
                    Map.of("campaign_id", new TenantSnapshot.Reference("campaign", campaign, PROVIDER)), row.fact(), 0,
                    List.of(new StandingGrant("grant", new StandingGrantTerms(Set.of(command.action()), PROVIDER,
                            Money.of(1_000_000, "USD"), Money.of(0, "USD"), now().plus(Duration.ofDays(1)), null,
                            HUMAN))), null);
            return Decider.decide(command, snapshot, ProviderCapabilities.ANY, now());
        });
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * An execution row brought to {@code status} through the repository: created in the initial
     * state that leads there, then moved along legal transitions.
     */
    private static String execution(String tenantId, ExecutionStatus status) {
        String id = Ids.next("exe");
        Executions executions = broker.bean(Executions.class);
        ExecutionStatus born = switch (status) {
            case AWAITING_APPROVAL, DENIED, EXPIRED -> ExecutionStatus.AWAITING_APPROVAL;
            default -> ExecutionStatus.EXECUTING;
        };
        executions.insert(id, tenantId, "guards-" + id, "{}", "sha256:guards", "mw.connector.ads",
                ACTION, PROVIDER, born, AGENT, null, 0, "USD").orElseThrow();
        if (status == ExecutionStatus.OUTCOME_UNKNOWN || status == ExecutionStatus.SUCCEEDED
                || status == ExecutionStatus.FAILED || status == ExecutionStatus.DENIED
                || status == ExecutionStatus.EXPIRED) {
            assertThat(executions.transition(tenantId, id, EnumSet.of(born), status, null, null)).isTrue();
        }
        return id;
    }

    private static Instant now() {
        return broker.bean(Clock.class).instant();
    }

    private static Money usd(long minor) {
        return Money.of(minor, "USD");
    }
}
