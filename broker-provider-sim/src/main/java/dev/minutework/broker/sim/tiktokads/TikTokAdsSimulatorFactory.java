package dev.minutework.broker.sim.tiktokads;

import dev.minutework.broker.sim.ProviderSimulator;
import dev.minutework.broker.sim.SimulatorFactory;
import java.time.Clock;

/** Registers the TikTok API for Business simulator. */
public final class TikTokAdsSimulatorFactory implements SimulatorFactory {

    @Override
    public String provider() {
        return "tiktokads";
    }

    @Override
    public ProviderSimulator create(Clock clock) {
        return new TikTokAdsSimulator(clock);
    }
}
