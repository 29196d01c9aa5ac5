package dev.minutework.broker.sim.metaads;

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
 * The Meta simulator against exchanges written from Meta's public Marketing API reference
 * ({@code src/test/resources/conformance/metaads/}, see its README): it accepts what the reference
 * sends — in every body encoding, with or without a trailing slash, on every live version — and
 * answers the documented shapes and error envelopes.
 */
class MetaAdsConformanceTest {

    static final String TOKEN = "EAAB-conformance-token-0123456789";
    static final String SECRET = "conformance-app-secret";
    static MetaAdsSimulator sim;

    @BeforeAll
    static void start() {
        sim = new MetaAdsSimulator(Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"), ZoneOffset.UTC));
        sim.start();
        sim.provision(Map.of("ad_account_id", "act_31337", "page_id", "555000111"),
                Map.of("access_token", TOKEN, "app_secret", SECRET));
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @TestFactory
    Stream<DynamicTest> theReferenceExchanges() {
        return new ConformanceFixtures(Path.of("src/test/resources/conformance/metaads"), sim.origin(),
                Map.of("access_token", TOKEN, "appsecret_proof", MetaAdsSimulator.proof(SECRET, TOKEN),
                        "ad_account", "31337", "page_id", "555000111"),
                HttpClient.newHttpClient()).tests();
    }
}
