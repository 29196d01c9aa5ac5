package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.json.JsonParser;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Ledger;
import dev.minutework.broker.server.support.Story;
import dev.minutework.broker.server.support.TestPostgres;
import dev.minutework.broker.sim.ProviderSimulator;
import dev.minutework.broker.sim.Simulators;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Fault tests: a broker process dies like {@code kill -9} — halted at a named step of an execution
 * ({@code broker.fault.halt-at}), or sent SIGKILL while 40 pre-approved campaign creations are in
 * flight — against a provider that outlives it (the OpenAI ads simulator runs in this JVM, reached
 * by the account's base URL). After a restart, the reconciliation janitor settles every execution
 * the kill left behind by asking the provider. What must hold: no duplicate provider object, no
 * reservation without its execution, every reservation of a succeeded campaign still held and
 * every other released, no execution stuck, and a receipt chain that verifies.
 */
class KillNineTest {

    static final String OPERATOR = "mwb_op_kill_nine_test_operator_key";
    static final String API_KEY = "sk-kill-nine-test-key-0001";

    @Test
    void killingABrokerMidExecutionLeavesNothingHalfDoneAfterRestart() throws Exception {
        String db = TestPostgres.newDatabase("kill_nine");
        Path data = Files.createTempDirectory("kill-nine");
        try (Simulators providers = Simulators.startAll(Clock.systemUTC())) {
            ProviderSimulator openai = providers.forProvider("openaiads").orElseThrow();
            openai.faults().latency(Duration.ofMillis(250)); // calls are in flight when the kill comes
            openai.provision(Map.of("ad_account_id", "act_kill9"), Map.of("api_key", API_KEY));

            Story.Tenant t;
            Set<String> keys = new HashSet<>();
            Process first = startBroker(db, data);
            try {
                Http http = http(first);
                Story story = new Story(http);
                t = tenant(story, http, openai.baseUrl());
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    List<Future<Http.Response>> inFlight = new ArrayList<>();
                    for (int i = 0; i < 40; i++) {
                        String key = "kill-" + i;
                        keys.add(key);
                        inFlight.add(pool.submit(() -> story.execute(t.runtimeKey(), "ads.create_campaign", key,
                                Story.campaign("Killed " + key, 1_000))));
                        Thread.sleep(15);
                    }
                    // kill once executions are under way (however slow the machine), not after a fixed time
                    JdbcClient observer = TestPostgres.client(db);
                    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (observer.sql("select count(*) from executions where tenant_id = :t").param("t", t.id())
                            .query(Long.class).single() < 5 && System.nanoTime() < deadline) {
                        Thread.sleep(10);
                    }
                    first.destroyForcibly(); // SIGKILL: no shutdown hook, no rollback by the application
                    first.waitFor(30, TimeUnit.SECONDS);
                    for (Future<Http.Response> f : inFlight) {
                        try {
                            f.get();
                        } catch (Exception lost) {
                            // the answer died with the process; the restart must settle it
                        }
                    }
                }
            } finally {
                first.destroyForcibly();
            }

            Process second = startBroker(db, data);
            try {
                Http http = http(second);
                JdbcClient jdbc = TestPostgres.client(db);
                awaitSettled(jdbc, t.id(), Duration.ofSeconds(60));

                List<Map<String, Object>> executions = jdbc.sql(
                        "select id, idempotency_key, status from executions where tenant_id = :t").param("t", t.id())
                        .query().listOfRows();
                assertThat(executions).as("some executions started before the kill").isNotEmpty();
                assertThat(executions).allSatisfy(e -> assertThat(e.get("status")).isIn("succeeded", "failed"));

                Set<String> succeeded = providerHoldsExactlyTheSucceeded(executions, openai.baseUrl());

                Story story = new Story(http);
                assertThat(story.wallet(t).get("reserved_minor").asLong())
                        .as("exactly the succeeded campaigns stay reserved").isEqualTo(succeeded.size() * 1_000L);
                assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
                Ledger.assertConsistent(jdbc, t.id());

                // asking again with the same keys never creates a second object
                for (String key : keys) {
                    story.execute(t.runtimeKey(), "ads.create_campaign", key, Story.campaign("Killed " + key, 1_000));
                }
                awaitSettled(jdbc, t.id(), Duration.ofSeconds(60));
                Set<String> after = new HashSet<>();
                for (String name : campaignNames(openai.baseUrl())) {
                    assertThat(after.add(name)).as("no duplicate after retries: %s", name).isTrue();
                }
                assertThat(after).hasSize((int) jdbc.sql("select count(*) from executions where tenant_id = :t and status = 'succeeded'")
                        .param("t", t.id()).query(Long.class).single().longValue());
                Ledger.assertConsistent(jdbc, t.id());
            } finally {
                second.destroyForcibly();
                second.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"after_reservation, 0", "after_provider_call, 1", "before_receipt, 1"})
    void aBrokerKilledAtAStepOfAnExecutionIsSettledByTheRestartedOne(String point, int objectsAtProvider) throws Exception {
        String db = TestPostgres.newDatabase("kill_at_" + point);
        Path data = Files.createTempDirectory("kill-at");
        try (Simulators providers = Simulators.startAll(Clock.systemUTC())) {
            ProviderSimulator openai = providers.forProvider("openaiads").orElseThrow();
            openai.provision(Map.of("ad_account_id", "act_kill9"), Map.of("api_key", API_KEY));
            Process first = startBroker(db, data, "--broker.fault.halt-at=" + point);
            Story.Tenant t;
            try {
                Http http = http(first);
                t = tenant(new Story(http), http, openai.baseUrl());
                try {
                    new Story(http).execute(t.runtimeKey(), "ads.create_campaign", "the-one", Story.campaign("At " + point, 1_000));
                } catch (RuntimeException answerLost) {
                    // the process halted mid-request
                }
                assertThat(first.waitFor(30, TimeUnit.SECONDS)).as("the broker halted at " + point).isTrue();
                assertThat(first.exitValue()).isEqualTo(137);
            } finally {
                first.destroyForcibly();
            }
            assertThat(campaignNames(openai.baseUrl())).as("provider objects after the kill").hasSize(objectsAtProvider);

            Process second = startBroker(db, data);
            try {
                Http http = http(second);
                JdbcClient jdbc = TestPostgres.client(db);
                awaitSettled(jdbc, t.id(), Duration.ofSeconds(60));
                String status = jdbc.sql("select status from executions where tenant_id = :t and idempotency_key = 'the-one'")
                        .param("t", t.id()).query(String.class).single();
                assertThat(status).isEqualTo(objectsAtProvider == 1 ? "succeeded" : "failed");
                assertThat(campaignNames(openai.baseUrl())).as("never sent twice").hasSize(objectsAtProvider);
                Story story = new Story(http);
                assertThat(story.wallet(t).get("reserved_minor").asLong()).isEqualTo(objectsAtProvider * 1_000L);
                Http.Response replay = story.execute(t.runtimeKey(), "ads.create_campaign", "the-one",
                        Story.campaign("At " + point, 1_000));
                assertThat(replay.text("/status")).isEqualTo(status);
                assertThat(campaignNames(openai.baseUrl())).hasSize(objectsAtProvider);
                assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
                Ledger.assertConsistent(jdbc, t.id());
            } finally {
                second.destroyForcibly();
                second.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * A broker killed in the middle of settling a day's reported spend (reservation debited, the day
     * not yet recorded, nothing committed) loses nothing and doubles nothing: the restarted broker's
     * settlement job settles the day exactly once.
     */
    @Test
    void aBrokerKilledMidSettlementSettlesTheDayOnceAfterRestart() throws Exception {
        String db = TestPostgres.newDatabase("kill_mid_settlement");
        Path data = Files.createTempDirectory("kill-settle");
        try (Simulators providers = Simulators.startAll(Clock.systemUTC())) {
            ProviderSimulator openai = providers.forProvider("openaiads").orElseThrow();
            openai.provision(Map.of("ad_account_id", "act_kill9"), Map.of("api_key", API_KEY));
            // the dead process's run of the job is taken over after four missed heartbeats of 1 s
            String[] settleOften = {"--broker.settlement.interval=PT1S", "--broker.jobs.polling-interval=PT0.5S",
                    "--broker.jobs.heartbeat-interval=PT1S"};
            Process first = startBroker(db, data, settleOften[0], settleOften[1], settleOften[2],
                    "--broker.fault.halt-at=mid_settlement");
            Story.Tenant t;
            JdbcClient jdbc = TestPostgres.client(db);
            try {
                Http http = http(first);
                t = tenant(new Story(http), http, openai.baseUrl());
                // under the standing grant it runs at once: an active lifetime campaign of 10.00, 1.00 a day
                expect(200, new Story(http).execute(t.runtimeKey(), "ads.create_campaign", "spends",
                        Story.campaign("Spends", 1_000)));
                assertThat(first.waitFor(60, TimeUnit.SECONDS)).as("the broker halted mid-settlement").isTrue();
                assertThat(first.exitValue()).isEqualTo(137);
            } finally {
                first.destroyForcibly();
            }
            assertThat(settled(jdbc, t.id())).as("nothing of the killed settlement was kept").isZero();

            Process second = startBroker(db, data, settleOften);
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (settled(jdbc, t.id()) == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(250);
                }
                assertThat(settled(jdbc, t.id())).as("the day settled after the restart").isEqualTo(100);
                Thread.sleep(3_000); // several more runs of the job
                assertThat(settled(jdbc, t.id())).as("and only once").isEqualTo(100);
                assertThat(new Story(http(second)).verify(t).get("valid").asBoolean()).isTrue();
                Ledger.assertConsistent(jdbc, t.id());
            } finally {
                second.destroyForcibly();
                second.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static long settled(JdbcClient jdbc, String tenant) {
        return jdbc.sql("select coalesce(sum(amount_minor), 0) from wallet_entries where tenant_id = :t and kind = 'settlement'")
                .param("t", tenant).query(Long.class).single();
    }

    /**
     * Two broker processes serve one tenant from one PostgreSQL; one is SIGKILLed with calls in
     * flight and restarted at once, so two janitors race over its orphans while the survivor keeps
     * taking new work on the same receipt chain. What held: the chain (appended by three processes)
     * verifies, every execution reached exactly one outcome with exactly one terminal receipt, the
     * provider holds exactly the succeeded executions' campaigns, and the ledger is consistent.
     */
    @Test
    void twoBrokersOnOneDatabaseSurviveTheKillOfOne() throws Exception {
        String db = TestPostgres.newDatabase("two_brokers");
        Path data = Files.createTempDirectory("two-brokers");
        // the janitor may only call an execution orphaned once no live call can still be running: the
        // broker refuses a stuck-after that does not exceed the call deadline (PT4S here) and its allowance
        String stuckAfter = "--broker.reconcile.stuck-after=PT10S";
        try (Simulators providers = Simulators.startAll(Clock.systemUTC())) {
            ProviderSimulator openai = providers.forProvider("openaiads").orElseThrow();
            openai.faults().latency(Duration.ofMillis(250));
            openai.provision(Map.of("ad_account_id", "act_kill9"), Map.of("api_key", API_KEY));
            Process survivor = startBroker(db, data, stuckAfter);
            Process victim = startBroker(db, data, stuckAfter);
            Process restarted = null;
            try {
                Story.Tenant t = tenant(new Story(http(survivor)), http(survivor), openai.baseUrl());
                Story viaSurvivor = new Story(http(survivor));
                Story viaVictim = new Story(http(victim));
                // each broker has run the account's live provider checks (execute trusts them for a minute), so
                // the victim's executions are at the provider, not waiting on a check, when the kill comes
                expect(200, http(victim).get("/v1/integration-broker/preflight", t.runtimeKey()));
                expect(200, http(survivor).get("/v1/integration-broker/preflight", t.runtimeKey()));
                JdbcClient jdbc = TestPostgres.client(db);
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    List<Future<?>> calls = new ArrayList<>();
                    for (int i = 0; i < 60; i++) {
                        String key = "two-" + i;
                        Story via = i % 2 == 0 ? viaSurvivor : viaVictim;
                        calls.add(pool.submit(() -> via.execute(t.runtimeKey(), "ads.create_campaign", key,
                                Story.campaign("Two " + key, 1_000))));
                        Thread.sleep(10);
                    }
                    // the victim takes the odd keys: kill it once some of its calls are at the provider (on
                    // a loaded machine its first calls can start late, so a count of all rows is not enough)
                    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    long victimInFlight = 0;
                    while (victimInFlight < 3 && System.nanoTime() < deadline) {
                        Thread.sleep(10);
                        victimInFlight = jdbc.sql("""
                                select count(*) from executions where tenant_id = :t and status = 'executing'
                                  and idempotency_key ~ '^two-[0-9]*[13579]$'
                                """).param("t", t.id()).query(Long.class).single();
                    }
                    assertThat(victimInFlight).as("the victim had calls in flight").isGreaterThanOrEqualTo(3);
                    victim.destroyForcibly(); // SIGKILL with its calls in flight
                    victim.waitFor(30, TimeUnit.SECONDS);
                    restarted = startBroker(db, data, stuckAfter);
                    for (int i = 0; i < 20; i++) { // the survivor keeps working while both janitors settle
                        String key = "after-" + i;
                        viaSurvivor.execute(t.runtimeKey(), "ads.create_campaign", key, Story.campaign("Two " + key, 1_000));
                    }
                    for (Future<?> f : calls) {
                        try {
                            f.get();
                        } catch (Exception lost) {
                            // the victim's answers died with it
                        }
                    }
                }
                awaitSettled(jdbc, t.id(), Duration.ofSeconds(90));
                assertThat(jdbc.sql("select count(*) from broker_receipts where tenant_id = :t and kind = 'execution.reconciled'")
                        .param("t", t.id()).query(Long.class).single()).as("the kill orphaned calls a janitor settled")
                        .isPositive();

                List<Map<String, Object>> executions = jdbc.sql("select id, status from executions where tenant_id = :t")
                        .param("t", t.id()).query().listOfRows();
                assertThat(executions).as("every execution that started reached an outcome")
                        .allSatisfy(e -> assertThat(e.get("status")).isIn("succeeded", "failed"));
                for (Map<String, Object> e : executions) {
                    assertThat(jdbc.sql("""
                            select count(*) from broker_receipts where tenant_id = :t and execution_id = :e
                              and kind in ('execution.succeeded', 'execution.failed')
                            """).param("t", t.id()).param("e", e.get("id")).query(Long.class).single())
                            .as("one terminal receipt for %s", e).isEqualTo(1L);
                }
                Set<String> succeeded = providerHoldsExactlyTheSucceeded(executions, openai.baseUrl());
                assertThat(jdbc.sql("select count(*) from ads_campaigns where tenant_id = :t").param("t", t.id())
                        .query(Long.class).single()).as("one projection per succeeded execution").isEqualTo(succeeded.size());
                Story viaRestarted = new Story(http(restarted));
                assertThat(viaRestarted.wallet(t).get("reserved_minor").asLong())
                        .as("exactly the succeeded campaigns stay reserved").isEqualTo(succeeded.size() * 1_000L);
                assertThat(viaRestarted.verify(t).get("valid").asBoolean()).isTrue();
                Ledger.assertConsistent(jdbc, t.id());
            } finally {
                for (Process p : new Process[] {survivor, victim, restarted}) {
                    if (p != null) {
                        p.destroyForcibly();
                        p.waitFor(30, TimeUnit.SECONDS);
                    }
                }
            }
        }
    }

    private static Story.Tenant tenant(Story story, Http http, URI providerBase) {
        String id = expect(201, http.post("/v1/tenants", OPERATOR, Map.of("name", "Kill nine"))).text("/tenant_id");
        String runtime = key(http, id, "runtime");
        String approver = key(http, id, "approver");
        String viewer = key(http, id, "viewer");
        String account = expect(201, http.post("/v1/provider-accounts", OPERATOR, Map.of("provider", "openaiads",
                "label", "provider outside the broker", "scope", Map.of("ad_account_id", "act_kill9"),
                "credentials", Map.of("api_key", API_KEY), "base_url", providerBase.toString()))).text("/provider_account_id");
        expect(201, http.post("/v1/tenants/" + id + "/connections", OPERATOR, Map.of("provider_account_id", account)));
        expect(200, http.put("/v1/tenants/" + id + "/advertiser-profile", OPERATOR, Map.of("legal_name", "Kill nine Ltd",
                "verification_status", "verified", "terms_version", "1", "terms_accepted_at", "2026-11-01T00:00:00Z",
                "terms_accepted_by", "ops")));
        expect(201, http.post("/v1/tenants/" + id + "/spend-authorizations", OPERATOR, Map.of("provider", "openaiads",
                "currency", "USD", "cap_minor", 1_000_000, "approved_by", "cfo")));
        expect(201, http.post("/v1/tenants/" + id + "/wallet/credits", OPERATOR, Map.of("amount_minor", 1_000_000,
                "reference", "kill-nine")));
        expect(201, http.post("/v1/approvals/standing-grants", approver, Map.of("actions", List.of("ads.create_campaign"),
                "provider", "openaiads", "spend_ceiling", Map.of("amount_minor", 1_000_000, "currency", "USD"),
                "expires_at", Instant.now().plusSeconds(3600).toString())));
        return new Story.Tenant(id, runtime, approver, viewer, account, null);
    }

    /**
     * Asserts that the provider holds one campaign per succeeded execution and no other: each
     * campaign's name ends in {@code [<execution id>]}, the broker's reference. Returns the
     * succeeded executions' ids.
     */
    private static Set<String> providerHoldsExactlyTheSucceeded(List<Map<String, Object>> executions, URI providerBase)
            throws IOException, InterruptedException {
        Set<String> succeeded = new HashSet<>();
        executions.stream().filter(e -> "succeeded".equals(e.get("status")))
                .forEach(e -> succeeded.add((String) e.get("id")));
        Set<String> providerRefs = new HashSet<>();
        for (String name : campaignNames(providerBase)) {
            String ref = name.substring(name.lastIndexOf('[') + 1, name.length() - 1);
            assertThat(providerRefs.add(ref)).as("one provider campaign per execution: %s", name).isTrue();
        }
        assertThat(providerRefs).as("the provider holds exactly the succeeded executions' campaigns")
                .isEqualTo(succeeded);
        return succeeded;
    }

    private static String key(Http http, String tenant, String role) {
        return expect(201, http.post("/v1/tenants/" + tenant + "/api-keys", OPERATOR, Map.of("role", role))).text("/api_key");
    }

    /** Waits until the janitor has settled every execution of the tenant (none executing or unknown). */
    private static void awaitSettled(JdbcClient jdbc, String tenant, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        long open;
        do {
            open = jdbc.sql("select count(*) from executions where tenant_id = :t and status in ('executing', 'outcome_unknown')")
                    .param("t", tenant).query(Long.class).single();
            if (open == 0) {
                return;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        assertThat(open).as("executions still unsettled after %s", within).isZero();
    }

    private static List<String> campaignNames(URI base) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        List<String> names = new ArrayList<>();
        String after = null;
        do {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/campaigns?limit=100"
                    + (after == null ? "" : "&after=" + after))).header("Authorization", "Bearer " + API_KEY).build(),
                    HttpResponse.BodyHandlers.ofString());
            Map<String, Object> page = JsonParser.parseObject(r.body());
            for (Object o : (List<?>) page.get("data")) {
                names.add((String) ((Map<?, ?>) o).get("name"));
            }
            after = Boolean.TRUE.equals(page.get("has_more")) ? (String) page.get("last_id") : null;
        } while (after != null);
        return names;
    }

    private static Http http(Process broker) {
        return BROKERS.get(broker);
    }

    private static final Map<Process, Http> BROKERS = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The broker in its own JVM (same class path), so it can be killed like a real process;
     * {@code extra} settings ({@code --name=value}) replace the defaults of the same name.
     */
    private static Process startBroker(String db, Path data, String... extra) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, String> settings = new java.util.LinkedHashMap<>();
        for (String arg : List.of("--server.port=" + port, "--broker.database.url=" + db,
                "--broker.database.user=" + TestPostgres.APP_ROLE, "--broker.database.password=",
                "--broker.database.migration-user=postgres", "--broker.database.migration-password=", "--broker.data-dir=" + data, "--broker.operator-key=" + OPERATOR,
                "--broker.simulators=off", "--broker.reconcile.interval=PT0.5S", "--broker.reconcile.after=PT1S",
                // calls end (or are abandoned as unknown) within 4 s, so an execution still executing
                // after 10 s belongs to a dead process
                "--broker.provider.call-timeout=PT4S", "--broker.reconcile.stuck-after=PT10S")) {
            settings.put(arg.substring(0, arg.indexOf('=')), arg);
        }
        for (String arg : extra) {
            settings.put(arg.substring(0, arg.indexOf('=')), arg);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                BrokerApplication.class.getName());
        pb.command().addAll(settings.values());
        Path log = Files.createTempFile("kill-nine-broker", ".log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        Http http = Http.forBase(URI.create("http://localhost:" + port));
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            if (!p.isAlive()) {
                throw new IllegalStateException("the broker exited; its log: " + log);
            }
            try {
                if (http.get("/actuator/health", null).status() == 200) {
                    break;
                }
            } catch (RuntimeException notYet) {
                // still starting
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the broker did not start; its log: " + log);
            }
            Thread.sleep(200);
        }
        BROKERS.put(p, http);
        return p;
    }
}
