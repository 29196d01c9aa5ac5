package dev.minutework.broker.core.execution;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The life of an execution, with its legal transitions. An execution is born
 * {@link #AWAITING_APPROVAL} (a human must approve) or {@link #EXECUTING} (a standing grant covered
 * it, it only reads, or it lowers spend on the broker's authority). The enforcement is the
 * conditional update of the {@code executions} row ({@code where status = any(:from)}): the server
 * asks {@link #requireTransition} before issuing one, and the update moves the row only when it is
 * still in a state the transition starts from.
 */
public enum ExecutionStatus {
    AWAITING_APPROVAL, EXECUTING, SUCCEEDED, FAILED, OUTCOME_UNKNOWN, DENIED, EXPIRED;

    /** The states an execution can be created in. */
    public static final Set<ExecutionStatus> INITIAL = EnumSet.of(AWAITING_APPROVAL, EXECUTING);

    /**
     * Where an execution in this state may move:
     * <ul>
     * <li>awaiting approval → executing (approved), denied, expired, or failed (approved, but refused
     * before the call: a changed payload, a spend that no longer fits);</li>
     * <li>executing → succeeded, failed, or outcome unknown (the provider's answer); → executing
     * again when reconciliation claims a call whose process died;</li>
     * <li>outcome unknown → executing, claimed by reconciliation, which then settles it;</li>
     * <li>succeeded, failed, denied and expired are final.</li>
     * </ul>
     */
    public Set<ExecutionStatus> next() {
        return switch (this) {
            case AWAITING_APPROVAL -> EnumSet.of(EXECUTING, DENIED, EXPIRED, FAILED);
            case EXECUTING -> EnumSet.of(SUCCEEDED, FAILED, OUTCOME_UNKNOWN, EXECUTING);
            case OUTCOME_UNKNOWN -> EnumSet.of(EXECUTING);
            case SUCCEEDED, FAILED, DENIED, EXPIRED -> EnumSet.noneOf(ExecutionStatus.class);
        };
    }

    public boolean canMoveTo(ExecutionStatus to) {
        return next().contains(to);
    }

    /** Whether nothing more happens to an execution in this state. */
    public boolean terminal() {
        return next().isEmpty();
    }

    /**
     * Checks that an execution in every one of {@code from} may move to {@code to}.
     *
     * @return {@code to}
     * @throws IllegalStateException naming the illegal transition: a bug in the caller, never input
     */
    public static ExecutionStatus requireTransition(Set<ExecutionStatus> from, ExecutionStatus to) {
        if (from.isEmpty()) {
            throw new IllegalStateException("a transition to " + to.wire() + " from no state");
        }
        for (ExecutionStatus f : from) {
            if (!f.canMoveTo(to)) {
                throw new IllegalStateException("an execution cannot move from " + f.wire() + " to " + to.wire());
            }
        }
        return to;
    }

    /** The lower-case name the API and the database use. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException for an unknown status */
    public static ExecutionStatus parse(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }
}
