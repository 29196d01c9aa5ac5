package dev.minutework.broker.server.routing;

import dev.minutework.broker.core.provider.ProviderAccountContext;
import dev.minutework.broker.core.provider.ProviderAdapter;
import dev.minutework.broker.core.provider.ProviderAdapterFactory;
import dev.minutework.broker.core.provider.ProviderCapabilities;
import dev.minutework.broker.server.ops.BrokerMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A factory whose adapters are {@link GuardedAdapter}s: what {@link ProviderRouting.Route#factory()}
 * hands out, so every call of every path is bounded and scrubbed. Its metadata is the factory's own.
 */
final class GuardedFactory implements ProviderAdapterFactory {

    private final ProviderAdapterFactory factory;
    private final Duration deadline;
    private final BrokerMetrics metrics;

    GuardedFactory(ProviderAdapterFactory factory, Duration deadline, BrokerMetrics metrics) {
        this.factory = factory;
        this.deadline = deadline;
        this.metrics = metrics;
    }

    @Override
    public ProviderAdapter create(ProviderAccountContext account) {
        return new GuardedAdapter(factory.create(account), CredentialScrubber.of(account.credentials()), deadline,
                account.provider(), account.accountId(), metrics);
    }

    /** The deadline of each call, which the broker enforces. */
    @Override
    public Duration worstCaseCallDuration() {
        return deadline;
    }

    @Override
    public String id() {
        return factory.id();
    }

    @Override
    public Set<String> providerKeys() {
        return factory.providerKeys();
    }

    @Override
    public Set<String> requiredCredentials() {
        return factory.requiredCredentials();
    }

    @Override
    public Set<String> requiredScope() {
        return factory.requiredScope();
    }

    @Override
    public Set<String> optionalCredentials() {
        return factory.optionalCredentials();
    }

    @Override
    public Set<String> optionalScope() {
        return factory.optionalScope();
    }

    @Override
    public Map<String, Pattern> scopeFormats() {
        return factory.scopeFormats();
    }

    @Override
    public Map<String, String> normalizeScope(Map<String, String> scope) {
        return factory.normalizeScope(scope);
    }

    @Override
    public ProviderCapabilities capabilities() {
        return factory.capabilities();
    }

    @Override
    public boolean real() {
        return factory.real();
    }

    @Override
    public boolean sandbox() {
        return factory.sandbox();
    }
}
