package dev.minutework.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.api.ApiErrorHandler;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.support.BrokerTestCase;
import dev.minutework.broker.server.support.RawHttp;
import dev.minutework.broker.server.support.Story;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Sweeps every operation of {@code docs/openapi.yaml}, {@code /mcp} and a few paths nobody should
 * call with what careless and hostile clients send: malformed and wrongly typed bodies, duplicate
 * members, NUL and lone surrogates, wrong media types, wrong methods, bad or missing credentials,
 * odd ids. No answer may be a 5xx, and none may carry a stack trace, an exception or class name,
 * an HTML page or Spring's default error body; every error is the API's envelope (at {@code /mcp},
 * past authentication, a JSON-RPC error object) with the status its code is registered with, and
 * that status is one the document declares for the operation.
 */
class ErrorSurfaceSweepTest extends BrokerTestCase {

    private static final Path DOCUMENT = Path.of("..", "docs", "openapi.yaml");
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH");
    /** What a stack trace, an exception or a default error page leaves in a body. */
    private static final List<Pattern> LEAKS = List.of(
            Pattern.compile("\\bat (?:dev|java|javax|jakarta|org|io|tools|com|sun|reactor)\\.[\\w$.]+\\("),
            Pattern.compile("\\.java:\\d+"),
            Pattern.compile("Exception|Throwable|Caused by|stackTrace|localizedMessage"),
            Pattern.compile("\\b(?:dev|java|javax|jakarta|org|io|tools|com|sun|reactor)\\.[a-z][a-z0-9_]*\\.[\\w.$]*[A-Z][\\w$]*"),
            Pattern.compile("(?i)<html|<!doctype|whitelabel|apache tomcat"),
            Pattern.compile("\"timestamp\"\\s*:|\"trace\"\\s*:|\"exception\"\\s*:"));

    private static RawHttp raw;
    private static Story.Tenant tenant;
    private static String agentKey;
    private static JsonNode doc;

    private final List<String> problems = new ArrayList<>();
    private final Map<String, Set<Integer>> seen = new TreeMap<>();
    private int sent;

    @BeforeAll
    static void setUp() throws IOException {
        raw = new RawHttp(broker.base());
        tenant = story.tenant("Sweep", Story.Setup.ready());
        agentKey = story.agent(tenant.id(), "sweeper", List.of("mw.connector.ads"), "mutating").text("/api_key");
        doc = YAMLMapper.builder().build().readTree(Files.readString(DOCUMENT));
    }

    /** A malformed, misshapen or hostile JSON body. */
    private static List<String> bodies() {
        return List.of("", " ", "{", "}", "[]", "null", "true", "42", "\"text\"", "{} {}", "{\"a\":1,}",
                "{\"a\":1,\"a\":2}", "{\"name\":\"a\\u0000b\"}", "{\"name\":\"\\ud800\"}", "{\"\\u0000\":1}",
                "{\"a\":" + "[".repeat(60) + "]".repeat(60) + "}",
                "{\"amount_minor\":" + "9".repeat(300) + "}",
                "{\"amount_minor\":9223372036854775807,\"cap_minor\":9223372036854775807,\"reference\":\"r\","
                        + "\"currency\":\"USD\",\"approved_by\":\"x\",\"valid_until\":\"1999-01-01T00:00:00Z\"}",
                "{\"amount_minor\":1e400,\"cap_minor\":-1,\"daily_cap_minor\":0.5}",
                "{\"name\":5,\"role\":[],\"label\":{},\"provider\":7,\"scope\":\"x\",\"credentials\":[1],"
                        + "\"provider_account_id\":null,\"connector\":{},\"action\":[],\"idempotency_key\":9,\"input\":\"x\","
                        + "\"capability\":1,\"reason\":false,\"actions\":\"all\",\"spend_ceiling\":3,\"expires_at\":12,"
                        + "\"capabilities\":{},\"mode\":1,\"legal_name\":[],\"verification_status\":{},\"terms_accepted_at\":1}",
                "{\"connector\":\"" + "c".repeat(5_000) + "\",\"action\":\"a\",\"provider\":\"" + "p".repeat(500)
                        + "\",\"capability\":\"" + "k".repeat(5_000) + "\",\"idempotency_key\":\"i\",\"input\":{}}",
                "{\"connector\":\"mw.connector.ads\",\"action\":\"ads.create_campaign\",\"idempotency_key\":\"sweep\","
                        + "\"capability\":\"mw.connector.ads\",\"input\":{\"name\":\"Sweep\",\"budget\":{\"amount_minor\":"
                        + "9007199254740991,\"currency\":\"USD\",\"period\":\"daily\"},\"end_time\":\"+99999-01-01T00:00:00Z\"}}",
                "{\"valid_from\":\"2030-01-01T00:00:00Z\",\"valid_until\":\"2029-01-01T00:00:00Z\",\"currency\":\"usd\","
                        + "\"cap_minor\":1,\"approved_by\":\"\\ud83d\"}");
    }

