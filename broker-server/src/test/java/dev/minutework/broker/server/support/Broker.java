package dev.minutework.broker.server.support;

import dev.minutework.broker.server.routing.ProviderRegistry;
import dev.minutework.broker.providers.sandbox.SandboxProviderFactory;
import dev.minutework.broker.server.BrokerApplication;
import dev.minutework.broker.server.RuntimeOnlyApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A real broker process-in-a-JVM: the Spring Boot application on a random port, talking to a real
 * PostgreSQL. Several instances may share one database, as several broker processes would.
 */
public final class Broker implements AutoCloseable {

    public static final String OPERATOR_KEY = "mwb_op_test_operator_key_for_integration_tests";

    private final ConfigurableApplicationContext context;
    private final URI base;
    private final Http http;

    private Broker(ConfigurableApplicationContext context) {
        this.context = context;
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        this.base = URI.create("http://localhost:" + port);
        this.http = new Http(base);
        LogCapture.install();
    }

    /** Starts a broker on the given database, with its data (master keyset) in {@code dataDir}. */
    public static Broker start(String jdbcUrl, Path dataDir) {
        Map<String, Object> props = database(jdbcUrl);
        // the in-process sandbox serves every provider, with its fault knobs
        props.put("broker.sandbox", "true");
        return start(props, dataDir);
    }

    /** Starts a broker the way the README's run command does: embedded PostgreSQL under {@code dataDir}. */
    public static Broker startEmbedded(Path dataDir) {
        return start(new LinkedHashMap<>(), dataDir);
    }

    /** {@link #startEmbedded} with more settings ({@code broker.…}, {@code server.…} names). */
    public static Broker startEmbedded(Path dataDir, Map<String, String> settings) {
        return start(new LinkedHashMap<>(settings), dataDir);
    }

    /**
     * Starts a broker whose provider accounts are served by the real adapters talking to the local
     * provider simulators over HTTP (no sandbox), on a fresh database.
     */
    public static Broker startWithSimulators(String hint) {
        Map<String, Object> props = database(TestPostgres.newDatabase(hint));
        props.put("broker.simulators", "on");
        props.put("broker.sandbox", "false");
        return start(props, tempDir());
    }

    /**
     * A broker with the real adapters and the local simulators on an existing database and data
     * directory: a restart of one started so before.
     */
    public static Broker startWithSimulators(String jdbcUrl, Path dataDir) {
        Map<String, Object> props = database(jdbcUrl);
        props.put("broker.simulators", "on");
        props.put("broker.sandbox", "false");
        return start(props, dataDir);
    }

    /** {@link #startWithSimulators(String)} with more settings ({@code broker.…} names, as on the command line). */
    public static Broker startWithSimulators(String hint, Map<String, String> settings) {
        Map<String, Object> props = database(TestPostgres.newDatabase(hint));
        props.put("broker.simulators", "on");
        props.put("broker.sandbox", "false");
        props.putAll(settings);
        return start(props, tempDir());
    }

    /** {@link #start(String, Path)} on an existing database with more settings (they replace the defaults). */
    public static Broker startOn(String jdbcUrl, Map<String, String> settings) {
        Map<String, Object> props = database(jdbcUrl);
        props.put("broker.sandbox", "true");
        props.putAll(settings);
        return start(props, tempDir());
    }

    /** {@link #startFresh(String)} (the sandbox serves every provider) with more settings. */
    public static Broker startFresh(String hint, Map<String, String> settings) {
        Map<String, Object> props = database(TestPostgres.newDatabase(hint));
        props.put("broker.sandbox", "true");
        props.putAll(settings);
        return start(props, tempDir());
    }

    /**
     * Starts a broker on the given database whose provider accounts are served by the real adapters
     * at each account's {@code base_url}: no sandbox and no simulators of its own, so the test runs
     * the provider simulators and several brokers share one provider, as they would in production.
     */
    public static Broker startForProvidersAtBaseUrls(String jdbcUrl, Path dataDir) {
        Map<String, Object> props = database(jdbcUrl);
        props.put("broker.simulators", "off");
        props.put("broker.sandbox", "false");
        return start(props, dataDir);
    }

