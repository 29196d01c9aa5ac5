package dev.minutework.broker.providers.openaiads;

import dev.minutework.broker.core.provider.ProviderAccountContext;
import dev.minutework.broker.core.provider.ProviderAdapter;
import dev.minutework.broker.providers.http.HttpAdapterFactory;
import java.net.URI;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Makes {@link OpenAiAdsAdapter}s; one HTTP client is shared by all accounts. */
public final class OpenAiAdsAdapterFactory extends HttpAdapterFactory {

    public static final String ID = "openaiads";
    public static final URI DEFAULT_BASE_URL = URI.create("https://api.ads.openai.com/v1");

    public OpenAiAdsAdapterFactory() {
        super(ID, DEFAULT_BASE_URL);
    }

    @Override
    public Set<String> requiredCredentials() {
        return Set.of("api_key");
    }

    @Override
    public Set<String> requiredScope() {
        return Set.of("ad_account_id");
    }

    @Override
    public Map<String, Pattern> scopeFormats() {
        return Map.of("ad_account_id", Pattern.compile("act_[A-Za-z0-9_]{1,64}"));
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.LIFETIME_BUDGET, Capability.REPORTS, Capability.RECONCILE_BY_REFERENCE,
                Capability.CAMPAIGN_END_TIME_UPDATE);
    }

    @Override
    public ProviderAdapter create(ProviderAccountContext account) {
        return new OpenAiAdsAdapter(http, baseUrl(account), account);
    }
}
