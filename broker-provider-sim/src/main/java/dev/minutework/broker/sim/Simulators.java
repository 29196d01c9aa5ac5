package dev.minutework.broker.sim;

import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/** All simulators found on the class path, started together (the broker's local default run, tests). */
public final class Simulators implements AutoCloseable {

    private final Map<String, ProviderSimulator> byProvider;

    private Simulators(Map<String, ProviderSimulator> byProvider) {
        this.byProvider = byProvider;
    }

    /** Starts one simulator per registered {@link SimulatorFactory}, keeping nothing across restarts. */
    public static Simulators startAll(Clock clock) {
        return startAll(clock, null);
    }

    /**
     * Starts one simulator per registered {@link SimulatorFactory}; with a {@code stateDir}, each
     * keeps its objects in {@code <stateDir>/<provider>.jsonl} across restarts.
     */
    public static Simulators startAll(Clock clock, Path stateDir) {
        return startAll(clock, stateDir, null);
    }

    /**
     * As {@link #startAll(Clock, Path)}; with {@code tls}, every simulator serves HTTPS with that
     * certificate instead of plain HTTP.
     */
    public static Simulators startAll(Clock clock, Path stateDir, SimulatorTls tls) {
        Map<String, ProviderSimulator> started = new LinkedHashMap<>();
        try {
            for (SimulatorFactory f : ServiceLoader.load(SimulatorFactory.class, Simulators.class.getClassLoader())) {
                if (started.containsKey(f.provider())) {
                    throw new IllegalStateException("two simulators for " + f.provider());
                }
                ProviderSimulator sim = f.create(clock);
                if (stateDir != null) {
                    sim.keepStateIn(stateDir.resolve(f.provider() + ".jsonl"));
                }
                if (tls != null) {
                    sim.useHttps(tls);
                }
                started.put(f.provider(), sim.start());
            }
        } catch (RuntimeException e) {
            started.values().forEach(ProviderSimulator::close);
            throw e;
        }
        return new Simulators(Map.copyOf(started));
    }

    public Optional<ProviderSimulator> forProvider(String provider) {
        return Optional.ofNullable(byProvider.get(provider));
    }

    public Map<String, ProviderSimulator> all() {
        return byProvider;
    }

    @Override
    public void close() {
        byProvider.values().forEach(ProviderSimulator::close);
    }
}
