package dev.minutework.broker.server.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.webhooks.Signatures.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The two signature schemes over raw bytes, without a server. */
class WebhookSignaturesTest {

    private static final byte[] BODY = "{\"object\":\"ad_account\",\"entry\":[]}".getBytes(StandardCharsets.UTF_8);
    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

    @Test
    void metaTakesTheAppSecretsHmacOfTheExactBytesOnly() {
        String good = "sha256=" + hmac("app-secret", BODY);
        assertThat(Signatures.meta(good, BODY, "app-secret").verdict()).isEqualTo(Verdict.VALID);
        assertThat(Signatures.meta(good.toUpperCase().replace("SHA256=", "sha256="), BODY, "app-secret").verdict())
                .as("hex in upper case").isEqualTo(Verdict.VALID);
        byte[] tampered = "{\"object\":\"ad_account\",\"entry\":[ ]}".getBytes(StandardCharsets.UTF_8);
        assertThat(Signatures.meta(good, tampered, "app-secret").reason()).isEqualTo("mismatch");
        assertThat(Signatures.meta(good, BODY, "other-secret").reason()).isEqualTo("mismatch");
        assertThat(Signatures.meta(good.substring(0, 20), BODY, "app-secret").reason()).isEqualTo("mismatch");
        assertThat(Signatures.meta(hmac("app-secret", BODY), BODY, "app-secret").reason()).isEqualTo("malformed_signature");
        assertThat(Signatures.meta(null, BODY, "app-secret").verdict()).isEqualTo(Verdict.MISSING);
    }

    @Test
    void tiktokTakesTheSecretsHmacOfTimestampDotBodyWithinFiveMinutes() {
        long t = NOW.getEpochSecond();
        assertThat(Signatures.tiktok(tiktok("client-secret", t), BODY, "client-secret", NOW).verdict())
                .isEqualTo(Verdict.VALID);
        assertThat(Signatures.tiktok(tiktok("client-secret", t - 299), BODY, "client-secret", NOW).verdict())
                .isEqualTo(Verdict.VALID);
        assertThat(Signatures.tiktok(tiktok("client-secret", t - 301), BODY, "client-secret", NOW).reason())
                .isEqualTo("stale_timestamp");
        assertThat(Signatures.tiktok(tiktok("client-secret", t + 301), BODY, "client-secret", NOW).reason())
                .isEqualTo("stale_timestamp");
        assertThat(Signatures.tiktok(tiktok("wrong", t), BODY, "client-secret", NOW).reason()).isEqualTo("mismatch");
        // the timestamp is signed: moving it breaks the signature
        String moved = tiktok("client-secret", t - 1000).replace("t=" + (t - 1000), "t=" + t);
        assertThat(Signatures.tiktok(moved, BODY, "client-secret", NOW).reason()).isEqualTo("mismatch");
        assertThat(Signatures.tiktok("s=abc", BODY, "client-secret", NOW).reason()).isEqualTo("malformed_signature");
        assertThat(Signatures.tiktok(tiktok("client-secret", t), BODY, null, NOW).reason())
                .isEqualTo("no_secret_configured");
        assertThat(Signatures.tiktok(null, BODY, "client-secret", NOW).verdict()).isEqualTo(Verdict.MISSING);
    }

    @Test
    void theVerifyTokenMustMatchExactly() {
        assertThat(Signatures.sameSecret("token-1", "token-1")).isTrue();
        assertThat(Signatures.sameSecret("token-1", "token-2")).isFalse();
        assertThat(Signatures.sameSecret(null, "anything")).as("no token configured").isFalse();
        assertThat(Signatures.sameSecret("token-1", null)).isFalse();
    }

    private static String tiktok(String secret, long t) {
        byte[] signed = (t + "." + new String(BODY, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        return "t=" + t + ",s=" + hmac(secret, signed);
    }

    private static String hmac(String key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
