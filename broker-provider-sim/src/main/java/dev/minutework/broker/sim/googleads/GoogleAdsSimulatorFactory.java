package dev.minutework.broker.sim.googleads;

import dev.minutework.broker.sim.ProviderSimulator;
import dev.minutework.broker.sim.SimulatorFactory;
import java.time.Clock;

/** Registers the Google Ads simulator. */
public final class GoogleAdsSimulatorFactory implements SimulatorFactory {

    @Override
    public String provider() {
        return "googleads";
    }

    @Override
    public ProviderSimulator create(Clock clock) {
        return new GoogleAdsSimulator(clock);
    }
}
