package dev.minutework.broker.server.accounts;

import dev.minutework.broker.core.provider.ProviderAdapterFactory;
import dev.minutework.broker.providers.sandbox.SandboxProviderFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.springframework.stereotype.Component;

/**
 * The provider adapter factories found through {@link ServiceLoader}. For each provider key a real
 * adapter wins over the sandbox; until real adapters exist, the sandbox serves every ads key and
 * preflight says so.
 */
@Component
public class ProviderRegistry {

    private final List<ProviderAdapterFactory> factories;
    private final Map<String, ProviderAdapterFactory> byKey = new LinkedHashMap<>();

    ProviderRegistry() {
        this.factories = ServiceLoader.load(ProviderAdapterFactory.class).stream().map(ServiceLoader.Provider::get).toList();
        for (ProviderAdapterFactory f : factories) {
            for (String key : f.providerKeys()) {
                byKey.merge(key, f, (a, b) -> b.real() && !a.real() ? b : a);
            }
        }
    }

    public Optional<ProviderAdapterFactory> forProvider(String providerKey) {
        return Optional.ofNullable(byKey.get(providerKey));
    }

    /** The in-process sandbox, for its fault knobs in tests. */
    public SandboxProviderFactory sandbox() {
        return factories.stream().filter(SandboxProviderFactory.class::isInstance).map(SandboxProviderFactory.class::cast)
                .findFirst().orElseThrow();
    }
}
