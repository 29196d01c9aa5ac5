package dev.minutework.broker.server.runtime;

import dev.minutework.broker.server.config.BrokerProperties;
import dev.minutework.broker.server.identity.CallerResolver;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import tools.jackson.databind.json.JsonMapper;

/**
 * The runtime surface over a remote platform ({@code broker.role=runtime}): the platform reached
 * through its HTTP API, and callers identified by asking it.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "broker.role", havingValue = "runtime")
@Import({RuntimeController.class, RuntimeActions.class})
public class RemoteRuntimeConfiguration {

    @Bean
    RemotePlatform remotePlatform(BrokerProperties props, JsonMapper json) {
        return new RemotePlatform(props.platformUrl(), props.runtimeKey(), json);
    }

    /**
     * Callers identified by asking the platform who a key is: the runtime keeps no keys of its own.
     * No operator here: the operator works on the platform.
     */
    @Bean
    CallerResolver remoteCallers(RemotePlatform platform) {
        return new CallerResolver(platform::identify);
    }
}
