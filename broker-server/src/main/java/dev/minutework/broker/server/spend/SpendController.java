package dev.minutework.broker.server.spend;

import dev.minutework.broker.server.api.Times;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.Body;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.identity.Role;
import dev.minutework.broker.server.receipts.Receipts;
import dev.minutework.broker.server.tenants.Tenants;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Spend authorizations and wallet credits (operator); wallet and metered debits (tenant). */
@RestController
class SpendController {

    private static final Set<String> PROVIDERS = Set.of("openaiads", "googleads", "metaads", "tiktokads");

    private final SpendAuthorizations authorizations;
    private final Wallets wallets;
    private final Tenants tenants;
    private final Receipts receipts;
    private final TransactionTemplate tx;
    private final Clock clock;

    private final ApplicationEventPublisher events;

    SpendController(SpendAuthorizations authorizations, Wallets wallets, Tenants tenants, Receipts receipts,
            TransactionTemplate tx, Clock clock, ApplicationEventPublisher events) {
        this.events = events;
        this.authorizations = authorizations;
        this.wallets = wallets;
        this.tenants = tenants;
        this.receipts = receipts;
        this.tx = tx;
        this.clock = clock;
    }

    @PostMapping("/v1/tenants/{tenantId}/spend-authorizations")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> authorize(Caller caller, @PathVariable String tenantId, @RequestBody Map<String, Object> json) {
        caller.requireOperator();
        tenants.require(tenantId);
        Body body = new Body(json);
        body.only(Set.of("provider", "currency", "cap_minor", "daily_cap_minor", "valid_from", "valid_until", "approved_by"));
        String provider = body.oneOf("provider", false, PROVIDERS);
        String currency = body.currency("currency", true);
        Long cap = body.amountMinor("cap_minor", true);
        Long daily = body.amountMinor("daily_cap_minor", false);
        Instant from = body.instant("valid_from", false);
        Instant until = body.instant("valid_until", false);
        String approvedBy = body.string("approved_by", true, 200);
        if (cap != null && daily != null && daily > cap) {
            body.error("daily_cap_minor", "cannot exceed cap_minor");
        }
        if (until != null && from != null && !until.isAfter(from)) {
            body.error("valid_until", "must be after valid_from");
        }
        Instant now = clock.instant();
        if (until != null && (from == null || until.isAfter(from)) && !until.isAfter(now)) {
            body.error("valid_until", "must be in the future: an authorization that has expired authorizes nothing");
        }
        body.validate();
        SpendAuthorizations.Authorization a = tx.execute(s -> {
            // valid from now unless told otherwise: the very instant valid_until was checked against
            SpendAuthorizations.Authorization created = authorizations.create(tenantId, provider, currency, cap, daily,
                    from == null ? now : from, until, approvedBy);
            Map<String, Object> d = new HashMap<>();
            d.put("authorization_id", created.id());
            d.put("provider", provider);
            d.put("currency", currency);
            d.put("cap_minor", cap);
            d.put("daily_cap_minor", daily);
            d.put("valid_until", Times.rfc3339(until));
            d.put("approved_by", approvedBy);
            receipts.record(tenantId, "spend_authorization.created", null, caller.actor(), d);
            return created;
        });
        return view(a);
    }

    @GetMapping("/v1/tenants/{tenantId}/spend-authorizations")
    Map<String, Object> listAuthorizations(Caller caller, @PathVariable String tenantId) {
        caller.requireOperator();
        tenants.require(tenantId);
        return Map.of("spend_authorizations", authorizations.all(tenantId).stream().map(SpendController::view).toList());
    }

    @PostMapping("/v1/tenants/{tenantId}/spend-authorizations/{id}/revoke")
    Map<String, Object> revoke(Caller caller, @PathVariable String tenantId, @PathVariable String id) {
        caller.requireOperator();
        authorizations.find(tenantId, id).orElseThrow(() -> ApiException.notFound("spend authorization"));
        Boolean done = tx.execute(s -> {
            receipts.lockChain(tenantId);
            if (!authorizations.revoke(tenantId, id)) {
                return false;
            }
            receipts.record(tenantId, "spend_authorization.revoked", null, caller.actor(), Map.of("authorization_id", id));
            return true;
        });
        if (!Boolean.TRUE.equals(done)) {
            throw new ApiException(ErrorCode.CONFLICT, "spend authorization is already revoked");
        }
        // campaigns whose money it backed are paused through their providers (AuthorizationEndings)
        events.publishEvent(new AuthorizationRevoked(tenantId, id));
        return view(authorizations.find(tenantId, id).orElseThrow());
    }

