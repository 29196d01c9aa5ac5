/** Honest readiness (invariant 8): a provider is live for a tenant only when every check passes. */
package dev.minutework.broker.server.preflight;
