package dev.minutework.broker.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class JsonParserTest {

    @Test
    void parsesEveryKindOfValueIntoPlainJava() {
        Object v = JsonParser.parse("""
                 {"s":"a\\"b\\u00e9\\n","i":-42,"big":123456789012345678901234,"d":20.50,"e":1e3,
                  "t":true,"f":false,"n":null,"a":[1,"x",{}],"o":{"k":[]}}
                """);
        assertThat(v).isInstanceOf(Map.class);
        Map<?, ?> m = (Map<?, ?>) v;
        assertThat(m.get("s")).isEqualTo("a\"bé\n");
        assertThat(m.get("i")).isEqualTo(-42L);
        assertThat(m.get("big")).isEqualTo(new BigInteger("123456789012345678901234"));
        assertThat(m.get("d")).isEqualTo(new BigDecimal("20.50"));
        assertThat(m.get("e")).isEqualTo(new BigDecimal("1e3"));
        assertThat(m.get("t")).isEqualTo(true);
        assertThat(m.get("f")).isEqualTo(false);
        assertThat(m.containsKey("n")).isTrue();
        assertThat(m.get("n")).isNull();
        assertThat(m.get("a")).isEqualTo(List.of(1L, "x", Map.of()));
        assertThat(m.get("o")).isEqualTo(Map.of("k", List.of()));
        assertThat(List.<Object>copyOf(m.keySet())).containsExactly("s", "i", "big", "d", "e", "t", "f", "n", "a", "o");
    }

    @Test
    void roundTripsThroughTheCanonicalForm() {
        String canonical = CanonicalJson.canonicalize(Map.of("b", List.of(1, "two", true), "a", Map.of("z", 0)));
        assertThat(CanonicalJson.canonicalize(JsonParser.parse(canonical))).isEqualTo(canonical);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"a\":}", "{\"a\" 1}", "[1,]", "[1 2]", "01", "1.", "-", "1e", "tru", "\"abc",
        "\"\\x\"", "\"\\u12\"", "{\"a\":1}x", "{\"a\":1,\"a\":2}", "{a:1}", "'a'", "\"tab\there\""})
    void refusesMalformedJson(String text) {
        assertThatThrownBy(() -> JsonParser.parse(text)).isInstanceOf(JsonParser.JsonParseException.class)
                .hasMessageContaining("at offset");
    }

    @Test
    void errorMessagesNeverQuoteTheText() {
        String secret = "{\"token\": sk-live-very-secret}";
        assertThatThrownBy(() -> JsonParser.parse(secret)).hasMessageNotContaining("sk-live")
                .hasMessageNotContaining("secret");
    }

    @Test
    void refusesPathologicalNesting() {
        String deep = "[".repeat(300) + "]".repeat(300);
        assertThatThrownBy(() -> JsonParser.parse(deep)).hasMessageContaining("nested deeper");
        assertThat(JsonParser.parse("[".repeat(200) + "]".repeat(200))).isInstanceOf(List.class);
    }

    @Test
    void parseObjectRefusesOtherValues() {
        assertThat(JsonParser.parseObject("{\"a\":1}")).containsEntry("a", 1L);
        assertThatThrownBy(() -> JsonParser.parseObject("[1]")).hasMessageContaining("expected a JSON object");
    }
}
