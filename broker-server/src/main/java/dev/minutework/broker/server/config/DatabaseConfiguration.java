package dev.minutework.broker.server.config;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The database: an external PostgreSQL when {@code BROKER_DATABASE_URL} is set, otherwise an
 * embedded PostgreSQL whose data directory stays on disk under {@code broker.data-dir}, so a
 * restart keeps every tenant, key, wallet and receipt. The embedded one listens on 127.0.0.1 only
 * (no Unix socket) and admits only its superuser with a generated password (scram-sha-256), kept in
 * {@code <data-dir>/postgres-password} (mode 600).
 */
@Configuration(proxyBeanMethods = false)
class DatabaseConfiguration {

    private static final Logger log = LoggerFactory.getLogger(DatabaseConfiguration.class);

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(BrokerProperties props, EmbeddedDatabase embedded) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("broker");
        config.setMaximumPoolSize(props.database().poolSize());
        if (props.database().external()) {
            config.setJdbcUrl(props.database().url());
            config.setUsername(props.database().user());
            config.setPassword(props.database().password());
            log.info("Using external PostgreSQL");
        } else {
            config.setJdbcUrl(embedded.jdbcUrl());
            config.setUsername(EmbeddedDatabase.USER);
            config.setPassword(embedded.password());
            log.info("Using embedded PostgreSQL with data in {}", embedded.dataDirectory());
        }
        return new HikariDataSource(config);
    }

    @Bean(destroyMethod = "close")
    EmbeddedDatabase embeddedDatabase(BrokerProperties props) {
        if (props.database().external()) {
            return EmbeddedDatabase.none();
        }
        return EmbeddedDatabase.start(props.dataDir().resolve("postgres"));
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * The embedded PostgreSQL process, or nothing when the database is external.
     *
     * <p>Its data directory is created by initdb with scram-sha-256 for every connection and the
     * generated password ({@code --pwfile}), so it never admits anyone without it, not even while it
     * starts for the first time. A data directory of an earlier broker (initdb's trust authentication,
     * no password file) is secured at its first start: a pg_hba.conf that trusts only the superuser
     * over 127.0.0.1 for that one start (the directory trusted every local connection before), the
     * password set, the password-only pg_hba.conf written and loaded, other sessions ended. At every
     * start pg_hba.conf is rewritten to admit the superuser over 127.0.0.1 with the password and no
     * one else, and a connection without the password must fail, or the broker does not start.
     */
    static final class EmbeddedDatabase implements AutoCloseable {

        /** The embedded database's only role. */
        static final String USER = "postgres";

        /** The password file, beside the data directory. */
        static final String PASSWORD_FILE = "postgres-password";

        /** The only way in: the superuser, over the loopback interface, with the password. */
        static final String HBA = """
                # Written by the broker at every start; edits are overwritten. The embedded database
                # listens on 127.0.0.1 only and admits its superuser with the broker's generated
                # password (see postgres-password beside this directory), and no one else.
                host    all    postgres    127.0.0.1/32    scram-sha-256
                """;

        /** For the one start that sets the password of an earlier broker's (trust) data directory. */
        static final String HBA_WHILE_SECURING = """
                # Written by the broker for the one start that sets the superuser's password.
                host    all    postgres    127.0.0.1/32    trust
                """;

        private final EmbeddedPostgres postgres;
        private final Path dataDirectory;
        private final String password;

        private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory, String password) {
            this.postgres = postgres;
            this.dataDirectory = dataDirectory;
            this.password = password;
        }

        static EmbeddedDatabase none() {
            return new EmbeddedDatabase(null, null, null);
        }

        static EmbeddedDatabase start(Path dataDirectory) {
            Path passwordFile = dataDirectory.resolveSibling(PASSWORD_FILE);
            Path pending = dataDirectory.resolveSibling(PASSWORD_FILE + ".new");
            try {
                Files.createDirectories(dataDirectory);
                boolean initialized = Files.exists(dataDirectory.resolve("postgresql.conf"));
                boolean secured = initialized && Files.exists(passwordFile);
                String password;
                if (secured) {
                    password = Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
                    restrict(passwordFile);
                    Files.writeString(dataDirectory.resolve("pg_hba.conf"), HBA);
                } else {
                    // a new password goes live only once the database holds it; until then it is pending
                    password = generatePassword();
                    writeSecret(pending, password);
                    if (initialized) {
                        Files.writeString(dataDirectory.resolve("pg_hba.conf"), HBA_WHILE_SECURING);
                    }
                }
                // the library starts PostgreSQL for throwaway test databases (fsync and synchronous
                // commit off); the broker's data is money and receipts, so it is made durable again
                EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                        .setDataDirectory(dataDirectory.toFile())
                        .setCleanDataDirectory(false)
                        .setServerConfig("fsync", "on")
                        .setServerConfig("synchronous_commit", "on")
                        .setServerConfig("full_page_writes", "on")
                        .setServerConfig("listen_addresses", "127.0.0.1")
                        .setServerConfig("unix_socket_directories", "")
                        .setServerConfig("password_encryption", "scram-sha-256")
                        .setConnectConfig("password", password);
                if (!initialized) {
                    // initdb's own options (the library passes these after its "-A trust"), so the new
                    // directory never trusts anyone: every connection needs the password
                    builder.setLocaleConfig("auth-host", "scram-sha-256")
                            .setLocaleConfig("auth-local", "scram-sha-256")
                            .setLocaleConfig("pwfile", pending.toAbsolutePath().toString());
                }
                EmbeddedPostgres pg;
                try {
                    pg = builder.start();
                } catch (IOException e) {
                    throw new IOException("could not start the embedded PostgreSQL or log in to it with the password in "
                            + (secured ? passwordFile : pending), e);
                }
                EmbeddedDatabase db = new EmbeddedDatabase(pg, dataDirectory.toAbsolutePath(), password);
                try {
                    if (!secured) {
                        db.secure(initialized);
                        Files.move(pending, passwordFile, StandardCopyOption.REPLACE_EXISTING,
                                StandardCopyOption.ATOMIC_MOVE);
                    }
                    db.refuseWithoutPassword();
                } catch (RuntimeException | IOException e) {
                    db.close();
                    throw e;
                }
                return db;
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the embedded PostgreSQL in " + dataDirectory, e);
            }
        }

        /**
         * Makes the running database admit only the superuser with the password: sets it (a directory
         * of an earlier broker has none), writes and loads the password-only pg_hba.conf, and ends every
         * other session (none may have come in over the trust of an earlier broker).
         */
        private void secure(boolean earlierBroker) throws IOException {
            try (Connection c = connect(password); Statement s = c.createStatement()) {
                if (earlierBroker) {
                    // the driver sends only the SCRAM verifier it computes: no statement log can show the password
                    c.unwrap(PGConnection.class).alterUserPassword(USER, password.toCharArray(), "scram-sha-256");
                    log.warn("Securing the embedded PostgreSQL of an earlier broker in {}: it trusted local connections; "
                            + "it now requires the generated password", dataDirectory);
                }
                Files.writeString(dataDirectory.resolve("pg_hba.conf"), HBA);
                s.execute("select pg_reload_conf()");
                s.execute("select pg_terminate_backend(pid) from pg_stat_activity "
                        + "where backend_type = 'client backend' and pid <> pg_backend_pid()");
            } catch (SQLException e) {
                throw new IllegalStateException("could not secure the embedded PostgreSQL in " + dataDirectory, e);
            }
        }

        /** A connection without the password must be refused (the reload of pg_hba.conf takes a moment). */
        private void refuseWithoutPassword() {
            for (int attempt = 0; attempt < 50; attempt++) {
                try (Connection c = connect(null)) {
                    sleep();
                } catch (SQLException refused) {
                    return;
                }
            }
            throw new IllegalStateException("the embedded PostgreSQL in " + dataDirectory
                    + " admits connections without a password; refusing to start");
        }

        private Connection connect(String pw) throws SQLException {
            java.util.Properties p = new java.util.Properties();
            p.setProperty("user", USER);
            if (pw != null) {
                p.setProperty("password", pw);
            }
            return DriverManager.getConnection(jdbcUrl(), p);
        }

        private static void sleep() {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while checking the embedded PostgreSQL", e);
            }
        }

        private static String generatePassword() {
            byte[] bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }

        /** Writes a secret into a file only its owner may read, created so from the start. */
        private static void writeSecret(Path file, String secret) throws IOException {
            Files.deleteIfExists(file);
            Set<StandardOpenOption> options = EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            SeekableByteChannel channel;
            try {
                channel = Files.newByteChannel(file, options,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                log.warn("could not restrict permissions of {}", file);
                channel = Files.newByteChannel(file, options);
            }
            try (SeekableByteChannel out = channel) {
                out.write(java.nio.ByteBuffer.wrap(secret.getBytes(StandardCharsets.UTF_8)));
            }
        }

        private static void restrict(Path file) throws IOException {
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                log.warn("could not restrict permissions of {}", file);
            }
        }

        String jdbcUrl() {
            return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
        }

        String password() {
            return password;
        }

        Path dataDirectory() {
            return dataDirectory;
        }

        @Override
        public void close() throws IOException {
            if (postgres != null) {
                postgres.close();
            }
        }
    }
}
