package dev.minutework.broker.providers.http;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;

/**
 * Sends requests to a provider with bounded timeouts and classifies failures: a request that never
 * left ({@link WireResult.NotSent}) versus one whose answer was lost ({@link WireResult.Lost}).
 * It never retries by itself; {@link Calls} decides what is safe to repeat.
 */
public final class ProviderHttp {

    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient client;
    private final Duration requestTimeout;

    public ProviderHttp(Duration requestTimeout) {
        this.client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).sslContext(ProviderTrust.sslContext()).build();
        this.requestTimeout = requestTimeout;
    }

    public ProviderHttp() {
        this(REQUEST_TIMEOUT);
    }

    /**
     * The longest one exchange may wait for its answer: connecting, then the request timeout. (The
     * broker also bounds each whole adapter call, see {@code ProviderAdapterFactory#worstCaseCallDuration}.)
     */
    public Duration worstCaseExchange() {
        return CONNECT_TIMEOUT.plus(requestTimeout);
    }

    /**
     * Sends one request; never throws for network trouble. A thread that was interrupted (its call
     * was abandoned) sends nothing more: {@link WireResult.NotSent}.
     */
    public WireResult send(HttpRequest.Builder request) {
        HttpRequest built = request.timeout(requestTimeout).build();
        if (Thread.currentThread().isInterrupted()) {
            return new WireResult.NotSent("the call was abandoned before this request was sent");
        }
        try {
            HttpResponse<String> r = client.send(built, HttpResponse.BodyHandlers.ofString());
            return new WireResult.Answered(r.statusCode(), r.headers(), r.body());
        } catch (HttpConnectTimeoutException | ConnectException | UnresolvedAddressException e) {
            return new WireResult.NotSent("could not connect to " + built.uri().getHost());
        } catch (HttpTimeoutException e) {
            return new WireResult.Lost("no answer within " + requestTimeout.toSeconds() + " s");
        } catch (IOException e) {
            return new WireResult.Lost("connection lost: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new WireResult.Lost("interrupted while waiting for the answer");
        }
    }
}
