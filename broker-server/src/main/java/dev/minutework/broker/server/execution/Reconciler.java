package dev.minutework.broker.server.execution;

import dev.minutework.broker.server.routing.ProviderRouting;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The janitor of unknown outcomes: every {@code broker.reconcile.interval} it settles executions
 * that have been {@code outcome_unknown} for {@code broker.reconcile.after}, or stuck
 * {@code executing} for {@code broker.reconcile.stuck-after} (their broker process died mid-call),
 * by asking the provider — never by repeating the call.
 *
 * <p>It never settles a call that may still be running: {@code broker.reconcile.stuck-after} must be
 * longer than the longest provider call may run (the largest call deadline, see
 * {@link ProviderRouting#callDeadline}) plus {@link #ALLOWANCE} for the broker's own steps around the
 * call; a shorter setting is refused at start-up.
 */
@Component
public class Reconciler {

    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
    private static final int BATCH = 50;

    /** The broker's own steps between marking an execution {@code executing} and its provider call. */
    public static final Duration ALLOWANCE = Duration.ofSeconds(5);

    private final Executions executions;
    private final Calls calls;
    private final Duration unknownFor;
    private final Duration stuckFor;

    Reconciler(Executions executions, Calls calls, ProviderRouting routing,
            @Value("${broker.reconcile.after:PT1M}") Duration unknownFor,
            @Value("${broker.reconcile.stuck-after:PT10M}") Duration stuckFor) {
        refuseStuckAfterShorterThanACall(stuckFor, routing.callDeadlines());
        this.executions = executions;
        this.calls = calls;
        this.unknownFor = unknownFor;
        this.stuckFor = stuckFor;
    }

    /**
     * Refuses a {@code stuckFor} that does not exceed the longest call deadline plus {@link #ALLOWANCE}:
     * the janitor would take an execution whose provider call may still be running for one whose
     * process died, and could settle it against an answer still on its way.
     */
    static void refuseStuckAfterShorterThanACall(Duration stuckFor, Map<String, Duration> callDeadlines) {
        Map.Entry<String, Duration> longest = callDeadlines.entrySet().stream().max(Map.Entry.comparingByValue())
                .orElse(null);
        if (longest == null) {
            return;
        }
        Duration needed = longest.getValue().plus(ALLOWANCE);
        if (stuckFor.compareTo(needed) <= 0) {
            throw new IllegalStateException("BROKER_RECONCILE_STUCK_AFTER is " + stuckFor + ", but a provider call may "
                    + "run for " + longest.getValue() + " (" + longest.getKey() + "; BROKER_PROVIDER_CALL_TIMEOUT, by "
                    + "default the adapter's worst case) and the broker needs " + ALLOWANCE + " around it: the "
                    + "janitor could settle an execution whose call is still running. Set it longer than " + needed
                    + ", or lower BROKER_PROVIDER_CALL_TIMEOUT");
        }
    }

    @Scheduled(fixedDelayString = "${broker.reconcile.interval:PT30S}", initialDelayString = "${broker.reconcile.interval:PT30S}")
    void sweep() {
        Map<String, Integer> outcome = runOnce();
        if (!outcome.isEmpty()) {
            log.info("reconciliation sweep: {}", outcome);
        }
    }

    /** One pass over the executions due for reconciliation; returns how many ended in each status. */
    /**
     * Reconciles one execution whose outcome is unknown (or whose call's process died), as
     * {@code actor}: see {@link Calls#reconcile}.
     *
     * @return its status afterwards
     */
    public String reconcile(String actor, Executions.Execution seen) {
        return calls.reconcile(actor, seen);
    }

    public Map<String, Integer> runOnce() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Executions.Execution e : executions.awaitingReconciliation(unknownFor, stuckFor, BATCH)) {
            try {
                counts.merge(reconcile("reconciler", e), 1, Integer::sum);
            } catch (RuntimeException ex) {
                // one execution's trouble must not stop the others; it stays for the next sweep
                log.warn("reconciling execution {} failed: {}", e.id(), ex.getClass().getName());
                counts.merge("error", 1, Integer::sum);
            }
        }
        return counts;
    }
}
