package dev.minutework.broker.server.passkeys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.yubico.webauthn.AssertionRequest;
import com.yubico.webauthn.AssertionResult;
import com.yubico.webauthn.FinishAssertionOptions;
import com.yubico.webauthn.data.AuthenticatorAssertionResponse;
import com.yubico.webauthn.data.ByteArray;
import com.yubico.webauthn.data.ClientAssertionExtensionOutputs;
import com.yubico.webauthn.data.PublicKeyCredential;
import com.yubico.webauthn.data.PublicKeyCredentialRequestOptions;
import com.yubico.webauthn.data.UserVerificationRequirement;
import com.yubico.webauthn.exception.AssertionFailedException;
import dev.minutework.broker.core.approval.OneShotGrant;
import dev.minutework.broker.core.approval.PasskeyEvidence;
import dev.minutework.broker.core.json.CanonicalJson;
import dev.minutework.broker.server.api.ApiException;
import dev.minutework.broker.server.api.ErrorCode;
import dev.minutework.broker.server.grants.Grants;
import dev.minutework.broker.server.identity.Caller;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Passkey assertions over approvals. A challenge is issued for one pending approval: its value is
 * {@link PasskeyEvidence#challenge} of the approval id, its payload digest and a fresh nonce, so
 * the signature can only ever mean "this key approved exactly this payload". Verifying an assertion
 * checks, with Yubico's library, origin, rp id, challenge, signature, signature counter, user
 * presence and verification, and that the credential is an active passkey of the tenant; then that
 * the challenge was issued for this approval and digest, unexpired and unused; and last that the
 * evidence the receipt will carry verifies offline ({@link PasskeyEvidence#verify}), so no receipt
 * ever holds evidence that an offline verifier would reject. Raw assertions are never logged.
 */
@Service
public class PasskeyAssertions {

    static final Duration CHALLENGE_TTL = Duration.ofMinutes(5);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Logger log = LoggerFactory.getLogger(PasskeyAssertions.class);

    private final RelyingParties parties;
    private final Passkeys passkeys;
    private final Grants grants;
    private final TransactionTemplate tx;
    private final Clock clock;

    PasskeyAssertions(RelyingParties parties, Passkeys passkeys, Grants grants, TransactionTemplate tx, Clock clock) {
        this.parties = parties;
        this.passkeys = passkeys;
        this.grants = grants;
        this.tx = tx;
        this.clock = clock;
    }

    /** A challenge issued: its id, the options for {@code navigator.credentials.get}, its expiry. */
    public record Issued(String challengeId, String approvalId, String payloadDigest, Map<String, Object> publicKey,
            Instant expiresAt) {}

    /** Issues a challenge bound to {@code approvalId}, which {@code approver} must be able to decide now. */
    public Issued challenge(Caller.TenantKey approver, String approvalId) {
        String tenant = approver.tenantId();
        Grants.Grant row = grants.find(tenant, approvalId).filter(g -> "one_shot".equals(g.kind()))
                .orElseThrow(() -> ApiException.notFound("approval"));
        OneShotGrant grant = row.oneShot();
        switch (grant.review(approver.keyId(), clock.instant())) {
            case OPEN -> { }
            case SELF_APPROVAL -> throw new ApiException(ErrorCode.SELF_APPROVAL_FORBIDDEN,
                    "nobody approves their own request");
            case NOT_PENDING -> throw new ApiException(ErrorCode.APPROVAL_NOT_PENDING, "the approval is " + grant.status());
            case EXPIRED -> throw new ApiException(ErrorCode.APPROVAL_EXPIRED, "the approval expired at " + row.expiresAt());
        }
        List<Passkeys.Passkey> active = passkeys.active(tenant);
        if (active.isEmpty()) {
            throw new ApiException(ErrorCode.CONFLICT, "the tenant has no active passkey: register one first");
        }
        byte[] nonce = new byte[32];
        RANDOM.nextBytes(nonce);
        byte[] challenge = PasskeyEvidence.challenge(approvalId, row.payloadDigest(), nonce);
        PublicKeyCredentialRequestOptions options = PublicKeyCredentialRequestOptions.builder()
                .challenge(new ByteArray(challenge)).timeout(CHALLENGE_TTL.toMillis()).rpId(parties.rpId())
                .allowCredentials(active.stream().map(RelyingParties::descriptor).toList())
                .userVerification(UserVerificationRequirement.REQUIRED).build();
        AssertionRequest request = AssertionRequest.builder().publicKeyCredentialRequestOptions(options)
                .userHandle(RelyingParties.userHandle(tenant)).build();
        Instant expires = clock.instant().plus(CHALLENGE_TTL);
        try {
            String id = passkeys.issueChallenge(tenant, approvalId, row.payloadDigest(), nonce, challenge,
                    request.toJson(), approver.keyId(), expires);
            return new Issued(id, approvalId, row.payloadDigest(),
                    PasskeyRegistrations.publicKeyMember(request.toCredentialsGetJson()), expires);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("assertion options do not serialise", e);
        }
    }

    /**
     * Verifies a passkey assertion over {@code approval} and uses its challenge; the evidence for the
     * approval's receipt.
     *
     * @throws ApiException {@code passkey_invalid} when anything does not hold (nothing is used then,
     *     unless the assertion was valid and lost a race for its challenge or counter)
     */
    public PasskeyEvidence verify(Caller.TenantKey approver, OneShotGrant approval, String challengeId,
            Map<String, Object> credential) {
        String tenant = approver.tenantId();
        Passkeys.Challenge issued = passkeys.challenge(tenant, challengeId)
                .orElseThrow(() -> invalid("unknown passkey challenge"));
        if (!issued.approvalId().equals(approval.id()) || !issued.payloadDigest().equals(approval.payloadDigest())) {
            throw invalid("the passkey challenge was issued for another approval");
        }
        if (issued.usedAt() != null) {
            throw invalid("the passkey challenge was used already: ask for another");
        }
        if (!issued.expiresAt().toInstant().isAfter(clock.instant())) {
            throw invalid("the passkey challenge expired: ask for another");
        }
        PublicKeyCredential<AuthenticatorAssertionResponse, ClientAssertionExtensionOutputs> response;
        try {
            response = PublicKeyCredential.parseAssertionResponseJson(CanonicalJson.canonicalize(credential));
        } catch (IOException | RuntimeException e) {
            throw invalid("credential is not a PublicKeyCredential JSON (PublicKeyCredential.toJSON())");
        }
        AssertionResult result;
        try {
            result = parties.forTenant(tenant).finishAssertion(FinishAssertionOptions.builder()
                    .request(AssertionRequest.fromJson(issued.requestJson())).response(response).build());
        } catch (AssertionFailedException e) {
            log.debug("passkey assertion for approval {} refused: {}", approval.id(), e.getMessage());
            throw invalid("the assertion does not verify: " + PasskeyRegistrations.clip(e.getMessage()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored assertion request does not parse", e);
        }
        if (!result.isSuccess() || !result.isUserVerified() || !result.isSignatureCounterValid()) {
            throw invalid("the assertion does not verify");
        }
        Passkeys.Passkey passkey = passkeys.activeByCredentialId(tenant, result.getCredential().getCredentialId().getBase64Url())
                .orElseThrow(() -> invalid("the credential is not an active passkey of this tenant"));
        AuthenticatorAssertionResponse r = response.getResponse();
        PasskeyEvidence evidence = new PasskeyEvidence(passkey.id(), passkey.credentialId(),
                PasskeyEvidence.base64url(passkey.publicKeyCose()), r.getAuthenticatorData().getBase64Url(),
                r.getClientDataJSON().getBase64Url(), r.getSignature().getBase64Url(),
                r.getUserHandle().map(ByteArray::getBase64Url).orElse(null), PasskeyEvidence.base64url(issued.nonce()),
                PasskeyEvidence.base64url(issued.challenge()), parties.rpId(), r.getClientData().getOrigin());
        if (evidence.verify(approval.id(), approval.payloadDigest()) instanceof PasskeyEvidence.Verdict.Invalid bad) {
            throw invalid("the assertion would not verify offline: " + bad.reason());
        }
        Boolean used = tx.execute(s -> {
            if (!passkeys.useChallenge(tenant, challengeId, approval.id())
                    || !passkeys.recordUse(tenant, passkey.id(), result.getSignatureCount())) {
                s.setRollbackOnly();
                return false;
            }
            return true;
        });
        if (!Boolean.TRUE.equals(used)) {
            throw invalid("the passkey challenge was used already, or the passkey was revoked or its counter moved: "
                    + "ask for another challenge");
        }
        return evidence;
    }

    private static ApiException invalid(String message) {
        return new ApiException(ErrorCode.PASSKEY_INVALID, message);
    }
}
