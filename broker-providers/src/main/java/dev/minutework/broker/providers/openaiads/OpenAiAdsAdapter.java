package dev.minutework.broker.providers.openaiads;

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
import dev.minutework.broker.providers.http.WireResult;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Speaks the OpenAI Advertiser API for one ad account (docs/providers.md, "openaiads").
 *
 * <p>Creates carry the broker reference at the end of the object's name ({@code "Winter boots
 * [exe_…]"}), so when an answer is lost the adapter looks the object up instead of sending the
 * create again. A create is sent again after throttling or when it was never sent, but after an
 * answer that may have made the object only when the lookup proved it absent. Reads and idempotent
 * updates are retried with backoff.
 */
final class OpenAiAdsAdapter implements ProviderAdapter {

    static final long MIN_LIFETIME_MICROS = 1_000_000;
    static final long MAX_BID_MICROS = 100_000_000;
    /** A chat card's title and body lengths, in characters (Unicode code points). */
    static final int TITLE_MIN = 3;
    static final int TITLE_MAX = 50;
    static final int BODY_MAX = 100;
    /**
     * The currency this adapter reads reports in: the ad account's currency is not documented, and
     * the broker's OpenAI accounts bill in US dollars, so money in any other currency is refused.
     */
    static final String CURRENCY = "USD";

    private final ProviderHttp http;
    private final URI base;
    private final ProviderAccountContext account;
    private final Calls calls;

    OpenAiAdsAdapter(ProviderHttp http, URI base, ProviderAccountContext account) {
        this(http, base, account, Calls.FIRST_BACKOFF);
    }

    OpenAiAdsAdapter(ProviderHttp http, URI base, ProviderAccountContext account, Duration firstBackoff) {
        this.http = http;
        this.base = base;
        this.account = account;
        this.calls = new Calls(firstBackoff, Redaction.forCredentials(account.credentials()));
    }

    @Override
    public ProviderOutcome execute(ProviderRequest request) {
        String campaignId = request.providerIds().get("campaign_id");
        return switch (request.command()) {
            case ExecuteCommand.CreateCampaign c -> createCampaign(c, request.brokerReference());
            case ExecuteCommand.UpdateCampaign u -> updateCampaign(u, campaignId);
            case ExecuteCommand.PauseCampaign p -> idempotent("POST", "/campaigns/" + enc(campaignId) + "/pause", null,
                    this::campaignOutcome);
            case ExecuteCommand.CreateGroup g -> createGroup(g, campaignId, request.brokerReference());
            case ExecuteCommand.CreateCreative c -> createCreative(c);
            case ExecuteCommand.CreateAd ad -> createAd(ad, request);
            case ExecuteCommand.FetchReport r -> report(r, campaignId);
        };
    }

    // ------------------------------------------------------------------ actions

    private ProviderOutcome createCampaign(ExecuteCommand.CreateCampaign in, String ref) {
        ProviderOutcome.Rejected unfit = lifetimeBudgetUnfit(in.budget(), " (1.00 in major units)");
        if (unfit != null) {
            return unfit;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", named(in.name(), ref, 1000));
        body.put("status", status(in.active()));
        body.put("budget", Map.of("lifetime_spend_limit_micros", in.budget().amount().toMicros()));
        if (in.objective() != null) {
            body.put("description", "objective: " + in.objective());
        }
        putSeconds(body, "start_time", in.start());
        putSeconds(body, "end_time", in.end());
        return create("/campaigns", body, "ads.create_campaign", ref, this::campaignOutcome);
    }

    private ProviderOutcome updateCampaign(ExecuteCommand.UpdateCampaign in, String campaignId) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (in.name() != null) {
            // keep the broker reference the campaign was created with
            ProviderOutcome current = read("/campaigns/" + enc(campaignId), this::campaignOutcome);
            if (!(current instanceof ProviderOutcome.Succeeded ok)) {
                return current;
            }
            body.put("name", in.name() + referenceSuffix((String) ok.data().get("provider_name")));
        }
        if (in.active() != null) {
            body.put("status", status(in.active()));
        }
        if (in.budget() != null) {
            ProviderOutcome.Rejected unfit = lifetimeBudgetUnfit(in.budget(), "");
            if (unfit != null) {
                return unfit;
            }
            // the budget is sent whole
            body.put("budget", Map.of("lifetime_spend_limit_micros", in.budget().amount().toMicros()));
        }
        putSeconds(body, "end_time", in.end());
        return idempotent("POST", "/campaigns/" + enc(campaignId), body, this::campaignOutcome);
    }

