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
import java.util.stream.Collectors;

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

    /**
     * {@code webhook_secret}: the app's client secret TikTok signs webhook deliveries with
     * ({@code TikTok-Signature}); without it the broker rejects every delivery for the account.
     */
    @Override
    public Set<String> optionalCredentials() {
        return Set.of("webhook_secret");
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
     * What {@link TikTokAdsAdapter} takes: daily and lifetime budgets in the advertiser's own
     * currency (checked against the advertiser, so any currency here); the objectives it can carry
     * to an ad (awareness, traffic); ad groups that must name countries (those with a TikTok location
     * id), may name languages, and may name an age range made of TikTok's age groups (it starts at
     * 13, 18, 25, 35, 45 or 55 and ends at 17, 24, 34, 44, 54 or 65, which stands for 55+); an ad with
     * one text (at most 100 characters) and, for accounts without an identity, the headline as its
     * display name (at most 40), with one of TikTok's calls to action. Reports, reconciliation by the
     * reference in object names, and the ad group {@code request_id} idempotency key. No campaign
     * end time (TikTok schedules ad groups) and no dry run.
     */
    static final ProviderCapabilities CAPABILITIES = new ProviderCapabilities(
            EnumSet.of(BudgetPeriod.DAILY, BudgetPeriod.LIFETIME), Set.of(),
            TikTokAdsAdapter.OBJECTIVES.keySet(),
            new ProviderCapabilities.Targeting(EnumSet.of(TargetingKind.COUNTRIES, TargetingKind.AGE,
                    TargetingKind.LANGUAGES), TikTokAdsAdapter.LOCATION_IDS.keySet(), Set.of(),
                    TikTokAdsAdapter.AGE_GROUPS.stream().map(g -> (Integer) g[0]).collect(Collectors.toSet()),
                    TikTokAdsAdapter.AGE_GROUPS.stream().map(g -> (Integer) g[1]).collect(Collectors.toSet()),
                    true, "age_max 65 stands for TikTok's open-ended 55+ group"),
            new ProviderCapabilities.Creatives(1, 1, TikTokAdsAdapter.DISPLAY_NAME_MAX, 1, 1,
                    TikTokAdsAdapter.AD_TEXT_MAX, TikTokAdsAdapter.CALLS_TO_ACTION.keySet()),
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
