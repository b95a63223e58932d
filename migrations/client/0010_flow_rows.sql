-- Gongwen client store: a workflow action rewrites a small flow row and appends its
-- events, instead of rewriting the whole flow (issue 5: one action ≤ 2 ms p99).
-- Append-only: never edit this file once shipped; add a new migration instead.
--
-- Why: every page an action dirties is encrypted and HMACed (SQLCipher) into the WAL
-- and synced. The flow row was a third of the pages an action wrote: flow_json (5–8 KB,
-- more than half of it the flow's history of events) plus base_json (the server's
-- state, as large again, for every flow the server confirmed) made each row its own
-- leaf page plus an overflow chain, and every action rewrote both JSON documents
-- whole: the overflow pages freed and allocated again (page 1 and the free list), the
-- leaf rebalanced with its siblings (BENCHMARKS.md, flow_queue, sessions 7 and 8).
--
-- 1. The history (Flow::history, append-only: `history[i].seq == i + 1`) moves to
--    flow_events, one row per event: an action appends its few events (~300 bytes
--    each). flow_json keeps the rest of the flow
--    (route, status, runs, tasks, checkpoint) with an empty history; flow/rows.rs
--    puts the two together on every load.
-- 2. base_json moves to flow_bases: only the sync writes it (a PUT of the server's
--    flow) and only a rebase reads it; no row there = the flow is known only locally
--    (its 送审 not yet confirmed), as base_json IS NULL was.
-- 3. outbox_by_state (state, seq) held every row, so every command entered it. The
--    queries by state are the pending rows in seq order (the table's own order: they
--    are nearly all its rows) and the refused ones (few, counted for the navigation
--    after every action): a partial index over the refused rows serves those, and a
--    new command enters only outbox_by_entity besides the table and its id index.

-- Rows in the order they were written (id): an action's events go to the right edge of
-- the table, where the previous action's went, and the index that finds a flow's
-- history takes one small entry per event. (A table keyed by (flow_id, seq) took each
-- action's events in the middle of a packed b-tree and split leaves: 3.8 pages per
-- action in the flow_queue bench, against 3.2 for the table and its index this way.)
CREATE TABLE flow_events (
    id      INTEGER PRIMARY KEY,
    flow_id TEXT NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL CHECK (seq >= 1),
    -- The event as JSON (gongwen_domain::workflow::Event).
    event   TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX flow_events_by_flow ON flow_events (flow_id, seq);

INSERT INTO flow_events (flow_id, seq, event)
    SELECT f.id, CAST(e.key AS INTEGER) + 1, e.value
    FROM flows f, json_each(f.flow_json, '$.history') e
    WHERE json_valid(f.flow_json)
    ORDER BY f.id, e.key;

UPDATE flows SET flow_json = json_set(flow_json, '$.history', json('[]'))
    WHERE json_valid(flow_json) AND json_array_length(flow_json, '$.history') > 0;

-- A rowid table: a base is as large as the flow was (5–15 KB), and rows that size
-- belong in table leaves and their overflow pages, not in an index b-tree.
CREATE TABLE flow_bases (
    flow_id   TEXT PRIMARY KEY NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
    -- The last state of the flow the server confirmed (gongwen_domain::workflow::Flow),
    -- history included.
    base_json TEXT NOT NULL
) STRICT;

INSERT INTO flow_bases (flow_id, base_json)
    SELECT id, base_json FROM flows WHERE base_json IS NOT NULL;

ALTER TABLE flows DROP COLUMN base_json;

DROP INDEX outbox_by_state;
CREATE INDEX outbox_rejected ON outbox (seq) WHERE state = 'rejected';
