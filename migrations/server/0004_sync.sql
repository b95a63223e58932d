-- Offline-first sync (SYNC.md): the per-client command log, the per-bucket op logs
-- that clients pull, the server's authoritative drafts and flows, and the server's
-- SM3 audit chain. Append-only: never edit this file once shipped.

-- One row per device (client id). last_applied_seq: every seq up to it is consumed
-- (applied or terminally rejected). Pushes lock this row (SELECT ... FOR UPDATE), so
-- a client's mutations apply one at a time, in order, whatever instance serves them.
CREATE TABLE sync_clients (
    client_id         text PRIMARY KEY CHECK (length(client_id) BETWEEN 1 AND 100),
    user_id           bigint NOT NULL REFERENCES users (id),
    last_applied_seq  bigint NOT NULL DEFAULT 0 CHECK (last_applied_seq >= 0),
    created_at        timestamptz NOT NULL DEFAULT now(),
    last_seen_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sync_clients_user ON sync_clients (user_id);

-- The stored answer of every consumed mutation, returned again on replay. id is the
-- mutation's UUIDv7 (the global idempotency key); NULL only for a mutation refused
-- because its id was already used by another mutation (DUPLICATE_MUTATION_ID).
CREATE TABLE mutation_results (
    client_id   text NOT NULL REFERENCES sync_clients (client_id),
    seq         bigint NOT NULL CHECK (seq >= 1),
    id          uuid UNIQUE,
    name        text NOT NULL,
    result      jsonb NOT NULL,
    applied_at  timestamptz NOT NULL,
    PRIMARY KEY (client_id, seq)
);

-- One row per bucket: the last op id handed out and the running checksum (the
-- wrapping u32 sum of gongwen_protocol::sync::op_checksum over every op). Appending
-- an op takes this row's lock, so op ids of one bucket are allocated and committed
-- in order and concurrent transactions never interleave them.
CREATE TABLE buckets (
    name        text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 300),
    last_op_id  bigint NOT NULL DEFAULT 0 CHECK (last_op_id >= 0),
    checksum    bigint NOT NULL DEFAULT 0 CHECK (checksum BETWEEN 0 AND 4294967295)
);

-- The op log of each bucket. checksum is the bucket checksum up to and including this
-- op, so the checksum at any cursor is one lookup.
CREATE TABLE bucket_ops (
    bucket      text NOT NULL REFERENCES buckets (name),
    op_id       bigint NOT NULL CHECK (op_id >= 1),
    op          text NOT NULL CHECK (op IN ('PUT', 'REMOVE')),
    kind        text NOT NULL,
    entity_id   text NOT NULL,
    version     bigint NOT NULL,
    data        jsonb,
    checksum    bigint NOT NULL CHECK (checksum BETWEEN 0 AND 4294967295),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bucket, op_id),
    CHECK ((op = 'PUT') = (data IS NOT NULL))
);

-- Drafts as the server holds them: the head, and every version (immutable).
-- version is the entity version carried by pull ops (bumped on every change of the
-- head or of the conflict copies).
CREATE TABLE drafts (
    id            text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 100),
    owner_id      bigint NOT NULL REFERENCES users (id),
    organ_id      bigint NOT NULL REFERENCES organs (id),
    head_version  bigint NOT NULL CHECK (head_version >= 1),
    content_hash  text NOT NULL,
    version       bigint NOT NULL CHECK (version >= 1),
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX drafts_owner ON drafts (owner_id);

CREATE TABLE draft_versions (
    draft_id      text NOT NULL REFERENCES drafts (id),
    version       bigint NOT NULL CHECK (version >= 1),
    base_version  bigint,
    document      jsonb NOT NULL,
    content_hash  text NOT NULL,
    author_id     bigint NOT NULL REFERENCES users (id),
    mutation_id   uuid,
    saved_at      timestamptz NOT NULL,
    PRIMARY KEY (draft_id, version)
);

