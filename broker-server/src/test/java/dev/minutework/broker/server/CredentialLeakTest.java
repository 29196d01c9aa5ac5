package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.core.json.JsonParser;
import dev.minutework.broker.providers.sandbox.SandboxFaults;
import dev.minutework.broker.server.execution.Reconciler;
import dev.minutework.broker.server.execution.Executions;
import dev.minutework.broker.server.support.Broker;
import dev.minutework.broker.server.support.BrokerTestCase;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.LogCapture;
import dev.minutework.broker.server.support.Story;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Invariant 6: provider credentials go in through the operator API and never come out — not in a
 * response, an error, a log line, a receipt or any row of the database in clear text.
 */
class CredentialLeakTest extends BrokerTestCase {

    static final String CANARY = "LEAKCANARY" + UUID.randomUUID().toString().replace("-", "");


    @Test
    void noCredentialValueLeavesTheBrokerOnAnyPath() {
        Map<String, Map<String, String>> credentials = Map.of(
                "openaiads", Map.of("api_key", CANARY + "-openai"),
                "googleads", Map.of("client_id", CANARY + "-gid", "client_secret", CANARY + "-gsecret",
                        "refresh_token", CANARY + "-grefresh", "developer_token", CANARY + "-gdev"),
                "metaads", Map.of("access_token", CANARY + "-meta", "app_secret", CANARY + "-metasecret"),
                "tiktokads", Map.of("access_token", CANARY + "-tiktok"));
        List<Story.Tenant> tenants = new ArrayList<>();
        for (var e : credentials.entrySet()) {
            tenants.add(story.tenant("Leak " + e.getKey(), Story.Setup.ready().provider(e.getKey())
                    .wallet(50_000).credentials(e.getValue())));
        }
        for (Story.Tenant t : tenants) {
            String provider = providerOf(t);
            expect(200, http.get("/v1/provider-accounts/" + t.providerAccountId(), Story.OP));
            expect(200, http.get("/v1/integration-broker/preflight?provider=" + provider, t.runtimeKey()));
            Http.Response ok = expect(202, story.execute(t.runtimeKey(), provider, "ads.create_campaign", "ok",
                    Story.campaign("Leak check", 1_000)));
            expect(200, http.post("/v1/approvals/" + ok.text("/approval_id") + "/approve", t.approverKey(), null));
            broker.sandbox().faults(t.providerAccountId()).next(SandboxFaults.Fault.REJECT);
            Http.Response rejected = expect(202, story.execute(t.runtimeKey(), provider, "ads.create_campaign", "rejected",
                    Story.campaign("Rejected", 1_000)));
            assertThat(expect(200, http.post("/v1/approvals/" + rejected.text("/approval_id") + "/approve",
                    t.approverKey(), null)).text("/execution/status")).isEqualTo("failed");
            broker.sandbox().faults(t.providerAccountId()).next(SandboxFaults.Fault.LOSE_REQUEST);
            Http.Response lost = expect(202, story.execute(t.runtimeKey(), provider, "ads.create_campaign", "lost",
                    Story.campaign("Lost", 1_000)));
            assertThat(expect(200, http.post("/v1/approvals/" + lost.text("/approval_id") + "/approve",
                    t.approverKey(), null)).text("/execution/status")).isEqualTo("outcome_unknown");
            expect(200, http.get("/v1/receipts?limit=1000", t.viewerKey()));
        }
        expect(200, http.get("/v1/provider-accounts", Story.OP));

        // bad input that carries a credential value must not be echoed back either
        http.post("/v1/provider-accounts", Story.OP, Map.of("provider", "openaiads", "label", "bad",
                "scope", Map.of("ad_account_id", "act_1"), "credentials", Map.of("api_key", CANARY + "-bad", "extra", CANARY)));
        http.post("/v1/provider-accounts", Story.OP, Map.of("provider", "nope", "label", CANARY,
                "scope", Map.of(), "credentials", Map.of("api_key", CANARY)));
        http.sendRaw("POST", "/v1/provider-accounts", Story.OP,
                "{\"provider\":\"openaiads\",\"credentials\":{\"api_key\": " + CANARY + "}}");
        http.sendRaw("POST", "/v1/integration-broker/execute", tenants.getFirst().runtimeKey(),
                "{\"connector\":\"mw.connector.ads\",\"action\":\"ads.create_campaign\",\"input\":" + CANARY + "}");
        Http.Response scoped = story.execute(tenants.getFirst().runtimeKey(), "ads.create_campaign", "scoped",
                Map.of("name", "x", "api_key", CANARY, "budget", Map.of("amount_minor", 1, "currency", "USD",
                        "period", "lifetime", "access_token", CANARY)));
        assertThat(scoped.errorCode()).isEqualTo("forbidden_scope_field");

        List<String> responses = Http.seenResponses();
        assertThat(responses).as("responses seen").hasSizeGreaterThan(50);
        assertThat(responses).noneMatch(r -> r.contains(CANARY));
        assertThat(LogCapture.lines()).as("log lines").isNotEmpty().noneMatch(l -> l.contains(CANARY));
        assertThat(databaseRowsContaining(CANARY)).as("database rows holding a credential in clear").isEmpty();
    }

