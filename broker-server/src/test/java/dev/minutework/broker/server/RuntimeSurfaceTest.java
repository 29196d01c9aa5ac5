package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.support.BrokerTestCase;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Ledger;
import dev.minutework.broker.server.support.Story;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The runtime surface (issue 5): runtime agents with their own keys and limits,
 * {@code workflow.run_action} over the governed execute, the capability inventory with honest
 * readiness, and capability-gap reports.
 */
class RuntimeSurfaceTest extends BrokerTestCase {

    private static final String OP = Story.OP;

    // ------------------------------------------------------------------ agents

    @Test
    void operatorCreatesAnAgentWhoseKeyIsShownOnceAndNeverListed() {
        Story.Tenant t = story.tenant("Agent Co", Story.Setup.ready());

        Http.Response created = story.agent(t.id(), "planner", List.of("mw.connector.ads"), "mutating");

        assertThat(created.text("/agent_id")).startsWith("agt");
        assertThat(created.text("/api_key")).startsWith("mwb_agent_");
        assertThat(created.text("/mode")).isEqualTo("mutating");
        JsonNode listed = expect(200, http.get("/v1/tenants/" + t.id() + "/agents", OP)).at("/agents");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("agent_id").asString()).isEqualTo(created.text("/agent_id"));
        assertThat(listed.get(0).has("api_key")).isFalse();
        assertThat(listed.toString()).doesNotContain(created.text("/api_key"));
        assertThat(story.receipts(t, "agent.created")).hasSize(1);
    }

    @Test
    void agentsAreCreatedOnlyByTheOperatorWithCapabilitiesTheManifestOffers() {
        Story.Tenant t = story.tenant("Agent Rules", Story.Setup.ready());

        Http.Response bad = http.post("/v1/tenants/" + t.id() + "/agents", OP, Map.of("name", "x",
                "capabilities", List.of("mw.connector.crm", "mw.connector.ads:ads.fly", "mw.connector.ads:ads.record_conversion"),
                "mode", "sometimes"));
        Http.Response byTenant = http.post("/v1/tenants/" + t.id() + "/agents", t.runtimeKey(),
                Map.of("name", "x", "capabilities", List.of("mw.connector.ads"), "mode", "read_only"));
        story.agent(t.id(), "twin", List.of("mw.connector.ads"), "read_only");
        Http.Response twin = http.post("/v1/tenants/" + t.id() + "/agents", OP,
                Map.of("name", "twin", "capabilities", List.of("mw.connector.ads"), "mode", "read_only"));
        Http.Response agentKeyByApiKeys = http.post("/v1/tenants/" + t.id() + "/api-keys", OP, Map.of("role", "agent"));

        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.at("/error/details/errors")).extracting(e -> e.get("path").asString())
                .containsExactlyInAnyOrder("$.capabilities[0]", "$.capabilities[1]", "$.capabilities[2]", "$.mode");
        assertThat(byTenant.errorCode()).isEqualTo("forbidden_role");
        assertThat(twin.errorCode()).isEqualTo("conflict");
        assertThat(agentKeyByApiKeys.errorCode()).isEqualTo("invalid_input");
        assertThat(http.get("/v1/tenants/ten_missing/agents", OP).errorCode()).isEqualTo("not_found");
    }

    @Test
    void readOnlyAgentIsRefusedAMutatingActionAndTheRefusalIsReceiptedNamingIt() {
        Story.Tenant t = story.tenant("Read Only", Story.Setup.ready());
        Http.Response agent = story.agent(t.id(), "reporter", List.of("mw.connector.ads"), "read_only");
        String key = agent.text("/api_key");

        Http.Response refused = story.runAction(key, "ads.create_campaign", "ro-1", Story.campaign("Nope", 1_000));
        Http.Response viaExecute = story.execute(key, "ads.create_campaign", "ro-2", Story.campaign("Nope", 1_000));
        Http.Response report = story.runAction(key, "ads.fetch_report", "ro-3",
                Map.of("since", "2026-11-01", "until", "2026-11-02", "granularity", "total"));

        assertThat(refused.status()).as("%s", refused).isEqualTo(403);
        assertThat(refused.errorCode()).isEqualTo("forbidden_role");
        assertThat(viaExecute.status()).isEqualTo(403);
        assertThat(report.status()).as("%s", report).isEqualTo(200);
        assertThat(report.text("/status")).isEqualTo("succeeded");
        List<JsonNode> refusals = story.receipts(t, "execution.refused");
        assertThat(refusals).hasSize(2).allSatisfy(r -> {
            assertThat(r.get("actor").asString()).isEqualTo("agent:" + agent.text("/agent_id"));
            assertThat(r.get("payload").asString()).contains("forbidden_role").contains(agent.text("/agent_id"));
        });
        assertThat(story.receipts(t, "execution.accepted")).extracting(r -> r.get("actor").asString())
                .containsExactly("agent:" + agent.text("/agent_id"));
        assertThat(expect(200, http.get("/v1/ads/campaigns", t.viewerKey())).at("/campaigns")).isEmpty();
    }

    @Test
    void agentWithANarrowActionListRunsOnlyThoseActions() {
        Story.Tenant t = story.tenant("Narrow", Story.Setup.ready());
        String key = story.agent(t.id(), "creatives", List.of("mw.connector.ads:ads.create_creative"), "mutating")
                .text("/api_key");

        Http.Response campaign = story.runAction(key, "ads.create_campaign", "n-1", Story.campaign("Nope", 1_000));
        Http.Response creative = story.runAction(key, "ads.create_creative", "n-2", Map.of("name", "Boot shot",
                "headline", "Warm feet", "body", "Boots.", "image_url", "https://cdn.narrow.test/b.png",
                "landing_url", "https://shop.narrow.test/"));

        assertThat(campaign.status()).isEqualTo(403);
        assertThat(campaign.text("/error/message")).contains("may not run");
        assertThat(creative.status()).as("%s", creative).isEqualTo(202);
        JsonNode inventory = expect(200, http.get("/v1/runtime/capabilities", key)).at("/capabilities/0/actions");
        assertThat(inventory).extracting(a -> a.get("action").asString()).containsExactly("ads.create_creative");
    }

    @Test
    void agentReceiptsNameTheAgentFromRequestToApproval() {
        Story.Tenant t = story.tenant("Named Agent", Story.Setup.ready());
        Http.Response agent = story.agent(t.id(), "launcher", List.of("mw.connector.ads"), "mutating");

        Http.Response asked = expect(202, story.runAction(agent.text("/api_key"), "ads.create_campaign", "na-1",
                Story.campaign("Winter boots", 20_000)));
        Http.Response approved = expect(200, http.post("/v1/approvals/" + asked.text("/approval_id") + "/approve",
                t.approverKey(), null));

        String actor = "agent:" + agent.text("/agent_id");
        assertThat(approved.text("/execution/status")).isEqualTo("succeeded");
        assertThat(story.receipts(t, "execution.accepted")).extracting(r -> r.get("actor").asString()).containsExactly(actor);
        assertThat(story.receipts(t, "approval.requested")).extracting(r -> r.get("actor").asString()).containsExactly(actor);
        assertThat(story.receipts(t, "approval.approved").get(0).get("payload").asString())
                .contains(agent.text("/key_id"));
        Ledger.assertConsistent(jdbc, t.id());
        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
    }

    @Test
    void anotherTenantsExecutionAnswers404ToAnAgent() {
        Story.Tenant a = story.tenant("Tenant A", Story.Setup.ready());
        Story.Tenant b = story.tenant("Tenant B", Story.Setup.ready());
        String agentB = story.agent(b.id(), "b-agent", List.of("mw.connector.ads"), "mutating").text("/api_key");
        String executionA = expect(202, story.runAction(a.runtimeKey(), "ads.create_campaign", "x-1",
                Story.campaign("A's", 1_000))).text("/execution_id");

        assertThat(http.get("/v1/executions/" + executionA, agentB).status()).isEqualTo(404);
    }

    // ------------------------------------------------------------------ workflow.run_action

    @Test
    void runActionAnswersLikeTheGovernedExecuteAndGeneratesAnIdempotencyKeyWhenAbsent() {
        Story.Tenant t = story.tenant("Run Action", Story.Setup.ready());

        Http.Response generated = story.runAction(t.runtimeKey(), "ads.create_campaign", null, Story.campaign("Generated", 5_000));
        Http.Response first = story.runAction(t.runtimeKey(), "ads.create_campaign", "ra-1", Story.campaign("Alpha", 5_000));
        Http.Response replay = story.runAction(t.runtimeKey(), "ads.create_campaign", "ra-1", Story.campaign("Alpha", 5_000));
        Http.Response conflict = story.runAction(t.runtimeKey(), "ads.create_campaign", "ra-1", Story.campaign("Bravo", 5_000));
        Http.Response reserved = story.runAction(t.runtimeKey(), "ads.record_conversion", "ra-2", Map.of("event", "x"));
        Http.Response unknown = story.runAction(t.runtimeKey(), "ads.create_audience", "ra-3", Map.of("name", "x"));
        Http.Response scope = story.runAction(t.runtimeKey(), "ads.create_campaign", "ra-4",
                Map.of("name", "S", "customer_id", "123", "budget", Map.of("amount_minor", 1, "currency", "USD",
                        "period", "lifetime")));
        Http.Response viewer = story.runAction(t.viewerKey(), "ads.fetch_report", "ra-5", Map.of());
        Http.Response noCapability = http.post("/v1/runtime/workflow/run-action", t.runtimeKey(),
                Map.of("action", "ads.fetch_report", "input", Map.of()));

        assertThat(generated.status()).isEqualTo(202);
        assertThat(generated.text("/idempotency_key")).startsWith("rt-");
        assertThat(first.status()).isEqualTo(202);
        assertThat(first.text("/connector")).isEqualTo("mw.connector.ads");
        assertThat(replay.status()).isEqualTo(202);
        assertThat(replay.text("/execution_id")).isEqualTo(first.text("/execution_id"));
        assertThat(conflict.status()).isEqualTo(422);
        assertThat(conflict.errorCode()).isEqualTo("idempotency_conflict");
        assertThat(reserved.errorCode()).isEqualTo("action_reserved");
        assertThat(unknown.errorCode()).isEqualTo("capability_gap");
        assertThat(scope.status()).isEqualTo(400);
        assertThat(scope.errorCode()).isEqualTo("forbidden_scope_field");
        assertThat(viewer.errorCode()).isEqualTo("forbidden_role");
        assertThat(noCapability.at("/error/details/errors/0/path").asString()).isEqualTo("$.capability");
        Http.Response approved = expect(200, http.post("/v1/approvals/" + first.text("/approval_id") + "/approve",
                t.approverKey(), null));
        assertThat(approved.text("/execution/status")).isEqualTo("succeeded");
    }

    // ------------------------------------------------------------------ inventory

    @Test
    void inventoryListsTheManifestWithReadinessFromPreflightNeverLiveOnAGuess() {
        Story.Tenant ready = story.tenant("Inventory Ready", Story.Setup.ready());
        Story.Tenant unconnected = story.tenant("Inventory Unconnected", Story.Setup.ready().noConnection());

        JsonNode caps = expect(200, http.get("/v1/runtime/capabilities", ready.viewerKey())).at("/capabilities");
        JsonNode bare = expect(200, http.get("/v1/runtime/capabilities", unconnected.runtimeKey())).at("/capabilities");

        assertThat(caps).hasSize(1);
        JsonNode ads = caps.get(0);
        assertThat(ads.get("capability").asString()).isEqualTo("mw.connector.ads");
        assertThat(ads.get("actions")).extracting(a -> a.get("action").asString()).containsExactlyInAnyOrder(
                "ads.create_campaign", "ads.update_campaign", "ads.pause_campaign", "ads.create_group",
                "ads.create_creative", "ads.create_ad", "ads.fetch_report");
        assertThat(ads.get("reserved_actions")).extracting(a -> a.get("action").asString())
                .containsExactly("ads.record_conversion");
        JsonNode create = ads.get("actions").valueStream().filter(a -> a.get("action").asString().equals("ads.create_campaign"))
                .findFirst().orElseThrow();
        assertThat(create.get("mutating").asBoolean()).isTrue();
        assertThat(create.get("raises_spend").asBoolean()).isTrue();
        assertThat(create.at("/input_schema/properties/budget").isObject()).isTrue();
        assertThat(readiness(ads, "openaiads").get("readiness").asString()).isEqualTo("live");
        assertThat(readiness(ads, "googleads").get("readiness").asString()).isEqualTo("not_ready");
        assertThat(readiness(ads, "googleads").get("failing_checks")).extracting(c -> c.get("name").asString())
                .contains("connection_active");
        JsonNode bareOpenai = readiness(bare.get(0), "openaiads");
        assertThat(bareOpenai.get("readiness").asString()).isEqualTo("not_ready");
        assertThat(bareOpenai.get("failing_checks")).extracting(c -> c.get("name").asString())
                .containsExactly("connection_active");
        assertThat(bareOpenai.at("/failing_checks/0/detail").asString()).contains("no connection");
    }

    private static JsonNode readiness(JsonNode capability, String provider) {
        return capability.get("providers").valueStream().filter(p -> p.get("provider").asString().equals(provider))
                .findFirst().orElseThrow();
    }

    // ------------------------------------------------------------------ gaps

    @Test
    void reportedGapsAreListedToTheirTenantAndCountedForTheOperator() {
        Story.Tenant a = story.tenant("Gap A", Story.Setup.ready());
        Story.Tenant b = story.tenant("Gap B", Story.Setup.ready());
        String agent = story.agent(a.id(), "gap-agent", List.of("mw.connector.ads"), "read_only").text("/api_key");
        Map<String, Object> need = Map.of("capability", "mw.connector.crm", "action", "crm.create_lead",
                "reason", "the sales agent must file leads");

        Http.Response byAgent = expect(201, http.post("/v1/runtime/capability-gaps", agent, need));
        expect(201, http.post("/v1/runtime/capability-gaps", b.runtimeKey(), need));
        Http.Response invalid = http.post("/v1/runtime/capability-gaps", a.runtimeKey(), Map.of("action", "x"));

        assertThat(byAgent.text("/source")).isEqualTo("reported");
        assertThat(byAgent.text("/reported_by")).startsWith("agent:agt");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(expect(200, http.get("/v1/runtime/capability-gaps", a.viewerKey())).at("/gaps"))
                .extracting(g -> g.get("gap_id").asString()).containsExactly(byAgent.text("/gap_id"));
        JsonNode counted = expect(200, http.get("/v1/capability-gaps", OP)).at("/gaps").valueStream()
                .filter(g -> "crm.create_lead".equals(g.get("action").asString(null))).findFirst().orElseThrow();
        assertThat(counted.get("reports").asLong()).isEqualTo(2);
        assertThat(counted.get("tenants").asLong()).isEqualTo(2);
        assertThat(story.receipts(a, "capability_gap.reported")).hasSize(1);
    }
}
