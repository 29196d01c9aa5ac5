package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.money.Money;
import dev.minutework.broker.server.support.BrokerTestCase;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.RawHttp;
import dev.minutework.broker.server.support.Story;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Whatever a client sends, the broker answers 4xx with a stable code, never 5xx: text PostgreSQL
 * cannot hold, duplicate members, non-JSON bodies, over-long names, amounts beyond the maximum,
 * malformed JSON and parameters, URLs the HTTP server refuses. All over real HTTP against a real
 * broker and PostgreSQL.
 */
class InputHardeningTest extends BrokerTestCase {

    private static final String EXECUTE = "/v1/integration-broker/execute";
    private static final String BUDGET = "\"budget\":{\"amount_minor\":1000,\"currency\":\"USD\",\"period\":\"lifetime\"}";

    private static RawHttp raw;

    @BeforeAll
    static void client() {
        raw = new RawHttp(broker.base());
    }

    // ------------------------------------------------------------------ text PostgreSQL and canonical JSON cannot hold

    @Test
    void nulBytesAndLoneSurrogatesAnywhereInAnExecuteBodyAreRefusedNamingEveryPathAndTheRefusalIsReceipted() {
        Story.Tenant t = story.tenant("Nul Execute", Story.Setup.ready());
        String body = "{\"connector\":\"mw.connector.ads\",\"action\":\"ads.create_campaign\","
                + "\"idempotency_key\":\"nul-\\u0000-1\",\"input\":{\"name\":\"Boots\\u0000\"," + BUDGET + ","
                + "\"tags\":[\"fine\",\"half \\ud800 a pair\"],\"odd\\u0000key\":1,\"end\":\"\\udc00\"}}";

        RawHttp.Answer r = raw.postJson(EXECUTE, t.runtimeKey(), body);

        assertThat(r.status()).as("%s", r).isEqualTo(400);
        assertThat(code(r)).isEqualTo("invalid_input");
        assertThat(paths(r)).containsExactlyInAnyOrder("$.idempotency_key", "$.input.name", "$.input.tags[1]",
                "$.input.odd\\u0000key", "$.input.end");
        assertThat(r.body()).doesNotContain("\u0000").doesNotContain("\\u0000-1");
        JsonNode refusal = story.receiptPayloads(t, "execution.refused").getLast();
        assertThat(refusal.toString()).contains("invalid_input", "$.input.name", "$.idempotency_key");
        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
        assertNothingExecuted(t);
    }

    @Test
    void aValidSurrogatePairIsTextLikeAnyOther() {
        Http.Response created = expect(201, http.post("/v1/tenants", Story.OP, Map.of("name", "Boots \uD83D\uDC62 Ltd")));

        assertThat(created.text("/name")).isEqualTo("Boots \uD83D\uDC62 Ltd");
    }

    @Test
    void operatorBodiesWithNulOrLoneSurrogatesAreRefusedNamingThePathNeverEchoingTheSecret() {
        RawHttp.Answer tenant = raw.postJson("/v1/tenants", Story.OP, "{\"name\":\"Acme\\u0000Shoes\"}");
        assertThat(tenant.status()).as("%s", tenant).isEqualTo(400);
        assertThat(paths(tenant)).containsExactly("$.name");

        RawHttp.Answer surrogate = raw.postJson("/v1/tenants", Story.OP, "{\"name\":\"Acme \\udc00 Shoes\"}");
        assertThat(surrogate.status()).as("%s", surrogate).isEqualTo(400);
        assertThat(paths(surrogate)).containsExactly("$.name");
        assertThat(message(surrogate, 0)).contains("lone surrogate");

        RawHttp.Answer account = raw.postJson("/v1/provider-accounts", Story.OP, "{\"provider\":\"openaiads\","
                + "\"label\":\"x\",\"scope\":{\"ad_account_id\":\"act_1\"},"
                + "\"credentials\":{\"api_key\":\"sk-live-NEVER-ECHO-ME\\u0000tail\"}}");
        assertThat(account.status()).as("%s", account).isEqualTo(400);
        assertThat(paths(account)).containsExactly("$.credentials.api_key");
        assertThat(account.body()).doesNotContain("NEVER-ECHO-ME");

        Story.Tenant t = story.tenant("Nul Profile", Story.Setup.ready());
        RawHttp.Answer profile = raw.send("PUT", "/v1/tenants/" + t.id() + "/advertiser-profile",
                "{\"legal_name\":\"Acme\\u0000\",\"verification_status\":\"verified\"}",
                "Authorization", "Bearer " + Story.OP, "Content-Type", "application/json");
        assertThat(profile.status()).as("%s", profile).isEqualTo(400);
        assertThat(paths(profile)).containsExactly("$.legal_name");
    }

