-- mw.runtime.agent: agent identities per tenant, each with its own key (issue 5).
-- An agent's key is an api_keys row with role 'agent'; what the agent may run lives here.
alter table api_keys drop constraint api_keys_role_check;
alter table api_keys add constraint api_keys_role_check check (role in ('runtime', 'approver', 'viewer', 'agent'));

create table runtime_agents (
    id           text primary key,
    tenant_id    text not null references tenants (id),
    name         text not null,
    -- each entry is a capability id ("mw.connector.ads") or one action of it ("mw.connector.ads:ads.fetch_report")
    capabilities text[] not null check (cardinality(capabilities) > 0),
    mode         text not null check (mode in ('read_only', 'mutating')),
    key_id       text not null unique references api_keys (id),
    created_by   text not null,
    created_at   timestamptz not null,
    unique (tenant_id, name)
);
create index runtime_agents_tenant on runtime_agents (tenant_id);