    /**
     * A provider that echoes the platform's API key back in every form (upper-cased, cut to a prefix,
     * a suffix and a middle piece, split in two, URL-encoded once and twice, base64 and hex encoded) in
     * its error text and code, and answers a create with the key as the new object's id, then lists
     * that object (base64 of the key as its id) when the broker reconciles. Over real HTTP through the
     * broker: the key reaches no response, receipt, database row or log line in any of these forms.
     */
    @Test
    void aProviderEchoingTheKeyInAnyFormLeaksItNowhere() throws Exception {
        String key = "ECHO" + UUID.randomUUID().toString().replace("-", "") + "/+=Zq";
        try (EchoingProvider provider = EchoingProvider.start(key);
                Broker echoBroker = Broker.startWithSimulators("credential_echo")) {
            Http h = echoBroker.http();
            Story s = new Story(h);
            Story.Tenant t = s.tenant("Echo", Story.Setup.ready().noConnection());
            String account = expect(201, h.post("/v1/provider-accounts", Story.OP, Map.of("provider", "openaiads",
                    "label", "echoing provider", "scope", Map.of("ad_account_id", "act_echo"),
                    "credentials", Map.of("api_key", key), "base_url", provider.baseUrl()))).text("/provider_account_id");
            expect(201, h.post("/v1/tenants/" + t.id() + "/connections", Story.OP, Map.of("provider_account_id", account)));
            JsonNode preflight = expect(200, h.get("/v1/integration-broker/preflight", t.runtimeKey())).json();
            assertThat(preflight.get("ready").asBoolean()).as("preflight %s", preflight).isTrue();

            // refused with the key all over the provider's text, and a piece of it in the code
            provider.mode = "refuse_with_key_in_code";
            JsonNode refused = approve(s, h, t, "refused-1", "Refused");
            assertThat(refused.at("/status").asString()).isEqualTo("failed");
            assertThat(refused.at("/error/code").asString()).isEqualTo("provider_rejected");
            assertThat(refused.at("/error/kind").asString()).isEqualTo("invalid_request");
            assertThat(refused.at("/error/provider_code").asString()).isEqualTo("redacted");
            assertThat(refused.at("/error/message").asString())
                    .isEqualTo("the provider refused the request as invalid (code redacted)");
            // the same text with an ordinary code: the code is shown, the text still is not
            provider.mode = "refuse";
            JsonNode refusedAgain = approve(s, h, t, "refused-2", "Refused again");
            assertThat(refusedAgain.at("/error/provider_code").asString()).isEqualTo("http_400:name");
            assertThat(refusedAgain.at("/error/message").asString())
                    .isEqualTo("the provider refused the request as invalid (code http_400:name)");
            // operators get the provider's text, scrubbed, in a log line
            assertThat(LogCapture.lines()).anyMatch(l -> l.contains("Incorrect API key provided") && l.contains("[redacted]"));

            // made, the provider says, under an id that is the key: not believed, not recorded, money held
            provider.mode = "succeed_with_key_as_id";
            JsonNode made = approve(s, h, t, "made", "Made");
            assertThat(made.at("/status").asString()).isEqualTo("outcome_unknown");
            assertThat(made.at("/error/code").asString()).isEqualTo("provider_outcome_unknown");
            assertThat(made.at("/error/message").asString()).contains("credential_in_answer");
            assertThat(made.at("/result").isNull()).isTrue();
            assertThat(expect(200, h.get("/v1/ads/campaigns", t.viewerKey())).at("/campaigns")).isEmpty();
            assertThat(s.wallet(t).get("reserved_minor").asLong()).isEqualTo(1_000);

            // reconciliation asks the provider, which lists the object with the key base64-encoded as its id
            Executions executions = echoBroker.bean(Executions.class);
            Executions.Execution unknown = executions.find(t.id(), made.at("/execution_id").asString()).orElseThrow();
            assertThat(echoBroker.bean(Reconciler.class).reconcile("test", unknown)).isEqualTo("outcome_unknown");
            assertThat(provider.listed).as("reconciliation asked the provider").isPositive();
            assertThat(s.wallet(t).get("reserved_minor").asLong()).isEqualTo(1_000);
            expect(200, h.get("/v1/executions/" + made.at("/execution_id").asString(), t.runtimeKey()));
            expect(200, h.get("/v1/receipts?limit=1000", t.viewerKey()));
            assertThat(s.verify(t).get("valid").asBoolean()).isTrue();

            List<String> needles = leakNeedles(key);
            List<String> seen = new ArrayList<>(Http.seenResponses());
            seen.addAll(LogCapture.lines());
            seen.addAll(allRows(echoBroker.bean(JdbcClient.class)));
            for (String text : seen) {
                String lower = text.toLowerCase(Locale.ROOT);
                for (String needle : needles) {
                    assertThat(lower).as("a form of the key (%s)", needle).doesNotContain(needle);
                }
            }
            assertThat(provider.echoed).as("the provider did echo the key").hasSizeGreaterThanOrEqualTo(3);
        }
    }

