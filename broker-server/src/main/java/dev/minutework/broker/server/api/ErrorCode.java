package dev.minutework.broker.server.api;

import java.util.Locale;

/**
 * Every stable error code of the API. The wire form is the lower-case name
 * ({@code FORBIDDEN_SCOPE_FIELD} → {@code forbidden_scope_field}); the HTTP status comes from
 * {@link ApiErrorHandler#status(ErrorCode)}, one exhaustive switch.
 */
public enum ErrorCode {
    UNAUTHENTICATED,
    FORBIDDEN_ROLE,
    SELF_APPROVAL_FORBIDDEN,
    PASSKEY_REQUIRED,
    PASSKEY_INVALID,
    NOT_FOUND,
    CAPABILITY_GAP,
    ACTION_RESERVED,
    INVALID_INPUT,
    PROVIDER_UNSUPPORTED,
    PROVIDER_WOULD_REJECT,
    FORBIDDEN_SCOPE_FIELD,
    UNBOUNDED_SPEND,
    UNSUPPORTED_CURRENCY,
    IDEMPOTENCY_CONFLICT,
    NOT_READY,
    CONFLICT,
    APPROVAL_NOT_PENDING,
    APPROVAL_EXPIRED,
    APPROVAL_DENIED,
    CAMPAIGN_BUSY,
    KILL_SWITCH_ENGAGED,
    SPEND_IMPACT_CHANGED,
    PAYLOAD_DIGEST_MISMATCH,
    BUDGET_EXCEEDED,
    INSUFFICIENT_CREDITS,
    BALANCE_LIMIT_EXCEEDED,
    PROVIDER_REJECTED,
    PROVIDER_RATE_LIMITED,
    PROVIDER_AUTH_FAILED,
    PROVIDER_OUTCOME_UNKNOWN,
    METHOD_NOT_ALLOWED,
    UNSUPPORTED_MEDIA_TYPE,
    PAYLOAD_TOO_LARGE,
    SERVICE_UNAVAILABLE,
    INTERNAL_ERROR;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