-- A save that lost its compare-and-set: kept, never dropped, until a later save
-- resolves it (DraftSave::resolves).
CREATE TABLE draft_conflicts (
    id            text PRIMARY KEY,
    draft_id      text NOT NULL REFERENCES drafts (id),
    base_version  bigint,
    document      jsonb NOT NULL,
    content_hash  text NOT NULL,
    author_id     bigint NOT NULL REFERENCES users (id),
    saved_at      timestamptz NOT NULL,
    resolved_at   timestamptz,
    resolved_by   bigint REFERENCES users (id)
);
CREATE INDEX draft_conflicts_open ON draft_conflicts (draft_id) WHERE resolved_at IS NULL;

-- Flows: the workflow state machine's JSON (gongwen_domain::workflow::Flow) and the
-- columns the client's `flows` table keeps. version is the entity version of pull ops.
CREATE TABLE flows (
    id            text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 100),
    document_id   text NOT NULL CHECK (length(document_id) BETWEEN 1 AND 100),
    doc_version   bigint,
    kind          text NOT NULL CHECK (kind IN ('outgoing', 'incoming')),
    owner_id      bigint NOT NULL REFERENCES users (id),
    organ_id      bigint NOT NULL REFERENCES organs (id),
    route_name    text NOT NULL,
    status        text NOT NULL CHECK (status IN ('running', 'completed', 'terminated', 'sent_back')),
    title         text NOT NULL,
    doc_type      text,
    urgency       text,
    from_organ    text,
    current_step  text,
    content_hash  text NOT NULL,
    doc_number    text,
    flow          jsonb NOT NULL,
    version       bigint NOT NULL CHECK (version >= 1),
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX flows_document ON flows (document_id);
CREATE UNIQUE INDEX flows_one_running_per_document ON flows (document_id) WHERE status = 'running';

-- Who may see a document (its draft and flows): the owner, every person who has or
-- had a task in one of its flows (except tasks recalled before their turn came), and
-- delegates who acted. Each member gets the document's ops in their user bucket.
CREATE TABLE document_members (
    document_id  text NOT NULL,
    user_id      bigint NOT NULL REFERENCES users (id),
    PRIMARY KEY (document_id, user_id)
);
CREATE INDEX document_members_user ON document_members (user_id);

-- The directory as last published in each organ bucket: one row per person, with the
-- digest of the data sent, so a pull republishes only what changed.
CREATE TABLE published_persons (
    organ_code  text NOT NULL,
    login       text NOT NULL,
    version     bigint NOT NULL,
    digest      text,
    PRIMARY KEY (organ_code, login)
);

-- The server's audit chain (SM3, gongwen_domain::audit): one record per effect of
-- every mutation applied. time + utc_offset (seconds) keep the offset the hash covers.
CREATE TABLE audit_log (
    seq           bigint PRIMARY KEY CHECK (seq >= 1),
    id            text NOT NULL UNIQUE,
    time          timestamptz NOT NULL,
    utc_offset    integer NOT NULL,
    actor         text NOT NULL,
    on_behalf_of  text,
    action        text NOT NULL,
    subject       text NOT NULL,
    detail_json   text NOT NULL,
    prev_hash     text NOT NULL,
    hash          text NOT NULL
);

-- The chain's head, locked by every append so records are chained one at a time.
CREATE TABLE audit_head (
    id    integer PRIMARY KEY CHECK (id = 1),
    seq   bigint NOT NULL,
    hash  text NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Versions and audit records are never changed (a DBA can still bypass this; the
-- chain's hashes are what detects that).
CREATE FUNCTION gongwen_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are never updated or deleted', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER draft_versions_immutable BEFORE UPDATE OR DELETE ON draft_versions
    FOR EACH ROW EXECUTE FUNCTION gongwen_refuse_change();
CREATE TRIGGER audit_log_immutable BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION gongwen_refuse_change();
