-- Issue 13: provider events can arrive out of order (webhooks are retried, polls overlap). A
-- status the provider reports is applied only when it is newer than the last one applied to the
-- object, whether that came from the provider or from the broker's own change.
alter table ads_campaigns add column status_changed_at timestamptz;
alter table ads_objects add column review_status_at timestamptz;
