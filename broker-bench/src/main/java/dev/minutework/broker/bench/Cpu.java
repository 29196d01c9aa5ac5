package dev.minutework.broker.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time spent by the three parties of a run — the broker process, PostgreSQL (its postmaster,
 * the backends it has reaped and those still running) and this benchmark process — read from
 * Linux {@code /proc}, so a row can say where each operation's CPU went. Elsewhere every figure is
 * unknown (-1).
 */
final class Cpu {

    /** Linux reports process times in clock ticks; 100 per second on every mainstream kernel config. */
    private static final double MS_PER_TICK = 10.0;

    /** Cumulative CPU milliseconds at one instant. */
    record Sample(double brokerMs, double postgresMs, double benchMs) {
        /** Milliseconds per operation between {@code before} and this sample. */
        Sample perOp(Sample before, long ops) {
            if (ops == 0) {
                return new Sample(-1, -1, -1);
            }
            return new Sample(per(brokerMs, before.brokerMs, ops), per(postgresMs, before.postgresMs, ops),
                    per(benchMs, before.benchMs, ops));
        }

        private static double per(double after, double before, long ops) {
            return after < 0 || before < 0 ? -1 : (after - before) / ops;
        }
    }

    private final long brokerPid;
    private final long postmasterPid;

    /** {@code brokerPid} -1 when no broker takes part (the raw-SQL floor). */
    Cpu(long brokerPid, Path postgresDataDir) {
        this.brokerPid = brokerPid;
        this.postmasterPid = postmaster(postgresDataDir);
    }

    Sample sample() {
        double bench = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() / 1e6 : -1;
        return new Sample(brokerPid < 0 ? -1 : ms(ticks(brokerPid, false)), ms(postgresTicks()), bench);
    }

    /** Ticks to milliseconds; unknown (negative) stays -1. */
    private static double ms(double ticks) {
        return ticks < 0 ? -1 : ticks * MS_PER_TICK;
    }

    private double postgresTicks() {
        if (postmasterPid < 0) {
            return -1;
        }
        double total = ticks(postmasterPid, true);
        if (total < 0) {
            return -1; // PostgreSQL is gone
        }
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit)) {
                    String[] f = fields(Long.parseLong(name));
                    if (f != null && Long.parseLong(f[1]) == postmasterPid) {
                        total += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    }
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return total;
    }

    /** utime + stime of a process, plus the times of its reaped children when asked. */
    private static double ticks(long pid, boolean withReapedChildren) {
        String[] f = fields(pid);
        if (f == null) {
            return -1;
        }
        long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return withReapedChildren ? t + Long.parseLong(f[13]) + Long.parseLong(f[14]) : t;
    }

    /** The fields of {@code /proc/<pid>/stat} after the command name: [0] state, [1] ppid, [11] utime… */
    private static String[] fields(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException gone) {
            return null;
        }
    }

    private static long postmaster(Path dataDir) {
        try {
            return Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).getFirst().trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
