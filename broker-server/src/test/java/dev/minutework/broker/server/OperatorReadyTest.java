package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.ops.DatabaseGauges;
import dev.minutework.broker.server.routing.LocalSimulators;
import dev.minutework.broker.server.support.Broker;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.MutableClock;
import dev.minutework.broker.server.support.Story;
import dev.minutework.broker.sim.WebhookDeliveries.Delivery;
import dev.minutework.broker.sim.metaads.MetaAdsSimulator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * What a new operator reaches without a key, over real HTTP on a broker with real PostgreSQL and
 * the provider simulators: the API description served is {@code docs/openapi.yaml} itself, with its
 * interactive view served from the jar; {@code /} lands on the console; and {@code /actuator/prometheus}
 * shows the broker's meters after a real approval, execution, refusal and webhook delivery — with no key,
 * credential or tenant id anywhere in the scrape.
 */
class OperatorReadyTest {

    /** Maven runs tests with the module directory as working directory. */
    private static final Path DOCUMENT = Path.of("..", "docs", "openapi.yaml");
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Broker broker;
    private static Http http;
    private static Story story;
    private static MutableClock clock;

    @BeforeAll
    static void start() {
        broker = Broker.startWithSimulatorsAndMovableClock("operator-ready");
        http = broker.http();
        clock = Broker.movableClock();
        story = new Story(http, clock);
    }

    @AfterAll
    static void stop() {
        broker.close();
        clock.reset();
    }

    record Raw(int status, String body, String contentType, String location) {}

    /** A GET without any key, redirects not followed. */
    private static Raw get(String path) {
        try {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(broker.base().resolve(path))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return new Raw(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""),
                    r.headers().firstValue("Location").orElse(null));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theServedApiDescriptionIsTheDocumentedOneWithAnInteractiveViewFromTheJar() throws IOException {
        String documented = Files.readString(DOCUMENT);

        Raw json = get("/v3/api-docs");
        assertThat(json.status()).as(json.body()).isEqualTo(200);
        assertThat(json.contentType()).startsWith("application/json");
        JsonNode served = Http.JSON.readTree(json.body());
        assertThat(served).as("/v3/api-docs against docs/openapi.yaml")
                .isEqualTo(YAMLMapper.builder().build().readTree(documented));
        assertThat(served.at("/paths").has("/v1/integration-broker/execute")).isTrue();

        Raw yaml = get("/v3/api-docs.yaml");
        assertThat(yaml.status()).isEqualTo(200);
        assertThat(yaml.contentType()).startsWith("application/yaml");
        assertThat(yaml.body()).isEqualTo(documented);

        Raw view = get("/swagger-ui.html");
        assertThat(view.status()).isEqualTo(302);
        assertThat(view.location()).isEqualTo("/swagger-ui/index.html");
        Raw page = get(view.location());
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.contentType()).startsWith("text/html");
        // every script and stylesheet of the page is the broker's own: no CDN
        List<String> assets = new ArrayList<>();
        Matcher m = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(page.body());
        while (m.find()) {
            assets.add(m.group(1));
        }
        assertThat(assets).isNotEmpty().allSatisfy(a -> assertThat(a).startsWith("/"));
        assertThat(assets).contains("/webjars/swagger-ui/swagger-ui-bundle.js", "/swagger-ui/broker-initializer.js");
        for (String asset : assets) {
            assertThat(get(asset).status()).as(asset).isEqualTo(200);
        }
        assertThat(get("/swagger-ui/broker-initializer.js").body()).contains("url: \"/v3/api-docs\"");
        assertThat(get("/webjars/swagger-ui/swagger-ui-bundle.js").body()).contains("SwaggerUIBundle");
    }

    @Test
    void theRootLandsOnTheConsole() {
        Raw root = get("/");
        assertThat(root.status()).isEqualTo(302);
        assertThat(root.location()).isEqualTo("/console");
    }

