package dev.minutework.broker.server.support;

import java.time.Clock;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/** Gives the broker the tests' {@link MutableClock} instead of the system clock. */
@TestConfiguration(proxyBeanMethods = false)
public class TestClockConfiguration {

    static final MutableClock CLOCK = new MutableClock();

    @Bean
    @Primary
    Clock testClock() {
        return CLOCK;
    }
}
