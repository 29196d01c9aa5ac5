package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.support.Broker;
import dev.minutework.broker.server.support.BrokerTestCase;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Story;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Every tenant endpoint is scoped by the key's tenant: a key of tenant B can read, approve, deny,
 * revoke or reference nothing of tenant A, and A's objects answer 404 exactly like missing ones.
 */
class TenantIsolationTest extends BrokerTestCase {

    static Story.Tenant a;
    static Story.Tenant b;
    static String aExecution;
    static String aApproval;
    static String aCampaign;
    static String aGrant;

    @BeforeAll
    static void tenants() {
        a = story.tenant("Tenant A", Story.Setup.ready());
        b = story.tenant("Tenant B", Story.Setup.ready());
        aCampaign = story.createApproved(a, "a-live", Story.campaign("A live", 2_000)).at("/result/object_id").asString();
        Http.Response pending = expect(202, story.execute(a.runtimeKey(), "ads.create_campaign", "a-pending",
                Story.campaign("A pending", 3_000)));
        aExecution = pending.text("/execution_id");
        aApproval = pending.text("/approval_id");
        aGrant = expect(201, story.standingGrant(a, List.of("ads.create_campaign"), 10_000,
                Instant.now().plusSeconds(3600).toString(), null)).text("/approval_id");
    }

    @Test
    void anotherTenantsObjectsAnswerExactlyLikeMissingOnes() {
        assertSameAsMissing("GET", "/v1/executions/%s", aExecution, b.viewerKey());
        assertSameAsMissing("GET", "/v1/approvals/%s", aApproval, b.approverKey());
        assertSameAsMissing("POST", "/v1/approvals/%s/approve", aApproval, b.approverKey());
        assertSameAsMissing("POST", "/v1/approvals/%s/deny", aApproval, b.approverKey());
        assertSameAsMissing("POST", "/v1/approvals/standing-grants/%s/revoke", aGrant, b.approverKey());

        JsonNode stillPending = expect(200, http.get("/v1/approvals/" + aApproval, a.viewerKey())).json();
        assertThat(stillPending.get("status").asString()).isEqualTo("pending");
        assertThat(expect(200, http.get("/v1/executions/" + aExecution, a.viewerKey())).text("/status"))
                .isEqualTo("awaiting_approval");
    }

    @Test
    void listsOfOneTenantShowNothingOfAnother() {
        assertThat(expect(200, http.get("/v1/approvals", b.approverKey())).raw()).doesNotContain(aApproval, aGrant);
        assertThat(expect(200, http.get("/v1/ads/campaigns", b.viewerKey())).raw()).doesNotContain(aCampaign);
        assertThat(expect(200, http.get("/v1/ads/objects", b.viewerKey())).raw()).doesNotContain(aCampaign);
        String receipts = expect(200, http.get("/v1/receipts?limit=1000", b.viewerKey())).raw();
        assertThat(receipts).doesNotContain(a.id(), aExecution, aApproval, aCampaign);
        assertThat(story.wallet(b).get("tenant_id").asString()).isEqualTo(b.id());
        assertThat(story.wallet(b).get("reserved_minor").asLong()).isZero();
    }

    @Test
    void aTenantCannotReferenceAnotherTenantsCampaign() {
        Http.Response pause = story.execute(b.runtimeKey(), "ads.pause_campaign", "b-pause-a", Map.of("campaign_id", aCampaign));
        Http.Response missing = story.execute(b.runtimeKey(), "ads.pause_campaign", "b-pause-x",
                Map.of("campaign_id", "cmp_doesnotexist00000000"));
        assertThat(pause.status()).isEqualTo(404);
        assertThat(pause.errorCode()).isEqualTo("not_found").isEqualTo(missing.errorCode());
        assertThat(pause.raw()).doesNotContain("A live");
        Http.Response group = story.execute(b.runtimeKey(), "ads.create_group", "b-group-a",
                Map.of("campaign_id", aCampaign, "name", "sneaky"));
        assertThat(group.status()).isEqualTo(404);
        JsonNode campaign = expect(200, http.get("/v1/ads/campaigns", a.viewerKey())).at("/campaigns/0");
        assertThat(campaign.get("campaign_id").asString()).isEqualTo(aCampaign);
        assertThat(campaign.get("status").asString()).isEqualTo("active");
        assertThat(expect(200, http.get("/v1/ads/objects", a.viewerKey())).at("/objects")).isEmpty();
    }

    @Test
    void rolesLimitWhatAKeyMayDo() {
        Http.Response viewerExecutes = story.execute(a.viewerKey(), "ads.create_campaign", "v-1", Story.campaign("no", 100));
        assertThat(viewerExecutes.status()).isEqualTo(403);
        assertThat(viewerExecutes.errorCode()).isEqualTo("forbidden_role");
        Http.Response approverExecutes = story.execute(a.approverKey(), "ads.create_campaign", "v-2", Story.campaign("no", 100));
        assertThat(approverExecutes.status()).isEqualTo(403);
        Http.Response runtimeApproves = http.post("/v1/approvals/" + aApproval + "/approve", a.runtimeKey(), null);
        assertThat(runtimeApproves.status()).isEqualTo(403);
        assertThat(runtimeApproves.errorCode()).isEqualTo("forbidden_role");
        Http.Response tenantKeyOnOperatorEndpoint = http.post("/v1/tenants", a.approverKey(), Map.of("name", "x"));
        assertThat(tenantKeyOnOperatorEndpoint.status()).isEqualTo(403);
        Http.Response tenantKeyCreditsItself = http.post("/v1/tenants/" + a.id() + "/wallet/credits", a.approverKey(),
                Map.of("amount_minor", 1_000_000, "reference", "free money"));
        assertThat(tenantKeyCreditsItself.status()).isEqualTo(403);
        assertThat(story.wallet(a).get("balance_minor").asLong()).isEqualTo(80_000);
        assertThat(expect(200, http.get("/v1/approvals/" + aApproval, a.viewerKey())).text("/status")).isEqualTo("pending");
    }

    @Test
    void requestsWithoutAValidKeyAreUnauthenticated() {
        for (String key : new String[] {null, "", "mwb_r_not_a_key", Broker.OPERATOR_KEY + "x"}) {
            Http.Response r = http.get("/v1/wallet", key);
            assertThat(r.status()).as("key %s", key).isEqualTo(401);
            assertThat(r.errorCode()).isEqualTo("unauthenticated");
        }
        Http.Response noKeyOperator = http.post("/v1/tenants", null, Map.of("name", "x"));
        assertThat(noKeyOperator.status()).isEqualTo(401);
    }

    /** The 404 for another tenant's id equals, code and message, the 404 for an id nobody has. */
    private static void assertSameAsMissing(String method, String pathTemplate, String foreignId, String key) {
        String missingId = foreignId.substring(0, 4) + "zzzzzzzzzzzzzzzzzzzz";
        Http.Response foreign = http.send(method, pathTemplate.formatted(foreignId), key, null);
        Http.Response missing = http.send(method, pathTemplate.formatted(missingId), key, null);
        assertThat(foreign.status()).as("%s %s", method, pathTemplate).isEqualTo(404);
        assertThat(foreign.errorCode()).isEqualTo("not_found");
        assertThat(foreign.json().get("error")).isEqualTo(missing.json().get("error"));
    }
}
