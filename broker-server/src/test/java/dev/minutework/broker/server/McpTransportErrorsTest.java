package dev.minutework.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.support.BrokerTestCase;
import dev.minutework.broker.server.support.RawHttp;
import dev.minutework.broker.server.support.Story;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * What the MCP server at {@code /mcp} answers when a client gets the transport wrong: JSON-RPC error
 * objects ({@code {"jsonrpc":"2.0","id":null,"error":{"code","message"}}}) with the statuses of the
 * Streamable HTTP transport specification (400 without a session, 404 for an unknown or ended
 * one), never a serialized Java exception.
 */
class McpTransportErrorsTest extends BrokerTestCase {

    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"probe\",\"version\":\"1\"}}}";
    private static final String TOOLS_LIST = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}";
    private static final String ACCEPT = "application/json, text/event-stream";

    private static RawHttp raw;
    private static String agentKey;

    @BeforeAll
    static void agent() {
        raw = new RawHttp(broker.base());
        Story.Tenant t = story.tenant("Mcp Transport", Story.Setup.ready());
        agentKey = story.agent(t.id(), "transport prober", List.of("mw.connector.ads"), "mutating").text("/api_key");
    }

    @Test
    void aMessageWithoutASessionIsA400JsonRpcErrorWithoutAStackTrace() {
        RawHttp.Answer r = post(TOOLS_LIST);

        assertJsonRpcError(r, 400, -32000);
        assertThat(r.json().at("/error/message").asString()).contains("Mcp-Session-Id");
    }

    @Test
    void malformedJsonIsAParseError() {
        for (String body : List.of("{\"jsonrpc\":", "not json", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
                + "\"method\":\"tools/list\"}", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\\u0000\"}", "")) {
            assertJsonRpcError(post(body), 400, -32700);
        }
    }

    @Test
    void jsonThatIsNotAJsonRpcMessageIsAnInvalidRequest() {
        for (String body : List.of("{}", "[1]", "\"ping\"", "{\"hello\":1}", "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":{\"x\":1},\"method\":\"ping\"}", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}",
                "{\"jsonrpc\":\"2.0\",\"id\":1}", "{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"params\":[1]}")) {
            assertJsonRpcError(post(body), 400, -32600);
        }
    }

    @Test
    void anUnknownOrEndedSessionIsA404JsonRpcError() {
        assertJsonRpcError(post(TOOLS_LIST, "Mcp-Session-Id", "no-such-session"), 404, -32001);
        assertJsonRpcError(raw.send("GET", "/mcp", (byte[]) null, "Authorization", "Bearer " + agentKey,
                "Accept", "text/event-stream", "Mcp-Session-Id", "no-such-session"), 404, -32001);
        assertJsonRpcError(raw.send("DELETE", "/mcp", (byte[]) null, "Authorization", "Bearer " + agentKey,
                "Mcp-Session-Id", "no-such-session"), 404, -32001);

        RawHttp.Answer init = post(INITIALIZE);
        assertThat(init.status()).as("%s", init).isEqualTo(200);
        String session = init.header("mcp-session-id");
        assertThat(session).isNotBlank();
        RawHttp.Answer ended = raw.send("DELETE", "/mcp", (byte[]) null, "Authorization", "Bearer " + agentKey,
                "Mcp-Session-Id", session);
        assertThat(ended.status()).as("%s", ended).isEqualTo(200);

        assertJsonRpcError(post(TOOLS_LIST, "Mcp-Session-Id", session), 404, -32001);
    }

    @Test
    void wrongMethodsMediaTypesAcceptHeadersAndSizesAreJsonRpcErrorsWithTheirStatuses() {
        for (String method : List.of("PUT", "PATCH", "OPTIONS")) {
            RawHttp.Answer r = raw.send(method, "/mcp", TOOLS_LIST, "Authorization", "Bearer " + agentKey,
                    "Content-Type", "application/json", "Accept", ACCEPT);
            assertJsonRpcError(r, 405, -32000);
            assertThat(r.header("allow")).isEqualTo("GET, POST, DELETE");
        }
        for (String type : List.of("text/plain", "multipart/form-data", "application/x-www-form-urlencoded",
                "application/json; charset=utf-16")) {
            assertJsonRpcError(raw.send("POST", "/mcp", INITIALIZE, "Authorization", "Bearer " + agentKey,
                    "Content-Type", type, "Accept", ACCEPT), 415, -32000);
        }
        assertJsonRpcError(raw.send("POST", "/mcp", INITIALIZE, "Authorization", "Bearer " + agentKey,
                "Content-Type", "application/json", "Accept", "application/json"), 406, -32000);
        assertJsonRpcError(raw.send("GET", "/mcp", (byte[]) null, "Authorization", "Bearer " + agentKey,
                "Accept", "text/event-stream"), 400, -32000);
        byte[] big = ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\""
                + "x".repeat(4 * 1024 * 1024) + "\"}}").getBytes(StandardCharsets.UTF_8);
        assertJsonRpcError(raw.send("POST", "/mcp", big, "Authorization", "Bearer " + agentKey,
                "Content-Type", "application/json", "Accept", ACCEPT), 413, -32600);
    }

    @Test
    void aSessionStillWorksAfterAllThat() {
        RawHttp.Answer init = post(INITIALIZE);
        String session = init.header("mcp-session-id");
        raw.send("POST", "/mcp", "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", "Authorization",
                "Bearer " + agentKey, "Content-Type", "application/json", "Accept", ACCEPT, "Mcp-Session-Id", session);

        RawHttp.Answer tools = post(TOOLS_LIST, "Mcp-Session-Id", session);

        assertThat(tools.status()).as("%s", tools).isEqualTo(200);
        assertThat(tools.body()).contains("ads.create_campaign", "\"id\":2");
    }

    private static RawHttp.Answer post(String body, String... extraHeaders) {
        String[] headers = new String[6 + extraHeaders.length];
        System.arraycopy(new String[] {"Authorization", "Bearer " + agentKey, "Content-Type", "application/json",
            "Accept", ACCEPT}, 0, headers, 0, 6);
        System.arraycopy(extraHeaders, 0, headers, 6, extraHeaders.length);
        return raw.send("POST", "/mcp", body, headers);
    }

    /** A JSON-RPC 2.0 error object and nothing else: no exception, class name or stack trace. */
    static void assertJsonRpcError(RawHttp.Answer r, int status, int code) {
        assertThat(r.status()).as("%s", r).isEqualTo(status);
        assertThat(r.header("content-type")).as("%s", r).startsWith("application/json");
        JsonNode json = r.json();
        assertThat(json).as("a JSON body: %s", r).isNotNull();
        assertThat(json.path("jsonrpc").asString("")).as("%s", r).isEqualTo("2.0");
        assertThat(json.has("id") && json.get("id").isNull()).as("id null: %s", r).isTrue();
        assertThat(json.at("/error/code").asInt()).as("%s", r).isEqualTo(code);
        assertThat(json.at("/error/message").asString("")).as("%s", r).isNotBlank();
        assertThat(json.propertyNames()).as("%s", r).containsExactlyInAnyOrder("jsonrpc", "id", "error");
        assertThat(r.body()).as("%s", r).doesNotContain("stackTrace", "Exception", ".java", "at io.", "at java.",
                "io.modelcontextprotocol", "localizedMessage");
        assertThat(r.body().length()).as("%s", r).isLessThan(2_000);
    }
}
