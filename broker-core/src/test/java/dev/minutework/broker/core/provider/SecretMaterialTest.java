package dev.minutework.broker.core.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretMaterialTest {

    static final String KEY = "sk-Live/9fQ+zX2=mN7pLkW3";
    static final SecretMaterial MATERIAL = SecretMaterial.of(List.of(KEY));

    @Test
    void redactsTheSecretAsItIs() {
        assertThat(MATERIAL.redact("invalid key " + KEY + " given")).isEqualTo("invalid key [redacted] given");
    }

    @Test
    void redactsTheSecretInAnyLetterCase() {
        assertThat(MATERIAL.redact("KEY " + KEY.toUpperCase() + ".")).isEqualTo("KEY [redacted].");
        assertThat(MATERIAL.redact("key " + KEY.toLowerCase())).isEqualTo("key [redacted]");
    }

    @Test
    void redactsPiecesOfSixCharactersOrMore() {
        String prefix = KEY.substring(0, 6);
        String suffix = KEY.substring(KEY.length() - 7);
        String middle = KEY.substring(8, 16);
        String out = MATERIAL.redact("starts " + prefix + ", ends " + suffix + ", has " + middle + ".");
        assertThat(out).isEqualTo("starts [redacted], ends [redacted], has [redacted].");
    }

    @Test
    void redactsASecretSplitAcrossTheText() {
        String out = MATERIAL.redact("first " + KEY.substring(0, 12) + " then later " + KEY.substring(12));
        assertThat(out).isEqualTo("first [redacted] then later [redacted]");
    }

    @Test
    void leavesPiecesShorterThanSixCharacters() {
        assertThat(MATERIAL.redact("sk-Li is not a secret")).isEqualTo("sk-Li is not a secret");
    }

    @Test
    void redactsTheSecretUrlEncodedOnceOrTwice() {
        String once = URLEncoder.encode(KEY, StandardCharsets.UTF_8);
        String twice = URLEncoder.encode(once, StandardCharsets.UTF_8);
        assertThat(once).isNotEqualTo(KEY);
        assertThat(MATERIAL.redact("?key=" + once + "&x=1")).isEqualTo("?key=[redacted]&x=1");
        assertThat(MATERIAL.redact("?key=" + once.toLowerCase())).isEqualTo("?key=[redacted]");
        assertThat(MATERIAL.redact("next=" + twice)).isEqualTo("next=[redacted]");
        // an encoder that escapes every character
        StringBuilder all = new StringBuilder();
        for (byte b : KEY.getBytes(StandardCharsets.UTF_8)) {
            all.append('%').append(HexFormat.of().toHexDigits(b));
        }
        assertThat(MATERIAL.redact("k=" + all)).isEqualTo("k=[redacted]");
    }

    @Test
    void redactsTheSecretBase64EncodedAtAnyAlignment() {
        for (String prefix : List.of("", "u:", "user:", "Bearer ")) {
            for (Base64.Encoder enc : List.of(Base64.getEncoder(), Base64.getUrlEncoder().withoutPadding())) {
                String encoded = enc.encodeToString((prefix + KEY).getBytes(StandardCharsets.UTF_8));
                String out = MATERIAL.redact("auth " + encoded + " refused");
                assertThat(out).as("base64 of %s%s", prefix, KEY).contains("[redacted]");
                // what is left of the encoding is the prefix and at most a character at each end
                String left = out.replace("auth ", "").replace(" refused", "").replace("[redacted]", "");
                assertThat(left.length()).isLessThanOrEqualTo(encodedLength(prefix) + 4);
            }
        }
        String upper = Base64.getEncoder().encodeToString(KEY.toUpperCase().getBytes(StandardCharsets.UTF_8));
        assertThat(MATERIAL.redact(upper)).contains("[redacted]");
    }

    @Test
    void redactsTheSecretHexEncoded() {
        String hex = HexFormat.of().formatHex(KEY.getBytes(StandardCharsets.UTF_8));
        assertThat(MATERIAL.redact("0x" + hex.toUpperCase())).isEqualTo("0x[redacted]");
    }

    @Test
    void keepsTextWithoutSecretsAndNull() {
        assertThat(MATERIAL.redact("campaign budget below minimum")).isEqualTo("campaign budget below minimum");
        assertThat(MATERIAL.redact(null)).isNull();
        assertThat(SecretMaterial.of(List.of("short")).isEmpty()).isTrue();
        assertThat(SecretMaterial.of(java.util.Arrays.asList(null, "abc")).redact("abc")).isEqualTo("abc");
    }

    @Test
    void findsMaterialInText() {
        assertThat(MATERIAL.foundIn("x" + KEY.substring(3, 10))).isTrue();
        assertThat(MATERIAL.foundIn("nothing here")).isFalse();
    }

    @Test
    void anIdentifierSharingAShortDigitRunWithANumericSecretIsNoEvidence() {
        SecretMaterial clientId = SecretMaterial.of(List.of("123456789012-abcdefg.apps.example.com"));
        assertThat(clientId.foundInIdentifier("campaigns/991234567")).isFalse();
        assertThat(clientId.foundIn("campaigns/991234567")).isTrue(); // text is redacted generously
        assertThat(clientId.foundInIdentifier("1234567890120")).isTrue();
        assertThat(clientId.foundInIdentifier("id-abcdefg")).isTrue();
        SecretMaterial pin = SecretMaterial.of(List.of("86420135"));
        assertThat(pin.foundInIdentifier("obj_86420135")).isTrue();
        assertThat(pin.foundInIdentifier("obj_864201")).isFalse();
    }

    @Test
    void cutsVeryLongText() {
        String longText = "a".repeat(SecretMaterial.MAX_TEXT + 10);
        assertThat(MATERIAL.redact(longText)).hasSize(SecretMaterial.MAX_TEXT + 1).endsWith("…");
    }

    private static int encodedLength(String prefix) {
        return (prefix.length() * 4 + 2) / 3;
    }
}
