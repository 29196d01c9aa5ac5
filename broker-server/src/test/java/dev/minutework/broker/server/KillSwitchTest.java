package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.routing.LocalSimulators;
import dev.minutework.broker.server.support.Broker;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Ledger;
import dev.minutework.broker.server.support.Story;
import dev.minutework.broker.sim.Faults;
import dev.minutework.broker.sim.SimulatedCampaign;
import dev.minutework.broker.sim.metaads.MetaAdsSimulator;
import dev.minutework.broker.sim.openaiads.OpenAiAdsSimulator;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * A kill switch stops a tenant at once: the broker pauses every active campaign in its scope through
 * the provider (no approval: a pause lowers spend), releasing what was held for them, and refuses
 * every new mutating request but a pause ({@code 409 kill_switch_engaged}) — approvals included —
 * until an approver releases it. A pause the provider fails is tried again by the durable job until
 * it is paused. Over real HTTP, with the local provider simulators.
 */
class KillSwitchTest {

    static Broker broker;
    static Http http;
    static Story story;
    static JdbcClient jdbc;

    @BeforeAll
    static void start() {
        // the job polls often here so that a test waits for it briefly; production keeps the defaults
        broker = Broker.startWithSimulators("kill_switch", Map.of("broker.jobs.polling-interval", "PT0.2S",
                "broker.kill-switch.interval", "PT0.5S"));
        http = broker.http();
        story = new Story(http);
        jdbc = broker.bean(JdbcClient.class);
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void anApproverEngagingItPausesEveryActiveCampaignAtTheProvidersAndStopsNewRequestsUntilReleased() {
        Story.Tenant t = story.tenant("Runaway Agent Co", Story.Setup.ready());
        connectMeta(t);
        JsonNode openai = story.createApproved(t, "oa-1", Story.campaign("OpenAI spring", 5_000));
        JsonNode meta = approve(t, expect(202, story.execute(t.runtimeKey(), "metaads", "ads.create_campaign", "meta-1",
                Story.campaign("Meta spring", 7_000))).text("/approval_id"));
        assertThat(openai.get("status").asString()).as("%s", openai).isEqualTo("succeeded");
        assertThat(meta.get("status").asString()).as("%s", meta).isEqualTo("succeeded");
        String waiting = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "oa-2",
                Story.campaign("Asked before the stop", 1_000))).text("/approval_id");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isEqualTo(12_000);

        expect(403, http.post("/v1/kill-switch", t.runtimeKey(), Map.of("reason", "an agent cannot")));
        expect(403, http.post("/v1/kill-switch", t.viewerKey(), Map.of("reason", "a viewer cannot")));
        Http.Response engaged = expect(201, http.post("/v1/kill-switch", t.approverKey(),
                Map.of("reason", "the agent is spending far too fast")));
        assertThat(engaged.at("/engaged").asBoolean()).isTrue();
        String switchId = engaged.text("/kill_switches/0/kill_switch_id");
        assertThat(engaged.text("/kill_switches/0/reason")).isEqualTo("the agent is spending far too fast");
        assertThat(engaged.text("/kill_switches/0/scope")).isEqualTo("tenant");
        expect(200, http.post("/v1/kill-switch", t.approverKey(), Map.of("reason", "again")));

