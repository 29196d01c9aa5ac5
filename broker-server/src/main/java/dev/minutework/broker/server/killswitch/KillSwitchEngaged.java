package dev.minutework.broker.server.killswitch;

import java.util.List;

/** Published once a kill switch's engagement has committed: the campaigns of {@code tenantIds} in its scope are due for pausing. */
public record KillSwitchEngaged(String killSwitchId, List<String> tenantIds) {

    public KillSwitchEngaged {
        tenantIds = List.copyOf(tenantIds);
    }
}
