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
 * @param simulated whether the calls go to a local simulator of the provider (the embedded run):
 *     then the adapter stands in for the third parties the provider would need too, and reaches
 *     nothing on the internet (Google's creative image is not downloaded, a placeholder is sent)
 */
public record ProviderAccountContext(String accountId, String provider, Map<String, String> scope,
        ProviderCredentials credentials, String baseUrl, boolean simulated) {

    public ProviderAccountContext {
        scope = Map.copyOf(scope);
    }

    /** An account whose calls go to the provider (or the endpoint of {@code baseUrl}), not to a simulator. */
    public ProviderAccountContext(String accountId, String provider, Map<String, String> scope,
            ProviderCredentials credentials, String baseUrl) {
        this(accountId, provider, scope, credentials, baseUrl, false);
    }
}
