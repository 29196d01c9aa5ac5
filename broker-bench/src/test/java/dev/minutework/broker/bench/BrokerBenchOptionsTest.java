package dev.minutework.broker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BrokerBenchOptionsTest {

    @Test
    void everyKnownOptionTakesTheNextArgumentAsItsValue() {
        assertThat(BrokerBench.options(new String[] {"--seconds", "3", "--warmup", "1", "--jit-warmup", "20",
                "--only", "governed,half", "--broker-jar", "b.jar", "--broker-jvm-options", "-Xlog:gc -XX:+UseZGC",
                "--out", "r.md"})).isEqualTo(Map.of("--seconds", "3", "--warmup", "1", "--jit-warmup", "20",
                "--only", "governed,half", "--broker-jar", "b.jar", "--broker-jvm-options", "-Xlog:gc -XX:+UseZGC",
                "--out", "r.md"));
        assertThat(BrokerBench.options(new String[0])).isEmpty();
    }

    @Test
    void anythingElseIsRefusedNamingTheKnownOptions() {
        assertThatThrownBy(() -> BrokerBench.options(new String[] {"--seconds=3"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--seconds=3")
                .hasMessageContaining(String.join(", ", BrokerBench.OPTIONS));
        assertThatThrownBy(() -> BrokerBench.options(new String[] {"--second", "3"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--jit-warmup");
        assertThatThrownBy(() -> BrokerBench.options(new String[] {"3"}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BrokerBench.options(new String[] {"--seconds"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> BrokerBench.options(new String[] {"--seconds", "3", "--seconds", "4"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    }

    @Test
    void mainRefusesAnUnknownArgumentBeforeStartingAnything() {
        assertThatThrownBy(() -> BrokerBench.main(new String[] {"--seconds=3"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--seconds 3, not --seconds=3");
    }
}
