package dev.minutework.broker.sim;

import dev.minutework.broker.core.json.JsonParser;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One request a simulator received, as the provider would see it. Kept in the simulator's request
 * log so contract tests can assert exactly what went over the wire.
 *
 * @param headers header names in lower case
 * @param query decoded query parameters (last value wins)
 * @param body the body as UTF-8 text
 * @param bytes the body as received (a multipart upload carries binary parts)
 */
public record SimRequest(String method, String path, Map<String, String> query, Map<String, List<String>> headers,
        String body, byte[] bytes) {

    public SimRequest {
        query = Map.copyOf(query);
        headers = Map.copyOf(headers);
        body = body == null ? "" : body;
        bytes = bytes == null ? body.getBytes(StandardCharsets.UTF_8) : bytes;
    }

    /** A request with a text body. */
    public SimRequest(String method, String path, Map<String, String> query, Map<String, List<String>> headers,
            String body) {
        this(method, path, query, headers, body, null);
    }

    /** The media type of the body, lower case, without parameters; empty when none was sent. */
    public String mediaType() {
        String type = header("Content-Type");
        return type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    }

    /** The parts of a {@code multipart/form-data} body; throws when the body is not one. */
    public List<MultipartBody.Part> multipart() {
        return MultipartBody.parse(header("Content-Type"), bytes);
    }

    /** The first value of a header (any case), or {@code null}. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    /** The body as JSON (objects as maps, exact numbers); throws on malformed JSON. */
    public Object json() {
        return JsonParser.parse(body);
    }

    /** The body as a JSON object; throws when it is not one. */
    public Map<String, Object> jsonObject() {
        return JsonParser.parseObject(body);
    }

    /** The body as {@code application/x-www-form-urlencoded} parameters. */
    public Map<String, String> form() {
        return decodeForm(body);
    }

    static Map<String, String> decodeForm(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null || text.isEmpty()) {
            return out;
        }
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }
}
