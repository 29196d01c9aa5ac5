package dev.minutework.broker.sim.metaads;

import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.core.json.JsonParser;
import dev.minutework.broker.sim.ProviderSimulator;
import dev.minutework.broker.sim.SimRequest;
import dev.minutework.broker.sim.SimResponse;
import dev.minutework.broker.sim.SimulatedCampaign;
import dev.minutework.broker.sim.WebhookDeliveries;
import java.net.URI;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Meta Marketing API (Graph API {@code v24.0}–{@code v26.0}) as Meta's reference documents it.
 *
 * <p><b>Requests.</b> Paths on every live version ({@link #LIVE_VERSIONS}; an older one answers code
 * 2635), with or without a trailing slash, or without a version (the newest). POST parameters in any
 * encoding Graph takes: {@code application/x-www-form-urlencoded}, {@code multipart/form-data} (what
 * Meta's SDKs and the reference's {@code curl -F} send; file parts are image uploads) or a JSON
 * object. Each endpoint takes the parameters and each node the fields Meta documents
 * ({@link GraphReference}); those the simulator does not model are kept as sent and read back, or
 * answered with Graph's default, or left out as Graph leaves out fields without a value.
 *
 * <p><b>Auth.</b> Every call carries {@code access_token} and {@code appsecret_proof} = hex
 * HMAC-SHA256(key = app secret, message = access token): in the body of a POST or the query of a
 * GET. A missing token answers
 * code 2500, an unknown or revoked one 190, an expired one 190/463, a missing or wrong proof code
 * 100 ({@code GraphMethodException}), as Graph does. Errors use Graph's envelope
 * {@code {"error":{message,type,code,error_subcode,error_user_title,error_user_msg,fbtrace_id}}}
 * with HTTP 400 (500 for the transient code 2).
 *
 * <p><b>Objects.</b> Campaigns ({@code POST /act_{id}/campaigns}: {@code name}, {@code objective}
 * {@code OUTCOME_*}, {@code special_ad_categories} required as a JSON array string, optional
 * {@code daily_budget} or {@code lifetime_budget} in the currency's minor unit as digits,
 * ISO-8601 {@code start_time}/{@code stop_time}); updates and pauses {@code POST /{id}} →
 * {@code {"success":true}} (a budget cannot switch between daily and lifetime); ad sets
 * ({@code POST /act_{id}/adsets}: {@code billing_event}, an {@code optimization_goal} that fits the
 * campaign's objective, {@code targeting} JSON with {@code geo_locations.countries} and, as Graph
 * requires since v23, {@code targeting_automation.advantage_audience} 0 or 1 (1 allows no
 * {@code age_max} below 65 nor {@code age_min} above 25), no budget of
 * its own under a campaign budget, an {@code end_time} under a lifetime budget, {@code bid_amount}
 * in minor units); images ({@code POST /act_{id}/adimages} with {@code url} or {@code bytes} →
 * {@code {"images":{name:{hash,url}}}} — that shape is <i>unverified</i> in public docs); videos
 * ({@code POST /act_{id}/advideos} with a multipart {@code source} file part or a {@code file_url} →
 * {@code {"id"}}; {@code GET /{video id}} answers {@code title}, {@code status.video_status}
 * ({@code ready}), {@code created_time} and what was sent; the resumable {@code upload_phase}
 * upload is not served); creatives ({@code POST /act_{id}/adcreatives}, {@code name} optional) made
 * from an {@code object_story_spec} JSON (a page of the account and one of {@code link_data} with
 * an https {@code link} and a known {@code image_hash} or a {@code picture}, {@code photo_data}
 * with a known {@code image_hash} or an https {@code url}, {@code video_data} with a {@code video_id}
 * of the account and an {@code image_hash} or https {@code image_url} thumbnail, {@code text_data}
 * with a {@code message}, {@code template_data}, {@code product_data}; call to action types checked),
 * from {@code object_story_id} (an existing post {@code <page id>_<post id>} of an account's page:
 * one a creative's spec made, read as its {@code effective_object_story_id}, or
 * {@link #publishPagePost}) or from an {@code asset_feed_spec} (kept as sent); none of the three
 * answers {@code (#100) Invalid parameter}; ads ({@code POST /act_{id}/ads} with
 * {@code creative} JSON {@code {"creative_id":…}} or {@code {"id":…}}). Updates {@code POST /{id}} of
 * campaigns, ad sets, ads and creatives answer {@code {"success":true}}. Creates answer {@code {"id":"…"}} with numeric
 * string ids. Parameters outside each endpoint's documented list are refused (code 100).
 *
 * <p><b>Dry runs.</b> Campaign creates and updates, ad set, creative and ad creates take
 * {@code execution_options}, a JSON array ({@code validate_only}, and per endpoint
 * {@code include_recommendations} or {@code synchronous_ad_review}, which change nothing here).
 * With {@code validate_only} the call passes every check a real call passes and answers
 * {@code {"success":true}}, as Graph does, but makes or changes nothing: no object, no id handed
 * out, nothing recorded. {@code /adimages} has no {@code execution_options} (code 100).
 *
 * <p><b>Restarts.</b> Every campaign, ad set, image, video, creative and ad is recorded in
 * {@link #store()} when it is made or changed, per ad account, with the id counter; an ad account
 * provisioned on a simulator whose store holds its objects gets them back. Tokens, app secrets and
 * pages are not recorded: the broker provisions the account again after a restart.
 *
 * <p><b>Reads.</b> {@code GET /{id}?fields=…} and lists {@code GET /act_{id}/{edge}} answer only
 * {@code id} plus the requested {@code fields}; lists take {@code filtering} (JSON, field
 * {@code name}, operators {@code CONTAIN}/{@code EQUAL}), {@code limit} (default 25) and
 * {@code after}, and answer {@code {data, paging:{cursors:{before,after}, next}}} where
 * {@code next} — like Graph's — repeats the access token in a URL.
 *
 * <p><b>Spend model (insights).</b> A campaign delivers only while its status is {@code ACTIVE},
 * from the UTC day it was created (or its {@code start_time}'s day, if later) up to the simulator
 * clock's today and not after its {@code stop_time}'s day. With a daily budget it spends 80% of the daily budget each such day;
 * with a lifetime budget a tenth of it each day until the lifetime budget is used up.
 * Impressions are 5 per minor unit spent, clicks one per 100 impressions. Insights
 * ({@code GET /{campaign_id}/insights} or {@code /act_{id}/insights?level=campaign}) take
 * {@code fields}, {@code time_range} JSON {@code {since,until}}, {@code time_increment}
 * {@code 1}|{@code all_days}; like Graph they omit rows without delivery and answer numbers as
 * strings, {@code spend} in major units.
 *
 * <p><b>Rate limits.</b> More than {@value #CALLS_PER_MINUTE} calls a minute per token answer code
 * 17/2446079 with an {@code X-Business-Use-Case-Usage} header whose
 * {@code estimated_time_to_regain_access} (minutes) says when to come back; the injected
 * rate-limit fault answers the same with 0 minutes. Successful answers carry the usage headers.
 */
public final class MetaAdsSimulator extends ProviderSimulator {

    static final String VERSION = "v26.0";
    /**
     * The Graph versions served at once, newest last: Meta keeps each Marketing API version live for
     * a while after the next one ships, and its Business SDK 24.0.x calls {@code v24.0}. An older
     * version answers code 2635 (deprecated); a path without a version uses the newest, as Graph uses
     * the app's default.
     */
    static final List<String> LIVE_VERSIONS = List.of("v24.0", "v25.0", VERSION);
    private static final Pattern VERSIONED = Pattern.compile("/(v[0-9]+\\.[0-9]+)(/.*)?");
    static final int CALLS_PER_MINUTE = 300;
    static final Set<String> OBJECTIVES = Set.of("OUTCOME_AWARENESS", "OUTCOME_TRAFFIC", "OUTCOME_ENGAGEMENT",
            "OUTCOME_LEADS", "OUTCOME_APP_PROMOTION", "OUTCOME_SALES");
    static final Map<String, Set<String>> GOALS_BY_OBJECTIVE = Map.of(
            "OUTCOME_AWARENESS", Set.of("REACH", "IMPRESSIONS", "AD_RECALL_LIFT"),
            "OUTCOME_TRAFFIC", Set.of("LINK_CLICKS", "LANDING_PAGE_VIEWS", "REACH", "IMPRESSIONS"),
            "OUTCOME_ENGAGEMENT", Set.of("POST_ENGAGEMENT", "PAGE_LIKES", "IMPRESSIONS", "REACH"),
            "OUTCOME_LEADS", Set.of("LEAD_GENERATION", "OFFSITE_CONVERSIONS"),
            "OUTCOME_APP_PROMOTION", Set.of("APP_INSTALLS"),
            "OUTCOME_SALES", Set.of("OFFSITE_CONVERSIONS", "VALUE"));
    static final Set<String> SPECIAL_AD_CATEGORIES = Set.of("NONE", "HOUSING", "EMPLOYMENT", "FINANCIAL_PRODUCTS_SERVICES",
            "ISSUES_ELECTIONS_POLITICS", "ONLINE_GAMBLING_AND_GAMING");
    static final Set<String> CALLS_TO_ACTION = GraphReference.set("enum.call_to_action_type");
    private static final Set<String> AUTH_PARAMS = Set.of("access_token", "appsecret_proof");
    private static final DateTimeFormatter GRAPH_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxx");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");

    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();
    /** Every object id → the account holding it and its kind. */
    private final Map<String, Located> objects = new ConcurrentHashMap<>();
    private final Map<String, String> pages = new ConcurrentHashMap<>();
    /** Page posts ({@code <page id>_<post id>}) → their page: those creatives made and those {@link #publishPagePost} made. */
    private final Map<String, String> posts = new ConcurrentHashMap<>();
    /** Object ids count up from here, like Graph's long numeric ids. */
    private static final long FIRST_ID_BASE = 120_210_000_000_000_000L;
    /**
     * The store's counter of object ids handed out, counted from {@link #FIRST_ID_BASE}: the ids
     * themselves are beyond the integers JSON holds exactly.
     */
    private static final String ID_COUNTER = "object_ids_issued";
    private final AtomicLong ids = new AtomicLong(FIRST_ID_BASE);
    private final AtomicLong traces = new AtomicLong();
    private final Deque<SimResponse> canned = new ArrayDeque<>();

    private static final class Token {
        final String appSecret;
        final Set<String> accountIds = ConcurrentHashMap.newKeySet();
        volatile boolean expired;

        Token(String appSecret) {
            this.appSecret = appSecret;
        }
    }

    /** One ad account and everything created in it. */
    private static final class Account {
        final String id; // digits, without act_
        final String currency;
        final Set<String> pageIds = ConcurrentHashMap.newKeySet();
        final Map<String, Map<String, Object>> campaigns = new LinkedHashMap<>();
        final Map<String, Map<String, Object>> adsets = new LinkedHashMap<>();
        final Map<String, Map<String, Object>> creatives = new LinkedHashMap<>();
        final Map<String, Map<String, Object>> ads = new LinkedHashMap<>();
        final Map<String, Map<String, Object>> images = new LinkedHashMap<>();
        final Map<String, Map<String, Object>> videos = new LinkedHashMap<>();

        Account(String id, String currency) {
            this.id = id;
            this.currency = currency;
        }

        Map<String, Map<String, Object>> edge(String name) {
            return switch (name) {
                case "campaigns" -> campaigns;
                case "adsets" -> adsets;
                case "adcreatives" -> creatives;
                case "ads" -> ads;
                default -> throw new IllegalArgumentException(name);
            };
        }
    }

    private record Located(Account account, String kind) {}

    public MetaAdsSimulator(Clock clock) {
        super("metaads", clock);
    }

    @Override
    protected String basePath() {
        return "/" + VERSION;
    }

    /**
     * Every live version's path; and, as Graph, the same path with or without a trailing slash (the
     * Business SDK sends {@code /v24.0/act_…/} for node calls) or without a version.
     */
    @Override
    protected String routePath(SimRequest request) {
        java.util.regex.Matcher m = VERSIONED.matcher(request.path());
        String rest;
        if (m.matches()) {
            if (!LIVE_VERSIONS.contains(m.group(1))) {
                return null;
            }
            rest = m.group(2) == null ? "" : m.group(2);
        } else {
            rest = request.path();
        }
        while (rest.length() > 1 && rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        return rest;
    }

    @Override
    protected SimResponse unmatched(SimRequest request) {
        java.util.regex.Matcher m = VERSIONED.matcher(request.path());
        if (m.matches() && !LIVE_VERSIONS.contains(m.group(1)) && olderThanLive(m.group(1))) {
            return error(400, "OAuthException", 2635, null, "(#2635) You are calling a deprecated version of the Ads API. "
                    + "Please update to the latest version: " + VERSION + ".", null);
        }
        return notFound(request);
    }

    private static boolean olderThanLive(String version) {
        return Double.parseDouble(version.substring(1)) < Double.parseDouble(LIVE_VERSIONS.getFirst().substring(1));
    }

    /**
     * Creates the ad account ({@code ad_account_id}, with or without {@code act_}; optional
     * {@code currency}, default USD) and the page ({@code page_id}) and grants the system user's
     * {@code access_token} (signed with {@code app_secret}) access to both.
     */
    @Override
    public synchronized void provision(Map<String, String> scope, Map<String, String> credentials) {
        String token = credentials.get("access_token");
        String secret = credentials.get("app_secret");
        String account = scope.get("ad_account_id");
        if (token == null || secret == null || account == null) {
            throw new IllegalArgumentException("metaads accounts need access_token, app_secret and ad_account_id");
        }
        String digits = digits(account);
        if (digits == null) {
            throw new IllegalArgumentException("ad_account_id must be act_<digits> or digits");
        }
        Account a = accounts.get(digits);
        if (a == null) {
            a = new Account(digits, scope.getOrDefault("currency", "USD"));
            restore(a);
            accounts.put(digits, a);
        }
        if (scope.get("page_id") != null) {
            a.pageIds.add(scope.get("page_id"));
            pages.putIfAbsent(scope.get("page_id"), "Page " + scope.get("page_id"));
        }
        Token t = tokens.compute(token, (k, old) -> old == null || old.expired || !old.appSecret.equals(secret)
                ? new Token(secret) : old);
        t.accountIds.add(digits);
    }

    /** The token is revoked: calls with it answer error 190 from now on. */
    public void revoke(String accessToken) {
        tokens.remove(accessToken);
    }

    /** The token expires: calls with it answer error 190 with subcode 463. */
    public void expire(String accessToken) {
        Token t = tokens.get(accessToken);
        if (t != null) {
            t.expired = true;
        }
    }

    /** The next call (that reaches an endpoint) gets this recorded answer instead of being handled. */
    public synchronized void answerNext(int status, String jsonBody, Map<String, String> headers) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.putIfAbsent("Content-Type", "application/json");
        canned.addLast(new SimResponse(status, h, jsonBody));
    }

    public void answerNext(int status, String jsonBody) {
        answerNext(status, jsonBody, Map.of());
    }

    public synchronized int campaignCount(String adAccountId) {
        return count(adAccountId, "campaigns");
    }

    public synchronized int adSetCount(String adAccountId) {
        return count(adAccountId, "adsets");
    }

    public synchronized int creativeCount(String adAccountId) {
        return count(adAccountId, "adcreatives");
    }

    public synchronized int adCount(String adAccountId) {
        return count(adAccountId, "ads");
    }

    public synchronized int imageCount(String adAccountId) {
        Account a = accounts.get(digits(adAccountId));
        return a == null ? 0 : a.images.size();
    }

    /** A copy of one stored object (campaign, ad set, creative or ad), or {@code null}. */
    public synchronized Map<String, Object> object(String id) {
        Located l = objects.get(id);
        if (l == null) {
            return null;
        }
        return Map.copyOf(byKind(l.account(), l.kind()).get(id).entrySet().stream()
                .filter(e -> e.getValue() != null).collect(LinkedHashMap::new, (m, e) -> m.put(e.getKey(), e.getValue()),
                        Map::putAll));
    }

    /**
     * The campaigns of an ad account as the provider holds them now, oldest first: a read-only
     * snapshot for tests that check what the provider could spend. Budgets are stored in the
     * account currency's minor unit; {@code stop_time} ends delivery.
     */
    public synchronized List<SimulatedCampaign> campaigns(String adAccountId) {
        Account a = accounts.get(digits(adAccountId));
        if (a == null) {
            return List.of();
        }
        int fraction = exponent(a.currency);
        List<SimulatedCampaign> out = new ArrayList<>();
        for (Map<String, Object> c : a.campaigns.values()) {
            String period = c.get("daily_budget") != null ? "daily" : c.get("lifetime_budget") != null ? "lifetime" : null;
            BigDecimal budget = period == null ? null
                    : new BigDecimal(new BigInteger((String) c.get(period + "_budget")), fraction);
            out.add(new SimulatedCampaign((String) c.get("id"), ((String) c.get("status")).toLowerCase(Locale.ROOT),
                    period, budget, c.get("stop_time") instanceof String stop
                            ? OffsetDateTime.parse(stop, GRAPH_TIME).toInstant() : null));
        }
        return out;
    }

    private int count(String adAccountId, String edge) {
        Account a = accounts.get(digits(adAccountId));
        return a == null ? 0 : a.edge(edge).size();
    }

    @Override
    protected void registerRoutes() {
        route("GET", "/me", (r, m) -> authed(r, Set.of("fields"), (t, p) -> ok(Map.of("id", "100000000000001",
                "name", "Broker system user"), null)));
        route("GET", "/act_([0-9]+)", (r, m) -> authed(r, Set.of("fields"), (t, p) -> withAccount(t, m.group(1),
                a -> readAccount(a, p))));
        route("POST", "/act_([0-9]+)/campaigns", (r, m) -> authed(r, CAMPAIGN_CREATE, (t, p) -> withAccount(t, m.group(1),
                a -> createCampaign(a, p))));
        route("POST", "/act_([0-9]+)/adsets", (r, m) -> authed(r, ADSET_CREATE, (t, p) -> withAccount(t, m.group(1),
                a -> createAdSet(a, p))));
        route("POST", "/act_([0-9]+)/adimages", (r, m) -> authed(r, IMAGE_CREATE,
                (t, p) -> withAccount(t, m.group(1), a -> createImage(a, p, uploadedFiles(r)))));
        route("POST", "/act_([0-9]+)/advideos", (r, m) -> authed(r, VIDEO_CREATE,
                (t, p) -> withAccount(t, m.group(1), a -> createVideo(a, p, filePart(r, "source")))));
        route("POST", "/act_([0-9]+)/adcreatives", (r, m) -> authed(r, CREATIVE_CREATE,
                (t, p) -> withAccount(t, m.group(1), a -> createCreative(a, p))));
        route("POST", "/act_([0-9]+)/ads", (r, m) -> authed(r, AD_CREATE,
                (t, p) -> withAccount(t, m.group(1), a -> createAd(a, p))));
        route("GET", "/act_([0-9]+)/(campaigns|adsets|adcreatives|ads)", (r, m) -> authed(r, LIST_PARAMS,
                (t, p) -> withAccount(t, m.group(1), a -> list(a, m.group(2), r, p))));
        route("GET", "/act_([0-9]+)/insights", (r, m) -> authed(r, INSIGHTS, (t, p) -> withAccount(t, m.group(1),
                a -> insights(a, new ArrayList<>(a.campaigns.values()), "account", r, p))));
        route("GET", "/([0-9]+)/insights", (r, m) -> authed(r, INSIGHTS, (t, p) -> withObject(t, m.group(1), "GET",
                (a, kind) -> "campaign".equals(kind)
                        ? insights(a, List.of(a.campaigns.get(m.group(1))), "campaign", r, p)
                        : unsupported("GET", m.group(1)))));
        route("GET", "/([0-9]+)", (r, m) -> authed(r, Set.of("fields"), (t, p) -> readNode(t, m.group(1), p)));
        route("POST", "/([0-9]+)", (r, m) -> authed(r, ANY_UPDATE, (t, p) -> withObject(t, m.group(1), "POST",
                (a, kind) -> switch (kind) {
                    case "campaign" -> onlyParams(p, CAMPAIGN_UPDATE) instanceof SimResponse bad ? bad
                            : updateCampaign(a, m.group(1), p);
                    case "adset" -> onlyParams(p, ADSET_UPDATE) instanceof SimResponse bad ? bad
                            : updateAdSet(a, m.group(1), p);
                    case "ad" -> onlyParams(p, AD_UPDATE) instanceof SimResponse bad ? bad : updateAd(a, m.group(1), p);
                    case "adcreative" -> onlyParams(p, CREATIVE_UPDATE) instanceof SimResponse bad ? bad
                            : updateCreative(a, m.group(1), p);
                    default -> unsupported("POST", m.group(1));
                })));
    }

    /*
     * Each endpoint takes the parameters Meta documents for it (GraphReference); the simulator checks
     * those it models and keeps the others as sent. The sets below add what the reference lists
     * elsewhere (execution_options on creatives, the image upload's bytes/url/name).
     */
    static final Set<String> CAMPAIGN_CREATE = GraphReference.params("campaign.create", Set.of("execution_options"));
    static final Set<String> CAMPAIGN_UPDATE = GraphReference.params("campaign.update", Set.of("execution_options"));
    static final Set<String> ADSET_CREATE = GraphReference.params("adset.create", Set.of("execution_options"));
    static final Set<String> ADSET_UPDATE = GraphReference.params("adset.update", Set.of("execution_options"));
    static final Set<String> CREATIVE_CREATE = GraphReference.params("adcreative.create", Set.of("execution_options"));
    static final Set<String> CREATIVE_UPDATE = GraphReference.params("adcreative.update", Set.of());
    static final Set<String> AD_CREATE = GraphReference.params("ad.create", Set.of("execution_options"));
    static final Set<String> AD_UPDATE = GraphReference.params("ad.update", Set.of("execution_options"));
    static final Set<String> IMAGE_CREATE = GraphReference.params("adimage.create", Set.of("bytes", "url", "name",
            "filename"));
    static final Set<String> VIDEO_CREATE = GraphReference.params("advideo.create", Set.of());
    static final Set<String> ANY_UPDATE;

    static {
        Set<String> any = new java.util.HashSet<>(CAMPAIGN_UPDATE);
        any.addAll(ADSET_UPDATE);
        any.addAll(AD_UPDATE);
        any.addAll(CREATIVE_UPDATE);
        ANY_UPDATE = Set.copyOf(any);
    }

    static final Set<String> LIST_PARAMS = GraphReference.params("campaigns.list", Set.of("fields", "filtering", "limit",
            "after", "before", "updated_since"));
    /** The {@code execution_options} each mutation takes ({@code /adimages} takes none). */
    static final Set<String> CAMPAIGN_OPTIONS = Set.of("validate_only", "include_recommendations");
    static final Set<String> ADSET_OPTIONS = Set.of("validate_only", "include_recommendations");
    static final Set<String> CREATIVE_OPTIONS = Set.of("validate_only");
    static final Set<String> AD_OPTIONS = Set.of("validate_only", "synchronous_ad_review", "include_recommendations");
    static final Set<String> INSIGHTS = GraphReference.params("insights", Set.of("fields", "after", "before"));
    /** Every field Graph documents for each node type; those the simulator does not hold are left out of answers. */
    static final Map<String, Set<String>> FIELDS = Map.of(
            "campaign", GraphReference.fields("campaign", Set.of("id")),
            "adset", GraphReference.fields("adset", Set.of("id")),
            "adcreative", GraphReference.fields("adcreative", Set.of("id")),
            "ad", GraphReference.fields("ad", Set.of("id")),
            "advideo", GraphReference.fields("advideo", Set.of("id")));
    static final Set<String> ACCOUNT_FIELDS = GraphReference.fields("adaccount", Set.of("id"));
    static final Set<String> PAGE_FIELDS = GraphReference.fields("page", Set.of("id"));
    /** The insights fields the spend model computes; the other documented ones are left out of rows, as Graph leaves out metrics it has none of. */
    static final Set<String> MODELLED_INSIGHT_FIELDS = Set.of("campaign_id", "campaign_name", "impressions", "clicks",
            "spend", "account_currency", "account_id");
    static final Set<String> INSIGHT_FIELDS = GraphReference.fields("insights", MODELLED_INSIGHT_FIELDS);

    // ------------------------------------------------------------------ auth, throttling, scope

    private interface Authed {
        SimResponse handle(Token token, Map<String, String> params);
    }

    private SimResponse authed(SimRequest r, Set<String> known, Authed handler) {
        synchronized (this) {
            if (!canned.isEmpty()) {
                return canned.pollFirst();
            }
        }
        Map<String, String> p = new LinkedHashMap<>(r.query());
        if (r.method().equals("POST") && !r.body().isEmpty()) {
            Map<String, String> body = bodyParams(r);
            if (body == null) {
                return error(400, "OAuthException", 100, null, "(#100) The request body could not be read as "
                        + (r.mediaType().isEmpty() ? "parameters" : r.mediaType()),
                        "Send parameters form-encoded, as multipart/form-data or as a JSON object.");
            }
            p.putAll(body);
        }
        String token = p.get("access_token");
        if (token == null || token.isEmpty()) {
            return error(400, "OAuthException", 2500, null,
                    "An active access token must be used to query information about the current user.", null);
        }
        Token t = tokens.get(token);
        if (t == null) {
            return error(400, "OAuthException", 190, null, "Invalid OAuth access token - Cannot parse access token", null);
        }
        if (t.expired) {
            return error(400, "OAuthException", 190, 463,
                    "Error validating access token: Session has expired.", null);
        }
        String proof = p.get("appsecret_proof");
        if (proof == null || proof.isEmpty()) {
            return error(400, "GraphMethodException", 100, null,
                    "API calls from the server require an appsecret_proof argument", null);
        }
        if (!MessageDigest.isEqual(proof.toLowerCase().getBytes(StandardCharsets.UTF_8),
                proof(t.appSecret, token).getBytes(StandardCharsets.UTF_8))) {
            return error(400, "GraphMethodException", 100, null, "Invalid appsecret_proof provided in the API argument", null);
        }
        if (faults().rateLimits() && overLimit(token)) {
            return throttled(1);
        }
        for (String k : p.keySet()) {
            if (!AUTH_PARAMS.contains(k) && !known.contains(k)) {
                return error(400, "OAuthException", 100, null, "(#100) " + k + " is not a valid parameter",
                        "The parameter " + k + " is not accepted by this endpoint.");
            }
        }
        synchronized (this) {
            return handler.handle(t, p);
        }
    }

    /**
     * The parameters of a POST body in any encoding Graph accepts: {@code application/x-www-form-urlencoded},
     * {@code multipart/form-data} (file parts are uploads, not parameters: {@link #uploadedFiles}) and
     * a JSON object (whose non-string values count as their JSON text, as when form-encoded). Null
     * when the body is none of these or malformed.
     */
    private static Map<String, String> bodyParams(SimRequest r) {
        try {
            return switch (r.mediaType()) {
                case "application/x-www-form-urlencoded", "" -> r.form();
                case "multipart/form-data" -> {
                    Map<String, String> out = new LinkedHashMap<>();
                    r.multipart().stream().filter(part -> part.filename() == null)
                            .forEach(part -> out.put(part.name(), part.text()));
                    yield out;
                }
                case "application/json" -> {
                    Map<String, String> out = new LinkedHashMap<>();
                    r.jsonObject().forEach((k, v) -> out.put(k, v instanceof String text ? text : CanonicalJson.canonicalize(v)));
                    yield out;
                }
                default -> null;
            };
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The file parts of a multipart POST by file name ({@code curl -F 'filename=@banner.png'}): Graph
     * answers each uploaded image under its file name.
     */
    private static Map<String, byte[]> uploadedFiles(SimRequest r) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        if ("multipart/form-data".equals(r.mediaType())) {
            r.multipart().stream().filter(part -> part.filename() != null)
                    .forEach(part -> out.put(part.filename().isEmpty() ? part.name() : part.filename(), part.data()));
        }
        return out;
    }

    /** The bytes of the multipart file part called {@code name} ({@code curl -F 'source=@video.mp4'}), or null. */
    private static byte[] filePart(SimRequest r, String name) {
        if (!"multipart/form-data".equals(r.mediaType())) {
            return null;
        }
        return r.multipart().stream().filter(part -> part.filename() != null && part.name().equals(name))
                .map(part -> part.data()).findFirst().orElse(null);
    }

    /** Graph's refusal of a parameter the endpoint does not take (a POST to a node checks per node type). */
    private SimResponse onlyParams(Map<String, String> p, Set<String> known) {
        for (String k : p.keySet()) {
            if (!AUTH_PARAMS.contains(k) && !known.contains(k)) {
                return error(400, "OAuthException", 100, null, "(#100) " + k + " is not a valid parameter",
                        "The parameter " + k + " is not accepted by this endpoint.");
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ webhooks (object ad_account)

    private final WebhookDeliveries.Sender webhooks = new WebhookDeliveries.Sender();

    /**
     * Registers the callback URL and the app secret deliveries are signed with, as the platform owner
     * does in the app's dashboard (the GET verification handshake is the test's to make).
     */
    public void deliverWebhooksTo(URI callbackUrl, String appSecret) {
        webhooks.target(new WebhookDeliveries.Target(callbackUrl, appSecret));
    }

    /** The outgoing deliveries: their mode (at once, twice, held back) and the held ones' release. */
    public WebhookDeliveries.Sender webhooks() {
        return webhooks;
    }

    /**
     * The body of one {@code ad_account} delivery with one change:
     * {@code {"object":"ad_account","entry":[{"id":<ad account digits>,"time":<unix s>,"changes":[{"field","value"}]}]}}.
     * Fields used: {@code in_process_ad_objects} and {@code with_issues_ad_objects}, whose value is
     * {@code {"id","level","status_name"}} (plus error fields for issues).
     */
    public String adAccountWebhook(String adAccountId, String field, Map<String, Object> value) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("id", digits(adAccountId));
        entry.put("time", clock.instant().getEpochSecond());
        entry.put("changes", List.of(Map.of("field", field, "value", value)));
        return CanonicalJson.canonicalize(Map.of("object", "ad_account", "entry", List.of(entry)));
    }

    /**
     * Someone changes a campaign's status in Ads Manager (not through the API): the campaign changes
     * here, and when a callback URL is registered an {@code in_process_ad_objects} change naming it
     * is delivered in the {@link #webhooks()} mode.
     *
     * @param status ACTIVE, PAUSED, ARCHIVED or DELETED
     * @return the receiver's answers (none while held, none without a callback URL)
     */
    public List<WebhookDeliveries.Delivery> changeCampaignStatusAtProvider(String campaignId, String status) {
        if (!Set.of("ACTIVE", "PAUSED", "ARCHIVED", "DELETED").contains(status)) {
            throw new IllegalArgumentException("status " + status);
        }
        String adAccountId;
        synchronized (this) {
            Located l = objects.get(campaignId);
            if (l == null || !"campaign".equals(l.kind())) {
                throw new IllegalArgumentException("no campaign " + campaignId);
            }
            Map<String, Object> changed = new LinkedHashMap<>(byKind(l.account(), "campaign").get(campaignId));
            changed.put("status", status);
            keep(l.account(), "campaign", changed);
            adAccountId = l.account().id;
        }
        if (webhooks.target() == null) {
            return List.of();
        }
        return deliver(adAccountWebhook(adAccountId, "in_process_ad_objects",
                Map.of("id", campaignId, "level", "CAMPAIGN", "status_name", status)));
    }

    /** Delivers {@code body} correctly signed, in the {@link #webhooks()} mode. */
    public List<WebhookDeliveries.Delivery> deliver(String body) {
        return webhooks.send(body, t -> signed(t.secret(), body));
    }

    /** Delivers {@code body} at once, signed {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, body)>}. */
    public WebhookDeliveries.Delivery sendWebhook(String body) {
        WebhookDeliveries.Target t = webhooks.required();
        return WebhookDeliveries.post(t.url(), body, signed(t.secret(), body));
    }

    /** Delivers {@code body} signed with a secret that is not the app's: what a forger can send. */
    public WebhookDeliveries.Delivery sendForgedWebhook(String body) {
        WebhookDeliveries.Target t = webhooks.required();
        return WebhookDeliveries.post(t.url(), body, signed("not-" + t.secret(), body));
    }

    /** Delivers {@code body} without a signature header. */
    public WebhookDeliveries.Delivery sendUnsignedWebhook(String body) {
        return WebhookDeliveries.post(webhooks.required().url(), body, Map.of());
    }

    private static Map<String, String> signed(String secret, String body) {
        return Map.of("X-Hub-Signature-256", "sha256=" + WebhookDeliveries.hmacSha256Hex(secret, body));
    }

    /** hex HMAC-SHA256(key = app secret, message = access token), as Graph checks it. */
    public static String proof(String appSecret, String accessToken) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(appSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(accessToken.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean overLimit(String token) {
        return countCall(Integer.toString(token.hashCode())) > CALLS_PER_MINUTE;
    }

    private interface AccountHandler {
        SimResponse handle(Account account);
    }

    private SimResponse withAccount(Token t, String digits, AccountHandler handler) {
        Account a = accounts.get(digits);
        if (a == null || !t.accountIds.contains(digits)) {
            return unsupportedObject("act_" + digits);
        }
        return handler.handle(a);
    }

    private interface ObjectHandler {
        SimResponse handle(Account account, String kind);
    }

    private SimResponse withObject(Token t, String id, String method, ObjectHandler handler) {
        Located l = objects.get(id);
        if (l == null || !t.accountIds.contains(l.account().id)) {
            return unsupported(method, id);
        }
        return handler.handle(l.account(), l.kind());
    }

    // ------------------------------------------------------------------ campaigns

    private SimResponse createCampaign(Account a, Map<String, String> p) {
        SimResponse bad = either(executionOptions(p, CAMPAIGN_OPTIONS), require(p, "name", "objective"));
        if (bad != null) {
            return bad;
        }
        if (p.get("name").isBlank() || p.get("name").length() > 400) {
            return invalid("name", "The campaign name must have 1 to 400 characters.");
        }
        if (!OBJECTIVES.contains(p.get("objective"))) {
            return invalid("objective", "objective must be one of " + new java.util.TreeSet<>(OBJECTIVES));
        }
        if (!p.containsKey("special_ad_categories")) {
            return error(400, "OAuthException", 100, null,
                    "(#100) The parameter special_ad_categories is required",
                    "Special ad categories required: send an empty array when none applies.");
        }
        List<String> categories = stringArray(p.get("special_ad_categories"));
        if (categories == null || !SPECIAL_AD_CATEGORIES.containsAll(categories)) {
            return invalid("special_ad_categories", "special_ad_categories must be a JSON array of categories");
        }
        String status = p.getOrDefault("status", "ACTIVE");
        if (!Set.of("ACTIVE", "PAUSED").contains(status)) {
            return invalid("status", "Only ACTIVE and PAUSED are valid during creation.");
        }
        bad = checkBudgets(p);
        if (bad != null) {
            return bad;
        }
        if (p.containsKey("daily_budget") && p.containsKey("lifetime_budget")) {
            return invalid("daily_budget", "Set either a daily or a lifetime budget, not both.");
        }
        bad = checkTimes(p.get("start_time"), p.get("stop_time"), "stop_time");
        if (bad != null) {
            return bad;
        }
        if (p.containsKey("bid_strategy") && !Set.of("LOWEST_COST_WITHOUT_CAP", "LOWEST_COST_WITH_BID_CAP", "COST_CAP",
                "LOWEST_COST_WITH_MIN_ROAS").contains(p.get("bid_strategy"))) {
            return invalid("bid_strategy", "unknown bid_strategy");
        }
        if (validateOnly(p)) {
            return passedValidation(a);
        }
        Map<String, Object> c = newObject(a, "campaign");
        c.put("name", p.get("name"));
        c.put("objective", p.get("objective"));
        c.put("status", status);
        c.put("special_ad_categories", categories);
        c.put("daily_budget", p.get("daily_budget"));
        c.put("lifetime_budget", p.get("lifetime_budget"));
        c.put("start_time", normalTime(p.get("start_time")));
        c.put("stop_time", normalTime(p.get("stop_time")));
        c.put("bid_strategy", p.get("bid_strategy"));
        keepAsSent(c, p);
        keep(a, "campaign", c);
        return ok(Map.of("id", c.get("id")), a);
    }

    /**
     * What Graph refuses in any edit of a campaign or an ad set: one deleted or archived, a name
     * outside 1..400 characters, an unknown status.
     */
    private SimResponse editable(Map<String, Object> o, String noun, Map<String, String> p) {
        if (Set.of("DELETED", "ARCHIVED").contains(o.get("status"))) {
            return error(400, "OAuthException", 100, 1_487_056, "(#100) Invalid parameter",
                    "A deleted or archived " + noun + " cannot be edited.");
        }
        if (p.containsKey("name") && (p.get("name").isBlank() || p.get("name").length() > 400)) {
            return invalid("name", "The " + noun + " name must have 1 to 400 characters.");
        }
        if (p.containsKey("status") && !Set.of("ACTIVE", "PAUSED", "ARCHIVED", "DELETED").contains(p.get("status"))) {
            return invalid("status", "status must be ACTIVE, PAUSED, ARCHIVED or DELETED");
        }
        return null;
    }

    private SimResponse updateCampaign(Account a, String id, Map<String, String> p) {
        Map<String, Object> c = a.campaigns.get(id);
        SimResponse bad = executionOptions(p, CAMPAIGN_OPTIONS);
        if (bad != null) {
            return bad;
        }
        bad = editable(c, "campaign", p);
        if (bad != null) {
            return bad;
        }
        bad = checkBudgets(p);
        if (bad != null) {
            return bad;
        }
        if ((p.containsKey("daily_budget") && c.get("lifetime_budget") != null)
                || (p.containsKey("lifetime_budget") && c.get("daily_budget") != null)) {
            return error(400, "OAuthException", 100, null, "(#100) Invalid parameter",
                    "A campaign's budget cannot switch between daily and lifetime.");
        }
        if (p.containsKey("special_ad_categories")) {
            List<String> categories = stringArray(p.get("special_ad_categories"));
            if (categories == null || !SPECIAL_AD_CATEGORIES.containsAll(categories)) {
                return invalid("special_ad_categories", "special_ad_categories must be a JSON array of categories");
            }
        }
        String start = p.containsKey("start_time") ? p.get("start_time") : (String) c.get("start_time");
        String stop = p.containsKey("stop_time") ? p.get("stop_time") : (String) c.get("stop_time");
        bad = checkTimes(start, stop, "stop_time");
        if (bad != null) {
            return bad;
        }
        if (validateOnly(p)) {
            return passedValidation(a);
        }
        for (Map.Entry<String, String> e : p.entrySet()) {
            switch (e.getKey()) {
                case "access_token", "appsecret_proof", "execution_options" -> { }
                case "special_ad_categories" -> c.put(e.getKey(), stringArray(e.getValue()));
                case "start_time", "stop_time" -> c.put(e.getKey(), normalTime(e.getValue()));
                case "name", "status", "daily_budget", "lifetime_budget", "bid_strategy" -> c.put(e.getKey(), e.getValue());
                default -> c.put(e.getKey(), asSent(e.getValue()));
            }
        }
        keep(a, "campaign", c);
        return ok(Map.of("success", true), a);
    }

    private SimResponse checkBudgets(Map<String, String> p) {
        for (String f : List.of("daily_budget", "lifetime_budget")) {
            if (p.containsKey(f) && (!DIGITS.matcher(p.get(f)).matches() || Long.parseLong(p.get(f)) < 1)) {
                return invalid(f, f + " must be a positive integer in the currency's minor unit (2000 = 20.00)");
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ ad sets

    private SimResponse createAdSet(Account a, Map<String, String> p) {
        SimResponse bad = either(executionOptions(p, ADSET_OPTIONS),
                require(p, "name", "campaign_id", "billing_event", "optimization_goal", "targeting"));
        if (bad != null) {
            return bad;
        }
        Map<String, Object> c = a.campaigns.get(p.get("campaign_id"));
        if (c == null) {
            return invalid("campaign_id", "campaign_id does not name a campaign of this ad account");
        }
        if (p.get("name").isBlank() || p.get("name").length() > 400) {
            return invalid("name", "The ad set name must have 1 to 400 characters.");
        }
        if (!Set.of("IMPRESSIONS", "LINK_CLICKS", "THRUPLAY", "APP_INSTALLS", "PAGE_LIKES", "POST_ENGAGEMENT")
                .contains(p.get("billing_event"))) {
            return invalid("billing_event", "unknown billing_event");
        }
        if (!GOALS_BY_OBJECTIVE.get((String) c.get("objective")).contains(p.get("optimization_goal"))) {
            return error(400, "OAuthException", 100, 2_490_408, "(#100) Invalid parameter",
                    "The optimization goal " + p.get("optimization_goal") + " does not fit the objective "
                            + c.get("objective") + ".");
        }
        String status = p.getOrDefault("status", "ACTIVE");
        if (!Set.of("ACTIVE", "PAUSED").contains(status)) {
            return invalid("status", "Only ACTIVE and PAUSED are valid during creation.");
        }
        bad = checkBudgets(p);
        if (bad != null) {
            return bad;
        }
        boolean campaignBudget = c.get("daily_budget") != null || c.get("lifetime_budget") != null;
        boolean ownBudget = p.containsKey("daily_budget") || p.containsKey("lifetime_budget");
        if (campaignBudget && ownBudget) {
            return invalid("daily_budget", "The campaign has a budget; its ad sets cannot have their own.");
        }
        boolean both = p.containsKey("daily_budget") && p.containsKey("lifetime_budget");
        if (!campaignBudget && (!ownBudget || both)) {
            return invalid("daily_budget", "Set exactly one of daily_budget or lifetime_budget.");
        }
        boolean lifetime = c.get("lifetime_budget") != null || p.containsKey("lifetime_budget");
        if (lifetime && !p.containsKey("end_time")) {
            return error(400, "OAuthException", 100, 1_487_302, "(#100) Invalid parameter",
                    "An ad set under a lifetime budget needs an end_time.");
        }
        bad = checkTimes(p.get("start_time"), p.get("end_time"), "end_time");
        if (bad != null) {
            return bad;
        }
        if (p.containsKey("bid_amount") && (!DIGITS.matcher(p.get("bid_amount")).matches()
                || Long.parseLong(p.get("bid_amount")) < 1)) {
            return invalid("bid_amount", "bid_amount must be a positive integer in the currency's minor unit");
        }
        Map<String, Object> targeting = jsonObject(p.get("targeting"));
        String targetingProblem = checkTargeting(targeting);
        if (targetingProblem != null) {
            return invalid("targeting", targetingProblem);
        }
        if (validateOnly(p)) {
            return passedValidation(a);
        }
        Map<String, Object> s = newObject(a, "adset");
        s.put("campaign_id", c.get("id"));
        s.put("name", p.get("name"));
        s.put("status", status);
        s.put("billing_event", p.get("billing_event"));
        s.put("optimization_goal", p.get("optimization_goal"));
        s.put("bid_amount", p.get("bid_amount"));
        s.put("targeting", targeting);
        s.put("start_time", normalTime(p.get("start_time")));
        s.put("end_time", normalTime(p.get("end_time")));
        s.put("daily_budget", p.get("daily_budget"));
        s.put("lifetime_budget", p.get("lifetime_budget"));
        keepAsSent(s, p);
        keep(a, "adset", s);
        return ok(Map.of("id", s.get("id")), a);
    }

    private static String checkTargeting(Map<String, Object> t) {
        if (t == null) {
            return "targeting must be a JSON object";
        }
        Set<String> known = GraphReference.set("fields.targeting");
        for (String k : t.keySet()) {
            if (!known.contains(k)) {
                return "targeting." + k + " is not supported";
            }
        }
        if (!(t.get("geo_locations") instanceof Map<?, ?> geo) || !(geo.get("countries") instanceof List<?> countries)
                || countries.isEmpty()
                || !countries.stream().allMatch(x -> x instanceof String s && s.matches("[A-Z]{2}"))) {
            return "targeting.geo_locations.countries must list ISO country codes";
        }
        long min = t.get("age_min") instanceof Long l ? l : 18;
        long max = t.get("age_max") instanceof Long l ? l : 65;
        if ((t.containsKey("age_min") && !(t.get("age_min") instanceof Long))
                || (t.containsKey("age_max") && !(t.get("age_max") instanceof Long))
                || min < 13 || max > 65 || min > max) {
            return "age_min and age_max must be integers, 13 ≤ age_min ≤ age_max ≤ 65";
        }
        // since v23 an ad set says whether Advantage+ audience may widen its targeting
        if (!(t.get("targeting_automation") instanceof Map<?, ?> automation)
                || !(automation.get("advantage_audience") instanceof Long advantage) || advantage < 0 || advantage > 1) {
            return "Advantage audience flag required: set targeting.targeting_automation.advantage_audience to 0 or 1";
        }
        if (advantage == 1 && ((t.containsKey("age_max") && max < 65) || min > 25)) {
            return "With Advantage+ audience on, age_max must be 65 and age_min at most 25; turn it off for a narrower "
                    + "age range";
        }
        if (t.containsKey("locales") && !(t.get("locales") instanceof List<?> l && l.stream().allMatch(x -> x instanceof Long))) {
            return "targeting.locales are numeric locale keys";
        }
        return null;
    }

    // ------------------------------------------------------------------ images, creatives, ads

    private SimResponse createImage(Account a, Map<String, String> p, Map<String, byte[]> files) {
        String name;
        String source;
        if (!files.isEmpty()) {
            // a multipart upload, as Meta documents it (-F 'filename=@<path>'): each file part is one image
            Map<String, Object> images = new LinkedHashMap<>();
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                if (f.getValue().length == 0) {
                    return invalid("filename", "The uploaded file " + f.getKey() + " is empty.");
                }
                images.put(f.getKey(), storeImage(a, Base64.getEncoder().encodeToString(f.getValue())));
            }
            return ok(Map.of("images", images), a);
        }
        if (p.containsKey("url") == p.containsKey("bytes")) {
            return invalid("url", "Send the image as url or as base64 bytes.");
        }
        if (p.containsKey("url")) {
            source = p.get("url");
            if (!source.startsWith("https://")) {
                return invalid("url", "url must be an https URL");
            }
            String path = source.replaceFirst("[?#].*$", "");
            name = p.getOrDefault("name", path.substring(path.lastIndexOf('/') + 1));
        } else {
            source = p.get("bytes");
            try {
                Base64.getDecoder().decode(source);
            } catch (IllegalArgumentException e) {
                return invalid("bytes", "bytes must be base64");
            }
            name = p.getOrDefault("name", "image");
        }
        return ok(Map.of("images", Map.of(name.isEmpty() ? "image" : name, storeImage(a, source))), a);
    }

    private Map<String, Object> storeImage(Account a, String source) {
        String hash = md5(source);
        Map<String, Object> image = new LinkedHashMap<>();
        image.put("hash", hash);
        image.put("url", "https://scontent.example.invalid/" + hash + ".png");
        if (!a.images.containsKey(hash)) { // the same image uploaded again keeps its hash
            store().put(a.id, "image", hash, image);
            a.images.put(hash, image);
        }
        return image;
    }

    /** The members of {@code object_story_spec} that say what the story is; a spec has one of them. */
    static final List<String> STORY_KINDS = List.of("link_data", "photo_data", "video_data", "text_data", "template_data",
            "product_data");

    /**
     * {@code POST /act_{id}/adcreatives}, as Meta's Ad Creative reference documents it: {@code name}
     * optional; the creative made from an {@code object_story_spec} (a page of the account and one of
     * {@code link_data}, {@code photo_data}, {@code video_data}, {@code text_data},
     * {@code template_data}, {@code product_data}), from an existing page post {@code object_story_id}
     * ({@code <page id>_<post id>}) or from an {@code asset_feed_spec} (with an
     * {@code object_story_spec} naming only the page). Neither of them answers {@code (#100)}.
     */
    private SimResponse createCreative(Account a, Map<String, String> p) {
        SimResponse bad = executionOptions(p, CREATIVE_OPTIONS);
        if (bad != null) {
            return bad;
        }
        if (p.containsKey("name") && (p.get("name").isBlank() || p.get("name").length() > 400)) {
            return invalid("name", "The creative name must have 1 to 400 characters.");
        }
        boolean hasSpec = p.containsKey("object_story_spec");
        boolean hasStory = p.containsKey("object_story_id");
        boolean hasFeed = p.containsKey("asset_feed_spec");
        if (!hasSpec && !hasStory && !hasFeed) {
            return error(400, "OAuthException", 100, null, "(#100) Invalid parameter",
                    "A creative needs object_story_spec, object_story_id or asset_feed_spec.");
        }
        if (hasStory && (hasSpec || hasFeed)) {
            return invalid("object_story_id", "object_story_id names an existing post: send it without "
                    + "object_story_spec or asset_feed_spec.");
        }
        Map<String, Object> spec = null;
        String storyId = null;
        if (hasSpec) {
            spec = jsonObject(p.get("object_story_spec"));
            if (spec == null) {
                return invalid("object_story_spec", "object_story_spec must be a JSON object");
            }
            bad = checkStorySpec(a, spec, hasFeed);
            if (bad != null) {
                return bad;
            }
        }
        if (hasFeed && jsonObject(p.get("asset_feed_spec")) == null) {
            return invalid("asset_feed_spec", "asset_feed_spec must be a JSON object");
        }
        if (hasStory) {
            storyId = p.get("object_story_id");
            java.util.regex.Matcher post = Pattern.compile("([0-9]+)_([0-9]+)").matcher(storyId);
            if (!post.matches()) {
                return invalid("object_story_id", "object_story_id must be <page id>_<post id>");
            }
            if (!a.pageIds.contains(post.group(1))) {
                return error(400, "OAuthException", 100, 1_487_901, "(#100) Invalid parameter",
                        "object_story_id must be a post of a Page this ad account may advertise for.");
            }
            if (!post.group(1).equals(posts.get(storyId))) {
                return error(400, "OAuthException", 100, null, "(#100) Invalid parameter",
                        "object_story_id " + storyId + " is not an existing post of the Page.");
            }
        }
        if (validateOnly(p)) {
            return passedValidation(a);
        }
        Map<String, Object> cr = newObject(a, "adcreative");
        cr.put("name", p.get("name"));
        if (spec != null) {
            cr.put("object_story_spec", spec);
            if (!hasFeed) { // Graph makes the spec an unpublished post of the page
                storyId = spec.get("page_id") + "_" + nextId();
                posts.put(storyId, (String) spec.get("page_id"));
            }
        }
        if (storyId != null) {
            cr.put("effective_object_story_id", storyId);
        }
        cr.put("status", "ACTIVE");
        keepAsSent(cr, p);
        keep(a, "adcreative", cr);
        return ok(Map.of("id", cr.get("id")), a);
    }

    /** The checks Graph makes of an {@code object_story_spec}; null when it passes. */
    private SimResponse checkStorySpec(Account a, Map<String, Object> spec, boolean withAssetFeed) {
        if (!GraphReference.set("fields.object_story_spec").containsAll(spec.keySet())) {
            return invalid("object_story_spec", "object_story_spec has a field Graph does not know");
        }
        if (!(spec.get("page_id") instanceof String page) || !a.pageIds.contains(page)) {
            return error(400, "OAuthException", 100, 1_487_901, "(#100) Invalid parameter",
                    "object_story_spec.page_id must be a Page this ad account may advertise for.");
        }
        List<String> kinds = STORY_KINDS.stream().filter(spec::containsKey).toList();
        if (withAssetFeed && kinds.isEmpty()) {
            return null; // the asset feed holds the creative's content
        }
        if (kinds.size() != 1) {
            return invalid("object_story_spec", "object_story_spec needs exactly one of " + STORY_KINDS);
        }
        String kind = kinds.getFirst();
        if (!(spec.get(kind) instanceof Map<?, ?> raw)) {
            return invalid("object_story_spec", "object_story_spec." + kind + " must be a JSON object");
        }
        Map<String, Object> data = cast(raw);
        String fieldSet = switch (kind) {
            case "link_data", "template_data" -> "fields.link_data";
            case "photo_data" -> "fields.photo_data";
            case "video_data" -> "fields.video_data";
            case "text_data" -> "fields.text_data";
            default -> null; // product_data: kept as sent
        };
        if (fieldSet != null && !GraphReference.set(fieldSet).containsAll(data.keySet())) {
            return invalid("object_story_spec", kind + " has a field Graph does not know");
        }
        for (String f : List.of("message", "name", "description", "caption", "title", "link_description")) {
            if (data.containsKey(f) && !(data.get(f) instanceof String)) {
                return invalid("object_story_spec", kind + "." + f + " must be a string");
            }
        }
        if (data.get("image_hash") instanceof String hash && !a.images.containsKey(hash)) {
            return error(400, "OAuthException", 100, 1_487_242, "(#100) Invalid parameter",
                    "Image hash " + hash + " is not an image of this ad account.");
        }
        if (data.containsKey("call_to_action") && !(data.get("call_to_action") instanceof Map<?, ?> cta
                && cta.get("type") instanceof String type && CALLS_TO_ACTION.contains(type))) {
            return invalid("object_story_spec", kind + ".call_to_action.type is not a known call to action");
        }
        switch (kind) {
            case "link_data" -> {
                if (!(data.get("link") instanceof String url) || !url.startsWith("https://")) {
                    return invalid("object_story_spec", "link_data.link must be an https URL");
                }
                if (!(data.get("image_hash") instanceof String) && !(data.get("picture") instanceof String)) {
                    return invalid("object_story_spec", "link_data needs image_hash or picture");
                }
            }
            case "template_data" -> {
                if (data.containsKey("link") && !(data.get("link") instanceof String)) {
                    return invalid("object_story_spec", "template_data.link must be a string");
                }
            }
            case "photo_data" -> {
                if (!(data.get("image_hash") instanceof String)
                        && !(data.get("url") instanceof String url && url.startsWith("https://"))) {
                    return invalid("object_story_spec", "photo_data needs image_hash or an https url");
                }
            }
            case "video_data" -> {
                if (!(data.get("video_id") instanceof String video) || !a.videos.containsKey(video)) {
                    return error(400, "OAuthException", 100, null, "(#100) Invalid parameter",
                            "video_data.video_id must be a video uploaded to this ad account (POST /act_{id}/advideos).");
                }
                if (!(data.get("image_hash") instanceof String)
                        && !(data.get("image_url") instanceof String url && url.startsWith("https://"))) {
                    return invalid("object_story_spec", "video_data needs a thumbnail: image_hash or an https image_url");
                }
            }
            case "text_data" -> {
                if (!(data.get("message") instanceof String message) || message.isBlank()) {
                    return invalid("object_story_spec", "text_data.message is required");
                }
            }
            default -> { }
        }
        return null;
    }

    /**
     * {@code POST /act_{id}/advideos}: the video as a multipart {@code source} file part or a
     * {@code file_url} → {@code {"id":"<video id>"}}. The resumable upload ({@code upload_phase}) is
     * not served.
     */
    private SimResponse createVideo(Account a, Map<String, String> p, byte[] source) {
        if (p.containsKey("upload_phase")) {
            return invalid("upload_phase", "This simulator takes a video in one request (source or file_url); "
                    + "the resumable upload is not served.");
        }
        if ((source != null) == p.containsKey("file_url")) {
            return invalid("source", "Send the video as a source file part or as file_url.");
        }
        if (source != null && source.length == 0) {
            return invalid("source", "The uploaded video file is empty.");
        }
        if (p.containsKey("file_url") && !p.get("file_url").startsWith("https://")) {
            return invalid("file_url", "file_url must be an https URL");
        }
        Map<String, Object> v = newObject(a, "advideo");
        v.remove("account_id"); // a video node has no account_id field
        v.put("status", Map.of("video_status", "ready"));
        keepAsSent(v, p);
        keep(a, "advideo", v);
        return ok(Map.of("id", v.get("id")), a);
    }

    /** A page publishes a post (outside the API): its id, {@code <page id>_<post id>}, for {@code object_story_id}. */
    public synchronized String publishPagePost(String pageId) {
        if (!pages.containsKey(pageId)) {
            throw new IllegalArgumentException("no page " + pageId);
        }
        String id = pageId + "_" + nextId();
        posts.put(id, pageId);
        return id;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    private SimResponse createAd(Account a, Map<String, String> p) {
        SimResponse bad = either(executionOptions(p, AD_OPTIONS), require(p, "name", "adset_id", "creative"));
        if (bad != null) {
            return bad;
        }
        Map<String, Object> set = a.adsets.get(p.get("adset_id"));
        if (set == null) {
            return invalid("adset_id", "adset_id does not name an ad set of this ad account");
        }
        String cid = creativeId(jsonObject(p.get("creative")));
        if (cid == null || !a.creatives.containsKey(cid)) {
            return invalid("creative", "creative must be {\"creative_id\": …} or {\"id\": …} naming a creative of this ad account");
        }
        String status = p.getOrDefault("status", "ACTIVE");
        if (!Set.of("ACTIVE", "PAUSED").contains(status)) {
            return invalid("status", "Only ACTIVE and PAUSED are valid during creation.");
        }
        if (validateOnly(p)) {
            return passedValidation(a);
        }
        Map<String, Object> ad = newObject(a, "ad");
        ad.put("name", p.get("name"));
        ad.put("adset_id", set.get("id"));
        ad.put("campaign_id", set.get("campaign_id"));
        ad.put("creative", Map.of("id", cid));
        ad.put("status", status);
        keepAsSent(ad, p);
        keep(a, "ad", ad);
        return ok(Map.of("id", ad.get("id")), a);
    }

    /**
     * The creative an ad names: Graph takes {@code {"creative_id":…}} and, as Meta's own examples send
     * it, an AdCreative object {@code {"id":…}}; Meta's SDK sends both keys. Null for anything else
     * (other keys, or two different ids).
     */
    private static String creativeId(Map<String, Object> creative) {
        if (creative == null || creative.isEmpty() || !Set.of("id", "creative_id").containsAll(creative.keySet())) {
            return null;
        }
        Set<String> ids = new java.util.HashSet<>();
        for (Object id : creative.values()) {
            ids.add(id instanceof String text ? text : id instanceof Long n ? Long.toString(n) : null);
        }
        return ids.size() == 1 ? ids.iterator().next() : null;
    }

    private SimResponse updateAdSet(Account a, String id, Map<String, String> p) {
        Map<String, Object> s = a.adsets.get(id);
        SimResponse bad = either(executionOptions(p, ADSET_OPTIONS), checkBudgets(p));
        if (bad != null) {
            return bad;
        }
        bad = editable(s, "ad set", p);
        if (bad != null) {
            return bad;
        }
        Map<String, Object> c = a.campaigns.get((String) s.get("campaign_id"));
        boolean campaignBudget = c.get("daily_budget") != null || c.get("lifetime_budget") != null;
        if (campaignBudget && (p.containsKey("daily_budget") || p.containsKey("lifetime_budget"))) {
            return invalid("daily_budget", "The campaign has a budget; its ad sets cannot have their own.");
        }
        if ((p.containsKey("daily_budget") && s.get("lifetime_budget") != null)
                || (p.containsKey("lifetime_budget") && s.get("daily_budget") != null)) {
            return error(400, "OAuthException", 100, null, "(#100) Invalid parameter",
                    "An ad set's budget cannot switch between daily and lifetime.");
        }
        Map<String, Object> targeting = null;
        if (p.containsKey("targeting")) {
            targeting = jsonObject(p.get("targeting"));
            String problem = checkTargeting(targeting);
            if (problem != null) {
                return invalid("targeting", problem);
            }
        }
        String start = p.containsKey("start_time") ? p.get("start_time") : (String) s.get("start_time");
        String end = p.containsKey("end_time") ? p.get("end_time") : (String) s.get("end_time");
        bad = checkTimes(start, end, "end_time");
        if (bad != null) {
            return bad;
        }
        if (validateOnly(p)) {
            return passedValidation(a);
        }
        for (Map.Entry<String, String> e : p.entrySet()) {
            switch (e.getKey()) {
                case "access_token", "appsecret_proof", "execution_options" -> { }
                case "targeting" -> s.put("targeting", targeting);
                case "start_time", "end_time" -> s.put(e.getKey(), normalTime(e.getValue()));
                case "name", "status", "daily_budget", "lifetime_budget", "bid_amount" -> s.put(e.getKey(), e.getValue());
                default -> s.put(e.getKey(), asSent(e.getValue()));
            }
        }
        keep(a, "adset", s);
        return ok(Map.of("success", true), a);
    }

    private SimResponse updateAd(Account a, String id, Map<String, String> p) {
        Map<String, Object> ad = a.ads.get(id);
        SimResponse bad = executionOptions(p, AD_OPTIONS);
        if (bad != null) {
            return bad;
        }
        if (p.containsKey("status") && !Set.of("ACTIVE", "PAUSED", "ARCHIVED", "DELETED").contains(p.get("status"))) {
            return invalid("status", "status must be ACTIVE, PAUSED, ARCHIVED or DELETED");
        }
        String cid = null;
        if (p.containsKey("creative")) {
            cid = creativeId(jsonObject(p.get("creative")));
            if (cid == null || !a.creatives.containsKey(cid)) {
                return invalid("creative", "creative must name a creative of this ad account");
            }
        }
        if (validateOnly(p)) {
            return passedValidation(a);
        }
        for (Map.Entry<String, String> e : p.entrySet()) {
            switch (e.getKey()) {
                case "access_token", "appsecret_proof", "execution_options" -> { }
                case "creative" -> ad.put("creative", Map.of("id", cid));
                case "name", "status" -> ad.put(e.getKey(), e.getValue());
                default -> ad.put(e.getKey(), asSent(e.getValue()));
            }
        }
        keep(a, "ad", ad);
        return ok(Map.of("success", true), a);
    }

    private SimResponse updateCreative(Account a, String id, Map<String, String> p) {
        Map<String, Object> cr = a.creatives.get(id);
        if (p.containsKey("status") && !Set.of("ACTIVE", "IN_PROCESS", "WITH_ISSUES", "DELETED").contains(p.get("status"))) {
            return invalid("status", "status must be ACTIVE, IN_PROCESS, WITH_ISSUES or DELETED");
        }
        p.forEach((k, v) -> {
            if (!AUTH_PARAMS.contains(k)) {
                cr.put(k, asSent(v));
            }
        });
        keep(a, "adcreative", cr);
        return ok(Map.of("success", true), a);
    }

    /** Keeps, as sent, each documented parameter the simulator does not model (so a read returns it). */
    private static void keepAsSent(Map<String, Object> o, Map<String, String> p) {
        p.forEach((k, v) -> {
            if (!AUTH_PARAMS.contains(k) && !k.equals("execution_options") && !o.containsKey(k)) {
                o.put(k, asSent(v));
            }
        });
    }

    /** A parameter's value as Graph echoes it: JSON objects and arrays sent as text come back as JSON. */
    private static Object asSent(String value) {
        if (value != null && (value.startsWith("{") || value.startsWith("["))) {
            try {
                return JsonParser.parse(value);
            } catch (IllegalArgumentException e) {
                return value;
            }
        }
        return value;
    }

    // ------------------------------------------------------------------ reads

    private SimResponse readAccount(Account a, Map<String, String> p) {
        Map<String, Object> acc = new LinkedHashMap<>();
        acc.put("id", "act_" + a.id);
        acc.put("account_id", a.id);
        acc.put("name", "Ad account " + a.id);
        acc.put("currency", a.currency);
        acc.put("account_status", 1L);
        acc.put("timezone_name", "UTC");
        acc.put("amount_spent", "0");
        acc.put("spend_cap", "0");
        acc.put("balance", "0");
        acc.put("business_country_code", "US");
        acc.put("timezone_offset_hours_utc", 0L);
        acc.put("is_personal", 0L);
        acc.put("disable_reason", 0L);
        List<String> fields = fields(p, ACCOUNT_FIELDS);
        if (fields == null) {
            return invalidField(p, ACCOUNT_FIELDS, "AdAccount");
        }
        return ok(select(acc, fields), a);
    }

    private SimResponse readNode(Token t, String id, Map<String, String> p) {
        if (pages.containsKey(id)) {
            boolean granted = accounts.values().stream().anyMatch(a -> a.pageIds.contains(id) && t.accountIds.contains(a.id));
            if (!granted) {
                return unsupported("GET", id);
            }
            Map<String, Object> page = new LinkedHashMap<>();
            page.put("id", id);
            page.put("name", pages.get(id));
            List<String> fields = fields(p, PAGE_FIELDS);
            return fields == null ? invalidField(p, PAGE_FIELDS, "Page") : ok(select(page, fields), null);
        }
        return withObject(t, id, "GET", (a, kind) -> {
            Map<String, Object> o = byKind(a, kind).get(id);
            List<String> fields = fields(p, FIELDS.get(kind));
            return fields == null ? invalidField(p, FIELDS.get(kind), kind) : ok(select(view(a, o), fields), a);
        });
    }

    private SimResponse list(Account a, String edge, SimRequest r, Map<String, String> p) {
        String kind = switch (edge) {
            case "campaigns" -> "campaign";
            case "adsets" -> "adset";
            case "adcreatives" -> "adcreative";
            default -> "ad";
        };
        List<String> fields = fields(p, FIELDS.get(kind));
        if (fields == null) {
            return invalidField(p, FIELDS.get(kind), kind);
        }
        List<Map<String, Object>> all = new ArrayList<>();
        for (Map<String, Object> o : a.edge(edge).values()) {
            if (!"DELETED".equals(o.get("status"))) {
                all.add(o);
            }
        }
        if (p.containsKey("filtering")) {
            Object f;
            try {
                f = JsonParser.parse(p.get("filtering"));
            } catch (IllegalArgumentException e) {
                f = null;
            }
            if (!(f instanceof List<?> filters)) {
                return invalid("filtering", "filtering must be a JSON array of {field, operator, value}");
            }
            for (Object o : filters) {
                if (!(o instanceof Map<?, ?> filter) || !"name".equals(filter.get("field"))
                        || !(filter.get("value") instanceof String value)
                        || !Set.of("CONTAIN", "EQUAL").contains(filter.get("operator"))) {
                    return invalid("filtering", "this simulator filters on name with CONTAIN or EQUAL");
                }
                boolean contain = "CONTAIN".equals(filter.get("operator"));
                all.removeIf(x -> !(contain ? ((String) x.get("name")).contains(value) : x.get("name").equals(value)));
            }
        }
        if (p.containsKey("effective_status")) {
            List<String> statuses = stringArray(p.get("effective_status"));
            if (statuses == null) {
                return invalid("effective_status", "effective_status must be a JSON array of statuses");
            }
            all.removeIf(o -> !statuses.contains((String) view(a, o).get("effective_status")));
        }
        List<Map<String, Object>> views = all.stream().map(o -> select(view(a, o), fields)).toList();
        return page(views, r, p, a);
    }

    private SimResponse page(List<Map<String, Object>> rows, SimRequest r, Map<String, String> p, Account a) {
        int limit;
        int start;
        try {
            limit = p.containsKey("limit") ? Integer.parseInt(p.get("limit")) : 25;
            start = p.containsKey("after") ? Integer.parseInt(new String(Base64.getUrlDecoder().decode(p.get("after")),
                    StandardCharsets.UTF_8)) + 1 : 0;
        } catch (IllegalArgumentException e) {
            return invalid("after", "limit must be an integer and after a cursor from paging.cursors");
        }
        if (limit < 1 || limit > 500 || start < 0) {
            return invalid("limit", "limit must be between 1 and 500");
        }
        int end = Math.min(start + limit, rows.size());
        List<Map<String, Object>> data = start >= rows.size() ? List.of() : rows.subList(start, end);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("data", data);
        if (!data.isEmpty()) {
            Map<String, Object> paging = new LinkedHashMap<>();
            String after = cursor(end - 1);
            paging.put("cursors", Map.of("before", cursor(start), "after", after));
            if (end < rows.size()) {
                // like Graph: the next URL repeats every parameter, the access token included
                Map<String, String> next = new LinkedHashMap<>(p);
                next.put("after", after);
                StringBuilder url = new StringBuilder(origin() + r.path() + "?");
                next.forEach((k, v) -> url.append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
                        .append(URLEncoder.encode(v, StandardCharsets.UTF_8)).append('&'));
                url.setLength(url.length() - 1);
                paging.put("next", url.toString());
            }
            out.put("paging", paging);
        }
        return ok(out, a);
    }

    private SimResponse insights(Account a, List<Map<String, Object>> campaigns, String node, SimRequest r,
            Map<String, String> p) {
        if (!p.containsKey("fields")) {
            return invalid("fields", "fields is required: e.g. impressions,clicks,spend");
        }
        List<String> fields = List.of(p.get("fields").split(","));
        for (String f : fields) {
            if (!INSIGHT_FIELDS.contains(f)) {
                return error(400, "OAuthException", 100, null, "(#100) " + f + " is not valid for fields param.", null);
            }
        }
        String level = p.getOrDefault("level", node);
        if (!Set.of("account", "campaign").contains(level) || ("campaign".equals(node) && "account".equals(level))) {
            return invalid("level", "level must be campaign (or account on an ad account)");
        }
        String increment = p.getOrDefault("time_increment", "all_days");
        if (!Set.of("1", "all_days").contains(increment)) {
            return invalid("time_increment", "time_increment must be 1 or all_days");
        }
        LocalDate since;
        LocalDate until;
        if (p.containsKey("time_range")) {
            Map<String, Object> range = jsonObject(p.get("time_range"));
            try {
                since = LocalDate.parse((String) range.get("since"));
                until = LocalDate.parse((String) range.get("until"));
            } catch (RuntimeException e) {
                return invalid("time_range", "time_range must be {\"since\":\"YYYY-MM-DD\",\"until\":\"YYYY-MM-DD\"}");
            }
            if (until.isBefore(since) || range.size() != 2) {
                return invalid("time_range", "time_range needs since ≤ until and nothing else");
            }
        } else {
            // without a time_range Graph reports date_preset, by default the last 30 days (today excluded)
            LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
            LocalDate[] preset = datePreset(p.getOrDefault("date_preset", "last_30d"), today);
            if (preset == null) {
                return invalid("date_preset", "unknown date_preset " + p.get("date_preset"));
            }
            since = preset[0];
            until = preset[1];
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Map<String, Object>> groups = "account".equals(level) ? List.of(Map.of()) : new ArrayList<>();
        if (!"account".equals(level)) {
            groups.addAll(campaigns);
        }
        List<LocalDate[]> windows = new ArrayList<>();
        if (increment.equals("1")) {
            for (LocalDate d = since; !d.isAfter(until); d = d.plusDays(1)) {
                windows.add(new LocalDate[] {d, d});
            }
        } else {
            windows.add(new LocalDate[] {since, until});
        }
        for (Map<String, Object> group : groups) {
            List<Map<String, Object>> members = group.isEmpty() ? campaigns : List.of(group);
            for (LocalDate[] w : windows) {
                long spend = 0;
                for (Map<String, Object> c : members) {
                    for (LocalDate d = w[0]; !d.isAfter(w[1]); d = d.plusDays(1)) {
                        spend += spendMinorOn(c, d);
                    }
                }
                long impressions = spend * 5;
                if (impressions == 0) {
                    continue; // Graph leaves out rows without delivery
                }
                Map<String, Object> row = new LinkedHashMap<>();
                for (String f : fields) {
                    switch (f) {
                        case "campaign_id" -> putIf(row, f, group.get("id"));
                        case "campaign_name" -> putIf(row, f, group.get("name"));
                        case "impressions" -> row.put(f, Long.toString(impressions));
                        case "clicks" -> row.put(f, Long.toString(impressions / 100));
                        case "spend" -> row.put(f, BigDecimal.valueOf(spend, exponent(a.currency)).toPlainString());
                        case "account_currency" -> row.put(f, a.currency);
                        case "account_id" -> row.put(f, a.id);
                        default -> { } // a documented metric the simulator does not model: Graph leaves it out
                    }
                }
                row.put("date_start", w[0].toString());
                row.put("date_stop", w[1].toString());
                rows.add(row);
            }
        }
        return page(rows, r, p, a);
    }

    /** Graph's {@code date_preset} values as day ranges (UTC, the simulated accounts' time zone); null when unknown. */
    static LocalDate[] datePreset(String preset, LocalDate today) {
        return switch (preset) {
            case "today" -> new LocalDate[] {today, today};
            case "yesterday" -> new LocalDate[] {today.minusDays(1), today.minusDays(1)};
            case "last_3d", "last_7d", "last_14d", "last_28d", "last_30d", "last_90d" -> {
                int days = Integer.parseInt(preset.substring(5, preset.length() - 1));
                yield new LocalDate[] {today.minusDays(days), today.minusDays(1)};
            }
            case "this_month" -> new LocalDate[] {today.withDayOfMonth(1), today};
            case "last_month" -> new LocalDate[] {today.minusMonths(1).withDayOfMonth(1), today.withDayOfMonth(1).minusDays(1)};
            case "maximum" -> new LocalDate[] {today.minusMonths(37), today};
            default -> null;
        };
    }

    /** See the class comment: the deterministic spend of one campaign on one UTC day, in minor units. */
    private long spendMinorOn(Map<String, Object> c, LocalDate day) {
        LocalDate created = OffsetDateTime.parse((String) c.get("created_time"), GRAPH_TIME).toLocalDate();
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        if (!"ACTIVE".equals(c.get("status")) || day.isBefore(created) || day.isAfter(today)) {
            return 0;
        }
        if (c.get("start_time") instanceof String start
                && day.isBefore(OffsetDateTime.parse(start, GRAPH_TIME).withOffsetSameInstant(ZoneOffset.UTC).toLocalDate())) {
            return 0;
        }
        if (c.get("stop_time") instanceof String stop
                && day.isAfter(OffsetDateTime.parse(stop, GRAPH_TIME).withOffsetSameInstant(ZoneOffset.UTC).toLocalDate())) {
            return 0;
        }
        if (c.get("daily_budget") instanceof String daily) {
            return Long.parseLong(daily) * 8 / 10;
        }
        if (c.get("lifetime_budget") instanceof String lifetime) {
            long total = Long.parseLong(lifetime);
            long perDay = Math.max(1, total / 10);
            long before = perDay * (day.toEpochDay() - created.toEpochDay());
            return Math.max(0, Math.min(perDay, total - before));
        }
        return 0;
    }

    // ------------------------------------------------------------------ helpers

    /** A new object with the next id; the id counter is recorded, so ids stay unique across restarts. */
    private Map<String, Object> newObject(Account a, String kind) {
        String id = nextId();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("id", id);
        o.put("account_id", a.id);
        o.put("created_time", clock.instant().atOffset(ZoneOffset.UTC).format(GRAPH_TIME));
        return o;
    }

    /** Holds a created or changed object, recorded in the store first (what cannot be recorded is not kept). */
    private void keep(Account a, String kind, Map<String, Object> o) {
        String id = (String) o.get("id");
        store().put(a.id, kind, id, o);
        byKind(a, kind).put(id, o);
        objects.put(id, new Located(a, kind));
    }

    /** The next object id; the counter is recorded, so ids stay unique across restarts. */
    private String nextId() {
        long next = Math.max(ids.get(), FIRST_ID_BASE + store().counter(ID_COUNTER, 0)) + 1;
        store().advance(ID_COUNTER, next - FIRST_ID_BASE);
        ids.set(next);
        return Long.toString(next);
    }

    /**
     * Brings back what the store recorded for a newly provisioned account (the objects a simulator
     * on the same journal made before a restart).
     */
    private void restore(Account a) {
        store().account(a.id).forEach((kind, recorded) -> recorded.forEach((id, o) -> {
            switch (kind) {
                case "image" -> a.images.put(id, o);
                case "campaign", "adset", "adcreative", "ad", "advideo" -> {
                    byKind(a, kind).put(id, o);
                    objects.put(id, new Located(a, kind));
                    if (o.get("effective_object_story_id") instanceof String post) { // the page posts creatives made
                        posts.put(post, post.substring(0, post.indexOf('_')));
                    }
                }
                default -> { } // nothing else is recorded
            }
        }));
    }

    /**
     * Graph's {@code execution_options}: a JSON array of the options the endpoint has; null when
     * absent or valid.
     */
    private SimResponse executionOptions(Map<String, String> p, Set<String> known) {
        if (!p.containsKey("execution_options")) {
            return null;
        }
        List<String> options = stringArray(p.get("execution_options"));
        if (options == null || !known.containsAll(options)) {
            return invalid("execution_options", "execution_options must be a JSON array of "
                    + new java.util.TreeSet<>(known));
        }
        return null;
    }

    /** Whether the call only asks Graph to validate it: it is checked by every rule and changes nothing. */
    private static boolean validateOnly(Map<String, String> p) {
        List<String> options = p.containsKey("execution_options") ? stringArray(p.get("execution_options")) : null;
        return options != null && options.contains("validate_only");
    }

    /** Graph's answer to a {@code validate_only} call that passed. */
    private SimResponse passedValidation(Account a) {
        return ok(Map.of("success", true), a);
    }

    private static SimResponse either(SimResponse first, SimResponse second) {
        return first != null ? first : second;
    }

    private static Map<String, Map<String, Object>> byKind(Account a, String kind) {
        return switch (kind) {
            case "campaign" -> a.campaigns;
            case "adset" -> a.adsets;
            case "adcreative" -> a.creatives;
            case "image" -> a.images;
            case "advideo" -> a.videos;
            default -> a.ads;
        };
    }

    /** The object as Graph shows it: effective status derived, nulls left out. */
    private static Map<String, Object> view(Account a, Map<String, Object> o) {
        Map<String, Object> v = new LinkedHashMap<>();
        o.forEach((k, x) -> putIf(v, k, x));
        if (o.get("status") instanceof String) {
            v.put("effective_status", o.get("status"));
        }
        if (o.get("campaign_id") instanceof String cid && a.campaigns.get(cid) instanceof Map<String, Object> c
                && "PAUSED".equals(c.get("status")) && "ACTIVE".equals(o.get("status"))) {
            v.put("effective_status", "CAMPAIGN_PAUSED");
        }
        // Graph's defaults for fields the simulator does not model
        if (o.get("status") instanceof String) {
            v.putIfAbsent("configured_status", o.get("status"));
        }
        v.putIfAbsent("updated_time", o.get("created_time"));
        if (o.containsKey("objective")) { // a campaign
            v.putIfAbsent("buying_type", "AUCTION");
            v.putIfAbsent("special_ad_category", categoryOf(o.get("special_ad_categories")));
            v.putIfAbsent("budget_remaining", o.get("daily_budget") != null ? o.get("daily_budget")
                    : o.get("lifetime_budget") != null ? o.get("lifetime_budget") : "0");
            v.putIfAbsent("can_use_spend_cap", true);
            v.putIfAbsent("source_campaign_id", "0");
            v.putIfAbsent("topline_id", "0");
        }
        if (o.containsKey("adset_id")) { // an ad
            v.putIfAbsent("adset", Map.of("id", o.get("adset_id")));
            v.putIfAbsent("campaign", Map.of("id", o.get("campaign_id")));
            v.putIfAbsent("bid_type", "ABSOLUTE_OCPM");
            v.putIfAbsent("source_ad_id", "0");
        } else if (o.containsKey("billing_event")) { // an ad set
            v.putIfAbsent("campaign", Map.of("id", o.get("campaign_id")));
            v.putIfAbsent("budget_remaining", o.get("daily_budget") != null ? o.get("daily_budget")
                    : o.get("lifetime_budget") != null ? o.get("lifetime_budget") : "0");
            v.putIfAbsent("destination_type", "UNDEFINED");
            v.putIfAbsent("source_adset_id", "0");
        }
        if (o.get("object_story_spec") instanceof Map<?, ?> spec && spec.get("photo_data") instanceof Map<?, ?> photo) {
            v.putIfAbsent("object_type", "PHOTO");
            putIf(v, "body", photo.get("caption"));
            putIf(v, "image_hash", photo.get("image_hash"));
            putIf(v, "image_url", photo.get("url"));
        }
        if (o.get("object_story_spec") instanceof Map<?, ?> spec && spec.get("video_data") instanceof Map<?, ?> video) {
            v.putIfAbsent("object_type", "VIDEO");
            putIf(v, "video_id", video.get("video_id"));
            putIf(v, "body", video.get("message"));
            putIf(v, "title", video.get("title"));
            putIf(v, "image_hash", video.get("image_hash"));
            putIf(v, "image_url", video.get("image_url"));
            if (video.get("call_to_action") instanceof Map<?, ?> cta) {
                putIf(v, "call_to_action_type", cta.get("type"));
            }
        }
        if (o.get("object_story_spec") instanceof Map<?, ?> spec && spec.get("text_data") instanceof Map<?, ?> text) {
            v.putIfAbsent("object_type", "STATUS");
            putIf(v, "body", text.get("message"));
        }
        if (o.get("object_story_spec") instanceof Map<?, ?> spec && spec.get("link_data") instanceof Map<?, ?> link) {
            v.putIfAbsent("object_type", "SHARE");
            putIf(v, "body", link.get("message"));
            putIf(v, "title", link.get("name"));
            putIf(v, "image_hash", link.get("image_hash"));
            putIf(v, "link_url", link.get("link"));
            if (link.get("call_to_action") instanceof Map<?, ?> cta) {
                putIf(v, "call_to_action_type", cta.get("type"));
            }
        }
        return v;
    }

    private static String categoryOf(Object categories) {
        return categories instanceof List<?> l && !l.isEmpty() && l.getFirst() instanceof String first ? first : "NONE";
    }

    private static List<String> fields(Map<String, String> p, Set<String> known) {
        if (!p.containsKey("fields")) {
            return List.of("id");
        }
        List<String> out = new ArrayList<>(new LinkedHashSet<>(List.of(p.get("fields").split(","))));
        if (!known.containsAll(out)) {
            return null;
        }
        if (!out.contains("id")) {
            out.addFirst("id");
        }
        return out;
    }

    private SimResponse invalidField(Map<String, String> p, Set<String> known, String node) {
        String bad = List.of(p.get("fields").split(",")).stream().filter(f -> !known.contains(f)).findFirst().orElse("");
        return error(400, "OAuthException", 100, null,
                "(#100) Tried accessing nonexisting field (" + bad + ") on node type (" + node + ")", null);
    }

    private static Map<String, Object> select(Map<String, Object> o, List<String> fields) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String f : fields) {
            putIf(out, f, o.get(f));
        }
        return out;
    }

    private static void putIf(Map<String, Object> m, String k, Object v) {
        if (v != null) {
            m.put(k, v);
        }
    }

    private SimResponse require(Map<String, String> p, String... names) {
        for (String n : names) {
            if (p.get(n) == null || p.get(n).isEmpty()) {
                return error(400, "OAuthException", 100, null, "(#100) The parameter " + n + " is required", null);
            }
        }
        return null;
    }

    private SimResponse checkTimes(String start, String end, String endName) {
        OffsetDateTime s = null;
        OffsetDateTime e = null;
        try {
            s = start == null ? null : parseTime(start);
        } catch (DateTimeParseException x) {
            return invalid("start_time", "start_time must be ISO-8601, e.g. 2026-11-21T00:00:00+0000");
        }
        try {
            e = end == null ? null : parseTime(end);
        } catch (DateTimeParseException x) {
            return invalid(endName, endName + " must be ISO-8601, e.g. 2026-12-21T00:00:00+0000");
        }
        if (s != null && e != null && !e.isAfter(s)) {
            return invalid(endName, endName + " must be after start_time");
        }
        if (e != null && !e.toInstant().isAfter(clock.instant())) {
            return invalid(endName, endName + " must be in the future");
        }
        return null;
    }

    static OffsetDateTime parseTime(String text) {
        try {
            return OffsetDateTime.parse(text, GRAPH_TIME);
        } catch (DateTimeParseException e) {
            return OffsetDateTime.parse(text); // ISO-8601 with a colon offset or Z
        }
    }

    private static String normalTime(String text) {
        return text == null ? null : parseTime(text).format(GRAPH_TIME);
    }

    private static Map<String, Object> jsonObject(String text) {
        try {
            return text == null ? null : JsonParser.parseObject(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static List<String> stringArray(String text) {
        try {
            if (JsonParser.parse(text) instanceof List<?> l && l.stream().allMatch(x -> x instanceof String)) {
                return l.stream().map(String.class::cast).toList();
            }
        } catch (IllegalArgumentException e) {
            // falls through
        }
        return null;
    }

    private static String digits(String adAccountId) {
        if (adAccountId == null) {
            return null;
        }
        String d = adAccountId.startsWith("act_") ? adAccountId.substring(4) : adAccountId;
        return DIGITS.matcher(d).matches() ? d : null;
    }

    private static int exponent(String currency) {
        return java.util.Currency.getInstance(currency).getDefaultFractionDigits();
    }

    private static String cursor(int index) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Integer.toString(index).getBytes(StandardCharsets.UTF_8));
    }

    private static String md5(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private SimResponse ok(Object body, Account a) {
        SimResponse r = SimResponse.json(200, body);
        if (a != null) {
            int pct = Math.min(100, busiestKeyThisMinute() * 100 / CALLS_PER_MINUTE);
            r = r.withHeader("X-Business-Use-Case-Usage", usage(a.id, pct, 0))
                    .withHeader("X-Ad-Account-Usage", CanonicalJson.canonicalize(Map.of("acc_id_util_pct", (long) pct)));
        }
        return r;
    }

    private static String usage(String accountId, int pct, int minutesToRegain) {
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("type", "ads_management");
        u.put("call_count", (long) pct);
        u.put("total_cputime", (long) pct);
        u.put("total_time", (long) pct);
        u.put("estimated_time_to_regain_access", (long) minutesToRegain);
        return CanonicalJson.canonicalize(Map.of(accountId, List.of(u)));
    }

    private SimResponse throttled(int minutes) {
        return error(400, "OAuthException", 17, 2_446_079, "(#17) User request limit reached",
                "Too many calls to this ad account. Wait a bit and try again.")
                .withHeader("X-Business-Use-Case-Usage", usage("0", 100, minutes));
    }

    private SimResponse invalid(String param, String userMessage) {
        return error(400, "OAuthException", 100, null, "(#100) Invalid parameter: " + param, userMessage);
    }

    private SimResponse unsupported(String method, String id) {
        return error(400, "GraphMethodException", 100, 33, "Unsupported " + method.toLowerCase() + " request. Object with ID '"
                + id + "' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
                null);
    }

    private SimResponse unsupportedObject(String id) {
        return unsupported("GET", id);
    }

    SimResponse error(int status, String type, int code, Integer subcode, String message, String userMessage) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("message", message);
        e.put("type", type);
        e.put("code", (long) code);
        if (subcode != null) {
            e.put("error_subcode", (long) subcode);
        }
        if (userMessage != null) {
            e.put("error_user_title", "Invalid request");
            e.put("error_user_msg", userMessage);
        }
        if (code == 1 || code == 2) {
            e.put("is_transient", true);
        }
        e.put("fbtrace_id", "Sim" + Long.toString(traces.incrementAndGet(), 36));
        return SimResponse.json(status, Map.of("error", e));
    }

    @Override
    protected SimResponse notFound(SimRequest request) {
        return error(400, "OAuthException", 2500, null, "Unknown path components: " + request.path(), null);
    }

    @Override
    protected SimResponse serverError() {
        return error(500, "OAuthException", 2, null, "An unexpected error has occurred. Please retry your request later.", null);
    }

    @Override
    protected SimResponse rateLimited() {
        return throttled(0);
    }
}
