/**
 * What a request asks, typed: {@link dev.minutework.broker.core.command.ExecuteCommand}, one record
 * per action of {@code mw.connector.ads}, read once from the schema-validated input by
 * {@link dev.minutework.broker.core.command.Commands}. Adapters and decisions read these, never the
 * input map.
 */
package dev.minutework.broker.core.command;
