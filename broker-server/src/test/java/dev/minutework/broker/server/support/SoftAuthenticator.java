package dev.minutework.broker.server.support;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A software WebAuthn authenticator for tests: an EC P-256 key pair (ES256), a random credential
 * id, a signature counter. It answers the broker's creation options with a {@code none} attestation
 * (attestationObject in CBOR, clientDataJSON of type {@code webauthn.create}) and its request options
 * with an assertion, each as the JSON a browser's {@code PublicKeyCredential.toJSON()} produces.
 */
public final class SoftAuthenticator {

    /** The origin a browser would report for the console (any port of http://localhost is allowed). */
    public static final String ORIGIN = "http://localhost:5173";

    private final KeyPair keys;
    private final byte[] credentialId = new byte[32];
    private int counter;
    private byte[] userHandle;

    public SoftAuthenticator() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            keys = g.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        new SecureRandom().nextBytes(credentialId);
    }

    public String credentialId() {
        return b64(credentialId);
    }

    /** The credential (PublicKeyCredential JSON) for creation options {@code publicKey}. */
    public Map<String, Object> register(JsonNode publicKey) {
        String rpId = publicKey.at("/rp/id").asString();
        userHandle = Base64.getUrlDecoder().decode(publicKey.at("/user/id").asString());
        byte[] clientData = clientData("webauthn.create", publicKey.get("challenge").asString(), ORIGIN);
        ByteArrayOutputStream auth = new ByteArrayOutputStream();
        auth.writeBytes(sha256(rpId.getBytes(StandardCharsets.UTF_8)));
        auth.write(0x45); // UP, UV, AT (attested credential data)
        auth.writeBytes(ByteBuffer.allocate(4).putInt(counter).array());
        auth.writeBytes(new byte[16]); // AAGUID
        auth.writeBytes(ByteBuffer.allocate(2).putShort((short) credentialId.length).array());
        auth.writeBytes(credentialId);
        auth.writeBytes(coseKey());
        Cbor att = new Cbor().map(3).text("fmt").text("none").text("attStmt").map(0).text("authData")
                .bytes(auth.toByteArray());
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("clientDataJSON", b64(clientData));
        // what a browser's toJSON() adds beside the attestation object: the broker must take it as sent
        response.put("authenticatorData", b64(auth.toByteArray()));
        response.put("transports", List.of("internal"));
        response.put("publicKey", b64(keys.getPublic().getEncoded()));
        response.put("publicKeyAlgorithm", -7);
        response.put("attestationObject", b64(att.toByteArray()));
        return credential(response);
    }

    /** An assertion (PublicKeyCredential JSON) for request options {@code publicKey}, user present and verified. */
    public Map<String, Object> assertion(JsonNode publicKey) {
        return assertion(publicKey.at("/rpId").asString(), publicKey.get("challenge").asString(), ORIGIN, 0x05);
    }

    /** An assertion of any challenge, origin and flags (UP 0x01, UV 0x04). */
    public Map<String, Object> assertion(String rpId, String challenge, String origin, int flags) {
        counter++;
        byte[] clientData = clientData("webauthn.get", challenge, origin);
        ByteArrayOutputStream auth = new ByteArrayOutputStream();
        auth.writeBytes(sha256(rpId.getBytes(StandardCharsets.UTF_8)));
        auth.write(flags);
        auth.writeBytes(ByteBuffer.allocate(4).putInt(counter).array());
        byte[] authData = auth.toByteArray();
        byte[] signature;
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(keys.getPrivate());
            s.update(authData);
            s.update(sha256(clientData));
            signature = s.sign();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("clientDataJSON", b64(clientData));
        response.put("authenticatorData", b64(authData));
        response.put("signature", b64(signature));
        response.put("userHandle", userHandle == null ? null : b64(userHandle));
        return credential(response);
    }

    private Map<String, Object> credential(Map<String, Object> response) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("id", b64(credentialId));
        c.put("rawId", b64(credentialId));
        c.put("type", "public-key");
        c.put("response", response);
        c.put("clientExtensionResults", Map.of());
        c.put("authenticatorAttachment", "platform");
        return c;
    }

    private byte[] coseKey() {
        ECPublicKey pub = (ECPublicKey) keys.getPublic();
        return new Cbor().map(5).integer(1).integer(2).integer(3).integer(-7).integer(-1).integer(1)
                .integer(-2).bytes(fixed(pub.getW().getAffineX())).integer(-3).bytes(fixed(pub.getW().getAffineY()))
                .toByteArray();
    }

    private static byte[] clientData(String type, String challenge, String origin) {
        return ("{\"type\":\"" + type + "\",\"challenge\":\"" + challenge + "\",\"origin\":\"" + origin
                + "\",\"crossOrigin\":false}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] fixed(BigInteger v) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[32];
        int len = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - len, out, 32 - len, len);
        return out;
    }

    private static byte[] sha256(byte[] in) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(in);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Just enough CBOR to write an attestation object and a COSE key. */
    private static final class Cbor {

        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Cbor map(int pairs) {
            head(5, pairs);
            return this;
        }

        Cbor text(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            head(3, b.length);
            out.writeBytes(b);
            return this;
        }

        Cbor bytes(byte[] b) {
            head(2, b.length);
            out.writeBytes(b);
            return this;
        }

        Cbor integer(long v) {
            return v >= 0 ? head(0, v) : head(1, -1 - v);
        }

        private Cbor head(int major, long arg) {
            if (arg < 24) {
                out.write(major << 5 | (int) arg);
            } else if (arg < 256) {
                out.write(major << 5 | 24);
                out.write((int) arg);
            } else if (arg < 65536) {
                out.write(major << 5 | 25);
                out.writeBytes(ByteBuffer.allocate(2).putShort((short) arg).array());
            } else {
                out.write(major << 5 | 26);
                out.writeBytes(ByteBuffer.allocate(4).putInt((int) arg).array());
            }
            return this;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(out.toByteArray(), out.size());
        }
    }
}