    @Test
    void noAnswerAnywhereIsA5xxOrCarriesAStackTrace() {
        Map<String, JsonNode> operations = operations();
        assertThat(operations).as("operations of docs/openapi.yaml").hasSizeGreaterThan(20);
        List<String> keys = List.of(Story.OP, tenant.runtimeKey(), tenant.approverKey(), tenant.viewerKey(), agentKey);
        for (Map.Entry<String, JsonNode> op : operations.entrySet()) {
            String method = op.getKey().split(" ", 2)[0];
            String template = op.getKey().split(" ", 2)[1];
            // the statuses the document declares, for the API's own operations (the actuator reads bodies its own way)
            Set<Integer> declared = template.startsWith("/v1/") ? declared(op.getValue()) : null;
            boolean hasBody = op.getValue().has("requestBody");
            for (String path : paths(template)) {
                // no credentials, and credentials that are not ours
                for (String[] auth : List.<String[]>of(new String[0], new String[] {"Authorization", "Basic b3A6b3A="},
                        new String[] {"Authorization", "Bearer"}, new String[] {"Authorization", "Bearer mwb_op_wrong"},
                        new String[] {"Authorization", "Bearer " + "k".repeat(4_000)},
                        new String[] {"Authorization", "bearer " + Story.OP + " trailing"})) {
                    check(op.getKey(), declared, raw.send(method, path, hasBody ? "{}" : null,
                            concat(auth, "Content-Type", "application/json")));
                }
                for (String key : keys) {
                    check(op.getKey(), declared, raw.send(method, path, hasBody ? "{}" : null, "Authorization",
                            "Bearer " + key, "Content-Type", "application/json"));
                }
            }
            String path = paths(template).getFirst();
            for (String key : keys) {
                for (String body : bodies()) {
                    check(op.getKey(), declared, raw.send(method, path, body, "Authorization", "Bearer " + key,
                            "Content-Type", "application/json"));
                }
                for (String type : List.of("text/plain", "multipart/form-data", "multipart/form-data; boundary=b",
                        "application/x-www-form-urlencoded", "application/json; charset=utf-16", "application/xml", "*/*",
                        "garbage")) {
                    check(op.getKey(), declared, raw.send(method, path, "a=b&{}", "Authorization", "Bearer " + key,
                            "Content-Type", type));
                }
                check(op.getKey(), declared, raw.send(method, path, "{}", "Authorization", "Bearer " + key));
            }
            for (String other : METHODS) {
                if (operations.keySet().stream().noneMatch(o -> o.startsWith(other + " ") && matches(o.split(" ", 2)[1], path))) {
                    RawHttp.Answer r = raw.send(other, path, "{}", "Authorization", "Bearer " + Story.OP,
                            "Content-Type", "application/json");
                    check(other + " " + template + " (not an operation)", null, r);
                    if (r.status() != 405 && r.status() != 404) {
                        problems.add(other + " " + path + " answered " + r.status() + ", not 405");
                    }
                }
            }
        }
        for (String path : List.of("/", "/error", "/error?trace=true&message=true", "/v1", "/v1/", "/v1/nowhere",
                "/actuator/nope", "/mcp/", "/mcp/x", "/v1/executions/a/b/c")) {
            for (String method : METHODS) {
                check(method + " " + path, null, raw.send(method, path, "{", "Content-Type", "application/json",
                        "Authorization", "Bearer " + Story.OP));
            }
        }
        sweepMcp();

        assertThat(sent).as("requests sent").isGreaterThan(3_000);
        assertThat(problems).as("answers that broke the rules (of %s sent); statuses seen per operation: %s", sent, seen)
                .isEmpty();
    }

