package dev.minutework.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.minutework.broker.server.config.ApplicationRoleGrants;
import dev.minutework.broker.server.support.Broker;
import dev.minutework.broker.server.support.BrokerTestCase;
import dev.minutework.broker.server.support.LogCapture;
import dev.minutework.broker.server.support.Story;
import dev.minutework.broker.server.support.TestPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The broker runs as a database role that does not own the audit tables: the migrations run as the
 * owner, the broker's pool as an application role that may read and append the audit tables and
 * nothing more, so PostgreSQL itself refuses it any change to the evidence (no trigger needed), in
 * the embedded run as with an external database.
 */
@ExtendWith(OutputCaptureExtension.class)
class DatabaseRolesTest extends BrokerTestCase {

    /** PostgreSQL's insufficient_privilege. */
    private static final String PERMISSION_DENIED = "42501";

    static Stream<String> auditTables() {
        return ApplicationRoleGrants.AUDIT_TABLES.stream();
    }

    @Test
    void theBrokersPoolLogsInAsTheApplicationRoleWhileTheMigrationsRanAsTheOwner() {
        assertThat(currentUser(broker.bean(DataSource.class))).isEqualTo(TestPostgres.APP_ROLE);
        JdbcClient owner = TestPostgres.client(broker.jdbcUrl());
        assertThat(owner.sql("select distinct installed_by from flyway_schema_history").query(String.class).list())
                .containsExactly("postgres");
        assertThat(owner.sql("select distinct tableowner from pg_tables where schemaname = 'public'")
                .query(String.class).list()).containsExactly("postgres");
    }

    @ParameterizedTest
    @MethodSource("auditTables")
    void theApplicationRoleMayReadAndAppendAnAuditTableButPostgresRefusesItEveryChange(String table) {
        Story.Tenant t = story.tenant("Guarded " + table, Story.Setup.ready());
        story.createApproved(t, "c-1", Story.campaign("Audit me", 1_000));
        if (table.equals("broker_webhook_events")) {
            // no provider sends webhooks here: the application role appends one row itself
            assertThat(jdbc.sql("""
                    insert into broker_webhook_events (tenant_id, seq, kind, provider, provider_event_id, signature_verdict,
                      raw_body_digest, payload, payload_digest, prev_hash, hash, created_at)
                    values (:t, 1, 'test.event', 'openaiads', 'evt-1', 'valid', 'd', '{}', 'd', 'p', 'h', now())
                    """).param("t", t.id()).update()).isEqualTo(1);
        }
        // a signed checkpoint of the tenant's receipts: a row of receipt_checkpoints, owned by the tenant
        if (table.equals("receipt_checkpoints")) {
            assertThat(http.get("/v1/receipts/checkpoint", t.viewerKey()).status()).isEqualTo(200);
        }
        String owner = table.equals("receipt_checkpoints") ? "owner_id" : "tenant_id";
        String column = table.equals("receipt_checkpoints") ? "note" : "payload";
        // the broker appended the receipts and spend policy receipts as the application role
        long rows = jdbc.sql("select count(*) from " + table + " where " + owner + " = :t").param("t", t.id())
                .query(Long.class).single();
        assertThat(rows).as("rows of %s the application role appended and reads", table).isPositive();

        assertRefused(() -> jdbc.sql("update " + table + " set " + column + " = '{}' where " + owner + " = :t").param("t", t.id())
                .update());
        assertRefused(() -> jdbc.sql("delete from " + table + " where " + owner + " = :t").param("t", t.id()).update());
        assertRefused(() -> jdbc.sql("truncate " + table).update());
        assertRefused(() -> jdbc.sql("alter table " + table + " disable trigger all").update());
        assertRefused(() -> jdbc.sql("alter table " + table + " disable trigger " + table + "_append_only").update());
        assertRefused(() -> jdbc.sql("drop table " + table).update());
        assertRefused(() -> jdbc.sql("set session_replication_role = replica").update());

        assertThat(jdbc.sql("select count(*) from " + table + " where " + owner + " = :t").param("t", t.id())
                .query(Long.class).single()).as("rows of %s after the refused changes", table).isEqualTo(rows);
        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
    }

