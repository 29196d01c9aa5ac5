package dev.minutework.broker.server.api;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.json.JsonFactory;

/**
 * The one reader of JSON request bodies (the REST API's and the MCP server's): it accepts only
 * I-JSON (RFC 7493) that PostgreSQL text and canonical JSON (RFC 8785) can hold, and refuses
 * anything else with {@code invalid_input} naming every offending JSON path:
 * <ul>
 *   <li>a member name that appears twice in one object (the last one would silently win: a field
 *       the scope guard refuses could be smuggled past it);
 *   <li>a string or member name holding NUL (U+0000), which PostgreSQL text cannot store, or a lone
 *       surrogate, which is not Unicode and has no canonical form;
 *   <li>nesting deeper than {@value #MAX_DEPTH} levels, a number longer than {@value #MAX_NUMBER_DIGITS}
 *       characters, a member name longer than {@value #MAX_NAME_LENGTH} characters, malformed JSON,
 *       text after the value, and a value that is not an object.
 * </ul>
 * A body larger than {@value #MAX_BODY_BYTES} bytes is refused with {@code payload_too_large}, before
 * it is read when its {@code Content-Length} says so. The parser's own messages are never echoed:
 * they can quote the body, which may hold a secret.
 */
public final class RequestJson {

    /** The largest request body, in bytes: 4 MiB. */
    public static final int MAX_BODY_BYTES = 4 * 1024 * 1024;
    /** How deep objects and arrays may nest. */
    public static final int MAX_DEPTH = 32;
    /** The longest number literal, in characters. */
    public static final int MAX_NUMBER_DIGITS = 100;
    /** The longest member name, in characters. */
    public static final int MAX_NAME_LENGTH = 1_000;
    /** Problems listed in one refusal at most; the message says how many there were. */
    private static final int MAX_LISTED = 50;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH + 1)
                    .maxNumberLength(MAX_NUMBER_DIGITS)
                    .maxNameLength(MAX_NAME_LENGTH)
                    .maxStringLength(MAX_BODY_BYTES)
                    .maxDocumentLength(MAX_BODY_BYTES)
                    .build())
            .build();

    private RequestJson() {}

    /**
     * Reads a request body that must be one JSON object.
     *
     * @param contentLength the declared length, or a negative number when unknown
     * @throws ApiException {@code invalid_input} or {@code payload_too_large}
     */
    public static Map<String, Object> readObject(InputStream body, long contentLength) {
        Object value = readValue(body, contentLength);
        if (!(value instanceof Map<?, ?>)) {
            throw new ApiException(ErrorCode.INVALID_INPUT, "the request body must be a JSON object",
                    errors(List.of(problem("$", "must be a JSON object, not " + kind(value)))));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) value;
        return object;
    }

    /**
     * Reads a request body that must be one JSON value (of any type), with every other rule of
     * {@link #readObject}.
     */
    public static Object readValue(InputStream body, long contentLength) {
        if (contentLength > MAX_BODY_BYTES) {
            throw tooLarge();
        }
        Reader reader = new Reader();
        Object value;
        try (JsonParser p = FACTORY.createParser(ObjectReadContext.empty(), new Bounded(body))) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new ApiException(ErrorCode.INVALID_INPUT, "the request body is empty: send a JSON object",
                        errors(List.of(problem("$", "is required: a JSON object"))));
            }
            value = reader.value(p, first, 0);
            if (p.nextToken() != null) {
                throw reader.fail("$", "is followed by more text: send exactly one JSON value");
            }
        } catch (JacksonException e) {
            if (e.getCause() instanceof TooLarge || e instanceof StreamConstraintsException s && isLength(s)) {
                throw tooLarge();
            }
            if (e instanceof StreamConstraintsException s) {
                throw new ApiException(ErrorCode.INVALID_INPUT, "the request body exceeds a JSON limit",
                        errors(List.of(problem(reader.where(), constraint(s)))));
            }
            throw new ApiException(ErrorCode.INVALID_INPUT, "the request body is not well-formed JSON (UTF-8)",
                    errors(List.of(problem(reader.where(), "is not well-formed JSON"))));
        } catch (Refused r) {
            throw r.exception;
        }
        if (!reader.problems.isEmpty()) {
            throw refusal(reader.problems, reader.count);
        }
        return value;
    }

    /**
     * Every string and member name in a parsed value that PostgreSQL text or canonical JSON cannot
     * hold (NUL, lone surrogates), as {@code {path, message}} under {@code root}; empty when clean.
     * For values that did not come through {@link #readObject} (tool arguments, forwarded bodies).
     */
    public static List<Map<String, String>> textProblems(Object value, String root) {
        List<Map<String, String>> out = new ArrayList<>();
        walk(value, root, out, 0);
        return out;
    }

    /** Why {@code s} cannot be stored as text, or {@code null} when it can. */
    public static String textProblem(String s) {
        if (s.indexOf('\u0000') >= 0) {
            return "must not contain a NUL character (U+0000)";
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return "must not contain a lone surrogate (it is not Unicode text)";
            }
            if (Character.isLowSurrogate(c)) {
                return "must not contain a lone surrogate (it is not Unicode text)";
            }
        }
        return null;
    }

    /**
     * {@code s} cut to {@code max} characters with "…" appended when longer, for echoing
     * caller-supplied text in a message or storing it in a record; never splits a surrogate pair.
     */
    public static String clip(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
        return s.substring(0, end) + "…";
    }

    /** A member name as a path segment: {@code .name}, with control characters and lone surrogates escaped, cut at 64. */
    static String segment(String name) {
        String shown = clip(name, 64);
        StringBuilder out = new StringBuilder(shown.length() + 1).append('.');
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < shown.length() && Character.isLowSurrogate(shown.charAt(i + 1))) {
                out.append(c).append(shown.charAt(++i));
            } else if (c < 0x20 || Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    // ------------------------------------------------------------------ reading

    /** Builds the value, tracking where it is so that a failure names its path. */
    private static final class Reader {
        private final Deque<String> path = new ArrayDeque<>();
        private final List<Map<String, String>> problems = new ArrayList<>();
        private int count;

        Object value(JsonParser p, JsonToken t, int depth) {
            return switch (t) {
                case START_OBJECT -> object(p, depth + 1);
                case START_ARRAY -> array(p, depth + 1);
                case VALUE_STRING -> string(p.getString());
                case VALUE_NUMBER_INT -> p.getNumberValue();
                case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
                case VALUE_TRUE -> Boolean.TRUE;
                case VALUE_FALSE -> Boolean.FALSE;
                case VALUE_NULL -> null;
                default -> throw fail(where(), "is not a JSON value");
            };
        }

        private Map<String, Object> object(JsonParser p, int depth) {
            deep(depth);
            Map<String, Object> out = new LinkedHashMap<>();
            Set<String> seen = new HashSet<>();
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String name = p.currentName();
                path.addLast(segment(name));
                String bad = textProblem(name);
                if (bad != null) {
                    note(where(), "member name " + bad);
                }
                if (!seen.add(name)) {
                    note(where(), "appears more than once in its object; each member may appear once");
                }
                out.put(name, value(p, p.nextToken(), depth));
                path.removeLast();
            }
            return out;
        }

        private List<Object> array(JsonParser p, int depth) {
            deep(depth);
            List<Object> out = new ArrayList<>();
            int i = 0;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                path.addLast("[" + i++ + "]");
                out.add(value(p, t, depth));
                path.removeLast();
            }
            return out;
        }

        private String string(String s) {
            String bad = textProblem(s);
            if (bad != null) {
                note(where(), bad);
            }
            return s;
        }

        private void deep(int depth) {
            if (depth > MAX_DEPTH) {
                throw fail(where(), "is nested deeper than " + MAX_DEPTH + " levels of objects and arrays");
            }
        }

        private void note(String at, String message) {
            count++;
            if (problems.size() < MAX_LISTED) {
                problems.add(problem(at, message));
            }
        }

        Refused fail(String at, String message) {
            note(at, message);
            return new Refused(refusal(problems, count));
        }

        String where() {
            return "$" + String.join("", path);
        }
    }

    /** Ends reading with a refusal already built; unchecked so it passes through the parser's callbacks. */
    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient ApiException exception;

        Refused(ApiException exception) {
            super(null, null, false, false);
            this.exception = exception;
        }
    }

    /** The body went past {@link #MAX_BODY_BYTES}. */
    private static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super("request body too large", null);
        }
    }

    /** Counts the bytes read, failing past {@link #MAX_BODY_BYTES} whatever the declared length. */
    private static final class Bounded extends FilterInputStream {
        private long read;

        Bounded(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws TooLarge {
            read += n;
            if (read > MAX_BODY_BYTES) {
                throw new TooLarge();
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void walk(Object value, String path, List<Map<String, String>> out, int depth) {
        if (out.size() >= MAX_LISTED || depth > MAX_DEPTH * 4) {
            return;
        }
        if (value instanceof String s) {
            String bad = textProblem(s);
            if (bad != null) {
                out.add(problem(path, bad));
            }
        } else if (value instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String name = String.valueOf(e.getKey());
                String at = path + segment(name);
                String bad = textProblem(name);
                if (bad != null) {
                    out.add(problem(at, "member name " + bad));
                }
                walk(e.getValue(), at, out, depth + 1);
            }
        } else if (value instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                walk(l.get(i), path + "[" + i + "]", out, depth + 1);
            }
        }
    }

    private static ApiException refusal(List<Map<String, String>> problems, int count) {
        return new ApiException(ErrorCode.INVALID_INPUT, "the request body has " + count + " invalid value(s)",
                errors(List.copyOf(problems)));
    }

    private static ApiException tooLarge() {
        return new ApiException(ErrorCode.PAYLOAD_TOO_LARGE,
                "the request body is larger than " + MAX_BODY_BYTES + " bytes (4 MiB)");
    }

    private static boolean isLength(StreamConstraintsException e) {
        String m = String.valueOf(e.getOriginalMessage());
        return m.startsWith("Document length") || m.startsWith("String value length");
    }

    private static String constraint(StreamConstraintsException e) {
        String m = String.valueOf(e.getOriginalMessage());
        if (m.startsWith("Number value length")) {
            return "is a number longer than " + MAX_NUMBER_DIGITS + " characters";
        }
        if (m.startsWith("Name length")) {
            return "has a member name longer than " + MAX_NAME_LENGTH + " characters";
        }
        if (m.startsWith("Document nesting depth")) {
            return "is nested deeper than " + MAX_DEPTH + " levels of objects and arrays";
        }
        return "exceeds a limit of JSON request bodies";
    }

    private static String kind(Object value) {
        return switch (value) {
            case null -> "null";
            case List<?> ignored -> "an array";
            case String ignored -> "a string";
            case Boolean ignored -> "a boolean";
            default -> "a number";
        };
    }

    private static Map<String, String> problem(String path, String message) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("path", path);
        m.put("message", message);
        return m;
    }

    private static Map<String, Object> errors(List<Map<String, String>> problems) {
        return Map.of("errors", problems);
    }
}
