/**
 * Approval grants (table {@code approval_grants}): one-shot approvals of one execution's payload
 * digest and standing grants within explicit limits. Single use, expiry and spend ceilings are
 * enforced by the conditional updates here; the rules they enforce are broker-core's
 * {@code OneShotGrant} and {@code StandingGrant}.
 */
package dev.minutework.broker.server.grants;
