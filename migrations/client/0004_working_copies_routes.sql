-- Gongwen client store, schema 0004: draft working copies (autosave without a
-- version per keystroke), the organ's route templates and 委托 (delegations), both
-- fed by sync.
-- Append-only: never edit this file once shipped.

-- The editor's unsaved state of a draft: at most one per draft, rewritten by every
-- autosave, never synced. A version is made from it on 保存, 送审, closing the editor,
-- and at most every 10 minutes while typing; then the row goes.
-- content = Document::to_canonical_json(), content_hash = hex SHA-256 of content.
CREATE TABLE draft_working_copies (
    draft_id     TEXT PRIMARY KEY NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    -- the version the editor started from
    base_version INTEGER NOT NULL,
    author       TEXT NOT NULL,
    content      TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    -- the first autosave since the last version (the 10-minute rule counts from it)
    dirty_since  TEXT NOT NULL,
    saved_at     TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Attachment blobs a working copy references (kept by blob GC like version references).
CREATE TABLE working_copy_attachments (
    draft_id  TEXT NOT NULL REFERENCES draft_working_copies (draft_id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    blob_hash TEXT NOT NULL REFERENCES blobs (hash),
    file_name TEXT,
    PRIMARY KEY (draft_id, position)
) STRICT, WITHOUT ROWID;
CREATE INDEX working_copy_attachments_by_blob ON working_copy_attachments (blob_hash);

-- The organ's own route templates (pull kind `route_template`, organ bucket). They
-- take precedence over the built-in standard set when 送审 chooses a route.
-- template = gongwen_domain::workflow::template::RouteTemplate JSON.
CREATE TABLE route_templates (
    name       TEXT PRIMARY KEY NOT NULL,
    kind       TEXT NOT NULL,
    template   TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- 委托 (pull kind `delegation`, in the buckets of both people): while active, the
-- delegate sees the delegator's tasks in 待办 and signs as "受托人 代 委托人".
-- roles: JSON array of role codes the delegation is limited to ([] = whole).
CREATE TABLE delegations (
    id           INTEGER PRIMARY KEY,
    from_login   TEXT NOT NULL,
    from_display TEXT NOT NULL,
    to_login     TEXT NOT NULL,
    to_display   TEXT NOT NULL,
    starts_at    TEXT NOT NULL,
    ends_at      TEXT NOT NULL,
    roles        TEXT NOT NULL DEFAULT '[]',
    revoked      INTEGER NOT NULL DEFAULT 0,
    updated_at   TEXT NOT NULL
) STRICT;
CREATE INDEX delegations_to ON delegations (to_login, revoked);
CREATE INDEX delegations_from ON delegations (from_login, revoked);
