-- Sync at scale: the audit log becomes one hash chain per stream (so pushes of
-- different devices no longer queue behind one chain head), and bucket op logs can be
-- compacted (superseded ops folded away, with the checksum bookkeeping that keeps
-- every client's running checksum valid). Append-only: never edit once shipped.

-- Audit: every record belongs to a stream ('server', or 'client:{client_id}' for the
-- records of a device's pushed mutations) and is numbered from 1 within it. Records
-- written before this migration form the 'server' stream. Adding the column and
-- changing the key rewrite no row, so the immutability trigger is not involved.
ALTER TABLE audit_log ADD COLUMN stream text NOT NULL DEFAULT 'server'
    CHECK (length(stream) BETWEEN 1 AND 200);
ALTER TABLE audit_log ALTER COLUMN stream DROP DEFAULT;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey;
ALTER TABLE audit_log ADD PRIMARY KEY (stream, seq);

-- The head of each stream: its last seq and hash. An append locks its stream's row;
-- a device's stream is only appended under that device's sync_clients lock, so the
-- lock never makes anyone wait.
CREATE TABLE audit_streams (
    stream  text PRIMARY KEY CHECK (length(stream) BETWEEN 1 AND 200),
    seq     bigint NOT NULL CHECK (seq >= 1),
    hash    text NOT NULL
);
INSERT INTO audit_streams (stream, seq, hash)
SELECT 'server', seq, hash FROM audit_head WHERE seq > 0;
DROP TABLE audit_head;

-- Compaction (src/sync/compact.rs). compacted_through: every op at or before it that
-- is not the last op of its entity, or is a REMOVE, has been deleted; a client whose
-- cursor is below it (and who started before the last compaction) must pull the
-- bucket again from 0. compacted_checksum: the wrapping sum of the checksums of every
-- deleted op. The stored checksum of each remaining op stays
--     compacted_checksum + sum of the checksums of the remaining ops up to it,
-- so a client who pulled the bucket before a compaction (its running sum includes the
-- deleted ops) and one who pulled it after (it never saw them) are both served a
-- checksum they can verify: the server subtracts the compacted_checksum the bucket had
-- when the client started it from 0 (sync_client_buckets.base_checksum).
-- epoch counts the compactions that deleted something.
ALTER TABLE buckets
    ADD COLUMN compacted_through bigint NOT NULL DEFAULT 0 CHECK (compacted_through >= 0),
    ADD COLUMN compacted_checksum bigint NOT NULL DEFAULT 0
        CHECK (compacted_checksum BETWEEN 0 AND 4294967295),
    ADD COLUMN epoch integer NOT NULL DEFAULT 0 CHECK (epoch >= 0),
    ADD COLUMN compacted_at timestamptz;

-- When a device started pulling a compacted bucket from 0: the bucket's epoch and
-- compacted_checksum then. No row: the device started before any compaction
-- (epoch 0, base 0).
CREATE TABLE sync_client_buckets (
    client_id      text NOT NULL CHECK (length(client_id) BETWEEN 1 AND 100),
    user_id        bigint NOT NULL REFERENCES users (id),
    bucket         text NOT NULL REFERENCES buckets (name),
    epoch          integer NOT NULL CHECK (epoch >= 0),
    base_checksum  bigint NOT NULL CHECK (base_checksum BETWEEN 0 AND 4294967295),
    started_at     timestamptz NOT NULL,
    PRIMARY KEY (client_id, user_id, bucket)
);

