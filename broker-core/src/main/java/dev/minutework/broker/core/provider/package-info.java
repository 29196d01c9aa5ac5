/**
 * The provider seam (SPI): one {@link dev.minutework.broker.core.provider.ProviderAdapterFactory}
 * per provider, found with {@link java.util.ServiceLoader}, each making
 * {@link dev.minutework.broker.core.provider.ProviderAdapter}s for one provider account. Every call
 * ends in one {@link dev.minutework.broker.core.provider.ProviderOutcome}.
 */
package dev.minutework.broker.core.provider;
