package dev.minutework.broker.server.execution;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Splits an execute request's time between the broker and the provider, and tells the caller in a
 * {@code Server-Timing} header ({@code broker;dur=…, provider;dur=…}, milliseconds): what the
 * governance costs is then visible per call, apart from what the provider took. Provider time is
 * the adapter calls made by the request's own thread.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class ServerTiming extends OncePerRequestFilter {

    private static final String STARTED = ServerTiming.class.getName() + ".started";
    private static final ThreadLocal<long[]> PROVIDER_NANOS = new ThreadLocal<>();

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"/v1/integration-broker/execute".equals(request.getRequestURI());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        request.setAttribute(STARTED, System.nanoTime());
        PROVIDER_NANOS.set(new long[1]);
        try {
            chain.doFilter(request, response);
        } finally {
            PROVIDER_NANOS.remove();
        }
    }

    /** Counts time the current request spent waiting on a provider. */
    static void providerCall(long nanos) {
        long[] total = PROVIDER_NANOS.get();
        if (total != null) {
            total[0] += nanos;
        }
    }

    /** The header value for the request so far, or null outside a timed request. */
    static String header(HttpServletRequest request) {
        long[] provider = PROVIDER_NANOS.get();
        if (!(request.getAttribute(STARTED) instanceof Long started) || provider == null) {
            return null;
        }
        long total = System.nanoTime() - started;
        return String.format(Locale.ROOT, "broker;dur=%.2f, provider;dur=%.2f", (total - provider[0]) / 1e6,
                provider[0] / 1e6);
    }
}