    @Test
    void queryParametersWithNulAreRefusedNamingTheParameter() {
        Story.Tenant t = story.tenant("Nul Query", Story.Setup.ready());

        RawHttp.Answer objects = raw.send("GET", "/v1/ads/objects?campaign_id=%00", (byte[]) null,
                "Authorization", "Bearer " + t.viewerKey());

        assertThat(objects.status()).as("%s", objects).isEqualTo(400);
        assertThat(code(objects)).isEqualTo("invalid_input");
        assertThat(paths(objects)).containsExactly("campaign_id");
    }

    // ------------------------------------------------------------------ duplicate members

    @Test
    void aDuplicateMemberIsRefusedSoThatNoScopeFieldCanBeSmuggledAndTheRefusalIsReceipted() {
        Story.Tenant t = story.tenant("Dup Smuggle", Story.Setup.ready());
        // the last "input" would win and the scope field in the first would vanish unseen
        String smuggled = "{\"connector\":\"mw.connector.ads\",\"action\":\"ads.create_campaign\",\"idempotency_key\":\"dup-1\","
                + "\"input\":{\"name\":\"Boots\",\"ad_account_id\":\"act_evil\"," + BUDGET + "},"
                + "\"input\":{\"name\":\"Boots\"," + BUDGET + "}}";

        RawHttp.Answer r = raw.postJson(EXECUTE, t.runtimeKey(), smuggled);

        assertThat(r.status()).as("%s", r).isEqualTo(400);
        assertThat(code(r)).isEqualTo("invalid_input");
        assertThat(paths(r)).containsExactly("$.input");
        assertThat(message(r, 0)).contains("more than once");
        JsonNode refusal = story.receiptPayloads(t, "execution.refused").getLast();
        assertThat(refusal.get("code").asString()).isEqualTo("invalid_input");
        assertThat(refusal.toString()).contains("$.input");
        assertNothingExecuted(t);

        RawHttp.Answer inner = raw.postJson(EXECUTE, t.runtimeKey(), "{\"connector\":\"mw.connector.ads\","
                + "\"action\":\"ads.create_campaign\",\"idempotency_key\":\"dup-2\",\"input\":{\"name\":\"Boots\","
                + "\"ad_account_id\":\"act_1\",\"ad_account_id\":\"act_2\"," + BUDGET + "}}");
        assertThat(inner.status()).as("%s", inner).isEqualTo(400);
        assertThat(paths(inner)).containsExactly("$.input.ad_account_id");

        RawHttp.Answer operator = raw.postJson("/v1/tenants", Story.OP, "{\"name\":\"A Co\",\"name\":\"B Co\"}");
        assertThat(operator.status()).as("%s", operator).isEqualTo(400);
        assertThat(paths(operator)).containsExactly("$.name");
        assertNothingExecuted(t);
    }

    // ------------------------------------------------------------------ media types

