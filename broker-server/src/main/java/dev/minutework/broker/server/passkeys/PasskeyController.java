package dev.minutework.broker.server.passkeys;

import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.identity.Role;
import dev.minutework.broker.server.receipts.Receipts;
import java.util.Map;
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

    private final PasskeyEndpoints endpoints;
    private final Passkeys passkeys;
    private final Receipts receipts;
    private final TransactionTemplate tx;

    PasskeyController(PasskeyEndpoints endpoints, Passkeys passkeys, Receipts receipts, TransactionTemplate tx) {
        this.endpoints = endpoints;
        this.passkeys = passkeys;
        this.receipts = receipts;
        this.tx = tx;
    }

    @PostMapping("/v1/passkeys/registrations")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> begin(Caller caller, @RequestBody(required = false) Map<String, Object> json) {
        return endpoints.begin(caller.requireTenant(Role.APPROVER), json);
    }

    @PostMapping("/v1/passkeys/registrations/{id}/complete")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> complete(Caller caller, @PathVariable String id, @RequestBody Map<String, Object> json) {
        return endpoints.complete(caller.requireTenant(Role.APPROVER), id, json);
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
        return endpoints.challenge(caller.requireTenant(Role.APPROVER), id);
    }

    private static Map<String, Object> view(Passkeys.Passkey p) {
        return PasskeyEndpoints.view(p);
    }
}
