package dev.minutework.broker.server.preflight;

import dev.minutework.broker.core.provider.ProviderAdapterFactory;
import dev.minutework.broker.core.provider.ProviderCheck;
import dev.minutework.broker.core.connector.ConnectorManifest;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;

/**
 * The readiness of one provider for one tenant (invariant 8): every check, named, with its verdict;
 * ready only when all pass. The preflight endpoint and the runtime's capability inventory both
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
            List<ProviderCheck> checks) {

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
        List<ProviderCheck> checks = new ArrayList<>();
        ProviderAdapterFactory factory = routing.factory(key).orElse(null);
        checks.add(new ProviderCheck("adapter_available", factory != null, factory == null ? "no adapter serves " + key
                : factory.real() ? "adapter " + factory.id() : "adapter " + factory.id() + " (not the real provider)"));
        Connections.Connection connection = state.optional(liveRead);
        checks.add(new ProviderCheck("connection_active", connection != null && connection.active(),
                connection == null ? "no connection to " + key : "connection " + connection.id() + " is " + connection.status()));
        ProviderRouting.Endpoint endpoint = null;
        if (connection != null && factory != null) {
            // the account's live checks, remembered for execute; adapter_available is already named above
            ProviderHealth.Checked live = health.check(key, connection.providerAccountId());
            endpoint = live.endpoint();
            live.checks().stream().filter(c -> !"adapter_available".equals(c.name())).forEach(checks::add);
        }
        AdvertiserProfiles.Profile profile = state.optional(profileRead);
        checks.add(new ProviderCheck("advertiser_verified", profile != null && profile.verified(),
                profile == null ? "no advertiser profile" : "verification " + profile.verificationStatus()));
        checks.add(new ProviderCheck("terms_accepted", profile != null && profile.termsAccepted(),
                profile != null && profile.termsAccepted() ? "terms " + profile.termsVersion() : "terms not accepted"));
        boolean authorized = Boolean.TRUE.equals(state.optional(authorizedRead));
        checks.add(new ProviderCheck("spend_authorization_active", authorized,
                authorized ? "an authorization is active" : "no active spend authorization for " + key));
        Wallets.Wallet wallet = state.optional(walletRead);
        if (wallet == null) {
            throw ApiException.notFound("wallet");
        }
        checks.add(new ProviderCheck("wallet_funded", wallet.availableMinor() > 0,
                "available " + wallet.availableMinor() + " " + wallet.currency() + " minor units"));
        boolean ready = checks.stream().allMatch(ProviderCheck::ok);
        // real only when calls reach the provider's own API, never for the sandbox or a simulator
        boolean real = factory != null && factory.real()
                && (endpoint == ProviderRouting.Endpoint.PROVIDER || endpoint == ProviderRouting.Endpoint.CUSTOM);
        return new Report(key, ready, factory == null ? null : factory.id(), real,
                endpoint == null ? null : endpoint.wire(), List.copyOf(checks));
    }
}
