package dev.minutework.broker.providers.openaiads;

import dev.minutework.broker.core.provider.ProviderCapabilities;
import dev.minutework.broker.core.provider.ProviderCapabilities.Feature;
import dev.minutework.broker.core.provider.ProviderCapabilities.TargetingKind;
import dev.minutework.broker.core.spend.BudgetPeriod;
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
    public ProviderCapabilities capabilities() {
        return CAPABILITIES;
    }

    /**
     * Lifetime budgets only (no documented daily budget); ad groups target by context hints only;
     * a chat card has one title (3–50 characters) and one body (at most 100) and no call to action.
     */
    static final ProviderCapabilities CAPABILITIES = new ProviderCapabilities(EnumSet.of(BudgetPeriod.LIFETIME),
            Set.of(), Set.copyOf(ProviderCapabilities.ALL_OBJECTIVES),
            new ProviderCapabilities.Targeting(EnumSet.of(TargetingKind.CONTEXT_HINTS), Set.of(), Set.of(), Set.of(),
                    Set.of(), false, null),
            new ProviderCapabilities.Creatives(1, 1, 50, 1, 1, 100, Set.of()),
            EnumSet.of(Feature.REPORTS, Feature.RECONCILE_BY_REFERENCE, Feature.CAMPAIGN_END_TIME_UPDATE));

    @Override
    public ProviderAdapter create(ProviderAccountContext account) {
        return new OpenAiAdsAdapter(http, baseUrl(account), account);
    }
}
