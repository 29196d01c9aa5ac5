package dev.minutework.broker.server.killswitch;

import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.receipts.Receipts;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Engaging and releasing a kill switch, each in one transaction with its receipt in the chain of
 * every tenant it covers; an engagement, once committed, makes the campaigns in its scope due for
 * the broker's pause ({@link KillSwitchEngaged}).
 */
@Service
public class KillSwitchDecisions {

    private final KillSwitches switches;
    private final Receipts receipts;
    private final TransactionTemplate tx;
    private final ApplicationEventPublisher events;

    KillSwitchDecisions(KillSwitches switches, Receipts receipts, TransactionTemplate tx,
            ApplicationEventPublisher events) {
        this.switches = switches;
        this.receipts = receipts;
        this.tx = tx;
        this.events = events;
    }

    /**
     * Engages the tenant's own kill switch (its approver, or the operator, decides; no approval
     * needed: it only lowers spend).
     *
     * @return whether it was engaged now (false: one was engaged for the tenant already)
     */
    public boolean engageTenant(String tenantId, String actor, String reason) {
        return engage(tenantId, null, List.of(tenantId), actor, reason);
    }

    /** @return whether it was engaged now (false: one was engaged for the account already) */
    boolean engageAccount(String accountId, String actor, String reason) {
        return engage(null, accountId, switches.tenantsUsing(accountId), actor, reason);
    }

    private boolean engage(String tenantId, String accountId, List<String> covered, String actor, String reason) {
        Optional<KillSwitches.Switch> engaged = tx.execute(s -> {
            covered.forEach(receipts::lockChain);
            Optional<KillSwitches.Switch> row = switches.engage(tenantId, accountId, actor, reason);
            row.ifPresent(k -> covered.forEach(t -> receipts.record(t, "kill_switch.engaged", null, actor,
                    details(k, reason))));
            return row;
        });
        if (engaged.isEmpty()) {
            return false;
        }
        // the campaigns in scope are paused through their providers (execution.KillSwitchPauses)
        events.publishEvent(new KillSwitchEngaged(engaged.get().id(), covered));
        return true;
    }

    /**
     * Releases the tenant's own engaged switch (its approver decides; the operator cannot lift a
     * tenant's own stop), receipted; resumes nothing.
     *
     * @return the switch as released
     */
    public KillSwitches.Switch releaseTenant(String tenantId, String actor, String reason) {
        KillSwitches.Switch s = switches.engagedForTenant(tenantId).orElseThrow(() -> new ApiException(
                ErrorCode.CONFLICT, "no kill switch of this tenant is engaged"));
        release(s, List.of(tenantId), actor, reason);
        return switches.find(s.id()).orElseThrow();
    }

    /** Releases an engaged switch, receipted for each tenant it covered; resumes nothing. */
    void release(KillSwitches.Switch k, List<String> covered, String actor, String reason) {
        Boolean done = tx.execute(s -> {
            covered.forEach(receipts::lockChain);
            if (!switches.release(k.id(), actor, reason)) {
                return false;
            }
            covered.forEach(t -> receipts.record(t, "kill_switch.released", null, actor, details(k, reason)));
            return true;
        });
        if (!Boolean.TRUE.equals(done)) {
            throw new ApiException(ErrorCode.CONFLICT, "the kill switch was released already");
        }
    }

    private static Map<String, Object> details(KillSwitches.Switch k, String reason) {
        Map<String, Object> d = new HashMap<>();
        d.put("kill_switch_id", k.id());
        d.put("scope", k.scope());
        d.put("provider_account_id", k.providerAccountId());
        d.put("reason", reason);
        return d;
    }
}