    @Test
    void theApplicationRoleOwnsNothingIsNoSuperuserAndCannotCreateInTheSchema() {
        JdbcClient owner = TestPostgres.client(broker.jdbcUrl());
        String app = TestPostgres.APP_ROLE;
        assertThat(owner.sql("select count(*) from pg_tables where tableowner = :r").param("r", app).query(Long.class)
                .single()).as("tables %s owns", app).isZero();
        assertThat(owner.sql("select rolsuper from pg_roles where rolname = :r").param("r", app).query(Boolean.class)
                .single()).isFalse();
        for (String table : ApplicationRoleGrants.AUDIT_TABLES) {
            assertThat(owner.sql("""
                    select pg_has_role(:r, c.relowner, 'MEMBER') from pg_class c
                    where c.relname = :t and c.relnamespace = 'public'::regnamespace""")
                    .param("r", app).param("t", table).query(Boolean.class).single())
                    .as("%s owns %s or is a member of its owner", app, table).isFalse();
        }
        assertRefused(() -> jdbc.sql("create table intruder (note text)").update());
        assertRefused(() -> jdbc.sql("create function intruder() returns int language sql as 'select 1'").update());
    }

    @Test
    void theApplicationRoleHoldsExactlyItsRightsOnEveryTable() {
        Map<String, Set<String>> held = rightsOf(TestPostgres.APP_ROLE, broker.jdbcUrl());
        assertThat(held).containsKeys("chain_heads", "executions", "scheduled_tasks", "flyway_schema_history");
        held.forEach((table, rights) -> {
            Set<String> expected = ApplicationRoleGrants.AUDIT_TABLES.contains(table) ? Set.of("INSERT", "SELECT")
                    : table.equals("flyway_schema_history") ? Set.of("SELECT")
                    : Set.of("DELETE", "INSERT", "SELECT", "UPDATE");
            assertThat(rights).as("rights of %s on %s", TestPostgres.APP_ROLE, table).isEqualTo(expected);
        });
        for (String table : ApplicationRoleGrants.AUDIT_TABLES) {
            assertThat(held.get(table)).as("rights on %s", table).containsExactlyInAnyOrder("INSERT", "SELECT");
        }
    }

    @Test
    void everyTableGuardedByTheAppendOnlyTriggersIsAnAuditTable() {
        // a new audit table (a migration that adds the triggers) must be named in AUDIT_TABLES too, or the
        // broker would grant its role UPDATE and DELETE on it
        assertThat(TestPostgres.client(broker.jdbcUrl()).sql("""
                select distinct c.relname from pg_trigger tg
                join pg_class c on c.oid = tg.tgrelid
                join pg_proc p on p.oid = tg.tgfoid
                where p.proname = 'refuse_append_only_change'""").query(String.class).list())
                .containsExactlyInAnyOrderElementsOf(ApplicationRoleGrants.AUDIT_TABLES);
    }

    @Test
    void theNextStartGrantsALaterMigrationsTableAndTakesBackWhatAnAuditTableMustNotGive() throws SQLException {
        String db = broker.jdbcUrl();
        try (Connection c = TestPostgres.superuser(db); Statement s = c.createStatement()) {
            s.execute("create table later_feature (id text primary key)"); // what a later migration would add
            s.execute("grant update, delete, truncate on broker_receipts to " + TestPostgres.APP_ROLE);
            s.execute("revoke delete on chain_heads from " + TestPostgres.APP_ROLE);
        }
        try (Broker second = Broker.start(db, Broker.tempDir())) {
            Map<String, Set<String>> held = rightsOf(TestPostgres.APP_ROLE, db);
            assertThat(held.get("later_feature")).containsExactlyInAnyOrder("DELETE", "INSERT", "SELECT", "UPDATE");
            assertThat(held.get("broker_receipts")).containsExactlyInAnyOrder("INSERT", "SELECT");
            assertThat(held.get("chain_heads")).containsExactlyInAnyOrder("DELETE", "INSERT", "SELECT", "UPDATE");
            assertThat(currentUser(second.bean(DataSource.class))).isEqualTo(TestPostgres.APP_ROLE);
        }
    }

