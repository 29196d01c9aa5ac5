package dev.minutework.broker.providers.http;

import java.net.http.HttpHeaders;

/** How one HTTP exchange with a provider ended. */
public sealed interface WireResult {

    /** The provider answered (any status). */
    record Answered(int status, HttpHeaders headers, String body) implements WireResult {
        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    /** The request never reached the provider (connection refused, connect timeout): safe to retry. */
    record NotSent(String reason) implements WireResult {}

    /** The request was sent but the answer was lost (timeout, reset): the provider may have acted. */
    record Lost(String reason) implements WireResult {}
}