    private void sweepMcp() {
        String accept = "application/json, text/event-stream";
        List<String> messages = new ArrayList<>(bodies());
        messages.addAll(List.of("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"ads.create_campaign\","
                        + "\"arguments\":{\"name\":\"x\\u0000\"}}}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":5}}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}", "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\"}"));
        for (String key : List.of(agentKey, tenant.runtimeKey(), Story.OP, "mwb_agent_unknown")) {
            for (String session : List.of("", "no-such-session", "x".repeat(3_000))) {
                for (String body : messages) {
                    List<String> headers = new ArrayList<>(List.of("Authorization", "Bearer " + key, "Content-Type",
                            "application/json", "Accept", accept));
                    if (!session.isEmpty()) {
                        headers.addAll(List.of("Mcp-Session-Id", session));
                    }
                    checkMcp(key, raw.send("POST", "/mcp", body, headers.toArray(String[]::new)));
                }
                for (String method : METHODS) {
                    for (String type : List.of("application/json", "text/plain", "multipart/form-data")) {
                        List<String> headers = new ArrayList<>(List.of("Authorization", "Bearer " + key, "Content-Type", type));
                        if (!session.isEmpty()) {
                            headers.addAll(List.of("Mcp-Session-Id", session));
                        }
                        checkMcp(key, raw.send(method, "/mcp", "{", headers.toArray(String[]::new)));
                    }
                }
            }
        }
        for (String[] auth : List.<String[]>of(new String[0], new String[] {"Authorization", "Basic eDp5"},
                new String[] {"Authorization", "Bearer"})) {
            checkMcp(null, raw.send("POST", "/mcp", "{}", concat(auth, "Content-Type", "application/json", "Accept", accept)));
        }
    }

    // ------------------------------------------------------------------ the rules

    private void check(String op, Set<Integer> declared, RawHttp.Answer r) {
        sent++;
        seen.computeIfAbsent(op, k -> new TreeSet<>()).add(r.status());
        leaks(op, r);
        if (r.status() < 400) {
            return;
        }
        JsonNode json = r.json();
        String code = json == null ? null : json.at("/error/code").asString(null);
        ErrorCode registered = Arrays.stream(ErrorCode.values()).filter(c -> c.wire().equals(code)).findFirst().orElse(null);
        if (registered == null || !json.at("/error/message").isString() || !json.at("/error/details").isObject()) {
            problems.add(op + " answered an error that is not the envelope: " + r);
        } else if (ApiErrorHandler.status(registered) != r.status()) {
            problems.add(op + " answered " + code + " with " + r.status() + ", registered as " + ApiErrorHandler.status(registered));
        }
        if (declared != null && !declared.contains(r.status()) && r.status() != 405) {
            problems.add(op + " answered " + r.status() + ", which docs/openapi.yaml does not declare " + declared + ": " + r);
        }
    }

    private void checkMcp(String key, RawHttp.Answer r) {
        sent++;
        seen.computeIfAbsent("/mcp", k -> new TreeSet<>()).add(r.status());
        leaks("/mcp", r);
        if (r.status() < 400) {
            return;
        }
        JsonNode json = r.json();
        if (json == null) {
            problems.add("/mcp answered an error without a JSON body: " + r);
        } else if (r.status() == 401 || r.status() == 403) {
            if (!json.at("/error/code").isString()) {
                problems.add("/mcp refused a key without the error envelope: " + r);
            }
        } else if (!"2.0".equals(json.path("jsonrpc").asString(null)) || !json.at("/error/code").isInt()
                || !json.at("/error/message").isString() || !json.has("id")) {
            problems.add("/mcp answered an error that is not a JSON-RPC error object (key " + abbreviated(key) + "): " + r);
        }
    }

    private void leaks(String op, RawHttp.Answer r) {
        if (r.status() >= 500) {
            problems.add(op + " answered a server error: " + r);
        }
        String everything = r.body() + " " + r.headers();
        for (Pattern leak : LEAKS) {
            if (leak.matcher(everything).find()) {
                problems.add(op + " answered what looks like a stack trace or default error page (" + leak + "): " + r);
            }
        }
        String type = r.header("content-type");
        String media = type == null ? "" : type.toLowerCase(Locale.ROOT).split(";")[0].trim();
        boolean json = media.equals("application/json") || media.startsWith("application/") && media.endsWith("+json");
        if (!r.body().isEmpty() && !json && !media.equals("text/event-stream")
                && !(media.equals("text/plain") && op.contains("prometheus"))) {
            problems.add(op + " answered a body that is not JSON: " + r);
        }
    }

    // ------------------------------------------------------------------ the document

    /** "METHOD /template" → operation, for every operation of the document. */
    private static Map<String, JsonNode> operations() {
        Map<String, JsonNode> ops = new TreeMap<>();
        for (Map.Entry<String, JsonNode> p : doc.path("paths").properties()) {
            for (String method : p.getValue().propertyNames()) {
                if (METHODS.contains(method.toUpperCase(Locale.ROOT))) {
                    ops.put(method.toUpperCase(Locale.ROOT) + " " + p.getKey(), p.getValue().get(method));
                }
            }
        }
        return ops;
    }

    private static Set<Integer> declared(JsonNode operation) {
        return operation.path("responses").propertyNames().stream().filter(s -> s.matches("\\d{3}"))
                .map(Integer::valueOf).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The template with its placeholders filled: a real tenant, and ids that name nothing. */
    private static List<String> paths(String template) {
        List<String> out = new ArrayList<>();
        for (String id : List.of("nope", "x".repeat(1_500), "%E2%80%8B%20", "exe_%C3%A9")) {
            Map<String, String> values = new LinkedHashMap<>();
            values.put("{tenantId}", tenant.id());
            values.put("{id}", id);
            String path = template;
            for (Map.Entry<String, String> v : values.entrySet()) {
                path = path.replace(v.getKey(), v.getValue());
            }
            path = path.replaceAll("\\{[^}]+}", id);
            out.add(path);
            if (!template.contains("{")) {
                break;
            }
        }
        if (template.contains("{tenantId}")) {
            out.add(template.replace("{tenantId}", "ten_missing").replaceAll("\\{[^}]+}", "nope"));
        }
        if (template.endsWith("/receipts") || template.endsWith("/approvals") || template.endsWith("/objects")
                || template.endsWith("/preflight")) {
            out.add(template + "?limit=abc&after_seq=-1&status=%00&kind=%ff&provider=" + "p".repeat(300) + "&campaign_id=%00");
            out.add(template + "?limit=99999999999999999999&after_seq=1e9&status=" + "s".repeat(2_000));
        }
        return out;
    }

    /** Whether a concrete path (no query) is one a template names. */
    private static boolean matches(String template, String path) {
        return path.matches(Pattern.quote(template).replaceAll("\\{[^}]+}", "\\\\E[^/]+\\\\Q"));
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String abbreviated(String s) {
        return s == null ? "none" : s.length() > 24 ? s.substring(0, 24) + "…" : s;
    }
}
