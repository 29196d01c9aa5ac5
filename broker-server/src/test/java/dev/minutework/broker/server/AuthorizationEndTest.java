package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.routing.LocalSimulators;
import dev.minutework.broker.server.execution.AuthorizationEndings;
import dev.minutework.broker.server.support.Broker;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Ledger;
import dev.minutework.broker.server.support.MutableClock;
import dev.minutework.broker.server.support.Story;
import dev.minutework.broker.sim.metaads.MetaAdsSimulator;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * A campaign never runs past the authorization backing its money: the provider is told the
 * authorization's end as the campaign's end, and once an authorization expires or is revoked the
 * broker pauses, through the provider and with receipts, whatever it still backs — no approval
 * needed to lower spend.
 */
class AuthorizationEndTest {

    static Broker broker;
    static Http http;
    static Story story;
    static JdbcClient jdbc;
    static MutableClock clock;

    @BeforeAll
    static void start() {
        broker = Broker.startWithSimulatorsAndMovableClock("authorization_end");
        http = broker.http();
        clock = Broker.movableClock();
        story = new Story(http, clock);
        jdbc = broker.bean(JdbcClient.class);
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    @Test
    void aDailyBudgetWithoutEndStopsAtTheProviderWhenItsAuthorizationExpiresAndTheBrokerPausesIt() {
        Story.Tenant t = story.tenant("Three Day Meta", Story.Setup.ready().provider("metaads").noAuthorization());
        Instant validUntil = clock.instant().plus(3, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        authorize(t, "metaads", 100_000, validUntil);

        Http.Response asked = expect(202, story.execute(t.runtimeKey(), "metaads", "ads.create_campaign", "daily-1",
                Map.of("name", "Ten a day", "status", "active",
                        "budget", Map.of("amount_minor", 1_000, "currency", "USD", "period", "daily"))));
        long impact = asked.at("/spend_impact/amount_minor").asLong();
        assertThat(impact).as("daily × the days the authorization still covers").isBetween(3_000L, 4_000L);
        JsonNode done = approve(t, asked.text("/approval_id"));
        assertThat(done.get("status").asString()).as("%s", done).isEqualTo("succeeded");

        Map<String, Object> atProvider = meta().object(done.at("/result/provider_object_id").asString());
        assertThat(atProvider.get("stop_time")).as("the provider stops it when the authorization ends: %s", atProvider)
                .isNotNull();
        assertThat(Instant.parse(normalised((String) atProvider.get("stop_time")))).isBeforeOrEqualTo(validUntil);
        JsonNode campaign = expect(200, http.get("/v1/ads/campaigns", t.viewerKey())).at("/campaigns/0");
        assertThat(Instant.parse(campaign.get("end_time").asString())).isEqualTo(validUntil);
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isEqualTo(impact);

        assertThat(endings().runOnce()).as("nothing is due before the authorization ends").isEmpty();
        clock.jump(Duration.ofDays(3).plusMinutes(1));
        assertThat(endings().runOnce()).as("the provider stopped it at its end: nothing to pause")
                .containsEntry("ended", 1);

        assertThat(expect(200, http.get("/v1/ads/campaigns", t.viewerKey())).at("/campaigns/0/status").asString())
                .isEqualTo("ended");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isZero();
        JsonNode ended = story.receiptPayloads(t, "campaign.ended").getFirst();
        assertThat(ended.get("reason").asString()).isEqualTo("authorization_expired");
        assertThat(story.receiptKinds(t)).as("only the create asked a human").containsOnlyOnce("approval.requested");
        assertThat(endings().runOnce()).as("paused once, not again").isEmpty();
        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void aProviderWithoutCampaignEndTimesIsPausedByTheBrokerWhenTheAuthorizationExpires() {
        Story.Tenant t = story.tenant("Three Day TikTok", Story.Setup.ready().provider("tiktokads").noAuthorization());
        authorize(t, "tiktokads", 100_000, clock.instant().plus(3, ChronoUnit.DAYS));
        JsonNode done = approve(t, expect(202, story.execute(t.runtimeKey(), "tiktokads", "ads.create_campaign",
                "tt-daily-1", Map.of("name", "Ten a day", "status", "active",
                        "budget", Map.of("amount_minor", 5_000, "currency", "USD", "period", "daily"))))
                .text("/approval_id"));
        assertThat(done.get("status").asString()).as("%s", done).isEqualTo("succeeded");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isPositive();

        clock.jump(Duration.ofDays(3).plusMinutes(1));
        assertThat(endings().runOnce()).containsEntry("succeeded", 1);

        assertThat(expect(200, http.get("/v1/ads/campaigns", t.viewerKey())).at("/campaigns/0/status").asString())
                .isEqualTo("paused");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isZero();
        JsonNode pause = story.receiptPayloads(t, "execution.accepted").getLast();
        assertThat(pause.get("action").asString()).isEqualTo("ads.pause_campaign");
        assertThat(pause.get("initiated_by").asString()).isEqualTo("broker");
        assertThat(pause.get("reason").asString()).isEqualTo("authorization_expired");
        assertThat(story.receiptKinds(t)).as("only the create asked a human").containsOnlyOnce("approval.requested");
        assertThat(endings().runOnce()).as("paused once, not again").isEmpty();
        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void revokingAnAuthorizationPausesTheCampaignsItBacks() {
        Story.Tenant t = story.tenant("Revoked Meta", Story.Setup.ready().provider("metaads").noAuthorization());
        String authorization = authorize(t, "metaads", 100_000, clock.instant().plus(30, ChronoUnit.DAYS));
        String end = clock.instant().plus(10, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        JsonNode done = approve(t, expect(202, story.execute(t.runtimeKey(), "metaads", "ads.create_campaign", "life-1",
                Map.of("name", "Lifetime", "status", "active", "end_time", end,
                        "budget", Map.of("amount_minor", 5_000, "currency", "USD", "period", "lifetime"))))
                .text("/approval_id"));
        assertThat(done.get("status").asString()).isEqualTo("succeeded");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isEqualTo(5_000);

        expect(200, http.post("/v1/tenants/" + t.id() + "/spend-authorizations/" + authorization + "/revoke", Story.OP,
                null));
        // the revocation makes the durable job due at once: a broker process picks it up on its own
        String providerId = done.at("/result/provider_object_id").asString();
        Instant deadline = Instant.now().plusSeconds(30);
        while (!"PAUSED".equals(meta().object(providerId).get("status")) && Instant.now().isBefore(deadline)) {
            pause();
        }
        assertThat(meta().object(providerId).get("status")).isEqualTo("PAUSED");
        while (story.wallet(t).get("reserved_minor").asLong() > 0 && Instant.now().isBefore(deadline)) {
            pause();
        }
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isZero();
        assertThat(story.receiptPayloads(t, "execution.accepted").getLast().get("reason").asString())
                .isEqualTo("authorization_revoked");
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void aCampaignEndingBeforeItsAuthorizationKeepsItsOwnEnd() {
        Story.Tenant t = story.tenant("Short Meta", Story.Setup.ready().provider("metaads").noAuthorization());
        authorize(t, "metaads", 100_000, clock.instant().plus(30, ChronoUnit.DAYS));
        Instant end = clock.instant().plus(5, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        JsonNode done = approve(t, expect(202, story.execute(t.runtimeKey(), "metaads", "ads.create_campaign", "short-1",
                Map.of("name", "Five days", "status", "active", "end_time", end.toString(),
                        "budget", Map.of("amount_minor", 1_000, "currency", "USD", "period", "daily"))))
                .text("/approval_id"));
        assertThat(done.get("status").asString()).isEqualTo("succeeded");
        Map<String, Object> atProvider = meta().object(done.at("/result/provider_object_id").asString());
        assertThat(Instant.parse(normalised((String) atProvider.get("stop_time")))).isEqualTo(end);
    }

    /** Between two looks at a job that runs in the background. */
    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String normalised(String metaTime) {
        // Meta writes ISO-8601 with a numeric offset (2026-12-05T10:00:00+0000)
        return java.time.OffsetDateTime.parse(metaTime,
                java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxx")).toInstant().toString();
    }

    private static JsonNode approve(Story.Tenant t, String approvalId) {
        return expect(200, http.post("/v1/approvals/" + approvalId + "/approve", t.approverKey(), null)).at("/execution");
    }

    private static String authorize(Story.Tenant t, String provider, long cap, Instant validUntil) {
        Map<String, Object> auth = new LinkedHashMap<>();
        auth.put("provider", provider);
        auth.put("currency", "USD");
        auth.put("cap_minor", cap);
        auth.put("valid_until", validUntil.toString());
        auth.put("approved_by", "cfo@" + t.id() + ".test");
        return expect(201, http.post("/v1/tenants/" + t.id() + "/spend-authorizations", Story.OP, auth))
                .text("/authorization_id");
    }

    private static MetaAdsSimulator meta() {
        return (MetaAdsSimulator) broker.bean(LocalSimulators.class).forProvider("metaads").orElseThrow();
    }

    private static AuthorizationEndings endings() {
        return broker.bean(AuthorizationEndings.class);
    }
}
