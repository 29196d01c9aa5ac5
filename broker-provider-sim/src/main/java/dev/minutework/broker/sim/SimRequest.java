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
 */
public record SimRequest(String method, String path, Map<String, String> query, Map<String, List<String>> headers,
        String body) {

    public SimRequest {
        query = Map.copyOf(query);
        headers = Map.copyOf(headers);
        body = body == null ? "" : body;
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
