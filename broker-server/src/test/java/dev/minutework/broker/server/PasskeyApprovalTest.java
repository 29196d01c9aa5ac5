package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.approval.PasskeyEvidence;
import dev.minutework.broker.core.receipt.OfflineVerifier;
import dev.minutework.broker.core.json.JsonParser;
import dev.minutework.broker.server.support.BrokerTestCase;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.LogCapture;
import dev.minutework.broker.server.support.SoftAuthenticator;
import dev.minutework.broker.server.support.Story;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Passkey-signed approvals over real HTTP, with a software authenticator: an approver registers a
 * passkey; above the tenant's threshold only an approval signed by it over a challenge bound to the
 * approval id and payload digest runs, and its receipt carries evidence that verifies offline.
 */
class PasskeyApprovalTest extends BrokerTestCase {

    private static final long THRESHOLD = 10_000;

    @Test
    void anApproverRegistersAPasskeyThatAnyKeyOfTheTenantCanList() {
        Story.Tenant t = story.tenant("Passkey Register", Story.Setup.ready());
        SoftAuthenticator authenticator = new SoftAuthenticator();

        Http.Response begun = expect(201, http.post("/v1/passkeys/registrations", t.approverKey(),
                Map.of("label", "ops lead's laptop")));
        JsonNode options = begun.at("/public_key");
        assertThat(begun.text("/registration_id")).startsWith("pkr_");
        assertThat(options.at("/rp/id").asString()).isEqualTo("localhost");
        assertThat(options.get("challenge").asString()).matches("[A-Za-z0-9_-]{43}");
        assertThat(options.at("/user/id").asString()).isNotBlank();
        assertThat(options.at("/authenticatorSelection/userVerification").asString()).isEqualTo("required");
        assertThat(options.get("pubKeyCredParams")).anySatisfy(p -> assertThat(p.get("alg").asInt()).isEqualTo(-7));

        Http.Response done = expect(201, http.post("/v1/passkeys/registrations/" + begun.text("/registration_id")
                + "/complete", t.approverKey(), Map.of("credential", authenticator.register(options))));

        assertThat(done.text("/passkey_id")).startsWith("pk_");
        assertThat(done.text("/label")).isEqualTo("ops lead's laptop");
        assertThat(done.text("/status")).isEqualTo("active");
        assertThat(done.text("/credential_id")).isEqualTo(authenticator.credentialId());
        assertThat(done.text("/created_at")).isNotBlank();
        JsonNode listed = expect(200, http.get("/v1/passkeys", t.viewerKey())).at("/passkeys");
        assertThat(listed).singleElement().satisfies(p -> {
            assertThat(p.get("passkey_id").asString()).isEqualTo(done.text("/passkey_id"));
            assertThat(p.has("public_key_cose")).isTrue();
        });
        assertThat(story.receiptPayloads(t, "passkey.registered")).singleElement()
                .satisfies(p -> assertThat(p.get("passkey_id").asString()).isEqualTo(done.text("/passkey_id")));
        // a registration completes once
        assertThat(expect(403, http.post("/v1/passkeys/registrations/" + begun.text("/registration_id") + "/complete",
                t.approverKey(), Map.of("credential", authenticator.register(options)))).errorCode())
                .isEqualTo("passkey_invalid");
    }

