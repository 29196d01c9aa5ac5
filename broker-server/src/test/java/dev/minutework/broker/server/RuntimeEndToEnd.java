package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.support.BrokerTestCase;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Ledger;
import dev.minutework.broker.server.support.Story;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The README story driven through the runtime — {@code workflow.run_action}, the inventory, gap
 * reports and the MCP server — while the operator and the approver work on the platform. The same
 * scenarios run in both deployments: runtime and platform in one process
 * ({@link RuntimeEmbeddedDeploymentTest}) and the runtime alone, reaching the platform over HTTP
 * ({@link RuntimeSplitDeploymentTest}).
 */
abstract class RuntimeEndToEnd extends BrokerTestCase {

    /** The tenant the runtime serves, set up on the platform. */
    protected static Story.Tenant tenant;
    /** Where the runtime answers. */
    protected static URI runtimeBase;
    protected static Http runtime;

    protected static void setUpTenant() {
        tenant = story.tenant("Runtime Shoes", Story.Setup.ready());
    }

    private Story runtimeStory() {
        return new Story(runtime);
    }

    private McpSyncClient mcp(String agentKey) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(runtimeBase.toString())
                .endpoint("/mcp").requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + agentKey))
                .build();
        McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(60))
                .clientInfo(new McpSchema.Implementation("runtime-e2e", "1.0")).build();
        client.initialize();
        return client;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> structured(CallToolResult r) {
        return (Map<String, Object>) r.structuredContent();
    }

    @Test
    void theReadmeStoryRunsThroughWorkflowRunAction() {
        Http.Response asked = expect(202, runtimeStory().runAction(tenant.runtimeKey(), "ads.create_campaign",
                "rt-story-1", Map.of("name", "Winter boots", "status", "active",
                        "budget", Map.of("amount_minor", 30_000, "currency", "USD", "period", "lifetime"))));
        assertThat(asked.text("/status")).isEqualTo("awaiting_approval");
        expect(403, http.post("/v1/approvals/" + asked.text("/approval_id") + "/approve", tenant.runtimeKey(), null));
        Http.Response approved = expect(200, http.post("/v1/approvals/" + asked.text("/approval_id") + "/approve",
                tenant.approverKey(), null));
        assertThat(approved.text("/execution/status")).isEqualTo("succeeded");
        Http.Response replay = expect(200, runtimeStory().runAction(tenant.runtimeKey(), "ads.create_campaign",
                "rt-story-1", Map.of("name", "Winter boots", "status", "active",
                        "budget", Map.of("amount_minor", 30_000, "currency", "USD", "period", "lifetime"))));
        assertThat(replay.text("/execution_id")).isEqualTo(asked.text("/execution_id"));
        assertThat(replay.text("/status")).isEqualTo("succeeded");
        String campaign = replay.text("/result/object_id");
        long reserved = story.wallet(tenant).get("reserved_minor").asLong();
        assertThat(reserved).isGreaterThanOrEqualTo(30_000);

        Http.Response pause = expect(202, runtimeStory().runAction(tenant.runtimeKey(), "ads.pause_campaign",
                "rt-story-pause", Map.of("campaign_id", campaign)));
        expect(200, http.post("/v1/approvals/" + pause.text("/approval_id") + "/approve", tenant.approverKey(), null));
        assertThat(story.wallet(tenant).get("reserved_minor").asLong()).isEqualTo(reserved - 30_000);

        Http.Response scoped = runtimeStory().runAction(tenant.runtimeKey(), "ads.create_campaign", "rt-story-2",
                Map.of("name", "Scoped", "ad_account_id", "act_9", "budget", Map.of("amount_minor", 5, "currency", "USD",
                        "period", "lifetime")));
        assertThat(scoped.status()).isEqualTo(400);
        assertThat(scoped.errorCode()).isEqualTo("forbidden_scope_field");
        Ledger.assertConsistent(jdbc, tenant.id());
        assertThat(story.verify(tenant).get("valid").asBoolean()).isTrue();
    }

    @Test
    void anMcpAgentLaunchesACampaignThatAHumanApproves() {
        Http.Response agent = story.agent(tenant.id(), "mcp-launcher", List.of("mw.connector.ads"), "mutating");

        try (McpSyncClient client = mcp(agent.text("/api_key"))) {
            assertThat(client.listTools().tools()).extracting(Tool::name).contains("ads.create_campaign",
                    "execution_status", "preflight", "list_capabilities", "report_capability_gap");
            CallToolResult asked = client.callTool(CallToolRequest.builder("ads.create_campaign")
                    .arguments(Story.campaign("Agent boots", 12_000)).meta(Map.of("idempotency_key", "rt-mcp-1")).build());
            assertThat(asked.isError()).as("%s", asked).isFalse();
            assertThat(structured(asked).get("status")).isEqualTo("awaiting_approval");
            assertThat(structured(asked).get("spend_impact")).asString().contains("12000");

            expect(200, http.post("/v1/approvals/" + structured(asked).get("approval_id") + "/approve",
                    tenant.approverKey(), null));

            CallToolResult status = client.callTool(new CallToolRequest("execution_status",
                    Map.of("execution_id", structured(asked).get("execution_id"))));
            assertThat(structured(status).get("status")).isEqualTo("succeeded");
        }
        assertThat(story.receipts(tenant, "approval.requested")).extracting(r -> r.get("actor").asString())
                .contains("agent:" + agent.text("/agent_id"));
    }

    @Test
    void aReadOnlyAgentIsRefusedAMutatingActionAndTheRefusalIsReceipted() {
        Http.Response agent = story.agent(tenant.id(), "rt-reader", List.of("mw.connector.ads"), "read_only");

        Http.Response refused = runtimeStory().runAction(agent.text("/api_key"), "ads.create_campaign", "rt-ro-1",
                Story.campaign("Nope nope", 1_000));

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.errorCode()).isEqualTo("forbidden_role");
        assertThat(story.receipts(tenant, "execution.refused")).extracting(r -> r.get("actor").asString())
                .contains("agent:" + agent.text("/agent_id"));
    }

    @Test
    void theInventoryShowsAProviderWithoutAConnectionAsNotReadyWithTheReason() {
        JsonNode ads = expect(200, runtime.get("/v1/runtime/capabilities", tenant.viewerKey())).at("/capabilities/0");

        assertThat(ads.get("reserved_actions")).extracting(a -> a.get("action").asString())
                .containsExactly("ads.record_conversion");
        JsonNode providers = ads.get("providers");
        assertThat(providers.valueStream().filter(p -> p.get("provider").asString().equals("openaiads")).findFirst()
                .orElseThrow().get("readiness").asString()).isEqualTo("live");
        JsonNode google = providers.valueStream().filter(p -> p.get("provider").asString().equals("googleads"))
                .findFirst().orElseThrow();
        assertThat(google.get("readiness").asString()).isEqualTo("not_ready");
        assertThat(google.get("failing_checks")).extracting(c -> c.get("name").asString()).contains("connection_active");
    }

    @Test
    void aGapReportedThroughTheRuntimeIsCountedForTheOperator() {
        Http.Response gap = expect(201, runtime.post("/v1/runtime/capability-gaps", tenant.runtimeKey(),
                Map.of("capability", "mw.connector.email", "reason", "send the campaign report by mail")));

        assertThat(gap.text("/source")).isEqualTo("reported");
        assertThat(expect(200, runtime.get("/v1/runtime/capability-gaps", tenant.viewerKey())).at("/gaps"))
                .extracting(g -> g.get("gap_id").asString()).contains(gap.text("/gap_id"));
        assertThat(expect(200, http.get("/v1/capability-gaps", Story.OP)).at("/gaps"))
                .extracting(g -> g.get("capability").asString()).contains("mw.connector.email");
        assertThat(runtime.get("/v1/runtime/capabilities", null).status()).isEqualTo(401);
    }
}
