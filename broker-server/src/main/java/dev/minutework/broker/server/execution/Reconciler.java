package dev.minutework.broker.server.execution;

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
 */
@Component
public class Reconciler {

    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
    private static final int BATCH = 50;

    private final Executions executions;
    private final ExecutionPipeline pipeline;
    private final Duration unknownFor;
    private final Duration stuckFor;

    Reconciler(Executions executions, ExecutionPipeline pipeline,
            @Value("${broker.reconcile.after:PT1M}") Duration unknownFor,
            @Value("${broker.reconcile.stuck-after:PT5M}") Duration stuckFor) {
        this.executions = executions;
        this.pipeline = pipeline;
        this.unknownFor = unknownFor;
        this.stuckFor = stuckFor;
    }

    @Scheduled(fixedDelayString = "${broker.reconcile.interval:PT30S}", initialDelayString = "${broker.reconcile.interval:PT30S}")
    void sweep() {
        Map<String, Integer> outcome = runOnce();
        if (!outcome.isEmpty()) {
            log.info("reconciliation sweep: {}", outcome);
        }
    }

    /** One pass over the executions due for reconciliation; returns how many ended in each status. */
    public Map<String, Integer> runOnce() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Executions.Execution e : executions.awaitingReconciliation(unknownFor, stuckFor, BATCH)) {
            try {
                counts.merge(pipeline.reconcile("reconciler", e), 1, Integer::sum);
            } catch (RuntimeException ex) {
                // one execution's trouble must not stop the others; it stays for the next sweep
                log.warn("reconciling execution {} failed: {}", e.id(), ex.getClass().getName());
                counts.merge("error", 1, Integer::sum);
            }
        }
        return counts;
    }
}
