package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.support.BrokerTestCase;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Story;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The MCP server at {@code /mcp}, driven by the official SDK's own client over real HTTP: tools
 * generated from the manifest per agent, a mutating tool that answers {@code awaiting_approval}
 * at once, a human approval over HTTP, and the agent following it with {@code execution_status}.
 */
class McpServerTest extends BrokerTestCase {

    private McpSyncClient client(String agentKey) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(broker.base().toString())
                .endpoint("/mcp")
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + agentKey))
                .build();
        McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(60))
                .clientInfo(new McpSchema.Implementation("broker-test", "1.0")).build();
        client.initialize();
        return client;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> structured(CallToolResult r) {
        return (Map<String, Object>) r.structuredContent();
    }

    private static Tool tool(List<Tool> tools, String name) {
        return tools.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    @SuppressWarnings("unchecked")
    void agentSeesOneToolPerAllowedActionWithTheManifestSchemaAndHonestAnnotations() {
        Story.Tenant t = story.tenant("Mcp Tools", Story.Setup.ready());
        String key = story.agent(t.id(), "assistant", List.of("mw.connector.ads"), "mutating").text("/api_key");

        try (McpSyncClient client = client(key)) {
            List<Tool> tools = client.listTools().tools();

            assertThat(tools).extracting(Tool::name).containsExactlyInAnyOrder("ads.create_campaign",
                    "ads.update_campaign", "ads.pause_campaign", "ads.create_group", "ads.create_creative",
                    "ads.create_ad", "ads.fetch_report", "execution_status", "preflight", "list_capabilities",
                    "report_capability_gap");
            Tool create = tool(tools, "ads.create_campaign");
            assertThat(create.annotations().readOnlyHint()).isFalse();
            assertThat(create.annotations().destructiveHint()).isTrue();
            assertThat((Map<String, Object>) create.inputSchema().get("properties")).containsKeys("name", "budget",
                    "status");
            assertThat((List<String>) create.inputSchema().get("required")).containsExactlyInAnyOrder("name", "budget");
            // what each provider takes for the action is in its description (here the sandbox serves all four)
            assertThat(tool(tools, "ads.create_creative").description()).contains("Per provider",
                    "openaiads: 1-15 headlines of at most 50 characters", "googleads:", "metaads:", "tiktokads:");
            assertThat(create.description()).contains("openaiads: budgets [daily, lifetime]");
            Tool report = tool(tools, "ads.fetch_report");
            assertThat(report.annotations().readOnlyHint()).isTrue();
            assertThat(report.annotations().destructiveHint()).isFalse();
            assertThat(tool(tools, "execution_status").annotations().readOnlyHint()).isTrue();
        }
    }

    @Test
    void readOnlyAgentIsOfferedOnlyReadTools() {
        Story.Tenant t = story.tenant("Mcp Reader", Story.Setup.ready());
        String key = story.agent(t.id(), "reader", List.of("mw.connector.ads"), "read_only").text("/api_key");

        try (McpSyncClient client = client(key)) {
            assertThat(client.listTools().tools()).extracting(Tool::name).containsExactlyInAnyOrder("ads.fetch_report",
                    "execution_status", "preflight", "list_capabilities", "report_capability_gap");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void mutatingToolAnswersAwaitingApprovalThenTheAgentSeesSucceededAfterAHumanApproves() {
        Story.Tenant t = story.tenant("Mcp Launch", Story.Setup.ready());
        Http.Response agent = story.agent(t.id(), "launcher", List.of("mw.connector.ads"), "mutating");

        try (McpSyncClient client = client(agent.text("/api_key"))) {
            CallToolResult asked = client.callTool(CallToolRequest.builder("ads.create_campaign")
                    .arguments(Story.campaign("Winter boots", 25_000)).meta(Map.of("idempotency_key", "mcp-launch-1"))
                    .build());

            assertThat(asked.isError()).as("%s", asked).isFalse();
            Map<String, Object> pending = structured(asked);
            assertThat(pending.get("status")).isEqualTo("awaiting_approval");
            assertThat(pending.get("idempotency_key")).isEqualTo("mcp-launch-1");
            assertThat((Map<String, Object>) pending.get("spend_impact")).containsEntry("amount_minor", 25_000)
                    .containsEntry("currency", "USD");
            String executionId = (String) pending.get("execution_id");
            String approvalId = (String) pending.get("approval_id");
            assertThat(approvalId).isNotBlank();

            CallToolResult again = client.callTool(CallToolRequest.builder("ads.create_campaign")
                    .arguments(Story.campaign("Winter boots", 25_000)).meta(Map.of("idempotency_key", "mcp-launch-1"))
                    .build());
            assertThat(structured(again).get("execution_id")).as("a retried call replays").isEqualTo(executionId);

            Http.Response approved = expect(200, http.post("/v1/approvals/" + approvalId + "/approve", t.approverKey(),
                    null));
            assertThat(approved.text("/execution/status")).isEqualTo("succeeded");

            CallToolResult status = client.callTool(new CallToolRequest("execution_status",
                    Map.of("execution_id", executionId)));
            assertThat(status.isError()).isFalse();
            assertThat(structured(status).get("status")).isEqualTo("succeeded");
            assertThat(structured(status).get("result")).asString().contains("object_id");
        }
        List<JsonNode> accepted = story.receipts(t, "execution.accepted");
        assertThat(accepted).extracting(r -> r.get("actor").asString())
                .containsExactly("agent:" + agent.text("/agent_id"));
    }

    @Test
    void brokerRefusalsAreToolErrorsWithTheApiEnvelopeAndAreReceipted() {
        Story.Tenant t = story.tenant("Mcp Refusal", Story.Setup.ready());
        String key = story.agent(t.id(), "sloppy", List.of("mw.connector.ads"), "mutating").text("/api_key");

        try (McpSyncClient client = client(key)) {
            CallToolResult invalid = client.callTool(new CallToolRequest("ads.create_campaign",
                    Map.of("name", "No budget at all")));
            CallToolResult scoped = client.callTool(new CallToolRequest("ads.create_campaign", Map.of("name", "Scoped",
                    "ad_account_id", "act_other", "budget", Map.of("amount_minor", 100, "currency", "USD",
                            "period", "lifetime"))));
            CallToolResult missing = client.callTool(new CallToolRequest("execution_status",
                    Map.of("execution_id", "exe_missing")));

            assertThat(invalid.isError()).isTrue();
            assertThat(structured(invalid).get("error")).asString().contains("invalid_input");
            assertThat(structured(scoped).get("error")).asString().contains("forbidden_scope_field");
            assertThat(missing.isError()).isTrue();
            assertThat(structured(missing).get("error")).asString().contains("not_found");
        }
        assertThat(story.receipts(t, "execution.refused")).hasSize(2);
    }

    @Test
    void inventoryPreflightAndGapReportToolsAnswerForTheAgentsTenant() {
        Story.Tenant t = story.tenant("Mcp Inventory", Story.Setup.ready());
        String key = story.agent(t.id(), "scout", List.of("mw.connector.ads"), "read_only").text("/api_key");

        try (McpSyncClient client = client(key)) {
            CallToolResult inventory = client.callTool(new CallToolRequest("list_capabilities", Map.of()));
            CallToolResult preflight = client.callTool(new CallToolRequest("preflight", Map.of("provider", "googleads")));
            CallToolResult gap = client.callTool(new CallToolRequest("report_capability_gap", Map.of(
                    "capability", "mw.connector.crm", "action", "crm.create_lead", "reason", "the funnel needs leads")));

            assertThat(structured(inventory).get("capabilities")).asString().contains("ads.fetch_report")
                    .doesNotContain("ads.create_campaign");
            assertThat(structured(preflight)).containsEntry("ready", false).containsEntry("provider", "googleads");
            assertThat(gap.isError()).isFalse();
            assertThat(structured(gap)).containsEntry("source", "reported");
        }
        JsonNode counted = expect(200, http.get("/v1/capability-gaps", Story.OP)).at("/gaps");
        assertThat(counted).extracting(g -> g.get("action").asString(null)).contains("crm.create_lead");
    }

    @Test
    void onlyAnAgentKeyOpensTheMcpServer() {
        Story.Tenant t = story.tenant("Mcp Keys", Story.Setup.ready());
        String initialize = """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
                 "capabilities":{},"clientInfo":{"name":"probe","version":"1"}}}""";

        Http.Response none = http.sendRaw("POST", "/mcp", null, initialize);
        Http.Response unknown = http.sendRaw("POST", "/mcp", "mwb_agent_not_a_key", initialize);
        Http.Response runtime = http.sendRaw("POST", "/mcp", t.runtimeKey(), initialize);

        assertThat(none.status()).isEqualTo(401);
        assertThat(none.errorCode()).isEqualTo("unauthenticated");
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(runtime.status()).isEqualTo(403);
        assertThat(runtime.errorCode()).isEqualTo("forbidden_role");
    }
}