        awaitTrue("the job pauses both campaigns", () -> http.get("/v1/kill-switch", t.viewerKey())
                .at("/campaigns/pending_pause").isEmpty());
        JsonNode state = expect(200, http.get("/v1/kill-switch", t.viewerKey())).json();
        assertThat(state.at("/campaigns/paused")).hasSize(2);
        assertThat(openAi().campaigns("act_" + t.id())).extracting(SimulatedCampaign::status).containsExactly("paused");
        assertThat(meta().object(meta.at("/result/provider_object_id").asString()).get("status")).isEqualTo("PAUSED");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).as("released as a pause releases").isZero();

        Http.Response refused = expect(409, story.execute(t.runtimeKey(), "ads.create_campaign", "oa-3",
                Story.campaign("After the stop", 1_000)));
        assertThat(refused.errorCode()).isEqualTo("kill_switch_engaged");
        assertThat(refused.text("/error/details/kill_switch_id")).isEqualTo(switchId);
        assertThat(expect(409, story.execute(t.runtimeKey(), "metaads", "ads.create_campaign", "meta-2",
                Story.campaign("Meta after", 1_000))).errorCode()).isEqualTo("kill_switch_engaged");
        expect(202, story.execute(t.runtimeKey(), "ads.pause_campaign", "pause-1",
                Map.of("campaign_id", openai.at("/result/object_id").asString())));
        expect(200, story.execute(t.runtimeKey(), "ads.fetch_report", "report-1",
                Map.of("since", "2026-01-01", "until", "2026-01-02", "granularity", "total")));

        Http.Response approving = expect(409, http.post("/v1/approvals/" + waiting + "/approve", t.approverKey(), null));
        assertThat(approving.errorCode()).isEqualTo("kill_switch_engaged");
        assertThat(expect(200, http.get("/v1/approvals/" + waiting, t.viewerKey())).text("/status"))
                .as("nothing was decided").isEqualTo("pending");

        List<JsonNode> pauses = story.receiptPayloads(t, "execution.accepted").stream()
                .filter(p -> "kill_switch".equals(p.path("reason").asString(null))).toList();
        assertThat(pauses).hasSize(2).allSatisfy(p -> {
            assertThat(p.get("kill_switch_id").asString()).isEqualTo(switchId);
            assertThat(p.get("action").asString()).isEqualTo("ads.pause_campaign");
        });
        JsonNode engagedReceipt = story.receipts(t, "kill_switch.engaged").getFirst();
        assertThat(engagedReceipt.get("actor").asString()).startsWith("key_");

        expect(403, http.post("/v1/kill-switch/release", t.runtimeKey(), Map.of("reason", "no")));
        expect(403, http.post("/v1/kill-switch/release", Story.OP, Map.of("reason", "not the operator's to lift")));
        Http.Response released = expect(200, http.post("/v1/kill-switch/release", t.approverKey(),
                Map.of("reason", "agent fixed")));
        assertThat(released.at("/engaged").asBoolean()).isFalse();
        assertThat(released.text("/released/status")).isEqualTo("released");
        assertThat(released.text("/released/released_reason")).isEqualTo("agent fixed");
        expect(409, http.post("/v1/kill-switch/release", t.approverKey(), Map.of("reason", "twice")));

        assertThat(openAi().campaigns("act_" + t.id())).as("releasing resumes nothing")
                .extracting(SimulatedCampaign::status).containsExactly("paused");
        JsonNode ran = approve(t, waiting);
        assertThat(ran.get("status").asString()).as("the approval kept pending runs once released: %s", ran)
                .isEqualTo("succeeded");
        assertThat(story.receiptKinds(t)).containsOnlyOnce("kill_switch.engaged").containsOnlyOnce("kill_switch.released");
        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void aPauseTheProviderFailsIsTriedAgainByTheJobUntilThePausesHolds() {
        Story.Tenant t = story.tenant("Provider Down Co", Story.Setup.ready());
        JsonNode campaign = story.createApproved(t, "down-1", Story.campaign("Spending", 4_000));
        assertThat(campaign.get("status").asString()).isEqualTo("succeeded");
        // every attempt of the first pause meets the provider's 5xx
        openAi().faults().next(Faults.Fault.SERVER_ERROR, 3);

        Http.Response engaged = expect(201, http.post("/v1/tenants/" + t.id() + "/kill-switch", Story.OP,
                Map.of("reason", "fraud alert")));
        assertThat(engaged.text("/kill_switches/0/engaged_by")).isEqualTo("operator");
        awaitTrue("the pause is tried again until the provider has paused it", () ->
                openAi().campaigns("act_" + t.id()).stream().allMatch(c -> "paused".equals(c.status()))
                        && story.wallet(t).get("reserved_minor").asLong() == 0);
        assertThat(story.receiptPayloads(t, "execution.failed")).as("the first pause failed at the provider")
                .isNotEmpty();
        assertThat(expect(200, http.get("/v1/tenants/" + t.id() + "/kill-switch", Story.OP))
                .at("/campaigns/pending_pause")).isEmpty();
        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void theOperatorStopsEveryTenantOfAProviderAccountAndOnlyTheOperatorReleasesIt() {
        Story.Tenant first = story.tenant("Shared Account One", Story.Setup.ready());
        Story.Tenant second = story.tenant("Shared Account Two", Story.Setup.ready().noConnection());
        expect(201, http.post("/v1/tenants/" + second.id() + "/connections", Story.OP,
                Map.of("provider_account_id", first.providerAccountId())));
        Story.Tenant other = story.tenant("Own Account", Story.Setup.ready());

        Http.Response engaged = expect(201, http.post("/v1/provider-accounts/" + first.providerAccountId()
                + "/kill-switch", Story.OP, Map.of("reason", "account compromised")));
        assertThat(engaged.at("/tenant_ids")).hasSize(2);
        for (Story.Tenant t : List.of(first, second)) {
            assertThat(expect(409, story.execute(t.runtimeKey(), "ads.create_campaign", "c-" + t.id(),
                    Story.campaign("Stopped", 1_000))).errorCode()).isEqualTo("kill_switch_engaged");
            assertThat(story.receiptPayloads(t, "kill_switch.engaged").getFirst().get("scope").asString())
                    .isEqualTo("provider_account");
        }
        expect(202, story.execute(other.runtimeKey(), "ads.create_campaign", "c-other", Story.campaign("Free", 1_000)));
        assertThat(expect(409, http.post("/v1/kill-switch/release", first.approverKey(), Map.of("reason", "mine?")))
                .errorCode()).as("a tenant's approver cannot lift a platform account's stop").isEqualTo("conflict");

        expect(200, http.post("/v1/provider-accounts/" + first.providerAccountId() + "/kill-switch/release", Story.OP,
                Map.of("reason", "credentials rotated")));
        expect(202, story.execute(second.runtimeKey(), "ads.create_campaign", "c2-" + second.id(),
                Story.campaign("Again", 1_000)));
        assertThat(story.verify(second).get("valid").asBoolean()).isTrue();
    }

    private static void connectMeta(Story.Tenant t) {
        String account = expect(201, http.post("/v1/provider-accounts", Story.OP, Map.of("provider", "metaads",
                "label", t.id() + " meta", "scope", Map.of("ad_account_id", "act_" + (5_000_000 + Math.abs(t.id().hashCode() % 1_000_000)),
                        "page_id", "100042"),
                "credentials", Map.of("access_token", "meta-token-" + t.id(), "app_secret", "meta-app-secret"))))
                .text("/provider_account_id");
        expect(201, http.post("/v1/tenants/" + t.id() + "/connections", Story.OP, Map.of("provider_account_id", account)));
        Map<String, Object> auth = new LinkedHashMap<>();
        auth.put("provider", "metaads");
        auth.put("currency", "USD");
        auth.put("cap_minor", 100_000);
        auth.put("valid_until", Instant.now().plus(210, ChronoUnit.DAYS).truncatedTo(ChronoUnit.DAYS).toString());
        auth.put("approved_by", "cfo@" + t.id() + ".test");
        expect(201, http.post("/v1/tenants/" + t.id() + "/spend-authorizations", Story.OP, auth));
    }

    private static JsonNode approve(Story.Tenant t, String approvalId) {
        return expect(200, http.post("/v1/approvals/" + approvalId + "/approve", t.approverKey(), null)).at("/execution");
    }

    /** Waits for a job that runs in the background, looking every 50 ms, for at most 30 s. */
    private static void awaitTrue(String what, BooleanSupplier done) {
        Instant deadline = Instant.now().plusSeconds(30);
        while (!done.getAsBoolean()) {
            assertThat(Instant.now()).as(what).isBefore(deadline);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static OpenAiAdsSimulator openAi() {
        return (OpenAiAdsSimulator) broker.bean(LocalSimulators.class).forProvider("openaiads").orElseThrow();
    }

    private static MetaAdsSimulator meta() {
        return (MetaAdsSimulator) broker.bean(LocalSimulators.class).forProvider("metaads").orElseThrow();
    }
}
