package dev.minutework.broker.sim;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Failure knobs of one simulator (the "fake remote service with delay and failure knobs"): a
 * latency added to every request, and a queue of faults the next requests meet, one each.
 */
public final class Faults {

    /** What the next request meets instead of (or on top of) normal handling. */
    public enum Fault {
        /** The provider's 5xx answer; nothing is done. */
        SERVER_ERROR,
        /** The provider's rate-limit answer; nothing is done. */
        RATE_LIMITED,
        /** The connection closes before the provider acts: nothing is done, the client sees a reset. */
        DROP_REQUEST,
        /** The provider acts, then the connection closes without an answer. */
        DROP_RESPONSE,
        /** The provider acts, then answers only after {@link #hang()} — longer than any client waits. */
        TIMEOUT_AFTER_COMMIT
    }

    private final Deque<Fault> queue = new ArrayDeque<>();
    private volatile Duration latency = Duration.ZERO;
    private volatile Duration hang = Duration.ofSeconds(60);
    private volatile boolean rateLimits = true;
    private volatile double overDelivery = 1.0;

    public synchronized void next(Fault fault) {
        queue.addLast(fault);
    }

    /** Queues the same fault for the next {@code times} requests. */
    public synchronized void next(Fault fault, int times) {
        for (int i = 0; i < times; i++) {
            queue.addLast(fault);
        }
    }

    synchronized Fault poll() {
        return queue.pollFirst();
    }

    public synchronized int pending() {
        return queue.size();
    }

    public synchronized void clear() {
        queue.clear();
        latency = Duration.ZERO;
    }

    /** Delay added before every answer (simulated provider latency). */
    public void latency(Duration value) {
        latency = value;
    }

    public Duration latency() {
        return latency;
    }

    /**
     * Whether the simulator enforces its provider's documented rate limits (on by default; off to
     * measure the broker rather than the provider's quota).
     */
    public void rateLimits(boolean enforce) {
        rateLimits = enforce;
    }

    public boolean rateLimits() {
        return rateLimits;
    }

    /** How long a {@link Fault#TIMEOUT_AFTER_COMMIT} answer is held back. */
    public void hang(Duration value) {
        hang = value;
    }

    public Duration hang() {
        return hang;
    }

    /**
     * Makes the provider deliver (and report) {@code times} its pace, as a provider that
     * over-delivers does; 1 (the default) is the pace itself. Only simulators that accrue spend
     * honour it.
     */
    public void overDelivery(double times) {
        if (times < 1) {
            throw new IllegalArgumentException("over-delivery is at least 1 (the pace itself)");
        }
        this.overDelivery = times;
    }

    public double overDelivery() {
        return overDelivery;
    }
}
