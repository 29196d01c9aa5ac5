package dev.minutework.broker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatenciesTest {

    @Test
    void percentilesUseNearestRankInMilliseconds() {
        Latencies l = new Latencies();
        for (int i = 1; i <= 2000; i++) {
            l.add(i * 1_000_000L);
        }
        assertThat(l.count()).isEqualTo(2000);
        assertThat(l.percentileMillis(0.5)).isEqualTo(1000.0);
        assertThat(l.percentileMillis(0.99)).isEqualTo(1980.0);
        assertThat(l.percentileMillis(1.0)).isEqualTo(2000.0);
    }

    @Test
    void anEmptyRunHasNoPercentile() {
        assertThat(new Latencies().percentileMillis(0.5)).isNaN();
    }
}
