-- Provider polls (issue 13): providers without webhooks (Google Ads) are asked what changed. Each
-- polled provider account keeps how far it has read: the latest change time the provider reported.
-- The next poll asks from a little before it (the provider may list a change minutes late) and
-- relies on the webhook events' dedupe by provider event id.
create table provider_poll_watermarks (
    provider_account_id text primary key references provider_accounts (id),
    provider            text not null,
    -- the latest change time the provider reported; null until it reported one
    watermark           timestamptz,
    polled_at           timestamptz not null
);

-- a polled change is stored with the webhook deliveries, chained per provider account; it was
-- asked for over the account's authenticated API, not signed by the provider: its verdict says so
alter table broker_webhook_events drop constraint broker_webhook_events_signature_verdict_check;
alter table broker_webhook_events add constraint broker_webhook_events_signature_verdict_check
    check (signature_verdict in ('valid', 'invalid', 'missing', 'polled'));
