package dev.minutework.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.support.Broker;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Story;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link RuntimeEndToEnd} with the runtime alone ({@code BROKER_ROLE=runtime}): a second process
 * with no database, reaching the platform only through its tenant-level HTTP API with a tenant
 * runtime key.
 */
class RuntimeSplitDeploymentTest extends RuntimeEndToEnd {

    private static Broker runtimeProcess;

    @BeforeAll
    static void runtimeAlone() {
        setUpTenant();
        runtimeProcess = Broker.startRuntime(broker.base(), tenant.runtimeKey());
        runtimeBase = runtimeProcess.base();
        runtime = runtimeProcess.http();
    }

    @AfterAll
    static void stopRuntime() {
        if (runtimeProcess != null) {
            runtimeProcess.close();
            runtimeProcess = null;
        }
    }

    @Test
    void theRuntimeAloneServesOnlyItsTenantAndHasNoPlatformEndpoints() {
        Story.Tenant other = story.tenant("Other Tenant", Story.Setup.ready());

        Http.Response foreign = runtime.get("/v1/runtime/capabilities", other.runtimeKey());
        Http.Response execute = runtime.post("/v1/integration-broker/execute", tenant.runtimeKey(), Map.of());
        Http.Response operator = runtime.post("/v1/tenants", Story.OP, Map.of("name", "x"));

        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.errorCode()).isEqualTo("forbidden_role");
        assertThat(execute.status()).isEqualTo(404);
        assertThat(operator.status()).isEqualTo(404);
    }
}
