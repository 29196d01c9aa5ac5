package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.support.BrokerTestCase;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Story;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The README story, over real HTTP against a real PostgreSQL. */
class WalkthroughTest extends BrokerTestCase {


    @Test
    void agentAsksApproverApprovesCampaignRunsPauseReleasesReceiptsVerify() {
        Story.Tenant t = story.tenant("Acme Shoes", Story.Setup.ready());

        Http.Response preflight = expect(200, http.get("/v1/integration-broker/preflight?provider=openaiads", t.runtimeKey()));
        assertThat(preflight.at("/ready").asBoolean()).isTrue();
        assertThat(preflight.at("/checks")).allSatisfy(c -> assertThat(c.get("ok").asBoolean()).isTrue());

        Http.Response asked = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "launch-1",
                Story.campaign("Winter boots", 50_000)));
        assertThat(asked.text("/status")).isEqualTo("awaiting_approval");
        assertThat(asked.at("/spend_impact/amount_minor").asLong()).isEqualTo(50_000);
        assertThat(asked.at("/spend_impact/currency").asString()).isEqualTo("USD");
        String approvalId = asked.text("/approval_id");
        String executionId = asked.text("/execution_id");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).as("nothing reserved before approval").isZero();

        JsonNode pending = expect(200, http.get("/v1/approvals", t.approverKey())).at("/approvals");
        assertThat(pending).extracting(a -> a.get("approval_id").asString()).contains(approvalId);

        Http.Response approved = expect(200, http.post("/v1/approvals/" + approvalId + "/approve", t.approverKey(), null));
        assertThat(approved.text("/execution/status")).isEqualTo("succeeded");

        JsonNode execution = expect(200, http.get("/v1/executions/" + executionId, t.runtimeKey())).json();
        assertThat(execution.get("status").asString()).isEqualTo("succeeded");
        String campaignId = execution.at("/result/object_id").asString();

        JsonNode campaigns = expect(200, http.get("/v1/ads/campaigns", t.viewerKey())).at("/campaigns");
        assertThat(campaigns).hasSize(1);
        assertThat(campaigns.get(0).get("campaign_id").asString()).isEqualTo(campaignId);
        assertThat(campaigns.get(0).get("status").asString()).isEqualTo("active");
        assertThat(campaigns.get(0).at("/budget/amount_minor").asLong()).isEqualTo(50_000);

        JsonNode wallet = story.wallet(t);
        assertThat(wallet.get("balance_minor").asLong()).isEqualTo(80_000);
        assertThat(wallet.get("reserved_minor").asLong()).isEqualTo(50_000);
        assertThat(wallet.get("available_minor").asLong()).isEqualTo(30_000);

        Http.Response pause = expect(202, story.execute(t.runtimeKey(), "ads.pause_campaign", "pause-1",
                Map.of("campaign_id", campaignId)));
        expect(200, http.post("/v1/approvals/" + pause.text("/approval_id") + "/approve", t.approverKey(), null));
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isZero();
        assertThat(story.wallet(t).get("available_minor").asLong()).isEqualTo(80_000);
        JsonNode paused = expect(200, http.get("/v1/ads/campaigns", t.viewerKey())).at("/campaigns/0");
        assertThat(paused.get("status").asString()).isEqualTo("paused");

        JsonNode verify = story.verify(t);
        assertThat(verify.get("valid").asBoolean()).isTrue();
        assertThat(verify.get("first_bad_seq").isNull()).isTrue();
        assertThat(story.receiptKinds(t)).hasSize(verify.get("count").asInt())
                .contains("execution.accepted", "approval.approved", "spend.reserved", "execution.succeeded",
                        "spend.released");
    }
}
