package dev.minutework.broker.core.execution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ProviderOutcome.RejectionKind;
import org.junit.jupiter.api.Test;

/** A provider's refusal as a tenant sees it: the broker's words, never the provider's text. */
class ProviderRejectionTest {

    @Test
    void aTenantSeesTheBrokersWordsForTheKindAndTheCodeNeverTheProvidersText() {
        Settlement.Failure shown = Settlement.rejection(new ProviderOutcome.Rejected(RejectionKind.INVALID_REQUEST,
                "http_400:name", "Name 'x' is taken by campaign 123 of ad account act_9"));
        assertThat(shown.code()).isEqualTo(Settlement.FailureCode.PROVIDER_REJECTED);
        assertThat(shown.message()).isEqualTo("the provider refused the request as invalid (code http_400:name)");
        assertThat(shown.providerCode()).isEqualTo("http_400:name");
        assertThat(shown.kind()).isEqualTo("invalid_request");
    }

    @Test
    void aRefusalOfTheCredentialsIsProviderAuthFailed() {
        Settlement.Failure shown = Settlement.rejection(new ProviderOutcome.Rejected(RejectionKind.AUTH_FAILED, null,
                "token sk-123456789 expired"));
        assertThat(shown.code()).isEqualTo(Settlement.FailureCode.PROVIDER_AUTH_FAILED);
        assertThat(shown.message()).isEqualTo("the provider refused the platform account's credentials");
        assertThat(shown.providerCode()).isNull();
    }

    @Test
    void theBrokersOwnRefusalsKeepTheirMeaningAndCodesAreSanitized() {
        assertThat(Settlement.rejection(new ProviderOutcome.Rejected(RejectionKind.PROVIDER_ERROR, "not_created", "…"))
                .message()).startsWith("reconciliation found no object for this execution");
        assertThat(Settlement.rejection(new ProviderOutcome.Rejected(RejectionKind.POLICY_REJECTED, "a b\n<c>", "…"))
                .providerCode()).isEqualTo("a_b__c_");
    }
}
