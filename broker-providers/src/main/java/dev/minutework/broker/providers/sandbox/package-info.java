/**
 * A deterministic in-process provider that serves every ads provider key until the real adapters
 * land. It keeps objects per provider account in memory, derives report figures from object ids
 * and dates, and has fault knobs for tests ({@link dev.minutework.broker.providers.sandbox.SandboxFaults}).
 */
package dev.minutework.broker.providers.sandbox;
