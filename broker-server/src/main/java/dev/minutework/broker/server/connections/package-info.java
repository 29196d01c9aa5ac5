/** BrokerConnection: which provider account a tenant may act through; active, suspended or revoked. */
package dev.minutework.broker.server.connections;
