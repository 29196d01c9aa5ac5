package dev.minutework.broker.server.passkeys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.yubico.webauthn.FinishRegistrationOptions;
import com.yubico.webauthn.RegistrationResult;
import com.yubico.webauthn.RelyingParty;
import com.yubico.webauthn.StartRegistrationOptions;
import com.yubico.webauthn.data.AuthenticatorAttestationResponse;
import com.yubico.webauthn.data.AuthenticatorSelectionCriteria;
import com.yubico.webauthn.data.ClientRegistrationExtensionOutputs;
import com.yubico.webauthn.data.PublicKeyCredential;
import com.yubico.webauthn.data.PublicKeyCredentialCreationOptions;
import com.yubico.webauthn.data.ResidentKeyRequirement;
import com.yubico.webauthn.data.UserIdentity;
import com.yubico.webauthn.data.UserVerificationRequirement;
import com.yubico.webauthn.exception.RegistrationFailedException;
import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.core.json.JsonParser;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.identity.Caller;
import dev.minutework.broker.server.receipts.Receipts;
import dev.minutework.broker.server.tenants.Tenants;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Registering a passkey, in two steps as WebAuthn has it: the broker issues creation options (a
 * random challenge, the relying party, the tenant's passkey user, the tenant's passkeys to exclude)
 * and keeps them; the approver's browser creates the credential and sends it back; Yubico's
 * library checks it against the kept options (origin, rp id, challenge, user presence and
 * verification) and the credential is stored. Attestation is not asked for ({@code none}): the
 * broker trusts the approver who holds an approver key to choose their authenticator.
 */
@Service
public class PasskeyRegistrations {

    static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final Logger log = LoggerFactory.getLogger(PasskeyRegistrations.class);

    private final RelyingParties parties;
    private final Passkeys passkeys;
    private final Tenants tenants;
    private final Receipts receipts;
    private final TransactionTemplate tx;
    private final Clock clock;

    PasskeyRegistrations(RelyingParties parties, Passkeys passkeys, Tenants tenants, Receipts receipts,
            TransactionTemplate tx, Clock clock) {
        this.parties = parties;
        this.passkeys = passkeys;
        this.tenants = tenants;
        this.receipts = receipts;
        this.tx = tx;
        this.clock = clock;
    }

    /** A registration begun: its id and the options for {@code navigator.credentials.create}. */
    public record Begun(String registrationId, Map<String, Object> publicKey, Instant expiresAt) {}

    public Begun begin(Caller.TenantKey approver, String label) {
        String tenant = approver.tenantId();
        String name = tenants.require(tenant).name();
        RelyingParty rp = parties.forTenant(tenant);
        PublicKeyCredentialCreationOptions options = rp.startRegistration(StartRegistrationOptions.builder()
                .user(UserIdentity.builder().name(tenant).displayName(name + " approvers")
                        .id(RelyingParties.userHandle(tenant)).build())
                .authenticatorSelection(AuthenticatorSelectionCriteria.builder()
                        .residentKey(ResidentKeyRequirement.PREFERRED)
                        .userVerification(UserVerificationRequirement.REQUIRED).build())
                .timeout(TIMEOUT.toMillis()).build());
        Instant expires = clock.instant().plus(TIMEOUT);
        try {
            String id = passkeys.beginRegistration(tenant, approver.keyId(), label, options.toJson(), expires);
            return new Begun(id, publicKeyMember(options.toCredentialsCreateJson()), expires);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("creation options do not serialise", e);
        }
    }

    public Passkeys.Passkey complete(Caller.TenantKey approver, String registrationId, Map<String, Object> credential) {
        String tenant = approver.tenantId();
        Passkeys.Registration reg = passkeys.registration(tenant, registrationId)
                .filter(r -> r.requestedByKeyId().equals(approver.keyId()))
                .orElseThrow(() -> ApiException.notFound("passkey registration"));
        if (reg.completedAt() != null || !reg.expiresAt().toInstant().isAfter(clock.instant())) {
            throw invalid("the registration was completed already or expired: begin another");
        }
        PublicKeyCredential<AuthenticatorAttestationResponse, ClientRegistrationExtensionOutputs> response;
        try {
            response = PublicKeyCredential.parseRegistrationResponseJson(CanonicalJson.canonicalize(credential));
        } catch (IOException | RuntimeException e) {
            throw invalid("credential is not a PublicKeyCredential JSON (PublicKeyCredential.toJSON())");
        }
        if (passkeys.credentialIdTaken(response.getId().getBase64Url())) {
            throw invalid("this credential is registered already");
        }
        RegistrationResult result;
        try {
            result = parties.forTenant(tenant).finishRegistration(FinishRegistrationOptions.builder()
                    .request(PublicKeyCredentialCreationOptions.fromJson(reg.optionsJson())).response(response).build());
        } catch (RegistrationFailedException e) {
            log.debug("passkey registration {} refused: {}", registrationId, e.getMessage());
            throw invalid("the credential does not verify: " + clip(e.getMessage()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored creation options do not parse", e);
        }
        String passkeyId = tx.execute(s -> {
            receipts.lockChain(tenant);
            if (!passkeys.completeRegistration(tenant, registrationId)) {
                s.setRollbackOnly();
                return null;
            }
            String id = passkeys.insert(tenant, approver.keyId(), result.getKeyId().getId().getBase64Url(),
                    result.getPublicKeyCose().getBytes(), result.getSignatureCount(),
                    RelyingParties.userHandle(tenant).getBytes(), reg.label());
            Map<String, Object> d = new HashMap<>();
            d.put("passkey_id", id);
            d.put("credential_id", result.getKeyId().getId().getBase64Url());
            d.put("public_key_cose", result.getPublicKeyCose().getBase64Url());
            d.put("label", reg.label());
            d.put("registered_by_key_id", approver.keyId());
            receipts.record(tenant, "passkey.registered", null, approver.actor(), d);
            return id;
        });
        if (passkeyId == null) {
            throw invalid("the registration was completed already or expired: begin another");
        }
        return passkeys.find(tenant, passkeyId).orElseThrow();
    }

    /** The {@code publicKey} member of Yubico's {@code credentials.create}/{@code get} argument JSON. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> publicKeyMember(String credentialsJson) {
        return (Map<String, Object>) JsonParser.parseObject(credentialsJson).get("publicKey");
    }

    static ApiException invalid(String message) {
        return new ApiException(ErrorCode.PASSKEY_INVALID, message);
    }

    static String clip(String s) {
        return s == null ? "" : s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}
