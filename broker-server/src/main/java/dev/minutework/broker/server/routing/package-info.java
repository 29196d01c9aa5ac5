/**
 * Provider routing: the adapter factories found at start-up and which one serves a provider key
 * ({@link dev.minutework.broker.server.routing.ProviderRegistry}), where one account's calls go
 * ({@link dev.minutework.broker.server.routing.ProviderRouting}: sandbox, local simulator, custom base
 * URL or the provider), the guard around every adapter call (deadline, credential scrubbing), the local
 * simulators, and the vault that encrypts provider credentials at rest. It reads accounts through
 * {@link dev.minutework.broker.server.routing.AccountContexts} and owns no table.
 */
package dev.minutework.broker.server.routing;
