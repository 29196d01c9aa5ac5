package dev.minutework.broker.providers.tiktokads;

import static dev.minutework.broker.providers.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.provider.ProviderAccountContext;
import dev.minutework.broker.core.provider.ProviderCredentials;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ProviderOutcome.RejectionKind;
import dev.minutework.broker.core.provider.ReportRow;
import dev.minutework.broker.providers.http.ProviderHttp;
import dev.minutework.broker.sim.SimRequest;
import dev.minutework.broker.sim.tiktokads.TikTokAdsSimulator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Recorded-style TikTok answers (written from the public docs' examples, in
 * {@code fixtures/tiktokads/}) replayed through the simulator's canned-answer hook, so the
 * adapter's response mapping is checked against the documented shapes rather than only against
 * the simulator's own.
 */
class TikTokAdsFixturesTest {

    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final String TOKEN = "act.tiktok-fixture-token-9876543210fedcba";
    static final String ADVERTISER = "7000000000000000001";
    static final String CAMPAIGN = "1785640123456789012";

    TikTokAdsSimulator sim;
    TikTokAdsAdapter adapter;
    ProviderAccountContext account;

    @BeforeEach
    void start() {
        sim = new TikTokAdsSimulator(Clock.fixed(NOW, ZoneOffset.UTC));
        sim.start();
        sim.provision(Map.of("advertiser_id", ADVERTISER), Map.of("access_token", TOKEN));
        ProviderAccountContext account = new ProviderAccountContext("pac_1", "tiktokads", Map.of("advertiser_id", ADVERTISER),
                new ProviderCredentials(Map.of("access_token", TOKEN)), sim.baseUrl().toString());
        this.account = account;
        adapter = fresh();
        adapter.checks(); // preflight against the simulator: the advertiser bills in USD
        sim.clearRequests();
    }

