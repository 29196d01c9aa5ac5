package dev.minutework.broker.core.approval;

import dev.minutework.broker.core.json.JsonParser;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a passkey-signed approval leaves in its receipt, and the offline check of it: anyone holding
 * the receipt — no broker, no database, no WebAuthn library — can confirm that the key whose public
 * key is here approved exactly this approval id and payload digest.
 *
 * <p><b>The challenge binds the approval.</b> The broker never asks an authenticator to sign a
 * random challenge alone; it asks it to sign {@link #challenge}:
 *
 * <pre>
 * challenge = SHA-256( len(tag) ‖ tag ‖ len(approval_id) ‖ approval_id
 *                      ‖ len(payload_digest) ‖ payload_digest ‖ len(nonce) ‖ nonce )
 * </pre>
 *
 * where {@code tag} is the ASCII text {@value #DOMAIN}, {@code approval_id} and
 * {@code payload_digest} are the UTF-8 bytes of the approval's id ({@code apr_…}) and of its payload
 * digest as the API shows it (lower-case hex SHA-256 of the RFC 8785 payload), {@code nonce} is 32
 * random bytes from the broker, and each {@code len} is the length in bytes of what follows as a
 * 4-byte big-endian unsigned integer. The tag keeps the value from meaning anything in another
 * protocol; the lengths make the encoding unambiguous.
 *
 * <p><b>What {@link #verify} checks</b> (WebAuthn Level 3 §7.2, the parts that need no stored state):
 * the challenge recomputed from the approval id, payload digest and nonce equals the one recorded
 * and the one in {@code clientDataJSON}; {@code clientDataJSON} is of type {@code webauthn.get},
 * names the recorded origin and is not cross-origin; the authenticator data's rpIdHash is SHA-256 of
 * the recorded rp id; the user was present (UP) and verified (UV); and the signature over
 * {@code authenticatorData ‖ SHA-256(clientDataJSON)} verifies with the COSE public key (ES256,
 * EdDSA or RS256). The signature counter and the single use of the challenge are the broker's live
 * checks; they cannot be checked from one receipt. Whether the rp id and origin are the ones a
 * verifier expects is the verifier's call: they are in the evidence to be compared.
 *
 * @param passkeyId the broker's id of the registered passkey ({@code pk_…})
 * @param credentialId the WebAuthn credential id, base64url
 * @param publicKeyCose the credential's public key as a COSE_Key, base64url
 * @param authenticatorData the assertion's authenticator data, base64url
 * @param clientDataJson the assertion's {@code clientDataJSON} bytes, base64url
 * @param signature the assertion signature, base64url
 * @param userHandle the user handle the authenticator returned, base64url; null when it returned none
 * @param nonce the broker's 32 random bytes of {@link #challenge}, base64url
 * @param challenge the challenge the authenticator signed, base64url
 * @param rpId the relying party id the broker verified against
 * @param origin the origin {@code clientDataJSON} names, which the broker accepted
 */
public record PasskeyEvidence(String passkeyId, String credentialId, String publicKeyCose, String authenticatorData,
        String clientDataJson, String signature, String userHandle, String nonce, String challenge, String rpId,
        String origin) {

    /** The domain separation tag of the challenge encoding. */
    public static final String DOMAIN = "minutework-broker/passkey-approval/v1";

    private static final int FLAG_USER_PRESENT = 0x01;
    private static final int FLAG_USER_VERIFIED = 0x04;

    public PasskeyEvidence {
        Objects.requireNonNull(passkeyId, "passkeyId");
        Objects.requireNonNull(credentialId, "credentialId");
        Objects.requireNonNull(publicKeyCose, "publicKeyCose");
        Objects.requireNonNull(authenticatorData, "authenticatorData");
        Objects.requireNonNull(clientDataJson, "clientDataJson");
        Objects.requireNonNull(signature, "signature");
        Objects.requireNonNull(nonce, "nonce");
        Objects.requireNonNull(challenge, "challenge");
        Objects.requireNonNull(rpId, "rpId");
        Objects.requireNonNull(origin, "origin");
    }

    /** The outcome of {@link #verify}: valid, or invalid with the first reason found. */
    public sealed interface Verdict {

        /** The assertion signs exactly this approval id and payload digest. */
        record Valid() implements Verdict {}

        /** It does not; {@code reason} says which check failed. */
        record Invalid(String reason) implements Verdict {}

        default boolean valid() {
            return this instanceof Valid;
        }
    }

    /** The challenge that binds {@code approvalId} and {@code payloadDigest}, with {@code nonce} (see the class comment). */
    public static byte[] challenge(String approvalId, String payloadDigest, byte[] nonce) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        field(out, DOMAIN.getBytes(StandardCharsets.US_ASCII));
        field(out, approvalId.getBytes(StandardCharsets.UTF_8));
        field(out, payloadDigest.getBytes(StandardCharsets.UTF_8));
        field(out, nonce);
        return sha256(out.toByteArray());
    }

    /**
     * Checks, offline, that this evidence proves that its key approved {@code approvalId} with
     * {@code payloadDigest} (see the class comment for what is checked and what is not).
     */
    public Verdict verify(String approvalId, String payloadDigest) {
        byte[] authData;
        byte[] clientData;
        byte[] sig;
        byte[] nonceBytes;
        byte[] recordedChallenge;
        byte[] cose;
        try {
            authData = base64url(authenticatorData);
            clientData = base64url(clientDataJson);
            sig = base64url(signature);
            nonceBytes = base64url(nonce);
            recordedChallenge = base64url(challenge);
            cose = base64url(publicKeyCose);
        } catch (IllegalArgumentException e) {
            return invalid("a binary field is not base64url");
        }
        byte[] expected = challenge(approvalId, payloadDigest, nonceBytes);
        if (!MessageDigest.isEqual(expected, recordedChallenge)) {
            return invalid("the challenge is not the one bound to this approval id and payload digest");
        }
        Map<String, Object> client;
        try {
            client = JsonParser.parseObject(new String(clientData, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return invalid("clientDataJSON is not a JSON object");
        }
        if (!"webauthn.get".equals(client.get("type"))) {
            return invalid("clientDataJSON is not of an assertion (type webauthn.get)");
        }
        if (!(client.get("challenge") instanceof String signed) || !Arrays.equals(decodeOrNull(signed), expected)) {
            return invalid("clientDataJSON carries another challenge");
        }
        if (!origin.equals(client.get("origin"))) {
            return invalid("clientDataJSON names another origin");
        }
        if (Boolean.TRUE.equals(client.get("crossOrigin"))) {
            return invalid("the assertion was made in a cross-origin frame");
        }
        if (authData.length < 37) {
            return invalid("the authenticator data is too short");
        }
        if (!MessageDigest.isEqual(Arrays.copyOfRange(authData, 0, 32),
                sha256(rpId.getBytes(StandardCharsets.UTF_8)))) {
            return invalid("the authenticator data is for another rp id");
        }
        int flags = authData[32] & 0xff;
        if ((flags & FLAG_USER_PRESENT) == 0) {
            return invalid("the user was not present (UP flag unset)");
        }
        if ((flags & FLAG_USER_VERIFIED) == 0) {
            return invalid("the user was not verified (UV flag unset)");
        }
        CoseKey key;
        try {
            key = CoseKey.parse(cose);
        } catch (IllegalArgumentException e) {
            return invalid("the public key: " + e.getMessage());
        }
        try {
            Signature verifier = Signature.getInstance(key.signatureAlgorithm());
            verifier.initVerify(key.publicKey());
            verifier.update(authData);
            verifier.update(sha256(clientData));
            if (!verifier.verify(sig)) {
                return invalid("the signature does not verify with the passkey's public key");
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return invalid("the signature does not verify with the passkey's public key");
        }
        return new Verdict.Valid();
    }

    /** The evidence as a receipt carries it (snake_case names; {@code user_handle} may be null). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("passkey_id", passkeyId);
        m.put("credential_id", credentialId);
        m.put("public_key_cose", publicKeyCose);
        m.put("authenticator_data", authenticatorData);
        m.put("client_data_json", clientDataJson);
        m.put("signature", signature);
        m.put("user_handle", userHandle);
        m.put("nonce", nonce);
        m.put("challenge", challenge);
        m.put("rp_id", rpId);
        m.put("origin", origin);
        m.put("challenge_encoding", DOMAIN);
        return m;
    }

    /** Reads evidence back from {@link #toMap}'s form (e.g. a receipt payload parsed by {@link JsonParser}). */
    public static PasskeyEvidence fromMap(Map<String, ?> m) {
        return new PasskeyEvidence(text(m, "passkey_id"), text(m, "credential_id"), text(m, "public_key_cose"),
                text(m, "authenticator_data"), text(m, "client_data_json"), text(m, "signature"),
                m.get("user_handle") instanceof String s ? s : null, text(m, "nonce"), text(m, "challenge"),
                text(m, "rp_id"), text(m, "origin"));
    }

    /** Base64url without padding, as WebAuthn and the evidence write binary values. */
    public static String base64url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Decodes base64url, padded or not. */
    public static byte[] base64url(String text) {
        return Base64.getUrlDecoder().decode(text);
    }

    private static byte[] decodeOrNull(String text) {
        try {
            return base64url(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String text(Map<String, ?> m, String name) {
        if (!(m.get(name) instanceof String s)) {
            throw new IllegalArgumentException("passkey evidence lacks " + name);
        }
        return s;
    }

    private static Verdict invalid(String reason) {
        return new Verdict.Invalid(reason);
    }

    private static void field(ByteArrayOutputStream out, byte[] value) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(value.length).array());
        out.writeBytes(value);
    }

    private static byte[] sha256(byte[] in) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(in);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }
}
