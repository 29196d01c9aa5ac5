package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.approvals.ApprovalDecisions;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.identity.Role;
import dev.minutework.broker.server.support.BrokerTestCase;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Ledger;
import dev.minutework.broker.server.support.Story;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Invariant 3, approval binding: a mutating action waits for a human decision bound to its exact
 * payload, nobody approves their own request, a decision is taken once, and standing grants run
 * work at once only within their explicit limits.
 */
class ApprovalGateTest extends BrokerTestCase {


    // ------------------------------------------------------------------ one-shot approvals

    @Test
    void mutatingActionAwaitsApprovalBoundToItsPayloadAndReservesNothingYet() {
        Story.Tenant t = story.tenant("Awaiting", Story.Setup.ready());
        Map<String, Object> input = Story.campaign("Winter boots", 30_000);

        Http.Response asked = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "gate-1", input));

        assertThat(asked.text("/status")).isEqualTo("awaiting_approval");
        assertThat(asked.text("/execution_id")).startsWith("exe");
        assertThat(asked.text("/approval_id")).isNotBlank();
        assertThat(asked.at("/spend_impact/amount_minor").asLong()).isEqualTo(30_000);
        assertThat(asked.at("/spend_impact/currency").asString()).isEqualTo("USD");
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("connector", "mw.connector.ads");
        payload.put("action", "ads.create_campaign");
        payload.put("provider", "openaiads");
        payload.put("input", input);
        String digest = CanonicalJson.sha256Hex(CanonicalJson.canonicalize(payload));
        assertThat(asked.text("/payload_digest")).isEqualTo(digest);

        JsonNode approval = expect(200, http.get("/v1/approvals/" + asked.text("/approval_id"), t.viewerKey())).json();
        assertThat(approval.get("kind").asString()).isEqualTo("one_shot");
        assertThat(approval.get("status").asString()).isEqualTo("pending");
        assertThat(approval.get("execution_id").asString()).isEqualTo(asked.text("/execution_id"));
        assertThat(approval.get("action").asString()).isEqualTo("ads.create_campaign");
        assertThat(approval.get("payload_digest").asString()).isEqualTo(digest);
        assertThat(approval.at("/spend_impact/amount_minor").asLong()).isEqualTo(30_000);
        assertThat(expect(200, http.get("/v1/approvals?status=pending", t.approverKey())).at("/approvals"))
                .extracting(a -> a.get("approval_id").asString()).containsExactly(asked.text("/approval_id"));
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isZero();
        assertThat(count("select count(*) from spend_reservations where tenant_id = :t", t.id())).isZero();
        assertThat(count("select count(*) from ads_campaigns where tenant_id = :t", t.id())).isZero();
        assertThat(sandboxObjects(t)).isZero();
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void theRequesterAndKeysWithoutTheApproverRoleCanNeverApprove() {
        Story.Tenant t = story.tenant("Self Approval", Story.Setup.ready());
        Http.Response asked = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "gate-2",
                Story.campaign("Own boots", 10_000)));
        String approvalId = asked.text("/approval_id");

        for (String key : List.of(t.runtimeKey(), t.viewerKey())) {
            Http.Response r = expect(403, http.post("/v1/approvals/" + approvalId + "/approve", key, null));
            assertThat(r.errorCode()).isEqualTo("forbidden_role");
            assertThat(expect(403, http.post("/v1/approvals/" + approvalId + "/deny", key, Map.of())).errorCode())
                    .isEqualTo("forbidden_role");
        }
        // even a caller holding the requester's key id with the approver role is refused
        String requesterKeyId = expect(200, http.get("/v1/approvals/" + approvalId, t.viewerKey()))
                .text("/requested_by_key_id");
        ApiException self = catchThrowableOfType(ApiException.class, () -> broker.bean(ApprovalDecisions.class)
                .approve(new Caller.TenantKey(t.id(), requesterKeyId, Role.APPROVER), approvalId));
        assertThat(self).isNotNull();
        assertThat(self.code()).isEqualTo(ErrorCode.SELF_APPROVAL_FORBIDDEN);
        assertThat(story.receiptPayloads(t, "approval.refused")).singleElement()
                .satisfies(p -> assertThat(p.get("code").asString()).isEqualTo("self_approval_forbidden"));

        JsonNode approval = expect(200, http.get("/v1/approvals/" + approvalId, t.viewerKey())).json();
        assertThat(approval.get("status").asString()).isEqualTo("pending");
        assertThat(expect(200, http.get("/v1/executions/" + asked.text("/execution_id"), t.viewerKey())).text("/status"))
                .isEqualTo("awaiting_approval");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isZero();
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void approvalRunsTheStoredPayload() {
        Story.Tenant t = story.tenant("Approve", Story.Setup.ready());
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("name", "Stored boots");
        input.put("objective", "traffic");
        input.put("status", "active");
        input.put("budget", Map.of("amount_minor", 25_000, "currency", "USD", "period", "lifetime"));
        Http.Response asked = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "gate-3", input));
        String executionId = asked.text("/execution_id");

        Http.Response approved = expect(200, http.post("/v1/approvals/" + asked.text("/approval_id") + "/approve",
                t.approverKey(), null));

        assertThat(approved.text("/decision")).isEqualTo("approved");
        assertThat(approved.text("/execution/execution_id")).isEqualTo(executionId);
        assertThat(approved.text("/execution/status")).isEqualTo("succeeded");
        String campaignId = approved.text("/execution/result/object_id");
        JsonNode campaign = expect(200, http.get("/v1/ads/campaigns", t.viewerKey())).at("/campaigns/0");
        assertThat(campaign.get("campaign_id").asString()).isEqualTo(campaignId);
        assertThat(campaign.get("name").asString()).isEqualTo("Stored boots");
        assertThat(campaign.get("objective").asString()).isEqualTo("traffic");
        assertThat(campaign.get("status").asString()).isEqualTo("active");
        assertThat(campaign.at("/budget/amount_minor").asLong()).isEqualTo(25_000);
        assertThat(campaign.get("created_by_execution").asString()).isEqualTo(executionId);
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isEqualTo(25_000);

        JsonNode approval = expect(200, http.get("/v1/approvals/" + asked.text("/approval_id"), t.viewerKey())).json();
        assertThat(approval.get("status").asString()).isEqualTo("used");
        assertThat(approval.get("decided_by_key_id").asString()).isNotEqualTo(approval.get("requested_by_key_id").asString());
        assertThat(jdbc.sql("select kind from broker_receipts where tenant_id = :t and execution_id = :e order by seq")
                .param("t", t.id()).param("e", executionId).query(String.class).list())
                .containsExactly("execution.accepted", "approval.requested", "approval.approved", "spend.reserved",
                        "execution.succeeded");
        assertThat(sandboxObjects(t)).isEqualTo(1);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void denialEndsTheExecutionAndReservesNothing() {
        Story.Tenant t = story.tenant("Deny", Story.Setup.ready());
        Http.Response asked = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "gate-4",
                Story.campaign("Denied boots", 40_000)));
        String approvalId = asked.text("/approval_id");

        Http.Response denied = expect(200, http.post("/v1/approvals/" + approvalId + "/deny", t.approverKey(),
                Map.of("reason", "not this season")));

        assertThat(denied.text("/decision")).isEqualTo("denied");
        assertThat(denied.text("/execution/status")).isEqualTo("denied");
        JsonNode approval = expect(200, http.get("/v1/approvals/" + approvalId, t.viewerKey())).json();
        assertThat(approval.get("status").asString()).isEqualTo("denied");
        assertThat(approval.get("reason").asString()).isEqualTo("not this season");
        Http.Response approveAfter = expect(409, http.post("/v1/approvals/" + approvalId + "/approve", t.approverKey(), null));
        assertThat(approveAfter.errorCode()).isEqualTo("approval_not_pending");
        Http.Response replay = expect(200, story.execute(t.runtimeKey(), "ads.create_campaign", "gate-4",
                Story.campaign("Denied boots", 40_000)));
        assertThat(replay.text("/status")).isEqualTo("denied");
        assertThat(replay.text("/execution_id")).isEqualTo(asked.text("/execution_id"));

        JsonNode wallet = story.wallet(t);
        assertThat(wallet.get("reserved_minor").asLong()).isZero();
        assertThat(wallet.get("available_minor").asLong()).isEqualTo(80_000);
        assertThat(count("select count(*) from spend_reservations where tenant_id = :t", t.id())).isZero();
        assertThat(count("select count(*) from spend_policy_receipts where tenant_id = :t", t.id())).isZero();
        assertThat(count("select count(*) from ads_campaigns where tenant_id = :t", t.id())).isZero();
        assertThat(sandboxObjects(t)).isZero();
        assertThat(story.receiptKinds(t)).contains("approval.denied").doesNotContain("approval.approved", "spend.reserved");
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void anApprovalIsDecidedOnlyOnce() {
        Story.Tenant t = story.tenant("Once", Story.Setup.ready());
        Http.Response asked = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "gate-5",
                Story.campaign("Once boots", 10_000)));
        String approvalId = asked.text("/approval_id");
        String secondApprover = story.key(t.id(), "approver");

        expect(200, http.post("/v1/approvals/" + approvalId + "/approve", t.approverKey(), null));
        Http.Response again = expect(409, http.post("/v1/approvals/" + approvalId + "/approve", secondApprover, null));
        Http.Response deny = expect(409, http.post("/v1/approvals/" + approvalId + "/deny", secondApprover, Map.of()));

        assertThat(again.errorCode()).isEqualTo("approval_not_pending");
        assertThat(deny.errorCode()).isEqualTo("approval_not_pending");
        assertThat(expect(200, http.get("/v1/executions/" + asked.text("/execution_id"), t.viewerKey())).text("/status"))
                .isEqualTo("succeeded");
        assertThat(count("select count(*) from spend_reservations where tenant_id = :t", t.id())).isEqualTo(1);
        assertThat(count("select count(*) from ads_campaigns where tenant_id = :t", t.id())).isEqualTo(1);
        assertThat(sandboxObjects(t)).isEqualTo(1);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void concurrentApproversRunTheExecutionOnce() throws Exception {
        Story.Tenant t = story.tenant("Racing Approvers", Story.Setup.ready());
        Http.Response asked = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "gate-6",
                Story.campaign("Race boots", 10_000)));
        String approvalId = asked.text("/approval_id");
        List<String> approvers = List.of(t.approverKey(), story.key(t.id(), "approver"), story.key(t.id(), "approver"),
                story.key(t.id(), "approver"));
        CountDownLatch go = new CountDownLatch(1);
        List<Http.Response> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(approvers.size())) {
            List<Future<Http.Response>> futures = new ArrayList<>();
            for (String key : approvers) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return http.post("/v1/approvals/" + approvalId + "/approve", key, null);
                }));
            }
            go.countDown();
            for (Future<Http.Response> f : futures) {
                answers.add(f.get());
            }
        }

        assertThat(answers).filteredOn(r -> r.status() == 200).hasSize(1);
        assertThat(answers).filteredOn(r -> r.status() != 200)
                .allSatisfy(r -> assertThat(r.errorCode()).as("%s", r).isEqualTo("approval_not_pending"));
        assertThat(count("select count(*) from spend_reservations where tenant_id = :t", t.id())).isEqualTo(1);
        assertThat(count("select count(*) from ads_campaigns where tenant_id = :t", t.id())).isEqualTo(1);
        assertThat(sandboxObjects(t)).isEqualTo(1);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void anExpiredApprovalCanNoLongerBeApprovedAndItsExecutionExpires() {
        Story.Tenant t = story.tenant("Expired Approval", Story.Setup.ready());
        Http.Response asked = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "gate-7",
                Story.campaign("Late boots", 10_000)));
        String approvalId = asked.text("/approval_id");
        // time passes: the approval's expiry is now behind us
        jdbc.sql("update approval_grants set expires_at = now() - interval '1 second' where tenant_id = :t and id = :a")
                .param("t", t.id()).param("a", approvalId).update();

        Http.Response late = expect(409, http.post("/v1/approvals/" + approvalId + "/approve", t.approverKey(), null));

        assertThat(late.errorCode()).isEqualTo("approval_expired");
        assertThat(expect(200, http.get("/v1/approvals/" + approvalId, t.viewerKey())).text("/status")).isEqualTo("expired");
        JsonNode execution = expect(200, http.get("/v1/executions/" + asked.text("/execution_id"), t.viewerKey())).json();
        assertThat(execution.get("status").asString()).isEqualTo("expired");
        assertThat(execution.at("/error/code").asString()).isEqualTo("approval_expired");
        assertThat(expect(409, http.post("/v1/approvals/" + approvalId + "/approve", t.approverKey(), null)).errorCode())
                .isEqualTo("approval_not_pending");
        assertThat(count("select count(*) from spend_reservations where tenant_id = :t", t.id())).isZero();
        assertThat(sandboxObjects(t)).isZero();
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void anotherTenantsApproverCannotSeeOrDecideAnApproval() {
        Story.Tenant t = story.tenant("Approval Owner", Story.Setup.ready());
        Story.Tenant other = story.tenant("Approval Stranger", Story.Setup.ready());
        Http.Response asked = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "gate-8",
                Story.campaign("Private boots", 10_000)));
        String approvalId = asked.text("/approval_id");

        assertThat(expect(404, http.get("/v1/approvals/" + approvalId, other.approverKey())).errorCode())
                .isEqualTo("not_found");
        assertThat(expect(404, http.post("/v1/approvals/" + approvalId + "/approve", other.approverKey(), null)).errorCode())
                .isEqualTo("not_found");
        assertThat(expect(404, http.post("/v1/approvals/" + approvalId + "/deny", other.approverKey(), Map.of())).errorCode())
                .isEqualTo("not_found");
        assertThat(expect(200, http.get("/v1/approvals", other.approverKey())).at("/approvals")).isEmpty();

        assertThat(expect(200, http.get("/v1/approvals/" + approvalId, t.viewerKey())).text("/status")).isEqualTo("pending");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isZero();
        Ledger.assertConsistent(jdbc, t.id());
        Ledger.assertConsistent(jdbc, other.id());
    }

    // ------------------------------------------------------------------ standing grants

    @Test
    void standingGrantRunsCoveredWorkAtOnceUntilItsCeiling() {
        Story.Tenant t = story.tenant("Standing", Story.Setup.ready());
        Http.Response grant = expect(201, story.standingGrant(t, List.of("ads.create_campaign"), 50_000, inDays(7), null));
        String grantId = grant.text("/approval_id");
        assertThat(grant.text("/kind")).isEqualTo("standing");
        assertThat(grant.text("/status")).isEqualTo("approved");

        Http.Response first = story.execute(t.runtimeKey(), "ads.create_campaign", "std-1", Story.campaign("One", 20_000));
        Http.Response second = story.execute(t.runtimeKey(), "ads.create_campaign", "std-2", Story.campaign("Two", 20_000));
        Http.Response third = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "std-3",
                Story.campaign("Three", 20_000)));

        for (Http.Response r : List.of(first, second)) {
            assertThat(r.status()).as("%s", r).isIn(200, 201);
            assertThat(r.text("/status")).isEqualTo("succeeded");
            assertThat(r.text("/grant_id")).isEqualTo(grantId);
            assertThat(r.at("/approval_id").isNull()).isTrue();
        }
        assertThat(third.text("/status")).isEqualTo("awaiting_approval");
        assertThat(third.at("/grant_id").isNull()).isTrue();
        JsonNode used = expect(200, http.get("/v1/approvals/" + grantId, t.viewerKey())).json();
        assertThat(used.get("spend_used_minor").asLong()).isEqualTo(40_000);
        assertThat(used.at("/spend_ceiling/amount_minor").asLong()).isEqualTo(50_000);
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isEqualTo(40_000);
        assertThat(expect(200, http.get("/v1/ads/campaigns", t.viewerKey())).at("/campaigns")).hasSize(2);
        assertThat(story.receiptPayloads(t, "approval.standing_grant_applied")).hasSize(2)
                .allSatisfy(p -> assertThat(p.get("grant_id").asString()).isEqualTo(grantId));
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void concurrentRequestsNeverConsumeAStandingGrantBeyondItsCeiling() throws Exception {
        Story.Tenant t = story.tenant("Standing Race", Story.Setup.ready());
        String grantId = expect(201, story.standingGrant(t, List.of("ads.create_campaign"), 50_000, inDays(7), null))
                .text("/approval_id");
        CountDownLatch go = new CountDownLatch(1);
        List<Http.Response> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(5)) {
            List<Future<Http.Response>> futures = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                String key = "std-race-" + i;
                futures.add(pool.submit(() -> {
                    go.await();
                    return story.execute(t.runtimeKey(), "ads.create_campaign", key, Story.campaign("Race " + key, 20_000));
                }));
            }
            go.countDown();
            for (Future<Http.Response> f : futures) {
                answers.add(f.get());
            }
        }

        assertThat(answers).filteredOn(r -> r.status() == 200).hasSize(2)
                .allSatisfy(r -> assertThat(r.text("/grant_id")).isEqualTo(grantId));
        assertThat(answers).filteredOn(r -> r.status() != 200).hasSize(3)
                .allSatisfy(r -> assertThat(r.text("/status")).as("%s", r).isEqualTo("awaiting_approval"));
        assertThat(expect(200, http.get("/v1/approvals/" + grantId, t.viewerKey())).at("/spend_used_minor").asLong())
                .isEqualTo(40_000);
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isEqualTo(40_000);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void standingGrantCoversOnlyItsActions() {
        Story.Tenant t = story.tenant("Standing Actions", Story.Setup.ready());
        expect(201, story.standingGrant(t, List.of("ads.create_campaign"), 50_000, inDays(7), null));

        Http.Response creative = expect(202, story.execute(t.runtimeKey(), "ads.create_creative", "std-4", Map.of(
                "name", "Creative", "headline", "Warm boots", "body", "For winter",
                "image_url", "https://img.example.test/b.png", "landing_url", "https://shop.example.test/b")));

        assertThat(creative.text("/status")).isEqualTo("awaiting_approval");
        Http.Response notMutating = expect(400, story.standingGrant(t, List.of("ads.fetch_report"), 1_000, inDays(7), null));
        assertThat(notMutating.errorCode()).isEqualTo("invalid_input");
        Http.Response past = expect(400, story.standingGrant(t, List.of("ads.create_campaign"), 1_000,
                Instant.now().minus(1, ChronoUnit.HOURS).toString(), null));
        assertThat(past.errorCode()).isEqualTo("invalid_input");
        Http.Response byRuntime = expect(403, http.post("/v1/approvals/standing-grants", t.runtimeKey(), Map.of(
                "actions", List.of("ads.create_campaign"), "provider", "openaiads",
                "spend_ceiling", Map.of("amount_minor", 1_000, "currency", "USD"), "expires_at", inDays(1))));
        assertThat(byRuntime.errorCode()).isEqualTo("forbidden_role");
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void expiredStandingGrantNoLongerCoversWork() {
        Story.Tenant t = story.tenant("Standing Expiry", Story.Setup.ready());
        String grantId = expect(201, story.standingGrant(t, List.of("ads.create_campaign"), 50_000, inDays(7), null))
                .text("/approval_id");
        expect(200, story.execute(t.runtimeKey(), "ads.create_campaign", "std-5", Story.campaign("Before", 5_000)));

        // time passes: the grant's expiry is now behind us
        jdbc.sql("update approval_grants set expires_at = now() - interval '1 second' where tenant_id = :t and id = :g")
                .param("t", t.id()).param("g", grantId).update();
        Http.Response after = expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", "std-6",
                Story.campaign("After", 5_000)));

        assertThat(after.text("/status")).isEqualTo("awaiting_approval");
        assertThat(expect(200, http.get("/v1/approvals/" + grantId, t.viewerKey())).at("/spend_used_minor").asLong())
                .isEqualTo(5_000);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void revokedStandingGrantStopsCoveringWork() {
        Story.Tenant t = story.tenant("Standing Revoke", Story.Setup.ready());
        String grantId = expect(201, story.standingGrant(t, List.of("ads.create_campaign", "ads.pause_campaign"),
                50_000, inDays(7), null)).text("/approval_id");
        Http.Response ran = expect(200, story.execute(t.runtimeKey(), "ads.create_campaign", "std-7",
                Story.campaign("Before revoke", 5_000)));
        assertThat(ran.text("/status")).isEqualTo("succeeded");

        Http.Response revoked = expect(200, http.post("/v1/approvals/standing-grants/" + grantId + "/revoke",
                t.approverKey(), null));
        assertThat(revoked.text("/status")).isEqualTo("revoked");
        Http.Response after = expect(202, story.execute(t.runtimeKey(), "ads.pause_campaign", "std-8",
                Map.of("campaign_id", ran.text("/result/object_id"))));

        assertThat(after.text("/status")).isEqualTo("awaiting_approval");
        assertThat(expect(409, http.post("/v1/approvals/standing-grants/" + grantId + "/revoke", t.approverKey(), null))
                .errorCode()).isEqualTo("conflict");
        assertThat(story.receiptKinds(t)).contains("approval.standing_grant_issued", "approval.standing_grant_revoked");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).as("the pause did not run").isEqualTo(5_000);
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void standingGrantLimitedToOneKeyCoversOnlyThatKey() {
        Story.Tenant t = story.tenant("Standing Key", Story.Setup.ready());
        Http.Response agent = story.issueKey(t.id(), "runtime");
        Http.Response other = story.issueKey(t.id(), "runtime");
        Http.Response grant = expect(201, story.standingGrant(t, List.of("ads.create_campaign"), 50_000, inDays(7),
                agent.text("/key_id")));
        assertThat(grant.text("/limited_to_key_id")).isEqualTo(agent.text("/key_id"));

        Http.Response byOther = expect(202, story.execute(other.text("/api_key"), "ads.create_campaign", "std-9",
                Story.campaign("Other key", 5_000)));
        Http.Response byAgent = expect(200, story.execute(agent.text("/api_key"), "ads.create_campaign", "std-10",
                Story.campaign("Agent key", 5_000)));

        assertThat(byOther.text("/status")).isEqualTo("awaiting_approval");
        assertThat(byAgent.text("/status")).isEqualTo("succeeded");
        assertThat(byAgent.text("/grant_id")).isEqualTo(grant.text("/approval_id"));
        Ledger.assertConsistent(jdbc, t.id());
    }

    @Test
    void aStandingGrantCannotBeLimitedToItsOwnIssuer() {
        Story.Tenant t = story.tenant("Standing Self", Story.Setup.ready());
        String approverKeyId = expect(200, http.get("/v1/runtime/identity", t.approverKey())).text("/key_id");
        Http.Response refused = expect(400, story.standingGrant(t, List.of("ads.create_campaign"), 50_000, inDays(7),
                approverKeyId));
        assertThat(refused.errorCode()).isEqualTo("invalid_input");
        assertThat(refused.raw()).contains("limited_to_key_id").contains("nobody approves their own requests");
        assertThat(expect(200, http.get("/v1/approvals?status=approved", t.viewerKey())).at("/approvals").isEmpty())
                .as("nothing issued").isTrue();
        assertThat(story.receiptKinds(t)).doesNotContain("approval.standing_grant_issued");
    }

    // ------------------------------------------------------------------ helpers

    private static String inDays(int days) {
        return Instant.now().plus(days, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static int sandboxObjects(Story.Tenant t) {
        return broker.sandbox().objectCount(t.providerAccountId());
    }

    private static long count(String sql, String tenantId) {
        return jdbc.sql(sql).param("t", tenantId).query(Long.class).single();
    }
}
