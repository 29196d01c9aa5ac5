package dev.minutework.broker.providers.metaads;

import static dev.minutework.broker.providers.http.Wire.enc;
import static dev.minutework.broker.providers.http.Wire.named;
import static dev.minutework.broker.providers.http.Wire.parse;
import static dev.minutework.broker.providers.http.Wire.referenceSuffix;
import static dev.minutework.broker.providers.http.Wire.retryAfter;
import static dev.minutework.broker.providers.http.Wire.unreadable;

import dev.minutework.broker.core.command.ExecuteCommand;
import dev.minutework.broker.core.command.FieldError;
import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.core.json.JsonParser;
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
import dev.minutework.broker.providers.http.WireResult;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Speaks the Meta Marketing API (Graph API) for one ad account (docs/providers.md, "metaads").
 *
 * <p>Every call carries {@code access_token} and {@code appsecret_proof} (hex HMAC-SHA256 of the
 * token under the app secret): in the form-encoded body of a POST, in the query of a GET. Those GET
 * URLs therefore hold a credential: this class never logs a URL and never puts one, nor Graph's
 * {@code paging.next} (which repeats the token), into a message or an outcome; it pages with
 * {@code paging.cursors.after} instead.
 *
 * <p>Creates carry the broker reference at the end of the object's name ({@code "Winter boots
 * [exe_…]"}); when an answer is lost the adapter looks the object up by that name instead of
 * sending the create again. A create is sent again after throttling or when it was never sent,
 * but after an answer that may have made the object only when the lookup proved it absent. Reads
 * and absolute updates are retried with backoff. Throttling (codes 4, 17, 32, 613, 80000–80014,
 * or HTTP 429) is waited out inline when Graph's usage headers say access returns soon, else
 * answered as {@link ProviderOutcome.RateLimited}.
 *
 * <p>{@link #validate} is Graph's dry run: the same mutations with
 * {@code execution_options=["validate_only"]}, which Graph checks by the same rules and answers
 * with {@code {"success":true}} without carrying them out.
 */
final class MetaAdsAdapter implements ProviderAdapter {

    static final int MAX_NAME = 400;
    static final DateTimeFormatter GRAPH_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxx");
    static final String INSIGHT_FIELDS = "campaign_id,impressions,clicks,spend,account_currency";
    /** Graph's dry run: the call is validated, nothing is created or changed. */
    static final String VALIDATE_ONLY = "[\"validate_only\"]";
    /** The lower age limit of an ad set that names none. */
    static final int META_DEFAULT_AGE_MIN = 18;
    /** The youngest people Meta lets an ad set reach. */
    static final int META_YOUNGEST = 13;

    private final ProviderHttp http;
    private final URI base;
    private final ProviderAccountContext account;
    private final Duration firstBackoff;
    private final String adAccount;
    private final Calls calls;

    MetaAdsAdapter(ProviderHttp http, URI base, ProviderAccountContext account) {
        this(http, base, account, Calls.FIRST_BACKOFF);
    }

    MetaAdsAdapter(ProviderHttp http, URI base, ProviderAccountContext account, Duration firstBackoff) {
        this.http = http;
        this.base = base;
        this.account = account;
        this.firstBackoff = firstBackoff;
        String id = account.scope().getOrDefault("ad_account_id", "");
        this.adAccount = id.startsWith("act_") ? id : "act_" + id;
        this.calls = new Calls(firstBackoff, this::clean);
    }

    @Override
    public ProviderOutcome execute(ProviderRequest request) {
        if (request.command() instanceof ExecuteCommand.FetchReport r) {
            return report(r, request.providerIds().get("campaign_id"));
        }
        return switch (prepare(request, false)) {
            case Prepared.Stop stop -> stop.outcome();
            case Prepared.Create c -> create(c.path(), c.form(), request.action(), request.brokerReference(), c.data());
            case Prepared.Update u -> update(u);
        };
    }

    /**
     * Sends every mutation execute would send, each with {@code execution_options=["validate_only"]}:
     * Graph runs the same validation rules and answers {@code {"success":true}} without creating or
     * changing anything. The reads execute makes first (the campaign an update or an ad set depends
     * on) are made too. A creative's image upload has no dry run: nothing is uploaded, and the
     * creative is checked with the image URL as {@code link_data.picture} where execute sends the
     * uploaded image's {@code image_hash} (so the image itself is not checked). An object the request
     * refers to that is not at Meta yet, and Graph's own trouble (5xx after retries, no answer, an
     * unreadable answer), are {@link ProviderOutcome.Unknown}: Graph could not say.
     */
    @Override
    public Optional<ProviderOutcome> validate(ProviderRequest request) {
        if (!request.command().mutating()) {
            return Optional.empty();
        }
        for (String field : request.command().references().keySet()) {
            if (request.providerIds().get(field) == null) {
                return Optional.of(new ProviderOutcome.Unknown("the object " + field + " names is not at Meta yet: "
                        + "there is nothing to check this against"));
            }
        }
        ProviderOutcome checked = switch (prepare(request, true)) {
            case Prepared.Stop stop -> stop.outcome();
            case Prepared.Create c -> dryRun(c.path(), c.form());
            case Prepared.Update u -> dryRun(u.path(), u.form());
        };
        if (checked instanceof ProviderOutcome.Rejected r && r.kind() == RejectionKind.PROVIDER_ERROR) {
            return Optional.of(new ProviderOutcome.Unknown("Graph could not check the request: " + r.message()));
        }
        return Optional.of(checked);
    }

    // ------------------------------------------------------------------ actions

    /** An action up to its mutation: a create, an update of an existing object, or the outcome that stands instead. */
    private sealed interface Prepared {

        /** {@code POST path} makes a new object; {@code data} is the outcome's data when it succeeds. */
        record Create(String path, Map<String, String> form, Map<String, Object> data) implements Prepared {}

        /** {@code POST /{objectId}} changes the object; Graph answers {@code {"success":true}}. */
        record Update(String objectId, Map<String, String> form, Map<String, Object> data) implements Prepared {
            String path() {
                return "/" + seg(objectId);
            }
        }

        /** Nothing is sent: a refusal before calling Graph, or a read that failed. */
        record Stop(ProviderOutcome outcome) implements Prepared {}
    }

    /**
     * The mutation of a request, as execute sends it ({@code dryRun} false) or as validate checks it
     * ({@code dryRun} true: only a creative differs, see {@link #validate}). Reads on the way are made.
     */
    private Prepared prepare(ProviderRequest request, boolean dryRun) {
        String campaignId = request.providerIds().get("campaign_id");
        String ref = request.brokerReference();
        return switch (request.command()) {
            case ExecuteCommand.CreateCampaign c -> createCampaign(c, ref);
            case ExecuteCommand.UpdateCampaign u -> updateCampaign(u, campaignId);
            case ExecuteCommand.PauseCampaign p -> pauseCampaign(campaignId);
            case ExecuteCommand.CreateGroup g -> createGroup(g, campaignId, ref);
            case ExecuteCommand.CreateCreative c -> createCreative(c, ref, dryRun);
            case ExecuteCommand.CreateAd ad -> createAd(ad, request);
            case ExecuteCommand.FetchReport r -> throw new IllegalArgumentException("a report changes nothing");
        };
    }

    private static Prepared.Stop refuse(RejectionKind kind, String code, String message) {
        return new Prepared.Stop(new ProviderOutcome.Rejected(kind, code, message));
    }

    private static Prepared.Stop unknownReference(String what) {
        return refuse(RejectionKind.INVALID_REQUEST, "reference_unknown", what + " is not known to the broker");
    }

    private Prepared createCampaign(ExecuteCommand.CreateCampaign in, String ref) {
        String objective = objective(in.objective());
        if (objective == null) {
            return refuse(RejectionKind.UNSUPPORTED, "objective_unsupported",
                    "metaads " + in.objective() + " campaigns need a pixel or app promoted_object, which the "
                            + "unified model does not carry; use awareness, traffic or engagement");
        }
        boolean lifetime = in.budget().period() == BudgetPeriod.LIFETIME;
        if (lifetime && in.end() == null) {
            return refuse(RejectionKind.INVALID_REQUEST, "lifetime_budget_needs_end_time",
                    "Meta needs an end_time for a lifetime budget");
        }
        long minor = minor(in.budget().amount());
        Map<String, String> form = new LinkedHashMap<>();
        form.put("name", named(in.name(), ref, MAX_NAME));
        form.put("objective", objective);
        form.put("status", status(in.active()));
        form.put("special_ad_categories", "[]");
        form.put(lifetime ? "lifetime_budget" : "daily_budget", Long.toString(minor));
        putTime(form, "start_time", in.start());
        putTime(form, "stop_time", in.end());
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", unifiedStatus(in.active()));
        data.put("provider_name", form.get("name"));
        return new Prepared.Create("/" + adAccount + "/campaigns", form, data);
    }

    private Prepared updateCampaign(ExecuteCommand.UpdateCampaign in, String campaignId) {
        if (campaignId == null) {
            return unknownReference("the campaign");
        }
        Map<String, String> form = new LinkedHashMap<>();
        CampaignBudget budget = in.budget();
        boolean lifetime = budget != null && budget.period() == BudgetPeriod.LIFETIME;
        Map<String, Object> current = Map.of();
        if (in.name() != null || (lifetime && in.end() == null)) {
            Reply<Map<String, Object>> r = repeatable("GET", "/" + seg(campaignId), Map.of("fields", "id,name,stop_time"));
            if (r.failure() != null) {
                return new Prepared.Stop(r.failure());
            }
            current = r.answer();
        }
        if (lifetime && in.end() == null && !(current.get("stop_time") instanceof String)) {
            return refuse(RejectionKind.INVALID_REQUEST, "lifetime_budget_needs_end_time",
                    "Meta needs an end_time for a lifetime budget");
        }
        if (in.name() != null) {
            // keep the broker reference the campaign was created with
            String name = in.name();
            String suffix = referenceSuffix((String) current.get("name"));
            form.put("name", (name.length() + suffix.length() > MAX_NAME ? name.substring(0, MAX_NAME - suffix.length()) : name)
                    + suffix);
        }
        if (in.active() != null) {
            form.put("status", status(in.active()));
        }
        if (budget != null) {
            form.put(lifetime ? "lifetime_budget" : "daily_budget", Long.toString(minor(budget.amount())));
        }
        putTime(form, "stop_time", in.end());
        Map<String, Object> data = new LinkedHashMap<>();
        if (in.active() != null) {
            data.put("status", unifiedStatus(in.active()));
        }
        if (form.containsKey("name")) {
            data.put("provider_name", form.get("name"));
        }
        return new Prepared.Update(campaignId, form, data);
    }

    private Prepared pauseCampaign(String campaignId) {
        if (campaignId == null) {
            return unknownReference("the campaign");
        }
        return new Prepared.Update(campaignId, Map.of("status", "PAUSED"), Map.of("status", "paused"));
    }

    /**
     * An ad set: countries, and ages as hard limits. Since Graph v23 an ad set must say whether
     * Advantage+ audience may widen its targeting; the broker's approvers approve an audience, so it
     * is always off. Without {@code age_min} Meta reaches people from {@value #META_DEFAULT_AGE_MIN};
     * an {@code age_max} below that asks for the youngest Meta reaches, {@value #META_YOUNGEST}.
     */
    private Prepared createGroup(ExecuteCommand.CreateGroup in, String campaignId, String ref) {
        ExecuteCommand.Targeting t = in.targeting();
        if (!t.languages().isEmpty()) {
            return refuse(RejectionKind.UNSUPPORTED, "targeting_unsupported",
                    "Meta targets languages by numeric locale keys, not ISO codes; leave languages out");
        }
        if (!t.contextHints().isEmpty()) {
            return refuse(RejectionKind.UNSUPPORTED, "targeting_unsupported",
                    "Meta ad sets have no context hints; leave context_hints out");
        }
        if (t.countries().isEmpty()) {
            return refuse(RejectionKind.INVALID_REQUEST, "targeting_countries_required",
                    "Meta ad sets need targeting.countries");
        }
        if (t.ageMin() != null && t.ageMax() != null && t.ageMin() > t.ageMax()) {
            return refuse(RejectionKind.INVALID_REQUEST, "targeting_ages", "targeting.age_min is above age_max");
        }
        if (campaignId == null) {
            return unknownReference("the ad set's campaign");
        }
        Map<String, Object> targeting = new LinkedHashMap<>();
        targeting.put("geo_locations", Map.of("countries", t.countries()));
        Integer ageMin = t.ageMin() == null && t.ageMax() != null && t.ageMax() < META_DEFAULT_AGE_MIN
                ? Integer.valueOf(META_YOUNGEST) : t.ageMin();
        if (ageMin != null) {
            targeting.put("age_min", ageMin.longValue());
        }
        if (t.ageMax() != null) {
            targeting.put("age_max", t.ageMax().longValue());
        }
        targeting.put("targeting_automation", Map.of("advantage_audience", 0L));
        Long bid = in.bid() == null ? null : minor(in.bid());
        // the campaign's objective, budget and window decide the ad set's goal and schedule
        Reply<Map<String, Object>> campaign = repeatable("GET", "/" + seg(campaignId),
                Map.of("fields", "id,objective,daily_budget,lifetime_budget,start_time,stop_time"));
        if (campaign.failure() != null) {
            return new Prepared.Stop(campaign.failure());
        }
        Map<String, Object> c = campaign.answer();
        String goal = switch (String.valueOf(c.get("objective"))) {
            case "OUTCOME_AWARENESS" -> "REACH";
            case "OUTCOME_ENGAGEMENT" -> "POST_ENGAGEMENT";
            case "OUTCOME_TRAFFIC" -> "LINK_CLICKS";
            default -> null;
        };
        if (goal == null) {
            return refuse(RejectionKind.UNSUPPORTED, "objective_unsupported",
                    "metaads ad sets for objective " + c.get("objective") + " need a promoted_object");
        }
        if (c.get("lifetime_budget") != null && !(c.get("stop_time") instanceof String)) {
            return refuse(RejectionKind.INVALID_REQUEST, "lifetime_budget_needs_end_time",
                    "the campaign has a lifetime budget but no stop_time for its ad sets' end_time");
        }
        Map<String, String> form = new LinkedHashMap<>();
        form.put("name", named(in.name(), ref, MAX_NAME));
        form.put("campaign_id", campaignId);
        form.put("billing_event", "IMPRESSIONS");
        form.put("optimization_goal", goal);
        form.put("status", status(in.active()));
        form.put("targeting", CanonicalJson.canonicalize(targeting));
        if (bid != null) {
            form.put("bid_amount", Long.toString(bid));
        }
        if (c.get("start_time") instanceof String start) {
            form.put("start_time", start);
        }
        if (c.get("stop_time") instanceof String stop) {
            form.put("end_time", stop);
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", unifiedStatus(in.active()));
        data.put("provider_name", form.get("name"));
        return new Prepared.Create("/" + adAccount + "/adsets", form, data);
    }

    /**
     * A link ad: the headline is {@code link_data.name}, the first description the primary text
     * ({@code message}), a second one the link description ({@code description}). The image goes to
     * the ad account's library first and the creative refers to it by hash; a dry run uploads nothing
     * and names the image by URL ({@code picture}) instead.
     */
    private Prepared createCreative(ExecuteCommand.CreateCreative in, String ref, boolean dryRun) {
        String page = account.scope().get("page_id");
        if (page == null || page.isBlank()) {
            return refuse(RejectionKind.INVALID_REQUEST, "page_id_missing",
                    "metaads creatives need the provider account's scope page_id");
        }
        List<FieldError> misfits = MetaAdsAdapterFactory.CAPABILITIES.misfits(in, MetaAdsAdapterFactory.ID);
        if (!misfits.isEmpty()) {
            StringJoiner why = new StringJoiner("; ");
            misfits.forEach(e -> why.add(e.path() + ": " + e.message()));
            return refuse(RejectionKind.UNSUPPORTED, "creative_unsupported", why.toString());
        }
        Map<String, Object> link = new LinkedHashMap<>();
        link.put("link", in.landingUrl().toString());
        link.put("message", in.descriptions().getFirst());
        link.put("name", in.headline());
        if (in.descriptions().size() > 1) {
            link.put("description", in.descriptions().get(1));
        }
        if (in.callToAction() != null) {
            // learn_more → LEARN_MORE, …, book_now → BOOK_NOW
            link.put("call_to_action", Map.of("type", in.callToAction().toUpperCase(Locale.ROOT)));
        }
        Map<String, Object> data = new LinkedHashMap<>();
        if (dryRun) {
            link.put("picture", in.imageUrl().toString());
        } else {
            // uploading the same image again yields the same hash and spends nothing: safe to repeat
            Reply<Map<String, Object>> upload = repeatable("POST", "/" + adAccount + "/adimages",
                    Map.of("url", in.imageUrl().toString()));
            if (upload.failure() != null) {
                return new Prepared.Stop(upload.failure());
            }
            String hash = imageHash(upload.answer());
            if (hash == null) {
                return new Prepared.Stop(unreadable());
            }
            link.put("image_hash", hash);
            data.put("image_hash", hash);
        }
        Map<String, String> form = new LinkedHashMap<>();
        form.put("name", named(in.name(), ref, MAX_NAME));
        form.put("object_story_spec", CanonicalJson.canonicalize(Map.of("page_id", page, "link_data", link)));
        data.put("provider_name", form.get("name"));
        return new Prepared.Create("/" + adAccount + "/adcreatives", form, data);
    }

    private Prepared createAd(ExecuteCommand.CreateAd in, ProviderRequest request) {
        String adSet = request.providerIds().get("group_id");
        String creative = request.providerIds().get("creative_id");
        if (adSet == null || creative == null) {
            return unknownReference("the ad's group or creative");
        }
        Map<String, String> form = new LinkedHashMap<>();
        form.put("name", named(in.name(), request.brokerReference(), MAX_NAME));
        form.put("adset_id", adSet);
        form.put("creative", CanonicalJson.canonicalize(Map.of("creative_id", creative)));
        form.put("status", status(in.active()));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", unifiedStatus(in.active()));
        data.put("provider_name", form.get("name"));
        return new Prepared.Create("/" + adAccount + "/ads", form, data);
    }

    /** An absolute change of an existing object: safe to repeat. */
    private ProviderOutcome update(Prepared.Update u) {
        Reply<Map<String, Object>> r = repeatable("POST", u.path(), u.form());
        if (r.failure() != null) {
            return r.failure();
        }
        return Boolean.TRUE.equals(r.answer().get("success"))
                ? new ProviderOutcome.Succeeded(u.objectId(), u.data(), List.of())
                : unreadable();
    }

    /** The mutation with {@code execution_options=["validate_only"]}: checked by Graph, carried out by nobody. */
    private ProviderOutcome dryRun(String path, Map<String, String> form) {
        Map<String, String> checked = new LinkedHashMap<>(form);
        checked.put("execution_options", VALIDATE_ONLY);
        Reply<Map<String, Object>> r = repeatable("POST", path, checked);
        if (r.failure() != null) {
            return r.failure();
        }
        return Boolean.TRUE.equals(r.answer().get("success"))
                ? new ProviderOutcome.Succeeded(null, Map.of(), List.of())
                : unreadable();
    }

    private ProviderOutcome report(ExecuteCommand.FetchReport in, String campaignId) {
        String node = campaignId != null ? "/" + seg(campaignId) : "/" + adAccount;
        Map<String, String> query = new LinkedHashMap<>();
        query.put("level", "campaign");
        query.put("fields", INSIGHT_FIELDS);
        query.put("time_range", CanonicalJson.canonicalize(Map.of("since", in.since().toString(),
                "until", in.until().toString())));
        query.put("time_increment", in.total() ? "all_days" : "1");
        query.put("limit", "100");
        List<ReportRow> rows = new ArrayList<>();
        for (int page = 0; page < 1_000; page++) {
            Reply<Map<String, Object>> r = repeatable("GET", node + "/insights", query);
            if (r.failure() != null) {
                return r.failure();
            }
            for (Object o : (List<?>) r.answer().getOrDefault("data", List.of())) {
                Map<?, ?> row = (Map<?, ?>) o;
                String currency = row.get("account_currency") instanceof String c ? c : "USD";
                try {
                    rows.add(new ReportRow(java.time.LocalDate.parse((String) row.get("date_start")),
                            row.get("campaign_id") instanceof String id ? id : campaignId,
                            count(row.get("impressions")), count(row.get("clicks")),
                            spendMinor(row.get("spend"), currency), currency));
                } catch (RuntimeException e) {
                    return unreadable();
                }
            }
            String after = nextCursor(r.answer());
            if (after == null) {
                return new ProviderOutcome.Succeeded(null, Map.of(), rows);
            }
            query.put("after", after);
        }
        return new ProviderOutcome.Rejected(RejectionKind.PROVIDER_ERROR, "too_many_pages", "the report did not end");
    }

    // ------------------------------------------------------------------ reconciliation and checks

    @Override
    public ProviderOutcome reconcile(String action, String brokerReference) {
        String edge = switch (action) {
            case "ads.create_campaign" -> "campaigns";
            case "ads.create_group" -> "adsets";
            case "ads.create_creative" -> "adcreatives";
            case "ads.create_ad" -> "ads";
            // updates and pauses set absolute values: the broker may repeat them
            default -> null;
        };
        if (edge == null) {
            return new ProviderOutcome.Unknown("metaads cannot look up " + action + " by reference; repeat it");
        }
        String suffix = " [" + brokerReference + "]";
        Map<String, String> query = new LinkedHashMap<>();
        query.put("fields", "id,name" + ("adcreatives".equals(edge) ? "" : ",status"));
        query.put("filtering", CanonicalJson.canonicalize(List.of(Map.of("field", "name", "operator", "CONTAIN",
                "value", "[" + brokerReference + "]"))));
        query.put("limit", "100");
        for (int page = 0; page < 100; page++) {
            Reply<Map<String, Object>> r = repeatable("GET", "/" + adAccount + "/" + edge, query);
            if (r.failure() != null) {
                return new ProviderOutcome.Unknown("could not list " + edge + " to reconcile");
            }
            for (Object o : (List<?>) r.answer().getOrDefault("data", List.of())) {
                Map<?, ?> m = (Map<?, ?>) o;
                if (m.get("name") instanceof String n && n.endsWith(suffix) && m.get("id") instanceof String id) {
                    Map<String, Object> data = new LinkedHashMap<>();
                    if (m.get("status") instanceof String s) {
                        data.put("status", s.toLowerCase(Locale.ROOT));
                    }
                    data.put("provider_name", n);
                    return new ProviderOutcome.Succeeded(id, data, List.of());
                }
            }
            String after = nextCursor(r.answer());
            if (after == null) {
                return new ProviderOutcome.Rejected(RejectionKind.NOT_FOUND, "not_found",
                        "no object carries the reference " + brokerReference);
            }
            query.put("after", after);
        }
        return new ProviderOutcome.Unknown("too many pages while reconciling " + brokerReference);
    }

    @Override
    public List<ProviderCheck> checks() {
        String where = base.getHost();
        List<ProviderCheck> out = new ArrayList<>();
        WireResult me = send("GET", "/me", Map.of("fields", "id"));
        switch (me) {
            case WireResult.NotSent n -> {
                return List.of(new ProviderCheck("provider_reachable", false, "cannot connect to " + where));
            }
            case WireResult.Lost l -> {
                return List.of(new ProviderCheck("provider_reachable", false, "no answer from " + where));
            }
            case WireResult.Answered a when a.status() / 100 == 2 ->
                    out.add(new ProviderCheck("credentials_authenticate", true, "the access token and appsecret_proof are accepted"));
            case WireResult.Answered a -> {
                GraphError e = GraphError.of(a);
                boolean auth = kind(e, a.status()) == RejectionKind.AUTH_FAILED;
                out.add(new ProviderCheck("credentials_authenticate", false, auth
                        ? "Graph refused the credentials (error " + e.code() + "): " + clean(e.text())
                        : "Graph answered error " + e.code() + " (HTTP " + a.status() + ")"));
                out.add(new ProviderCheck("account_reachable", false, "not checked: authentication failed"));
                return out;
            }
        }
        Reply<Map<String, Object>> acc = once("GET", "/" + adAccount, Map.of("fields", "id,account_status,currency"));
        if (acc.failure() != null) {
            out.add(new ProviderCheck("account_reachable", false, "ad account " + adAccount + " is not reachable: "
                    + describe(acc.failure())));
        } else if (!Long.valueOf(1).equals(acc.answer().get("account_status"))) {
            out.add(new ProviderCheck("account_reachable", false, "ad account " + adAccount + " has account_status "
                    + acc.answer().get("account_status") + " (1 is active)"));
        } else {
            out.add(new ProviderCheck("account_reachable", true, "ad account " + adAccount + " answers at " + where
                    + " (currency " + acc.answer().get("currency") + ")"));
        }
        String page = account.scope().get("page_id");
        if (page != null && !page.isBlank()) {
            Reply<Map<String, Object>> p = once("GET", "/" + seg(page), Map.of("fields", "id"));
            out.add(p.failure() == null
                    ? new ProviderCheck("page_reachable", true, "page " + page + " answers")
                    : new ProviderCheck("page_reachable", false, "page " + page + " is not reachable: " + describe(p.failure())));
        }
        return out;
    }

    // ------------------------------------------------------------------ wire

    /**
     * A create: never sent again after an answer that may have made the object unless a lookup
     * proved it absent (see {@link Calls#create}).
     */
    private ProviderOutcome create(String path, Map<String, String> form, String action, String ref,
            Map<String, Object> data) {
        return calls.create(() -> send("POST", path, form), answer -> createVerdict(answer, data),
                () -> reconcile(action, ref), "the answer to " + action + " was lost; reconcile by reference " + ref);
    }

    /** Reads and absolute updates: safe to repeat on throttling, transient errors, unsent or lost. */
    private Reply<Map<String, Object>> repeatable(String method, String path, Map<String, String> params) {
        return calls.repeat(() -> send(method, path, params), this::readVerdict);
    }

    private Reply<Map<String, Object>> once(String method, String path, Map<String, String> params) {
        return calls.once(() -> send(method, path, params), this::readVerdict);
    }

    /** A create's 2xx answer names the new object's {@code id}; without one it cannot be read. */
    private Verdict<ProviderOutcome> createVerdict(WireResult.Answered a, Map<String, Object> data) {
        if (a.status() / 100 != 2) {
            return graphVerdict(a);
        }
        Optional<Map<String, Object>> json = parse(a.body());
        return json.isPresent() && json.get().get("id") instanceof String id
                ? Verdict.success(new ProviderOutcome.Succeeded(id, data, List.of()))
                : Verdict.unreadableSuccess();
    }

    private Verdict<Map<String, Object>> readVerdict(WireResult.Answered a) {
        if (a.status() / 100 != 2) {
            return graphVerdict(a);
        }
        Optional<Map<String, Object>> json = parse(a.body());
        return json.isPresent() ? Verdict.success(json.get()) : Verdict.unreadableSuccess();
    }

    /** A Graph error by its code: throttling, the "try again later" family, or a refusal. */
    private <T> Verdict<T> graphVerdict(WireResult.Answered a) {
        GraphError e = GraphError.of(a);
        if (e.throttled()) {
            return Verdict.throttled(throttleWait(a));
        }
        ProviderOutcome.Rejected rejected = rejected(e, a.status());
        return e.transientFailure() ? Verdict.transientFailure(rejected) : Verdict.refused(rejected);
    }

    /**
     * One exchange. POST parameters (credentials included) travel form-encoded in the body; a GET
     * has to put them in the query, so its URI holds a credential and must never be logged or quoted.
     */
    private WireResult send(String method, String path, Map<String, String> params) {
        String token = account.credentials().get("access_token");
        StringJoiner form = new StringJoiner("&");
        params.forEach((k, v) -> form.add(enc(k) + "=" + enc(v)));
        form.add("access_token=" + enc(token == null ? "" : token));
        form.add("appsecret_proof=" + enc(proof()));
        HttpRequest.Builder b;
        if (method.equals("GET")) {
            b = HttpRequest.newBuilder(URI.create(base + path + "?" + form)).GET();
        } else {
            b = HttpRequest.newBuilder(URI.create(base + path))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form.toString()));
        }
        return http.send(b.header("Accept", "application/json"));
    }

    /** hex HMAC-SHA256(key = app secret, message = access token). */
    private String proof() {
        String token = account.credentials().get("access_token");
        String secret = account.credentials().get("app_secret");
        if (token == null || secret == null) {
            return "";
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(token.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable");
        }
    }

    // ------------------------------------------------------------------ Graph errors

    /** Graph's error envelope, as far as it was readable. */
    record GraphError(Long code, Long subcode, String message, String userMessage, boolean isTransient, int status) {

        static GraphError of(WireResult.Answered a) {
            Optional<Map<String, Object>> json = parse(a.body());
            if (json.isPresent() && json.get().get("error") instanceof Map<?, ?> e) {
                return new GraphError(e.get("code") instanceof Long c ? c : null,
                        e.get("error_subcode") instanceof Long s ? s : null,
                        e.get("message") instanceof String m ? m : null,
                        e.get("error_user_msg") instanceof String u ? u : null,
                        Boolean.TRUE.equals(e.get("is_transient")), a.status());
            }
            return new GraphError(null, null, null, null, false, a.status());
        }

        boolean throttled() {
            if (code == null) {
                return status == 429;
            }
            long c = code;
            return c == 4 || c == 17 || c == 32 || c == 613 || (c >= 80_000 && c <= 80_014);
        }

        /** Graph's "try again later" family (codes 1 and 2, is_transient, HTTP 5xx). */
        boolean transientFailure() {
            return status >= 500 || isTransient || (code != null && (code == 1 || code == 2));
        }

        String text() {
            String t = userMessage != null ? userMessage : message;
            return t != null ? t : "HTTP " + status;
        }

        String providerCode() {
            if (code == null) {
                return "http_" + status;
            }
            return subcode == null ? code.toString() : code + "/" + subcode;
        }
    }

    static RejectionKind kind(GraphError e, int status) {
        if (e.code() == null) {
            return switch (status) {
                case 401 -> RejectionKind.AUTH_FAILED;
                case 403 -> RejectionKind.POLICY_REJECTED;
                case 404 -> RejectionKind.NOT_FOUND;
                default -> status >= 500 ? RejectionKind.PROVIDER_ERROR : RejectionKind.INVALID_REQUEST;
            };
        }
        long c = e.code();
        if (c == 190 || c == 102 || c == 2500 || c == 10 || (c >= 200 && c <= 299)) {
            return RejectionKind.AUTH_FAILED; // token invalid or expired, or the token lacks a permission
        }
        if (c == 100 && e.message() != null && e.message().contains("appsecret_proof")) {
            return RejectionKind.AUTH_FAILED; // Graph reports a missing or wrong proof as code 100
        }
        if (c == 100 && Long.valueOf(33).equals(e.subcode())) {
            return RejectionKind.NOT_FOUND;
        }
        if (c == 368) {
            return RejectionKind.POLICY_REJECTED;
        }
        if (c == 1 || c == 2 || status >= 500) {
            return RejectionKind.PROVIDER_ERROR;
        }
        return RejectionKind.INVALID_REQUEST;
    }

    private ProviderOutcome.Rejected rejected(GraphError e, int status) {
        return new ProviderOutcome.Rejected(kind(e, status), clean(e.providerCode()), clean(e.text()));
    }

    /**
     * How long Graph asks to wait: the largest {@code estimated_time_to_regain_access} (minutes) of
     * the usage headers, else {@code Retry-After}, else a minute. Zero minutes means "soon": a short
     * backoff.
     */
    private Duration throttleWait(WireResult.Answered a) {
        long minutes = -1;
        for (String header : List.of("X-Business-Use-Case-Usage", "X-Ad-Account-Usage", "X-App-Usage")) {
            String h = a.header(header);
            if (h == null) {
                continue;
            }
            try {
                minutes = Math.max(minutes, regain(JsonParser.parse(h)));
            } catch (IllegalArgumentException e) {
                // an unreadable usage header says nothing
            }
        }
        if (minutes == 0) {
            return firstBackoff.multipliedBy(5);
        }
        if (minutes > 0) {
            return Duration.ofMinutes(minutes);
        }
        return retryAfter(a);
    }

    private static long regain(Object usage) {
        long max = -1;
        if (usage instanceof Map<?, ?> m) {
            if (m.get("estimated_time_to_regain_access") instanceof Number n) {
                max = n.longValue();
            }
            for (Object v : m.values()) {
                max = Math.max(max, regain(v));
            }
        } else if (usage instanceof List<?> l) {
            for (Object v : l) {
                max = Math.max(max, regain(v));
            }
        }
        return max;
    }

    // ------------------------------------------------------------------ mapping

    private String describe(ProviderOutcome failure) {
        return switch (failure) {
            case ProviderOutcome.Rejected r -> "error " + r.providerCode() + ": " + r.message();
            case ProviderOutcome.RateLimited r -> "throttled";
            case ProviderOutcome.Unknown u -> u.reason();
            case ProviderOutcome.Succeeded s -> "ok";
        };
    }

    private String clean(String text) {
        String token = account.credentials().get("access_token");
        return Redaction.clean(text, account.credentials(), token == null ? null : proof());
    }

    /** The cursor of the next page, only when Graph says there is one ({@code paging.next}). */
    private static String nextCursor(Map<String, Object> json) {
        if (json.get("paging") instanceof Map<?, ?> paging && paging.get("next") != null
                && paging.get("cursors") instanceof Map<?, ?> cursors && cursors.get("after") instanceof String after) {
            return after;
        }
        return null;
    }

    /** {@code {"images":{<name>:{"hash":…}}}} (shape unverified); also tolerates a flat {@code hash}. */
    private static String imageHash(Map<String, Object> json) {
        if (json.get("images") instanceof Map<?, ?> images) {
            for (Object v : images.values()) {
                if (v instanceof Map<?, ?> image && image.get("hash") instanceof String hash) {
                    return hash;
                }
            }
        }
        return json.get("hash") instanceof String hash ? hash : null;
    }

    private static String objective(String unified) {
        return switch (unified == null ? "traffic" : unified) {
            case "awareness" -> "OUTCOME_AWARENESS";
            case "traffic" -> "OUTCOME_TRAFFIC";
            case "engagement" -> "OUTCOME_ENGAGEMENT";
            default -> null; // leads, sales, app_promotion need a promoted_object
        };
    }

    /** Meta's status; an object created without one is paused. */
    private static String status(Boolean active) {
        return Boolean.TRUE.equals(active) ? "ACTIVE" : "PAUSED";
    }

    /** The unified status; an object created without one is paused. */
    private static String unifiedStatus(Boolean active) {
        return Boolean.TRUE.equals(active) ? "active" : "paused";
    }

    /** Meta budgets and bids are in the currency's minor unit already: the broker's amount_minor as is. */
    private static long minor(Money money) {
        return money.amountMinor();
    }

    private static long spendMinor(Object spend, String currency) {
        return new BigDecimal(String.valueOf(spend)).movePointRight(Money.exponentOf(currency))
                .setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

    private static long count(Object v) {
        return v == null ? 0 : v instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(v));
    }

    /** A time as Graph takes it: whole seconds, in UTC with the offset {@code +0000}. */
    private static void putTime(Map<String, String> form, String field, Instant time) {
        if (time != null) {
            form.put(field, time.atOffset(ZoneOffset.UTC).format(GRAPH_TIME));
        }
    }

    private static String seg(String id) {
        return enc(id == null ? "" : id);
    }
}
