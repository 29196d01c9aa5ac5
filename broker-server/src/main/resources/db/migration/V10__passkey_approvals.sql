-- Passkey-signed approvals (issue 14). An approver registers a passkey (WebAuthn); approving above
-- the tenant's threshold then needs an assertion over a challenge that binds the approval id and
-- its payload digest (core.approval.PasskeyEvidence), stored in the approval's receipt.

-- A tenant's approval policy: above passkey_required_above_minor (compared with an approval's
-- spend impact, in minor units) a bearer-key approval is refused (passkey_required). Null: no
-- passkey is ever required. The operator sets it; a tenant approver may only lower it.
create table tenant_approval_policies (
    tenant_id                    text primary key references tenants (id),
    passkey_required_above_minor bigint check (passkey_required_above_minor >= 0),
    updated_by                   text not null,
    updated_at                   timestamptz not null
);

-- Registered passkeys. Public keys are not secrets, but are never logged with assertions.
create table passkey_credentials (
    id                   text primary key,
    tenant_id            text not null references tenants (id),
    registered_by_key_id text not null,
    -- the WebAuthn credential id, base64url (no padding)
    credential_id        text not null unique,
    -- the credential public key as a COSE_Key
    public_key_cose      bytea not null,
    sign_count           bigint not null check (sign_count >= 0),
    user_handle          bytea not null,
    label                text,
    created_at           timestamptz not null,
    last_used_at         timestamptz,
    revoked_at           timestamptz,
    revoked_by           text,
    check ((revoked_at is null) = (revoked_by is null))
);
create index passkey_credentials_tenant on passkey_credentials (tenant_id) where revoked_at is null;

-- Registrations begun and not yet completed: the creation options (their random challenge) that
-- the completion is checked against. Single use, short-lived.
create table passkey_registrations (
    id                   text primary key,
    tenant_id            text not null references tenants (id),
    requested_by_key_id  text not null,
    label                text,
    options_json         text not null,
    created_at           timestamptz not null,
    expires_at           timestamptz not null,
    completed_at         timestamptz
);

-- Assertion challenges issued for one approval and its payload digest: single use, short-lived.
create table passkey_challenges (
    id                  text primary key,
    tenant_id           text not null references tenants (id),
    approval_id         text not null references approval_grants (id),
    payload_digest      text not null,
    nonce               bytea not null check (length(nonce) = 32),
    challenge           bytea not null check (length(challenge) = 32),
    -- the assertion request options (the challenge, rp id, allowed credentials) to verify against
    request_json        text not null,
    requested_by_key_id text not null,
    created_at          timestamptz not null,
    expires_at          timestamptz not null,
    used_at             timestamptz
);
create index passkey_challenges_approval on passkey_challenges (tenant_id, approval_id);
