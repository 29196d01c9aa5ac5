-- Governed integration broker: every entity of design §2.
-- Money is bigint minor units + ISO-4217 currency. Ids are prefixed random strings.

create table broker_settings (
    name       text primary key,
    value      text not null,
    updated_at timestamptz not null
);

create table tenants (
    id         text primary key,
    name       text not null,
    created_at timestamptz not null
);

create table api_keys (
    id         text primary key,
    tenant_id  text not null references tenants (id),
    role       text not null check (role in ('runtime', 'approver', 'viewer')),
    label      text,
    key_hash   text not null unique,
    key_prefix text not null,
    created_at timestamptz not null,
    revoked_at timestamptz
);
create index api_keys_tenant on api_keys (tenant_id);

-- BrokerProviderAccount: platform-owned; credentials only as Tink AEAD ciphertext.
create table provider_accounts (
    id                     text primary key,
    provider               text not null,
    label                  text not null,
    scope                  jsonb not null,
    credentials_ciphertext bytea not null,
    credential_names       text[] not null,
    base_url               text,
    created_at             timestamptz not null
);

-- BrokerConnection: one tenant's use of one provider account.
create table broker_connections (
    id                  text primary key,
    tenant_id           text not null references tenants (id),
    provider_account_id text not null references provider_accounts (id),
    provider            text not null,
    status              text not null check (status in ('active', 'suspended', 'revoked')),
    created_at          timestamptz not null,
    updated_at          timestamptz not null
);
create unique index broker_connections_one_live on broker_connections (tenant_id, provider) where status <> 'revoked';

-- AdvertiserProfile
create table advertiser_profiles (
    tenant_id           text primary key references tenants (id),
    legal_name          text not null,
    verification_status text not null check (verification_status in ('verified', 'pending', 'rejected')),
    terms_version       text,
    terms_accepted_at   timestamptz,
    terms_accepted_by   text,
    updated_at          timestamptz not null
);

-- AdsSpendAuthorization: the cap is enforced here as well as in the conditional reservation.
create table spend_authorizations (
    id              text primary key,
    tenant_id       text not null references tenants (id),
    provider        text,
    currency        text not null,
    cap_minor       bigint not null check (cap_minor > 0),
    daily_cap_minor bigint check (daily_cap_minor > 0),
    valid_from      timestamptz not null,
    valid_until     timestamptz,
    approved_by     text not null,
    reserved_minor  bigint not null default 0,
    settled_minor   bigint not null default 0,
    status          text not null default 'active' check (status in ('active', 'revoked')),
    created_at      timestamptz not null,
    check (reserved_minor >= 0 and settled_minor >= 0 and reserved_minor + settled_minor <= cap_minor),
    check (valid_until is null or valid_until > valid_from)
);
create index spend_authorizations_tenant on spend_authorizations (tenant_id);

-- TenantWallet: available = balance - reserved; metered debits may only consume available credits.
create table tenant_wallets (
    tenant_id      text primary key references tenants (id),
    currency       text not null,
    balance_minor  bigint not null default 0,
    reserved_minor bigint not null default 0,
    updated_at     timestamptz not null,
    check (reserved_minor >= 0 and reserved_minor <= balance_minor)
);

create table wallet_entries (
    id           text primary key,
    tenant_id    text not null references tenants (id),
    kind         text not null check (kind in ('credit', 'debit', 'settlement')),
    amount_minor bigint not null check (amount_minor > 0),
    reference    text not null,
    created_at   timestamptz not null,
    unique (tenant_id, kind, reference)
);

-- Executions: one per (tenant, idempotency key).
create table executions (
    id                  text primary key,
    tenant_id           text not null references tenants (id),
    idempotency_key     text not null,
    payload             text not null,
    payload_digest      text not null,
    connector           text not null,
    action              text not null,
    provider            text not null,
    status              text not null check (status in ('awaiting_approval', 'executing', 'succeeded', 'failed',
                                                        'denied', 'outcome_unknown', 'expired')),
    requested_by_key_id text not null,
    approval_id         text,
    grant_id            text,
    spend_impact_minor  bigint not null default 0,
    currency            text,
    result              jsonb,
    error               jsonb,
    created_at          timestamptz not null,
    updated_at          timestamptz not null,
    unique (tenant_id, idempotency_key)
);

-- BrokerApprovalGrant: one-shot (bound to one payload digest) or standing (explicit limits).
create table approval_grants (
    id                  text primary key,
    tenant_id           text not null references tenants (id),
    kind                text not null check (kind in ('one_shot', 'standing')),
    status              text not null check (status in ('pending', 'approved', 'denied', 'used', 'revoked', 'expired')),
    execution_id        text references executions (id),
    action              text,
    provider            text not null,
    payload_digest      text,
    actions             text[],
    currency            text,
    spend_ceiling_minor bigint,
    spend_used_minor    bigint not null default 0,
    spend_impact_minor  bigint not null default 0,
    expires_at          timestamptz not null,
    requested_by_key_id text,
    limited_to_key_id   text,
    decided_by_key_id   text,
    decided_at          timestamptz,
    reason              text,
    created_at          timestamptz not null,
    check (spend_ceiling_minor is null or spend_used_minor <= spend_ceiling_minor),
    check (kind = 'standing' or (execution_id is not null and payload_digest is not null and action is not null)),
    check (decided_by_key_id is null or requested_by_key_id is null or decided_by_key_id <> requested_by_key_id)
);
create index approval_grants_tenant on approval_grants (tenant_id, status);

