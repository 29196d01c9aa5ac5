package dev.minutework.broker.server.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.provider.ProviderCheck;
import dev.minutework.broker.core.provider.ProviderCredentials;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ProviderOutcome.RejectionKind;
import dev.minutework.broker.core.provider.ReportRow;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CredentialScrubberTest {

    static final String TOKEN = "EAAGm0PX4ZCpsBAKZCZBq9f3";
    static final String SECRET = "9c1e0f5b2a7d4e3f8a6b";
    static final CredentialScrubber SCRUBBER = CredentialScrubber.of(
            new ProviderCredentials(Map.of("access_token", TOKEN, "app_secret", SECRET)));

    @Test
    void aRefusalKeepsItsKindAndLosesCredentialMaterialFromItsCodeAndText() {
        ProviderOutcome out = SCRUBBER.outcome(new ProviderOutcome.Rejected(RejectionKind.AUTH_FAILED,
                "190:" + TOKEN.substring(0, 8), "Invalid OAuth token " + TOKEN.toLowerCase() + " for app " + SECRET));
        assertThat(out).isEqualTo(new ProviderOutcome.Rejected(RejectionKind.AUTH_FAILED, "redacted",
                "Invalid OAuth token [redacted] for app [redacted]"));
    }

    @Test
    void aProviderCodeIsBoundedToItsCharset() {
        assertThat(SCRUBBER.providerCode("http_400:name")).isEqualTo("http_400:name");
        assertThat(SCRUBBER.providerCode("OAuthException (#190) <script>")).isEqualTo("OAuthException___190___script_");
        assertThat(SCRUBBER.providerCode("x".repeat(500))).hasSize(CredentialScrubber.MAX_CODE);
        assertThat(SCRUBBER.providerCode(null)).isNull();
        assertThat(SCRUBBER.providerCode(" ")).isNull();
        // the material is found before the charset rewrites it
        assertThat(SCRUBBER.providerCode("k=" + Base64.getEncoder().encodeToString(TOKEN.getBytes(StandardCharsets.UTF_8))))
                .isEqualTo("redacted");
    }

    @Test
    void aSuccessCarryingCredentialMaterialIsNotBelievedAnywhereInIt() {
        List<ProviderOutcome.Succeeded> tainted = List.of(
                new ProviderOutcome.Succeeded(TOKEN, Map.of(), List.of()),
                new ProviderOutcome.Succeeded("cmp_1", Map.of("status", "active " + SECRET.toUpperCase()), List.of()),
                new ProviderOutcome.Succeeded("cmp_1", Map.of("nested", Map.of("deep", List.of("x", TOKEN.substring(3, 12)))),
                        List.of()),
                new ProviderOutcome.Succeeded(null, Map.of(), List.of(
                        new ReportRow(LocalDate.of(2026, 1, 1), "c-" + TOKEN, 1, 1, 1, "USD"))));
        for (ProviderOutcome.Succeeded ok : tainted) {
            ProviderOutcome out = SCRUBBER.outcome(ok);
            assertThat(out).as("%s", ok).isInstanceOf(ProviderOutcome.Unknown.class);
            assertThat(((ProviderOutcome.Unknown) out).reason()).contains(CredentialScrubber.CREDENTIAL_IN_ANSWER)
                    .doesNotContain(TOKEN).doesNotContain(SECRET);
            assertThat(SCRUBBER.carriers(ok)).isNotEmpty();
        }
    }

    @Test
    void anOrdinarySuccessPassesUnchanged() {
        ProviderOutcome.Succeeded ok = new ProviderOutcome.Succeeded("120210000000000123",
                Map.of("status", "active", "provider_name", "Winter boots [exe_1]", "budget", 50_000L),
                List.of(new ReportRow(LocalDate.of(2026, 1, 1), "120210000000000123", 10, 1, 250, "USD")));
        assertThat(SCRUBBER.outcome(ok)).isSameAs(ok);
        assertThat(SCRUBBER.carriers(ok)).isEmpty();
    }

    @Test
    void unknownReasonsAndCheckDetailsLoseCredentialMaterial() {
        assertThat(SCRUBBER.outcome(new ProviderOutcome.Unknown("lost after sending " + TOKEN)))
                .isEqualTo(new ProviderOutcome.Unknown("lost after sending [redacted]"));
        assertThat(SCRUBBER.check(new ProviderCheck("credentials_authenticate", false, "token " + TOKEN + " refused")))
                .isEqualTo(new ProviderCheck("credentials_authenticate", false, "token [redacted] refused"));
        ProviderOutcome limited = new ProviderOutcome.RateLimited(Duration.ofSeconds(5));
        assertThat(SCRUBBER.outcome(limited)).isSameAs(limited);
        assertThat(SCRUBBER.text("y".repeat(400))).hasSize(CredentialScrubber.MAX_TEXT + 1);
    }
}
