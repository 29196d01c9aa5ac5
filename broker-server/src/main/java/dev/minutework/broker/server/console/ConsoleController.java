package dev.minutework.broker.server.console;

import dev.minutework.broker.core.receipt.AuditLog;
import dev.minutework.broker.server.ads.Projections;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.execution.ExecutionViews;
import dev.minutework.broker.server.execution.Executions;
import dev.minutework.broker.server.gaps.CapabilityGaps;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.passkeys.Passkeys;
import dev.minutework.broker.server.receipts.AuditEntries;
import dev.minutework.broker.server.receipts.AuditVerifier;
import dev.minutework.broker.server.receipts.Receipts;
import dev.minutework.broker.server.spend.SpendAuthorizations;
import dev.minutework.broker.server.spend.Wallets;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The console's pages that show (the inbox, which decides, is {@link ConsoleInboxController}; the
 * kill switch {@link ConsoleKillSwitchController}). Each calls what the REST endpoint of the same
 * data calls, with the session's {@link Caller} and the same role check ({@code requireTenant},
 * {@code requireOperator}), so the console shows exactly what the key it was opened with can read
 * through the API, and a refusal carries the API's error code.
 */
@Controller
public class ConsoleController {

    private static final int RECEIPTS_PAGE = 25;

    private final Executions executions;
    private final Projections projections;
    private final Wallets wallets;
    private final SpendAuthorizations authorizations;
    private final Receipts receipts;
    private final AuditVerifier verifier;
    private final AuditEntries entries;
    private final CapabilityGaps gaps;
    private final ConsoleReads reads;
    private final Passkeys passkeys;

    ConsoleController(Executions executions, Projections projections, Wallets wallets,
            SpendAuthorizations authorizations, Receipts receipts, AuditVerifier verifier, AuditEntries entries,
            CapabilityGaps gaps, ConsoleReads reads, Passkeys passkeys) {
        this.executions = executions;
        this.projections = projections;
        this.wallets = wallets;
        this.authorizations = authorizations;
        this.receipts = receipts;
        this.verifier = verifier;
        this.entries = entries;
        this.gaps = gaps;
        this.reads = reads;
        this.passkeys = passkeys;
    }

    @GetMapping({"/console", "/console/"})
    String home(ConsoleSessions.Session session) {
        return session.operator() ? "redirect:/console/tenants" : "redirect:/console/inbox";
    }

    @GetMapping("/console/executions")
    String executionList(ConsoleSessions.Session session, Model model) {
        Caller.TenantKey key = session.caller().requireTenant();
        model.addAttribute("executions", reads.executions(key.tenantId(), 100));
        model.addAttribute("keys", reads.keys(key.tenantId()));
        model.addAttribute("page", "executions");
        return "console/executions";
    }

    @GetMapping("/console/executions/{id}")
    String execution(ConsoleSessions.Session session, @PathVariable String id,
            @RequestParam(name = "decided", required = false) String decided, Model model) {
        Caller.TenantKey key = session.caller().requireTenant();
        Executions.Execution row = executions.find(key.tenantId(), id).orElseThrow(() -> ApiException.notFound("execution"));
        ConsoleReads.KeyName who = reads.keys(key.tenantId()).get(row.requestedByKeyId());
        model.addAttribute("execution", ExecutionViews.view(row)); // as GET /v1/executions/{id} shows it
        model.addAttribute("row", row);
        model.addAttribute("askedBy", who == null ? row.requestedByKeyId() : who.describe());
        model.addAttribute("decided", "approved".equals(decided) || "denied".equals(decided) ? decided : null);
        model.addAttribute("receiptKinds", receipts.kindsOfExecution(key.tenantId(), id));
        model.addAttribute("page", "executions");
        return "console/execution";
    }

    @GetMapping("/console/campaigns")
    String campaigns(ConsoleSessions.Session session, Model model) {
        Caller.TenantKey key = session.caller().requireTenant();
        model.addAttribute("campaigns", projections.campaigns(key.tenantId()));
        model.addAttribute("held", reads.heldByCampaign(key.tenantId()));
        model.addAttribute("page", "campaigns");
        return "console/campaigns";
    }

    @GetMapping("/console/wallet")
    String wallet(ConsoleSessions.Session session, Model model) {
        Caller.TenantKey key = session.caller().requireTenant();
        model.addAttribute("wallet", wallets.get(key.tenantId()));
        model.addAttribute("settled", wallets.settledMinor(key.tenantId()));
        model.addAttribute("authorizations", authorizations.all(key.tenantId()));
        model.addAttribute("page", "wallet");
        return "console/wallet";
    }

    @GetMapping("/console/receipts")
    String receiptPage(ConsoleSessions.Session session,
            @RequestParam(name = "after_seq", defaultValue = "0") long afterSeq, Model model) {
        Caller.TenantKey key = session.caller().requireTenant();
        if (afterSeq < 0) {
            throw new ApiException(ErrorCode.INVALID_INPUT, "after_seq must be ≥ 0");
        }
        List<Map<String, Object>> rows = entries.page(AuditLog.Chain.RECEIPTS, key.tenantId(), afterSeq, RECEIPTS_PAGE);
        model.addAttribute("verification", verifier.verifyTenant(key.tenantId())); // GET /v1/receipts/verify
        model.addAttribute("receipts", rows);
        model.addAttribute("afterSeq", afterSeq);
        model.addAttribute("nextAfterSeq", rows.size() == RECEIPTS_PAGE ? rows.getLast().get("seq") : null);
        model.addAttribute("page", "receipts");
        return "console/receipts";
    }

    @GetMapping("/console/gaps")
    String gapPage(ConsoleSessions.Session session, Model model) {
        if (session.operator()) {
            model.addAttribute("summary", gaps.summary()); // GET /v1/capability-gaps (operator)
        } else {
            model.addAttribute("gaps", gaps.forTenant(session.caller().requireTenant().tenantId()));
        }
        model.addAttribute("page", "gaps");
        return "console/gaps";
    }

    @GetMapping("/console/tenants")
    String tenants(ConsoleSessions.Session session, Model model) {
        session.caller().requireOperator();
        model.addAttribute("tenants", reads.tenants());
        model.addAttribute("page", "tenants");
        return "console/tenants";
    }

    @GetMapping("/console/passkeys")
    String passkeys(ConsoleSessions.Session session, Model model) {
        Caller.TenantKey key = session.caller().requireTenant();
        model.addAttribute("passkeys", passkeys.list(key.tenantId())); // GET /v1/passkeys
        model.addAttribute("page", "passkeys");
        return "console/passkeys";
    }
}
