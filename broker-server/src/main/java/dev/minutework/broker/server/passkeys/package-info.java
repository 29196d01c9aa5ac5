/**
 * Passkey-signed approvals (WebAuthn, with Yubico's java-webauthn-server, ADR 0012): approvers
 * register passkeys ({@code PasskeyRegistrations}), a challenge bound to one approval's id and
 * payload digest is issued and its assertion verified ({@code PasskeyAssertions}), whose evidence
 * {@code approvals} puts in the approval's receipt for anyone to check offline
 * ({@code core.approval.PasskeyEvidence}). Tables {@code passkey_credentials},
 * {@code passkey_registrations}, {@code passkey_challenges}; the relying party is
 * {@code broker.webauthn.*} ({@code RelyingParties}).
 */
package dev.minutework.broker.server.passkeys;
