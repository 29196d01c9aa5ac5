package dev.minutework.broker.server.preflight;

import dev.minutework.broker.core.provider.ProviderAdapterFactory;
import dev.minutework.broker.core.provider.ProviderCapabilities;
import dev.minutework.broker.core.provider.ProviderCheck;
import dev.minutework.broker.core.connector.ConnectorManifest;
import dev.minutework.broker.core.execution.ReadinessChecks;
import dev.minutework.broker.core.execution.TenantSnapshot;
import dev.minutework.broker.server.routing.ProviderRouting;
import dev.minutework.broker.server.advertisers.AdvertiserProfiles;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.api.RequestJson;
import dev.minutework.broker.server.persistence.Reads;
import dev.minutework.broker.server.connections.Connections;
import dev.minutework.broker.server.connectors.ConnectorCatalog;
import dev.minutework.broker.server.spend.SpendAuthorizations;
import dev.minutework.broker.server.spend.Wallets;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Service;

/**
 * The readiness of one provider for one tenant (invariant 8): every check, named, with its verdict;
 * ready only when all pass. The checks are broker-core's {@link ReadinessChecks}, the list execute
 * refuses by too. The preflight endpoint and the runtime's capability inventory both
 * answer from here.
 */
@Service
public class Preflight {

    private final ConnectorCatalog catalog;
    private final Connections connections;
    private final ProviderRouting routing;
    private final AdvertiserProfiles advertisers;
    private final SpendAuthorizations authorizations;
    private final Wallets wallets;
    private final Reads reads;
    private final Clock clock;
    private final ProviderHealth health;

    Preflight(ConnectorCatalog catalog, Connections connections, ProviderRouting routing,
            AdvertiserProfiles advertisers, SpendAuthorizations authorizations, Wallets wallets, Reads reads,
            Clock clock, ProviderHealth health) {
        this.health = health;
        this.reads = reads;
        this.clock = clock;
        this.catalog = catalog;
        this.connections = connections;
        this.routing = routing;
        this.advertisers = advertisers;
        this.authorizations = authorizations;
        this.wallets = wallets;
    }

    /**
     * An adapter's check as a tenant sees it: its name and verdict in the broker's words. The adapter's
     * own detail describes the platform's provider account (its ad account, customer, advertiser or
     * business id, what the provider said of it): platform scope, which tenants never see
     * (invariant 4). No operator preflight exists; the detail is dropped.
     */
    static ProviderCheck forTenant(ProviderCheck check) {
        String detail;
        if (!check.ok() && check.detail() != null && check.detail().startsWith("not checked")) {
            detail = "not checked: an earlier check failed";
        } else {
            detail = switch (check.name()) {
                case "provider_reachable" -> check.ok() ? "the provider answers" : "the provider cannot be reached";
                case "credentials_authenticate" -> check.ok() ? "the provider accepts the platform's credentials"
                        : "the provider refuses the platform's credentials; the platform operator must renew them";
                case "developer_token_approved" -> check.ok() ? "the provider accepts the platform's developer token"
                        : "the provider refuses the platform's developer token";
                case "account_reachable" -> check.ok() ? "the platform's provider account answers"
                        : "the platform's provider account is not reachable or not active";
                default -> check.ok() ? "passed" : "failed; the platform operator can tell why";
            };
        }
        return new ProviderCheck(check.name(), check.ok(), detail);
    }

    /** What preflight found; {@code ready} only when every check passed. */
    public record Report(String provider, boolean ready, String adapter, boolean realProvider, String endpoint,
            List<ProviderCheck> checks, ProviderCapabilities capabilities) {

        /** The report as the API shows it. */
        public Map<String, Object> view() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("provider", provider);
            m.put("ready", ready);
            m.put("adapter", adapter);
            m.put("real_provider", realProvider);
            m.put("endpoint", endpoint);
            m.put("checks", checks.stream().map(c -> {
                Map<String, Object> cm = new LinkedHashMap<>();
                cm.put("name", c.name());
                cm.put("ok", c.ok());
                cm.put("detail", c.detail());
                return cm;
            }).toList());
            // what the provider can take, as its adapter declares it: execute refuses the rest before approval
            m.put("capabilities", capabilities == null ? null : capabilities.describe());
            return m;
        }
    }

    /**
     * Preflight as the API answers it: {@code provider} (the default provider of
     * {@code mw.connector.ads} when null) checked for the tenant; an unknown provider is a
     * {@code capability_gap}.
     */
    public Map<String, Object> view(String tenant, String provider) {
        ConnectorManifest ads = catalog.connector("mw.connector.ads").orElseThrow();
        String key = provider == null ? ads.defaultProvider() : provider;
        if (!ads.providers().contains(key)) {
            throw new ApiException(ErrorCode.CAPABILITY_GAP, "unknown provider " + RequestJson.clip(key, 64));
        }
        return check(tenant, key).view();
    }

    /** What a provider's adapter declares it can take, without running any check; empty without an adapter. */
    public Optional<ProviderCapabilities> capabilities(String provider) {
        return routing.factory(provider).map(ProviderAdapterFactory::capabilities);
    }

    /**
     * Runs every check of {@code provider} (a provider key of {@code mw.connector.ads}) for the
     * tenant; the tenant's state is read in one round trip.
     */
    private Report check(String tenant, String key) {
        Reads.Read<Connections.Connection> liveRead = connections.liveRead();
        Reads.Read<AdvertiserProfiles.Profile> profileRead = advertisers.read();
        Reads.Read<Boolean> authorizedRead = authorizations.anyActiveRead();
        Reads.Read<Wallets.Wallet> walletRead = wallets.read();
        Reads.Results state = reads.together(Map.of("tenant", tenant, "provider", key,
                "now", OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC)),
                List.of(liveRead, profileRead, authorizedRead, walletRead));
        ProviderAdapterFactory factory = routing.factory(key).orElse(null);
        Connections.Connection connection = state.optional(liveRead);
        ProviderRouting.Endpoint endpoint = null;
        List<ProviderCheck> live = List.of();
        if (connection != null && factory != null) {
            // the account's live checks, run now and remembered for execute
            ProviderHealth.Checked checked = health.check(key, connection.providerAccountId());
            endpoint = checked.endpoint();
            live = checked.checks();
        }
        AdvertiserProfiles.Profile profile = state.optional(profileRead);
        Wallets.Wallet wallet = state.optional(walletRead);
        if (wallet == null) {
            throw ApiException.notFound("wallet");
        }
        TenantSnapshot snapshot = new TenantSnapshot(key, null, null,
                factory == null ? null : new TenantSnapshot.Adapter(factory.id(), factory.real()),
                connection == null ? null : connection.fact(), live, profile == null ? null : profile.fact(),
                Boolean.TRUE.equals(state.optional(authorizedRead)), null, wallet.fact(), Map.of(), null, 0, List.of(),
                null);
        List<ProviderCheck> checks = ReadinessChecks.all(snapshot);
        boolean ready = checks.stream().allMatch(ProviderCheck::ok);
        // real only when calls reach the provider's own API, never for the sandbox or a simulator
        boolean real = factory != null && factory.real()
                && (endpoint == ProviderRouting.Endpoint.PROVIDER || endpoint == ProviderRouting.Endpoint.CUSTOM);
        return new Report(key, ready, factory == null ? null : factory.id(), real,
                endpoint == null ? null : endpoint.wire(), List.copyOf(checks),
                factory == null ? null : factory.capabilities());
    }
}
