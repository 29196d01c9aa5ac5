package dev.minutework.broker.sim.tiktokads;

import dev.minutework.broker.core.json.JsonParser;
import dev.minutework.broker.sim.Faults;
import dev.minutework.broker.sim.ProviderSimulator;
import dev.minutework.broker.sim.SimRequest;
import dev.minutework.broker.sim.SimResponse;
import dev.minutework.broker.sim.WebhookDeliveries;
import java.net.URI;
import java.time.Duration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * TikTok API for Business (Marketing API v1.3) as TikTok's public reference documents it (checked
 * by {@code TikTokAdsConformanceTest} against exchanges written from that reference).
 *
 * <p>What it enforces: the {@code Access-Token} header (missing or unknown → code 40101, expired →
 * 40102, a token not authorised for the advertiser → 40001); {@code advertiser_id} in the JSON body
 * of POSTs and in the query of GETs; POST bodies as {@code application/json} (the image upload also
 * as {@code multipart/form-data}); paths with or without their trailing slash; the
 * {@code {code, message, request_id, data}} envelope, answered with HTTP 200 for every API error
 * (40002 parameter error with a {@code "<field>: <problem>"} message, 40100 rate limit); GET list
 * parameters ({@code filtering}, {@code dimensions}, {@code metrics}, {@code advertiser_ids}) as
 * JSON strings; {@code page}/{@code page_size} (≤ 1000) paging with {@code page_info}; fields outside
 * the reference's documented set refused, documented ones it does not model accepted and echoed
 * (campaigns default {@code campaign_type} REGULAR_CAMPAIGN and {@code special_industries} []);
 * campaign names unique per advertiser
 * and ≤ 512 characters; budgets as positive decimals in major units with at most two decimals;
 * {@code BUDGET_MODE_TOTAL} ad groups need {@code SCHEDULE_START_END}; schedule times as
 * {@code "YYYY-MM-DD HH:MM:SS"} (UTC) with the end after the start; ad group budgets not above
 * their campaign's; ad group {@code request_id} (a 64-bit integer string) makes a repeated create
 * answer the ad group it already made; image upload by URL ({@code UPLOAD_BY_URL}) or by file
 * ({@code UPLOAD_BY_FILE}, the default, with its MD5 as {@code image_signature}); ads need
 * an uploaded {@code image_ids} entry and an identity ({@code identity_id} + {@code identity_type}
 * or a {@code display_name} of 1–40), and an {@code ad_text} of 1–100 without emoji (in both, a
 * Chinese, Japanese or Korean character counts as two); the ad groups of {@code REACH} and
 * {@code TRAFFIC} campaigns optimise for {@code REACH} and {@code CLICK}; campaign status changes
 * for 1–20 ids.
 *
 * <p>Rate limit: more than {@value #REQUESTS_PER_MINUTE} requests a minute per access token
 * answer code 40100 (the documented code; the quota itself is the simulator's choice). The
 * {@link dev.minutework.broker.sim.Faults.Fault#SERVER_ERROR} fault answers HTTP 500 with code
 * 50000; {@link dev.minutework.broker.sim.Faults.Fault#RATE_LIMITED} answers HTTP 200 with code 40100.
 *
 * <p>Spend model (deterministic, for reports): a campaign whose {@code operation_status} is
 * {@code ENABLE} spends, on each day from the day it was created up to today (by the simulator's
 * clock, UTC), half its budget a day in {@code BUDGET_MODE_DAY}, or a tenth of its budget a day in
 * {@code BUDGET_MODE_TOTAL} until the total is used up; {@code BUDGET_MODE_INFINITE} campaigns
 * spend 10.00 a day. Amounts are rounded down to cents. Impressions are 200 per 1.00 spent (a 5.00
 * CPM) and clicks one in fifty impressions. Days without delivery are left out of reports, as the
 * real API does for rows without data. Accounts report in USD.
 *
 * <p>What an advertiser holds (campaigns, ad groups, the {@code request_id} each ad group was made
 * with, images, ads) and the id counter are recorded in {@link #store()} as they are made or changed,
 * keyed by the advertiser id: a simulator given the same journal after a restart finds them again
 * when the advertiser is provisioned, and a repeated ad group create answers the ad group it made
 * before the restart. Access tokens are not recorded; the broker provisions them again.
 *
 * <p>For tests: {@link #campaignCount}, {@link #adGroupCount}, {@link #adCount}, {@link #imageCount},
 * {@link #revoke}, {@link #expire}, {@link #failNext} (a fault for the next request to one endpoint)
 * and {@link #answerNext} (a canned answer for the next request, to replay recorded responses).
 */
public final class TikTokAdsSimulator extends ProviderSimulator {

    static final int REQUESTS_PER_MINUTE = 600;
    static final int MAX_PAGE_SIZE = 1000;
    static final int MAX_REPORT_DAYS = 30;
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    static final Pattern DIGITS = Pattern.compile("[0-9]{1,19}");

    static final Set<String> OBJECTIVES = Set.of("REACH", "TRAFFIC", "VIDEO_VIEWS", "LEAD_GENERATION", "ENGAGEMENT",
            "APP_PROMOTION", "WEB_CONVERSIONS", "PRODUCT_SALES");
    /** The optimisation goals of the ad groups of a campaign, by its objective (where the simulator checks them). */
    static final Map<String, Set<String>> GOALS = Map.of("REACH", Set.of("REACH"), "TRAFFIC", Set.of("CLICK"));
    static final Set<String> BUDGET_MODES = Set.of("BUDGET_MODE_DAY", "BUDGET_MODE_TOTAL", "BUDGET_MODE_INFINITE");
    static final Set<String> STATUSES = Set.of("ENABLE", "DISABLE");
    static final Set<String> AGE_GROUPS = Set.of("AGE_13_17", "AGE_18_24", "AGE_25_34", "AGE_35_44", "AGE_45_54",
            "AGE_55_100");
    static final Set<String> CALLS_TO_ACTION = Set.of("LEARN_MORE", "SHOP_NOW", "SIGN_UP", "DOWNLOAD", "CONTACT_US",
            "BOOK_NOW", "APPLY_NOW", "ORDER_NOW", "GET_QUOTE", "SUBSCRIBE", "WATCH_NOW");

    /**
     * The body fields of {@code campaign/create/} in the reference (API for Business v1.3, Campaign
     * Create): what the simulator does not model is accepted and echoed, not refused.
     */
    static final Set<String> CAMPAIGN_CREATE_FIELDS = Set.of("advertiser_id", "campaign_name", "objective_type",
            "budget_mode", "budget", "operation_status", "budget_optimize_on", "campaign_type", "special_industries",
            "optimization_goal", "app_promotion_type", "app_id", "rf_campaign_type");
    /** The body fields of {@code adgroup/create/} in the reference (Ad Group Create). */
    static final Set<String> AD_GROUP_CREATE_FIELDS = Set.of("advertiser_id", "campaign_id", "adgroup_name",
            "promotion_type", "promotion_website_type", "placement_type", "placements", "location_ids", "age_groups",
            "gender", "languages", "budget_mode", "budget", "schedule_type", "schedule_start_time", "schedule_end_time",
            "optimization_goal", "optimization_event", "billing_event", "bid_type", "bid_price", "conversion_bid_price",
            "deep_bid_type", "deep_cpa_bid", "roas_bid", "bid_display_mode", "operation_status", "request_id", "pacing",
            "dayparting", "frequency", "frequency_schedule", "actions", "adgroup_app_profile_page_state", "app_id",
            "audience_ids", "excluded_audience_ids", "audience_rule", "audience_type", "auto_targeting_enabled",
            "blocked_pangle_app_ids", "brand_safety_type", "brand_safety_partner", "budget_optimize_on", "carrier_ids",
            "catalog_id", "catalog_authorized_bc_id", "comment_disabled", "contextual_tag_ids", "conversion_id",
            "creative_material_mode", "device_model_ids", "device_price_ranges", "excluded_custom_actions",
            "included_custom_actions", "excluded_pangle_audience_package_ids", "included_pangle_audience_package_ids",
            "household_income", "identity_id", "identity_type", "identity_authorized_bc_id", "interest_category_ids",
            "interest_keyword_ids", "interest_keywords", "ios14_targeting", "is_hfss", "min_android_version",
            "min_ios_version", "network_types", "next_day_retention", "operating_systems", "pixel_id", "product_set_id",
            "product_source", "purchase_intention_keyword_ids", "secondary_optimization_event",
            "shopping_ads_retargeting_actions_days", "shopping_ads_retargeting_type", "shopping_ads_type",
            "skip_learning_phase", "spending_power", "statistic_type", "store_authorized_bc_id", "store_id",
            "targeting_expansion", "video_download_disabled");
    /** The fields of one entry of {@code creatives} in {@code ad/create/} in the reference (Ad Create). */
    static final Set<String> CREATIVE_FIELDS = Set.of("ad_name", "ad_format", "ad_text", "ad_texts", "call_to_action",
            "call_to_action_id", "landing_page_url", "image_ids", "video_id", "identity_id", "identity_type",
            "identity_authorized_bc_id", "display_name", "avatar_icon_web_uri", "aigc_disclosure_type", "app_name",
            "auto_disclaimer_types", "auto_message_id", "brand_safety_postbid_partner", "brand_safety_vast_url",
            "card_id", "carousel_image_index", "catalog_id", "click_tracking_url", "cpp_url", "creative_authorized",
            "creative_type", "dark_post_status", "deeplink", "deeplink_format_type", "deeplink_type",
            "deeplink_utm_params", "disclaimer_clickable_texts", "disclaimer_text", "disclaimer_type",
            "dynamic_destination", "dynamic_format", "end_card_cta", "fallback_type", "impression_tracking_url",
            "instant_product_page_used", "item_duet_status", "item_group_ids", "item_stitch_status", "music_id",
            "operation_status", "page_id", "page_image_index", "phone_number", "phone_region_calling_code",
            "phone_region_code", "playable_url", "product_display_field_list", "product_set_id",
            "product_specific_type", "promotional_music_disabled", "schedule_id", "shopping_ads_deeplink_type",
            "shopping_ads_fallback_type", "shopping_ads_video_package_id", "showcase_products", "sku_ids",
            "tiktok_item_id", "tiktok_page_category", "tracking_app_id", "tracking_message_event_set_id",
            "tracking_offline_event_set_ids", "tracking_pixel_id", "utm_params", "vehicle_ids",
            "vertical_video_strategy", "video_view_tracking_url", "viewability_postbid_partner",
            "viewability_vast_url");
    /** The query parameters of {@code report/integrated/get/} in the reference (Reporting: synchronous reports). */
    static final Set<String> REPORT_PARAMS = Set.of("advertiser_id", "advertiser_ids", "service_type", "report_type",
            "data_level", "dimensions", "metrics", "start_date", "end_date", "query_lifetime", "enable_total_metrics",
            "multi_adv_report_in_utc_time", "order_field", "order_type", "filtering", "page", "page_size",
            "query_mode");

    private enum TokenState { ACTIVE, EXPIRED }

    /** What the store records, per advertiser: one kind per object type. */
    static final String CAMPAIGN = "campaign";
    static final String AD_GROUP = "adgroup";
    /** An ad group's {@code request_id} → {@code {"adgroup_id": …}}. */
    static final String AD_GROUP_REQUEST = "adgroup_request";
    static final String IMAGE = "image";
    static final String AD = "ad";
    /**
     * The store's counter of serials handed out. TikTok ids are 19-digit numbers, beyond what JSON
     * numbers carry exactly, so the store counts from {@link #ID_BASE} instead of holding the ids.
     */
    static final String ID_COUNTER = "serials";
    static final long ID_BASE = 1_780_000_000_000_000_000L;

    private final Map<String, TokenState> tokens = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> advertisersByToken = new ConcurrentHashMap<>();
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();
    private final Object ids = new Object();
    private final AtomicLong logIds = new AtomicLong(1);
    private final Deque<SimResponse> canned = new ArrayDeque<>();
    private final Map<String, Deque<Faults.Fault>> endpointFaults = new ConcurrentHashMap<>();

    /** One advertiser and everything created in it. */
    private static final class Account {
        final String advertiserId;
        final Set<String> identities = new LinkedHashSet<>();
        final Map<String, Map<String, Object>> campaigns = new LinkedHashMap<>();
        final Map<String, Map<String, Object>> adGroups = new LinkedHashMap<>();
        final Map<String, Map<String, Object>> ads = new LinkedHashMap<>();
        final Map<String, Map<String, Object>> images = new LinkedHashMap<>();
        final Map<String, String> adGroupByRequestId = new LinkedHashMap<>();

        Account(String advertiserId) {
            this.advertiserId = advertiserId;
        }
    }

    // ------------------------------------------------------------------ webhooks

    private final WebhookDeliveries.Sender webhooks = new WebhookDeliveries.Sender();
    private final AtomicLong webhookEvents = new AtomicLong();

    /** Registers the callback URL and the app's client secret deliveries are signed with. */
    public void deliverWebhooksTo(URI callbackUrl, String clientSecret) {
        webhooks.target(new WebhookDeliveries.Target(callbackUrl, clientSecret));
    }

    /** The outgoing deliveries: their mode (at once, twice, held back) and the held ones' release. */
    public WebhookDeliveries.Sender webhooks() {
        return webhooks;
    }

    /**
     * The body of one delivery. <i>Unverified</i>: TikTok's public docs give the signature scheme,
     * not a payload schema for ads events, so this shape is the broker's assumption:
     * {@code {"event_id","event","advertiser_id","create_time":<unix s>,"content":{…}}} with events
     * {@code campaign.status_update} ({@code content.campaign_id}, {@code content.operation_status}
     * ENABLE|DISABLE|DELETE) and {@code ad.review_result} ({@code content.ad_id},
     * {@code content.review_status} APPROVED|REJECTED).
     */
    public String webhook(String advertiserId, String event, Map<String, Object> content) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event_id", "evt_" + clock.millis() + "_" + webhookEvents.incrementAndGet());
        body.put("event", event);
        body.put("advertiser_id", advertiserId);
        body.put("create_time", clock.instant().getEpochSecond());
        body.put("content", content);
        return dev.minutework.broker.core.json.CanonicalJson.canonicalize(body);
    }

    /**
     * Someone changes a campaign's status in TikTok's own tools (not through the API): the campaign
     * changes here, and when a callback URL is registered a {@code campaign.status_update} is
     * delivered in the {@link #webhooks()} mode.
     *
     * @param operationStatus ENABLE, DISABLE or DELETE
     * @return the receiver's answers (none while held, none without a callback URL)
     */
    public List<WebhookDeliveries.Delivery> changeCampaignStatusAtProvider(String advertiserId, String campaignId,
            String operationStatus) {
        if (!Set.of("ENABLE", "DISABLE", "DELETE").contains(operationStatus)) {
            throw new IllegalArgumentException("operation status " + operationStatus);
        }
        Account a = accounts.get(advertiserId);
        if (a == null) {
            throw new IllegalArgumentException("no advertiser " + advertiserId);
        }
        synchronized (a) {
            Map<String, Object> c = a.campaigns.get(campaignId);
            if (c == null) {
                throw new IllegalArgumentException("no campaign " + campaignId);
            }
            Map<String, Object> changed = new LinkedHashMap<>(c);
            changed.put("operation_status", operationStatus);
            changed.put("modify_time", now());
            keep(a, CAMPAIGN, a.campaigns, campaignId, changed);
        }
        if (webhooks.target() == null) {
            return List.of();
        }
        return deliver(webhook(advertiserId, "campaign.status_update",
                Map.of("campaign_id", campaignId, "operation_status", operationStatus)));
    }

    /** A campaign's {@code operation_status} as TikTok holds it now (ENABLE, DISABLE or DELETE), or null. */
    public String campaignStatus(String advertiserId, String campaignId) {
        Account a = accounts.get(advertiserId);
        if (a == null) {
            return null;
        }
        synchronized (a) {
            Map<String, Object> c = a.campaigns.get(campaignId);
            return c == null ? null : (String) c.get("operation_status");
        }
    }

    /** Delivers {@code body} correctly signed, in the {@link #webhooks()} mode. */
    public List<WebhookDeliveries.Delivery> deliver(String body) {
        return webhooks.send(body, t -> signed(body, t.secret(), clock.instant().getEpochSecond()));
    }

    /** Delivers {@code body} at once, signed {@code TikTok-Signature: t=<now>,s=<hex HMAC-SHA256(secret, "<t>.<body>")>}. */
    public WebhookDeliveries.Delivery sendWebhook(String body) {
        return send(body, webhooks.required().secret(), clock.instant().getEpochSecond());
    }

    /** Delivers {@code body} signed with a secret that is not the app's. */
    public WebhookDeliveries.Delivery sendForgedWebhook(String body) {
        return send(body, "not-" + webhooks.required().secret(), clock.instant().getEpochSecond());
    }

    /** Delivers {@code body} correctly signed, but with a timestamp {@code age} in the past (a replay). */
    public WebhookDeliveries.Delivery sendStaleWebhook(String body, Duration age) {
        return send(body, webhooks.required().secret(), clock.instant().minus(age).getEpochSecond());
    }

    private WebhookDeliveries.Delivery send(String body, String secret, long timestamp) {
        return WebhookDeliveries.post(webhooks.required().url(), body, signed(body, secret, timestamp));
    }

    private static Map<String, String> signed(String body, String secret, long timestamp) {
        return Map.of("TikTok-Signature",
                "t=" + timestamp + ",s=" + WebhookDeliveries.hmacSha256Hex(secret, timestamp + "." + body));
    }

    public TikTokAdsSimulator(Clock clock) {
        super("tiktokads", clock);
    }

    @Override
    protected String basePath() {
        return "/open_api/v1.3";
    }

    /**
     * The reference writes every path with a trailing slash ({@code /campaign/create/}); requests
     * without it reach the same endpoint, as TikTok's own clients and the SDK's examples vary.
     */
    @Override
    protected String routePath(SimRequest request) {
        String rest = super.routePath(request);
        return rest == null || rest.endsWith("/") ? rest : rest + "/";
    }

    @Override
    public void provision(Map<String, String> scope, Map<String, String> credentials) {
        String token = credentials.get("access_token");
        String advertiser = scope.get("advertiser_id");
        if (token == null || advertiser == null) {
            throw new IllegalArgumentException("tiktokads accounts need access_token and advertiser_id");
        }
        Account account = accounts.computeIfAbsent(advertiser, this::restore);
        if (scope.get("identity_id") != null) {
            synchronized (account) {
                account.identities.add(scope.get("identity_id"));
            }
        }
        tokens.put(token, TokenState.ACTIVE);
        advertisersByToken.computeIfAbsent(token, k -> ConcurrentHashMap.newKeySet()).add(advertiser);
    }

    /** An advertiser with what the store recorded for it (nothing, the first time). */
    private Account restore(String advertiserId) {
        Account a = new Account(advertiserId);
        Map<String, Map<String, Map<String, Object>>> kept = store().account(advertiserId);
        a.campaigns.putAll(kept.getOrDefault(CAMPAIGN, Map.of()));
        a.adGroups.putAll(kept.getOrDefault(AD_GROUP, Map.of()));
        kept.getOrDefault(AD_GROUP_REQUEST, Map.of()).forEach((rid, o) -> a.adGroupByRequestId.put(rid,
                (String) o.get("adgroup_id")));
        a.images.putAll(kept.getOrDefault(IMAGE, Map.of()));
        a.ads.putAll(kept.getOrDefault(AD, Map.of()));
        return a;
    }

    /** Records an object as it is now, then keeps it: what the answer reports is what a restart finds. */
    private void keep(Account a, String kind, Map<String, Map<String, Object>> objects, String id,
            Map<String, Object> object) {
        store().put(a.advertiserId, kind, id, object);
        objects.put(id, object);
    }

    /** Revokes an access token: calls with it answer code 40101 from now on. */
    public void revoke(String accessToken) {
        tokens.remove(accessToken);
        advertisersByToken.remove(accessToken);
    }

    /** Expires an access token: calls with it answer code 40102 from now on. */
    public void expire(String accessToken) {
        tokens.computeIfPresent(accessToken, (k, v) -> TokenState.EXPIRED);
    }

    /** The next request that reaches a route (after the fault queue) gets this answer instead. */
    public void answerNext(int status, String body) {
        synchronized (canned) {
            canned.addLast(new SimResponse(status, Map.of("Content-Type", "application/json"), body));
        }
    }

    /**
     * Queues a fault for the next request to one endpoint (e.g. {@code "/adgroup/create/"}), where the
     * shared {@link #faults()} queue would hit whatever request comes first. Same meanings as
     * {@link Faults.Fault}: the connection is closed (DROP_*) or the answer held back by
     * {@link Faults#hang()} (TIMEOUT_AFTER_COMMIT) after the provider acted, or before it (DROP_REQUEST).
     */
    public void failNext(String endpoint, Faults.Fault fault) {
        endpointFaults.computeIfAbsent(endpoint, k -> new ArrayDeque<>());
        synchronized (endpointFaults.get(endpoint)) {
            endpointFaults.get(endpoint).addLast(fault);
        }
    }

    public int campaignCount(String advertiserId) {
        return count(advertiserId, a -> a.campaigns.size());
    }

    public int adGroupCount(String advertiserId) {
        return count(advertiserId, a -> a.adGroups.size());
    }

    public int adCount(String advertiserId) {
        return count(advertiserId, a -> a.ads.size());
    }

    public int imageCount(String advertiserId) {
        return count(advertiserId, a -> a.images.size());
    }

    private int count(String advertiserId, java.util.function.ToIntFunction<Account> what) {
        Account a = accounts.get(advertiserId);
        if (a == null) {
            return 0;
        }
        synchronized (a) {
            return what.applyAsInt(a);
        }
    }

    @Override
    protected void registerRoutes() {
        post("/campaign/create/", this::createCampaign);
        post("/campaign/update/", this::updateCampaign);
        post("/campaign/status/update/", this::updateCampaignStatus);
        get("/campaign/get/", (a, r) -> list(a, r, a.campaigns, "campaign_id",
                Map.of("campaign_ids", "campaign_id"), Set.of("campaign_ids", "campaign_name", "objective_type",
                        "creation_filter_start_time", "creation_filter_end_time")));
        post("/adgroup/create/", this::createAdGroup);
        get("/adgroup/get/", (a, r) -> list(a, r, a.adGroups, "adgroup_id",
                Map.of("campaign_ids", "campaign_id", "adgroup_ids", "adgroup_id"), Set.of("campaign_ids", "adgroup_ids")));
        route("POST", Pattern.quote("/file/image/ad/upload/"), (r, m) -> intercept("/file/image/ad/upload/",
                () -> uploadRequest(r)));
        post("/ad/create/", this::createAd);
        post("/ad/status/update/", this::updateAdStatus);
        get("/ad/get/", (a, r) -> list(a, r, a.ads, "ad_id",
                Map.of("adgroup_ids", "adgroup_id", "ad_ids", "ad_id"), Set.of("adgroup_ids", "ad_ids", "campaign_ids")));
        get("/report/integrated/get/", this::report);
        route("GET", Pattern.quote("/advertiser/info/"), (r, m) -> intercept("/advertiser/info/", () -> advertiserInfo(r)));
    }

    // ------------------------------------------------------------------ auth, rate limit, envelope

    private interface AccountHandler {
        SimResponse handle(Account account, Map<String, Object> params);
    }

    private void post(String path, AccountHandler handler) {
        route("POST", Pattern.quote(path), (r, m) -> intercept(path, () -> {
            SimResponse denied = authenticate(r);
            if (denied != null) {
                return denied;
            }
            String type = r.header("Content-Type");
            if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
                return error(40002, "Content-Type must be application/json");
            }
            Map<String, Object> body;
            try {
                body = r.jsonObject();
            } catch (IllegalArgumentException e) {
                return error(40002, "Request body is not valid JSON");
            }
            return withAccount(r, body.get("advertiser_id"), a -> handler.handle(a, body));
        }));
    }

    private void get(String path, AccountHandler handler) {
        route("GET", Pattern.quote(path), (r, m) -> intercept(path, () -> {
            SimResponse denied = authenticate(r);
            if (denied != null) {
                return denied;
            }
            return withAccount(r, r.query().get("advertiser_id"), a -> handler.handle(a, new LinkedHashMap<String, Object>(r.query())));
        }));
    }

    /** Canned answers first, then endpoint faults, then the endpoint itself. */
    private SimResponse intercept(String endpoint, java.util.function.Supplier<SimResponse> normal) {
        synchronized (canned) {
            if (!canned.isEmpty()) {
                return canned.pollFirst();
            }
        }
        Deque<Faults.Fault> queue = endpointFaults.get(endpoint);
        Faults.Fault fault = null;
        if (queue != null) {
            synchronized (queue) {
                fault = queue.pollFirst();
            }
        }
        if (fault == null) {
            return normal.get();
        }
        return switch (fault) {
            case SERVER_ERROR -> serverError();
            case RATE_LIMITED -> rateLimited();
            case DROP_REQUEST -> throw new UncheckedIOException(new IOException("dropped before acting"));
            case DROP_RESPONSE -> {
                normal.get();
                throw new UncheckedIOException(new IOException("dropped after acting"));
            }
            case TIMEOUT_AFTER_COMMIT -> {
                SimResponse answer = normal.get();
                try {
                    Thread.sleep(faults().hang());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                yield answer;
            }
        };
    }

    /** Token checks and rate limit; {@code null} when the call may proceed. */
    private SimResponse authenticate(SimRequest r) {
        String token = r.header("Access-Token");
        if (token == null || token.isBlank()) {
            return error(40101, "Authentication failed: Access-Token header is missing");
        }
        TokenState state = tokens.get(token);
        if (state == null) {
            return error(40101, "Authentication failed: the access token is invalid");
        }
        if (state == TokenState.EXPIRED) {
            return error(40102, "Access token has expired");
        }
        if (!faults().rateLimits()) {
            return null;
        }
        return countCall(token) > REQUESTS_PER_MINUTE ? rateLimited() : null;
    }

    private SimResponse withAccount(SimRequest r, Object advertiserId, java.util.function.Function<Account, SimResponse> f) {
        if (!(advertiserId instanceof String id) || id.isEmpty()) {
            return error(40002, "advertiser_id: Missing data for required field.");
        }
        Set<String> allowed = advertisersByToken.getOrDefault(r.header("Access-Token"), Set.of());
        Account account = accounts.get(id);
        if (account == null || !allowed.contains(id)) {
            return error(40001, "No permission to operate advertiser " + id);
        }
        synchronized (account) {
            return f.apply(account);
        }
    }

    private String logId() {
        return LocalDateTime.now(clock.withZone(ZoneOffset.UTC)).format(DateTimeFormatter.ofPattern("yyyyMMddHHmmss"))
                + String.format("%012d", logIds.getAndIncrement());
    }

    private SimResponse ok(Object data) {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("code", 0);
        env.put("message", "OK");
        env.put("request_id", logId());
        env.put("data", data);
        return SimResponse.json(200, env);
    }

    private SimResponse error(int code, String message) {
        return error(200, code, message);
    }

    private SimResponse error(int status, int code, String message) {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("code", code);
        env.put("message", message);
        env.put("request_id", logId());
        env.put("data", Map.of());
        return SimResponse.json(status, env);
    }

    private SimResponse param(String field, String problem) {
        return error(40002, field + ": " + problem);
    }

    @Override
    protected SimResponse notFound(SimRequest request) {
        return error(404, 40400, "Not Found: " + request.method() + " " + request.path());
    }

    @Override
    protected SimResponse serverError() {
        return error(500, 50000, "Internal service error, please retry later");
    }

    @Override
    protected SimResponse rateLimited() {
        return error(40100, "Too many requests. Please retry in some time.");
    }

    // ------------------------------------------------------------------ campaigns

    private SimResponse createCampaign(Account a, Map<String, Object> b) {
        String bad = unknownField(b, CAMPAIGN_CREATE_FIELDS);
        if (bad != null) {
            return param(bad, "Unknown field.");
        }
        SimResponse optional = checkCampaignOptions(b);
        if (optional != null) {
            return optional;
        }
        SimResponse name = checkName(b, "campaign_name");
        if (name != null) {
            return name;
        }
        if (a.campaigns.values().stream().anyMatch(c -> c.get("campaign_name").equals(b.get("campaign_name")))) {
            return param("campaign_name", "Campaign name already exists.");
        }
        if (!(b.get("objective_type") instanceof String o) || !OBJECTIVES.contains(o)) {
            return param("objective_type", "Must be one of " + new java.util.TreeSet<>(OBJECTIVES) + ".");
        }
        SimResponse budget = checkBudget(b, true);
        if (budget != null) {
            return budget;
        }
        if (b.containsKey("operation_status") && !STATUSES.contains(b.get("operation_status"))) {
            return param("operation_status", "Must be one of ENABLE, DISABLE.");
        }
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("campaign_id", nextId());
        c.put("advertiser_id", a.advertiserId);
        c.put("campaign_name", b.get("campaign_name"));
        c.put("objective_type", b.get("objective_type"));
        c.put("budget_mode", b.get("budget_mode"));
        c.put("budget", decimal(b.get("budget")));
        c.put("operation_status", b.getOrDefault("operation_status", "ENABLE"));
        c.put("campaign_type", b.getOrDefault("campaign_type", "REGULAR_CAMPAIGN"));
        c.put("special_industries", b.getOrDefault("special_industries", List.of()));
        for (String echoed : List.of("budget_optimize_on", "optimization_goal", "app_promotion_type", "app_id",
                "rf_campaign_type")) {
            if (b.get(echoed) != null) {
                c.put(echoed, b.get(echoed));
            }
        }
        c.put("create_time", now());
        c.put("modify_time", now());
        keep(a, CAMPAIGN, a.campaigns, (String) c.get("campaign_id"), c);
        return ok(c);
    }

    private SimResponse updateCampaign(Account a, Map<String, Object> b) {
        String bad = unknownField(b, Set.of("advertiser_id", "campaign_id", "campaign_name", "budget", "budget_mode",
                "special_industries", "roas_bid"));
        if (bad != null) {
            return param(bad, "Unknown field.");
        }
        Map<String, Object> c = b.get("campaign_id") instanceof String id ? a.campaigns.get(id) : null;
        if (c == null || "DELETE".equals(c.get("operation_status"))) {
            return param("campaign_id", "Campaign does not exist.");
        }
        Map<String, Object> changed = new LinkedHashMap<>(c);
        if (b.containsKey("special_industries")) {
            // the reference: the only change allowed is clearing what was set at creation
            if (!(b.get("special_industries") instanceof List<?> l) || !l.isEmpty()) {
                return param("special_industries", "Can only be cleared (an empty list) after creation.");
            }
            changed.put("special_industries", List.of());
        }
        if (b.containsKey("roas_bid")) {
            if (!Boolean.TRUE.equals(c.get("budget_optimize_on"))) {
                return param("roas_bid", "Can be modified only with Campaign Budget Optimization on.");
            }
            if (!(b.get("roas_bid") instanceof Number roas) || decimal(roas).compareTo(new BigDecimal("0.01")) < 0
                    || decimal(roas).compareTo(BigDecimal.valueOf(1000)) > 0) {
                return param("roas_bid", "Must be between 0.01 and 1000.");
            }
            changed.put("roas_bid", decimal(roas));
        }
        boolean modeChanges = b.containsKey("budget_mode") && !b.get("budget_mode").equals(c.get("budget_mode"));
        if (modeChanges) {
            // the reference: "campaign name, budget, and budget type can be updated"
            Map<String, Object> wanted = new LinkedHashMap<>(b);
            if (!"BUDGET_MODE_INFINITE".equals(b.get("budget_mode")) && !b.containsKey("budget")) {
                wanted.put("budget", c.get("budget"));
            }
            SimResponse budget = checkBudget(wanted, true);
            if (budget != null) {
                return budget;
            }
            if (Boolean.TRUE.equals(c.get("budget_optimize_on")) && !"BUDGET_MODE_DAY".equals(b.get("budget_mode"))) {
                return param("budget_mode", "With Campaign Budget Optimization only BUDGET_MODE_DAY is supported.");
            }
            changed.put("budget_mode", b.get("budget_mode"));
            changed.put("budget", decimal(wanted.get("budget")));
        }
        if (b.containsKey("campaign_name")) {
            SimResponse name = checkName(b, "campaign_name");
            if (name != null) {
                return name;
            }
            if (a.campaigns.values().stream().anyMatch(o -> o != c && o.get("campaign_name").equals(b.get("campaign_name")))) {
                return param("campaign_name", "Campaign name already exists.");
            }
        }
        if (b.containsKey("budget") && !modeChanges) {
            if ("BUDGET_MODE_INFINITE".equals(c.get("budget_mode"))) {
                return param("budget", "Budget cannot be set with BUDGET_MODE_INFINITE.");
            }
            SimResponse budget = checkAmount(b.get("budget"), "budget");
            if (budget != null) {
                return budget;
            }
            changed.put("budget", decimal(b.get("budget")));
        }
        if (b.containsKey("campaign_name")) {
            changed.put("campaign_name", b.get("campaign_name"));
        }
        changed.put("modify_time", now());
        keep(a, CAMPAIGN, a.campaigns, (String) changed.get("campaign_id"), changed);
        return ok(changed);
    }

    private SimResponse updateCampaignStatus(Account a, Map<String, Object> b) {
        String bad = unknownField(b, Set.of("advertiser_id", "campaign_ids", "operation_status"));
        if (bad != null) {
            return param(bad, "Unknown field.");
        }
        if (!(b.get("campaign_ids") instanceof List<?> list) || list.isEmpty() || list.size() > 20
                || !list.stream().allMatch(x -> x instanceof String)) {
            return param("campaign_ids", "Must be a list of 1 to 20 campaign ids.");
        }
        if (!(b.get("operation_status") instanceof String s) || !Set.of("ENABLE", "DISABLE", "DELETE").contains(s)) {
            return param("operation_status", "Must be one of ENABLE, DISABLE, DELETE.");
        }
        for (Object id : list) {
            Map<String, Object> c = a.campaigns.get(id);
            if (c == null || "DELETE".equals(c.get("operation_status"))) {
                return param("campaign_ids", "Campaign " + id + " does not exist.");
            }
        }
        for (Object id : list) {
            Map<String, Object> changed = new LinkedHashMap<>(a.campaigns.get(id));
            changed.put("operation_status", s);
            changed.put("modify_time", now());
            keep(a, CAMPAIGN, a.campaigns, (String) id, changed);
        }
        return ok(Map.of("campaign_ids", list, "status", s));
    }

    // ------------------------------------------------------------------ ad groups, images, ads

    private SimResponse createAdGroup(Account a, Map<String, Object> b) {
        String bad = unknownField(b, AD_GROUP_CREATE_FIELDS);
        if (bad != null) {
            return param(bad, "Unknown field.");
        }
        if (b.containsKey("request_id")) {
            if (!(b.get("request_id") instanceof String rid) || !DIGITS.matcher(rid).matches()) {
                return param("request_id", "Must be a 64-bit integer string.");
            }
            String made = a.adGroupByRequestId.get(rid);
            if (made != null && a.adGroups.containsKey(made)) {
                return ok(a.adGroups.get(made)); // the same request again: the ad group it already made
            }
        }
        Map<String, Object> c = b.get("campaign_id") instanceof String cid ? a.campaigns.get(cid) : null;
        if (c == null || "DELETE".equals(c.get("operation_status"))) {
            return param("campaign_id", "Campaign does not exist.");
        }
        SimResponse name = checkName(b, "adgroup_name");
        if (name != null) {
            return name;
        }
        // the reference: promotion_type is needed unless the campaign's objective is REACH, VIDEO_VIEWS or ENGAGEMENT
        boolean promotionOptional = Set.of("REACH", "VIDEO_VIEWS", "ENGAGEMENT").contains(c.get("objective_type"));
        if (!(promotionOptional && !b.containsKey("promotion_type"))
                && !Set.of("WEBSITE", "APP_ANDROID", "APP_IOS", "LEAD_GENERATION").contains(b.get("promotion_type"))) {
            return param("promotion_type", "Missing or invalid value.");
        }
        Object placementType = b.getOrDefault("placement_type", "PLACEMENT_TYPE_NORMAL");
        if (!Set.of("PLACEMENT_TYPE_AUTOMATIC", "PLACEMENT_TYPE_NORMAL").contains(placementType)) {
            return param("placement_type", "Must be PLACEMENT_TYPE_AUTOMATIC or PLACEMENT_TYPE_NORMAL.");
        }
        if ("PLACEMENT_TYPE_NORMAL".equals(placementType) && !(b.get("placements") instanceof List<?> p && !p.isEmpty()
                && Set.of("PLACEMENT_TIKTOK", "PLACEMENT_PANGLE", "PLACEMENT_GLOBAL_APP_BUNDLE").containsAll(p))) {
            return param("placements", "Required with PLACEMENT_TYPE_NORMAL: PLACEMENT_TIKTOK, PLACEMENT_PANGLE or "
                    + "PLACEMENT_GLOBAL_APP_BUNDLE.");
        }
        if (!(b.get("location_ids") instanceof List<?> locations) || locations.isEmpty()
                || !locations.stream().allMatch(l -> l instanceof String s && DIGITS.matcher(s).matches())) {
            return param("location_ids", "Missing data for required field.");
        }
        if (b.containsKey("age_groups") && !(b.get("age_groups") instanceof List<?> ages && AGE_GROUPS.containsAll(ages))) {
            return param("age_groups", "Must be a list of " + new java.util.TreeSet<>(AGE_GROUPS) + ".");
        }
        if (b.containsKey("languages") && !(b.get("languages") instanceof List<?> langs
                && langs.stream().allMatch(l -> l instanceof String s && s.matches("[a-z]{2}")))) {
            return param("languages", "Must be a list of language codes.");
        }
        // the reference: with Campaign Budget Optimization the ad group's budget settings are ignored
        boolean cbo = Boolean.TRUE.equals(c.get("budget_optimize_on"));
        SimResponse budget = cbo ? null : checkBudget(b, true);
        if (budget != null) {
            return budget;
        }
        if (!cbo && !"BUDGET_MODE_INFINITE".equals(c.get("budget_mode")) && b.get("budget") instanceof Number gb
                && decimal(gb).compareTo(decimal(c.get("budget"))) > 0) {
            return param("budget", "Ad group budget cannot exceed the campaign budget.");
        }
        SimResponse schedule = checkSchedule(b);
        if (schedule != null) {
            return schedule;
        }
        if (!Set.of("CLICK", "REACH", "CONVERT", "SHOW", "VIDEO_VIEW").contains(b.get("optimization_goal"))) {
            return param("optimization_goal", "Missing or invalid value.");
        }
        if (!Set.of("CPC", "CPM", "OCPM", "CPV").contains(b.get("billing_event"))) {
            return param("billing_event", "Missing or invalid value.");
        }
        if ("CLICK".equals(b.get("optimization_goal")) && !"CPC".equals(b.get("billing_event"))
                || "REACH".equals(b.get("optimization_goal")) && !"CPM".equals(b.get("billing_event"))) {
            return param("billing_event", "Does not match optimization_goal.");
        }
        Set<String> goals = GOALS.get(c.get("objective_type"));
        if (goals != null && !goals.contains(b.get("optimization_goal"))) {
            return param("optimization_goal", "A " + c.get("objective_type") + " campaign's ad groups optimise for "
                    + new java.util.TreeSet<>(goals) + ".");
        }
        Object bidType = b.getOrDefault("bid_type", "BID_TYPE_NO_BID");
        if ("BID_TYPE_CUSTOM".equals(bidType)) {
            SimResponse bid = checkAmount(b.get("bid_price"), "bid_price");
            if (bid != null) {
                return bid;
            }
        } else if ("BID_TYPE_NO_BID".equals(bidType)) {
            if (b.containsKey("bid_price")) {
                return param("bid_price", "Not allowed with BID_TYPE_NO_BID.");
            }
        } else {
            return param("bid_type", "Must be BID_TYPE_CUSTOM or BID_TYPE_NO_BID.");
        }
        if (b.containsKey("operation_status") && !STATUSES.contains(b.get("operation_status"))) {
            return param("operation_status", "Must be one of ENABLE, DISABLE.");
        }
        Map<String, Object> g = new LinkedHashMap<>(b);
        g.remove("request_id");
        g.put("adgroup_id", nextId());
        g.put("advertiser_id", a.advertiserId);
        g.putIfAbsent("operation_status", "ENABLE");
        g.put("create_time", now());
        if (g.get("budget") != null) {
            g.put("budget", decimal(g.get("budget")));
        }
        if (g.get("bid_price") != null) {
            g.put("bid_price", decimal(g.get("bid_price")));
        }
        if (b.get("request_id") instanceof String rid) {
            // the key first: a stop between the two writes leaves a key without its group, which a retry
            // then makes (nobody was told of it), never a group without its key, which a retry would repeat
            store().put(a.advertiserId, AD_GROUP_REQUEST, rid, Map.of("adgroup_id", g.get("adgroup_id")));
            a.adGroupByRequestId.put(rid, (String) g.get("adgroup_id"));
        }
        keep(a, AD_GROUP, a.adGroups, (String) g.get("adgroup_id"), g);
        return ok(g);
    }

    /**
     * {@code file/image/ad/upload/}: the reference's request is {@code multipart/form-data}
     * ({@code upload_type} defaults to {@code UPLOAD_BY_FILE}: an {@code image_file} part and its
     * MD5 as {@code image_signature}); a JSON body with {@code UPLOAD_BY_URL} and {@code image_url}
     * is accepted too, as TikTok does. {@code UPLOAD_BY_FILE_ID} needs TikTok's file repository,
     * which the simulator does not serve: it answers that the file does not exist.
     */
    private SimResponse uploadRequest(SimRequest r) {
        SimResponse denied = authenticate(r);
        if (denied != null) {
            return denied;
        }
        if (r.mediaType().equals("multipart/form-data")) {
            Map<String, Object> fields = new LinkedHashMap<>();
            byte[] file = null;
            try {
                for (dev.minutework.broker.sim.MultipartBody.Part part : r.multipart()) {
                    if (part.filename() != null) {
                        if (part.name().equals("image_file")) {
                            file = part.data();
                        }
                    } else {
                        fields.put(part.name(), part.text());
                    }
                }
            } catch (RuntimeException e) {
                return error(40002, "Request body is not valid multipart/form-data");
            }
            byte[] image = file;
            return withAccount(r, fields.get("advertiser_id"), a -> uploadImage(a, fields, image));
        }
        if (!r.mediaType().equals("application/json")) {
            return error(40002, "Content-Type must be multipart/form-data or application/json");
        }
        Map<String, Object> body;
        try {
            body = r.jsonObject();
        } catch (IllegalArgumentException e) {
            return error(40002, "Request body is not valid JSON");
        }
        return withAccount(r, body.get("advertiser_id"), a -> uploadImage(a, body, null));
    }

    private SimResponse uploadImage(Account a, Map<String, Object> b, byte[] file) {
        String bad = unknownField(b, Set.of("advertiser_id", "upload_type", "image_url", "file_name", "image_signature",
                "file_id", "image_file"));
        if (bad != null) {
            return param(bad, "Unknown field.");
        }
        String type = (String) b.getOrDefault("upload_type", "UPLOAD_BY_FILE");
        String url;
        String signature = null;
        switch (type) {
            case "UPLOAD_BY_URL" -> {
                if (!(b.get("image_url") instanceof String u) || !u.matches("https?://.+")) {
                    return param("image_url", "Missing or invalid URL.");
                }
                url = u;
            }
            case "UPLOAD_BY_FILE" -> {
                if (file == null || file.length == 0) {
                    return param("image_file", "Required with UPLOAD_BY_FILE (a multipart/form-data file part).");
                }
                signature = md5(file);
                if (!(b.get("image_signature") instanceof String sig) || !sig.equalsIgnoreCase(signature)) {
                    return param("image_signature", "Must be the MD5 of image_file.");
                }
                url = null;
            }
            case "UPLOAD_BY_FILE_ID" -> {
                return param("file_id", "File does not exist.");
            }
            default -> {
                return param("upload_type", "Must be one of UPLOAD_BY_FILE, UPLOAD_BY_URL, UPLOAD_BY_FILE_ID.");
            }
        }
        if (b.get("file_name") instanceof String fileName
                && a.images.values().stream().anyMatch(i -> fileName.equals(i.get("file_name")))) {
            return param("file_name", "Duplicated material name.");
        }
        String serial = Long.toHexString(ID_BASE + nextSerial());
        Map<String, Object> image = new LinkedHashMap<>();
        image.put("image_id", "ad-site-i18n-sg/" + serial);
        image.put("material_id", nextId());
        image.put("image_url", url != null ? url : "https://p16-sign-sg.tiktokcdn.com/" + serial + ".png");
        image.put("file_name", b.getOrDefault("file_name", serial + ".png"));
        image.put("width", 1200);
        image.put("height", 628);
        image.put("format", "png");
        image.put("size", 48_213);
        image.put("signature", signature != null ? signature : serial);
        image.put("displayable", true);
        keep(a, IMAGE, a.images, (String) image.get("image_id"), image);
        return ok(image);
    }

    private SimResponse createAd(Account a, Map<String, Object> b) {
        String bad = unknownField(b, Set.of("advertiser_id", "adgroup_id", "creatives"));
        if (bad != null) {
            return param(bad, "Unknown field.");
        }
        Map<String, Object> g = b.get("adgroup_id") instanceof String gid ? a.adGroups.get(gid) : null;
        if (g == null) {
            return param("adgroup_id", "Ad group does not exist.");
        }
        if (!(b.get("creatives") instanceof List<?> creatives) || creatives.isEmpty() || creatives.size() > 20) {
            return param("creatives", "Must be a list of 1 to 20 creatives.");
        }
        Set<String> known = CREATIVE_FIELDS;
        for (int i = 0; i < creatives.size(); i++) {
            String at = "creatives[" + i + "].";
            if (!(creatives.get(i) instanceof Map<?, ?> cr)) {
                return param("creatives[" + i + "]", "Must be an object.");
            }
            for (Object k : cr.keySet()) {
                if (!known.contains(k)) {
                    return param(at + k, "Unknown field.");
                }
            }
            if (!(cr.get("ad_name") instanceof String n) || n.isEmpty() || n.length() > 512) {
                return param(at + "ad_name", "Must have 1 to 512 characters.");
            }
            if (!"SINGLE_IMAGE".equals(cr.get("ad_format")) && !"SINGLE_VIDEO".equals(cr.get("ad_format"))) {
                return param(at + "ad_format", "Missing or invalid value.");
            }
            if (!(cr.get("ad_text") instanceof String t) || t.isEmpty() || length(t) > 100) {
                return param(at + "ad_text", "Must have 1 to 100 characters (a Chinese, Japanese or Korean character "
                        + "counts as two).");
            }
            if (t.codePoints().anyMatch(Character::isExtendedPictographic)) {
                return param(at + "ad_text", "Cannot contain emoji.");
            }
            if (cr.containsKey("operation_status") && !STATUSES.contains(cr.get("operation_status"))) {
                return param(at + "operation_status", "Must be one of ENABLE, DISABLE.");
            }
            if (cr.containsKey("call_to_action") && !CALLS_TO_ACTION.contains(cr.get("call_to_action"))) {
                return param(at + "call_to_action", "Invalid value.");
            }
            if (!(cr.get("landing_page_url") instanceof String u) || !u.matches("https?://.+")) {
                return param(at + "landing_page_url", "Missing or invalid URL.");
            }
            if (!(cr.get("image_ids") instanceof List<?> images) || images.isEmpty()
                    || !images.stream().allMatch(a.images::containsKey)) {
                return param(at + "image_ids", "Image does not exist.");
            }
            if (cr.containsKey("identity_id")) {
                if (!a.identities.contains(cr.get("identity_id")) || !Set.of("CUSTOMIZED_USER", "AUTH_CODE", "TT_USER",
                        "BC_AUTH_TT").contains(cr.get("identity_type"))) {
                    return param(at + "identity_id", "Identity does not exist or identity_type is missing.");
                }
            } else if (!(cr.get("display_name") instanceof String d) || d.isEmpty() || length(d) > 40) {
                return param(at + "display_name", "Required without identity_id (1 to 40 characters, a Chinese, "
                        + "Japanese or Korean character counting as two).");
            }
        }
        List<String> adIds = new ArrayList<>();
        List<Map<String, Object>> made = new ArrayList<>();
        for (Object o : creatives) {
            Map<String, Object> ad = new LinkedHashMap<>();
            @SuppressWarnings("unchecked")
            Map<String, Object> cr = (Map<String, Object>) o;
            ad.put("ad_id", nextId());
            ad.put("advertiser_id", a.advertiserId);
            ad.put("campaign_id", g.get("campaign_id"));
            ad.put("adgroup_id", g.get("adgroup_id"));
            ad.putAll(cr);
            ad.put("operation_status", cr.get("operation_status") == null ? "ENABLE" : cr.get("operation_status"));
            ad.put("secondary_status", "AD_STATUS_NOT_APPROVED_YET");
            ad.put("create_time", now());
            keep(a, AD, a.ads, (String) ad.get("ad_id"), ad);
            adIds.add((String) ad.get("ad_id"));
            made.add(ad);
        }
        return ok(Map.of("ad_ids", adIds, "creatives", made));
    }

    private SimResponse updateAdStatus(Account a, Map<String, Object> b) {
        String bad = unknownField(b, Set.of("advertiser_id", "ad_ids", "operation_status"));
        if (bad != null) {
            return param(bad, "Unknown field.");
        }
        if (!(b.get("ad_ids") instanceof List<?> list) || list.isEmpty() || list.size() > 20
                || !list.stream().allMatch(a.ads::containsKey)) {
            return param("ad_ids", "Must be a list of 1 to 20 existing ad ids.");
        }
        if (!(b.get("operation_status") instanceof String s) || !Set.of("ENABLE", "DISABLE", "DELETE").contains(s)) {
            return param("operation_status", "Must be one of ENABLE, DISABLE, DELETE.");
        }
        for (Object id : list) {
            Map<String, Object> changed = new LinkedHashMap<>(a.ads.get(id));
            changed.put("operation_status", s);
            keep(a, AD, a.ads, (String) id, changed);
        }
        return ok(Map.of("ad_ids", list, "status", s));
    }

    // ------------------------------------------------------------------ reads

    private SimResponse list(Account a, Map<String, Object> q, Map<String, Map<String, Object>> objects, String idField,
            Map<String, String> filterFields, Set<String> knownFilters) {
        Map<String, Object> filtering = Map.of();
        if (q.get("filtering") != null) {
            try {
                filtering = JsonParser.parseObject((String) q.get("filtering"));
            } catch (IllegalArgumentException e) {
                return param("filtering", "Must be a JSON object string.");
            }
            for (String k : filtering.keySet()) {
                if (!knownFilters.contains(k)) {
                    return param("filtering." + k, "Unknown field.");
                }
            }
        }
        int[] paging = new int[2];
        SimResponse bad = paging(q, paging);
        if (bad != null) {
            return bad;
        }
        Map<String, Object> f = filtering;
        List<Map<String, Object>> all = objects.values().stream()
                .filter(o -> !"DELETE".equals(o.get("operation_status")))
                .filter(o -> filterFields.entrySet().stream().allMatch(e -> !(f.get(e.getKey()) instanceof List<?> wanted)
                        || wanted.contains(o.get(e.getValue()))))
                .filter(o -> !(f.get("campaign_name") instanceof String n) || String.valueOf(o.get("campaign_name")).contains(n))
                .filter(o -> !(f.get("objective_type") instanceof String t) || t.equals(o.get("objective_type")))
                .filter(o -> !(f.get("creation_filter_start_time") instanceof String t)
                        || String.valueOf(o.get("create_time")).compareTo(t) >= 0)
                .filter(o -> !(f.get("creation_filter_end_time") instanceof String t)
                        || String.valueOf(o.get("create_time")).compareTo(t) <= 0)
                .toList();
        List<?> fields = null;
        if (q.get("fields") != null) {
            try {
                fields = (List<?>) JsonParser.parse((String) q.get("fields"));
            } catch (RuntimeException e) {
                return param("fields", "Must be a JSON array string of field names.");
            }
        }
        if (fields != null && !fields.isEmpty()) {
            List<?> wanted = fields;
            all = all.stream().map(o -> {
                Map<String, Object> only = new LinkedHashMap<>();
                wanted.forEach(k -> {
                    if (o.containsKey(k)) {
                        only.put((String) k, o.get(k));
                    }
                });
                return only;
            }).toList();
        }
        return ok(page(all, paging[0], paging[1]));
    }

    private SimResponse paging(Map<String, Object> q, int[] out) {
        try {
            out[0] = q.get("page") == null ? 1 : Integer.parseInt((String) q.get("page"));
            out[1] = q.get("page_size") == null ? 10 : Integer.parseInt((String) q.get("page_size"));
        } catch (NumberFormatException e) {
            return param("page", "page and page_size must be integers.");
        }
        if (out[0] < 1) {
            return param("page", "Must be at least 1.");
        }
        if (out[1] < 1 || out[1] > MAX_PAGE_SIZE) {
            return param("page_size", "Must be between 1 and " + MAX_PAGE_SIZE + ".");
        }
        return null;
    }

    private static Map<String, Object> page(List<?> all, int page, int pageSize) {
        int from = Math.min((page - 1) * pageSize, all.size());
        int to = Math.min(from + pageSize, all.size());
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("page", page);
        info.put("page_size", pageSize);
        info.put("total_number", all.size());
        info.put("total_page", (all.size() + pageSize - 1) / pageSize);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("list", all.subList(from, to));
        data.put("page_info", info);
        return data;
    }

    private SimResponse advertiserInfo(SimRequest r) {
        SimResponse denied = authenticate(r);
        if (denied != null) {
            return denied;
        }
        List<?> wanted;
        try {
            wanted = (List<?>) JsonParser.parse(r.query().get("advertiser_ids"));
        } catch (RuntimeException e) {
            return param("advertiser_ids", "Must be a JSON array string of advertiser ids.");
        }
        if (wanted == null || wanted.isEmpty()) {
            return param("advertiser_ids", "Missing data for required field.");
        }
        Set<String> allowed = advertisersByToken.getOrDefault(r.header("Access-Token"), Set.of());
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object id : wanted) {
            if (!allowed.contains(id)) {
                return error(40001, "No permission to operate advertiser " + id);
            }
            out.add(Map.of("advertiser_id", id, "name", "Advertiser " + id, "currency", "USD", "timezone", "Etc/GMT",
                    "status", "STATUS_ENABLE"));
        }
        return ok(Map.of("list", out));
    }

    private SimResponse report(Account a, Map<String, Object> q) {
        String bad = unknownField(q, REPORT_PARAMS);
        if (bad != null) {
            return param(bad, "Unknown field.");
        }
        if (q.containsKey("service_type") && !"AUCTION".equals(q.get("service_type"))) {
            return param("service_type", "The simulator reports AUCTION ads only.");
        }
        if (!"BASIC".equals(q.get("report_type"))) {
            return param("report_type", "Only BASIC is available.");
        }
        if (!"AUCTION_CAMPAIGN".equals(q.get("data_level"))) {
            return param("data_level", "The simulator reports at AUCTION_CAMPAIGN level.");
        }
        List<?> dimensions;
        List<?> metrics;
        try {
            dimensions = (List<?>) JsonParser.parse((String) q.get("dimensions"));
            metrics = (List<?>) JsonParser.parse((String) q.get("metrics"));
        } catch (RuntimeException e) {
            return param("dimensions", "dimensions and metrics must be JSON array strings.");
        }
        if (dimensions == null || !dimensions.contains("campaign_id")
                || !Set.of("campaign_id", "stat_time_day").containsAll(dimensions)) {
            return param("dimensions", "Must be [\"campaign_id\"] or [\"campaign_id\",\"stat_time_day\"].");
        }
        if (metrics == null || metrics.isEmpty() || !Set.of("spend", "impressions", "clicks").containsAll(metrics)) {
            return param("metrics", "Must be a non-empty subset of spend, impressions, clicks.");
        }
        LocalDate start;
        LocalDate end;
        if ("true".equals(q.get("query_lifetime"))) {
            // the reference: a lifetime query needs no dates and has no time dimension
            if (dimensions.contains("stat_time_day")) {
                return param("dimensions", "stat_time_day is not supported with query_lifetime.");
            }
            end = LocalDate.now(clock.withZone(ZoneOffset.UTC));
            start = a.campaigns.values().stream()
                    .map(c -> LocalDateTime.parse((String) c.get("create_time"), TIME).toLocalDate())
                    .min(LocalDate::compareTo).orElse(end);
        } else {
            try {
                start = LocalDate.parse((String) q.get("start_date"));
                end = LocalDate.parse((String) q.get("end_date"));
            } catch (RuntimeException e) {
                return param("start_date", "start_date and end_date must be YYYY-MM-DD.");
            }
        }
        if (end.isBefore(start)) {
            return param("end_date", "Must not be before start_date.");
        }
        boolean daily = dimensions.contains("stat_time_day");
        if (daily && ChronoUnit.DAYS.between(start, end) + 1 > MAX_REPORT_DAYS) {
            return param("end_date", "With stat_time_day the range is at most " + MAX_REPORT_DAYS + " days.");
        }
        Set<String> only = null;
        if (q.get("filtering") != null) {
            try {
                for (Object o : (List<?>) JsonParser.parse((String) q.get("filtering"))) {
                    Map<?, ?> f = (Map<?, ?>) o;
                    if (!"campaign_ids".equals(f.get("field_name")) || !"IN".equals(f.get("filter_type"))) {
                        return param("filtering", "The simulator filters by campaign_ids IN only.");
                    }
                    only = new LinkedHashSet<>();
                    for (Object id : (List<?>) JsonParser.parse((String) f.get("filter_value"))) {
                        only.add((String) id);
                    }
                }
            } catch (RuntimeException e) {
                return param("filtering", "Must be a JSON array string of {field_name, filter_type, filter_value}.");
            }
        }
        int[] paging = new int[2];
        SimResponse pagingError = paging(q, paging);
        if (pagingError != null) {
            return pagingError;
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map<String, Object> c : a.campaigns.values()) {
            String id = (String) c.get("campaign_id");
            if (only != null && !only.contains(id)) {
                continue;
            }
            long total = 0;
            for (LocalDate d = start; !d.isAfter(end); d = d.plusDays(1)) {
                long cents = spendCentsOn(c, d);
                total += cents;
                if (daily && cents > 0) {
                    rows.add(row(id, d, cents, metrics));
                }
            }
            if (!daily && total > 0) {
                rows.add(row(id, null, total, metrics));
            }
        }
        return ok(page(rows, paging[0], paging[1]));
    }

    /** See the class comment: the simulated delivery of one campaign on one day, in cents. */
    private long spendCentsOn(Map<String, Object> c, LocalDate day) {
        LocalDate created = LocalDateTime.parse((String) c.get("create_time"), TIME).toLocalDate();
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        if (!"ENABLE".equals(c.get("operation_status")) || day.isBefore(created) || day.isAfter(today)) {
            return 0;
        }
        // a restored budget of whole units reads back as an integer
        long budgetCents = c.get("budget") instanceof Number b ? decimal(b).movePointRight(2).longValue() : 0;
        return switch ((String) c.get("budget_mode")) {
            case "BUDGET_MODE_DAY" -> budgetCents / 2;
            case "BUDGET_MODE_TOTAL" -> {
                long perDay = budgetCents / 10;
                long before = perDay * (day.toEpochDay() - created.toEpochDay());
                yield Math.max(0, Math.min(perDay, budgetCents - before));
            }
            default -> 1_000;
        };
    }

    private static Map<String, Object> row(String campaignId, LocalDate day, long cents, List<?> metrics) {
        Map<String, Object> dims = new LinkedHashMap<>();
        dims.put("campaign_id", campaignId);
        if (day != null) {
            dims.put("stat_time_day", day.atStartOfDay().format(TIME));
        }
        long impressions = cents * 2;
        Map<String, Object> m = new LinkedHashMap<>();
        if (metrics.contains("spend")) {
            m.put("spend", BigDecimal.valueOf(cents, 2).toPlainString());
        }
        if (metrics.contains("impressions")) {
            m.put("impressions", String.valueOf(impressions));
        }
        if (metrics.contains("clicks")) {
            m.put("clicks", String.valueOf(impressions / 50));
        }
        return Map.of("dimensions", dims, "metrics", m);
    }

    // ------------------------------------------------------------------ checks

    /** A text's length as TikTok counts it: a Chinese, Japanese or Korean character counts as two. */
    static int length(String text) {
        return text.codePoints().map(c -> wide(c) ? 2 : 1).sum();
    }

    /** Chinese, Japanese and Korean characters, their punctuation and the full-width forms. */
    private static boolean wide(int c) {
        return switch (Character.UnicodeScript.of(c)) {
            case HAN, HIRAGANA, KATAKANA, HANGUL, BOPOMOFO -> true;
            default -> c >= 0x3000 && c <= 0x30FF || c >= 0xFF01 && c <= 0xFF60 || c >= 0xFFE0 && c <= 0xFFE6;
        };
    }

    private static String unknownField(Map<String, Object> b, Set<String> known) {
        return b.keySet().stream().filter(k -> !known.contains(k)).findFirst().orElse(null);
    }

    /** The documented optional fields of a campaign the simulator does not model, checked as the reference types them. */
    private SimResponse checkCampaignOptions(Map<String, Object> b) {
        if (b.containsKey("budget_optimize_on") && !(b.get("budget_optimize_on") instanceof Boolean)) {
            return param("budget_optimize_on", "Must be a boolean.");
        }
        if (Boolean.TRUE.equals(b.get("budget_optimize_on")) && !"BUDGET_MODE_DAY".equals(b.get("budget_mode"))) {
            return param("budget_mode", "With Campaign Budget Optimization only BUDGET_MODE_DAY is supported.");
        }
        if (b.containsKey("campaign_type") && !Set.of("REGULAR_CAMPAIGN", "IOS14_CAMPAIGN").contains(b.get("campaign_type"))) {
            return param("campaign_type", "Must be REGULAR_CAMPAIGN or IOS14_CAMPAIGN.");
        }
        if (b.containsKey("special_industries") && !(b.get("special_industries") instanceof List<?> l
                && Set.of("HOUSING", "EMPLOYMENT", "CREDIT").containsAll(l))) {
            return param("special_industries", "Must be a list of HOUSING, EMPLOYMENT, CREDIT.");
        }
        return null;
    }

    private SimResponse checkName(Map<String, Object> b, String field) {
        if (!(b.get(field) instanceof String s) || s.isBlank()) {
            return param(field, "Missing data for required field.");
        }
        if (s.length() > 512) {
            return param(field, "Length must be at most 512 characters.");
        }
        return null;
    }

    private SimResponse checkBudget(Map<String, Object> b, boolean required) {
        if (!(b.get("budget_mode") instanceof String mode) || !BUDGET_MODES.contains(mode)) {
            return required ? param("budget_mode", "Must be one of " + new java.util.TreeSet<>(BUDGET_MODES) + ".") : null;
        }
        if (mode.equals("BUDGET_MODE_INFINITE")) {
            return b.containsKey("budget") ? param("budget", "Budget cannot be set with BUDGET_MODE_INFINITE.") : null;
        }
        return checkAmount(b.get("budget"), "budget");
    }

    private SimResponse checkAmount(Object v, String field) {
        if (!(v instanceof Number)) {
            return param(field, "Missing data for required field (a decimal in the account's currency).");
        }
        BigDecimal d = decimal(v);
        if (d.signum() <= 0 || d.stripTrailingZeros().scale() > 2) {
            return param(field, "Must be a positive amount with at most two decimals.");
        }
        return null;
    }

    private SimResponse checkSchedule(Map<String, Object> b) {
        Object type = b.get("schedule_type");
        if (!"SCHEDULE_START_END".equals(type) && !"SCHEDULE_FROM_NOW".equals(type)) {
            return param("schedule_type", "Must be SCHEDULE_START_END or SCHEDULE_FROM_NOW.");
        }
        if ("BUDGET_MODE_TOTAL".equals(b.get("budget_mode")) && !"SCHEDULE_START_END".equals(type)) {
            return param("schedule_type", "BUDGET_MODE_TOTAL needs SCHEDULE_START_END.");
        }
        LocalDateTime start = time(b.get("schedule_start_time"));
        if (start == null) {
            return param("schedule_start_time", "Must be \"YYYY-MM-DD HH:MM:SS\" (UTC).");
        }
        if ("SCHEDULE_START_END".equals(type)) {
            LocalDateTime end = time(b.get("schedule_end_time"));
            if (end == null) {
                return param("schedule_end_time", "Must be \"YYYY-MM-DD HH:MM:SS\" (UTC).");
            }
            if (!end.isAfter(start)) {
                return param("schedule_end_time", "Must be after schedule_start_time.");
            }
        } else if (b.containsKey("schedule_end_time")) {
            return param("schedule_end_time", "Not allowed with SCHEDULE_FROM_NOW.");
        }
        return null;
    }

    private static String md5(byte[] data) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static LocalDateTime time(Object v) {
        if (!(v instanceof String s) || s.length() != 19) {
            return null;
        }
        try {
            return LocalDateTime.parse(s, TIME);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static BigDecimal decimal(Object v) {
        return switch (v) {
            case null -> null;
            case BigDecimal d -> d;
            case Long l -> BigDecimal.valueOf(l);
            case Integer i -> BigDecimal.valueOf(i);
            case java.math.BigInteger i -> new BigDecimal(i);
            case Number n -> BigDecimal.valueOf(n.doubleValue());
            default -> null;
        };
    }

    private String nextId() {
        return Long.toString(ID_BASE + nextSerial());
    }

    /** The next serial; the counter is recorded, so ids stay unique across restarts. */
    private long nextSerial() {
        synchronized (ids) {
            long next = store().counter(ID_COUNTER, 0) + 1;
            store().advance(ID_COUNTER, next);
            return next;
        }
    }

    private String now() {
        return LocalDateTime.now(clock.withZone(ZoneOffset.UTC)).truncatedTo(ChronoUnit.SECONDS).format(TIME);
    }
}
