package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.support.Broker;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Ledger;
import dev.minutework.broker.server.support.MutableClock;
import dev.minutework.broker.server.support.SoftAuthenticator;
import dev.minutework.broker.server.support.Story;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Fault test: the broker's clock jumps forward and backward (an NTP correction, a VM resumed).
 * Expiries follow the clock the broker sees; after a backward jump a replay is still a replay, new
 * spend under an authorization that is "not yet valid" is refused (fail closed), and the receipt
 * chain — ordered by sequence, not by time — still verifies.
 */
class ClockJumpTest {

    static Broker broker;
    static Http http;
    static Story story;
    static JdbcClient jdbc;
    static final MutableClock CLOCK = Broker.movableClock();

    @BeforeAll
    static void start() {
        broker = Broker.startWithMovableClock("clock_jump");
        http = broker.http();
        story = new Story(http, CLOCK);
        jdbc = broker.bean(JdbcClient.class);
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @AfterEach
    void resetClock() {
        CLOCK.reset();
    }

    @Test
    void aJumpForwardExpiresAPendingApprovalAndNothingIsReserved() {
        Story.Tenant t = story.tenant("Jump forward", Story.Setup.ready());
        Http.Response asked = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "fwd",
                Story.campaign("Later boots", 10_000)));

        CLOCK.jump(Duration.ofDays(2)); // one-shot approvals live one day

        Http.Response late = http.post("/v1/approvals/" + asked.text("/approval_id") + "/approve", t.approverKey(), null);
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.errorCode()).isEqualTo("approval_expired");
        assertThat(expect(200, http.get("/v1/executions/" + asked.text("/execution_id"), t.viewerKey())).text("/status"))
                .isEqualTo("expired");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isZero();
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void aStandingGrantStopsCoveringOnceTheClockPassesItsExpiry() {
        Story.Tenant t = story.tenant("Grant expiry", Story.Setup.ready());
        expect(201, story.standingGrant(t, List.of("ads.create_campaign"), 100_000,
                CLOCK.instant().plus(Duration.ofHours(1)).toString(), null));
        assertThat(expect(200, story.execute(t.runtimeKey(), "ads.create_campaign", "in-time",
                Story.campaign("In time", 1_000))).text("/status")).isEqualTo("succeeded");

        CLOCK.jump(Duration.ofHours(2));

        Http.Response after = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "too-late",
                Story.campaign("Too late", 1_000)));
        assertThat(after.text("/status")).as("no longer pre-approved: a human must decide").isEqualTo("awaiting_approval");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isEqualTo(1_000);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void aJumpBackwardNeverRunsOrReservesTwiceAndTheChainStillVerifies() {
        Story.Tenant t = story.tenant("Jump backward", Story.Setup.ready());
        expect(201, story.standingGrant(t, List.of("ads.create_campaign"), 100_000,
                CLOCK.instant().plus(Duration.ofDays(1)).toString(), null));
        Http.Response first = expect(200, story.execute(t.runtimeKey(), "ads.create_campaign", "once",
                Story.campaign("Once", 5_000)));

        CLOCK.jump(Duration.ofHours(-3));

        Http.Response replay = expect(200, story.execute(t.runtimeKey(), "ads.create_campaign", "once",
                Story.campaign("Once", 5_000)));
        assertThat(replay.text("/execution_id")).isEqualTo(first.text("/execution_id"));
        // the authorization became valid at its creation, which is now in the clock's future: fail closed
        Http.Response early = story.execute(t.runtimeKey(), "ads.create_campaign", "after-jump", Story.campaign("After", 2_000));
        assertThat(early.status()).isEqualTo(409);
        assertThat(early.errorCode()).isEqualTo("not_ready");
        assertThat(early.raw()).contains("spend_authorization_active");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isEqualTo(5_000);
        assertThat(expect(200, http.get("/v1/ads/campaigns", t.viewerKey())).at("/campaigns")).hasSize(1);
        var verify = story.verify(t);
        assertThat(verify.get("valid").asBoolean()).as("chain after the clock went back: %s", verify).isTrue();
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void passkeyChallengesAndRegistrationsExpireWithTheClock() {
        Story.Tenant t = story.tenant("Passkey expiry", Story.Setup.ready());
        expect(200, http.put("/v1/tenants/" + t.id() + "/approval-policy", Story.OP,
                Map.of("passkey_required_above_minor", 1_000)));
        SoftAuthenticator authenticator = new SoftAuthenticator();
        Http.Response begun = expect(201, http.post("/v1/passkeys/registrations", t.approverKey(), null));
        expect(201, http.post("/v1/passkeys/registrations/" + begun.text("/registration_id") + "/complete",
                t.approverKey(), Map.of("credential", authenticator.register(begun.at("/public_key")))));
        String approvalId = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "pk-expiry",
                Story.campaign("Signed late", 5_000))).text("/approval_id");
        Http.Response challenge = expect(201, http.post("/v1/approvals/" + approvalId + "/passkey-challenge",
                t.approverKey(), null));
        Map<String, Object> signed = authenticator.assertion(challenge.at("/public_key"));
        Http.Response lateRegistration = expect(201, http.post("/v1/passkeys/registrations", t.approverKey(), null));

        CLOCK.jump(Duration.ofMinutes(6)); // challenges and registrations live five minutes, approvals a day

        Http.Response late = expect(403, http.post("/v1/approvals/" + approvalId + "/approve", t.approverKey(),
                Map.of("passkey", Map.of("challenge_id", challenge.text("/challenge_id"), "credential", signed))));
        assertThat(late.errorCode()).isEqualTo("passkey_invalid");
        assertThat(late.text("/error/message")).contains("expired");
        assertThat(expect(200, http.get("/v1/approvals/" + approvalId, t.viewerKey())).text("/status"))
                .isEqualTo("pending");
        assertThat(expect(403, http.post("/v1/passkeys/registrations/" + lateRegistration.text("/registration_id")
                + "/complete", t.approverKey(), Map.of("credential", new SoftAuthenticator().register(
                        lateRegistration.at("/public_key"))))).errorCode()).isEqualTo("passkey_invalid");
        Http.Response fresh = expect(201, http.post("/v1/approvals/" + approvalId + "/passkey-challenge",
                t.approverKey(), null));
        assertThat(expect(200, http.post("/v1/approvals/" + approvalId + "/approve", t.approverKey(),
                Map.of("passkey", Map.of("challenge_id", fresh.text("/challenge_id"),
                        "credential", authenticator.assertion(fresh.at("/public_key")))))).text("/decision"))
                .isEqualTo("approved");
    }
}
