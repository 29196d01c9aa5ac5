/**
 * The runtime surface ({@code workflow.run_action}): the tenant-local action surface over the
 * governed execute, the capability inventory with honest readiness, and capability-gap reports.
 */
package dev.minutework.broker.server.runtime;
