package dev.minutework.broker.server.routing;

import dev.minutework.broker.core.provider.ProviderAdapterFactory;
import dev.minutework.broker.server.config.BrokerProperties;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * The provider adapter factories found through {@link ServiceLoader}. For each provider key the
 * real adapter wins over the in-process sandbox; the sandbox serves a key only when no real adapter
 * exists for it, or everywhere when {@code broker.sandbox} is set (tests, demos). Preflight says
 * which one serves.
 */
@Component
public class ProviderRegistry {

    private final List<ProviderAdapterFactory> factories;
    private final Map<String, ProviderAdapterFactory> byKey = new LinkedHashMap<>();

    ProviderRegistry(BrokerProperties props) {
        this.factories = ServiceLoader.load(ProviderAdapterFactory.class).stream().map(ServiceLoader.Provider::get).toList();
        for (ProviderAdapterFactory f : factories) {
            for (String key : f.providerKeys()) {
                byKey.merge(key, f, (a, b) -> prefer(a, b, props.sandbox()));
            }
        }
    }

    private static ProviderAdapterFactory prefer(ProviderAdapterFactory a, ProviderAdapterFactory b, boolean sandbox) {
        boolean aSandbox = a.sandbox();
        boolean bSandbox = b.sandbox();
        if (aSandbox == bSandbox) {
            throw new IllegalStateException("two adapters for one provider key: " + a.id() + " and " + b.id());
        }
        return sandbox == aSandbox ? a : b;
    }

    public Optional<ProviderAdapterFactory> forProvider(String providerKey) {
        return Optional.ofNullable(byKey.get(providerKey));
    }

    /**
     * The real adapter for a provider key, whatever serves calls now: it declares the account
     * fields (credentials, scope and their formats) of that provider.
     */
    public Optional<ProviderAdapterFactory> real(String providerKey) {
        return factories.stream().filter(f -> !f.sandbox())
                .filter(f -> f.providerKeys().contains(providerKey)).findFirst();
    }

    /** The factories that serve at least one provider key here (each once). */
    public List<ProviderAdapterFactory> serving() {
        return byKey.values().stream().distinct().toList();
    }

    /** Every provider key a real adapter serves. */
    public Set<String> realKeys() {
        return factories.stream().filter(f -> !f.sandbox())
                .flatMap(f -> f.providerKeys().stream()).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The in-process sandbox ({@link ProviderAdapterFactory#sandbox()}), e.g. for its fault knobs in tests. */
    public ProviderAdapterFactory sandbox() {
        return factories.stream().filter(ProviderAdapterFactory::sandbox).findFirst().orElseThrow();
    }
}
