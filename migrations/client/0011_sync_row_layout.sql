-- Gongwen client store: rows an initial sync writes by the hundred thousand take
-- fewer pages (issue 7: initial sync of 100,000 documents ≥ 10,000/s).
-- Append-only: never edit this file once shipped; add a new migration instead.
--
-- Why: the apply of a pulled page is bound by the pages it writes (each one encrypted,
-- HMACed and appended to the WAL; BENCHMARKS.md, sync_apply, sessions 7 and 8), and two
-- tables took a page or more per document where half a page holds it:
--
-- 1. draft_versions was WITHOUT ROWID: its rows live in an index b-tree, whose cells
--    keep at most ~1,000 bytes of a 4 KB page locally, so a 1.5 KB version spilled
--    the rest into an overflow page of its own (a page per version, 82 % of what a
--    pulled draft head wrote). As a rowid table a version stays whole in its leaf, two
--    to a page; (draft_id, version) stays the primary key (a unique index beside it).
--    version_attachments is rebuilt with it: its foreign key names draft_versions, and
--    dropping the old table would otherwise cascade into it (foreign keys are on while
--    migrations run).
-- 2. A 收文 row was the item's JSON (≈ 2 KB) plus received_at (read by nobody) and the
--    four list columns 0007 made real (≈ 100 bytes): just over half a page, one row
--    per page. The row is now (id, data), and the list columns are read from the JSON
--    again (generated, VIRTUAL: not stored); of their indexes only incoming_by_time is
--    kept (the list and the search scan go newest first), so storing an item parses
--    its JSON once, for that entry. incoming_by_sender served no query (the 来文单位
--    filter is `from_code = ? OR instr(from_name, ?)`, which scans).

-- 1. draft_versions as a rowid table, version_attachments rebuilt beside it.
CREATE TABLE draft_versions_new (
    draft_id     TEXT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    version      INTEGER NOT NULL CHECK (version >= 1),
    author       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    base_version INTEGER,
    content_hash TEXT NOT NULL,
    content      TEXT NOT NULL,
    PRIMARY KEY (draft_id, version)
) STRICT;
INSERT INTO draft_versions_new
    (draft_id, version, author, created_at, base_version, content_hash, content)
SELECT draft_id, version, author, created_at, base_version, content_hash, content
FROM draft_versions ORDER BY draft_id, version;

CREATE TABLE version_attachments_new (
    draft_id  TEXT NOT NULL,
    version   INTEGER NOT NULL,
    position  INTEGER NOT NULL,
    name      TEXT NOT NULL,
    blob_hash TEXT REFERENCES blobs (hash),
    -- the original file name (for export), when the attachment has a file
    file_name TEXT,
    PRIMARY KEY (draft_id, version, position),
    FOREIGN KEY (draft_id, version) REFERENCES draft_versions_new (draft_id, version) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
INSERT INTO version_attachments_new (draft_id, version, position, name, blob_hash, file_name)
SELECT draft_id, version, position, name, blob_hash, file_name FROM version_attachments;

-- The child first: nothing references it, so dropping it deletes nothing else. Then the
-- old versions, which nothing references any more.
DROP TABLE version_attachments;
DROP TABLE draft_versions;
-- Renaming rewrites version_attachments_new's foreign key to the new name.
ALTER TABLE draft_versions_new RENAME TO draft_versions;
ALTER TABLE version_attachments_new RENAME TO version_attachments;
CREATE INDEX version_attachments_by_blob ON version_attachments (blob_hash);

CREATE TRIGGER draft_versions_immutable
BEFORE UPDATE ON draft_versions
BEGIN
    SELECT RAISE(ABORT, 'draft versions are immutable');
END;

-- 2. incoming as (id, data) with the list columns generated from the JSON.
CREATE TABLE incoming_new (
    id           TEXT PRIMARY KEY NOT NULL,
    data         TEXT NOT NULL,
    state        TEXT GENERATED ALWAYS AS (json_extract(data, '$.state')) VIRTUAL,
    from_code    TEXT GENERATED ALWAYS AS (json_extract(data, '$.from.code')) VIRTUAL,
    from_name    TEXT GENERATED ALWAYS AS (json_extract(data, '$.from.name')) VIRTUAL,
    delivered_at TEXT GENERATED ALWAYS AS (json_extract(data, '$.delivered_at')) VIRTUAL
) STRICT;
INSERT INTO incoming_new (id, data) SELECT id, data FROM incoming ORDER BY rowid;
DROP TABLE incoming;
ALTER TABLE incoming_new RENAME TO incoming;
CREATE INDEX incoming_by_time ON incoming (delivered_at DESC, id);
