package dev.minutework.broker.sim;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Base of the four provider simulators: a local HTTP server on a free port, a route table, the
 * provider's error envelopes, a request log and {@link Faults}. Subclasses enforce their
 * provider's documented wire rules and keep the objects created on them.
 */
public abstract class ProviderSimulator implements AutoCloseable {

    /** Handles one request whose path matched a route; groups of the route's pattern are in {@code match}. */
    @FunctionalInterface
    public interface Handler {
        SimResponse handle(SimRequest request, Matcher match);
    }

    private record Route(String method, Pattern path, Handler handler) {}

    private final String provider;
    private final List<Route> routes = new ArrayList<>();
    private final List<SimRequest> log = new CopyOnWriteArrayList<>();
    private final Faults faults = new Faults();
    /**
     * The calls {@link #countCall} counted, per minute of the clock and per key; minutes before the
     * current one are dropped. Guarded by itself.
     */
    private final NavigableMap<Long, Map<String, Integer>> callsPerMinute = new TreeMap<>();
    protected final Clock clock;
    private SimStore store = SimStore.inMemory();
    private HttpServer server;
    private ExecutorService executor;
    private SimulatorTls tls;

    protected ProviderSimulator(String provider, Clock clock) {
        this.provider = provider;
        this.clock = clock;
    }

    /** The provider key this simulator stands in for ({@code openaiads}, …). */
    public final String provider() {
        return provider;
    }

    /** The path prefix of the provider's API, e.g. {@code /v1} or {@code /open_api/v1.3}. */
    protected abstract String basePath();

    /** Registers the provider's routes with {@link #route}. */
    protected abstract void registerRoutes();

    /** The provider's answer to a request for a path it does not serve. */
    protected abstract SimResponse notFound(SimRequest request);

    /** The provider's 5xx answer. */
    protected abstract SimResponse serverError();

    /** The provider's rate-limit answer. */
    protected abstract SimResponse rateLimited();

    /**
     * Creates (or re-creates after a restart) the provider-side account for a scope and its
     * credentials, as the platform owner does at the real provider. Calls authenticate against it.
     */
    public abstract void provision(Map<String, String> scope, Map<String, String> credentials);

    /**
     * Keeps the objects created on this simulator in {@code file} (a journal, see {@link SimStore}),
     * so that they survive a restart of the process: a later simulator given the same file finds
     * them again once the account is provisioned. Call before {@link #start()}.
     */
    public final synchronized ProviderSimulator keepStateIn(Path file) {
        if (server != null) {
            throw new IllegalStateException("the " + provider + " simulator is already started");
        }
        store.close();
        store = SimStore.at(file);
        return this;
    }

    /**
     * Where the subclass records what it creates and changes ({@link SimStore#put}) and reads it back
     * when an account is provisioned ({@link SimStore#account}).
     */
    protected final SimStore store() {
        return store;
    }

    /**
     * Serves over HTTPS with {@code tls}'s self-signed certificate instead of plain HTTP, for clients
     * that refuse anything else. Call before {@link #start()}.
     */
    public final synchronized ProviderSimulator useHttps(SimulatorTls tls) {
        if (server != null) {
            throw new IllegalStateException("the " + provider + " simulator is already started");
        }
        this.tls = tls;
        return this;
    }

    /** The certificate this simulator serves with, when it serves HTTPS. */
    public final Optional<SimulatorTls> tls() {
        return Optional.ofNullable(tls);
    }

    protected final void route(String method, String pathRegex, Handler handler) {
        routes.add(new Route(method, Pattern.compile(pathRegex), handler));
    }

