package dev.minutework.broker.archfixture;

import java.sql.Timestamp;
import java.time.Instant;

/** Does everything {@code broker-core} must not: reads the environment, the wall clock and uses JDBC types. */
public final class ReadsEnvironmentAndClock {

    private ReadsEnvironmentAndClock() {}

    public static String region() {
        return System.getenv("REGION");
    }

    public static Instant stamp() {
        return Instant.now();
    }

    public static Timestamp sqlStamp(Instant at) {
        return Timestamp.from(at);
    }
}
