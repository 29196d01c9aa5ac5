package dev.minutework.broker.core.receipt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class MerkleTreeTest {

    /** The leaves of the Certificate Transparency reference tests (RFC 6962 implementations share them). */
    private static final List<byte[]> CT_LEAVES = List.of(hex(""), hex("00"), hex("10"), hex("2021"), hex("3031"),
            hex("40414243"), hex("5051525354555657"), hex("606162636465666768696a6b6c6d6e6f"));

    @Test
    void rootsMatchTheCertificateTransparencyReferenceVectors() {
        List<byte[]> leaves = CT_LEAVES.stream().map(MerkleTree::leafHash).toList();
        assertThat(hex(MerkleTree.root(leaves, 0)))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(hex(MerkleTree.root(leaves, 1)))
                .isEqualTo("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
        assertThat(hex(MerkleTree.root(leaves, 2)))
                .isEqualTo("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125");
        assertThat(hex(MerkleTree.root(leaves, 8)))
                .isEqualTo("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
    }

    @Test
    void everyInclusionProofOfEveryTreeUpTo40LeavesVerifiesAndAnAlteredOneDoesNot() {
        List<byte[]> leaves = leaves(40);
        for (int size = 1; size <= 40; size++) {
            byte[] root = MerkleTree.root(leaves, size);
            for (int i = 0; i < size; i++) {
                List<byte[]> proof = MerkleTree.inclusionProof(leaves, i, size);
                assertThat(MerkleTree.verifyInclusion(leaves.get(i), i, size, proof, root)).as("%d of %d", i, size).isTrue();
                assertThat(MerkleTree.verifyInclusion(leaves.get((i + 1) % 40), i, size, proof, root)).isFalse();
                if (size > 1) {
                    assertThat(MerkleTree.verifyInclusion(leaves.get(i), (i + 1) % size, size, proof, root)).isFalse();
                }
            }
        }
    }

    @Test
    void everyConsistencyProofUpTo40LeavesVerifiesAndAnEditedHistoryDoesNot() {
        List<byte[]> leaves = leaves(40);
        for (int second = 1; second <= 40; second++) {
            byte[] secondRoot = MerkleTree.root(leaves, second);
            for (int first = 1; first <= second; first++) {
                byte[] firstRoot = MerkleTree.root(leaves, first);
                List<byte[]> proof = MerkleTree.consistencyProof(leaves, first, second);
                assertThat(MerkleTree.verifyConsistency(first, second, firstRoot, secondRoot, proof))
                        .as("%d → %d", first, second).isTrue();
                if (first < second) {
                    // a log that rewrote an entry below `first` and recomputed everything after it
                    List<byte[]> edited = new ArrayList<>(leaves);
                    edited.set(first - 1, MerkleTree.leafHash(new byte[] {9, 9}));
                    byte[] editedRoot = MerkleTree.root(edited, second);
                    List<byte[]> editedProof = MerkleTree.consistencyProof(edited, first, second);
                    assertThat(MerkleTree.verifyConsistency(first, second, firstRoot, editedRoot, editedProof))
                            .as("edited %d → %d", first, second).isFalse();
                }
            }
        }
    }

    private static List<byte[]> leaves(int n) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(MerkleTree.leafHash(("entry " + i).getBytes()));
        }
        return out;
    }

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
