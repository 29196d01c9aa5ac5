package dev.minutework.broker.providers.tiktokads;

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

/** Makes {@link TikTokAdsAdapter}s; one HTTP client is shared by all accounts. */
public final class TikTokAdsAdapterFactory extends HttpAdapterFactory {

    public static final String ID = "tiktokads";
    public static final URI DEFAULT_BASE_URL = URI.create("https://business-api.tiktok.com/open_api/v1.3");

    public TikTokAdsAdapterFactory() {
        super(ID, DEFAULT_BASE_URL);
    }

    @Override
    public Set<String> requiredCredentials() {
        return Set.of("access_token");
    }

    @Override
    public Set<String> requiredScope() {
        return Set.of("advertiser_id");
    }

    /**
     * The TikTok identity ads are published under, when the account has one; without it ads carry
     * a {@code display_name}.
     */
    @Override
    public Set<String> optionalScope() {
        return Set.of("identity_id");
    }

    @Override
    public Map<String, Pattern> scopeFormats() {
        return Map.of("advertiser_id", Pattern.compile("\\d{1,20}"));
    }

    /**
     * Daily and lifetime budgets, reports, reconciliation by the reference in object names, and the
     * ad group {@code request_id} idempotency key. No stand-alone creative: an image is uploaded
     * and the creative lives inside the ad.
     */
    @Override
    public ProviderCapabilities capabilities() {
        return CAPABILITIES;
    }

    /**
     * Ad groups need countries (as TikTok location ids) and may set TikTok's age groups and
     * languages; an ad has one text (at most 100 characters) and, without an identity, the headline
     * as its display name (at most 40).
     */
    static final ProviderCapabilities CAPABILITIES = new ProviderCapabilities(
            EnumSet.of(BudgetPeriod.DAILY, BudgetPeriod.LIFETIME), Set.of(),
            TikTokAdsAdapter.OBJECTIVES.keySet(),
            new ProviderCapabilities.Targeting(EnumSet.of(TargetingKind.COUNTRIES, TargetingKind.AGE,
                    TargetingKind.LANGUAGES), TikTokAdsAdapter.LOCATION_IDS.keySet(), Set.of(),
                    TikTokAdsAdapter.AGE_GROUPS.stream().map(g -> (Integer) g[0]).collect(java.util.stream.Collectors.toSet()),
                    TikTokAdsAdapter.AGE_GROUPS.stream().map(g -> (Integer) g[1]).collect(java.util.stream.Collectors.toSet()),
                    true, null),
            new ProviderCapabilities.Creatives(0, 1, 40, 1, 1, 100, Set.of("learn_more", "shop_now", "sign_up", "download", "contact_us", "book_now")),
            EnumSet.of(Feature.REPORTS, Feature.RECONCILE_BY_REFERENCE, Feature.IDEMPOTENCY_KEYS));

    /** Three: the advertiser's currency (read once per adapter) before a create, and its lookup. */
    @Override
    protected int protocolCallsInSequence() {
        return 3;
    }

    @Override
    public ProviderAdapter create(ProviderAccountContext account) {
        return new TikTokAdsAdapter(http, baseUrl(account), account);
    }
}
