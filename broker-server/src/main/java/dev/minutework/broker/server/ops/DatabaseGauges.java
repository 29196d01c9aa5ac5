package dev.minutework.broker.server.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The gauges read from PostgreSQL, across all tenants and never per tenant: one-shot approvals
 * waiting for a human ({@value #APPROVALS_PENDING}) and the money reservations hold, per currency
 * ({@value #RESERVATIONS_HELD}, minor units). Both come from one statement, run at most once per
 * {@link #MAX_AGE} however often (and by however many scrapers) they are read: a scrape costs the
 * database at most one round trip, and the scrapes that follow within {@link #MAX_AGE} none.
 *
 * <p>A currency's gauge exists from the first time its money is held: registered when a statement
 * finds it, at start for what is already held, and by {@link #currencyHeld} when the execute path
 * reserves in it (so the scrape after the first reservation already shows it).
 */
@Component
public class DatabaseGauges {

    static final String APPROVALS_PENDING = "broker.approvals.pending";
    static final String RESERVATIONS_HELD = "broker.reservations.held.minor";

    /** How long one reading of the database serves the gauges. */
    static final Duration MAX_AGE = Duration.ofSeconds(5);

    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

    /** Approvals still pending (one-shot, not expired) and held money by currency, in one round trip. */
    private static final String READ = """
            select 'pending' as what, null as currency, count(*) as amount
              from approval_grants
             where kind = 'one_shot' and status = 'pending' and expires_at > :now
            union all
            select 'held', currency, coalesce(sum(amount_minor - settled_minor), 0)
              from spend_reservations
             where status = 'held'
             group by currency
            """;

    /** One reading: pending approvals, held minor units by currency, and when it was read. */
    record Reading(long pendingApprovals, Map<String, Long> heldMinor, Instant readAt) {

        /** Whether it may still serve at {@code now}: younger than {@link #MAX_AGE} (a clock set back: no). */
        boolean freshAt(Instant now) {
            return !now.isBefore(readAt) && now.isBefore(readAt.plus(MAX_AGE));
        }
    }

    private final JdbcClient jdbc;
    private final MeterRegistry registry;
    private final Clock clock;
    private final Set<String> currencies = ConcurrentHashMap.newKeySet();
    private volatile Reading last;
    private volatile long reads;

    DatabaseGauges(JdbcClient jdbc, MeterRegistry registry, Clock clock) {
        this.jdbc = jdbc;
        this.registry = registry;
        this.clock = clock;
        Gauge.builder(APPROVALS_PENDING, this, g -> g.reading().pendingApprovals())
                .description("one-shot approvals waiting for a human decision (not expired), all tenants")
                .register(registry);
    }

    /** Registers the gauges of the currencies already held when the broker starts. */
    @EventListener(ApplicationReadyEvent.class)
    void registerHeldCurrencies() {
        reading();
    }

    /** Makes sure the gauge of a currency money is being held in exists; cheap when it does. */
    public void currencyHeld(String currency) {
        if (currency != null && !currencies.contains(currency) && CURRENCY.matcher(currency).matches()
                && currencies.add(currency)) {
            Gauge.builder(RESERVATIONS_HELD, this, g -> g.reading().heldMinor().getOrDefault(currency, 0L))
                    .description("money held by reservations (reserved, not yet settled or released), minor units, "
                            + "all tenants")
                    .tag("currency", currency).register(registry);
        }
    }

    /** The last reading, or a new one when it is older than {@link #MAX_AGE}. */
    Reading reading() {
        Reading r = last;
        if (r != null && r.freshAt(clock.instant())) {
            return r;
        }
        synchronized (this) {
            r = last;
            if (r != null && r.freshAt(clock.instant())) {
                return r;
            }
            r = read();
            last = r;
        }
        r.heldMinor().keySet().forEach(this::currencyHeld);
        return r;
    }

    /** How many times the gauges read the database since the broker started. */
    public long reads() {
        return reads;
    }

    private Reading read() {
        long[] pending = {0};
        Map<String, Long> held = new TreeMap<>();
        Instant now = clock.instant();
        jdbc.sql(READ).param("now", now.atOffset(ZoneOffset.UTC)).query(rs -> {
            if ("pending".equals(rs.getString("what"))) {
                pending[0] = rs.getLong("amount");
            } else {
                held.put(rs.getString("currency"), rs.getLong("amount"));
            }
        });
        reads++;
        return new Reading(pending[0], Map.copyOf(held), now);
    }
}
