/** BrokerProviderAccount: platform-owned provider accounts, their encrypted credentials and the adapter registry. */
package dev.minutework.broker.server.accounts;
