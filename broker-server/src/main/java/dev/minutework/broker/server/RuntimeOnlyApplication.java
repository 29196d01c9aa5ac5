package dev.minutework.broker.server;

import dev.minutework.broker.server.api.ApiConfiguration;
import dev.minutework.broker.server.api.ApiErrorHandler;
import dev.minutework.broker.server.config.BrokerProperties;
import dev.minutework.broker.server.connectors.ConnectorCatalog;
import dev.minutework.broker.server.mcp.McpConfiguration;
import dev.minutework.broker.server.runtime.RemoteRuntimeConfiguration;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/**
 * The runtime alone ({@code BROKER_ROLE=runtime}): the runtime surface and the MCP server, with
 * the app pack's manifests, and no database, credential or provider adapter of its own. It reaches
 * the platform at {@code BROKER_PLATFORM_URL} only through the platform's tenant-level HTTP API,
 * serving the tenant of {@code BROKER_RUNTIME_KEY}.
 */
@SpringBootConfiguration
@ConditionalOnProperty(name = "broker.role", havingValue = "runtime")
@EnableAutoConfiguration(excludeName = {
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration"})
@EnableConfigurationProperties(BrokerProperties.class)
@Import({ConnectorCatalog.class, ApiErrorHandler.class, ApiConfiguration.class, RemoteRuntimeConfiguration.class, McpConfiguration.class})
public class RuntimeOnlyApplication {}
