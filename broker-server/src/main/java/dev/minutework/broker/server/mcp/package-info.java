/**
 * The MCP server at {@code /mcp} (Streamable HTTP, official MCP Java SDK): one server per runtime
 * agent, authenticated by the agent's key, whose tools are generated from the connector manifests
 * and run through the runtime's governed surface.
 */
package dev.minutework.broker.server.mcp;
