package dev.minutework.broker.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.core.json.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * Runs the recorded exchanges under {@code src/test/resources/conformance/<provider>/} against a
 * simulator, in file-name order: each fixture holds a request as the provider's public reference
 * shows it and the answer the reference documents (a subset: every key given must be there and
 * match; {@code "*"} matches any value, {@code "~regex"} a string matching the regex,
 * {@code "$absent"} a key that must not be there). {@code {{name}}} in a request is filled from the
 * test's variables and from what earlier fixtures {@code save}d ({@code "save":{"name":"a/b/0/c"}}
 * takes a path into the answer).
 */
public final class ConformanceFixtures {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z_]+)}}");

    private final Path dir;
    private final URI origin;
    private final Map<String, String> variables;
    private final HttpClient http;

    public ConformanceFixtures(Path dir, URI origin, Map<String, String> variables, HttpClient http) {
        this.dir = dir;
        this.origin = origin;
        this.variables = new LinkedHashMap<>(variables);
        this.http = http;
    }

    /** One dynamic test per fixture file, in name order (later ones use what earlier ones saved). */
    public Stream<DynamicTest> tests() {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> fixtures = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
            assertThat(fixtures).isNotEmpty();
            return fixtures.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> run(f)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void run(Path file) throws Exception {
        Map<String, Object> fixture = JsonParser.parseObject(Files.readString(file));
        assertThat(fixture).as("every fixture names the reference it follows").containsKey("reference");
        Map<?, ?> req = (Map<?, ?>) fixture.get("request");
        Map<?, ?> expected = (Map<?, ?>) fixture.get("response");
        StringBuilder uri = new StringBuilder(origin + fill((String) req.get("path")));
        if (req.get("query") instanceof Map<?, ?> query) {
            StringJoiner q = new StringJoiner("&", "?", "");
            query.forEach((k, v) -> q.add(enc((String) k) + "=" + enc(fill(text(v)))));
            uri.append(q);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri.toString()));
        if (req.get("headers") instanceof Map<?, ?> headers) {
            headers.forEach((k, v) -> b.header((String) k, fill((String) v)));
        }
        String method = (String) req.get("method");
        String encoding = req.get("encoding") instanceof String e ? e : "none";
        Map<?, ?> params = req.get("params") instanceof Map<?, ?> p ? p : Map.of();
        switch (encoding) {
            case "form" -> {
                StringJoiner form = new StringJoiner("&");
                params.forEach((k, v) -> form.add(enc((String) k) + "=" + enc(fill(text(v)))));
                b.header("Content-Type", "application/x-www-form-urlencoded");
                b.method(method, HttpRequest.BodyPublishers.ofString(form.toString()));
            }
            case "multipart" -> {
                String boundary = "----conformance" + Long.toHexString(file.getFileName().hashCode() & 0xffffffffL);
                b.header("Content-Type", "multipart/form-data; boundary=" + boundary);
                b.method(method, HttpRequest.BodyPublishers.ofByteArray(multipart(boundary, params,
                        req.get("files") instanceof Map<?, ?> files ? files : Map.of())));
            }
            case "json" -> {
                b.header("Content-Type", "application/json");
                b.method(method, HttpRequest.BodyPublishers.ofString(fill(CanonicalJson.canonicalize(req.get("body")))));
            }
            default -> b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> answer = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as("%s: status, answer %s", file.getFileName(), answer.body())
                .isEqualTo(((Number) expected.get("status")).intValue());
        Object body = answer.body().isEmpty() ? null : JsonParser.parse(answer.body());
        if (expected.containsKey("body")) {
            match(expected.get("body"), body, "$", file.getFileName().toString(), answer.body());
        }
        if (fixture.get("save") instanceof Map<?, ?> save) {
            save.forEach((name, path) -> variables.put((String) name, text(at(body, (String) path))));
        }
    }

    private byte[] multipart(String boundary, Map<?, ?> params, Map<?, ?> files) {
        List<byte[]> chunks = new ArrayList<>();
        params.forEach((k, v) -> chunks.add(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + k
                + "\"\r\n\r\n" + fill(text(v)) + "\r\n").getBytes(StandardCharsets.UTF_8)));
        files.forEach((k, v) -> {
            Map<?, ?> f = (Map<?, ?>) v;
            chunks.add(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + k + "\"; filename=\""
                    + f.get("filename") + "\"\r\nContent-Type: " + f.get("contentType") + "\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            chunks.add(Base64.getDecoder().decode((String) f.get("base64")));
            chunks.add("\r\n".getBytes(StandardCharsets.UTF_8));
        });
        chunks.add(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        int size = chunks.stream().mapToInt(c -> c.length).sum();
        byte[] out = new byte[size];
        int at = 0;
        for (byte[] c : chunks) {
            System.arraycopy(c, 0, out, at, c.length);
            at += c.length;
        }
        return out;
    }

    private static void match(Object expected, Object actual, String where, String fixture, String answer) {
        if ("*".equals(expected)) {
            assertThat(actual).as("%s: %s is present in %s", fixture, where, answer).isNotNull();
        } else if (expected instanceof String s && s.startsWith("~")) {
            assertThat(actual).as("%s: %s in %s", fixture, where, answer).isNotNull();
            assertThat(text(actual)).as("%s: %s in %s", fixture, where, answer).matches(s.substring(1));
        } else if (expected instanceof Map<?, ?> e) {
            if (!(actual instanceof Map<?, ?> a)) {
                fail("%s: %s should be an object in %s", fixture, where, answer);
                return;
            }
            e.forEach((k, v) -> {
                if ("$absent".equals(v)) {
                    assertThat(a.containsKey(k)).as("%s: %s.%s must be absent in %s", fixture, where, k, answer).isFalse();
                } else {
                    assertThat(a.containsKey(k)).as("%s: %s.%s must be present in %s", fixture, where, k, answer).isTrue();
                    match(v, a.get(k), where + "." + k, fixture, answer);
                }
            });
        } else if (expected instanceof List<?> e) {
            if (!(actual instanceof List<?> a)) {
                fail("%s: %s should be an array in %s", fixture, where, answer);
                return;
            }
            assertThat(a).as("%s: %s length in %s", fixture, where, answer).hasSize(e.size());
            for (int i = 0; i < e.size(); i++) {
                match(e.get(i), a.get(i), where + "[" + i + "]", fixture, answer);
            }
        } else {
            assertThat(actual).as("%s: %s in %s", fixture, where, answer).isEqualTo(expected);
        }
    }

    private static Object at(Object json, String path) {
        Object cur = json;
        for (String step : path.split("/")) {
            cur = cur instanceof List<?> l ? l.get(Integer.parseInt(step)) : ((Map<?, ?>) cur).get(step);
        }
        return cur;
    }

    private String fill(String text) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = variables.get(m.group(1));
            if (value == null) {
                throw new IllegalStateException("no value for {{" + m.group(1) + "}}");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String text(Object v) {
        return v instanceof String s ? s : CanonicalJson.canonicalize(v);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
