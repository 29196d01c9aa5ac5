package dev.minutework.broker.providers.sandbox;

import dev.minutework.broker.core.provider.ProviderCapabilities;
import dev.minutework.broker.core.provider.ProviderAccountContext;
import dev.minutework.broker.core.provider.ProviderAdapter;
import dev.minutework.broker.core.provider.ProviderAdapterFactory;
import java.time.Duration;
import java.util.Set;

/**
 * Serves all four ads provider keys in-process. It is not a real provider: preflight says so.
 * Real adapters, when present for a key, take precedence over it.
 */
public final class SandboxProviderFactory implements ProviderAdapterFactory {

    public static final String ID = "sandbox";

    private final SandboxLedger ledger = new SandboxLedger();

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> providerKeys() {
        return Set.of("openaiads", "googleads", "metaads", "tiktokads");
    }

    @Override
    public Set<String> requiredCredentials() {
        return Set.of();
    }

    @Override
    public Set<String> requiredScope() {
        return Set.of();
    }

    @Override
    public ProviderCapabilities capabilities() {
        return ProviderCapabilities.ANY;
    }

    @Override
    public boolean real() {
        return false;
    }

    /** In-process: it answers from memory and sends nothing anywhere. */
    @Override
    public boolean sandbox() {
        return true;
    }

    /** In-process and in memory: a call answers at once; a second bounds it generously. */
    @Override
    public Duration worstCaseCallDuration() {
        return Duration.ofSeconds(1);
    }

    @Override
    public ProviderAdapter create(ProviderAccountContext account) {
        return new SandboxAdapter(ledger.account(account.accountId()), account.provider());
    }

    /** Fault knobs of one provider account, for tests. */
    public SandboxFaults faults(String accountId) {
        return ledger.account(accountId).faults();
    }

    /** How many objects the sandbox holds for an account (tests assert no duplicates). */
    public int objectCount(String accountId) {
        return ledger.account(accountId).objects().size();
    }
}
