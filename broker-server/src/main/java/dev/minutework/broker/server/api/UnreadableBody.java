package dev.minutework.broker.server.api;

/** A request body refused by {@link RequestJson} before any handler saw it. */
public final class UnreadableBody extends ApiException {

    private static final long serialVersionUID = 1L;

    UnreadableBody(ApiException refusal) {
        super(refusal.code(), refusal.getMessage(), refusal.details());
    }
}
