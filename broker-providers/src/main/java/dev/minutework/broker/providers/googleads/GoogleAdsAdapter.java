package dev.minutework.broker.providers.googleads;

import static dev.minutework.broker.providers.http.Wire.enc;
import static dev.minutework.broker.providers.http.Wire.named;
import static dev.minutework.broker.providers.http.Wire.parse;
import static dev.minutework.broker.providers.http.Wire.referenceSuffix;
import static dev.minutework.broker.providers.http.Wire.unreadable;

import dev.minutework.broker.core.command.ExecuteCommand;
import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.core.money.Money;
import dev.minutework.broker.core.provider.ProviderAccountContext;
import dev.minutework.broker.core.provider.ProviderAdapter;
import dev.minutework.broker.core.provider.ProviderChange;
import dev.minutework.broker.core.provider.ProviderCheck;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ProviderOutcome.RejectionKind;
import dev.minutework.broker.core.provider.ProviderRequest;
import dev.minutework.broker.core.provider.ReportRow;
import dev.minutework.broker.core.spend.BudgetPeriod;
import dev.minutework.broker.providers.googleads.GoogleAdsSession.CustomerInfo;
import dev.minutework.broker.providers.googleads.GoogleAdsSession.NoToken;
import dev.minutework.broker.providers.googleads.GoogleAdsSession.TokenGrant;
import dev.minutework.broker.providers.http.Calls;
import dev.minutework.broker.providers.http.Calls.Reply;
import dev.minutework.broker.providers.http.ProviderHttp;
import dev.minutework.broker.providers.http.Redaction;
import dev.minutework.broker.providers.http.Verdict;
import dev.minutework.broker.providers.http.WireResult;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Speaks the Google Ads API (REST) for one customer (docs/providers.md, "googleads").
 *
 * <p><b>Auth.</b> Access tokens come from the OAuth refresh-token flow and are cached per provider
 * account in a {@link GoogleAdsSession} shared by all adapters of that account; one caller at a
 * time refreshes, a minute before expiry. A 401 for an
 * expired or invalid token drops it and repeats the call once with a fresh one (a 401 means the
 * provider did nothing). Every call carries {@code developer-token} and, when the scope names a
 * manager, {@code login-customer-id} in digits only.
 *
 * <p><b>Mapping.</b> Budgets and bids are micros as int64 strings in the customer's currency
 * (a different currency is refused); daily budgets are {@code amountMicros}, lifetime budgets
 * {@code totalAmountMicros} and need an end time. Times become {@code "yyyy-MM-dd HH:mm:ss"} in the
 * customer's time zone. A campaign is one atomic {@code googleAds:mutate}: a budget created under a
 * temporary resource name ({@code customers/{cid}/campaignBudgets/-1}) and the campaign that refers
 * to it ({@code SEARCH}, {@code manualCpc}, always declaring {@code containsEuPoliticalAdvertising}),
 * so there is never a budget without its campaign; a change of budget and campaign together is one
 * atomic request too.
 *
 * <p><b>Targeting.</b> Google targets locations and languages per campaign, not per ad group, in
 * Search campaigns: a group's {@code countries} become location criteria ({@code
 * geoTargetConstants/<2000 + ISO 3166-1 numeric>}) and its {@code languages} language criteria
 * ({@code languageConstants/<id>}) <i>of the group's campaign</i> ({@link GoogleAdsTargeting} holds
 * the table the factory declares). They are created in the same atomic {@code googleAds:mutate} as
 * the group, so the group and its criteria exist together or not at all, and the lookup of the group
 * by reference settles an unknown outcome of both. A campaign that targets no country (or language)
 * yet takes the group's; one that does must already target exactly the group's, else the group is
 * refused ({@code campaign_targets_other_countries}): the groups of one campaign share its countries
 * and languages, and a group that names none reaches the campaign's. Ages and context hints are not
 * mapped (declared unsupported): Google's age brackets start at 18, its last one is "65 and up", and
 * on Search ad groups they act by excluding brackets while people of unknown age stay reached, which
 * {@code age_min}/{@code age_max} cannot say; context hints are not a Google concept.
 *
 * <p><b>Creatives and ads.</b> A creative is an IMAGE asset made from the downloaded {@code
 * image_url}; its {@code headlines} and {@code descriptions} become the responsive search ad of each
 * ad that uses it. Google takes 3–15 headlines of at most 30 characters and 2–4 descriptions of at
 * most 90 and shows no call to action; a creative outside that is refused before any call (the
 * factory declares the same, so the broker refuses it before approval).
 *
 * <p><b>Dry run.</b> {@link #validate} sends every mutating action's requests with {@code
 * "validateOnly": true} (the reads they need are made as usual): Google checks them as if they
 * were carried out and keeps nothing.
 *
 * <p><b>Unknown outcomes.</b> Created objects carry the broker reference at the end of their name
 * ({@code "Winter boots [exe_…]"}; ads, which have no name, in {@code finalUrlSuffix=mw_ref=…}), so
 * a lost answer is settled by a GAQL lookup. A create is sent again after throttling or when it was
 * never sent, but after a 5xx (which may have made the object) only when the lookup proved it
 * absent. Reads and absolute updates are retried with backoff.
 */
final class GoogleAdsAdapter implements ProviderAdapter {

