package dev.minutework.broker.server.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Real HTTP to a broker. Every response body is remembered so tests can scan them for secrets. */
public final class Http {

    public static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> SEEN = new CopyOnWriteArrayList<>();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final URI base;

    Http(URI base) {
        this.base = base;
    }

    /** A client of a broker at a given address (e.g. one running in another process). */
    public static Http forBase(URI base) {
        return new Http(base);
    }

    /** One response: status, raw body and its JSON (null when the body is not JSON). */
    public record Response(int status, String raw, JsonNode json) {

        public JsonNode at(String pointer) {
            return json.at(pointer);
        }

        public String text(String pointer) {
            return json.at(pointer).asString();
        }

        public String errorCode() {
            return json == null ? null : json.at("/error/code").asString(null);
        }

        @Override
        public String toString() {
            return status + " " + raw;
        }
    }

    public Response get(String path, String key) {
        return send("GET", path, key, null);
    }

    public Response post(String path, String key, Object body) {
        return send("POST", path, key, body);
    }

    public Response put(String path, String key, Object body) {
        return send("PUT", path, key, body);
    }

    public Response send(String method, String path, String key, Object body) {
        String text = body == null ? null : body instanceof String s ? s : JSON.writeValueAsString(body);
        return sendRaw(method, path, key, text);
    }

    public Response sendRaw(String method, String path, String key, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            SEEN.add(r.headers().map().toString());
            SEEN.add(r.body());
            JsonNode json = null;
            if (!r.body().isBlank()) {
                try {
                    json = JSON.readTree(r.body());
                } catch (RuntimeException notJson) {
                    json = null;
                }
            }
            return new Response(r.statusCode(), r.body(), json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every response body and header set received so far in this JVM. */
    public static List<String> seenResponses() {
        return List.copyOf(SEEN);
    }
}
