package dev.minutework.broker.server.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * One real embedded PostgreSQL per test JVM. Each test class takes a fresh database in it, so
 * classes never see each other's tenants and the server starts only once. The brokers on it run as
 * production does with two roles: the superuser {@code postgres} migrates and owns the tables, and
 * their pools log in as {@link #APP_ROLE}, which the broker grants only what it needs; a test that
 * tampers with the audit tables does so as the superuser ({@link #client}, {@link #superuser}).
 */
public final class TestPostgres {

    /** The role the test brokers' pools log in as (no password: the test cluster trusts local connections). */
    public static final String APP_ROLE = "broker_app";

    private static final AtomicInteger NEXT = new AtomicInteger();
    private static EmbeddedPostgres server;

    private TestPostgres() {}

    private static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                Path dir = Files.createTempDirectory("broker-test-pg");
                server = EmbeddedPostgres.builder().setDataDirectory(dir.toFile()).setCleanDataDirectory(true).start();
                try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                    s.execute("create role " + APP_ROLE + " login");
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot create the test brokers' role " + APP_ROLE, e);
                }
                EmbeddedPostgres started = server;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        started.close();
                    } catch (IOException ignored) {
                        // the JVM is going away
                    }
                }));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return server;
    }

    /** Creates an empty database and returns its JDBC URL (user {@code postgres}, no password). */
    public static String newDatabase(String hint) {
        String name = (hint.toLowerCase().replaceAll("[^a-z0-9]", "_") + "_" + NEXT.incrementAndGet());
        try (Connection c = server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return "jdbc:postgresql://localhost:" + server().getPort() + "/" + name;
    }

    /** A client of the given database on connections of its own (no broker's pool), as superuser. */
    public static JdbcClient client(String jdbcUrl) {
        return JdbcClient.create(new DriverManagerDataSource(jdbcUrl, "postgres", ""));
    }

    /** A superuser connection to the given database, as an operator with psql would have. */
    public static Connection superuser(String jdbcUrl) {
        try {
            return java.sql.DriverManager.getConnection(jdbcUrl, "postgres", "");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What a superuser with psql could do to the audit tables: switch the append-only triggers off
     * for the session and run {@code sql} (with string {@code params}); it must touch a row.
     *
     * @return how many rows it touched
     */
    public static int tamper(String jdbcUrl, String sql, String... params) {
        try (Connection c = superuser(jdbcUrl)) {
            try (Statement s = c.createStatement()) {
                s.execute("set session_replication_role = replica");
            }
            try (java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    ps.setString(i + 1, params[i]);
                }
                int touched = ps.executeUpdate();
                if (touched == 0) {
                    throw new AssertionError("no row touched by " + sql);
                }
                return touched;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
