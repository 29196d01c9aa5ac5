package dev.minutework.broker.server.tenants;

import java.time.OffsetDateTime;

/**
 * Opens the wallet of a tenant being created, in the transaction that creates it. Implemented by
 * {@code dev.minutework.broker.server.spend.Wallets}, which owns {@code tenant_wallets}; declared
 * here because spend depends on tenants, so tenants must not depend on spend.
 */
public interface WalletOpening {

    /** Inserts the tenant's empty wallet in {@code currency}, last updated {@code at}. */
    void open(String tenantId, String currency, OffsetDateTime at);
}
