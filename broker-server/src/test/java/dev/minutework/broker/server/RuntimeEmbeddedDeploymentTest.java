package dev.minutework.broker.server;

import org.junit.jupiter.api.BeforeAll;

/** {@link RuntimeEndToEnd} with runtime and platform in one process (the default, embedded mode). */
class RuntimeEmbeddedDeploymentTest extends RuntimeEndToEnd {

    @BeforeAll
    static void runtimeInTheSameProcess() {
        setUpTenant();
        runtimeBase = broker.base();
        runtime = http;
    }
}
