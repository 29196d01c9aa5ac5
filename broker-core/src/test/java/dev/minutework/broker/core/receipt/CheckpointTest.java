package dev.minutework.broker.core.receipt;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class CheckpointTest {

    /** The example of Go's signed-note package documentation (golang.org/x/mod/sumdb/note). */
    @Test
    void verifiesTheReferenceSignedNote() {
        String vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
        String note = "If you think cryptography is the answer to your problem,\n"
                + "then you don't know what your problem is.\n"
                + "\n"
                + "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
        assertThat(Checkpoint.signedBy(note, vkey)).isTrue();
        assertThat(Checkpoint.signedBy(note.replace("cryptography", "cryptographY"), vkey)).isFalse();
    }

    @Test
    void aSignedCheckpointVerifiesWithItsKeyOnlyAndUnchangedOnly() throws Exception {
        KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        KeyPair other = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] root = MerkleTree.leafHash(new byte[] {1});
        Checkpoint cp = new Checkpoint("broker.example/receipts/ten_1", 7, root);
        String note = cp.sign("broker.example", keys.getPrivate(), keys.getPublic());
        String vkey = Checkpoint.verifierKey("broker.example", keys.getPublic());

        assertThat(note).startsWith("broker.example/receipts/ten_1\n7\n" + Base64.getEncoder().encodeToString(root)
                + "\n\n\u2014 broker.example ");
        assertThat(vkey).matches("broker\\.example\\+[0-9a-f]{8}\\+[A-Za-z0-9+/=]{44}");
        assertThat(Checkpoint.verify(note, vkey)).contains(cp);
        assertThat(Checkpoint.verify(note.replace("\n7\n", "\n6\n"), vkey)).as("a smaller size").isEmpty();
        assertThat(Checkpoint.verify(note, Checkpoint.verifierKey("broker.example", other.getPublic()))).isEmpty();
        assertThat(Checkpoint.verify(note, vkey.replace("broker.example", "other.example"))).isEmpty();
    }
}
