package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.providers.sandbox.SandboxFaults;
import dev.minutework.broker.server.support.BrokerTestCase;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Ledger;
import dev.minutework.broker.server.support.Story;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Design §4 and invariants 1 and 7: spend exposure, atomic reservation against the authorization
 * cap and the wallet's available credits, release on definite failure and on pause, and a held
 * reservation while a provider outcome is unknown.
 */
class SpendReservationTest extends BrokerTestCase {


    // ------------------------------------------------------------------ exposure

    @Test
    void lifetimeBudgetExposesItsAmount() {
        Story.Tenant t = story.tenant("Lifetime", Story.Setup.ready());

        Http.Response asked = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "exp-1",
                Story.campaign("Lifetime boots", 12_345)));

        assertThat(asked.at("/spend_impact/amount_minor").asLong()).isEqualTo(12_345);
        expect(200, http.post("/v1/approvals/" + asked.text("/approval_id") + "/approve", t.approverKey(), null));
        assertThat(heldFor(t)).containsExactly(12_345L);
        assertThat(authorization(t).get("reserved_minor")).isEqualTo(12_345L);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void dailyBudgetExposesDailyTimesTheDaysToItsEnd() {
        Story.Tenant t = story.tenant("Daily End", Story.Setup.ready());

        Http.Response asked = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "exp-2",
                daily("Ten days", 700, midnightInDays(10))));

        assertThat(asked.at("/spend_impact/amount_minor").asLong()).isEqualTo(700L * 10);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void dailyBudgetStartingLaterExposesOnlyTheDaysItRuns() {
        Story.Tenant t = story.tenant("Daily Later", Story.Setup.ready());
        Map<String, Object> input = daily("Three later days", 400, midnightInDays(8));
        input.put("start_time", midnightInDays(5));

        Http.Response asked = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "exp-2b", input));

        assertThat(asked.at("/spend_impact/amount_minor").asLong()).isEqualTo(400L * 3);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void dailyBudgetWithoutEndExposesTheDaysToTheAuthorizationsExpiry() {
        Story.Tenant t = story.tenant("Daily Expiry", Story.Setup.ready().noAuthorization());
        authorize(t, "openaiads", 100_000, null, midnightInDays(20));

        Http.Response asked = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "exp-3",
                daily("Until expiry", 300, null)));

        assertThat(asked.at("/spend_impact/amount_minor").asLong()).isEqualTo(300L * 20);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void dailyBudgetWithNeitherEndNorAuthorizationExpiryIsUnboundedSpend() {
        Story.Tenant t = story.tenant("Unbounded", Story.Setup.ready().noAuthorization());
        authorize(t, "openaiads", 100_000, null, null);

        Http.Response r = expect(400, story.execute(t.runtimeKey(), "ads.create_campaign", "exp-4",
                daily("Forever", 300, null)));

        assertThat(r.errorCode()).isEqualTo("unbounded_spend");
        assertThat(story.receiptPayloads(t, "execution.refused")).extracting(p -> p.get("code").asString())
                .containsExactly("unbounded_spend");
        assertThat(count("select count(*) from executions where tenant_id = :t", t.id())).isZero();
        Http.Response ended = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "exp-4b",
                daily("With an end", 300, midnightInDays(3))));
        assertThat(ended.at("/spend_impact/amount_minor").asLong()).isEqualTo(900);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void googleAdsDailyExposureCoversItsTwiceADayOverdelivery() {
        Story.Tenant t = story.tenant("Google", Story.Setup.ready());
        String account = expect(201, http.post("/v1/provider-accounts", Story.OP, Map.of("provider", "googleads",
                "label", "google for " + t.id(), "scope", Map.of("customer_id", "123-456-7890"),
                "credentials", Map.of("client_id", "cid", "client_secret", "cs-test", "refresh_token", "rt-test",
                        "developer_token", "dt-test")))).text("/provider_account_id");
        expect(201, http.post("/v1/tenants/" + t.id() + "/connections", Story.OP, Map.of("provider_account_id", account)));
        authorize(t, "googleads", 100_000, null, midnightInDays(200));

        Http.Response google = expect(202, story.execute(t.runtimeKey(), "googleads", "ads.create_campaign", "exp-5",
                daily("Google five days", 1_000, midnightInDays(5))));
        Http.Response openai = expect(202, story.execute(t.runtimeKey(), "openaiads", "ads.create_campaign", "exp-6",
                daily("OpenAI five days", 1_000, midnightInDays(5))));

        assertThat(google.at("/spend_impact/amount_minor").asLong()).isEqualTo(2L * 5 * 1_000);
        assertThat(openai.at("/spend_impact/amount_minor").asLong()).isEqualTo(5L * 1_000);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void dailyBudgetAboveTheAuthorizationsDailyCapIsRefused() {
        Story.Tenant t = story.tenant("Daily Cap", Story.Setup.ready().dailyCap(1_000));

        Http.Response r = expect(402, story.execute(t.runtimeKey(), "ads.create_campaign", "exp-7",
                daily("Too much a day", 1_001, midnightInDays(3))));

        assertThat(r.errorCode()).isEqualTo("budget_exceeded");
        assertThat(r.at("/error/details/daily_cap_minor").asLong()).isEqualTo(1_000);
        Http.Response within = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "exp-8",
                daily("Just enough", 1_000, midnightInDays(3))));
        assertThat(within.at("/spend_impact/amount_minor").asLong()).isEqualTo(3_000);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void pausedCampaignExposesNothingAndReactivatingReservesAgainUnderANewApproval() {
        Story.Tenant t = story.tenant("Paused First", Story.Setup.ready());
        Map<String, Object> paused = new LinkedHashMap<>(Story.campaign("Dormant boots", 15_000));
        paused.put("status", "paused");

        JsonNode created = story.createApproved(t, "exp-9", paused);
        assertThat(created.get("status").asString()).isEqualTo("succeeded");
        assertThat(created.at("/spend_impact/amount_minor").asLong()).isZero();
        assertThat(heldFor(t)).isEmpty();

        Http.Response activate = expect(202, story.execute(t.runtimeKey(), "ads.update_campaign", "exp-10",
                Map.of("campaign_id", created.at("/result/object_id").asString(), "status", "active")));
        assertThat(activate.at("/spend_impact/amount_minor").asLong()).isEqualTo(15_000);
        assertThat(heldFor(t)).as("nothing before the approval").isEmpty();
        expect(200, http.post("/v1/approvals/" + activate.text("/approval_id") + "/approve", t.approverKey(), null));
        assertThat(heldFor(t)).containsExactly(15_000L);
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isEqualTo(15_000);
        Ledger.assertConsistent(jdbc, t.id());
    }

    // ------------------------------------------------------------------ caps and credits

    @Test
    void exposureAboveWhatTheAuthorizationHasLeftIsBudgetExceeded() {
        Story.Tenant t = story.tenant("Cap", Story.Setup.ready().cap(10_000));

        Http.Response r = expect(402, story.execute(t.runtimeKey(), "ads.create_campaign", "cap-1",
                Story.campaign("Over the cap", 10_001)));

        assertThat(r.errorCode()).isEqualTo("budget_exceeded");
        assertThat(r.at("/error/details/remaining_minor").asLong()).isEqualTo(10_000);
        assertThat(count("select count(*) from executions where tenant_id = :t", t.id())).isZero();
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void exposureAboveTheWalletsAvailableCreditsIsInsufficientCredits() {
        Story.Tenant t = story.tenant("Credits", Story.Setup.ready().wallet(5_000));

        Http.Response r = expect(402, story.execute(t.runtimeKey(), "ads.create_campaign", "cap-2",
                Story.campaign("Over the credits", 5_001)));

        assertThat(r.errorCode()).isEqualTo("insufficient_credits");
        assertThat(r.at("/error/details/available_minor").asLong()).isEqualTo(5_000);
        assertThat(count("select count(*) from executions where tenant_id = :t", t.id())).isZero();
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void approvalThatNoLongerFitsTheCapFailsWithoutReserving() {
        Story.Tenant t = story.tenant("Cap At Approval", Story.Setup.ready().cap(100_000).wallet(200_000));
        Http.Response first = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "cap-3",
                Story.campaign("First", 60_000)));
        Http.Response second = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "cap-4",
                Story.campaign("Second", 60_000)));

        expect(200, http.post("/v1/approvals/" + first.text("/approval_id") + "/approve", t.approverKey(), null));
        Http.Response late = expect(200, http.post("/v1/approvals/" + second.text("/approval_id") + "/approve",
                t.approverKey(), null));

        assertThat(late.text("/execution/status")).isEqualTo("failed");
        assertThat(late.text("/execution/error/code")).isEqualTo("budget_exceeded");
        assertThat(heldFor(t)).containsExactly(60_000L);
        assertThat(authorization(t).get("reserved_minor")).isEqualTo(60_000L);
        assertThat(count("select count(*) from ads_campaigns where tenant_id = :t", t.id())).isEqualTo(1);
        assertThat(sandboxObjects(t)).isEqualTo(1);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void approvalThatNoLongerFitsTheWalletFailsWithoutReserving() {
        Story.Tenant t = story.tenant("Wallet At Approval", Story.Setup.ready().cap(200_000).wallet(100_000));
        Http.Response first = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "cap-5",
                Story.campaign("First", 60_000)));
        Http.Response second = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "cap-6",
                Story.campaign("Second", 60_000)));

        expect(200, http.post("/v1/approvals/" + first.text("/approval_id") + "/approve", t.approverKey(), null));
        Http.Response late = expect(200, http.post("/v1/approvals/" + second.text("/approval_id") + "/approve",
                t.approverKey(), null));

        assertThat(late.text("/execution/status")).isEqualTo("failed");
        assertThat(late.text("/execution/error/code")).isEqualTo("insufficient_credits");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isEqualTo(60_000);
        assertThat(authorization(t).get("reserved_minor")).isEqualTo(60_000L);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void concurrentReservationsNeverOvershootTheAuthorizationCap() throws Exception {
        Story.Tenant t = story.tenant("Racing Cap", Story.Setup.ready().cap(100_000).wallet(500_000));
        expect(201, story.standingGrant(t, List.of("ads.create_campaign"), 1_000_000, inDays(7), null));

        List<Http.Response> answers = race(t, 8, 30_000);

        assertThat(answers).filteredOn(r -> r.status() == 200)
                .hasSize(3).allSatisfy(r -> assertThat(r.text("/status")).isEqualTo("succeeded"));
        assertThat(answers).filteredOn(r -> r.status() != 200)
                .hasSize(5).allSatisfy(r -> {
                    assertThat(r.status()).as("%s", r).isEqualTo(402);
                    assertThat(r.errorCode()).isEqualTo("budget_exceeded");
                });
        assertThat(authorization(t).get("reserved_minor")).isEqualTo(90_000L);
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isEqualTo(90_000);
        assertThat(count("select count(*) from executions where tenant_id = :t", t.id())).isEqualTo(3);
        assertThat(jdbc.sql("select spend_used_minor from approval_grants where tenant_id = :t and kind = 'standing'")
                .param("t", t.id()).query(Long.class).single()).isEqualTo(90_000);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void concurrentReservationsNeverOvershootTheWallet() throws Exception {
        Story.Tenant t = story.tenant("Racing Wallet", Story.Setup.ready().cap(1_000_000).wallet(100_000));
        expect(201, story.standingGrant(t, List.of("ads.create_campaign"), 1_000_000, inDays(7), null));

        List<Http.Response> answers = race(t, 8, 30_000);

        assertThat(answers).filteredOn(r -> r.status() == 200).hasSize(3);
        assertThat(answers).filteredOn(r -> r.status() != 200)
                .hasSize(5).allSatisfy(r -> assertThat(r.errorCode()).as("%s", r).isEqualTo("insufficient_credits"));
        JsonNode wallet = story.wallet(t);
        assertThat(wallet.get("reserved_minor").asLong()).isEqualTo(90_000);
        assertThat(wallet.get("available_minor").asLong()).isEqualTo(10_000);
        Ledger.assertConsistent(jdbc, t.id());
    }

    // ------------------------------------------------------------------ failure, unknown outcome, pause

    @Test
    void providerRejectionFailsTheExecutionAndReleasesItsReservation() {
        Story.Tenant t = story.tenant("Rejected", Story.Setup.ready());
        Http.Response asked = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "fail-1",
                Story.campaign("Rejected boots", 20_000)));
        faults(t).next(SandboxFaults.Fault.REJECT);

        Http.Response approved = expect(200, http.post("/v1/approvals/" + asked.text("/approval_id") + "/approve",
                t.approverKey(), null));

        assertThat(approved.text("/execution/status")).isEqualTo("failed");
        assertThat(approved.text("/execution/error/code")).isEqualTo("provider_rejected");
        assertThat(reservations(t)).singleElement().satisfies(r -> {
            assertThat(r.get("status")).isEqualTo("released");
            assertThat(r.get("amount_minor")).isEqualTo(20_000L);
        });
        assertThat(policyDecisions(t)).containsExactly("reserve", "release");
        assertThat(story.receiptPayloads(t, "spend.released")).singleElement()
                .satisfies(p -> assertThat(p.get("reason").asString()).isEqualTo("provider_rejected"));
        JsonNode wallet = story.wallet(t);
        assertThat(wallet.get("reserved_minor").asLong()).isZero();
        assertThat(wallet.get("available_minor").asLong()).isEqualTo(80_000);
        assertThat(authorization(t).get("reserved_minor")).isEqualTo(0L);
        assertThat(count("select count(*) from ads_campaigns where tenant_id = :t", t.id())).isZero();
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void providerRejectionUnderAStandingGrantReleasesAtOnce() {
        Story.Tenant t = story.tenant("Rejected Standing", Story.Setup.ready());
        expect(201, story.standingGrant(t, List.of("ads.create_campaign"), 100_000, inDays(7), null));
        faults(t).next(SandboxFaults.Fault.REJECT);

        Http.Response r = story.execute(t.runtimeKey(), "ads.create_campaign", "fail-2", Story.campaign("Rejected", 20_000));

        assertThat(r.text("/status")).as("%s", r).isEqualTo("failed");
        assertThat(r.text("/error/code")).isEqualTo("provider_rejected");
        assertThat(policyDecisions(t)).containsExactly("reserve", "release");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isZero();
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void answerLostAfterTheProviderActedLeavesTheOutcomeUnknownAndTheReservationHeld() {
        Story.Tenant t = story.tenant("Lost Answer", Story.Setup.ready());
        Http.Response asked = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "unk-1",
                Story.campaign("Maybe boots", 20_000)));
        faults(t).next(SandboxFaults.Fault.COMMIT_THEN_LOSE_ANSWER);

        Http.Response approved = expect(200, http.post("/v1/approvals/" + asked.text("/approval_id") + "/approve",
                t.approverKey(), null));

        assertThat(approved.text("/execution/status")).isEqualTo("outcome_unknown");
        assertThat(approved.text("/execution/error/code")).isEqualTo("provider_outcome_unknown");
        assertThat(reservations(t)).singleElement().satisfies(r -> assertThat(r.get("status")).isEqualTo("held"));
        assertThat(policyDecisions(t)).containsExactly("reserve");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isEqualTo(20_000);
        assertThat(authorization(t).get("reserved_minor")).isEqualTo(20_000L);
        assertThat(sandboxObjects(t)).as("the provider did create it").isEqualTo(1);
        assertThat(story.receiptKinds(t)).contains("execution.outcome_unknown");
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void requestLostBeforeTheProviderActedLeavesTheOutcomeUnknownAndTheReservationHeld() {
        Story.Tenant t = story.tenant("Lost Request", Story.Setup.ready());
        Http.Response asked = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "unk-2",
                Story.campaign("Lost boots", 20_000)));
        faults(t).next(SandboxFaults.Fault.LOSE_REQUEST);

        Http.Response approved = expect(200, http.post("/v1/approvals/" + asked.text("/approval_id") + "/approve",
                t.approverKey(), null));

        assertThat(approved.text("/execution/status")).isEqualTo("outcome_unknown");
        assertThat(reservations(t)).singleElement().satisfies(r -> assertThat(r.get("status")).isEqualTo("held"));
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isEqualTo(20_000);
        assertThat(sandboxObjects(t)).isZero();
        Http.Response replay = expect(200, story.execute(t.runtimeKey(), "ads.create_campaign", "unk-2",
                Story.campaign("Lost boots", 20_000)));
        assertThat(replay.text("/status")).as("a replay never re-sends an unknown call").isEqualTo("outcome_unknown");
        assertThat(sandboxObjects(t)).isZero();
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void pausingACampaignReleasesItsExposure() {
        Story.Tenant t = story.tenant("Pause", Story.Setup.ready());
        JsonNode created = story.createApproved(t, "pause-1", Story.campaign("Pausable boots", 30_000));
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isEqualTo(30_000);

        Http.Response pause = expect(202, story.execute(t.runtimeKey(), "ads.pause_campaign", "pause-2",
                Map.of("campaign_id", created.at("/result/object_id").asString())));
        assertThat(pause.at("/spend_impact").isNull()).isTrue();
        expect(200, http.post("/v1/approvals/" + pause.text("/approval_id") + "/approve", t.approverKey(), null));

        assertThat(reservations(t)).singleElement().satisfies(r -> assertThat(r.get("status")).isEqualTo("released"));
        assertThat(story.receiptPayloads(t, "spend.released")).singleElement()
                .satisfies(p -> assertThat(p.get("reason").asString()).isEqualTo("campaign_paused"));
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isZero();
        assertThat(authorization(t).get("reserved_minor")).isEqualTo(0L);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void raisingABudgetReservesTheDifferenceAndLoweringItReleasesTheRest() {
        Story.Tenant t = story.tenant("Rebudget", Story.Setup.ready());
        String campaign = story.createApproved(t, "budget-1", Story.campaign("Rebudget boots", 20_000))
                .at("/result/object_id").asString();

        Http.Response raise = expect(202, story.execute(t.runtimeKey(), "ads.update_campaign", "budget-2", Map.of(
                "campaign_id", campaign, "budget", Map.of("amount_minor", 30_000, "currency", "USD", "period", "lifetime"))));
        assertThat(raise.at("/spend_impact/amount_minor").asLong()).isEqualTo(10_000);
        expect(200, http.post("/v1/approvals/" + raise.text("/approval_id") + "/approve", t.approverKey(), null));
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isEqualTo(30_000);

        Http.Response lower = expect(202, story.execute(t.runtimeKey(), "ads.update_campaign", "budget-3", Map.of(
                "campaign_id", campaign, "budget", Map.of("amount_minor", 12_000, "currency", "USD", "period", "lifetime"))));
        assertThat(lower.at("/spend_impact/amount_minor").asLong()).isZero();
        expect(200, http.post("/v1/approvals/" + lower.text("/approval_id") + "/approve", t.approverKey(), null));

        assertThat(heldFor(t)).containsExactly(12_000L);
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isEqualTo(12_000);
        assertThat(authorization(t).get("reserved_minor")).isEqualTo(12_000L);
        JsonNode c = expect(200, http.get("/v1/ads/campaigns", t.viewerKey())).at("/campaigns/0");
        assertThat(c.at("/budget/amount_minor").asLong()).isEqualTo(12_000);
        Ledger.assertConsistent(jdbc, t.id());
    }

    // ------------------------------------------------------------------ helpers

    private static List<Http.Response> race(Story.Tenant t, int n, long amount) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Http.Response> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            List<Future<Http.Response>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String key = "race-" + i;
                futures.add(pool.submit(() -> {
                    go.await();
                    return story.execute(t.runtimeKey(), "ads.create_campaign", key, Story.campaign("Race " + key, amount));
                }));
            }
            go.countDown();
            for (Future<Http.Response> f : futures) {
                answers.add(f.get());
            }
        }
        return answers;
    }

    private static Map<String, Object> daily(String name, long dailyMinor, String endTime) {
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("name", name);
        in.put("status", "active");
        in.put("budget", Map.of("amount_minor", dailyMinor, "currency", "USD", "period", "daily"));
        if (endTime != null) {
            in.put("end_time", endTime);
        }
        return in;
    }

    private static void authorize(Story.Tenant t, String provider, long cap, Long dailyCap, String validUntil) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("provider", provider);
        body.put("currency", "USD");
        body.put("cap_minor", cap);
        if (dailyCap != null) {
            body.put("daily_cap_minor", dailyCap);
        }
        if (validUntil != null) {
            body.put("valid_until", validUntil);
        }
        body.put("approved_by", "cfo@" + t.id() + ".test");
        expect(201, http.post("/v1/tenants/" + t.id() + "/spend-authorizations", Story.OP, body));
    }

    /** Midnight UTC {@code days} from today: a window of exactly {@code days} calendar days from today. */
    private static String midnightInDays(int days) {
        return LocalDate.now(ZoneOffset.UTC).plusDays(days).atStartOfDay().atOffset(ZoneOffset.UTC)
                .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }

    private static String inDays(int days) {
        return java.time.Instant.now().plus(java.time.Duration.ofDays(days)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                .toString();
    }

    private static SandboxFaults faults(Story.Tenant t) {
        return broker.sandbox().faults(t.providerAccountId());
    }

    private static int sandboxObjects(Story.Tenant t) {
        return broker.sandbox().objectCount(t.providerAccountId());
    }

    private static List<Long> heldFor(Story.Tenant t) {
        return jdbc.sql("select amount_minor from spend_reservations where tenant_id = :t and status = 'held' order by created_at")
                .param("t", t.id()).query(Long.class).list();
    }

    private static List<Map<String, Object>> reservations(Story.Tenant t) {
        return jdbc.sql("select id, status, amount_minor, settled_minor from spend_reservations where tenant_id = :t order by created_at")
                .param("t", t.id()).query().listOfRows();
    }

    private static List<String> policyDecisions(Story.Tenant t) {
        return jdbc.sql("select kind from spend_policy_receipts where tenant_id = :t order by seq").param("t", t.id())
                .query(String.class).list();
    }

    private static Map<String, Object> authorization(Story.Tenant t) {
        return jdbc.sql("select reserved_minor, settled_minor from spend_authorizations where tenant_id = :t and provider = 'openaiads'")
                .param("t", t.id()).query().singleRow();
    }

    private static long count(String sql, String tenantId) {
        return jdbc.sql(sql).param("t", tenantId).query(Long.class).single();
    }
}
