package dev.minutework.broker.server.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;

/**
 * Builds tenants through the operator API exactly as the README walkthrough does, and drives
 * executions and approvals for tests.
 */
public final class Story {

    public static final String OP = Broker.OPERATOR_KEY;
    private static final AtomicInteger KEYS = new AtomicInteger();

    private final Http http;
    private final Clock clock;

    /** A story against a broker on the system clock. */
    public Story(Http http) {
        this(http, Clock.systemUTC());
    }

    /**
     * A story against a broker on {@code clock} (a {@link MutableClock}): the dates it sends, such as
     * an authorization's {@code valid_until}, are relative to the time that broker sees.
     */
    public Story(Http http, Clock clock) {
        this.http = http;
        this.clock = clock;
    }

    /** A tenant and its three keys, ready or not to act. */
    public record Tenant(String id, String runtimeKey, String approverKey, String viewerKey, String providerAccountId,
            String connectionId) {}

    /** How far {@link #tenant} goes in setting the tenant up. */
    public record Setup(String provider, boolean connection, String verification, boolean terms,
            Long capMinor, Long dailyCapMinor, String authorizationCurrency, long walletMinor, Map<String, String> credentials) {

        public static Setup ready() {
            return new Setup("openaiads", true, "verified", true, 100_000L, null, "USD", 80_000L,
                    Map.of("api_key", "sk-test-" + KEYS.incrementAndGet() + "-not-a-real-key"));
        }

        /** The same set-up at another provider, with that provider's credential fields. */
        public Setup provider(String key) {
            Map<String, String> creds = switch (key) {
                case "googleads" -> Map.of("client_id", "gid-" + KEYS.incrementAndGet(), "client_secret", "gsecret-test",
                        "refresh_token", "grefresh-test-" + KEYS.get(), "developer_token", "gdev-test-token");
                case "metaads" -> Map.of("access_token", "meta-token-" + KEYS.incrementAndGet(), "app_secret", "meta-app-secret");
                case "tiktokads" -> Map.of("access_token", "tiktok-token-" + KEYS.incrementAndGet());
                default -> Map.of("api_key", "sk-test-" + KEYS.incrementAndGet() + "-not-a-real-key");
            };
            return new Setup(key, connection, verification, terms, capMinor, dailyCapMinor, authorizationCurrency,
                    walletMinor, creds);
        }

        public Setup cap(long cap) {
            return new Setup(provider, connection, verification, terms, cap, dailyCapMinor, authorizationCurrency,
                    walletMinor, credentials);
        }

        public Setup dailyCap(long daily) {
            return new Setup(provider, connection, verification, terms, capMinor, daily, authorizationCurrency,
                    walletMinor, credentials);
        }

        public Setup wallet(long wallet) {
            return new Setup(provider, connection, verification, terms, capMinor, dailyCapMinor, authorizationCurrency,
                    wallet, credentials);
        }

        public Setup noConnection() {
            return new Setup(provider, false, verification, terms, capMinor, dailyCapMinor, authorizationCurrency,
                    walletMinor, credentials);
        }

        public Setup verification(String status) {
            return new Setup(provider, connection, status, terms, capMinor, dailyCapMinor, authorizationCurrency,
                    walletMinor, credentials);
        }

        public Setup noTerms() {
            return new Setup(provider, connection, verification, false, capMinor, dailyCapMinor, authorizationCurrency,
                    walletMinor, credentials);
        }

        public Setup noAuthorization() {
            return new Setup(provider, connection, verification, terms, null, null, authorizationCurrency, walletMinor,
                    credentials);
        }

        public Setup authorizationCurrency(String currency) {
            return new Setup(provider, connection, verification, terms, capMinor, dailyCapMinor, currency, walletMinor,
                    credentials);
        }

        public Setup credentials(Map<String, String> values) {
            return new Setup(provider, connection, verification, terms, capMinor, dailyCapMinor, authorizationCurrency,
                    walletMinor, values);
        }
    }

