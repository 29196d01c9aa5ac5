package dev.minutework.broker.core.approval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.json.JsonParser;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The offline check of a passkey-signed approval: evidence made by a software authenticator (plain
 * JDK keys) verifies for its approval id and payload digest, and for nothing else.
 */
class PasskeyEvidenceTest {

    private static final String APPROVAL = "apr_0123456789abcdefghjk";
    private static final String DIGEST = "9f2c1d5b0a7e44c1b2e3f4a5b6c7d8e9f00112233445566778899aabbccddeeff";
    private static final String RP = "localhost";
    private static final String ORIGIN = "http://localhost:8080";

    @Test
    void theChallengeEncodingIsTheDocumentedOne() throws Exception {
        byte[] nonce = new byte[32];
        Arrays.fill(nonce, (byte) 7);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (byte[] field : new byte[][] {"minutework-broker/passkey-approval/v1".getBytes(StandardCharsets.US_ASCII),
                APPROVAL.getBytes(StandardCharsets.UTF_8), DIGEST.getBytes(StandardCharsets.UTF_8), nonce}) {
            expected.writeBytes(ByteBuffer.allocate(4).putInt(field.length).array());
            expected.writeBytes(field);
        }
        assertThat(PasskeyEvidence.challenge(APPROVAL, DIGEST, nonce))
                .isEqualTo(MessageDigest.getInstance("SHA-256").digest(expected.toByteArray()));
    }

    @Test
    void theChallengeChangesWithTheApprovalTheDigestAndTheNonce() {
        byte[] nonce = new byte[32];
        byte[] base = PasskeyEvidence.challenge(APPROVAL, DIGEST, nonce);
        byte[] otherNonce = nonce.clone();
        otherNonce[0] = 1;
        assertThat(PasskeyEvidence.challenge("apr_other", DIGEST, nonce)).isNotEqualTo(base);
        assertThat(PasskeyEvidence.challenge(APPROVAL, DIGEST.replace('9', '8'), nonce)).isNotEqualTo(base);
        assertThat(PasskeyEvidence.challenge(APPROVAL, DIGEST, otherNonce)).isNotEqualTo(base);
        // the lengths keep a shifted boundary from colliding
        assertThat(PasskeyEvidence.challenge("ab", "c", nonce)).isNotEqualTo(PasskeyEvidence.challenge("a", "bc", nonce));
    }

    @Test
    void anEs256AssertionOfThisApprovalVerifies() throws Exception {
        PasskeyEvidence evidence = Authenticator.es256().sign(APPROVAL, DIGEST, 0x05);

        assertThat(evidence.verify(APPROVAL, DIGEST)).isEqualTo(new PasskeyEvidence.Verdict.Valid());
    }

    @Test
    void anEdDsaAndAnRs256AssertionVerifyToo() throws Exception {
        assertThat(Authenticator.ed25519().sign(APPROVAL, DIGEST, 0x05).verify(APPROVAL, DIGEST).valid()).isTrue();
        assertThat(Authenticator.rs256().sign(APPROVAL, DIGEST, 0x05).verify(APPROVAL, DIGEST).valid()).isTrue();
    }

    @Test
    void aTamperedPayloadDigestFails() throws Exception {
        PasskeyEvidence evidence = Authenticator.es256().sign(APPROVAL, DIGEST, 0x05);

        assertThat(evidence.verify(APPROVAL, DIGEST.replace('9', '8')))
                .isEqualTo(new PasskeyEvidence.Verdict.Invalid(
                        "the challenge is not the one bound to this approval id and payload digest"));
    }

    @Test
    void anotherApprovalIdFails() throws Exception {
        PasskeyEvidence evidence = Authenticator.es256().sign(APPROVAL, DIGEST, 0x05);

        assertThat(evidence.verify("apr_someoneelse", DIGEST).valid()).isFalse();
    }

