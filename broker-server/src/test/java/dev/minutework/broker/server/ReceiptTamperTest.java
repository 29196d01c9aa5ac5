package dev.minutework.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minutework.broker.server.support.BrokerTestCase;
import dev.minutework.broker.server.support.Story;
import dev.minutework.broker.server.support.TestPostgres;
import java.sql.SQLException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Invariant 5: the audit tables are append-only in the database, and whatever a superuser does to
 * a receipt row behind the broker's back, {@code GET /v1/receipts/verify} names the first sequence
 * it touched. (The tampering runs as the superuser, the tables' owner: the broker's own role may
 * not do it at all, see DatabaseRolesTest.)
 */
class ReceiptTamperTest extends BrokerTestCase {

    /** A tenant with a few receipts and one approved campaign (so spend policy receipts exist too). */
    private Story.Tenant active(String name) {
        Story.Tenant t = story.tenant(name, Story.Setup.ready());
        story.createApproved(t, "c-1", Story.campaign("Audit me", 1_000));
        JsonNode v = story.verify(t);
        assertThat(v.get("valid").asBoolean()).isTrue();
        assertThat(v.get("count").asLong()).isGreaterThan(8);
        return t;
    }

    @Test
    void editingOneReceiptsPayloadFailsVerificationAtThatSequence() throws SQLException {
        Story.Tenant t = active("Edited");
        asSuperuser("update broker_receipts set payload = replace(payload, 'operator', 'someone') where tenant_id = ? and seq = 4",
                t.id());
        assertBrokenAt(t, 4);
    }

    @Test
    void editingAReceiptTogetherWithItsDigestStillFails() throws SQLException {
        Story.Tenant t = active("Edited with digest");
        asSuperuser("""
                update broker_receipts set payload = '{"forged":true}',
                  payload_digest = encode(sha256(convert_to('{"forged":true}', 'UTF8')), 'hex')
                where tenant_id = ? and seq = 6""", t.id());
        assertBrokenAt(t, 6);
    }

    @Test
    void deletingOneReceiptFailsVerificationAtThatSequence() throws SQLException {
        Story.Tenant t = active("Deleted");
        asSuperuser("delete from broker_receipts where tenant_id = ? and seq = 5", t.id());
        assertBrokenAt(t, 5);
    }

    @Test
    void deletingTheLastReceiptIsDetectedAgainstTheChainHead() throws SQLException {
        Story.Tenant t = active("Truncated tail");
        long count = story.verify(t).get("count").asLong();
        asSuperuser("delete from broker_receipts where tenant_id = ? and seq = (select max(seq) from broker_receipts where tenant_id = ?)",
                t.id(), t.id());
        assertBrokenAt(t, count);
    }

    @Test
    void reorderingTwoReceiptsFailsVerificationAtTheFirstOfThem() throws SQLException {
        Story.Tenant t = active("Reordered");
        asSuperuser("update broker_receipts set seq = -1 where tenant_id = ? and seq = 3", t.id());
        asSuperuser("update broker_receipts set seq = 3 where tenant_id = ? and seq = 4", t.id());
        asSuperuser("update broker_receipts set seq = 4 where tenant_id = ? and seq = -1", t.id());
        assertBrokenAt(t, 3);
    }

    @Test
    void anotherTenantsChainIsUnaffectedByTampering() throws SQLException {
        Story.Tenant victim = active("Victim");
        Story.Tenant bystander = active("Bystander");
        asSuperuser("delete from broker_receipts where tenant_id = ? and seq = 2", victim.id());
        assertBrokenAt(victim, 2);
        assertThat(story.verify(bystander).get("valid").asBoolean()).isTrue();
    }

    /**
     * The broker's own role may not change these tables at all (DatabaseRolesTest); their triggers
     * refuse the changes even to the role that owns them, unless it switches them off, as above.
     */
    @ParameterizedTest
    @ValueSource(strings = {"broker_receipts", "spend_policy_receipts", "broker_webhook_events"})
    void theAppendOnlyTriggersRefuseUpdateDeleteAndTruncateEvenToTheOwner(String table) {
        Story.Tenant t = active("Append only " + table);
        if (table.equals("broker_webhook_events")) {
            // no inbound webhooks in this test: append one row so the row triggers have something to guard
            jdbc.sql("""
                    insert into broker_webhook_events (tenant_id, seq, kind, provider, provider_event_id, signature_verdict,
                      raw_body_digest, payload, payload_digest, prev_hash, hash, created_at)
                    values (:t, 1, 'test.event', 'openaiads', 'evt-1', 'valid', 'd', '{}', 'd', 'p', 'h', now())
                    """).param("t", t.id()).update();
        }
        JdbcClient owner = TestPostgres.client(broker.jdbcUrl());
        long rows = owner.sql("select count(*) from " + table + " where tenant_id = :t").param("t", t.id())
                .query(Long.class).single();
        assertThat(rows).as("rows of %s to guard", table).isPositive();
        assertThatThrownBy(() -> owner.sql("update " + table + " set payload = '{}' where tenant_id = :t")
                .param("t", t.id()).update())
                .hasStackTraceContaining("append-only table " + table + ": UPDATE refused");
        assertThatThrownBy(() -> owner.sql("delete from " + table + " where tenant_id = :t").param("t", t.id()).update())
                .hasStackTraceContaining("append-only table " + table + ": DELETE refused");
        assertThatThrownBy(() -> owner.sql("truncate " + table).update())
                .hasStackTraceContaining("append-only table " + table + ": TRUNCATE refused");
        assertThat(owner.sql("select count(*) from " + table + " where tenant_id = :t").param("t", t.id())
                .query(Long.class).single()).as("rows of %s after the refused changes", table).isEqualTo(rows);
        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
    }

    private static void assertBrokenAt(Story.Tenant t, long seq) {
        JsonNode v = story.verify(t);
        assertThat(v.get("valid").asBoolean()).as("verify after tampering: %s", v).isFalse();
        assertThat(v.get("first_bad_seq").asLong()).as("verify after tampering: %s", v).isEqualTo(seq);
    }

    /** What a superuser with psql could do: switch the append-only triggers off for the session. */
    private static void asSuperuser(String sql, String... params) {
        TestPostgres.tamper(broker.jdbcUrl(), sql, params);
    }
}
