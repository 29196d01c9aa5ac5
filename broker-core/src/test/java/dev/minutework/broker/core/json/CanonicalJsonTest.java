package dev.minutework.broker.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CanonicalJsonTest {

    private static final long MAX_SAFE = 9_007_199_254_740_991L;

    /** Keeps insertion order so tests can prove sorting does not depend on it. */
    private static Map<String, Object> object(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    @Nested
    class ObjectKeys {

        @Test
        void sortsKeysRegardlessOfInsertionOrder() {
            Map<String, Object> value = object("b", 2, "a", 1, "c", 3);

            assertThat(CanonicalJson.canonicalize(value)).isEqualTo("{\"a\":1,\"b\":2,\"c\":3}");
        }

        @Test
        void sortsUpperCaseBeforeLowerCaseAndShorterPrefixFirst() {
            Map<String, Object> value = object("ab", 1, "a", 2, "B", 3);

            assertThat(CanonicalJson.canonicalize(value)).isEqualTo("{\"B\":3,\"a\":2,\"ab\":1}");
        }

        @Test
        void sortsNonBmpKeysByUtf16CodeUnitsNotByCodePoints() {
            // U+E000 < U+1F600 as code points, but the emoji's high surrogate 0xD83D sorts before 0xE000
            Map<String, Object> value = object("\uE000", "private use", "\uD83D\uDE00", "emoji");

            assertThat(CanonicalJson.canonicalize(value))
                    .isEqualTo("{\"\uD83D\uDE00\":\"emoji\",\"\uE000\":\"private use\"}");
        }

        @Test
        void sortsTheRfc8785Section323Example() {
            Map<String, Object> value = object(
                    "\u20ac", "Euro Sign",
                    "\r", "Carriage Return",
                    "\ufb33", "Hebrew Letter Dalet With Dagesh",
                    "1", "One",
                    "\ud83d\ude00", "Emoji: Grinning Face",
                    "\u0080", "Control",
                    "\u00f6", "Latin Small Letter O With Diaeresis");

            assertThat(CanonicalJson.canonicalize(value)).isEqualTo("{"
                    + "\"\\r\":\"Carriage Return\","
                    + "\"1\":\"One\","
                    + "\"\u0080\":\"Control\","
                    + "\"\u00f6\":\"Latin Small Letter O With Diaeresis\","
                    + "\"\u20ac\":\"Euro Sign\","
                    + "\"\ud83d\ude00\":\"Emoji: Grinning Face\","
                    + "\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\""
                    + "}");
        }

        @Test
        void refusesNonStringKeys() {
            Map<Object, Object> value = new LinkedHashMap<>();
            value.put(1, "one");

            assertThatThrownBy(() -> CanonicalJson.canonicalize(value)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Strings {

        @Test
        void escapesControlCharactersAsLowerCaseHex() {
            assertThat(CanonicalJson.canonicalize("\u0000\u0001\u000b\u000e\u001f"))
                    .isEqualTo("\"\\u0000\\u0001\\u000b\\u000e\\u001f\"");
        }

        @Test
        void usesTheShortEscapesForTheNamedControlCharacters() {
            assertThat(CanonicalJson.canonicalize("\b\f\n\r\t")).isEqualTo("\"\\b\\f\\n\\r\\t\"");
        }

        @Test
        void escapesQuoteAndBackslash() {
            assertThat(CanonicalJson.canonicalize("say \"hi\" \\o/")).isEqualTo("\"say \\\"hi\\\" \\\\o/\"");
        }

        @Test
        void doesNotEscapeSolidus() {
            assertThat(CanonicalJson.canonicalize("https://example.com/a/b")).isEqualTo("\"https://example.com/a/b\"");
        }

        @Test
        void keepsDeleteAndNonAsciiCharactersAsTheyAre() {
            String text = "\u007f caf\u00e9 \u20ac \u4e2d \ud83d\ude00";

            assertThat(CanonicalJson.canonicalize(text)).isEqualTo("\"" + text + "\"");
        }

        @Test
        void serialisesTheRfc8785StringExample() {
            // RFC 8785 §3.2.2.2: euro sign, dollar, U+000F, line feed, A, apostrophe, B, quote, two backslashes, quote, solidus
            String input = "\u20ac$" + (char) 0x0f + "\nA'B\"\\\\\"/";

            assertThat(CanonicalJson.canonicalize(input)).isEqualTo("\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"");
        }

        @Test
        void refusesLoneSurrogatesWhichHaveNoUtf8Encoding() {
            // RFC 8785 §3.1 requires I-JSON (RFC 7493 §2.1: no surrogate code points). Encoded as UTF-8 a
            // lone surrogate becomes '?', so "a" + U+D800 and "a?" would otherwise share one digest.
            assertThatThrownBy(() -> CanonicalJson.canonicalize(Map.of("note", "a\uD800")))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Numbers {

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource({
            "0, 0",
            "-0.0, 0",
            "4.5, 4.5",
            "-4.5, -4.5",
            "2e-3, 0.002",
            "0.000001, 0.000001",
            "1e-7, 1e-7",
            "100.0, 100",
            "1e21, 1e+21",
            "1e20, 100000000000000000000",
            "123456789012345680000, 123456789012345680000",
            "-1.5e300, -1.5e+300",
        })
        void writesDoublesAsEcmaScriptDoes(double input, String expected) {
            assertThat(CanonicalJson.canonicalize(input)).isEqualTo(expected);
        }

        @ParameterizedTest(name = "0x{0} -> {1}")
        @CsvSource({
            "0000000000000001, 5e-324",
            "8000000000000000, 0",
            "7fefffffffffffff, 1.7976931348623157e+308",
            "4340000000000000, 9007199254740992",
            "4430000000000000, 295147905179352830000",
            "44b52d02c7e14af5, 9.999999999999997e+22",
            "44b52d02c7e14af6, 1e+23",
            "44b52d02c7e14af7, 1.0000000000000001e+23",
            "444b1ae4d6e2ef4e, 999999999999999700000",
            "444b1ae4d6e2ef4f, 999999999999999900000",
            "444b1ae4d6e2ef50, 1e+21",
            "3eb0c6f7a0b5ed8c, 9.999999999999997e-7",
            "3eb0c6f7a0b5ed8d, 0.000001",
            "41b3de4355555553, 333333333.3333332",
            "41b3de4355555554, 333333333.33333325",
            "41b3de4355555555, 333333333.3333333",
            "41b3de4355555556, 333333333.3333334",
            "41b3de4355555557, 333333333.33333343",
            "becbf647612f3696, -0.0000033333333333333333",
            "43143ff3c1cb0959, 1424953923781206.2",
        })
        void writesTheRfc8785AppendixBNumberVectors(String ieeeHex, String expected) {
            double value = Double.longBitsToDouble(Long.parseUnsignedLong(ieeeHex, 16));

            assertThat(CanonicalJson.canonicalize(value)).isEqualTo(expected);
        }

        @Test
        void writesIntegralTypesAsPlainDigits() {
            List<Object> values = List.of((byte) -7, (short) 300, 42, -42, 1_234_567_890_123L, BigInteger.valueOf(-99));

            assertThat(CanonicalJson.canonicalize(values)).isEqualTo("[-7,300,42,-42,1234567890123,-99]");
        }

        @Test
        void writesFloatsThroughTheirExactDoubleValue() {
            assertThat(CanonicalJson.canonicalize(0.5f)).isEqualTo("0.5");
        }

        @Test
        void acceptsTheLargestExactlyRepresentableIntegers() {
            assertThat(CanonicalJson.canonicalize(List.of(MAX_SAFE, -MAX_SAFE, BigInteger.valueOf(MAX_SAFE))))
                    .isEqualTo("[9007199254740991,-9007199254740991,9007199254740991]");
        }

        @Test
        void refusesIntegersBeyondTwoToThe53() {
            assertThatThrownBy(() -> CanonicalJson.canonicalize(MAX_SAFE + 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> CanonicalJson.canonicalize(-MAX_SAFE - 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> CanonicalJson.canonicalize(Long.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> CanonicalJson.canonicalize(BigInteger.valueOf(MAX_SAFE + 1)))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void refusesBigIntegersBeyondTheLongRange() {
            BigInteger huge = BigInteger.TWO.pow(70);

            assertThatThrownBy(() -> CanonicalJson.canonicalize(huge))
                    .isInstanceOfAny(IllegalArgumentException.class, ArithmeticException.class);
        }

        @Test
        void refusesNaNAndInfinity() {
            assertThatThrownBy(() -> CanonicalJson.canonicalize(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> CanonicalJson.canonicalize(Double.POSITIVE_INFINITY))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> CanonicalJson.canonicalize(Double.NEGATIVE_INFINITY))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> CanonicalJson.canonicalize(Float.NaN)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Structures {

        @Test
        void writesLiteralsAndEmptyContainers() {
            List<Object> values = new ArrayList<>(Arrays.asList(null, true, false, Map.of(), List.of()));

            assertThat(CanonicalJson.canonicalize(values)).isEqualTo("[null,true,false,{},[]]");
        }

        @Test
        void sortsKeysAtEveryDepthAndKeepsArrayOrder() {
            Map<String, Object> value = object(
                    "z", List.of(3, object("y", "inner", "x", List.of(object("b", 1, "a", 2))), 1),
                    "a", object("d", object("c", false, "b", true)),
                    "m", new ArrayList<>(Arrays.asList(null, "s")));

            assertThat(CanonicalJson.canonicalize(value)).isEqualTo(
                    "{\"a\":{\"d\":{\"b\":true,\"c\":false}},\"m\":[null,\"s\"],"
                            + "\"z\":[3,{\"x\":[{\"a\":2,\"b\":1}],\"y\":\"inner\"},1]}");
        }

        @Test
        void writesNoInsignificantWhitespace() {
            Map<String, Object> value = object("name", "Spring sale", "budget",
                    object("amount_minor", 5000, "currency", "USD", "period", "daily"));

            assertThat(CanonicalJson.canonicalize(value)).isEqualTo(
                    "{\"budget\":{\"amount_minor\":5000,\"currency\":\"USD\",\"period\":\"daily\"},\"name\":\"Spring sale\"}");
        }

        @Test
        void refusesValuesThatAreNotJson() {
            assertThatThrownBy(() -> CanonicalJson.canonicalize(Map.of("when", new Object())))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Digest {

        private static String sha256Hex(String text) throws Exception {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
        }

        @Test
        void digestOfAnEmptyObjectIsTheKnownVector() {
            assertThat(CanonicalJson.digest(Map.of()))
                    .isEqualTo("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
        }

        @Test
        void digestIsTheSha256OfTheCanonicalUtf8Text() throws Exception {
            Map<String, Object> value = object("name", "caf\u00e9 \u20ac\ud83d\ude00", "n", 4.5, "ok", true);

            assertThat(CanonicalJson.digest(value))
                    .isEqualTo(sha256Hex("{\"n\":4.5,\"name\":\"caf\u00e9 \u20ac\ud83d\ude00\",\"ok\":true}"))
                    .isEqualTo(sha256Hex(CanonicalJson.canonicalize(value)))
                    .matches("[0-9a-f]{64}");
        }

        @Test
        void digestDoesNotDependOnKeyOrder() {
            assertThat(CanonicalJson.digest(object("a", 1, "b", List.of("x"))))
                    .isEqualTo(CanonicalJson.digest(object("b", List.of("x"), "a", 1)));
        }

        @Test
        void digestChangesWhenAnyValueChanges() {
            assertThat(CanonicalJson.digest(object("amount_minor", 5000)))
                    .isNotEqualTo(CanonicalJson.digest(object("amount_minor", 5001)));
        }
    }
}
