package dev.minutework.broker.providers.sandbox;

import dev.minutework.broker.core.provider.ProviderOutcome;
import java.util.ArrayDeque;
import java.util.Deque;

/** Programmable faults for one sandbox account: the next calls end as queued. */
public final class SandboxFaults {

    /** What the next call does instead of its normal behaviour. */
    public enum Fault {
        /** The provider refuses: nothing is created. */
        REJECT,
        /** The object is created but the answer is lost: the caller sees an unknown outcome. */
        COMMIT_THEN_LOSE_ANSWER,
        /** The request is lost before the provider acts: unknown outcome, nothing created. */
        LOSE_REQUEST
    }

    private final Deque<Fault> queue = new ArrayDeque<>();

    public synchronized void next(Fault fault) {
        queue.addLast(fault);
    }

    synchronized Fault poll() {
        return queue.pollFirst();
    }

    static ProviderOutcome rejected() {
        return new ProviderOutcome.Rejected(ProviderOutcome.RejectionKind.POLICY_REJECTED, "sandbox_rejected",
                "the sandbox provider was told to reject this call");
    }
}
