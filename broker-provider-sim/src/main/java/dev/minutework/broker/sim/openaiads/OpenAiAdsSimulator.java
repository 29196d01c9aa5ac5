package dev.minutework.broker.sim.openaiads;

import dev.minutework.broker.core.json.JsonParser;
import dev.minutework.broker.sim.ProviderSimulator;
import dev.minutework.broker.sim.SimRequest;
import dev.minutework.broker.sim.SimResponse;
import dev.minutework.broker.sim.SimulatedCampaign;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;

/**
 * The OpenAI Advertiser API as documented: {@code Authorization: Bearer <key>} with one key per ad
 * account (no account id in paths), campaigns with {@code budget.lifetime_spend_limit_micros}
 * (≥ 1,000,000; no daily budget), Unix-second times, ad groups with
 * {@code bidding_config.max_bid_micros} (1–100,000,000), image uploads returning a {@code file_id},
 * ads with a {@code chat_card} creative (title 3–50, body ≤ 100) that start {@code in_review},
 * list envelopes {@code {object:"list", data, first_id, last_id, has_more}} with {@code after}/{@code
 * before} cursors, and insights whose {@code spend} is a decimal in major units. A path with a
 * trailing slash names the same endpoint. providers.md documents no refusal of unknown fields, so
 * fields the simulator does not know are accepted (ignored on campaigns, kept on ad groups and ads);
 * what it does document is enforced (a budget other than {@code lifetime_spend_limit_micros} is
 * refused, as is anything outside the documented ranges). Errors are told apart by HTTP status
 * (400, 401, 404, 429): their envelope is not documented (checked by {@code OpenAiAdsConformanceTest}).
 *
 * <p>What an ad account holds (campaigns, ad groups, uploaded files, ads) and the id counter are
 * recorded in {@link #store()} as they are made or changed, keyed by the ad account id: a simulator
 * given the same journal after a restart finds them again when the account is provisioned. API keys
 * are not recorded; the broker provisions them again.
 */
public final class OpenAiAdsSimulator extends ProviderSimulator {

    static final int PER_ENDPOINT_PER_MINUTE = 600;
    static final int OVERALL_PER_MINUTE = 1_200;

    /** What the store records, per ad account: one kind per object type. */
    static final String CAMPAIGN = "campaign";
    static final String AD_GROUP = "ad_group";
    static final String FILE = "file";
    static final String AD = "ad";
    /** The store's counter of the serials in object ids, and where it starts. */
    static final String ID_COUNTER = "ids";
    static final long FIRST_ID = 1000;

    private final Map<String, Account> accountsById = new ConcurrentHashMap<>();
    private final Map<String, Account> accountsByKey = new ConcurrentHashMap<>();
    private final Object ids = new Object();

    /** One ad account and everything created in it. */
    private static final class Account {
        final String adAccountId;
        final Map<String, Map<String, Object>> campaigns = new LinkedHashMap<>();
        final Map<String, Map<String, Object>> adGroups = new LinkedHashMap<>();
        final Map<String, Map<String, Object>> ads = new LinkedHashMap<>();
        final Map<String, Map<String, Object>> files = new LinkedHashMap<>();

        Account(String adAccountId) {
            this.adAccountId = adAccountId;
        }
    }

    public OpenAiAdsSimulator(Clock clock) {
        super("openaiads", clock);
    }

    @Override
    protected String basePath() {
        return "/v1";
    }

    /** A trailing slash names the same endpoint ({@code /campaigns/} is {@code /campaigns}). */
    @Override
    protected String routePath(SimRequest request) {
        String rest = super.routePath(request);
        return rest != null && rest.length() > 1 && rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest;
    }

    @Override
    public void provision(Map<String, String> scope, Map<String, String> credentials) {
        String key = credentials.get("api_key");
        String account = scope.get("ad_account_id");
        if (key == null || account == null) {
            throw new IllegalArgumentException("openaiads accounts need api_key and ad_account_id");
        }
        accountsByKey.put(key, accountsById.computeIfAbsent(account, this::restore));
    }

