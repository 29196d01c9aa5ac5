package dev.minutework.broker.server.routing;

import dev.minutework.broker.core.provider.ProviderAccountContext;
import java.security.GeneralSecurityException;
import java.util.List;

/**
 * The stored provider accounts as routing needs them: which exist, and one account's decrypted
 * context for a call. Declared here and implemented by
 * {@code dev.minutework.broker.server.accounts.ProviderAccounts}, which owns the account rows: the
 * accounts package depends on routing (its rows are sealed by the {@link CredentialVault}, its
 * controller provisions through {@link ProviderRouting}), so routing must not depend on accounts.
 */
public interface AccountContexts {

    /** A stored account, as far as routing needs to know it. */
    interface Account {
        String id();

        /** The provider key. */
        String provider();
    }

    /** Every stored account, oldest first. */
    List<? extends Account> all();

    /**
     * Decrypts an account's credentials for one provider call.
     *
     * @throws GeneralSecurityException when the ciphertext does not decrypt under the master keyset
     */
    ProviderAccountContext context(String id) throws GeneralSecurityException;
}
