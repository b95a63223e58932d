-- Gongwen client store, schema version 2: the approval workflow (issue 5).
-- Append-only: never edit this file once shipped; add a new migration instead.
-- Times compared in SQL (since, due_at, done_at, acted_at) are RFC 3339 UTC strings
-- truncated to whole seconds ("2026-03-02T01:00:00Z"), so text order is time order.

-- The local copy of the directory (通讯录). Sync fills it from the server's `org`
-- bucket; until then it can be seeded by hand (`gongwen people add`).
-- roles: JSON array of role names (主要负责人, 分管领导, 部门负责人, 办公室主任, …).
CREATE TABLE people (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    organ      TEXT NOT NULL,
    dept       TEXT NOT NULL DEFAULT '',
    roles      TEXT NOT NULL DEFAULT '[]',
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX people_by_organ ON people (organ, dept);

-- One row per flow: the local view (server read model + replay of pending commands)
-- in flow_json, and base_json, the last state the server confirmed (NULL while the
-- flow exists only locally). Rebase = base_json + replay of the flow's pending
-- outbox commands. The other columns are denormalised for the 在办 list and filters.
CREATE TABLE flows (
    id           TEXT PRIMARY KEY NOT NULL,
    document_id  TEXT NOT NULL,
    doc_version  INTEGER,
    kind         TEXT NOT NULL CHECK (kind IN ('outgoing', 'incoming')),
    owner        TEXT NOT NULL,
    route_name   TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('running', 'completed', 'terminated', 'sent_back')),
    title        TEXT NOT NULL,
    doc_type     TEXT,
    urgency      TEXT,
    from_organ   TEXT,
    current_step TEXT,
    content_hash TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    flow_json    TEXT NOT NULL,
    base_json    TEXT
) STRICT;
CREATE INDEX flows_by_owner ON flows (owner, status, updated_at DESC);
CREATE INDEX flows_by_document ON flows (document_id, created_at DESC);
-- A document is in at most one running flow.
CREATE UNIQUE INDEX flows_one_running_per_document ON flows (document_id) WHERE status = 'running';

-- Tasks (0001) become the queue index of the flows: one row per task that has been
-- someone's turn (tasks still waiting for their turn live only in flow_json).
-- state stays 'open' | 'done' (待办/待阅 vs 已办/已阅, as counted by queue_counts);
-- status is the workflow's own state: open, approved, read, returned, transferred,
-- sent_back, withdrawn.
ALTER TABLE tasks ADD COLUMN flow_id TEXT REFERENCES flows (id) ON DELETE CASCADE;
ALTER TABLE tasks ADD COLUMN step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN step_name TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN status TEXT NOT NULL DEFAULT 'open';
ALTER TABLE tasks ADD COLUMN withdraw_cause TEXT;
-- 0 特急, 1 加急, 2 none: the second key of the 待办 order.
ALTER TABLE tasks ADD COLUMN urgency_rank INTEGER NOT NULL DEFAULT 2;
ALTER TABLE tasks ADD COLUMN doc_type TEXT;
ALTER TABLE tasks ADD COLUMN from_organ TEXT;
-- When it became the assignee's turn: the third key of the 待办 order.
ALTER TABLE tasks ADD COLUMN since TEXT NOT NULL DEFAULT '';
-- Materialised "past due_at" (the first key of the 待办 order), refreshed against the
-- clock before each queue read; see flow/queue.rs.
ALTER TABLE tasks ADD COLUMN overdue INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN acted_by TEXT;
ALTER TABLE tasks ADD COLUMN acted_for TEXT;
ALTER TABLE tasks ADD COLUMN opinion TEXT;
-- The assignee's department (督办 lists overdue tasks across a department).
ALTER TABLE tasks ADD COLUMN dept TEXT NOT NULL DEFAULT '';
-- The outbox seq of the local command that last changed this row; NULL once the
-- server confirmed it. Non-NULL shows as 待同步 in the queues.
ALTER TABLE tasks ADD COLUMN pending_seq INTEGER;

-- 待办 / 待阅 first page: an index walk in exactly the 待办 order.
CREATE INDEX tasks_todo ON tasks (assignee, kind, state, overdue DESC, urgency_rank, since, id);
-- 已办 / 已阅: newest first.
CREATE INDEX tasks_done_assignee ON tasks (assignee, state, done_at DESC);
-- 督办: overdue open tasks of a department.
CREATE INDEX tasks_overdue_dept ON tasks (dept, overdue, state, due_at);
CREATE INDEX tasks_by_flow ON tasks (flow_id);
-- The overdue refresh touches only the rows whose flag is out of date.
CREATE INDEX tasks_due_not_flagged ON tasks (due_at) WHERE state = 'open' AND overdue = 0;
CREATE INDEX tasks_due_flagged ON tasks (due_at) WHERE state = 'open' AND overdue = 1;

-- The outbox (0001) carries workflow commands: kind is the mutation name
-- ("flow.start.v1", "flow.act.v1"), entity_id the flow id, payload the args JSON.
-- seq (AUTOINCREMENT) is strictly increasing and never reused; id is the UUIDv7
-- idempotency key. A command the server refused stays, state 'rejected', with the
-- server's code and reason, until the user retries or discards it.
ALTER TABLE outbox ADD COLUMN state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'rejected'));
ALTER TABLE outbox ADD COLUMN reject_code TEXT;
ALTER TABLE outbox ADD COLUMN reject_reason TEXT;
ALTER TABLE outbox ADD COLUMN rejected_at TEXT;
CREATE INDEX outbox_by_entity ON outbox (entity_id, state, seq);
CREATE INDEX outbox_by_state ON outbox (state, seq);

-- The local audit chain (SM3, gongwen_domain::audit): every workflow event applied
-- on this client. Records are never updated or deleted.
CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY CHECK (seq >= 1),
    id           TEXT NOT NULL UNIQUE,
    time         TEXT NOT NULL,
    actor        TEXT NOT NULL,
    on_behalf_of TEXT,
    action       TEXT NOT NULL,
    subject      TEXT NOT NULL,
    detail_json  TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
) STRICT;
CREATE TRIGGER audit_log_no_update
BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit records are never updated');
END;
CREATE TRIGGER audit_log_no_delete
BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit records are never deleted');
END;
