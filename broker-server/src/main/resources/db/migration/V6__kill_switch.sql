-- Kill switches (issue 13): while one is engaged, the broker pauses every active campaign in its
-- scope through the provider and refuses every new mutating request there but a pause
-- (kill_switch_engaged). Engaging and releasing are receipted in each affected tenant's chain; a
-- row keeps who engaged it and why, and who released it and why.
create table kill_switches (
    id                  text primary key,
    -- the tenant it stops; null for a switch on a platform-owned provider account (every tenant
    -- connected to that account)
    tenant_id           text references tenants (id),
    provider_account_id text references provider_accounts (id),
    status              text not null check (status in ('engaged', 'released')),
    engaged_by          text not null,
    engaged_reason      text not null,
    engaged_at          timestamptz not null,
    released_by         text,
    released_reason     text,
    released_at         timestamptz,
    check ((tenant_id is null) <> (provider_account_id is null)),
    check ((status = 'released') = (released_at is not null))
);
-- at most one engaged switch per scope: engaging twice answers the one engaged
create unique index kill_switches_engaged_tenant on kill_switches (tenant_id) where status = 'engaged';
create unique index kill_switches_engaged_account on kill_switches (provider_account_id) where status = 'engaged';
