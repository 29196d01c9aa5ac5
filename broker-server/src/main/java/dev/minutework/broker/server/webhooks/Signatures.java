package dev.minutework.broker.server.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies the providers' webhook signatures over the raw request bytes, before anything parses
 * them. Comparisons are constant-time ({@link MessageDigest#isEqual}). A verdict carries a reason
 * for the stored event only; the HTTP answer never tells it.
 */
final class Signatures {

    /** How far a TikTok delivery's timestamp may be from the broker's clock. */
    static final Duration TIKTOK_TOLERANCE = Duration.ofMinutes(5);

    private Signatures() {}

    enum Verdict {
        VALID, INVALID, MISSING;

        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A verdict and why (for the stored event: {@code ok}, {@code no_signature}, {@code mismatch} …). */
    record Check(Verdict verdict, String reason) {
        static Check valid() {
            return new Check(Verdict.VALID, "ok");
        }

        static Check invalid(String reason) {
            return new Check(Verdict.INVALID, reason);
        }
    }

    /** Meta: {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>}. */
    static Check meta(String header, byte[] raw, String appSecret) {
        if (header == null || header.isBlank()) {
            return new Check(Verdict.MISSING, "no_signature");
        }
        if (appSecret == null || appSecret.isEmpty()) {
            return Check.invalid("no_secret_configured");
        }
        String h = header.trim();
        if (!h.regionMatches(true, 0, "sha256=", 0, 7)) {
            return Check.invalid("malformed_signature");
        }
        return equalHex(hmac(appSecret, raw), h.substring(7)) ? Check.valid() : Check.invalid("mismatch");
    }

    /**
     * TikTok: {@code TikTok-Signature: t=<unix seconds>,s=<hex HMAC-SHA256(secret, "<t>.<raw body>")>},
     * with {@code t} within {@link #TIKTOK_TOLERANCE} of {@code now}.
     */
    static Check tiktok(String header, byte[] raw, String secret, Instant now) {
        if (header == null || header.isBlank()) {
            return new Check(Verdict.MISSING, "no_signature");
        }
        if (secret == null || secret.isEmpty()) {
            return Check.invalid("no_secret_configured");
        }
        String t = null;
        String s = null;
        for (String part : header.split(",")) {
            String p = part.trim();
            if (p.startsWith("t=")) {
                t = p.substring(2);
            } else if (p.startsWith("s=")) {
                s = p.substring(2);
            }
        }
        if (t == null || s == null || !t.matches("\\d{1,12}")) {
            return Check.invalid("malformed_signature");
        }
        byte[] signed = concat((t + ".").getBytes(StandardCharsets.UTF_8), raw);
        if (!equalHex(hmac(secret, signed), s)) {
            return Check.invalid("mismatch");
        }
        Duration skew = Duration.between(Instant.ofEpochSecond(Long.parseLong(t)), now).abs();
        return skew.compareTo(TIKTOK_TOLERANCE) > 0 ? Check.invalid("stale_timestamp") : Check.valid();
    }

    private static boolean equalHex(byte[] expected, String presentedHex) {
        byte[] presented = presentedHex.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(HexFormat.of().formatHex(expected).getBytes(StandardCharsets.US_ASCII), presented);
    }

    private static byte[] hmac(String key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Constant-time equality of two texts (the Meta verify token). */
    static boolean sameSecret(String expected, String presented) {
        if (expected == null || expected.isEmpty() || presented == null) {
            return false;
        }
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }
}