    @Test
    void aPasskeySignedApprovalAboveTheThresholdRunsAndItsReceiptVerifiesOffline() {
        Story.Tenant t = passkeyTenant("Passkey Approve");
        SoftAuthenticator authenticator = new SoftAuthenticator();
        String passkeyId = register(t, authenticator);
        Http.Response asked = ask(t, "pk-approve-1", 30_000);
        String approvalId = asked.text("/approval_id");
        String digest = asked.text("/payload_digest");

        Http.Response challenge = challenge(t.approverKey(), approvalId);
        assertThat(challenge.text("/challenge_id")).startsWith("pkc_");
        assertThat(challenge.at("/public_key/allowCredentials")).singleElement()
                .satisfies(c -> assertThat(c.get("id").asString()).isEqualTo(authenticator.credentialId()));
        assertThat(challenge.at("/public_key/userVerification").asString()).isEqualTo("required");
        assertThat(Instant.parse(challenge.text("/expires_at"))).isBefore(Instant.now().plus(6, ChronoUnit.MINUTES));
        Map<String, Object> assertion = authenticator.assertion(challenge.at("/public_key"));
        Http.Response approved = expect(200, approveWithPasskey(t.approverKey(), approvalId,
                challenge.text("/challenge_id"), assertion));
        assertNeverLogged(assertion);

        assertThat(approved.text("/decision")).isEqualTo("approved");
        assertThat(approved.text("/execution/status")).isEqualTo("succeeded");
        JsonNode receipt = story.receiptPayloads(t, "approval.approved").getFirst();
        assertThat(receipt.get("approval_id").asString()).isEqualTo(approvalId);
        assertThat(receipt.at("/passkey/passkey_id").asString()).isEqualTo(passkeyId);
        PasskeyEvidence evidence = evidenceOf(receipt);
        assertThat(evidence.verify(approvalId, digest)).isEqualTo(new PasskeyEvidence.Verdict.Valid());
        assertThat(evidence.verify(approvalId, digest.replace(digest.charAt(0), digest.charAt(0) == 'a' ? 'b' : 'a'))
                .valid()).as("a tampered payload digest").isFalse();
        assertThat(evidence.rpId()).isEqualTo("localhost");
        assertThat(evidence.origin()).isEqualTo(SoftAuthenticator.ORIGIN);
        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
        assertThat(expect(200, http.get("/v1/passkeys", t.viewerKey())).at("/passkeys/0/sign_count").asLong())
                .isEqualTo(1);

        // the passkey approval is part of the exported evidence, checked offline with the rest
        Http.Response checkpoint = expect(200, http.get("/v1/receipts/checkpoint", t.viewerKey()));
        String export = expect(200, http.get("/v1/receipts/export", t.viewerKey())).raw();
        OfflineVerifier.Report report = OfflineVerifier.verify(export, checkpoint.text("/checkpoint"),
                checkpoint.text("/public_key"));
        assertThat(report.valid()).as("%s", report.lines()).isTrue();
        assertThat(report.lines()).contains("passkey approvals: 1, each signed over its approval id and payload digest");
    }

    @Test
    void aBearerKeyApprovalAboveTheThresholdIsRefusedAndReceipted() {
        Story.Tenant t = passkeyTenant("Passkey Required");
        register(t, new SoftAuthenticator());
        String approvalId = ask(t, "pk-required-1", 30_000).text("/approval_id");

        assertThat(expect(200, http.get("/v1/approvals/" + approvalId, t.viewerKey())).at("/passkey_required")
                .asBoolean()).isTrue();
        Http.Response refused = expect(403, http.post("/v1/approvals/" + approvalId + "/approve", t.approverKey(), null));

        assertThat(refused.errorCode()).isEqualTo("passkey_required");
        assertThat(refused.at("/error/details/passkey_required_above_minor").asLong()).isEqualTo(THRESHOLD);
        assertThat(status(t, approvalId)).isEqualTo("pending");
        assertThat(story.receiptPayloads(t, "approval.refused")).singleElement().satisfies(p -> {
            assertThat(p.get("code").asString()).isEqualTo("passkey_required");
            assertThat(p.get("approval_id").asString()).isEqualTo(approvalId);
        });
        assertThat(story.receiptKinds(t)).doesNotContain("approval.approved");
    }

    @Test
    void belowTheThresholdABearerKeyApprovalStillWorks() {
        Story.Tenant t = passkeyTenant("Passkey Below");

        String approvalId = ask(t, "pk-below-1", THRESHOLD).text("/approval_id");
        assertThat(expect(200, http.get("/v1/approvals?status=pending", t.approverKey())).at("/approvals/0/passkey_required")
                .asBoolean()).isFalse();

        Http.Response approved = expect(200, http.post("/v1/approvals/" + approvalId + "/approve", t.approverKey(), null));

        assertThat(approved.text("/execution/status")).isEqualTo("succeeded");
        assertThat(story.receiptPayloads(t, "approval.approved")).singleElement()
                .satisfies(p -> assertThat(p.has("passkey")).isFalse());
    }

    @Test
    void aChallengeOfOneApprovalIsRefusedOnAnother() {
        Story.Tenant t = passkeyTenant("Passkey Replay");
        SoftAuthenticator authenticator = new SoftAuthenticator();
        register(t, authenticator);
        String a = ask(t, "pk-replay-a", 30_000).text("/approval_id");
        String b = ask(t, "pk-replay-b", 30_000).text("/approval_id");
        Http.Response challengeA = challenge(t.approverKey(), a);
        Map<String, Object> signedForA = authenticator.assertion(challengeA.at("/public_key"));

        Http.Response onB = expect(403, approveWithPasskey(t.approverKey(), b, challengeA.text("/challenge_id"), signedForA));

        assertThat(onB.errorCode()).isEqualTo("passkey_invalid");
        assertThat(onB.raw()).contains("another approval");
        assertThat(status(t, b)).isEqualTo("pending");
        assertThat(story.receiptPayloads(t, "approval.refused")).singleElement().satisfies(p -> {
            assertThat(p.get("code").asString()).isEqualTo("passkey_invalid");
            assertThat(p.get("approval_id").asString()).isEqualTo(b);
        });
        // B's own challenge, answered with A's signature, fails the challenge check too
        Http.Response challengeB = challenge(t.approverKey(), b);
        assertThat(expect(403, approveWithPasskey(t.approverKey(), b, challengeB.text("/challenge_id"), signedForA))
                .errorCode()).isEqualTo("passkey_invalid");
        assertThat(status(t, b)).isEqualTo("pending");
    }

