package dev.minutework.broker.providers.http;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Retries where it is safe: the caller says, per result, whether another attempt may be made
 * (e.g. never-sent requests, 429 and 5xx answers of reads or of idempotent writes) and how long
 * to wait; waits grow exponentially and are capped.
 */
public final class Retry {

    /** What to do after one attempt: stop with it, or try again after {@code delay} (null: backoff). */
    public record Decision(boolean again, Duration delay) {
        public static final Decision STOP = new Decision(false, null);

        public static Decision again(Duration delay) {
            return new Decision(true, delay);
        }
    }

    private final int maxAttempts;
    private final Duration firstBackoff;
    private final Duration maxBackoff;

    public Retry(int maxAttempts, Duration firstBackoff, Duration maxBackoff) {
        this.maxAttempts = maxAttempts;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
    }

    /** Runs {@code attempt} until {@code decide} says stop or the attempts run out; returns the last result. */
    public <T> T run(Supplier<T> attempt, Function<T, Decision> decide) {
        Duration backoff = firstBackoff;
        T last = attempt.get();
        for (int n = 1; n < maxAttempts; n++) {
            Decision d = decide.apply(last);
            if (!d.again()) {
                return last;
            }
            Duration wait = d.delay() != null ? min(d.delay(), maxBackoff) : backoff;
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return last;
            }
            backoff = min(backoff.multipliedBy(2), maxBackoff);
            last = attempt.get();
        }
        return last;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
