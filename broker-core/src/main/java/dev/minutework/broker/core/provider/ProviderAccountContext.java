package dev.minutework.broker.core.provider;

import java.util.Map;

/**
 * What an adapter knows of the broker-owned provider account it acts for.
 *
 * @param accountId the broker's id of the provider account
 * @param provider the provider key ({@code openaiads}, …)
 * @param scope account scope (ad account id, customer id, …), never from tenant input
 * @param credentials decrypted credentials; use only at the edge
 * @param baseUrl the API base URL override, or {@code null} for the adapter's default
 */
public record ProviderAccountContext(
        String accountId, String provider, Map<String, String> scope, ProviderCredentials credentials, String baseUrl) {

    public ProviderAccountContext {
        scope = Map.copyOf(scope);
    }
}