    static final Duration DEFAULT_QUOTA_WAIT = Duration.ofSeconds(30);
    static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);
    static final String REF_PARAM = "mw_ref=";

    private final ProviderHttp http;
    private final URI base;
    private final URI tokenUrl;
    private final ProviderAccountContext account;
    private final GoogleAdsSession session;
    private final ImageFetcher images;
    private final Clock clock;
    private final String customerId;
    private final Calls calls;

    GoogleAdsAdapter(ProviderHttp http, URI base, URI tokenUrl, ProviderAccountContext account, GoogleAdsSession session,
            ImageFetcher images, Clock clock) {
        this(http, base, tokenUrl, account, session, images, clock, Calls.FIRST_BACKOFF);
    }

    GoogleAdsAdapter(ProviderHttp http, URI base, URI tokenUrl, ProviderAccountContext account, GoogleAdsSession session,
            ImageFetcher images, Clock clock, Duration firstBackoff) {
        this.http = http;
        this.base = base;
        this.tokenUrl = tokenUrl;
        this.account = account;
        this.session = session;
        this.images = images;
        this.clock = clock;
        this.customerId = digits(account.scope().get("customer_id"));
        this.calls = new Calls(firstBackoff, Redaction.forCredentials(account.credentials()));
    }

    @Override
    public ProviderOutcome execute(ProviderRequest request) {
        return run(request, Run.EXECUTE);
    }

    /**
     * The same requests as {@link #execute}, each with {@code "validateOnly": true}: Google checks them
     * as it would carry them out and changes nothing. The reads they need (the customer's currency, a
     * campaign's budget or criteria) are made as usual; a refusal the adapter makes itself before any
     * request is the same as {@link #execute}'s. Google's own trouble (5xx, unreadable answers) means
     * it could not say: {@link ProviderOutcome.Unknown}.
     */
    @Override
    public Optional<ProviderOutcome> validate(ProviderRequest request) {
        if (!request.command().mutating()) {
            return Optional.empty();
        }
        return Optional.of(switch (run(request, Run.VALIDATE)) {
            case ProviderOutcome.Succeeded ok -> new ProviderOutcome.Succeeded(null, Map.of(), List.of());
            case ProviderOutcome.Rejected r when r.kind() == RejectionKind.PROVIDER_ERROR ->
                    new ProviderOutcome.Unknown("googleads could not check the request: " + r.message());
            case ProviderOutcome other -> other;
        });
    }

    /** Whether the mutates are carried out or only checked ({@code validateOnly}). */
    private enum Run { EXECUTE, VALIDATE }

    private ProviderOutcome run(ProviderRequest request, Run run) {
        String campaignId = request.providerIds().get("campaign_id");
        try {
            return switch (request.command()) {
                case ExecuteCommand.CreateCampaign c -> createCampaign(c, request.brokerReference(), run);
                case ExecuteCommand.UpdateCampaign u -> updateCampaign(u, campaignId, run);
                case ExecuteCommand.PauseCampaign p -> pauseCampaign(campaignId, run);
                case ExecuteCommand.CreateGroup g -> createGroup(g, campaignId, request.brokerReference(), run);
                case ExecuteCommand.CreateCreative c -> createCreative(c, request.brokerReference(), run);
                case ExecuteCommand.CreateAd ad -> createAd(ad, request, run);
                case ExecuteCommand.FetchReport r -> report(r, campaignId);
            };
        } catch (NoToken e) {
            return e.outcome; // no access token: nothing was sent to the API
        } catch (Failed e) {
            return e.outcome;
        }
    }

    // ------------------------------------------------------------------ actions

    /** The budget's temporary resource name in the request that creates it with its campaign. */
    private String temporaryBudget() {
        return "customers/" + customerId + "/campaignBudgets/-1";
    }

    private ProviderOutcome createCampaign(ExecuteCommand.CreateCampaign in, String ref, Run run) {
        boolean lifetime = in.budget().period() == BudgetPeriod.LIFETIME;
        if (lifetime && in.end() == null) {
            return new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "lifetime_budget_needs_end_time",
                    "a googleads total (lifetime) budget needs the campaign's end_time");
        }
        CustomerInfo info = customer();
        Map<String, Object> budget = new LinkedHashMap<>();
        budget.put("resourceName", temporaryBudget());
        budget.put("name", named(in.name() + " budget", ref, 255));
        budget.put(lifetime ? "totalAmountMicros" : "amountMicros", micros(in.budget().amount(), info));
        budget.put("deliveryMethod", "STANDARD");
        budget.put("explicitlyShared", false);
        Mutation both = atomic(List.of(Map.of("campaignBudgetOperation", Map.of("create", budget)),
                Map.of("campaignOperation", Map.of("create", campaign(in, ref, info, temporaryBudget())))), 1, "campaign");
        ProviderOutcome made = create(run, both, () -> lookup("campaign", "campaign.name", ref), this::objectOutcome);
        if (made instanceof ProviderOutcome.Rejected r && "campaignBudgetError:DUPLICATE_NAME".equals(r.providerCode())) {
            return campaignOfKeptBudget(in, ref, info, run);
        }
        return made;
    }

    /**
     * A budget named with this reference exists (an earlier version of this adapter sent the budget
     * and the campaign apart, and the campaign's request was lost): the campaign is made with it, once.
     */
    private ProviderOutcome campaignOfKeptBudget(ExecuteCommand.CreateCampaign in, String ref, CustomerInfo info, Run run) {
        ProviderOutcome campaign = lookup("campaign", "campaign.name", ref);
        if (!(campaign instanceof ProviderOutcome.Rejected r && r.kind() == RejectionKind.NOT_FOUND)) {
            return campaign; // made already, or cannot tell
        }
        ProviderOutcome budget = lookup("campaign_budget", "campaign_budget.name", ref);
        if (!(budget instanceof ProviderOutcome.Succeeded kept)) {
            return new ProviderOutcome.Unknown("the campaign budget of " + ref + " could not be confirmed");
        }
        Mutation one = service("campaigns", Map.of("create", campaign(in, ref, info,
                (String) kept.data().get("resource_name"))), "campaign");
        return create(run, one, () -> lookup("campaign", "campaign.name", ref), this::objectOutcome);
    }

    private Map<String, Object> campaign(ExecuteCommand.CreateCampaign in, String ref, CustomerInfo info, String budget) {
        Map<String, Object> campaign = new LinkedHashMap<>();
        campaign.put("name", named(in.name(), ref, 255));
        campaign.put("advertisingChannelType", "SEARCH");
        campaign.put("status", status(in.active()));
        campaign.put("campaignBudget", budget);
        campaign.put("manualCpc", Map.of());
        campaign.put("containsEuPoliticalAdvertising", "DOES_NOT_CONTAIN_EU_POLITICAL_ADVERTISING");
        putDateTime(campaign, "startDateTime", in.start(), info);
        putDateTime(campaign, "endDateTime", in.end(), info);
        return campaign;
    }

    private ProviderOutcome updateCampaign(ExecuteCommand.UpdateCampaign in, String campaignId, Run run) {
        String resource = "customers/" + customerId + "/campaigns/" + campaignId;
        Map<String, Object> current = null;
        if (in.name() != null || in.budget() != null) {
            Page page = search("SELECT campaign.resource_name, campaign.name, campaign.campaign_budget, "
                    + "campaign_budget.amount_micros, campaign_budget.total_amount_micros FROM campaign WHERE campaign.id = "
                    + number(campaignId), null);
            if (page.rows().isEmpty()) {
                return new ProviderOutcome.Rejected(RejectionKind.NOT_FOUND, "campaign_not_found",
                        "no campaign " + campaignId + " in the customer");
            }
            current = page.rows().getFirst();
        }
        List<Map<String, Object>> operations = new ArrayList<>();
        if (in.budget() != null) {
            Map<?, ?> existing = (Map<?, ?>) current.getOrDefault("campaignBudget", Map.of());
            boolean lifetime = in.budget().period() == BudgetPeriod.LIFETIME;
            String field = lifetime ? "totalAmountMicros" : "amountMicros";
            if (!existing.containsKey(field)) {
                return new ProviderOutcome.Rejected(RejectionKind.UNSUPPORTED, "budget_period_change",
                        "a googleads budget cannot switch between daily and lifetime");
            }
            Map<String, Object> update = new LinkedHashMap<>();
            update.put("resourceName", ((Map<?, ?>) current.get("campaign")).get("campaignBudget"));
            update.put(field, micros(in.budget().amount(), customer()));
            operations.add(Map.of("campaignBudgetOperation", Map.of("update", update, "updateMask", field)));
        }
        Map<String, Object> update = new LinkedHashMap<>();
        update.put("resourceName", resource);
        List<String> mask = new ArrayList<>();
        if (in.name() != null) {
            // keep the broker reference the campaign was created with
            update.put("name", in.name() + referenceSuffix((String) ((Map<?, ?>) current.get("campaign")).get("name")));
            mask.add("name");
        }
        if (in.active() != null) {
            update.put("status", status(in.active()));
            mask.add("status");
        }
        if (in.end() != null) {
            putDateTime(update, "endDateTime", in.end(), customer());
            mask.add("endDateTime");
        }
        Map<String, Object> campaignUpdate = Map.of("update", update, "updateMask", String.join(",", mask));
        if (operations.isEmpty()) {
            return mask.isEmpty() ? new ProviderOutcome.Succeeded(campaignId, Map.of("resource_name", resource), List.of())
                    : update(run, service("campaigns", campaignUpdate, "campaign"));
        }
        if (mask.isEmpty()) {
            ProviderOutcome done = update(run, atomic(operations, 0, "campaignBudget"));
            return done instanceof ProviderOutcome.Succeeded
                    ? new ProviderOutcome.Succeeded(campaignId, Map.of("resource_name", resource), List.of()) : done;
        }
        // the budget and the campaign change together or not at all
        operations.add(Map.of("campaignOperation", campaignUpdate));
        return update(run, atomic(operations, 1, "campaign"));
    }

    private ProviderOutcome pauseCampaign(String campaignId, Run run) {
        Map<String, Object> update = new LinkedHashMap<>();
        update.put("resourceName", "customers/" + customerId + "/campaigns/" + campaignId);
        update.put("status", "PAUSED");
        return update(run, service("campaigns", Map.of("update", update, "updateMask", "status"), "campaign"));
    }

    /**
     * An ad group; its countries and languages become location and language criteria of its campaign
     * (Google targets them per campaign), created in the same atomic request as the group. A campaign
     * that targets none yet takes the group's; one that does must target exactly the group's, or the
     * group is refused: groups of one campaign share its countries and languages.
     */
    private ProviderOutcome createGroup(ExecuteCommand.CreateGroup in, String campaignId, String ref, Run run) {
        ExecuteCommand.Targeting t = in.targeting();
        ProviderOutcome unmapped = unmappedTargeting(t);
        if (unmapped != null) {
            return unmapped;
        }
        String campaign = "customers/" + customerId + "/campaigns/" + number(campaignId);
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("name", named(in.name(), ref, 255));
        group.put("campaign", campaign);
        group.put("status", status(in.active()));
        group.put("type", "SEARCH_STANDARD");
        if (in.bid() != null) {
            group.put("cpcBidMicros", micros(in.bid(), customer()));
        }
        List<Map<String, Object>> criteria = new ArrayList<>();
        if (!t.countries().isEmpty() || !t.languages().isEmpty()) {
            CampaignTargeting now = campaignTargeting(campaignId);
            Set<Long> countries = ids(t.countries(), GoogleAdsTargeting.COUNTRIES);
            Set<Long> languages = ids(t.languages(), GoogleAdsTargeting.LANGUAGES);
            ProviderOutcome differs = differs("countries", campaignId, now.locations(), countries,
                    GoogleAdsTargeting.COUNTRIES, "geoTargetConstants");
            differs = differs != null ? differs : differs("languages", campaignId, now.languages(), languages,
                    GoogleAdsTargeting.LANGUAGES, "languageConstants");
            if (differs != null) {
                return differs;
            }
            if (now.locations().isEmpty()) {
                countries.forEach(id -> criteria.add(criterion(campaign, "location",
                        Map.of("geoTargetConstant", "geoTargetConstants/" + id))));
            }
            if (now.languages().isEmpty()) {
                languages.forEach(id -> criteria.add(criterion(campaign, "language",
                        Map.of("languageConstant", "languageConstants/" + id))));
            }
        }
        Supplier<ProviderOutcome> lookup = () -> lookup("ad_group", "ad_group.name", ref);
        if (criteria.isEmpty()) {
            return create(run, service("adGroups", Map.of("create", group), "adGroup"), lookup, this::objectOutcome);
        }
        // one request: the group and its campaign's criteria exist together or not at all, so a lookup
        // of the group by reference settles both
        List<Map<String, Object>> operations = new ArrayList<>();
        operations.add(Map.of("adGroupOperation", Map.of("create", group)));
        operations.addAll(criteria);
        return create(run, atomic(operations, 0, "adGroup"), lookup, this::objectOutcome);
    }

    private static Map<String, Object> criterion(String campaign, String field, Map<String, Object> constant) {
        return Map.of("campaignCriterionOperation", Map.of("create", Map.of("campaign", campaign, field, constant)));
    }

    /** Why the targeting cannot be mapped (what the factory's declaration already refuses), or null. */
    static ProviderOutcome unmappedTargeting(ExecuteCommand.Targeting t) {
        List<String> unmapped = new ArrayList<>();
        t.countries().stream().filter(c -> !GoogleAdsTargeting.COUNTRIES.containsKey(c)).forEach(unmapped::add);
        t.languages().stream().filter(l -> !GoogleAdsTargeting.LANGUAGES.containsKey(l)).forEach(unmapped::add);
        if (t.ageMin() != null || t.ageMax() != null) {
            unmapped.add("age_min/age_max");
        }
        if (!t.contextHints().isEmpty()) {
            unmapped.add("context_hints");
        }
        return unmapped.isEmpty() ? null : new ProviderOutcome.Rejected(RejectionKind.UNSUPPORTED, "targeting_unsupported",
                "googleads maps countries and languages of its table only, and no ages or context hints: "
                        + String.join(", ", unmapped));
    }

    private static Set<Long> ids(List<String> codes, Map<String, Long> table) {
        Set<Long> out = new LinkedHashSet<>();
        codes.forEach(code -> out.add(table.get(code)));
        return out;
    }

    /** The refusal when the campaign already targets other criteria of a kind than the group names, or null. */
    private static ProviderOutcome differs(String what, String campaignId, Set<Long> campaign, Set<Long> group,
            Map<String, Long> table, String constants) {
        if (group.isEmpty() || campaign.isEmpty() || campaign.equals(group)) {
            return null;
        }
        return new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "campaign_targets_other_" + what,
                "googleads targets " + what + " per campaign: campaign " + campaignId + " targets "
                        + codes(campaign, table, constants) + ", not " + codes(group, table, constants)
                        + "; the groups of one campaign share its " + what);
    }

    private static List<String> codes(Set<Long> ids, Map<String, Long> table, String constants) {
        return ids.stream().map(id -> GoogleAdsTargeting.codeOf(table, id, constants)).sorted().toList();
    }

    /** The location and language criterion ids a campaign targets (its positive criteria). */
    private record CampaignTargeting(Set<Long> locations, Set<Long> languages) {}

    private CampaignTargeting campaignTargeting(String campaignId) {
        Set<Long> locations = new LinkedHashSet<>();
        Set<Long> languages = new LinkedHashSet<>();
        String query = "SELECT campaign_criterion.criterion_id, campaign_criterion.type, campaign_criterion.negative "
                + "FROM campaign_criterion WHERE campaign.id = " + number(campaignId)
                + " AND campaign_criterion.type IN ('LOCATION', 'LANGUAGE')";
        String pageToken = null;
        int pages = 0;
        do {
            Page page = search(query, pageToken);
            for (Map<String, Object> row : page.rows()) {
                if (!(row.get("campaignCriterion") instanceof Map<?, ?> c) || Boolean.TRUE.equals(c.get("negative"))) {
                    continue; // an exclusion narrows, it does not target
                }
                long id = int64(c.get("criterionId"));
                (("LOCATION".equals(c.get("type"))) ? locations : languages).add(id);
            }
            pageToken = page.nextPageToken();
        } while (pageToken != null && ++pages < 100);
        return new CampaignTargeting(locations, languages);
    }

    private ProviderOutcome createCreative(ExecuteCommand.CreateCreative in, String ref, Run run) {
        ProviderOutcome unfit = responsiveSearchAdUnfit(in);
        if (unfit != null) {
            return unfit;
        }
        byte[] image;
        try {
            image = images.fetch(in.imageUrl());
        } catch (IOException | RuntimeException e) {
            return new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "image_unavailable",
                    Redaction.clean("the creative's image could not be downloaded: " + e.getMessage(), account.credentials()));
        }
        if (image.length == 0 || image.length > ImageFetcher.MAX_BYTES) {
            return new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "image_size",
                    "googleads image assets need 1 byte to 5,120 KB of image data");
        }
        Map<String, Object> asset = new LinkedHashMap<>();
        asset.put("name", named(in.name(), ref, 255));
        asset.put("type", "IMAGE");
        asset.put("imageAsset", Map.of("data", Base64.getEncoder().encodeToString(image)));
        return create(run, service("assets", Map.of("create", asset), "asset"),
                () -> lookup("asset", "asset.name", ref), this::objectOutcome);
    }

    /** The responsive search ad of the creative the ad names: its headlines and descriptions, its landing page. */
    private ProviderOutcome createAd(ExecuteCommand.CreateAd in, ProviderRequest request, Run run) {
        ExecuteCommand.CreateCreative creative = request.reference("creative_id", ExecuteCommand.CreateCreative.class);
        if (creative == null || request.providerIds().get("creative_id") == null) {
            return new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "creative_unknown",
                    "the ad's creative is not known to the broker");
        }
        String ref = request.brokerReference();
        Map<String, Object> rsa = new LinkedHashMap<>();
        rsa.put("headlines", creative.headlines().stream().map(t -> Map.of("text", t)).toList());
        rsa.put("descriptions", creative.descriptions().stream().map(t -> Map.of("text", t)).toList());
        Map<String, Object> ad = new LinkedHashMap<>();
        ad.put("finalUrls", List.of(creative.landingUrl().toString()));
        ad.put("finalUrlSuffix", REF_PARAM + enc(ref));
        ad.put("responsiveSearchAd", rsa);
        Map<String, Object> adGroupAd = new LinkedHashMap<>();
        adGroupAd.put("adGroup", "customers/" + customerId + "/adGroups/" + request.providerIds().get("group_id"));
        adGroupAd.put("status", status(in.active()));
        adGroupAd.put("ad", ad);
        return create(run, service("adGroupAds", Map.of("create", adGroupAd), "adGroupAd"), () -> lookupAd(ref),
                this::adOutcome);
    }

    /**
     * Why the creative's texts cannot become a responsive search ad (3–15 headlines of at most 30
     * characters, 2–4 descriptions of at most 90, no call to action: what the factory declares), or
     * null when they can. Checked when the creative is made, since Google sees the texts only in the ad.
     */
    static ProviderOutcome responsiveSearchAdUnfit(ExecuteCommand.CreateCreative creative) {
        if (!fits(creative.headlines(), 3, 15, 30)) {
            return new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "rsa_headlines",
                    "googleads responsive search ads need 3 to 15 headlines of at most 30 characters, not "
                            + lengths(creative.headlines()));
        }
        if (!fits(creative.descriptions(), 2, 4, 90)) {
            return new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "rsa_descriptions",
                    "googleads responsive search ads need 2 to 4 descriptions of at most 90 characters, not "
                            + lengths(creative.descriptions()));
        }
        if (creative.callToAction() != null) {
            return new ProviderOutcome.Rejected(RejectionKind.UNSUPPORTED, "rsa_call_to_action",
                    "googleads responsive search ads show no call to action");
        }
        return null;
    }

    private static boolean fits(List<String> texts, int min, int max, int length) {
        return texts.size() >= min && texts.size() <= max
                && texts.stream().noneMatch(t -> t.isBlank() || t.codePointCount(0, t.length()) > length);
    }

    /** How many texts and how long each is, for a refusal (the texts themselves are the tenant's). */
    private static String lengths(List<String> texts) {
        return texts.size() + " (" + texts.stream().map(t -> String.valueOf(t.codePointCount(0, t.length())))
                .collect(java.util.stream.Collectors.joining(", ")) + " characters)";
    }

    private ProviderOutcome report(ExecuteCommand.FetchReport in, String campaignId) {
        CustomerInfo info = customer();
        boolean daily = !in.total();
        LocalDate since = in.since();
        LocalDate until = in.until();
        String query = "SELECT campaign.id, metrics.impressions, metrics.clicks, metrics.cost_micros"
                + (daily ? ", segments.date" : "") + " FROM campaign WHERE segments.date BETWEEN '" + since + "' AND '"
                + until + "'" + (campaignId == null ? "" : " AND campaign.id = " + number(campaignId));
        List<ReportRow> rows = new ArrayList<>();
        String pageToken = null;
        int pages = 0;
        do {
            Page page = search(query, pageToken);
            for (Map<String, Object> r : page.rows()) {
                Map<?, ?> c = (Map<?, ?>) r.get("campaign");
                Map<?, ?> m = (Map<?, ?>) r.getOrDefault("metrics", Map.of());
                Map<?, ?> s = (Map<?, ?>) r.getOrDefault("segments", Map.of());
                LocalDate date = daily ? LocalDate.parse((String) s.get("date")) : since;
                rows.add(new ReportRow(date, String.valueOf(c.get("id")), int64(m.get("impressions")), int64(m.get("clicks")),
                        minor(int64(m.get("costMicros")), info.currency()), info.currency()));
            }
            pageToken = page.nextPageToken();
        } while (pageToken != null && ++pages < 10_000);
        return new ProviderOutcome.Succeeded(null, Map.of(), rows);
    }

    // ------------------------------------------------------------------ polling (no webhooks)

    /** Google's change_status reaches back 90 days; the adapter asks for a day less, so a clock skew cannot cross it. */
    static final Duration CHANGE_STATUS_REACH = Duration.ofDays(89);
    /** The most rows a change_status query may ask for. */
    static final int CHANGE_STATUS_LIMIT = 10_000;
    private static final int IN_LIST = 500;
    private static final DateTimeFormatter CHANGE_TIME = new DateTimeFormatterBuilder().appendPattern("yyyy-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd().toFormatter(Locale.ROOT);

    /**
     * Lists {@code change_status} rows of campaigns and ad group ads changed since {@code since}
     * (account time zone), then reads the current status of those campaigns and the policy approval
     * of those ads. Campaign status ENABLED, PAUSED, REMOVED → active, paused, removed_at_provider;
     * approval APPROVED (also limited or area of interest only) → approved, DISAPPROVED → rejected;
     * an ad still in review says nothing. Change id: the change_status resource name and its time.
     * At most {@value #CHANGE_STATUS_LIMIT} changed objects a call; the rest come with the next one
     * (the caller asks again from the last change time it got).
     */
    @Override
    public Optional<List<ProviderChange>> changesSince(Instant since) {
        try {
            return Optional.of(changes(since));
        } catch (NoToken e) {
            throw new ProviderChange.Unavailable("googleads refused the OAuth refresh (" + e.outcome.providerCode() + ")");
        } catch (Failed e) {
            String why = e.outcome instanceof ProviderOutcome.Rejected r ? "refused (" + r.providerCode() + ")"
                    : e.outcome instanceof ProviderOutcome.RateLimited ? "rate limited" : "unreachable or unreadable";
            throw new ProviderChange.Unavailable("googleads could not list its changes: " + why);
        }
    }

    private record Changed(String changeId, String type, String resource, Instant at) {}

    private List<ProviderChange> changes(Instant since) {
        ZoneId zone = ZoneId.of(customer().timeZone());
        Instant floor = clock.instant().minus(CHANGE_STATUS_REACH);
        Instant from = since.isBefore(floor) ? floor : since;
        List<Changed> changed = new ArrayList<>();
        for (Map<String, Object> row : searchAll("SELECT change_status.resource_name, change_status.last_change_date_time, "
                + "change_status.resource_type, change_status.resource_status, change_status.campaign, "
                + "change_status.ad_group_ad FROM change_status WHERE change_status.last_change_date_time >= '"
                + from.atZone(zone).format(DATE_TIME) + "' AND change_status.resource_type IN ('CAMPAIGN', 'AD_GROUP_AD') "
                + "ORDER BY change_status.last_change_date_time LIMIT " + CHANGE_STATUS_LIMIT)) {
            if (!(row.get("changeStatus") instanceof Map<?, ?> cs) || !(cs.get("resourceName") instanceof String name)
                    || !(cs.get("lastChangeDateTime") instanceof String time) || !(cs.get("resourceType") instanceof String type)) {
                continue;
            }
            Object resource = "CAMPAIGN".equals(type) ? cs.get("campaign") : cs.get("adGroupAd");
            if (!(resource instanceof String r) || !r.matches("customers/[0-9]+/(campaigns/[0-9]+|adGroupAds/[0-9]+~[0-9]+)")) {
                continue;
            }
            Instant at;
            try {
                at = LocalDateTime.parse(time, CHANGE_TIME).atZone(zone).toInstant();
            } catch (DateTimeParseException e) {
                continue; // a time we cannot read cannot be ordered or deduplicated; the object is not lost, only this row
            }
            changed.add(new Changed(name + "@" + time, type, r, at));
        }
        Map<String, String> campaigns = currentValues("campaign", "campaign.resource_name", "campaign.status",
                changed.stream().filter(c -> "CAMPAIGN".equals(c.type())).map(Changed::resource).toList());
        Map<String, String> ads = currentValues("ad_group_ad", "ad_group_ad.resource_name",
                "ad_group_ad.policy_summary.approval_status",
                changed.stream().filter(c -> !"CAMPAIGN".equals(c.type())).map(Changed::resource).toList());
        List<ProviderChange> out = new ArrayList<>();
        for (Changed c : changed) {
            String id = c.resource().substring(c.resource().lastIndexOf('/') + 1);
            if ("CAMPAIGN".equals(c.type())) {
                String value = switch (campaigns.getOrDefault(c.resource(), "REMOVED")) {
                    case "ENABLED" -> "active";
                    case "PAUSED" -> "paused";
                    case "REMOVED" -> "removed_at_provider";
                    default -> null;
                };
                if (value != null) {
                    out.add(new ProviderChange(c.changeId(), ProviderChange.Kind.CAMPAIGN_STATUS, id, value, c.at()));
                }
            } else {
                String value = switch (ads.getOrDefault(c.resource(), "UNKNOWN")) {
                    case "APPROVED", "APPROVED_LIMITED", "AREA_OF_INTEREST_ONLY" -> "approved";
                    case "DISAPPROVED" -> "rejected";
                    default -> null;
                };
                if (value != null) {
                    out.add(new ProviderChange(c.changeId(), ProviderChange.Kind.AD_REVIEW, id, value, c.at()));
                }
            }
        }
        return out;
    }

    /** One field's current value of the named resources, by resource name, read in batches. */
    private Map<String, String> currentValues(String from, String nameField, String valueField, List<String> names) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> distinct = List.copyOf(new LinkedHashSet<>(names));
        for (int i = 0; i < distinct.size(); i += IN_LIST) {
            String in = String.join(", ", distinct.subList(i, Math.min(distinct.size(), i + IN_LIST)).stream()
                    .map(n -> "'" + gaqlString(n) + "'").toList());
            for (Map<String, Object> row : searchAll("SELECT " + nameField + ", " + valueField + " FROM " + from
                    + " WHERE " + nameField + " IN (" + in + ")")) {
                Object value = row;
                for (String part : valueField.split("\\.")) {
                    value = value instanceof Map<?, ?> m ? m.get(camel(part)) : null;
                }
                if (row.get(camel(from)) instanceof Map<?, ?> o && o.get("resourceName") instanceof String name
                        && value instanceof String v) {
                    out.put(name, v);
                }
            }
        }
        return out;
    }

    private List<Map<String, Object>> searchAll(String query) {
        List<Map<String, Object>> rows = new ArrayList<>();
        String pageToken = null;
        int pages = 0;
        do {
            Page page = search(query, pageToken);
            rows.addAll(page.rows());
            pageToken = page.nextPageToken();
        } while (pageToken != null && ++pages < 1_000);
        return rows;
    }

    // ------------------------------------------------------------------ reconciliation and checks

    @Override
    public ProviderOutcome reconcile(String action, String brokerReference) {
        try {
            return switch (action) {
                case "ads.create_campaign" -> lookup("campaign", "campaign.name", brokerReference);
                case "ads.create_group" -> lookup("ad_group", "ad_group.name", brokerReference);
                case "ads.create_creative" -> lookup("asset", "asset.name", brokerReference);
                case "ads.create_ad" -> lookupAd(brokerReference);
                // updates set absolute values: the broker may repeat them
                default -> new ProviderOutcome.Unknown("googleads cannot look up " + action + " by reference; repeat it");
            };
        } catch (NoToken | Failed e) {
            return new ProviderOutcome.Unknown("could not look up " + brokerReference + " at googleads");
        }
    }

    /** The object of one resource whose name ends with the reference. */
    private ProviderOutcome lookup(String resource, String nameField, String ref) {
        String fields = switch (resource) {
            case "campaign" -> "campaign.resource_name, campaign.id, campaign.name, campaign.status";
            case "campaign_budget" -> "campaign_budget.resource_name, campaign_budget.id, campaign_budget.name";
            case "ad_group" -> "ad_group.resource_name, ad_group.id, ad_group.name, ad_group.status";
            default -> "asset.resource_name, asset.id, asset.name";
        };
        String removed = resource.equals("asset") ? "" : " AND " + resource + ".status != 'REMOVED'";
        Page page = search("SELECT " + fields + " FROM " + resource + " WHERE " + nameField + " LIKE '%"
                + gaqlString(likeLiteral(" [" + ref + "]")) + "'" + removed, null);
        if (page.rows().isEmpty()) {
            return new ProviderOutcome.Rejected(RejectionKind.NOT_FOUND, "not_found", "no object carries the reference " + ref);
        }
        String key = GoogleAdsAdapter.camel(resource);
        @SuppressWarnings("unchecked")
        Map<String, Object> found = (Map<String, Object>) page.rows().getFirst().get(key);
        return objectOutcome(found);
    }

    private ProviderOutcome lookupAd(String ref) {
        Page page = search("SELECT ad_group_ad.resource_name, ad_group_ad.status, ad_group_ad.ad.id, "
                + "ad_group_ad.policy_summary.review_status, ad_group_ad.policy_summary.approval_status FROM ad_group_ad "
                + "WHERE ad_group_ad.ad.final_url_suffix = '" + gaqlString(REF_PARAM + enc(ref)) + "'", null);
        if (page.rows().isEmpty()) {
            return new ProviderOutcome.Rejected(RejectionKind.NOT_FOUND, "not_found", "no ad carries the reference " + ref);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> found = (Map<String, Object>) page.rows().getFirst().get("adGroupAd");
        return adOutcome(found);
    }

    @Override
    public List<ProviderCheck> checks() {
        String where = base.getHost();
        try {
            token();
        } catch (NoToken e) {
            return List.of(new ProviderCheck("credentials_authenticate", false,
                            "the OAuth refresh was refused (" + e.outcome.providerCode() + ")"),
                    new ProviderCheck("developer_token_approved", false, "not checked: authentication failed"),
                    new ProviderCheck("account_reachable", false, "not checked: authentication failed"));
        }
        WireResult r = send("POST", "/customers/" + customerId + "/googleAds:search",
                Map.of("query", "SELECT customer.id, customer.currency_code, customer.time_zone FROM customer"));
        return switch (r) {
            case WireResult.Answered a when a.status() / 100 == 2 -> List.of(
                    new ProviderCheck("credentials_authenticate", true, "the OAuth credentials are accepted"),
                    new ProviderCheck("developer_token_approved", true, "the developer token is accepted"),
                    new ProviderCheck("account_reachable", true, "customer " + customerId + " answers at " + where));
            case WireResult.Answered a -> {
                String code = errorCode(a).orElse("http_" + a.status());
                if (code.startsWith("authenticationError:")) {
                    yield List.of(new ProviderCheck("credentials_authenticate", false, "the access token is refused (" + code + ")"),
                            new ProviderCheck("developer_token_approved", false, "not checked: authentication failed"),
                            new ProviderCheck("account_reachable", false, "not checked: authentication failed"));
                }
                if (code.startsWith("authorizationError:DEVELOPER_TOKEN")) {
                    yield List.of(new ProviderCheck("credentials_authenticate", true, "the OAuth credentials are accepted"),
                            new ProviderCheck("developer_token_approved", false, "the developer token is refused (" + code + ")"),
                            new ProviderCheck("account_reachable", false, "not checked: developer token refused"));
                }
                yield List.of(new ProviderCheck("credentials_authenticate", true, "the OAuth credentials are accepted"),
                        new ProviderCheck("account_reachable", false, "customer " + customerId + " is not reachable ("
                                + Redaction.clean(code, account.credentials()) + ")"));
            }
            case WireResult.NotSent n -> List.of(new ProviderCheck("provider_reachable", false, "cannot connect to " + where));
            case WireResult.Lost l -> List.of(new ProviderCheck("provider_reachable", false, "no answer from " + where));
        };
    }

    // ------------------------------------------------------------------ wire: creates, mutates, search

    /** A mutate's provider-neutral result could not be had; carries the outcome. */
    private static final class Failed extends RuntimeException {
        final ProviderOutcome outcome;

        Failed(ProviderOutcome outcome) {
            super(null, null, false, false);
            this.outcome = outcome;
        }
    }

    /**
     * One mutate request: where it goes, what it carries, and how to find, in a 2xx answer, the
     * resource the action made or changed ({@code MUTABLE_RESOURCE}: its name and its fields).
     */
    private record Mutation(String path, Map<String, Object> body,
            Function<WireResult.Answered, Optional<Map<String, Object>>> result) {}

    /** A service's own mutate of one operation, e.g. {@code campaigns:mutate}. */
    private Mutation service(String collection, Map<String, Object> operation, String key) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("operations", List.of(operation));
        body.put("responseContentType", "MUTABLE_RESOURCE");
        return new Mutation("/customers/" + customerId + "/" + collection + ":mutate", body, a -> firstResult(a, key));
    }

    /**
     * {@code googleAds:mutate}: the operations (each {@code {<resource>Operation: {…}}}) are applied
     * together or not at all; the action's resource is the answer's {@code index}th, a {@code key}.
     */
    private Mutation atomic(List<Map<String, Object>> operations, int index, String key) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("mutateOperations", operations);
        body.put("responseContentType", "MUTABLE_RESOURCE");
        return new Mutation("/customers/" + customerId + "/googleAds:mutate", body, a -> operationResult(a, index, key));
    }

    /**
     * A create: sent again after throttling or when it was never sent; never sent again after an answer
     * that may have made the object (5xx) unless a lookup proved it absent (see {@link Calls#create}).
     * In a validation, the same request checked.
     */
    private ProviderOutcome create(Run run, Mutation m, Supplier<ProviderOutcome> lookup,
            Function<Map<String, Object>, ProviderOutcome> ok) {
        if (run == Run.VALIDATE) {
            return check(m);
        }
        return calls.create(() -> send("POST", m.path(), m.body()), answer -> createVerdict(answer, m, ok),
                () -> safely(lookup), "the answer to a create (" + m.path().substring(m.path().lastIndexOf('/') + 1)
                        + ") was lost; reconcile by reference");
    }

    /** A lookup whose own failure means "cannot tell". */
    private static ProviderOutcome safely(Supplier<ProviderOutcome> lookup) {
        try {
            return lookup.get();
        } catch (NoToken | Failed e) {
            return new ProviderOutcome.Unknown("the lookup by reference failed");
        }
    }

    /** An absolute update: safe to repeat on 429, 5xx, unsent or lost. In a validation, the same request checked. */
    private ProviderOutcome update(Run run, Mutation m) {
        if (run == Run.VALIDATE) {
            return check(m);
        }
        WireResult.Answered a = repeatable(m.path(), m.body());
        return m.result().apply(a).map(this::objectOutcome).orElseGet(() -> unreadable());
    }

    /**
     * The request with {@code validateOnly}: Google validates it as if it were carried out and changes
     * nothing, so it may be sent again like a read. A 2xx answer (Google's is empty: "only errors are
     * returned, not results") is a success without an object.
     */
    private ProviderOutcome check(Mutation m) {
        Map<String, Object> body = new LinkedHashMap<>(m.body());
        body.put("validateOnly", true);
        Reply<WireResult.Answered> reply = calls.repeat(() -> send("POST", m.path(), body), this::readVerdict);
        return reply.failure() != null ? reply.failure() : new ProviderOutcome.Succeeded(null, Map.of(), List.of());
    }

    private record Page(List<Map<String, Object>> rows, String nextPageToken) {}

    private Page search(String query, String pageToken) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("query", query);
        if (pageToken != null) {
            body.put("pageToken", pageToken);
        }
        WireResult.Answered a = repeatable("/customers/" + customerId + "/googleAds:search", body);
        Map<String, Object> json = parse(a.body()).orElseThrow(() -> new Failed(unreadable()));
        List<Map<String, Object>> rows = new ArrayList<>();
        if (json.get("results") instanceof List<?> results) {
            for (Object o : results) {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) o;
                rows.add(m);
            }
        }
        String next = json.get("nextPageToken") instanceof String t && !t.isEmpty() ? t : null;
        return new Page(rows, next);
    }

    /** Reads and absolute updates: a 2xx answer, or {@link Failed} with the outcome that stands instead. */
    private WireResult.Answered repeatable(String path, Map<String, Object> body) {
        Reply<WireResult.Answered> reply = calls.repeat(() -> send("POST", path, body), this::readVerdict);
        if (reply.failure() != null) {
            throw new Failed(reply.failure());
        }
        return reply.answer();
    }

    /** A mutate's 2xx answer holds the made resource under {@code key}; without it it cannot be read. */
    private Verdict<ProviderOutcome> createVerdict(WireResult.Answered a, Mutation m,
            Function<Map<String, Object>, ProviderOutcome> ok) {
        if (a.status() / 100 != 2) {
            return failureVerdict(a);
        }
        Optional<Map<String, Object>> made = m.result().apply(a);
        return made.isPresent() ? Verdict.success(ok.apply(made.get())) : Verdict.unreadableSuccess();
    }

    /** Searches and updates read the 2xx answer themselves. */
    private Verdict<WireResult.Answered> readVerdict(WireResult.Answered a) {
        return a.status() / 100 == 2 ? Verdict.success(a) : failureVerdict(a);
    }

    /** A failed answer: 429 or a quota error throttles, 5xx is transient, anything else is refused. */
    private <T> Verdict<T> failureVerdict(WireResult.Answered a) {
        if (rateLimited(a)) {
            return Verdict.throttled(retryDelay(a));
        }
        return a.status() >= 500 ? Verdict.transientFailure(rejected(a)) : Verdict.refused(rejected(a));
    }

    /**
     * One API call with a current access token; a 401 for an expired or invalid token drops the
     * token and repeats the call once (the provider did nothing with it).
     */
    private WireResult send(String method, String path, Map<String, Object> body) {
        String token = token();
        WireResult r = sendWith(token, method, path, body);
        if (r instanceof WireResult.Answered a && a.status() == 401
                && errorCode(a).filter(c -> c.equals("authenticationError:OAUTH_TOKEN_EXPIRED")
                        || c.equals("authenticationError:OAUTH_TOKEN_INVALID")).isPresent()) {
            session.invalidate(token);
            r = sendWith(token(), method, path, body);
        }
        return r;
    }

    private WireResult sendWith(String token, String method, String path, Map<String, Object> body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + token)
                .header("developer-token", account.credentials().get("developer_token"))
                .header("Accept", "application/json");
        String login = account.scope().get("login_customer_id");
        if (login != null && !login.isBlank()) {
            b.header("login-customer-id", digits(login));
        }
        if (body != null) {
            b.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(CanonicalJson.canonicalize(body)));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return http.send(b);
    }

    private String token() {
        return session.accessToken(clock, this::refreshToken);
    }

    /** The OAuth refresh-token grant; the secrets travel only in the form body. */
    private TokenGrant refreshToken() {
        String form = "grant_type=refresh_token&client_id=" + enc(account.credentials().get("client_id"))
                + "&client_secret=" + enc(account.credentials().get("client_secret"))
                + "&refresh_token=" + enc(account.credentials().get("refresh_token"));
        // sent again when unsent, lost or answered 5xx; any other answer ends it. Whatever the last
        // attempt brought is mapped below (the verdict's own outcome is not used).
        WireResult[] last = new WireResult[1];
        calls.repeat(() -> last[0] = http.send(HttpRequest.newBuilder(tokenUrl)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Accept", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(form))),
                a -> a.status() < 500 ? Verdict.success(a) : Verdict.transientFailure(new ProviderOutcome.Rejected(
                        RejectionKind.PROVIDER_ERROR, "oauth:http_" + a.status(), "the OAuth token endpoint failed")));
        return switch (last[0]) {
            case WireResult.Answered a when a.status() == 200 -> {
                Optional<Map<String, Object>> json = parse(a.body());
                if (json.isPresent() && json.get().get("access_token") instanceof String t && !t.isEmpty()) {
                    long seconds = json.get().get("expires_in") instanceof Number n ? n.longValue() : 3_600;
                    yield new TokenGrant(t, Duration.ofSeconds(seconds), null);
                }
                yield new TokenGrant(null, null, new ProviderOutcome.Rejected(RejectionKind.PROVIDER_ERROR,
                        "oauth:unreadable_answer", "the OAuth token endpoint's answer had no access token"));
            }
            case WireResult.Answered a -> {
                Optional<Map<String, Object>> json = parse(a.body());
                String error = json.map(j -> j.get("error")).filter(String.class::isInstance).map(String.class::cast)
                        .orElse("http_" + a.status());
                String description = json.map(j -> j.get("error_description")).filter(String.class::isInstance)
                        .map(String.class::cast).orElse("HTTP " + a.status());
                RejectionKind kind = a.status() >= 500 ? RejectionKind.PROVIDER_ERROR : RejectionKind.AUTH_FAILED;
                yield new TokenGrant(null, null, new ProviderOutcome.Rejected(kind,
                        Redaction.clean("oauth:" + error, account.credentials()),
                        Redaction.clean("OAuth refresh refused: " + description, account.credentials())));
            }
            case WireResult.NotSent n -> new TokenGrant(null, null, new ProviderOutcome.Rejected(RejectionKind.PROVIDER_ERROR,
                    "oauth:unreachable", "cannot reach the OAuth token endpoint at " + tokenUrl.getHost()));
            case WireResult.Lost l -> new TokenGrant(null, null, new ProviderOutcome.Rejected(RejectionKind.PROVIDER_ERROR,
                    "oauth:no_answer", "no answer from the OAuth token endpoint at " + tokenUrl.getHost()));
        };
    }

    /** The customer's currency and time zone, read once per account. */
    private CustomerInfo customer() {
        return session.customer(() -> {
            Page page = search("SELECT customer.id, customer.currency_code, customer.time_zone FROM customer", null);
            if (page.rows().isEmpty() || !(page.rows().getFirst().get("customer") instanceof Map<?, ?> c)
                    || !(c.get("currencyCode") instanceof String currency) || !(c.get("timeZone") instanceof String zone)) {
                throw new Failed(unreadable());
            }
            return new CustomerInfo(currency, zone);
        });
    }

    // ------------------------------------------------------------------ mapping

    private Optional<Map<String, Object>> firstResult(WireResult.Answered a, String key) {
        return parse(a.body()).flatMap(json -> json.get("results") instanceof List<?> results && !results.isEmpty()
                && results.getFirst() instanceof Map<?, ?> first ? Optional.of(first) : Optional.empty())
                .map(first -> {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> resource = first.get(key) instanceof Map<?, ?> full
                            ? new LinkedHashMap<>((Map<String, Object>) full) : new LinkedHashMap<>();
                    resource.putIfAbsent("resourceName", first.get("resourceName"));
                    return resource;
                }).filter(m -> m.get("resourceName") instanceof String);
    }

    /**
     * The {@code index}th result of a {@code googleAds:mutate} answer, {@code {<key>Result:
     * {resourceName, <key>: {…}}}}, as the resource's fields with its {@code resourceName}.
     */
    private Optional<Map<String, Object>> operationResult(WireResult.Answered a, int index, String key) {
        return parse(a.body()).flatMap(json -> json.get("mutateOperationResponses") instanceof List<?> results
                && results.size() > index && results.get(index) instanceof Map<?, ?> response
                && response.get(key + "Result") instanceof Map<?, ?> result ? Optional.of(result) : Optional.empty())
                .map(result -> {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> resource = result.get(key) instanceof Map<?, ?> full
                            ? new LinkedHashMap<>((Map<String, Object>) full) : new LinkedHashMap<>();
                    resource.putIfAbsent("resourceName", result.get("resourceName"));
                    return resource;
                }).filter(m -> m.get("resourceName") instanceof String);
    }

    /** Campaigns, budgets, ad groups, assets: the id is the last segment of the resource name. */
    private ProviderOutcome objectOutcome(Map<String, Object> o) {
        if (!(o.get("resourceName") instanceof String name)) {
            return unreadable();
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("resource_name", name);
        if (o.get("status") instanceof String s) {
            data.put("status", unifiedStatus(s));
        }
        if (o.get("name") instanceof String n) {
            data.put("provider_name", n);
        }
        return new ProviderOutcome.Succeeded(name.substring(name.lastIndexOf('/') + 1), data, List.of());
    }

    /** Ads: the id is {@code adGroupId~adId}; review status from the policy summary. */
    private ProviderOutcome adOutcome(Map<String, Object> o) {
        ProviderOutcome base = objectOutcome(o);
        if (!(base instanceof ProviderOutcome.Succeeded ok)) {
            return base;
        }
        Map<String, Object> data = new LinkedHashMap<>(ok.data());
        if (o.get("policySummary") instanceof Map<?, ?> policy) {
            Object review = policy.get("reviewStatus");
            Object approval = policy.get("approvalStatus");
            boolean pending = "REVIEW_IN_PROGRESS".equals(review) || approval == null || "UNKNOWN".equals(approval);
            data.put("review_status", pending ? "in_review" : String.valueOf(approval).toLowerCase(Locale.ROOT));
        }
        return new ProviderOutcome.Succeeded(ok.providerObjectId(), data, List.of());
    }

    private ProviderOutcome.Rejected rejected(WireResult.Answered a) {
        Optional<Map<String, Object>> json = parse(a.body());
        Map<?, ?> error = json.map(j -> j.get("error")).filter(Map.class::isInstance).map(Map.class::cast).orElse(Map.of());
        Optional<Map<?, ?>> first = firstError(a);
        String code = errorCode(a).orElseGet(() -> "http_" + a.status()
                + (error.get("status") instanceof String s ? ":" + s : ""));
        String message = first.map(e -> e.get("message")).filter(String.class::isInstance).map(String.class::cast)
                .orElseGet(() -> error.get("message") instanceof String m ? m : "HTTP " + a.status());
        String location = first.map(GoogleAdsAdapter::location).orElse("");
        String category = code.contains(":") ? code.substring(0, code.indexOf(':')) : "";
        RejectionKind kind = switch (category) {
            case "authenticationError", "authorizationError" -> RejectionKind.AUTH_FAILED;
            case "policyViolationError", "policyFindingError", "policyValidationParameterError", "adSharingError" ->
                    RejectionKind.POLICY_REJECTED;
            case "internalError" -> RejectionKind.PROVIDER_ERROR;
            default -> code.equals("mutateError:RESOURCE_NOT_FOUND") ? RejectionKind.NOT_FOUND : switch (a.status()) {
                case 401, 403 -> RejectionKind.AUTH_FAILED;
                case 404 -> RejectionKind.NOT_FOUND;
                default -> a.status() >= 500 ? RejectionKind.PROVIDER_ERROR : RejectionKind.INVALID_REQUEST;
            };
        };
        String secret = session.currentToken();
        return new ProviderOutcome.Rejected(kind, Redaction.clean(code, account.credentials(), secret),
                Redaction.clean(message + location, account.credentials(), secret));
    }

    /** {@code category:ENUM} of the first GoogleAdsFailure error, e.g. {@code fieldError:REQUIRED}. */
    static Optional<String> errorCode(WireResult.Answered a) {
        return firstError(a).flatMap(e -> e.get("errorCode") instanceof Map<?, ?> code && !code.isEmpty()
                ? Optional.of(code.entrySet().iterator().next()).map(x -> x.getKey() + ":" + x.getValue())
                : Optional.empty());
    }

    private static Optional<Map<?, ?>> firstError(WireResult.Answered a) {
        return failures(a).stream().flatMap(f -> f.get("errors") instanceof List<?> errors ? errors.stream() : java.util.stream.Stream.empty())
                .filter(Map.class::isInstance).<Map<?, ?>>map(Map.class::cast).findFirst();
    }

    private static List<Map<?, ?>> failures(WireResult.Answered a) {
        Optional<Map<String, Object>> json = parse(a.body());
        if (json.isEmpty() || !(json.get().get("error") instanceof Map<?, ?> error) || !(error.get("details") instanceof List<?> details)) {
            return List.of();
        }
        List<Map<?, ?>> out = new ArrayList<>();
        for (Object d : details) {
            if (d instanceof Map<?, ?> m && m.get("@type") instanceof String t && t.endsWith("GoogleAdsFailure")) {
                out.add(m);
            }
        }
        return out;
    }

    private static String location(Map<?, ?> error) {
        if (!(error.get("location") instanceof Map<?, ?> loc) || !(loc.get("fieldPathElements") instanceof List<?> path)) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (Object o : path) {
            if (o instanceof Map<?, ?> e) {
                out.append(out.isEmpty() ? "" : ".").append(e.get("fieldName"));
                if (e.get("index") instanceof Number n) {
                    out.append('[').append(n).append(']');
                }
            }
        }
        return out.isEmpty() ? "" : " (at " + out + ")";
    }

    private static boolean rateLimited(WireResult.Answered a) {
        return a.status() == 429 || errorCode(a).filter(c -> c.startsWith("quotaError:RESOURCE_")).isPresent();
    }

    private static final Pattern DURATION = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)s");

    /** The quota error's {@code retryDelay} (or a {@code google.rpc.RetryInfo}, or Retry-After). */
    static Duration retryDelay(WireResult.Answered a) {
        for (Map<?, ?> f : failures(a)) {
            if (f.get("errors") instanceof List<?> errors) {
                for (Object e : errors) {
                    if (e instanceof Map<?, ?> m && m.get("details") instanceof Map<?, ?> d
                            && d.get("quotaErrorDetails") instanceof Map<?, ?> q && q.get("retryDelay") instanceof String s) {
                        Duration parsed = duration(s);
                        if (parsed != null) {
                            return parsed;
                        }
                    }
                }
            }
        }
        Optional<Map<String, Object>> json = parse(a.body());
        if (json.isPresent() && json.get().get("error") instanceof Map<?, ?> error && error.get("details") instanceof List<?> details) {
            for (Object d : details) {
                if (d instanceof Map<?, ?> m && m.get("retryDelay") instanceof String s && duration(s) != null) {
                    return duration(s);
                }
            }
        }
        String header = a.header("Retry-After");
        if (header != null && header.trim().matches("[0-9]+")) {
            return Duration.ofSeconds(Long.parseLong(header.trim()));
        }
        return DEFAULT_QUOTA_WAIT;
    }

    private static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        return m.matches() ? Duration.ofNanos(new BigDecimal(m.group(1)).movePointRight(9).longValue()) : null;
    }

    /** Micros as an int64 string, in the customer's currency (which Google uses for every amount). */
    private static String micros(Money money, CustomerInfo info) {
        if (!info.currency().equals(money.currency())) {
            throw new Failed(new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "currency_mismatch",
                    "the googleads customer bills in " + info.currency() + ", not " + money.currency()));
        }
        return Long.toString(money.toMicros());
    }

    private static long minor(long micros, String currency) {
        return BigDecimal.valueOf(micros).movePointLeft(6 - Money.exponentOf(currency)).setScale(0, RoundingMode.HALF_UP)
                .longValueExact();
    }

    private static void putDateTime(Map<String, Object> body, String field, Instant time, CustomerInfo info) {
        if (time != null) {
            body.put(field, time.atZone(ZoneId.of(info.timeZone())).format(DATE_TIME));
        }
    }

    /** Google's status; an object created without one is paused. */
    private static String status(Boolean active) {
        return Boolean.TRUE.equals(active) ? "ENABLED" : "PAUSED";
    }

    private static String unifiedStatus(String google) {
        return switch (google) {
            case "ENABLED" -> "active";
            case "PAUSED" -> "paused";
            default -> google.toLowerCase(Locale.ROOT);
        };
    }

    /** A GAQL LIKE pattern matching {@code text} literally ({@code [ ] % _} bracketed). */
    static String likeLiteral(String text) {
        StringBuilder out = new StringBuilder();
        for (char ch : text.toCharArray()) {
            out.append("[]%_".indexOf(ch) >= 0 ? "[" + ch + "]" : String.valueOf(ch));
        }
        return out.toString();
    }

    /** Escapes a GAQL single-quoted string's contents. */
    static String gaqlString(String text) {
        return text.replace("\\", "\\\\").replace("'", "\\'");
    }

    private static String number(String id) {
        if (id == null || !id.matches("[0-9]{1,19}")) {
            throw new Failed(new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "bad_provider_id",
                    "not a googleads id: " + id));
        }
        return id;
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

    private static long int64(Object v) {
        return v == null ? 0 : v instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(v));
    }

    private static String digits(String id) {
        return id == null ? null : id.replace("-", "");
    }
}