    public Tenant tenant(String name, Setup s) {
        Http.Response t = expect(201, http.post("/v1/tenants", OP, Map.of("name", name)));
        String tenantId = t.text("/tenant_id");
        String runtime = key(tenantId, "runtime");
        String approver = key(tenantId, "approver");
        String viewer = key(tenantId, "viewer");
        Http.Response account = expect(201, http.post("/v1/provider-accounts", OP, Map.of(
                "provider", s.provider(), "label", name + " account",
                "scope", scopeFor(s.provider(), tenantId), "credentials", s.credentials())));
        String accountId = account.text("/provider_account_id");
        String connectionId = null;
        if (s.connection()) {
            connectionId = expect(201, http.post("/v1/tenants/" + tenantId + "/connections", OP,
                    Map.of("provider_account_id", accountId))).text("/connection_id");
        }
        Map<String, Object> profile = new LinkedHashMap<>();
        profile.put("legal_name", name + " Ltd");
        profile.put("verification_status", s.verification());
        if (s.terms()) {
            profile.put("terms_version", "2026-10");
            profile.put("terms_accepted_at", "2026-11-01T10:00:00Z");
            profile.put("terms_accepted_by", "owner@" + tenantId + ".test");
        }
        expect(200, http.put("/v1/tenants/" + tenantId + "/advertiser-profile", OP, profile));
        if (s.capMinor() != null) {
            Map<String, Object> auth = new LinkedHashMap<>();
            auth.put("provider", s.provider());
            auth.put("currency", s.authorizationCurrency());
            auth.put("cap_minor", s.capMinor());
            if (s.dailyCapMinor() != null) {
                auth.put("daily_cap_minor", s.dailyCapMinor());
            }
            // relative to the broker's now: a fixed date would make every tenant unready once it passed
            auth.put("valid_until", clock.instant().plus(210, ChronoUnit.DAYS).truncatedTo(ChronoUnit.DAYS).toString());
            auth.put("approved_by", "cfo@" + tenantId + ".test");
            expect(201, http.post("/v1/tenants/" + tenantId + "/spend-authorizations", OP, auth));
        }
        if (s.walletMinor() > 0) {
            expect(201, http.post("/v1/tenants/" + tenantId + "/wallet/credits", OP,
                    Map.of("amount_minor", s.walletMinor(), "reference", "credit-" + tenantId)));
        }
        return new Tenant(tenantId, runtime, approver, viewer, accountId, connectionId);
    }

    /** The account scope each provider's accounts carry (docs/providers.md). */
    static Map<String, String> scopeFor(String provider, String tenantId) {
        return switch (provider) {
            case "googleads" -> Map.of("customer_id", "1234567890");
            case "metaads" -> Map.of("ad_account_id", "act_" + (1_000_000 + KEYS.incrementAndGet()), "page_id", "100042");
            case "tiktokads" -> Map.of("advertiser_id", "7000000000000000001");
            default -> Map.of("ad_account_id", "act_" + tenantId);
        };
    }

    public String key(String tenantId, String role) {
        return expect(201, http.post("/v1/tenants/" + tenantId + "/api-keys", OP, Map.of("role", role)))
                .text("/api_key");
    }

    /** Issues a key and returns the whole answer ({@code key_id} and the once-shown {@code api_key}). */
    public Http.Response issueKey(String tenantId, String role) {
        return expect(201, http.post("/v1/tenants/" + tenantId + "/api-keys", OP, Map.of("role", role)));
    }

    /** Creates a runtime agent through the operator API; the answer holds its once-shown {@code api_key}. */
    public Http.Response agent(String tenantId, String name, List<String> capabilities, String mode) {
        return expect(201, http.post("/v1/tenants/" + tenantId + "/agents", OP,
                Map.of("name", name, "capabilities", capabilities, "mode", mode)));
    }

