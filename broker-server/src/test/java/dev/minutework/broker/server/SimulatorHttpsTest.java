package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.config.BrokerProperties;
import dev.minutework.broker.server.routing.LocalSimulators;
import dev.minutework.broker.server.support.Broker;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Story;
import dev.minutework.broker.sim.ProviderSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * {@code BROKER_SIMULATOR_HTTPS=true}: the local simulators serve HTTPS with a certificate made at
 * start-up, the broker's adapters reach them (trusting that certificate only), and the certificate
 * is written as PEM under the data directory for other clients to trust.
 */
class SimulatorHttpsTest {

    static Broker broker;
    static Http http;
    static Story story;

    @BeforeAll
    static void start() {
        broker = Broker.startWithSimulators("simulators_https", Map.of("broker.simulator-https", "true"));
        http = broker.http();
        story = new Story(http);
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void theCertificateIsWrittenAsPemUnderTheDataDirectoryWithoutItsKey() throws Exception {
        Path pem = broker.bean(BrokerProperties.class).dataDir().resolve("simulators/simulators-cert.pem");
        String text = Files.readString(pem);
        ProviderSimulator sim = broker.bean(LocalSimulators.class).forProvider("metaads").orElseThrow();
        assertThat(text).startsWith("-----BEGIN CERTIFICATE-----").isEqualTo(sim.tls().orElseThrow().pem())
                .doesNotContain("PRIVATE KEY");
        assertThat(broker.bean(LocalSimulators.class).forProvider("googleads").orElseThrow().baseUrl().getScheme())
                .isEqualTo("https");
    }

    @ParameterizedTest
    @ValueSource(strings = {"googleads", "metaads"})
    void theAdaptersCreateAndPauseACampaignOverHttps(String provider) {
        Story.Tenant t = story.tenant("HTTPS " + provider, Story.Setup.ready().provider(provider));
        ProviderSimulator sim = broker.bean(LocalSimulators.class).forProvider(provider).orElseThrow();
        assertThat(sim.baseUrl().getScheme()).isEqualTo("https");

        JsonNode preflight = expect(200, http.get("/v1/integration-broker/preflight?provider=" + provider,
                t.runtimeKey())).json();
        assertThat(preflight.get("ready").asBoolean()).as("preflight: %s", preflight).isTrue();

        String end = Instant.now().plus(20, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        Http.Response asked = expect(202, story.execute(t.runtimeKey(), provider, "ads.create_campaign", "https",
                Map.of("name", "Boots over TLS", "status", "active", "end_time", end,
                        "budget", Map.of("amount_minor", 50_000, "currency", "USD", "period", "lifetime"))));
        int before = sim.requests().size();
        JsonNode approved = expect(200, http.post("/v1/approvals/" + asked.text("/approval_id") + "/approve",
                t.approverKey(), null)).at("/execution");
        assertThat(approved.get("status").asString()).as("execution: %s", approved).isEqualTo("succeeded");
        assertThat(sim.requests().size()).as("the simulator received the create over HTTPS").isGreaterThan(before);
    }
}
