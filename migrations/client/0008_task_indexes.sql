-- Gongwen client store: fewer index entries written per workflow action.
-- Append-only: never edit this file once shipped; add a new migration instead.
--
-- Why: every page an action dirties is encrypted and HMACed (SQLCipher) when the WAL
-- frame is written, and every index page it touches that is not in the cache is read
-- and decrypted first. A 同意 writes the acted task's row and the next handler's, and
-- each task row carried seven index entries.
--
-- tasks_by_assignee (assignee, state, kind) is covered by tasks_todo (assignee, kind,
-- state, …): the counts (待办/已办/待阅/已阅 by assignee, kind and state) walk that
-- index's prefix, and it holds every column they read.
DROP INDEX tasks_by_assignee;

-- 督办 lists only overdue open tasks, yet tasks_overdue_dept held an entry for every
-- task and moved it whenever a task's state changed (every action). The same walk
-- (one department's overdue open tasks, by due time) over a partial index: a task
-- enters it when its 办理时限 passes and leaves it when it is handled.
DROP INDEX tasks_overdue_dept;
CREATE INDEX tasks_overdue_dept ON tasks (dept, due_at) WHERE state = 'open' AND overdue = 1;

-- The navigation's counts (待办, 已办, 待阅, 已阅, 督办), kept by the writes instead of
-- counted on every read: with 100,000 tasks a count walked thousands of index pages,
-- each decrypted, and the 督办 count looked up every overdue task's row. One row per
-- (assignee, kind, state, overdue, dept) with the number of tasks in it; the triggers
-- below keep it equal to `SELECT ..., count(*) FROM tasks GROUP BY ...` (a test in
-- flow/queue.rs checks that after every kind of write).
CREATE TABLE task_tally (
    assignee TEXT NOT NULL,
    kind     TEXT NOT NULL,
    state    TEXT NOT NULL,
    overdue  INTEGER NOT NULL,
    dept     TEXT NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (assignee, kind, state, overdue, dept)
) STRICT, WITHOUT ROWID;

INSERT INTO task_tally (assignee, kind, state, overdue, dept, n)
    SELECT assignee, kind, state, overdue, dept, count(*) FROM tasks
    GROUP BY assignee, kind, state, overdue, dept;

CREATE TRIGGER task_tally_insert AFTER INSERT ON tasks
BEGIN
    INSERT INTO task_tally (assignee, kind, state, overdue, dept, n)
        VALUES (new.assignee, new.kind, new.state, new.overdue, new.dept, 1)
        ON CONFLICT (assignee, kind, state, overdue, dept) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER task_tally_delete AFTER DELETE ON tasks
BEGIN
    UPDATE task_tally SET n = n - 1
        WHERE assignee = old.assignee AND kind = old.kind AND state = old.state
          AND overdue = old.overdue AND dept = old.dept;
END;

CREATE TRIGGER task_tally_update AFTER UPDATE OF assignee, kind, state, overdue, dept ON tasks
    WHEN old.assignee IS NOT new.assignee OR old.kind IS NOT new.kind
      OR old.state IS NOT new.state OR old.overdue IS NOT new.overdue OR old.dept IS NOT new.dept
BEGIN
    UPDATE task_tally SET n = n - 1
        WHERE assignee = old.assignee AND kind = old.kind AND state = old.state
          AND overdue = old.overdue AND dept = old.dept;
    INSERT INTO task_tally (assignee, kind, state, overdue, dept, n)
        VALUES (new.assignee, new.kind, new.state, new.overdue, new.dept, 1)
        ON CONFLICT (assignee, kind, state, overdue, dept) DO UPDATE SET n = n + 1;
END;
