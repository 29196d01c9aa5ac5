package dev.minutework.broker.server.preflight;

import dev.minutework.broker.core.provider.ProviderAdapterFactory;
import dev.minutework.broker.core.provider.ProviderCheck;
import dev.minutework.broker.server.routing.ProviderRouting;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * What a provider account's live checks last said: an adapter serves it, its credentials decrypt,
 * and the provider accepts them (invariant 8). Preflight runs them afresh; execute asks here, so a
 * provider that refuses the account's credentials refuses execution too ({@code not_ready}), at
 * the cost of one round of provider checks per account every {@code broker.provider-health.ttl}.
 * A provider call refused for authentication marks the account failing at once.
 */
@Component
public class ProviderHealth {

    private record Verdict(List<ProviderCheck> checks, Instant at) {}

    private final ProviderRouting routing;
    private final Clock clock;
    private final Duration ttl;
    private final Map<String, Verdict> byAccount = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> checking = new ConcurrentHashMap<>();

    ProviderHealth(ProviderRouting routing, Clock clock, @Value("${broker.provider-health.ttl:PT1M}") Duration ttl) {
        this.routing = routing;
        this.clock = clock;
        this.ttl = ttl;
    }

    /** The checks of an account, and where its calls go (null when they go nowhere). */
    record Checked(List<ProviderCheck> checks, ProviderRouting.Endpoint endpoint) {}

    /**
     * The live checks of the account (none without an adapter: readiness names that), run now, and
     * remembered for execute.
     */
    Checked check(String provider, String providerAccountId) {
        List<ProviderCheck> checks = new ArrayList<>();
        ProviderRouting.Endpoint endpoint = null;
        ProviderAdapterFactory factory = routing.factory(provider).orElse(null);
        if (factory != null) {
            try {
                ProviderRouting.Route route = routing.route(provider, providerAccountId).orElseThrow();
                endpoint = route.endpoint();
                checks.add(new ProviderCheck("credentials_decrypt", true,
                        "credential fields " + route.context().credentials().names()));
                // in the broker's words: what an adapter says of the platform's account is not for tenants
                route.factory().create(route.context()).checks().forEach(c -> checks.add(Preflight.forTenant(c)));
            } catch (GeneralSecurityException e) {
                checks.add(new ProviderCheck("credentials_decrypt", false, "credentials do not decrypt under the master keyset"));
            }
        }
        List<ProviderCheck> result = List.copyOf(checks);
        byAccount.put(providerAccountId, new Verdict(result, clock.instant()));
        return new Checked(result, endpoint);
    }

    /**
     * The account's failing checks, as last seen within the time to live, else checked now — by one
     * caller per account, the others waiting for its verdict rather than all asking the provider.
     */
    public List<ProviderCheck> failing(String provider, String providerAccountId) {
        Verdict v = fresh(providerAccountId);
        if (v == null) {
            ReentrantLock lock = checking.computeIfAbsent(providerAccountId, id -> new ReentrantLock());
            lock.lock();
            try {
                v = fresh(providerAccountId);
                if (v == null) {
                    check(provider, providerAccountId);
                    v = byAccount.get(providerAccountId);
                }
            } finally {
                lock.unlock();
            }
        }
        return v.checks().stream().filter(c -> !c.ok()).toList();
    }

    private Verdict fresh(String providerAccountId) {
        Verdict v = byAccount.get(providerAccountId);
        return v != null && v.at().plus(ttl).isAfter(clock.instant()) ? v : null;
    }

    /** The provider refused the account's credentials on a call: failing until checked again. */
    public void authenticationFailed(String providerAccountId) {
        byAccount.put(providerAccountId, new Verdict(List.of(new ProviderCheck("credentials_authenticate", false,
                "the provider refused the account's credentials on the last call")), clock.instant()));
    }
}
