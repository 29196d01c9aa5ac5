-- A console session of the operator names the operator key it was opened with, by the key's SHA-256
-- (as api_keys names tenant keys): once the operator key is rotated (BROKER_OPERATOR_KEY changed and
-- the broker restarted), the sessions the old key opened end at their next request. Operator sessions
-- opened before this migration cannot be tied to a key: they end now.
delete from console_sessions where role = 'operator';
alter table console_sessions add column operator_key_sha256 text;
alter table console_sessions add constraint console_sessions_operator_key
    check ((role = 'operator') = (operator_key_sha256 is not null));
