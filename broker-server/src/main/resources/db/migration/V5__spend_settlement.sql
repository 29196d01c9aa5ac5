-- Issue 13: reported spend settles day by day. A campaign's reported spend for a day is settled
-- once per amount: a re-report settles only what it adds (the row is locked while it settles).
create table campaign_spend_days (
    tenant_id        text not null references tenants (id),
    campaign_id      text not null,
    day              date not null,
    currency         text not null,
    reported_minor   bigint not null default 0 check (reported_minor >= 0),
    settled_minor    bigint not null default 0 check (settled_minor >= 0),
    beyond_minor     bigint not null default 0 check (beyond_minor >= 0),
    unsettled_minor  bigint not null default 0 check (unsettled_minor >= 0),
    updated_at       timestamptz not null,
    primary key (tenant_id, campaign_id, day)
);

-- A held reservation can now be settled in parts (each day's spend), so one reservation may have
-- several settle receipts; reserve and release stay once per reservation.
alter table spend_policy_receipts drop constraint spend_policy_receipts_reservation_id_kind_key;
create unique index spend_policy_receipts_once on spend_policy_receipts (reservation_id, kind) where kind <> 'settle';
