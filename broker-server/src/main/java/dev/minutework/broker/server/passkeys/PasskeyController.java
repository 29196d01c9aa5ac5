package dev.minutework.broker.server.passkeys;

import dev.minutework.broker.core.approval.PasskeyEvidence;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.Body;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.api.Times;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.identity.Role;
import dev.minutework.broker.server.receipts.Receipts;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Passkeys of a tenant's approvers: registering (begin, complete), listing, revoking, and the
 * assertion challenge of one approval. Registering, revoking and challenges need an approver key;
 * any key of the tenant may list (public keys only: a passkey has no secret on the broker).
 */
@RestController
class PasskeyController {

    private final PasskeyRegistrations registrations;
    private final PasskeyAssertions assertions;
    private final Passkeys passkeys;
    private final Receipts receipts;
    private final TransactionTemplate tx;

    PasskeyController(PasskeyRegistrations registrations, PasskeyAssertions assertions, Passkeys passkeys,
            Receipts receipts, TransactionTemplate tx) {
        this.registrations = registrations;
        this.assertions = assertions;
        this.passkeys = passkeys;
        this.receipts = receipts;
        this.tx = tx;
    }

    @PostMapping("/v1/passkeys/registrations")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> begin(Caller caller, @RequestBody(required = false) Map<String, Object> json) {
        Caller.TenantKey key = caller.requireTenant(Role.APPROVER);
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

    @PostMapping("/v1/passkeys/registrations/{id}/complete")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> complete(Caller caller, @PathVariable String id, @RequestBody Map<String, Object> json) {
        Caller.TenantKey key = caller.requireTenant(Role.APPROVER);
        Body body = new Body(json);
        body.only(Set.of("credential"));
        Map<String, Object> credential = body.map("credential", true);
        body.validate();
        return view(registrations.complete(key, id, credential));
    }

    @GetMapping("/v1/passkeys")
    Map<String, Object> list(Caller caller) {
        Caller.TenantKey key = caller.requireTenant();
        return Map.of("passkeys", passkeys.list(key.tenantId()).stream().map(PasskeyController::view).toList());
    }

    @PostMapping("/v1/passkeys/{id}/revoke")
    Map<String, Object> revoke(Caller caller, @PathVariable String id) {
        Caller.TenantKey key = caller.requireTenant(Role.APPROVER);
        String tenant = key.tenantId();
        passkeys.find(tenant, id).orElseThrow(() -> ApiException.notFound("passkey"));
        Boolean done = tx.execute(s -> {
            receipts.lockChain(tenant);
            if (!passkeys.revoke(tenant, id, key.actor())) {
                return false;
            }
            receipts.record(tenant, "passkey.revoked", null, key.actor(), Map.of("passkey_id", id));
            return true;
        });
        if (!Boolean.TRUE.equals(done)) {
            throw new ApiException(ErrorCode.CONFLICT, "the passkey is revoked already");
        }
        return view(passkeys.find(tenant, id).orElseThrow());
    }

    @PostMapping("/v1/approvals/{id}/passkey-challenge")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> challenge(Caller caller, @PathVariable String id) {
        PasskeyAssertions.Issued issued = assertions.challenge(caller.requireTenant(Role.APPROVER), id);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("challenge_id", issued.challengeId());
        m.put("approval_id", issued.approvalId());
        m.put("payload_digest", issued.payloadDigest());
        m.put("public_key", issued.publicKey());
        m.put("expires_at", Times.rfc3339(issued.expiresAt()));
        return m;
    }

    private static Map<String, Object> view(Passkeys.Passkey p) {
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
