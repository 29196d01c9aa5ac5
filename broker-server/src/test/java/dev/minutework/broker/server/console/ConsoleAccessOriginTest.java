package dev.minutework.broker.server.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * Which posts the console's door lets through to the session check: those from its own origin, by
 * {@code Origin} or, when a browser sends none, by {@code Referer}; anything else, or nothing, is
 * {@code cross_origin_refused} before any session is looked at.
 */
class ConsoleAccessOriginTest {

    private final ConsoleAccess access = new ConsoleAccess(null);

    @Test
    void aPostFromTheConsolesOwnOriginReachesTheSessionCheck() {
        assertThat(refusal(post("http://localhost:8080", null)).code()).isEqualTo("unauthenticated");
        assertThat(refusal(post(null, "http://localhost:8080/console/inbox")).code()).isEqualTo("unauthenticated");
        assertThat(refusal(post("HTTP://LOCALHOST:8080", null)).code()).as("origins compare case-insensitively")
                .isEqualTo("unauthenticated");
    }

    @Test
    void aPostFromAnotherOriginOrWithoutOriginAndRefererIsRefused() {
        assertThat(refusal(post("https://attacker.example", null)).code()).isEqualTo("cross_origin_refused");
        assertThat(refusal(post("http://localhost:8081", null)).code()).as("another port").isEqualTo("cross_origin_refused");
        assertThat(refusal(post("null", null)).code()).as("an opaque origin").isEqualTo("cross_origin_refused");
        assertThat(refusal(post("https://attacker.example", "http://localhost:8080/console/inbox")).code())
                .as("a same-origin Referer does not excuse a foreign Origin").isEqualTo("cross_origin_refused");
        assertThat(refusal(post(null, "http://localhost:8080.attacker.example/console")).code())
                .isEqualTo("cross_origin_refused");
        assertThat(refusal(post(null, "not a url")).code()).isEqualTo("cross_origin_refused");
        assertThat(refusal(post(null, null)).code()).isEqualTo("cross_origin_refused");
    }

    @Test
    void aPageWithoutASessionRedirectsToSignIn() throws Exception {
        MockHttpServletRequest get = new MockHttpServletRequest("GET", "/console/inbox");
        MockHttpServletResponse response = new MockHttpServletResponse();
        assertThat(access.preHandle(get, response, new Object())).isFalse();
        assertThat(response.getStatus()).isEqualTo(303);
        assertThat(response.getHeader("Location")).isEqualTo("/console/sign-in");
        assertThat(response.getHeader("X-Frame-Options")).isEqualTo("DENY");
        assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
    }

    private static MockHttpServletRequest post(String origin, String referer) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/console/approvals/apr_1/approve");
        request.setScheme("http");
        request.addHeader("Host", "localhost:8080");
        if (origin != null) {
            request.addHeader("Origin", origin);
        }
        if (referer != null) {
            request.addHeader("Referer", referer);
        }
        return request;
    }

    private ConsoleRefusal refusal(MockHttpServletRequest request) {
        return catchThrowableOfType(ConsoleRefusal.class,
                () -> access.preHandle(request, new MockHttpServletResponse(), new Object()));
    }
}
