package dev.minutework.broker.server.execution;

import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import dev.minutework.broker.core.command.ExecuteCommand;
import dev.minutework.broker.core.provider.ProviderOutcome;
import dev.minutework.broker.core.provider.ProviderRequest;
import dev.minutework.broker.core.provider.ReportRow;
import dev.minutework.broker.core.spend.SpendSettlementPlan;
import dev.minutework.broker.server.ads.Projections;
import dev.minutework.broker.server.api.Ids;
import dev.minutework.broker.server.connections.Connections;
import dev.minutework.broker.server.receipts.Receipts;
import dev.minutework.broker.server.routing.ProviderRouting;
import dev.minutework.broker.server.spend.SpendLedger;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Reported spend moves money (issue 13): the durable job {@value #JOB} asks each spending
 * campaign's provider for its spend by day, through the campaign's adapter, and settles what each
 * day's report adds — taken from what is held for the campaign (reserved → debited on the wallet
 * and the authorization, with a spend-policy receipt), and beyond it, when the provider delivered
 * more than was held, from available credits, flagged. Each day settles under its row's lock in one
 * transaction, so a re-report, a second broker process or a crash mid-way never settles a figure
 * twice or loses one. After settling, a campaign that spent beyond its reservation, or faster than
 * {@code broker.settlement.velocity-multiple} times its expected daily rate, is paused through its
 * provider without approval (a pause only lowers spend), with the rule named in its receipts.
 */
@Configuration(proxyBeanMethods = false)
public class SpendSettlements {

    static final String JOB = "spend-settlement";
    static final String ACTOR = "broker:settlement";
    private static final Logger log = LoggerFactory.getLogger(SpendSettlements.class);
    private static final int BATCH = 500;
    /** How far back a campaign's days are asked for again (providers restate recent days). */
    static final int LOOKBACK_DAYS = 30;

    private final Projections projections;
    private final SpendLedger ledger;
    private final Connections connections;
    private final ProviderRouting routing;
    private final Receipts receipts;
    private final BrokerPauses pauses;
    private final TransactionTemplate tx;
    private final FaultPoints faultPoints;
    private final Clock clock;
    private final double velocityMultiple;

    SpendSettlements(Projections projections, SpendLedger ledger, Connections connections, ProviderRouting routing,
            Receipts receipts, BrokerPauses pauses, TransactionTemplate tx, FaultPoints faultPoints, Clock clock,
            @Value("${broker.settlement.velocity-multiple:3.0}") double velocityMultiple) {
        this.projections = projections;
        this.ledger = ledger;
        this.connections = connections;
        this.routing = routing;
        this.receipts = receipts;
        this.pauses = pauses;
        this.tx = tx;
        this.faultPoints = faultPoints;
        this.clock = clock;
        this.velocityMultiple = velocityMultiple;
    }

    @Bean
    RecurringTask<Void> spendSettlementJob(@Value("${broker.settlement.interval:PT15M}") Duration interval) {
        return Tasks.recurring(JOB, FixedDelay.of(interval)).execute((instance, context) -> {
            Map<String, Integer> outcome = runOnce();
            if (!outcome.isEmpty()) {
                log.info("spend settlement: {}", outcome);
            }
        });
    }

    /** One pass over the spending campaigns; how many ended in each way. */
    public Map<String, Integer> runOnce() {
        Map<String, Integer> counts = new TreeMap<>();
        Instant now = clock.instant();
        for (Projections.Campaign c : projections.spending(now.minus(Duration.ofDays(3)), BATCH)) {
            try {
                counts.merge(settle(c), 1, Integer::sum);
            } catch (RuntimeException ex) {
                // one campaign's trouble must not stop the others; it is asked again on the next run
                log.warn("settling campaign {} of tenant {} failed: {}", c.id(), c.tenantId(), ex.getClass().getName());
                counts.merge("error", 1, Integer::sum);
            }
        }
        return counts;
    }

