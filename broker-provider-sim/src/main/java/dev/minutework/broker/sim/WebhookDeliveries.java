package dev.minutework.broker.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How a simulator delivers a webhook: one signed HTTP POST of exact bytes to the URL the platform
 * owner registered at the provider. The simulators sign with the secret they were configured with
 * ({@code deliverWebhooksTo}), so a test can also send forged, unsigned or stale deliveries; a
 * {@link Sender} can also deliver each event twice (providers deliver at least once) or hold
 * deliveries back and release them out of order (providers do not promise order).
 */
public final class WebhookDeliveries {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private WebhookDeliveries() {}

    /** What the receiver answered to one delivery. */
    public record Delivery(int status, String body) {}

    /** Where a simulator's deliveries go and the secret they are signed with. */
    public record Target(URI url, String secret) {}

    /** POSTs {@code body} as {@code application/json} with {@code headers}, and returns the answer. */
    public static Delivery post(URI url, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.getBytes(StandardCharsets.UTF_8)));
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Delivery(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** How a {@link Sender} delivers what a simulator sends. */
    public enum Mode {
        /** Each delivery once, at once. */
        IMMEDIATE,
        /** Each delivery twice in a row, byte for byte: an at-least-once retry. */
        DUPLICATE,
        /** Deliveries are held until {@link Sender#release} sends them, in the order it is asked for. */
        HOLD
    }

    /**
     * One simulator's outgoing deliveries: the registered target, and the {@link Mode} they are
     * sent in. Headers are made when a delivery is sent by the simulator (a held TikTok delivery
     * keeps the timestamp it was signed with, as a provider's retry does).
     */
    public static final class Sender {

        private volatile Target target;
        private Mode mode = Mode.IMMEDIATE;
        private final List<Pending> held = new ArrayList<>();

        private record Pending(URI url, String body, Map<String, String> headers) {}

        /** Registers where deliveries go and the secret that signs them. */
        public void target(Target target) {
            this.target = target;
        }

        /** The registered target, if any. */
        public Target target() {
            return target;
        }

        /** The registered target; a delivery without one is a mistake of the test. */
        public Target required() {
            Target t = target;
            if (t == null) {
                throw new IllegalStateException("call deliverWebhooksTo first");
            }
            return t;
        }

        /** From now on, deliveries go out in {@code mode}. */
        public synchronized void mode(Mode mode) {
            this.mode = mode;
        }

        /**
         * Sends {@code body} with the headers {@code sign} makes for it under the target's secret, in
         * the current mode; answers what the receiver said (nothing while held, two answers when
         * duplicated).
         */
        public synchronized List<Delivery> send(String body, Function<Target, Map<String, String>> sign) {
            Target t = required();
            Pending p = new Pending(t.url(), body, sign.apply(t));
            return switch (mode) {
                case IMMEDIATE -> List.of(post(p.url(), p.body(), p.headers()));
                case DUPLICATE -> List.of(post(p.url(), p.body(), p.headers()), post(p.url(), p.body(), p.headers()));
                case HOLD -> {
                    held.add(p);
                    yield List.of();
                }
            };
        }

        /** How many deliveries are held back. */
        public synchronized int held() {
            return held.size();
        }

        /**
         * Sends every held delivery, newest first when {@code reversed} (else in the order they were
         * made), and goes back to {@link Mode#IMMEDIATE}.
         */
        public synchronized List<Delivery> release(boolean reversed) {
            List<Pending> out = new ArrayList<>(held);
            held.clear();
            mode = Mode.IMMEDIATE;
            if (reversed) {
                java.util.Collections.reverse(out);
            }
            List<Delivery> answers = new ArrayList<>();
            for (Pending p : out) {
                answers.add(post(p.url(), p.body(), p.headers()));
            }
            return answers;
        }
    }

    /** Hex HMAC-SHA256 of {@code message} under {@code key}. */
    public static String hmacSha256Hex(String key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
