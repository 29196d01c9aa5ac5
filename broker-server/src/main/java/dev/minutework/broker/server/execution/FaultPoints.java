package dev.minutework.broker.server.execution;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Crash points for fault tests and chaos runs: with {@code broker.fault.halt-at} set to a point's
 * name, the process halts there at once — no shutdown hook, no rollback by the application — as a
 * {@code kill -9} at that step would. Unset (the default), it does nothing.
 *
 * <p>Points: {@code after_reservation} (the gate's transaction committed: execution, grant use and
 * reservation stored; the provider not yet called), {@code after_provider_call} (the provider
 * answered; nothing of the answer projected or receipted yet) and {@code before_receipt} (inside
 * the completion's transaction: projection and status written, receipts not yet, nothing
 * committed) and {@code mid_settlement} (inside a day's settlement: reservations debited, the day's
 * row not yet written, nothing committed).
 */
@Component
public class FaultPoints {

    private static final Logger log = LoggerFactory.getLogger(FaultPoints.class);

    private final String haltAt;

    FaultPoints(@Value("${broker.fault.halt-at:}") String haltAt) {
        this.haltAt = haltAt;
        if (!haltAt.isBlank()) {
            log.warn("fault injection on: this process halts at {}", haltAt);
        }
    }

    void reached(String point) {
        if (point.equals(haltAt)) {
            log.error("halting at fault point {}", point);
            Runtime.getRuntime().halt(137);
        }
    }
}
