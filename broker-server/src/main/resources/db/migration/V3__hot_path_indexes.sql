-- Indexes for the execute pipeline's lookups (issue 4). Without them each of these was a scan of
-- every row of the table (or of the tenant), so an execution got slower as the tenant's history grew.

-- every authenticated request looks its key up by hash
create unique index api_keys_hash on api_keys (key_hash);

-- completion links a creation's reservations to its campaign; a failure releases an execution's
create index spend_reservations_execution on spend_reservations (tenant_id, execution_id) where status = 'held';

-- reports map provider campaign ids back to the tenant's campaigns
create index ads_campaigns_provider_object on ads_campaigns (tenant_id, provider, provider_object_id);

-- the janitor looks for executions stuck in flight; settled ones, the vast majority, are not indexed
create index executions_in_flight on executions (updated_at) where status in ('executing', 'outcome_unknown');