    private static JsonNode approve(Story s, Http h, Story.Tenant t, String idempotencyKey, String name) {
        Http.Response asked = expect(202, s.execute(t.runtimeKey(), "ads.create_campaign", idempotencyKey,
                Story.campaign(name, 1_000)));
        return expect(200, h.post("/v1/approvals/" + asked.text("/approval_id") + "/approve", t.approverKey(), null))
                .at("/execution");
    }

    /** The forms the provider echoes the key in, each lower-cased, as whole strings and as every 12-character piece. */
    private static List<String> leakNeedles(String key) {
        List<String> out = new ArrayList<>();
        for (String form : EchoingProvider.forms(key)) {
            String f = form.toLowerCase(Locale.ROOT);
            if (f.length() <= 12) {
                out.add(f);
            } else {
                for (int i = 0; i + 12 <= f.length(); i++) {
                    out.add(f.substring(i, i + 12));
                }
            }
        }
        return out;
    }

    private static List<String> allRows(JdbcClient jdbc) {
        List<String> rows = new ArrayList<>();
        for (String table : jdbc.sql("select tablename from pg_tables where schemaname = 'public'").query(String.class).list()) {
            rows.addAll(jdbc.sql("select t::text from " + table + " t").query(String.class).list());
        }
        assertThat(rows).isNotEmpty();
        return rows;
    }

    /** A stand-in for the OpenAI Advertiser API at a custom {@code base_url} that echoes its API key back. */
    static final class EchoingProvider implements AutoCloseable {

        private final HttpServer server;
        private final String key;
        private final List<Map<String, Object>> made = new CopyOnWriteArrayList<>();
        final List<String> echoed = new CopyOnWriteArrayList<>();
        volatile String mode = "refuse";
        volatile int listed;

