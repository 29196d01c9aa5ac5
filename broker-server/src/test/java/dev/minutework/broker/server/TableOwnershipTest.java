package dev.minutework.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Only the package that owns a table writes it. ArchUnit cannot see SQL, so this reads the sources:
 * every string literal and text block of every {@code .java} file under {@code src/main/java} (adjacent
 * literals joined by {@code +} read as one), where it looks for {@code insert into <t>},
 * {@code update <t> … set}, {@code delete from <t>} and {@code merge into <t>}, in any case. The
 * tables are those the Flyway migrations create; each has an owner in {@link #OWNERS}, a top-level
 * package of the server. A package is where the SQL text is written, whoever runs it (the receipt
 * chains run the spend policy receipts' insert, which {@code spend} writes).
 */
class TableOwnershipTest {

    private static final Path MODULE = Path.of(System.getProperty("basedir", "."));
    private static final Path MAIN = MODULE.resolve("src/main/java");
    private static final Path MIGRATIONS = MODULE.resolve("src/main/resources/db/migration");
    private static final String SERVER = "dev/minutework/broker/server";

    /** Table → the top-level package of {@code dev.minutework.broker.server} that owns it. */
    static final Map<String, String> OWNERS = Map.ofEntries(
            Map.entry("broker_settings", "identity"),
            Map.entry("receipt_checkpoints", "receipts"),
            Map.entry("api_keys", "identity"),
            Map.entry("tenants", "tenants"),
            Map.entry("provider_accounts", "accounts"),
            Map.entry("broker_connections", "connections"),
            Map.entry("advertiser_profiles", "advertisers"),
            Map.entry("spend_authorizations", "spend"),
            Map.entry("tenant_wallets", "spend"),
            Map.entry("wallet_entries", "spend"),
            Map.entry("spend_reservations", "spend"),
            Map.entry("spend_policy_receipts", "spend"),
            Map.entry("executions", "execution"),
            Map.entry("approval_grants", "grants"),
            Map.entry("chain_heads", "receipts"),
            Map.entry("broker_receipts", "receipts"),
            // chained like the receipts (Chains.WEBHOOKS, per provider account), written by webhooks
            Map.entry("broker_webhook_events", "webhooks"),
            // how far each polled provider account has been read (providers without webhooks)
            Map.entry("provider_poll_watermarks", "webhooks"),
            Map.entry("campaign_spend_days", "spend"),
            Map.entry("ads_campaigns", "ads"),
            Map.entry("ads_objects", "ads"),
            Map.entry("capability_gaps", "gaps"),
            Map.entry("runtime_agents", "agents"),
            Map.entry("kill_switches", "killswitch"),
            // a tenant's approval policy (the passkey threshold) is the tenant's own setting
            Map.entry("tenant_approval_policies", "tenants"),
            Map.entry("passkey_credentials", "passkeys"),
            Map.entry("passkey_registrations", "passkeys"),
            Map.entry("passkey_challenges", "passkeys"),
            // the console's sign-in sessions (only the hash of each session token)
            Map.entry("console_sessions", "console"));

    /**
     * Tables the migrations create that no package of the server owns: {@code scheduled_tasks} is
     * db-scheduler's (the durable jobs), written by the library, never by the server's own SQL.
     */
    static final Map<String, String> NOT_OURS = Map.of("scheduled_tasks", "the db-scheduler library");

    private static final Pattern CREATE_TABLE =
            Pattern.compile("(?i)\\bcreate\\s+table\\s+(?:if\\s+not\\s+exists\\s+)?([a-z_][a-z0-9_]*)");
    private static final Pattern WRITE = Pattern.compile("(?i)\\b(?:insert\\s+into|delete\\s+from|merge\\s+into)"
            + "\\s+(?:only\\s+)?([a-z_][a-z0-9_]*)"
            + "|\\bupdate\\s+(?:only\\s+)?([a-z_][a-z0-9_]*)(?:\\s+(?:as\\s+)?[a-z_][a-z0-9_]*)?\\s+set\\b");

    /** A write found in a source: the file (relative to the package root), its line, the table, the package. */
    record Write(String file, int line, String table, String pkg) {}

    @Test
    void everyTableTheMigrationsCreateHasAnOwner() {
        Set<String> tables = tablesCreatedBy(MIGRATIONS);
        assertThat(tables).as("tables the migrations create").contains("executions", "spend_reservations");
        assertThat(unowned(tables)).as("tables without an owner in OWNERS (nor in NOT_OURS)").isEmpty();
        Set<String> stale = new TreeSet<>(OWNERS.keySet());
        stale.addAll(NOT_OURS.keySet());
        stale.removeAll(tables);
        assertThat(stale).as("OWNERS or NOT_OURS name tables the migrations do not create").isEmpty();
    }

    @Test
    void onlyTheOwningPackageWritesATable() {
        List<Write> writes = writes(MAIN.resolve(SERVER));
        assertThat(writes).as("the scan finds the server's writes").extracting(Write::table)
                .contains("tenants", "executions", "spend_reservations", "approval_grants", "ads_campaigns");
        assertThat(violations(writes)).as("writes from a package that does not own the table").isEmpty();
    }

    @Test
    void aTableWithoutAnOwnerAndAWriteFromAnotherPackageAreReported() throws IOException {
        Path migrations = Files.createTempDirectory("migrations");
        Files.writeString(migrations.resolve("V1__fixture.sql"), """
                -- create table in_a_comment (id text);
                create table tenants (id text primary key);
                CREATE TABLE IF NOT EXISTS orphan_rows (id text);
                """);
        assertThat(tablesCreatedBy(migrations)).containsExactlyInAnyOrder("tenants", "orphan_rows");
        assertThat(unowned(tablesCreatedBy(migrations))).containsExactly("orphan_rows");

        List<Write> writes = writes(MODULE.resolve("src/test/java/dev/minutework/broker/archfixture/server"));
        assertThat(writes).extracting(Write::table)
                .containsExactlyInAnyOrder("spend_reservations", "tenant_wallets", "api_keys");
        assertThat(violations(writes)).containsExactlyInAnyOrder(
                "tables/WritesAnotherPackagesTable.java:8 (package tables) writes spend_reservations, owned by spend",
                "tables/WritesAnotherPackagesTable.java:13 (package tables) writes tenant_wallets, owned by spend",
                "tables/WritesAnotherPackagesTable.java:17 (package tables) writes api_keys, owned by identity");
    }

    static Set<String> tablesCreatedBy(Path migrations) {
        Set<String> tables = new TreeSet<>();
        try (Stream<Path> files = Files.list(migrations)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("V.*\\.sql")).sorted().toList()) {
                String sql = Files.readString(f).replaceAll("--[^\\n]*", "");
                Matcher m = CREATE_TABLE.matcher(sql);
                while (m.find()) {
                    tables.add(m.group(1).toLowerCase(Locale.ROOT));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return tables;
    }

    static Set<String> unowned(Set<String> tables) {
        Set<String> out = new TreeSet<>(tables);
        out.removeAll(OWNERS.keySet());
        out.removeAll(NOT_OURS.keySet());
        return out;
    }

    /** One line per write to a known table from a package that does not own it. */
    static List<String> violations(List<Write> writes) {
        List<String> out = new ArrayList<>();
        for (Write w : writes) {
            String owner = OWNERS.get(w.table());
            String where = w.file() + ":" + w.line() + " (package " + w.pkg() + ") writes " + w.table();
            if (NOT_OURS.containsKey(w.table())) {
                out.add(where + ", which belongs to " + NOT_OURS.get(w.table()));
            } else if (owner != null && !owner.equals(w.pkg())) {
                out.add(where + ", owned by " + owner);
            }
        }
        return out;
    }

    /**
     * The writes to a table of {@link #OWNERS} or {@link #NOT_OURS} (other names after
     * {@code insert into} … are prose) in the sources under {@code root}, each with its package: the
     * first directory under {@code root}.
     */
    static List<Write> writes(Path root) {
        List<Write> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                Path rel = root.relativize(f);
                String pkg = rel.getNameCount() > 1 ? rel.getName(0).toString() : "";
                String source = Files.readString(f);
                for (Literal literal : literals(source)) {
                    Matcher m = WRITE.matcher(literal.text());
                    while (m.find()) {
                        String table = (m.group(1) != null ? m.group(1) : m.group(2)).toLowerCase(Locale.ROOT);
                        int at = m.start(m.group(1) != null ? 1 : 2);
                        if (OWNERS.containsKey(table) || NOT_OURS.containsKey(table)) {
                            out.add(new Write(rel.toString().replace('\\', '/'), line(source, literal.offsets()[at]),
                                    table, pkg));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** A string's text, with the offset in the source of each of its characters. */
    record Literal(String text, int[] offsets) {}

    /**
     * The string literals and text blocks of a Java source, outside comments and character literals;
     * literals joined by {@code +} (with only white space and comments around it) are one. Escapes are
     * kept as written: SQL needs none of them.
     */
    static List<Literal> literals(String src) {
        List<Literal> out = new ArrayList<>();
        StringBuilder text = null;
        List<Integer> offsets = new ArrayList<>();
        int i = 0;
        int n = src.length();
        while (i < n) {
            if (src.startsWith("//", i)) {
                i = endOfLine(src, i);
            } else if (src.startsWith("/*", i)) {
                int end = src.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (src.charAt(i) == '\'') {
                i = skipQuoted(src, i + 1, "'");
            } else if (src.charAt(i) == '"') {
                boolean block = src.startsWith("\"\"\"", i);
                String close = block ? "\"\"\"" : "\"";
                int start = i + close.length();
                int end = skipQuoted(src, start, close) - close.length();
                if (text == null) {
                    text = new StringBuilder();
                    offsets = new ArrayList<>();
                }
                for (int k = start; k < end; k++) {
                    text.append(src.charAt(k));
                    offsets.add(k);
                }
                i = end + close.length();
                int next = skipBlank(src, i);
                if (next < n && src.charAt(next) == '+' && skipBlank(src, next + 1) < n
                        && src.charAt(skipBlank(src, next + 1)) == '"') {
                    i = skipBlank(src, next + 1);
                    continue; // the literal goes on after the +
                }
                out.add(new Literal(text.toString(), offsets.stream().mapToInt(Integer::intValue).toArray()));
                text = null;
            } else {
                i++;
            }
        }
        return out;
    }

    /** The index after the closing {@code close} of a literal whose text starts at {@code i}. */
    private static int skipQuoted(String src, int i, String close) {
        while (i < src.length()) {
            if (src.charAt(i) == '\\') {
                i += 2;
            } else if (src.startsWith(close, i)) {
                return i + close.length();
            } else {
                i++;
            }
        }
        return src.length();
    }

    /** The index of the next character that is neither white space nor part of a comment. */
    private static int skipBlank(String src, int i) {
        while (i < src.length()) {
            if (Character.isWhitespace(src.charAt(i))) {
                i++;
            } else if (src.startsWith("//", i)) {
                i = endOfLine(src, i);
            } else if (src.startsWith("/*", i)) {
                int end = src.indexOf("*/", i + 2);
                i = end < 0 ? src.length() : end + 2;
            } else {
                break;
            }
        }
        return i;
    }

    private static int endOfLine(String src, int i) {
        int end = src.indexOf('\n', i);
        return end < 0 ? src.length() : end + 1;
    }

    private static int line(String src, int offset) {
        int line = 1;
        for (int k = 0; k < offset && k < src.length(); k++) {
            if (src.charAt(k) == '\n') {
                line++;
            }
        }
        return line;
    }
}
