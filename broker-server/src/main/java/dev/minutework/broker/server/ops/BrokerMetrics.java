package dev.minutework.broker.server.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The broker's own counters and timers, recorded by the packages that act (execution, routing,
 * webhooks). Every label is a bounded, public name — an action of the connector, a provider key,
 * a status, an operation, a verdict — never a tenant, key, credential, campaign or execution id:
 * the scrape is readable by whoever reaches {@code /actuator/prometheus}. A value that is not such
 * a name is recorded as {@value #OTHER}, so no unexpected text can become a label.
 *
 * <p>Cheap on the execute path: each label combination's meter is built once and kept, so recording
 * is a map lookup and an atomic add.
 */
@Component
public class BrokerMetrics {

    /** Executions that reached a status: {@code action}, {@code provider}, {@code outcome} (the status). */
    public static final String EXECUTIONS = "broker.executions";
    /** Provider calls through the guarded adapter: {@code provider}, {@code operation}, {@code outcome}. */
    public static final String PROVIDER_CALLS = "broker.provider.calls";
    /** Webhook deliveries and polled changes taken: {@code provider}, {@code verdict}, {@code outcome}. */
    public static final String WEBHOOK_DELIVERIES = "broker.webhook.deliveries";
    /** Execute and approve requests refused before anything ran: {@code code}, the API's error code. */
    public static final String REFUSALS = "broker.refusals";

    /** What a label value that is not a short lower-case name is recorded as. */
    static final String OTHER = "other";

    /** Lower-case names with dots and underscores: actions, provider keys, statuses, verdicts. */
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_.]{0,47}");

    /** Latency buckets (besides count, sum and max) for alerting on slow providers. */
    private static final Duration[] PROVIDER_CALL_BUCKETS = {Duration.ofMillis(50), Duration.ofMillis(250),
            Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(2)};

    private final MeterRegistry registry;
    private final Map<Labels, Counter> executions = new ConcurrentHashMap<>();
    private final Map<Labels, Timer> providerCalls = new ConcurrentHashMap<>();
    private final Map<Labels, Counter> webhooks = new ConcurrentHashMap<>();
    private final Map<String, Counter> refusals = new ConcurrentHashMap<>();

    public BrokerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    private record Labels(String a, String b, String c) {
        Labels sanitized() {
            return new Labels(label(a), label(b), label(c));
        }
    }

    /**
     * The meter of a label combination. Meters are kept under their sanitized labels, so clean
     * labels — every caller's — find theirs without any pattern matching, and unexpected values
     * cannot grow the map (they all map to {@value #OTHER}).
     */
    private static <M> M meter(Map<Labels, M> meters, Labels raw, Function<Labels, M> build) {
        M m = meters.get(raw);
        return m != null ? m : meters.computeIfAbsent(raw.sanitized(), build);
    }

    /**
     * Counts an execution reaching {@code status}, once its transaction commits (a rolled-back move
     * never happened); at once outside a transaction.
     */
    public void executionReached(String action, String provider, String status) {
        Counter counter = meter(executions, new Labels(action, provider, status), l -> Counter
                .builder(EXECUTIONS).description("executions that reached a status (outcome), by action and provider")
                .tag("action", l.a()).tag("provider", l.b()).tag("outcome", l.c()).register(registry));
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    counter.increment();
                }
            });
        } else {
            counter.increment();
        }
    }

    /**
     * Records one provider call: how long it took and how it ended ({@code succeeded},
     * {@code rejected_<kind>}, {@code rate_limited}, {@code unknown}, {@code timed_out},
     * {@code interrupted}, {@code fault}; {@code ok} or {@code failing} for checks, {@code not_offered}
     * for a dry run or change list the provider does not have).
     */
    public void providerCall(String provider, String operation, String outcome, long nanos) {
        meter(providerCalls, new Labels(provider, operation, outcome), l -> Timer.builder(PROVIDER_CALLS)
                .description("provider calls through the broker's guarded adapter, by provider, operation and outcome")
                .tag("provider", l.a()).tag("operation", l.b()).tag("outcome", l.c())
                .serviceLevelObjectives(PROVIDER_CALL_BUCKETS).register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Counts a webhook delivery (or a polled change) by its signature verdict ({@code valid},
     * {@code invalid}, {@code missing}, {@code polled}) and what became of it ({@code accepted},
     * {@code duplicate}, {@code rejected}).
     */
    public void webhookDelivery(String provider, String verdict, String outcome) {
        meter(webhooks, new Labels(provider, verdict, outcome), l -> Counter.builder(WEBHOOK_DELIVERIES)
                .description("provider webhook deliveries and polled changes, by signature verdict and outcome")
                .tag("provider", l.a()).tag("verdict", l.b()).tag("outcome", l.c()).register(registry))
                .increment();
    }

    /**
     * Counts a refused execute or approve request by its error code ({@code budget_exceeded},
     * {@code not_ready} …): the code only, since the action and provider of a refused request may
     * be anything its sender wrote.
     */
    public void refused(String code) {
        refusals.computeIfAbsent(label(code), c -> Counter.builder(REFUSALS)
                .description("execute and approve requests refused (receipted as execution.refused), by error code")
                .tag("code", c).register(registry)).increment();
    }

    /** {@code value} when it is a short lower-case name, else {@value #OTHER}. */
    static String label(String value) {
        if (value == null) {
            return OTHER;
        }
        String v = value.toLowerCase(Locale.ROOT);
        return NAME.matcher(v).matches() ? v : OTHER;
    }
}
