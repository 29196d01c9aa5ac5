package dev.minutework.broker.server.passkeys;

import dev.minutework.broker.core.approval.PasskeyEvidence;
import dev.minutework.broker.server.api.Body;
import dev.minutework.broker.server.api.Times;
import dev.minutework.broker.server.identity.Caller;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * The passkey ceremonies as both front doors take them — {@code /v1/passkeys/…} and
 * {@code /v1/approvals/{id}/passkey-challenge} with a Bearer key, the console's JSON calls with a
 * session — so the two read the same bodies and answer the same JSON. Callers check the role.
 */
@Component
public class PasskeyEndpoints {

    private final PasskeyRegistrations registrations;
    private final PasskeyAssertions assertions;

    PasskeyEndpoints(PasskeyRegistrations registrations, PasskeyAssertions assertions) {
        this.registrations = registrations;
        this.assertions = assertions;
    }

    /** Begins a registration; body {@code {"label"?}}. */
    public Map<String, Object> begin(Caller.TenantKey approver, Map<String, Object> json) {
        Body body = new Body(json);
        body.only(Set.of("label"));
        String label = body.string("label", false, 200);
        body.validate();
        PasskeyRegistrations.Begun begun = registrations.begin(approver, label);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("registration_id", begun.registrationId());
        m.put("public_key", begun.publicKey());
        m.put("expires_at", Times.rfc3339(begun.expiresAt()));
        return m;
    }

    /** Completes a registration; body {@code {"credential"}} as the browser's {@code toJSON()} makes it. */
    public Map<String, Object> complete(Caller.TenantKey approver, String registrationId, Map<String, Object> json) {
        Body body = new Body(json);
        body.only(Set.of("credential"));
        Map<String, Object> credential = body.map("credential", true);
        body.validate();
        return view(registrations.complete(approver, registrationId, credential));
    }

    /** A new assertion challenge bound to one approval. */
    public Map<String, Object> challenge(Caller.TenantKey approver, String approvalId) {
        PasskeyAssertions.Issued issued = assertions.challenge(approver, approvalId);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("challenge_id", issued.challengeId());
        m.put("approval_id", issued.approvalId());
        m.put("payload_digest", issued.payloadDigest());
        m.put("public_key", issued.publicKey());
        m.put("expires_at", Times.rfc3339(issued.expiresAt()));
        return m;
    }

    /** A passkey as the API shows it: public data only. */
    static Map<String, Object> view(Passkeys.Passkey p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("passkey_id", p.id());
        m.put("label", p.label());
        m.put("status", p.active() ? "active" : "revoked");
        m.put("credential_id", p.credentialId());
        m.put("public_key_cose", PasskeyEvidence.base64url(p.publicKeyCose()));
        m.put("registered_by_key_id", p.registeredByKeyId());
        m.put("sign_count", p.signCount());
        m.put("created_at", Times.rfc3339(p.createdAt()));
        m.put("last_used_at", p.lastUsedAt() == null ? null : Times.rfc3339(p.lastUsedAt()));
        m.put("revoked_at", p.revokedAt() == null ? null : Times.rfc3339(p.revokedAt()));
        m.put("revoked_by", p.revokedBy());
        return m;
    }
}
