package dev.minutework.broker.providers.metaads;

import static dev.minutework.broker.providers.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.provider.ProviderAccountContext;
import dev.minutework.broker.core.provider.ProviderCredentials;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ProviderOutcome.RejectionKind;
import dev.minutework.broker.core.provider.ReportRow;
import dev.minutework.broker.providers.http.ProviderHttp;
import dev.minutework.broker.providers.http.Wire;
import dev.minutework.broker.sim.metaads.MetaAdsSimulator;
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
 * Graph answers written from Meta's public documentation (fixtures/metaads/*.json), served as
 * recorded answers by the simulator, through the adapter's response mapping.
 */
class MetaAdsFixturesTest {

    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");

    static final String TOKEN = "EAAB-fixture-token";
    static final String SECRET = "fixture-app-secret-0123";
    static final String CAMPAIGN = "120210000000000123";

    MetaAdsSimulator sim;
    MetaAdsAdapter adapter;

    @BeforeEach
    void start() {
        sim = new MetaAdsSimulator(Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"), ZoneOffset.UTC));
        sim.start();
        ProviderAccountContext account = new ProviderAccountContext("pac_1", "metaads",
                Map.of("ad_account_id", "act_4242", "page_id", "1010101010"),
                new ProviderCredentials(Map.of("access_token", TOKEN, "app_secret", SECRET)), sim.baseUrl().toString());
        adapter = new MetaAdsAdapter(new ProviderHttp(), sim.baseUrl(), account, Duration.ofMillis(10));
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    static String fixture(String name) {
        try (InputStream in = MetaAdsFixturesTest.class.getResourceAsStream("/fixtures/metaads/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void serve(int status, String name) {
        sim.answerNext(status, fixture(name));
    }

    static Map<String, Object> campaign() {
        return Map.of("name", "Winter boots", "objective", "traffic",
                "budget", Map.of("amount_minor", 2_000, "currency", "USD", "period", "daily"));
    }

    private ProviderOutcome createCampaign() {
        return adapter.execute(request(NOW, "ads.create_campaign", "exe_1", campaign(), Map.of()));
    }

    private ProviderOutcome pause() {
        return adapter.execute(request(NOW, "ads.pause_campaign", "exe_2", Map.of("campaign_id", "c"),
                Map.of("campaign_id", CAMPAIGN)));
    }

    @Test
    void aCreateAnswerGivesTheNewId() {
        serve(200, "campaign_create_success.json");
        assertThat(createCampaign()).isEqualTo(new ProviderOutcome.Succeeded(CAMPAIGN,
                Map.of("status", "paused", "provider_name", "Winter boots [exe_1]"), List.of()));
    }

    @Test
    void anUpdateAnswerOfSuccessTrueIsSuccess() {
        serve(200, "update_success.json");
        assertThat(pause()).isEqualTo(new ProviderOutcome.Succeeded(CAMPAIGN, Map.of("status", "paused"), List.of()));
    }

    @Test
    void anImageUploadAnswerYieldsTheHashUsedByTheCreative() {
        serve(200, "adimages_success.json");
        serve(200, "campaign_create_success.json");
        ProviderOutcome out = adapter.execute(request(NOW, "ads.create_creative", "exe_3", Map.of("name", "Card",
                "headline", "Boots", "body", "Warm.", "image_url", "https://cdn.example.test/boot.png",
                "landing_url", "https://shop.example.test/"), Map.of()));
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class,
                ok -> assertThat(ok.data()).containsEntry("image_hash", "5f2f7a1c0b9e4d3a8c6b2e1f0a9d8c7b"));
        assertThat(sim.requests().getLast().form().get("object_story_spec")).contains("5f2f7a1c0b9e4d3a8c6b2e1f0a9d8c7b");
    }

    @Test
    void anExpiredTokenIsAuthFailedWithGraphsCodeAndSubcode() {
        serve(400, "error_190_expired_token.json");
        assertThat(createCampaign()).isInstanceOfSatisfying(ProviderOutcome.Rejected.class, r -> {
            assertThat(r.kind()).isEqualTo(RejectionKind.AUTH_FAILED);
            assertThat(r.providerCode()).isEqualTo("190/463");
            assertThat(r.message()).startsWith("Error validating access token: Session has expired");
        });
    }

    @Test
    void aWrongProofIsAuthFailedThoughGraphCallsItCode100() {
        serve(400, "error_100_appsecret_proof.json");
        assertThat(createCampaign()).isEqualTo(new ProviderOutcome.Rejected(RejectionKind.AUTH_FAILED, "100",
                "Invalid appsecret_proof provided in the API argument"));
    }

    @Test
    void aMissingPermissionIsAuthFailed() {
        serve(400, "error_200_permission.json");
        assertThat(pause()).isInstanceOfSatisfying(ProviderOutcome.Rejected.class, r -> {
            assertThat(r.kind()).isEqualTo(RejectionKind.AUTH_FAILED);
            assertThat(r.providerCode()).isEqualTo("200");
        });
    }

    @Test
    void anInvalidParameterIsAnInvalidRequestWithTheUserMessage() {
        serve(400, "error_100_invalid_parameter.json");
        assertThat(createCampaign()).isEqualTo(new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "100/1487390",
                "The daily budget must be at least $1.00."));
        assertThat(sim.requests()).hasSize(1);
    }

    @Test
    void throttlingAnswersAreRateLimitedAndNothingIsRepeated() {
        serve(400, "error_4_application_limit.json");
        serve(400, "error_17_user_request_limit.json");
        serve(400, "error_613_rate_limit.json");
        for (int i = 0; i < 3; i++) {
            assertThat(createCampaign()).isEqualTo(new ProviderOutcome.RateLimited(Wire.DEFAULT_RETRY_AFTER));
        }
        assertThat(sim.requests()).hasSize(3);
    }

    @Test
    void aTransientErrorOnAnUpdateIsRetried() {
        serve(500, "error_2_transient.json");
        serve(200, "update_success.json");
        assertThat(pause()).isInstanceOf(ProviderOutcome.Succeeded.class);
        assertThat(sim.requests()).hasSize(2);
    }

    @Test
    void dailyInsightsArePagedByCursorAndConvertedToMinorUnits() {
        serve(200, "insights_daily_page1.json");
        serve(200, "insights_daily_page2.json");
        ProviderOutcome out = adapter.execute(request(NOW, "ads.fetch_report", "exe_4", Map.of("campaign_id", "c",
                "since", "2026-11-18", "until", "2026-11-20", "granularity", "day"), Map.of("campaign_id", CAMPAIGN)));
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class, ok -> assertThat(ok.rows()).containsExactly(
                new ReportRow(LocalDate.parse("2026-11-18"), CAMPAIGN, 18_250, 412, 7_318, "USD"),
                new ReportRow(LocalDate.parse("2026-11-19"), CAMPAIGN, 20_011, 455, 8_005, "USD"),
                new ReportRow(LocalDate.parse("2026-11-20"), CAMPAIGN, 9_100, 201, 3_640, "USD")));
        // the second page is asked for by cursor, not by following paging.next (which repeats the token)
        assertThat(sim.requests()).hasSize(2);
        assertThat(sim.requests().getLast().query()).containsEntry("after", "MQZDZD");
        assertThat(out.toString()).doesNotContain(TOKEN);
    }

    @Test
    void insightsInAZeroDecimalCurrencyKeepTheirUnits() {
        serve(200, "insights_total_jpy.json");
        ProviderOutcome out = adapter.execute(request(NOW, "ads.fetch_report", "exe_5", Map.of(
                "since", "2026-11-01", "until", "2026-11-20", "granularity", "total"), Map.of()));
        assertThat(out).isInstanceOfSatisfying(ProviderOutcome.Succeeded.class, ok -> assertThat(ok.rows()).containsExactly(
                new ReportRow(LocalDate.parse("2026-11-01"), "120210000000000456", 50_000, 1_200, 12_345, "JPY")));
    }
}
