-- The console's sign-in sessions (package console). The browser holds a random session token in an
-- HttpOnly cookie; only its SHA-256 is stored here, never the API key the user signed in with. A
-- session names the key it was opened with (re-checked on every request: a revoked key ends its
-- sessions) or, with tenant_id and key_id null, the operator. The CSRF token is the synchronizer
-- token every console form carries; alone it grants nothing.
create table console_sessions (
    token_hash   text primary key,
    tenant_id    text references tenants (id),
    key_id       text references api_keys (id),
    role         text not null check (role in ('operator', 'runtime', 'approver', 'viewer')),
    csrf_token   text not null,
    created_at   timestamptz not null,
    last_seen_at timestamptz not null,
    expires_at   timestamptz not null,
    check ((role = 'operator') = (tenant_id is null and key_id is null))
);
create index console_sessions_key on console_sessions (key_id);
create index console_sessions_expiry on console_sessions (expires_at);