    /** An ad account with what the store recorded for it (nothing, the first time). */
    private Account restore(String adAccountId) {
        Account a = new Account(adAccountId);
        Map<String, Map<String, Map<String, Object>>> kept = store().account(adAccountId);
        a.campaigns.putAll(kept.getOrDefault(CAMPAIGN, Map.of()));
        a.adGroups.putAll(kept.getOrDefault(AD_GROUP, Map.of()));
        a.files.putAll(kept.getOrDefault(FILE, Map.of()));
        a.ads.putAll(kept.getOrDefault(AD, Map.of()));
        return a;
    }

    /** Records an object as it is now, then keeps it: what the answer reports is what a restart finds. */
    private void keep(Account a, String kind, Map<String, Map<String, Object>> objects, String id,
            Map<String, Object> object) {
        store().put(a.adAccountId, kind, id, object);
        objects.put(id, object);
    }

    /** The next object id with {@code prefix}; the counter is recorded, so ids stay unique across restarts. */
    private String nextId(String prefix) {
        synchronized (ids) {
            long next = store().counter(ID_COUNTER, FIRST_ID) + 1;
            store().advance(ID_COUNTER, next);
            return prefix + Long.toString(next, 36);
        }
    }

    /** Marks an ad account's key as revoked: calls with it answer 401 from now on. */
    public void revoke(String apiKey) {
        accountsByKey.remove(apiKey);
    }

    /** How many campaigns the account holds (tests assert no duplicates). */
    public int campaignCount(String adAccountId) {
        Account a = accountsById.get(adAccountId);
        if (a == null) {
            return 0;
        }
        synchronized (a) {
            return a.campaigns.size();
        }
    }

    /**
     * The campaigns of an ad account as the provider holds them now, oldest first: a read-only
     * snapshot for tests that check what the provider could spend. OpenAI campaigns have only a
     * lifetime budget; {@code lifetime_spend_limit_micros} are millionths of the currency unit.
     */
    public List<SimulatedCampaign> campaigns(String adAccountId) {
        List<SimulatedCampaign> out = new ArrayList<>();
        Account a = accountsById.get(adAccountId);
        if (a != null) {
            synchronized (a) { // as every request handler holds it
                for (Map<String, Object> c : a.campaigns.values()) {
                    Long micros = c.get("budget") instanceof Map<?, ?> b
                            && b.get("lifetime_spend_limit_micros") instanceof Long m ? m : null;
                    out.add(new SimulatedCampaign((String) c.get("id"), (String) c.get("status"),
                            micros == null ? null : "lifetime", micros == null ? null : BigDecimal.valueOf(micros, 6),
                            c.get("end_time") instanceof Long end ? Instant.ofEpochSecond(end) : null));
                }
            }
        }
        return out;
    }

    @Override
    protected void registerRoutes() {
        route("POST", "/campaigns", (r, m) -> withAccount(r, a -> createCampaign(a, r)));
        route("GET", "/campaigns", (r, m) -> withAccount(r, a -> list(a.campaigns, r, null, null)));
        route("GET", "/campaigns/([^/]+)", (r, m) -> withAccount(r, a -> found(a.campaigns, m.group(1), "campaign")));
        route("POST", "/campaigns/([^/]+)", (r, m) -> withAccount(r, a -> updateCampaign(a, m.group(1), r)));
        route("POST", "/campaigns/([^/]+)/(pause|activate|archive)",
                (r, m) -> withAccount(r, a -> setCampaignStatus(a, m.group(1), m.group(2))));
        route("GET", "/campaigns/([^/]+)/insights", (r, m) -> withAccount(r, a -> insights(a, m.group(1), r)));
        route("POST", "/ad_groups", (r, m) -> withAccount(r, a -> createAdGroup(a, r)));
        route("GET", "/ad_groups", (r, m) -> withAccount(r, a -> list(a.adGroups, r, "campaign_id",
                r.query().get("campaign_id"))));
        route("POST", "/upload", (r, m) -> withAccount(r, a -> upload(a, r)));
        route("POST", "/ads", (r, m) -> withAccount(r, a -> createAd(a, r)));
        route("GET", "/ads", (r, m) -> withAccount(r, a -> list(a.ads, r, "ad_group_id", r.query().get("ad_group_id"))));
    }

