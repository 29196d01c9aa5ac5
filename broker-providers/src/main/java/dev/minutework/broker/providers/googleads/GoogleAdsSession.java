package dev.minutework.broker.providers.googleads;

import dev.minutework.broker.core.provider.ProviderOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What all adapters of one provider account share: the OAuth access token (refreshed before it
 * expires, by one caller at a time) and the customer's currency and time zone. Never printed.
 */
final class GoogleAdsSession {

    /** Refresh this long before the provider's expiry, so a token never dies in flight. */
    static final Duration REFRESH_MARGIN = Duration.ofSeconds(60);

    /** A fresh token and how long it lives, or why there is none. */
    record TokenGrant(String accessToken, Duration lifetime, ProviderOutcome.Rejected failure) {}

    /** Thrown when no access token can be had; carries the credential-free outcome. */
    static final class NoToken extends RuntimeException {
        final ProviderOutcome.Rejected outcome;

        NoToken(ProviderOutcome.Rejected outcome) {
            super(outcome.providerCode(), null, false, false);
            this.outcome = outcome;
        }
    }

    /** The customer facts money and time mapping need. */
    record CustomerInfo(String currency, String timeZone) {}

    private final ReentrantLock tokenLock = new ReentrantLock();
    private final ReentrantLock customerLock = new ReentrantLock();
    private final String fingerprint;
    private volatile String accessToken;
    private Instant expiresAt = Instant.EPOCH;
    private volatile CustomerInfo customer;

    GoogleAdsSession(String fingerprint) {
        this.fingerprint = fingerprint;
    }

    /** Whether this session was made for the same credentials (rotated credentials get a new one). */
    boolean matches(String otherFingerprint) {
        return fingerprint.equals(otherFingerprint);
    }

    /** A token valid for at least {@link #REFRESH_MARGIN}; refreshes (one caller at a time) when needed. */
    String accessToken(Clock clock, java.util.function.Supplier<TokenGrant> refresh) {
        tokenLock.lock();
        try {
            if (accessToken != null && clock.instant().isBefore(expiresAt.minus(REFRESH_MARGIN))) {
                return accessToken;
            }
            TokenGrant grant = refresh.get();
            if (grant.failure() != null) {
                accessToken = null;
                throw new NoToken(grant.failure());
            }
            accessToken = grant.accessToken();
            expiresAt = clock.instant().plus(grant.lifetime());
            return accessToken;
        } finally {
            tokenLock.unlock();
        }
    }

    /** The provider refused this token: forget it unless another caller already replaced it. */
    void invalidate(String refused) {
        tokenLock.lock();
        try {
            if (Objects.equals(accessToken, refused)) {
                accessToken = null;
            }
        } finally {
            tokenLock.unlock();
        }
    }

    /** The current token, for redaction only. */
    String currentToken() {
        return accessToken;
    }

    CustomerInfo customer(java.util.function.Supplier<CustomerInfo> load) {
        CustomerInfo known = customer;
        if (known != null) {
            return known;
        }
        customerLock.lock();
        try {
            if (customer == null) {
                customer = load.get();
            }
            return customer;
        } finally {
            customerLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "GoogleAdsSession(redacted)";
    }
}
