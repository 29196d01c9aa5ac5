/** Append-only, hash-chained audit: BrokerReceipt, and the chain mechanism the other audit tables share. */
package dev.minutework.broker.server.receipts;
