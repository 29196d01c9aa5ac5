package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.routing.LocalSimulators;
import dev.minutework.broker.server.support.Broker;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Ledger;
import dev.minutework.broker.server.support.Story;
import dev.minutework.broker.sim.metaads.MetaAdsSimulator;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Invariant 8 on the execute path: when preflight would say a provider is not ready for the tenant
 * because the provider refuses the account's credentials, execute refuses too, naming the check,
 * before any human is asked or any money reserved.
 */
class ExecuteReadinessTest {

    static Broker broker;
    static Http http;
    static Story story;

    @BeforeAll
    static void start() {
        broker = Broker.startWithSimulators("execute_readiness");
        http = broker.http();
        story = new Story(http);
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void aProviderThatRefusesTheAccountsCredentialsRefusesExecuteAsPreflightDoes() {
        Story.Setup setup = Story.Setup.ready().provider("metaads");
        Story.Tenant t = story.tenant("Revoked token", setup);
        meta().revoke(setup.credentials().get("access_token"));

        JsonNode preflight = expect(200, http.get("/v1/integration-broker/preflight?provider=metaads", t.runtimeKey()))
                .json();
        assertThat(preflight.get("ready").asBoolean()).isFalse();
        Http.Response refused = expect(409, story.execute(t.runtimeKey(), "metaads", "ads.create_campaign", "refused-1",
                Story.campaign("Never", 1_000)));

        assertThat(refused.text("/error/code")).isEqualTo("not_ready");
        assertThat(refused.at("/error/details/failed_checks").values()).extracting(c -> c.get("name").asString())
                .contains("credentials_authenticate");
        assertThat(expect(200, http.get("/v1/approvals", t.approverKey())).at("/approvals").values())
                .as("no human was asked").isEmpty();
        Ledger.assertConsistent(broker.bean(JdbcClient.class), t.id());
    }

    @Test
    void aCallRefusedForAuthenticationMakesTheNextExecuteNotReady() {
        Story.Setup setup = Story.Setup.ready().provider("metaads");
        Story.Tenant t = story.tenant("Token revoked later", setup);
        Http.Response first = expect(202, story.execute(t.runtimeKey(), "metaads", "ads.create_campaign", "later-1",
                Story.campaign("Before", 1_000)));
        meta().revoke(setup.credentials().get("access_token"));

        JsonNode failed = expect(200, http.post("/v1/approvals/" + first.text("/approval_id") + "/approve",
                t.approverKey(), null)).at("/execution");
        assertThat(failed.get("status").asString()).isEqualTo("failed");
        assertThat(failed.at("/error/code").asString()).isEqualTo("provider_auth_failed");

        Http.Response next = expect(409, story.execute(t.runtimeKey(), "metaads", "ads.fetch_report", "later-2",
                Map.of("since", "2026-11-01", "until", "2026-11-02", "granularity", "total")));
        assertThat(next.text("/error/code")).isEqualTo("not_ready");
        assertThat(story.wallet(t).get("reserved_minor").asLong()).isZero();
    }

    private static MetaAdsSimulator meta() {
        return (MetaAdsSimulator) broker.bean(LocalSimulators.class).forProvider("metaads").orElseThrow();
    }
}
