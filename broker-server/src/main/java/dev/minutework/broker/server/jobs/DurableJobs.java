package dev.minutework.broker.server.jobs;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.exceptions.TaskInstanceCurrentlyExecutingException;
import com.github.kagkarlsson.scheduler.task.TaskInstanceId;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs the broker's recurring jobs with db-scheduler: their schedule lives in the
 * {@code scheduled_tasks} table, and a due run is picked by one process only, so several brokers on
 * one database never run the same job at once. A run whose process died is taken over by another
 * process after four missed heartbeats ({@code broker.jobs.heartbeat-interval}, 15 s). Started
 * once the application is up, stopped before it goes down.
 */
@Component
public class DurableJobs implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DurableJobs.class);

    private final DataSource dataSource;
    private final List<RecurringTask<?>> jobs;
    private final Duration polling;
    private final Duration heartbeat;
    private final Clock clock;
    private volatile Scheduler scheduler;

    DurableJobs(DataSource dataSource, List<RecurringTask<?>> jobs,
            @Value("${broker.jobs.polling-interval:PT10S}") Duration polling,
            @Value("${broker.jobs.heartbeat-interval:PT15S}") Duration heartbeat, Clock clock) {
        this.dataSource = dataSource;
        this.jobs = List.copyOf(jobs);
        this.polling = polling;
        this.heartbeat = heartbeat;
        this.clock = clock;
    }

    /**
     * Makes a job due now, for the next poll of any broker process to run it. While the job is
     * running it cannot be rescheduled: then what the caller made due is found by that run, if it
     * read after the caller's commit, or else by the next one, one interval later.
     */
    public void runSoon(String job) {
        Scheduler s = scheduler;
        if (s != null) {
            try {
                s.reschedule(TaskInstanceId.of(job, RecurringTask.INSTANCE), clock.instant());
            } catch (TaskInstanceCurrentlyExecutingException running) {
                log.debug("job {} is running already; its next run is due at its interval", job);
            }
            s.triggerCheckForDueExecutions();
        }
    }

    @Override
    public void start() {
        // a run whose process died (kill -9) is taken over once it missed four heartbeats: a minute
        // by default (db-scheduler's own default would leave a job such as settlement idle for 20)
        Scheduler s = Scheduler.create(dataSource).startTasks(jobs).threads(1).pollingInterval(polling)
                .heartbeatInterval(heartbeat).missedHeartbeatsLimit(4)
                .shutdownMaxWait(Duration.ofSeconds(10)).build();
        s.start();
        scheduler = s;
    }

    @Override
    public void stop() {
        Scheduler s = scheduler;
        scheduler = null;
        if (s != null) {
            s.stop();
        }
    }

    @Override
    public boolean isRunning() {
        return scheduler != null;
    }
}