    @Test
    void anExternalOwnerWithoutSuperuserRightsMigratesAndAnAppRoleThatIsItsMemberIsRefused() throws SQLException {
        String db = TestPostgres.newDatabase("external_owner");
        String name = db.substring(db.lastIndexOf('/') + 1);
        String owner = name + "_owner";
        String app = name + "_app";
        String member = name + "_member";
        // what the README tells an operator to run, as the superuser
        try (Connection c = TestPostgres.superuser(db); Statement s = c.createStatement()) {
            s.execute("create role " + owner + " login");
            s.execute("create role " + app + " login");
            s.execute("create role " + member + " login in role " + owner);
            s.execute("alter database " + name + " owner to " + owner);
            s.execute("alter schema public owner to " + owner);
        }
        try (Broker external = Broker.startOn(db, Map.of("broker.database.user", app,
                "broker.database.migration-user", owner))) {
            assertThat(currentUser(external.bean(DataSource.class))).isEqualTo(app);
            assertThat(TestPostgres.client(db).sql("select distinct tableowner from pg_tables where schemaname = 'public'")
                    .query(String.class).list()).containsExactly(owner);
            Story.Tenant t = new Story(external.http()).tenant("External owner", Story.Setup.ready());
            assertThat(new Story(external.http()).verify(t).get("valid").asBoolean()).isTrue();
            assertThat(rightsOf(app, db).get("broker_receipts")).containsExactlyInAnyOrder("INSERT", "SELECT");
        }
        assertThatThrownBy(() -> Broker.startOn(db, Map.of("broker.database.user", member,
                "broker.database.migration-user", owner)).close())
                .hasStackTraceContaining("the database role " + member + " is not held to reading and appending")
                .hasStackTraceContaining("it owns or may change the audit table broker_receipts");
    }

    @Test
    void oneRoleForMigrationsAndBrokerStillRunsButSaysTheAuditTablesAreNotProtected(CapturedOutput output) {
        try (Broker single = Broker.startFresh("single_role", Map.of("broker.database.user", "postgres",
                "broker.database.migration-user", ""))) {
            assertThat(currentUser(single.bean(DataSource.class))).isEqualTo("postgres");
        }
        // (the start's own lines: Spring Boot resets the logging system, and LogCapture, as a context starts)
        assertThat(output.getOut().lines()).anyMatch(l -> l.contains("WARN")
                && l.contains("one role (postgres) for the migrations and the broker")
                && l.contains("not protected"));
    }

