package dev.minutework.broker.core.approval;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A credential public key in COSE form (RFC 9052/9053), as WebAuthn stores it, turned into a JDK
 * {@link PublicKey} and the JCA signature algorithm its assertions use. Supported: ES256 (EC2,
 * P-256, alg −7), EdDSA (OKP, Ed25519, alg −8) and RS256 (RSA, alg −257). Plain JDK: the offline
 * verifier must run without the broker's libraries.
 *
 * @param signatureAlgorithm the JCA name: {@code SHA256withECDSA}, {@code Ed25519} or {@code SHA256withRSA}
 */
record CoseKey(PublicKey publicKey, String signatureAlgorithm) {

    private static final int KTY = 1;
    private static final int ALG = 3;
    private static final byte[] ED25519_SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    /** Parses a COSE_Key; an {@link IllegalArgumentException} names what is wrong with it. */
    static CoseKey parse(byte[] cose) {
        Map<Long, Object> key = Cbor.map(cose);
        Object kty = key.get((long) KTY);
        Object alg = key.get((long) ALG);
        try {
            if (Long.valueOf(2).equals(kty) && Long.valueOf(-7).equals(alg)) {
                if (!Long.valueOf(1).equals(key.get(-1L))) {
                    throw new IllegalArgumentException("an ES256 key must be on curve P-256 (crv 1)");
                }
                AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
                params.init(new ECGenParameterSpec("secp256r1"));
                ECParameterSpec p256 = params.getParameterSpec(ECParameterSpec.class);
                ECPoint point = new ECPoint(unsigned(bytes(key, -2, 32)), unsigned(bytes(key, -3, 32)));
                return new CoseKey(KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, p256)),
                        "SHA256withECDSA");
            }
            if (Long.valueOf(1).equals(kty) && Long.valueOf(-8).equals(alg)) {
                if (!Long.valueOf(6).equals(key.get(-1L))) {
                    throw new IllegalArgumentException("an EdDSA key must be on curve Ed25519 (crv 6)");
                }
                ByteArrayOutputStream spki = new ByteArrayOutputStream();
                spki.writeBytes(ED25519_SPKI_PREFIX);
                spki.writeBytes(bytes(key, -2, 32));
                return new CoseKey(KeyFactory.getInstance("Ed25519")
                        .generatePublic(new X509EncodedKeySpec(spki.toByteArray())), "Ed25519");
            }
            if (Long.valueOf(3).equals(kty) && Long.valueOf(-257).equals(alg)) {
                RSAPublicKeySpec spec = new RSAPublicKeySpec(unsigned(bytes(key, -1, 0)), unsigned(bytes(key, -2, 0)));
                return new CoseKey(KeyFactory.getInstance("RSA").generatePublic(spec), "SHA256withRSA");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the COSE key is not a valid public key", e);
        }
        throw new IllegalArgumentException("unsupported COSE key (kty " + kty + ", alg " + alg
                + "): ES256, EdDSA and RS256 are supported");
    }

    private static byte[] bytes(Map<Long, Object> key, long label, int length) {
        if (!(key.get(label) instanceof byte[] b) || (length > 0 && b.length != length) || b.length == 0) {
            throw new IllegalArgumentException("COSE key parameter " + label + " must be a byte string"
                    + (length > 0 ? " of " + length + " bytes" : ""));
        }
        return b;
    }

    private static BigInteger unsigned(byte[] b) {
        return new BigInteger(1, b);
    }

    /**
     * Just enough CBOR (RFC 8949) to read a COSE key: unsigned and negative integers, byte and text
     * strings, arrays and maps of definite length, and the simple values false, true and null.
     */
    static final class Cbor {

        private final byte[] in;
        private int pos;

        private Cbor(byte[] in) {
            this.in = in;
        }

        /** The CBOR map that makes up all of {@code in}, with integer keys (other keys are skipped). */
        static Map<Long, Object> map(byte[] in) {
            Cbor c = new Cbor(in);
            Object v = c.item(0);
            if (c.pos != in.length) {
                throw new IllegalArgumentException("trailing bytes after the CBOR item");
            }
            if (!(v instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("a COSE key is a CBOR map");
            }
            Map<Long, Object> out = new LinkedHashMap<>();
            m.forEach((k, value) -> {
                if (k instanceof Long l) {
                    out.put(l, value);
                }
            });
            return out;
        }

        private Object item(int depth) {
            if (depth > 16) {
                throw new IllegalArgumentException("CBOR nested too deep");
            }
            int initial = next();
            int major = initial >>> 5;
            int info = initial & 0x1f;
            if (major == 7) {
                return switch (info) {
                    case 20 -> Boolean.FALSE;
                    case 21 -> Boolean.TRUE;
                    case 22 -> null;
                    default -> throw new IllegalArgumentException("unsupported CBOR simple value " + info);
                };
            }
            long arg = argument(info);
            return switch (major) {
                case 0 -> arg;
                case 1 -> -1 - arg;
                case 2 -> take(arg);
                case 3 -> new String(take(arg), java.nio.charset.StandardCharsets.UTF_8);
                case 4 -> {
                    java.util.List<Object> list = new java.util.ArrayList<>();
                    for (long i = 0; i < arg; i++) {
                        list.add(item(depth + 1));
                    }
                    yield list;
                }
                case 5 -> {
                    Map<Object, Object> map = new LinkedHashMap<>();
                    for (long i = 0; i < arg; i++) {
                        Object k = item(depth + 1);
                        if (map.put(k, item(depth + 1)) != null) {
                            throw new IllegalArgumentException("duplicate CBOR map key " + k);
                        }
                    }
                    yield map;
                }
                default -> throw new IllegalArgumentException("unsupported CBOR major type " + major);
            };
        }

        private long argument(int info) {
            if (info < 24) {
                return info;
            }
            int size = switch (info) {
                case 24 -> 1;
                case 25 -> 2;
                case 26 -> 4;
                case 27 -> 8;
                default -> throw new IllegalArgumentException("indefinite or reserved CBOR length");
            };
            long v = 0;
            for (int i = 0; i < size; i++) {
                v = (v << 8) | next();
            }
            if (v < 0) {
                throw new IllegalArgumentException("CBOR argument too large");
            }
            return v;
        }

        private byte[] take(long n) {
            if (n > in.length - pos) {
                throw new IllegalArgumentException("CBOR string runs past the end");
            }
            byte[] out = java.util.Arrays.copyOfRange(in, pos, pos + (int) n);
            pos += (int) n;
            return out;
        }

        private int next() {
            if (pos >= in.length) {
                throw new IllegalArgumentException("CBOR ends early");
            }
            return in[pos++] & 0xff;
        }
    }
}