    // ------------------------------------------------------------------ auth and rate limits

    private interface AccountHandler {
        SimResponse handle(Account account);
    }

    private SimResponse withAccount(SimRequest r, AccountHandler handler) {
        String auth = r.header("Authorization");
        if (auth == null || !auth.startsWith("Bearer ")) {
            return error(401, "authentication_error", "missing bearer API key", null);
        }
        Account account = accountsByKey.get(auth.substring("Bearer ".length()));
        if (account == null) {
            return error(401, "authentication_error", "invalid API key", null);
        }
        if (faults().rateLimits() && overLimit(auth, r)) {
            return rateLimited();
        }
        synchronized (account) {
            return handler.handle(account);
        }
    }

    private boolean overLimit(String auth, SimRequest r) {
        String endpoint = r.method() + " " + r.path().replaceAll("/(cmpn|adgrp|ad|file)_[A-Za-z0-9]+", "/{id}")
                .replaceAll("(.)/$", "$1"); // with or without the trailing slash: one endpoint
        int overall = countCall(auth);
        int one = countCall(auth + "|" + endpoint);
        return overall > OVERALL_PER_MINUTE || one > PER_ENDPOINT_PER_MINUTE;
    }

    // ------------------------------------------------------------------ campaigns

    private SimResponse createCampaign(Account a, SimRequest r) {
        Map<String, Object> b = body(r);
        if (b == null) {
            return error(400, "invalid_request_error", "body must be a JSON object", null);
        }
        String problem = checkName(b.get("name"), 3, 1000);
        if (problem != null) {
            return error(400, "invalid_request_error", problem, "name");
        }
        if (!Set.of("active", "paused").contains(b.get("status"))) {
            return error(400, "invalid_request_error", "status must be active or paused", "status");
        }
        SimResponse budgetError = checkBudget(b.get("budget"), true);
        if (budgetError != null) {
            return budgetError;
        }
        SimResponse times = checkTimes(b);
        if (times != null) {
            return times;
        }
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("id", nextId("cmpn_"));
        c.put("object", "campaign");
        c.put("name", b.get("name"));
        c.put("status", b.get("status"));
        c.put("budget", b.get("budget"));
        c.put("description", b.get("description"));
        c.put("start_time", b.get("start_time"));
        c.put("end_time", b.get("end_time"));
        c.put("targeting", b.get("targeting"));
        c.put("created_at", clock.instant().getEpochSecond());
        keep(a, CAMPAIGN, a.campaigns, (String) c.get("id"), c);
        return SimResponse.json(200, c);
    }

    private SimResponse updateCampaign(Account a, String id, SimRequest r) {
        Map<String, Object> c = a.campaigns.get(id);
        if (c == null) {
            return error(404, "not_found_error", "no such campaign", "campaign_id");
        }
        Map<String, Object> b = body(r);
        if (b == null) {
            return error(400, "invalid_request_error", "body must be a JSON object", null);
        }
        if ("archived".equals(c.get("status"))) {
            return error(400, "invalid_request_error", "archived campaigns cannot change", null);
        }
        if (b.containsKey("name")) {
            String problem = checkName(b.get("name"), 3, 1000);
            if (problem != null) {
                return error(400, "invalid_request_error", problem, "name");
            }
        }
        if (b.containsKey("status") && !Set.of("active", "paused").contains(b.get("status"))) {
            return error(400, "invalid_request_error", "status must be active or paused", "status");
        }
        if (b.containsKey("budget") && b.get("budget") != null) {
            SimResponse budgetError = checkBudget(b.get("budget"), true);
            if (budgetError != null) {
                return budgetError;
            }
        }
        Map<String, Object> merged = new LinkedHashMap<>(c);
        for (String f : List.of("name", "status", "budget", "description", "end_time", "targeting")) {
            if (b.containsKey(f)) {
                merged.put(f, b.get(f)); // null clears
            }
        }
        SimResponse times = checkTimes(merged);
        if (times != null) {
            return times;
        }
        keep(a, CAMPAIGN, a.campaigns, id, merged); // null clears
        return SimResponse.json(200, merged);
    }

