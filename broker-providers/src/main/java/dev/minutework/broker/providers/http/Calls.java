package dev.minutework.broker.providers.http;

import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ProviderOutcome.RejectionKind;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The one protocol by which every provider adapter sends, waits and sends again. The adapter
 * brings what is its own: how to send the request, how to read its provider's answer into a
 * {@link Verdict}, and how to look an object up by the broker reference it carries.
 *
 * <p><b>A create is never sent again after an answer that may have made the object unless a lookup
 * proved it absent</b> ({@link #create}). One attempt after the other, at most {@link #ATTEMPTS}:
 * <ul>
 *   <li>{@link Verdict.Success}: its outcome.
 *   <li>{@link Verdict.UnreadableSuccess} (made, but the answer cannot be read) or
 *       {@link WireResult.Lost} (sent, answer lost): look the object up; found is that
 *       {@link ProviderOutcome.Succeeded}, anything else {@link ProviderOutcome.Unknown} (absent is
 *       no proof: the provider may still be making it).
 *   <li>{@link Verdict.Throttled}: wait inline when the wait is at most {@link #MAX_INLINE_WAIT}
 *       and an attempt is left, else {@link ProviderOutcome.RateLimited}.
 *   <li>{@link Verdict.Transient}: look the object up; only a {@code Rejected} of kind
 *       {@link RejectionKind#NOT_FOUND} lets the create be sent again, any other lookup result
 *       (found, or cannot tell) is the outcome.
 *   <li>{@link Verdict.Final}: that refusal.
 *   <li>{@link WireResult.NotSent}: send again.
 * </ul>
 * Between attempts the wait starts at the adapter's first backoff and doubles; there is no wait
 * after the last attempt, whose failure stands.
 *
 * <p><b>A create carrying the provider's idempotency key</b> ({@link #createWithKey}) may be sent
 * again after anything but a definite answer, because the provider answers a repeated key with
 * the object it already made; only when an answer was lost and no later attempt settled it is the
 * object looked up.
 *
 * <p><b>Reads and absolute updates</b> ({@link #repeat}) are sent again after throttling, transient
 * failures, unsent requests and lost answers; an unreadable 2xx answer and a definite refusal end
 * them. {@link #once} reads the same way with a single attempt: whatever it brings stands.
 */
public final class Calls {

    /** How many times one call is attempted at most. */
    public static final int ATTEMPTS = 3;

    /** The longest throttling wait taken inline; a longer one is answered {@link ProviderOutcome.RateLimited}. */
    public static final Duration MAX_INLINE_WAIT = Duration.ofSeconds(5);

    /** The wait after an adapter's first failed attempt, unless the adapter is made with another. */
    public static final Duration FIRST_BACKOFF = Duration.ofMillis(200);

    /** A read's answer, or the outcome that stands instead of it (then {@code answer} is null). */
    public record Reply<T>(T answer, ProviderOutcome failure) {}

    private final Duration firstBackoff;
    private final UnaryOperator<String> redaction;

    /**
     * @param firstBackoff the wait after the first failed attempt; it doubles after each further one
     * @param redaction makes the network's reasons safe to keep (removes the account's credentials)
     */
    public Calls(Duration firstBackoff, UnaryOperator<String> redaction) {
        this.firstBackoff = firstBackoff;
        this.redaction = redaction;
    }

    /**
     * The longest one protocol call ({@link #create}, {@link #createWithKey}, {@link #repeat}) takes
     * when every exchange takes {@code exchange}, the longest it may: {@link #ATTEMPTS} exchanges and,
     * between two of them, a wait of at most the larger of the backoff reached so far and
     * {@link #MAX_INLINE_WAIT}. The lookups a create makes are protocol calls of their own.
     */
    public static Duration worstCase(Duration exchange, Duration firstBackoff) {
        Duration total = exchange.multipliedBy(ATTEMPTS);
        Duration backoff = firstBackoff;
        for (int gap = 1; gap < ATTEMPTS; gap++) {
            total = total.plus(backoff.compareTo(MAX_INLINE_WAIT) > 0 ? backoff : MAX_INLINE_WAIT);
            backoff = backoff.multipliedBy(2);
        }
        return total;
    }

    /**
     * A create without an idempotency key (see the class comment).
     *
     * @param lookUp finds the object by its broker reference: {@code Succeeded} when made,
     *     {@code Rejected} of kind {@code NOT_FOUND} when certainly absent, anything else when it cannot tell
     * @param unknownReason the reason of the {@code Unknown} outcome when an answer was lost and the
     *     lookup did not find the object
     */
    public ProviderOutcome create(Supplier<WireResult> send,
            Function<WireResult.Answered, Verdict<ProviderOutcome>> classify, Supplier<ProviderOutcome> lookUp,
            String unknownReason) {
        ProviderOutcome last = null;
        Attempts attempt = new Attempts();
        while (attempt.next()) {
            switch (send.get()) {
                case WireResult.NotSent n -> last = unreachable(n);
                case WireResult.Lost l -> {
                    return findAfterLoss(lookUp, unknownReason);
                }
                case WireResult.Answered a -> {
                    switch (classify.apply(a)) {
                        case Verdict.Success<ProviderOutcome> s -> {
                            return s.value();
                        }
                        case Verdict.UnreadableSuccess<ProviderOutcome> u -> {
                            // made, but the answer is unreadable: find the object rather than guess
                            return findAfterLoss(lookUp, unknownReason);
                        }
                        case Verdict.Throttled<ProviderOutcome> t -> {
                            if (!attempt.waitOut(t)) {
                                return new ProviderOutcome.RateLimited(t.retryAfter());
                            }
                            continue;
                        }
                        case Verdict.Transient<ProviderOutcome> t -> {
                            ProviderOutcome found = lookUp.get();
                            if (!provesAbsent(found)) {
                                return found; // made after all, or cannot tell
                            }
                            last = t.rejected();
                        }
                        case Verdict.Final<ProviderOutcome> f -> {
                            return f.rejected();
                        }
                    }
                }
            }
            attempt.backOff();
        }
        return last;
    }

    /** A create whose request carries the provider's idempotency key (see the class comment). */
    public ProviderOutcome createWithKey(Supplier<WireResult> send,
            Function<WireResult.Answered, Verdict<ProviderOutcome>> classify, Supplier<ProviderOutcome> lookUp,
            String unknownReason) {
        ProviderOutcome last = null;
        boolean answerLost = false;
        Attempts attempt = new Attempts();
        while (attempt.next()) {
            switch (send.get()) {
                case WireResult.NotSent n -> last = unreachable(n);
                case WireResult.Lost l -> answerLost = true;
                case WireResult.Answered a -> {
                    switch (classify.apply(a)) {
                        case Verdict.Success<ProviderOutcome> s -> {
                            return s.value();
                        }
                        case Verdict.UnreadableSuccess<ProviderOutcome> u -> answerLost = true;
                        case Verdict.Throttled<ProviderOutcome> t -> {
                            if (!attempt.waitOut(t)) {
                                return new ProviderOutcome.RateLimited(t.retryAfter());
                            }
                            continue;
                        }
                        case Verdict.Transient<ProviderOutcome> t -> last = t.rejected();
                        case Verdict.Final<ProviderOutcome> f -> {
                            return f.rejected();
                        }
                    }
                }
            }
            attempt.backOff();
        }
        return answerLost ? findAfterLoss(lookUp, unknownReason) : last;
    }

    /** A read or an absolute update, attempted up to {@link #ATTEMPTS} times. */
    public <T> Reply<T> repeat(Supplier<WireResult> send, Function<WireResult.Answered, Verdict<T>> classify) {
        return repeatable(send, classify, new Attempts());
    }

    /** A read attempted once: throttling, transient failures and network trouble are its failure. */
    public <T> Reply<T> once(Supplier<WireResult> send, Function<WireResult.Answered, Verdict<T>> classify) {
        return repeatable(send, classify, new Attempts(1));
    }

    private <T> Reply<T> repeatable(Supplier<WireResult> send, Function<WireResult.Answered, Verdict<T>> classify,
            Attempts attempt) {
        ProviderOutcome last = null;
        while (attempt.next()) {
            switch (send.get()) {
                case WireResult.NotSent n -> last = unreachable(n);
                case WireResult.Lost l -> last = new ProviderOutcome.Unknown(redaction.apply(l.reason()));
                case WireResult.Answered a -> {
                    switch (classify.apply(a)) {
                        case Verdict.Success<T> s -> {
                            return new Reply<>(s.value(), null);
                        }
                        case Verdict.UnreadableSuccess<T> u -> {
                            return new Reply<>(null, Wire.unreadable());
                        }
                        case Verdict.Throttled<T> t -> {
                            if (!attempt.waitOut(t)) {
                                return new Reply<>(null, new ProviderOutcome.RateLimited(t.retryAfter()));
                            }
                            continue;
                        }
                        case Verdict.Transient<T> t -> last = t.rejected();
                        case Verdict.Final<T> f -> {
                            return new Reply<>(null, f.rejected());
                        }
                    }
                }
            }
            attempt.backOff();
        }
        return new Reply<>(null, last);
    }

    /** The request was sent and the answer lost: look for the object; absent is not proof, so unknown. */
    private static ProviderOutcome findAfterLoss(Supplier<ProviderOutcome> lookUp, String unknownReason) {
        ProviderOutcome found = lookUp.get();
        return found instanceof ProviderOutcome.Succeeded ? found : new ProviderOutcome.Unknown(unknownReason);
    }

    private static boolean provesAbsent(ProviderOutcome lookup) {
        return lookup instanceof ProviderOutcome.Rejected r && r.kind() == RejectionKind.NOT_FOUND;
    }

    private ProviderOutcome.Rejected unreachable(WireResult.NotSent n) {
        return new ProviderOutcome.Rejected(RejectionKind.PROVIDER_ERROR, "unreachable", redaction.apply(n.reason()));
    }

    /** One call's attempts: counts them and waits between them. */
    private final class Attempts {

        private final int allowed;
        private int made;
        private Duration backoff = firstBackoff;

        Attempts() {
            this(ATTEMPTS);
        }

        Attempts(int allowed) {
            this.allowed = allowed;
        }

        /** Starts the next attempt; false when none is left. */
        boolean next() {
            if (made >= allowed) {
                return false;
            }
            made++;
            return true;
        }

        /** Waits the backoff, then doubles it; never after the last attempt. */
        void backOff() {
            if (made < allowed) {
                Wire.sleep(backoff);
                backoff = backoff.multipliedBy(2);
            }
        }

        /**
         * Waits out throttling before the next attempt: the provider's wait, or one backoff step when
         * it gave none. False, without waiting, when no attempt is left or the wait is too long to
         * take inline.
         */
        boolean waitOut(Verdict.Throttled<?> throttled) {
            Duration wait = throttled.inlineWait() != null ? throttled.inlineWait() : backoff;
            if (made >= allowed || wait.compareTo(MAX_INLINE_WAIT) > 0) {
                return false;
            }
            if (throttled.inlineWait() != null) {
                Wire.sleep(wait);
            } else {
                backOff();
            }
            return true;
        }
    }
}