    private TikTokAdsAdapter fresh() {
        return new TikTokAdsAdapter(new ProviderHttp(), sim.baseUrl(), account, Duration.ofMillis(10),
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    static String fixture(String name) {
        try (InputStream in = TikTokAdsFixturesTest.class.getResourceAsStream("/fixtures/tiktokads/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void serve(String... fixtures) {
        for (String f : fixtures) {
            sim.answerNext(200, fixture(f));
        }
    }

    private ProviderOutcome createCampaign() {
        return adapter.execute(request(NOW, "ads.create_campaign", "exe_f1", Map.of("name", "Winter boots",
                "objective", "traffic", "status", "active",
                "budget", Map.of("amount_minor", 12_345, "currency", "USD", "period", "daily")), Map.of()));
    }

    @Test
    void aCampaignCreateAnswerMapsToItsIdStatusAndName() {
        serve("campaign_create_success.json");
        assertThat(createCampaign()).isEqualTo(new ProviderOutcome.Succeeded(CAMPAIGN,
                Map.of("status", "active", "provider_name", "Winter boots [exe_f1]"), List.of()));
    }

    @Test
    void anAdGroupCreateAnswerMapsToItsIdAndStatus() {
        serve("campaign_get_one.json", "adgroup_create_success.json");
        ProviderOutcome out = adapter.execute(request(NOW, "ads.create_group", "exe_f2",
                Map.of("campaign_id", "cmp_b", "name", "Hikers", "targeting", Map.of("countries", List.of("US"))),
                Map.of("campaign_id", CAMPAIGN), Map.of("campaign_id", Map.of("name", "Winter boots",
                        "budget", Map.of("amount_minor", 12_345, "currency", "USD", "period", "daily")))));
        assertThat(out).isEqualTo(new ProviderOutcome.Succeeded("1785640987654321098",
                Map.of("status", "paused", "provider_name", "Hikers [exe_f2]"), List.of()));
        // the campaign's recorded budget (123.45, daily) is what the ad group was given
        Map<String, Object> sent = sim.requests().getLast().jsonObject();
        assertThat(sent).containsEntry("budget_mode", "BUDGET_MODE_DAY");
        assertThat(sent.get("budget").toString()).isEqualTo("123.45");
    }

    @Test
    void anImageUploadAnswerGivesTheImageId() {
        serve("image_upload_success.json");
        ProviderOutcome out = adapter.execute(request(NOW, "ads.create_creative", "exe_f4", Map.of("name", "Card",
                "headline", "Boots for winter", "body", "Warm and dry.", "image_url", "https://cdn.example.test/boot.png",
                "landing_url", "https://shop.example.test/boots"), Map.of()));
        assertThat(out).isEqualTo(new ProviderOutcome.Succeeded("ad-site-i18n-sg/202611205d0d4f1c7a0b3c2e",
                Map.of("image_id", "ad-site-i18n-sg/202611205d0d4f1c7a0b3c2e"), List.of()));
    }

    @Test
    void anAdCreateAnswerGivesTheFirstAdIdAndItsReviewState() {
        serve("ad_create_success.json");
        ProviderOutcome out = adapter.execute(request(NOW, "ads.create_ad", "exe_f3",
                Map.of("group_id", "grp_b", "creative_id", "crv_b", "name", "Ad one"),
                Map.of("group_id", "1785640987654321098", "creative_id", "ad-site-i18n-sg/202611205d0d4f1c7a0b3c2e"),
                Map.of("creative_id", Map.of("name", "Card", "headline", "Boots for winter", "body", "Warm and dry.",
                        "image_url", "https://cdn.example.test/boot.png", "landing_url", "https://shop.example.test/boots"))));
        assertThat(out).isEqualTo(new ProviderOutcome.Succeeded("1785641122334455667",
                Map.of("status", "active", "review_status", "in_review", "provider_name", "Ad one [exe_f3]"), List.of()));
    }

    @Test
    void aPagedDailyReportIsReadPageByPageWithSpendStringsInMinorUnits() {
        serve("report_day_page1.json", "report_day_page2.json");
        ProviderOutcome out = adapter.execute(request(NOW, "ads.fetch_report", "exe_f5",
                Map.of("campaign_id", "cmp_b", "since", "2026-11-18", "until", "2026-11-20", "granularity", "day"),
                Map.of("campaign_id", CAMPAIGN)));
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class, ok -> assertThat(ok.rows()).containsExactly(
                new ReportRow(LocalDate.parse("2026-11-18"), CAMPAIGN, 2_468, 49, 1_234, "USD"),
                new ReportRow(LocalDate.parse("2026-11-19"), CAMPAIGN, 1_420, 28, 710, "USD"),
                new ReportRow(LocalDate.parse("2026-11-20"), CAMPAIGN, 10, 0, 5, "USD")));
        assertThat(sim.requests()).filteredOn(r -> r.path().endsWith("/report/integrated/get/"))
                .extracting(r -> r.query().get("page")).containsExactly("1", "2");
    }

    @Test
    void aReportInACurrencyWithoutMinorUnitsUsesItsExponent() {
        adapter = fresh(); // not yet told the currency: it asks advertiser/info/ first
        serve("advertiser_info_jpy.json", "report_total_jpy.json");
        ProviderOutcome out = adapter.execute(request(NOW, "ads.fetch_report", "exe_f6",
                Map.of("since", "2026-11-01", "until", "2026-11-20", "granularity", "total"), Map.of()));
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class, ok -> assertThat(ok.rows()).containsExactly(
                new ReportRow(LocalDate.parse("2026-11-01"), CAMPAIGN, 30_000, 600, 1_500, "JPY")));
    }

    @Test
    void preflightReadsTheRecordedAdvertiserInfo() {
        adapter = fresh();
        serve("advertiser_info_usd.json");
        assertThat(adapter.checks()).allSatisfy(c -> assertThat(c.ok()).as(c.toString()).isTrue()).hasSize(2);
        serve("error_40101_auth.json");
        assertThat(fresh().checks()).extracting(c -> c.name() + "=" + c.ok())
                .containsExactly("credentials_authenticate=false", "account_reachable=false");
    }

    @Test
    void aParameterErrorOnHttp200IsAnInvalidRequestWithTheProvidersCode() {
        serve("error_40002_parameter.json");
        assertThat(createCampaign()).isEqualTo(new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "40002",
                "budget: Budget must be greater than or equal to 50."));
        assertThat(sim.requests()).hasSize(1);
    }

    @Test
    void badCredentialsAndMissingPermissionAreAuthenticationFailures() {
        serve("error_40101_auth.json", "error_40001_permission.json");
        assertThat(createCampaign()).isEqualTo(new ProviderOutcome.Rejected(RejectionKind.AUTH_FAILED, "40101",
                "Authentication failed."));
        assertThat(createCampaign()).isEqualTo(new ProviderOutcome.Rejected(RejectionKind.AUTH_FAILED, "40001",
                "No permission to operate advertiser 7000000000000000001."));
    }

    @Test
    void theRateLimitCodeIsRetriedWithBackoffThenReportedAsRateLimited() {
        serve("error_40100_rate_limit.json", "error_40100_rate_limit.json", "error_40100_rate_limit.json");
        assertThat(createCampaign()).isEqualTo(new ProviderOutcome.RateLimited(TikTokAdsAdapter.RATE_LIMIT_RETRY_AFTER));
        assertThat(sim.requests()).extracting(SimRequest::path).allMatch(p -> p.endsWith("/campaign/create/")).hasSize(3);
        assertThat(sim.campaignCount(ADVERTISER)).isZero();
    }

    @Test
    void aSystemErrorOnHttp200IsLookedUpBeforeTheCreateIsSentAgain() {
        serve("error_50000_system.json", "campaign_get_empty.json", "campaign_create_success.json");
        assertThat(createCampaign()).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class,
                ok -> assertThat(ok.providerObjectId()).isEqualTo(CAMPAIGN));
        assertThat(sim.requests()).extracting(r -> r.method() + " " + r.path().substring("/open_api/v1.3".length()))
                .containsExactly("POST /campaign/create/", "GET /campaign/get/", "POST /campaign/create/");
    }

    @Test
    void aProviderMessageThatEchoesTheTokenIsRedacted() {
        sim.answerNext(200, "{\"code\":40105,\"message\":\"Access token " + TOKEN + " is invalid\",\"request_id\":\"1\",\"data\":{}}");
        assertThat(createCampaign()).isInstanceOfSatisfying(ProviderOutcome.Rejected.class, r -> {
            assertThat(r.kind()).isEqualTo(RejectionKind.AUTH_FAILED);
            assertThat(r.providerCode()).isEqualTo("40105");
            assertThat(r.message()).doesNotContain(TOKEN).contains("[redacted]");
        });
    }

    @Test
    void aSuccessfulHttpStatusWithoutTheEnvelopeIsNeverASuccess() {
        sim.answerNext(200, "<html>gateway</html>");
        serve("campaign_get_empty.json");
        ProviderOutcome out = createCampaign();
        // a 2xx that is not the envelope might have created the campaign: look, and say unknown when nothing is found
        assertThat(out).isInstanceOf(ProviderOutcome.Unknown.class);
        assertThat(sim.requests()).extracting(SimRequest::method).containsExactly("POST", "GET");
    }
}
