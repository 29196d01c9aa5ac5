package dev.minutework.broker.providers.googleads;

import static dev.minutework.broker.providers.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.minutework.broker.core.json.JsonParser;
import dev.minutework.broker.core.provider.ProviderAccountContext;
import dev.minutework.broker.core.provider.ProviderCredentials;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ProviderOutcome.RejectionKind;
import dev.minutework.broker.core.provider.ReportRow;
import dev.minutework.broker.providers.http.Calls;
import dev.minutework.broker.providers.http.ProviderHttp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Recorded Google Ads answers (success bodies and GoogleAdsFailure envelopes written from the
 * public documentation, in {@code fixtures/googleads}) served by a tiny HTTP server, to pin the
 * adapter's response mapping independently of the simulator.
 */
class GoogleAdsFixturesTest {

    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");

    static final String CID = "1234567890";
    static final Map<String, String> CREDENTIALS = Map.of("client_id", "fixture-client.apps.example.test",
            "client_secret", "GOCSPX-fixture-secret-987654", "refresh_token", "1//fixture-refresh-token-xyz",
            "developer_token", "fixture-devtoken-QRSTUVWX");

    /** An answer: a fixture file's, or a body written here ({@code body} not null). */
    record Canned(int status, String fixture, String body) {
        Canned(int status, String fixture) {
            this(status, fixture, null);
        }

        static Canned inline(int status, String body) {
            return new Canned(status, null, body);
        }
    }

    /**
     * A {@code googleAds:mutate} answer for a budget and its campaign, written from the public
     * {@code MutateGoogleAdsResponse} (one {@code <resource>Result} per operation, in order; with
     * {@code MUTABLE_RESOURCE} the result also holds the resource).
     */
    static final String MUTATE_BUDGET_AND_CAMPAIGN = """
            {
              "mutateOperationResponses": [
                {"campaignBudgetResult": {"resourceName": "customers/1234567890/campaignBudgets/13579",
                  "campaignBudget": {"resourceName": "customers/1234567890/campaignBudgets/13579", "id": "13579",
                    "name": "Winter boots budget [exe_f1]", "amountMicros": "50000000"}}},
                {"campaignResult": {"resourceName": "customers/1234567890/campaigns/24680",
                  "campaign": {"resourceName": "customers/1234567890/campaigns/24680", "id": "24680",
                    "name": "Winter boots [exe_f1]", "status": "PAUSED", "servingStatus": "SERVING",
                    "advertisingChannelType": "SEARCH", "campaignBudget": "customers/1234567890/campaignBudgets/13579",
                    "containsEuPoliticalAdvertising": "DOES_NOT_CONTAIN_EU_POLITICAL_ADVERTISING",
                    "startDateTime": "2026-11-21 01:00:00", "endDateTime": "2037-12-30 23:59:59"}}}
              ]
            }
            """;

    /** A {@code googleAds:mutate} refusal of the campaign (the second operation), located as Google locates it. */
    static final String MUTATE_CAMPAIGN_FIELD_REQUIRED = """
            {"error": {"code": 400, "message": "Request contains an invalid argument.", "status": "INVALID_ARGUMENT",
              "details": [{"@type": "type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure",
                "errors": [{"errorCode": {"fieldError": "REQUIRED"}, "message": "The required field was not present.",
                  "location": {"fieldPathElements": [{"fieldName": "mutate_operations", "index": 1},
                    {"fieldName": "campaign_operation"}, {"fieldName": "create"},
                    {"fieldName": "contains_eu_political_advertising"}]}}],
                "requestId": "aB1cD2eF3gH4iJ5kL6mN7o"}]}}
            """;

    record Seen(String path, String body) {}

