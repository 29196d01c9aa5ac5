package dev.minutework.broker.providers.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.minutework.broker.core.provider.ProviderAdapterFactory;
import dev.minutework.broker.providers.googleads.GoogleAdsAdapterFactory;
import dev.minutework.broker.providers.metaads.MetaAdsAdapterFactory;
import dev.minutework.broker.providers.openaiads.OpenAiAdsAdapterFactory;
import dev.minutework.broker.providers.sandbox.SandboxProviderFactory;
import dev.minutework.broker.providers.tiktokads.TikTokAdsAdapterFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What the broker may assume of the longest provider call, computed from the adapters' real timeouts. */
class WorstCaseCallDurationTest {

    /** 5 s to connect and 30 s to answer, three attempts, two waits of at most 5 s between them. */
    static final Duration ONE_PROTOCOL_CALL = Duration.ofSeconds(3 * (5 + 30) + 2 * 5);

    @Test
    void oneProtocolCallIsItsAttemptsAtTheirTimeoutsAndTheWaitsBetweenThem() {
        assertThat(new ProviderHttp().worstCaseExchange()).isEqualTo(Duration.ofSeconds(35));
        assertThat(Calls.worstCase(new ProviderHttp().worstCaseExchange(), Calls.FIRST_BACKOFF))
                .isEqualTo(ONE_PROTOCOL_CALL);
        // backoffs longer than the inline wait count at their own length: 4 s, 8 s, 16 s … not 5 s
        assertThat(Calls.worstCase(Duration.ofSeconds(1), Duration.ofSeconds(8)))
                .isEqualTo(Duration.ofSeconds(3 + 8 + 16));
    }

    @Test
    void eachAdapterDeclaresTheProtocolCallsOfItsLongestPath() {
        assertThat(new OpenAiAdsAdapterFactory().worstCaseCallDuration()).isEqualTo(ONE_PROTOCOL_CALL.multipliedBy(2));
        assertThat(new MetaAdsAdapterFactory().worstCaseCallDuration()).isEqualTo(ONE_PROTOCOL_CALL.multipliedBy(2));
        assertThat(new TikTokAdsAdapterFactory().worstCaseCallDuration()).isEqualTo(ONE_PROTOCOL_CALL.multipliedBy(3));
        assertThat(new GoogleAdsAdapterFactory().worstCaseCallDuration())
                .isEqualTo(ONE_PROTOCOL_CALL.multipliedBy(3).plusSeconds(5 + 20));
        assertThat(new SandboxProviderFactory().worstCaseCallDuration()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void everyRegisteredFactoryDeclaresItsWorstCase() {
        for (ProviderAdapterFactory f : ServiceLoader.load(ProviderAdapterFactory.class)) {
            assertThat(f.worstCaseCallDuration()).as(f.id()).isPositive()
                    .isNotEqualTo(ProviderAdapterFactory.UNDECLARED_WORST_CASE);
        }
    }

    @Test
    void anInterruptedThreadSendsNothing() throws Exception {
        AtomicInteger received = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            received.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        try {
            URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/x");
            ProviderHttp http = new ProviderHttp(Duration.ofSeconds(5));
            assertThat(http.send(HttpRequest.newBuilder(uri).GET())).isInstanceOf(WireResult.Answered.class);
            Thread.currentThread().interrupt();
            WireResult abandoned;
            try {
                abandoned = http.send(HttpRequest.newBuilder(uri).GET());
            } finally {
                Thread.interrupted();
            }
            assertThat(abandoned).isInstanceOf(WireResult.NotSent.class);
            assertThat(received).hasValue(1);
        } finally {
            server.stop(0);
        }
    }
}
