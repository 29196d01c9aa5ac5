package dev.minutework.broker.server.routing;

import dev.minutework.broker.core.provider.ProviderAccountContext;
import dev.minutework.broker.core.provider.ProviderAdapterFactory;
import dev.minutework.broker.server.ops.BrokerMetrics;
import dev.minutework.broker.sim.ProviderSimulator;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Decides, for one provider account, which adapter acts and where it sends its calls: the sandbox;
 * the account's own {@code base_url}; the local simulator (when simulators run and the account has
 * no base URL); or the provider's real API. The adapters of a route are guarded: each call is bounded
 * by its deadline ({@link #callDeadline}) and what it brings is scrubbed of the account's credentials
 * ({@link CredentialScrubber}).
 */
@Component
public class ProviderRouting implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(ProviderRouting.class);

    /** Where calls for an account go. */
    public enum Endpoint {
        SANDBOX("sandbox"), SIMULATOR("simulator"), CUSTOM("custom_base_url"), PROVIDER("provider");

        private final String wire;

        Endpoint(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    /**
     * The adapter factory, the account context it acts with, and where its calls go. The factory's
     * adapters are guarded (deadline, {@link CredentialScrubber}); its metadata is the adapter's own.
     */
    public record Route(ProviderAdapterFactory factory, ProviderAccountContext context, Endpoint endpoint) {}

    private final ProviderRegistry registry;
    private final AccountContexts accounts;
    private final LocalSimulators simulators;
    private final Duration callTimeout;
    private final BrokerMetrics metrics;

    ProviderRouting(ProviderRegistry registry, AccountContexts accounts, LocalSimulators simulators,
            @Value("${broker.provider.call-timeout:#{null}}") Duration callTimeout, BrokerMetrics metrics) {
        if (callTimeout != null && (callTimeout.isNegative() || callTimeout.isZero())) {
            throw new IllegalArgumentException("BROKER_PROVIDER_CALL_TIMEOUT must be positive, not " + callTimeout);
        }
        this.registry = registry;
        this.accounts = accounts;
        this.simulators = simulators;
        this.callTimeout = callTimeout;
        this.metrics = metrics;
    }

    /**
     * How long one call of the factory's adapters may run before the broker abandons it as an
     * unknown outcome: {@code BROKER_PROVIDER_CALL_TIMEOUT} when set, else the factory's
     * {@link ProviderAdapterFactory#worstCaseCallDuration()}.
     */
    public Duration callDeadline(ProviderAdapterFactory factory) {
        return callTimeout != null ? callTimeout : factory.worstCaseCallDuration();
    }

    /** The call deadline of every adapter that serves a provider key here, by adapter id. */
    public Map<String, Duration> callDeadlines() {
        Map<String, Duration> out = new LinkedHashMap<>();
        registry.serving().forEach(f -> out.put(f.id(), callDeadline(f)));
        return out;
    }

    public Optional<ProviderAdapterFactory> factory(String providerKey) {
        return registry.forProvider(providerKey);
    }

    /**
     * The route for an account of the given provider.
     *
     * @throws GeneralSecurityException when its credentials do not decrypt
     */
    public Optional<Route> route(String providerKey, String accountId) throws GeneralSecurityException {
        Optional<ProviderAdapterFactory> factory = registry.forProvider(providerKey);
        if (factory.isEmpty()) {
            return Optional.empty();
        }
        ProviderAccountContext stored = accounts.context(accountId);
        ProviderAdapterFactory guarded = new GuardedFactory(factory.get(), callDeadline(factory.get()), metrics);
        if (factory.get().sandbox()) {
            return Optional.of(new Route(guarded, stored, Endpoint.SANDBOX));
        }
        if (stored.baseUrl() != null) {
            return Optional.of(new Route(guarded, stored, Endpoint.CUSTOM));
        }
        Optional<ProviderSimulator> sim = simulators.forProvider(providerKey);
        if (sim.isPresent()) {
            ProviderAccountContext local = new ProviderAccountContext(stored.accountId(), stored.provider(), stored.scope(),
                    stored.credentials(), sim.get().baseUrl().toString(), true);
            return Optional.of(new Route(guarded, local, Endpoint.SIMULATOR));
        }
        return Optional.of(new Route(guarded, stored, Endpoint.PROVIDER));
    }

    /**
     * Creates the account at the local simulator, as the platform owner does at the real provider,
     * when the account's calls go there. Called after an account is stored and at start-up (a
     * simulator keeps the account's objects in the data directory, but not its credentials).
     */
    public void provisionAtSimulator(String providerKey, String accountId) throws GeneralSecurityException {
        ProviderSimulator simulator = simulators.forProvider(providerKey).orElse(null);
        if (simulator == null) {
            return; // no simulator runs for this provider: nothing to decrypt, nothing to provision
        }
        Optional<Route> route = route(providerKey, accountId);
        if (route.isPresent() && route.get().endpoint() == Endpoint.SIMULATOR) {
            ProviderAccountContext c = route.get().context();
            Map<String, String> creds = new HashMap<>();
            for (String name : c.credentials().names()) {
                creds.put(name, c.credentials().get(name));
            }
            try {
                simulator.provision(c.scope(), creds);
            } catch (IllegalArgumentException e) {
                // the account stays; its preflight will name the failing check
                log.warn("the {} simulator refused provider account {}: {}", providerKey, accountId, e.getMessage());
            }
        }
    }

    /** At start-up, re-creates every simulator-served account at its simulator, which finds its objects again. */
    @Override
    public void run(ApplicationArguments args) {
        if (!simulators.running()) {
            return;
        }
        for (AccountContexts.Account account : accounts.all()) {
            try {
                provisionAtSimulator(account.provider(), account.id());
            } catch (GeneralSecurityException e) {
                log.warn("provider account {} has credentials that do not decrypt; it stays unprovisioned", account.id());
            }
        }
    }
}
