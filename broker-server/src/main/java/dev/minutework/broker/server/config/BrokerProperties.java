package dev.minutework.broker.server.config;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Broker settings. Each is also an environment variable by Spring's relaxed binding:
 * {@code broker.database.url} is {@code BROKER_DATABASE_URL}.
 *
 * @param dataDir where the embedded database and the generated master keyset live
 * @param operatorKey the operator API key; generated on first start when absent
 * @param masterKeyset a Tink JSON keyset that encrypts provider credentials
 * @param masterKeysetFile a file holding that keyset
 * @param simulators {@code on} or {@code off}: whether the provider simulators run in this process and
 *     serve the accounts without a {@code base_url}; by default on with the embedded database, off
 *     with an external one
 * @param sandbox when true, the in-process sandbox provider serves every provider key (tests, demos)
 * @param role {@code platform} (default: platform and runtime in one process) or {@code runtime}: the
 *     runtime alone, reaching the platform at {@code platformUrl} through its tenant-level HTTP API
 * @param platformUrl the platform broker's base URL, for {@code role=runtime}
 * @param runtimeKey a tenant API key of role {@code runtime}: the tenant a {@code role=runtime}
 *     process serves
 */
@ConfigurationProperties("broker")
public record BrokerProperties(Database database, Path dataDir, String operatorKey, String masterKeyset,
        Path masterKeysetFile, String simulators, boolean sandbox, String role, java.net.URI platformUrl,
        String runtimeKey) {

    public BrokerProperties {
        database = database == null ? new Database(null, null, null, null, null, null) : database;
        dataDir = dataDir == null ? Path.of("var") : dataDir;
        role = role == null || role.isBlank() ? "platform" : role;
        if (!role.equals("platform") && !role.equals("runtime")) {
            throw new IllegalArgumentException("BROKER_ROLE must be platform or runtime, not " + role);
        }
        if (simulators != null && !simulators.equals("on") && !simulators.equals("off")) {
            throw new IllegalArgumentException("BROKER_SIMULATORS must be on or off, not " + simulators);
        }
    }

    /** Whether the provider simulators run (explicit setting, else: only with the embedded database). */
    public boolean simulatorsOn() {
        return simulators == null ? !database.external() : simulators.equals("on");
    }

    /**
     * The database: an external PostgreSQL when {@code url} is set, else the embedded one;
     * {@code poolSize} is the most connections this process opens to it (16 when unset).
     * {@code migrationUser} and {@code migrationPassword} (external only) name the role that owns the
     * tables and runs the migrations; {@code user} is then the application's role, granted only what
     * the broker needs (the audit tables: read and append). Without them one role does both.
     */
    public record Database(String url, String user, String password, Integer poolSize, String migrationUser,
            String migrationPassword) {
        public Database {
            poolSize = poolSize == null ? 16 : poolSize;
            if (poolSize < 1) {
                throw new IllegalArgumentException("BROKER_DATABASE_POOL_SIZE must be at least 1, not " + poolSize);
            }
        }

        public boolean external() {
            return url != null && !url.isBlank();
        }

        /** Without the passwords: a record's own {@code toString} would print them. */
        @Override
        public String toString() {
            return "Database[external=" + external() + ", user=" + user + ", poolSize=" + poolSize + ", migrationUser="
                    + migrationUser + "]";
        }

        /** Whether an external database's migrations run as an owner role of their own, not as {@code user}. */
        public boolean separateMigrationUser() {
            return migrationUser != null && !migrationUser.isBlank() && !migrationUser.equals(user);
        }
    }
}
