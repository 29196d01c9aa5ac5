package dev.minutework.broker.server.console;

import dev.minutework.broker.server.approvals.ApprovalDecisions;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.identity.Role;
import dev.minutework.broker.server.passkeys.PasskeyEndpoints;
import java.util.Map;
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

    private final PasskeyEndpoints endpoints;
    private final ApprovalDecisions decisions;

    ConsolePasskeyController(PasskeyEndpoints endpoints, ApprovalDecisions decisions) {
        this.endpoints = endpoints;
        this.decisions = decisions;
    }

    /** As {@code POST /v1/passkeys/registrations}. */
    @PostMapping("/console/passkeys/registrations")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> begin(ConsoleSessions.Session session, @RequestBody(required = false) Map<String, Object> json) {
        return endpoints.begin(session.caller().requireTenant(Role.APPROVER), json);
    }

    /** As {@code POST /v1/passkeys/registrations/{id}/complete}. */
    @PostMapping("/console/passkeys/registrations/{id}/complete")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> complete(ConsoleSessions.Session session, @PathVariable String id,
            @RequestBody Map<String, Object> json) {
        return endpoints.complete(session.caller().requireTenant(Role.APPROVER), id, json);
    }

    /** As {@code POST /v1/approvals/{id}/passkey-challenge}. */
    @PostMapping("/console/approvals/{id}/passkey-challenge")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> challenge(ConsoleSessions.Session session, @PathVariable String id) {
        return endpoints.challenge(session.caller().requireTenant(Role.APPROVER), id);
    }

    /** As {@code POST /v1/approvals/{id}/approve} with a {@code passkey} member (here required). */
    @PostMapping("/console/approvals/{id}/approve-with-passkey")
    Map<String, Object> approve(ConsoleSessions.Session session, @PathVariable String id,
            @RequestBody Map<String, Object> json) {
        Caller.TenantKey key = session.caller().requireTenant(Role.APPROVER);
        return decisions.approve(key, id, ApprovalDecisions.PasskeyAssertion.of(json, true));
    }
}