    private SimResponse setCampaignStatus(Account a, String id, String verb) {
        Map<String, Object> c = a.campaigns.get(id);
        if (c == null) {
            return error(404, "not_found_error", "no such campaign", "campaign_id");
        }
        if ("archived".equals(c.get("status"))) {
            return error(400, "invalid_request_error", "archived campaigns cannot change", null);
        }
        Map<String, Object> changed = new LinkedHashMap<>(c);
        changed.put("status", switch (verb) {
            case "pause" -> "paused";
            case "activate" -> "active";
            default -> "archived";
        });
        keep(a, CAMPAIGN, a.campaigns, id, changed);
        return SimResponse.json(200, changed);
    }

    // ------------------------------------------------------------------ ad groups, files, ads

    private SimResponse createAdGroup(Account a, SimRequest r) {
        Map<String, Object> b = body(r);
        if (b == null) {
            return error(400, "invalid_request_error", "body must be a JSON object", null);
        }
        if (!(b.get("campaign_id") instanceof String cid) || !a.campaigns.containsKey(cid)) {
            return error(400, "invalid_request_error", "campaign_id does not name a campaign of this ad account", "campaign_id");
        }
        String problem = checkName(b.get("name"), 1, 1000);
        if (problem != null) {
            return error(400, "invalid_request_error", problem, "name");
        }
        if (b.containsKey("status") && !Set.of("active", "paused").contains(b.get("status"))) {
            return error(400, "invalid_request_error", "status must be active or paused", "status");
        }
        if (b.containsKey("context_hints") && !(b.get("context_hints") instanceof List<?> hints
                && hints.stream().allMatch(h -> h instanceof String))) {
            return error(400, "invalid_request_error", "context_hints must be an array of strings", "context_hints");
        }
        if (b.containsKey("bidding_config")) {
            if (!(b.get("bidding_config") instanceof Map<?, ?> bc)
                    || !"impression".equals(bc.get("billing_event_type"))
                    || !(bc.get("max_bid_micros") instanceof Long bid) || bid < 1 || bid > 100_000_000) {
                return error(400, "invalid_request_error",
                        "bidding_config needs billing_event_type \"impression\" and integer max_bid_micros 1..100000000",
                        "bidding_config");
            }
        }
        Map<String, Object> g = new LinkedHashMap<>(b);
        g.put("id", nextId("adgrp_"));
        g.put("object", "ad_group");
        g.putIfAbsent("status", "paused");
        keep(a, AD_GROUP, a.adGroups, (String) g.get("id"), g);
        return SimResponse.json(200, g);
    }

    /** {@code POST /upload}: JSON {@code {"image_url": …}} or a multipart {@code file} part (providers.md). */
    private SimResponse upload(Account a, SimRequest r) {
        Map<String, Object> f = new LinkedHashMap<>();
        if (r.mediaType().equals("multipart/form-data")) {
            dev.minutework.broker.sim.MultipartBody.Part file;
            try {
                file = r.multipart().stream().filter(p -> p.name().equals("file") && p.filename() != null
                        && p.data().length > 0).findFirst().orElse(null);
            } catch (RuntimeException e) {
                file = null;
            }
            if (file == null) {
                return error(400, "invalid_request_error", "a multipart upload needs a non-empty file part", "file");
            }
            f.put("file_id", nextId("file_"));
            f.put("filename", file.filename());
            f.put("bytes", file.data().length);
        } else {
            Map<String, Object> b = body(r);
            if (b == null || !(b.get("image_url") instanceof String url) || !url.startsWith("https://")) {
                return error(400, "invalid_request_error", "send {\"image_url\": <https URL>} or a multipart file", "image_url");
            }
            f.put("file_id", nextId("file_"));
            f.put("image_url", url);
        }
        keep(a, FILE, a.files, (String) f.get("file_id"), f);
        return SimResponse.json(200, Map.of("file_id", f.get("file_id")));
    }

