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

    /**
     * {@code webhook_verify_token}: the token the broker expects in Meta's webhook verification
     * handshake ({@code hub.verify_token}); deliveries themselves are signed with {@code app_secret}.
     */
    @Override
    public Set<String> optionalCredentials() {
        return Set.of("webhook_verify_token");
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
     * What {@link MetaAdsAdapter} maps and Graph takes:
     * <ul>
     *   <li>daily and lifetime campaign budgets, in any currency the ad account bills in;
     *   <li>the objectives that need no pixel or app ({@code promoted_object}): awareness, traffic,
     *       engagement;
     *   <li>ad sets need countries ({@code geo_locations.countries}) and may set ages, 13 to 65 as
     *       Graph takes them, as hard limits (Advantage+ audience off). Languages are not mapped: Meta
     *       targets {@code locales} by its own numeric keys, not ISO 639-1 codes. Context hints do not
     *       exist at Meta;
     *   <li>a link ad has one headline ({@code link_data.name}) and one or two descriptions: the
     *       primary text ({@code message}) and the link description ({@code description}). Graph's
     *       own limits on these texts are longer than the neutral schema's (50 and 100 characters),
     *       which are therefore the limits; Meta shortens long texts on display. Every neutral call to
     *       action exists at Meta under its upper-case name;
     *   <li>Graph's dry run ({@code execution_options=["validate_only"]}) checks every mutation.
     * </ul>
     */
    static final ProviderCapabilities CAPABILITIES = new ProviderCapabilities(
            EnumSet.of(BudgetPeriod.DAILY, BudgetPeriod.LIFETIME), Set.of(), Set.of("awareness", "traffic", "engagement"),
            new ProviderCapabilities.Targeting(EnumSet.of(TargetingKind.COUNTRIES, TargetingKind.AGE), Set.of(),
                    Set.of(), Set.of(), Set.of(), true,
                    "ages are hard limits (Advantage+ audience off); without age_min Meta reaches people from 18 "
                            + "(from 13 when age_max is below 18)"),
            new ProviderCapabilities.Creatives(1, 1, 50, 1, 2, 100,
                    Set.of("learn_more", "shop_now", "sign_up", "download", "contact_us", "book_now")),
            EnumSet.of(Feature.STANDALONE_CREATIVE, Feature.REPORTS, Feature.RECONCILE_BY_REFERENCE,
                    Feature.CAMPAIGN_END_TIME_UPDATE, Feature.DRY_RUN));

    @Override
    public ProviderAdapter create(ProviderAccountContext account) {
        return new MetaAdsAdapter(http, baseUrl(account), account);
    }
}