    HttpServer server;
    final Map<String, Canned> answers = new ConcurrentHashMap<>();
    final List<Seen> seen = new CopyOnWriteArrayList<>();
    GoogleAdsAdapter adapter;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.start();
        String origin = "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
        ProviderAccountContext account = new ProviderAccountContext("pac_fx", "googleads", Map.of("customer_id", CID),
                new ProviderCredentials(CREDENTIALS), origin + "/v26");
        adapter = new GoogleAdsAdapter(new ProviderHttp(), URI.create(origin + "/v26"), URI.create(origin + "/oauth2/v3/token"),
                account, new GoogleAdsSession("fx"), url -> new byte[] {1}, Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"),
                        ZoneOffset.UTC), Duration.ofMillis(5));
        answers.put("/oauth2/v3/token", new Canned(200, "oauth_token.json"));
        answers.put("customer", new Canned(200, "search_customer.json"));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String path = exchange.getRequestURI().getPath();
            seen.add(new Seen(path, body));
            String key = path.endsWith("googleAds:search") && body.contains("FROM customer") ? "customer"
                    : path.replace("/v26/customers", "");
            Canned canned = answers.get(key);
            if (canned == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] bytes = (canned.body() != null ? canned.body() : fixture(canned.fixture())).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json; charset=UTF-8");
            exchange.getResponseHeaders().add("request-id", "fixtureRequestId");
            exchange.sendResponseHeaders(canned.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    static String fixture(String name) {
        try (InputStream in = GoogleAdsFixturesTest.class.getResourceAsStream("/fixtures/googleads/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private long count(String pathSuffix) {
        return seen.stream().filter(s -> s.path().endsWith(pathSuffix)).count();
    }

    private ProviderOutcome createCampaign() {
        return adapter.execute(request(NOW, "ads.create_campaign", "exe_f1", Map.of("name", "Winter boots",
                "budget", Map.of("amount_minor", 5_000, "currency", "EUR", "period", "daily"),
                "start_time", "2026-11-21T00:00:00Z"), Map.of()));
    }

    private ProviderOutcome createGroup() {
        return adapter.execute(request(NOW, "ads.create_group", "exe_f2", Map.of("campaign_id", "cmp_b", "name", "Hikers"),
                Map.of("campaign_id", "24680")));
    }

    @Test
    void mapsTheCampaignResultOfTheAtomicMutateInTheCustomersCurrencyAndZone() {
        answers.put("/" + CID + "/googleAds:mutate", Canned.inline(200, MUTATE_BUDGET_AND_CAMPAIGN));
        ProviderOutcome out = createCampaign();
        assertThat(out).isEqualTo(new ProviderOutcome.Succeeded("24680", Map.of("status", "paused",
                "provider_name", "Winter boots [exe_f1]", "resource_name", "customers/" + CID + "/campaigns/24680"), List.of()));
        assertThat(operation(1, "campaignOperation")).containsEntry("campaignBudget", "customers/" + CID + "/campaignBudgets/-1")
                .containsEntry("startDateTime", "2026-11-21 01:00:00"); // Europe/Berlin
        assertThat(operation(0, "campaignBudgetOperation")).containsEntry("amountMicros", "50000000");
    }

    /** The create of the {@code index}th operation of the last {@code googleAds:mutate}. */
    private Map<String, Object> operation(int index, String operation) {
        Seen s = seen.stream().filter(x -> x.path().endsWith("googleAds:mutate")).reduce((a, b) -> b).orElseThrow();
        Map<?, ?> op = (Map<?, ?>) ((List<?>) JsonParser.parseObject(s.body()).get("mutateOperations")).get(index);
        @SuppressWarnings("unchecked")
        Map<String, Object> create = (Map<String, Object>) ((Map<?, ?>) op.get(operation)).get("create");
        return create;
    }

    private void answerAllMutates(Canned canned) {
        for (String c : List.of("campaignBudgets", "campaigns", "adGroups", "assets", "adGroupAds", "googleAds")) {
            answers.put("/" + CID + "/" + c + ":mutate", canned);
        }
    }

    @Test
    void readsReportRowsWithCostMicrosInMinorUnitsOfTheCustomersCurrency() {
        answers.put("/" + CID + "/googleAds:search", new Canned(200, "search_report.json"));
        ProviderOutcome out = adapter.execute(request(NOW, "ads.fetch_report", "exe_f3",
                Map.of("campaign_id", "cmp_b", "since", "2026-11-18", "until", "2026-11-19", "granularity", "day"),
                Map.of("campaign_id", "24680")));
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class, ok -> assertThat(ok.rows()).containsExactly(
                new ReportRow(LocalDate.parse("2026-11-18"), "24680", 2_469, 41, 1_235, "EUR"),
                new ReportRow(LocalDate.parse("2026-11-19"), "24680", 198, 7, 99, "EUR")));
    }

    @Test
    void decodesFieldErrorRequiredWithItsLocation() {
        answerAllMutates(new Canned(400, "error_field_required.json"));
        ProviderOutcome pause = adapter.execute(request(NOW, "ads.pause_campaign", "exe_f5", Map.of("campaign_id", "cmp_b"),
                Map.of("campaign_id", "24680")));
        assertThat(pause).isEqualTo(new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "fieldError:REQUIRED",
                "The required field was not present. (at operations[0].create.contains_eu_political_advertising)"));
        assertThat(count(":mutate")).isEqualTo(1);
    }

    @Test
    void decodesARefusalOfTheAtomicMutateWithTheOperationItNames() {
        answers.put("/" + CID + "/googleAds:mutate", Canned.inline(400, MUTATE_CAMPAIGN_FIELD_REQUIRED));
        assertThat(createCampaign()).isEqualTo(new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "fieldError:REQUIRED",
                "The required field was not present. (at mutate_operations[1].campaign_operation.create"
                        + ".contains_eu_political_advertising)"));
        assertThat(count(":mutate")).isEqualTo(1);
    }

    @Test
    void anUnapprovedDeveloperTokenIsAuthFailed() {
        answerAllMutates(new Canned(403, "error_developer_token_not_approved.json"));
        assertThat(createGroup()).isInstanceOfSatisfying(ProviderOutcome.Rejected.class, r -> {
            assertThat(r.kind()).isEqualTo(RejectionKind.AUTH_FAILED);
            assertThat(r.providerCode()).isEqualTo("authorizationError:DEVELOPER_TOKEN_NOT_APPROVED");
        });
    }

    @Test
    void aLongQuotaRetryDelayIsRateLimitedWithoutWaiting() {
        answerAllMutates(new Canned(429, "error_quota_exhausted.json"));
        assertThat(createGroup()).isEqualTo(new ProviderOutcome.RateLimited(Duration.ofSeconds(120)));
        assertThat(count(":mutate")).isEqualTo(1);
    }

    @Test
    void aPersistentInternalErrorIsLookedUpBeforeEveryResendAndEndsAsProviderError() {
        answerAllMutates(new Canned(500, "error_internal.json"));
        answers.put("/" + CID + "/googleAds:search", new Canned(200, "search_empty.json")); // Google omits empty results
        ProviderOutcome out = createGroup();
        assertThat(out).isEqualTo(new ProviderOutcome.Rejected(RejectionKind.PROVIDER_ERROR, "internalError:INTERNAL_ERROR",
                "An internal error has occurred."));
        assertThat(count(":mutate")).isEqualTo(Calls.ATTEMPTS);
        assertThat(seen.stream().filter(s -> s.body().contains("FROM ad_group WHERE ad_group.name LIKE '% [[]exe[_]f2[]]'")))
                .hasSize(Calls.ATTEMPTS);
    }

    @Test
    void aRefusedRefreshTokenIsAuthFailedAndNothingReachesTheApi() {
        answers.put("/oauth2/v3/token", new Canned(400, "oauth_invalid_grant.json"));
        ProviderOutcome out = createGroup();
        assertThat(out).isEqualTo(new ProviderOutcome.Rejected(RejectionKind.AUTH_FAILED, "oauth:invalid_grant",
                "OAuth refresh refused: Token has been expired or revoked."));
        assertThat(seen).extracting(Seen::path).containsExactly("/oauth2/v3/token");
        assertThat(seen.getFirst().body()).contains("grant_type=refresh_token");
    }

    @Test
    void aFailingTokenEndpointIsAskedAtMostCallsAttemptsTimesAndItsLastAnswerIsTheOutcome() {
        answers.put("/oauth2/v3/token", new Canned(500, "error_internal.json"));
        ProviderOutcome out = createGroup();
        assertThat(out).isEqualTo(new ProviderOutcome.Rejected(RejectionKind.PROVIDER_ERROR, "oauth:http_500",
                "OAuth refresh refused: HTTP 500"));
        assertThat(seen).extracting(Seen::path).containsOnly("/oauth2/v3/token"); // nothing reaches the API
        assertThat(seen).hasSize(Calls.ATTEMPTS);
    }

    @Test
    void anExpiredTokenIsRefreshedOnceAndAPersistent401IsAuthFailed() {
        answerAllMutates(new Canned(401, "error_unauthenticated.json"));
        ProviderOutcome out = adapter.execute(request(NOW, "ads.pause_campaign", "exe_f4", Map.of("campaign_id", "cmp_b"),
                Map.of("campaign_id", "24680")));
        assertThat(out).isEqualTo(new ProviderOutcome.Rejected(RejectionKind.AUTH_FAILED, "authenticationError:OAUTH_TOKEN_EXPIRED",
                "Oauth token is expired."));
        assertThat(count("/oauth2/v3/token")).isEqualTo(2);
        assertThat(count("campaigns:mutate")).isEqualTo(2);
        for (String secret : CREDENTIALS.values()) {
            assertThat(out.toString()).doesNotContain(secret);
        }
        assertThat(out.toString()).doesNotContain("ya29.a0AfB_byFixtureAccessTokenValue0123456789");
    }
}