    /** {@code POST /v1/runtime/workflow/run-action} of an {@code mw.connector.ads} action; no key: one is generated. */
    public Http.Response runAction(String key, String action, String idempotencyKey, Map<String, Object> input) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("capability", "mw.connector.ads");
        body.put("action", action);
        if (idempotencyKey != null) {
            body.put("idempotency_key", idempotencyKey);
        }
        body.put("input", input);
        return http.post("/v1/runtime/workflow/run-action", key, body);
    }

    /** The tenant's receipts of one kind as the API lists them (seq, kind, actor, payload…), in chain order. */
    public List<JsonNode> receipts(Tenant t, String kind) {
        return allReceipts(t).stream().filter(r -> kind.equals(r.get("kind").asString())).toList();
    }

    /** Every receipt of the tenant, paged through {@code GET /v1/receipts}, in chain order. */
    private List<JsonNode> allReceipts(Tenant t) {
        List<JsonNode> out = new java.util.ArrayList<>();
        long after = 0;
        while (true) {
            Http.Response page = expect(200, http.get("/v1/receipts?after_seq=" + after + "&limit=200", t.viewerKey()));
            JsonNode rows = page.at("/receipts");
            if (rows.isEmpty()) {
                return out;
            }
            for (JsonNode r : rows) {
                out.add(r);
                after = r.get("seq").asLong();
            }
        }
    }

    /** {@code POST /v1/integration-broker/execute} of an {@code mw.connector.ads} action at a named provider (null: none named). */
    public Http.Response execute(String key, String provider, String action, String idempotencyKey,
            Map<String, Object> input) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("connector", "mw.connector.ads");
        body.put("action", action);
        if (provider != null) {
            body.put("provider", provider);
        }
        body.put("idempotency_key", idempotencyKey);
        body.put("input", input);
        return http.post("/v1/integration-broker/execute", key, body);
    }

    /** Issues a standing grant with the tenant's approver key. */
    public Http.Response standingGrant(Tenant t, List<String> actions, long ceilingMinor, String expiresAt,
            String limitedToKeyId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("actions", actions);
        body.put("provider", "openaiads");
        body.put("spend_ceiling", Map.of("amount_minor", ceilingMinor, "currency", "USD"));
        body.put("expires_at", expiresAt);
        if (limitedToKeyId != null) {
            body.put("limited_to_key_id", limitedToKeyId);
        }
        return http.post("/v1/approvals/standing-grants", t.approverKey(), body);
    }

    /** {@code POST /v1/integration-broker/execute} of an {@code mw.connector.ads} action. */
    public Http.Response execute(String key, String action, String idempotencyKey, Map<String, Object> input) {
        return execute(key, null, action, idempotencyKey, input);
    }

    public static Map<String, Object> campaign(String name, long lifetimeMinor) {
        return Map.of("name", name, "status", "active",
                "budget", Map.of("amount_minor", lifetimeMinor, "currency", "USD", "period", "lifetime"));
    }

    /** Asks for a campaign and has the approver approve it; returns the finished execution. */
    public JsonNode createApproved(Tenant t, String idempotencyKey, Map<String, Object> input) {
        Http.Response asked = expect(202, execute(t.runtimeKey(), "ads.create_campaign", idempotencyKey, input));
        Http.Response approved = expect(200,
                http.post("/v1/approvals/" + asked.text("/approval_id") + "/approve", t.approverKey(), null));
        return approved.at("/execution");
    }

    public JsonNode wallet(Tenant t) {
        return expect(200, http.get("/v1/wallet", t.viewerKey())).json();
    }

    public JsonNode verify(Tenant t) {
        return expect(200, http.get("/v1/receipts/verify", t.viewerKey())).json();
    }

    /** The payloads of the tenant's receipts of one kind, in chain order, read through the API. */
    public List<JsonNode> receiptPayloads(Tenant t, String kind) {
        return receipts(t, kind).stream().map(r -> Http.JSON.readTree(r.get("payload").asString())).toList();
    }

    public List<String> receiptKinds(Tenant t) {
        return allReceipts(t).stream().map(r -> r.get("kind").asString()).toList();
    }

    public static Http.Response expect(int status, Http.Response r) {
        assertThat(r.status()).as("HTTP status of %s", r).isEqualTo(status);
        return r;
    }
}
