package dev.minutework.broker.server.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.springframework.boot.web.server.ConfigurableWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * In the embedded run (no {@code BROKER_DATABASE_URL}) the broker's HTTP port binds to 127.0.0.1
 * unless {@code SERVER_ADDRESS} ({@code server.address}) names another address: the single-machine
 * run, with its simulators and generated operator key, is not reachable from the network unless asked.
 * With an external database the broker is a deployed service and binds as Spring Boot does (every
 * interface, or {@code SERVER_ADDRESS}).
 */
@Component
class LoopbackServerAddress implements WebServerFactoryCustomizer<ConfigurableWebServerFactory> {

    static final String LOOPBACK = "127.0.0.1";

    private final BrokerProperties props;
    private final Environment environment;

    LoopbackServerAddress(BrokerProperties props, Environment environment) {
        this.props = props;
        this.environment = environment;
    }

    @Override
    public void customize(ConfigurableWebServerFactory factory) {
        if (props.database().external() || environment.containsProperty("server.address")) {
            return;
        }
        try {
            factory.setAddress(InetAddress.getByName(LOOPBACK));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("cannot resolve " + LOOPBACK, e);
        }
    }
}
