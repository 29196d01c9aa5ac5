/**
 * BrokerWebhookEvent: inbound provider webhooks. Deliveries are authenticated by the provider's
 * signature over the raw bytes (no API key), stored append-only and hash-chained per provider
 * account, deduplicated by provider event id, and a valid event that clearly names a campaign status
 * or an ad review result updates the projections of the tenants whose objects it names, with a
 * receipt in each tenant's chain. Providers without webhooks (Google Ads) are polled by a durable
 * job instead, and each change they report is taken the same way, with verdict {@code polled}.
 */
package dev.minutework.broker.server.webhooks;
