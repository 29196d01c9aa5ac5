package dev.minutework.broker.core.scope;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Finds every place in tenant input that tries to name provider scope: provider accounts, ad
 * accounts, customers, advertisers, organizations, businesses, pages, pixels, identities or
 * credentials. Scope comes only from the tenant's broker connection (design invariant 4).
 *
 * <p>Keys are compared after normalisation (lower case, separators removed), so {@code adAccountId},
 * {@code ad-account-id} and {@code AD_ACCOUNT_ID} are the same key. Paths are JSONPath-like
 * ({@code $.targeting.customer_id}, {@code $.items[2].access_token}).
 */
public final class ScopeGuard {

    /** Normalised keys that are refused wherever they appear. */
    private static final Set<String> FORBIDDEN_KEYS = Set.of(
            "provideraccount", "provideraccountid", "account", "accountid", "adaccount", "adaccountid",
            "actid", "customer", "customerid", "logincustomerid", "clientcustomerid", "managercustomerid",
            "advertiser", "advertiserid", "advertiserids", "organization", "organizationid", "organisation",
            "organisationid", "orgid", "business", "businessid", "businessmanagerid", "pageid", "pixelid",
            "identityid", "credential", "credentials", "credentialid", "apikey", "accesstoken", "refreshtoken",
            "clientsecret", "clientid", "appsecret", "appsecretproof", "developertoken", "token", "secret",
            "password", "authorization", "bearer", "connectionid", "baseurl");

    private ScopeGuard() {}

    /** Every JSON path of a forbidden key in {@code input}; empty when the input is clean. */
    public static List<String> forbiddenPaths(Object input) {
        List<String> found = new ArrayList<>();
        walk(input, "$", found);
        return found;
    }

    public static boolean isForbiddenKey(String key) {
        return FORBIDDEN_KEYS.contains(normalise(key));
    }

    private static void walk(Object node, String path, List<String> found) {
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String key = String.valueOf(e.getKey());
                String child = path + "." + key;
                if (isForbiddenKey(key)) {
                    found.add(child);
                }
                walk(e.getValue(), child, found);
            }
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                walk(list.get(i), path + "[" + i + "]", found);
            }
        }
    }

    private static String normalise(String key) {
        StringBuilder sb = new StringBuilder(key.length());
        for (char c : key.toLowerCase(Locale.ROOT).toCharArray()) {
            if (Character.isLetterOrDigit(c)) {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
