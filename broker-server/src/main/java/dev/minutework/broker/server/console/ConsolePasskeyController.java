package dev.minutework.broker.server.console;

import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.Body;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.api.Times;
import dev.minutework.broker.server.approvals.ApprovalDecisions;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.identity.Role;
import dev.minutework.broker.server.passkeys.PasskeyAssertions;
import dev.minutework.broker.server.passkeys.PasskeyRegistrations;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * The console's passkey calls, made by {@code passkeys.js} with the session cookie and the
 * {@code X-CSRF-Token} header instead of a Bearer key: register a passkey, get an approval's
 * assertion challenge, approve with the assertion. Each calls what the {@code /v1} endpoint of the
 * same name calls, with the session's {@link Caller} and the same role check (an approver key), and
 * answers the same JSON, errors included ({@code {"error":{…}}}, see {@link ConsoleJsonErrors}).
 */
@RestController
class ConsolePasskeyController {

    private final PasskeyRegistrations registrations;
    private final PasskeyAssertions assertions;
    private final ApprovalDecisions decisions;

    ConsolePasskeyController(PasskeyRegistrations registrations, PasskeyAssertions assertions,
            ApprovalDecisions decisions) {
        this.registrations = registrations;
        this.assertions = assertions;
        this.decisions = decisions;
    }

    /** As {@code POST /v1/passkeys/registrations}. */
    @PostMapping("/console/passkeys/registrations")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> begin(ConsoleSessions.Session session, @RequestBody(required = false) Map<String, Object> json) {
        Caller.TenantKey key = session.caller().requireTenant(Role.APPROVER);
        Body body = new Body(json);
        body.only(Set.of("label"));
        String label = body.string("label", false, 200);
        body.validate();
        PasskeyRegistrations.Begun begun = registrations.begin(key, label);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("registration_id", begun.registrationId());
        m.put("public_key", begun.publicKey());
        m.put("expires_at", Times.rfc3339(begun.expiresAt()));
        return m;
    }

    /** As {@code POST /v1/passkeys/registrations/{id}/complete}. */
    @PostMapping("/console/passkeys/registrations/{id}/complete")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> complete(ConsoleSessions.Session session, @PathVariable String id,
            @RequestBody Map<String, Object> json) {
        Caller.TenantKey key = session.caller().requireTenant(Role.APPROVER);
        Body body = new Body(json);
        body.only(Set.of("credential"));
        Map<String, Object> credential = body.map("credential", true);
        body.validate();
        var passkey = registrations.complete(key, id, credential);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("passkey_id", passkey.id());
        m.put("label", passkey.label());
        m.put("created_at", Times.rfc3339(passkey.createdAt()));
        return m;
    }

    /** As {@code POST /v1/approvals/{id}/passkey-challenge}. */
    @PostMapping("/console/approvals/{id}/passkey-challenge")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> challenge(ConsoleSessions.Session session, @PathVariable String id) {
        PasskeyAssertions.Issued issued = assertions.challenge(session.caller().requireTenant(Role.APPROVER), id);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("challenge_id", issued.challengeId());
        m.put("approval_id", issued.approvalId());
        m.put("payload_digest", issued.payloadDigest());
        m.put("public_key", issued.publicKey());
        m.put("expires_at", Times.rfc3339(issued.expiresAt()));
        return m;
    }

    /** As {@code POST /v1/approvals/{id}/approve} with a {@code passkey} member. */
    @PostMapping("/console/approvals/{id}/approve-with-passkey")
    Map<String, Object> approve(ConsoleSessions.Session session, @PathVariable String id,
            @RequestBody Map<String, Object> json) {
        Caller.TenantKey key = session.caller().requireTenant(Role.APPROVER);
        Body body = new Body(json);
        body.only(Set.of("passkey"));
        Body passkey = body.object("passkey", true);
        ApprovalDecisions.PasskeyAssertion assertion = null;
        if (passkey != null) {
            passkey.only(Set.of("challenge_id", "credential"));
            String challengeId = passkey.string("challenge_id", true, 64);
            Map<String, Object> credential = passkey.map("credential", true);
            assertion = new ApprovalDecisions.PasskeyAssertion(challengeId, credential);
        }
        body.validate();
        if (assertion == null) {
            throw new ApiException(ErrorCode.INVALID_INPUT, "passkey is required");
        }
        return decisions.approve(key, id, assertion);
    }
}