    private SimResponse createAd(Account a, SimRequest r) {
        Map<String, Object> b = body(r);
        if (b == null) {
            return error(400, "invalid_request_error", "body must be a JSON object", null);
        }
        if (!(b.get("ad_group_id") instanceof String gid) || !a.adGroups.containsKey(gid)) {
            return error(400, "invalid_request_error", "ad_group_id does not name an ad group of this ad account", "ad_group_id");
        }
        String problem = checkName(b.get("name"), 1, 1000);
        if (problem != null) {
            return error(400, "invalid_request_error", problem, "name");
        }
        if (!(b.get("creative") instanceof Map<?, ?> cr)) {
            return error(400, "invalid_request_error", "creative is required", "creative");
        }
        if (!"chat_card".equals(cr.get("type"))) {
            return error(400, "invalid_request_error", "creative.type must be chat_card", "creative.type");
        }
        String title = checkName(cr.get("title"), 3, 50);
        if (title != null) {
            return error(400, "invalid_request_error", "creative.title " + title, "creative.title");
        }
        if (!(cr.get("body") instanceof String text) || text.isEmpty() || characters(text) > 100) {
            return error(400, "invalid_request_error", "creative.body must have 1 to 100 characters", "creative.body");
        }
        if (!(cr.get("target_url") instanceof String target) || !target.startsWith("https://")) {
            return error(400, "invalid_request_error", "creative.target_url must be an https URL", "creative.target_url");
        }
        if (!(cr.get("file_id") instanceof String file) || !a.files.containsKey(file)) {
            return error(400, "invalid_request_error", "creative.file_id does not name an uploaded file", "creative.file_id");
        }
        Map<String, Object> ad = new LinkedHashMap<>(b);
        ad.put("id", nextId("ad_"));
        ad.put("object", "ad");
        ad.putIfAbsent("status", "paused");
        ad.put("review_status", "in_review");
        keep(a, AD, a.ads, (String) ad.get("id"), ad);
        return SimResponse.json(200, ad);
    }

    // ------------------------------------------------------------------ reads

    private SimResponse found(Map<String, Map<String, Object>> objects, String id, String what) {
        Map<String, Object> o = objects.get(id);
        return o == null ? error(404, "not_found_error", "no such " + what, null) : SimResponse.json(200, o);
    }

    private SimResponse list(Map<String, Map<String, Object>> objects, SimRequest r, String filterField, String filter) {
        int limit;
        try {
            limit = r.query().containsKey("limit") ? Integer.parseInt(r.query().get("limit")) : 20;
        } catch (NumberFormatException e) {
            return error(400, "invalid_request_error", "limit must be an integer", "limit");
        }
        if (limit < 1 || limit > 100) {
            return error(400, "invalid_request_error", "limit must be between 1 and 100", "limit");
        }
        String after = r.query().get("after");
        String before = r.query().get("before");
        if (after != null && before != null) {
            return error(400, "invalid_request_error", "send after or before, not both", "before");
        }
        List<Map<String, Object>> all = objects.values().stream()
                .filter(o -> filterField == null || filter == null || filter.equals(o.get(filterField))).toList();
        int from = 0;
        int to = Math.min(limit, all.size());
        boolean more;
        if (before != null) {
            // the page just before the cursor: the last `limit` objects ahead of it
            int at = indexOf(all, before);
            if (at < 0) {
                return error(400, "invalid_request_error", "before does not name an object of this list", "before");
            }
            from = Math.max(0, at - limit);
            to = at;
            more = from > 0;
        } else {
            if (after != null) {
                int at = indexOf(all, after);
                if (at < 0) {
                    return error(400, "invalid_request_error", "after does not name an object of this list", "after");
                }
                from = Math.min(at + 1, all.size());
                to = Math.min(from + limit, all.size());
            }
            more = to < all.size();
        }
        List<Map<String, Object>> page = all.subList(from, to);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("object", "list");
        out.put("data", page);
        out.put("first_id", page.isEmpty() ? null : page.getFirst().get("id"));
        out.put("last_id", page.isEmpty() ? null : page.getLast().get("id"));
        out.put("has_more", more);
        return SimResponse.json(200, out);
    }

