package dev.minutework.broker.providers.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.sim.SimulatorTls;
import dev.minutework.broker.sim.metaads.MetaAdsSimulator;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Provider calls reach a simulator serving HTTPS with its self-signed certificate once that exact
 * certificate is pinned, and only then: another self-signed certificate is refused.
 */
class ProviderTrustTest {

    static final String TOKEN = "EAAB-trust-token";
    static final String SECRET = "trust-secret";

    SimulatorTls tls;
    MetaAdsSimulator sim;

    @BeforeEach
    void start() {
        tls = SimulatorTls.generate();
        sim = new MetaAdsSimulator(Clock.systemUTC());
        sim.useHttps(tls).start();
        sim.provision(Map.of("ad_account_id", "act_1"), Map.of("access_token", TOKEN, "app_secret", SECRET));
    }

    @AfterEach
    void stop() {
        ProviderTrust.forget(tls.certificate());
        sim.close();
    }

    private WireResult me(URI base) {
        return new ProviderHttp(Duration.ofSeconds(5)).send(HttpRequest.newBuilder(URI.create(base + "/me?access_token="
                + TOKEN + "&appsecret_proof=" + MetaAdsSimulator.proof(SECRET, TOKEN))).GET());
    }

    @Test
    void aPinnedSimulatorCertificateIsTrusted() {
        ProviderTrust.trust(tls.certificate());
        assertThat(sim.baseUrl().getScheme()).isEqualTo("https");
        WireResult r = me(sim.baseUrl());
        assertThat(r).isInstanceOf(WireResult.Answered.class);
        assertThat(((WireResult.Answered) r).status()).isEqualTo(200);
    }

    @Test
    void aSelfSignedCertificateThatIsNotPinnedIsRefused() {
        ProviderTrust.trust(SimulatorTls.generate().certificate()); // some other simulator's certificate
        WireResult r = me(sim.baseUrl());
        // the connection was made and the TLS handshake refused the certificate
        assertThat(r).isInstanceOf(WireResult.Lost.class);
        assertThat(((WireResult.Lost) r).reason()).contains("SSLHandshakeException");
    }
}