    /** Settles one campaign's reported days; answers how it went. */
    String settle(Projections.Campaign c) {
        Optional<Connections.Connection> connection = connections.live(c.tenantId(), c.provider());
        if (connection.isEmpty()) {
            return "no_connection";
        }
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        LocalDate created = LocalDate.ofInstant(c.createdAt().toInstant(), ZoneOffset.UTC);
        LocalDate since = created.isAfter(today.minusDays(LOOKBACK_DAYS)) ? created : today.minusDays(LOOKBACK_DAYS);
        ExecuteCommand.FetchReport report = new ExecuteCommand.FetchReport(c.id(), since, today, false);
        ProviderOutcome outcome;
        try {
            Optional<ProviderRouting.Route> route = routing.route(c.provider(), connection.get().providerAccountId());
            if (route.isEmpty()) {
                return "no_adapter";
            }
            outcome = route.get().factory().create(route.get().context()).execute(new ProviderRequest(report,
                    "settle-" + Ids.random(16), Map.of("campaign_id", c.providerObjectId()),
                    Map.of("campaign_id", c.asCreated())));
        } catch (GeneralSecurityException e) {
            return "credentials_undecryptable";
        }
        if (!(outcome instanceof ProviderOutcome.Succeeded ok)) {
            return "report_" + outcome.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
        }
        Map<LocalDate, Long> byDay = new TreeMap<>();
        for (ReportRow row : ok.rows()) {
            if (c.providerObjectId().equals(row.providerCampaignId()) && c.currency().equals(row.currency())
                    && row.date() != null) {
                byDay.merge(row.date(), row.spendMinor(), Long::sum);
            }
        }
        long beyond = 0;
        for (Map.Entry<LocalDate, Long> day : byDay.entrySet()) {
            beyond += settleDay(c, day.getKey(), day.getValue());
        }
        long total = ledger.reportedTotal(c.tenantId(), c.id());
        tx.executeWithoutResult(s -> projections.setSpend(c.tenantId(), c.id(), total));
        if ("active".equals(c.status())) {
            String rule = beyond > 0 ? "spend_beyond_reservation"
                    : SpendSettlementPlan.tooFast(byDay.getOrDefault(today, 0L), SpendSettlementPlan.expectedDailyMinor(
                            c.state().budget(), c.startTime() == null ? c.createdAt().toInstant() : c.startTime()
                                    .toInstant(), c.endTime() == null ? null : c.endTime().toInstant()),
                            velocityMultiple) ? "spend_velocity" : null;
            if (rule != null) {
                String authorization = authorizationOf(c, ledger.heldForCampaign(c.tenantId(), c.id()));
                log.warn("campaign {} of tenant {}: {}; pausing it through {}", c.id(), c.tenantId(), rule,
                        c.provider());
                return "paused_" + rule + ":" + pauses.pauseForEndedAuthorization(c.tenantId(), c.id(), authorization,
                        rule);
            }
        }
        return "settled";
    }

    /** The authorization the campaign's money is held under, else the tenant's active one for its provider and currency. */
    private String authorizationOf(Projections.Campaign c, List<SpendLedger.Reservation> held) {
        return held.stream().findFirst().map(SpendLedger.Reservation::authorizationId)
                .or(() -> ledger.activeAuthorization(c.tenantId(), c.provider(), c.currency())).orElse(null);
    }

    /**
     * Settles what a day's report adds, in one transaction under the day's lock.
     *
     * @return what the provider reported beyond what was held for the campaign
     */
    private long settleDay(Projections.Campaign c, LocalDate day, long reportedMinor) {
        Long beyond = tx.execute(s -> {
            receipts.lockChainForSpend(c.tenantId());
            SpendLedger.SpendDay before = ledger.lockDay(c.tenantId(), c.id(), day, c.currency());
            long delta = SpendSettlementPlan.delta(reportedMinor, before.settledMinor() + before.beyondMinor());
            if (delta == 0) {
                if (reportedMinor != before.reportedMinor()) {
                    ledger.recordDay(c.tenantId(), c.id(), day, new SpendLedger.SpendDay(reportedMinor,
                            before.settledMinor(), before.beyondMinor(), before.unsettledMinor()));
                }
                return 0L;
            }
            List<SpendLedger.Reservation> reservations = ledger.heldForCampaign(c.tenantId(), c.id());
            List<SpendSettlementPlan.Held> held = reservations.stream()
                    .map(r -> new SpendSettlementPlan.Held(r.id(), r.amount().amountMinor())).toList();
            SpendSettlementPlan plan = SpendSettlementPlan.of(delta, held);
            Map<String, Object> context = new LinkedHashMap<>();
            context.put("campaign_id", c.id());
            context.put("provider", c.provider());
            context.put("day", day.toString());
            context.put("reported_minor", reportedMinor);
            context.put("reported_before_minor", before.reportedMinor());
            long settled = 0;
            for (SpendSettlementPlan.Take take : plan.takes()) {
                settled += ledger.consume(c.tenantId(), take.reservationId(), take.minor(), context, ACTOR);
            }
            faultPoints.reached("mid_settlement");
            long beyondNow = delta - settled;
            long unsettled = 0;
            if (beyondNow > 0) {
                String authorization = authorizationOf(c, reservations);
                long fromCredits = authorization == null ? 0 : ledger.settleBeyond(c.tenantId(), authorization,
                        c.currency(), beyondNow, context, ACTOR);
                unsettled = beyondNow - fromCredits;
                if (authorization == null) {
                    receipts.record(c.tenantId(), "spend.unsettled", null, ACTOR, Map.of("campaign_id", c.id(),
                            "day", day.toString(), "unsettled_minor", unsettled, "reason", "no_active_authorization"));
                }
            }
            ledger.recordDay(c.tenantId(), c.id(), day, new SpendLedger.SpendDay(reportedMinor,
                    before.settledMinor() + settled, before.beyondMinor() + beyondNow,
                    before.unsettledMinor() + unsettled));
            return beyondNow;
        });
        return beyond == null ? 0 : beyond;
    }
}