create table spend_reservations (
    id               text primary key,
    tenant_id        text not null references tenants (id),
    execution_id     text not null references executions (id),
    authorization_id text not null references spend_authorizations (id),
    campaign_id      text,
    currency         text not null,
    amount_minor     bigint not null check (amount_minor > 0),
    status           text not null check (status in ('held', 'released', 'settled')),
    settled_minor    bigint not null default 0 check (settled_minor >= 0),
    created_at       timestamptz not null,
    resolved_at      timestamptz,
    check (settled_minor <= amount_minor)
);
create index spend_reservations_campaign on spend_reservations (tenant_id, campaign_id, status);

-- Per-tenant heads of the append-only hash chains (receipts, spend policy receipts, webhook events).
create table chain_heads (
    tenant_id text not null,
    chain     text not null,
    seq       bigint not null,
    hash      text not null,
    primary key (tenant_id, chain)
);

-- AdsSpendPolicyReceipt: every reserve / release / settle decision with amounts before and after.
create table spend_policy_receipts (
    tenant_id        text not null,
    seq              bigint not null,
    kind             text not null check (kind in ('reserve', 'release', 'settle')),
    reservation_id   text not null,
    payload          text not null,
    payload_digest   text not null,
    prev_hash        text not null,
    hash             text not null,
    created_at       timestamptz not null,
    primary key (tenant_id, seq),
    unique (reservation_id, kind)
);

-- BrokerReceipt: append-only audit of every broker decision.
create table broker_receipts (
    tenant_id      text not null,
    seq            bigint not null,
    kind           text not null,
    execution_id   text,
    actor          text,
    payload        text not null,
    payload_digest text not null,
    prev_hash      text not null,
    hash           text not null,
    created_at     timestamptz not null,
    primary key (tenant_id, seq)
);
create index broker_receipts_execution on broker_receipts (execution_id);

-- BrokerWebhookEvent: append-only inbound provider events (chained per provider account).
create table broker_webhook_events (
    tenant_id           text not null,
    seq                 bigint not null,
    kind                text not null,
    provider            text not null,
    provider_event_id   text,
    signature_verdict   text not null check (signature_verdict in ('valid', 'invalid', 'missing')),
    raw_body_digest     text not null,
    payload             text not null,
    payload_digest      text not null,
    prev_hash           text not null,
    hash                text not null,
    created_at          timestamptz not null,
    primary key (tenant_id, seq),
    unique (provider, provider_event_id)
);

-- Append-only in the database: UPDATE, DELETE and TRUNCATE are refused.
create function refuse_append_only_change() returns trigger language plpgsql as $$
begin
    raise exception 'append-only table %: % refused', tg_table_name, tg_op using errcode = 'insufficient_privilege';
end
$$;

create trigger broker_receipts_append_only before update or delete on broker_receipts
    for each row execute function refuse_append_only_change();
create trigger broker_receipts_no_truncate before truncate on broker_receipts
    for each statement execute function refuse_append_only_change();
create trigger spend_policy_receipts_append_only before update or delete on spend_policy_receipts
    for each row execute function refuse_append_only_change();
create trigger spend_policy_receipts_no_truncate before truncate on spend_policy_receipts
    for each statement execute function refuse_append_only_change();
create trigger broker_webhook_events_append_only before update or delete on broker_webhook_events
    for each row execute function refuse_append_only_change();
create trigger broker_webhook_events_no_truncate before truncate on broker_webhook_events
    for each statement execute function refuse_append_only_change();

-- AdsCampaignProjection / AdsObjectProjection: tenant-scoped read models of provider objects.
create table ads_campaigns (
    id                  text primary key,
    tenant_id           text not null references tenants (id),
    provider            text not null,
    connection_id       text not null references broker_connections (id),
    provider_object_id  text not null,
    name                text not null,
    objective           text,
    status              text not null,
    budget_amount_minor bigint not null,
    currency            text not null,
    budget_period       text not null check (budget_period in ('lifetime', 'daily')),
    start_time          timestamptz,
    end_time            timestamptz,
    spend_minor         bigint not null default 0,
    created_by          text not null references executions (id),
    created_at          timestamptz not null,
    updated_at          timestamptz not null
);
create index ads_campaigns_tenant on ads_campaigns (tenant_id);

create table ads_objects (
    id                 text primary key,
    tenant_id          text not null references tenants (id),
    kind               text not null check (kind in ('group', 'creative', 'ad')),
    provider           text not null,
    connection_id      text not null references broker_connections (id),
    campaign_id        text references ads_campaigns (id),
    parent_id          text,
    provider_object_id text not null,
    name               text not null,
    status             text,
    review_status      text,
    data               jsonb not null,
    created_by         text not null references executions (id),
    created_at         timestamptz not null,
    updated_at         timestamptz not null
);
create index ads_objects_tenant on ads_objects (tenant_id, kind);

create table capability_gaps (
    id         text primary key,
    tenant_id  text references tenants (id),
    capability text not null,
    action     text,
    provider   text,
    reason     text not null,
    source     text not null check (source in ('automatic', 'reported')),
    reported_by text,
    created_at timestamptz not null
);
create index capability_gaps_capability on capability_gaps (capability);
