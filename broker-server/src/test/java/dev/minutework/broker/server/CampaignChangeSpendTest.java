package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.providers.sandbox.SandboxFaults;
import dev.minutework.broker.server.execution.Reconciler;
import dev.minutework.broker.server.execution.Executions;
import dev.minutework.broker.server.support.BrokerTestCase;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Ledger;
import dev.minutework.broker.server.support.LogCapture;
import dev.minutework.broker.server.support.Story;
import dev.minutework.broker.server.support.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Invariant 1 where campaigns change: money is reserved on the campaign state a change runs on, at
 * the moment it runs — never on the state it was requested or approved against — changes of one
 * campaign run one at a time, and an approval never reserves more than the approver was shown.
 */
class CampaignChangeSpendTest extends BrokerTestCase {

    @Test
    void approvingABudgetRaiseAfterTheCampaignWasActivatedAsksAgainWithTheNewFigure() {
        Story.Tenant t = story.tenant("Raise after activate", Story.Setup.ready());
        String campaign = pausedCampaign(t, "raise-1", 500);
        Http.Response activate = expect(202, update(t, "activate-1", Map.of("campaign_id", campaign, "status", "active")));
        Http.Response raise = expect(202, update(t, "raise-2", Map.of("campaign_id", campaign, "budget", usd(5_000))));
        assertThat(activate.at("/spend_impact/amount_minor").asLong()).isEqualTo(500);
        assertThat(raise.at("/spend_impact/amount_minor").asLong()).as("a paused campaign's budget exposes nothing")
                .isZero();

        assertThat(approve(t, activate.text("/approval_id")).text("/execution/status")).isEqualTo("succeeded");
        assertThat(reserved(t)).isEqualTo(500);

        Http.Response changed = expect(409, http.post("/v1/approvals/" + raise.text("/approval_id") + "/approve",
                t.approverKey(), null));
        assertThat(changed.text("/error/code")).isEqualTo("spend_impact_changed");
        assertThat(changed.at("/error/details/approved_spend_impact_minor").asLong()).isZero();
        assertThat(changed.at("/error/details/spend_impact_minor").asLong()).isEqualTo(4_500);
        assertThat(reserved(t)).as("nothing reserved at the old figure").isEqualTo(500);
        assertThat(campaignOf(t).at("/budget/amount_minor").asLong()).as("nothing ran").isEqualTo(500);
        String renewed = changed.text("/error/details/approval_id");
        assertThat(renewed).isNotEqualTo(raise.text("/approval_id"));
        assertThat(expect(200, http.get("/v1/executions/" + raise.text("/execution_id"), t.viewerKey()))
                .at("/spend_impact/amount_minor").asLong()).isEqualTo(4_500);
        assertThat(expect(409, http.post("/v1/approvals/" + raise.text("/approval_id") + "/approve", t.approverKey(),
                null)).text("/error/code")).as("the superseded approval is gone").isEqualTo("approval_not_pending");

        assertThat(approve(t, renewed).text("/execution/status")).isEqualTo("succeeded");
        assertThat(reserved(t)).isEqualTo(5_000);
        assertThat(campaignOf(t).get("status").asString()).isEqualTo("active");
        assertThat(story.receiptKinds(t)).contains("approval.superseded");
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void activatingAfterABudgetRaiseReservesTheRaisedBudget() {
        Story.Tenant t = story.tenant("Activate after raise", Story.Setup.ready());
        String campaign = pausedCampaign(t, "raise-3", 500);
        Http.Response activate = expect(202, update(t, "activate-2", Map.of("campaign_id", campaign, "status", "active")));
        Http.Response raise = expect(202, update(t, "raise-4", Map.of("campaign_id", campaign, "budget", usd(5_000))));

        assertThat(approve(t, raise.text("/approval_id")).text("/execution/status")).isEqualTo("succeeded");
        assertThat(reserved(t)).as("still paused").isZero();
        Http.Response changed = expect(409, http.post("/v1/approvals/" + activate.text("/approval_id") + "/approve",
                t.approverKey(), null));
        assertThat(changed.text("/error/code")).isEqualTo("spend_impact_changed");
        assertThat(changed.at("/error/details/spend_impact_minor").asLong()).isEqualTo(5_000);
        assertThat(campaignOf(t).get("status").asString()).isEqualTo("paused");

        assertThat(approve(t, changed.text("/error/details/approval_id")).text("/execution/status")).isEqualTo("succeeded");
        assertThat(reserved(t)).isEqualTo(5_000);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void aChangeOfACampaignWhoseLastChangeHasAnUnknownOutcomeWaitsUntilItIsKnown() {
        Story.Tenant t = story.tenant("Busy campaign", Story.Setup.ready());
        String campaign = pausedCampaign(t, "busy-1", 500);
        expect(201, story.standingGrant(t, List.of("ads.update_campaign"), 50_000, inDays(7), null));
        Http.Response pending = expect(202, story.execute(t.runtimeKey(), "ads.pause_campaign", "busy-pause",
                Map.of("campaign_id", campaign)));
        broker.sandbox().faults(t.providerAccountId())
                .next(SandboxFaults.Fault.LOSE_REQUEST);
        Http.Response unknown = expect(200, update(t, "busy-2", Map.of("campaign_id", campaign, "status", "active")));
        assertThat(unknown.text("/status")).isEqualTo("outcome_unknown");
        assertThat(reserved(t)).as("held while unknown").isEqualTo(500);

        Http.Response busy = expect(409, update(t, "busy-3", Map.of("campaign_id", campaign, "budget", usd(9_000))));
        assertThat(busy.text("/error/code")).isEqualTo("campaign_busy");
        assertThat(busy.text("/error/details/execution_id")).isEqualTo(unknown.text("/execution_id"));
        Http.Response busyApproval = expect(409, http.post("/v1/approvals/" + pending.text("/approval_id") + "/approve",
                t.approverKey(), null));
        assertThat(busyApproval.text("/error/code")).isEqualTo("campaign_busy");
        assertThat(reserved(t)).isEqualTo(500);

        Executions.Execution e = broker.bean(Executions.class).find(t.id(), unknown.text("/execution_id")).orElseThrow();
        assertThat(broker.bean(Reconciler.class).reconcile("test", e)).as("the request never reached it")
                .isEqualTo("failed");
        assertThat(campaignOf(t).get("status").asString()).isEqualTo("paused");
        assertThat(reserved(t)).isZero();

        Http.Response raised = expect(200, update(t, "busy-3", Map.of("campaign_id", campaign, "budget", usd(9_000))));
        assertThat(raised.text("/status")).isEqualTo("succeeded");
        assertThat(campaignOf(t).at("/budget/amount_minor").asLong()).isEqualTo(9_000);
        assertThat(approve(t, pending.text("/approval_id")).text("/execution/status"))
                .as("the approval waited, still pending").isEqualTo("succeeded");
        assertThat(reserved(t)).isZero();
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void aStoredPayloadChangedAfterItWasAcceptedIsNeverSent() throws SQLException {
        Story.Tenant t = story.tenant("Tampered payload", Story.Setup.ready());
        Http.Response asked = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "tamper-1",
                Story.campaign("One dollar", 100)));
        try (Connection c = TestPostgres.superuser(broker.jdbcUrl());
                PreparedStatement s = c.prepareStatement(
                        "update executions set payload = replace(payload, '\"amount_minor\":100', '\"amount_minor\":777777')"
                                + " where id = ?")) {
            s.setString(1, asked.text("/execution_id"));
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
        int before = broker.sandbox().objectCount(t.providerAccountId());

        JsonNode done = approve(t, asked.text("/approval_id")).at("/execution");

        assertThat(done.get("status").asString()).isEqualTo("failed");
        assertThat(done.at("/error/code").asString()).isEqualTo("payload_digest_mismatch");
        assertThat(broker.sandbox().objectCount(t.providerAccountId()))
                .as("nothing reached the provider").isEqualTo(before);
        assertThat(reserved(t)).isZero();
        assertThat(story.receiptPayloads(t, "execution.failed")).anyMatch(
                p -> "payload_digest_mismatch".equals(p.get("code").asString()));
        assertThat(LogCapture.lines()).anyMatch(l -> l.contains("ALERT") && l.contains(asked.text("/execution_id")));
        Ledger.assertConsistent(jdbc, t.id());
    }

    private String pausedCampaign(Story.Tenant t, String key, long budgetMinor) {
        JsonNode created = story.createApproved(t, key, Map.of("name", "Boots " + key, "status", "paused",
                "budget", usd(budgetMinor)));
        assertThat(created.get("status").asString()).isEqualTo("succeeded");
        return created.at("/result/object_id").asString();
    }

    private static Map<String, Object> usd(long minor) {
        return Map.of("amount_minor", minor, "currency", "USD", "period", "lifetime");
    }

    private static Http.Response update(Story.Tenant t, String key, Map<String, Object> input) {
        return story.execute(t.runtimeKey(), "ads.update_campaign", key, input);
    }

    private static Http.Response approve(Story.Tenant t, String approvalId) {
        return expect(200, http.post("/v1/approvals/" + approvalId + "/approve", t.approverKey(), null));
    }

    private static long reserved(Story.Tenant t) {
        return story.wallet(t).get("reserved_minor").asLong();
    }

    private static JsonNode campaignOf(Story.Tenant t) {
        return expect(200, http.get("/v1/ads/campaigns", t.viewerKey())).at("/campaigns/0");
    }

    private static String inDays(int days) {
        return Instant.now().plus(days, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
