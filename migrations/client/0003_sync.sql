-- Gongwen client store, schema version 3: offline-first sync (issue 7, SYNC.md).
-- Append-only: never edit this file once shipped; add a new migration instead.

-- This device as the server knows it: one row, created by the sync engine the first
-- time it runs (client_id is a UUIDv7 chosen then, and kept; replaced only when the
-- server answers CLIENT_UNKNOWN).
-- next_push_seq: the wire seq the next outbox row will get (contiguous from 1).
-- acked_seq: the server's last_applied_seq as last seen (push answer or pull).
CREATE TABLE sync_client (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    client_id       TEXT NOT NULL,
    next_push_seq   INTEGER NOT NULL DEFAULT 1 CHECK (next_push_seq >= 1),
    acked_seq       INTEGER NOT NULL DEFAULT 0 CHECK (acked_seq >= 0),
    created_at      TEXT NOT NULL,
    last_success_at TEXT,
    last_error      TEXT
) STRICT;

-- The server account this store syncs with (one row; the refresh token itself lives
-- only in the OS keychain). extra_ca: a PEM file trusted in addition to the system roots.
CREATE TABLE sync_account (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    server_url  TEXT NOT NULL,
    login       TEXT NOT NULL,
    display     TEXT NOT NULL DEFAULT '',
    extra_ca    TEXT,
    logged_in_at TEXT NOT NULL
) STRICT;

-- The wire seq of an outbox row. Assigned (contiguously, in outbox seq order) to
-- pending rows just before their first send, in the same transaction that advances
-- next_push_seq, so rows refused locally before being sent leave no gap. A row whose
-- push_seq is set is unresolved: it is sent (again) until the server's answer for it
-- is known; then it is deleted (applied) or kept as rejected with push_seq cleared.
ALTER TABLE outbox ADD COLUMN push_seq INTEGER;
-- Blob ids (JSON array of "sha256:<hex>") that must be uploaded before this row is sent.
ALTER TABLE outbox ADD COLUMN blob_deps TEXT NOT NULL DEFAULT '[]';
CREATE UNIQUE INDEX outbox_by_push_seq ON outbox (push_seq) WHERE push_seq IS NOT NULL;

-- Exactly-once: a row the server may not have acknowledged yet can never be deleted.
CREATE TRIGGER outbox_keep_unacknowledged
BEFORE DELETE ON outbox
WHEN OLD.push_seq IS NOT NULL
     AND OLD.push_seq > coalesce((SELECT acked_seq FROM sync_client WHERE id = 1), 0)
BEGIN
    SELECT RAISE(ABORT, 'outbox row sent but not acknowledged by the server');
END;

-- One row per bucket this client holds: the last op applied (cursor) and the
-- additive checksum of every op up to it (gongwen_protocol::sync::bucket_checksum).
CREATE TABLE sync_buckets (
    bucket     TEXT PRIMARY KEY NOT NULL,
    cursor     INTEGER NOT NULL DEFAULT 0,
    checksum   INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Which bucket holds which entity: an entity is deleted locally when no bucket holds
-- it any more (REMOVE ops, removed buckets, resets).
CREATE TABLE sync_members (
    bucket TEXT NOT NULL,
    kind   TEXT NOT NULL,
    id     TEXT NOT NULL,
    PRIMARY KEY (bucket, kind, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX sync_members_by_entity ON sync_members (kind, id);

-- The server version of each entity applied locally (a PUT applies only when newer).
CREATE TABLE sync_versions (
    kind    TEXT NOT NULL,
    id      TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
) STRICT, WITHOUT ROWID;

-- The server's head of each draft (gongwen_protocol::sync::DraftHead), kept apart from
-- the local versions: it becomes the local head once no save of the draft is waiting
-- for the server (materialized = 1 then). conflicts: JSON array of ConflictCopy (冲突副本).
CREATE TABLE draft_heads (
    draft_id     TEXT PRIMARY KEY NOT NULL,
    head_version INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    document     TEXT NOT NULL,
    conflicts    TEXT NOT NULL DEFAULT '[]',
    materialized INTEGER NOT NULL DEFAULT 0
) STRICT;

-- 收文: incoming documents addressed to this user's organ (公文交换), as the server sends them.
CREATE TABLE incoming (
    id          TEXT PRIMARY KEY NOT NULL,
    data        TEXT NOT NULL,
    received_at TEXT NOT NULL
) STRICT;

-- 回执 for documents this organ sent.
CREATE TABLE receipts (
    id          TEXT PRIMARY KEY NOT NULL,
    data        TEXT NOT NULL,
    received_at TEXT NOT NULL
) STRICT;

-- Blob transfers in progress. direction 'up': upload_url and offset are the server's
-- (tus); state 'pending' | 'done'. direction 'down': offset = bytes already in the
-- partial file under blobs/tmp.
CREATE TABLE blob_transfers (
    hash       TEXT NOT NULL,
    direction  TEXT NOT NULL CHECK (direction IN ('up', 'down')),
    size       INTEGER NOT NULL,
    upload_url TEXT,
    offset     INTEGER NOT NULL DEFAULT 0,
    state      TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done')),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (hash, direction)
) STRICT, WITHOUT ROWID;

-- Blobs referenced by entities that came from the server (incoming documents, draft
-- heads): cached attachments are removed with the last entity that references them.
CREATE TABLE entity_blobs (
    kind TEXT NOT NULL,
    id   TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (kind, id, hash)
) STRICT, WITHOUT ROWID;
CREATE INDEX entity_blobs_by_hash ON entity_blobs (hash);
