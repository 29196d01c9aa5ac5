package dev.minutework.broker.server.console;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Optional;
import org.springframework.core.MethodParameter;
import org.springframework.http.ResponseCookie;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * The console's door, before every console page: the session cookie must name a live session
 * ({@link ConsoleSessions}), else a page redirects to sign-in and a post is refused; every
 * state-changing request must come from this broker's own pages (its {@code Origin}, or its
 * {@code Referer} when a browser sends no origin) and carry the session's CSRF token (form field
 * {@value #CSRF_FIELD} or header {@value #CSRF_HEADER}). Sign-in itself has no session yet: it is
 * held to the origin check. The signed-in {@link ConsoleSessions.Session} is then a handler argument.
 */
final class ConsoleAccess implements HandlerInterceptor, HandlerMethodArgumentResolver {

    static final String COOKIE = "mwb_console";
    static final String CSRF_FIELD = "_csrf";
    static final String CSRF_HEADER = "X-CSRF-Token";
    private static final String ATTRIBUTE = ConsoleAccess.class.getName() + ".session";

    private final ConsoleSessions sessions;

    ConsoleAccess(ConsoleSessions sessions) {
        this.sessions = sessions;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        // pages hold tenant data: never cached, never framed (clickjacking an approve button), and
        // the Referer goes to this origin only, where the origin check reads it
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("Referrer-Policy", "same-origin");
        response.setHeader("X-Content-Type-Options", "nosniff");
        boolean changes = !"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod());
        if (changes) {
            requireSameOrigin(request);
        }
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if (path.equals(ConsoleSignInController.SIGN_IN)) {
            return true;
        }
        Optional<ConsoleSessions.Session> session = token(request).flatMap(t -> sessions.find(t));
        if (session.isEmpty()) {
            if (changes) {
                throw ConsoleRefusal.signedOut();
            }
            response.setStatus(HttpServletResponse.SC_SEE_OTHER);
            response.setHeader("Location", request.getContextPath() + ConsoleSignInController.SIGN_IN);
            return false;
        }
        if (changes && !csrfMatches(request, session.get().csrfToken())) {
            throw ConsoleRefusal.csrf();
        }
        request.setAttribute(ATTRIBUTE, session.get());
        return true;
    }

    /** The session token the request's cookie presents, if any. */
    static Optional<String> token(HttpServletRequest request) {
        if (request.getCookies() == null) {
            return Optional.empty();
        }
        for (Cookie c : request.getCookies()) {
            if (COOKIE.equals(c.getName()) && c.getValue() != null && !c.getValue().isBlank()) {
                return Optional.of(c.getValue());
            }
        }
        return Optional.empty();
    }

    /**
     * The session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's page sends
     * it), Path=/console (the API never sees it), Secure on HTTPS. An empty token with max age 0 clears it.
     */
    static ResponseCookie cookie(HttpServletRequest request, String token) {
        return ResponseCookie.from(COOKIE, token).httpOnly(true).sameSite("Strict").path("/console")
                .secure(request.isSecure()).maxAge(token.isEmpty() ? java.time.Duration.ZERO : ConsoleSessions.LIFETIME)
                .build();
    }

    private static boolean csrfMatches(HttpServletRequest request, String expected) {
        String presented = request.getHeader(CSRF_HEADER);
        if (presented == null) {
            presented = request.getParameter(CSRF_FIELD);
        }
        return presented != null && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8));
    }

    /** Refuses a post whose Origin (or, lacking one, Referer) is not this broker as the browser addressed it. */
    private static void requireSameOrigin(HttpServletRequest request) {
        String host = request.getHeader("Host");
        if (host == null) {
            throw ConsoleRefusal.crossOrigin();
        }
        String self = request.getScheme().toLowerCase(Locale.ROOT) + "://" + host.toLowerCase(Locale.ROOT);
        String origin = request.getHeader("Origin");
        if (origin != null) {
            if (!origin.toLowerCase(Locale.ROOT).equals(self)) {
                throw ConsoleRefusal.crossOrigin();
            }
            return;
        }
        String referer = request.getHeader("Referer");
        if (referer == null || !sameOrigin(referer, self)) {
            throw ConsoleRefusal.crossOrigin();
        }
    }

    private static boolean sameOrigin(String referer, String self) {
        try {
            URI uri = URI.create(referer);
            if (uri.getScheme() == null || uri.getRawAuthority() == null) {
                return false;
            }
            return (uri.getScheme() + "://" + uri.getRawAuthority()).toLowerCase(Locale.ROOT).equals(self);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == ConsoleSessions.Session.class;
    }

    @Override
    public ConsoleSessions.Session resolveArgument(MethodParameter parameter, ModelAndViewContainer mav,
            NativeWebRequest request, WebDataBinderFactory binderFactory) {
        Object session = request.getAttribute(ATTRIBUTE, NativeWebRequest.SCOPE_REQUEST);
        if (session instanceof ConsoleSessions.Session s) {
            return s;
        }
        throw ConsoleRefusal.signedOut();
    }
}
