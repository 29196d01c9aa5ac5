package dev.minutework.broker.sim;

import dev.minutework.broker.core.json.CanonicalJson;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a simulator answers. */
public record SimResponse(int status, Map<String, String> headers, String body) {

    public SimResponse {
        headers = Map.copyOf(headers);
    }

    /** A JSON answer. */
    public static SimResponse json(int status, Object value) {
        return new SimResponse(status, Map.of("Content-Type", "application/json"), CanonicalJson.canonicalize(value));
    }

    /** The same answer with one more header. */
    public SimResponse withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new SimResponse(status, h, body);
    }
}
