package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.execution.SpendSettlements;
import dev.minutework.broker.server.routing.LocalSimulators;
import dev.minutework.broker.server.support.Broker;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.MutableClock;
import dev.minutework.broker.server.support.Story;
import dev.minutework.broker.sim.SimulatedCampaign;
import dev.minutework.broker.sim.openaiads.OpenAiAdsSimulator;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Reported spend moves money: the settlement job reads each spending campaign's spend by day from
 * its provider (here the openaiads simulator, which spends a tenth of a lifetime budget a day on the
 * test clock) and settles what each day adds, reserved → debited, once.
 */
class SpendSettlementTest {

    static Broker broker;
    static Http http;
    static Story story;
    static MutableClock clock;

    @BeforeAll
    static void start() {
        broker = Broker.startWithSimulatorsAndMovableClock("settlement");
        http = broker.http();
        clock = Broker.movableClock();
        story = new Story(http, clock);
    }

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    /** An active lifetime campaign of 500.00 on openaiads, approved, ending {@code days} days from now. */
    private static String campaign(Story.Tenant t, String key, int days) {
        String end = clock.instant().plus(days, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        Http.Response asked = expect(202, story.execute(t.runtimeKey(), "openaiads", "ads.create_campaign", key,
                Map.of("name", "Winter boots " + key, "status", "active", "end_time", end,
                        "budget", Map.of("amount_minor", 50_000, "currency", "USD", "period", "lifetime"))));
        JsonNode done = expect(200, http.post("/v1/approvals/" + asked.text("/approval_id") + "/approve",
                t.approverKey(), null)).at("/execution");
        assertThat(done.get("status").asString()).isEqualTo("succeeded");
        return done.at("/result/object_id").asString();
    }

    private static JsonNode wallet(Story.Tenant t) {
        return expect(200, http.get("/v1/wallet", t.viewerKey())).json();
    }

    private static Map<String, Integer> settle() {
        return broker.bean(SpendSettlements.class).runOnce();
    }

    @Test
    void aCampaignRunsThreeDaysAndSettlesToTheCentOnceEachDay() throws Exception {
        Story.Tenant t = story.tenant("Settles", Story.Setup.ready());
        // ten days of 50.00: the simulator's pace is the expected one, so no velocity rule applies
        String id = campaign(t, "three-days", 10);

        settle();
        assertThat(wallet(t).get("settled_minor").asLong()).as("day 1").isEqualTo(5_000);
        settle();
        assertThat(wallet(t).get("settled_minor").asLong()).as("a re-report settles nothing twice").isEqualTo(5_000);

        clock.jump(Duration.ofDays(1));
        settle();
        assertThat(wallet(t).get("settled_minor").asLong()).as("day 2").isEqualTo(10_000);

        clock.jump(Duration.ofDays(1));
        // two settlement runs at once (as two broker processes would): the day's lock lets one settle it
        try (var pool = Executors.newFixedThreadPool(2)) {
            List<Callable<Map<String, Integer>>> runs = List.of(SpendSettlementTest::settle, SpendSettlementTest::settle);
            for (var f : pool.invokeAll(runs)) {
                f.get();
            }
        }

        JsonNode w = wallet(t);
        assertThat(w.get("settled_minor").asLong()).as("three days of 50.00").isEqualTo(15_000);
        assertThat(w.get("balance_minor").asLong()).isEqualTo(80_000 - 15_000);
        assertThat(w.get("reserved_minor").asLong()).as("what is left of the 500.00 held").isEqualTo(50_000 - 15_000);
        assertThat(w.get("available_minor").asLong()).isEqualTo(30_000);
        JsonNode auth = expect(200, http.get("/v1/tenants/" + t.id() + "/spend-authorizations", Broker.OPERATOR_KEY))
                .at("/spend_authorizations/0");
        assertThat(auth.get("settled_minor").asLong()).isEqualTo(15_000);
        assertThat(auth.get("reserved_minor").asLong()).isEqualTo(35_000);
        JsonNode projected = expect(200, http.get("/v1/ads/campaigns", t.viewerKey())).at("/campaigns/0");
        assertThat(projected.get("campaign_id").asString()).isEqualTo(id);
        assertThat(projected.get("spend_minor").asLong()).isEqualTo(15_000);
        assertThat(projected.get("status").asString()).as("nothing paused it").isEqualTo("active");

        List<JsonNode> settlements = story.receiptPayloads(t, "spend.settled");
        assertThat(settlements).hasSize(3).allSatisfy(p -> {
            assertThat(p.get("settled_minor").asLong()).isEqualTo(5_000);
            assertThat(p.get("campaign_id").asString()).isEqualTo(id);
            assertThat(p.get("decision").asString()).isEqualTo("settle");
        });
        assertThat(settlements).extracting(p -> p.get("wallet_balance_after").asLong())
                .containsExactly(75_000L, 70_000L, 65_000L);

        // pausing releases what is still held; what was spent stays spent
        Http.Response pause = expect(202, story.execute(t.runtimeKey(), "openaiads", "ads.pause_campaign", "pause",
                Map.of("campaign_id", id)));
        expect(200, http.post("/v1/approvals/" + pause.text("/approval_id") + "/approve", t.approverKey(), null));
        JsonNode after = wallet(t);
        assertThat(after.get("reserved_minor").asLong()).isZero();
        assertThat(after.get("balance_minor").asLong()).isEqualTo(65_000);
        assertThat(after.get("settled_minor").asLong()).isEqualTo(15_000);
        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
    }

    @Test
    void aCampaignSpendingFasterThanItsBudgetAllowsIsPausedWithoutApproval() {
        Story.Tenant t = story.tenant("Too fast", Story.Setup.ready());
        // 500.00 over forty days is 12.50 a day; the provider over-delivers four times that: 50.00
        String id = campaign(t, "fast", 40);
        OpenAiAdsSimulator sim = (OpenAiAdsSimulator) broker.bean(LocalSimulators.class).forProvider("openaiads")
                .orElseThrow();

        Map<String, Integer> outcome;
        sim.faults().overDelivery(4);
        try {
            outcome = settle();
        } finally {
            sim.faults().overDelivery(1);
        }

        assertThat(outcome.keySet()).anySatisfy(k -> assertThat(k).startsWith("paused_spend_velocity"));
        JsonNode projected = expect(200, http.get("/v1/ads/campaigns", t.viewerKey())).at("/campaigns/0");
        assertThat(projected.get("status").asString()).isEqualTo("paused");
        assertThat(sim.campaigns("act_" + t.id())).extracting(SimulatedCampaign::status).containsExactly("paused");
        assertThat(pendingApprovals(t)).as("no approval was asked").isZero();
        JsonNode w = wallet(t);
        assertThat(w.get("settled_minor").asLong()).isEqualTo(5_000);
        assertThat(w.get("reserved_minor").asLong()).as("the pause released the rest").isZero();
        assertThat(story.receiptPayloads(t, "execution.accepted")).filteredOn(p -> p.has("reason"))
                .singleElement().satisfies(p -> {
                    assertThat(p.get("reason").asString()).isEqualTo("spend_velocity");
                    assertThat(p.get("action").asString()).isEqualTo("ads.pause_campaign");
                });
        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
        assertThat(id).isNotBlank();
    }

    @Test
    void spendBeyondTheReservationIsSettledFromCreditsFlaggedAndPausesTheCampaign() {
        Story.Tenant t = story.tenant("Over-delivered", Story.Setup.ready());
        String id = campaign(t, "over", 10); // 500.00 held; paced at 50.00 a day
        OpenAiAdsSimulator sim = (OpenAiAdsSimulator) broker.bean(LocalSimulators.class).forProvider("openaiads")
                .orElseThrow();
        Map<String, Integer> outcome;
        sim.faults().overDelivery(12); // 600.00 in a day: 100.00 more than was ever held
        try {
            outcome = settle();
        } finally {
            sim.faults().overDelivery(1);
        }

        assertThat(outcome.keySet()).anySatisfy(k -> assertThat(k).startsWith("paused_spend_beyond_reservation"));
        JsonNode w = wallet(t);
        assertThat(w.get("settled_minor").asLong()).as("all of it, the excess from available credits")
                .isEqualTo(60_000);
        assertThat(w.get("balance_minor").asLong()).isEqualTo(20_000);
        assertThat(w.get("reserved_minor").asLong()).isZero();
        assertThat(story.receiptPayloads(t, "spend.settled")).filteredOn(p -> p.has("beyond_reservation"))
                .singleElement().satisfies(p -> {
                    assertThat(p.get("settled_minor").asLong()).isEqualTo(10_000);
                    assertThat(p.get("unsettled_minor").asLong()).isZero();
                    assertThat(p.get("campaign_id").asString()).isEqualTo(id);
                });
        assertThat(sim.campaigns("act_" + t.id())).extracting(SimulatedCampaign::status).containsExactly("paused");
        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
    }

    private static int pendingApprovals(Story.Tenant t) {
        return expect(200, http.get("/v1/approvals?status=pending", t.viewerKey())).at("/approvals").size();
    }
}
