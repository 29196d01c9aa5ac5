package dev.minutework.broker.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Starts the governed integration broker: platform and runtime in one process, or, with
 * {@code BROKER_ROLE=runtime} (or {@code --broker.role=runtime}), the runtime alone
 * ({@link RuntimeOnlyApplication}).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class BrokerApplication {

    public static void main(String[] args) {
        if (args.length > 0 && "verify".equals(args[0])) {
            // the offline verifier: no Spring, no database, no network
            System.exit(dev.minutework.broker.core.receipt.VerifyCommand.run(args, System.out, System.err));
        }
        boolean runtimeOnly = "runtime".equals(System.getenv("BROKER_ROLE"))
                || java.util.Arrays.asList(args).contains("--broker.role=runtime");
        SpringApplication.run(runtimeOnly ? RuntimeOnlyApplication.class : BrokerApplication.class, args);
    }
}
