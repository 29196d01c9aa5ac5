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
 */
@ConfigurationProperties("broker")
public record BrokerProperties(Database database, Path dataDir, String operatorKey, String masterKeyset,
        Path masterKeysetFile) {

    public BrokerProperties {
        database = database == null ? new Database(null, null, null) : database;
        dataDir = dataDir == null ? Path.of("var") : dataDir;
    }

    /** An external PostgreSQL; all null means "start the embedded one". */
    public record Database(String url, String user, String password) {
        public boolean external() {
            return url != null && !url.isBlank();
        }
    }
}
