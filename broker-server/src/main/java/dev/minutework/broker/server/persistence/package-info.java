/**
 * Batched JDBC helpers: several independent reads ({@link dev.minutework.broker.server.persistence.Reads})
 * or several writes of one transaction ({@link dev.minutework.broker.server.persistence.Writes}) sent
 * to PostgreSQL in one round trip. They own no table: each repository keeps its own SQL and row
 * mapping and hands them here.
 */
package dev.minutework.broker.server.persistence;