    /** Why OpenAI cannot take the budget (daily, another currency, or below its minimum), or null when it can. */
    private static ProviderOutcome.Rejected lifetimeBudgetUnfit(CampaignBudget budget, String minimumNote) {
        if (budget.period() != BudgetPeriod.LIFETIME) {
            return new ProviderOutcome.Rejected(RejectionKind.UNSUPPORTED, "daily_budget_unsupported",
                    "the OpenAI Advertiser API has no daily budget; use a lifetime budget");
        }
        ProviderOutcome.Rejected currency = currencyUnfit(budget.amount());
        if (currency != null) {
            return currency;
        }
        if (budget.amount().toMicros() < MIN_LIFETIME_MICROS) {
            return new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "budget_below_minimum",
                    "openaiads needs a lifetime budget of at least 1,000,000 micros" + minimumNote);
        }
        return null;
    }

    private ProviderOutcome createGroup(ExecuteCommand.CreateGroup in, String campaignId, String ref) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("campaign_id", campaignId);
        body.put("name", named(in.name(), ref, 1000));
        body.put("status", status(in.active()));
        ExecuteCommand.Targeting targeting = in.targeting();
        Map<String, Boolean> unsupported = new LinkedHashMap<>();
        unsupported.put("countries", !targeting.countries().isEmpty());
        unsupported.put("age_min", targeting.ageMin() != null);
        unsupported.put("age_max", targeting.ageMax() != null);
        unsupported.put("languages", !targeting.languages().isEmpty());
        for (Map.Entry<String, Boolean> field : unsupported.entrySet()) {
            if (field.getValue()) {
                return new ProviderOutcome.Rejected(RejectionKind.UNSUPPORTED, "targeting_unsupported",
                        "openaiads ad groups target by context_hints only, not by " + field.getKey());
            }
        }
        if (!targeting.contextHints().isEmpty()) {
            body.put("context_hints", targeting.contextHints());
        }
        if (in.bid() != null) {
            ProviderOutcome.Rejected currency = currencyUnfit(in.bid());
            if (currency != null) {
                return currency;
            }
            long micros = in.bid().toMicros();
            if (micros < 1 || micros > MAX_BID_MICROS) {
                return new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "bid_out_of_range",
                        "openaiads bids are 1 to 100,000,000 micros");
            }
            body.put("bidding_config", Map.of("billing_event_type", "impression", "max_bid_micros", micros));
        }
        return create("/ad_groups", body, "ads.create_group", ref, this::objectOutcome);
    }

    /** Money in another currency than {@link #CURRENCY}, refused; null when it may go. */
    private static ProviderOutcome.Rejected currencyUnfit(Money money) {
        return CURRENCY.equals(money.currency()) ? null : new ProviderOutcome.Rejected(RejectionKind.UNSUPPORTED,
                "currency_unsupported", "openaiads accounts bill in " + CURRENCY + ", not " + money.currency());
    }

    /**
     * No stand-alone creative object at OpenAI: the image is uploaded; the creative lives in the ad.
     * A creative that cannot become a chat card is refused before anything is uploaded.
     */
    private ProviderOutcome createCreative(ExecuteCommand.CreateCreative in) {
        ProviderOutcome.Rejected unfit = chatCardUnfit(in);
        if (unfit != null) {
            return unfit;
        }
        Map<String, Object> body = Map.of("image_url", in.imageUrl().toString());
        // an upload spends nothing, so repeating it after a lost answer is harmless
        return idempotent("POST", "/upload", body, json -> json.get("file_id") instanceof String file
                ? new ProviderOutcome.Succeeded(file, Map.of("file_id", file), List.of())
                : unreadable());
    }

    private ProviderOutcome createAd(ExecuteCommand.CreateAd in, ProviderRequest request) {
        ExecuteCommand.CreateCreative creative = request.reference("creative_id", ExecuteCommand.CreateCreative.class);
        String fileId = request.providerIds().get("creative_id");
        if (creative == null || fileId == null) {
            return new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "creative_unknown",
                    "the ad's creative is not known to the broker");
        }
        ProviderOutcome.Rejected unfit = chatCardUnfit(creative);
        if (unfit != null) {
            return unfit;
        }
        Map<String, Object> card = new LinkedHashMap<>();
        card.put("type", "chat_card");
        card.put("title", creative.headline());
        card.put("body", creative.body());
        card.put("target_url", creative.landingUrl() == null ? null : creative.landingUrl().toString());
        card.put("file_id", fileId);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ad_group_id", request.providerIds().get("group_id"));
        body.put("name", named(in.name(), request.brokerReference(), 1000));
        body.put("status", status(in.active()));
        body.put("creative", card);
        return create("/ads", body, "ads.create_ad", request.brokerReference(), this::objectOutcome);
    }

    /**
     * Why a creative cannot be a chat card (one title of 3 to 50 characters, one body of 1 to 100,
     * no call to action), or null when it can: the same limits the factory declares.
     */
    static ProviderOutcome.Rejected chatCardUnfit(ExecuteCommand.CreateCreative creative) {
        if (creative.headlines().size() != 1 || creative.descriptions().size() != 1) {
            return new ProviderOutcome.Rejected(RejectionKind.UNSUPPORTED, "creative_texts_unsupported",
                    "an openaiads chat card has one title and one body: give one headline and one description");
        }
        if (creative.callToAction() != null) {
            return new ProviderOutcome.Rejected(RejectionKind.UNSUPPORTED, "call_to_action_unsupported",
                    "openaiads chat cards show no call to action");
        }
        int title = characters(creative.headline());
        if (title < TITLE_MIN || title > TITLE_MAX) {
            return new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "headline_length",
                    "openaiads chat cards need a headline of " + TITLE_MIN + " to " + TITLE_MAX + " characters");
        }
        int body = characters(creative.body());
        if (body < 1 || body > BODY_MAX) {
            return new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "body_length",
                    "openaiads chat cards need a body of 1 to " + BODY_MAX + " characters");
        }
        return null;
    }

    /** Characters as the broker counts them (code points, as JSON Schema's lengths do). */
    private static int characters(String text) {
        return text.codePointCount(0, text.length());
    }

    private ProviderOutcome report(ExecuteCommand.FetchReport in, String campaignId) {
        List<String> campaigns = new ArrayList<>();
        if (campaignId != null) {
            campaigns.add(campaignId);
        } else {
            Optional<List<Map<String, Object>>> all = listAll("/campaigns");
            if (all.isEmpty()) {
                return new ProviderOutcome.Rejected(RejectionKind.PROVIDER_ERROR, "list_failed",
                        "could not list the ad account's campaigns");
            }
            all.get().forEach(c -> campaigns.add((String) c.get("id")));
        }
        String granularity = in.total() ? "total" : "daily";
        String ranges = CanonicalJson.canonicalize(List.of(Map.of("since", in.since().toString(),
                "until", in.until().toString())));
        List<ReportRow> rows = new ArrayList<>();
        for (String id : campaigns) {
            String after = null;
            do {
                String path = "/campaigns/" + enc(id) + "/insights?time_granularity=" + granularity + "&time_ranges="
                        + enc(ranges) + "&fields=" + enc("impressions,clicks,spend") + (after == null ? "" : "&after=" + enc(after));
                Reply<Map<String, Object>> page = repeatable("GET", path, null);
                if (page.failure() != null) {
                    return page.failure();
                }
                for (Object o : (List<?>) page.answer().getOrDefault("data", List.of())) {
                    Map<?, ?> r = (Map<?, ?>) o;
                    rows.add(new ReportRow(LocalDate.parse((String) r.get("date_start")), id, number(r.get("impressions")),
                            number(r.get("clicks")), minor(String.valueOf(r.get("spend"))), currency()));
                }
                after = Boolean.TRUE.equals(page.answer().get("has_more")) ? (String) page.answer().get("last_id") : null;
            } while (after != null);
        }
        return new ProviderOutcome.Succeeded(null, Map.of(), rows);
    }

    // ------------------------------------------------------------------ reconciliation and checks

    @Override
    public ProviderOutcome reconcile(String action, String brokerReference) {
        String list = switch (action) {
            case "ads.create_campaign" -> "/campaigns";
            case "ads.create_group" -> "/ad_groups";
            case "ads.create_ad" -> "/ads";
            // nothing spends on an upload and updates set absolute values: the broker may repeat them
            default -> null;
        };
        if (list == null) {
            return new ProviderOutcome.Unknown("openaiads cannot look up " + action + " by reference; repeat it");
        }
        Optional<List<Map<String, Object>>> all = listAll(list);
        if (all.isEmpty()) {
            return new ProviderOutcome.Unknown("could not list " + list + " to reconcile");
        }
        String suffix = " [" + brokerReference + "]";
        return all.get().stream().filter(o -> o.get("name") instanceof String n && n.endsWith(suffix)).findFirst()
                .map(o -> "/campaigns".equals(list) ? campaignOutcome(o) : objectOutcome(o))
                .orElseGet(() -> new ProviderOutcome.Rejected(RejectionKind.NOT_FOUND, "not_found",
                        "no object carries the reference " + brokerReference));
    }

    @Override
    public List<ProviderCheck> checks() {
        WireResult r = send("GET", "/campaigns?limit=1", null);
        String where = base.getHost();
        return switch (r) {
            case WireResult.Answered a when a.status() / 100 == 2 -> List.of(
                    new ProviderCheck("credentials_authenticate", true, "the API key is accepted"),
                    new ProviderCheck("account_reachable", true, "ad account " + account.scope().get("ad_account_id")
                            + " answers at " + where));
            case WireResult.Answered a when a.status() == 401 || a.status() == 403 -> List.of(
                    new ProviderCheck("credentials_authenticate", false, "the API key is refused (HTTP " + a.status() + ")"),
                    new ProviderCheck("account_reachable", false, "not checked: authentication failed"));
            case WireResult.Answered a -> List.of(
                    new ProviderCheck("credentials_authenticate", false, "unexpected answer HTTP " + a.status()),
                    new ProviderCheck("account_reachable", false, "the API answered HTTP " + a.status()));
            case WireResult.NotSent n -> List.of(
                    new ProviderCheck("provider_reachable", false, "cannot connect to " + where));
            case WireResult.Lost l -> List.of(
                    new ProviderCheck("provider_reachable", false, "no answer from " + where));
        };
    }

    // ------------------------------------------------------------------ wire

    /**
     * A create: never sent again after an answer that may have made the object unless a lookup
     * proved it absent (see {@link Calls#create}).
     */
    private ProviderOutcome create(String path, Map<String, Object> body, String action, String ref,
            Function<Map<String, Object>, ProviderOutcome> ok) {
        return calls.create(() -> send("POST", path, body), answer -> verdict(answer, ok), () -> reconcile(action, ref),
                "the answer to " + action + " was lost; reconcile by reference " + ref);
    }

    /** Reads and absolute updates: safe to repeat on 429, 5xx, unsent or lost. */
    private ProviderOutcome idempotent(String method, String path, Map<String, Object> body,
            Function<Map<String, Object>, ProviderOutcome> ok) {
        Reply<Map<String, Object>> reply = repeatable(method, path, body);
        return reply.failure() != null ? reply.failure() : ok.apply(reply.answer());
    }

    private Reply<Map<String, Object>> repeatable(String method, String path, Map<String, Object> body) {
        return calls.repeat(() -> send(method, path, body), answer -> verdict(answer, Function.identity()));
    }

    /** An answer by its HTTP status: 2xx is read by {@code ok}, 429 throttles, 5xx is transient, the rest refused. */
    private <T> Verdict<T> verdict(WireResult.Answered a, Function<Map<String, Object>, T> ok) {
        if (a.status() / 100 == 2) {
            Optional<Map<String, Object>> json = parse(a.body());
            return json.isPresent() ? Verdict.success(ok.apply(json.get())) : Verdict.unreadableSuccess();
        }
        if (a.status() == 429) {
            return Verdict.throttled(retryAfter(a));
        }
        return a.status() >= 500 ? Verdict.transientFailure(rejected(a)) : Verdict.refused(rejected(a));
    }

    private ProviderOutcome read(String path, Function<Map<String, Object>, ProviderOutcome> ok) {
        return idempotent("GET", path, null, ok);
    }

    private Optional<List<Map<String, Object>>> listAll(String path) {
        List<Map<String, Object>> out = new ArrayList<>();
        String after = null;
        for (int page = 0; page < 1_000; page++) {
            Reply<Map<String, Object>> r = repeatable("GET", path + "?limit=100" + (after == null ? "" : "&after=" + enc(after)), null);
            if (r.failure() != null) {
                return Optional.empty();
            }
            for (Object o : (List<?>) r.answer().getOrDefault("data", List.of())) {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) o;
                out.add(m);
            }
            if (!Boolean.TRUE.equals(r.answer().get("has_more"))) {
                return Optional.of(out);
            }
            after = (String) r.answer().get("last_id");
        }
        return Optional.empty();
    }

    private WireResult send(String method, String path, Map<String, Object> body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + account.credentials().get("api_key"))
                .header("Accept", "application/json");
        if (body != null) {
            b.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(CanonicalJson.canonicalize(body)));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return http.send(b);
    }

    // ------------------------------------------------------------------ mapping

    private ProviderOutcome campaignOutcome(Map<String, Object> c) {
        Map<String, Object> data = new LinkedHashMap<>();
        putPresent(data, "status", c.get("status"));
        putPresent(data, "provider_name", c.get("name"));
        return c.get("id") instanceof String id ? new ProviderOutcome.Succeeded(id, data, List.of()) : unreadable();
    }

    private ProviderOutcome objectOutcome(Map<String, Object> o) {
        Map<String, Object> data = new LinkedHashMap<>();
        putPresent(data, "status", o.get("status"));
        putPresent(data, "review_status", o.get("review_status"));
        return o.get("id") instanceof String id ? new ProviderOutcome.Succeeded(id, data, List.of()) : unreadable();
    }

    private ProviderOutcome.Rejected rejected(WireResult.Answered a) {
        String message = "HTTP " + a.status();
        String param = null;
        Optional<Map<String, Object>> json = parse(a.body());
        if (json.isPresent() && json.get().get("error") instanceof Map<?, ?> e) {
            message = e.get("message") instanceof String m ? m : message;
            param = e.get("param") instanceof String p ? p : null;
        }
        RejectionKind kind = switch (a.status()) {
            case 401 -> RejectionKind.AUTH_FAILED;
            case 403 -> RejectionKind.POLICY_REJECTED;
            case 404 -> RejectionKind.NOT_FOUND;
            default -> a.status() >= 500 ? RejectionKind.PROVIDER_ERROR : RejectionKind.INVALID_REQUEST;
        };
        String code = "http_" + a.status() + (param == null ? "" : ":" + param);
        return new ProviderOutcome.Rejected(kind, Redaction.clean(code, account.credentials()),
                Redaction.clean(message, account.credentials()));
    }

    /** The unified status; an object created without one is paused. */
    private static String status(Boolean active) {
        return Boolean.TRUE.equals(active) ? "active" : "paused";
    }

    /** A time as OpenAI takes it: whole seconds since the epoch. */
    private static void putSeconds(Map<String, Object> body, String field, Instant time) {
        if (time != null) {
            body.put(field, time.getEpochSecond());
        }
    }

    private long minor(String major) {
        return new BigDecimal(major).movePointRight(Money.exponentOf(currency())).setScale(0, RoundingMode.HALF_UP)
                .longValueExact();
    }

    /** OpenAI ad accounts report in their own currency; the broker's accounts are set up in {@link #CURRENCY}. */
    private String currency() {
        return CURRENCY;
    }

    private static long number(Object v) {
        return v instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(v));
    }
}
