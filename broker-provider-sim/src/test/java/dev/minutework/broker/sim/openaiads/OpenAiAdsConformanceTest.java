package dev.minutework.broker.sim.openaiads;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.sim.ConformanceFixtures;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The OpenAI Advertiser API simulator against exchanges written from docs/providers.md, the only
 * reference the project has for this API ({@code src/test/resources/conformance/openaiads/}, see
 * its README): list envelopes with {@code after}/{@code before} cursors, trailing slashes, plausible
 * fields it does not list accepted, the documented ranges enforced and errors told apart by HTTP
 * status.
 */
class OpenAiAdsConformanceTest {

    static final String KEY = "sk-ads-conformance-0123456789abcdef";
    static OpenAiAdsSimulator sim;

    @BeforeAll
    static void start() {
        sim = new OpenAiAdsSimulator(Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"), ZoneOffset.UTC));
        sim.start();
        sim.provision(Map.of("ad_account_id", "act_conformance"), Map.of("api_key", KEY));
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @TestFactory
    Stream<DynamicTest> theReferenceExchanges() {
        return new ConformanceFixtures(Path.of("src/test/resources/conformance/openaiads"), sim.origin(),
                Map.of("api_key", KEY), HttpClient.newHttpClient()).tests();
    }

    /**
     * providers.md: "600 req/min per endpoint … → HTTP 429". A second simulator, so the fixtures'
     * calls do not count; its clock stands still, so every call falls in the same minute.
     */
    @Test
    void theSixHundredAndFirstCallToOneEndpointInAMinuteIsAnswered429() throws Exception {
        try (OpenAiAdsSimulator limited = new OpenAiAdsSimulator(
                Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"), ZoneOffset.UTC))) {
            limited.start();
            limited.provision(Map.of("ad_account_id", "act_limited"), Map.of("api_key", KEY));
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest list = HttpRequest.newBuilder(URI.create(limited.baseUrl() + "/campaigns"))
                    .header("Authorization", "Bearer " + KEY).GET().build();
            for (int i = 1; i <= 600; i++) {
                assertThat(http.send(list, HttpResponse.BodyHandlers.ofString()).statusCode()).as("call %d", i)
                        .isEqualTo(200);
            }
            assertThat(http.send(list, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(429);
        }
    }
}
