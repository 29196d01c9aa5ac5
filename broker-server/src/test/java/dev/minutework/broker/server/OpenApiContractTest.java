package dev.minutework.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import dev.minutework.broker.server.api.ApiErrorHandler;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.support.Broker;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.SoftAuthenticator;
import dev.minutework.broker.server.support.Story;
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
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ValueConstants;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code docs/openapi.yaml} against the running broker: the operations it documents are exactly the
 * ones served under {@code /v1}, their parameters and request bodies are the handlers' own, and
 * real responses of a real story (real HTTP, real PostgreSQL) have a status the document declares
 * for the operation and a body valid against the schema it declares for that status.
 */
class OpenApiContractTest {

    /** Maven runs tests with the module directory as working directory. */
    private static final Path DOCUMENT = Path.of("..", "docs", "openapi.yaml");
    /** Where the document is registered for {@code $ref} resolution; never fetched. */
    private static final String DOC_URI = "urn:minutework:broker:openapi";
    private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options",
            "trace");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^}]+)}");
    private static final String OP = Broker.OPERATOR_KEY;
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static JsonNode doc;
    static SchemaRegistry registry;
    static Broker broker;
    static Story story;

    private static final Map<String, Schema> SCHEMAS = new HashMap<>();

    /** Contract violations found by {@link Call#send}; the story test fails listing all of them. */
    private final List<String> problems = new ArrayList<>();
    /** Operation ("METHOD /template") → statuses it answered with, validated. */
    private final Map<String, Set<Integer>> exercised = new TreeMap<>();

    @BeforeAll
    static void start() throws IOException {
        assertThat(DOCUMENT).as("the OpenAPI document %s (working directory %s): write docs/openapi.yaml",
                DOCUMENT, Path.of("").toAbsolutePath()).isRegularFile();
        doc = YAMLMapper.builder().build().readTree(Files.readString(DOCUMENT));
        assertThat(doc.path("openapi").asString("")).as("openapi version of %s", DOCUMENT).startsWith("3.1");
        String json = Http.JSON.writeValueAsString(doc);
        registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, b -> b
                .schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build())
                .schemas(Map.of(DOC_URI, json)));
        broker = Broker.startFresh("openapi");
        story = new Story(broker.http());
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    // ================================================================== a. the set of operations

    @Test
    void servedV1OperationsAreExactlyTheDocumentedOnes() {
        Set<String> served = new TreeSet<>(served().keySet());
        Set<String> documented = new TreeSet<>(documented().keySet());
        documented.removeIf(op -> !op.split(" ", 2)[1].startsWith("/v1/"));

        Set<String> undocumented = new TreeSet<>(served);
        undocumented.removeAll(documented);
        Set<String> notServed = new TreeSet<>(documented);
        notServed.removeAll(served);

        assertThat(served).as("operations served under /v1").isNotEmpty();
        assertThat(undocumented.isEmpty() && notServed.isEmpty())
                .as("served under /v1 but missing from docs/openapi.yaml: %s%ndocumented in docs/openapi.yaml but not served: %s",
                        undocumented, notServed)
                .isTrue();
    }

    @Test
    void documentedParametersAndRequestBodiesAreTheHandlersOwn() {
        List<String> mismatches = new ArrayList<>();
        Map<String, HandlerMethod> served = served();
        Map<String, String> documented = documented();
        assertThat(documented).as("documented operations").isNotEmpty();
        for (Map.Entry<String, String> e : documented.entrySet()) {
            String op = e.getKey();
            String pointer = e.getValue();
            String template = op.split(" ", 2)[1];
            JsonNode operation = doc.at(pointer);
            if (operation.path("description").asString("").isBlank()) {
                mismatches.add(op + ": no description");
            }
            if (!operation.path("responses").isObject() || operation.path("responses").isEmpty()) {
                mismatches.add(op + ": no responses");
            }
            Map<String, Boolean> pathParams = parameters(pointer, "path");
            Set<String> placeholders = new TreeSet<>();
            Matcher m = PLACEHOLDER.matcher(template);
            while (m.find()) {
                placeholders.add(m.group(1));
            }
            if (!placeholders.equals(pathParams.keySet())) {
                mismatches.add(op + ": path parameters " + pathParams.keySet() + " but the template has " + placeholders);
            }
            pathParams.forEach((name, required) -> {
                if (!required) {
                    mismatches.add(op + ": path parameter " + name + " must be required");
                }
            });
            HandlerMethod handler = served.get(op);
            if (handler == null) {
                continue; // not served: reported by servedV1OperationsAreExactlyTheDocumentedOnes
            }
            Map<String, Boolean> query = parameters(pointer, "query");
            Map<String, Boolean> handlerQuery = new TreeMap<>();
            Boolean handlerBody = null;
            for (MethodParameter p : handler.getMethodParameters()) {
                RequestParam rp = p.getParameterAnnotation(RequestParam.class);
                if (rp != null) {
                    handlerQuery.put(rp.name().isEmpty() ? rp.value() : rp.name(),
                            rp.required() && ValueConstants.DEFAULT_NONE.equals(rp.defaultValue()));
                }
                RequestBody rb = p.getParameterAnnotation(RequestBody.class);
                if (rb != null) {
                    handlerBody = rb.required();
                }
            }
            if (!handlerQuery.equals(new TreeMap<>(query))) {
                mismatches.add(op + ": query parameters (name=required) " + new TreeMap<>(query) + " but the handler takes "
                        + handlerQuery);
            }
            String bodyPointer = deref(pointer + "/requestBody");
            JsonNode body = doc.at(bodyPointer);
            Boolean documentedBody = body.isMissingNode() ? null : body.path("required").asBoolean(false);
            if (!java.util.Objects.equals(handlerBody, documentedBody)) {
                mismatches.add(op + ": request body required=" + documentedBody + " but the handler's is required="
                        + handlerBody + " (null: no body)");
            }
            if (documentedBody != null && !body.path("content").has("application/json")) {
                mismatches.add(op + ": request body must be application/json");
            }
        }
        assertThat(mismatches).as("parameters and bodies of docs/openapi.yaml against the served handlers").isEmpty();
    }

    @Test
    void documentedErrorCodesAreExactlyTheServersOwn() {
        List<String> documented = doc.at("/components/schemas/ErrorCode/enum").values().stream()
                .map(JsonNode::asString).toList();
        List<String> served = Arrays.stream(ErrorCode.values())
                .map(ErrorCode::wire).toList();
        assertThat(documented).containsExactlyInAnyOrderElementsOf(served).doesNotHaveDuplicates();
        for (ErrorCode code : ErrorCode.values()) {
            String status = String.valueOf(ApiErrorHandler.status(code));
            assertThat(doc.at("/components/schemas/ErrorCode/description").asString())
                    .as("the ErrorCode description names %s", code.wire()).contains("`" + code.wire() + "`")
                    .contains(status);
        }
    }

    @Test
    void everySchemaTheDocumentDeclaresCompiles() {
        List<String> broken = new ArrayList<>();
        for (Map.Entry<String, String> e : documented().entrySet()) {
            JsonNode responses = doc.at(e.getValue() + "/responses");
            for (String status : responses.propertyNames()) {
                String rp = deref(e.getValue() + "/responses/" + esc(status));
                for (String media : doc.at(rp + "/content").propertyNames()) {
                    try {
                        schemaAt(rp + "/content/" + esc(media) + "/schema").validate(JsonNodeFactory.instance.objectNode());
                    } catch (RuntimeException ex) {
                        broken.add(e.getKey() + " " + status + " " + media + ": " + ex);
                    }
                }
            }
        }
        assertThat(broken).as("response schemas that do not resolve").isEmpty();
    }

    // ================================================================== b. real responses

    @Test
    void aRealStoryAnswersAsDocumented() {
        // ---------------------------------------------------------------- operator setup
        call("POST", "/v1/tenants").body(Map.of("name", "Contract Co")).send().expect(401, "unauthenticated");
        call("POST", "/v1/tenants").key("mwb_r_not_a_key").body(Map.of("name", "Contract Co")).send()
                .expect(401, "unauthenticated");
        call("POST", "/v1/tenants").key(OP).raw("text/plain", "name=Contract Co").send()
                .expect(415, "unsupported_media_type");
        call("POST", "/v1/tenants").key(OP).raw("application/json", "[1, 2]").send().expect(400, "invalid_input");
        call("POST", "/v1/tenants").key(OP).body(Map.of("name", "Contract Co", "colour", "red")).send()
                .expect(400, "invalid_input").documentRejectsRequest();
        Checked tenant = call("POST", "/v1/tenants").key(OP).body(Map.of("name", "Contract Co", "wallet_currency", "USD"))
                .send().expect(201);
        String t = tenant.text("/tenant_id");

        call("POST", "/v1/tenants/{tenantId}/api-keys").path("ten_missing").key(OP).body(Map.of("role", "runtime")).send()
                .expect(404, "not_found");
        call("POST", "/v1/tenants/{tenantId}/api-keys").path(t).key(OP).body(Map.of("role", "superuser")).send()
                .expect(400, "invalid_input").documentRejectsRequest();
        Checked runtimeKey = call("POST", "/v1/tenants/{tenantId}/api-keys").path(t).key(OP)
                .body(Map.of("role", "runtime", "label", "agent")).send().expect(201);
        String runtime = runtimeKey.text("/api_key");
        String approver = call("POST", "/v1/tenants/{tenantId}/api-keys").path(t).key(OP).body(Map.of("role", "approver"))
                .send().expect(201).text("/api_key");
        String viewer = call("POST", "/v1/tenants/{tenantId}/api-keys").path(t).key(OP).body(Map.of("role", "viewer"))
                .send().expect(201).text("/api_key");
        call("POST", "/v1/tenants").key(runtime).body(Map.of("name", "Sneaky")).send().expect(403, "forbidden_role");

        call("POST", "/v1/provider-accounts").key(OP).body(Map.of("provider", "openaiads", "label", "missing key",
                "scope", Map.of("ad_account_id", "act_1"), "credentials", Map.of("token", "x"))).send()
                .expect(400, "invalid_input").documentRejectsRequest();
        String account = call("POST", "/v1/provider-accounts").key(OP).body(Map.of("provider", "openaiads",
                "label", "Contract Co OpenAI", "scope", Map.of("ad_account_id", "act_contract"),
                "credentials", Map.of("api_key", "sk-contract-test-not-a-real-key"))).send().expect(201)
                .text("/provider_account_id");
        String googleAccount = call("POST", "/v1/provider-accounts").key(OP).body(Map.of("provider", "googleads",
                "label", "Contract Co Google", "scope", Map.of("customer_id", "123-456-7890"),
                "credentials", Map.of("client_id", "cid", "client_secret", "cs", "refresh_token", "rt",
                        "developer_token", "dt"), "base_url", "https://ads.sandbox.test/v1")).send().expect(201)
                .text("/provider_account_id");
        assertThat(call("GET", "/v1/provider-accounts").key(OP).send().expect(200).at("/provider_accounts"))
                .extracting(a -> a.get("provider_account_id").asString()).contains(account, googleAccount);
        call("GET", "/v1/provider-accounts").key(viewer).send().expect(403, "forbidden_role");
        call("GET", "/v1/provider-accounts/{id}").path(account).key(OP).send().expect(200);
        call("GET", "/v1/provider-accounts/{id}").path("pac_missing").key(OP).send().expect(404, "not_found");

        call("GET", "/v1/tenants/{tenantId}/advertiser-profile").path(t).key(OP).send().expect(404, "not_found");
        call("PUT", "/v1/tenants/{tenantId}/advertiser-profile").path(t).key(OP)
                .body(Map.of("legal_name", "Contract Co Ltd", "verification_status", "verified", "terms_version", "2026-10"))
                .send().expect(400, "invalid_input").documentRejectsRequest();
        call("PUT", "/v1/tenants/{tenantId}/advertiser-profile").path(t).key(OP).body(Map.of("legal_name",
                "Contract Co Ltd", "verification_status", "verified", "terms_version", "2026-10",
                "terms_accepted_at", "2026-11-01T10:00:00Z", "terms_accepted_by", "owner@contract.test")).send().expect(200);
        call("GET", "/v1/tenants/{tenantId}/advertiser-profile").path(t).key(OP).send().expect(200);

        String connection = call("POST", "/v1/tenants/{tenantId}/connections").path(t).key(OP)
                .body(Map.of("provider_account_id", account)).send().expect(201).text("/connection_id");
        call("POST", "/v1/tenants/{tenantId}/connections").path(t).key(OP).body(Map.of("provider_account_id", account))
                .send().expect(409, "conflict");
        call("POST", "/v1/tenants/{tenantId}/connections").path(t).key(OP).body(Map.of("provider_account_id", "pac_missing"))
                .send().expect(404, "not_found");
        assertThat(call("POST", "/v1/tenants/{tenantId}/connections/{id}/suspend").path(t, connection).key(OP).send()
                .expect(200).text("/status")).isEqualTo("suspended");
        call("POST", "/v1/tenants/{tenantId}/connections/{id}/suspend").path(t, connection).key(OP).send()
                .expect(409, "conflict");
        assertThat(call("POST", "/v1/tenants/{tenantId}/connections/{id}/resume").path(t, connection).key(OP).send()
                .expect(200).text("/status")).isEqualTo("active");
        String googleConnection = call("POST", "/v1/tenants/{tenantId}/connections").path(t).key(OP)
                .body(Map.of("provider_account_id", googleAccount)).send().expect(201).text("/connection_id");
        assertThat(call("POST", "/v1/tenants/{tenantId}/connections/{id}/revoke").path(t, googleConnection).key(OP).send()
                .expect(200).text("/status")).isEqualTo("revoked");
        call("POST", "/v1/tenants/{tenantId}/connections/{id}/revoke").path(t, googleConnection).key(OP).send()
                .expect(409, "conflict");
        call("POST", "/v1/tenants/{tenantId}/connections/{id}/resume").path(t, "con_missing").key(OP).send()
                .expect(404, "not_found");
        assertThat(call("GET", "/v1/tenants/{tenantId}/connections").path(t).key(OP).send().expect(200).at("/connections"))
                .hasSize(2);

        String validUntil = Instant.now().plus(180, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        call("POST", "/v1/tenants/{tenantId}/spend-authorizations").path(t).key(OP).body(Map.of("currency", "usd",
                "cap_minor", 0, "approved_by", "cfo@contract.test")).send().expect(400, "invalid_input")
                .documentRejectsRequest();
        call("POST", "/v1/tenants/{tenantId}/spend-authorizations").path(t).key(OP).body(Map.of("provider", "openaiads",
                "currency", "USD", "cap_minor", 100_000, "daily_cap_minor", 20_000, "valid_until", validUntil,
                "approved_by", "cfo@contract.test")).send().expect(201);
        String googleAuthorization = call("POST", "/v1/tenants/{tenantId}/spend-authorizations").path(t).key(OP)
                .body(Map.of("provider", "googleads", "currency", "USD", "cap_minor", 5_000, "approved_by",
                        "cfo@contract.test")).send().expect(201).text("/authorization_id");
        assertThat(call("POST", "/v1/tenants/{tenantId}/spend-authorizations/{id}/revoke").path(t, googleAuthorization)
                .key(OP).send().expect(200).text("/status")).isEqualTo("revoked");
        call("POST", "/v1/tenants/{tenantId}/spend-authorizations/{id}/revoke").path(t, googleAuthorization).key(OP).send()
                .expect(409, "conflict");
        call("POST", "/v1/tenants/{tenantId}/spend-authorizations/{id}/revoke").path(t, "sau_missing").key(OP).send()
                .expect(404, "not_found");
        assertThat(call("GET", "/v1/tenants/{tenantId}/spend-authorizations").path(t).key(OP).send().expect(200)
                .at("/spend_authorizations")).hasSize(2);

        assertThat(call("POST", "/v1/tenants/{tenantId}/wallet/credits").path(t).key(OP)
                .body(Map.of("amount_minor", 80_000, "reference", "credit-1")).send().expect(201).at("/replayed").asBoolean())
                .isFalse();
        assertThat(call("POST", "/v1/tenants/{tenantId}/wallet/credits").path(t).key(OP)
                .body(Map.of("amount_minor", 80_000, "reference", "credit-1")).send().expect(200).at("/replayed").asBoolean())
                .isTrue();
        call("POST", "/v1/tenants/{tenantId}/wallet/credits").path(t).key(OP)
                .body(Map.of("amount_minor", 1, "reference", "credit-1")).send().expect(409, "conflict");
        call("POST", "/v1/tenants/{tenantId}/wallet/credits").path(t).key(OP)
                .body(Map.of("amount_minor", -5, "reference", "credit-2")).send().expect(400, "invalid_input")
                .documentRejectsRequest();

        // ---------------------------------------------------------------- readiness
        Checked preflight = call("GET", "/v1/integration-broker/preflight").query("provider=openaiads").key(viewer).send()
                .expect(200);
        assertThat(preflight.at("/ready").asBoolean()).as("preflight %s", preflight.raw()).isTrue();
        call("GET", "/v1/integration-broker/preflight").key(runtime).send().expect(200);
        call("GET", "/v1/integration-broker/preflight").query("provider=bingads").key(viewer).send()
                .expect(404, "capability_gap");
        call("GET", "/v1/integration-broker/preflight").key(OP).send().expect(403, "forbidden_role");

        // ---------------------------------------------------------------- execute → 202 → approve
        Map<String, Object> campaign = Map.of("name", "Winter boots", "objective", "sales", "status", "active",
                "budget", Map.of("amount_minor", 50_000, "currency", "USD", "period", "lifetime"));
        Checked asked = execute(runtime, "ads.create_campaign", "launch-1", campaign).expect(202);
        assertThat(asked.text("/status")).isEqualTo("awaiting_approval");
        assertThat(asked.header("Idempotent-Replayed")).isEqualTo("false");
        assertThat(asked.header("Server-Timing")).as("no provider call before approval")
                .matches("broker;dur=[0-9.]+, provider;dur=0\\.00");
        String approvalId = asked.text("/approval_id");
        String executionId = asked.text("/execution_id");
        Checked replayed = execute(runtime, "ads.create_campaign", "launch-1", campaign).expect(202);
        assertThat(replayed.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(replayed.text("/execution_id")).isEqualTo(executionId);
        execute(runtime, "ads.create_campaign", "launch-1", Map.of("name", "Summer boots",
                "budget", Map.of("amount_minor", 50_000, "currency", "USD", "period", "lifetime")))
                .expect(422, "idempotency_conflict");
        execute(viewer, "ads.create_campaign", "launch-2", campaign).expect(403, "forbidden_role");
        execute(runtime, "ads.create_campaign", "launch-3", Map.of("name", "Scoped", "ad_account_id", "act_other",
                "budget", Map.of("amount_minor", 100, "currency", "USD", "period", "lifetime")))
                .expect(400, "forbidden_scope_field").documentRejectsRequest();
        execute(runtime, "ads.create_campaign", "launch-4", Map.of("name", "No", "budget",
                Map.of("amount_minor", 100, "currency", "USD", "period", "weekly")))
                .expect(400, "invalid_input").documentRejectsRequest();
        execute(runtime, "ads.create_campaign", "launch-5", Map.of("name", "Far too big", "status", "active",
                "budget", Map.of("amount_minor", 10_000_000, "currency", "USD", "period", "lifetime")))
                .expect(402, "budget_exceeded");
        execute(runtime, "ads.create_audience", "aud-1", Map.of("name", "Lookalikes")).expect(404, "capability_gap");
        execute(runtime, "ads.record_conversion", "conv-1", Map.of("event", "purchase")).expect(501, "action_reserved");
        execute(runtime, "ads.update_campaign", "upd-0", Map.of("campaign_id", "cmp_missing", "name", "Renamed"))
                .expect(404, "not_found");

        assertThat(call("GET", "/v1/approvals").key(approver).send().expect(200).at("/approvals"))
                .extracting(a -> a.get("approval_id").asString()).contains(approvalId);
        call("GET", "/v1/approvals").query("status=pending").key(viewer).send().expect(200);
        call("GET", "/v1/approvals").query("status=maybe").key(viewer).send().expect(400, "invalid_input");
        call("GET", "/v1/approvals/{id}").path(approvalId).key(viewer).send().expect(200);
        call("GET", "/v1/approvals/{id}").path("apr_missing").key(viewer).send().expect(404, "not_found");
        call("POST", "/v1/approvals/{id}/approve").path(approvalId).key(runtime).send().expect(403, "forbidden_role");
        call("POST", "/v1/approvals/{id}/approve").path("apr_missing").key(approver).send().expect(404, "not_found");
        Checked approved = call("POST", "/v1/approvals/{id}/approve").path(approvalId).key(approver).send().expect(200);
        assertThat(approved.text("/decision")).isEqualTo("approved");
        assertThat(approved.text("/execution/status")).as("approved execution %s", approved.raw()).isEqualTo("succeeded");
        call("POST", "/v1/approvals/{id}/approve").path(approvalId).key(approver).send().expect(409, "approval_not_pending");

        Checked execution = call("GET", "/v1/executions/{id}").path(executionId).key(viewer).send().expect(200);
        assertThat(execution.text("/status")).isEqualTo("succeeded");
        String campaignId = execution.text("/result/object_id");
        call("GET", "/v1/executions/{id}").path("exe_missing").key(viewer).send().expect(404, "not_found");
        call("GET", "/v1/executions/{id}").path(executionId).key(OP).send().expect(403, "forbidden_role");
        assertThat(call("GET", "/v1/ads/campaigns").key(viewer).send().expect(200).at("/campaigns"))
                .extracting(c -> c.get("campaign_id").asString()).containsExactly(campaignId);
        Checked wallet = call("GET", "/v1/wallet").key(viewer).send().expect(200);
        assertThat(wallet.at("/reserved_minor").asLong()).isEqualTo(50_000);
        call("GET", "/v1/wallet").key(OP).send().expect(403, "forbidden_role");

        // ---------------------------------------------------------------- standing grant → 200 at once
        String runtimeKeyId = runtimeKey.text("/key_id");
        String expires = Instant.now().plus(7, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        call("POST", "/v1/approvals/standing-grants").key(approver).body(Map.of("actions", List.of("ads.fetch_report"),
                "provider", "openaiads", "spend_ceiling", Map.of("amount_minor", 1_000, "currency", "USD"),
                "expires_at", expires)).send().expect(400, "invalid_input").documentRejectsRequest();
        call("POST", "/v1/approvals/standing-grants").key(runtime).body(Map.of("actions", List.of("ads.create_group"),
                "provider", "openaiads", "spend_ceiling", Map.of("amount_minor", 1_000, "currency", "USD"),
                "expires_at", expires)).send().expect(403, "forbidden_role");
        Checked grant = call("POST", "/v1/approvals/standing-grants").key(approver).body(Map.of("connector",
                "mw.connector.ads", "actions", List.of("ads.create_group", "ads.create_creative", "ads.create_ad"),
                "provider", "openaiads", "spend_ceiling", Map.of("amount_minor", 1_000, "currency", "USD"),
                "expires_at", expires, "limited_to_key_id", runtimeKeyId)).send().expect(201);
        String grantId = grant.text("/approval_id");
        call("GET", "/v1/approvals/{id}").path(grantId).key(approver).send().expect(200);

        Checked group = execute(runtime, "ads.create_group", "group-1", Map.of("campaign_id", campaignId,
                "name", "Cold places", "bid", Map.of("amount_minor", 150, "currency", "USD"),
                "targeting", Map.of("countries", List.of("NO", "FI"), "age_min", 18, "age_max", 45))).expect(200);
        assertThat(group.text("/status")).as("group execution %s", group.raw()).isEqualTo("succeeded");
        assertThat(group.text("/grant_id")).isEqualTo(grantId);
        assertThat(group.header("Idempotent-Replayed")).isEqualTo("false");
        Checked creative = execute(runtime, "ads.create_creative", "creative-1", Map.of("name", "Boot shot",
                "headline", "Warm feet", "body", "Boots for the deep winter.", "image_url",
                "https://cdn.contract.test/boot.png", "landing_url", "https://shop.contract.test/boots",
                "call_to_action", "shop_now")).expect(200);
        Checked ad = execute(runtime, "ads.create_ad", "ad-1", Map.of("group_id", group.text("/result/object_id"),
                "creative_id", creative.text("/result/object_id"), "name", "Boot ad")).expect(200);
        assertThat(ad.text("/status")).as("ad execution %s", ad.raw()).isEqualTo("succeeded");
        assertThat(call("GET", "/v1/ads/objects").key(viewer).send().expect(200).at("/objects")).hasSize(3);
        assertThat(call("GET", "/v1/ads/objects").query("kind=group&campaign_id=" + campaignId).key(runtime).send()
                .expect(200).at("/objects")).hasSize(1);
        call("GET", "/v1/ads/objects").query("kind=audience").key(viewer).send().expect(400, "invalid_input");

        String today = LocalDate.now(ZoneOffset.UTC).toString();
        String since = LocalDate.now(ZoneOffset.UTC).minusDays(2).toString();
        Checked report = execute(runtime, "ads.fetch_report", "report-1", Map.of("since", since, "until", today,
                "granularity", "day")).expect(200);
        assertThat(report.at("/result/rows")).as("report %s", report.raw()).hasSize(3);
        assertThat(Double.parseDouble(report.header("Server-Timing").replaceAll(".*provider;dur=", "")))
                .as("the report's provider call is timed apart: %s", report.header("Server-Timing")).isPositive();
        execute(runtime, "ads.fetch_report", "report-2", Map.of("campaign_id", campaignId, "since", since, "until", today,
                "granularity", "total")).expect(200);

        // ---------------------------------------------------------------- deny, revoke
        Checked rename = execute(runtime, "ads.update_campaign", "rename-1", Map.of("campaign_id", campaignId,
                "name", "Winter boots II")).expect(202);
        String renameApproval = rename.text("/approval_id");
        call("POST", "/v1/approvals/{id}/deny").path(renameApproval).key(approver).body(Map.of("why", "no"))
                .send().expect(400, "invalid_input").documentRejectsRequest();
        Checked denied = call("POST", "/v1/approvals/{id}/deny").path(renameApproval).key(approver)
                .body(Map.of("reason", "keep the name")).send().expect(200);
        assertThat(denied.text("/execution/status")).isEqualTo("denied");
        call("POST", "/v1/approvals/{id}/deny").path(renameApproval).key(approver).send()
                .expect(409, "approval_not_pending");
        call("POST", "/v1/approvals/{id}/deny").path(renameApproval).key(viewer).send().expect(403, "forbidden_role");
        assertThat(call("POST", "/v1/approvals/standing-grants/{id}/revoke").path(grantId).key(approver).send()
                .expect(200).text("/status")).isEqualTo("revoked");
        call("POST", "/v1/approvals/standing-grants/{id}/revoke").path(grantId).key(approver).send()
                .expect(409, "conflict");
        call("POST", "/v1/approvals/standing-grants/{id}/revoke").path(approvalId).key(approver).send()
                .expect(404, "not_found");
        call("GET", "/v1/approvals").query("status=used").key(viewer).send().expect(200);

        // ---------------------------------------------------------------- wallet debits
        Checked debit = call("POST", "/v1/wallet/debits").key(runtime)
                .body(Map.of("amount_minor", 1_000, "reference", "meter-1", "description", "agent minutes")).send()
                .expect(201);
        assertThat(debit.at("/wallet/balance_minor").asLong()).isEqualTo(79_000);
        call("POST", "/v1/wallet/debits").key(runtime).body(Map.of("amount_minor", 1_000, "reference", "meter-1")).send()
                .expect(200);
        call("POST", "/v1/wallet/debits").key(runtime).body(Map.of("amount_minor", 2_000, "reference", "meter-1")).send()
                .expect(409, "conflict");
        call("POST", "/v1/wallet/debits").key(runtime).body(Map.of("amount_minor", 1_000_000, "reference", "meter-2"))
                .send().expect(402, "insufficient_credits");
        call("POST", "/v1/wallet/debits").key(viewer).body(Map.of("amount_minor", 1, "reference", "meter-3")).send()
                .expect(403, "forbidden_role");
        call("POST", "/v1/wallet/debits").key(runtime).body(Map.of("amount_minor", "ten", "reference", "meter-4")).send()
                .expect(400, "invalid_input").documentRejectsRequest();

        // ---------------------------------------------------------------- a tenant that is not ready
        Story.Tenant unready = story.tenant("Unready Co", Story.Setup.ready().noConnection());
        Checked notReady = execute(unready.runtimeKey(), "ads.create_campaign", "launch-1", campaign)
                .expect(409, "not_ready");
        assertThat(notReady.at("/error/details/failed_checks")).extracting(c -> c.get("name").asString())
                .contains("connection_active");
        assertThat(call("GET", "/v1/integration-broker/preflight").key(unready.viewerKey()).send().expect(200)
                .at("/ready").asBoolean()).isFalse();
        call("GET", "/v1/tenants/{tenantId}/connections").path(unready.id()).key(OP).send().expect(200);

        // ---------------------------------------------------------------- runtime: agents, run-action, inventory, gaps
        Checked agent = call("POST", "/v1/tenants/{tenantId}/agents").path(t).key(OP).body(Map.of("name", "planner",
                "capabilities", List.of("mw.connector.ads"), "mode", "mutating")).send().expect(201);
        String agentKey = agent.text("/api_key");
        Checked reader = call("POST", "/v1/tenants/{tenantId}/agents").path(t).key(OP).body(Map.of("name", "reader",
                "capabilities", List.of("mw.connector.ads:ads.fetch_report"), "mode", "read_only")).send().expect(201);
        call("POST", "/v1/tenants/{tenantId}/agents").path(t).key(OP).body(Map.of("name", "planner",
                "capabilities", List.of("mw.connector.ads"), "mode", "mutating")).send().expect(409, "conflict");
        call("POST", "/v1/tenants/{tenantId}/agents").path(t).key(OP).body(Map.of("name", "odd",
                "capabilities", List.of("mw.connector.ads"), "mode", "sometimes")).send().expect(400, "invalid_input")
                .documentRejectsRequest();
        call("POST", "/v1/tenants/{tenantId}/agents").path(t).key(runtime).body(Map.of("name", "x",
                "capabilities", List.of("mw.connector.ads"), "mode", "read_only")).send().expect(403, "forbidden_role");
        call("POST", "/v1/tenants/{tenantId}/agents").path("ten_missing").key(OP).body(Map.of("name", "x",
                "capabilities", List.of("mw.connector.ads"), "mode", "read_only")).send().expect(404, "not_found");
        assertThat(call("GET", "/v1/tenants/{tenantId}/agents").path(t).key(OP).send().expect(200).at("/agents"))
                .hasSize(2);
        call("GET", "/v1/tenants/{tenantId}/agents").path(t).key(viewer).send().expect(403, "forbidden_role");
        call("GET", "/v1/tenants/{tenantId}/agents").path("ten_missing").key(OP).send().expect(404, "not_found");

        Map<String, Object> run = new LinkedHashMap<>();
        run.put("capability", "mw.connector.ads");
        run.put("action", "ads.fetch_report");
        run.put("input", Map.of("since", since, "until", today, "granularity", "total"));
        Checked ran = call("POST", "/v1/runtime/workflow/run-action").key(agentKey).body(run).send().expect(200);
        assertThat(ran.text("/idempotency_key")).startsWith("rt-");
        Map<String, Object> launch = new LinkedHashMap<>();
        launch.put("capability", "mw.connector.ads");
        launch.put("action", "ads.create_campaign");
        launch.put("provider", "openaiads");
        launch.put("idempotency_key", "agent-launch-1");
        launch.put("input", Map.of("name", "Agent boots", "budget", Map.of("amount_minor", 1_000, "currency", "USD",
                "period", "lifetime")));
        call("POST", "/v1/runtime/workflow/run-action").key(agentKey).body(launch).send().expect(202);
        call("POST", "/v1/runtime/workflow/run-action").key(reader.text("/api_key")).body(launch).send()
                .expect(403, "forbidden_role");
        call("POST", "/v1/runtime/workflow/run-action").key(runtime).body(Map.of("capability", "mw.connector.ads",
                "action", "ads.create_campaign", "idempotency_key", "agent-launch-1", "input", Map.of("name", "Other",
                        "budget", Map.of("amount_minor", 1_000, "currency", "USD", "period", "lifetime"))))
                .send().expect(422, "idempotency_conflict");
        call("POST", "/v1/runtime/workflow/run-action").key(runtime).body(Map.of("capability", "mw.connector.ads",
                "action", "ads.create_campaign", "input", Map.of("name", "No budget"))).send().expect(400, "invalid_input");
        call("POST", "/v1/runtime/workflow/run-action").key(runtime).body(Map.of("capability", "mw.connector.crm",
                "action", "crm.create_lead", "input", Map.of())).send().expect(404, "capability_gap");
        call("POST", "/v1/runtime/workflow/run-action").key(runtime).body(Map.of("capability", "mw.connector.ads",
                "action", "ads.record_conversion", "input", Map.of("event", "purchase"))).send()
                .expect(501, "action_reserved");
        call("POST", "/v1/runtime/workflow/run-action").key(viewer).body(run).send().expect(403, "forbidden_role");

        Checked inventory = call("GET", "/v1/runtime/capabilities").key(viewer).send().expect(200);
        assertThat(inventory.at("/capabilities/0/providers")).extracting(p -> p.get("readiness").asString())
                .contains("live", "not_ready");
        call("GET", "/v1/runtime/capabilities").key(agentKey).send().expect(200);
        call("GET", "/v1/runtime/capabilities").key(OP).send().expect(403, "forbidden_role");

        Checked gap = call("POST", "/v1/runtime/capability-gaps").key(agentKey).body(Map.of("capability",
                "mw.connector.crm", "action", "crm.create_lead", "reason", "leads from the ads funnel")).send().expect(201);
        assertThat(gap.text("/source")).isEqualTo("reported");
        call("POST", "/v1/runtime/capability-gaps").key(runtime).body(Map.of("reason", "no capability")).send()
                .expect(400, "invalid_input").documentRejectsRequest();
        call("POST", "/v1/runtime/capability-gaps").key(viewer).body(Map.of("capability", "mw.connector.crm",
                "reason", "x")).send().expect(403, "forbidden_role");
        assertThat(call("GET", "/v1/runtime/capability-gaps").key(viewer).send().expect(200).at("/gaps"))
                .extracting(g -> g.get("gap_id").asString()).contains(gap.text("/gap_id"));
        call("GET", "/v1/runtime/capability-gaps").key(OP).send().expect(403, "forbidden_role");
        assertThat(call("GET", "/v1/runtime/identity").key(agentKey).send().expect(200).text("/agent/agent_id"))
                .isEqualTo(agent.text("/agent_id"));
        assertThat(call("GET", "/v1/runtime/identity").key(viewer).send().expect(200).at("/agent").isNull()).isTrue();
        call("GET", "/v1/runtime/identity").key(OP).send().expect(403, "forbidden_role");
        call("GET", "/v1/runtime/identity").key("mwb_r_unknown").send().expect(401, "unauthenticated");

        // ---------------------------------------------------------------- receipts and gaps
        Checked page = call("GET", "/v1/receipts").query("limit=3").key(viewer).send().expect(200);
        assertThat(page.at("/next_after_seq").asLong()).isEqualTo(3);
        Checked rest = call("GET", "/v1/receipts").query("after_seq=3&limit=1000").key(runtime).send().expect(200);
        assertThat(rest.at("/next_after_seq").isNull()).isTrue();
        call("GET", "/v1/receipts").query("limit=0").key(viewer).send().expect(400, "invalid_input");
        call("GET", "/v1/receipts").query("after_seq=yesterday").key(viewer).send().expect(400, "invalid_input");
        Checked verify = call("GET", "/v1/receipts/verify").key(approver).send().expect(200);
        assertThat(verify.at("/valid").asBoolean()).isTrue();
        assertThat(verify.at("/count").asLong()).isEqualTo(3 + rest.at("/receipts").size());
        call("GET", "/v1/receipts/verify").send().expect(401, "unauthenticated");

        assertThat(call("GET", "/v1/capability-gaps").key(OP).send().expect(200).at("/gaps"))
                .extracting(g -> g.get("action").asString(null)).contains("ads.create_audience", "ads.record_conversion");
        call("GET", "/v1/capability-gaps").key(approver).send().expect(403, "forbidden_role");

        // ---------------------------------------------------------------- provider webhooks (no key)
        String hookSecret = "contract-meta-app-secret";
        String hookAccount = call("POST", "/v1/provider-accounts").key(OP).body(Map.of("provider", "metaads",
                "label", "Contract hooks", "scope", Map.of("ad_account_id", "act_4242"),
                "credentials", Map.of("access_token", "contract-meta-token", "app_secret", hookSecret,
                        "webhook_verify_token", "contract-verify-token")))
                .send().expect(201).text("/provider_account_id");
        String hookBody = "{\"object\":\"ad_account\",\"entry\":[]}";
        call("POST", "/v1/webhooks/{provider}/{providerAccountId}").path("metaads", hookAccount)
                .header("X-Hub-Signature-256", "sha256=" + hmacHex(hookSecret, hookBody))
                .raw("application/json", hookBody).send().expect(200);
        call("POST", "/v1/webhooks/{provider}/{providerAccountId}").path("metaads", hookAccount)
                .raw("application/json", hookBody).send().expect(401, "unauthenticated");
        call("POST", "/v1/webhooks/{provider}/{providerAccountId}").path("openaiads", hookAccount)
                .raw("application/json", hookBody).send().expect(404, "capability_gap");
        call("GET", "/v1/webhooks/{provider}/{providerAccountId}").path("metaads", hookAccount)
                .query("hub.mode=subscribe&hub.verify_token=contract-verify-token&hub.challenge=424242").send()
                .expect(200);
        call("GET", "/v1/webhooks/{provider}/{providerAccountId}").path("metaads", hookAccount)
                .query("hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=424242").send()
                .expect(401, "unauthenticated");
        call("GET", "/v1/webhooks/{provider}/{providerAccountId}").path("metaads", "pac_missing")
                .query("hub.mode=subscribe").send().expect(404, "not_found");

        call("GET", "/actuator/health").send().expect(200);

        // ---------------------------------------------------------------- kill switch (a tenant of its own)
        String k = call("POST", "/v1/tenants").key(OP).body(Map.of("name", "Kill Co")).send().expect(201)
                .text("/tenant_id");
        String kRuntime = call("POST", "/v1/tenants/{tenantId}/api-keys").path(k).key(OP)
                .body(Map.of("role", "runtime")).send().expect(201).text("/api_key");
        String kApprover = call("POST", "/v1/tenants/{tenantId}/api-keys").path(k).key(OP)
                .body(Map.of("role", "approver")).send().expect(201).text("/api_key");
        String kAccount = call("POST", "/v1/provider-accounts").key(OP).body(Map.of("provider", "openaiads",
                "label", "Kill Co OpenAI", "scope", Map.of("ad_account_id", "act_kill"),
                "credentials", Map.of("api_key", "sk-kill-test-not-a-real-key"))).send().expect(201)
                .text("/provider_account_id");
        call("POST", "/v1/tenants/{tenantId}/connections").path(k).key(OP).body(Map.of("provider_account_id", kAccount))
                .send().expect(201);
        assertThat(call("GET", "/v1/kill-switch").key(kRuntime).send().expect(200).at("/engaged").asBoolean()).isFalse();
        call("POST", "/v1/kill-switch").key(kRuntime).body(Map.of("reason", "x")).send().expect(403, "forbidden_role");
        call("POST", "/v1/kill-switch").key(kApprover).body(Map.of("why", "x")).send().expect(400, "invalid_input")
                .documentRejectsRequest();
        call("POST", "/v1/kill-switch").key(kApprover).body(Map.of("reason", "runaway agent")).send().expect(201);
        call("POST", "/v1/kill-switch").key(kApprover).body(Map.of("reason", "again")).send().expect(200);
        call("POST", "/v1/integration-broker/execute").key(kRuntime).body(Map.of("connector", "mw.connector.ads",
                "action", "ads.create_campaign", "idempotency_key", "kill-1", "input", Map.of("name", "Stopped",
                        "budget", Map.of("amount_minor", 1_000, "currency", "USD", "period", "lifetime")))).send()
                .expect(409, "kill_switch_engaged");
        call("GET", "/v1/tenants/{tenantId}/kill-switch").path(k).key(OP).send().expect(200);
        call("GET", "/v1/tenants/{tenantId}/kill-switch").path("ten_missing").key(OP).send().expect(404, "not_found");
        call("POST", "/v1/tenants/{tenantId}/kill-switch").path(k).key(OP).body(Map.of("reason", "operator too"))
                .send().expect(200);
        call("POST", "/v1/tenants/{tenantId}/kill-switch").path("ten_missing").key(OP).body(Map.of("reason", "x"))
                .send().expect(404, "not_found");
        call("POST", "/v1/kill-switch/release").key(kRuntime).send().expect(403, "forbidden_role");
        assertThat(call("POST", "/v1/kill-switch/release").key(kApprover).body(Map.of("reason", "fixed")).send()
                .expect(200).text("/released/status")).isEqualTo("released");
        call("POST", "/v1/kill-switch/release").key(kApprover).send().expect(409, "conflict");
        String pausedKill = call("POST", "/v1/tenants/{tenantId}/kill-switch").path(k).key(OP)
                .body(Map.of("reason", "operator stop")).send().expect(201).text("/kill_switches/0/kill_switch_id");
        assertThat(pausedKill).startsWith("ksw_");
        call("POST", "/v1/provider-accounts/{id}/kill-switch").path(kAccount).key(OP)
                .body(Map.of("reason", "account compromised")).send().expect(201);
        call("POST", "/v1/provider-accounts/{id}/kill-switch").path(kAccount).key(OP).body(Map.of("reason", "again"))
                .send().expect(200);
        call("POST", "/v1/provider-accounts/{id}/kill-switch").path("pac_missing").key(OP).body(Map.of("reason", "x"))
                .send().expect(404, "not_found");
        call("POST", "/v1/provider-accounts/{id}/kill-switch/release").path(kAccount).key(kApprover).send()
                .expect(403, "forbidden_role");
        call("POST", "/v1/provider-accounts/{id}/kill-switch/release").path(kAccount).key(OP)
                .body(Map.of("reason", "rotated")).send().expect(200);
        call("POST", "/v1/provider-accounts/{id}/kill-switch/release").path(kAccount).key(OP).send()
                .expect(409, "conflict");

        // ---------------------------------------------------------------- passkey-signed approvals (a tenant of its own)
        Story.Tenant pk = story.tenant("Passkey Co", Story.Setup.ready());
        SoftAuthenticator authenticator = new SoftAuthenticator();
        call("GET", "/v1/tenants/{tenantId}/approval-policy").path(pk.id()).key(OP).send().expect(200);
        call("GET", "/v1/tenants/{tenantId}/approval-policy").path("ten_missing").key(OP).send().expect(404, "not_found");
        call("PUT", "/v1/tenants/{tenantId}/approval-policy").path(pk.id()).key(OP)
                .body(Map.of("passkey_required_above_minor", -1)).send().expect(400, "invalid_input")
                .documentRejectsRequest();
        call("PUT", "/v1/tenants/{tenantId}/approval-policy").path(pk.id()).key(OP)
                .body(Map.of("passkey_required_above_minor", 20_000)).send().expect(200);
        call("GET", "/v1/approval-policy").key(pk.viewerKey()).send().expect(200);
        call("PUT", "/v1/approval-policy").key(pk.approverKey()).body(Map.of("passkey_required_above_minor", 30_000))
                .send().expect(403, "forbidden_role");
        call("PUT", "/v1/approval-policy").key(pk.approverKey()).body(Map.of("passkey_required_above_minor", 10_000))
                .send().expect(200);
        call("POST", "/v1/passkeys/registrations").key(pk.viewerKey()).send().expect(403, "forbidden_role");
        Checked begun = call("POST", "/v1/passkeys/registrations").key(pk.approverKey())
                .body(Map.of("label", "contract key")).send().expect(201);
        String registration = begun.text("/registration_id");
        call("POST", "/v1/passkeys/registrations/{id}/complete").path(registration).key(pk.approverKey())
                .body(Map.of("label", "x")).send().expect(400, "invalid_input").documentRejectsRequest();
        Map<String, Object> credential = authenticator.register(begun.at("/public_key"));
        String passkeyId = call("POST", "/v1/passkeys/registrations/{id}/complete").path(registration)
                .key(pk.approverKey()).body(Map.of("credential", credential)).send().expect(201).text("/passkey_id");
        call("POST", "/v1/passkeys/registrations/{id}/complete").path(registration).key(pk.approverKey())
                .body(Map.of("credential", credential)).send().expect(403, "passkey_invalid");
        call("POST", "/v1/passkeys/registrations/{id}/complete").path("pkr_missing").key(pk.approverKey())
                .body(Map.of("credential", credential)).send().expect(404, "not_found");
        call("GET", "/v1/passkeys").key(pk.viewerKey()).send().expect(200);
        String pkApproval = story.execute(pk.runtimeKey(), "ads.create_campaign", "passkey-1",
                Story.campaign("Signed boots", 30_000)).json().get("approval_id").asString();
        call("POST", "/v1/approvals/{id}/approve").path(pkApproval).key(pk.approverKey()).send()
                .expect(403, "passkey_required");
        call("POST", "/v1/approvals/{id}/passkey-challenge").path(pkApproval).key(pk.viewerKey()).send()
                .expect(403, "forbidden_role");
        call("POST", "/v1/approvals/{id}/passkey-challenge").path("apr_missing").key(pk.approverKey()).send()
                .expect(404, "not_found");
        Checked challenge = call("POST", "/v1/approvals/{id}/passkey-challenge").path(pkApproval).key(pk.approverKey())
                .send().expect(201);
        call("POST", "/v1/approvals/{id}/approve").path(pkApproval).key(pk.approverKey())
                .body(Map.of("passkey", Map.of("challenge_id", challenge.text("/challenge_id")))).send()
                .expect(400, "invalid_input").documentRejectsRequest();
        call("POST", "/v1/approvals/{id}/approve").path(pkApproval).key(pk.approverKey())
                .body(Map.of("passkey", Map.of("challenge_id", challenge.text("/challenge_id"),
                        "credential", authenticator.assertion(challenge.at("/public_key"))))).send().expect(200);
        call("POST", "/v1/approvals/{id}/passkey-challenge").path(pkApproval).key(pk.approverKey()).send()
                .expect(409, "approval_not_pending");
        call("POST", "/v1/approvals/standing-grants").key(pk.approverKey()).body(Map.of("actions",
                List.of("ads.create_campaign"), "provider", "openaiads", "spend_ceiling",
                Map.of("amount_minor", 10_001, "currency", "USD"), "expires_at", expires)).send()
                .expect(403, "passkey_required");
        call("POST", "/v1/passkeys/{id}/revoke").path(passkeyId).key(pk.viewerKey()).send().expect(403, "forbidden_role");
        call("POST", "/v1/passkeys/{id}/revoke").path("pk_missing").key(pk.approverKey()).send().expect(404, "not_found");
        call("POST", "/v1/passkeys/{id}/revoke").path(passkeyId).key(pk.approverKey()).send().expect(200);
        call("POST", "/v1/passkeys/{id}/revoke").path(passkeyId).key(pk.approverKey()).send().expect(409, "conflict");

        // ---------------------------------------------------------------- what was covered
        assertThat(problems).as("responses that do not match docs/openapi.yaml").isEmpty();
        assertThat(exercised.keySet()).as("operations the story validated").containsExactlyInAnyOrderElementsOf(
                documented().keySet());
        Set<Integer> statuses = new TreeSet<>();
        exercised.values().forEach(statuses::addAll);
        assertThat(statuses).as("statuses validated").contains(200, 201, 202, 400, 401, 402, 403, 404, 409, 415, 422, 501);
    }

    @Test
    void errorsOutsideTheOperationsUseTheDocumentedEnvelope() {
        // unknown path and wrong method are answered before any operation: the Error schema still holds
        for (String[] c : new String[][] {{"GET", "/v1/no-such-endpoint", "404", "not_found"},
                {"DELETE", "/v1/wallet", "405", "method_not_allowed"}}) {
            Raw r = send(c[0], c[1], null, null, null);
            assertThat(r.status()).as("%s %s → %s", c[0], c[1], r.body()).isEqualTo(Integer.parseInt(c[2]));
            JsonNode json = Http.JSON.readTree(r.body());
            assertThat(schemaAt("/components/schemas/Error").validate(json)).as("%s against Error", r.body()).isEmpty();
            assertThat(json.at("/error/code").asString()).isEqualTo(c[3]);
            assertThat(doc.at("/components/schemas/ErrorCode/enum").values()).extracting(n -> n.asString())
                    .contains(c[3]);
        }
    }

    // ================================================================== the document

    /** Documented operations: "METHOD /template" → JSON pointer of the operation object. */
    private static Map<String, String> documented() {
        Map<String, String> ops = new TreeMap<>();
        for (Map.Entry<String, JsonNode> p : doc.path("paths").properties()) {
            for (String method : p.getValue().propertyNames()) {
                if (HTTP_METHODS.contains(method)) {
                    ops.put(method.toUpperCase(Locale.ROOT) + " " + p.getKey(), "/paths/" + esc(p.getKey()) + "/" + method);
                }
            }
        }
        return ops;
    }

    /** Served operations under {@code /v1}: "METHOD /template" → handler. */
    private static Map<String, HandlerMethod> served() {
        // by name: actuator adds a second RequestMappingHandlerMapping (controllerEndpointHandlerMapping)
        RequestMappingHandlerMapping mapping = broker.bean(DispatcherServlet.class).getWebApplicationContext()
                .getBean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class);
        Map<String, HandlerMethod> ops = new TreeMap<>();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> e : mapping.getHandlerMethods().entrySet()) {
            for (String pattern : e.getKey().getPatternValues()) {
                if (!pattern.startsWith("/v1/")) {
                    continue;
                }
                Set<RequestMethod> methods = e.getKey().getMethodsCondition().getMethods();
                if (methods.isEmpty()) {
                    ops.put("ANY " + pattern, e.getValue());
                }
                methods.forEach(m -> ops.put(m.name() + " " + pattern, e.getValue()));
            }
        }
        return ops;
    }

    /** Parameters of an operation (path-level and its own, {@code $ref}s resolved): name → required. */
    private static Map<String, Boolean> parameters(String operationPointer, String in) {
        Map<String, Boolean> out = new TreeMap<>();
        String pathItem = operationPointer.substring(0, operationPointer.lastIndexOf('/'));
        for (String owner : List.of(pathItem, operationPointer)) {
            for (JsonNode p : doc.at(owner + "/parameters").values()) {
                JsonNode param = p.has("$ref") ? doc.at(deref(p)) : p;
                if (in.equals(param.path("in").asString(""))) {
                    out.put(param.path("name").asString(), param.path("required").asBoolean(false));
                }
            }
        }
        return out;
    }

    private static String deref(JsonNode node) {
        return node.get("$ref").asString().substring(1);
    }

    /** Follows {@code $ref}s from {@code pointer} to the object they name; returns its pointer. */
    private static String deref(String pointer) {
        JsonNode node = doc.at(pointer);
        for (int hops = 0; node.has("$ref") && hops < 10; hops++) {
            pointer = deref(node);
            node = doc.at(pointer);
        }
        return pointer;
    }

    private static String esc(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    /** The schema at a JSON pointer of the document, with its {@code $ref}s resolved within the document. */
    private static Schema schemaAt(String pointer) {
        return SCHEMAS.computeIfAbsent(pointer, p -> registry.getSchema(SchemaLocation.of(DOC_URI + "#" + p
                .replace("{", "%7B").replace("}", "%7D"))));
    }

    // ================================================================== calls

    private Call call(String method, String template) {
        return new Call(method, template);
    }

    private Checked execute(String key, String action, String idempotencyKey, Map<String, Object> input) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("connector", "mw.connector.ads");
        body.put("action", action);
        body.put("idempotency_key", idempotencyKey);
        body.put("input", input);
        return call("POST", "/v1/integration-broker/execute").key(key).body(body).send();
    }

    /** One request of a documented operation; {@link #send} checks the answer against the document. */
    private final class Call {
        private final String method;
        private final String template;
        private final List<String> pathValues = new ArrayList<>();
        private String query;
        private String key;
        private Object body;
        private String contentType;
        private String rawBody;
        private final Map<String, String> headers = new LinkedHashMap<>();

        Call(String method, String template) {
            this.method = method;
            this.template = template;
        }

        Call path(String... values) {
            pathValues.addAll(List.of(values));
            return this;
        }

        Call query(String q) {
            this.query = q;
            return this;
        }

        Call key(String k) {
            this.key = k;
            return this;
        }

        Call body(Object b) {
            this.body = b;
            this.contentType = "application/json";
            this.rawBody = Http.JSON.writeValueAsString(b);
            return this;
        }

        Call header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        Call raw(String type, String text) {
            this.contentType = type;
            this.rawBody = text;
            return this;
        }

        Checked send() {
            Matcher m = PLACEHOLDER.matcher(template);
            StringBuilder path = new StringBuilder();
            int i = 0;
            while (m.find()) {
                m.appendReplacement(path, Matcher.quoteReplacement(
                        URLEncoder.encode(pathValues.get(i++), StandardCharsets.UTF_8)));
            }
            m.appendTail(path);
            assertThat(i).as("path values for %s", template).isEqualTo(pathValues.size());
            Raw r = OpenApiContractTest.send(method, path + (query == null ? "" : "?" + query), key, contentType, rawBody,
                    headers);
            Checked c = new Checked(method + " " + template, r.status(), r.body(), r.json(), r.headers(), body);
            conform(c, query);
            return c;
        }
    }

    /** Checks one answer against the operation's documented responses; records what does not match. */
    private void conform(Checked c, String query) {
        String opPointer = documented().get(c.op());
        if (opPointer == null) {
            problems.add(c.op() + " is not in the document");
            return;
        }
        exercised.computeIfAbsent(c.op(), k -> new TreeSet<>()).add(c.status());
        JsonNode declared = doc.at(opPointer + "/responses");
        if (!declared.has(String.valueOf(c.status()))) {
            problems.add(c.op() + " answered " + c.status() + ", which the document does not declare (it declares "
                    + declared.propertyNames() + "): " + c.raw());
            return;
        }
        String rp = deref(opPointer + "/responses/" + c.status());
        JsonNode response = doc.at(rp);
        if (response.has("content")) {
            String media = c.headers().getOrDefault("content-type", "").split(";")[0].trim().toLowerCase(Locale.ROOT);
            if (!response.get("content").has(media)) {
                problems.add(c.op() + " " + c.status() + " answered Content-Type '" + media + "'; the document declares "
                        + response.get("content").propertyNames());
            } else if (media.startsWith("text/")) {
                // a plain-text answer (the webhook handshake's echoed challenge) is checked as a string
                List<Error> errors = schemaAt(rp + "/content/" + esc(media) + "/schema")
                        .validate(JsonNodeFactory.instance.stringNode(c.raw()));
                if (!errors.isEmpty()) {
                    problems.add(c.op() + " " + c.status() + " body does not match the document: " + errors);
                }
            } else if (c.json() == null) {
                problems.add(c.op() + " " + c.status() + " answered a body that is not JSON: " + c.raw());
            } else {
                List<Error> errors = schemaAt(rp + "/content/" + esc(media) + "/schema").validate(c.json());
                if (!errors.isEmpty()) {
                    problems.add(c.op() + " " + c.status() + " body does not match the document: " + errors + "\n    body: "
                            + c.raw());
                }
            }
        } else if (!c.raw().isBlank()) {
            problems.add(c.op() + " " + c.status() + " answered a body; the document declares none: " + c.raw());
        }
        for (Map.Entry<String, JsonNode> h : response.path("headers").properties()) {
            String hp = deref(rp + "/headers/" + esc(h.getKey()));
            String value = c.headers().get(h.getKey().toLowerCase(Locale.ROOT));
            if (value == null) {
                if (doc.at(hp + "/required").asBoolean(false)) {
                    problems.add(c.op() + " " + c.status() + " lacks the required header " + h.getKey());
                }
            } else {
                List<Error> errors = schemaAt(hp + "/schema").validate(JsonNodeFactory.instance.stringNode(value));
                if (!errors.isEmpty()) {
                    problems.add(c.op() + " " + c.status() + " header " + h.getKey() + ": " + value + " " + errors);
                }
            }
        }
        if (query != null) {
            Map<String, Boolean> params = parameters(opPointer, "query");
            for (String pair : query.split("&")) {
                String name = pair.split("=", 2)[0];
                if (!params.containsKey(name)) {
                    problems.add(c.op() + " was called with query parameter " + name + ", which the document lacks");
                }
            }
        }
        if (c.status() / 100 == 2 && c.requestBody() != null) {
            List<Error> errors = requestErrors(c);
            if (errors == null) {
                problems.add(c.op() + " accepted a request body; the document declares none");
            } else if (!errors.isEmpty()) {
                problems.add(c.op() + " accepted a request body the document calls invalid: " + errors + "\n    request: "
                        + Http.JSON.writeValueAsString(c.requestBody()));
            }
        }
    }

    /** Errors of the request body against the operation's documented body; null when it has none. */
    private List<Error> requestErrors(Checked c) {
        String bp = deref(documented().get(c.op()) + "/requestBody");
        if (doc.at(bp).isMissingNode()) {
            return null;
        }
        return schemaAt(bp + "/content/application~1json/schema").validate(Http.JSON.valueToTree(c.requestBody()));
    }

    /** A checked answer. */
    private final class Checked {
        private final String op;
        private final int status;
        private final String raw;
        private final JsonNode json;
        private final Map<String, String> headers;
        private final Object requestBody;

        Checked(String op, int status, String raw, JsonNode json, Map<String, String> headers, Object requestBody) {
            this.op = op;
            this.status = status;
            this.raw = raw;
            this.json = json;
            this.headers = headers;
            this.requestBody = requestBody;
        }

        String op() {
            return op;
        }

        int status() {
            return status;
        }

        String raw() {
            return raw;
        }

        JsonNode json() {
            return json;
        }

        Map<String, String> headers() {
            return headers;
        }

        Object requestBody() {
            return requestBody;
        }

        Checked expect(int expected) {
            assertThat(status).as("%s answered %s %s%n  contract problems so far: %s", op, status, raw, problems)
                    .isEqualTo(expected);
            return this;
        }

        Checked expect(int expected, String code) {
            expect(expected);
            assertThat(json == null ? null : json.at("/error/code").asString(null)).as("error code of %s: %s", op, raw)
                    .isEqualTo(code);
            return this;
        }

        /** The server refused this body as invalid: the document must call it invalid too. */
        Checked documentRejectsRequest() {
            List<Error> errors = requestErrors(this);
            if (errors == null || errors.isEmpty()) {
                problems.add(op + " refused a request body (" + status + ") that the document accepts: "
                        + Http.JSON.writeValueAsString(requestBody));
            }
            return this;
        }

        String text(String pointer) {
            return json.at(pointer).asString();
        }

        JsonNode at(String pointer) {
            return json.at(pointer);
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** A raw HTTP answer; header names lower-cased. */
    private static String hmacHex(String key, String message) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return java.util.HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Raw(int status, String body, JsonNode json, Map<String, String> headers) {}

    private static Raw send(String method, String pathAndQuery, String key, String contentType, String body) {
        return send(method, pathAndQuery, key, contentType, body, Map.of());
    }

    private static Raw send(String method, String pathAndQuery, String key, String contentType, String body,
            Map<String, String> extraHeaders) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(broker.base() + pathAndQuery))
                .timeout(Duration.ofSeconds(60));
        extraHeaders.forEach(b::header);
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            Map<String, String> headers = new TreeMap<>();
            r.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            JsonNode json = null;
            if (!r.body().isBlank()) {
                try {
                    json = Http.JSON.readTree(r.body());
                } catch (RuntimeException notJson) {
                    json = null;
                }
            }
            return new Raw(r.statusCode(), r.body(), json, headers);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
