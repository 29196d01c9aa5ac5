package dev.minutework.broker.server.runtime;

import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.identity.Role;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The platform over its tenant-level HTTP API ({@code BROKER_ROLE=runtime}). Each call carries the
 * runtime caller's own key, so the platform authorizes and receipts the real actor. The runtime's
 * own tenant runtime key pins the process to its tenant: callers of another tenant are refused.
 * Nothing here holds or sees a provider credential.
 */
class RemotePlatform implements Platform {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final URI base;
    private final String runtimeKey;
    private final JsonMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile String tenantId;

    RemotePlatform(URI base, String runtimeKey, JsonMapper json) {
        if (base == null || runtimeKey == null || runtimeKey.isBlank()) {
            throw new IllegalStateException("BROKER_ROLE=runtime needs BROKER_PLATFORM_URL and BROKER_RUNTIME_KEY");
        }
        this.base = base;
        this.runtimeKey = runtimeKey;
        this.json = json;
    }

    /** The tenant this runtime serves: the tenant of its runtime key, asked once. */
    String tenantId() {
        String t = tenantId;
        if (t == null) {
            Caller.TenantKey own = lookUp(runtimeKey).orElseThrow(() -> new IllegalStateException(
                    "the platform does not know BROKER_RUNTIME_KEY"));
            if (own.role() != Role.RUNTIME) {
                throw new IllegalStateException("BROKER_RUNTIME_KEY must be a tenant key of role runtime");
            }
            t = own.tenantId();
            tenantId = t;
        }
        return t;
    }

    @Override
    public Optional<Caller.TenantKey> identify(String bearer) {
        Optional<Caller.TenantKey> key = lookUp(bearer);
        if (key.isPresent() && !key.get().tenantId().equals(tenantId())) {
            throw new ApiException(ErrorCode.FORBIDDEN_ROLE, "this runtime serves another tenant");
        }
        return key;
    }

    private Optional<Caller.TenantKey> lookUp(String bearer) {
        Reply r = send("GET", "/v1/runtime/identity", bearer, null);
        if (r.status() == 401) {
            return Optional.empty();
        }
        Map<String, Object> m = r.orThrow();
        Caller.Agent agent = null;
        if (m.get("agent") instanceof Map<?, ?> a) {
            @SuppressWarnings("unchecked")
            List<String> capabilities = (List<String>) a.get("capabilities");
            agent = new Caller.Agent((String) a.get("agent_id"), (String) a.get("name"), capabilities,
                    "mutating".equals(a.get("mode")));
        }
        return Optional.of(new Caller.TenantKey((String) m.get("tenant_id"), (String) m.get("key_id"),
                Role.parse((String) m.get("role")), agent));
    }

    @Override
    public Answer execute(Asker asker, Map<String, Object> body) {
        Reply r = send("POST", "/v1/integration-broker/execute", asker.bearer(), body);
        return new Answer(r.status(), r.orThrow(), r.replayed());
    }

    @Override
    public Map<String, Object> execution(Asker asker, String executionId) {
        return send("GET", "/v1/executions/" + encode(executionId), asker.bearer(), null).orThrow();
    }

    @Override
    public Map<String, Object> preflight(Asker asker, String provider) {
        String q = provider == null ? "" : "?provider=" + encode(provider);
        return send("GET", "/v1/integration-broker/preflight" + q, asker.bearer(), null).orThrow();
    }

    @Override
    public Map<String, Object> reportGap(Asker asker, Map<String, Object> report) {
        return send("POST", "/v1/runtime/capability-gaps", asker.bearer(), report).orThrow();
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> gaps(Asker asker) {
        return (List<Map<String, Object>>) send("GET", "/v1/runtime/capability-gaps", asker.bearer(), null).orThrow()
                .get("gaps");
    }

    /** One platform answer. */
    private record Reply(int status, Map<String, Object> body, boolean replayed) {

        /** The body of a 2xx answer; otherwise the platform's error, raised with its code. */
        @SuppressWarnings("unchecked")
        Map<String, Object> orThrow() {
            if (status / 100 == 2) {
                return body;
            }
            Map<String, Object> error = body != null && body.get("error") instanceof Map<?, ?> e
                    ? (Map<String, Object>) e : Map.of();
            ErrorCode code;
            try {
                code = ErrorCode.valueOf(String.valueOf(error.get("code")).toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException unknown) {
                code = ErrorCode.INTERNAL_ERROR;
            }
            Object message = error.getOrDefault("message", "the platform answered " + status);
            throw new ApiException(code, String.valueOf(message), error.get("details"));
        }
    }

    private Reply send(String method, String path, String bearer, Object body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + bearer).header("Accept", "application/json");
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            Map<String, Object> parsed = r.body().isBlank() ? null
                    : json.readValue(r.body(), new TypeReference<Map<String, Object>>() {});
            return new Reply(r.statusCode(), parsed,
                    "true".equals(r.headers().firstValue("Idempotent-Replayed").orElse(null)));
        } catch (IOException e) {
            throw new ApiException(ErrorCode.INTERNAL_ERROR, "the platform could not be reached");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(ErrorCode.INTERNAL_ERROR, "interrupted while calling the platform");
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
