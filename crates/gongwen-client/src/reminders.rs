//! 催办 that reached this user.
//!
//! A reminder is a `reminded` event in a flow's history ([`EventKind::Reminded`]). The
//! server publishes a flow, history included, to every member's bucket, so the
//! reminded handler's device receives it with the flow. When a flow arrives from the
//! server ([`record`], called by the sync apply stage) every reminder of a task
//! assigned to this store's user, sent by someone else, becomes a row of the
//! `reminders` table (migrations/client/0006_reminders.sql): once, whatever the number
//! of times the flow arrives again. A 催办 sent offline therefore reaches the handler
//! when both devices have synced.
//!
//! The rows carry two marks: `notified_at` (the desktop raised the notification: a
//! reminder is announced once, also across restarts; [`Client::reminders_to_notify`],
//! [`Client::mark_reminders_notified`]) and `seen_at` (the user opened the task: the
//! reminder stops counting in the badge; [`Client::mark_reminders_seen`]). Reminders
//! of a task that is no longer open do not count.

use gongwen_domain::workflow::{EventKind, Flow};
use rusqlite::{Connection, Transaction, params};
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::Client;
use crate::error::Result;
use crate::flow::rows::ts;

/// One 催办 of one of the user's tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reminder {
    pub flow_id: String,
    /// The event's position in the flow's history.
    pub event_seq: i64,
    pub task_id: String,
    /// The document's title.
    pub title: String,
    /// Who reminded (login) and their name when the directory knows it.
    pub from: String,
    pub from_name: String,
    /// When (RFC 3339, China Standard Time).
    pub at: String,
    pub message: Option<String>,
    /// The user opened the task since.
    pub seen: bool,
}

/// Stores the reminders of `user`'s tasks in `flow` (the server's copy) that are not
/// stored yet; returns how many were new.
pub(crate) fn record(tx: &Transaction<'_>, flow: &Flow, user: &str) -> rusqlite::Result<usize> {
    let mut new = 0;
    for event in &flow.history {
        let EventKind::Reminded { tasks, message } = &event.kind else {
            continue;
        };
        if event.actor.0 == user {
            continue;
        }
        for task in tasks {
            let mine = flow.task(task).is_some_and(|t| t.assignee.0 == user);
            if !mine {
                continue;
            }
            new += tx
                .prepare_cached(
                    "INSERT INTO reminders (flow_id, event_seq, task_id, from_user, at, message)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![
                    flow.id.0,
                    event.seq as i64,
                    task.0,
                    event.actor.0,
                    ts(event.at),
                    message
                ])?;
        }
    }
    Ok(new)
}

/// Forgets the reminders of a flow this device no longer holds.
pub(crate) fn forget_flow(tx: &Transaction<'_>, flow_id: &str) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM reminders WHERE flow_id = ?1")?
        .execute([flow_id])?;
    Ok(())
}

const SELECT: &str = "SELECT r.flow_id, r.event_seq, r.task_id, coalesce(f.title, ''),
        r.from_user, coalesce(p.name, r.from_user), r.at, r.message, r.seen_at IS NOT NULL
   FROM reminders r
   LEFT JOIN flows f ON f.id = r.flow_id
   LEFT JOIN people p ON p.id = r.from_user";

/// Only reminders of tasks still open for the user count.
const OPEN: &str = "EXISTS (SELECT 1 FROM tasks t WHERE t.id = r.task_id AND t.state = 'open')";

fn cst(stamp: &str) -> String {
    OffsetDateTime::parse(stamp, &Rfc3339)
        .ok()
        .and_then(|t| t.to_offset(time::macros::offset!(+8)).format(&Rfc3339).ok())
        .unwrap_or_else(|| stamp.to_owned())
}

fn list(c: &Connection, filter: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<Reminder>> {
    let sql = format!("{SELECT} WHERE {filter} ORDER BY r.at DESC, r.flow_id, r.event_seq");
    let mut stmt = c.prepare_cached(&sql)?;
    let rows = stmt.query_map(args, |r| {
        Ok(Reminder {
            flow_id: r.get(0)?,
            event_seq: r.get(1)?,
            task_id: r.get(2)?,
            title: r.get(3)?,
            from: r.get(4)?,
            from_name: r.get(5)?,
            at: cst(&r.get::<_, String>(6)?),
            message: r.get(7)?,
            seen: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Client {
    /// The reminders of one task, newest first (the task view shows them).
    pub fn task_reminders(&self, task_id: &str) -> Result<Vec<Reminder>> {
        self.db.read(|c| list(c, "r.task_id = ?1", &[&task_id]))
    }

    /// Reminders of open tasks the user has not opened since, newest first.
    pub fn unseen_reminders(&self) -> Result<Vec<Reminder>> {
        self.db
            .read(|c| list(c, &format!("r.seen_at IS NULL AND {OPEN}"), &[]))
    }

    /// Reminders of open tasks not announced yet (the desktop raises a notification
    /// for each, then marks them with [`Client::mark_reminders_notified`]).
    pub fn reminders_to_notify(&self) -> Result<Vec<Reminder>> {
        self.db.read(|c| {
            list(
                c,
                &format!("r.notified_at IS NULL AND r.seen_at IS NULL AND {OPEN}"),
                &[],
            )
        })
    }

    /// Records that `reminders` were announced: they are not announced again.
    pub fn mark_reminders_notified(&self, reminders: &[Reminder]) -> Result<()> {
        let now = ts(self.now());
        self.db.write(|tx| {
            let mut stmt = tx.prepare_cached(
                "UPDATE reminders SET notified_at = ?4
                  WHERE flow_id = ?1 AND event_seq = ?2 AND task_id = ?3 AND notified_at IS NULL",
            )?;
            for r in reminders {
                stmt.execute(params![r.flow_id, r.event_seq, r.task_id, now])?;
            }
            Ok(())
        })
    }

    /// The latest reminder of each of `task_ids` that has one (the queues mark such
    /// rows 已催办 with who and when).
    pub fn latest_reminders(
        &self,
        task_ids: &[String],
    ) -> Result<std::collections::HashMap<String, Reminder>> {
        if task_ids.is_empty() {
            return Ok(std::collections::HashMap::new());
        }
        let ids = serde_json::to_string(task_ids)
            .map_err(|e| crate::Error::InvalidArgument(e.to_string()))?;
        self.db.read(|c| {
            let mut out = std::collections::HashMap::new();
            // Newest first: the first row of a task is its latest.
            for r in list(c, "r.task_id IN (SELECT value FROM json_each(?1))", &[&ids])? {
                out.entry(r.task_id.clone()).or_insert(r);
            }
            Ok(out)
        })
    }

    /// The user opened the task: its reminders stop counting (and are not announced).
    /// Returns how many were unseen.
    pub fn mark_reminders_seen(&self, task_id: &str) -> Result<usize> {
        let now = ts(self.now());
        self.db.write(|tx| {
            Ok(tx
                .prepare_cached(
                    "UPDATE reminders SET seen_at = ?2, notified_at = coalesce(notified_at, ?2)
                      WHERE task_id = ?1 AND seen_at IS NULL",
                )?
                .execute(params![task_id, now])?)
        })
    }
}
