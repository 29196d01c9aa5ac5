package dev.minutework.broker.providers.http;

import dev.minutework.broker.core.provider.ProviderOutcome;
import java.time.Duration;

/**
 * What one provider answer means to {@link Calls}. Each adapter reads its provider's answers into a
 * verdict (by HTTP status, by error envelope, by error codes in an HTTP 200); {@link Calls} decides
 * from the verdict whether to stop, wait, look up or send again.
 *
 * @param <T> what a successful answer yields: the outcome of a create, or the JSON of a read
 */
public sealed interface Verdict<T> {

    /** The provider did what was asked; {@code value} is what the answer said. */
    record Success<T>(T value) implements Verdict<T> {}

    /** A 2xx answer that is not the documented one: the provider may have acted, nobody can tell how. */
    record UnreadableSuccess<T>() implements Verdict<T> {}

    /**
     * The provider is throttling: wait {@code inlineWait} (null: one step of the backoff, the provider
     * gave no hint) before trying again; {@code retryAfter} is what {@link ProviderOutcome.RateLimited} says
     * when the wait is too long to take inline or the attempts have run out.
     */
    record Throttled<T>(Duration inlineWait, Duration retryAfter) implements Verdict<T> {}

    /** The provider's own trouble (5xx and its "try again later" codes): it may or may not have acted. */
    record Transient<T>(ProviderOutcome.Rejected rejected) implements Verdict<T> {}

    /** A definite refusal: the provider did nothing, and asking again gets the same answer. */
    record Final<T>(ProviderOutcome.Rejected rejected) implements Verdict<T> {}

    static <T> Verdict<T> success(T value) {
        return new Success<>(value);
    }

    static <T> Verdict<T> unreadableSuccess() {
        return new UnreadableSuccess<>();
    }

    /** Throttled with the provider's own hint, which is both the inline wait and the rate-limit answer. */
    static <T> Verdict<T> throttled(Duration retryAfter) {
        return new Throttled<>(retryAfter, retryAfter);
    }

    /** Throttled without a hint: back off inline; {@code assumed} is what the rate-limit answer says. */
    static <T> Verdict<T> throttledWithoutHint(Duration assumed) {
        return new Throttled<>(null, assumed);
    }

    static <T> Verdict<T> transientFailure(ProviderOutcome.Rejected rejected) {
        return new Transient<>(rejected);
    }

    static <T> Verdict<T> refused(ProviderOutcome.Rejected rejected) {
        return new Final<>(rejected);
    }
}
