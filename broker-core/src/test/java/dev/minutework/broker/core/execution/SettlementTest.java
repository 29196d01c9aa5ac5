package dev.minutework.broker.core.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minutework.broker.core.execution.Settlement.Failure;
import dev.minutework.broker.core.execution.Settlement.FailureCode;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ProviderOutcome.RejectionKind;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SettlementTest {

    private static Settlement settle(ProviderOutcome outcome) {
        return Settlement.settle(ExecutionStatus.EXECUTING, outcome);
    }

    @Test
    void aSuccessSucceedsKeepsTheMoneyAndFreesTheCampaign() {
        Settlement s = settle(new ProviderOutcome.Succeeded("cmp_provider_1", Map.of("status", "active"), List.of()));
        assertThat(s).isEqualTo(new Settlement(ExecutionStatus.SUCCEEDED, null, true, null, "execution.succeeded",
                false));
    }

    @Test
    void aRejectionFailsReleasesTheMoneyAndFreesTheCampaign() {
        Settlement s = settle(new ProviderOutcome.Rejected(RejectionKind.POLICY_REJECTED, "AD_POLICY_1",
                "provider text with secrets sk-live-123"));
        assertThat(s.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(s.releaseReason()).isEqualTo("provider_rejected");
        assertThat(s.freeCampaign()).isTrue();
        assertThat(s.receiptKind()).isEqualTo("execution.failed");
        assertThat(s.accountRefusedCredentials()).isFalse();
        assertThat(s.error()).isEqualTo(new Failure(FailureCode.PROVIDER_REJECTED,
                "the provider refused the request under its policies (code AD_POLICY_1)", "AD_POLICY_1",
                "policy_rejected", null));
    }

    @ParameterizedTest
    @EnumSource(RejectionKind.class)
    void everyRejectionKindIsWordedByTheBrokerNeverByTheProvider(RejectionKind kind) {
        Settlement s = settle(new ProviderOutcome.Rejected(kind, null, "PROVIDER SAYS: token sk-live-XYZ is bad"));
        Failure f = s.error();
        assertThat(f.message()).doesNotContain("PROVIDER SAYS").doesNotContain("sk-live").startsWith("the provider ");
        assertThat(f.providerCode()).isNull();
        assertThat(f.kind()).isEqualTo(kind.name().toLowerCase(java.util.Locale.ROOT));
        assertThat(f.retryAfterSeconds()).isNull();
        assertThat(f.code()).isEqualTo(kind == RejectionKind.AUTH_FAILED ? FailureCode.PROVIDER_AUTH_FAILED
                : FailureCode.PROVIDER_REJECTED);
        assertThat(s.accountRefusedCredentials()).isEqualTo(kind == RejectionKind.AUTH_FAILED);
        assertThat(s.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(s.releaseReason()).isEqualTo("provider_rejected");
        assertThat(s.freeCampaign()).isTrue();
    }

    @Test
    void eachKindHasItsOwnWords() {
        assertThat(settle(new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, null, "x")).error().message())
                .isEqualTo("the provider refused the request as invalid");
        assertThat(settle(new ProviderOutcome.Rejected(RejectionKind.AUTH_FAILED, null, "x")).error().message())
                .isEqualTo("the provider refused the platform account's credentials");
        assertThat(settle(new ProviderOutcome.Rejected(RejectionKind.NOT_FOUND, null, "x")).error().message())
                .isEqualTo("the provider does not know the object");
        assertThat(settle(new ProviderOutcome.Rejected(RejectionKind.UNSUPPORTED, null, "x")).error().message())
                .isEqualTo("the provider does not support this request");
        assertThat(settle(new ProviderOutcome.Rejected(RejectionKind.PROVIDER_ERROR, null, "x")).error().message())
                .isEqualTo("the provider failed to carry out the request");
    }

    @Test
    void anAuthFailureMarksTheAccountsCredentialsRefused() {
        Settlement s = settle(new ProviderOutcome.Rejected(RejectionKind.AUTH_FAILED, "401", "nope"));
        assertThat(s.accountRefusedCredentials()).isTrue();
        assertThat(s.error().code()).isEqualTo(FailureCode.PROVIDER_AUTH_FAILED);
        assertThat(s.error().code().wire()).isEqualTo("provider_auth_failed");
        assertThat(s.error().message()).isEqualTo("the provider refused the platform account's credentials (code 401)");
    }

    @Test
    void theBrokersOwnCodesAreWordedByTheBroker() {
        Failure f = settle(new ProviderOutcome.Rejected(RejectionKind.NOT_FOUND, "not_created", "x")).error();
        assertThat(f.message()).isEqualTo("reconciliation found no object for this execution at the provider: "
                + "it was not carried out (code not_created)");
        assertThat(f.providerCode()).isEqualTo("not_created");
        assertThat(settle(new ProviderOutcome.Rejected(RejectionKind.PROVIDER_ERROR, "unreachable", "x")).error()
                .message()).isEqualTo("the provider could not be reached (code unreachable)");
    }

    @Test
    void theProvidersCodeIsSanitizedAndBounded() {
        Failure f = settle(new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, "bad code<script>\n\"x\"",
                "x")).error();
        assertThat(f.providerCode()).isEqualTo("bad_code_script___x_");
        assertThat(f.message()).isEqualTo("the provider refused the request as invalid (code bad_code_script___x_)");

        String longCode = "A".repeat(500);
        assertThat(Settlement.safeCode(longCode)).hasSize(Settlement.MAX_CODE).isEqualTo("A".repeat(128));
        assertThat(Settlement.safeCode("Ok.code:1-2_3")).isEqualTo("Ok.code:1-2_3");
        assertThat(Settlement.safeCode("ünïcode")).isEqualTo("_n_code");
        assertThat(Settlement.safeCode(null)).isNull();
        assertThat(Settlement.safeCode("   ")).isNull();
        // a blank code is no code: the message carries none
        Failure blank = settle(new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, " ", "x")).error();
        assertThat(blank.providerCode()).isNull();
        assertThat(blank.message()).isEqualTo("the provider refused the request as invalid");
    }

    @Test
    void aRateLimitFailsReleasesTheMoneyAndSaysWhenToRetry() {
        Settlement s = settle(new ProviderOutcome.RateLimited(Duration.ofSeconds(42)));
        assertThat(s).isEqualTo(new Settlement(ExecutionStatus.FAILED, "provider_rate_limited", true,
                new Failure(FailureCode.PROVIDER_RATE_LIMITED, "the provider is rate limiting", null, null, 42L),
                "execution.failed", false));
    }

    @Test
    void anUnknownOutcomeKeepsTheMoneyAndTheCampaignUntilReconciled() {
        Settlement s = settle(new ProviderOutcome.Unknown("read timed out after the request was sent"));
        assertThat(s).isEqualTo(new Settlement(ExecutionStatus.OUTCOME_UNKNOWN, null, false,
                new Failure(FailureCode.PROVIDER_OUTCOME_UNKNOWN, "read timed out after the request was sent", null,
                        null, null), "execution.outcome_unknown", false));
    }

    @Test
    void everySettlementIsALegalMoveFromExecuting() {
        for (ProviderOutcome o : List.<ProviderOutcome>of(new ProviderOutcome.Succeeded(null, Map.of(), List.of()),
                new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST, null, "x"),
                new ProviderOutcome.RateLimited(Duration.ZERO), new ProviderOutcome.Unknown("lost"))) {
            assertThat(ExecutionStatus.EXECUTING.canMoveTo(settle(o).status())).as("%s", o).isTrue();
        }
    }

    @Test
    void failureCodesHaveTheirWireNames() {
        assertThat(FailureCode.PROVIDER_REJECTED.wire()).isEqualTo("provider_rejected");
        assertThat(FailureCode.PROVIDER_RATE_LIMITED.wire()).isEqualTo("provider_rate_limited");
        assertThat(FailureCode.PROVIDER_OUTCOME_UNKNOWN.wire()).isEqualTo("provider_outcome_unknown");
    }

    @ParameterizedTest
    @EnumSource(value = ExecutionStatus.class, names = "EXECUTING", mode = EnumSource.Mode.EXCLUDE)
    void onlyAnExecutingExecutionIsSettled(ExecutionStatus status) {
        assertThatThrownBy(() -> Settlement.settle(status, new ProviderOutcome.Unknown("x")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("only an executing execution is settled, not a " + status.wire() + " one");
    }
}
