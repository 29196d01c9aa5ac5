package dev.minutework.broker.server.routing;

import dev.minutework.broker.core.provider.ProviderAdapter;
import dev.minutework.broker.core.provider.ProviderChange;
import dev.minutework.broker.core.provider.ProviderCheck;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ProviderRequest;
import dev.minutework.broker.server.ops.BrokerMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One account's adapter as the broker uses it: each call is bounded by a deadline (the factory's
 * {@code worstCaseCallDuration()}, or {@code BROKER_PROVIDER_CALL_TIMEOUT}); a call still running then
 * is abandoned (its thread interrupted, so it sends nothing more) and ends
 * {@link ProviderOutcome.Unknown}, to be reconciled. Whatever a call brings passes through the
 * account's {@link CredentialScrubber}; a refusal's scrubbed provider text goes to an operator log line,
 * the only place it is kept. Every call is timed into {@link BrokerMetrics#providerCall} by provider,
 * operation and how it ended — this is the one place every provider call of every path passes.
 */
final class GuardedAdapter implements ProviderAdapter {

    private static final Logger log = LoggerFactory.getLogger(GuardedAdapter.class);

    private final ProviderAdapter adapter;
    private final CredentialScrubber scrubber;
    private final Duration deadline;
    private final String provider;
    private final String accountId;
    private final BrokerMetrics metrics;

    GuardedAdapter(ProviderAdapter adapter, CredentialScrubber scrubber, Duration deadline, String provider,
            String accountId, BrokerMetrics metrics) {
        this.adapter = adapter;
        this.scrubber = scrubber;
        this.deadline = deadline;
        this.provider = provider;
        this.accountId = accountId;
        this.metrics = metrics;
    }

    @Override
    public ProviderOutcome execute(ProviderRequest request) {
        ProviderOutcome raw = bounded(() -> adapter.execute(request), "execute", request.action(),
                request.brokerReference());
        return safe(raw, request.action(), request.brokerReference());
    }

    @Override
    public ProviderOutcome reconcile(String action, String brokerReference) {
        ProviderOutcome raw = bounded(() -> adapter.reconcile(action, brokerReference), "reconcile",
                "reconciliation of " + action, brokerReference);
        return safe(raw, "reconciliation of " + action, brokerReference);
    }

    @Override
    public Optional<ProviderOutcome> validate(ProviderRequest request) {
        String what = "dry run of " + request.action();
        Optional<ProviderOutcome> raw = within(() -> adapter.validate(request), () -> Optional.of(
                new ProviderOutcome.Unknown("the provider's dry run did not end within " + deadline)), "dry_run",
                o -> o.map(GuardedAdapter::outcome).orElse("not_offered"), what, request.brokerReference());
        return raw.map(o -> safe(o, what, request.brokerReference()));
    }

    /** Bounded by the deadline like a call; a poll that does not end in time is unavailable, not empty. */
    @Override
    public Optional<List<ProviderChange>> changesSince(Instant since) {
        return within(() -> adapter.changesSince(since), () -> {
            throw new ProviderChange.Unavailable("the provider did not list its changes within " + deadline);
        }, "list_changes", changes -> changes.isPresent() ? "ok" : "not_offered", "listing changes", null);
    }

    @Override
    public List<ProviderCheck> checks() {
        List<ProviderCheck> checks = within(adapter::checks, () -> List.of(new ProviderCheck("provider_reachable", false,
                "the provider did not answer the checks within " + deadline)), "checks",
                all -> all.stream().allMatch(ProviderCheck::ok) ? "ok" : "failing", "checks", null);
        return checks.stream().map(scrubber::check).toList();
    }

    private ProviderOutcome bounded(Supplier<ProviderOutcome> call, String operation, String what, String reference) {
        return within(call, () -> new ProviderOutcome.Unknown("the provider call did not end within its deadline of "
                + deadline + " and was abandoned; reconcile by reference " + reference), operation,
                GuardedAdapter::outcome, what, reference);
    }

    /** How a provider call ended, as the label of its timing. */
    static String outcome(ProviderOutcome o) {
        return switch (o) {
            case ProviderOutcome.Succeeded s -> "succeeded";
            case ProviderOutcome.Rejected r -> "rejected_" + r.kind().name().toLowerCase(Locale.ROOT);
            case ProviderOutcome.RateLimited r -> "rate_limited";
            case ProviderOutcome.Unknown u -> "unknown";
        };
    }

    private ProviderOutcome safe(ProviderOutcome raw, String what, String reference) {
        ProviderOutcome safe = scrubber.outcome(raw);
        if (raw instanceof ProviderOutcome.Succeeded ok && !(safe instanceof ProviderOutcome.Succeeded)) {
            log.warn("{} account {}: the answer to {} of execution {} carried credential material in {}; "
                    + "nothing of it was recorded and the outcome is unknown", provider, accountId, what, reference,
                    scrubber.carriers(ok));
        } else if (safe instanceof ProviderOutcome.Rejected r) {
            log.info("{} account {}: {} of execution {} refused ({}, code {}): {}", provider, accountId, what, reference,
                    r.kind(), r.providerCode(), r.message());
        }
        return safe;
    }

    /**
     * Runs the call on a thread of its own and waits for it until the deadline; times it as
     * {@code operation}, ending as {@code outcome} says of its result, or {@code timed_out},
     * {@code interrupted} or {@code fault} (the adapter threw).
     */
    private <T> T within(Supplier<T> call, Supplier<T> abandoned, String operation, Function<T, String> outcome,
            String what, String reference) {
        FutureTask<T> task = new FutureTask<>(call::get);
        long started = System.nanoTime();
        Thread.ofVirtual().name("provider-call-" + provider).start(task);
        try {
            T result = task.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
            metrics.providerCall(provider, operation, outcome.apply(result), System.nanoTime() - started);
            return result;
        } catch (TimeoutException e) {
            task.cancel(true); // interrupts it: it sends nothing more (ProviderHttp) and its result is dropped
            metrics.providerCall(provider, operation, "timed_out", System.nanoTime() - started);
            log.warn("{} account {}: {}{} did not end within {}; abandoned as unknown", provider, accountId, what,
                    reference == null ? "" : " of execution " + reference, deadline);
            return abandoned.get();
        } catch (InterruptedException e) {
            task.cancel(true);
            metrics.providerCall(provider, operation, "interrupted", System.nanoTime() - started);
            Thread.currentThread().interrupt();
            return abandoned.get();
        } catch (ExecutionException e) {
            metrics.providerCall(provider, operation, "fault", System.nanoTime() - started);
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("provider call failed", e.getCause());
        }
    }
}
