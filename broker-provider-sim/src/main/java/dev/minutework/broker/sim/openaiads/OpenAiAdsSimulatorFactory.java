package dev.minutework.broker.sim.openaiads;

import dev.minutework.broker.sim.ProviderSimulator;
import dev.minutework.broker.sim.SimulatorFactory;
import java.time.Clock;

/** Registers the OpenAI ads simulator. */
public final class OpenAiAdsSimulatorFactory implements SimulatorFactory {

    @Override
    public String provider() {
        return "openaiads";
    }

    @Override
    public ProviderSimulator create(Clock clock) {
        return new OpenAiAdsSimulator(clock);
    }
}
