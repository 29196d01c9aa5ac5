package dev.minutework.broker.server.mcp;

import dev.minutework.broker.server.api.ApiErrorHandler;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.identity.CallerResolver;
import dev.minutework.broker.server.runtime.Platform;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /mcp}: authenticates every request by its {@code Authorization: Bearer} agent key, then
 * hands it to that agent's own MCP server (Streamable HTTP transport of the official SDK), built
 * on first use with the tools the agent may call. Other keys are refused before any MCP message
 * is read: 401 for an unknown key, 403 for a key that is not an agent's (the API's error envelope).
 * An agent's request then passes {@link JsonRpcTransportGuard}: whatever the transport refuses is
 * a JSON-RPC error object with the transport specification's status, never a Java exception.
 */
class McpGateway extends HttpServlet {

    private static final Logger log = LoggerFactory.getLogger(McpGateway.class);

    private static final long serialVersionUID = 1L;
    static final String ENDPOINT = "/mcp";

    private final transient Platform platform;
    private final transient AgentTools tools;
    private final transient JacksonMcpJsonMapper mcpJson;
    private final transient JsonMapper json;
    private final transient Map<String, AgentServer> servers = new ConcurrentHashMap<>();
    private final transient JsonRpcTransportGuard guard;

    McpGateway(Platform platform, AgentTools tools, JsonMapper json) {
        this.platform = platform;
        this.tools = tools;
        this.json = json;
        this.mcpJson = new JacksonMcpJsonMapper(json);
        this.guard = new JsonRpcTransportGuard(json);
    }

    /** One agent's MCP server and the transport that feeds it. */
    private record AgentServer(HttpServletStreamableServerTransportProvider transport, McpSyncServer server) {}

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String bearer = CallerResolver.bearer(req.getHeader(HttpHeaders.AUTHORIZATION)).orElse(null);
        if (bearer == null) {
            refuse(resp, ErrorCode.UNAUTHENTICATED, "send Authorization: Bearer <agent key>");
            return;
        }
        Optional<Caller.TenantKey> key;
        try {
            key = platform.identify(bearer);
        } catch (ApiException e) {
            refuse(resp, e.code(), e.getMessage());
            return;
        }
        if (key.isEmpty()) {
            refuse(resp, ErrorCode.UNAUTHENTICATED, "unknown or revoked API key");
            return;
        }
        if (key.get().agent() == null) {
            refuse(resp, ErrorCode.FORBIDDEN_ROLE, "the MCP server takes a runtime agent's key");
            return;
        }
        JsonRpcTransportGuard.Checked checked = guard.check(req, resp);
        if (checked == null) {
            return; // refused with a JSON-RPC error
        }
        Platform.Asker asker = new Platform.Asker(key.get(), bearer);
        try {
            servers.computeIfAbsent(key.get().keyId(), id -> build(asker)).transport()
                    .service(checked.request(), checked.response());
        } catch (RuntimeException e) {
            log.error("the MCP transport failed: {}", e.getClass().getName());
            if (!resp.isCommitted()) {
                resp.resetBuffer();
                guard.errorFor(resp, 500);
            }
            return;
        }
        ((JsonRpcTransportGuard.RewritingErrors) checked.response()).finish();
    }

    private AgentServer build(Platform.Asker asker) {
        Caller.TenantKey key = asker.key();
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .jsonMapper(mcpJson).mcpEndpoint(ENDPOINT).build();
        McpSyncServer server = McpServer.sync(transport)
                .serverInfo("governed-broker", "0.1.0")
                .instructions("Tools of agent " + key.agent().name() + ". Mutating tools answer awaiting_approval until "
                        + "a human approves; follow them with execution_status. Report what you cannot do with "
                        + "report_capability_gap instead of working around it.")
                .jsonMapper(mcpJson)
                // the broker validates inputs itself, answering with its own error envelope and a receipt
                .validateToolInputs(false)
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .tools(tools.forAgent(asker))
                .build();
        return new AgentServer(transport, server);
    }

    private void refuse(HttpServletResponse resp, ErrorCode code, String message) throws IOException {
        resp.setStatus(ApiErrorHandler.status(code));
        resp.setContentType("application/json");
        resp.setCharacterEncoding(StandardCharsets.UTF_8.name());
        if (code == ErrorCode.UNAUTHENTICATED) {
            resp.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        resp.getWriter().write(json.writeValueAsString(ApiErrorHandler.envelope(code, message, null)));
    }

    @Override
    public void destroy() {
        servers.values().forEach(s -> s.server().closeGracefully());
        servers.clear();
        super.destroy();
    }
}