    @Test
    void aUsedChallengeIsRefused() {
        Story.Tenant t = passkeyTenant("Passkey Reuse");
        SoftAuthenticator authenticator = new SoftAuthenticator();
        register(t, authenticator);
        String approvalId = ask(t, "pk-reuse-1", 30_000).text("/approval_id");
        Http.Response challenge = challenge(t.approverKey(), approvalId);
        Map<String, Object> signed = authenticator.assertion(challenge.at("/public_key"));
        // a kill switch stops the run after the passkey was verified: the approval stays pending, the challenge is spent
        expect(201, http.post("/v1/kill-switch", t.approverKey(), Map.of("reason", "hold everything")));
        assertThat(expect(409, approveWithPasskey(t.approverKey(), approvalId, challenge.text("/challenge_id"), signed))
                .errorCode()).isEqualTo("kill_switch_engaged");
        expect(200, http.post("/v1/kill-switch/release", t.approverKey(), Map.of("reason", "go on")));

        Http.Response again = expect(403, approveWithPasskey(t.approverKey(), approvalId, challenge.text("/challenge_id"),
                signed));

        assertThat(again.errorCode()).isEqualTo("passkey_invalid");
        assertThat(again.raw()).contains("used already");
        assertThat(status(t, approvalId)).isEqualTo("pending");
        // a fresh challenge, freshly signed, approves
        Http.Response fresh = challenge(t.approverKey(), approvalId);
        assertThat(expect(200, approveWithPasskey(t.approverKey(), approvalId, fresh.text("/challenge_id"),
                authenticator.assertion(fresh.at("/public_key")))).text("/execution/status")).isEqualTo("succeeded");
    }

    @Test
    void aRevokedPasskeyIsRefused() {
        Story.Tenant t = passkeyTenant("Passkey Revoked");
        SoftAuthenticator authenticator = new SoftAuthenticator();
        String passkeyId = register(t, authenticator);
        String approvalId = ask(t, "pk-revoked-1", 30_000).text("/approval_id");
        Http.Response challenge = challenge(t.approverKey(), approvalId);
        expect(403, http.post("/v1/passkeys/" + passkeyId + "/revoke", t.viewerKey(), null));
        assertThat(expect(200, http.post("/v1/passkeys/" + passkeyId + "/revoke", t.approverKey(), null))
                .text("/status")).isEqualTo("revoked");

        Http.Response refused = expect(403, approveWithPasskey(t.approverKey(), approvalId,
                challenge.text("/challenge_id"), authenticator.assertion(challenge.at("/public_key"))));

        assertThat(refused.errorCode()).isEqualTo("passkey_invalid");
        assertThat(status(t, approvalId)).isEqualTo("pending");
        assertThat(expect(409, http.post("/v1/approvals/" + approvalId + "/passkey-challenge", t.approverKey(), null))
                .errorCode()).as("no active passkey is left to challenge").isEqualTo("conflict");
        assertThat(story.receiptKinds(t)).contains("passkey.revoked").doesNotContain("approval.approved");
    }

