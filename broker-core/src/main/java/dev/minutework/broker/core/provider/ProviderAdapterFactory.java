package dev.minutework.broker.core.provider;

import java.util.Set;

/**
 * One per provider implementation, registered for {@link java.util.ServiceLoader}. Declares its
 * id, the provider keys it serves, the credential and scope fields it needs, and what it can do.
 */
public interface ProviderAdapterFactory {

    /** A stable id of the implementation, e.g. {@code sandbox} or {@code openaiads}. */
    String id();

    /** The provider keys this factory serves. */
    Set<String> providerKeys();

    /** Credential field names the account must carry. */
    Set<String> requiredCredentials();

    /** Scope field names the account must carry. */
    Set<String> requiredScope();

    /** What the adapter can do, instead of "unsupported" exceptions. */
    Set<Capability> capabilities();

    /** Whether this implementation talks to the real provider (false for sandboxes and simulators). */
    boolean real();

    ProviderAdapter create(ProviderAccountContext account);

    /** Capability flags. */
    enum Capability { DAILY_BUDGET, LIFETIME_BUDGET, STANDALONE_CREATIVE, REPORTS, RECONCILE_BY_REFERENCE, IDEMPOTENCY_KEYS }
}
