package dev.minutework.broker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CpuTest {

    @Test
    void perOperationDividesWhatEachPartyUsedInTheWindow() {
        Cpu.Sample before = new Cpu.Sample(1_000, 500, 200);
        Cpu.Sample after = new Cpu.Sample(1_400, 800, 260);
        Cpu.Sample perOp = after.perOp(before, 100);
        assertThat(perOp.brokerMs()).isEqualTo(4.0);
        assertThat(perOp.postgresMs()).isEqualTo(3.0);
        assertThat(perOp.benchMs()).isEqualTo(0.6);
        assertThat(after.perOp(before, 0).brokerMs()).as("no operation: unknown").isEqualTo(-1);
        assertThat(new Cpu.Sample(-1, 800, 260).perOp(before, 100).brokerMs()).as("unknown stays unknown").isEqualTo(-1);
    }

    @Test
    void aRunningProcessIsMeasuredAndAMissingPostgresIsUnknown() throws Exception {
        Path noPostgres = Files.createTempDirectory("no-postgres");
        Cpu cpu = new Cpu(ProcessHandle.current().pid(), noPostgres);
        Cpu.Sample first = cpu.sample();
        long spin = System.nanoTime() + 300_000_000L;
        double sink = 0;
        while (System.nanoTime() < spin) {
            sink += Math.sqrt(sink + 1);
        }
        Cpu.Sample second = cpu.sample();
        // not a property under test: using the loop's result keeps the JIT from dropping the loop as dead code
        assertThat(sink).isPositive();
        assertThat(second.postgresMs()).isEqualTo(-1);
        if (Files.isReadable(Path.of("/proc/self/stat"))) {
            assertThat(second.brokerMs()).as("this process, read from /proc").isGreaterThan(first.brokerMs());
        }
        assertThat(second.benchMs()).isGreaterThan(first.benchMs());
    }
}
