package dev.minutework.broker.core.receipt;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Merkle tree of RFC 6962 §2.1 (as restated by RFC 9162 §2.1) over a log's entries: leaf hash
 * {@code SHA-256(0x00 ‖ entry)}, interior node {@code SHA-256(0x01 ‖ left ‖ right)}, split at the
 * largest power of two below the size. It computes tree heads, inclusion and consistency proofs
 * from the leaf hashes, and verifies proofs with the algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2,
 * so a verifier needs only a proof, two sizes and the roots.
 */
public final class MerkleTree {

    private MerkleTree() {}

    /** {@code SHA-256(0x00 ‖ entry)}. */
    public static byte[] leafHash(byte[] entry) {
        MessageDigest d = sha256();
        d.update((byte) 0);
        d.update(entry);
        return d.digest();
    }

    /** {@code SHA-256(0x01 ‖ left ‖ right)}. */
    public static byte[] nodeHash(byte[] left, byte[] right) {
        MessageDigest d = sha256();
        d.update((byte) 1);
        d.update(left);
        d.update(right);
        return d.digest();
    }

    /** The tree head of the first {@code size} leaves ({@code SHA-256("")} for none). */
    public static byte[] root(List<byte[]> leafHashes, int size) {
        check(size <= leafHashes.size(), "size beyond the leaves");
        if (size == 0) {
            return sha256().digest();
        }
        return mth(leafHashes, 0, size);
    }

    private static byte[] mth(List<byte[]> leaves, int from, int to) {
        int n = to - from;
        if (n == 1) {
            return leaves.get(from);
        }
        int k = split(n);
        return nodeHash(mth(leaves, from, from + k), mth(leaves, from + k, to));
    }

    /** The inclusion proof (audit path) of leaf {@code index} in the tree of the first {@code size} leaves. */
    public static List<byte[]> inclusionProof(List<byte[]> leafHashes, int index, int size) {
        check(size <= leafHashes.size() && index >= 0 && index < size, "index outside the tree");
        List<byte[]> proof = new ArrayList<>();
        path(leafHashes, index, 0, size, proof);
        return proof;
    }

    private static void path(List<byte[]> leaves, int m, int from, int to, List<byte[]> out) {
        int n = to - from;
        if (n == 1) {
            return;
        }
        int k = split(n);
        if (m < k) {
            path(leaves, m, from, from + k, out);
            out.add(mth(leaves, from + k, to));
        } else {
            path(leaves, m - k, from + k, to, out);
            out.add(mth(leaves, from, from + k));
        }
    }

    /** The consistency proof between the trees of the first {@code first} and {@code second} leaves. */
    public static List<byte[]> consistencyProof(List<byte[]> leafHashes, int first, int second) {
        check(0 < first && first <= second && second <= leafHashes.size(), "sizes outside the tree");
        List<byte[]> proof = new ArrayList<>();
        subproof(leafHashes, first, 0, second, true, proof);
        return proof;
    }

    private static void subproof(List<byte[]> leaves, int m, int from, int to, boolean whole, List<byte[]> out) {
        int n = to - from;
        if (m == n) {
            if (!whole) {
                out.add(mth(leaves, from, to));
            }
            return;
        }
        int k = split(n);
        if (m <= k) {
            subproof(leaves, m, from, from + k, whole, out);
            out.add(mth(leaves, from + k, to));
        } else {
            subproof(leaves, m - k, from + k, to, false, out);
            out.add(mth(leaves, from, from + k));
        }
    }

    /** Whether {@code proof} shows leaf {@code index} with hash {@code leafHash} in the tree of {@code size} with head {@code root}. */
    public static boolean verifyInclusion(byte[] leafHash, long index, long size, List<byte[]> proof, byte[] root) {
        if (index < 0 || index >= size) {
            return false;
        }
        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash;
        for (byte[] p : proof) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = nodeHash(p, r);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                r = nodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && Arrays.equals(r, root);
    }

    /** Whether {@code proof} shows the tree of {@code first} (head {@code firstRoot}) is a prefix of that of {@code second}. */
    public static boolean verifyConsistency(long first, long second, byte[] firstRoot, byte[] secondRoot,
            List<byte[]> proof) {
        if (first < 0 || first > second) {
            return false;
        }
        if (first == second) {
            return proof.isEmpty() && Arrays.equals(firstRoot, secondRoot);
        }
        if (first == 0) {
            return proof.isEmpty();
        }
        if (proof.isEmpty()) {
            return false;
        }
        List<byte[]> path = new ArrayList<>(proof);
        if (Long.bitCount(first) == 1) { // first is a power of two: its root is the path's first node
            path.addFirst(firstRoot);
        }
        long fn = first - 1;
        long sn = second - 1;
        while ((fn & 1) == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        byte[] fr = path.getFirst();
        byte[] sr = path.getFirst();
        for (byte[] c : path.subList(1, path.size())) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = nodeHash(c, fr);
                sr = nodeHash(c, sr);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                sr = nodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && Arrays.equals(fr, firstRoot) && Arrays.equals(sr, secondRoot);
    }

    /** The largest power of two smaller than {@code n} (n ≥ 2). */
    private static int split(int n) {
        return Integer.highestOneBit(n - 1);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException(what);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
