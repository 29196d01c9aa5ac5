package dev.minutework.broker.core.execution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ProviderOutcome.RejectionKind;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DryRunTest {

    @Test
    void aRejectionIsRefusedInTheBrokersWordsWithTheProvidersCodeOnly() {
        Optional<Refusal> r = DryRun.refusal("googleads", Optional.of(new ProviderOutcome.Rejected(
                RejectionKind.INVALID_REQUEST, "stringLengthError: TOO_LONG", "headline 'Secret Sale' is too long")));
        assertThat(r).hasValueSatisfying(refusal -> {
            assertThat(refusal.code()).isEqualTo(RefusalCode.PROVIDER_WOULD_REJECT);
            assertThat(refusal.message()).isEqualTo("googleads checked the request without carrying it out and would "
                    + "refuse it: the provider refused the request as invalid (code stringLengthError:_TOO_LONG); "
                    + "no approval was requested");
            assertThat(refusal.details()).isEqualTo(Map.of("provider", "googleads", "kind", "invalid_request",
                    "provider_code", "stringLengthError:_TOO_LONG"));
            assertThat(refusal.message() + refusal.details()).doesNotContain("Secret Sale");
        });
        assertThat(DryRun.verdict(Optional.of(new ProviderOutcome.Rejected(RejectionKind.POLICY_REJECTED, null, "m"))))
                .isEqualTo(DryRun.Verdict.REJECTED);
    }

    @Test
    void whatIsNotARejectionRefusesNothing() {
        List<Optional<ProviderOutcome>> others = List.of(Optional.empty(),
                Optional.of(new ProviderOutcome.Succeeded(null, Map.of(), List.of())),
                Optional.of(new ProviderOutcome.Unknown("timeout")),
                Optional.of(new ProviderOutcome.RateLimited(Duration.ofSeconds(5))));
        assertThat(others).allSatisfy(o -> assertThat(DryRun.refusal("metaads", o)).isEmpty());
        assertThat(others.stream().map(DryRun::verdict).toList()).containsExactly(DryRun.Verdict.NOT_OFFERED,
                DryRun.Verdict.PASSED, DryRun.Verdict.INCONCLUSIVE, DryRun.Verdict.INCONCLUSIVE);
    }
}
