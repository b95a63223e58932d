-- Gongwen client store: the 待办 and 已办 indexes hold only the tasks they list.
-- Append-only: never edit this file once shipped; add a new migration instead.
--
-- Why: a 同意 moves the acted task from open to done and opens the next handler's
-- task, and every task was in both queue indexes whatever its state. The acted task's
-- entries moved inside both (two pages each, at two places of the index), and the new
-- open task entered 已办's index too. Every page an action dirties is encrypted and
-- HMACed (SQLCipher) into the WAL and synced: with one index per queue holding only
-- that queue's tasks, the acted task leaves 待办's index and enters 已办's, and the
-- new task enters 待办's only.
--
-- The queues (flow/queue.rs) name the state as a literal (`t.state = 'open'`,
-- `t.state = 'done'`), so they still walk these indexes in their order; the counts
-- read task_tally (0008).
DROP INDEX tasks_todo;
CREATE INDEX tasks_todo ON tasks (assignee, kind, overdue DESC, urgency_rank, since, id)
    WHERE state = 'open';

DROP INDEX tasks_done_assignee;
CREATE INDEX tasks_done_assignee ON tasks (assignee, done_at DESC) WHERE state = 'done';
