package dev.minutework.broker.core.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * RFC 8785 (JSON Canonicalization Scheme) serialisation of plain Java JSON values.
 *
 * <p>Object members are sorted by their UTF-16 code units, strings use the minimal escaping of
 * ECMAScript's {@code JSON.stringify}, and numbers use ECMAScript's number-to-string. Integral
 * values beyond ±2^53 cannot be represented exactly by an IEEE double and are refused rather than
 * silently rounded.
 */
public final class CanonicalJson {

    private static final long MAX_SAFE_INTEGER = 9_007_199_254_740_991L;

    private CanonicalJson() {}

    public static String canonicalize(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    /** Hex SHA-256 of the canonical UTF-8 form. */
    public static String digest(Object value) {
        return sha256Hex(canonicalize(value));
    }

    public static String sha256Hex(String text) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }

    private static void write(Object value, StringBuilder out) {
        switch (value) {
            case null -> out.append("null");
            case Boolean b -> out.append(b ? "true" : "false");
            case String s -> writeString(s, out);
            case Number n -> writeNumber(n, out);
            case Map<?, ?> map -> writeObject(map, out);
            case List<?> list -> {
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(list.get(i), out);
                }
                out.append(']');
            }
            default -> throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
        }
    }

    private static void writeObject(Map<?, ?> map, StringBuilder out) {
        List<String> keys = new ArrayList<>(map.size());
        for (Object k : map.keySet()) {
            if (!(k instanceof String s)) {
                throw new IllegalArgumentException("JSON object keys must be strings");
            }
            keys.add(s);
        }
        keys.sort(String::compareTo); // String.compareTo orders by UTF-16 code units, as RFC 8785 requires
        out.append('{');
        boolean first = true;
        for (String k : keys) {
            if (!first) {
                out.append(',');
            }
            first = false;
            writeString(k, out);
            out.append(':');
            write(map.get(k), out);
        }
        out.append('}');
    }

    private static void writeString(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        // I-JSON (RFC 7493 §2.1) forbids lone surrogates: they have no UTF-8 form and
                        // would make two different strings digest alike
                        throw new IllegalArgumentException("lone surrogate in a JSON string");
                    } else if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void writeNumber(Number n, StringBuilder out) {
        switch (n) {
            case Integer i -> out.append(i.intValue());
            case Long l -> out.append(safeInteger(l));
            case Short s -> out.append(s.shortValue());
            case Byte b -> out.append(b.byteValue());
            case BigInteger bi -> out.append(safeInteger(bi.longValueExact()));
            case BigDecimal bd -> writeDouble(bd.doubleValue(), out);
            default -> writeDouble(n.doubleValue(), out);
        }
    }

    private static long safeInteger(long l) {
        if (l > MAX_SAFE_INTEGER || l < -MAX_SAFE_INTEGER) {
            throw new IllegalArgumentException("integer outside the exactly representable range: " + l);
        }
        return l;
    }

    /** The shortest decimal that parses back to {@code d}, closest to it among equals in length. */
    private static BigDecimal shortestRoundTrip(double d) {
        BigDecimal exact = new BigDecimal(d);
        for (int precision = 1; precision <= 17; precision++) {
            BigDecimal candidate = exact.round(new java.math.MathContext(precision, java.math.RoundingMode.HALF_EVEN));
            if (candidate.doubleValue() == d) {
                return candidate.stripTrailingZeros();
            }
        }
        return new BigDecimal(Double.toString(d)).stripTrailingZeros();
    }

    /** ECMAScript Number::toString, built on the JDK's shortest-repr {@link Double#toString}. */
    static void writeDouble(double d, StringBuilder out) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IllegalArgumentException("NaN and Infinity are not JSON");
        }
        if (d == 0) {
            out.append('0');
            return;
        }
        BigDecimal exact = shortestRoundTrip(d);
        String digits = exact.unscaledValue().abs().toString();
        int k = digits.length();
        int n = k - exact.scale(); // decimal point position: value = 0.digits × 10^n
        if (d < 0) {
            out.append('-');
        }
        if (k <= n && n <= 21) {
            out.append(digits).append("0".repeat(n - k));
        } else if (0 < n && n <= 21) {
            out.append(digits, 0, n).append('.').append(digits, n, k);
        } else if (-6 < n && n <= 0) {
            out.append("0.").append("0".repeat(-n)).append(digits);
        } else {
            int e = n - 1;
            out.append(digits.charAt(0));
            if (k > 1) {
                out.append('.').append(digits, 1, k);
            }
            out.append('e').append(e >= 0 ? "+" : "-").append(Math.abs(e));
        }
    }
}
