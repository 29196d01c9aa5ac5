package dev.minutework.broker.server.identity;

import dev.minutework.broker.server.api.Ids;
import dev.minutework.broker.server.config.BrokerProperties;
import java.io.PrintStream;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The operator key: {@code BROKER_OPERATOR_KEY} when set; otherwise generated on first start,
 * printed once to the console (never through the logging system) and stored only as a hash.
 */
@Component
public class OperatorKey {

    private static final String SETTING = "operator_key_sha256";

    private final String hash;

    OperatorKey(BrokerProperties props, JdbcClient jdbc, Clock clock) {
        if (props.operatorKey() != null && !props.operatorKey().isBlank()) {
            this.hash = ApiKeys.hash(props.operatorKey());
            return;
        }
        String stored = jdbc.sql("select value from broker_settings where name = :n").param("n", SETTING)
                .query(String.class).optional().orElse(null);
        if (stored != null) {
            this.hash = stored;
            return;
        }
        String key = "mwb_op_" + Ids.random(40);
        int inserted = jdbc.sql("""
                insert into broker_settings (name, value, updated_at) values (:n, :v, :now)
                on conflict (name) do nothing
                """).param("n", SETTING).param("v", ApiKeys.hash(key))
                .param("now", OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC)).update();
        if (inserted == 1) {
            this.hash = ApiKeys.hash(key);
            PrintStream console = System.out;
            console.println();
            console.println("==================================================================");
            console.println(" Operator key (shown once, stored only as a hash):");
            console.println("   " + key);
            console.println(" Set BROKER_OPERATOR_KEY to choose your own instead.");
            console.println("==================================================================");
            console.println();
        } else {
            // another broker process generated it first
            this.hash = jdbc.sql("select value from broker_settings where name = :n").param("n", SETTING)
                    .query(String.class).single();
        }
    }

    /**
     * The operator key's SHA-256 as {@link ApiKeys#hash} makes it: what a console session of the
     * operator remembers, so that rotating the key ends them.
     */
    public String fingerprint() {
        return hash;
    }

    public boolean matches(String presented) {
        return MessageDigest.isEqual(hash.getBytes(StandardCharsets.US_ASCII),
                ApiKeys.hash(presented).getBytes(StandardCharsets.US_ASCII));
    }
}
