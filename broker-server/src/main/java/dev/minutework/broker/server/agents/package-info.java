/** Runtime agents ({@code mw.runtime.agent}): per-tenant agent identities with their own keys and allowed capabilities. */
package dev.minutework.broker.server.agents;
