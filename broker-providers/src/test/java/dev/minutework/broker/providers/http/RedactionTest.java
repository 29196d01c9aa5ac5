package dev.minutework.broker.providers.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.provider.ProviderCredentials;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactionTest {

    static final ProviderCredentials CREDENTIALS = new ProviderCredentials(Map.of("api_key", "sk-abcdef123456"));

    @Test
    void removesCredentialValuesAndTheMaterialOfDerivedSecretsInAnyForm() {
        String token = "ya29.a0AfH6SMBx9QwErTy";
        String out = Redaction.clean("key sk-abcdef123456, token " + token.toUpperCase() + " or " + token.substring(4, 14),
                CREDENTIALS, token);
        assertThat(out).isEqualTo("key [redacted], token [redacted] or [redacted]");
    }

    @Test
    void boundsTheText() {
        assertThat(Redaction.clean("x".repeat(400), CREDENTIALS)).hasSize(Redaction.MAX_MESSAGE + 1);
    }
}