    @Test
    void aForgedOrUnverifiedAssertionIsRefused() {
        Story.Tenant t = passkeyTenant("Passkey Forged");
        SoftAuthenticator authenticator = new SoftAuthenticator();
        register(t, authenticator);
        String approvalId = ask(t, "pk-forged-1", 30_000).text("/approval_id");
        Http.Response challenge = challenge(t.approverKey(), approvalId);
        JsonNode options = challenge.at("/public_key");
        String challengeId = challenge.text("/challenge_id");

        Map<String, Object> otherKey = new SoftAuthenticator().assertion(options);
        otherKey.put("id", authenticator.credentialId());
        otherKey.put("rawId", authenticator.credentialId());
        Map<String, Object> foreignOrigin = authenticator.assertion("localhost", options.get("challenge").asString(),
                "https://evil.example", 0x05);
        Map<String, Object> presenceOnly = authenticator.assertion("localhost", options.get("challenge").asString(),
                SoftAuthenticator.ORIGIN, 0x01);

        Map<Map<String, Object>, String> why = new LinkedHashMap<>();
        why.put(otherKey, "signature");
        why.put(foreignOrigin, "origin");
        why.put(presenceOnly, "verif");
        why.forEach((bad, reason) -> {
            Http.Response refused = expect(403, approveWithPasskey(t.approverKey(), approvalId, challengeId, bad));
            assertThat(refused.errorCode()).isEqualTo("passkey_invalid");
            assertThat(refused.text("/error/message")).as("why %s was refused", reason).containsIgnoringCase(reason);
        });
        assertThat(status(t, approvalId)).isEqualTo("pending");
        assertNeverLogged(otherKey, foreignOrigin, presenceOnly);
        assertThat(story.receiptPayloads(t, "approval.refused")).hasSize(3)
                .allSatisfy(p -> assertThat(p.get("code").asString()).isEqualTo("passkey_invalid"));
    }

    @Test
    void anotherTenantsPasskeyCannotApprove() {
        Story.Tenant mine = passkeyTenant("Passkey Mine");
        Story.Tenant theirs = passkeyTenant("Passkey Theirs");
        SoftAuthenticator myKey = new SoftAuthenticator();
        register(mine, myKey);
        register(theirs, new SoftAuthenticator());
        String approvalId = ask(theirs, "pk-theirs-1", 30_000).text("/approval_id");
        Http.Response challenge = challenge(theirs.approverKey(), approvalId);
        JsonNode options = challenge.at("/public_key");

        Map<String, Object> signedByMine = myKey.assertion(options);

        assertThat(expect(403, approveWithPasskey(theirs.approverKey(), approvalId, challenge.text("/challenge_id"),
                signedByMine)).errorCode()).isEqualTo("passkey_invalid");
        assertThat(expect(404, approveWithPasskey(mine.approverKey(), approvalId, challenge.text("/challenge_id"),
                signedByMine)).errorCode()).as("another tenant's approval").isEqualTo("not_found");
        assertThat(status(theirs, approvalId)).isEqualTo("pending");
    }

    @Test
    void viewerAndRuntimeKeysCannotRegisterChallengeOrApprove() {
        Story.Tenant t = passkeyTenant("Passkey Roles");
        SoftAuthenticator authenticator = new SoftAuthenticator();
        register(t, authenticator);
        String approvalId = ask(t, "pk-roles-1", 30_000).text("/approval_id");
        Http.Response challenge = challenge(t.approverKey(), approvalId);
        Map<String, Object> signed = authenticator.assertion(challenge.at("/public_key"));

        for (String key : List.of(t.viewerKey(), t.runtimeKey())) {
            assertThat(expect(403, http.post("/v1/passkeys/registrations", key, null)).errorCode())
                    .isEqualTo("forbidden_role");
            assertThat(expect(403, http.post("/v1/approvals/" + approvalId + "/passkey-challenge", key, null))
                    .errorCode()).isEqualTo("forbidden_role");
            assertThat(expect(403, approveWithPasskey(key, approvalId, challenge.text("/challenge_id"), signed))
                    .errorCode()).isEqualTo("forbidden_role");
            assertThat(expect(403, http.put("/v1/approval-policy", key,
                    Map.of("passkey_required_above_minor", 1))).errorCode()).isEqualTo("forbidden_role");
        }
        assertThat(status(t, approvalId)).isEqualTo("pending");
        // the signature nobody could use is still good for the approver
        assertThat(expect(200, approveWithPasskey(t.approverKey(), approvalId, challenge.text("/challenge_id"), signed))
                .text("/decision")).isEqualTo("approved");
    }

