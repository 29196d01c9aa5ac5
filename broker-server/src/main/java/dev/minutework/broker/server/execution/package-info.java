/**
 * {@code integration_broker.execute}, as an adapter around broker-core's decision: the envelope
 * ({@code ExecuteRequests}), the tenant's snapshot ({@code Snapshots}), {@code Decider}, the
 * transaction that records the decision ({@code ExecuteService}, {@code ApprovedRuns}), the
 * provider call and reconciliation ({@code Calls}) and the settlement of its outcome
 * ({@code Completions}); the broker's own pauses; and the {@code executions} table.
 */
package dev.minutework.broker.server.execution;
