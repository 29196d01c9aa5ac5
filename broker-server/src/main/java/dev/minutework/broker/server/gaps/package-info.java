/** Capability gaps: what tenants asked for that no connector, action or provider offers yet. */
package dev.minutework.broker.server.gaps;