    @Test
    void theScrapeShowsWhatHappenedAndNoSecret() {
        String appSecret = "meta-app-secret-operator-ready-4711";
        String accessToken = "meta-token-operator-ready-4711";
        Story.Tenant t = story.tenant("Metrics Shoes", Story.Setup.ready().provider("metaads").cap(5_000_000)
                .wallet(5_000_000).credentials(Map.of("access_token", accessToken, "app_secret", appSecret)));

        // an approved campaign (executed at the provider, 20,000 held), and one left awaiting approval
        Http.Response asked = expect(202, story.execute(t.runtimeKey(), "metaads", "ads.create_campaign", "metrics-1",
                metaCampaign("Counted boots", 20_000)));
        JsonNode done = expect(200, http.post("/v1/approvals/" + asked.text("/approval_id") + "/approve",
                t.approverKey(), null)).at("/execution");
        assertThat(done.get("status").asString()).isEqualTo("succeeded");
        Http.Response waiting = expect(202, story.execute(t.runtimeKey(), "metaads", "ads.create_campaign",
                "metrics-2", metaCampaign("Waiting boots", 7_000)));
        // the same idempotency key with another input: refused, receipted and counted
        assertThat(story.execute(t.runtimeKey(), "metaads", "ads.create_campaign", "metrics-2",
                metaCampaign("Other boots", 7_000)).errorCode()).isEqualTo("idempotency_conflict");

        // one signed webhook delivery about the campaign, and one forged
        MetaAdsSimulator meta = (MetaAdsSimulator) broker.bean(LocalSimulators.class).forProvider("metaads")
                .orElseThrow();
        meta.deliverWebhooksTo(broker.base().resolve("/v1/webhooks/metaads/" + t.providerAccountId()), appSecret);
        String adAccount = expect(200, http.get("/v1/provider-accounts/" + t.providerAccountId(), Story.OP))
                .at("/scope/ad_account_id").asString();
        String pause = meta.adAccountWebhook(adAccount, "in_process_ad_objects", Map.of("id",
                done.at("/result/provider_object_id").asString(), "level", "CAMPAIGN", "status_name", "PAUSED"));
        Delivery signed = meta.sendWebhook(pause);
        assertThat(signed.status()).as(signed.body()).isEqualTo(200);
        assertThat(meta.sendForgedWebhook(pause).status()).isEqualTo(401);

        // the database-backed gauges read at most once per 5 s: past that, one scrape reads once
        clock.jump(Duration.ofSeconds(6));
        DatabaseGauges gauges = broker.bean(DatabaseGauges.class);
        long readsBefore = gauges.reads();
        Raw scrape = get("/actuator/prometheus");
        assertThat(scrape.status()).as("no key is needed to scrape").isEqualTo(200);
        assertThat(gauges.reads()).as("database reads of one scrape").isEqualTo(readsBefore + 1);
        String text = scrape.body();

        assertThat(value(text, "broker_executions_total",
                "action=\"ads.create_campaign\",outcome=\"succeeded\",provider=\"metaads\"")).isEqualTo(1.0);
        assertThat(value(text, "broker_executions_total",
                "action=\"ads.create_campaign\",outcome=\"awaiting_approval\",provider=\"metaads\"")).isEqualTo(2.0);
        assertThat(value(text, "broker_executions_total",
                "action=\"ads.create_campaign\",outcome=\"executing\",provider=\"metaads\"")).isEqualTo(1.0);
        assertThat(value(text, "broker_refusals_total", "code=\"idempotency_conflict\"")).isEqualTo(1.0);
        assertThat(value(text, "broker_approvals_pending", "")).isEqualTo(1.0);
        assertThat(value(text, "broker_reservations_held_minor", "currency=\"USD\"")).isEqualTo(20_000.0);
        assertThat(value(text, "broker_provider_calls_seconds_count",
                "operation=\"execute\",outcome=\"succeeded\",provider=\"metaads\"")).isEqualTo(1.0);
        assertThat(value(text, "broker_provider_calls_seconds_count",
                "operation=\"dry_run\",outcome=\"succeeded\",provider=\"metaads\"")).isEqualTo(2.0);
        assertThat(text).contains("broker_provider_calls_seconds_bucket{operation=\"execute\",outcome=\"succeeded\","
                + "provider=\"metaads\",le=\"1.0\"}");
        assertThat(value(text, "broker_webhook_deliveries_total",
                "outcome=\"accepted\",provider=\"metaads\",verdict=\"valid\"")).isEqualTo(1.0);
        assertThat(value(text, "broker_webhook_deliveries_total",
                "outcome=\"rejected\",provider=\"metaads\",verdict=\"invalid\"")).isEqualTo(1.0);

        // a second scrape right after is served from the same reading
        Raw again = get("/actuator/prometheus");
        assertThat(gauges.reads()).as("database reads of a scrape within 5 s of the last").isEqualTo(readsBefore + 1);
        assertThat(value(again.body(), "broker_approvals_pending", "")).isEqualTo(1.0);

        // nothing that identifies a tenant or opens anything: keys, credentials, ids
        List<String> secrets = List.of(Broker.OPERATOR_KEY, t.runtimeKey(), t.approverKey(), t.viewerKey(), appSecret,
                accessToken, t.id(), t.providerAccountId(), t.connectionId(), adAccount, done.get("execution_id")
                        .asString(), waiting.text("/approval_id"), waiting.text("/execution_id"),
                done.at("/result/object_id").asString(), done.at("/result/provider_object_id").asString());
        for (String scraped : List.of(text, again.body())) {
            for (String secret : secrets) {
                assertThat(scraped).as("the scrape shows %s", secret).doesNotContain(secret);
            }
            assertThat(scraped).doesNotContain("mwb_").doesNotContain("meta-");
        }
    }

    private static Map<String, Object> metaCampaign(String name, long lifetimeMinor) {
        String end = clock.instant().plus(20, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        return Map.of("name", name, "objective", "traffic", "status", "active", "end_time", end,
                "budget", Map.of("amount_minor", lifetimeMinor, "currency", "USD", "period", "lifetime"));
    }

    /** The value of one sample of a scrape; {@code labels} exactly as Prometheus' text format orders them. */
    private static double value(String scrape, String name, String labels) {
        String sample = labels.isEmpty() ? name + " " : name + "{" + labels + "} ";
        return scrape.lines().filter(l -> l.startsWith(sample)).findFirst()
                .map(l -> Double.parseDouble(l.substring(sample.length()).trim().split(" ")[0]))
                .orElseThrow(() -> new AssertionError("no sample " + sample + "in the scrape:\n" + scrape.lines()
                        .filter(l -> l.startsWith(name)).toList()));
    }
}
