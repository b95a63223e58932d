-- Gongwen client store, schema version 1.
-- Append-only: never edit this file once shipped; add 0002_*.sql instead.
-- Times are RFC 3339 UTC strings; ids are UUIDv7 text.

-- Key/value facts about this store (device id, local user).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

-- Drafts: one row per document being written. The content lives in versions.
CREATE TABLE drafts (
    num          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    head_version INTEGER NOT NULL,
    -- denormalised from the head version, for the 草稿 list
    title        TEXT NOT NULL,
    doc_type     TEXT,
    doc_number   TEXT
) STRICT;
CREATE INDEX drafts_by_updated ON drafts (updated_at DESC, num DESC);

-- Immutable versions (痕迹保留). content = Document::to_canonical_json(),
-- content_hash = hex SHA-256 of content.
CREATE TABLE draft_versions (
    draft_id     TEXT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    version      INTEGER NOT NULL CHECK (version >= 1),
    author       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    base_version INTEGER,
    content_hash TEXT NOT NULL,
    content      TEXT NOT NULL,
    PRIMARY KEY (draft_id, version)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER draft_versions_immutable
BEFORE UPDATE ON draft_versions
BEGIN
    SELECT RAISE(ABORT, 'draft versions are immutable');
END;

-- Content-addressed attachment blobs (files under blobs/ in the data folder).
CREATE TABLE blobs (
    hash       TEXT PRIMARY KEY NOT NULL,
    size       INTEGER NOT NULL,
    created_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Which version references which blob (the reference count for blob GC).
CREATE TABLE version_attachments (
    draft_id  TEXT NOT NULL,
    version   INTEGER NOT NULL,
    position  INTEGER NOT NULL,
    name      TEXT NOT NULL,
    blob_hash TEXT REFERENCES blobs (hash),
    -- the original file name (for export), when the attachment has a file
    file_name TEXT,
    PRIMARY KEY (draft_id, version, position),
    FOREIGN KEY (draft_id, version) REFERENCES draft_versions (draft_id, version) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX version_attachments_by_blob ON version_attachments (blob_hash);

-- Workflow tasks (待办 / 待阅 / 已办), filled by sync. state: 'open' | 'done'.
-- kind: 'handle' (办理/审批, counts as 待办) | 'read' (传阅, counts as 待阅).
CREATE TABLE tasks (
    id          TEXT PRIMARY KEY NOT NULL,
    document_id TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('handle', 'read')),
    assignee    TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done')),
    title       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    due_at      TEXT,
    done_at     TEXT
) STRICT;
CREATE INDEX tasks_by_assignee ON tasks (assignee, state, kind);

-- Local changes waiting to be pushed (see SYNC.md): seq orders them, id
-- (UUIDv7) makes a push idempotent on the server.
CREATE TABLE outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

-- Sync bookkeeping: a single row.
CREATE TABLE sync_state (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    online       INTEGER NOT NULL DEFAULT 0,
    last_sync_at TEXT,
    cursor       TEXT
) STRICT;
INSERT INTO sync_state (id) VALUES (1);

-- Full-text search over the head version of each draft. The indexed text is
-- pre-split into overlapping CJK bigrams (see store/search.rs); rowid = drafts.num.
-- Contentless: the text itself lives in draft_versions, the index keeps only terms.
CREATE VIRTUAL TABLE search_index USING fts5 (
    title, body, recipients, doc_number, attachments,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);
