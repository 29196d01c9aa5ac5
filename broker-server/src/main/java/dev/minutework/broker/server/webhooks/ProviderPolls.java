package dev.minutework.broker.server.webhooks;

import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import dev.minutework.broker.core.provider.ProviderChange;
import dev.minutework.broker.server.routing.AccountContexts;
import dev.minutework.broker.server.routing.ProviderRouting;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Providers without webhooks are asked instead: the durable job {@value #JOB} runs every
 * {@code broker.provider-polls.interval} (five minutes) and, for each provider account of such a
 * provider that has connections, asks its adapter what changed since the account's watermark
 * ({@link dev.minutework.broker.core.provider.ProviderAdapter#changesSince}; Google's
 * {@code change_status}). Each change goes the webhook way ({@link WebhookIntake#polled}): stored
 * in the account's chain with verdict {@code polled}, deduplicated by its change id, applied with a
 * receipt in each affected tenant's chain.
 *
 * <p>The watermark ({@code provider_poll_watermarks}) is the latest change time the provider
 * reported; a poll asks from {@link #OVERLAP} before it, because Google lists a change up to three
 * minutes late (with its own, earlier time). What is read twice is a duplicate. A first poll looks
 * back {@link #FIRST_LOOK_BACK}. A poll that fails moves nothing: the next one asks again.
 */
@Configuration(proxyBeanMethods = false)
public class ProviderPolls {

    static final String JOB = "provider-polls";
    static final Duration OVERLAP = Duration.ofMinutes(10);
    static final Duration FIRST_LOOK_BACK = Duration.ofDays(1);
    private static final Logger log = LoggerFactory.getLogger(ProviderPolls.class);
    private static final String CONNECTED = """
            select count(*) from broker_connections where provider_account_id = :account and status <> 'revoked'
            """;
    private static final String WATERMARK = """
            select watermark from provider_poll_watermarks where provider_account_id = :account
            """;
    private static final String ADVANCE = """
            insert into provider_poll_watermarks (provider_account_id, provider, watermark, polled_at)
            values (:account, :provider, :watermark, :now)
            on conflict (provider_account_id) do update
            set watermark = greatest(provider_poll_watermarks.watermark, excluded.watermark), polled_at = excluded.polled_at
            """;

    private final AccountContexts accounts;
    private final ProviderRouting routing;
    private final WebhookIntake intake;
    private final JdbcClient jdbc;
    private final Clock clock;

    ProviderPolls(AccountContexts accounts, ProviderRouting routing, WebhookIntake intake, JdbcClient jdbc, Clock clock) {
        this.accounts = accounts;
        this.routing = routing;
        this.intake = intake;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Bean
    RecurringTask<Void> providerPollsJob(@Value("${broker.provider-polls.interval:PT5M}") Duration interval) {
        return Tasks.recurring(JOB, FixedDelay.of(interval)).execute((instance, context) -> {
            Map<String, Integer> outcome = runOnce();
            if (outcome.values().stream().anyMatch(n -> n > 0)) {
                log.info("provider polls: {}", outcome);
            }
        });
    }

    /** One pass over the polled accounts; how many changes were accepted, duplicates, and accounts that failed. */
    public Map<String, Integer> runOnce() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("accepted", 0);
        counts.put("duplicate", 0);
        counts.put("failed_accounts", 0);
        for (AccountContexts.Account account : accounts.all()) {
            if (!WebhookIntake.WITHOUT_WEBHOOKS.contains(account.provider())
                    || jdbc.sql(CONNECTED).param("account", account.id()).query(Long.class).single() == 0) {
                continue;
            }
            try {
                poll(account.provider(), account.id(), counts);
            } catch (GeneralSecurityException | RuntimeException e) {
                // one account's trouble must not stop the others; its watermark stays, the next run asks again
                log.warn("polling {} account {} failed: {}", account.provider(), account.id(),
                        e instanceof ProviderChange.Unavailable ? e.getMessage() : e.getClass().getName());
                counts.merge("failed_accounts", 1, Integer::sum);
            }
        }
        return counts;
    }

    private void poll(String provider, String accountId, Map<String, Integer> counts) throws GeneralSecurityException {
        Optional<ProviderRouting.Route> route = routing.route(provider, accountId);
        if (route.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        Optional<OffsetDateTime> watermark = jdbc.sql(WATERMARK).param("account", accountId)
                .query((rs, n) -> Optional.ofNullable(rs.getObject(1, OffsetDateTime.class))).optional()
                .flatMap(w -> w);
        Instant since = watermark.map(w -> w.toInstant().minus(OVERLAP)).orElse(now.minus(FIRST_LOOK_BACK));
        Optional<List<ProviderChange>> changes = route.get().factory().create(route.get().context()).changesSince(since);
        if (changes.isEmpty()) {
            return; // the provider cannot be polled
        }
        Instant latest = null;
        for (ProviderChange change : changes.get()) {
            WebhookIntake.Outcome outcome = intake.polled(provider, accountId, change);
            counts.merge(outcome.wire(), 1, Integer::sum);
            latest = latest == null || change.changedAt().isAfter(latest) ? change.changedAt() : latest;
        }
        jdbc.sql(ADVANCE).param("account", accountId).param("provider", provider)
                .param("watermark", latest == null ? null : latest.atOffset(ZoneOffset.UTC))
                .param("now", now.atOffset(ZoneOffset.UTC)).update();
    }
}
