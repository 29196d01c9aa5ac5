package dev.minutework.broker.core.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 JSON parser into plain Java values, for the modules that must not depend on a
 * JSON library (provider adapters and simulators).
 *
 * <p>Objects become {@link LinkedHashMap} (member order kept; duplicate names refused), arrays
 * {@link ArrayList}, integers {@link Long} (or {@link BigInteger} beyond its range), numbers with a
 * fraction or exponent {@link BigDecimal} (exact: money is never a {@code double}), and
 * {@code true}/{@code false}/{@code null} {@link Boolean}/{@code null}. Error messages give a
 * position, never the text around it, since a body may hold a secret.
 */
public final class JsonParser {

    private static final int MAX_DEPTH = 256;

    private final String text;
    private int pos;

    private JsonParser(String text) {
        this.text = text;
    }

    /** Parses one JSON value that makes up the whole text (surrounding whitespace allowed). */
    public static Object parse(String text) {
        if (text == null) {
            throw new JsonParseException("no JSON text", 0);
        }
        JsonParser p = new JsonParser(text);
        p.skipWhitespace();
        Object value = p.value(0);
        p.skipWhitespace();
        if (p.pos != text.length()) {
            throw new JsonParseException("unexpected content after the JSON value", p.pos);
        }
        return value;
    }

    /** Parses a text that must be a JSON object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text) {
        Object value = parse(text);
        if (!(value instanceof Map<?, ?>)) {
            throw new JsonParseException("expected a JSON object", 0);
        }
        return (Map<String, Object>) value;
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw new JsonParseException("nested deeper than " + MAX_DEPTH, pos);
        }
        if (pos >= text.length()) {
            throw new JsonParseException("unexpected end of text", pos);
        }
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw new JsonParseException("unexpected character", pos);
            }
        };
    }

    private Map<String, Object> object(int depth) {
        Map<String, Object> map = new LinkedHashMap<>();
        pos++;
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return map;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw new JsonParseException("expected a member name", pos);
            }
            int at = pos;
            String name = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            Object v = value(depth + 1);
            if (map.containsKey(name)) {
                throw new JsonParseException("duplicate member name", at);
            }
            map.put(name, v);
            skipWhitespace();
            char c = next();
            if (c == '}') {
                return map;
            }
            if (c != ',') {
                throw new JsonParseException("expected ',' or '}'", pos - 1);
            }
        }
    }

    private List<Object> array(int depth) {
        List<Object> list = new ArrayList<>();
        pos++;
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return list;
        }
        while (true) {
            skipWhitespace();
            list.add(value(depth + 1));
            skipWhitespace();
            char c = next();
            if (c == ']') {
                return list;
            }
            if (c != ',') {
                throw new JsonParseException("expected ',' or ']'", pos - 1);
            }
        }
    }

    private String string() {
        pos++;
        StringBuilder b = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw new JsonParseException("unterminated string", pos);
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return b.toString();
            }
            if (c < 0x20) {
                throw new JsonParseException("control character in string", pos - 1);
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw new JsonParseException("truncated \\u escape", pos);
                    }
                    try {
                        b.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw new JsonParseException("bad \\u escape", pos);
                    }
                    pos += 4;
                }
                default -> throw new JsonParseException("bad escape", pos - 1);
            }
        }
    }

    private Object number() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (isDigit(peek())) {
            while (isDigit(peek())) {
                pos++;
            }
        } else {
            throw new JsonParseException("bad number", start);
        }
        boolean integral = true;
        if (peek() == '.') {
            integral = false;
            pos++;
            if (!isDigit(peek())) {
                throw new JsonParseException("bad number", start);
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw new JsonParseException("bad number", start);
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        String n = text.substring(start, pos);
        if (!integral) {
            return new BigDecimal(n);
        }
        BigInteger big = new BigInteger(n);
        return big.bitLength() < 64 ? (Object) big.longValue() : big;
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) {
            throw new JsonParseException("unexpected character", pos);
        }
        pos += word.length();
        return value;
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private char next() {
        if (pos >= text.length()) {
            throw new JsonParseException("unexpected end of text", pos);
        }
        return text.charAt(pos++);
    }

    private void expect(char c) {
        if (next() != c) {
            throw new JsonParseException("expected '" + c + "'", pos - 1);
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Malformed JSON; the message names what and where, never the offending text. */
    public static final class JsonParseException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final int position;

        JsonParseException(String what, int position) {
            super(what + " at offset " + position);
            this.position = position;
        }

        public int position() {
            return position;
        }
    }
}
