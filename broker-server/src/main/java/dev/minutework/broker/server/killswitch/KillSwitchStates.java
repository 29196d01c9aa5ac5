package dev.minutework.broker.server.killswitch;

import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Service;

/**
 * Where a tenant stands under the kill switch, as {@code GET /v1/kill-switch} and the console show
 * it: the engaged switches covering it (its own and those of provider accounts it uses) and its
 * campaigns in their scope, still to be paused or paused.
 */
@Service
public class KillSwitchStates {

    private final KillSwitches switches;

    KillSwitchStates(KillSwitches switches) {
        this.switches = switches;
    }

    /**
     * A tenant's state under the kill switch.
     *
     * @param engaged the engaged switches covering the tenant, oldest first; empty when none is
     */
    public record TenantState(String tenantId, List<KillSwitches.Switch> engaged, List<String> pendingPause,
            List<String> paused) {

        public boolean isEngaged() {
            return !engaged.isEmpty();
        }

        /** The tenant's own engaged switch (the one its approvers can release), or null. */
        public KillSwitches.Switch own() {
            return engaged.stream().filter(s -> tenantId.equals(s.tenantId())).findFirst().orElse(null);
        }
    }

    public TenantState tenant(String tenantId) {
        List<KillSwitches.Switch> engaged = switches.covering(tenantId);
        List<String> pending = new ArrayList<>();
        List<String> paused = new ArrayList<>();
        for (KillSwitches.Switch s : engaged) {
            KillSwitches.Campaigns c = switches.campaigns(tenantId, s);
            c.pendingPause().stream().filter(id -> !pending.contains(id)).forEach(pending::add);
            c.paused().stream().filter(id -> !paused.contains(id)).forEach(paused::add);
        }
        return new TenantState(tenantId, engaged, pending, paused);
    }
}
