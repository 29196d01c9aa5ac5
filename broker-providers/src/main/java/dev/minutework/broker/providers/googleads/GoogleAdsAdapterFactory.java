package dev.minutework.broker.providers.googleads;

import dev.minutework.broker.core.provider.ProviderCapabilities;
import dev.minutework.broker.core.provider.ProviderCapabilities.Feature;
import dev.minutework.broker.core.provider.ProviderCapabilities.TargetingKind;
import dev.minutework.broker.core.spend.BudgetPeriod;
import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.core.provider.ProviderAccountContext;
import dev.minutework.broker.core.provider.ProviderAdapter;
import dev.minutework.broker.providers.http.HttpAdapterFactory;
import dev.minutework.broker.providers.http.ProviderHttp;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Makes {@link GoogleAdsAdapter}s. One HTTP client serves all accounts; the access token cache is
 * shared by every adapter made for the same provider account id.
 */
public final class GoogleAdsAdapterFactory extends HttpAdapterFactory {

    public static final String ID = "googleads";
    public static final URI DEFAULT_BASE_URL = URI.create("https://googleads.googleapis.com/v26");
    public static final URI DEFAULT_TOKEN_URL = URI.create("https://www.googleapis.com/oauth2/v3/token");
    static final String TOKEN_PATH = "/oauth2/v3/token";

    private final ImageFetcher images;
    private final Clock clock;
    private final Map<String, GoogleAdsSession> sessions = new ConcurrentHashMap<>();

    public GoogleAdsAdapterFactory() {
        this(new ProviderHttp(), ImageFetcher.jdk(), Clock.systemUTC());
    }

    GoogleAdsAdapterFactory(ProviderHttp http, ImageFetcher images, Clock clock) {
        super(ID, DEFAULT_BASE_URL, http);
        this.images = images;
        this.clock = clock;
    }

    @Override
    public Set<String> requiredCredentials() {
        return Set.of("client_id", "client_secret", "refresh_token", "developer_token");
    }

    @Override
    public Set<String> requiredScope() {
        return Set.of("customer_id");
    }

    @Override
    public Set<String> optionalScope() {
        return Set.of("login_customer_id");
    }

    @Override
    public Map<String, Pattern> scopeFormats() {
        return Map.of("customer_id", Pattern.compile("\\d{10}"), "login_customer_id", Pattern.compile("\\d{10}"));
    }

    /** Google shows customer ids as 123-456-7890; its API wants the ten digits. */
    @Override
    public Map<String, String> normalizeScope(Map<String, String> scope) {
        Map<String, String> out = new java.util.LinkedHashMap<>(scope);
        out.replaceAll((k, v) -> k.endsWith("customer_id") ? v.replace("-", "") : v);
        return out;
    }

    @Override
    public ProviderCapabilities capabilities() {
        return CAPABILITIES;
    }

    /** Where Google applies a group's targeting, for the capability inventory and the agent tools. */
    static final String TARGETING_NOTE = "locations and languages apply to the group's campaign (Google targets "
            + "them per campaign), so the groups of one campaign that name countries or languages must name the same ones";

    /**
     * What {@link GoogleAdsAdapter} and Google take: daily and lifetime budgets in the customer's
     * currency (checked by the adapter: any currency Google bills in); every objective (each is a
     * Search campaign); group countries and languages of {@link GoogleAdsTargeting}'s table, applied to
     * the campaign, and no ages or context hints; responsive search ads of 3–15 headlines of at most 30
     * characters and 2–4 descriptions of at most 90, without a call to action; image assets that exist
     * on their own; GAQL reports; lookup by reference; end times that move; {@code validateOnly} dry runs.
     */
    static final ProviderCapabilities CAPABILITIES = new ProviderCapabilities(
            EnumSet.of(BudgetPeriod.DAILY, BudgetPeriod.LIFETIME), Set.of(), Set.copyOf(ProviderCapabilities.ALL_OBJECTIVES),
            new ProviderCapabilities.Targeting(EnumSet.of(TargetingKind.COUNTRIES, TargetingKind.LANGUAGES),
                    GoogleAdsTargeting.COUNTRIES.keySet(), GoogleAdsTargeting.LANGUAGES.keySet(), Set.of(), Set.of(),
                    false, TARGETING_NOTE),
            new ProviderCapabilities.Creatives(3, 15, 30, 2, 4, 90, Set.of()),
            EnumSet.of(Feature.STANDALONE_CREATIVE, Feature.REPORTS, Feature.RECONCILE_BY_REFERENCE,
                    Feature.CAMPAIGN_END_TIME_UPDATE, Feature.DRY_RUN));

    @Override
    public ProviderAdapter create(ProviderAccountContext account) {
        URI base = baseUrl(account);
        URI tokenUrl = account.baseUrl() == null ? DEFAULT_TOKEN_URL
                : URI.create(base.getScheme() + "://" + base.getRawAuthority() + TOKEN_PATH);
        // a simulated account reaches nothing on the internet: its creative images are placeholders
        return new GoogleAdsAdapter(http, base, tokenUrl, account, session(account),
                account.simulated() ? ImageFetcher.placeholder() : images, clock);
    }

    /**
     * Three protocol calls (the OAuth refresh of the access token, the call, the lookup after a lost
     * answer) and, for an image creative, the image's download.
     */
    @Override
    public Duration worstCaseCallDuration() {
        return super.worstCaseCallDuration().plus(ImageFetcher.CONNECT_TIMEOUT).plus(ImageFetcher.REQUEST_TIMEOUT);
    }

    @Override
    protected int protocolCallsInSequence() {
        return 3;
    }

    /** As the base's, without a trailing slash. */
    @Override
    protected URI baseUrl(ProviderAccountContext account) {
        return URI.create(stripSlash(super.baseUrl(account).toString()));
    }

    /** The account's shared session; a new one when its credentials changed. */
    GoogleAdsSession session(ProviderAccountContext account) {
        String fingerprint = CanonicalJson.sha256Hex(account.credentials().get("client_id") + "\n"
                + account.credentials().get("refresh_token"));
        return sessions.compute(account.accountId(), (id, s) -> s != null && s.matches(fingerprint) ? s
                : new GoogleAdsSession(fingerprint));
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