    @Test
    void aTenantApproverMayOnlyTightenThePolicyAndTheOperatorSetsIt() {
        Story.Tenant t = story.tenant("Passkey Policy", Story.Setup.ready());
        assertThat(expect(200, http.get("/v1/approval-policy", t.viewerKey())).at("/passkey_required_above_minor")
                .isNull()).isTrue();

        assertThat(expect(200, http.put("/v1/approval-policy", t.approverKey(),
                Map.of("passkey_required_above_minor", 50_000))).at("/passkey_required_above_minor").asLong())
                .isEqualTo(50_000);
        assertThat(expect(403, http.put("/v1/approval-policy", t.approverKey(),
                Map.of("passkey_required_above_minor", 60_000))).errorCode()).isEqualTo("forbidden_role");
        Map<String, Object> off = new HashMap<>();
        off.put("passkey_required_above_minor", null);
        assertThat(expect(403, http.put("/v1/approval-policy", t.approverKey(), off)).errorCode())
                .isEqualTo("forbidden_role");
        expect(200, http.put("/v1/approval-policy", t.approverKey(), Map.of("passkey_required_above_minor", 20_000)));
        expect(403, http.put("/v1/tenants/" + t.id() + "/approval-policy", t.approverKey(), off));

        assertThat(expect(200, http.put("/v1/tenants/" + t.id() + "/approval-policy", Story.OP, off))
                .at("/passkey_required_above_minor").isNull()).isTrue();
        assertThat(expect(200, http.get("/v1/tenants/" + t.id() + "/approval-policy", Story.OP)).text("/updated_by"))
                .isEqualTo("operator");
        assertThat(story.receiptPayloads(t, "approval_policy.updated")).extracting(
                p -> p.get("passkey_required_above_minor").isNull() ? null : p.get("passkey_required_above_minor").asLong())
                .containsExactly(50_000L, 20_000L, null);
        assertThat(expect(400, http.put("/v1/tenants/" + t.id() + "/approval-policy", Story.OP,
                Map.of("passkey_required_above_minor", -1))).errorCode()).isEqualTo("invalid_input");
    }

    @Test
    void aStandingGrantAboveTheThresholdIsRefused() {
        Story.Tenant t = passkeyTenant("Passkey Standing");
        String expires = Instant.now().plus(1, ChronoUnit.DAYS).toString();

        Http.Response refused = expect(403, story.standingGrant(t, List.of("ads.create_campaign"), THRESHOLD + 1,
                expires, null));

        assertThat(refused.errorCode()).isEqualTo("passkey_required");
        assertThat(story.receiptKinds(t)).contains("approval.standing_grant_refused")
                .doesNotContain("approval.standing_grant_issued");
        expect(201, story.standingGrant(t, List.of("ads.create_campaign"), THRESHOLD, expires, null));
    }

    // ------------------------------------------------------------------ helpers

    /** A ready tenant whose operator requires a passkey above {@link #THRESHOLD}. */
    private Story.Tenant passkeyTenant(String name) {
        Story.Tenant t = story.tenant(name, Story.Setup.ready());
        expect(200, http.put("/v1/tenants/" + t.id() + "/approval-policy", Story.OP,
                Map.of("passkey_required_above_minor", THRESHOLD)));
        return t;
    }

    private String register(Story.Tenant t, SoftAuthenticator authenticator) {
        Http.Response begun = expect(201, http.post("/v1/passkeys/registrations", t.approverKey(), null));
        return expect(201, http.post("/v1/passkeys/registrations/" + begun.text("/registration_id") + "/complete",
                t.approverKey(), Map.of("credential", authenticator.register(begun.at("/public_key")))))
                .text("/passkey_id");
    }

    private Http.Response ask(Story.Tenant t, String idempotencyKey, long lifetimeMinor) {
        return expect(202, story.execute(t.runtimeKey(), "ads.create_campaign", idempotencyKey,
                Story.campaign("Boots " + idempotencyKey, lifetimeMinor)));
    }

    /** {@code POST /v1/approvals/{id}/passkey-challenge} with {@code key}, which must answer 201. */
    private Http.Response challenge(String key, String approvalId) {
        return expect(201, http.post("/v1/approvals/" + approvalId + "/passkey-challenge", key, null));
    }

    private Http.Response approveWithPasskey(String key, String approvalId, String challengeId,
            Map<String, Object> credential) {
        Map<String, Object> passkey = new LinkedHashMap<>();
        passkey.put("challenge_id", challengeId);
        passkey.put("credential", credential);
        return http.post("/v1/approvals/" + approvalId + "/approve", key, Map.of("passkey", passkey));
    }

    /** No log line holds an assertion's signature or client data (raw assertions are never logged). */
    @SafeVarargs
    private static void assertNeverLogged(Map<String, Object>... assertions) {
        for (Map<String, Object> a : assertions) {
            @SuppressWarnings("unchecked")
            Map<String, Object> response = (Map<String, Object>) a.get("response");
            assertThat(LogCapture.lines()).as("log lines").noneMatch(l -> l.contains((String) response.get("signature"))
                    || l.contains((String) response.get("clientDataJSON")));
        }
    }

    private String status(Story.Tenant t, String approvalId) {
        return expect(200, http.get("/v1/approvals/" + approvalId, t.viewerKey())).text("/status");
    }

    private static PasskeyEvidence evidenceOf(JsonNode receipt) {
        return PasskeyEvidence.fromMap(JsonParser.parseObject(Http.JSON.writeValueAsString(receipt.get("passkey"))));
    }
}
