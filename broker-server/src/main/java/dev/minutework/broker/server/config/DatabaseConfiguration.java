package dev.minutework.broker.server.config;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The database: an external PostgreSQL when {@code BROKER_DATABASE_URL} is set, otherwise an
 * embedded PostgreSQL whose data directory stays on disk under {@code broker.data-dir}, so a
 * restart keeps every tenant, key, wallet and receipt.
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
            config.setUsername("postgres");
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

    /** The embedded PostgreSQL process, or nothing when the database is external. */
    static final class EmbeddedDatabase implements AutoCloseable {
        private final EmbeddedPostgres postgres;
        private final Path dataDirectory;

        private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory) {
            this.postgres = postgres;
            this.dataDirectory = dataDirectory;
        }

        static EmbeddedDatabase none() {
            return new EmbeddedDatabase(null, null);
        }

        static EmbeddedDatabase start(Path dataDirectory) {
            try {
                Files.createDirectories(dataDirectory);
                // the library starts PostgreSQL for throwaway test databases (fsync and synchronous
                // commit off); the broker's data is money and receipts, so it is made durable again
                EmbeddedPostgres pg = EmbeddedPostgres.builder()
                        .setDataDirectory(dataDirectory.toFile())
                        .setCleanDataDirectory(false)
                        .setServerConfig("fsync", "on")
                        .setServerConfig("synchronous_commit", "on")
                        .setServerConfig("full_page_writes", "on")
                        .start();
                return new EmbeddedDatabase(pg, dataDirectory.toAbsolutePath());
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the embedded PostgreSQL in " + dataDirectory, e);
            }
        }

        String jdbcUrl() {
            return "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
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
