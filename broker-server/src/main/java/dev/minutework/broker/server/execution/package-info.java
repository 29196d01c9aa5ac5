/** {@code integration_broker.execute}: the governed pipeline of design §4, and executions as stored. */
package dev.minutework.broker.server.execution;
