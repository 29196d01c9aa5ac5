package dev.minutework.broker.server.support;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * One real broker per test class, on a fresh database of the shared embedded PostgreSQL; tests
 * isolate themselves by creating their own tenants.
 */
public abstract class BrokerTestCase {

    protected static Broker broker;
    protected static Http http;
    protected static Story story;
    protected static JdbcClient jdbc;

    @BeforeAll
    static void startBroker(TestInfo info) {
        broker = Broker.startFresh(info.getTestClass().map(Class::getSimpleName).orElse("broker"));
        http = broker.http();
        story = new Story(http);
        jdbc = broker.bean(JdbcClient.class);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }
}
