/**
 * Tenants and their API keys (operator endpoints), and each tenant's approval policy
 * ({@code ApprovalPolicies}: the spend impact above which an approval must be passkey-signed).
 */
package dev.minutework.broker.server.tenants;
