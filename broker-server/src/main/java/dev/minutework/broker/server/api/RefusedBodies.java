package dev.minutework.broker.server.api;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Told of every request body refused before its handler ran ({@link UnreadableBody}), so that a
 * module which receipts refusals (the execute pipeline) can receipt these too: a body smuggling a
 * duplicate provider-scope member is refused, and audited, like any other.
 */
public interface RefusedBodies {

    /** {@code request}'s body was refused with {@code refusal}; its caller, if known, is the request attribute {@code CallerResolver.ATTRIBUTE}. */
    void refused(HttpServletRequest request, ApiException refusal);
}
