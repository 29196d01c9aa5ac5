package dev.minutework.broker.server.execution;

import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import dev.minutework.broker.server.ads.CampaignActivatedAtProvider;
import dev.minutework.broker.server.jobs.DurableJobs;
import dev.minutework.broker.server.spend.AuthorizationRevoked;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
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
 * A campaign never runs past its authorization (invariant 1): the durable job
 * {@value #JOB} pauses, through the provider and with receipts, every active campaign whose money
 * is held under an authorization that has expired or been revoked. Providers that can are also
 * told the authorization's end as the campaign's end time when it is created or raised; this job
 * covers the rest (TikTok campaigns have no end time) and revocations. An active campaign for
 * which the broker holds no money at all — someone activated it in the provider's own tools, or it
 * has spent all that was approved for it — is paused the same way ({@code
 * active_without_reservation}): no authorization backs what it could spend. It runs every
 * {@code broker.authorization-endings.interval}, at once after a revocation, and at once after a
 * provider event activated a campaign.
 */
@Configuration(proxyBeanMethods = false)
public class AuthorizationEndings {

    static final String JOB = "authorization-endings";
    private static final Logger log = LoggerFactory.getLogger(AuthorizationEndings.class);
    private static final int BATCH = 50;
    private static final String DUE = """
            select distinct c.tenant_id, c.id as campaign_id, a.id as authorization_id,
                   case when a.status = 'revoked' then 'authorization_revoked' else 'authorization_expired' end as reason
            from ads_campaigns c
            join spend_reservations r on r.tenant_id = c.tenant_id and r.campaign_id = c.id and r.status = 'held'
            join spend_authorizations a on a.tenant_id = r.tenant_id and a.id = r.authorization_id
            where c.status = 'active' and c.busy_execution_id is null
              and (a.status = 'revoked' or (a.valid_until is not null and a.valid_until <= :now))
            order by c.tenant_id, c.id
            limit :limit
            """;
    /**
     * Active campaigns for which nothing is held: activated outside the broker (in the provider's
     * own tools, reported by a webhook or a poll), or whose held money settlement has used up.
     */
    private static final String UNBACKED = """
            select c.tenant_id, c.id from ads_campaigns c
            where c.status = 'active' and c.busy_execution_id is null
              and not exists (select 1 from spend_reservations r
                              where r.tenant_id = c.tenant_id and r.campaign_id = c.id and r.status = 'held')
            order by c.tenant_id, c.id
            limit :limit
            """;

    private final JdbcClient jdbc;
    private final BrokerPauses pipeline;
    private final Clock clock;
    private final ObjectProvider<DurableJobs> jobs;

    AuthorizationEndings(JdbcClient jdbc, BrokerPauses pipeline, Clock clock, ObjectProvider<DurableJobs> jobs) {
        this.jdbc = jdbc;
        this.pipeline = pipeline;
        this.clock = clock;
        this.jobs = jobs;
    }

    @Bean
    RecurringTask<Void> authorizationEndingsJob(
            @Value("${broker.authorization-endings.interval:PT1M}") Duration interval) {
        return Tasks.recurring(JOB, FixedDelay.of(interval)).execute((instance, context) -> {
            Map<String, Integer> outcome = runOnce();
            if (!outcome.isEmpty()) {
                log.info("authorization endings: {}", outcome);
            }
        });
    }

    @EventListener
    void revoked(AuthorizationRevoked event) {
        jobs.ifAvailable(j -> j.runSoon(JOB));
    }

    @EventListener
    void activatedAtProvider(CampaignActivatedAtProvider event) {
        jobs.ifAvailable(j -> j.runSoon(JOB));
    }

    private record Due(String tenantId, String campaignId, String authorizationId, String reason) {}

    /** One pass: pauses what is due; returns how many pauses ended in each status. */
    public Map<String, Integer> runOnce() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        List<Due> due = jdbc.sql(DUE).param("now", OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC))
                .param("limit", BATCH)
                .query((rs, n) -> new Due(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4))).list();
        for (Due d : due) {
            try {
                counts.merge(pipeline.pauseForEndedAuthorization(d.tenantId(), d.campaignId(), d.authorizationId(),
                        d.reason()), 1, Integer::sum);
            } catch (RuntimeException ex) {
                // one campaign's trouble must not stop the others; it is due again on the next run
                log.warn("pausing campaign {} of tenant {} after its authorization ended failed: {}", d.campaignId(),
                        d.tenantId(), ex.getClass().getName());
                counts.merge("error", 1, Integer::sum);
            }
        }
        List<String[]> unbacked = jdbc.sql(UNBACKED).param("limit", BATCH)
                .query((rs, n) -> new String[] {rs.getString(1), rs.getString(2)}).list();
        for (String[] c : unbacked) {
            try {
                counts.merge(pipeline.pauseUnbacked(c[0], c[1]), 1, Integer::sum);
            } catch (RuntimeException ex) {
                log.warn("pausing campaign {} of tenant {}, active with nothing held for it, failed: {}", c[1], c[0],
                        ex.getClass().getName());
                counts.merge("error", 1, Integer::sum);
            }
        }
        return counts;
    }
}
