package dev.minutework.broker.server.routing;

import dev.minutework.broker.providers.http.ProviderTrust;
import dev.minutework.broker.server.config.BrokerProperties;
import dev.minutework.broker.sim.ProviderSimulator;
import dev.minutework.broker.sim.SimulatorTls;
import dev.minutework.broker.sim.Simulators;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The provider simulators of the local run ({@code BROKER_SIMULATORS}, on by default with the
 * embedded database): started with the broker, stopped with it, and serving every provider account
 * that has no {@code base_url}. What is created on them is kept under the data directory
 * ({@code <data dir>/simulators}), so campaigns made before a restart are still there after it.
 *
 * <p>With {@code BROKER_SIMULATOR_HTTPS=true} they serve HTTPS instead, for clients that insist on
 * it (Meta's Business SDK): a self-signed certificate is made at start-up, written (PEM, no key) to
 * {@code <data dir>/simulators/simulators-cert.pem} for such clients to trust, and pinned for the
 * broker's own adapters ({@link ProviderTrust}), which trust it and nothing else self-signed.
 */
@Component
public class LocalSimulators implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(LocalSimulators.class);

    private final Simulators simulators;
    private final SimulatorTls tls;

    LocalSimulators(BrokerProperties props, Clock clock,
            @Value("${broker.simulator-latency:PT0S}") Duration latency,
            @Value("${broker.simulator-rate-limits:true}") boolean rateLimits,
            @Value("${broker.simulator-https:false}") boolean https) {
        if (props.simulatorsOn() && !props.sandbox()) {
            Path dir = props.dataDir().resolve("simulators");
            this.tls = https ? SimulatorTls.generate() : null;
            if (tls != null) {
                ProviderTrust.trust(tls.certificate());
                writeCertificate(dir.resolve("simulators-cert.pem"));
            }
            // what is created on them survives a restart, as a real provider's objects would
            this.simulators = Simulators.startAll(clock, dir, tls);
            simulators.all().forEach((provider, sim) -> {
                // a provider's response time, for demos and benchmarks (BROKER_SIMULATOR_LATENCY, e.g. PT0.3S)
                sim.faults().latency(latency);
                sim.faults().rateLimits(rateLimits); // off only to benchmark the broker itself

                log.info("Provider simulator for {} listening at {}", provider, sim.baseUrl());
            });
        } else {
            this.simulators = null;
            this.tls = null;
        }
    }

    private void writeCertificate(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, tls.pem());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the simulators' certificate to " + file, e);
        }
        log.info("Provider simulators serve HTTPS; their self-signed certificate is in {}", file);
    }

    /** Whether simulators run in this process. */
    public boolean running() {
        return simulators != null;
    }

    /** The running simulator for a provider key, if simulators are on and one exists for it. */
    public Optional<ProviderSimulator> forProvider(String provider) {
        return simulators == null ? Optional.empty() : simulators.forProvider(provider);
    }

    @Override
    public void destroy() {
        if (simulators != null) {
            simulators.close();
        }
        if (tls != null) {
            ProviderTrust.forget(tls.certificate());
        }
    }
}
