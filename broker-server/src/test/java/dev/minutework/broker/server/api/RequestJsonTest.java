package dev.minutework.broker.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestJsonTest {

    private static Map<String, Object> read(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return RequestJson.readObject(new ByteArrayInputStream(bytes), bytes.length);
    }

    private static ApiException refusal(String json) {
        return catchThrowableOfType(ApiException.class, () -> read(json));
    }

    @SuppressWarnings("unchecked")
    private static List<String> paths(ApiException e) {
        return ((List<Map<String, String>>) ((Map<String, Object>) e.details()).get("errors")).stream()
                .map(m -> m.get("path")).toList();
    }

    @Test
    @SuppressWarnings("unchecked")
    void readsAnObjectKeepingMemberOrderAndNumberTypes() {
        Map<String, Object> m = read("{\"b\":1,\"a\":[true,null,\"x\",12345678901,123456789012345678901,1.5],\"c\":{}}");

        assertThat(m.keySet()).containsExactly("b", "a", "c");
        assertThat(m.get("b")).isEqualTo(1);
        assertThat((List<Object>) m.get("a")).containsExactly(true, null, "x", 12_345_678_901L,
                new BigInteger("123456789012345678901"), 1.5);
        assertThat(m.get("c")).isEqualTo(Map.of());
    }

    @Test
    void surrogatePairsAreText() {
        assertThat(read("{\"name\":\"boots \\ud83d\\udc62 and \uD83E\uDD7E\"}").get("name"))
                .isEqualTo("boots \uD83D\uDC62 and \uD83E\uDD7E");
    }

    @Test
    void namesEveryDuplicateMemberAtItsPath() {
        ApiException e = refusal("{\"a\":1,\"x\":[{\"k\":1,\"k\":2}],\"a\":{\"s\":1,\"s\":2}}");

        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(paths(e)).containsExactly("$.x[0].k", "$.a", "$.a.s");
    }

    @Test
    void namesEveryNulAndLoneSurrogateInValuesAndNamesEscapingThePath() {
        ApiException e = refusal("{\"a\":\"x\\u0000\",\"b\":[\"\\ud800\",\"ok\"],\"c\\u0000d\":1,\"e\":\"\\udc00\\ud800\"}");

        assertThat(paths(e)).containsExactly("$.a", "$.b[0]", "$.c\\u0000d", "$.e");
    }

    @Test
    void aLoneSurrogateInAMemberNameIsRefusedAtItsObject() {
        ApiException e = refusal("{\"o\":{\"\\udfff\":2}}");

        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(paths(e)).singleElement().asString().startsWith("$.o");
    }

    @Test
    void refusesMalformedJsonTrailingTextAndNonObjects() {
        for (String json : List.of("{", "{\"a\":}", "{} {}", "{}x", "[]", "\"s\"", "1", "null", "", "{'a':1}", "{\"a\":NaN}")) {
            ApiException e = refusal(json);
            assertThat(e).as(json).isNotNull();
            assertThat(e.code()).as(json).isEqualTo(ErrorCode.INVALID_INPUT);
            assertThat(paths(e)).as(json).isNotEmpty().allMatch(p -> p.startsWith("$"));
        }
    }

    @Test
    void refusesDeepNestingLongNumbersAndLongNames() {
        assertThat(paths(refusal("{\"a\":" + "[".repeat(RequestJson.MAX_DEPTH) + "]".repeat(RequestJson.MAX_DEPTH) + "}")))
                .singleElement().asString().startsWith("$.a[0]");
        assertThat(read("{\"a\":" + "[".repeat(RequestJson.MAX_DEPTH - 1) + "]".repeat(RequestJson.MAX_DEPTH - 1) + "}"))
                .containsKey("a");
        assertThat(refusal("{\"a\":" + "1".repeat(RequestJson.MAX_NUMBER_DIGITS + 1) + "}").code())
                .isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(refusal("{\"" + "n".repeat(RequestJson.MAX_NAME_LENGTH + 1) + "\":1}").code())
                .isEqualTo(ErrorCode.INVALID_INPUT);
    }

    @Test
    void refusesABodyOverTheLimitWhetherDeclaredOrNot() {
        byte[] big = ("{\"a\":\"" + "x".repeat(RequestJson.MAX_BODY_BYTES) + "\"}").getBytes(StandardCharsets.UTF_8);

        ApiException declared = catchThrowableOfType(ApiException.class,
                () -> RequestJson.readObject(new ByteArrayInputStream(new byte[0]), big.length));
        ApiException streamed = catchThrowableOfType(ApiException.class,
                () -> RequestJson.readObject(new ByteArrayInputStream(big), -1));

        assertThat(declared.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
        assertThat(streamed.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
    }

    @Test
    void neverEchoesTheBody() {
        ApiException e = refusal("{\"api_key\":\"sk-secret-value\u0000\",\"x\":");

        assertThat(e.getMessage() + e.details()).doesNotContain("sk-secret-value");
    }

    @Test
    void textProblemsWalksValuesThatDidNotComeThroughTheReader() {
        assertThat(RequestJson.textProblems(Map.of("a", List.of("ok", "n\u0000"), "b\uD800", 1), "$"))
                .extracting(m -> m.get("path")).containsExactlyInAnyOrder("$.a[1]", "$.b\\ud800");
        assertThat(RequestJson.textProblems(Map.of("a", "\uD83D\uDC62"), "$")).isEmpty();
    }

    @Test
    void clipsWithoutSplittingASurrogatePair() {
        assertThat(RequestJson.clip("abc", 3)).isEqualTo("abc");
        assertThat(RequestJson.clip("abcd", 3)).isEqualTo("abc…");
        assertThat(RequestJson.clip("ab\uD83D\uDC62", 3)).isEqualTo("ab…");
        assertThat(RequestJson.clip(null, 3)).isNull();
    }
}
