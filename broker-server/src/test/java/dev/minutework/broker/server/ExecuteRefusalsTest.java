package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.support.BrokerTestCase;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Ledger;
import dev.minutework.broker.server.support.Story;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * What {@code POST /v1/integration-broker/execute} refuses before anything runs: capability gaps,
 * reserved actions, provider scope in input, schema violations and unready tenants. Every refusal
 * is receipted, and none leaves an execution, a reservation or a grant behind.
 */
class ExecuteRefusalsTest extends BrokerTestCase {


    // ------------------------------------------------------------------ capability gaps

    @Test
    void unknownConnectorIsACapabilityGapAndTheGapIsRecorded() {
        Story.Tenant t = story.tenant("Gap Connector", Story.Setup.ready());

        Http.Response r = expect(404, http.post("/v1/integration-broker/execute", t.runtimeKey(), Map.of(
                "connector", "mw.connector.crm", "action", "crm.create_contact", "idempotency_key", "gap-1",
                "input", Map.of("email", "a@b.test"))));

        assertThat(r.errorCode()).isEqualTo("capability_gap");
        assertThat(gaps(t.id())).singleElement().satisfies(g -> {
            assertThat(g.get("capability")).isEqualTo("mw.connector.crm");
            assertThat(g.get("action")).isEqualTo("crm.create_contact");
            assertThat(g.get("source")).isEqualTo("automatic");
        });
        JsonNode listed = expect(200, http.get("/v1/capability-gaps", Story.OP)).at("/gaps");
        assertThat(listed).anySatisfy(g -> {
            assertThat(g.get("capability").asString()).isEqualTo("mw.connector.crm");
            assertThat(g.get("action").asString()).isEqualTo("crm.create_contact");
            assertThat(g.get("reports").asLong()).isGreaterThanOrEqualTo(1);
        });
        assertRefusalReceipted(t, "capability_gap");
        assertNothingExecuted(t);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void unknownActionOfAKnownConnectorIsACapabilityGap() {
        Story.Tenant t = story.tenant("Gap Action", Story.Setup.ready());

        Http.Response r = expect(404, story.execute(t.runtimeKey(), "ads.delete_campaign", "gap-2",
                Map.of("campaign_id", "cmp_x")));

        assertThat(r.errorCode()).isEqualTo("capability_gap");
        assertThat(gaps(t.id())).singleElement().satisfies(g -> {
            assertThat(g.get("capability")).isEqualTo("mw.connector.ads");
            assertThat(g.get("action")).isEqualTo("ads.delete_campaign");
        });
        assertRefusalReceipted(t, "capability_gap");
        assertNothingExecuted(t);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void unknownProviderIsACapabilityGapNamingTheProvider() {
        Story.Tenant t = story.tenant("Gap Provider", Story.Setup.ready());

        Http.Response r = expect(404, story.execute(t.runtimeKey(), "snapads", "ads.create_campaign", "gap-3",
                Story.campaign("Snap boots", 1_000)));

        assertThat(r.errorCode()).isEqualTo("capability_gap");
        assertThat(gaps(t.id())).singleElement().satisfies(g -> {
            assertThat(g.get("capability")).isEqualTo("mw.connector.ads");
            assertThat(g.get("action")).isEqualTo("ads.create_campaign");
            assertThat(g.get("provider")).isEqualTo("snapads");
        });
        JsonNode listed = expect(200, http.get("/v1/capability-gaps", Story.OP)).at("/gaps");
        assertThat(listed).anySatisfy(g -> assertThat(g.get("provider").asString(null)).isEqualTo("snapads"));
        assertRefusalReceipted(t, "capability_gap");
        assertNothingExecuted(t);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void reservedRecordConversionAnswersActionReservedAndRecordsAGap() {
        Story.Tenant t = story.tenant("Reserved Action", Story.Setup.ready());

        Http.Response r = expect(501, story.execute(t.runtimeKey(), "ads.record_conversion", "conv-1",
                Map.of("event", "purchase", "value_minor", 1_999)));

        assertThat(r.errorCode()).isEqualTo("action_reserved");
        assertThat(gaps(t.id())).singleElement().satisfies(g -> {
            assertThat(g.get("action")).isEqualTo("ads.record_conversion");
            assertThat(g.get("provider")).isEqualTo("openaiads");
        });
        assertRefusalReceipted(t, "action_reserved");
        assertNothingExecuted(t);
        Ledger.assertConsistent(jdbc, t.id());
    }

    // ------------------------------------------------------------------ broker-owned scope

    @Test
    void scopeIdentifiersAtAnyDepthAreRefusedNamingEveryPathAndTheRefusalIsReceipted() {
        Story.Tenant t = story.tenant("Scope Guard", Story.Setup.ready());
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("name", "Scoped boots");
        input.put("budget", Map.of("amount_minor", 1_000, "currency", "USD", "period", "lifetime",
                "advertiser_id", "adv_123"));
        input.put("provider_account_id", "pa_other");
        input.put("ad_account_id", "act_999");
        input.put("targeting", Map.of("countries", List.of("US"), "Customer-Id", "123-456-7890"));
        input.put("extras", List.of(Map.of("ok", 1), Map.of("access_token", "tok-secret-should-never-echo")));
        input.put("matrix", List.of(List.of(Map.of("clientSecret", "cs-secret-should-never-echo"))));
        input.put("organization", Map.of("businessId", "biz_1"));
        input.put("credentials", Map.of("api_key", "sk-secret-should-never-echo"));

        Http.Response r = expect(400, story.execute(t.runtimeKey(), "ads.create_campaign", "scope-1", input));

        assertThat(r.errorCode()).isEqualTo("forbidden_scope_field");
        List<String> expected = List.of("$.input.budget.advertiser_id", "$.input.provider_account_id",
                "$.input.ad_account_id", "$.input.targeting.Customer-Id", "$.input.extras[1].access_token",
                "$.input.matrix[0][0].clientSecret", "$.input.organization", "$.input.organization.businessId",
                "$.input.credentials", "$.input.credentials.api_key");
        assertThat(strings(r.at("/error/details/paths"))).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(r.raw()).doesNotContain("should-never-echo");

        JsonNode refusal = assertRefusalReceipted(t, "forbidden_scope_field");
        assertThat(strings(refusal.get("paths"))).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(jdbc.sql("select count(*) from broker_receipts where tenant_id = :t and payload like '%should-never-echo%'")
                .param("t", t.id()).query(Long.class).single()).as("secret values in receipts").isZero();
        assertNothingExecuted(t);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void scopeFieldBesideTheInputAndInAReadActionIsRefusedToo() {
        Story.Tenant t = story.tenant("Scope Envelope", Story.Setup.ready());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("connector", "mw.connector.ads");
        body.put("action", "ads.fetch_report");
        body.put("idempotency_key", "scope-2");
        body.put("customer_id", "123");
        body.put("input", Map.of("since", "2026-11-01", "until", "2026-11-02", "granularity", "day",
                "login-customer-id", "456"));

        Http.Response r = expect(400, http.post("/v1/integration-broker/execute", t.runtimeKey(), body));

        assertThat(r.errorCode()).isEqualTo("forbidden_scope_field");
        assertThat(strings(r.at("/error/details/paths")))
                .containsExactlyInAnyOrder("$.customer_id", "$.input.login-customer-id");
        assertRefusalReceipted(t, "forbidden_scope_field");
        assertNothingExecuted(t);
        Ledger.assertConsistent(jdbc, t.id());
    }

    // ------------------------------------------------------------------ schema validation

    @Test
    void inputIsValidatedAgainstTheActionSchemaWithEveryPathNamed() {
        Story.Tenant t = story.tenant("Schema", Story.Setup.ready());
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("name", "ab");
        input.put("status", "running");
        input.put("budget", Map.of("amount_minor", -5, "currency", "usd", "period", "weekly"));

        Http.Response r = expect(400, story.execute(t.runtimeKey(), "ads.create_campaign", "schema-1", input));

        assertThat(r.errorCode()).isEqualTo("invalid_input");
        List<String> paths = paths(r);
        assertThat(paths).contains("$.input.name", "$.input.status", "$.input.budget.amount_minor",
                "$.input.budget.currency", "$.input.budget.period");
        assertThat(r.at("/error/details/errors")).allSatisfy(e -> assertThat(e.get("message").asString()).isNotBlank());
        JsonNode refusal = assertRefusalReceipted(t, "invalid_input");
        assertThat(strings(refusal.get("paths"))).containsAll(List.of("$.input.name", "$.input.budget.amount_minor"));
        assertNothingExecuted(t);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void missingFieldsUnknownFieldsAndImpossibleTimesAreInvalidInput() {
        Story.Tenant t = story.tenant("Schema Two", Story.Setup.ready());

        Http.Response missing = expect(400, story.execute(t.runtimeKey(), "ads.create_creative", "schema-2",
                Map.of("name", "Creative one", "headline", "Boots", "body", "Warm", "image_url", "http://img.test/a.png",
                        "colour", "red")));
        assertThat(missing.errorCode()).isEqualTo("invalid_input");
        assertThat(missing.at("/error/details/errors")).isNotEmpty();
        assertThat(paths(missing)).containsExactlyInAnyOrder("$.input.landing_url", "$.input.colour",
                "$.input.image_url");

        Http.Response nested = expect(400, story.execute(t.runtimeKey(), "ads.create_group", "schema-4", Map.of(
                "campaign_id", "cmp_anything", "name", "Group one",
                "targeting", Map.of("countries", List.of("US", "gb"), "age_min", 10))));
        assertThat(nested.errorCode()).isEqualTo("invalid_input");
        assertThat(paths(nested)).containsExactlyInAnyOrder("$.input.targeting.countries[1]", "$.input.targeting.age_min");

        // both in the future, the end a month before the start: refused for its order, not for being past
        Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS);
        Http.Response times = expect(400, story.execute(t.runtimeKey(), "ads.create_campaign", "schema-3", Map.of(
                "name", "Backwards", "budget", Map.of("amount_minor", 1_000, "currency", "USD", "period", "lifetime"),
                "start_time", today.plus(62, ChronoUnit.DAYS).toString(),
                "end_time", today.plus(31, ChronoUnit.DAYS).toString())));
        assertThat(times.errorCode()).isEqualTo("invalid_input");
        assertThat(paths(times)).contains("$.input.end_time");
        assertThat(times.at("/error/details/errors")).extracting(e -> e.get("message").asString())
                .containsExactly("must be after start_time");

        Http.Response envelope = expect(400, http.post("/v1/integration-broker/execute", t.runtimeKey(), Map.of(
                "connector", "mw.connector.ads", "action", "ads.fetch_report", "input", List.of(1), "extra", true)));
        assertThat(envelope.errorCode()).isEqualTo("invalid_input");
        assertThat(paths(envelope)).contains("$.idempotency_key", "$.input", "$.extra");

        assertThat(story.receiptPayloads(t, "execution.refused"))
                .extracting(p -> p.get("code").asString()).containsExactly("invalid_input", "invalid_input", "invalid_input", "invalid_input");
        assertNothingExecuted(t);
        Ledger.assertConsistent(jdbc, t.id());
    }

    // ------------------------------------------------------------------ readiness

    @Test
    void mutatingActionOfAnUnreadyTenantIsNotReadyNamingEveryFailedCheck() {
        Story.Tenant t = story.tenant("Unready", Story.Setup.ready().noConnection().verification("pending").noTerms()
                .noAuthorization());

        Http.Response r = expect(409, story.execute(t.runtimeKey(), "ads.create_campaign", "ready-1",
                Story.campaign("Too early", 1_000)));

        assertThat(r.errorCode()).isEqualTo("not_ready");
        assertThat(failedChecks(r)).containsExactlyInAnyOrder("connection_active", "advertiser_verified",
                "terms_accepted", "spend_authorization_active");
        JsonNode refusal = assertRefusalReceipted(t, "not_ready");
        assertThat(strings(refusal.get("failed_checks"))).containsExactlyInAnyOrder("connection_active",
                "advertiser_verified", "terms_accepted", "spend_authorization_active");
        assertNothingExecuted(t);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void anEmptyWalletIsNotReadyForSpendAsPreflightSaysButBlocksNothingElse() {
        Story.Tenant t = story.tenant("Empty wallet", Story.Setup.ready().wallet(0));

        JsonNode preflight = expect(200, http.get("/v1/integration-broker/preflight", t.runtimeKey())).json();
        assertThat(preflight.get("ready").asBoolean()).isFalse();
        Http.Response r = expect(409, story.execute(t.runtimeKey(), "ads.create_campaign", "wallet-1",
                Story.campaign("No money", 1_000)));

        // execute refuses by the list preflight shows: the same check, failing for the same reason
        assertThat(failedChecks(r)).containsExactly("wallet_funded");
        assertThat(preflight.get("checks").values().stream().filter(c -> !c.get("ok").asBoolean())
                .map(c -> c.get("name").asString()).toList()).containsExactly("wallet_funded");
        assertRefusalReceipted(t, "not_ready");
        // an action that cannot raise spend is not gated by the wallet
        expect(202, story.execute(t.runtimeKey(), "ads.create_creative", "wallet-2", creative()));
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void rejectedAdvertiserAloneIsNamedAsTheOnlyFailedCheck() {
        Story.Tenant t = story.tenant("Rejected Advertiser", Story.Setup.ready().verification("rejected"));

        Http.Response r = expect(409, story.execute(t.runtimeKey(), "ads.create_creative", "ready-2", creative()));

        assertThat(failedChecks(r)).containsExactly("advertiser_verified");
        assertThat(r.at("/error/details/failed_checks/0/detail").asString()).contains("rejected");
        assertNothingExecuted(t);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void spendInAnotherCurrencyThanTheAuthorizationIsUnsupported() {
        Story.Tenant t = story.tenant("Euro Authorization", Story.Setup.ready().authorizationCurrency("EUR"));

        Http.Response r = expect(400, story.execute(t.runtimeKey(), "ads.create_campaign", "ready-3",
                Story.campaign("Dollar boots", 1_000)));

        assertThat(r.at("/error/code").asString()).isEqualTo("unsupported_currency");
        assertThat(r.at("/error/message").asString()).contains("USD");
        assertNothingExecuted(t);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void suspendedOrRevokedConnectionIsNotReadyAndResumingMakesItReady() {
        Story.Tenant t = story.tenant("Suspended", Story.Setup.ready());
        String connection = "/v1/tenants/" + t.id() + "/connections/" + t.connectionId();
        expect(200, http.post(connection + "/suspend", Story.OP, null));

        Http.Response suspended = expect(409, story.execute(t.runtimeKey(), "ads.create_campaign", "ready-4",
                Story.campaign("Suspended boots", 1_000)));
        assertThat(failedChecks(suspended)).containsExactly("connection_active");
        assertThat(suspended.at("/error/details/failed_checks/0/detail").asString()).contains("suspended");
        Http.Response read = expect(409, story.execute(t.runtimeKey(), "ads.fetch_report", "ready-5", report()));
        assertThat(failedChecks(read)).containsExactly("connection_active");

        expect(200, http.post(connection + "/resume", Story.OP, null));
        Http.Response resumed = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "ready-4",
                Story.campaign("Suspended boots", 1_000)));
        assertThat(resumed.text("/status")).isEqualTo("awaiting_approval");

        expect(200, http.post(connection + "/revoke", Story.OP, null));
        Http.Response revoked = expect(409, story.execute(t.runtimeKey(), "ads.create_campaign", "ready-6",
                Story.campaign("Revoked boots", 1_000)));
        assertThat(failedChecks(revoked)).containsExactly("connection_active");

        // the execution accepted while the connection was active cannot run once it is revoked
        Http.Response approved = expect(200, http.post("/v1/approvals/" + resumed.text("/approval_id") + "/approve",
                t.approverKey(), null));
        assertThat(approved.text("/execution/status")).isEqualTo("failed");
        assertThat(approved.text("/execution/error/code")).isEqualTo("not_ready");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isZero();
        assertThat(jdbc.sql("select count(*) from spend_reservations where tenant_id = :t").param("t", t.id())
                .query(Long.class).single()).isZero();
        assertThat(story.receiptPayloads(t, "execution.refused")).extracting(p -> p.get("code").asString())
                .containsExactly("not_ready", "not_ready", "not_ready", "not_ready");
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void readActionNeedsOnlyAnActiveConnection() {
        Story.Tenant t = story.tenant("Reader", Story.Setup.ready().verification("pending").noTerms().noAuthorization());

        Http.Response r = expect(200, story.execute(t.runtimeKey(), "ads.fetch_report", "read-1", report()));

        assertThat(r.text("/status")).isEqualTo("succeeded");
        assertThat(r.at("/result/rows").isArray()).isTrue();
        Ledger.assertConsistent(jdbc, t.id());
    }

    // ------------------------------------------------------------------ helpers

    private static Map<String, Object> creative() {
        return Map.of("name", "Creative one", "headline", "Warm boots", "body", "For winter",
                "image_url", "https://img.example.test/boots.png", "landing_url", "https://shop.example.test/boots");
    }

    private static Map<String, Object> report() {
        return Map.of("since", "2026-11-01", "until", "2026-11-03", "granularity", "day");
    }

    private static List<Map<String, Object>> gaps(String tenantId) {
        return jdbc.sql("select capability, action, provider, source, reason from capability_gaps where tenant_id = :t")
                .param("t", tenantId).query().listOfRows();
    }

    /** The tenant's last refusal receipt, asserted to carry {@code code}. */
    private static JsonNode assertRefusalReceipted(Story.Tenant t, String code) {
        List<JsonNode> refusals = story.receiptPayloads(t, "execution.refused");
        assertThat(refusals).as("refusal receipts").isNotEmpty();
        JsonNode last = refusals.getLast();
        assertThat(last.get("code").asString()).isEqualTo(code);
        assertThat(last.get("execution_id").isNull()).isTrue();
        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
        return last;
    }

    private static void assertNothingExecuted(Story.Tenant t) {
        assertThat(jdbc.sql("select count(*) from executions where tenant_id = :t").param("t", t.id())
                .query(Long.class).single()).as("executions").isZero();
        assertThat(jdbc.sql("select count(*) from spend_reservations where tenant_id = :t").param("t", t.id())
                .query(Long.class).single()).as("reservations").isZero();
        assertThat(jdbc.sql("select count(*) from approval_grants where tenant_id = :t").param("t", t.id())
                .query(Long.class).single()).as("approvals").isZero();
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isZero();
    }

    private static List<String> failedChecks(Http.Response r) {
        List<String> names = new ArrayList<>();
        r.at("/error/details/failed_checks").forEach(c -> names.add(c.get("name").asString()));
        return names;
    }

    private static List<String> paths(Http.Response r) {
        List<String> paths = new ArrayList<>();
        r.at("/error/details/errors").forEach(e -> paths.add(e.get("path").asString()));
        return paths;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asString()));
        return out;
    }
}
