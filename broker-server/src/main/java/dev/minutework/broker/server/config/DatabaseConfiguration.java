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
import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The database: an external PostgreSQL when {@code BROKER_DATABASE_URL} is set, otherwise an
 * embedded PostgreSQL whose data directory stays on disk under {@code broker.data-dir}, so a
 * restart keeps every tenant, key, wallet and receipt. The embedded one listens on 127.0.0.1 only
 * (no Unix socket) and admits only its superuser and the broker's application role, each with a
 * generated password (scram-sha-256), kept in {@code <data-dir>/postgres-password} and
 * {@code <data-dir>/app-password} (mode 600).
 *
 * <p>Two roles: the migrations run as the role that owns the tables (the embedded superuser, or
 * {@code BROKER_DATABASE_MIGRATION_USER}), on connections of their own that close when they are
 * done; the broker's pool logs in as the application role, which {@link ApplicationRoleGrants}
 * holds to reading and appending the audit tables. An external database without a migration user
 * keeps one role for both, with a warning: its audit tables are then not protected from the broker.
 */
@Configuration(proxyBeanMethods = false)
class DatabaseConfiguration {

    private static final Logger log = LoggerFactory.getLogger(DatabaseConfiguration.class);

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(BrokerProperties props, EmbeddedDatabase embedded) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("broker");
        config.setMaximumPoolSize(props.database().poolSize());
        BrokerProperties.Database db = props.database();
        if (db.external()) {
            config.setJdbcUrl(db.url());
            config.setUsername(db.user());
            config.setPassword(db.password());
            if (db.separateMigrationUser()) {
                log.info("Using external PostgreSQL as role {}; migrations run as role {}", db.user(), db.migrationUser());
            } else {
                log.warn("Using external PostgreSQL with one role ({}) for the migrations and the broker: it owns the "
                        + "tables, so the audit tables {} are not protected from it (it can change their rows or "
                        + "disable their append-only triggers). Set BROKER_DATABASE_MIGRATION_USER and "
                        + "BROKER_DATABASE_MIGRATION_PASSWORD to an owner role (README, External PostgreSQL)",
                        db.user(), ApplicationRoleGrants.AUDIT_TABLES);
            }
        } else {
            config.setJdbcUrl(embedded.jdbcUrl());
            config.setUsername(EmbeddedDatabase.APP_USER);
            config.setPassword(embedded.appPassword());
            log.info("Using embedded PostgreSQL with data in {}, as role {}; migrations run as {}",
                    embedded.dataDirectory(), EmbeddedDatabase.APP_USER, EmbeddedDatabase.USER);
        }
        return new HikariDataSource(config);
    }

    /**
     * The migrations run as the owner role, on Flyway's own connections (closed once it is done, so
     * the process keeps no owner connection open): the embedded superuser, or the external
     * migration user when one is set (else the broker's pool, as before).
     */
    @Bean
    FlywayConfigurationCustomizer migrationsAsOwner(BrokerProperties props, EmbeddedDatabase embedded) {
        BrokerProperties.Database db = props.database();
        return configuration -> {
            if (!db.external()) {
                configuration.dataSource(embedded.jdbcUrl(), EmbeddedDatabase.USER, embedded.password());
            } else if (db.separateMigrationUser()) {
                configuration.dataSource(db.url(), db.migrationUser(),
                        db.migrationPassword() == null ? "" : db.migrationPassword());
            }
        };
    }

    /** At every start: the migrations, then the application role's rights, granted by the owner. */
    @Bean
    FlywayMigrationStrategy migrateThenGrant(BrokerProperties props) {
        BrokerProperties.Database db = props.database();
        boolean twoRoles = !db.external() || db.separateMigrationUser();
        String appRole = db.external() ? db.user() : EmbeddedDatabase.APP_USER;
        return flyway -> {
            flyway.migrate();
            if (twoRoles) {
                ApplicationRoleGrants.grant(flyway.getConfiguration().getDataSource(), appRole);
            }
        };
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
     * start pg_hba.conf is rewritten to admit the superuser and the application role over 127.0.0.1,
     * each with its password, and no one else, and a connection without a password must fail, or the
     * broker does not start.
     *
     * <p>The broker's pool does not log in as the superuser: at every start the application role
     * ({@link #APP_USER}) is created if missing (a directory of an earlier broker gets it at its first
     * start) and given the password kept in {@code <data-dir>/app-password}; the superuser only runs
     * the migrations and grants that role its rights ({@link ApplicationRoleGrants}).
     */
    static final class EmbeddedDatabase implements AutoCloseable {

        /** The embedded database's superuser: owns the tables, runs the migrations. */
        static final String USER = "postgres";

        /** The role the broker's pool logs in as: reads and appends the audit tables, never changes them. */
        static final String APP_USER = "broker_app";

        /** The superuser's password file, beside the data directory. */
        static final String PASSWORD_FILE = "postgres-password";

        /** The application role's password file, beside the data directory. */
        static final String APP_PASSWORD_FILE = "app-password";

        /** The only ways in: the superuser and the application role, over the loopback interface, with their passwords. */
        static final String HBA = """
                # Written by the broker at every start; edits are overwritten. The embedded database
                # listens on 127.0.0.1 only and admits its superuser and the broker's application role,
                # each with its generated password (see postgres-password and app-password beside this
                # directory), and no one else.
                host    all         postgres      127.0.0.1/32    scram-sha-256
                host    postgres    broker_app    127.0.0.1/32    scram-sha-256
                """;

        /** For the one start that sets the password of an earlier broker's (trust) data directory. */
        static final String HBA_WHILE_SECURING = """
                # Written by the broker for the one start that sets the superuser's password.
                host    all    postgres    127.0.0.1/32    trust
                """;

        private final EmbeddedPostgres postgres;
        private final Path dataDirectory;
        private final String password;
        private final String appPassword;

        private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory, String password, String appPassword) {
            this.postgres = postgres;
            this.dataDirectory = dataDirectory;
            this.password = password;
            this.appPassword = appPassword;
        }

        static EmbeddedDatabase none() {
            return new EmbeddedDatabase(null, null, null, null);
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
                EmbeddedDatabase db = new EmbeddedDatabase(pg, dataDirectory.toAbsolutePath(), password,
                        applicationPassword(dataDirectory.resolveSibling(APP_PASSWORD_FILE)));
                try {
                    if (!secured) {
                        db.secure(initialized);
                        Files.move(pending, passwordFile, StandardCopyOption.REPLACE_EXISTING,
                                StandardCopyOption.ATOMIC_MOVE);
                    }
                    db.createApplicationRole();
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
            try (Connection c = connect(USER, password); Statement s = c.createStatement()) {
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

        /**
         * The application role's password: the one kept in {@code file}, or a new one written there
         * first (the role is given it at every start, so the file and the database never disagree).
         */
        private static String applicationPassword(Path file) throws IOException {
            if (Files.exists(file)) {
                restrict(file);
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            }
            String generated = generatePassword();
            writeSecret(file, generated);
            return generated;
        }

        /**
         * Creates the application role if missing, holds it to a plain login (no superuser, no
         * creating roles or databases, no replication), and gives it the password of its file.
         */
        private void createApplicationRole() {
            try (Connection c = connect(USER, password); Statement s = c.createStatement()) {
                boolean exists;
                try (java.sql.ResultSet rs = s.executeQuery("select 1 from pg_roles where rolname = '" + APP_USER + "'")) {
                    exists = rs.next();
                }
                if (!exists) {
                    s.execute("create role " + APP_USER);
                    log.info("Created the database role {} for the broker's connections in {}; the superuser now "
                            + "runs only the migrations", APP_USER, dataDirectory);
                }
                s.execute("alter role " + APP_USER + " login nosuperuser nocreatedb nocreaterole noreplication nobypassrls");
                // as for the superuser: only the SCRAM verifier the driver computes is sent
                c.unwrap(PGConnection.class).alterUserPassword(APP_USER, appPassword.toCharArray(), "scram-sha-256");
            } catch (SQLException e) {
                throw new IllegalStateException("could not create the application role in " + dataDirectory, e);
            }
        }

        /**
         * A connection without a password must be refused, for the superuser and the application role
         * alike (the reload of pg_hba.conf takes a moment).
         */
        private void refuseWithoutPassword() {
            for (int attempt = 0; attempt < 50; attempt++) {
                if (!admitsWithoutPassword(USER) && !admitsWithoutPassword(APP_USER)) {
                    return;
                }
                sleep();
            }
            throw new IllegalStateException("the embedded PostgreSQL in " + dataDirectory
                    + " admits connections without a password; refusing to start");
        }

        private boolean admitsWithoutPassword(String user) {
            try (Connection c = connect(user, null)) {
                return true;
            } catch (SQLException refused) {
                return false;
            }
        }

        private Connection connect(String user, String pw) throws SQLException {
            java.util.Properties p = new java.util.Properties();
            p.setProperty("user", user);
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

        String appPassword() {
            return appPassword;
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
