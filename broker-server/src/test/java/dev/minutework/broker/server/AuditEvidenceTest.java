package dev.minutework.broker.server;

import static dev.minutework.broker.server.support.Story.expect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minutework.broker.core.receipt.AuditLog;
import dev.minutework.broker.core.receipt.Checkpoint;
import dev.minutework.broker.core.receipt.MerkleTree;
import dev.minutework.broker.core.receipt.OfflineVerifier;
import dev.minutework.broker.core.receipt.VerifyCommand;
import dev.minutework.broker.server.support.BrokerTestCase;
import dev.minutework.broker.server.support.Http;
import dev.minutework.broker.server.support.Story;
import dev.minutework.broker.server.support.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Issue 15: every served field is hashed, the three logs verify, signed checkpoints (C2SP
 * tlog-checkpoint, Ed25519) pin them, inclusion and consistency proofs check out, and an export
 * verifies offline against a checkpoint — while an edit of any served field, a rewrite that
 * recomputes every later hash, and a cut tail are caught against an earlier checkpoint, by the
 * broker's verify and by the offline verifier, whatever a superuser did in the database.
 */
class AuditEvidenceTest extends BrokerTestCase {

    private Story.Tenant active(String name) {
        Story.Tenant t = story.tenant(name, Story.Setup.ready());
        story.createApproved(t, "c-1", Story.campaign("Audit me", 1_000));
        assertThat(story.verify(t).get("valid").asBoolean()).isTrue();
        return t;
    }

