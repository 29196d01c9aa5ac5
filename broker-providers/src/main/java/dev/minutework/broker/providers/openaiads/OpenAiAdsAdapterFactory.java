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
     * What {@link OpenAiAdsAdapter} takes: lifetime budgets only (no documented daily budget), in US
     * dollars (the currency its reports are read in); every objective (carried in the campaign's
     * description); ad groups that target by context hints only; a chat card of one title (3 to 50
     * characters: the neutral headline's own minimum is 3) and one body (1 to 100), without a call to
     * action. Reports, reconciliation by the reference in object names, and moving a campaign's end
     * time. No idempotency keys are sent and there is no dry run.
     */
    static final ProviderCapabilities CAPABILITIES = new ProviderCapabilities(EnumSet.of(BudgetPeriod.LIFETIME),
            Set.of(OpenAiAdsAdapter.CURRENCY), Set.copyOf(ProviderCapabilities.ALL_OBJECTIVES),
            new ProviderCapabilities.Targeting(EnumSet.of(TargetingKind.CONTEXT_HINTS), Set.of(), Set.of(), Set.of(),
                    Set.of(), false, "ad groups take context hints only; OpenAI's location targeting belongs to the "
                            + "campaign and is not mapped"),
            new ProviderCapabilities.Creatives(1, 1, OpenAiAdsAdapter.TITLE_MAX, 1, 1, OpenAiAdsAdapter.BODY_MAX,
                    Set.of()),
            EnumSet.of(Feature.REPORTS, Feature.RECONCILE_BY_REFERENCE, Feature.CAMPAIGN_END_TIME_UPDATE));

    @Override
    public ProviderAdapter create(ProviderAccountContext account) {
        return new OpenAiAdsAdapter(http, baseUrl(account), account);
    }
}
