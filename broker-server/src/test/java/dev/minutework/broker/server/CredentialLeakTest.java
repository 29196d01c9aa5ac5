package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.providers.sandbox.SandboxFaults;
import dev.minutework.broker.server.accounts.ProviderRegistry;
import dev.minutework.broker.server.support.BrokerTestCase;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.LogCapture;
import dev.minutework.broker.server.support.Story;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

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
            ProviderRegistry registry = broker.bean(ProviderRegistry.class);
            registry.sandbox().faults(t.providerAccountId()).next(SandboxFaults.Fault.REJECT);
            Http.Response rejected = expect(202, story.execute(t.runtimeKey(), provider, "ads.create_campaign", "rejected",
                    Story.campaign("Rejected", 1_000)));
            assertThat(expect(200, http.post("/v1/approvals/" + rejected.text("/approval_id") + "/approve",
                    t.approverKey(), null)).text("/execution/status")).isEqualTo("failed");
            registry.sandbox().faults(t.providerAccountId()).next(SandboxFaults.Fault.LOSE_REQUEST);
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
