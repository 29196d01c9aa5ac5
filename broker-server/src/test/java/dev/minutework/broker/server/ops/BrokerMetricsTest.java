package dev.minutework.broker.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** The broker's meters without Spring: what becomes a label, and when an execution is counted. */
class BrokerMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final BrokerMetrics metrics = new BrokerMetrics(registry);

    @AfterEach
    void noSynchronizationLeftOver() {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.clearSynchronization();
        }
    }

    private double executions(String outcome) {
        var counter = registry.find(BrokerMetrics.EXECUTIONS).tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void anExecutionIsCountedOnlyWhenItsTransactionCommits() {
        TransactionSynchronizationManager.initSynchronization();
        metrics.executionReached("ads.create_campaign", "openaiads", "executing");
        assertThat(executions("executing")).as("before the commit").isZero();
        TransactionSynchronizationManager.getSynchronizations().forEach(TransactionSynchronization::afterCommit);
        assertThat(executions("executing")).isEqualTo(1.0);
    }

    @Test
    void aRolledBackMoveIsNeverCounted() {
        TransactionSynchronizationManager.initSynchronization();
        metrics.executionReached("ads.create_campaign", "openaiads", "executing");
        TransactionSynchronizationManager.getSynchronizations()
                .forEach(s -> s.afterCompletion(TransactionSynchronization.STATUS_ROLLED_BACK));
        assertThat(executions("executing")).isZero();
    }

    @Test
    void outsideATransactionItIsCountedAtOnce() {
        metrics.executionReached("ads.pause_campaign", "metaads", "succeeded");
        metrics.executionReached("ads.pause_campaign", "metaads", "succeeded");
        assertThat(registry.get(BrokerMetrics.EXECUTIONS).tags("action", "ads.pause_campaign", "provider", "metaads",
                "outcome", "succeeded").counter().count()).isEqualTo(2.0);
    }

    @Test
    void aValueThatIsNotAShortLowerCaseNameBecomesOther() {
        metrics.refused("budget_exceeded");
        metrics.refused("sk-live-4f2a9c secret");
        metrics.refused("Bearer mwb_op_abc");
        metrics.refused("x".repeat(80));
        metrics.refused(null);
        assertThat(registry.getMeters()).map(m -> m.getId().getTag("code"))
                .containsExactlyInAnyOrder("budget_exceeded", BrokerMetrics.OTHER);
        assertThat(registry.get(BrokerMetrics.REFUSALS).tag("code", BrokerMetrics.OTHER).counter().count())
                .isEqualTo(4.0);
    }

    @Test
    void providerCallsAreTimedByProviderOperationAndOutcome() {
        metrics.providerCall("googleads", "execute", "succeeded", TimeUnit.MILLISECONDS.toNanos(120));
        metrics.providerCall("googleads", "execute", "succeeded", TimeUnit.MILLISECONDS.toNanos(80));
        metrics.providerCall("googleads", "execute", "timed_out", TimeUnit.SECONDS.toNanos(3));
        var ok = registry.get(BrokerMetrics.PROVIDER_CALLS).tags("provider", "googleads", "operation", "execute",
                "outcome", "succeeded").timer();
        assertThat(ok.count()).isEqualTo(2);
        assertThat(ok.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(200.0);
        assertThat(registry.get(BrokerMetrics.PROVIDER_CALLS).tag("outcome", "timed_out").timer().count())
                .isEqualTo(1);
        assertThat(registry.find(BrokerMetrics.PROVIDER_CALLS).meters()).hasSize(2).extracting(Meter::getId)
                .allSatisfy(id -> assertThat(id.getTags()).extracting(t -> t.getKey())
                        .containsExactlyInAnyOrder("provider", "operation", "outcome"));
    }
}
