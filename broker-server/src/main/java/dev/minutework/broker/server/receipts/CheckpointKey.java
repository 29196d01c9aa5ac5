package dev.minutework.broker.server.receipts;

import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.core.json.JsonParser;
import dev.minutework.broker.core.receipt.Checkpoint;
import dev.minutework.broker.server.config.BrokerProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The Ed25519 key that signs checkpoints, kept apart from the database like the master keyset: in
 * {@code broker.checkpoints.key-file} ({@code BROKER_CHECKPOINTS_KEY_FILE}), by default
 * {@code <data-dir>/checkpoint-signing-key.json} (mode 600), generated on the first start. Someone
 * who can write the database cannot sign, so a log rewritten there no longer matches the
 * checkpoints its readers kept. The key's name ({@code broker.checkpoints.key-name}) starts every
 * log's origin line.
 */
@Component
public class CheckpointKey {

    private static final Logger log = LoggerFactory.getLogger(CheckpointKey.class);

    private final String name;
    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    CheckpointKey(BrokerProperties props, @Value("${broker.checkpoints.key-file:}") String keyFile,
            @Value("${broker.checkpoints.key-name:governed-broker}") String keyName) {
        Path file = keyFile.isBlank() ? props.dataDir().resolve("checkpoint-signing-key.json") : Path.of(keyFile);
        try {
            if (!Files.exists(file)) {
                if (!keyFile.isBlank()) {
                    throw new IllegalStateException("checkpoint signing key file does not exist: " + file);
                }
                generate(file, keyName);
            }
            Map<String, Object> stored = JsonParser.parseObject(Files.readString(file));
            KeyFactory ed = KeyFactory.getInstance("Ed25519");
            this.name = (String) stored.get("key_name");
            this.privateKey = ed.generatePrivate(new PKCS8EncodedKeySpec(
                    Base64.getDecoder().decode((String) stored.get("private_key_pkcs8"))));
            this.publicKey = ed.generatePublic(new X509EncodedKeySpec(
                    Base64.getDecoder().decode((String) stored.get("public_key_x509"))));
            // refuse a file whose halves do not belong together, rather than publish unverifiable checkpoints
            Checkpoint probe = new Checkpoint(name + "/probe/probe", 0, new byte[32]);
            if (Checkpoint.verify(probe.sign(name, privateKey, publicKey), verifierKey()).isEmpty()) {
                throw new IllegalStateException("the checkpoint signing key file " + file + " holds mismatched keys");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the checkpoint signing key at " + file, e);
        } catch (GeneralSecurityException | ClassCastException | IllegalArgumentException e) {
            throw new IllegalStateException("the checkpoint signing key file " + file + " is not readable as one", e);
        }
    }

    private static void generate(Path file, String keyName) throws IOException, GeneralSecurityException {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Checkpoint.verifierKey(keyName, pair.getPublic()); // the name must be one a note can carry
        Map<String, Object> stored = new LinkedHashMap<>();
        stored.put("key_name", keyName);
        stored.put("algorithm", "Ed25519");
        stored.put("private_key_pkcs8", Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()));
        stored.put("public_key_x509", Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, CanonicalJson.canonicalize(stored));
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            log.warn("could not restrict permissions of {}", tmp);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        log.warn("Generated a new checkpoint signing key at {}; keep it safe and apart from the database",
                file.toAbsolutePath());
    }

    /** The key's name, first part of every origin line. */
    public String name() {
        return name;
    }

    /** The signed note of {@code checkpoint}. */
    public String sign(Checkpoint checkpoint) {
        return checkpoint.sign(name, privateKey, publicKey);
    }

    /** The verifier key anyone checks checkpoints with: {@code <name>+<key id>+<base64 key>}. */
    public String verifierKey() {
        return Checkpoint.verifierKey(name, publicKey);
    }
}
