/**
 * The approver's endpoints: listing approvals, approving or denying a one-shot approval
 * ({@code ApprovalDecisions}, which hands an approved execution to {@code execution.ApprovedRuns}),
 * and issuing or revoking standing grants. The grant rows are the {@code grants} package's.
 */
package dev.minutework.broker.server.approvals;