    @Test
    void aRecordedChallengeThatIsNotTheSignedOneFails() throws Exception {
        Authenticator a = Authenticator.es256();
        PasskeyEvidence signed = a.sign(APPROVAL, DIGEST, 0x05);
        // a forger re-binds the recorded nonce and challenge to another digest: the signed clientDataJSON still names the old one
        byte[] nonce = new byte[32];
        String otherDigest = DIGEST.replace('a', 'b');
        PasskeyEvidence rebound = new PasskeyEvidence(signed.passkeyId(), signed.credentialId(), signed.publicKeyCose(),
                signed.authenticatorData(), signed.clientDataJson(), signed.signature(), signed.userHandle(),
                PasskeyEvidence.base64url(nonce),
                PasskeyEvidence.base64url(PasskeyEvidence.challenge(APPROVAL, otherDigest, nonce)), RP, ORIGIN);

        assertThat(rebound.verify(APPROVAL, otherDigest))
                .isEqualTo(new PasskeyEvidence.Verdict.Invalid("clientDataJSON carries another challenge"));
    }

    @Test
    void aTamperedSignatureOrAuthenticatorDataFails() throws Exception {
        PasskeyEvidence e = Authenticator.es256().sign(APPROVAL, DIGEST, 0x05);
        byte[] auth = PasskeyEvidence.base64url(e.authenticatorData());
        auth[36] ^= 1; // the signature counter
        PasskeyEvidence tamperedAuth = new PasskeyEvidence(e.passkeyId(), e.credentialId(), e.publicKeyCose(),
                PasskeyEvidence.base64url(auth), e.clientDataJson(), e.signature(), e.userHandle(), e.nonce(),
                e.challenge(), e.rpId(), e.origin());
        PasskeyEvidence otherKey = new PasskeyEvidence(e.passkeyId(), e.credentialId(),
                Authenticator.es256().publicKeyCose(), e.authenticatorData(), e.clientDataJson(), e.signature(),
                e.userHandle(), e.nonce(), e.challenge(), e.rpId(), e.origin());

        assertThat(tamperedAuth.verify(APPROVAL, DIGEST)).isEqualTo(new PasskeyEvidence.Verdict.Invalid(
                "the signature does not verify with the passkey's public key"));
        assertThat(otherKey.verify(APPROVAL, DIGEST).valid()).isFalse();
    }

    @Test
    void anotherRpIdOrOriginFails() throws Exception {
        PasskeyEvidence e = Authenticator.es256().sign(APPROVAL, DIGEST, 0x05);
        PasskeyEvidence otherRp = new PasskeyEvidence(e.passkeyId(), e.credentialId(), e.publicKeyCose(),
                e.authenticatorData(), e.clientDataJson(), e.signature(), e.userHandle(), e.nonce(), e.challenge(),
                "example.com", e.origin());
        PasskeyEvidence otherOrigin = new PasskeyEvidence(e.passkeyId(), e.credentialId(), e.publicKeyCose(),
                e.authenticatorData(), e.clientDataJson(), e.signature(), e.userHandle(), e.nonce(), e.challenge(),
                e.rpId(), "https://evil.example");

        assertThat(otherRp.verify(APPROVAL, DIGEST))
                .isEqualTo(new PasskeyEvidence.Verdict.Invalid("the authenticator data is for another rp id"));
        assertThat(otherOrigin.verify(APPROVAL, DIGEST))
                .isEqualTo(new PasskeyEvidence.Verdict.Invalid("clientDataJSON names another origin"));
    }

    @Test
    void anAssertionWithoutUserVerificationFails() throws Exception {
        PasskeyEvidence presentOnly = Authenticator.es256().sign(APPROVAL, DIGEST, 0x01);

        assertThat(presentOnly.verify(APPROVAL, DIGEST))
                .isEqualTo(new PasskeyEvidence.Verdict.Invalid("the user was not verified (UV flag unset)"));
    }

    @Test
    void evidenceSurvivesTheReceiptsJsonForm() throws Exception {
        PasskeyEvidence e = Authenticator.es256().sign(APPROVAL, DIGEST, 0x05);
        String json = dev.minutework.broker.core.json.CanonicalJson.canonicalize(e.toMap());

        PasskeyEvidence back = PasskeyEvidence.fromMap(JsonParser.parseObject(json));

        assertThat(back).isEqualTo(e);
        assertThat(back.verify(APPROVAL, DIGEST).valid()).isTrue();
    }

    /** A software authenticator: a JDK key pair, its COSE key, and assertions over the bound challenge. */
    record Authenticator(KeyPair keys, String algorithm, byte[] cose) {

