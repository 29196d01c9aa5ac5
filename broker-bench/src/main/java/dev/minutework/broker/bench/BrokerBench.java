package dev.minutework.broker.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures the governed broker as docs/benchmarks.md describes: governed mutating executions,
 * reads and refusals over HTTP at 1, 16 and 64 clients; the raw-SQL floor of one governed
 * execution; latency at half of peak load; 1,000 executions in flight against a slow provider; and
 * the broker's peak memory. Usage (after {@code mvn -B -q install -DskipTests}):
 * {@code java -jar broker-bench/target/broker-bench-0.1.0.jar [--seconds N] [--warmup N] [--jit-warmup N]
 * [--only governed,read,refused,spread,half,floor,slow] [--broker-jar PATH] [--broker-jvm-options "…"] [--out FILE]}.
 */
public final class BrokerBench {

    private static final int[] CLIENTS = {1, 16, 64};
    /** The parts of a run, for {@code --only}: half also runs the governed rows (it paces at half their peak). */
    private static final String[] PARTS = {"governed", "read", "refused", "spread", "half", "floor", "slow"};
    /** The options {@link #main} takes, each as {@code --name value}. */
    static final List<String> OPTIONS = List.of("--seconds", "--warmup", "--jit-warmup", "--only", "--broker-jar",
            "--broker-jvm-options", "--out");

    /** One measured run. */
    record Result(String workload, int clients, double perSecond, double p50, double p99, long failures,
            Map<String, Integer> reasons, Cpu.Sample cpuPerOp) {
        String row() {
            return String.format("| %s | %d | %.0f | %.1f | %.1f | %d%s | %s | %s | %s |", workload, clients, perSecond, p50,
                    p99, failures, reasons.isEmpty() ? "" : " " + reasons, ms(cpuPerOp.brokerMs()),
                    ms(cpuPerOp.postgresMs()), ms(cpuPerOp.benchMs()));
        }

        private static String ms(double v) {
            return v < 0 ? "–" : String.format("%.2f", v);
        }
    }

    /** Whose CPU the current rows measure (set as each broker starts, or for the floor). */
    private static volatile Cpu cpu;

    /** Runs one call: null when it did what was expected, else why not (status and error code, or the exception). */
    static String attempt(Callable<String> op) {
        try {
            return op.call();
        } catch (Exception e) {
            return e.getClass().getSimpleName();
        }
    }