    @Test
    void theEmbeddedRunPoolsAsTheApplicationRoleWithItsOwnPasswordAndMigratesAsTheSuperuser(CapturedOutput output)
            throws Exception {
        Path data = Broker.tempDir();
        try (Broker embedded = Broker.startEmbedded(data)) {
            HikariDataSource pool = embedded.bean(HikariDataSource.class);
            assertThat(currentUser(pool)).isEqualTo("broker_app");
            Path appPasswordFile = data.resolve("app-password");
            assertThat(Files.getPosixFilePermissions(appPasswordFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            String appPassword = Files.readString(appPasswordFile).strip();
            assertThat(appPassword).hasSizeGreaterThanOrEqualTo(40);
            String url = pool.getJdbcUrl();
            assertThatThrownBy(() -> DriverManager.getConnection(url, "broker_app", "").close()).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> DriverManager.getConnection(url, "broker_app", "not-the-password").close())
                    .isInstanceOf(SQLException.class);
            DriverManager.getConnection(url, "broker_app", appPassword).close();

            JdbcClient app = embedded.bean(JdbcClient.class);
            Story.Tenant t = new Story(embedded.http()).tenant("Embedded roles", Story.Setup.ready());
            assertRefused(() -> app.sql("delete from broker_receipts where tenant_id = :t").param("t", t.id()).update());
            assertRefused(() -> app.sql("alter table broker_receipts disable trigger all").update());

            String superuserPassword = Files.readString(data.resolve("postgres-password")).strip();
            try (Connection c = DriverManager.getConnection(url, "postgres", superuserPassword)) {
                JdbcClient owner = JdbcClient.create(new SingleConnectionDataSource(c, true));
                assertThat(owner.sql("select distinct installed_by from flyway_schema_history").query(String.class).list())
                        .containsExactly("postgres");
                assertThat(owner.sql("select distinct tableowner from pg_tables where schemaname = 'public'")
                        .query(String.class).list()).containsExactly("postgres");
                assertThat(owner.sql("select rolsuper or rolcreaterole or rolcreatedb from pg_roles where rolname = 'broker_app'")
                        .query(Boolean.class).single()).isFalse();
            }
            assertThat(output.getAll()).contains("as role broker_app").doesNotContain(appPassword)
                    .doesNotContain(superuserPassword);
            assertThat(LogCapture.lines()).noneMatch(l -> l.contains(appPassword) || l.contains(superuserPassword));
        }
    }

    @Test
    void anEmbeddedDirectoryOfASingleRoleBrokerGetsTheApplicationRoleAtItsFirstStart(CapturedOutput output)
            throws Exception {
        Path data = Broker.tempDir();
        Story.Tenant t;
        try (Broker before = Broker.startEmbedded(data)) {
            t = new Story(before.http()).tenant("Before the roles", Story.Setup.ready());
        }
        // back to what the broker before the two roles left: no application role, no app-password, one pg_hba line
        String superuserPassword = Files.readString(data.resolve("postgres-password")).strip();
        Path cluster = data.resolve("postgres");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(cluster.toFile())
                .setCleanDataDirectory(false).setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("unix_socket_directories", "").setConnectConfig("password", superuserPassword).start();
                Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres",
                        "postgres", superuserPassword);
                Statement s = c.createStatement()) {
            s.execute("drop owned by broker_app");
            s.execute("drop role broker_app");
        }
        Files.delete(data.resolve("app-password"));
        Files.writeString(cluster.resolve("pg_hba.conf"), "host    all    postgres    127.0.0.1/32    scram-sha-256\n");

        try (Broker after = Broker.startEmbedded(data)) {
            assertThat(currentUser(after.bean(DataSource.class))).isEqualTo("broker_app");
            assertThat(new Story(after.http()).verify(t).get("valid").asBoolean()).isTrue();
            assertThat(Files.getPosixFilePermissions(data.resolve("app-password")))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(Files.readString(cluster.resolve("pg_hba.conf"))).contains("broker_app");
        }
        assertThat(output.getOut()).contains("Created the database role broker_app");
    }

    /** The role the connections of {@code pool} log in as. */
    private static String currentUser(DataSource pool) {
        return JdbcClient.create(pool).sql("select current_user").query(String.class).single();
    }

    /** Table of the public schema → the rights {@code role} holds on it (granted to it, not to PUBLIC). */
    private static Map<String, Set<String>> rightsOf(String role, String jdbcUrl) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (Map<String, Object> row : TestPostgres.client(jdbcUrl).sql("""
                select c.relname::text as tbl, a.privilege_type as privilege from pg_class c
                left join lateral aclexplode(c.relacl) a on a.grantee = (select oid from pg_roles where rolname = :r)
                where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'""").param("r", role).query().listOfRows()) {
            Set<String> rights = out.computeIfAbsent((String) row.get("tbl"), k -> new TreeSet<>());
            if (row.get("privilege") != null) {
                rights.add((String) row.get("privilege"));
            }
        }
        return out;
    }

    /** PostgreSQL refuses the statement for want of privilege (not a trigger, not a syntax error). */
    private static void assertRefused(ThrowingCallable statement) {
        assertThatThrownBy(statement).satisfies(e -> assertThat(sqlState(e)).as("SQLSTATE of %s", e).isEqualTo(PERMISSION_DENIED));
    }

    private static String sqlState(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof SQLException s) {
                return s.getSQLState();
            }
        }
        return null;
    }
}
