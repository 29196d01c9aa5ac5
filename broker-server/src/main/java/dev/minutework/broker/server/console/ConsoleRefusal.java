package dev.minutework.broker.server.console;

/**
 * A console request refused before any service ran it: no session, a form without its CSRF token,
 * a post from another origin. Rendered by {@link ConsoleErrors} as the console's error page, with
 * a code as stable as the API's error codes.
 */
final class ConsoleRefusal extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    ConsoleRefusal(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    static ConsoleRefusal signedOut() {
        return new ConsoleRefusal(401, "unauthenticated", "sign in to the console first (or again: the session ended)");
    }

    static ConsoleRefusal csrf() {
        return new ConsoleRefusal(403, "csrf_token_invalid",
                "the form did not carry this session's CSRF token: reload the page and try again");
    }

    static ConsoleRefusal crossOrigin() {
        return new ConsoleRefusal(403, "cross_origin_refused",
                "the request did not come from a console page of this broker (Origin or Referer)");
    }
}
