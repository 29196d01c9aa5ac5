package dev.minutework.broker.server.approvals;

import dev.minutework.broker.core.connector.ActionSpec;
import dev.minutework.broker.core.money.Money;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.Body;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.api.Times;
import dev.minutework.broker.server.connectors.ConnectorCatalog;
import dev.minutework.broker.server.grants.Grants;
import dev.minutework.broker.server.identity.ApiKeys;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.receipts.Receipts;
import dev.minutework.broker.server.tenants.ApprovalPolicies;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Issuing a standing grant ({@code POST /v1/approvals/standing-grants}, and the console's form):
 * the request read and checked field by field (mutating actions of the connector, a provider it
 * serves, a spend ceiling, an expiry at most 90 days away, an optional key it is limited to — never
 * the issuer's own), refused above the tenant's passkey threshold (receipted), else stored with its
 * receipt in one transaction.
 */
@Service
public class StandingGrantIssuer {

    static final Duration MAX_STANDING = Duration.ofDays(90);

    private final Grants approvals;
    private final ConnectorCatalog catalog;
    private final Receipts receipts;
    private final TransactionTemplate tx;
    private final ApiKeys apiKeys;
    private final Clock clock;
    private final ApprovalPolicies policies;

    StandingGrantIssuer(Grants approvals, ConnectorCatalog catalog, Receipts receipts, TransactionTemplate tx,
            ApiKeys apiKeys, Clock clock, ApprovalPolicies policies) {
        this.approvals = approvals;
        this.catalog = catalog;
        this.receipts = receipts;
        this.tx = tx;
        this.apiKeys = apiKeys;
        this.clock = clock;
        this.policies = policies;
    }

    /**
     * Issues a standing grant of {@code key}'s tenant from the request body's fields
     * ({@code connector}, {@code actions}, {@code provider}, {@code spend_ceiling}, {@code expires_at},
     * {@code limited_to_key_id}).
     *
     * @return the grant as stored
     * @throws ApiException {@code invalid_input} naming each bad field, or {@code passkey_required}
     */
    public Grants.Grant issue(Caller.TenantKey key, Map<String, Object> json) {
        Body body = new Body(json);
        body.only(Set.of("connector", "actions", "provider", "spend_ceiling", "expires_at", "limited_to_key_id"));
        String connectorId = body.string("connector", false, 100);
        var connector = catalog.connector(connectorId == null ? "mw.connector.ads" : connectorId);
        if (connector.isEmpty()) {
            body.error("connector", "unknown connector");
        }
        List<String> actions = body.strings("actions", true);
        if (actions != null && connector.isPresent()) {
            for (String a : actions) {
                ActionSpec spec = connector.get().action(a).orElse(null);
                if (spec == null || !spec.mutating() || spec.reserved()) {
                    body.error("actions", a + " is not a mutating action of " + connector.get().id());
                }
            }
        }
        String provider = body.oneOf("provider", true,
                connector.map(c -> Set.copyOf(c.providers())).orElse(Set.of()));
        Money ceiling = body.money("spend_ceiling", true);
        Instant expires = body.instant("expires_at", true);
        ApprovalPolicies.Policy policy = policies.find(key.tenantId());
        Instant now = clock.instant();
        if (expires != null && (!expires.isAfter(now) || expires.isAfter(now.plus(MAX_STANDING)))) {
            body.error("expires_at", "must be in the future and at most 90 days away");
        }
        String limitedTo = body.string("limited_to_key_id", false, 64);
        if (limitedTo != null) {
            if (limitedTo.equals(key.keyId())) {
                body.error("limited_to_key_id", "a grant cannot be limited to its issuer: nobody approves their own requests");
            } else if (!apiKeys.active(key.tenantId(), limitedTo)) {
                body.error("limited_to_key_id", "no such key in this tenant");
            }
        }
        body.validate();
        if (policy.passkeyRequiredFor(ceiling.amountMinor())) {
            // a standing grant runs work with no approval of its own: above the passkey threshold
            // every spend needs a passkey-signed one-shot approval, so no such grant is issued
            tx.executeWithoutResult(s -> {
                receipts.lockChain(key.tenantId());
                receipts.record(key.tenantId(), "approval.standing_grant_refused", null, key.actor(), Map.of(
                        "code", ErrorCode.PASSKEY_REQUIRED.wire(), "spend_ceiling_minor", ceiling.amountMinor(),
                        "passkey_required_above_minor", policy.passkeyRequiredAboveMinor()));
            });
            throw new ApiException(ErrorCode.PASSKEY_REQUIRED, "the spend ceiling (" + ceiling.amountMinor()
                    + ") is above the tenant's passkey threshold (" + policy.passkeyRequiredAboveMinor()
                    + "): spend above it needs a passkey-signed one-shot approval, never a standing grant",
                    Map.of("spend_ceiling_minor", ceiling.amountMinor(),
                            "passkey_required_above_minor", policy.passkeyRequiredAboveMinor()));
        }
        String id = tx.execute(s -> {
            receipts.lockChain(key.tenantId());
            String created = approvals.createStanding(key.tenantId(), actions, provider, ceiling, expires, limitedTo,
                    key.keyId());
            Map<String, Object> d = new HashMap<>();
            d.put("grant_id", created);
            d.put("actions", actions);
            d.put("provider", provider);
            d.put("spend_ceiling_minor", ceiling.amountMinor());
            d.put("currency", ceiling.currency());
            d.put("expires_at", Times.rfc3339(expires));
            d.put("limited_to_key_id", limitedTo);
            receipts.record(key.tenantId(), "approval.standing_grant_issued", null, key.actor(), d);
            return created;
        });
        return approvals.find(key.tenantId(), id).orElseThrow();
    }
}