    @Test
    void multipartFormsAndOtherNonJsonBodiesAreUnsupportedMediaTypeNeverAServerError() {
        Story.Tenant t = story.tenant("Media Types", Story.Setup.ready());
        List<String[]> bodies = List.of(
                new String[] {"multipart/form-data", "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--\r\n"},
                new String[] {"multipart/form-data; boundary=x",
                    "--x\r\nContent-Disposition: form-data; name=\"input\"\r\n\r\n{}\r\n--x--\r\n"},
                new String[] {"multipart/mixed; boundary=", "garbage"},
                new String[] {"application/x-www-form-urlencoded", "connector=mw.connector.ads&action=ads.create_campaign"},
                new String[] {"text/plain", "{}"},
                new String[] {"application/xml", "<execute/>"},
                new String[] {"application/json; charset=utf-16", "{}"},
                new String[] {"application/octet-stream", "{}"},
                new String[] {"not a media type", "{}"});
        for (String path : List.of(EXECUTE, "/v1/tenants")) {
            String key = path.equals(EXECUTE) ? t.runtimeKey() : Story.OP;
            for (String[] b : bodies) {
                RawHttp.Answer r = raw.send("POST", path, b[1], "Authorization", "Bearer " + key, "Content-Type", b[0]);

                assertThat(r.status()).as("POST %s as %s: %s", path, b[0], r).isEqualTo(415);
                assertThat(code(r)).isEqualTo("unsupported_media_type");
            }
            RawHttp.Answer none = raw.send("POST", path, "{}", "Authorization", "Bearer " + key);
            assertThat(none.status()).as("POST %s without a content type: %s", path, none).isEqualTo(415);
        }
        assertNothingExecuted(t);
    }

    // ------------------------------------------------------------------ names