        private EchoingProvider(HttpServer server, String key) {
            this.server = server;
            this.key = key;
        }

        static EchoingProvider start(String key) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            EchoingProvider p = new EchoingProvider(server, key);
            server.createContext("/v1/", p::handle);
            server.start();
            return p;
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
        }

        /** The key as providers have been seen to echo it. */
        static List<String> forms(String key) {
            int half = key.length() / 2;
            String url = URLEncoder.encode(key, StandardCharsets.UTF_8);
            return List.of(key, key.toUpperCase(Locale.ROOT), key.substring(0, 10), key.substring(key.length() - 10),
                    key.substring(7, 21), url, URLEncoder.encode(url, StandardCharsets.UTF_8),
                    Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8)),
                    Base64.getUrlEncoder().withoutPadding().encodeToString(("Bearer " + key).getBytes(StandardCharsets.UTF_8)),
                    HexFormat.of().formatHex(key.getBytes(StandardCharsets.UTF_8)),
                    key.substring(0, half) + " … " + key.substring(half));
        }

        private void handle(HttpExchange x) throws IOException {
            try (x) {
                String path = x.getRequestURI().getPath();
                String auth = x.getRequestHeaders().getFirst("Authorization");
                if (!("Bearer " + key).equals(auth)) {
                    send(x, 401, Map.of("error", Map.of("message", "no key", "type", "invalid_request_error")));
                    return;
                }
                if ("GET".equals(x.getRequestMethod()) && path.equals("/v1/campaigns")) {
                    listed++;
                    send(x, 200, Map.of("data", List.copyOf(made), "has_more", false));
                    return;
                }
                if ("POST".equals(x.getRequestMethod()) && path.equals("/v1/campaigns")) {
                    Map<String, Object> body = JsonParser.parseObject(new String(x.getRequestBody().readAllBytes(),
                            StandardCharsets.UTF_8));
                    switch (mode) {
                        case "succeed_with_key_as_id" -> {
                            Map<String, Object> listedAs = new LinkedHashMap<>();
                            listedAs.put("id", Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8)));
                            listedAs.put("name", body.get("name"));
                            listedAs.put("status", "active");
                            made.add(listedAs);
                            echoed.add("id");
                            send(x, 200, Map.of("id", key, "name", body.get("name"), "status", "active"));
                        }
                        case "refuse_with_key_in_code" -> refuse(x, key.substring(2, 14));
                        default -> refuse(x, "name");
                    }
                    return;
                }
                send(x, 404, Map.of("error", Map.of("message", "unknown path " + path, "type", "invalid_request_error")));
            }
        }

        private void refuse(HttpExchange x, String param) throws IOException {
            echoed.add(param);
            send(x, 400, Map.of("error", Map.of("message", "Incorrect API key provided: " + String.join(" | ", forms(key)),
                    "type", "invalid_request_error", "param", param)));
        }

        private static void send(HttpExchange x, int status, Map<String, Object> body) throws IOException {
            byte[] bytes = CanonicalJson.canonicalize(body).getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(bytes);
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private static String providerOf(Story.Tenant t) {
        return expect(200, http.get("/v1/provider-accounts/" + t.providerAccountId(), Story.OP)).text("/provider");
    }

    /** Every row of every table of the broker's schema, as text, that contains the needle. */
    private static List<String> databaseRowsContaining(String needle) {
        JdbcClient jdbc = broker.bean(JdbcClient.class);
        List<String> tables = jdbc.sql("select tablename from pg_tables where schemaname = 'public'").query(String.class).list();
        assertThat(tables).contains("provider_accounts", "broker_receipts", "executions");
        List<String> hits = new ArrayList<>();
        for (String table : tables) {
            hits.addAll(jdbc.sql("select t::text from " + table + " t where t::text like :n")
                    .param("n", "%" + needle + "%").query(String.class).list().stream().map(r -> table + ": " + r).toList());
        }
        return hits;
    }
}
