package dev.minutework.broker.server.execution;

import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import dev.minutework.broker.server.jobs.DurableJobs;
import dev.minutework.broker.server.killswitch.KillSwitchEngaged;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * While a kill switch is engaged, every active campaign in its scope is paused through its
 * provider, without approval (a pause lowers spend), its reservations released as a pause releases
 * them, each pause receipted with the switch's id ({@link BrokerPauses#pauseForKillSwitch}). The
 * durable job {@value #JOB} runs at once after an engagement and then every
 * {@code broker.kill-switch.interval}: a pause the provider failed (the provider down, rate
 * limiting) leaves the campaign active, so the next run tries it again until it is paused; one of
 * unknown outcome keeps the campaign claimed until reconciliation settles it. A due run is picked by
 * one broker process only ({@link DurableJobs}).
 */
@Configuration(proxyBeanMethods = false)
public class KillSwitchPauses {

    static final String JOB = "kill-switch-pauses";
    private static final Logger log = LoggerFactory.getLogger(KillSwitchPauses.class);
    private static final int BATCH = 50;
    /** Active, unclaimed campaigns an engaged switch covers: the tenant's own, or its connection's provider account's. */
    private static final String DUE = """
            select distinct on (c.tenant_id, c.id) c.tenant_id, c.id as campaign_id, k.id as kill_switch_id
            from ads_campaigns c
            join kill_switches k on k.status = 'engaged'
             and (k.tenant_id = c.tenant_id
                  or exists (select 1 from broker_connections bc
                             where bc.tenant_id = c.tenant_id and bc.provider = c.provider
                               and bc.provider_account_id = k.provider_account_id and bc.status <> 'revoked'))
            where c.status = 'active' and c.busy_execution_id is null
            order by c.tenant_id, c.id, k.engaged_at
            limit :limit
            """;

    private final JdbcClient jdbc;
    private final BrokerPauses pauses;
    private final ObjectProvider<DurableJobs> jobs;

    KillSwitchPauses(JdbcClient jdbc, BrokerPauses pauses, ObjectProvider<DurableJobs> jobs) {
        this.jdbc = jdbc;
        this.pauses = pauses;
        this.jobs = jobs;
    }

    @Bean
    RecurringTask<Void> killSwitchPausesJob(@Value("${broker.kill-switch.interval:PT30S}") Duration interval) {
        return Tasks.recurring(JOB, FixedDelay.of(interval)).execute((instance, context) -> {
            Map<String, Integer> outcome = runOnce();
            if (!outcome.isEmpty()) {
                log.info("kill switch pauses: {}", outcome);
            }
        });
    }

    @EventListener
    void engaged(KillSwitchEngaged event) {
        jobs.ifAvailable(j -> j.runSoon(JOB));
    }

    private record Due(String tenantId, String campaignId, String killSwitchId) {}

    /** One pass: pauses what is due; returns how many pauses ended in each status. */
    public Map<String, Integer> runOnce() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        List<Due> due = jdbc.sql(DUE).param("limit", BATCH)
                .query((rs, n) -> new Due(rs.getString(1), rs.getString(2), rs.getString(3))).list();
        for (Due d : due) {
            try {
                counts.merge(pauses.pauseForKillSwitch(d.tenantId(), d.campaignId(), d.killSwitchId()), 1,
                        Integer::sum);
            } catch (RuntimeException ex) {
                // one campaign's trouble must not stop the others; it is due again on the next run
                log.warn("pausing campaign {} of tenant {} under kill switch {} failed: {}", d.campaignId(),
                        d.tenantId(), d.killSwitchId(), ex.getClass().getName());
                counts.merge("error", 1, Integer::sum);
            }
        }
        return counts;
    }
}
