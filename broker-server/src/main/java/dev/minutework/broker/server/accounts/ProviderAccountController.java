package dev.minutework.broker.server.accounts;

import dev.minutework.broker.core.provider.ProviderAdapterFactory;
import dev.minutework.broker.server.api.Times;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.Body;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.routing.ProviderRegistry;
import dev.minutework.broker.server.routing.ProviderRouting;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.TreeSet;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Operator endpoints for provider accounts. Credentials are write-only. */
@RestController
class ProviderAccountController {

    private final ProviderAccounts accounts;
    private final ProviderRouting routing;
    private final ProviderRegistry registry;

    ProviderAccountController(ProviderAccounts accounts, ProviderRouting routing, ProviderRegistry registry) {
        this.accounts = accounts;
        this.routing = routing;
        this.registry = registry;
    }

    @PostMapping("/v1/provider-accounts")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> create(Caller caller, @RequestBody Map<String, Object> json) {
        caller.requireOperator();
        Body body = new Body(json);
        body.only(Set.of("provider", "label", "scope", "credentials", "base_url"));
        String provider = body.oneOf("provider", true, registry.realKeys());
        String label = body.string("label", true, 200);
        Map<String, String> scope = strings(body, "scope");
        Map<String, String> credentials = strings(body, "credentials");
        String baseUrl = body.string("base_url", false, 500);
        if (baseUrl != null && !validBaseUrl(baseUrl)) {
            body.error("base_url", "must be an absolute http(s) URL without credentials or query");
        }
        ProviderAdapterFactory adapter = provider == null ? null : registry.real(provider).orElseThrow();
        if (adapter != null && scope != null && credentials != null) {
            scope = adapter.normalizeScope(scope);
            check(body, "scope", scope.keySet(), adapter.requiredScope(), adapter.optionalScope());
            check(body, "credentials", credentials.keySet(), adapter.requiredCredentials(), adapter.optionalCredentials());
            for (Map.Entry<String, Pattern> format : adapter.scopeFormats().entrySet()) {
                String value = scope.get(format.getKey());
                if (value != null && !format.getValue().matcher(value).matches()) {
                    body.error("$.scope." + format.getKey(), "does not name a " + provider + " account: expected "
                            + format.getValue().pattern());
                }
            }
        }
        body.validate();
        ProviderAccounts.View created = accounts.create(provider, label, scope, credentials, baseUrl);
        try {
            routing.provisionAtSimulator(provider, created.id());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a credential just encrypted does not decrypt", e);
        }
        return view(created);
    }

    @GetMapping("/v1/provider-accounts")
    Map<String, Object> list(Caller caller) {
        caller.requireOperator();
        return Map.of("provider_accounts", accounts.all().stream().map(ProviderAccountController::view).toList());
    }

    @GetMapping("/v1/provider-accounts/{id}")
    Map<String, Object> get(Caller caller, @PathVariable String id) {
        caller.requireOperator();
        return view(accounts.find(id).orElseThrow(() -> ApiException.notFound("provider account")));
    }

    static Map<String, Object> view(ProviderAccounts.View v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("provider_account_id", v.id());
        m.put("provider", v.provider());
        m.put("label", v.label());
        m.put("scope", v.scope());
        m.put("credential_fields", v.credentialFields());
        m.put("base_url", v.baseUrl());
        m.put("created_at", Times.rfc3339(v.createdAt()));
        return m;
    }

    private static Map<String, String> strings(Body body, String field) {
        Map<String, Object> raw = body.map(field, true);
        if (raw == null) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        raw.forEach((k, v) -> {
            if (v instanceof String s && !s.isBlank() && s.length() <= 4096) {
                out.put(k, s);
            } else {
                body.error("$." + field + "." + k, "must be a non-empty string");
            }
        });
        return out;
    }

    private static void check(Body body, String field, Set<String> given, Set<String> required, Set<String> optional) {
        Set<String> missing = new TreeSet<>(required);
        missing.removeAll(given);
        for (String m : missing) {
            body.error("$." + field + "." + m, "is required for this provider");
        }
        for (String g : given) {
            if (!required.contains(g) && !optional.contains(g)) {
                body.error("$." + field + "." + g, "is not a field of this provider; expected " + new TreeSet<>(required));
            }
        }
    }

    private static boolean validBaseUrl(String s) {
        try {
            URI u = URI.create(s);
            return List.of("http", "https").contains(u.getScheme()) && u.getHost() != null && u.getUserInfo() == null
                    && u.getQuery() == null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
