package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.execution.SpendSettlements;
import dev.minutework.broker.server.support.Broker;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Ledger;
import dev.minutework.broker.server.support.Story;
import dev.minutework.broker.server.support.TestPostgres;
import dev.minutework.broker.sim.openaiads.OpenAiAdsSimulator;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Two broker processes on one PostgreSQL, one provider outside both: their settlement runs race
 * over the same campaign day, and the day settles once (each day is settled under its row's lock;
 * the durable job itself runs in one process at a time, but a run taken over from a process that
 * seemed dead must not settle twice either).
 */
class SettlementAcrossBrokersTest {

    @Test
    void twoBrokersSettlingTheSameDayAtOnceSettleItOnce() throws Exception {
        try (OpenAiAdsSimulator openai = (OpenAiAdsSimulator) new OpenAiAdsSimulator(Clock.systemUTC()).start()) {
            openai.faults().rateLimits(false);
            String db = TestPostgres.newDatabase("settlement_two_brokers");
            Path data = Broker.tempDir();
            try (Broker first = Broker.startForProvidersAtBaseUrls(db, data);
                    Broker second = Broker.startForProvidersAtBaseUrls(db, data)) {
                Http http = first.http();
                String op = Broker.OPERATOR_KEY;
                String tenant = expect(201, http.post("/v1/tenants", op, Map.of("name", "Two brokers")))
                        .text("/tenant_id");
                Story story = new Story(http);
                String runtime = story.key(tenant, "runtime");
                String approver = story.key(tenant, "approver");
                String account = expect(201, http.post("/v1/provider-accounts", op, Map.of("provider", "openaiads",
                        "label", "outside", "scope", Map.of("ad_account_id", "act_two"), "credentials",
                        Map.of("api_key", "sk-two-brokers-key"), "base_url", openai.baseUrl().toString())))
                        .text("/provider_account_id");
                openai.provision(Map.of("ad_account_id", "act_two"), Map.of("api_key", "sk-two-brokers-key"));
                expect(201, http.post("/v1/tenants/" + tenant + "/connections", op,
                        Map.of("provider_account_id", account)));
                expect(200, http.put("/v1/tenants/" + tenant + "/advertiser-profile", op, Map.of("legal_name",
                        "Two Ltd", "verification_status", "verified", "terms_version", "1",
                        "terms_accepted_at", "2026-11-01T00:00:00Z", "terms_accepted_by", "ops")));
                expect(201, http.post("/v1/tenants/" + tenant + "/spend-authorizations", op, Map.of("provider",
                        "openaiads", "currency", "USD", "cap_minor", 100_000, "approved_by", "cfo",
                        "valid_until", Instant.now().plus(200, ChronoUnit.DAYS).truncatedTo(ChronoUnit.DAYS)
                                .toString())));
                expect(201, http.post("/v1/tenants/" + tenant + "/wallet/credits", op, Map.of("amount_minor", 80_000,
                        "reference", "two")));
                String end = Instant.now().plus(10, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
                Http.Response asked = expect(202, story.execute(runtime, "openaiads", "ads.create_campaign", "c",
                        Map.of("name", "Boots", "status", "active", "end_time", end,
                                "budget", Map.of("amount_minor", 50_000, "currency", "USD", "period", "lifetime"))));
                assertThat(expect(200, http.post("/v1/approvals/" + asked.text("/approval_id") + "/approve", approver,
                        null)).text("/execution/status")).isEqualTo("succeeded");

                // both processes settle at once, several times over
                List<Callable<Map<String, Integer>>> runs = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    runs.add(() -> first.bean(SpendSettlements.class).runOnce());
                    runs.add(() -> second.bean(SpendSettlements.class).runOnce());
                }
                try (var pool = Executors.newFixedThreadPool(6)) {
                    for (Future<Map<String, Integer>> f : pool.invokeAll(runs)) {
                        assertThat(f.get()).doesNotContainKey("error");
                    }
                }

                JdbcClient jdbc = first.bean(JdbcClient.class);
                assertThat(jdbc.sql("""
                        select coalesce(sum(amount_minor), 0) from wallet_entries where tenant_id = :t and kind = 'settlement'
                        """).param("t", tenant).query(Long.class).single()).as("one day of 50.00, once").isEqualTo(5_000);
                assertThat(new Story(second.http()).receiptKinds(new Story.Tenant(tenant, runtime, approver,
                        story.key(tenant, "viewer"), account, null))).filteredOn("spend.settled"::equals).hasSize(1);
                Ledger.assertConsistent(jdbc, tenant);
            }
        }
    }
}
