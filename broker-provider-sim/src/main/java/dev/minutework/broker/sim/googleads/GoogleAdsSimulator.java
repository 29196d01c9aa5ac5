package dev.minutework.broker.sim.googleads;

import dev.minutework.broker.sim.ProviderSimulator;
import dev.minutework.broker.sim.SimRequest;
import dev.minutework.broker.sim.SimResponse;
import dev.minutework.broker.sim.SimStore;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Currency;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Google Ads API (REST, {@code /v26}) as docs/providers.md documents it.
 *
 * <p><b>Auth.</b> The OAuth token endpoint {@code POST /oauth2/v3/token} is served on the same
 * origin: form-encoded {@code grant_type=refresh_token, client_id, client_secret, refresh_token}
 * answers {@code {access_token, expires_in, scope, token_type}}; an access token is valid for
 * 3,600 s of the simulator clock. API calls need {@code Authorization: Bearer <access token>}
 * (missing, unknown or expired → 401 {@code authenticationError}), a {@code developer-token}
 * (unknown → 401, not approved → 403 {@code authorizationError: DEVELOPER_TOKEN_NOT_APPROVED}) and,
 * for a customer provisioned under a manager, {@code login-customer-id} with the manager's id in
 * digits only (otherwise 403 {@code USER_PERMISSION_DENIED}).
 *
 * <p><b>Mutates.</b> {@code customers/{cid}/campaignBudgets|campaigns|adGroups|campaignCriteria|assets|adGroupAds:mutate}
 * with {@code {operations:[{create|update+updateMask|remove}], partialFailure?, validateOnly?,
 * responseContentType?}}, and {@code customers/{cid}/googleAds:mutate} with {@code {mutateOperations:
 * [{campaignBudgetOperation|campaignOperation|adGroupOperation|campaignCriterionOperation|assetOperation|
 * adGroupAdOperation: {…}}], …}} answering {@code {mutateOperationResponses:[{campaignBudgetResult:
 * {resourceName}}, …]}}. There a create may name its resource with a temporary id
 * ({@code "resourceName":"customers/{cid}/campaignBudgets/-1"}) that later operations of the same
 * request refer to (a temporary id defined twice, or referred to before it is defined, is refused).
 * Every request is atomic: its operations are validated in order, each against what the earlier
 * ones made, and applied only if all pass. With {@code validateOnly} the same validation runs and
 * nothing is kept, recorded or counted (no id is used up); the answer is an empty {@code {}}, since
 * Google returns "only errors, not results". Fields are lowerCamelCase, int64 values must be JSON
 * strings, unknown fields are refused, money must be a multiple of the account currency's minimum
 * unit, campaigns need an existing budget, a bidding strategy ({@code manualCpc}) and {@code
 * containsEuPoliticalAdvertising} ({@code FieldError.REQUIRED} when missing), dates are {@code
 * "yyyy-MM-dd HH:mm:ss"} in the customer's time zone. A Search campaign's (standard) ad group takes
 * the ad types Google lists for Search: responsive search ads (3–15 headlines of ≤ 30 and 2–4
 * descriptions of ≤ 90 characters) and call ads ({@code callAd}: country code, phone number,
 * business name, two descriptions; final URLs or a verification URL); text ads answer
 * {@code adGroupAdError.CANNOT_CREATE_TEXT_ADS}, other deprecated types
 * {@code CANNOT_CREATE_DEPRECATED_ADS}, an ad without a type or of another type
 * {@code adError.INVALID_AD_TYPE} (<i>unverified</i> for the latter: the reference lists no error
 * for an ad type the channel does not take). Assets are images ({@code imageAsset.data}), texts
 * ({@code textAsset.text}) or YouTube videos ({@code youtubeVideoAsset.youtubeVideoId}), their
 * {@code type} optional (output only) and, when sent, that of the data. Campaign criteria are countries ({@code location:
 * {geoTargetConstant:"geoTargetConstants/<2000 + ISO 3166-1 numeric>"}}) or languages ({@code
 * language:{languageConstant:"languageConstants/<id>"}}, Google's ids); their resource name is
 * {@code customers/{cid}/campaignCriteria/{campaignId}~{criterionId}}, the same constant twice on a
 * campaign is {@code mutateError.RESOURCE_ALREADY_EXISTS}, an unknown one {@code
 * criterionError.INVALID_CRITERION_ID}, and a removed criterion is gone. Errors use the {@code
 * GoogleAdsFailure} envelope with {@code errorCode {category: ENUM}} and a field-path location.
 *
 * <p><b>Reads.</b> {@code customers/{cid}/googleAds:search} with a GAQL {@code query}
 * ({@code SELECT … FROM customer|campaign|campaign_budget|ad_group|campaign_criterion|asset|ad_group_ad [WHERE c AND …]
 * [ORDER BY …] [LIMIT n]}; operators {@code = != > >= < <= LIKE IN BETWEEN}; an asset's
 * {@code image_asset.*}, {@code text_asset.text} and {@code youtube_video_asset.youtube_video_id} are
 * selectable); results are nested
 * lowerCamelCase objects with int64 as strings, paged by {@code nextPageToken} ({@link #pageSize(int)},
 * default 10,000 rows as the API fixes it). Metrics need a finite {@code segments.date} range; rows
 * whose metrics are all zero are omitted. {@code GET customers:listAccessibleCustomers} lists the
 * user's customers. {@code FROM change_status} lists each campaign, ad group and ad group ad a
 * mutate (or a test, {@link #changeCampaignStatus}, {@link #reviewAd}) changed, with its last change
 * time on the simulator clock; it needs a lower bound on {@code last_change_date_time} within 90
 * days and a LIMIT of at most 10,000.
 *
 * <p><b>Spend model.</b> An {@code ENABLED} campaign spends every day from the day it was created
 * (customer time zone) up to today, within its start and end dates: half its daily
 * {@code amountMicros} a day, or a tenth of its {@code totalAmountMicros} a day until the total is
 * used up. Impressions are cost micros ÷ 5,000 (a 5.00 CPM), clicks are impressions ÷ 50. The
 * current status counts for every day (there is no status history).
 *
 * <p><b>Restarts.</b> Every object a customer's mutates create or change (budgets, campaigns, ad
 * groups, campaign criteria, assets, ads), the customer's settings and the id counter are recorded in
 * {@link #store()} as they are applied; a customer provisioned after a restart on the same journal
 * finds its objects again, and new ids continue after the last one handed out. Users, refresh and
 * access tokens and developer tokens are never recorded: the broker provisions them again.
 *
 * <p><b>Rate limit.</b> {@link #REQUESTS_PER_MINUTE} per developer token and minute of the clock →
 * 429 {@code quotaError: RESOURCE_TEMPORARILY_EXHAUSTED} with {@code retryDelay "1s"}. Every API
 * answer carries a {@code request-id} header.
 *
 * <p>Requests: every live version ({@link #LIVE_VERSIONS}); integer fields as JSON numbers or strings
 * (proto3 JSON); every documented field of a campaign, budget and ad group, modelled or not (kept and
 * echoed); any one of the campaign's bidding schemes; {@code googleAds:searchStream}; GAQL
 * {@code DURING} with Google's predefined date ranges. The OAuth token endpoint answers on each of
 * its documented paths ({@link #TOKEN_PATHS}).
 *
 * <p>Stricter than Google where noted: error codes for a missing developer token and a malformed
 * {@code login-customer-id}, for temporary ids used wrongly and for a criterion added twice are
 * <i>unverified</i>; {@code partialFailure} is accepted but not honoured (a request is applied whole
 * or not at all).
 */
public final class GoogleAdsSimulator extends ProviderSimulator {

    public static final String VERSION = "v26";
    /** The API versions served at once (Google keeps the two before the newest live). */
    public static final List<String> LIVE_VERSIONS = List.of("v24", "v25", VERSION);
    public static final String TOKEN_PATH = "/oauth2/v3/token";
    /**
     * Every path Google documents for its OAuth 2.0 token endpoint: {@code /token} (the
     * {@code token_endpoint} of its discovery document), {@code /oauth2/v3/token} and
     * {@code /oauth2/v4/token} (older libraries), {@code /o/oauth2/token} (the oldest clients).
     */
    public static final Set<String> TOKEN_PATHS = Set.of("/token", TOKEN_PATH, "/oauth2/v4/token", "/o/oauth2/token");
    public static final long TOKEN_LIFETIME_SECONDS = 3_600;
    public static final String ADWORDS_SCOPE = "https://www.googleapis.com/auth/adwords";
    static final int REQUESTS_PER_MINUTE = 1_000;
    static final int DEFAULT_PAGE_SIZE = 10_000;
    static final String FAILURE_TYPE = "type.googleapis.com/google.ads.googleads." + VERSION + ".errors.GoogleAdsFailure";
    static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);
    /** The id counter in the {@link SimStore}: the last id handed out. */
    static final String ID_COUNTER = "ids";
    /** Ids are handed out after this one. */
    static final long FIRST_ID = 7_000_000_000L;
    /** The kind under which a customer's settings (currency, time zone) are kept in the {@link SimStore}. */
    static final String CUSTOMER_KIND = "customer";

    /**
     * Country location criteria: Google's id of a country is 2000 + its ISO 3166-1 numeric code
     * ({@code geoTargetConstants/2840} is the United States). Regions and cities are not served.
     */
    static final Set<Long> COUNTRY_CRITERIA = java.util.stream.Stream.of((""
            + "4 8 10 12 16 20 24 28 31 32 36 40 44 48 50 51 52 56 60 64 68 70 72 74 76 84 86 90 92 96 100 104 108 "
            + "112 116 120 124 132 136 140 144 148 152 156 158 162 166 170 174 175 178 180 184 188 191 192 196 203 "
            + "204 208 212 214 218 222 226 231 232 233 234 238 239 242 246 248 250 254 258 260 262 266 268 270 275 "
            + "276 288 292 296 300 304 308 312 316 320 324 328 332 334 336 340 344 348 352 356 360 364 368 372 376 "
            + "380 384 388 392 398 400 404 408 410 414 417 418 422 426 428 430 434 438 440 442 446 450 454 458 462 "
            + "466 470 474 478 480 484 492 496 498 499 500 504 508 512 516 520 524 528 531 533 534 535 540 548 554 "
            + "558 562 566 570 574 578 580 581 583 584 585 586 591 598 600 604 608 612 616 620 624 626 630 634 638 "
            + "642 643 646 652 654 659 660 662 663 666 670 674 678 682 686 688 690 694 702 703 704 705 706 710 716 "
            + "724 728 729 732 740 744 748 752 756 760 762 764 768 772 776 780 784 788 792 795 796 798 800 804 807 "
            + "818 826 831 832 833 834 840 850 854 858 860 862 876 882 887 894").split(" "))
            .map(n -> 2000 + Long.parseLong(n)).collect(java.util.stream.Collectors.toUnmodifiableSet());

    /** Language criteria: Google's language constants ({@code languageConstants/1000} is English). */
    static final Set<Long> LANGUAGE_CRITERIA = Set.of(1000L, 1001L, 1002L, 1003L, 1004L, 1005L, 1009L, 1010L, 1011L,
            1012L, 1013L, 1014L, 1015L, 1017L, 1018L, 1019L, 1020L, 1021L, 1022L, 1023L, 1024L, 1025L, 1026L, 1027L,
            1028L, 1029L, 1030L, 1031L, 1032L, 1033L, 1034L, 1035L, 1036L, 1037L, 1038L, 1039L, 1040L, 1041L, 1042L,
            1043L, 1044L, 1056L, 1064L, 1072L, 1086L, 1098L, 1101L, 1102L, 1110L, 1130L, 1131L);

    /** One Google user behind an OAuth client and refresh token. */
    private static final class User {
        final String clientId;
        final String clientSecret;
        final Set<String> customers = ConcurrentHashMap.newKeySet();
        volatile boolean revoked;

        User(String clientId, String clientSecret) {
            this.clientId = clientId;
            this.clientSecret = clientSecret;
        }
    }

    private record AccessToken(User user, Instant expiresAt) {}

    /** One Google Ads customer and everything created in it. */
    private static final class Customer {
        final String id;
        final String manager;
        volatile String currency = "USD";
        volatile String timeZone = "America/New_York";
        final Map<String, Map<String, Object>> budgets = new LinkedHashMap<>();
        final Map<String, Map<String, Object>> campaigns = new LinkedHashMap<>();
        final Map<String, Map<String, Object>> adGroups = new LinkedHashMap<>();
        final Map<String, Map<String, Object>> criteria = new LinkedHashMap<>();
        final Map<String, Map<String, Object>> assets = new LinkedHashMap<>();
        final Map<String, Map<String, Object>> ads = new LinkedHashMap<>();

        Customer(String id, String manager) {
            this.id = id;
            this.manager = manager;
        }

        Map<String, Map<String, Object>> objects(Kind kind) {
            return switch (kind) {
                case BUDGET -> budgets;
                case CAMPAIGN -> campaigns;
                case AD_GROUP -> adGroups;
                case CRITERION -> criteria;
                case ASSET -> assets;
                case AD -> ads;
            };
        }

        ZoneId zone() {
            return ZoneId.of(timeZone);
        }

        long minimumUnitMicros() {
            long unit = 1;
            for (int i = Currency.getInstance(currency).getDefaultFractionDigits(); i < 6; i++) {
                unit *= 10;
            }
            return unit;
        }
    }

    private final Map<String, User> usersByRefreshToken = new ConcurrentHashMap<>();
    private final Map<String, AccessToken> accessTokens = new ConcurrentHashMap<>();
    private final Set<String> approvedDeveloperTokens = ConcurrentHashMap.newKeySet();
    private final Set<String> pendingDeveloperTokens = ConcurrentHashMap.newKeySet();
    private final Map<String, Customer> customers = new ConcurrentHashMap<>();
    private final AtomicInteger tokenRequests = new AtomicInteger();
    private final AtomicLong tokenSerials = new AtomicLong();
    private final AtomicLong requestIds = new AtomicLong(1);
    /** Held while a mutate hands out ids: they are unique across customers, and a validation uses none up. */
    private final Object idLock = new Object();
    private volatile int pageSize = DEFAULT_PAGE_SIZE;
    private volatile int requestsPerMinute = REQUESTS_PER_MINUTE;

    public GoogleAdsSimulator(Clock clock) {
        super("googleads", clock);
    }

    @Override
    protected String basePath() {
        return "/" + VERSION;
    }

    /** Every live version's paths ({@link #LIVE_VERSIONS}); others are not found, as Google answers a sunset version. */
    @Override
    protected String routePath(SimRequest request) {
        for (String version : LIVE_VERSIONS) {
            if (request.path().startsWith("/" + version + "/")) {
                return request.path().substring(version.length() + 1);
            }
        }
        return null;
    }

    /**
     * Scope {@code customer_id} (and {@code login_customer_id} when reached through a manager);
     * credentials {@code client_id, client_secret, refresh_token, developer_token} (approved).
     */
    @Override
    public void provision(Map<String, String> scope, Map<String, String> credentials) {
        for (String k : List.of("client_id", "client_secret", "refresh_token", "developer_token")) {
            if (credentials.get(k) == null) {
                throw new IllegalArgumentException("googleads accounts need client_id, client_secret, refresh_token and developer_token");
            }
        }
        if (scope.get("customer_id") == null) {
            throw new IllegalArgumentException("googleads accounts need customer_id");
        }
        String cid = digits(scope.get("customer_id"));
        String manager = scope.get("login_customer_id") == null ? null : digits(scope.get("login_customer_id"));
        User user = usersByRefreshToken.computeIfAbsent(credentials.get("refresh_token"),
                k -> new User(credentials.get("client_id"), credentials.get("client_secret")));
        user.revoked = false;
        user.customers.add(cid);
        customers.computeIfAbsent(cid, k -> restored(cid, manager));
        approvedDeveloperTokens.add(credentials.get("developer_token"));
        pendingDeveloperTokens.remove(credentials.get("developer_token"));
    }

    // ------------------------------------------------------------------ helpers for tests

    /**
     * A customer as this simulator keeps it: with everything recorded for it in the {@link #store()}
     * (its settings and objects, from before a restart), or new.
     */
    private Customer restored(String cid, String manager) {
        Customer c = new Customer(cid, manager);
        Map<String, Map<String, Map<String, Object>>> kept = store().account(cid);
        Map<String, Object> settings = kept.getOrDefault(CUSTOMER_KIND, Map.of()).get(cid);
        if (settings != null) {
            c.currency = (String) settings.get("currency");
            c.timeZone = (String) settings.get("timeZone");
        }
        for (Kind kind : Kind.values()) {
            c.objects(kind).putAll(kept.getOrDefault(kind.key, Map.of()));
        }
        return c;
    }

    /** Sets a customer's currency and time zone (defaults USD, America/New_York); kept across restarts. */
    public void customerSettings(String customerId, String currency, String timeZone) {
        Customer c = customers.get(digits(customerId));
        synchronized (c) {
            store().put(c.id, CUSTOMER_KIND, c.id, Map.of("currency", currency, "timeZone", timeZone));
            c.currency = currency;
            c.timeZone = timeZone;
        }
    }

    /** How many token requests the OAuth endpoint has answered (any outcome). */
    public int tokenRequests() {
        return tokenRequests.get();
    }

    /** Every access token issued so far stops working, as if its hour were over. */
    public void expireAccessTokens() {
        accessTokens.replaceAll((k, v) -> new AccessToken(v.user(), Instant.EPOCH));
    }

    /** The user revokes the refresh token: token requests fail with invalid_grant, access tokens die. */
    public void revokeRefreshToken(String refreshToken) {
        User u = usersByRefreshToken.get(refreshToken);
        if (u != null) {
            u.revoked = true;
            accessTokens.values().removeIf(t -> t.user() == u);
        }
    }

    /** The developer token is demoted to "pending approval" (test access only). */
    public void disapproveDeveloperToken(String developerToken) {
        approvedDeveloperTokens.remove(developerToken);
        pendingDeveloperTokens.add(developerToken);
    }

    /** Rows per {@code googleAds:search} page (the real API fixes 10,000). */
    public void pageSize(int rows) {
        pageSize = rows;
    }

    /** Requests a developer token may make per minute before 429. */
    public void requestsPerMinute(int limit) {
        requestsPerMinute = limit;
    }

    public int campaignCount(String customerId) {
        return count(customerId, c -> c.campaigns);
    }

    public int budgetCount(String customerId) {
        return count(customerId, c -> c.budgets);
    }

    public int adGroupCount(String customerId) {
        return count(customerId, c -> c.adGroups);
    }

    public int criterionCount(String customerId) {
        return count(customerId, c -> c.criteria);
    }

    public int assetCount(String customerId) {
        return count(customerId, c -> c.assets);
    }

    public int adCount(String customerId) {
        return count(customerId, c -> c.ads);
    }

    /**
     * Sets a campaign's status at the provider, as a user in Google's interface would (ENABLED,
     * PAUSED, REMOVED): the change is kept, recorded and shows in {@code change_status}.
     */
    public void changeCampaignStatus(String customerId, String campaignId, String status) {
        atProvider(customerId, Kind.CAMPAIGN, campaignId, o -> o.put("status", status));
    }

    /**
     * Ends an ad's policy review at the provider (APPROVED, APPROVED_LIMITED, DISAPPROVED, …); the
     * ad is {@code adGroupId~adId}. It shows in {@code change_status} as a change of the ad group ad
     * (<i>unverified</i>: whether Google lists review outcomes there).
     */
    public void reviewAd(String customerId, String adGroupAdKey, String approvalStatus) {
        atProvider(customerId, Kind.AD, adGroupAdKey, o -> o.put("policySummary",
                Map.of("reviewStatus", "REVIEWED", "approvalStatus", approvalStatus)));
    }

    private void atProvider(String customerId, Kind kind, String key,
            java.util.function.Consumer<Map<String, Object>> change) {
        Customer c = customers.get(digits(customerId));
        synchronized (c) {
            Map<String, Object> current = c.objects(kind).get(key);
            if (current == null) {
                throw new IllegalArgumentException("no " + kind.key + " " + key + " in customer " + c.id);
            }
            Map<String, Object> o = new LinkedHashMap<>(current);
            change.accept(o);
            Map<String, Object> kept = changed(c, kind, true, o);
            store().put(c.id, kind.key, key, kept);
            c.objects(kind).put(key, kept);
        }
    }

    /**
     * The object with its change recorded for {@code change_status}: when (simulator clock, customer
     * time zone, microseconds) and how (ADDED, CHANGED, or REMOVED once its status is REMOVED).
     */
    private Map<String, Object> changed(Customer c, Kind kind, boolean existed, Map<String, Object> o) {
        if (!CHANGE_TYPES.containsKey(kind)) {
            return o;
        }
        Map<String, Object> out = new LinkedHashMap<>(o);
        out.put("_changedAt", clock.instant().atZone(c.zone()).format(CHANGE_TIME));
        out.put("_changeStatus", "REMOVED".equals(o.get("status")) ? "REMOVED" : existed ? "CHANGED" : "ADDED");
        return out;
    }

    /** A copy of a stored object in the provider's JSON shape (tests inspect what was kept). */
    public Map<String, Object> campaign(String customerId, String campaignId) {
        Customer c = customers.get(digits(customerId));
        synchronized (c) {
            Map<String, Object> o = c.campaigns.get(campaignId);
            return o == null ? null : new LinkedHashMap<>(o);
        }
    }

    /** Copies of a campaign's criteria (locations and languages) in the provider's JSON shape. */
    public List<Map<String, Object>> campaignCriteria(String customerId, String campaignId) {
        Customer c = customers.get(digits(customerId));
        synchronized (c) {
            return c.criteria.values().stream()
                    .filter(o -> ("customers/" + c.id + "/campaigns/" + campaignId).equals(o.get("campaign")))
                    .<Map<String, Object>>map(LinkedHashMap::new).toList();
        }
    }

    private int count(String customerId, java.util.function.Function<Customer, Map<String, Map<String, Object>>> what) {
        Customer c = customers.get(digits(customerId));
        if (c == null) {
            return 0;
        }
        synchronized (c) {
            return what.apply(c).size();
        }
    }

    // ------------------------------------------------------------------ routes

    @Override
    protected void registerRoutes() {
        route("GET", "/customers:listAccessibleCustomers", (r, m) -> api(r, null, (u, c) -> listAccessible(u)));
        route("POST", "/customers/([0-9]+)/campaignBudgets:mutate", (r, m) -> api(r, m.group(1), (u, c) -> mutate(c, r, Kind.BUDGET)));
        route("POST", "/customers/([0-9]+)/campaigns:mutate", (r, m) -> api(r, m.group(1), (u, c) -> mutate(c, r, Kind.CAMPAIGN)));
        route("POST", "/customers/([0-9]+)/adGroups:mutate", (r, m) -> api(r, m.group(1), (u, c) -> mutate(c, r, Kind.AD_GROUP)));
        route("POST", "/customers/([0-9]+)/campaignCriteria:mutate", (r, m) -> api(r, m.group(1), (u, c) -> mutate(c, r, Kind.CRITERION)));
        route("POST", "/customers/([0-9]+)/assets:mutate", (r, m) -> api(r, m.group(1), (u, c) -> mutate(c, r, Kind.ASSET)));
        route("POST", "/customers/([0-9]+)/adGroupAds:mutate", (r, m) -> api(r, m.group(1), (u, c) -> mutate(c, r, Kind.AD)));
        route("POST", "/customers/([0-9]+)/googleAds:mutate", (r, m) -> api(r, m.group(1), (u, c) -> mutateAll(c, r)));
        route("POST", "/customers/([0-9]+)/googleAds:search", (r, m) -> api(r, m.group(1), (u, c) -> search(c, r)));
        route("POST", "/customers/([0-9]+)/googleAds:searchStream", (r, m) -> api(r, m.group(1), (u, c) -> searchStream(c, r)));
    }

    @Override
    protected SimResponse unmatched(SimRequest request) {
        if (TOKEN_PATHS.contains(request.path())) {
            return "POST".equals(request.method()) ? token(request)
                    : oauthError(405, "invalid_request", "the token endpoint takes POST");
        }
        return notFound(request);
    }

    // ------------------------------------------------------------------ OAuth

    private SimResponse token(SimRequest r) {
        tokenRequests.incrementAndGet();
        String type = r.header("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            return oauthError(400, "invalid_request", "the body must be application/x-www-form-urlencoded");
        }
        Map<String, String> form = r.form();
        if (!"refresh_token".equals(form.get("grant_type"))) {
            return oauthError(400, "unsupported_grant_type", "Invalid grant_type: " + form.get("grant_type"));
        }
        User user = form.get("refresh_token") == null ? null : usersByRefreshToken.get(form.get("refresh_token"));
        boolean clientKnown = usersByRefreshToken.values().stream().anyMatch(u -> u.clientId.equals(form.get("client_id"))
                && u.clientSecret.equals(form.get("client_secret")));
        if (!clientKnown) {
            return oauthError(401, "invalid_client", "The OAuth client was not found.");
        }
        if (user == null || user.revoked || !user.clientId.equals(form.get("client_id"))) {
            return oauthError(400, "invalid_grant", "Token has been expired or revoked.");
        }
        String token = "ya29.sim-" + Long.toHexString(tokenSerials.incrementAndGet()) + "-" + Long.toHexString(System.nanoTime());
        accessTokens.put(token, new AccessToken(user, clock.instant().plusSeconds(TOKEN_LIFETIME_SECONDS)));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("access_token", token);
        out.put("expires_in", TOKEN_LIFETIME_SECONDS - 1);
        out.put("scope", ADWORDS_SCOPE);
        out.put("token_type", "Bearer");
        return SimResponse.json(200, out).withHeader("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate");
    }

    private static SimResponse oauthError(int status, String error, String description) {
        return SimResponse.json(status, Map.of("error", error, "error_description", description));
    }

    // ------------------------------------------------------------------ auth, scope and rate

    private interface ApiHandler {
        SimResponse handle(User user, Customer customer);
    }

    private SimResponse api(SimRequest r, String customerId, ApiHandler handler) {
        String requestId = Long.toString(36 * 36 * 36 * 36 + requestIds.incrementAndGet(), 36).toUpperCase(Locale.ROOT);
        SimResponse out;
        try {
            out = authorized(r, customerId, handler, requestId);
        } catch (Bad b) {
            // a body the JSON parser refuses is reported in the status message too, as Google's front end does
            String message = b.errors.getFirst().get("message") instanceof String m && m.startsWith("Invalid JSON payload")
                    ? m : "Request contains an invalid argument.";
            out = failure(b.status, b.status == 400 ? "INVALID_ARGUMENT" : "FAILED_PRECONDITION", message, b.errors,
                    requestId);
        }
        String version = r.path().split("/")[1];
        if (!version.equals(VERSION) && out.body().contains(FAILURE_TYPE)) { // the failure type names the version called
            out = new SimResponse(out.status(), out.headers(), out.body().replace(FAILURE_TYPE,
                    FAILURE_TYPE.replace("." + VERSION + ".", "." + version + ".")));
        }
        if (out.body().contains(REQUEST_ID_SLOT)) { // a searchStream batch names the request it answers
            out = new SimResponse(out.status(), out.headers(), out.body().replace(REQUEST_ID_SLOT, requestId));
        }
        return out.withHeader("request-id", requestId);
    }

    /** Where a handler's answer wants the request id, which {@link #api} knows. */
    private static final String REQUEST_ID_SLOT = "{{request-id}}";

    private SimResponse authorized(SimRequest r, String customerId, ApiHandler handler, String requestId) {
        String auth = r.header("Authorization");
        if (auth == null || !auth.startsWith("Bearer ")) {
            return unauthenticated("OAUTH_TOKEN_HEADER_INVALID", "Oauth token HTTP header is malformed.", requestId);
        }
        AccessToken token = accessTokens.get(auth.substring("Bearer ".length()));
        if (token == null) {
            return unauthenticated("OAUTH_TOKEN_INVALID", "Oauth token is invalid.", requestId);
        }
        if (!clock.instant().isBefore(token.expiresAt())) {
            return unauthenticated("OAUTH_TOKEN_EXPIRED", "Oauth token is expired.", requestId);
        }
        String developerToken = r.header("developer-token");
        if (developerToken != null && pendingDeveloperTokens.contains(developerToken)) {
            return failure(403, "PERMISSION_DENIED", "The caller does not have permission",
                    List.of(error("authorizationError", "DEVELOPER_TOKEN_NOT_APPROVED",
                            "The developer token is only approved for use with test accounts. To access non-test accounts, apply for Basic or Standard access.",
                            null)), requestId);
        }
        if (developerToken == null || !approvedDeveloperTokens.contains(developerToken)) {
            return unauthenticated("DEVELOPER_TOKEN_INVALID", "The developer token is not valid.", requestId);
        }
        if (faults().rateLimits() && overLimit(developerToken)) {
            return rateLimited();
        }
        String login = r.header("login-customer-id");
        if (login != null && !login.matches("[0-9]{10}")) {
            throw new Bad(400, List.of(error("requestError", "INVALID_CUSTOMER_ID",
                    "login-customer-id must be the manager's 10-digit customer id without dashes.", null)));
        }
        if (customerId == null) {
            return handler.handle(token.user(), null);
        }
        Customer customer = customers.get(customerId);
        boolean allowed = customer != null && token.user().customers.contains(customerId)
                && (customer.manager == null ? login == null || login.equals(customerId) : customer.manager.equals(login));
        if (!allowed) {
            return failure(403, "PERMISSION_DENIED", "The caller does not have permission",
                    List.of(error("authorizationError", "USER_PERMISSION_DENIED",
                            "User doesn't have permission to access customer. Note: If you're accessing a client customer, the manager's customer id must be set in the 'login-customer-id' header.",
                            null)), requestId);
        }
        synchronized (customer) {
            return handler.handle(token.user(), customer);
        }
    }

    private boolean overLimit(String developerToken) {
        return countCall(developerToken) > requestsPerMinute;
    }

    private SimResponse unauthenticated(String code, String message, String requestId) {
        return failure(401, "UNAUTHENTICATED",
                "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
                List.of(error("authenticationError", code, message, null)), requestId);
    }

    private SimResponse listAccessible(User user) {
        List<String> names = user.customers.stream().sorted().map(c -> "customers/" + c).toList();
        return SimResponse.json(200, Map.of("resourceNames", names));
    }

    // ------------------------------------------------------------------ mutates

    private enum Kind {
        BUDGET("campaignBudgets", "campaignBudget"),
        CAMPAIGN("campaigns", "campaign"),
        AD_GROUP("adGroups", "adGroup"),
        CRITERION("campaignCriteria", "campaignCriterion"),
        ASSET("assets", "asset"),
        AD("adGroupAds", "adGroupAd");

        /** The collection in resource names and service paths, e.g. {@code campaignBudgets}. */
        final String collection;
        /** The resource's JSON name, e.g. {@code campaignBudget}; also its kind in the {@link SimStore}. */
        final String key;

        Kind(String collection, String key) {
            this.collection = collection;
            this.key = key;
        }

        /** Its operation's name in a {@code googleAds:mutate} ({@code campaignBudgetOperation}). */
        String operation() {
            return key + "Operation";
        }

        /** Its result's name in a {@code googleAds:mutate} answer ({@code campaignBudgetResult}). */
        String result() {
            return key + "Result";
        }

        /** Whether a create may name the resource with a temporary (negative) id, to be referred to later in the request. */
        boolean takesTemporaryNames() {
            return this == BUDGET || this == CAMPAIGN || this == AD_GROUP || this == ASSET;
        }

        static Kind byOperation(String operation) {
            for (Kind k : values()) {
                if (k.operation().equals(operation)) {
                    return k;
                }
            }
            return null;
        }
    }

    /** Marks an object a request deletes (campaign criteria are deleted, not kept as REMOVED). */
    private static final Map<String, Object> DELETED = Map.of("_deleted", true);

    /**
     * One mutate request's view of a customer: what the request made or changed so far over what the
     * customer has, the temporary resource names it defined and the ids it handed out. Applied whole
     * by {@link #commit()}, or dropped: after a refusal, and always for {@code validateOnly}, so that
     * a validation neither keeps nor records anything nor uses up an id.
     */
    private final class Tx {
        final Customer c;
        private final Map<Kind, Map<String, Map<String, Object>>> changed = new EnumMap<>(Kind.class);
        private final Map<String, String> temporaryNames = new HashMap<>();
        private final long firstId;
        private long lastId;

        Tx(Customer c) {
            this.c = c;
            this.firstId = store().counter(ID_COUNTER, FIRST_ID);
            this.lastId = firstId;
        }

        String nextId() {
            return Long.toString(++lastId);
        }

        /** The object as the request sees it, or null (absent or deleted). */
        Map<String, Object> get(Kind kind, String key) {
            Map<String, Map<String, Object>> mine = changed.get(kind);
            if (mine != null && mine.containsKey(key)) {
                Map<String, Object> o = mine.get(key);
                return o == DELETED ? null : o;
            }
            return c.objects(kind).get(key);
        }

        /** Every object of a kind as the request sees it. */
        List<Map<String, Object>> all(Kind kind) {
            Map<String, Map<String, Object>> view = new LinkedHashMap<>(c.objects(kind));
            changed.getOrDefault(kind, Map.of()).forEach((key, o) -> {
                if (o == DELETED) {
                    view.remove(key);
                } else {
                    view.put(key, o);
                }
            });
            return List.copyOf(view.values());
        }

        /** Whether an earlier operation of this request already made or changed the object. */
        boolean touched(Kind kind, String key) {
            return changed.getOrDefault(kind, Map.of()).containsKey(key);
        }

        void put(Kind kind, String key, Map<String, Object> o) {
            changed.computeIfAbsent(kind, k -> new LinkedHashMap<>()).put(key, o);
        }

        void delete(Kind kind, String key) {
            put(kind, key, DELETED);
        }

        /** Defines a temporary resource name; false when the request already used its number. */
        boolean define(String temporaryName, String number, String realName) {
            boolean fresh = temporaryNames.keySet().stream().noneMatch(t -> t.endsWith("/" + number));
            temporaryNames.put(temporaryName, realName);
            return fresh;
        }

        /** The real resource name a temporary one of this request stands for, or null. */
        String resolve(String temporaryName) {
            return temporaryNames.get(temporaryName);
        }

        /** Keeps and records everything the request did; the ids first, so none is handed out twice after a restart. */
        void commit() {
            if (lastId > firstId) {
                store().advance(ID_COUNTER, lastId);
            }
            changed.forEach((kind, objects) -> objects.forEach((key, o) -> {
                if (o == DELETED) {
                    store().remove(c.id, kind.key, key);
                    c.objects(kind).remove(key);
                } else {
                    Map<String, Object> kept = changed(c, kind, c.objects(kind).containsKey(key), o);
                    store().put(c.id, kind.key, key, kept);
                    c.objects(kind).put(key, kept);
                }
            }));
        }
    }

    /** A service's own mutate, {@code customers/{cid}/<collection>:mutate}: operations of its one resource. */
    private SimResponse mutate(Customer c, SimRequest r, Kind kind) {
        Map<String, Object> b = body(r);
        unknown(b, Set.of("operations", "partialFailure", "validateOnly", "responseContentType"), List.of());
        List<?> ops = operations(b, "operations");
        String content = flags(b);
        synchronized (idLock) {
            Tx tx = new Tx(c);
            List<Map<String, Object>> results = new ArrayList<>();
            for (int i = 0; i < ops.size(); i++) {
                List<Map<String, Object>> at = List.of(path("operations", i));
                results.add(operate(tx, kind, operation(ops.get(i), at), at, content));
            }
            if (Boolean.TRUE.equals(b.get("validateOnly"))) {
                return SimResponse.json(200, Map.of()); // only errors are returned, not results
            }
            tx.commit();
            return SimResponse.json(200, Map.of("results", results));
        }
    }

    /**
     * {@code customers/{cid}/googleAds:mutate}: operations on several resources applied atomically,
     * in order; a create may name its resource with a temporary (negative) id that later operations
     * of the same request refer to.
     */
    private SimResponse mutateAll(Customer c, SimRequest r) {
        Map<String, Object> b = body(r);
        unknown(b, Set.of("mutateOperations", "partialFailure", "validateOnly", "responseContentType"), List.of());
        List<?> ops = operations(b, "mutateOperations");
        String content = flags(b);
        synchronized (idLock) {
            Tx tx = new Tx(c);
            List<Map<String, Object>> responses = new ArrayList<>();
            for (int i = 0; i < ops.size(); i++) {
                List<Map<String, Object>> at = List.of(path("mutate_operations", i));
                Map<String, Object> wrapper = operation(ops.get(i), at);
                if (wrapper.size() != 1) {
                    throw bad(at, "fieldError", "INVALID_VALUE", "Exactly one operation must be set.");
                }
                String name = wrapper.keySet().iterator().next();
                Kind kind = Kind.byOperation(name);
                if (kind == null) {
                    throw bad(append(at, path(snake(name))), "fieldError", "INVALID_VALUE", "Unknown name \"" + name
                            + "\" (this simulator serves campaign budget, campaign, ad group, campaign criterion, asset "
                            + "and ad group ad operations).");
                }
                List<Map<String, Object>> opAt = append(at, path(snake(name)));
                Map<String, Object> result = operate(tx, kind, operation(wrapper.get(name), opAt), opAt, content);
                responses.add(Map.of(kind.result(), result));
            }
            if (Boolean.TRUE.equals(b.get("validateOnly"))) {
                return SimResponse.json(200, Map.of()); // only errors are returned, not results
            }
            tx.commit();
            return SimResponse.json(200, Map.of("mutateOperationResponses", responses));
        }
    }

    private static List<?> operations(Map<String, Object> b, String field) {
        if (!(b.get(field) instanceof List<?> ops) || ops.isEmpty()) {
            throw bad(List.of(path(snake(field))), "fieldError", "REQUIRED_NONEMPTY_LIST", "The required repeated field was empty.");
        }
        return ops;
    }

    /** Checks the request's flags; answers its response content type. */
    private static String flags(Map<String, Object> b) {
        for (String flag : List.of("partialFailure", "validateOnly")) {
            if (b.containsKey(flag) && !(b.get(flag) instanceof Boolean)) {
                throw bad(List.of(path(snake(flag))), "fieldError", "INVALID_VALUE", flag + " must be a boolean.");
            }
        }
        Object content = b.getOrDefault("responseContentType", "RESOURCE_NAME_ONLY");
        if (!"RESOURCE_NAME_ONLY".equals(content) && !"MUTABLE_RESOURCE".equals(content)) {
            throw bad(List.of(path("response_content_type")), "fieldError", "INVALID_VALUE", "Unknown response content type.");
        }
        return (String) content;
    }

    private static Map<String, Object> operation(Object raw, List<Map<String, Object>> at) {
        if (!(raw instanceof Map<?, ?> op)) {
            throw bad(at, "fieldError", "INVALID_VALUE", "An operation must be an object.");
        }
        return cast(op);
    }

    /** One create, update or remove, validated against what the request sees and recorded in it; its result. */
    private Map<String, Object> operate(Tx tx, Kind kind, Map<String, Object> op, List<Map<String, Object>> at,
            String content) {
        unknown(op, Set.of("create", "update", "updateMask", "remove"), at);
        int kinds = (op.containsKey("create") ? 1 : 0) + (op.containsKey("update") ? 1 : 0) + (op.containsKey("remove") ? 1 : 0);
        if (kinds != 1) {
            throw bad(at, "mutateError", "MUTATE_NOT_ALLOWED", "Exactly one of create, update or remove must be set.");
        }
        Map<String, Object> object;
        if (op.get("create") instanceof Map<?, ?> create) {
            if (op.containsKey("updateMask")) {
                throw bad(append(at, path("update_mask")), "fieldError", "VALUE_MUST_BE_UNSET", "updateMask is only for updates.");
            }
            object = create(tx, kind, cast(create), append(at, path("create")));
        } else if (op.get("update") instanceof Map<?, ?> update) {
            if (!(op.get("updateMask") instanceof String mask) || mask.isBlank()) {
                throw bad(append(at, path("update_mask")), "fieldError", "REQUIRED", "The required field was not present.");
            }
            object = update(tx, kind, cast(update), List.of(mask.split(",")), append(at, path("update")));
        } else if (op.get("remove") instanceof String name) {
            List<Map<String, Object>> removeAt = append(at, path("remove"));
            Map<String, Object> target = existing(tx, kind, name, removeAt);
            once(tx, kind, target, removeAt);
            if (kind == Kind.CRITERION) {
                tx.delete(kind, String.valueOf(target.get("_key")));
                return Map.of("resourceName", target.get("resourceName"));
            }
            object = new LinkedHashMap<>(target);
            object.put("status", "REMOVED");
        } else {
            throw bad(at, "fieldError", "INVALID_VALUE", "The operation's value has the wrong type.");
        }
        tx.put(kind, String.valueOf(object.get("_key")), object);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("resourceName", object.get("resourceName"));
        if ("MUTABLE_RESOURCE".equals(content)) {
            result.put(kind.key, visible(object));
        }
        return result;
    }

    /** A request changes an object once. */
    private static void once(Tx tx, Kind kind, Map<String, Object> target, List<Map<String, Object>> at) {
        if (tx.touched(kind, String.valueOf(target.get("_key")))) {
            throw bad(at, "mutateError", "ID_EXISTS_IN_MULTIPLE_MUTATES", "Cannot mutate the same resource twice in one request.");
        }
    }

    /** The object a resource name (or a temporary name of this request) names; refused when absent. */
    private static Map<String, Object> existing(Tx tx, Kind kind, Object name, List<Map<String, Object>> at) {
        String prefix = "customers/" + tx.c.id + "/" + kind.collection + "/";
        if (!(name instanceof String s) || !s.startsWith(prefix) || s.length() == prefix.length()) {
            throw bad(at, "requestError", "RESOURCE_NAME_MALFORMED", "The resource name is malformed.");
        }
        String resolved = s.substring(prefix.length()).startsWith("-") ? tx.resolve(s) : s;
        Map<String, Object> o = resolved == null ? null : tx.get(kind, resolved.substring(prefix.length()));
        if (o == null || "REMOVED".equals(o.get("status"))) {
            throw bad(at, "mutateError", "RESOURCE_NOT_FOUND", "The requested resource was not found.");
        }
        return o;
    }

    /**
     * A new object's id: the next one, also standing for the temporary resource name the create gives
     * ({@code customers/{cid}/campaignBudgets/-1}) for the rest of the request.
     */
    private static String newId(Tx tx, Kind kind, Map<String, Object> in, List<Map<String, Object>> at) {
        String id = tx.nextId();
        if (in.containsKey("resourceName")) {
            String prefix = "customers/" + tx.c.id + "/" + kind.collection + "/";
            if (!kind.takesTemporaryNames() || !(in.get("resourceName") instanceof String s) || !s.startsWith(prefix)
                    || !s.substring(prefix.length()).matches("-[1-9][0-9]{0,18}")) {
                throw bad(append(at, path("resource_name")), "requestError", "RESOURCE_NAME_MALFORMED",
                        "A create may only name its resource with a temporary (negative) id.");
            }
            if (!tx.define(s, s.substring(prefix.length()), prefix + id)) {
                throw bad(append(at, path("resource_name")), "mutateError", "ID_EXISTS_IN_MULTIPLE_MUTATES",
                        "Each temporary id of a request must be a different negative number.");
            }
        }
        return id;
    }

    private Map<String, Object> create(Tx tx, Kind kind, Map<String, Object> in, List<Map<String, Object>> at) {
        return switch (kind) {
            case BUDGET -> createBudget(tx, in, at);
            case CAMPAIGN -> createCampaign(tx, in, at);
            case AD_GROUP -> createAdGroup(tx, in, at);
            case CRITERION -> createCriterion(tx, in, at);
            case ASSET -> createAsset(tx, in, at);
            case AD -> createAd(tx, in, at);
        };
    }

    private Map<String, Object> createBudget(Tx tx, Map<String, Object> in, List<Map<String, Object>> at) {
        Customer c = tx.c;
        unknown(in, BUDGET_FIELDS, at);
        String name = name(in, at, 255);
        if (tx.all(Kind.BUDGET).stream().anyMatch(o -> name.equals(o.get("name")) && !"REMOVED".equals(o.get("status")))) {
            throw bad(append(at, path("name")), "campaignBudgetError", "DUPLICATE_NAME", "Budget name is already in use.");
        }
        if (in.containsKey("amountMicros") == in.containsKey("totalAmountMicros")) {
            throw in.containsKey("amountMicros")
                    ? bad(append(at, path("total_amount_micros")), "fieldError", "VALUE_MUST_BE_UNSET",
                            "amountMicros and totalAmountMicros cannot both be set.")
                    : bad(append(at, path("amount_micros")), "fieldError", "REQUIRED", "The required field was not present.");
        }
        String field = in.containsKey("amountMicros") ? "amountMicros" : "totalAmountMicros";
        money(c, in.get(field), append(at, path(snake(field))), "campaignBudgetError", "NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT");
        enumValue(in, "deliveryMethod", Set.of("STANDARD", "ACCELERATED"), at);
        enumValue(in, "period", Set.of("DAILY", "CUSTOM_PERIOD"), at);
        if (in.containsKey("explicitlyShared") && !(in.get("explicitlyShared") instanceof Boolean)) {
            throw bad(append(at, path("explicitly_shared")), "fieldError", "INVALID_VALUE", "explicitlyShared must be a boolean.");
        }
        String id = newId(tx, Kind.BUDGET, in, at);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("_key", id);
        o.put("resourceName", "customers/" + c.id + "/campaignBudgets/" + id);
        o.put("id", id);
        o.put("name", name);
        o.put(field, in.get(field));
        o.put("deliveryMethod", in.getOrDefault("deliveryMethod", "STANDARD"));
        o.put("explicitlyShared", in.getOrDefault("explicitlyShared", true));
        o.put("period", in.getOrDefault("period", field.equals("amountMicros") ? "DAILY" : "CUSTOM_PERIOD"));
        o.put("status", "ENABLED");
        in.forEach(o::putIfAbsent); // documented fields the simulator does not model are kept as sent
        return o;
    }

    private Map<String, Object> createCampaign(Tx tx, Map<String, Object> in, List<Map<String, Object>> at) {
        Customer c = tx.c;
        unknown(in, CAMPAIGN_FIELDS, at);
        String name = name(in, at, 255);
        if (tx.all(Kind.CAMPAIGN).stream().anyMatch(o -> name.equals(o.get("name")) && !"REMOVED".equals(o.get("status")))) {
            throw bad(append(at, path("name")), "campaignError", "DUPLICATE_CAMPAIGN_NAME", "Campaign with the same name already exists.");
        }
        if (!in.containsKey("advertisingChannelType")) {
            throw bad(append(at, path("advertising_channel_type")), "fieldError", "REQUIRED", "The required field was not present.");
        }
        enumValue(in, "advertisingChannelType", Set.of("SEARCH"), at);
        enumValue(in, "status", Set.of("ENABLED", "PAUSED"), at);
        if (!in.containsKey("campaignBudget")) {
            throw bad(append(at, path("campaign_budget")), "fieldError", "REQUIRED", "The required field was not present.");
        }
        Map<String, Object> budget = existing(tx, Kind.BUDGET, in.get("campaignBudget"), append(at, path("campaign_budget")));
        List<String> schemes = BIDDING_SCHEMES.stream().filter(in::containsKey).toList();
        if (schemes.isEmpty()) {
            throw bad(append(at, path("manual_cpc")), "fieldError", "REQUIRED", "A bidding strategy must be set.");
        }
        if (schemes.size() > 1) {
            // a oneof in the proto: the JSON parser refuses a second member
            throw new Bad(400, List.of(error("fieldError", "INVALID_VALUE", "Invalid JSON payload received. "
                    + "Oneof field 'campaign_bidding_strategy' is already set. Cannot set '" + schemes.get(1) + "'",
                    append(at, path(snake(schemes.get(1)))))));
        }
        if (in.containsKey("manualCpc")) {
            if (!(in.get("manualCpc") instanceof Map<?, ?> cpc)) {
                throw bad(append(at, path("manual_cpc")), "fieldError", "INVALID_VALUE", "manualCpc is an object.");
            }
            unknown(cast(cpc), Set.of("enhancedCpcEnabled"), append(at, path("manual_cpc")));
        }
        if (!in.containsKey("containsEuPoliticalAdvertising")) {
            throw bad(append(at, path("contains_eu_political_advertising")), "fieldError", "REQUIRED",
                    "The required field was not present.");
        }
        enumValue(in, "containsEuPoliticalAdvertising",
                Set.of("CONTAINS_EU_POLITICAL_ADVERTISING", "DOES_NOT_CONTAIN_EU_POLITICAL_ADVERTISING"), at);
        if (in.containsKey("networkSettings")) {
            if (!(in.get("networkSettings") instanceof Map<?, ?> ns)
                    || !ns.values().stream().allMatch(v -> v instanceof Boolean)) {
                throw bad(append(at, path("network_settings")), "fieldError", "INVALID_VALUE", "networkSettings holds booleans.");
            }
            unknown(cast(ns), Set.of("targetGoogleSearch", "targetSearchNetwork", "targetContentNetwork",
                    "targetPartnerSearchNetwork", "targetYoutube", "targetGoogleTvNetwork"), append(at, path("network_settings")));
        }
        Map<String, Object> o = new LinkedHashMap<>(in);
        o.remove("resourceName");
        checkDates(c, o, at, true);
        String id = newId(tx, Kind.CAMPAIGN, in, at);
        o.put("_key", id);
        o.put("_createdDay", LocalDate.ofInstant(clock.instant(), c.zone()).toString());
        o.put("resourceName", "customers/" + c.id + "/campaigns/" + id);
        o.put("id", id);
        o.put("campaignBudget", budget.get("resourceName"));
        o.putIfAbsent("status", "ENABLED");
        o.putIfAbsent("startDateTime", LocalDate.ofInstant(clock.instant(), c.zone()).atStartOfDay().format(DATE_TIME));
        o.putIfAbsent("endDateTime", "2037-12-30 23:59:59");
        o.put("servingStatus", "SERVING");
        return o;
    }

    private Map<String, Object> createAdGroup(Tx tx, Map<String, Object> in, List<Map<String, Object>> at) {
        Customer c = tx.c;
        unknown(in, AD_GROUP_FIELDS, at);
        String name = name(in, at, 255);
        if (!in.containsKey("campaign")) {
            throw bad(append(at, path("campaign")), "fieldError", "REQUIRED", "The required field was not present.");
        }
        Map<String, Object> campaign = existing(tx, Kind.CAMPAIGN, in.get("campaign"), append(at, path("campaign")));
        if (tx.all(Kind.AD_GROUP).stream().anyMatch(g -> name.equals(g.get("name"))
                && campaign.get("resourceName").equals(g.get("campaign")) && !"REMOVED".equals(g.get("status")))) {
            throw bad(append(at, path("name")), "adGroupError", "DUPLICATE_ADGROUP_NAME", "AdGroup with the same name already exists for the campaign.");
        }
        enumValue(in, "status", Set.of("ENABLED", "PAUSED"), at);
        if (in.containsKey("type") && !"SEARCH_STANDARD".equals(in.get("type"))) {
            throw bad(append(at, path("type")), "adGroupError", "AD_GROUP_TYPE_NOT_VALID_FOR_ADVERTISING_CHANNEL_TYPE",
                    "The ad group type is not valid for the campaign's advertising channel type.");
        }
        if (in.containsKey("cpcBidMicros")) {
            money(c, in.get("cpcBidMicros"), append(at, path("cpc_bid_micros")), "biddingError", "BID_TOO_MANY_FRACTIONAL_DIGITS");
        }
        String id = newId(tx, Kind.AD_GROUP, in, at);
        Map<String, Object> o = new LinkedHashMap<>(in);
        o.put("_key", id);
        o.put("resourceName", "customers/" + c.id + "/adGroups/" + id);
        o.put("id", id);
        o.put("campaign", campaign.get("resourceName"));
        o.putIfAbsent("status", "ENABLED");
        o.putIfAbsent("type", "SEARCH_STANDARD");
        return o;
    }

    /**
     * A campaign's location ({@code geoTargetConstants/{id}}, countries only) or language
     * ({@code languageConstants/{id}}) criterion. Its id is the constant's, so the same constant twice
     * on one campaign is {@code RESOURCE_ALREADY_EXISTS}.
     */
    private Map<String, Object> createCriterion(Tx tx, Map<String, Object> in, List<Map<String, Object>> at) {
        unknown(in, Set.of("campaign", "location", "language", "negative", "status"), at);
        if (!in.containsKey("campaign")) {
            throw bad(append(at, path("campaign")), "fieldError", "REQUIRED", "The required field was not present.");
        }
        Map<String, Object> campaign = existing(tx, Kind.CAMPAIGN, in.get("campaign"), append(at, path("campaign")));
        boolean location = in.containsKey("location");
        if (location == in.containsKey("language")) {
            throw location
                    ? bad(append(at, path("language")), "fieldError", "INVALID_VALUE", "A criterion is a location or a language, not both.")
                    : bad(at, "criterionError", "CONCRETE_TYPE_REQUIRED",
                            "Concrete type of criterion is required (this simulator serves location and language).");
        }
        String field = location ? "location" : "language";
        String constant = location ? "geoTargetConstant" : "languageConstant";
        List<Map<String, Object>> constantAt = append(append(at, path(field)), path(snake(constant)));
        if (!(in.get(field) instanceof Map<?, ?> info)) {
            throw bad(append(at, path(field)), "fieldError", "INVALID_VALUE", field + " must be an object.");
        }
        unknown(cast(info), Set.of(constant), append(at, path(field)));
        String prefix = location ? "geoTargetConstants/" : "languageConstants/";
        Set<Long> known = location ? COUNTRY_CRITERIA : LANGUAGE_CRITERIA;
        if (!(info.get(constant) instanceof String name) || !name.startsWith(prefix)
                || !name.substring(prefix.length()).matches("[1-9][0-9]{0,9}")
                || !known.contains(Long.parseLong(name.substring(prefix.length())))) {
            throw bad(constantAt, "criterionError", "INVALID_CRITERION_ID", "The CriterionId does not exist or is of the incorrect type.");
        }
        if (in.containsKey("negative") && !(in.get("negative") instanceof Boolean)) {
            throw bad(append(at, path("negative")), "fieldError", "INVALID_VALUE", "negative must be a boolean.");
        }
        enumValue(in, "status", Set.of("ENABLED", "PAUSED"), at);
        String criterionId = name.substring(prefix.length());
        String key = campaign.get("id") + "~" + criterionId;
        if (tx.get(Kind.CRITERION, key) != null) {
            throw bad(at, "mutateError", "RESOURCE_ALREADY_EXISTS", "The resource being created already exists.");
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("_key", key);
        o.put("resourceName", "customers/" + tx.c.id + "/campaignCriteria/" + key);
        o.put("campaign", campaign.get("resourceName"));
        o.put("criterionId", criterionId);
        o.put("type", location ? "LOCATION" : "LANGUAGE");
        o.put("negative", in.getOrDefault("negative", false));
        o.put("status", in.getOrDefault("status", "ENABLED"));
        o.put(field, Map.of(constant, name));
        return o;
    }

    /** The members of Asset's {@code asset_data} oneof the simulator serves, and the {@code AssetType} of each. */
    static final Map<String, String> ASSET_DATA = Map.of("imageAsset", "IMAGE", "textAsset", "TEXT",
            "youtubeVideoAsset", "YOUTUBE_VIDEO");
    /** A YouTube video id: 11 characters of the URL-safe base64 alphabet. */
    private static final Pattern YOUTUBE_ID = Pattern.compile("[A-Za-z0-9_-]{11}");

    /**
     * An asset: an {@code imageAsset} ({@code data} base64), a {@code textAsset} ({@code text}) or a
     * {@code youtubeVideoAsset} ({@code youtubeVideoId}). {@code type} is output only in the
     * reference; when sent it must be the member's type.
     */
    private Map<String, Object> createAsset(Tx tx, Map<String, Object> in, List<Map<String, Object>> at) {
        unknown(in, ASSET_FIELDS, at);
        if (in.containsKey("name")) {
            name(in, at, 255);
        }
        List<String> members = ASSET_DATA.keySet().stream().filter(in::containsKey).sorted().toList();
        if (members.size() > 1) {
            throw new Bad(400, List.of(error("fieldError", "INVALID_VALUE", "Invalid JSON payload received. "
                    + "Oneof field 'asset_data' is already set: send one of " + members + ".", append(at, path(snake(members.get(1)))))));
        }
        if (members.isEmpty()) {
            throw bad(append(at, path("type")), "fieldError", in.containsKey("type") ? "INVALID_VALUE" : "REQUIRED",
                    "The asset needs its data: imageAsset, textAsset or youtubeVideoAsset.");
        }
        String member = members.getFirst();
        String type = ASSET_DATA.get(member);
        if (in.containsKey("type") && !type.equals(in.get("type"))) {
            throw bad(append(at, path("type")), "fieldError", "INVALID_VALUE", "type does not match the asset's data (" + type + ").");
        }
        List<Map<String, Object>> dataAt = append(at, path(snake(member)));
        if (!(in.get(member) instanceof Map<?, ?> data)) {
            throw bad(dataAt, "fieldError", "REQUIRED", "The required field was not present.");
        }
        Map<String, Object> modelled = switch (member) {
            case "imageAsset" -> imageAsset(cast(data), dataAt);
            case "textAsset" -> {
                unknown(cast(data), Set.of("text"), dataAt);
                if (!(data.get("text") instanceof String text) || text.isBlank()) {
                    throw bad(append(dataAt, path("text")), "fieldError", "REQUIRED", "The required field was not present.");
                }
                yield Map.of("text", text);
            }
            default -> {
                unknown(cast(data), Set.of("youtubeVideoId", "youtubeVideoTitle"), dataAt);
                if (!(data.get("youtubeVideoId") instanceof String video)) {
                    throw bad(append(dataAt, path("youtube_video_id")), "fieldError", "REQUIRED", "The required field was not present.");
                }
                if (!YOUTUBE_ID.matcher(video).matches()) {
                    throw bad(append(dataAt, path("youtube_video_id")), "fieldError", "INVALID_VALUE",
                            "youtubeVideoId must be a YouTube video id (11 characters).");
                }
                yield Map.of("youtubeVideoId", video);
            }
        };
        String id = newId(tx, Kind.ASSET, in, at);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("_key", id);
        o.put("resourceName", "customers/" + tx.c.id + "/assets/" + id);
        o.put("id", id);
        if (in.containsKey("name")) {
            o.put("name", in.get("name"));
        }
        o.put("type", type);
        o.put(member, modelled);
        in.forEach(o::putIfAbsent); // documented fields the simulator does not model are kept as sent
        return o;
    }

    private static Map<String, Object> imageAsset(Map<String, Object> image, List<Map<String, Object>> imageAt) {
        unknown(image, Set.of("data", "fileSize", "mimeType", "fullSize"), imageAt);
        byte[] bytes;
        try {
            bytes = image.get("data") instanceof String s ? Base64.getDecoder().decode(s) : null;
        } catch (IllegalArgumentException e) {
            bytes = null;
        }
        if (bytes == null || bytes.length == 0) {
            throw bad(append(imageAt, path("data")), "fieldError", "INVALID_VALUE", "data must be base64-encoded image bytes.");
        }
        String mime = mimeType(bytes);
        if (mime == null) {
            throw bad(append(imageAt, path("data")), "imageError", "INVALID_IMAGE", "The image is not a PNG, JPEG or GIF.");
        }
        return Map.of("fileSize", String.valueOf(bytes.length), "mimeType", mime);
    }

    private Map<String, Object> createAd(Tx tx, Map<String, Object> in, List<Map<String, Object>> at) {
        Customer c = tx.c;
        unknown(in, AD_GROUP_AD_FIELDS, at);
        if (!in.containsKey("adGroup")) {
            throw bad(append(at, path("ad_group")), "fieldError", "REQUIRED", "The required field was not present.");
        }
        Map<String, Object> group = existing(tx, Kind.AD_GROUP, in.get("adGroup"), append(at, path("ad_group")));
        enumValue(in, "status", Set.of("ENABLED", "PAUSED"), at);
        List<Map<String, Object>> adAt = append(at, path("ad"));
        if (!(in.get("ad") instanceof Map<?, ?> adRaw)) {
            throw bad(adAt, "fieldError", "REQUIRED", "The required field was not present.");
        }
        Map<String, Object> ad = cast(adRaw);
        unknown(ad, AD_FIELDS, adAt);
        String member = adType(ad, adAt);
        boolean callAd = member.equals("callAd");
        List<?> urls = ad.get("finalUrls") instanceof List<?> l ? l : List.of();
        if (urls.isEmpty() && !callAd) {
            throw bad(append(adAt, path("final_urls")), "fieldError", "REQUIRED_NONEMPTY_LIST", "The required repeated field was empty.");
        }
        for (int i = 0; i < urls.size(); i++) {
            if (!(urls.get(i) instanceof String u) || !(u.startsWith("https://") || u.startsWith("http://"))) {
                throw bad(append(adAt, path("final_urls", i)), "urlFieldError", "INVALID_URL", "The URL is not valid.");
            }
        }
        if (ad.containsKey("finalUrlSuffix") && !(ad.get("finalUrlSuffix") instanceof String s && !s.contains("?") && !s.contains("#"))) {
            throw bad(append(adAt, path("final_url_suffix")), "urlFieldError", "INVALID_TAG_IN_FINAL_URL_SUFFIX",
                    "The final URL suffix is not a query string fragment.");
        }
        if (callAd) {
            callAd(ad, urls, adAt);
        } else {
            List<Map<String, Object>> rsaAt = append(adAt, path("responsive_search_ad"));
            if (!(ad.get("responsiveSearchAd") instanceof Map<?, ?> rsaRaw)) {
                throw bad(rsaAt, "fieldError", "REQUIRED", "The required field was not present.");
            }
            Map<String, Object> rsa = cast(rsaRaw);
            unknown(rsa, Set.of("headlines", "descriptions", "path1", "path2"), rsaAt);
            texts(rsa.get("headlines"), 3, 15, 30, append(rsaAt, path("headlines")), "HEADLINES");
            texts(rsa.get("descriptions"), 2, 4, 90, append(rsaAt, path("descriptions")), "DESCRIPTIONS");
        }
        String adId = tx.nextId();
        String key = group.get("id") + "~" + adId;
        Map<String, Object> storedAd = new LinkedHashMap<>(ad);
        storedAd.put("resourceName", "customers/" + c.id + "/ads/" + adId);
        storedAd.put("id", adId);
        storedAd.put("type", callAd ? "CALL_AD" : "RESPONSIVE_SEARCH_AD");
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("_key", key);
        o.put("resourceName", "customers/" + c.id + "/adGroupAds/" + key);
        o.put("adGroup", group.get("resourceName"));
        o.put("status", in.getOrDefault("status", "ENABLED"));
        o.put("ad", storedAd);
        o.put("policySummary", Map.of("reviewStatus", "REVIEW_IN_PROGRESS", "approvalStatus", "UNKNOWN"));
        in.forEach(o::putIfAbsent); // documented fields the simulator does not model are kept as sent
        return o;
    }

    /** The members of Ad's {@code ad_data} oneof (ad.proto). */
    static final Set<String> AD_DATA = Set.of("textAd", "expandedTextAd", "callAd", "expandedDynamicSearchAd", "hotelAd",
            "shoppingSmartAd", "shoppingProductAd", "imageAd", "videoAd", "videoResponsiveAd", "responsiveSearchAd",
            "legacyResponsiveDisplayAd", "appAd", "legacyAppInstallAd", "responsiveDisplayAd", "localAd", "displayUploadAd",
            "appEngagementAd", "shoppingComparisonListingAd", "smartCampaignAd", "appPreRegistrationAd",
            "demandGenMultiAssetAd", "demandGenCarouselAd", "demandGenVideoResponsiveAd", "demandGenProductAd", "travelAd");
    /** The ad types a standard ad group of a Search campaign takes: responsive search ads and call ads. */
    static final Set<String> SEARCH_AD_TYPES = Set.of("responsiveSearchAd", "callAd");
    /** Ad types Google no longer lets anyone create (AdGroupAdError.CANNOT_CREATE_DEPRECATED_ADS). */
    static final Set<String> DEPRECATED_AD_TYPES = Set.of("expandedTextAd", "legacyResponsiveDisplayAd", "legacyAppInstallAd");

    /**
     * The one member of the ad's {@code ad_data} oneof, if a Search ad group takes it: text ads answer
     * {@code adGroupAdError.CANNOT_CREATE_TEXT_ADS}, other deprecated types
     * {@code adGroupAdError.CANNOT_CREATE_DEPRECATED_ADS}, none or another type {@code adError.INVALID_AD_TYPE}
     * (the enum names are Google's; which one Google answers for a type the channel does not take is
     * <i>unverified</i>).
     */
    private static String adType(Map<String, Object> ad, List<Map<String, Object>> adAt) {
        List<String> members = AD_DATA.stream().filter(ad::containsKey).sorted().toList();
        if (members.size() > 1) {
            throw new Bad(400, List.of(error("fieldError", "INVALID_VALUE", "Invalid JSON payload received. "
                    + "Oneof field 'ad_data' is already set: send one of " + members + ".", append(adAt, path(snake(members.get(1)))))));
        }
        if (members.isEmpty()) {
            throw bad(adAt, "adError", "INVALID_AD_TYPE", "Invalid Ad type. A specific type of Ad is required.");
        }
        String member = members.getFirst();
        List<Map<String, Object>> memberAt = append(adAt, path(snake(member)));
        if (member.equals("textAd")) {
            throw bad(memberAt, "adGroupAdError", "CANNOT_CREATE_TEXT_ADS", "Text ads are deprecated and cannot be created.");
        }
        if (DEPRECATED_AD_TYPES.contains(member)) {
            throw bad(memberAt, "adGroupAdError", "CANNOT_CREATE_DEPRECATED_ADS",
                    "An ad of this type is deprecated and cannot be created.");
        }
        if (!SEARCH_AD_TYPES.contains(member)) {
            throw bad(memberAt, "adError", "INVALID_AD_TYPE",
                    "Invalid Ad type: a Search campaign's standard ad group takes responsive search ads and call ads.");
        }
        return member;
    }

    /** CallAdInfo's fields (ad_type_infos.proto). */
    static final Set<String> CALL_AD_FIELDS = Set.of("countryCode", "phoneNumber", "businessName", "headline1", "headline2",
            "description1", "description2", "callTracked", "disableCallConversion", "phoneNumberVerificationUrl",
            "conversionAction", "conversionReportingState", "path1", "path2");
    /** A phone number as the reference's examples write it: digits, spaces, dashes, parentheses, a leading +. */
    private static final Pattern PHONE = Pattern.compile("\\+?[0-9 ()\\-]{4,24}");

    /**
     * A call ad: country code, phone number, business name (≤ 25) and two descriptions (≤ 90) are
     * required, headlines ≤ 30; final URLs are optional when a {@code phoneNumberVerificationUrl} is set.
     */
    private static void callAd(Map<String, Object> ad, List<?> finalUrls, List<Map<String, Object>> adAt) {
        List<Map<String, Object>> at = append(adAt, path("call_ad"));
        if (!(ad.get("callAd") instanceof Map<?, ?> raw)) {
            throw bad(at, "fieldError", "REQUIRED", "The required field was not present.");
        }
        Map<String, Object> call = cast(raw);
        unknown(call, CALL_AD_FIELDS, at);
        if (!(call.get("countryCode") instanceof String country) || !country.matches("[A-Z]{2}")) {
            throw bad(append(at, path("country_code")), "adError", "INVALID_COUNTRY_CODE", "Creative's country code is not valid.");
        }
        if (!(call.get("phoneNumber") instanceof String phone) || phone.isBlank()) {
            throw bad(append(at, path("phone_number")), "adError", "MISSING_PHONE", "Phone number must be entered.");
        }
        if (!PHONE.matcher(phone).matches() || phone.chars().filter(Character::isDigit).count() < 5) {
            throw bad(append(at, path("phone_number")), "adError", "INVALID_PHONE_NUMBER_FORMAT",
                    "The format of the telephone number is incorrect.");
        }
        if (!(call.get("businessName") instanceof String business) || business.isBlank()) {
            throw bad(append(at, path("business_name")), "adError", "MISSING_BUSINESS_NAME", "Business name must be entered.");
        }
        if (!(call.get("description1") instanceof String d1) || d1.isBlank()) {
            throw bad(append(at, path("description1")), "adError", "MISSING_DESCRIPTION1", "Description (line 1) must be entered.");
        }
        if (!(call.get("description2") instanceof String d2) || d2.isBlank()) {
            throw bad(append(at, path("description2")), "adError", "MISSING_DESCRIPTION2", "Description (line 2) must be entered.");
        }
        Map<String, Integer> limits = Map.of("businessName", 25, "headline1", 30, "headline2", 30, "description1", 90,
                "description2", 90, "path1", 15, "path2", 15);
        for (Map.Entry<String, Integer> limit : limits.entrySet()) {
            if (call.get(limit.getKey()) instanceof String text && text.length() > limit.getValue()) {
                throw bad(append(at, path(snake(limit.getKey()))), "adError", "TOO_LONG", "The string has too many characters.");
            }
        }
        if (finalUrls.isEmpty() && !(call.get("phoneNumberVerificationUrl") instanceof String)) {
            throw bad(append(adAt, path("final_urls")), "adError", "CALL_AD_FINAL_URL_AND_VERIFICATION_URL_CANNOT_BOTH_BE_EMPTY",
                    "Final url and verification url cannot both be empty for call ads.");
        }
    }

    private void texts(Object v, int min, int max, int maxChars, List<Map<String, Object>> at, String what) {
        if (!(v instanceof List<?> list)) {
            throw bad(at, "fieldError", "REQUIRED_NONEMPTY_LIST", "The required repeated field was empty.");
        }
        if (list.size() < min) {
            throw bad(at, "adError", "TOO_FEW_" + what, "At least " + min + " " + what.toLowerCase(Locale.ROOT) + " are required.");
        }
        if (list.size() > max) {
            throw bad(at, "adError", "TOO_MANY_" + what, "At most " + max + " " + what.toLowerCase(Locale.ROOT) + " are allowed.");
        }
        for (int i = 0; i < list.size(); i++) {
            List<Map<String, Object>> here = append(at.subList(0, at.size() - 1), path(snake(String.valueOf(at.getLast().get("fieldName"))), i));
            if (!(list.get(i) instanceof Map<?, ?> asset) || !(asset.get("text") instanceof String text) || text.isBlank()) {
                throw bad(here, "fieldError", "REQUIRED", "Each item needs a text.");
            }
            unknown(cast(asset), Set.of("text", "pinnedField"), here);
            if (text.length() > maxChars) {
                throw bad(append(here, path("text")), "stringLengthError", "TOO_LONG",
                        "Too long: at most " + maxChars + " characters.");
            }
        }
    }

    private Map<String, Object> update(Tx tx, Kind kind, Map<String, Object> in, List<String> mask,
            List<Map<String, Object>> at) {
        Customer c = tx.c;
        Map<String, Object> current = existing(tx, kind, in.get("resourceName"), append(at, path("resource_name")));
        once(tx, kind, current, append(at, path("resource_name")));
        Set<String> mutable = switch (kind) {
            case BUDGET -> BUDGET_MUTABLE;
            case CAMPAIGN -> CAMPAIGN_MUTABLE;
            case AD_GROUP -> AD_GROUP_MUTABLE;
            case CRITERION -> Set.of("status");
            case ASSET -> Set.of("name");
            case AD -> Set.of("status");
        };
        Map<String, Object> o = new LinkedHashMap<>(current);
        for (String raw : mask) {
            String f = raw.trim();
            if (f.contains(".") && mutable.contains(f.substring(0, f.indexOf('.')))) {
                // a sub-field path (networkSettings.targetSearchNetwork): the field it belongs to changes
                String top = f.substring(0, f.indexOf('.'));
                if (in.get(top) instanceof Map<?, ?> sub) {
                    Map<String, Object> merged = o.get(top) instanceof Map<?, ?> old ? new LinkedHashMap<>(cast(old))
                            : new LinkedHashMap<>();
                    String leaf = f.substring(f.indexOf('.') + 1);
                    if (sub.containsKey(leaf)) {
                        merged.put(leaf, sub.get(leaf));
                    } else {
                        merged.remove(leaf);
                    }
                    o.put(top, merged);
                }
                continue;
            }
            if (!mutable.contains(f)) {
                throw bad(append(at.subList(0, at.size() - 1), path("update_mask")), "fieldMaskError", "FIELD_NOT_FOUND",
                        "The field mask names a field that cannot be updated: " + f);
            }
            if (in.containsKey(f)) {
                o.put(f, in.get(f));
            } else if (Set.of("name", "status", "amountMicros", "totalAmountMicros", "containsEuPoliticalAdvertising").contains(f)) {
                throw bad(append(at, path(snake(f))), "fieldError", "REQUIRED", "The required field was not present.");
            } else {
                o.remove(f);
            }
        }
        List<Map<String, Object>> fieldsAt = at;
        switch (kind) {
            case BUDGET -> {
                if (mask.contains("name") && tx.all(Kind.BUDGET).stream().anyMatch(b -> !b.get("_key").equals(current.get("_key")) && in.get("name").equals(b.get("name")))) {
                    throw bad(append(at, path("name")), "campaignBudgetError", "DUPLICATE_NAME", "Budget name is already in use.");
                }
                for (String f : List.of("amountMicros", "totalAmountMicros")) {
                    if (mask.contains(f)) {
                        if (!current.containsKey(f)) {
                            throw bad(append(at, path(snake(f))), "fieldError", "VALUE_MUST_BE_UNSET",
                                    "A budget cannot change between daily and total amounts.");
                        }
                        money(c, o.get(f), append(at, path(snake(f))), "campaignBudgetError", "NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT");
                    }
                }
                enumValue(o, "deliveryMethod", Set.of("STANDARD", "ACCELERATED"), fieldsAt);
            }
            case CAMPAIGN -> {
                if (mask.contains("name")) {
                    name(o, at, 255);
                    if (tx.all(Kind.CAMPAIGN).stream().anyMatch(x -> !x.get("_key").equals(current.get("_key")) && o.get("name").equals(x.get("name")))) {
                        throw bad(append(at, path("name")), "campaignError", "DUPLICATE_CAMPAIGN_NAME",
                                "Campaign with the same name already exists.");
                    }
                }
                enumValue(o, "status", Set.of("ENABLED", "PAUSED"), fieldsAt);
                enumValue(o, "containsEuPoliticalAdvertising",
                        Set.of("CONTAINS_EU_POLITICAL_ADVERTISING", "DOES_NOT_CONTAIN_EU_POLITICAL_ADVERTISING"), fieldsAt);
                checkDates(c, o, at, mask.contains("startDateTime"));
                o.putIfAbsent("endDateTime", "2037-12-30 23:59:59");
            }
            case AD_GROUP -> {
                if (mask.contains("name")) {
                    name(o, at, 255);
                }
                enumValue(o, "status", Set.of("ENABLED", "PAUSED"), fieldsAt);
                if (mask.contains("cpcBidMicros") && o.containsKey("cpcBidMicros")) {
                    money(c, o.get("cpcBidMicros"), append(at, path("cpc_bid_micros")), "biddingError", "BID_TOO_MANY_FRACTIONAL_DIGITS");
                }
            }
            case CRITERION -> enumValue(o, "status", Set.of("ENABLED", "PAUSED"), fieldsAt);
            case ASSET -> name(o, at, 255);
            case AD -> enumValue(o, "status", Set.of("ENABLED", "PAUSED"), fieldsAt);
        }
        return o;
    }

    private void checkDates(Customer c, Map<String, Object> o, List<Map<String, Object>> at, boolean startChanged) {
        LocalDateTime start = dateTime(o, "startDateTime", at);
        LocalDateTime end = dateTime(o, "endDateTime", at);
        LocalDate today = LocalDate.ofInstant(clock.instant(), c.zone());
        if (startChanged && start != null && start.toLocalDate().isBefore(today)) {
            throw bad(append(at, path("start_date_time")), "dateRangeError", "CANNOT_SET_DATE_TO_PAST",
                    "Cannot set date to past time.");
        }
        if (start != null && end != null && !end.isAfter(start)) {
            throw bad(append(at, path("end_date_time")), "dateRangeError", "START_DATE_AFTER_END_DATE",
                    "Start date is after end date.");
        }
    }

    private static LocalDateTime dateTime(Map<String, Object> o, String field, List<Map<String, Object>> at) {
        Object v = o.get(field);
        if (v == null) {
            return null;
        }
        try {
            return LocalDateTime.parse((String) v, DATE_TIME);
        } catch (ClassCastException | DateTimeParseException e) {
            throw bad(append(at, path(snake(field))), "dateError", "INVALID_STRING_DATE_TIME_SECONDS",
                    "The string date time's format should be yyyy-mm-dd hh:mm:ss.");
        }
    }

    private static void money(Customer c, Object v, List<Map<String, Object>> at, String category, String notMultiple) {
        if (!(v instanceof String s) || !s.matches("-?[0-9]{1,19}")) {
            throw bad(at, "fieldError", "INVALID_VALUE", "int64 values are JSON strings of digits.");
        }
        long micros;
        try {
            micros = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw bad(at, "fieldError", "INVALID_VALUE", "The value is out of range.");
        }
        if (micros <= 0) {
            throw bad(at, "fieldError", "INVALID_VALUE", "The amount must be positive.");
        }
        if (micros % c.minimumUnitMicros() != 0) {
            throw bad(at, category, notMultiple, "The amount must be a multiple of the currency's minimum unit.");
        }
    }

    private static String name(Map<String, Object> in, List<Map<String, Object>> at, int max) {
        if (!in.containsKey("name")) {
            throw bad(append(at, path("name")), "fieldError", "REQUIRED", "The required field was not present.");
        }
        if (!(in.get("name") instanceof String s) || s.isBlank()) {
            throw bad(append(at, path("name")), "stringLengthError", "EMPTY", "The name is empty.");
        }
        if (s.length() > max) {
            throw bad(append(at, path("name")), "stringLengthError", "TOO_LONG", "Too long: at most " + max + " characters.");
        }
        return s;
    }

    private static void enumValue(Map<String, Object> in, String field, Set<String> allowed, List<Map<String, Object>> at) {
        if (in.containsKey(field) && !allowed.contains(in.get(field))) {
            throw bad(append(at, path(snake(field))), "fieldError", "INVALID_VALUE", "Invalid value for " + field + ".");
        }
    }

    private static String mimeType(byte[] b) {
        if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return "IMAGE_PNG";
        }
        if (b.length >= 3 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8 && (b[2] & 0xff) == 0xFF) {
            return "IMAGE_JPEG";
        }
        if (b.length >= 6 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F') {
            return "IMAGE_GIF";
        }
        return null;
    }


    // ------------------------------------------------------------------ documented fields

    /**
     * The fields of the {@code Campaign} resource (google/ads/googleads/v23/resources/campaign.proto,
     * lowerCamelCase as in REST): accepted on create and echoed, modelled or not.
     */
    static final Set<String> CAMPAIGN_FIELDS = Set.of("resourceName", "id", "name", "primaryStatus", "primaryStatusReasons",
            "status", "servingStatus", "biddingStrategySystemStatus", "adServingOptimizationStatus",
            "advertisingChannelType", "advertisingChannelSubType", "trackingUrlTemplate", "urlCustomParameters",
            "localServicesCampaignSettings", "travelCampaignSettings", "demandGenCampaignSettings",
            "videoCampaignSettings", "pmaxCampaignSettings", "realTimeBiddingSetting", "networkSettings", "hotelSetting",
            "dynamicSearchAdsSetting", "shoppingSetting", "targetingSetting", "audienceSetting", "geoTargetTypeSetting",
            "localCampaignSetting", "appCampaignSetting", "labels", "experimentType", "baseCampaign", "campaignBudget",
            "biddingStrategyType", "accessibleBiddingStrategy", "campaignGroup", "startDateTime", "endDateTime",
            "finalUrlSuffix", "frequencyCaps", "videoBrandSafetySuitability", "vanityPharma", "selectiveOptimization",
            "optimizationGoalSetting", "trackingSetting", "paymentMode", "optimizationScore",
            "excludedParentAssetFieldTypes", "excludedParentAssetSetTypes", "performanceMaxUpgrade",
            "hotelPropertyAssetSet", "listingType", "assetAutomationSettings", "keywordMatchType",
            "brandGuidelinesEnabled", "brandGuidelines", "textGuidelines", "thirdPartyIntegrationPartners",
            "aiMaxSetting", "containsEuPoliticalAdvertising", "feedTypes", "missingEuPoliticalAdvertisingDeclaration",
            "biddingStrategy", "commission", "manualCpa", "manualCpc", "manualCpm", "manualCpv", "maximizeConversions",
            "maximizeConversionValue", "targetCpa", "targetImpressionShare", "targetRoas", "targetSpend", "percentCpc",
            "targetCpm", "fixedCpm", "targetCpv", "targetCpc");
    /** The members of the campaign's {@code campaign_bidding_strategy} oneof. */
    static final List<String> BIDDING_SCHEMES = List.of("biddingStrategy", "commission", "manualCpa", "manualCpc",
            "manualCpm", "manualCpv", "maximizeConversions", "maximizeConversionValue", "targetCpa",
            "targetImpressionShare", "targetRoas", "targetSpend", "percentCpc", "targetCpm", "fixedCpm", "targetCpv",
            "targetCpc");
    /** What an update may change: every field but the output-only and immutable ones. */
    static final Set<String> CAMPAIGN_MUTABLE = minus(CAMPAIGN_FIELDS, Set.of("resourceName", "id", "primaryStatus",
            "primaryStatusReasons", "servingStatus", "biddingStrategySystemStatus", "advertisingChannelType",
            "advertisingChannelSubType", "labels", "experimentType", "baseCampaign", "biddingStrategyType",
            "accessibleBiddingStrategy", "trackingSetting", "optimizationScore", "performanceMaxUpgrade",
            "hotelPropertyAssetSet", "listingType", "brandGuidelinesEnabled", "audienceSetting", "feedTypes",
            "missingEuPoliticalAdvertisingDeclaration"));
    /** The fields of {@code CampaignBudget} (campaign_budget.proto). */
    static final Set<String> BUDGET_FIELDS = Set.of("resourceName", "id", "name", "amountMicros", "totalAmountMicros",
            "status", "deliveryMethod", "explicitlyShared", "referenceCount", "hasRecommendedBudget",
            "recommendedBudgetAmountMicros", "period", "recommendedBudgetEstimatedChangeWeeklyClicks",
            "recommendedBudgetEstimatedChangeWeeklyCostMicros", "recommendedBudgetEstimatedChangeWeeklyInteractions",
            "recommendedBudgetEstimatedChangeWeeklyViews", "type", "alignedBiddingStrategyId");
    static final Set<String> BUDGET_MUTABLE = Set.of("name", "amountMicros", "totalAmountMicros", "deliveryMethod");
    /** The fields of {@code AdGroup} (ad_group.proto). */
    static final Set<String> AD_GROUP_FIELDS = Set.of("resourceName", "id", "name", "status", "type", "adRotationMode",
            "baseAdGroup", "trackingUrlTemplate", "urlCustomParameters", "campaign", "cpcBidMicros",
            "effectiveCpcBidMicros", "cpmBidMicros", "targetCpaMicros", "cpvBidMicros", "targetCpmMicros", "targetRoas",
            "percentCpcBidMicros", "fixedCpmMicros", "targetCpvMicros", "optimizedTargetingEnabled",
            "excludeDemographicExpansion", "displayCustomBidDimension", "finalUrlSuffix", "targetingSetting",
            "audienceSetting", "effectiveTargetCpaMicros", "effectiveTargetCpaSource", "effectiveTargetRoas",
            "effectiveTargetRoasSource", "labels", "excludedParentAssetFieldTypes", "excludedParentAssetSetTypes",
            "primaryStatus", "primaryStatusReasons", "demandGenAdGroupSettings", "aiMaxAdGroupSetting");
    static final Set<String> AD_GROUP_MUTABLE = minus(AD_GROUP_FIELDS, Set.of("resourceName", "id", "type", "baseAdGroup",
            "campaign", "effectiveCpcBidMicros", "effectiveTargetCpaMicros", "effectiveTargetCpaSource",
            "effectiveTargetRoas", "effectiveTargetRoasSource", "labels", "primaryStatus", "primaryStatusReasons",
            "audienceSetting"));

    /** The fields of {@code AdGroupAd} (ad_group_ad.proto). */
    static final Set<String> AD_GROUP_AD_FIELDS = Set.of("resourceName", "status", "adGroup", "ad", "policySummary",
            "adStrength", "actionItems", "labels", "primaryStatus", "primaryStatusReasons",
            "adGroupAdAssetAutomationSettings");
    /**
     * The fields of {@code Ad} (ad.proto): the common ones and the members of its {@code ad_data}
     * oneof (the simulator serves {@code responsiveSearchAd}; another type is refused as not served).
     */
    static final Set<String> AD_FIELDS = Set.of("resourceName", "id", "finalUrls", "finalAppUrls", "finalMobileUrls",
            "trackingUrlTemplate", "finalUrlSuffix", "urlCustomParameters", "displayUrl", "type", "addedByGoogleAds",
            "devicePreference", "urlCollections", "name", "systemManagedResourceSource", "textAd", "expandedTextAd",
            "callAd", "expandedDynamicSearchAd", "hotelAd", "shoppingSmartAd", "shoppingProductAd", "imageAd", "videoAd",
            "videoResponsiveAd", "responsiveSearchAd", "legacyResponsiveDisplayAd", "appAd", "legacyAppInstallAd",
            "responsiveDisplayAd", "localAd", "displayUploadAd", "appEngagementAd", "shoppingComparisonListingAd",
            "smartCampaignAd", "appPreRegistrationAd", "demandGenMultiAssetAd", "demandGenCarouselAd",
            "demandGenVideoResponsiveAd", "demandGenProductAd", "travelAd");
    /**
     * The fields of {@code Asset} (asset.proto) besides its {@code asset_data} oneof, of which the
     * simulator serves {@code imageAsset}, {@code textAsset} and {@code youtubeVideoAsset}.
     */
    static final Set<String> ASSET_FIELDS = Set.of("resourceName", "id", "name", "type", "finalUrls", "finalMobileUrls",
            "trackingUrlTemplate", "urlCustomParameters", "finalUrlSuffix", "source", "policySummary",
            "fieldTypePolicySummaries", "imageAsset", "textAsset", "youtubeVideoAsset");

    private static Set<String> minus(Set<String> all, Set<String> out) {
        Set<String> left = new java.util.HashSet<>(all);
        left.removeAll(out);
        return Set.copyOf(left);
    }

    // ------------------------------------------------------------------ GAQL search

    /** The resources whose changes {@code change_status} lists, and their resource type there. */
    private static final Map<Kind, String> CHANGE_TYPES = Map.of(Kind.CAMPAIGN, "CAMPAIGN", Kind.AD_GROUP, "AD_GROUP",
            Kind.AD, "AD_GROUP_AD");
    /** {@code change_status.last_change_date_time}: account time zone, microseconds (<i>unverified</i> precision). */
    static final DateTimeFormatter CHANGE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT);
    /** How far back {@code change_status} reaches, and the most rows one query may ask for. */
    static final int CHANGE_STATUS_DAYS = 90;
    static final int CHANGE_STATUS_LIMIT = 10_000;

    private static final Map<String, Set<String>> FIELDS = Map.ofEntries(
            Map.entry("change_status", Set.of("change_status.resource_name", "change_status.last_change_date_time",
                    "change_status.resource_type", "change_status.resource_status", "change_status.campaign",
                    "change_status.ad_group", "change_status.ad_group_ad")),
            Map.entry("customer", Set.of("customer.id", "customer.resource_name", "customer.descriptive_name", "customer.currency_code",
                    "customer.time_zone", "customer.manager")),
            Map.entry("campaign_budget", Set.of("campaign_budget.resource_name", "campaign_budget.id", "campaign_budget.name",
                    "campaign_budget.amount_micros", "campaign_budget.total_amount_micros", "campaign_budget.delivery_method",
                    "campaign_budget.explicitly_shared", "campaign_budget.period", "campaign_budget.status")),
            Map.entry("campaign", Set.of("campaign.resource_name", "campaign.id", "campaign.name", "campaign.status",
                    "campaign.advertising_channel_type", "campaign.campaign_budget", "campaign.start_date_time",
                    "campaign.end_date_time", "campaign.contains_eu_political_advertising", "campaign.serving_status")),
            Map.entry("ad_group", Set.of("ad_group.resource_name", "ad_group.id", "ad_group.name", "ad_group.status", "ad_group.campaign",
                    "ad_group.type", "ad_group.cpc_bid_micros")),
            Map.entry("campaign_criterion", Set.of("campaign_criterion.resource_name", "campaign_criterion.campaign",
                    "campaign_criterion.criterion_id", "campaign_criterion.type", "campaign_criterion.negative",
                    "campaign_criterion.status", "campaign_criterion.location.geo_target_constant",
                    "campaign_criterion.language.language_constant")),
            Map.entry("asset", Set.of("asset.resource_name", "asset.id", "asset.name", "asset.type", "asset.image_asset.file_size",
                    "asset.image_asset.mime_type", "asset.text_asset.text", "asset.youtube_video_asset.youtube_video_id",
                    "asset.youtube_video_asset.youtube_video_title")),
            Map.entry("ad_group_ad", Set.of("ad_group_ad.resource_name", "ad_group_ad.status", "ad_group_ad.ad_group",
                    "ad_group_ad.ad.id", "ad_group_ad.ad.resource_name", "ad_group_ad.ad.type", "ad_group_ad.ad.final_urls",
                    "ad_group_ad.ad.final_url_suffix", "ad_group_ad.policy_summary.review_status",
                    "ad_group_ad.policy_summary.approval_status")),
            Map.entry("metrics", Set.of("metrics.impressions", "metrics.clicks", "metrics.cost_micros")),
            Map.entry("segments", Set.of("segments.date")));

    /** The resources whose fields a query FROM each resource may select (its own and attributed ones). */
    private static final Map<String, List<String>> SELECTABLE = Map.of(
            "customer", List.of("customer"),
            "campaign_budget", List.of("campaign_budget", "customer"),
            "campaign", List.of("campaign", "campaign_budget", "customer", "metrics", "segments"),
            "ad_group", List.of("ad_group", "campaign", "customer"),
            "campaign_criterion", List.of("campaign_criterion", "campaign", "customer"),
            "asset", List.of("asset", "customer"),
            "ad_group_ad", List.of("ad_group_ad", "ad_group", "campaign", "customer"),
            "change_status", List.of("change_status", "customer"));

    private record Condition(String field, String op, List<String> values) {}

    private record Query(List<String> select, String from, List<Condition> where, Integer limit) {}

    private SimResponse search(Customer c, SimRequest r) {
        Map<String, Object> b = body(r);
        unknown(b, Set.of("query", "pageToken", "validateOnly", "returnTotalResultsCount", "summaryRowSetting", "searchSettings"), List.of());
        if (!(b.get("query") instanceof String text) || text.isBlank()) {
            throw bad(List.of(path("query")), "queryError", "QUERY_NOT_SET", "The query is empty.");
        }
        Query q = resolveDates(c, parse(text));
        List<Map<String, Object>> rows = rows(c, q);
        int start = 0;
        String fingerprint = Integer.toHexString(text.strip().hashCode());
        if (b.get("pageToken") instanceof String token && !token.isEmpty()) {
            Matcher m = Pattern.compile("pt-([0-9]+)-" + Pattern.quote(fingerprint)).matcher(token);
            if (!m.matches() || Integer.parseInt(m.group(1)) > rows.size()) {
                throw bad(List.of(path("page_token")), "requestError", "INVALID_PAGE_TOKEN", "Page token is invalid.");
            }
            start = Integer.parseInt(m.group(1));
        }
        int end = Math.min(rows.size(), start + pageSize);
        Map<String, Object> out = new LinkedHashMap<>();
        List<Map<String, Object>> results = new ArrayList<>();
        for (Map<String, Object> row : rows.subList(start, end)) {
            results.add(project(row, q.select()));
        }
        if (!results.isEmpty()) { // proto3 JSON leaves an empty repeated field out
            out.put("results", results);
        }
        if (end < rows.size()) {
            out.put("nextPageToken", "pt-" + end + "-" + fingerprint);
        }
        out.put("fieldMask", String.join(",", q.select().stream().map(GoogleAdsSimulator::camelPath).toList()));
        if (Boolean.TRUE.equals(b.get("returnTotalResultsCount"))) {
            out.put("totalResultsCount", String.valueOf(rows.size()));
        }
        return SimResponse.json(200, out);
    }

    /**
     * {@code googleAds:searchStream}: the same query, every row at once, as a JSON array of
     * {@code SearchGoogleAdsStreamResponse} batches (one per {@link #pageSize} rows, at least one),
     * each with {@code results}, {@code fieldMask} and {@code requestId}; no page tokens.
     */
    private SimResponse searchStream(Customer c, SimRequest r) {
        Map<String, Object> b = body(r);
        unknown(b, Set.of("query", "summaryRowSetting", "customerId"), List.of());
        if (!(b.get("query") instanceof String text) || text.isBlank()) {
            throw bad(List.of(path("query")), "queryError", "QUERY_NOT_SET", "The query is empty.");
        }
        Query q = resolveDates(c, parse(text));
        List<Map<String, Object>> rows = rows(c, q);
        String fieldMask = String.join(",", q.select().stream().map(GoogleAdsSimulator::camelPath).toList());
        List<Map<String, Object>> batches = new ArrayList<>();
        int start = 0;
        do {
            int end = Math.min(rows.size(), start + pageSize);
            List<Map<String, Object>> results = new ArrayList<>();
            for (Map<String, Object> row : rows.subList(start, end)) {
                results.add(project(row, q.select()));
            }
            Map<String, Object> batch = new LinkedHashMap<>();
            if (!results.isEmpty()) {
                batch.put("results", results);
            }
            batch.put("fieldMask", fieldMask);
            batch.put("requestId", REQUEST_ID_SLOT);
            batches.add(batch);
            start = end;
        } while (start < rows.size());
        return SimResponse.json(200, batches);
    }

    /**
     * GAQL's {@code DURING <date range>} as the day range it names in the customer's time zone
     * (Google's predefined date ranges; {@code LAST_7_DAYS} and the like end yesterday).
     */
    private Query resolveDates(Customer c, Query q) {
        LocalDate today = LocalDate.ofInstant(clock.instant(), c.zone());
        List<Condition> where = new ArrayList<>();
        for (Condition w : q.where()) {
            if (!w.op().equals("DURING")) {
                where.add(w);
                continue;
            }
            LocalDate[] range = during(w.values().getFirst(), today);
            if (range == null) {
                throw bad(List.of(path("query")), "queryError", "INVALID_LITERAL_DATE_RANGE",
                        "Unknown date range " + w.values().getFirst() + " after DURING.");
            }
            where.add(new Condition(w.field(), "BETWEEN", List.of(range[0].toString(), range[1].toString())));
        }
        return new Query(q.select(), q.from(), where, q.limit());
    }

    static LocalDate[] during(String constant, LocalDate today) {
        java.time.DayOfWeek monday = java.time.DayOfWeek.MONDAY;
        LocalDate thisMonday = today.with(java.time.temporal.TemporalAdjusters.previousOrSame(monday));
        LocalDate thisSunday = today.with(java.time.temporal.TemporalAdjusters.previousOrSame(java.time.DayOfWeek.SUNDAY));
        return switch (constant.toUpperCase(Locale.ROOT)) {
            case "TODAY" -> new LocalDate[] {today, today};
            case "YESTERDAY" -> new LocalDate[] {today.minusDays(1), today.minusDays(1)};
            case "LAST_7_DAYS" -> new LocalDate[] {today.minusDays(7), today.minusDays(1)};
            case "LAST_14_DAYS" -> new LocalDate[] {today.minusDays(14), today.minusDays(1)};
            case "LAST_30_DAYS" -> new LocalDate[] {today.minusDays(30), today.minusDays(1)};
            case "THIS_MONTH" -> new LocalDate[] {today.withDayOfMonth(1), today};
            case "LAST_MONTH" -> new LocalDate[] {today.minusMonths(1).withDayOfMonth(1), today.withDayOfMonth(1).minusDays(1)};
            case "THIS_WEEK_MON_TODAY" -> new LocalDate[] {thisMonday, today};
            case "THIS_WEEK_SUN_TODAY" -> new LocalDate[] {thisSunday, today};
            case "LAST_WEEK_MON_SUN" -> new LocalDate[] {thisMonday.minusDays(7), thisMonday.minusDays(1)};
            case "LAST_WEEK_SUN_SAT" -> new LocalDate[] {thisSunday.minusDays(7), thisSunday.minusDays(1)};
            case "LAST_BUSINESS_WEEK" -> new LocalDate[] {thisMonday.minusDays(7), thisMonday.minusDays(3)};
            default -> null;
        };
    }

    private Query parse(String text) {
        Matcher m = Pattern.compile("(?is)^\\s*SELECT\\s+(.+?)\\s+FROM\\s+([a-z_]+)(?:\\s+WHERE\\s+(.+?))?"
                + "(?:\\s+ORDER\\s+BY\\s+(.+?))?(?:\\s+LIMIT\\s+([0-9]+))?(?:\\s+PARAMETERS\\s+.+?)?\\s*$").matcher(text);
        if (!m.matches()) {
            throw bad(List.of(path("query")), "queryError", "UNEXPECTED_INPUT", "The query is not valid GAQL.");
        }
        String from = m.group(2).toLowerCase(Locale.ROOT);
        if (!SELECTABLE.containsKey(from)) {
            throw bad(List.of(path("query")), "queryError", "INVALID_RESOURCE_NAME_IN_FROM_CLAUSE", "Unknown resource " + from + ".");
        }
        List<String> select = new ArrayList<>();
        for (String f : m.group(1).split(",")) {
            String field = f.trim();
            checkField(from, field);
            select.add(field);
        }
        List<Condition> where = m.group(3) == null ? List.of() : conditions(from, m.group(3));
        if (m.group(4) != null) {
            for (String f : m.group(4).split(",")) {
                checkField(from, f.trim().split("\\s+")[0]);
            }
        }
        return new Query(select, from, where, m.group(5) == null ? null : Integer.valueOf(m.group(5)));
    }

    private static void checkField(String from, String field) {
        String resource = field.contains(".") ? field.substring(0, field.indexOf('.')) : field;
        if (!SELECTABLE.get(from).contains(resource) || !(FIELDS.get(resource).contains(field) || documented(field))) {
            throw bad(List.of(path("query")), "queryError", "UNRECOGNIZED_FIELD", "Unrecognized field in the query: '" + field + "'.");
        }
    }

    /**
     * Whether a field belongs to a documented field of a campaign, budget or ad group that the
     * simulator keeps as sent without modelling it ({@code campaign.geo_target_type_setting.positive_geo_target_type}):
     * selectable, answered when set, left out (as Google leaves out defaults) when not.
     */
    private static boolean documented(String field) {
        String[] parts = field.split("\\.");
        if (parts.length < 2) {
            return false;
        }
        Set<String> fields = switch (parts[0]) {
            case "campaign" -> CAMPAIGN_FIELDS;
            case "campaign_budget" -> BUDGET_FIELDS;
            case "ad_group" -> AD_GROUP_FIELDS;
            default -> Set.of();
        };
        return fields.contains(camel(parts[1])) && field.matches("[a-z0-9_.]+");
    }

    private static final Pattern TOKEN = Pattern.compile(
            "\\s*(?:('(?:[^'\\\\]|\\\\.)*'|\"(?:[^\"\\\\]|\\\\.)*\")|(!=|>=|<=|=|>|<|\\(|\\)|,)|([A-Za-z_][A-Za-z0-9_.]*)|(-?[0-9]+))");

    private List<Condition> conditions(String from, String text) {
        List<String> tokens = new ArrayList<>();
        Matcher m = TOKEN.matcher(text);
        int at = 0;
        while (at < text.length() && m.find(at) && m.start() == at) {
            tokens.add(m.group().strip());
            at = m.end();
        }
        if (!text.substring(at).isBlank()) {
            throw bad(List.of(path("query")), "queryError", "UNEXPECTED_INPUT", "Cannot parse the WHERE clause.");
        }
        List<Condition> out = new ArrayList<>();
        int i = 0;
        while (i < tokens.size()) {
            try {
                String field = tokens.get(i++);
                checkField(from, field);
                String op = tokens.get(i++).toUpperCase(Locale.ROOT);
                List<String> values = new ArrayList<>();
                switch (op) {
                    case "=", "!=", ">", ">=", "<", "<=", "LIKE" -> values.add(literal(tokens.get(i++)));
                    case "DURING" -> {
                        if (!field.equals("segments.date")) {
                            throw bad(List.of(path("query")), "queryError", "DURING_OPERATOR_WITH_NON_DATE_FIELD",
                                    "DURING needs a date field.");
                        }
                        String range = tokens.get(i++);
                        if (!range.matches("[A-Za-z_0-9]+")) {
                            throw new IndexOutOfBoundsException();
                        }
                        values.add(range);
                    }
                    case "BETWEEN" -> {
                        values.add(literal(tokens.get(i++)));
                        if (!"AND".equalsIgnoreCase(tokens.get(i++))) {
                            throw new IndexOutOfBoundsException();
                        }
                        values.add(literal(tokens.get(i++)));
                    }
                    case "IN" -> {
                        if (!"(".equals(tokens.get(i++))) {
                            throw new IndexOutOfBoundsException();
                        }
                        while (!")".equals(tokens.get(i))) {
                            values.add(literal(tokens.get(i++)));
                            if (",".equals(tokens.get(i))) {
                                i++;
                            }
                        }
                        i++;
                    }
                    default -> throw bad(List.of(path("query")), "queryError", "INVALID_OPERATOR_IN_WHERE_CLAUSE",
                            "Unsupported operator " + op + ".");
                }
                out.add(new Condition(field, op, values));
                if (i < tokens.size() && !"AND".equalsIgnoreCase(tokens.get(i++))) {
                    throw new IndexOutOfBoundsException();
                }
            } catch (IndexOutOfBoundsException e) {
                throw bad(List.of(path("query")), "queryError", "UNEXPECTED_INPUT", "Cannot parse the WHERE clause.");
            }
        }
        return out;
    }

    private static String literal(String token) {
        if (token.startsWith("'") || token.startsWith("\"")) {
            return token.substring(1, token.length() - 1).replaceAll("\\\\(.)", "$1");
        }
        if (token.matches("-?[0-9]+")) {
            return token;
        }
        throw new IndexOutOfBoundsException();
    }

    private List<Map<String, Object>> rows(Customer c, Query q) {
        List<Map<String, Object>> base = new ArrayList<>();
        Map<String, Object> customer = flat("customer", Map.of("resourceName", "customers/" + c.id, "id", c.id,
                "descriptiveName", "Customer " + c.id, "currencyCode", c.currency, "timeZone", c.timeZone,
                "manager", false));
        switch (q.from()) {
            case "customer" -> base.add(customer);
            case "campaign_budget" -> c.budgets.values().forEach(o -> base.add(join(customer, flat("campaign_budget", o))));
            case "campaign" -> c.campaigns.values().forEach(o -> base.add(join(customer, flat("campaign", o),
                    flat("campaign_budget", c.budgets.get(key(o.get("campaignBudget")))))));
            case "ad_group" -> c.adGroups.values().forEach(o -> base.add(join(customer, flat("ad_group", o),
                    flat("campaign", c.campaigns.get(key(o.get("campaign")))))));
            case "campaign_criterion" -> c.criteria.values().forEach(o -> base.add(join(customer,
                    flat("campaign_criterion", o), flat("campaign", c.campaigns.get(key(o.get("campaign")))))));
            case "asset" -> c.assets.values().forEach(o -> base.add(join(customer, flat("asset", o))));
            case "change_status" -> changeStatus(c, q).forEach(o -> base.add(join(customer, o)));
            default -> c.ads.values().forEach(o -> {
                Map<String, Object> g = c.adGroups.get(key(o.get("adGroup")));
                base.add(join(customer, flat("ad_group_ad", o), flat("ad_group", g), flat("campaign", c.campaigns.get(key(g.get("campaign"))))));
            });
        }
        boolean metrics = q.select().stream().anyMatch(f -> f.startsWith("metrics.") || f.startsWith("segments."))
                || q.where().stream().anyMatch(w -> w.field().startsWith("metrics.") || w.field().startsWith("segments."));
        List<Map<String, Object>> rows = new ArrayList<>();
        if (!metrics) {
            base.stream().filter(row -> matches(row, q.where())).forEach(rows::add);
        } else {
            LocalDate[] range = dateRange(q.where());
            boolean byDay = q.select().contains("segments.date");
            for (Map<String, Object> row : base) {
                Map<String, Object> campaign = c.campaigns.get(String.valueOf(row.get("campaign.id")));
                long[] total = new long[3];
                for (LocalDate d = range[0]; !d.isAfter(range[1]); d = d.plusDays(1)) {
                    long cost = spendMicrosOn(c, campaign, d);
                    Map<String, Object> day = new LinkedHashMap<>(row);
                    day.put("segments.date", d.toString());
                    day.put("metrics.cost_micros", String.valueOf(cost));
                    day.put("metrics.impressions", String.valueOf(cost / 5_000));
                    day.put("metrics.clicks", String.valueOf(cost / 5_000 / 50));
                    if (!matches(day, q.where()) || cost == 0) {
                        continue;
                    }
                    if (byDay) {
                        rows.add(day);
                    }
                    total[0] += cost;
                    total[1] += cost / 5_000;
                    total[2] += cost / 5_000 / 50;
                }
                if (!byDay && total[0] > 0) {
                    Map<String, Object> sum = new LinkedHashMap<>(row);
                    sum.put("metrics.cost_micros", String.valueOf(total[0]));
                    sum.put("metrics.impressions", String.valueOf(total[1]));
                    sum.put("metrics.clicks", String.valueOf(total[2]));
                    rows.add(sum);
                }
            }
        }
        return q.limit() == null ? rows : rows.subList(0, Math.min(rows.size(), q.limit()));
    }

    /**
     * The {@code change_status} rows: one per changed campaign, ad group and ad group ad, its last
     * change only, oldest first. The query must bound {@code last_change_date_time} from below within
     * the last {@value #CHANGE_STATUS_DAYS} days and carry a LIMIT of at most {@value #CHANGE_STATUS_LIMIT}.
     */
    private List<Map<String, Object>> changeStatus(Customer c, Query q) {
        if (q.limit() == null || q.limit() < 1 || q.limit() > CHANGE_STATUS_LIMIT) {
            throw bad(List.of(path("query")), "changeStatusError", q.limit() == null ? "LIMIT_NOT_SPECIFIED"
                    : "INVALID_LIMIT_CLAUSE", "A change_status query needs a LIMIT of at most " + CHANGE_STATUS_LIMIT + ".");
        }
        String from = null;
        for (Condition w : q.where()) {
            if (w.field().equals("change_status.last_change_date_time")
                    && Set.of(">", ">=", "BETWEEN", "=").contains(w.op())) {
                from = w.values().getFirst();
            }
        }
        if (from == null) {
            throw bad(List.of(path("query")), "changeStatusError", "CHANGE_DATE_RANGE_INFINITE",
                    "A change_status query needs a lower bound on change_status.last_change_date_time.");
        }
        LocalDate start;
        try {
            start = LocalDate.parse(from.substring(0, Math.min(10, from.length())));
        } catch (DateTimeParseException e) {
            throw bad(List.of(path("query")), "queryError", "INVALID_VALUE", "Dates are 'YYYY-MM-DD HH:MM:SS'.");
        }
        if (start.isBefore(LocalDate.ofInstant(clock.instant(), c.zone()).minusDays(CHANGE_STATUS_DAYS))) {
            throw bad(List.of(path("query")), "changeStatusError", "START_DATE_TOO_OLD",
                    "change_status reaches back " + CHANGE_STATUS_DAYS + " days.");
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        CHANGE_TYPES.forEach((kind, type) -> c.objects(kind).forEach((key, o) -> {
            if (!(o.get("_changedAt") instanceof String at)) {
                return;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("change_status.resource_name", "customers/" + c.id + "/changeStatus/" + type + "~" + key);
            row.put("change_status.last_change_date_time", at);
            row.put("change_status.resource_type", type);
            row.put("change_status.resource_status", o.get("_changeStatus"));
            switch (kind) {
                case CAMPAIGN -> row.put("change_status.campaign", o.get("resourceName"));
                case AD_GROUP -> {
                    row.put("change_status.campaign", o.get("campaign"));
                    row.put("change_status.ad_group", o.get("resourceName"));
                }
                default -> {
                    Map<String, Object> g = c.adGroups.get(key(o.get("adGroup")));
                    row.put("change_status.campaign", g == null ? null : g.get("campaign"));
                    row.put("change_status.ad_group", o.get("adGroup"));
                    row.put("change_status.ad_group_ad", o.get("resourceName"));
                }
            }
            row.values().removeIf(java.util.Objects::isNull);
            rows.add(row);
        }));
        rows.sort(java.util.Comparator.comparing(r -> String.valueOf(r.get("change_status.last_change_date_time"))));
        return rows;
    }

    private static LocalDate[] dateRange(List<Condition> where) {
        LocalDate from = null;
        LocalDate to = null;
        try {
            for (Condition w : where) {
                if (!w.field().equals("segments.date")) {
                    continue;
                }
                switch (w.op()) {
                    case "BETWEEN" -> {
                        from = LocalDate.parse(w.values().get(0));
                        to = LocalDate.parse(w.values().get(1));
                    }
                    case "=" -> from = to = LocalDate.parse(w.values().getFirst());
                    case ">=" -> from = LocalDate.parse(w.values().getFirst());
                    case ">" -> from = LocalDate.parse(w.values().getFirst()).plusDays(1);
                    case "<=" -> to = LocalDate.parse(w.values().getFirst());
                    case "<" -> to = LocalDate.parse(w.values().getFirst()).minusDays(1);
                    default -> { }
                }
            }
        } catch (DateTimeParseException e) {
            throw bad(List.of(path("query")), "queryError", "INVALID_VALUE_WITH_BETWEEN_OPERATOR", "Dates are 'YYYY-MM-DD'.");
        }
        if (from == null || to == null) {
            throw bad(List.of(path("query")), "queryError", "EXPECTED_FILTERS_ON_DATE_RANGE",
                    "Metrics and segments.date need a finite date range on segments.date.");
        }
        if (to.isBefore(from)) {
            throw bad(List.of(path("query")), "queryError", "INVALID_VALUE_WITH_BETWEEN_OPERATOR", "The date range is empty.");
        }
        if (from.plusDays(3_660).isBefore(to)) {
            throw bad(List.of(path("query")), "queryError", "DATE_RANGE_TOO_WIDE", "The date range is too wide.");
        }
        return new LocalDate[] {from, to};
    }

    private static boolean matches(Map<String, Object> row, List<Condition> where) {
        for (Condition w : where) {
            Object raw = row.get(w.field());
            String v = raw == null ? null : String.valueOf(raw);
            boolean ok = switch (w.op()) {
                case "=" -> w.values().getFirst().equals(v);
                case "!=" -> !w.values().getFirst().equals(v);
                case "IN" -> w.values().contains(v);
                case "LIKE" -> v != null && likePattern(w.values().getFirst()).matcher(v).matches();
                case "BETWEEN" -> v != null && compare(v, w.values().get(0)) >= 0 && compare(v, w.values().get(1)) <= 0;
                case ">" -> v != null && compare(v, w.values().getFirst()) > 0;
                case ">=" -> v != null && compare(v, w.values().getFirst()) >= 0;
                case "<" -> v != null && compare(v, w.values().getFirst()) < 0;
                default -> v != null && compare(v, w.values().getFirst()) <= 0;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static int compare(String a, String b) {
        if (a.matches("-?[0-9]+") && b.matches("-?[0-9]+")) {
            return Long.compare(Long.parseLong(a), Long.parseLong(b));
        }
        return a.compareTo(b);
    }

    /** GAQL LIKE: {@code %} any run, {@code _} any one character, {@code [x]} the literal x. */
    static Pattern likePattern(String like) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < like.length(); i++) {
            char ch = like.charAt(i);
            if (ch == '[' && i + 2 < like.length() && like.charAt(i + 2) == ']') {
                re.append(Pattern.quote(String.valueOf(like.charAt(i + 1))));
                i += 2;
            } else if (ch == '%') {
                re.append(".*");
            } else if (ch == '_') {
                re.append('.');
            } else {
                re.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    /**
     * Delivery of one campaign on one day (customer time zone): see the class Javadoc.
     */
    private long spendMicrosOn(Customer c, Map<String, Object> campaign, LocalDate day) {
        LocalDate created = LocalDate.parse((String) campaign.get("_createdDay"));
        LocalDate today = LocalDate.ofInstant(clock.instant(), c.zone());
        if (!"ENABLED".equals(campaign.get("status")) || day.isBefore(created) || day.isAfter(today)) {
            return 0;
        }
        LocalDate start = LocalDateTime.parse((String) campaign.get("startDateTime"), DATE_TIME).toLocalDate();
        LocalDate end = LocalDateTime.parse((String) campaign.get("endDateTime"), DATE_TIME).toLocalDate();
        if (day.isBefore(start) || day.isAfter(end)) {
            return 0;
        }
        Map<String, Object> budget = c.budgets.get(key(campaign.get("campaignBudget")));
        if (budget.get("amountMicros") instanceof String daily) {
            return Long.parseLong(daily) / 2;
        }
        long total = Long.parseLong((String) budget.get("totalAmountMicros"));
        long perDay = total / 10;
        LocalDate first = created.isAfter(start) ? created : start;
        long before = perDay * (day.toEpochDay() - first.toEpochDay());
        return Math.max(0, Math.min(perDay, total - before));
    }

    /** The flat GAQL fields of one stored object ({@code campaign.start_date_time}, …). */
    private static Map<String, Object> flat(String resource, Map<String, Object> o) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (o != null) {
            flatten(resource, o, out);
        }
        return out;
    }

    private static void flatten(String prefix, Map<?, ?> o, Map<String, Object> out) {
        for (Map.Entry<?, ?> e : o.entrySet()) {
            String k = String.valueOf(e.getKey());
            if (k.startsWith("_")) {
                continue;
            }
            String field = prefix + "." + snake(k);
            if (e.getValue() instanceof Map<?, ?> nested) {
                flatten(field, nested, out);
            } else {
                out.put(field, e.getValue());
            }
        }
    }

    @SafeVarargs
    private static Map<String, Object> join(Map<String, Object>... parts) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map<String, Object> p : parts) {
            out.putAll(p);
        }
        return out;
    }

    private static Map<String, Object> project(Map<String, Object> row, List<String> select) {
        Map<String, Object> out = new TreeMap<>();
        for (String field : select) {
            Object v = row.get(field);
            if (v == null) {
                continue;
            }
            String[] parts = field.split("\\.");
            Map<String, Object> at = out;
            for (int i = 0; i < parts.length - 1; i++) {
                @SuppressWarnings("unchecked")
                Map<String, Object> next = (Map<String, Object>) at.computeIfAbsent(camel(parts[i]), k -> new TreeMap<String, Object>());
                at = next;
            }
            at.put(camel(parts[parts.length - 1]), v);
        }
        return out;
    }

    private static Map<String, Object> visible(Map<String, Object> o) {
        Map<String, Object> out = new LinkedHashMap<>();
        o.forEach((k, v) -> {
            if (!k.startsWith("_")) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static String key(Object resourceName) {
        String s = String.valueOf(resourceName);
        return s.substring(s.lastIndexOf('/') + 1);
    }

    // ------------------------------------------------------------------ envelopes

    /** A refusal with a GoogleAdsFailure, thrown from validation and answered by {@link #api}. */
    private static final class Bad extends RuntimeException {
        final int status;
        final List<Map<String, Object>> errors;

        Bad(int status, List<Map<String, Object>> errors) {
            super(null, null, false, false);
            this.status = status;
            this.errors = errors;
        }
    }

    private static Bad bad(List<Map<String, Object>> location, String category, String code, String message) {
        return new Bad(400, List.of(error(category, code, message, location)));
    }

    static Map<String, Object> error(String category, String code, String message, List<Map<String, Object>> location) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("errorCode", Map.of(category, code));
        e.put("message", message);
        if (location != null && !location.isEmpty()) {
            e.put("location", Map.of("fieldPathElements", location));
        }
        return e;
    }

    static SimResponse failure(int status, String rpcStatus, String message, List<Map<String, Object>> errors, String requestId) {
        Map<String, Object> failure = new LinkedHashMap<>();
        failure.put("@type", FAILURE_TYPE);
        failure.put("errors", errors);
        failure.put("requestId", requestId);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("code", status);
        e.put("message", message);
        e.put("status", rpcStatus);
        e.put("details", List.of(failure));
        return SimResponse.json(status, Map.of("error", e));
    }

    private static Map<String, Object> path(String field) {
        return Map.of("fieldName", field);
    }

    private static Map<String, Object> path(String field, int index) {
        return Map.of("fieldName", field, "index", index);
    }

    private static List<Map<String, Object>> append(List<Map<String, Object>> at, Map<String, Object> element) {
        List<Map<String, Object>> out = new ArrayList<>(at);
        out.add(element);
        return out;
    }

    private static void unknown(Map<String, Object> b, Set<String> known, List<Map<String, Object>> at) {
        for (String k : b.keySet()) {
            if (!known.contains(k)) {
                throw new Bad(400, List.of(error("fieldError", "INVALID_VALUE",
                        "Invalid JSON payload received. Unknown name \"" + k + "\": Cannot find field.", append(at, path(snake(k))))));
            }
        }
    }

    private static Map<String, Object> body(SimRequest r) {
        try {
            return cast((Map<?, ?>) int64AsText(r.jsonObject()));
        } catch (IllegalArgumentException e) {
            throw new Bad(400, List.of(error("requestError", "INVALID_INPUT", "Invalid JSON payload received.", null)));
        }
    }

    /**
     * proto3 JSON takes an integer field as a JSON number or as a string of digits; the simulator
     * holds them as strings (the form Google answers with), so integral numbers become their digits.
     */
    static Object int64AsText(Object json) {
        return switch (json) {
            case Map<?, ?> m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                m.forEach((k, v) -> out.put((String) k, int64AsText(v)));
                yield out;
            }
            case List<?> l -> l.stream().map(GoogleAdsSimulator::int64AsText).toList();
            case Long n -> n.toString();
            case java.math.BigInteger n -> n.toString();
            case null, default -> json;
        };
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    static String camel(String snake) {
        StringBuilder out = new StringBuilder();
        boolean up = false;
        for (char ch : snake.toCharArray()) {
            if (ch == '_') {
                up = true;
            } else {
                out.append(up ? Character.toUpperCase(ch) : ch);
                up = false;
            }
        }
        return out.toString();
    }

    private static String camelPath(String field) {
        return String.join(".", java.util.Arrays.stream(field.split("\\.")).map(GoogleAdsSimulator::camel).toList());
    }

    private static String digits(String id) {
        return id.replace("-", "");
    }

    @Override
    protected SimResponse notFound(SimRequest request) {
        return SimResponse.json(404, Map.of("error", Map.of("code", 404,
                "message", "The requested URL " + request.path() + " was not found on this server.", "status", "NOT_FOUND")));
    }

    @Override
    protected SimResponse serverError() {
        String requestId = "SIM" + requestIds.incrementAndGet();
        return failure(500, "INTERNAL", "Internal error encountered.",
                List.of(error("internalError", "INTERNAL_ERROR", "An internal error has occurred.", null)),
                requestId).withHeader("request-id", requestId);
    }

    @Override
    protected SimResponse rateLimited() {
        Map<String, Object> e = error("quotaError", "RESOURCE_TEMPORARILY_EXHAUSTED",
                "Too many requests. Retry in 1 seconds.", null);
        e.put("details", Map.of("quotaErrorDetails", Map.of("rateScope", "DEVELOPER",
                "rateName", "Requests per developer token per minute", "retryDelay", "1s")));
        String requestId = "SIM" + requestIds.incrementAndGet();
        return failure(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).", List.of(e),
                requestId).withHeader("request-id", requestId);
    }
}
