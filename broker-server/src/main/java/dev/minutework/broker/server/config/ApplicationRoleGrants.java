package dev.minutework.broker.server.config;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the broker's application role may do in the database, granted by the role that owns the
 * tables right after the migrations, at every start: on the audit tables ({@link #AUDIT_TABLES})
 * only {@code SELECT} and {@code INSERT}; on every other table of the schema {@code SELECT},
 * {@code INSERT}, {@code UPDATE} and {@code DELETE} (Flyway's history: {@code SELECT}); on its
 * sequences {@code USAGE} and {@code SELECT}; nothing else. Not owning the audit tables, the role
 * cannot disable their append-only triggers, and without {@code UPDATE}, {@code DELETE} or
 * {@code TRUNCATE} PostgreSQL refuses it those changes before any trigger runs: a broker whose
 * credentials leak cannot rewrite its own evidence.
 *
 * <p>The rights are computed from the catalog each time, so a table a later migration creates gets
 * them at the first start after it, and from {@link #AUDIT_TABLES}, so an audit table is never given
 * more by accident. A table whose rights already match is left alone (a restart writes nothing).
 * Then the role is checked: if it is a superuser, owns (or is a member of the owner of) an audit
 * table, may change an audit table's rows or may create in the schema, the broker does not start.
 */
public final class ApplicationRoleGrants {

    private static final Logger log = LoggerFactory.getLogger(ApplicationRoleGrants.class);

    /**
     * The append-only tables, whose rows are the evidence ({@code GET /v1/receipts/verify}): the
     * application role may read and append them, never change or remove a row.
     */
    public static final List<String> AUDIT_TABLES =
            List.of("broker_receipts", "spend_policy_receipts", "broker_webhook_events", "receipt_checkpoints");

    /** Flyway's history table: written by the owner role only. */
    static final String MIGRATION_HISTORY = "flyway_schema_history";

    static final Set<String> AUDIT_RIGHTS = Set.of("SELECT", "INSERT");
    static final Set<String> HISTORY_RIGHTS = Set.of("SELECT");
    static final Set<String> TABLE_RIGHTS = Set.of("SELECT", "INSERT", "UPDATE", "DELETE");

    /** Serialises brokers granting at once (concurrent GRANTs on one object fail in PostgreSQL). */
    private static final long LOCK = 0x62726F6B65720002L;

    /** Each table of the schema with the rights the role holds on it (directly, not through PUBLIC). */
    private static final String HELD = """
            select c.relname, a.privilege_type
            from pg_class c
            join pg_namespace n on n.oid = c.relnamespace
            left join lateral aclexplode(c.relacl) a on a.grantee = (select oid from pg_roles where rolname = ?)
            where n.nspname = current_schema() and c.relkind in ('r', 'p')
            """;

    /** Sequences of the schema the role cannot yet use. */
    private static final String SEQUENCES_WITHOUT_RIGHTS = """
            select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = current_schema() and c.relkind = 'S'
              and not (has_sequence_privilege(?, c.oid, 'USAGE') and has_sequence_privilege(?, c.oid, 'SELECT'))
            """;

    /** Audit tables the role owns, or may change or take over. */
    private static final String AUDIT_TABLES_OPEN_TO_ROLE = """
            select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = current_schema() and c.relkind in ('r', 'p') and c.relname = any (?)
              and (pg_has_role(?, c.relowner, 'MEMBER')
                   or has_table_privilege(?, c.oid, 'UPDATE, DELETE, TRUNCATE, TRIGGER'))
            order by c.relname
            """;

    private ApplicationRoleGrants() {}

    /** The rights {@code table} should give the application role. */
    static Set<String> rightsOn(String table) {
        if (AUDIT_TABLES.contains(table)) {
            return AUDIT_RIGHTS;
        }
        return table.equals(MIGRATION_HISTORY) ? HISTORY_RIGHTS : TABLE_RIGHTS;
    }

    /**
     * Grants {@code role} its rights on the migrated schema, as the owner on {@code owner}'s
     * connection, in one transaction, then checks that the role is held to them.
     *
     * @throws IllegalStateException when the grants fail or the role holds more than it may
     */
    static void grant(DataSource owner, String role) {
        try (Connection c = owner.getConnection()) {
            c.setAutoCommit(false);
            try {
                grant(c, role);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
            c.setAutoCommit(true);
            refuseUnlessRestricted(c, role);
        } catch (SQLException e) {
            throw new IllegalStateException("could not grant the database role " + role + " its rights", e);
        }
    }

    private static void grant(Connection c, String role) throws SQLException {
        String r = identifier(role);
        try (Statement s = c.createStatement()) {
            s.execute("select pg_advisory_xact_lock(" + LOCK + ")");
            if (single(c, "select count(*) from pg_roles where rolname = ?", role) == 0) {
                throw new IllegalStateException("the database role " + role + " (BROKER_DATABASE_USER) does not exist");
            }
            String schema = identifier(text(c, "select current_schema()"));
            if (single(c, "select count(*) where not has_schema_privilege(?, current_schema(), 'USAGE')", role) > 0) {
                s.execute("grant usage on schema " + schema + " to " + r);
            }
            if (single(c, "select count(*) where has_schema_privilege(?, current_schema(), 'CREATE')", role) > 0) {
                s.execute("revoke create on schema " + schema + " from public");
                s.execute("revoke create on schema " + schema + " from " + r);
            }
            List<String> changed = new ArrayList<>();
            for (Map.Entry<String, Set<String>> table : held(c, role).entrySet()) {
                Set<String> wanted = rightsOn(table.getKey());
                if (!table.getValue().equals(wanted)) {
                    String t = identifier(table.getKey());
                    s.execute("revoke all on table " + t + " from " + r);
                    s.execute("grant " + String.join(", ", new TreeSet<>(wanted)) + " on table " + t + " to " + r);
                    changed.add(table.getKey());
                }
            }
            if (single(c, SEQUENCES_WITHOUT_RIGHTS, role, role) > 0) {
                s.execute("grant usage, select on all sequences in schema " + schema + " to " + r);
            }
            if (!changed.isEmpty()) {
                log.info("Granted the database role {} its rights on {} (audit tables {}: SELECT and INSERT only)",
                        role, changed, AUDIT_TABLES);
            }
        }
    }

    private static void refuseUnlessRestricted(Connection c, String role) throws SQLException {
        List<String> problems = new ArrayList<>();
        if (single(c, "select count(*) from pg_roles where rolname = ? and (rolsuper or rolbypassrls)", role) > 0) {
            problems.add("it is a superuser (or bypasses row security)");
        }
        try (PreparedStatement ps = c.prepareStatement(AUDIT_TABLES_OPEN_TO_ROLE)) {
            ps.setArray(1, c.createArrayOf("text", AUDIT_TABLES.toArray()));
            ps.setString(2, role);
            ps.setString(3, role);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    problems.add("it owns or may change the audit table " + rs.getString(1));
                }
            }
        }
        if (single(c, "select count(*) where has_schema_privilege(?, current_schema(), 'CREATE')", role) > 0) {
            problems.add("it may create objects in the schema");
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("the database role " + role + " is not held to reading and appending the "
                    + "audit tables " + AUDIT_TABLES + ": " + String.join("; ", problems) + ". The tables must be "
                    + "owned by the migration role (BROKER_DATABASE_MIGRATION_USER), which the broker's role must "
                    + "not be a member of (README, External PostgreSQL)");
        }
    }

    /** Table → the rights {@code role} holds on it directly. */
    private static Map<String, Set<String>> held(Connection c, String role) throws SQLException {
        Map<String, Set<String>> held = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement(HELD)) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Set<String> rights = held.computeIfAbsent(rs.getString(1), t -> new TreeSet<>());
                    if (rs.getString(2) != null) {
                        rights.add(rs.getString(2));
                    }
                }
            }
        }
        return held;
    }

    private static long single(Connection c, String sql, String... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String text(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** A name as a quoted SQL identifier (role and table names come from settings and the catalog). */
    static String identifier(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }
}