    private BrokerBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        Duration measure = Duration.ofSeconds(Integer.parseInt(options.getOrDefault("--seconds", "10")));
        Duration warmup = Duration.ofSeconds(Integer.parseInt(options.getOrDefault("--warmup", "3")));
        Duration jitWarmup = Duration.ofSeconds(Integer.parseInt(options.getOrDefault("--jit-warmup", "60")));
        Path jar = Path.of(options.getOrDefault("--broker-jar", "broker-server/target/broker-server-0.1.0.jar"));
        Path out = Path.of(options.getOrDefault("--out", "target/benchmark-results.md"));
        Set<String> only = Set.of(options.getOrDefault("--only", String.join(",", PARTS)).split(","));
        if (!Set.of(PARTS).containsAll(only)) {
            throw new IllegalArgumentException("--only takes a comma-separated subset of " + String.join(",", PARTS));
        }
        List<String> brokerJvm = List.of(options.getOrDefault("--broker-jvm-options", "").split(" ")).stream()
                .filter(o -> !o.isBlank()).toList();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("no broker jar at " + jar + "; build it with mvn -B -q install -DskipTests");
        }
        List<String> report = new ArrayList<>();
        report.add("Machine: " + Runtime.getRuntime().availableProcessors() + " CPUs, Java " + System.getProperty("java.version")
                + "; each broker warmed up " + jitWarmup.toSeconds() + " s; measured " + measure.toSeconds() + " s after "
                + warmup.toSeconds() + " s of warm-up per row.");
        report.add("");
        report.add("| workload | clients | per second | p50 ms | p99 ms | failures | broker CPU ms/op "
                + "| PostgreSQL CPU ms/op | bench client CPU ms/op |");
        report.add("|---|---|---|---|---|---|---|---|---|");
        Path pgData = Files.createTempDirectory("bench-pg");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(pgData)
                .setCleanDataDirectory(true).setServerConfig("max_connections", "300").start()) {
            createDatabases(pg, "broker_fast", "broker_slow", "floor");
            String url = "jdbc:postgresql://localhost:" + pg.getPort() + "/";
            List<Result> governed = new ArrayList<>();
            Result spread = null;
            long fastRss = -1;
            boolean fast = only.stream().anyMatch(Set.of("governed", "read", "refused", "spread", "half")::contains);
            if (fast) {
                try (BrokerProcess broker = BrokerProcess.start(jar, url + "broker_fast", Duration.ZERO, "512m", brokerJvm)) {
                    cpu = new Cpu(broker.pid(), pgData);
                    Api api = new Api(broker.base);
                    Api.Tenant t = api.readyTenant("bench", 0);
                    String campaign = (String) ((Map<?, ?>) api.call("POST", "/v1/integration-broker/execute",
                            t.runtimeKey(), Api.execute("ads.create_campaign", "seed", campaign(1))).json().get("result"))
                            .get("object_id");
                    AtomicLong seq = new AtomicLong();
                    // a server is measured warm: every row's code paths are compiled before the first row
                    run("JIT warm-up", 16, Duration.ZERO, jitWarmup, () -> {
                        long n = seq.incrementAndGet();
                        Map<String, Object> input = switch ((int) (n % 3)) {
                            case 0 -> campaign(n);
                            case 1 -> Map.of("campaign_id", campaign, "since", LocalDate.now().minusDays(7).toString(),
                                    "until", LocalDate.now().toString(), "granularity", "total");
                            default -> Map.of("name", "x", "ad_account_id", "act_1");
                        };
                        String action = n % 3 == 1 ? "ads.fetch_report" : "ads.create_campaign";
                        api.call("POST", "/v1/integration-broker/execute", t.runtimeKey(),
                                Api.execute(action, "w-" + n, input));
                        return null;
                    });
                    if (only.contains("governed") || only.contains("half")) {
                        for (int clients : CLIENTS) {
                            governed.add(run("governed create_campaign", clients, warmup, measure, () -> {
                                Api.Answer a = api.call("POST", "/v1/integration-broker/execute", t.runtimeKey(),
                                        Api.execute("ads.create_campaign", "m-" + seq.incrementAndGet(),
                                                campaign(seq.get())));
                                return outcome(a, 200);
                            }));
                            report.add(governed.getLast().row());
                        }
                    }
                    if (only.contains("read")) {
                        for (int clients : CLIENTS) {
                            report.add(run("ads.fetch_report", clients, warmup, measure, () -> {
                                Api.Answer a = api.call("POST", "/v1/integration-broker/execute", t.runtimeKey(),
                                        Api.execute("ads.fetch_report", "r-" + seq.incrementAndGet(),
                                                Map.of("campaign_id", campaign, "since",
                                                        LocalDate.now().minusDays(7).toString(),
                                                        "until", LocalDate.now().toString(), "granularity", "total")));
                                return outcome(a, 200);
                            }).row());
                        }
                    }
                    if (only.contains("refused")) {
                        for (int clients : CLIENTS) {
                            report.add(run("refused (scope guard)", clients, warmup, measure, () -> {
                                Api.Answer a = api.call("POST", "/v1/integration-broker/execute", t.runtimeKey(),
                                        Api.execute("ads.create_campaign", "x-" + seq.incrementAndGet(),
                                                Map.of("name", "x", "ad_account_id", "act_1", "budget",
                                                        Map.of("amount_minor", 100, "currency", "USD", "period",
                                                                "lifetime"))));
                                return a.status() == 400 ? null : "HTTP " + a.status();
                            }).row());
                        }
                    }
                    if (only.contains("spread")) {
                        List<Api.Tenant> many = new ArrayList<>();
                        for (int i = 0; i < 64; i++) {
                            many.add(api.readyTenant("bench " + i, 100 + i));
                        }
                        AtomicInteger nextTenant = new AtomicInteger();
                        ThreadLocal<Api.Tenant> own = ThreadLocal.withInitial(
                                () -> many.get(nextTenant.getAndIncrement() % many.size()));
                        spread = run("governed create_campaign, one tenant per client", 64, warmup, measure, () -> {
                            Api.Answer a = api.call("POST", "/v1/integration-broker/execute", own.get().runtimeKey(),
                                    Api.execute("ads.create_campaign", "s-" + seq.incrementAndGet(), campaign(seq.get())));
                            return outcome(a, 200);
                        });
                        report.add(spread.row());
                    }
                    if (only.contains("half")) {
                        double peak = governed.stream().mapToDouble(Result::perSecond).max().orElse(1);
                        Latencies overhead = new Latencies();
                        long overheadFrom = System.nanoTime() + warmup.toNanos();
                        Result half = paced("governed create_campaign at half of peak", peak / 2, 64, warmup, measure,
                                () -> {
                                    Api.Answer a = api.call("POST", "/v1/integration-broker/execute", t.runtimeKey(),
                                            Api.execute("ads.create_campaign", "h-" + seq.incrementAndGet(),
                                                    campaign(seq.get())));
                                    if (a.brokerMillis() >= 0 && System.nanoTime() >= overheadFrom) {
                                        overhead.add((long) (a.brokerMillis() * 1_000_000));
                                    }
                                    return outcome(a, 200);
                                });
                        report.add(half.row());
                        report.add(String.format("| … of which the broker's own time (Server-Timing, provider call "
                                + "excluded) | 64 | | %.1f | %.1f | | | | |", overhead.percentileMillis(0.5),
                                overhead.percentileMillis(0.99)));
                    }
                    fastRss = broker.peakRssMib();
                }
            }
            List<Result> floor = new ArrayList<>();
            Result floorSpread = null;
            if (only.contains("floor")) {
                cpu = new Cpu(-1, pgData);
                for (int clients : CLIENTS) {
                    floor.add(floor(url + "floor", clients, 1, warmup, measure));
                    report.add(floor.getLast().row());
                }
                floorSpread = floor(url + "floor", 64, 64, warmup, measure);
                report.add(floorSpread.row());
            }
            report.add("");
            for (int i = 0; i < Math.min(governed.size(), floor.size()); i++) {
                report.add(String.format("Broker / floor at %d clients: %.0f%%", CLIENTS[i],
                        100 * governed.get(i).perSecond() / floor.get(i).perSecond()));
            }
            if (spread != null && floorSpread != null) {
                report.add(String.format("Broker / floor at 64 clients, one tenant each: %.0f%%",
                        100 * spread.perSecond() / floorSpread.perSecond()));
            }
            if (fast) {
                report.add("Peak resident memory of the broker process (heap capped at 512 MiB): " + fastRss + " MiB");
                report.add("");
            }
            if (only.contains("slow")) {
                try (BrokerProcess broker = BrokerProcess.start(jar, url + "broker_slow", Duration.ofMillis(300), "512m",
                        brokerJvm)) {
                    cpu = new Cpu(broker.pid(), pgData);
                    report.addAll(slowProvider(new Api(broker.base), 1_000, 100, jitWarmup));
                    report.add("Peak resident memory of the broker process during the slow-provider run: "
                            + broker.peakRssMib() + " MiB");
                }
            }
        }
        String text = String.join("\n", report) + "\n";
        System.out.print(text);
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, text);
    }

    static Map<String, Object> campaign(long n) {
        return Map.of("name", "Bench campaign " + n, "status", "active",
                "budget", Map.of("amount_minor", 1_000, "currency", "USD", "period", "lifetime"));
    }

    /** What one run observed: latencies of measured calls and why the failed ones failed. */
    private static final class Tally {
        final Latencies latencies = new Latencies();
        final Map<String, Integer> failures = new ConcurrentHashMap<>();
        final AtomicLong finishedInWindow = new AtomicLong();
        volatile Cpu.Sample cpuBefore;
        volatile Cpu.Sample cpuAfter;
        volatile Thread metering;

        /** Samples CPU at the start and end of the measured window, on a thread of its own. */
        Runnable meter(long from, long until) {
            Cpu meter = cpu;
            return () -> metering = Thread.ofVirtual().start(() -> {
                try {
                    sleepUntil(from);
                    cpuBefore = meter == null ? null : meter.sample();
                    sleepUntil(until);
                    cpuAfter = meter == null ? null : meter.sample();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        void record(long nanos, String failure) {
            latencies.add(nanos);
            if (failure != null) {
                failures.merge(failure, 1, Integer::sum);
            }
        }

        Result result(String workload, int clients, Duration measure) throws InterruptedException {
            if (metering != null) {
                metering.join();
            }
            Cpu.Sample perOp = cpuBefore == null || cpuAfter == null ? new Cpu.Sample(-1, -1, -1)
                    : cpuAfter.perOp(cpuBefore, finishedInWindow.get());
            return new Result(workload, clients, latencies.count() / (double) measure.toSeconds(),
                    latencies.percentileMillis(0.5), latencies.percentileMillis(0.99),
                    failures.values().stream().mapToLong(Integer::longValue).sum(), failures, perOp);
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(Duration.ofNanos(wait));
        }
    }

    /** Runs {@code clients} virtual threads, each running {@code loop} once, and waits for all. */
    private static void clients(int clients, Callable<Void> loop) throws Exception {
        clients(clients, loop, () -> { });
    }

    /** The same, running {@code submitted} once every thread has been started. */
    private static void clients(int clients, Callable<Void> loop, Runnable submitted) throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Void>> fs = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                fs.add(pool.submit(loop));
            }
            submitted.run();
            for (Future<Void> f : fs) {
                f.get();
            }
        }
    }

    /** Closed loop: {@code clients} callers back to back; counts what completes in the measured window. */
    static Result run(String workload, int clients, Duration warmup, Duration measure, Callable<String> op)
            throws Exception {
        Tally tally = new Tally();
        long from = System.nanoTime() + warmup.toNanos();
        long until = from + measure.toNanos();
        clients(clients, () -> {
            while (System.nanoTime() < until) {
                long t0 = System.nanoTime();
                String failure = attempt(op);
                long t1 = System.nanoTime();
                if (t0 >= from && t1 <= until) {
                    tally.record(t1 - t0, failure);
                }
                if (t1 >= from && t1 <= until) {
                    tally.finishedInWindow.incrementAndGet();
                }
            }
            return null;
        }, tally.meter(from, until));
        return tally.result(workload, clients, measure);
    }

    /** Open loop at a fixed rate: calls start on schedule, whatever the answers' pace. */
    static Result paced(String workload, double rate, int clients, Duration warmup, Duration measure, Callable<String> op)
            throws Exception {
        Tally tally = new Tally();
        AtomicLong slot = new AtomicLong();
        long interval = (long) (1_000_000_000L / rate);
        long start = System.nanoTime();
        long from = start + warmup.toNanos();
        long until = from + measure.toNanos();
        clients(clients, () -> {
            while (true) {
                long at = start + slot.getAndIncrement() * interval;
                if (at >= until) {
                    return null;
                }
                long wait = at - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(Duration.ofNanos(wait));
                }
                long t0 = System.nanoTime();
                String failure = attempt(op);
                long t1 = System.nanoTime();
                if (at >= from) {
                    tally.record(t1 - t0, failure);
                }
                if (t1 >= from && t1 <= until) {
                    tally.finishedInWindow.incrementAndGet();
                }
            }
        }, tally.meter(from, until));
        return tally.result(workload, clients, measure);
    }

    /**
     * The floor: only the essential writes of one governed execution, in raw SQL on the same
     * PostgreSQL — the idempotency row, the conditional reservation update and a chained receipt —
     * one transaction each, all on one tenant as the broker's run is.
     */
    static Result floor(String jdbcUrl, int clients, int tenants, Duration warmup, Duration measure) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("drop table if exists floor_idem, floor_budget, floor_chain, floor_receipts");
            s.execute("create table floor_idem (tenant text, key text, primary key (tenant, key))");
            s.execute("create table floor_budget (tenant text primary key, reserved bigint not null, cap bigint not null,"
                    + " check (reserved <= cap))");
            s.execute("create table floor_chain (tenant text primary key, seq bigint not null, hash text not null)");
            s.execute("create table floor_receipts (tenant text, seq bigint, payload text, hash text, primary key (tenant, seq))");
            for (int i = 0; i < tenants; i++) {
                s.execute("insert into floor_budget values ('t" + i + "', 0, 9000000000000)");
                s.execute("insert into floor_chain values ('t" + i + "', 0, repeat('0', 64))");
            }
        }
        AtomicInteger nextTenant = new AtomicInteger();
        ThreadLocal<String> tenant = ThreadLocal.withInitial(() -> "t" + (nextTenant.getAndIncrement() % tenants));
        AtomicLong keys = new AtomicLong();
        ThreadLocal<Connection> conns = ThreadLocal.withInitial(() -> {
            try {
                Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "");
                c.setAutoCommit(false);
                return c;
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        List<Connection> opened = java.util.Collections.synchronizedList(new ArrayList<>());
        Result r = run(tenants == 1 ? "raw-SQL floor" : "raw-SQL floor, one tenant per client", clients, warmup, measure, () -> {
            Connection c = conns.get();
            if (!opened.contains(c)) {
                opened.add(c);
            }
            try {
                String t = tenant.get();
                try (PreparedStatement ps = c.prepareStatement("insert into floor_idem values (?, ?)")) {
                    ps.setString(1, t);
                    ps.setString(2, "k" + keys.incrementAndGet());
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "update floor_budget set reserved = reserved + 1000 where tenant = ? and reserved + 1000 <= cap")) {
                    ps.setString(1, t);
                    ps.executeUpdate();
                }
                long seq;
                String prev;
                try (PreparedStatement st = c.prepareStatement("select seq, hash from floor_chain where tenant = ? for update")) {
                    st.setString(1, t);
                    try (ResultSet rs = st.executeQuery()) {
                        rs.next();
                        seq = rs.getLong(1) + 1;
                        prev = rs.getString(2);
                    }
                }
                String payload = "{\"kind\":\"spend.reserved\",\"amount_minor\":1000,\"seq\":" + seq + "}";
                String hash = dev.minutework.broker.core.json.CanonicalJson.sha256Hex(payload + prev);
                try (PreparedStatement ps = c.prepareStatement("insert into floor_receipts values (?, ?, ?, ?)")) {
                    ps.setString(1, t);
                    ps.setLong(2, seq);
                    ps.setString(3, payload);
                    ps.setString(4, hash);
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("update floor_chain set seq = ?, hash = ? where tenant = ?")) {
                    ps.setLong(1, seq);
                    ps.setString(2, hash);
                    ps.setString(3, t);
                    ps.executeUpdate();
                }
                c.commit();
                return null;
            } catch (SQLException e) {
                c.rollback();
                return "SQL " + e.getSQLState();
            }
        });
        for (Connection c : opened) {
            c.close();
        }
        return r;
    }

    /** 1,000 executions in flight at once against a provider that takes 300 ms, spread over tenants. */
    static List<String> slowProvider(Api api, int executions, int tenants, Duration jitWarmup) throws Exception {
        List<Api.Tenant> ts = new ArrayList<>();
        for (int i = 0; i < tenants; i++) {
            ts.add(api.readyTenant("slow " + i, 1_000 + i));
        }
        AtomicLong warm = new AtomicLong();
        run("JIT warm-up", 64, Duration.ZERO, jitWarmup, () -> {
            long n = warm.incrementAndGet();
            api.call("POST", "/v1/integration-broker/execute", ts.get((int) (n % tenants)).runtimeKey(),
                    Api.execute("ads.create_campaign", "warm-" + n, campaign(n)));
            return null;
        });
        Tally tally = new Tally();
        CountDownLatch go = new CountDownLatch(1);
        AtomicLong next = new AtomicLong();
        long[] started = new long[1];
        Latencies own = new Latencies();
        Cpu meter = cpu;
        Cpu.Sample[] before = new Cpu.Sample[1];
        clients(executions, () -> {
            int n = (int) next.getAndIncrement();
            Api.Tenant t = ts.get(n % tenants);
            go.await();
            long t0 = System.nanoTime();
            String failure = attempt(() -> {
                Api.Answer a = api.call("POST", "/v1/integration-broker/execute", t.runtimeKey(),
                        Api.execute("ads.create_campaign", "slow-" + n, campaign(n)));
                if (a.brokerMillis() >= 0) {
                    own.add((long) (a.brokerMillis() * 1_000_000));
                }
                return outcome(a, 200);
            });
            tally.record(System.nanoTime() - t0, failure);
            return null;
        }, () -> {
            before[0] = meter == null ? null : meter.sample();
            started[0] = System.nanoTime();
            go.countDown(); // every caller is waiting: release them all at once
        });
        double seconds = (System.nanoTime() - started[0]) / 1e9;
        Cpu.Sample perOp = meter == null || before[0] == null ? new Cpu.Sample(-1, -1, -1)
                : meter.sample().perOp(before[0], executions);
        Result r = tally.result("slow provider", executions, Duration.ofSeconds(1));
        return List.of(String.format(
                "Slow provider (300 ms per call): %d executions over %d tenants in flight at once completed in %.2f s "
                        + "(%.1f× the provider latency); p50 %.0f ms, p99 %.0f ms; %d failures. The broker's own time "
                        + "(Server-Timing) p50 %.0f ms, p99 %.0f ms. CPU per execution: broker %.2f ms, PostgreSQL "
                        + "%.2f ms, bench client %.2f ms.",
                executions, tenants, seconds, seconds / 0.3, r.p50(), r.p99(), r.failures(), own.percentileMillis(0.5),
                own.percentileMillis(0.99), perOp.brokerMs(), perOp.postgresMs(), perOp.benchMs()));
    }

    /** Null when the answer is the expected status and, for executions, {@code succeeded}; else a reason. */
    static String outcome(Api.Answer a, int status) {
        if (a.status() == status && (a.json().get("status") == null || "succeeded".equals(a.text("status")))) {
            return null;
        }
        Object error = a.json().get("error") instanceof Map<?, ?> e ? e.get("code") : a.json().get("error");
        return "HTTP " + a.status() + (a.text("status") == null ? "" : " " + a.text("status"))
                + (error == null ? "" : " " + (error instanceof Map<?, ?> m ? m.get("code") : error));
    }

    private static void createDatabases(EmbeddedPostgres pg, String... names) throws SQLException {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            for (String n : names) {
                s.execute("create database " + n);
            }
        }
    }

    /**
     * The command line as option → value: every argument must be a known option ({@link #OPTIONS})
     * followed by its value, each option at most once. Anything else ({@code --seconds=3}, a typo, a
     * missing value) is refused rather than ignored, so a run never silently uses a default.
     */
    static Map<String, String> options(String[] args) {
        Map<String, String> options = new java.util.LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i];
            if (!OPTIONS.contains(name)) {
                throw new IllegalArgumentException("unknown argument '" + name + "': the options are "
                        + String.join(", ", OPTIONS) + ", each followed by its value as a separate argument"
                        + " (--seconds 3, not --seconds=3)");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            if (options.put(name, args[i + 1]) != null) {
                throw new IllegalArgumentException(name + " is given twice");
            }
        }
        return options;
    }
}
