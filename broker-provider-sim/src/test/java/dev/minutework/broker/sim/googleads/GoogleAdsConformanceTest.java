package dev.minutework.broker.sim.googleads;

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
 * The Google Ads simulator against exchanges written from Google's public REST and OAuth
 * documentation ({@code src/test/resources/conformance/googleads/}, see its README): the token
 * endpoint on its documented paths, int64 as a JSON number, real campaign fields it does not model,
 * {@code searchStream}, GAQL {@code DURING}, {@code BETWEEN} and comparisons, several live versions,
 * and Google's error envelopes.
 */
class GoogleAdsConformanceTest {

    static final Map<String, String> CREDENTIALS = Map.of("client_id", "conformance.apps.example.test",
            "client_secret", "GOCSPX-conformance", "refresh_token", "1//conformance-refresh-token",
            "developer_token", "conformance-devtoken");
    static GoogleAdsSimulator sim;

    @BeforeAll
    static void start() {
        sim = new GoogleAdsSimulator(Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"), ZoneOffset.UTC));
        sim.start();
        sim.provision(Map.of("customer_id", "987-654-3210"), CREDENTIALS);
        sim.customerSettings("9876543210", "USD", "UTC");
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @TestFactory
    Stream<DynamicTest> theReferenceExchanges() {
        Map<String, String> variables = new java.util.HashMap<>(CREDENTIALS);
        variables.put("customer_id", "9876543210");
        return new ConformanceFixtures(Path.of("src/test/resources/conformance/googleads"), sim.origin(), variables,
                HttpClient.newHttpClient()).tests();
    }
}
