package dev.minutework.broker.sim.tiktokads;

import dev.minutework.broker.sim.ConformanceFixtures;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The TikTok simulator against exchanges written from TikTok's public API for Business v1.3
 * reference ({@code src/test/resources/conformance/tiktokads/}, see its README): it accepts what the
 * reference sends — with or without the trailing slash, GET list parameters as JSON strings, the
 * documented optional fields it does not model, multipart image uploads — and answers the
 * {@code {code, message, request_id, data}} envelope, with HTTP 200 for API errors.
 */
class TikTokAdsConformanceTest {

    static final String TOKEN = "conformance-access-token-0123456789abcdef";
    static final String ADVERTISER = "7000000000000000001";
    static TikTokAdsSimulator sim;

    @BeforeAll
    static void start() {
        sim = new TikTokAdsSimulator(Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"), ZoneOffset.UTC));
        sim.start();
        sim.provision(Map.of("advertiser_id", ADVERTISER), Map.of("access_token", TOKEN));
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @TestFactory
    Stream<DynamicTest> theReferenceExchanges() {
        return new ConformanceFixtures(Path.of("src/test/resources/conformance/tiktokads"), sim.origin(),
                Map.of("access_token", TOKEN, "advertiser_id", ADVERTISER), HttpClient.newHttpClient()).tests();
    }
}
