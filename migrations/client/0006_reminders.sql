-- Gongwen client store: 催办 that reached this user (issue 5 item 1, issue 8 item 5).
-- Append-only: never edit this file once shipped; add a new migration instead.

-- A reminder is a `reminded` event in a flow's history (the server publishes the flow,
-- history included, to the members' buckets). One row per reminded task of this
-- store's user, taken from the server's copy of the flow when it arrives, so a 催办
-- sent offline reaches the handler once both devices have synced. The rows outlive a
-- rebase of the flow (they are not derived views) and go with the flow when access to
-- it is lost.
--   event_seq:   the event's 1-based position in the flow's history (stable);
--   from_user:   who reminded (login); at: UTC `2026-03-02T01:00:00.000000Z`;
--   notified_at: when the desktop raised the notification (NULL: not yet), so a
--                reminder is announced once, also across restarts;
--   seen_at:     when the user opened the task (NULL: still counts in the badge).
CREATE TABLE reminders (
    flow_id      TEXT NOT NULL,
    event_seq    INTEGER NOT NULL,
    task_id      TEXT NOT NULL,
    from_user    TEXT NOT NULL,
    at           TEXT NOT NULL,
    message      TEXT,
    notified_at  TEXT,
    seen_at      TEXT,
    PRIMARY KEY (flow_id, event_seq, task_id)
) WITHOUT ROWID;
CREATE INDEX reminders_by_task ON reminders (task_id, at);
CREATE INDEX reminders_unseen ON reminders (at) WHERE seen_at IS NULL;
