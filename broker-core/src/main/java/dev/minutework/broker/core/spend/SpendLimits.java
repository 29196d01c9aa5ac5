package dev.minutework.broker.core.spend;

/**
 * What may still be put at risk for a tenant, as its authorization and wallet stand.
 *
 * @param authorizationRemainingMinor the authorization's cap less what it has reserved and settled
 * @param dailyCapMinor the authorization's daily cap, or null for none
 * @param walletCurrency the currency of the tenant's wallet, or null when it has none
 * @param walletAvailableMinor the wallet's balance less what it has reserved
 */
public record SpendLimits(long authorizationRemainingMinor, Long dailyCapMinor, String walletCurrency,
        long walletAvailableMinor) {}
