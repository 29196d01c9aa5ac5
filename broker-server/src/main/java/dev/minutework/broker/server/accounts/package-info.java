/**
 * BrokerProviderAccount: platform-owned provider accounts (their rows, with credentials sealed by
 * {@link dev.minutework.broker.server.routing.CredentialVault}) and the operator endpoints for them.
 * Which adapter serves an account and where its calls go is the routing package's.
 */
package dev.minutework.broker.server.accounts;