    /**
     * Starts a broker on a fresh database whose clock the test moves ({@link MutableClock}); the
     * clock is shared by every broker started this way in the JVM.
     */
    public static Broker startWithMovableClock(String hint) {
        Map<String, Object> props = database(TestPostgres.newDatabase(hint));
        props.put("broker.sandbox", "true");
        return start(props, tempDir(), TestClockConfiguration.class);
    }

    /**
     * Starts a broker served by the local provider simulators, on a fresh database, whose clock
     * (and its simulators') the test moves ({@link MutableClock}).
     */
    public static Broker startWithSimulatorsAndMovableClock(String hint) {
        Map<String, Object> props = database(TestPostgres.newDatabase(hint));
        props.put("broker.simulators", "on");
        props.put("broker.sandbox", "false");
        return start(props, tempDir(), TestClockConfiguration.class);
    }

    /** The clock of brokers started with {@link #startWithMovableClock}. */
    public static MutableClock movableClock() {
        return TestClockConfiguration.CLOCK;
    }

    /**
     * The settings of a database of the test PostgreSQL: its URL, the migrations as the superuser
     * {@code postgres} (which owns the tables), the broker's pool as {@link TestPostgres#APP_ROLE};
     * no passwords.
     */
    private static Map<String, Object> database(String jdbcUrl) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("broker.database.url", jdbcUrl);
        props.put("broker.database.user", TestPostgres.APP_ROLE);
        props.put("broker.database.password", "");
        props.put("broker.database.migration-user", "postgres");
        props.put("broker.database.migration-password", "");
        return props;
    }

    private static Broker start(Map<String, Object> props, Path dataDir) {
        return start(props, dataDir, null);
    }

    private static Broker start(Map<String, Object> props, Path dataDir, Class<?> extra) {
        props.put("broker.data-dir", dataDir.toString());
        props.putIfAbsent("broker.operator-key", OPERATOR_KEY);
        props.put("server.port", "0");
        // tests drive reconciliation themselves (Reconciler.runOnce), never on a timer
        props.put("broker.reconcile.interval", "PT24H");
        // as command-line arguments: they outrank application.properties (default properties do not)
        String[] args = props.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        SpringApplicationBuilder app = extra == null ? new SpringApplicationBuilder(BrokerApplication.class)
                : new SpringApplicationBuilder(BrokerApplication.class, extra);
        return new Broker(app.web(WebApplicationType.SERVLET).run(args));
    }

    /**
     * Starts the runtime alone ({@code broker.role=runtime}): no database, reaching the platform at
     * {@code platform} only through its HTTP API, serving the tenant of {@code runtimeKey}.
     */
    public static Broker startRuntime(URI platform, String runtimeKey) {
        String[] args = {"--broker.role=runtime", "--broker.platform-url=" + platform,
                "--broker.runtime-key=" + runtimeKey, "--server.port=0"};
        return new Broker(new SpringApplicationBuilder(RuntimeOnlyApplication.class)
                .web(WebApplicationType.SERVLET).run(args));
    }

    /** Starts a broker with its own fresh database. */
    public static Broker startFresh(String hint) {
        return start(TestPostgres.newDatabase(hint), tempDir());
    }

    public static Path tempDir() {
        try {
            return Files.createTempDirectory("broker-test-data");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Http http() {
        return http;
    }

    public URI base() {
        return base;
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    /** The address the HTTP port is bound to; null when it is bound to every interface. */
    public java.net.InetAddress boundAddress() {
        org.springframework.boot.tomcat.TomcatWebServer server =
                (org.springframework.boot.tomcat.TomcatWebServer) ((WebServerApplicationContext) context).getWebServer();
        return (java.net.InetAddress) server.getTomcat().getConnector().getProperty("address");
    }

    /** The HTTP port. */
    public int port() {
        return base.getPort();
    }

    public String jdbcUrl() {
        return context.getEnvironment().getProperty("broker.database.url");
    }

    @Override
    public void close() {
        context.close();
    }

    /** The broker's in-process sandbox adapter, for its fault knobs and object counts. */
    public SandboxProviderFactory sandbox() {
        return (SandboxProviderFactory) bean(ProviderRegistry.class).sandbox();
    }
}
