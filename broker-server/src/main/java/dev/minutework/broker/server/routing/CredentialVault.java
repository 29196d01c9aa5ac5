package dev.minutework.broker.server.routing;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.KmsEnvelopeAead;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import dev.minutework.broker.server.config.BrokerProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Encrypts provider credentials at rest with Tink envelope encryption: each record gets a fresh
 * AES-256-GCM data key, itself encrypted by the master keyset. The provider account id is bound as
 * associated data, so a ciphertext moved to another account does not decrypt.
 *
 * <p>The master keyset comes from {@code BROKER_MASTER_KEYSET} (JSON), or
 * {@code BROKER_MASTER_KEYSET_FILE}; without either, from {@code <data-dir>/master-keyset.json},
 * generated there (mode 600) on first start.
 */
@Component
public class CredentialVault {

    private static final Logger log = LoggerFactory.getLogger(CredentialVault.class);

    private final Aead envelope;

    CredentialVault(BrokerProperties props) throws GeneralSecurityException {
        AeadConfig.register();
        KeysetHandle master = loadMaster(props);
        Aead masterAead = master.getPrimitive(RegistryConfiguration.get(), Aead.class);
        this.envelope = KmsEnvelopeAead.create(PredefinedAeadParameters.AES256_GCM, masterAead);
    }

    public byte[] encrypt(String accountId, String plaintextJson) {
        try {
            return envelope.encrypt(plaintextJson.getBytes(StandardCharsets.UTF_8), aad(accountId));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("credential encryption failed", e);
        }
    }

    public String decrypt(String accountId, byte[] ciphertext) throws GeneralSecurityException {
        return new String(envelope.decrypt(ciphertext, aad(accountId)), StandardCharsets.UTF_8);
    }

    private static byte[] aad(String accountId) {
        return ("provider_account:" + accountId).getBytes(StandardCharsets.UTF_8);
    }

    private static KeysetHandle loadMaster(BrokerProperties props) throws GeneralSecurityException {
        if (props.masterKeyset() != null && !props.masterKeyset().isBlank()) {
            return TinkJsonProtoKeysetFormat.parseKeyset(props.masterKeyset(), InsecureSecretKeyAccess.get());
        }
        Path file = props.masterKeysetFile() != null ? props.masterKeysetFile()
                : props.dataDir().resolve("master-keyset.json");
        try {
            if (Files.exists(file)) {
                return TinkJsonProtoKeysetFormat.parseKeyset(Files.readString(file), InsecureSecretKeyAccess.get());
            }
            if (props.masterKeysetFile() != null) {
                throw new IllegalStateException("master keyset file does not exist: " + file);
            }
            KeysetHandle fresh = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, TinkJsonProtoKeysetFormat.serializeKeyset(fresh, InsecureSecretKeyAccess.get()));
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                log.warn("could not restrict permissions of {}", file);
            }
            log.warn("Generated a new master keyset at {}; keep it safe, or set BROKER_MASTER_KEYSET", file.toAbsolutePath());
            return fresh;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the master keyset at " + file, e);
        }
    }
}