    /** Starts the server on a free port of the loopback interface. */
    public final synchronized ProviderSimulator start() {
        if (server != null) {
            return this;
        }
        registerRoutes();
        try {
            // a deep accept queue: a provider under load queues connections rather than dropping them
            InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            if (tls == null) {
                server = HttpServer.create(loopback, 4096);
            } else {
                HttpsServer https = HttpsServer.create(loopback, 4096);
                https.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
                server = https;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the " + provider + " simulator", e);
        }
        executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", this::serve);
        server.start();
        return this;
    }

    /** Where the simulated API lives, including {@link #basePath()} (no trailing slash). */
    public final URI baseUrl() {
        if (server == null) {
            throw new IllegalStateException("the " + provider + " simulator is not started");
        }
        return URI.create((tls == null ? "http://" : "https://") + server.getAddress().getHostString() + ":" + server.getAddress().getPort()
                + basePath());
    }

    /** The origin (scheme, host, port) without the API path, for auxiliary endpoints such as OAuth. */
    public final URI origin() {
        URI base = baseUrl();
        return URI.create(base.getScheme() + "://" + base.getAuthority());
    }

    /**
     * Counts one call against {@code key} (a token, a token and endpoint, …) in the clock's current
     * minute, for the provider's per-minute rate limits; the count including this call.
     */
    protected final int countCall(String key) {
        synchronized (callsPerMinute) {
            long minute = currentMinute();
            callsPerMinute.headMap(minute).clear(); // earlier minutes count no more
            return callsPerMinute.computeIfAbsent(minute, m -> new HashMap<>()).merge(key, 1, Integer::sum);
        }
    }

    /** The most calls {@link #countCall} counted against any one key in the clock's current minute. */
    protected final int busiestKeyThisMinute() {
        synchronized (callsPerMinute) {
            Map<String, Integer> counts = callsPerMinute.get(currentMinute());
            return counts == null ? 0 : counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        }
    }

    /**
     * The clock's current minute; read under the counts' lock, so a call that read a minute is
     * counted before a call that read a later one can drop it.
     */
    private long currentMinute() {
        return clock.instant().getEpochSecond() / 60;
    }

    public final Faults faults() {
        return faults;
    }

    /** Every request received, oldest first. */
    public final List<SimRequest> requests() {
        return List.copyOf(log);
    }

    public final void clearRequests() {
        log.clear();
    }

    @Override
    public final synchronized void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
        }
        store.close();
    }

    private void serve(HttpExchange exchange) {
        try (exchange) {
            SimRequest request = read(exchange);
            log.add(request);
            sleep(faults.latency());
            Faults.Fault fault = faults.poll();
            if (fault == Faults.Fault.DROP_REQUEST) {
                return; // closes the connection without an answer; nothing was done
            }
            SimResponse response = switch (fault) {
                case SERVER_ERROR -> serverError();
                case RATE_LIMITED -> rateLimited();
                case null, default -> dispatch(request);
            };
            if (fault == Faults.Fault.DROP_RESPONSE) {
                return; // the provider acted; the answer is lost
            }
            if (fault == Faults.Fault.TIMEOUT_AFTER_COMMIT) {
                sleep(faults.hang());
            }
            write(exchange, response);
        } catch (IOException | UncheckedIOException e) {
            // the client went away: nothing to answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private SimResponse dispatch(SimRequest request) {
        String rest = routePath(request);
        if (rest == null) {
            return unmatched(request);
        }
        for (Route r : routes) {
            Matcher m = r.path().matcher(rest);
            if (r.method().equals(request.method()) && m.matches()) {
                return r.handler().handle(request, m);
            }
        }
        return unmatched(request);
    }

    /**
     * The part of the request's path the routes match, or {@code null} when the request is outside
     * the API. Default: the path after {@link #basePath()}; a provider that serves several API
     * versions or ignores a trailing slash says so here.
     */
    protected String routePath(SimRequest request) {
        String path = request.path();
        return path.startsWith(basePath()) ? path.substring(basePath().length()) : null;
    }

    /** Requests outside the API path (e.g. an OAuth endpoint on the same origin); default: not found. */
    protected SimResponse unmatched(SimRequest request) {
        return notFound(request);
    }

    private static SimRequest read(HttpExchange exchange) throws IOException {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            bytes = in.readAllBytes();
        }
        URI uri = exchange.getRequestURI();
        Map<String, String> query = new LinkedHashMap<>();
        if (uri.getRawQuery() != null) {
            query.putAll(SimRequest.decodeForm(uri.getRawQuery()));
        }
        String path = URLDecoder.decode(uri.getRawPath(), StandardCharsets.UTF_8);
        return new SimRequest(exchange.getRequestMethod(), path, query, headers, new String(bytes, StandardCharsets.UTF_8),
                bytes);
    }

    private static void write(HttpExchange exchange, SimResponse response) throws IOException {
        byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
        response.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        exchange.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static void sleep(Duration d) throws InterruptedException {
        if (!d.isZero() && !d.isNegative()) {
            Thread.sleep(d);
        }
    }
}
