package dev.minutework.broker.sim;

import java.time.Clock;

/**
 * One per simulated provider, registered for {@link java.util.ServiceLoader} in
 * {@code META-INF/services/dev.minutework.broker.sim.SimulatorFactory}.
 */
public interface SimulatorFactory {

    /** The provider key the simulator stands in for. */
    String provider();

    /** A new, not yet started simulator. */
    ProviderSimulator create(Clock clock);
}
