package dev.minutework.broker.server.mcp;

import dev.minutework.broker.server.connectors.ConnectorCatalog;
import dev.minutework.broker.server.runtime.RuntimeActions;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/** Registers the MCP gateway at {@code /mcp}, with async support for the transport's event streams. */
@Configuration(proxyBeanMethods = false)
public class McpConfiguration {

    @Bean
    ServletRegistrationBean<McpGateway> mcpGateway(RuntimeActions runtime, ConnectorCatalog catalog, JsonMapper json) {
        ServletRegistrationBean<McpGateway> r = new ServletRegistrationBean<>(
                new McpGateway(runtime.platform(), new AgentTools(catalog, runtime, json), json), McpGateway.ENDPOINT);
        r.setName("mcp");
        r.setAsyncSupported(true);
        return r;
    }
}
