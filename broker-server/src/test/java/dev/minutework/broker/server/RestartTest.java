package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.server.support.Broker;
import dev.minutework.broker.server.support.Story;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** The default run: embedded PostgreSQL whose data directory survives a restart. */
class RestartTest {

    @Test
    void aRestartKeepsTenantsKeysWalletsCredentialsAndReceipts() {
        Path data = Broker.tempDir();
        Story.Tenant t;
        JsonNode verifyBefore;
        JsonNode walletBefore;
        try (Broker broker = Broker.startEmbedded(data)) {
            // what the broker commits survives a crash of the machine, not only of the broker
            JdbcClient db = broker.bean(JdbcClient.class);
            assertThat(db.sql("show fsync").query(String.class).single()).isEqualTo("on");
            assertThat(db.sql("show synchronous_commit").query(String.class).single()).isEqualTo("on");
            assertThat(db.sql("show full_page_writes").query(String.class).single()).isEqualTo("on");
            Story story = new Story(broker.http());
            t = story.tenant("Survivor", Story.Setup.ready());
            story.createApproved(t, "before-restart", Story.campaign("Survives", 4_000));
            verifyBefore = story.verify(t);
            walletBefore = story.wallet(t);
        }
        assertThat(Files.isDirectory(data.resolve("postgres"))).isTrue();
        assertThat(Files.isRegularFile(data.resolve("master-keyset.json"))).isTrue();

        try (Broker broker = Broker.startEmbedded(data)) {
            Story story = new Story(broker.http());
            assertThat(story.wallet(t)).isEqualTo(walletBefore);
            assertThat(walletBefore.get("reserved_minor").asLong()).isEqualTo(4_000);
            JsonNode verifyAfter = story.verify(t);
            assertThat(verifyAfter).isEqualTo(verifyBefore);
            assertThat(verifyAfter.get("valid").asBoolean()).isTrue();
            // the credentials were encrypted with the keyset kept on disk, so they still decrypt
            JsonNode preflight = expect(200, broker.http().get("/v1/integration-broker/preflight", t.runtimeKey())).json();
            assertThat(preflight.get("ready").asBoolean()).as("preflight after restart: %s", preflight).isTrue();
            // and the broker keeps working on the same chain
            story.createApproved(t, "after-restart", Story.campaign("After", 1_000));
            assertThat(story.verify(t).get("count").asLong()).isGreaterThan(verifyBefore.get("count").asLong());
            assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
        }
    }
}
