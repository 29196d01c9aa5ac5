package dev.minutework.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.minutework.broker.server.support.Broker;
import dev.minutework.broker.server.support.LogCapture;
import dev.minutework.broker.server.support.Story;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The embedded run (no {@code BROKER_DATABASE_URL}) is reachable from this machine only: its
 * PostgreSQL listens on 127.0.0.1 and admits only the broker, with a generated password
 * (scram-sha-256, kept in the data directory, mode 600); its HTTP port binds to 127.0.0.1 unless
 * {@code SERVER_ADDRESS} says otherwise. A data directory of an earlier broker (trust) is secured at
 * its first start and keeps its data.
 */
class EmbeddedRunIsLocalOnlyTest {

    static Path data;
    static Broker broker;

    @BeforeAll
    static void start() {
        data = Broker.tempDir();
        broker = Broker.startEmbedded(data);
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void theEmbeddedDatabaseListensOnLoopbackOnlyAndAdmitsNoOneWithoutItsPassword() throws Exception {
        Path passwordFile = data.resolve("postgres-password");
        assertThat(Files.getPosixFilePermissions(passwordFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        String password = Files.readString(passwordFile).strip();
        assertThat(password).hasSizeGreaterThanOrEqualTo(40);
        String url = broker.bean(HikariDataSource.class).getJdbcUrl();
        assertThat(url).startsWith("jdbc:postgresql://127.0.0.1:");

        assertThatThrownBy(() -> DriverManager.getConnection(url, "postgres", "").close()).isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> DriverManager.getConnection(url, "postgres", "not-the-password").close())
                .isInstanceOf(SQLException.class);
        try (Connection c = DriverManager.getConnection(url, "postgres", password)) {
            JdbcClient db = JdbcClient.create(new SingleConnectionDataSource(c, true));
            assertThat(db.sql("show listen_addresses").query(String.class).single()).isEqualTo("127.0.0.1");
            assertThat(db.sql("show unix_socket_directories").query(String.class).single()).isEmpty();
            assertThat(db.sql("show password_encryption").query(String.class).single()).isEqualTo("scram-sha-256");
            assertThat(db.sql("select rolpassword from pg_authid where rolname = 'postgres'").query(String.class).single())
                    .startsWith("SCRAM-SHA-256$");
            List<Map<String, Object>> rules = db.sql("select type, address, auth_method from pg_hba_file_rules")
                    .query().listOfRows();
            assertThat(rules).isNotEmpty().allSatisfy(r -> {
                assertThat(r.get("type")).isEqualTo("host");
                assertThat(r.get("address")).isEqualTo("127.0.0.1");
                assertThat(r.get("auth_method")).isEqualTo("scram-sha-256");
            });
        }
        int port = Integer.parseInt(url.replaceAll(".*:(\\d+)/.*", "$1"));
        Optional<InetAddress> outside = nonLoopbackAddress();
        Assumptions.assumeTrue(outside.isPresent(), "this machine has no non-loopback address to try");
        assertThatThrownBy(() -> connect(outside.get(), port)).isInstanceOf(ConnectException.class);
    }

    @Test
    void theHttpPortBindsToLoopbackUnlessServerAddressSaysOtherwise() throws Exception {
        assertThat(broker.boundAddress()).isEqualTo(InetAddress.getByName("127.0.0.1"));
        Optional<InetAddress> outside = nonLoopbackAddress();
        if (outside.isPresent()) {
            assertThatThrownBy(() -> connect(outside.get(), broker.port())).isInstanceOf(ConnectException.class);
        }
        try (Broker everywhere = Broker.startEmbedded(Broker.tempDir(), Map.of("server.address", "0.0.0.0"))) {
            assertThat(everywhere.boundAddress().isAnyLocalAddress()).isTrue();
            if (outside.isPresent()) {
                connect(outside.get(), everywhere.port());
            }
        }
    }

    @Test
    void withAnExternalDatabaseTheHttpPortBindsAsSpringBootDoes() throws Exception {
        try (Broker external = Broker.startFresh("external_binding")) {
            InetAddress bound = external.boundAddress();
            assertThat(bound == null || bound.isAnyLocalAddress()).as("bound to %s", bound).isTrue();
            Optional<InetAddress> outside = nonLoopbackAddress();
            if (outside.isPresent()) {
                connect(outside.get(), external.port());
            }
        }
    }

    @Test
    void anEarlierBrokersTrustDatabaseIsSecuredAtItsFirstStartAndKeepsItsData() throws Exception {
        Path earlier = Broker.tempDir();
        Path cluster = earlier.resolve("postgres");
        Files.createDirectories(cluster);
        // what earlier brokers made: the library's defaults, trust authentication, no password
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(cluster.toFile())
                .setCleanDataDirectory(false).start();
                Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            // (in a schema of its own: the broker's migrations own the public schema)
            s.execute("create schema earlier");
            s.execute("create table earlier.kept_from_before (note text)");
            s.execute("insert into earlier.kept_from_before values ('still here')");
        }
        assertThat(Files.readString(cluster.resolve("pg_hba.conf"))).contains("trust");
        assertThat(earlier.resolve("postgres-password")).doesNotExist();

        for (int start = 1; start <= 2; start++) {
            try (Broker upgraded = Broker.startEmbedded(earlier)) {
                String url = upgraded.bean(HikariDataSource.class).getJdbcUrl();
                assertThatThrownBy(() -> DriverManager.getConnection(url, "postgres", "").close())
                        .as("start %d", start).isInstanceOf(SQLException.class);
                assertThat(upgraded.bean(JdbcClient.class).sql("select current_user").query(String.class).single())
                        .as("the broker's pool logs in as its application role").isEqualTo("broker_app");
                String superuserPassword = Files.readString(earlier.resolve("postgres-password")).strip();
                try (Connection c = DriverManager.getConnection(url, "postgres", superuserPassword)) {
                    JdbcClient db = JdbcClient.create(new SingleConnectionDataSource(c, true));
                    assertThat(db.sql("select note from earlier.kept_from_before").query(String.class).single())
                            .isEqualTo("still here");
                    assertThat(db.sql("select count(*) from pg_hba_file_rules where auth_method <> 'scram-sha-256'")
                            .query(Long.class).single()).isZero();
                }
                assertThat(new Story(upgraded.http()).tenant("Upgraded " + start, Story.Setup.ready()).id()).isNotBlank();
            }
            assertThat(Files.getPosixFilePermissions(earlier.resolve("postgres-password")))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(Files.readString(cluster.resolve("pg_hba.conf"))).doesNotContain("trust");
        }
        assertThat(LogCapture.lines()).anyMatch(l -> l.contains("Securing the embedded PostgreSQL of an earlier broker"));
        String password = Files.readString(earlier.resolve("postgres-password")).strip();
        assertThat(LogCapture.lines()).noneMatch(l -> l.contains(password));
    }

    private static void connect(InetAddress address, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 2_000);
        }
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    return Optional.of(a);
                }
            }
        }
        return Optional.empty();
    }
}