    @Test
    void aCheckpointIsSignedTheProofsCheckOutAndTheExportVerifiesOffline(@TempDir Path dir) throws Exception {
        Story.Tenant t = active("Evidence");
        JsonNode cp = expect(200, http.get("/v1/receipts/checkpoint", t.viewerKey())).json();
        String note = cp.get("checkpoint").asString();
        String key = cp.get("public_key").asString();
        Checkpoint first = Checkpoint.verify(note, key).orElseThrow();
        assertThat(first.origin()).isEqualTo("governed-broker/receipts/" + t.id());
        assertThat(first.size()).isEqualTo(story.verify(t).get("count").asLong());
        assertThat(note.lines().toList()).first().isEqualTo(first.origin());

        // a receipt's inclusion in the signed tree, from the served receipt alone
        List<JsonNode> served = expect(200, http.get("/v1/receipts?limit=1000", t.viewerKey())).at("/receipts")
                .valueStream().toList();
        JsonNode third = served.get(2);
        JsonNode inclusion = expect(200, http.get("/v1/receipts/inclusion-proof?seq=3&tree_size=" + first.size(),
                t.viewerKey())).json();
        byte[] leaf = AuditLog.leafHash(asMap(third));
        assertThat(b64(inclusion.get("leaf_hash").asString())).isEqualTo(leaf);
        assertThat(MerkleTree.verifyInclusion(leaf, 2, first.size(), inclusion.get("audit_path").valueStream()
                .map(n -> b64(n.asString())).toList(), first.rootHash())).isTrue();

        // the log grows; the new checkpoint is consistent with the first
        story.createApproved(t, "c-2", Story.campaign("Audit me too", 500));
        Checkpoint second = Checkpoint.verify(expect(200, http.get("/v1/receipts/checkpoint", t.viewerKey()))
                .text("/checkpoint"), key).orElseThrow();
        assertThat(second.size()).isGreaterThan(first.size());
        JsonNode consistency = expect(200, http.get("/v1/receipts/consistency-proof?first=" + first.size()
                + "&second=" + second.size(), t.viewerKey())).json();
        assertThat(MerkleTree.verifyConsistency(first.size(), second.size(), first.rootHash(), second.rootHash(),
                consistency.get("proof").valueStream().map(n -> b64(n.asString())).toList())).isTrue();

        // the export verifies offline, with the jar's own command, against the earlier checkpoint
        Files.writeString(dir.resolve("export.json"), expect(200, http.get("/v1/receipts/export", t.viewerKey())).raw());
        Files.writeString(dir.resolve("checkpoint.txt"), note);
        Files.writeString(dir.resolve("key.txt"), key);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = VerifyCommand.run(new String[] {"verify", "--export", dir.resolve("export.json").toString(),
                "--checkpoint", dir.resolve("checkpoint.txt").toString(), "--public-key", dir.resolve("key.txt").toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("valid: ");
        assertThat(status).isZero();

        // the spend policy log is covered and checkpointed too
        JsonNode verify = story.verify(t);
        assertThat(verify.at("/chains/spend_policy/valid").asBoolean()).isTrue();
        assertThat(verify.at("/chains/spend_policy/count").asLong()).isPositive();
        JsonNode spend = expect(200, http.get("/v1/receipts/checkpoint?chain=spend_policy", t.viewerKey())).json();
        assertThat(Checkpoint.verify(spend.get("checkpoint").asString(), key)).get()
                .satisfies(c -> assertThat(c.origin()).isEqualTo("governed-broker/spend_policy/" + t.id()));
        String spendExport = expect(200, http.get("/v1/receipts/export?chain=spend_policy", t.viewerKey())).raw();
        assertThat(OfflineVerifier.verify(spendExport, spend.get("checkpoint").asString(), key).valid()).isTrue();
        assertThat(OfflineVerifier.verify(spendExport, note, key).valid()).as("a checkpoint of another log").isFalse();
    }

    @Test
    void editingAServedFieldOutsideThePayloadIsCaught() throws SQLException {
        for (String edit : List.of("actor = 'someone-else'", "execution_id = 'exe_forged'",
                "created_at = created_at - interval '1 hour'")) {
            Story.Tenant t = active("Field " + edit.substring(0, 8));
            Evidence before = evidence(t);
            asSuperuser("update broker_receipts set " + edit + " where tenant_id = ? and seq = 4", t.id());
            JsonNode v = story.verify(t);
            assertThat(v.get("valid").asBoolean()).as("%s: %s", edit, v).isFalse();
            assertThat(v.get("first_bad_seq").asLong()).isEqualTo(4);
            assertThat(before.offline(t).valid()).as(edit).isFalse();
        }
    }

    @Test
    void aRewriteThatRecomputesEveryLaterHashIsCaughtAgainstTheCheckpoint() throws SQLException {
        Story.Tenant t = active("Rewritten");
        Evidence before = evidence(t);
        // rewrite receipt 3's payload and recompute its digest, its hash and every later link and the
        // head, as anyone with the database could: the chain alone is consistent again
        asSuperuser("""
                update broker_receipts set payload = replace(payload, '"kind"', '"note":"rewritten","kind"')
                where tenant_id = ? and seq = 3""", t.id());
        List<Map<String, Object>> rows = jdbc.sql("select seq, kind, payload from broker_receipts where tenant_id = :t order by seq")
                .param("t", t.id()).query((rs, n) -> Map.<String, Object>of("seq", rs.getLong(1), "kind", rs.getString(2),
                        "payload", rs.getString(3))).list();
        String prev = dev.minutework.broker.core.receipt.ReceiptChain.GENESIS;
        for (Map<String, Object> r : rows) {
            String digest = dev.minutework.broker.core.json.CanonicalJson.sha256Hex((String) r.get("payload"));
            String hash = dev.minutework.broker.core.receipt.ReceiptChain.linkHash(t.id(), (Long) r.get("seq"),
                    (String) r.get("kind"), digest, prev);
            asSuperuser("update broker_receipts set payload_digest = ?, prev_hash = ?, hash = ? where tenant_id = ? and seq = "
                    + r.get("seq"), digest, prev, hash, t.id());
            prev = hash;
        }
        asSuperuser("update chain_heads set hash = ? where tenant_id = ? and chain = 'receipts'", prev, t.id());

        JsonNode v = story.verify(t);
        assertThat(v.get("valid").asBoolean()).as("%s", v).isFalse();
        assertThat(v.at("/chains/receipts/problem").asString()).contains("checkpoint");
        OfflineVerifier.Report offline = before.offline(t);
        assertThat(offline.valid()).isFalse();
        assertThat(offline.lines().getLast()).contains("not those the checkpoint signed");
        assertThat(http.get("/v1/receipts/checkpoint", t.viewerKey()).status()).as("no checkpoint of a rewritten log")
                .isEqualTo(409);
    }

    @Test
    void cuttingTheTailWithTheHeadMovedBackIsCaughtAgainstTheCheckpoint() throws SQLException {
        Story.Tenant t = active("Cut tail");
        Evidence before = evidence(t);
        long count = story.verify(t).get("count").asLong();
        asSuperuser("delete from broker_receipts where tenant_id = ? and seq > " + (count - 2), t.id());
        String head = jdbc.sql("select hash from broker_receipts where tenant_id = :t and seq = :s").param("t", t.id())
                .param("s", count - 2).query(String.class).single();
        asSuperuser("update chain_heads set seq = " + (count - 2) + ", hash = ? where tenant_id = ? and chain = 'receipts'",
                head, t.id());
        JsonNode v = story.verify(t);
        assertThat(v.get("valid").asBoolean()).as("%s", v).isFalse();
        OfflineVerifier.Report offline = before.offline(t);
        assertThat(offline.valid()).isFalse();
        assertThat(offline.lines().getLast()).contains("fewer than the " + count);
    }

    @Test
    void editingASpendPolicyReceiptIsCaught() throws SQLException {
        Story.Tenant t = active("Spend edited");
        asSuperuser("update spend_policy_receipts set reservation_id = 'res_forged' where tenant_id = ? and seq = 1", t.id());
        JsonNode v = story.verify(t);
        assertThat(v.get("valid").asBoolean()).isFalse();
        assertThat(v.at("/chains/spend_policy/first_bad_seq").asLong()).isEqualTo(1);
        assertThat(v.at("/chains/receipts/valid").asBoolean()).isTrue();
    }

    @Test
    void theWebhookLogIsTheOperatorsAndATenantKeyCannotReadIt() {
        Story.Tenant t = active("Webhook log");
        assertThat(http.get("/v1/receipts/verify?chain=webhooks&provider_account_id=" + t.providerAccountId(),
                t.viewerKey()).status()).isEqualTo(403);
        JsonNode v = expect(200, http.get("/v1/receipts/verify?chain=webhooks&provider_account_id="
                + t.providerAccountId(), Story.OP)).json();
        assertThat(v.get("valid").asBoolean()).isTrue();
        assertThat(http.get("/v1/receipts/verify?chain=nope", t.viewerKey()).errorCode()).isEqualTo("invalid_input");
    }

    @Test
    void aPublishedCheckpointCannotBeChangedByTheBrokersRoleNorByTheOwner() {
        Story.Tenant t = active("Checkpoint kept");
        long size = expect(200, http.get("/v1/receipts/checkpoint", t.viewerKey())).at("/tree_size").asLong();
        String update = "update receipt_checkpoints set root_hash = 'x' where owner_id = '" + t.id() + "'";
        assertThatThrownBy(() -> jdbc.sql(update).update()).as("the broker's own role")
                .hasStackTraceContaining("permission denied");
        assertThatThrownBy(() -> TestPostgres.client(broker.jdbcUrl()).sql(update).update()).as("the owner")
                .hasStackTraceContaining("append-only table receipt_checkpoints: UPDATE refused");
        assertThat(expect(200, http.get("/v1/receipts/checkpoint?tree_size=" + size, t.viewerKey()))
                .text("/root_hash")).isNotEqualTo("x");
    }

    /** What a careful reader kept: the export and a signed checkpoint of the log as it was. */
    private record Evidence(String checkpoint, String key) {
        OfflineVerifier.Report offline(Story.Tenant t) {
            return OfflineVerifier.verify(expect(200, http.get("/v1/receipts/export", t.viewerKey())).raw(), checkpoint, key);
        }
    }

    private static Evidence evidence(Story.Tenant t) {
        Http.Response cp = expect(200, http.get("/v1/receipts/checkpoint", t.viewerKey()));
        Evidence e = new Evidence(cp.text("/checkpoint"), cp.text("/public_key"));
        assertThat(e.offline(t).valid()).as("before tampering").isTrue();
        return e;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(JsonNode node) {
        return dev.minutework.broker.core.json.JsonParser.parseObject(node.toString());
    }

    private static byte[] b64(String s) {
        return Base64.getDecoder().decode(s);
    }

    /** What a superuser with psql could do: switch the append-only triggers off for the session. */
    private static void asSuperuser(String sql, String... params) {
        TestPostgres.tamper(broker.jdbcUrl(), sql, params);
    }
}