    private static int indexOf(List<Map<String, Object>> objects, String id) {
        for (int i = 0; i < objects.size(); i++) {
            if (id.equals(objects.get(i).get("id"))) {
                return i;
            }
        }
        return -1;
    }

    private SimResponse insights(Account a, String campaignId, SimRequest r) {
        Map<String, Object> c = a.campaigns.get(campaignId);
        if (c == null) {
            return error(404, "not_found_error", "no such campaign", "campaign_id");
        }
        String granularity = r.query().getOrDefault("time_granularity", "daily");
        if (!Set.of("daily", "total").contains(granularity)) {
            return error(400, "invalid_request_error", "time_granularity must be daily or total", "time_granularity");
        }
        LocalDate since;
        LocalDate until;
        try {
            List<?> ranges = (List<?>) JsonParser.parse(r.query().get("time_ranges"));
            Map<?, ?> range = (Map<?, ?>) ranges.getFirst();
            since = LocalDate.parse((String) range.get("since"));
            until = LocalDate.parse((String) range.get("until"));
        } catch (RuntimeException e) {
            return error(400, "invalid_request_error",
                    "time_ranges must be a JSON array like [{\"since\":\"YYYY-MM-DD\",\"until\":\"YYYY-MM-DD\"}]", "time_ranges");
        }
        if (until.isBefore(since)) {
            return error(400, "invalid_request_error", "until is before since", "time_ranges");
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        long totalSpend = 0;
        long totalImpressions = 0;
        long totalClicks = 0;
        for (LocalDate d = since; !d.isAfter(until); d = d.plusDays(1)) {
            long spend = spendMicrosOn(c, d);
            long impressions = spend / 5_000;
            long clicks = impressions / 50;
            if (granularity.equals("daily")) {
                rows.add(row(campaignId, d, d, impressions, clicks, spend));
            }
            totalSpend += spend;
            totalImpressions += impressions;
            totalClicks += clicks;
        }
        if (granularity.equals("total")) {
            rows.add(row(campaignId, since, until, totalImpressions, totalClicks, totalSpend));
        }
        // cursors are row positions: last_id is the `after` of the next page, first_id the `before` of the previous one
        int pageSize = 31;
        int start = 0;
        int end;
        boolean more;
        try {
            if (r.query().get("before") != null) {
                end = Math.min(Integer.parseInt(r.query().get("before")), rows.size());
                start = Math.max(0, end - pageSize);
                more = start > 0;
            } else {
                if (r.query().get("after") != null) {
                    start = Math.min(Integer.parseInt(r.query().get("after")), rows.size());
                }
                end = Math.min(start + pageSize, rows.size());
                more = end < rows.size();
            }
        } catch (NumberFormatException e) {
            return error(400, "invalid_request_error", "bad cursor", r.query().get("before") != null ? "before" : "after");
        }
        if (start < 0 || end < start) {
            return error(400, "invalid_request_error", "bad cursor", "after");
        }
        List<Map<String, Object>> page = rows.subList(start, end);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("object", "list");
        out.put("data", page);
        out.put("first_id", start > 0 ? String.valueOf(start) : null);
        out.put("last_id", end < rows.size() ? String.valueOf(end) : null);
        out.put("has_more", more);
        return SimResponse.json(200, out);
    }

    /**
     * The simulated delivery: an active campaign spends a tenth of its lifetime limit a day, from
     * the day it was created to today (and not past its end time), never more than the limit.
     */
    private long spendMicrosOn(Map<String, Object> c, LocalDate day) {
        LocalDate created = Instant.ofEpochSecond((Long) c.get("created_at")).atZone(ZoneOffset.UTC).toLocalDate();
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        if (!"active".equals(c.get("status")) || day.isBefore(created) || day.isAfter(today)) {
            return 0;
        }
        if (c.get("end_time") instanceof Long end
                && day.isAfter(Instant.ofEpochSecond(end).atZone(ZoneOffset.UTC).toLocalDate())) {
            return 0;
        }
        long limit = ((Number) ((Map<?, ?>) c.get("budget")).get("lifetime_spend_limit_micros")).longValue();
        // a lifetime budget is paced over the campaign's days (a tenth a day when it has no end);
        // faults().overDelivery() makes it deliver more than that, as a provider that over-delivers
        long days = c.get("end_time") instanceof Number end
                ? Math.max(1, Instant.ofEpochSecond(end.longValue()).atZone(ZoneOffset.UTC).toLocalDate().toEpochDay()
                        - created.toEpochDay()) : 10;
        long perDay = (long) (limit / days * faults().overDelivery());
        long before = perDay * (day.toEpochDay() - created.toEpochDay());
        long cap = faults().overDelivery() > 1 ? Long.MAX_VALUE : limit;
        return Math.max(0, Math.min(perDay, cap - before));
    }

    private static Map<String, Object> row(String campaignId, LocalDate from, LocalDate to, long impressions, long clicks,
            long spendMicros) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("campaign_id", campaignId);
        m.put("date_start", from.toString());
        m.put("date_stop", to.toString());
        m.put("impressions", impressions);
        m.put("clicks", clicks);
        m.put("spend", new BigDecimal(spendMicros).movePointLeft(6).setScale(2, RoundingMode.DOWN).toPlainString());
        return m;
    }

