-- Campaign changes are serialised: while an update or pause of a campaign is at the provider, the
-- campaign names that execution, and no other change of it may start (invariant 1).
alter table ads_campaigns add column busy_execution_id text references executions (id);

-- Executions the broker starts itself (pausing a campaign whose authorization ended) name no key.
comment on column executions.requested_by_key_id is 'the API key that asked, or broker:<job> for the broker''s own jobs';

-- db-scheduler's table: durable jobs on PostgreSQL, each due instance run by one broker process.
create table scheduled_tasks (
    task_name            text                     not null,
    task_instance        text                     not null,
    task_data            bytea,
    execution_time       timestamp with time zone not null,
    picked               boolean                  not null,
    picked_by            text,
    last_success         timestamp with time zone,
    last_failure         timestamp with time zone,
    consecutive_failures int,
    last_heartbeat       timestamp with time zone,
    version              bigint                   not null,
    priority             smallint,
    primary key (task_name, task_instance)
);
create index scheduled_tasks_execution_time on scheduled_tasks (execution_time);
create index scheduled_tasks_last_heartbeat on scheduled_tasks (last_heartbeat);
create index scheduled_tasks_priority_execution_time on scheduled_tasks (priority desc, execution_time asc);

-- A one-shot approval whose spend impact rose before it was approved is superseded by a new one
-- showing the new figure; the old one can no longer be approved.
alter table approval_grants drop constraint approval_grants_status_check,
    add constraint approval_grants_status_check
        check (status in ('pending', 'approved', 'denied', 'used', 'revoked', 'expired', 'superseded'));
