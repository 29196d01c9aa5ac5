package dev.minutework.broker.providers.metaads;

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

/**
 * Makes {@link MetaAdsAdapter}s; one HTTP client is shared by all accounts. The scope needs
 * {@code ad_account_id}; {@code page_id} is optional, but creatives are refused without it.
 */
public final class MetaAdsAdapterFactory extends HttpAdapterFactory {

    public static final String ID = "metaads";
    public static final URI DEFAULT_BASE_URL = URI.create("https://graph.facebook.com/v26.0");

    public MetaAdsAdapterFactory() {
        super(ID, DEFAULT_BASE_URL);
    }

    @Override
    public Set<String> requiredCredentials() {
        return Set.of("access_token", "app_secret");
    }

    @Override
    public Set<String> requiredScope() {
        return Set.of("ad_account_id");
    }

    /** Creatives need the Facebook page the ads speak for. */
    @Override
    public Set<String> optionalScope() {
        return Set.of("page_id");
    }

    @Override
    public Map<String, Pattern> scopeFormats() {
        return Map.of("ad_account_id", Pattern.compile("(act_)?\\d{1,20}"), "page_id", Pattern.compile("\\d{1,20}"));
    }

    @Override
    public ProviderCapabilities capabilities() {
        return CAPABILITIES;
    }

    /**
     * Objectives that need no pixel or app (awareness, traffic, engagement); ad sets need countries
     * and may set ages; a link ad has one headline and one primary text.
     */
    static final ProviderCapabilities CAPABILITIES = new ProviderCapabilities(
            EnumSet.of(BudgetPeriod.DAILY, BudgetPeriod.LIFETIME), Set.of(), Set.of("awareness", "traffic", "engagement"),
            new ProviderCapabilities.Targeting(EnumSet.of(TargetingKind.COUNTRIES, TargetingKind.AGE), Set.of(),
                    Set.of(), Set.of(), Set.of(), true, null),
            new ProviderCapabilities.Creatives(1, 1, 255, 1, 1, 100, Set.of("learn_more", "shop_now", "sign_up", "download", "contact_us", "book_now")),
            EnumSet.of(Feature.STANDALONE_CREATIVE, Feature.REPORTS, Feature.RECONCILE_BY_REFERENCE,
                    Feature.CAMPAIGN_END_TIME_UPDATE));

    @Override
    public ProviderAdapter create(ProviderAccountContext account) {
        return new MetaAdsAdapter(http, baseUrl(account), account);
    }
}
