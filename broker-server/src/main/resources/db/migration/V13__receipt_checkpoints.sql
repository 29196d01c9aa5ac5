-- Signed checkpoints (issue 15): a checkpoint pins what one audit log held — its size and the
-- head of its RFC 6962 Merkle tree — signed with an Ed25519 key the broker keeps outside the
-- database. chain: receipts | spend_policy (owner = tenant) | webhooks (owner = provider account).
create table receipt_checkpoints (
    chain      text not null check (chain in ('receipts', 'spend_policy', 'webhooks')),
    owner_id   text not null,
    tree_size  bigint not null check (tree_size >= 0),
    root_hash  text not null,
    note       text not null,
    created_at timestamptz not null,
    primary key (chain, owner_id, tree_size)
);

create trigger receipt_checkpoints_append_only before update or delete on receipt_checkpoints
    for each row execute function refuse_append_only_change();
create trigger receipt_checkpoints_no_truncate before truncate on receipt_checkpoints
    for each statement execute function refuse_append_only_change();
