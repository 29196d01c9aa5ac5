/**
 * Kill switches (issue 13): an approver of a tenant, or the operator, stops a tenant — or the
 * operator every tenant using one platform-owned provider account — at once. Engaging and releasing,
 * who and why, receipted; the table {@code kill_switches}. The broker's pauses of the campaigns in
 * scope are {@code execution.KillSwitchPauses}; the refusal of new mutating requests is the core's
 * {@code Decider} rule {@code kill_switch_engaged}.
 */
package dev.minutework.broker.server.killswitch;
