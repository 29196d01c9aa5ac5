/**
 * The broker's domain: money, canonical payloads, scope guard, spend exposure, approval coverage,
 * the receipt chain and the provider SPI. Plain Java only — no framework, no JSON library, no JDBC
 * (enforced by an ArchUnit test).
 */
package dev.minutework.broker.core;