    @PostMapping("/v1/tenants/{tenantId}/wallet/credits")
    ResponseEntity<Map<String, Object>> credit(Caller caller, @PathVariable String tenantId,
            @RequestBody Map<String, Object> json) {
        caller.requireOperator();
        tenants.require(tenantId);
        Body body = new Body(json);
        body.only(Set.of("amount_minor", "reference"));
        Long amount = body.amountMinor("amount_minor", true);
        String reference = body.string("reference", true, 200);
        body.validate();
        Wallets.Entry entry = tx.execute(s -> {
            receipts.lockChain(tenantId);
            Wallets.Entry e = wallets.credit(tenantId, amount, reference);
            if (!e.replayed()) {
                receipts.record(tenantId, "wallet.credited", null, caller.actor(),
                        Map.of("entry_id", e.id(), "amount_minor", amount, "reference", reference));
            }
            return e;
        });
        return ResponseEntity.status(entry.replayed() ? HttpStatus.OK : HttpStatus.CREATED)
                .body(entryView(entry, wallets.get(tenantId)));
    }

    @GetMapping("/v1/wallet")
    Map<String, Object> wallet(Caller caller) {
        String tenant = caller.requireTenant().tenantId();
        Map<String, Object> view = walletView(wallets.get(tenant));
        // what reported spend has taken from the balance so far (reserved → debited)
        view.put("settled_minor", wallets.settledMinor(tenant));
        return view;
    }

    @PostMapping("/v1/wallet/debits")
    ResponseEntity<Map<String, Object>> debit(Caller caller, @RequestBody Map<String, Object> json) {
        Caller.TenantKey key = caller.requireTenant(Role.RUNTIME);
        Body body = new Body(json);
        body.only(Set.of("amount_minor", "reference", "description"));
        Long amount = body.amountMinor("amount_minor", true);
        String reference = body.string("reference", true, 200);
        String description = body.string("description", false, 500);
        body.validate();
        Wallets.Entry entry = tx.execute(s -> {
            // the receipt chain first, as every money-moving transaction does (Receipts.lockChain):
            // taking the wallet row before it deadlocks against a concurrent reservation
            receipts.lockChain(key.tenantId());
            Wallets.Entry e = wallets.debit(key.tenantId(), amount, reference);
            if (!e.replayed()) {
                Map<String, Object> d = new HashMap<>();
                d.put("entry_id", e.id());
                d.put("amount_minor", amount);
                d.put("reference", reference);
                d.put("description", description); // what the metered work was, kept in the audit chain
                receipts.record(key.tenantId(), "wallet.debited", null, key.actor(), d);
            }
            return e;
        });
        return ResponseEntity.status(entry.replayed() ? HttpStatus.OK : HttpStatus.CREATED)
                .body(entryView(entry, wallets.get(key.tenantId())));
    }

    static Map<String, Object> walletView(Wallets.Wallet w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tenant_id", w.tenantId());
        m.put("currency", w.currency());
        m.put("balance_minor", w.balanceMinor());
        m.put("reserved_minor", w.reservedMinor());
        m.put("available_minor", w.availableMinor());
        return m;
    }

    private static Map<String, Object> entryView(Wallets.Entry e, Wallets.Wallet w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("entry_id", e.id());
        m.put("kind", e.kind());
        m.put("amount_minor", e.amountMinor());
        m.put("reference", e.reference());
        m.put("replayed", e.replayed());
        m.put("wallet", walletView(w));
        return m;
    }

    static Map<String, Object> view(SpendAuthorizations.Authorization a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("authorization_id", a.id());
        m.put("tenant_id", a.tenantId());
        m.put("provider", a.provider());
        m.put("currency", a.currency());
        m.put("cap_minor", a.capMinor());
        m.put("daily_cap_minor", a.dailyCapMinor());
        m.put("reserved_minor", a.reservedMinor());
        m.put("settled_minor", a.settledMinor());
        m.put("remaining_minor", a.remainingMinor());
        m.put("valid_from", Times.rfc3339(a.validFrom()));
        m.put("valid_until", Times.rfc3339(a.validUntil()));
        m.put("approved_by", a.approvedBy());
        m.put("status", a.status());
        return m;
    }
}
