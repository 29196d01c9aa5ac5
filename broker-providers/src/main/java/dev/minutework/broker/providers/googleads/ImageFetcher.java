package dev.minutework.broker.providers.googleads;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Downloads a creative's image so it can be sent to Google as asset bytes (Google Ads takes image
 * data, not URLs). Tests inject a fake; the default uses the JDK client.
 */
@FunctionalInterface
public interface ImageFetcher {

    /** The largest image Google accepts for an image asset (5,120 KB). */
    int MAX_BYTES = 5_120 * 1024;

    /** How long {@link #jdk()} waits to connect to the image's host. */
    Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    /** How long {@link #jdk()} waits for the image's answer once connected. */
    Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

    /** The image's bytes; throws with a message fit for the caller (no secrets are involved). */
    byte[] fetch(URI imageUrl) throws IOException;

    /**
     * For an account served by a local simulator (the embedded run, which needs no internet): the
     * image is not downloaded; a placeholder PNG stands for it (the same for every URL), after the
     * same https check as a download.
     */
    static ImageFetcher placeholder() {
        return url -> {
            if (!"https".equalsIgnoreCase(url.getScheme())) {
                throw new IOException("the image URL must be https");
            }
            return PLACEHOLDER_PNG.clone();
        };
    }

    /** A 1×1 transparent PNG. */
    byte[] PLACEHOLDER_PNG = java.util.Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    /** Fetches over HTTPS with bounded time and size. */
    static ImageFetcher jdk() {
        HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        return url -> {
            if (!"https".equalsIgnoreCase(url.getScheme())) {
                throw new IOException("the image URL must be https");
            }
            HttpRequest request = HttpRequest.newBuilder(url).timeout(REQUEST_TIMEOUT).GET().build();
            try {
                HttpResponse<InputStream> r = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = r.body()) {
                    if (r.statusCode() != 200) {
                        throw new IOException("the image URL answered HTTP " + r.statusCode());
                    }
                    byte[] bytes = in.readNBytes(MAX_BYTES + 1);
                    if (bytes.length > MAX_BYTES) {
                        throw new IOException("the image is larger than 5,120 KB");
                    }
                    return bytes;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while downloading the image");
            }
        };
    }
}