    @Test
    void aMegabyteConnectorActionProviderOrIdempotencyKeyIsA400() {
        Story.Tenant t = story.tenant("Long Names", Story.Setup.ready());
        String mb = "x".repeat(1_000_000);
        for (String field : List.of("connector", "action", "provider", "idempotency_key")) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("connector", "mw.connector.ads");
            body.put("action", "ads.create_campaign");
            body.put("idempotency_key", "long-" + field);
            body.put("input", Story.campaign("Boots", 1_000));
            body.put(field, mb);

            Http.Response r = http.post(EXECUTE, t.runtimeKey(), body);

            assertThat(r.status()).as("a 1 MB %s: %s", field, abbreviated(r.raw())).isEqualTo(400);
            assertThat(r.errorCode()).isEqualTo("invalid_input");
            assertThat(r.at("/error/details/errors/0/path").asString()).isEqualTo("$." + field);
            assertThat(r.raw().length()).as("answer to a 1 MB %s", field).isLessThan(2_000);
        }
        assertThat(jdbc.sql("select coalesce(max(length(payload)), 0) from broker_receipts where tenant_id = :t")
                .param("t", t.id()).query(Long.class).single()).as("the largest receipt").isLessThan(2_000);
        assertThat(gaps(t.id())).isEmpty();
        assertNothingExecuted(t);
    }

    @Test
    void anUnknownConnectorOrProviderIsEchoedRecordedAndReceiptedCutTo64Characters() {
        Story.Tenant t = story.tenant("Cut Names", Story.Setup.ready());
        String provider = "snap" + "p".repeat(96);
        String connector = "mw.connector." + "c".repeat(100);

        Http.Response p = expect(404, story.execute(t.runtimeKey(), provider, "ads.create_campaign", "cut-1",
                Story.campaign("Boots", 1_000)));
        Http.Response c = expect(404, http.post(EXECUTE, t.runtimeKey(), Map.of("connector", connector,
                "action", "x.do", "idempotency_key", "cut-2", "input", Map.of())));

        assertThat(p.errorCode()).isEqualTo("capability_gap");
        assertThat(p.text("/error/message")).contains(provider.substring(0, 64) + "…").doesNotContain(provider.substring(0, 65));
        assertThat(c.text("/error/message")).contains(connector.substring(0, 64) + "…")
                .doesNotContain(connector.substring(0, 65));
        assertThat(gaps(t.id())).extracting(g -> g.get("provider")).contains(provider.substring(0, 64) + "…");
        assertThat(gaps(t.id())).extracting(g -> g.get("capability")).contains(connector.substring(0, 64) + "…");
        assertThat(gaps(t.id())).allSatisfy(g -> g.values().forEach(v ->
                assertThat(String.valueOf(v).length()).as("a stored gap field").isLessThanOrEqualTo(300)));
        List<JsonNode> refusals = story.receiptPayloads(t, "execution.refused");
        assertThat(refusals.toString()).contains(provider.substring(0, 64) + "…", connector.substring(0, 64) + "…")
                .doesNotContain(provider.substring(0, 65)).doesNotContain(connector.substring(0, 65));
        assertThat(expect(200, http.get("/v1/capability-gaps", Story.OP)).raw()).doesNotContain(provider.substring(0, 65));
        assertNothingExecuted(t);
    }

    // ------------------------------------------------------------------ money

    @Test
    void walletCreditsAreBoundedAndNoSumOfThemOverflowsTheBalance() {
        Story.Tenant t = story.tenant("Big Credits", Story.Setup.ready().wallet(0));
        String credits = "/v1/tenants/" + t.id() + "/wallet/credits";

        for (Object amount : List.of(Long.MAX_VALUE, Money.MAX_AMOUNT_MINOR + 1)) {
            Http.Response r = http.post(credits, Story.OP, Map.of("amount_minor", amount, "reference", "big-" + amount));
            assertThat(r.status()).as("a credit of %s: %s", amount, r).isEqualTo(400);
            assertThat(r.errorCode()).isEqualTo("invalid_input");
            assertThat(r.text("/error/details/errors/0/path")).isEqualTo("$.amount_minor");
        }
        Http.Response beyondLong = http.sendRaw("POST", credits, Story.OP,
                "{\"amount_minor\":9223372036854775808,\"reference\":\"past-long\"}");
        assertThat(beyondLong.status()).as("%s", beyondLong).isEqualTo(400);

        for (int i = 0; i < 10; i++) {
            expect(201, http.post(credits, Story.OP, Map.of("amount_minor", Money.MAX_AMOUNT_MINOR, "reference", "max-" + i)));
        }
        Http.Response over = http.post(credits, Story.OP, Map.of("amount_minor", 1, "reference", "one-more"));

        assertThat(over.status()).as("%s", over).isEqualTo(409);
        assertThat(over.errorCode()).isEqualTo("balance_limit_exceeded");
        assertThat(over.at("/error/details/max_balance_minor").asLong()).isEqualTo(10 * Money.MAX_AMOUNT_MINOR);
        assertThat(story.wallet(t).get("balance_minor").asLong()).isEqualTo(10 * Money.MAX_AMOUNT_MINOR);
        assertThat(story.receiptPayloads(t, "wallet.credited")).hasSize(10);
        Http.Response debit = http.post("/v1/wallet/debits", t.runtimeKey(), Map.of("amount_minor", Long.MAX_VALUE,
                "reference", "debit-max"));
        assertThat(debit.status()).as("%s", debit).isEqualTo(400);
        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
    }

    @Test
    void aSpendAuthorizationThatHasExpiredAlreadyIsRefusedNamingValidUntil() {
        Story.Tenant t = story.tenant("Past Authorization", Story.Setup.ready());
        String path = "/v1/tenants/" + t.id() + "/spend-authorizations";
        for (String until : List.of("2020-01-01T00:00:00Z", "+10000-01-01T00:00:00Z", "-0001-01-01T00:00:00Z")) {
            Http.Response r = http.post(path, Story.OP, Map.of("currency", "USD", "cap_minor", 1_000,
                    "valid_until", until, "approved_by", "cfo@example.test"));

            assertThat(r.status()).as("valid_until %s: %s", until, r).isEqualTo(400);
            assertThat(r.errorCode()).isEqualTo("invalid_input");
            assertThat(r.text("/error/details/errors/0/path")).isEqualTo("$.valid_until");
        }
        Http.Response cap = http.post(path, Story.OP, Map.of("currency", "USD", "cap_minor", Long.MAX_VALUE,
                "approved_by", "cfo@example.test"));
        assertThat(cap.status()).as("%s", cap).isEqualTo(400);
        assertThat(cap.text("/error/details/errors/0/path")).isEqualTo("$.cap_minor");
    }

    @Test
    void aBudgetBeyondTheMaximumAmountIsRefusedBeforeAnythingHappens() {
        Story.Tenant t = story.tenant("Huge Budget", Story.Setup.ready());
        long twoTo53 = 9_007_199_254_740_991L;

        Http.Response update = story.execute(t.runtimeKey(), "ads.update_campaign", "huge-1", Map.of("campaign_id", "cmp_any",
                "budget", Map.of("amount_minor", twoTo53, "currency", "USD", "period", "daily")));
        Http.Response create = story.execute(t.runtimeKey(), "ads.create_campaign", "huge-2",
                Story.campaign("Huge boots", Money.MAX_AMOUNT_MINOR + 1));
        Http.Response bid = story.execute(t.runtimeKey(), "ads.create_group", "huge-3", Map.of("campaign_id", "cmp_any",
                "name", "Hikers", "bid", Map.of("amount_minor", twoTo53, "currency", "USD")));

        for (Http.Response r : List.of(update, create, bid)) {
            assertThat(r.status()).as("%s", r).isEqualTo(400);
            assertThat(r.errorCode()).isEqualTo("invalid_input");
            assertThat(r.text("/error/details/errors/0/path")).endsWith(".amount_minor");
        }
        assertNothingExecuted(t);
    }

    // ------------------------------------------------------------------ malformed JSON, parameters, URLs

    @Test
    void malformedAndWronglyShapedBodiesAreInvalidInputNamingWhereAndWhat() {
        Story.Tenant t = story.tenant("Malformed", Story.Setup.ready());
        String deep = "{\"connector\":\"mw.connector.ads\",\"action\":\"ads.create_campaign\",\"idempotency_key\":\"d\","
                + "\"input\":" + "[".repeat(40) + "]".repeat(40) + "}";
        // body → the path and what the refusal says is wrong there
        Map<String, String[]> bodies = new LinkedHashMap<>();
        bodies.put("{\"connector\":", new String[] {"$", "not well-formed JSON"});
        bodies.put("{} {}", new String[] {"$", "followed by more text"});
        bodies.put("{\"connector\":\"mw.connector.ads\"} \"tail\"", new String[] {"$", "followed by more text"});
        bodies.put("{\"connector\":\"mw.connector.ads\"}]", new String[] {"$", "not well-formed JSON"});
        bodies.put("[1,2]", new String[] {"$", "not an array"});
        bodies.put("\"text\"", new String[] {"$", "not a string"});
        bodies.put("42", new String[] {"$", "not a number"});
        bodies.put("null", new String[] {"$", "not null"});
        bodies.put("true", new String[] {"$", "not a boolean"});
        bodies.put("", new String[] {"$", "is required"});
        bodies.put("{\"a\":1,}", new String[] {"$", "not well-formed JSON"});
        bodies.put("{'a':1}", new String[] {"$", "not well-formed JSON"});
        bodies.put("{\"a\":NaN}", new String[] {"$", "not well-formed JSON"});
        bodies.put(deep, new String[] {"$.input[0][0]", "nested deeper than 32"});
        bodies.put("{\"input\":{\"amount\":" + "9".repeat(500) + "}}", new String[] {"$", "longer than 100"});
        bodies.put("{\"" + "k".repeat(2_000) + "\":1}", new String[] {"$", "longer than 1000"});
        for (Map.Entry<String, String[]> b : bodies.entrySet()) {
            Http.Response r = http.sendRaw("POST", EXECUTE, t.runtimeKey(), b.getKey());

            assertThat(r.status()).as("%s → %s", abbreviated(b.getKey()), abbreviated(r.raw())).isEqualTo(400);
            assertThat(r.errorCode()).isEqualTo("invalid_input");
            assertThat(r.text("/error/details/errors/0/path")).as("%s → %s", abbreviated(b.getKey()), abbreviated(r.raw()))
                    .startsWith(b.getValue()[0]);
            assertThat(r.text("/error/details/errors/0/message")).as("%s → %s", abbreviated(b.getKey()), abbreviated(r.raw()))
                    .contains(b.getValue()[1]);
        }
        RawHttp.Answer notUtf8 = raw.send("POST", EXECUTE, new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, '(', '"', '}'},
                "Authorization", "Bearer " + t.runtimeKey(), "Content-Type", "application/json");
        assertThat(notUtf8.status()).as("%s", notUtf8).isEqualTo(400);
        assertThat(code(notUtf8)).isEqualTo("invalid_input");
        assertThat(message(notUtf8, 0)).contains("not well-formed JSON");
        assertNothingExecuted(t);
    }

    @Test
    void aBodyOverFourMebibytesIsPayloadTooLargeWhetherDeclaredOrStreamed() {
        Story.Tenant t = story.tenant("Too Large", Story.Setup.ready());
        byte[] big = ("{\"name\":\"" + "x".repeat(4 * 1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);

        RawHttp.Answer declared = raw.send("POST", "/v1/tenants", big, "Authorization", "Bearer " + Story.OP,
                "Content-Type", "application/json");
        RawHttp.Answer execute = raw.send("POST", EXECUTE, big, "Authorization", "Bearer " + t.runtimeKey(),
                "Content-Type", "application/json");

        for (RawHttp.Answer r : List.of(declared, execute)) {
            assertThat(r.status()).as("%s", r).isEqualTo(413);
            assertThat(code(r)).isEqualTo("payload_too_large");
        }
    }

    @Test
    void badQueryParametersAndPathIdsAre4xxWithTheErrorEnvelope() {
        Story.Tenant t = story.tenant("Bad Params", Story.Setup.ready());
        for (String q : List.of("limit=abc", "limit=-1", "limit=0", "limit=1001", "limit=99999999999", "after_seq=-5",
                "after_seq=1e3", "after_seq=99999999999999999999", "limit=%00")) {
            Http.Response r = http.get("/v1/receipts?" + q, t.viewerKey());
            assertThat(r.status()).as("?%s → %s", q, r).isEqualTo(400);
            assertThat(r.errorCode()).isEqualTo("invalid_input");
        }
        for (String path : List.of("/v1/executions/" + "x".repeat(5_000), "/v1/executions/%E2%80%8B",
                "/v1/approvals/%20", "/v1/tenants/" + "t".repeat(3_000) + "/agents")) {
            String key = path.startsWith("/v1/tenants") ? Story.OP : t.approverKey();
            Http.Response r = http.get(path, key);
            assertThat(r.status()).as("%s → %s", abbreviated(path), r).isEqualTo(404);
            assertThat(r.errorCode()).isEqualTo("not_found");
        }
        // what Tomcat refuses before any servlet: still the envelope, never an HTML page
        for (String line : List.of("GET /v1/executions/%00 HTTP/1.1", "GET /v1/executions/%ZZ HTTP/1.1",
                "GET /v1/executions/%ED%A0%80 HTTP/1.1", "GET /v1/receipts?limit=%ZZ HTTP/1.1")) {
            RawHttp.Answer r = raw.socket(line + "\r\nAuthorization: Bearer " + t.viewerKey(), null);
            assertThat(r.status()).as("%s → %s", line, r).isBetween(400, 499);
            assertThat(r.header("content-type")).as("%s → %s", line, r).startsWith("application/json");
            assertThat(code(r)).as("%s → %s", line, r).isNotNull();
            assertThat(r.body()).doesNotContain("<html", "Tomcat");
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String code(RawHttp.Answer r) {
        JsonNode json = r.json();
        return json == null ? null : json.at("/error/code").asString(null);
    }

    private static List<String> paths(RawHttp.Answer r) {
        List<String> out = new ArrayList<>();
        JsonNode json = r.json();
        if (json != null) {
            json.at("/error/details/errors").forEach(e -> out.add(e.get("path").asString()));
        }
        return out;
    }

    private static String message(RawHttp.Answer r, int i) {
        return r.json().at("/error/details/errors/" + i + "/message").asString();
    }

    private static String abbreviated(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…(" + s.length() + " chars)" : s;
    }

    private static List<Map<String, Object>> gaps(String tenantId) {
        return jdbc.sql("select capability, action, provider, reason from capability_gaps where tenant_id = :t")
                .param("t", tenantId).query().listOfRows();
    }

    private static void assertNothingExecuted(Story.Tenant t) {
        assertThat(jdbc.sql("select count(*) from executions where tenant_id = :t").param("t", t.id())
                .query(Long.class).single()).as("executions").isZero();
        assertThat(jdbc.sql("select count(*) from spend_reservations where tenant_id = :t").param("t", t.id())
                .query(Long.class).single()).as("reservations").isZero();
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isZero();
    }
}
