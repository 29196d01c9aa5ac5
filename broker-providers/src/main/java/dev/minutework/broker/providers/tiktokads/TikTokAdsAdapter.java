package dev.minutework.broker.providers.tiktokads;

import static dev.minutework.broker.providers.http.Wire.enc;
import static dev.minutework.broker.providers.http.Wire.named;
import static dev.minutework.broker.providers.http.Wire.parse;
import static dev.minutework.broker.providers.http.Wire.putPresent;
import static dev.minutework.broker.providers.http.Wire.referenceSuffix;
import static dev.minutework.broker.providers.http.Wire.retryAfter;
import static dev.minutework.broker.providers.http.Wire.unreadable;

import dev.minutework.broker.core.command.ExecuteCommand;
import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.core.money.Money;
import dev.minutework.broker.core.provider.ProviderAccountContext;
import dev.minutework.broker.core.provider.ProviderAdapter;
import dev.minutework.broker.core.provider.ProviderCheck;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ProviderOutcome.RejectionKind;
import dev.minutework.broker.core.provider.ProviderRequest;
import dev.minutework.broker.core.provider.ReportRow;
import dev.minutework.broker.core.spend.BudgetPeriod;
import dev.minutework.broker.core.spend.CampaignBudget;
import dev.minutework.broker.providers.http.Calls;
import dev.minutework.broker.providers.http.Calls.Reply;
import dev.minutework.broker.providers.http.ProviderHttp;
import dev.minutework.broker.providers.http.Redaction;
import dev.minutework.broker.providers.http.Verdict;
import dev.minutework.broker.providers.http.Wire;
import dev.minutework.broker.providers.http.WireResult;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Speaks TikTok API for Business (Marketing API v1.3) for one advertiser (docs/providers.md,
 * "tiktokads").
 *
 * <p>Every answer is decoded from the {@code {code, message, request_id, data}} envelope: HTTP 200
 * with a non-zero code is an error, never a success. Code 40100 is the rate limit (waited out with
 * backoff, then {@link ProviderOutcome.RateLimited}); 401xx codes are authentication failures, 40001
 * a token without permission for the advertiser, 40002 a parameter error, 5xxxx and HTTP 5xx the
 * provider's own trouble. The provider's code travels in {@code providerCode}.
 *
 * <p>Mapping: budgets become {@code BUDGET_MODE_DAY} (daily) or {@code BUDGET_MODE_TOTAL} (lifetime)
 * with {@code budget} in decimal major units; {@code BUDGET_MODE_INFINITE} is never sent. TikTok
 * campaigns have no schedule: the campaign's start and end (from the referenced campaign's create command)
 * become the ad group's {@code schedule_start_time}/{@code schedule_end_time} in
 * {@code "YYYY-MM-DD HH:MM:SS"} UTC, and the ad group takes its campaign's budget mode and amount
 * (read from TikTok). Countries become GeoNames location ids, age ranges TikTok age groups (only
 * ranges on TikTok's group boundaries; 65 means 55+), bids {@code BID_TYPE_CUSTOM} with a major-unit
 * {@code bid_price}. The objectives are awareness ({@code REACH}, groups optimised for reach and
 * billed by CPM) and traffic ({@code TRAFFIC}, the default: click optimisation billed by CPC). There
 * is no stand-alone creative: create_creative checks the creative and uploads the image by URL,
 * returning its {@code image_id}; create_ad embeds the creative (the description as {@code ad_text},
 * landing URL, call to action, image) using the referenced creative's create command. With an
 * {@code identity_id} in scope ads use it as a {@code CUSTOMIZED_USER} identity; without one the
 * headline becomes the {@code display_name} (at most 40 characters, CJK characters counting two).
 *
 * <p>TikTok reads every amount in the advertiser's own currency, so money in another currency is
 * refused ({@code currency_mismatch}) before anything is sent; the currency is read once from
 * {@code advertiser/info/} (preflight reads it too) and report spend is converted with its exponent.
 *
 * <p>Creates carry the broker reference at the end of the object's name ({@code "Winter boots
 * [exe_…]"}). After a lost answer the adapter looks the object up instead of sending again; after a
 * 5xx it looks first and re-sends only if nothing was made. Ad group creates also carry a
 * {@code request_id} derived from the reference, TikTok's documented idempotency key, so they are
 * re-sent with the same key. Reads and absolute updates are retried with backoff.
 */
final class TikTokAdsAdapter implements ProviderAdapter {

    /** TikTok documents no Retry-After for code 40100; its quotas are per minute, so Wire's minute is assumed. */
    static final Duration RATE_LIMIT_RETRY_AFTER = Wire.DEFAULT_RETRY_AFTER;
    static final int PAGE_SIZE = 1000;
    static final int MAX_REPORT_DAYS = 30;
    static final int MAX_NAME = 512;
    static final DateTimeFormatter SCHEDULE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    /**
     * The neutral objectives this adapter can carry through to an ad: the campaign's
     * {@code objective_type} and the optimisation goal and billing event its website ad groups take
     * ({@code [objective_type, optimization_goal, billing_event]}). TikTok's other objectives need
     * what the neutral model does not have (an app, a pixel, an instant form, a TikTok account to
     * follow), so they are not offered.
     */
    static final Map<String, List<String>> OBJECTIVES = Map.of(
            "awareness", List.of("REACH", "REACH", "CPM"),
            "traffic", List.of("TRAFFIC", "CLICK", "CPC"));

    /** The objective of a campaign created without one. */
    static final String DEFAULT_OBJECTIVE = "traffic";

    /** The neutral calls to action and TikTok's values for them (Enumeration - Call-to-Action). */
    static final Map<String, String> CALLS_TO_ACTION = Map.of("learn_more", "LEARN_MORE", "shop_now", "SHOP_NOW",
            "sign_up", "SIGN_UP", "download", "DOWNLOAD", "contact_us", "CONTACT_US", "book_now", "BOOK_NOW");

    /** The call to action of a creative without one (TikTok ads need one). */
    static final String DEFAULT_CALL_TO_ACTION = "LEARN_MORE";

    /**
     * TikTok's text limits in its own count, where a Chinese, Japanese or Korean character counts
     * as two: {@code ad_text} 1 to 100 (no emoji), {@code display_name} 1 to 40.
     */
    static final int AD_TEXT_MAX = 100;
    static final int DISPLAY_NAME_MAX = 40;

    /**
     * ISO-3166 country → GeoNames id, which TikTok uses as the country's location id. India is not
     * here: TikTok does not serve it.
     */
    static final Map<String, String> LOCATION_IDS = Map.ofEntries(Map.entry("US", "6252001"),
            Map.entry("CA", "6251999"), Map.entry("GB", "2635167"), Map.entry("IE", "2963597"),
            Map.entry("DE", "2921044"), Map.entry("FR", "3017382"), Map.entry("IT", "3175395"),
            Map.entry("ES", "2510769"), Map.entry("NL", "2750405"), Map.entry("SE", "2661886"),
            Map.entry("PL", "798544"), Map.entry("TR", "298795"), Map.entry("AU", "2077456"),
            Map.entry("NZ", "2186224"), Map.entry("JP", "1861060"), Map.entry("KR", "1835841"),
            Map.entry("BR", "3469034"), Map.entry("MX", "3996063"), Map.entry("ID", "1643084"),
            Map.entry("SG", "1880251"), Map.entry("PH", "1694008"), Map.entry("TH", "1605651"),
            Map.entry("VN", "1562822"), Map.entry("MY", "1733045"), Map.entry("SA", "102358"),
            Map.entry("AE", "290557"));

    /** TikTok's age groups as [first age, last age, name]; 65 stands for the open-ended 55+ group. */
    static final List<Object[]> AGE_GROUPS = List.of(new Object[] {13, 17, "AGE_13_17"},
            new Object[] {18, 24, "AGE_18_24"}, new Object[] {25, 34, "AGE_25_34"}, new Object[] {35, 44, "AGE_35_44"},
            new Object[] {45, 54, "AGE_45_54"}, new Object[] {55, 65, "AGE_55_100"});

    private final ProviderHttp http;
    private final URI base;
    private final ProviderAccountContext account;
    private final Clock clock;
    private final Calls calls;
    private volatile String currency;

    TikTokAdsAdapter(ProviderHttp http, URI base, ProviderAccountContext account) {
        this(http, base, account, Calls.FIRST_BACKOFF, Clock.systemUTC());
    }

    TikTokAdsAdapter(ProviderHttp http, URI base, ProviderAccountContext account, Duration firstBackoff, Clock clock) {
        this.http = http;
        this.base = base;
        this.account = account;
        this.clock = clock;
        this.calls = new Calls(firstBackoff, Redaction.forCredentials(account.credentials()));
    }

    @Override
    public ProviderOutcome execute(ProviderRequest request) {
        String campaignId = request.providerIds().get("campaign_id");
        return switch (request.command()) {
            case ExecuteCommand.CreateCampaign c -> createCampaign(c, request.brokerReference());
            case ExecuteCommand.UpdateCampaign u -> updateCampaign(u, campaignId);
            case ExecuteCommand.PauseCampaign p -> setCampaignStatus(campaignId, "DISABLE");
            case ExecuteCommand.CreateGroup g -> createGroup(g, request);
            case ExecuteCommand.CreateCreative c -> createCreative(c);
            case ExecuteCommand.CreateAd ad -> createAd(ad, request);
            case ExecuteCommand.FetchReport r -> report(r, campaignId);
        };
    }

    // ------------------------------------------------------------------ actions

    private ProviderOutcome createCampaign(ExecuteCommand.CreateCampaign in, String ref) {
        CampaignBudget budget = in.budget();
        List<String> objective = OBJECTIVES.get(in.objective() != null ? in.objective() : DEFAULT_OBJECTIVE);
        if (objective == null) {
            return new ProviderOutcome.Rejected(RejectionKind.UNSUPPORTED, "objective_unsupported",
                    "tiktokads takes the objectives " + new java.util.TreeSet<>(OBJECTIVES.keySet()) + ", not "
                            + in.objective());
        }
        ProviderOutcome badTimes = checkTimes(in.start(), in.end());
        if (badTimes != null) {
            return badTimes;
        }
        ProviderOutcome badCurrency = checkCurrency(budget.amount());
        if (badCurrency != null) {
            return badCurrency;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("advertiser_id", advertiserId());
        body.put("campaign_name", named(in.name(), ref, MAX_NAME));
        body.put("objective_type", objective.get(0));
        body.put("budget_mode", budgetMode(budget));
        body.put("budget", budget.amount().toMajor());
        body.put("operation_status", operationStatus(in.active()));
        return create("/campaign/create/", body, "ads.create_campaign", ref, this::campaignOutcome);
    }

    private ProviderOutcome updateCampaign(ExecuteCommand.UpdateCampaign in, String campaignId) {
        if (in.end() != null) {
            return new ProviderOutcome.Rejected(RejectionKind.UNSUPPORTED, "end_time_unsupported",
                    "TikTok campaigns have no end time; the schedule lives on the campaign's ad groups");
        }
        CampaignBudget budget = in.budget();
        if (budget != null) {
            ProviderOutcome badCurrency = checkCurrency(budget.amount());
            if (badCurrency != null) {
                return badCurrency;
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        if (in.name() != null || budget != null) {
            Optional<Map<String, Object>> current = findOne("/campaign/get/", "campaign_ids", campaignId);
            if (current.isEmpty()) {
                return new ProviderOutcome.Rejected(RejectionKind.NOT_FOUND, "campaign_not_found",
                        "TikTok does not know campaign " + campaignId);
            }
            Map<String, Object> c = current.get();
            if (c.containsKey("failure")) {
                return (ProviderOutcome) c.get("failure");
            }
            if (in.name() != null) {
                // keep the broker reference the campaign was created with
                body.put("campaign_name", cut(in.name(), MAX_NAME - referenceSuffix((String) c.get("campaign_name")).length())
                        + referenceSuffix((String) c.get("campaign_name")));
            }
            if (budget != null) {
                if (!budgetMode(budget).equals(c.get("budget_mode"))) {
                    return new ProviderOutcome.Rejected(RejectionKind.UNSUPPORTED, "budget_mode_change_unsupported",
                            "TikTok cannot change a campaign's budget mode (" + c.get("budget_mode") + ") to "
                                    + budgetMode(budget));
                }
                body.put("budget", budget.amount().toMajor());
            }
        }
        Map<String, Object> campaign = null;
        if (!body.isEmpty()) {
            Map<String, Object> update = new LinkedHashMap<>();
            update.put("advertiser_id", advertiserId());
            update.put("campaign_id", campaignId);
            update.putAll(body);
            Reply<Map<String, Object>> r = repeatable("POST", "/campaign/update/", update);
            if (r.failure() != null) {
                return r.failure();
            }
            campaign = r.answer();
        }
        if (in.active() != null) {
            return setCampaignStatus(campaignId, operationStatus(in.active()));
        }
        return campaignOutcome(campaign);
    }

    private ProviderOutcome setCampaignStatus(String campaignId, String operationStatus) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("advertiser_id", advertiserId());
        body.put("campaign_ids", List.of(campaignId));
        body.put("operation_status", operationStatus);
        Reply<Map<String, Object>> r = repeatable("POST", "/campaign/status/update/", body);
        if (r.failure() instanceof ProviderOutcome.Rejected refused && refused.kind() == RejectionKind.INVALID_REQUEST
                && findOne("/campaign/get/", "campaign_ids", campaignId).isEmpty()) {
            // TikTok answers a parameter error (40002) for an id it does not have: the lookup tells them apart
            return new ProviderOutcome.Rejected(RejectionKind.NOT_FOUND, "campaign_not_found",
                    "TikTok does not know campaign " + campaignId);
        }
        if (r.failure() != null) {
            return r.failure();
        }
        return new ProviderOutcome.Succeeded(campaignId, Map.of("status", unifiedStatus(operationStatus)), List.of());
    }

    private ProviderOutcome createGroup(ExecuteCommand.CreateGroup in, ProviderRequest request) {
        String campaignId = request.providerIds().get("campaign_id");
        ExecuteCommand.CreateCampaign campaignInput = request.reference("campaign_id", ExecuteCommand.CreateCampaign.class);
        if (campaignInput == null) {
            return new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "campaign_unknown",
                    "the ad group's campaign is not known to the broker");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("advertiser_id", advertiserId());
        body.put("campaign_id", campaignId);
        body.put("adgroup_name", named(in.name(), request.brokerReference(), MAX_NAME));
        body.put("promotion_type", "WEBSITE");
        body.put("placement_type", "PLACEMENT_TYPE_NORMAL");
        body.put("placements", List.of("PLACEMENT_TIKTOK"));
        ExecuteCommand.Targeting targeting = in.targeting();
        if (!targeting.contextHints().isEmpty()) {
            return new ProviderOutcome.Rejected(RejectionKind.UNSUPPORTED, "context_hints_unsupported",
                    "TikTok ad groups do not take free-text context hints");
        }
        List<String> countries = targeting.countries();
        if (countries.isEmpty()) {
            return new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "countries_required",
                    "TikTok ad groups need targeting.countries (location_ids are required)");
        }
        List<String> locations = new ArrayList<>();
        for (String country : countries) {
            String id = LOCATION_IDS.get(country);
            if (id == null) {
                return new ProviderOutcome.Rejected(RejectionKind.UNSUPPORTED, "country_unsupported",
                        "tiktokads has no location id for country " + country);
            }
            locations.add(id);
        }
        body.put("location_ids", locations);
        if (targeting.ageMin() != null || targeting.ageMax() != null) {
            Optional<List<String>> ages = ageGroups(targeting.ageMin(), targeting.ageMax());
            if (ages.isEmpty()) {
                return new ProviderOutcome.Rejected(RejectionKind.UNSUPPORTED, "age_range_unsupported",
                        "TikTok targets ages in groups 13-17, 18-24, 25-34, 35-44, 45-54, 55+; the range must start "
                                + "and end on those boundaries");
            }
            body.put("age_groups", ages.get());
        }
        if (!targeting.languages().isEmpty()) {
            body.put("languages", targeting.languages());
        }
        if (in.bid() != null) {
            ProviderOutcome badCurrency = checkCurrency(in.bid());
            if (badCurrency != null) {
                return badCurrency;
            }
        }
        // the ad group spends within its campaign's budget: same mode, same amount
        Optional<Map<String, Object>> found = findOne("/campaign/get/", "campaign_ids", campaignId);
        if (found.isEmpty()) {
            return new ProviderOutcome.Rejected(RejectionKind.NOT_FOUND, "campaign_not_found",
                    "TikTok does not know campaign " + campaignId);
        }
        Map<String, Object> campaign = found.get();
        if (campaign.containsKey("failure")) {
            return (ProviderOutcome) campaign.get("failure");
        }
        Object mode = campaign.get("budget_mode");
        if (!"BUDGET_MODE_DAY".equals(mode) && !"BUDGET_MODE_TOTAL".equals(mode)) {
            return new ProviderOutcome.Rejected(RejectionKind.UNSUPPORTED, "unbounded_budget_unsupported",
                    "the campaign has no bounded budget; the broker never creates unbounded spend");
        }
        body.put("budget_mode", mode);
        body.put("budget", campaign.get("budget"));
        Instant start = campaignInput.start() != null ? campaignInput.start()
                : clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant end = campaignInput.end();
        if (end == null && "BUDGET_MODE_TOTAL".equals(mode)) {
            return new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "end_time_required",
                    "TikTok ad groups with a lifetime budget need an end: give the campaign an end_time");
        }
        if (end != null && !end.isAfter(start)) {
            return new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "schedule_invalid",
                    "the campaign's end_time must be after its start");
        }
        body.put("schedule_type", end == null ? "SCHEDULE_FROM_NOW" : "SCHEDULE_START_END");
        body.put("schedule_start_time", SCHEDULE_TIME.format(start));
        if (end != null) {
            body.put("schedule_end_time", SCHEDULE_TIME.format(end));
        }
        // the campaign's objective decides what its ad groups optimise for and are billed by
        List<String> objective = OBJECTIVES.getOrDefault(campaignInput.objective() != null ? campaignInput.objective()
                : DEFAULT_OBJECTIVE, OBJECTIVES.get(DEFAULT_OBJECTIVE));
        body.put("optimization_goal", objective.get(1));
        body.put("billing_event", objective.get(2));
        if (in.bid() != null) {
            body.put("bid_type", "BID_TYPE_CUSTOM");
            body.put("bid_price", in.bid().toMajor());
        } else {
            body.put("bid_type", "BID_TYPE_NO_BID");
        }
        body.put("operation_status", operationStatus(in.active()));
        body.put("request_id", requestId(request.brokerReference()));
        return createWithKey("/adgroup/create/", body, "ads.create_group", request.brokerReference());
    }

    /**
     * No stand-alone creative at TikTok: the image is uploaded by URL; the creative lives in the ad.
     * A creative the ad could not carry is refused before anything is uploaded.
     */
    private ProviderOutcome createCreative(ExecuteCommand.CreateCreative in) {
        ProviderOutcome.Rejected unfit = creativeUnfit(in);
        if (unfit != null) {
            return unfit;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("advertiser_id", advertiserId());
        body.put("upload_type", "UPLOAD_BY_URL");
        body.put("image_url", in.imageUrl().toString());
        // an upload spends nothing, so repeating it after a lost answer is harmless
        Reply<Map<String, Object>> r = repeatable("POST", "/file/image/ad/upload/", body);
        if (r.failure() != null) {
            return r.failure();
        }
        return r.answer().get("image_id") instanceof String image
                ? new ProviderOutcome.Succeeded(image, Map.of("image_id", image), List.of())
                : unreadable();
    }

    private ProviderOutcome createAd(ExecuteCommand.CreateAd in, ProviderRequest request) {
        ExecuteCommand.CreateCreative creative = request.reference("creative_id", ExecuteCommand.CreateCreative.class);
        String imageId = request.providerIds().get("creative_id");
        if (creative == null || imageId == null) {
            return new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "creative_unknown",
                    "the ad's creative is not known to the broker");
        }
        ProviderOutcome.Rejected unfit = creativeUnfit(creative);
        if (unfit != null) {
            return unfit;
        }
        Map<String, Object> card = new LinkedHashMap<>();
        card.put("ad_name", named(in.name(), request.brokerReference(), MAX_NAME));
        card.put("ad_format", "SINGLE_IMAGE");
        card.put("ad_text", creative.body());
        card.put("call_to_action", creative.callToAction() != null ? CALLS_TO_ACTION.get(creative.callToAction())
                : DEFAULT_CALL_TO_ACTION);
        card.put("landing_page_url", creative.landingUrl().toString());
        card.put("image_ids", List.of(imageId));
        String identity = account.scope().get("identity_id");
        if (identity != null) {
            card.put("identity_id", identity);
            card.put("identity_type", "CUSTOMIZED_USER");
        } else {
            card.put("display_name", creative.headline());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("advertiser_id", advertiserId());
        body.put("adgroup_id", request.providerIds().get("group_id"));
        body.put("creatives", List.of(card));
        ProviderOutcome made = create("/ad/create/", body, "ads.create_ad", request.brokerReference(), this::adOutcome);
        if (made instanceof ProviderOutcome.Succeeded ok && Boolean.FALSE.equals(in.active())) {
            // TikTok creates ads enabled; a paused ad is disabled right after (an absolute, repeatable change)
            Map<String, Object> pause = new LinkedHashMap<>();
            pause.put("advertiser_id", advertiserId());
            pause.put("ad_ids", List.of(ok.providerObjectId()));
            pause.put("operation_status", "DISABLE");
            Reply<Map<String, Object>> r = repeatable("POST", "/ad/status/update/", pause);
            Map<String, Object> data = new LinkedHashMap<>(ok.data());
            if (r.failure() == null) {
                data.put("status", "paused");
            } else {
                data.put("status_error", "the ad was created enabled and could not be paused");
            }
            return new ProviderOutcome.Succeeded(ok.providerObjectId(), data, List.of());
        }
        return made;
    }

    /**
     * Why an ad could not carry the creative, or null when it can: one headline and one description
     * (the factory declares as much), a call to action TikTok has, an {@code ad_text} of at most
     * {@value #AD_TEXT_MAX} in TikTok's count and without emoji, and, for an account without an
     * identity, a headline that fits the {@code display_name} ({@value #DISPLAY_NAME_MAX}). The
     * declaration counts characters, so a text of wide (CJK) characters can pass it and still be
     * refused here: the declaration cannot say so yet.
     */
    ProviderOutcome.Rejected creativeUnfit(ExecuteCommand.CreateCreative creative) {
        if (creative.headlines().size() != 1 || creative.descriptions().size() != 1) {
            return new ProviderOutcome.Rejected(RejectionKind.UNSUPPORTED, "creative_texts_unsupported",
                    "a TikTok single-image ad has one text and one display name: give one headline and one "
                            + "description");
        }
        if (creative.callToAction() != null && !CALLS_TO_ACTION.containsKey(creative.callToAction())) {
            return new ProviderOutcome.Rejected(RejectionKind.UNSUPPORTED, "call_to_action_unsupported",
                    "tiktokads shows the calls to action " + new java.util.TreeSet<>(CALLS_TO_ACTION.keySet())
                            + ", not " + creative.callToAction());
        }
        int text = tiktokLength(creative.body());
        if (text < 1 || text > AD_TEXT_MAX) {
            return new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "body_length",
                    "TikTok ad text needs 1 to " + AD_TEXT_MAX + " characters (a Chinese, Japanese or Korean "
                            + "character counts as two)");
        }
        if (creative.body().codePoints().anyMatch(Character::isExtendedPictographic)) {
            return new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "body_emoji",
                    "TikTok ad text cannot contain emoji");
        }
        int name = tiktokLength(creative.headline());
        if (account.scope().get("identity_id") == null && (name < 1 || name > DISPLAY_NAME_MAX)) {
            return new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "headline_length",
                    "without an identity the headline is the ad's display name: 1 to " + DISPLAY_NAME_MAX
                            + " characters (a Chinese, Japanese or Korean character counts as two)");
        }
        return null;
    }

    /** A text's length as TikTok counts it: a Chinese, Japanese or Korean character counts as two. */
    static int tiktokLength(String text) {
        return text.codePoints().map(c -> wide(c) ? 2 : 1).sum();
    }

    /** Chinese, Japanese and Korean characters, their punctuation and the full-width forms. */
    private static boolean wide(int c) {
        return switch (Character.UnicodeScript.of(c)) {
            case HAN, HIRAGANA, KATAKANA, HANGUL, BOPOMOFO -> true;
            default -> c >= 0x3000 && c <= 0x30FF || c >= 0xFF01 && c <= 0xFF60 || c >= 0xFFE0 && c <= 0xFFE6;
        };
    }

    private ProviderOutcome report(ExecuteCommand.FetchReport in, String campaignId) {
        Currency ccy = currency();
        if (ccy.failure() != null) {
            return ccy.failure();
        }
        boolean daily = !in.total();
        LocalDate since = in.since();
        LocalDate until = in.until();
        if (until.isBefore(since)) {
            return new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "range_invalid", "until is before since");
        }
        List<String> dimensions = daily ? List.of("campaign_id", "stat_time_day") : List.of("campaign_id");
        List<ReportRow> rows = new ArrayList<>();
        // with stat_time_day TikTok reports at most 30 days a request: ask window by window
        LocalDate from = since;
        while (!from.isAfter(until)) {
            LocalDate to = daily ? min(from.plusDays(MAX_REPORT_DAYS - 1), until) : until;
            int page = 1;
            int totalPages;
            do {
                Map<String, String> q = new LinkedHashMap<>();
                q.put("advertiser_id", advertiserId());
                q.put("report_type", "BASIC");
                q.put("data_level", "AUCTION_CAMPAIGN");
                q.put("dimensions", CanonicalJson.canonicalize(dimensions));
                q.put("metrics", CanonicalJson.canonicalize(List.of("spend", "impressions", "clicks")));
                q.put("start_date", from.toString());
                q.put("end_date", to.toString());
                if (campaignId != null) {
                    q.put("filtering", CanonicalJson.canonicalize(List.of(Map.of("field_name", "campaign_ids",
                            "filter_type", "IN", "filter_value", CanonicalJson.canonicalize(List.of(campaignId))))));
                }
                q.put("page", String.valueOf(page));
                q.put("page_size", String.valueOf(PAGE_SIZE));
                Reply<Map<String, Object>> r = repeatable("GET", "/report/integrated/get/" + query(q), null);
                if (r.failure() != null) {
                    return r.failure();
                }
                for (Object o : (List<?>) r.answer().getOrDefault("list", List.of())) {
                    Map<?, ?> row = (Map<?, ?>) o;
                    Map<?, ?> dims = (Map<?, ?>) row.get("dimensions");
                    Map<?, ?> metrics = (Map<?, ?>) row.get("metrics");
                    LocalDate day = dims.get("stat_time_day") instanceof String t ? LocalDate.parse(t.substring(0, 10)) : from;
                    rows.add(new ReportRow(day, String.valueOf(dims.get("campaign_id")), number(metrics.get("impressions")),
                            number(metrics.get("clicks")), minor(metrics.get("spend"), ccy.code()), ccy.code()));
                }
                totalPages = r.answer().get("page_info") instanceof Map<?, ?> info ? (int) number(info.get("total_page")) : 1;
                page++;
            } while (page <= totalPages);
            from = to.plusDays(1);
        }
        return new ProviderOutcome.Succeeded(null, Map.of(), rows);
    }

    // ------------------------------------------------------------------ reconciliation and checks

    @Override
    public ProviderOutcome reconcile(String action, String brokerReference) {
        record Lookup(String path, String nameField, Function<Map<String, Object>, ProviderOutcome> outcome) {}
        Lookup lookup = switch (action) {
            case "ads.create_campaign" -> new Lookup("/campaign/get/", "campaign_name", this::campaignOutcome);
            case "ads.create_group" -> new Lookup("/adgroup/get/", "adgroup_name", this::groupOutcome);
            case "ads.create_ad" -> new Lookup("/ad/get/", "ad_name", this::adOutcome);
            // nothing spends on an upload and updates set absolute values: the broker may repeat them
            default -> null;
        };
        if (lookup == null) {
            return new ProviderOutcome.Unknown("tiktokads cannot look up " + action + " by reference; repeat it");
        }
        Optional<List<Map<String, Object>>> all = listAll(lookup.path(), null);
        if (all.isEmpty()) {
            return new ProviderOutcome.Unknown("could not list " + lookup.path() + " to reconcile");
        }
        String suffix = " [" + brokerReference + "]";
        return all.get().stream().filter(o -> o.get(lookup.nameField()) instanceof String n && n.endsWith(suffix))
                .findFirst().map(lookup.outcome())
                .orElseGet(() -> new ProviderOutcome.Rejected(RejectionKind.NOT_FOUND, "not_found",
                        "no object carries the reference " + brokerReference));
    }

    @Override
    public List<ProviderCheck> checks() {
        String advertiser = advertiserId();
        WireResult r = send("GET", "/advertiser/info/" + query(Map.of("advertiser_ids",
                CanonicalJson.canonicalize(List.of(advertiser)))), null);
        String where = base.getHost();
        return switch (r) {
            case WireResult.NotSent n -> List.of(new ProviderCheck("provider_reachable", false, "cannot connect to " + where));
            case WireResult.Lost l -> List.of(new ProviderCheck("provider_reachable", false, "no answer from " + where));
            case WireResult.Answered a -> switch (decode(a)) {
                case Ok ok when remember(ok.data()).isEmpty() -> List.of(
                        new ProviderCheck("credentials_authenticate", true, "the access token is accepted"),
                        new ProviderCheck("account_reachable", false, "advertiser " + advertiser
                                + " answered without a known currency"));
                case Ok ok -> List.of(
                        new ProviderCheck("credentials_authenticate", true, "the access token is accepted"),
                        new ProviderCheck("account_reachable", true, "advertiser " + advertiser + " answers at " + where));
                case Refused f when f.code() == 40001 -> List.of(
                        new ProviderCheck("credentials_authenticate", true, "the access token is accepted"),
                        new ProviderCheck("account_reachable", false, "the access token has no permission for advertiser "
                                + advertiser + " (code 40001)"));
                case Refused f when f.rejected().kind() == RejectionKind.AUTH_FAILED -> List.of(
                        new ProviderCheck("credentials_authenticate", false, "the access token is refused (code "
                                + f.code() + ")"),
                        new ProviderCheck("account_reachable", false, "not checked: authentication failed"));
                case Refused f -> List.of(
                        new ProviderCheck("credentials_authenticate", false, "unexpected answer (code " + f.code() + ")"),
                        new ProviderCheck("account_reachable", false, "the API answered code " + f.code()));
                case Limited l -> List.of(
                        new ProviderCheck("credentials_authenticate", false, "not checked: rate limited (code 40100)"),
                        new ProviderCheck("account_reachable", false, "not checked: rate limited"));
                case ServerTrouble t -> List.of(
                        new ProviderCheck("provider_reachable", false, "the API answered with a server error ("
                                + t.rejected().providerCode() + ")"));
                case Unreadable u -> List.of(
                        new ProviderCheck("provider_reachable", false, "the answer from " + where + " was not the documented JSON"));
            };
        };
    }

    // ------------------------------------------------------------------ wire

    /** What an answer said, decoded from the envelope. */
    private sealed interface Answer permits Ok, Unreadable, Failure {}

    /** An answer that is no success, and how the retry protocol treats it. */
    private sealed interface Failure extends Answer permits Refused, Limited, ServerTrouble {
        <T> Verdict<T> verdict();
    }

    /** Code 0: {@code data}. */
    private record Ok(Map<String, Object> data) implements Answer {}

    /** A definite refusal: the provider's code and the mapped outcome. */
    private record Refused(long code, ProviderOutcome.Rejected rejected) implements Failure {
        @Override
        public <T> Verdict<T> verdict() {
            return Verdict.refused(rejected);
        }
    }

    /** Code 40100 or HTTP 429; {@code retryAfter} when the answer said so. */
    private record Limited(Duration retryAfter) implements Failure {
        @Override
        public <T> Verdict<T> verdict() {
            return retryAfter != null ? Verdict.throttled(retryAfter)
                    : Verdict.throttledWithoutHint(RATE_LIMIT_RETRY_AFTER);
        }
    }

    /** HTTP 5xx or a 5xxxx code: nothing is known to be done. */
    private record ServerTrouble(ProviderOutcome.Rejected rejected) implements Failure {
        @Override
        public <T> Verdict<T> verdict() {
            return Verdict.transientFailure(rejected);
        }
    }

    /** An answer that is not the documented envelope (a 2xx might have acted). */
    private record Unreadable() implements Answer {}

    private Answer decode(WireResult.Answered a) {
        if (a.status() == 429) {
            return new Limited(retryAfter(a));
        }
        Optional<Map<String, Object>> json = parse(a.body());
        Object code = json.map(j -> j.get("code")).orElse(null);
        if (!(code instanceof Number n)) {
            if (a.status() >= 500) {
                return new ServerTrouble(rejected(RejectionKind.PROVIDER_ERROR, "http_" + a.status(), "HTTP " + a.status()));
            }
            if (a.status() == 404) {
                return new Refused(404, rejected(RejectionKind.NOT_FOUND, "http_404", "the endpoint does not exist"));
            }
            return a.status() / 100 == 2 ? new Unreadable()
                    : new Refused(a.status(), rejected(RejectionKind.INVALID_REQUEST, "http_" + a.status(), "HTTP " + a.status()));
        }
        long c = n.longValue();
        String message = json.get().get("message") instanceof String m ? m : "code " + c;
        if (c == 0 && a.status() / 100 == 2) {
            Object data = json.get().get("data");
            @SuppressWarnings("unchecked")
            Map<String, Object> map = data instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
            return new Ok(map);
        }
        if (c == 40100) {
            return new Limited(a.header("Retry-After") != null ? retryAfter(a) : null);
        }
        if (a.status() >= 500 || c >= 50000 && c < 60000) {
            return new ServerTrouble(rejected(RejectionKind.PROVIDER_ERROR, String.valueOf(c), message));
        }
        RejectionKind kind;
        if (c >= 40101 && c <= 40199 || c == 40001) {
            kind = RejectionKind.AUTH_FAILED;
        } else if (c == 40400 || a.status() == 404) {
            kind = RejectionKind.NOT_FOUND;
        } else if (c >= 40000 && c < 50000) {
            kind = RejectionKind.INVALID_REQUEST;
        } else {
            kind = RejectionKind.PROVIDER_ERROR;
        }
        return new Refused(c, rejected(kind, String.valueOf(c), message));
    }

    /**
     * A create without an idempotency key: never sent again after an answer that may have made the
     * object unless a lookup proved it absent (see {@link Calls#create}).
     */
    private ProviderOutcome create(String path, Map<String, Object> body, String action, String ref,
            Function<Map<String, Object>, ProviderOutcome> ok) {
        return calls.create(() -> send("POST", path, body), answer -> createVerdict(answer, ok),
                () -> reconcile(action, ref), lostAnswer(action, ref));
    }

    /**
     * An ad group create with TikTok's {@code request_id}: the provider answers a repeated request
     * with the ad group it already made, so lost answers and server errors are re-sent with the same
     * key. If every attempt is lost, the object is looked up by reference.
     */
    private ProviderOutcome createWithKey(String path, Map<String, Object> body, String action, String ref) {
        return calls.createWithKey(() -> send("POST", path, body), answer -> createVerdict(answer, this::groupOutcome),
                () -> reconcile(action, ref), lostAnswer(action, ref));
    }

    private static String lostAnswer(String action, String ref) {
        return "the answer to " + action + " was lost; reconcile by reference " + ref;
    }

    /** Reads and absolute updates: safe to repeat on rate limits, server errors, unsent or lost requests. */
    private Reply<Map<String, Object>> repeatable(String method, String path, Map<String, Object> body) {
        return calls.repeat(() -> send(method, path, body), this::readVerdict);
    }

    /** A create's {@code data} is read by {@code ok}; a 2xx outside the envelope may have made the object. */
    private Verdict<ProviderOutcome> createVerdict(WireResult.Answered a,
            Function<Map<String, Object>, ProviderOutcome> ok) {
        return switch (decode(a)) {
            case Ok o -> Verdict.success(ok.apply(o.data()));
            case Unreadable u -> Verdict.unreadableSuccess();
            case Failure f -> f.verdict();
        };
    }

    /** A read's {@code data}; a read answered outside the envelope is asked again. */
    private Verdict<Map<String, Object>> readVerdict(WireResult.Answered a) {
        return switch (decode(a)) {
            case Ok o -> Verdict.success(o.data());
            case Unreadable u -> Verdict.transientFailure(unreadable());
            case Failure f -> f.verdict();
        };
    }

    /**
     * The one object a filtered list names, a map holding {@code "failure"} when the list could not be
     * read, or empty when the provider does not know the id.
     */
    private Optional<Map<String, Object>> findOne(String path, String filterField, String id) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("advertiser_id", advertiserId());
        q.put("filtering", CanonicalJson.canonicalize(Map.of(filterField, List.of(id))));
        Reply<Map<String, Object>> r = repeatable("GET", path + query(q), null);
        if (r.failure() != null) {
            return Optional.of(Map.of("failure", r.failure()));
        }
        List<?> list = (List<?>) r.answer().getOrDefault("list", List.of());
        @SuppressWarnings("unchecked")
        Optional<Map<String, Object>> first = list.stream().findFirst().map(o -> (Map<String, Object>) o);
        return first;
    }

    private Optional<List<Map<String, Object>>> listAll(String path, Map<String, Object> filtering) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int page = 1; page <= 1_000; page++) {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("advertiser_id", advertiserId());
            if (filtering != null) {
                q.put("filtering", CanonicalJson.canonicalize(filtering));
            }
            q.put("page", String.valueOf(page));
            q.put("page_size", String.valueOf(PAGE_SIZE));
            Reply<Map<String, Object>> r = repeatable("GET", path + query(q), null);
            if (r.failure() != null) {
                return Optional.empty();
            }
            for (Object o : (List<?>) r.answer().getOrDefault("list", List.of())) {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) o;
                out.add(m);
            }
            long totalPages = r.answer().get("page_info") instanceof Map<?, ?> info ? number(info.get("total_page")) : 1;
            if (page >= totalPages) {
                return Optional.of(out);
            }
        }
        return Optional.empty();
    }

    /** The credential travels only in the {@code Access-Token} header, never in a URL. */
    private WireResult send(String method, String path, Map<String, Object> body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Access-Token", account.credentials().get("access_token"))
                .header("Accept", "application/json");
        if (body != null) {
            b.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(CanonicalJson.canonicalize(body)));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return http.send(b);
    }

    /** The advertiser's currency (read once from {@code advertiser/info/}), or the outcome that stands instead. */
    private Currency currency() {
        String known = currency;
        if (known != null) {
            return new Currency(known, null);
        }
        Reply<Map<String, Object>> r = repeatable("GET", "/advertiser/info/" + query(Map.of("advertiser_ids",
                CanonicalJson.canonicalize(List.of(advertiserId())))), null);
        if (r.failure() != null) {
            return new Currency(null, r.failure());
        }
        return remember(r.answer()).map(c -> new Currency(c, null)).orElseGet(() -> new Currency(null,
                new ProviderOutcome.Rejected(RejectionKind.PROVIDER_ERROR, "advertiser_unreadable",
                        "could not read the advertiser's currency")));
    }

    private record Currency(String code, ProviderOutcome failure) {}

    private Optional<String> remember(Map<String, Object> advertiserInfo) {
        if (advertiserInfo.get("list") instanceof List<?> list && !list.isEmpty() && list.getFirst() instanceof Map<?, ?> a
                && a.get("currency") instanceof String c && Money.isKnownCurrency(c)) {
            currency = c;
            return Optional.of(c);
        }
        return Optional.empty();
    }

    /**
     * Money in another currency than the advertiser's would be read by TikTok as the advertiser's
     * currency: refused before anything is sent. {@code null} when the money may go.
     */
    private ProviderOutcome checkCurrency(Money money) {
        Currency c = currency();
        if (c.failure() != null) {
            return c.failure();
        }
        if (!c.code().equals(money.currency())) {
            return new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "currency_mismatch",
                    "the advertiser is billed in " + c.code() + ", not " + money.currency());
        }
        return null;
    }

    // ------------------------------------------------------------------ mapping

    private ProviderOutcome campaignOutcome(Map<String, Object> c) {
        if (c == null || !(c.get("campaign_id") instanceof String id)) {
            return unreadable();
        }
        Map<String, Object> data = new LinkedHashMap<>();
        putPresent(data, "status", unifiedStatus(c.get("operation_status")));
        putPresent(data, "provider_name", c.get("campaign_name"));
        return new ProviderOutcome.Succeeded(id, data, List.of());
    }

    private ProviderOutcome groupOutcome(Map<String, Object> g) {
        if (!(g.get("adgroup_id") instanceof String id)) {
            return unreadable();
        }
        Map<String, Object> data = new LinkedHashMap<>();
        putPresent(data, "status", unifiedStatus(g.get("operation_status")));
        putPresent(data, "provider_name", g.get("adgroup_name"));
        return new ProviderOutcome.Succeeded(id, data, List.of());
    }

    /** Both the {@code ad/create/} answer ({@code ad_ids}, {@code creatives}) and one {@code ad/get/} entry. */
    private ProviderOutcome adOutcome(Map<String, Object> a) {
        Map<String, Object> ad = a;
        if (a.get("ad_ids") instanceof List<?> ids && !ids.isEmpty()) {
            Map<String, Object> merged = new LinkedHashMap<>();
            if (a.get("creatives") instanceof List<?> creatives && !creatives.isEmpty()
                    && creatives.getFirst() instanceof Map<?, ?> first) {
                first.forEach((k, v) -> merged.put(String.valueOf(k), v));
            }
            merged.put("ad_id", ids.getFirst());
            ad = merged;
        }
        if (!(ad.get("ad_id") instanceof String id)) {
            return unreadable();
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", ad.get("operation_status") == null ? "active" : unifiedStatus(ad.get("operation_status")));
        if (ad.get("secondary_status") instanceof String s) {
            data.put("review_status", s.equals("AD_STATUS_NOT_APPROVED_YET") || s.contains("REVIEW") ? "in_review"
                    : s.contains("REJECT") || s.contains("NOT_APPROVED") ? "rejected" : "approved");
        }
        putPresent(data, "provider_name", ad.get("ad_name"));
        return new ProviderOutcome.Succeeded(id, data, List.of());
    }

    private static String unifiedStatus(Object operationStatus) {
        if (operationStatus == null) {
            return null;
        }
        return switch (String.valueOf(operationStatus)) {
            case "ENABLE" -> "active";
            case "DISABLE" -> "paused";
            case "DELETE" -> "deleted";
            default -> String.valueOf(operationStatus).toLowerCase(Locale.ROOT);
        };
    }

    private ProviderOutcome.Rejected rejected(RejectionKind kind, String code, String message) {
        return new ProviderOutcome.Rejected(kind, Redaction.clean(code, account.credentials()),
                Redaction.clean(message, account.credentials()));
    }

    private static ProviderOutcome checkTimes(Instant start, Instant end) {
        if (start != null && end != null && !end.isAfter(start)) {
            return new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "schedule_invalid",
                    "end_time must be after start_time");
        }
        return null;
    }

    private static String budgetMode(CampaignBudget budget) {
        return budget.period() == BudgetPeriod.DAILY ? "BUDGET_MODE_DAY" : "BUDGET_MODE_TOTAL";
    }

    /** TikTok's operation status; an object created without one is disabled (paused). */
    private static String operationStatus(Boolean active) {
        return Boolean.TRUE.equals(active) ? "ENABLE" : "DISABLE";
    }

    static Optional<List<String>> ageGroups(Object min, Object max) {
        int from = min instanceof Number n ? n.intValue() : 13;
        int to = max instanceof Number n ? n.intValue() : 65;
        List<String> out = new ArrayList<>();
        boolean startOk = false;
        boolean endOk = false;
        for (Object[] g : AGE_GROUPS) {
            int first = (int) g[0];
            int lastAge = (int) g[1];
            if (first >= from && lastAge <= to) {
                out.add((String) g[2]);
            }
            startOk |= first == from;
            endOk |= lastAge == to;
        }
        return startOk && endOk && !out.isEmpty() ? Optional.of(out) : Optional.empty();
    }

    /** TikTok's {@code request_id}: a 64-bit integer string derived from the broker reference. */
    static String requestId(String ref) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(ref.getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (h[i] & 0xff);
            }
            return Long.toString(v & Long.MAX_VALUE);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    private static long minor(Object major, String currency) {
        return new BigDecimal(String.valueOf(major)).movePointRight(Money.exponentOf(currency))
                .setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

    private static long number(Object v) {
        return v instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(v).trim());
    }

    private String advertiserId() {
        return account.scope().get("advertiser_id");
    }

    private static String query(Map<String, String> params) {
        return params.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&", "?", ""));
    }

    private static LocalDate min(LocalDate a, LocalDate b) {
        return a.isBefore(b) ? a : b;
    }
}
