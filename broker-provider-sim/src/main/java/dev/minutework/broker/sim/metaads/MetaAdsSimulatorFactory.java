package dev.minutework.broker.sim.metaads;

import dev.minutework.broker.sim.ProviderSimulator;
import dev.minutework.broker.sim.SimulatorFactory;
import java.time.Clock;

/** Registers the Meta Marketing API simulator. */
public final class MetaAdsSimulatorFactory implements SimulatorFactory {

    @Override
    public String provider() {
        return "metaads";
    }

    @Override
    public ProviderSimulator create(Clock clock) {
        return new MetaAdsSimulator(clock);
    }
}
