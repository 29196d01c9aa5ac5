/**
 * The benchmark of docs/benchmarks.md: a real broker process, a real PostgreSQL and the provider
 * simulators, driven over HTTP, compared with the raw-SQL floor of one governed execution.
 */
package dev.minutework.broker.bench;