    // ------------------------------------------------------------------ checks and envelopes

    private static Map<String, Object> body(SimRequest r) {
        try {
            return r.jsonObject();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String checkName(Object v, int min, int max) {
        if (!(v instanceof String s)) {
            return "must be a string";
        }
        if (characters(s) < min || characters(s) > max) {
            return "must have " + min + " to " + max + " characters";
        }
        return null;
    }

    /** Characters as the documented limits count them: code points, not UTF-16 units. */
    private static int characters(String s) {
        return s.codePointCount(0, s.length());
    }

    private SimResponse checkBudget(Object v, boolean required) {
        if (v == null) {
            return required ? error(400, "invalid_request_error", "budget is required", "budget") : null;
        }
        if (!(v instanceof Map<?, ?> budget) || !Set.of("lifetime_spend_limit_micros").containsAll(budget.keySet())) {
            return error(400, "invalid_request_error", "budget accepts only lifetime_spend_limit_micros", "budget");
        }
        if (!(budget.get("lifetime_spend_limit_micros") instanceof Long micros) || micros < 1_000_000) {
            return error(400, "invalid_request_error", "lifetime_spend_limit_micros must be an integer ≥ 1000000",
                    "budget.lifetime_spend_limit_micros");
        }
        return null;
    }

    private SimResponse checkTimes(Map<String, Object> b) {
        for (String f : List.of("start_time", "end_time")) {
            Object t = b.get(f);
            if (t != null && !(t instanceof Long)) {
                return error(400, "invalid_request_error", f + " must be Unix seconds (an integer)", f);
            }
        }
        if (b.get("start_time") instanceof Long s && b.get("end_time") instanceof Long e && e <= s) {
            return error(400, "invalid_request_error", "end_time must be after start_time", "end_time");
        }
        return null;
    }

    static SimResponse error(int status, String type, String message, String param) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("message", message);
        e.put("type", type);
        e.put("param", param);
        e.put("code", null);
        return SimResponse.json(status, Map.of("error", e));
    }

    @Override
    protected SimResponse notFound(SimRequest request) {
        return error(404, "not_found_error", "unknown endpoint", null);
    }

    @Override
    protected SimResponse serverError() {
        return error(500, "server_error", "the server had an error while processing your request", null);
    }

    @Override
    protected SimResponse rateLimited() {
        return error(429, "rate_limit_error", "rate limit reached for requests", null).withHeader("Retry-After", "1");
    }

    /** Parses a day for tests. */
    static LocalDate day(String text) {
        try {
            return LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
