package dev.minutework.broker.core.execution;

import dev.minutework.broker.core.money.Money;
import java.util.List;

/**
 * What {@link Decider} makes of a request. A decision that lets a mutating request run names what
 * it adds to the money held ({@code impact}, zero when it adds nothing); the server's transaction
 * then reserves it with the ledger's conditional update, which is the enforcement.
 */
public sealed interface Decision {

    /** The request is refused; nothing changes but the refusal's receipt. */
    record Refused(Refusal refusal) implements Decision {}

    /** A read: it runs at once, with no approval and no money. */
    record RunRead() implements Decision {}

    /** A mutating request no standing grant covers: a human must approve it, seeing {@code impact}. */
    record AwaitApproval(Money impact) implements Decision {}

    /**
     * A mutating request that the standing grants {@code grantIds} cover, in the order to try them.
     * Consuming one is the grant row's conditional update; when none can be consumed any more (a
     * concurrent request used the room), the request awaits approval instead.
     */
    record RunUnderGrant(List<String> grantIds, Money impact) implements Decision {
        public RunUnderGrant {
            grantIds = List.copyOf(grantIds);
            if (grantIds.isEmpty()) {
                throw new IllegalArgumentException("a run under grant needs a grant");
            }
        }
    }

    /** An approved request that still fits what its approver saw: it runs, reserving {@code impact}. */
    record RunApproved(Money impact) implements Decision {}

    /**
     * An approved request whose spend impact rose above the {@code approved} figure since it was
     * shown: it does not run, and a new approval must show {@code impact}.
     */
    record ImpactChanged(Money approved, Money impact) implements Decision {}
}
