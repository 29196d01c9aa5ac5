package dev.minutework.broker.core.provider;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

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

    /** Credential field names the account may carry besides the required ones. */
    default Set<String> optionalCredentials() {
        return Set.of();
    }

    /** Scope field names the account may carry besides the required ones. */
    default Set<String> optionalScope() {
        return Set.of();
    }

    /**
     * The shape of the provider's account identifiers: a scope value that does not match names no
     * account of this provider and is refused when the account is registered.
     */
    default Map<String, Pattern> scopeFormats() {
        return Map.of();
    }

    /** The scope as the provider's API wants it (e.g. Google customer ids without dashes). */
    default Map<String, String> normalizeScope(Map<String, String> scope) {
        return scope;
    }

    /**
     * What the adapter can take, as data (budget periods, currencies, objectives, targeting, creative
     * limits, features): the broker refuses what does not fit before approval, instead of the
     * adapter discovering it after.
     */
    ProviderCapabilities capabilities();

    /** Whether this implementation talks to the real provider (false for sandboxes and simulators). */
    boolean real();

    /**
     * Whether this implementation is an in-process stand-in for the providers it serves (the
     * sandbox): its adapters answer from memory and send nothing anywhere, so an account's
     * {@code base_url} and the local simulators do not apply to its calls. The broker lets an
     * implementation that is not a stand-in serve a provider key in preference to one that is
     * (unless told to use stand-ins, {@code broker.sandbox}), and takes a provider's account fields
     * only from one that is not. Not the same question as {@link #real()}: that one asks whether the
     * calls reach the real provider. False unless an implementation says otherwise.
     */
    default boolean sandbox() {
        return false;
    }

    ProviderAdapter create(ProviderAccountContext account);

    /** What {@link #worstCaseCallDuration()} assumes of an implementation that does not say. */
    Duration UNDECLARED_WORST_CASE = Duration.ofMinutes(5);

    /**
     * The longest one call of this factory's adapters ({@link ProviderAdapter#execute},
     * {@link ProviderAdapter#reconcile} or {@link ProviderAdapter#checks}) runs, computed from the
     * adapter's own timeouts, attempts and waits. The broker abandons a call still running after it
     * (as an unknown outcome, reconciled later), and refuses a janitor setting that could settle an
     * execution whose call may still be running. Implementations that talk over a network must
     * declare it; the default is {@link #UNDECLARED_WORST_CASE}.
     */
    default Duration worstCaseCallDuration() {
        return UNDECLARED_WORST_CASE;
    }
}
