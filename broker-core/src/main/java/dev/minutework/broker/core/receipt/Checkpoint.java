package dev.minutework.broker.core.receipt;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A log checkpoint in the C2SP {@code tlog-checkpoint} format — origin, tree size, root hash
 * (standard base64), one per line — signed as a C2SP {@code signed-note} with Ed25519: after a
 * blank line, {@code — <key name> <base64(key id ‖ signature)>}, where the key id is the first four
 * bytes of {@code SHA-256(key name ‖ "\n" ‖ 0x01 ‖ public key)} and the signature covers the note
 * text, final newline included. Public keys travel as verifier keys,
 * {@code <name>+<hex key id>+<base64(0x01 ‖ public key)>}.
 *
 * @param origin the log's name, e.g. {@code governed-broker/receipts/ten_…}
 * @param size how many entries the tree holds
 * @param rootHash its head ({@link MerkleTree#root})
 */
public record Checkpoint(String origin, long size, byte[] rootHash) {

    private static final String DASH = "\u2014 ";
    private static final byte ED25519 = 0x01;
    private static final Pattern NAME = Pattern.compile("[^\\s+]+");
    /** The DER prefix of an X.509 SubjectPublicKeyInfo of an Ed25519 key; the raw key follows. */
    private static final byte[] ED25519_SPKI = HexFormat.of().parseHex("302a300506032b6570032100");

    public Checkpoint {
        if (origin == null || origin.isBlank() || origin.contains("\n") || size < 0 || rootHash == null
                || rootHash.length != 32) {
            throw new IllegalArgumentException("not a checkpoint");
        }
        rootHash = rootHash.clone();
    }

    @Override
    public byte[] rootHash() {
        return rootHash.clone();
    }

    /** The note text: three lines, each ending in a newline. */
    public String body() {
        return origin + "\n" + size + "\n" + Base64.getEncoder().encodeToString(rootHash) + "\n";
    }

    /** The signed note: the body, a blank line and one signature line by {@code keyName}. */
    public String sign(String keyName, PrivateKey key, PublicKey publicKey) {
        requireName(keyName);
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            String body = body();
            s.update(body.getBytes(StandardCharsets.UTF_8));
            byte[] sig = s.sign();
            byte[] line = new byte[4 + sig.length];
            System.arraycopy(keyId(keyName, raw(publicKey)), 0, line, 0, 4);
            System.arraycopy(sig, 0, line, 4, sig.length);
            return body + "\n" + DASH + keyName + " " + Base64.getEncoder().encodeToString(line) + "\n";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not sign the checkpoint", e);
        }
    }

    /** The verifier key of an Ed25519 public key named {@code keyName}. */
    public static String verifierKey(String keyName, PublicKey publicKey) {
        requireName(keyName);
        byte[] raw = raw(publicKey);
        byte[] typed = new byte[33];
        typed[0] = ED25519;
        System.arraycopy(raw, 0, typed, 1, 32);
        return keyName + "+" + HexFormat.of().formatHex(keyId(keyName, raw)) + "+"
                + Base64.getEncoder().encodeToString(typed);
    }

    /**
     * Parses a signed note and checks it carries a valid signature by {@code verifierKey}; other
     * signatures (of other keys) are ignored, as the format allows.
     *
     * @return the checkpoint, or empty when the text is not a well-formed checkpoint signed by that key
     */
    public static Optional<Checkpoint> verify(String signedNote, String verifierKey) {
        if (!signedBy(signedNote, verifierKey)) {
            return Optional.empty();
        }
        try {
            return parseBody(signedNote.substring(0, signedNote.indexOf("\n\n") + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Whether a signed note (any text) carries a valid signature by {@code verifierKey}. */
    static boolean signedBy(String signedNote, String verifierKey) {
        try {
            String[] vk = verifierKey.strip().split("\\+", 3);
            if (vk.length != 3) {
                return false;
            }
            byte[] typed = Base64.getDecoder().decode(vk[2]);
            if (typed.length != 33 || typed[0] != ED25519) {
                return false;
            }
            byte[] raw = Arrays.copyOfRange(typed, 1, 33);
            byte[] id = keyId(vk[0], raw);
            if (!HexFormat.of().formatHex(id).equals(vk[1])) {
                return false;
            }
            int split = signedNote.indexOf("\n\n");
            if (split < 0) {
                return false;
            }
            String body = signedNote.substring(0, split + 1);
            List<String> sigLines = signedNote.substring(split + 2).lines().toList();
            PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki(raw)));
            boolean signed = false;
            for (String line : sigLines) {
                if (!line.startsWith(DASH)) {
                    return false;
                }
                String[] parts = line.substring(DASH.length()).split(" ");
                if (parts.length != 2 || !parts[0].equals(vk[0])) {
                    continue;
                }
                byte[] sig = Base64.getDecoder().decode(parts[1]);
                if (sig.length != 68 || !Arrays.equals(Arrays.copyOf(sig, 4), id)) {
                    continue;
                }
                Signature s = Signature.getInstance("Ed25519");
                s.initVerify(key);
                s.update(body.getBytes(StandardCharsets.UTF_8));
                signed |= s.verify(Arrays.copyOfRange(sig, 4, 68));
            }
            return signed;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private static Optional<Checkpoint> parseBody(String body) {
        List<String> lines = body.lines().toList();
        if (lines.size() < 3 || !lines.get(1).matches("0|[1-9][0-9]{0,18}")) {
            return Optional.empty();
        }
        byte[] root = Base64.getDecoder().decode(lines.get(2));
        return root.length == 32 ? Optional.of(new Checkpoint(lines.get(0), Long.parseLong(lines.get(1)), root))
                : Optional.empty();
    }

    private static byte[] keyId(String name, byte[] raw) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(name.getBytes(StandardCharsets.UTF_8));
            d.update((byte) '\n');
            d.update(ED25519);
            d.update(raw);
            return Arrays.copyOf(d.digest(), 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The raw 32 bytes of an Ed25519 public key (the end of its X.509 encoding). */
    static byte[] raw(PublicKey key) {
        byte[] der = key.getEncoded();
        if (der.length != 44 || !Arrays.equals(Arrays.copyOf(der, 12), ED25519_SPKI)) {
            throw new IllegalArgumentException("not an Ed25519 public key");
        }
        return Arrays.copyOfRange(der, 12, 44);
    }

    private static byte[] spki(byte[] raw) {
        byte[] der = new byte[44];
        System.arraycopy(ED25519_SPKI, 0, der, 0, 12);
        System.arraycopy(raw, 0, der, 12, 32);
        return der;
    }

    private static void requireName(String keyName) {
        if (keyName == null || !NAME.matcher(keyName).matches()) {
            throw new IllegalArgumentException("a key name has no spaces and no '+'");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Checkpoint c && c.origin.equals(origin) && c.size == size
                && Arrays.equals(c.rootHash, rootHash);
    }

    @Override
    public int hashCode() {
        return origin.hashCode() * 31 + Long.hashCode(size) * 17 + Arrays.hashCode(rootHash);
    }

    @Override
    public String toString() {
        return body();
    }
}
