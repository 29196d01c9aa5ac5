package dev.minutework.broker.server.passkeys;

import com.yubico.webauthn.CredentialRepository;
import com.yubico.webauthn.RegisteredCredential;
import com.yubico.webauthn.RelyingParty;
import com.yubico.webauthn.data.AttestationConveyancePreference;
import com.yubico.webauthn.data.ByteArray;
import com.yubico.webauthn.data.PublicKeyCredentialDescriptor;
import com.yubico.webauthn.data.RelyingPartyIdentity;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The broker as a WebAuthn relying party ({@code broker.webauthn.*}), built per tenant: each
 * tenant's passkeys belong to one WebAuthn user of that tenant, whose handle is derived from the
 * tenant id, and the credential repository Yubico's library looks credentials up in sees only that
 * tenant's active (not revoked) passkeys. A passkey of another tenant, or a revoked one, is unknown.
 */
@Component
class RelyingParties {

    /** The passkey user handle of a tenant: SHA-256 of this tag, a NUL, and the tenant id. */
    private static final String USER_HANDLE_TAG = "minutework-broker/passkey-user/v1";

    private final RelyingPartyIdentity identity;
    private final Set<String> origins;
    private final boolean anyPort;
    private final Passkeys passkeys;
    private final Clock clock;

    RelyingParties(@Value("${broker.webauthn.rp-id:localhost}") String rpId,
            @Value("${broker.webauthn.rp-name:Governed integration broker}") String rpName,
            @Value("${broker.webauthn.origins:http://localhost}") List<String> origins,
            @Value("${broker.webauthn.origins-any-port:true}") boolean anyPort, Passkeys passkeys, Clock clock) {
        if (rpId.isBlank() || origins.isEmpty()) {
            throw new IllegalArgumentException("BROKER_WEBAUTHN_RP_ID and BROKER_WEBAUTHN_ORIGINS must not be empty");
        }
        this.identity = RelyingPartyIdentity.builder().id(rpId).name(rpName).build();
        this.origins = origins.stream().map(String::trim).filter(o -> !o.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
        this.anyPort = anyPort;
        this.passkeys = passkeys;
        this.clock = clock;
    }

    String rpId() {
        return identity.getId();
    }

    RelyingParty forTenant(String tenantId) {
        return RelyingParty.builder().identity(identity).credentialRepository(new TenantCredentials(tenantId))
                .origins(origins).allowOriginPort(anyPort).allowOriginSubdomain(false)
                .attestationConveyancePreference(AttestationConveyancePreference.NONE)
                .allowUntrustedAttestation(true).validateSignatureCounter(true).clock(clock).build();
    }

    static ByteArray userHandle(String tenantId) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(USER_HANDLE_TAG.getBytes(StandardCharsets.US_ASCII));
            md.update((byte) 0);
            md.update(tenantId.getBytes(StandardCharsets.UTF_8));
            return new ByteArray(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }

    static PublicKeyCredentialDescriptor descriptor(Passkeys.Passkey p) {
        return PublicKeyCredentialDescriptor.builder().id(byteArray(p.credentialId())).build();
    }

    static ByteArray byteArray(String base64url) {
        return new ByteArray(java.util.Base64.getUrlDecoder().decode(base64url));
    }

    /** One tenant's active passkeys, as Yubico's library asks for them; its user name is the tenant id. */
    private final class TenantCredentials implements CredentialRepository {

        private final String tenantId;
        private final ByteArray handle;

        TenantCredentials(String tenantId) {
            this.tenantId = tenantId;
            this.handle = userHandle(tenantId);
        }

        @Override
        public Set<PublicKeyCredentialDescriptor> getCredentialIdsForUsername(String username) {
            return passkeys.active(tenantId).stream().map(RelyingParties::descriptor)
                    .collect(Collectors.toCollection(LinkedHashSet::new));
        }

        @Override
        public Optional<ByteArray> getUserHandleForUsername(String username) {
            return tenantId.equals(username) ? Optional.of(handle) : Optional.empty();
        }

        @Override
        public Optional<String> getUsernameForUserHandle(ByteArray userHandle) {
            return handle.equals(userHandle) ? Optional.of(tenantId) : Optional.empty();
        }

        @Override
        public Optional<RegisteredCredential> lookup(ByteArray credentialId, ByteArray userHandle) {
            if (!handle.equals(userHandle)) {
                return Optional.empty();
            }
            return passkeys.activeByCredentialId(tenantId, credentialId.getBase64Url()).map(p -> RegisteredCredential
                    .builder().credentialId(credentialId).userHandle(new ByteArray(p.userHandle()))
                    .publicKeyCose(new ByteArray(p.publicKeyCose())).signatureCount(p.signCount()).build());
        }

        @Override
        public Set<RegisteredCredential> lookupAll(ByteArray credentialId) {
            // asked only at registration, whether the id is taken: PasskeyRegistrations refuses a
            // taken credential id itself, before the library runs, and the column is unique
            return Set.of();
        }
    }
}