        static Authenticator es256() throws Exception {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair k = g.generateKeyPair();
            ECPublicKey pub = (ECPublicKey) k.getPublic();
            return new Authenticator(k, "SHA256withECDSA", cbor(
                    1, 2, 3, -7, -1, 1, -2, fixed(pub.getW().getAffineX(), 32), -3, fixed(pub.getW().getAffineY(), 32)));
        }

        static Authenticator ed25519() throws Exception {
            KeyPair k = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            byte[] spki = k.getPublic().getEncoded();
            return new Authenticator(k, "Ed25519", cbor(1, 1, 3, -8, -1, 6, -2,
                    Arrays.copyOfRange(spki, spki.length - 32, spki.length)));
        }

        static Authenticator rs256() throws Exception {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            KeyPair k = g.generateKeyPair();
            RSAPublicKey pub = (RSAPublicKey) k.getPublic();
            return new Authenticator(k, "SHA256withRSA", cbor(1, 3, 3, -257, -1, unsigned(pub.getModulus()), -2,
                    unsigned(pub.getPublicExponent())));
        }

        String publicKeyCose() {
            return PasskeyEvidence.base64url(cose);
        }

        PasskeyEvidence sign(String approvalId, String digest, int flags) throws Exception {
            byte[] nonce = new byte[32];
            new java.security.SecureRandom().nextBytes(nonce);
            byte[] challenge = PasskeyEvidence.challenge(approvalId, digest, nonce);
            byte[] clientData = ("{\"type\":\"webauthn.get\",\"challenge\":\"" + PasskeyEvidence.base64url(challenge)
                    + "\",\"origin\":\"" + ORIGIN + "\",\"crossOrigin\":false}").getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream auth = new ByteArrayOutputStream();
            auth.writeBytes(MessageDigest.getInstance("SHA-256").digest(RP.getBytes(StandardCharsets.UTF_8)));
            auth.write(flags);
            auth.writeBytes(ByteBuffer.allocate(4).putInt(3).array());
            Signature s = Signature.getInstance(algorithm);
            s.initSign((PrivateKey) keys.getPrivate());
            s.update(auth.toByteArray());
            s.update(MessageDigest.getInstance("SHA-256").digest(clientData));
            return new PasskeyEvidence("pk_test", PasskeyEvidence.base64url(new byte[] {1, 2, 3}), publicKeyCose(),
                    PasskeyEvidence.base64url(auth.toByteArray()), PasskeyEvidence.base64url(clientData),
                    PasskeyEvidence.base64url(s.sign()), null, PasskeyEvidence.base64url(nonce),
                    PasskeyEvidence.base64url(challenge), RP, ORIGIN);
        }

        /** A CBOR map of alternating integer keys and integer or byte-string values. */
        private static byte[] cbor(Object... kv) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            head(out, 5, kv.length / 2);
            for (Object o : kv) {
                if (o instanceof Integer i) {
                    head(out, i >= 0 ? 0 : 1, i >= 0 ? i : -1L - i);
                } else {
                    byte[] b = (byte[]) o;
                    head(out, 2, b.length);
                    out.writeBytes(b);
                }
            }
            return out.toByteArray();
        }

        private static void head(ByteArrayOutputStream out, int major, long arg) {
            if (arg < 24) {
                out.write(major << 5 | (int) arg);
            } else if (arg < 256) {
                out.write(major << 5 | 24);
                out.write((int) arg);
            } else {
                out.write(major << 5 | 25);
                out.write((int) (arg >> 8));
                out.write((int) arg & 0xff);
            }
        }

        private static byte[] fixed(BigInteger v, int length) {
            byte[] raw = unsigned(v);
            byte[] out = new byte[length];
            System.arraycopy(raw, 0, out, length - raw.length, raw.length);
            return out;
        }

        private static byte[] unsigned(BigInteger v) {
            byte[] raw = v.toByteArray();
            return raw[0] == 0 && raw.length > 1 ? Arrays.copyOfRange(raw, 1, raw.length) : raw;
        }
    }

    @Test
    void theCoseReaderRefusesWhatItCannotRead() {
        assertThat(org.assertj.core.api.Assertions.catchThrowable(
                () -> CoseKey.parse(HexFormat.of().parseHex("a2010203381c")))) // kty 2, alg -29
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unsupported COSE key");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> CoseKey.parse(new byte[] {(byte) 0xa1, 0x01})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CBOR ends early");
    }
}
