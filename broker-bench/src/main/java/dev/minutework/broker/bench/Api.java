package dev.minutework.broker.bench;

import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.core.json.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/** The broker's HTTP API as the benchmark uses it. */
final class Api {

    /** An answer; {@code brokerMillis} is the broker's own time from its Server-Timing header, or -1. */
    record Answer(int status, Map<String, Object> json, double brokerMillis) {
        String text(String field) {
            return (String) json.get(field);
        }
    }

    /** A tenant ready to spend, with a standing grant so mutating work runs at once. */
    record Tenant(String id, String runtimeKey) {}

    private final URI base;
    private final HttpClient client = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor())
            .connectTimeout(Duration.ofSeconds(10)).build();

    Api(URI base) {
        this.base = base;
    }

    Answer call(String method, String path, String key, Map<String, Object> body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + key);
        if (body != null) {
            b.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(CanonicalJson.canonicalize(body)));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Object> json = r.body().isBlank() ? Map.of() : JsonParser.parseObject(r.body());
        return new Answer(r.statusCode(), json, r.headers().firstValue("Server-Timing").map(Api::brokerMillis).orElse(-1.0));
    }

    /** The {@code broker;dur=…} entry of a Server-Timing header, in milliseconds; -1 when absent. */
    static double brokerMillis(String serverTiming) {
        for (String metric : serverTiming.split(",")) {
            String[] parts = metric.trim().split(";");
            if (parts[0].equals("broker")) {
                for (String p : parts) {
                    if (p.startsWith("dur=")) {
                        return Double.parseDouble(p.substring(4));
                    }
                }
            }
        }
        return -1;
    }

    private Answer expect(int status, Answer a, String what) {
        if (a.status() != status) {
            throw new IllegalStateException(what + " answered " + a.status() + " " + a.json());
        }
        return a;
    }

    Tenant readyTenant(String name, int n) throws IOException, InterruptedException {
        String op = BrokerProcess.OPERATOR_KEY;
        String tenant = expect(201, call("POST", "/v1/tenants", op, Map.of("name", name)), "tenant").text("tenant_id");
        String runtime = expect(201, call("POST", "/v1/tenants/" + tenant + "/api-keys", op, Map.of("role", "runtime")),
                "runtime key").text("api_key");
        String approver = expect(201, call("POST", "/v1/tenants/" + tenant + "/api-keys", op, Map.of("role", "approver")),
                "approver key").text("api_key");
        String account = expect(201, call("POST", "/v1/provider-accounts", op, Map.of("provider", "openaiads",
                "label", name, "scope", Map.of("ad_account_id", "act_bench" + n),
                "credentials", Map.of("api_key", "sk-bench-" + n + "-not-a-real-key"))), "account").text("provider_account_id");
        expect(201, call("POST", "/v1/tenants/" + tenant + "/connections", op, Map.of("provider_account_id", account)),
                "connection");
        expect(200, call("PUT", "/v1/tenants/" + tenant + "/advertiser-profile", op, Map.of("legal_name", name,
                "verification_status", "verified", "terms_version", "1", "terms_accepted_at", "2026-11-01T00:00:00Z",
                "terms_accepted_by", "bench")), "advertiser");
        expect(201, call("POST", "/v1/tenants/" + tenant + "/spend-authorizations", op, Map.of("provider", "openaiads",
                "currency", "USD", "cap_minor", 1_000_000_000_000L, "approved_by", "bench")), "authorization");
        expect(201, call("POST", "/v1/tenants/" + tenant + "/wallet/credits", op,
                Map.of("amount_minor", 1_000_000_000_000L, "reference", "bench")), "credits");
        expect(201, call("POST", "/v1/approvals/standing-grants", approver, Map.of(
                "actions", List.of("ads.create_campaign"), "provider", "openaiads",
                "spend_ceiling", Map.of("amount_minor", 1_000_000_000_000L, "currency", "USD"),
                "expires_at", Instant.now().plus(Duration.ofDays(1)).toString())), "standing grant");
        return new Tenant(tenant, runtime);
    }

    static Map<String, Object> execute(String action, String key, Map<String, Object> input) {
        return Map.of("connector", "mw.connector.ads", "action", action, "idempotency_key", key, "input", input);
    }
}
