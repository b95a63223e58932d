//! The queues: 待办, 已办, 待阅, 已阅, 在办, 督办, with filters, pages and counts.

use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::rows::{CST, ts, urgency_from_name};
use super::{FlowError, Result};
use crate::Client;

/// Which queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum QueueKind {
    /// 待办: my open tasks; overdue first, then 特急/加急, then the oldest.
    Todo,
    /// 已办: tasks that were mine and are finished (newest first), with where the
    /// document is now.
    Done,
    /// 待阅: my open 传阅 tasks.
    ToRead,
    /// 已阅.
    Read,
    /// 在办: flows I started that are still moving.
    Sent,
    /// 督办: overdue open tasks across my department (supervisors), or my own.
    Overdue,
}

impl QueueKind {
    pub fn label(self) -> &'static str {
        match self {
            QueueKind::Todo => "待办",
            QueueKind::Done => "已办",
            QueueKind::ToRead => "待阅",
            QueueKind::Read => "已阅",
            QueueKind::Sent => "在办",
            QueueKind::Overdue => "督办",
        }
    }

    /// Parses `todo`, `done`, `toread`, `read`, `sent`, `overdue` (or the zh label).
    pub fn parse(s: &str) -> Option<QueueKind> {
        Some(match s {
            "todo" | "待办" => QueueKind::Todo,
            "done" | "已办" => QueueKind::Done,
            "toread" | "to-read" | "待阅" => QueueKind::ToRead,
            "read" | "已阅" => QueueKind::Read,
            "sent" | "在办" => QueueKind::Sent,
            "overdue" | "督办" => QueueKind::Overdue,
            _ => return None,
        })
    }
}

/// Filters; every one given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct QueueFilter {
    /// 文种 name, e.g. 通知.
    pub doc_type: Option<String>,
    /// 紧急程度: 特急 or 加急 (or 普通 for neither).
    pub urgency: Option<String>,
    /// From this date (inclusive, `YYYY-MM-DD`, China time): 待办/待阅/督办 by when the
    /// task arrived, 已办/已阅 by when it was finished, 在办 by when it was started.
    pub date_from: Option<String>,
    /// Until this date (inclusive).
    pub date_to: Option<String>,
    /// 来文单位 / 发文机关 (exact).
    pub from_organ: Option<String>,
    /// Text in the title.
    pub text: Option<String>,
}

/// One entry of a queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueItem {
    /// The task (None for 在办, which lists flows).
    pub task_id: Option<String>,
    pub flow_id: String,
    pub document_id: String,
    pub title: String,
    pub doc_type: Option<String>,
    /// 特急 / 加急.
    pub urgency: Option<String>,
    pub from_organ: Option<String>,
    /// The task's step (审核, 签发…).
    pub step_name: String,
    /// The assignee.
    pub assignee: Option<String>,
    /// The task's state: open, approved, read, returned, transferred, withdrawn…
    pub status: String,
    /// Why a task was withdrawn (或签 taken by another handler, recalled, …).
    pub withdraw_cause: Option<String>,
    /// When it became the assignee's turn (RFC 3339).
    pub since: String,
    pub due_at: Option<String>,
    pub overdue: bool,
    /// When it was finished (已办, 已阅).
    pub done_at: Option<String>,
    pub opinion: Option<String>,
    /// Where the document is now ("签发（王五）", 已办结…).
    pub now_at: String,
    /// The document's 文号 (鹤府〔2026〕12号) once 登记 allocated it; for 收文, the 来文
    /// 文号 recorded at 登记. None before.
    pub doc_number: Option<String>,
    /// Changed locally by a command not yet confirmed by the server (待同步).
    pub pending_sync: bool,
    /// 代办: the task is the named person's, shown here because they delegated their
    /// tasks to the current user (委托); acting on it signs as "我 代 此人".
    pub on_behalf_of: Option<String>,
}

/// One page of a queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueuePage {
    pub kind: QueueKind,
    pub items: Vec<QueueItem>,
    /// Whether there is a next page.
    pub has_more: bool,
}

/// Counts for the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowCounts {
    pub todo: u64,
    pub done: u64,
    pub toread: u64,
    pub read: u64,
    pub sent: u64,
    pub overdue: u64,
    /// Actions the server refused, waiting for the user to retry or discard.
    pub rejected: u64,
}

/// The largest page.
pub const MAX_PAGE: usize = 200;

fn day_start(s: &str) -> Result<OffsetDateTime> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(s.trim(), &fmt).map_err(|_| {
        FlowError::InvalidArgument(format!("日期“{s}”格式不对，应为 YYYY-MM-DD，如 2026-03-02"))
    })?;
    Ok(d.midnight().assume_offset(CST))
}

fn like(text: &str) -> String {
    let mut out = String::from("%");
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

impl Client {
    /// Brings the materialised `overdue` flags up to date with the clock. Writes only
    /// when a flag is out of date (a task passed its 办理时限 since the last read).
    fn refresh_overdue(&self, now: &str) -> Result<()> {
        let stale: bool = super::read(&self.db, |c| {
            Ok(c.query_row(
                "SELECT EXISTS (SELECT 1 FROM tasks WHERE state = 'open' AND overdue = 0 AND due_at < ?1)
                     OR EXISTS (SELECT 1 FROM tasks WHERE state = 'open' AND overdue = 1 AND due_at >= ?1)",
                [now],
                |r| r.get(0),
            )?)
        })?;
        if stale {
            super::write(&self.db, |tx| {
                tx.execute(
                    "UPDATE tasks SET overdue = 1 WHERE state = 'open' AND overdue = 0 AND due_at < ?1",
                    [now],
                )?;
                tx.execute(
                    "UPDATE tasks SET overdue = 0 WHERE state = 'open' AND overdue = 1 AND due_at >= ?1",
                    [now],
                )?;
                Ok(())
            })?;
        }
        Ok(())
    }

    /// One page of a queue for the current user. `offset`/`limit` page through it
    /// (`limit` at most [`MAX_PAGE`]).
    pub fn queue(
        &self,
        kind: QueueKind,
        filter: &QueueFilter,
        offset: usize,
        limit: usize,
    ) -> Result<QueuePage> {
        let limit = limit.clamp(1, MAX_PAGE);
        let now = ts(self.now());
        self.refresh_overdue(&now)?;
        let mut args: Vec<Value> = vec![Value::Text(self.user.clone())];
        // 待办 and 待阅 also list the tasks of people who delegated to the user (委托).
        let delegators = if matches!(kind, QueueKind::Todo | QueueKind::ToRead) {
            super::read(&self.db, |c| {
                super::routes::delegators_of(c, &self.user, self.now())
            })?
        } else {
            Vec::new()
        };
        // One parameter per assignee whose open tasks are listed: the user, then the
        // delegators.
        let mut assignees = vec![1usize];
        for (login, _) in &delegators {
            args.push(Value::Text(login.clone()));
            assignees.push(args.len());
        }
        let mut cond = String::new();
        let time_col = match kind {
            QueueKind::Todo | QueueKind::ToRead | QueueKind::Overdue => "t.since",
            QueueKind::Done | QueueKind::Read => "t.done_at",
            QueueKind::Sent => "f.created_at",
        };
        let p = if kind == QueueKind::Sent { "f" } else { "t" };
        let mut add = |sql: String, v: Value, cond: &mut String| {
            args.push(v);
            cond.push_str(&sql.replace('?', &format!("?{}", args.len())));
        };
        if let Some(t) = filter.doc_type.as_deref().filter(|s| !s.is_empty()) {
            add(
                format!(" AND {p}.doc_type = ?"),
                Value::Text(t.into()),
                &mut cond,
            );
        }
        match filter.urgency.as_deref().map(str::trim) {
            None | Some("") => {}
            Some("普通" | "none") => {
                if kind == QueueKind::Sent {
                    cond.push_str(" AND f.urgency IS NULL");
                } else {
                    cond.push_str(" AND t.urgency_rank = 2");
                }
            }
            Some(u) => {
                let Some(urg) = urgency_from_name(Some(u)) else {
                    return Err(FlowError::InvalidArgument(format!(
                        "紧急程度“{u}”不对，应为 特急、加急 或 普通"
                    )));
                };
                if kind == QueueKind::Sent {
                    add(
                        " AND f.urgency = ?".into(),
                        Value::Text(urg.name().into()),
                        &mut cond,
                    );
                } else {
                    let rank = match urg {
                        gongwen_domain::document::Urgency::Immediate => 0,
                        gongwen_domain::document::Urgency::Urgent => 1,
                    };
                    add(
                        " AND t.urgency_rank = ?".into(),
                        Value::Integer(rank),
                        &mut cond,
                    );
                }
            }
        }
        if let Some(o) = filter.from_organ.as_deref().filter(|s| !s.is_empty()) {
            add(
                format!(" AND {p}.from_organ = ?"),
                Value::Text(o.into()),
                &mut cond,
            );
        }
        if let Some(d) = filter.date_from.as_deref().filter(|s| !s.is_empty()) {
            add(
                format!(" AND {time_col} >= ?"),
                Value::Text(ts(day_start(d)?)),
                &mut cond,
            );
        }
        if let Some(d) = filter.date_to.as_deref().filter(|s| !s.is_empty()) {
            let end = day_start(d)? + time::Duration::days(1);
            add(
                format!(" AND {time_col} < ?"),
                Value::Text(ts(end)),
                &mut cond,
            );
        }
        if let Some(text) = filter
            .text
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            add(
                format!(" AND {p}.title LIKE ? ESCAPE '\\'"),
                Value::Text(like(text)),
                &mut cond,
            );
        }
        args.push(Value::Integer((limit + 1) as i64));
        let lim = args.len();
        args.push(Value::Integer(offset as i64));
        let off = args.len();
        let sql = queue_sql(kind, &assignees, &cond, lim, off);
        super::read(&self.db, |c| {
            let mut stmt = c.prepare_cached(&sql)?;
            let mut items: Vec<QueueItem> = if kind == QueueKind::Sent {
                stmt.query_map(params_from_iter(args.iter()), |r| {
                    Ok(QueueItem {
                        task_id: None,
                        flow_id: r.get(0)?,
                        document_id: r.get(1)?,
                        title: r.get(2)?,
                        doc_type: r.get(3)?,
                        urgency: r.get(4)?,
                        from_organ: r.get(5)?,
                        step_name: String::new(),
                        assignee: None,
                        status: "running".into(),
                        withdraw_cause: None,
                        since: r.get(7)?,
                        due_at: None,
                        overdue: false,
                        done_at: None,
                        opinion: None,
                        now_at: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
                        doc_number: doc_number_text(r.get(10)?),
                        pending_sync: r.get(9)?,
                        on_behalf_of: None,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?
            } else {
                stmt.query_map(params_from_iter(args.iter()), task_item)?
                    .collect::<rusqlite::Result<_>>()?
            };
            let has_more = items.len() > limit;
            items.truncate(limit);
            for item in &mut items {
                if let Some(assignee) = item.assignee.as_deref()
                    && assignee != self.user
                {
                    item.on_behalf_of = delegators
                        .iter()
                        .find(|(login, _)| login == assignee)
                        .map(|(_, name)| name.clone());
                }
            }
            Ok(QueuePage {
                kind,
                items,
                has_more,
            })
        })
    }

    /// Counts for the navigation: 待办, 已办, 待阅, 已阅, 在办, 督办, and refused actions.
    pub fn flow_counts(&self) -> Result<FlowCounts> {
        let now = ts(self.now());
        self.refresh_overdue(&now)?;
        super::read(&self.db, |c| {
            let mut counts = count_all(c, &self.user)?;
            // 代办: the open tasks of people who delegated to the user.
            for (login, _) in super::routes::delegators_of(c, &self.user, self.now())? {
                let (todo, toread) = open_counts(c, &login)?;
                counts.todo += todo;
                counts.toread += toread;
            }
            Ok(counts)
        })
    }
}

/// The SQL of one page of a queue: `assignees` are the parameter numbers of the
/// assignees whose open tasks 待办/待阅 list (the user's is ?1), `cond` the filters'
/// conditions, `lim`/`off` the parameter numbers of the limit and the offset.
fn queue_sql(kind: QueueKind, assignees: &[usize], cond: &str, lim: usize, off: usize) -> String {
    match kind {
        QueueKind::Todo | QueueKind::ToRead => {
            let task_kind = if kind == QueueKind::Todo { "handle" } else { "read" };
            let branch = |a: usize, limit: &str| {
                format!(
                    "SELECT {TASK_COLS} FROM tasks t JOIN flows f ON f.id = t.flow_id
                     WHERE t.assignee = ?{a} AND t.kind = '{task_kind}' AND t.state = 'open'{cond}
                     ORDER BY t.overdue DESC, t.urgency_rank, t.since, t.id
                     {limit}"
                )
            };
            if assignees.len() == 1 {
                branch(1, &format!("LIMIT ?{lim} OFFSET ?{off}"))
            } else {
                // 代办 too: each assignee's tasks are an index walk of at most one
                // page's depth, merged; never a sort of everyone's tasks.
                let parts: Vec<String> = assignees
                    .iter()
                    .map(|a| {
                        format!(
                            "SELECT * FROM ({})",
                            branch(*a, &format!("LIMIT ?{lim} + ?{off}"))
                        )
                    })
                    .collect();
                format!(
                    "SELECT * FROM ({}) ORDER BY overdue DESC, urgency_rank, since, id
                     LIMIT ?{lim} OFFSET ?{off}",
                    parts.join(" UNION ALL ")
                )
            }
        }
        QueueKind::Done | QueueKind::Read => format!(
            "SELECT {TASK_COLS} FROM tasks t JOIN flows f ON f.id = t.flow_id
             WHERE t.assignee = ?1 AND t.state = 'done' AND t.kind = '{}'{cond}
             ORDER BY t.done_at DESC, t.id DESC
             LIMIT ?{lim} OFFSET ?{off}",
            if kind == QueueKind::Done { "handle" } else { "read" }
        ),
        QueueKind::Overdue => format!(
            "SELECT {TASK_COLS} FROM tasks t JOIN flows f ON f.id = t.flow_id
             WHERE t.overdue = 1 AND t.state = 'open'
               AND (t.assignee = ?1 OR (t.dept != '' AND t.dept = (
                    SELECT p.dept FROM people p WHERE p.id = ?1
                      AND EXISTS (SELECT 1 FROM json_each(p.roles) r
                                  WHERE r.value IN ({SUPERVISOR_SQL})))))
               {cond}
             ORDER BY t.due_at, t.id
             LIMIT ?{lim} OFFSET ?{off}"
        ),
        QueueKind::Sent => format!(
            "SELECT f.id, f.document_id, f.title, f.doc_type, f.urgency, f.from_organ,
                    f.current_step, f.created_at, f.updated_at,
                    EXISTS (SELECT 1 FROM outbox o WHERE o.entity_id = f.id AND o.state = 'pending'),
                    {FLOW_DOC_NUMBER}
             FROM flows f
             WHERE f.owner = ?1 AND f.status = 'running'{cond}
             ORDER BY f.updated_at DESC, f.id
             LIMIT ?{lim} OFFSET ?{off}"
        ),
    }
}

const SUPERVISOR_SQL: &str = "'督办', '办公室主任', '主要负责人', '分管领导'";

/// The 文号 of the document whose id is `$id` (a flow's or a task's), as SQL: the one 登记
/// gave a 发文 (kept on its draft row: the sync writes it there, the 草稿 list and the
/// preview read it), or for 收文 the 来文 文号 of its registration. Two primary-key lookups
/// per row of the page.
macro_rules! doc_number_of {
    ($id:literal) => {
        concat!(
            "coalesce((SELECT d.doc_number FROM drafts d WHERE d.id = ",
            $id,
            "), (SELECT r.doc_number FROM incoming_registrations r WHERE r.incoming_id = ",
            $id,
            "))"
        )
    };
}

const TASK_COLS: &str = concat!(
    "t.id, t.flow_id, t.document_id, t.title, t.doc_type, t.urgency_rank,
    t.from_organ, t.step_name, t.assignee, t.status, t.withdraw_cause, t.since, t.due_at,
    t.overdue, t.done_at, t.opinion, f.current_step, t.pending_seq IS NOT NULL, ",
    doc_number_of!("t.document_id"),
    " AS doc_number"
);

/// `doc_number_of!` for the 在办 query, which lists flows.
const FLOW_DOC_NUMBER: &str = doc_number_of!("f.document_id");

/// A stored 文号 in the standard form (鹤府〔2026〕12号) when it parses, otherwise as
/// stored (a 来文 文号 typed at 登记 may follow another organ's habits); None when blank.
fn doc_number_text(stored: Option<String>) -> Option<String> {
    let stored = stored?;
    let stored = stored.trim();
    if stored.is_empty() {
        return None;
    }
    Some(
        stored
            .parse::<gongwen_domain::DocNumber>()
            .map_or_else(|_| stored.to_owned(), |n| n.to_string()),
    )
}

fn task_item(r: &rusqlite::Row<'_>) -> rusqlite::Result<QueueItem> {
    Ok(QueueItem {
        task_id: Some(r.get(0)?),
        flow_id: r.get(1)?,
        document_id: r.get(2)?,
        title: r.get(3)?,
        doc_type: r.get(4)?,
        urgency: match r.get::<_, i64>(5)? {
            0 => Some("特急".into()),
            1 => Some("加急".into()),
            _ => None,
        },
        from_organ: r.get(6)?,
        step_name: r.get(7)?,
        assignee: Some(r.get(8)?),
        status: r.get(9)?,
        withdraw_cause: r.get(10)?,
        since: r.get(11)?,
        due_at: r.get(12)?,
        overdue: r.get(13)?,
        done_at: r.get(14)?,
        opinion: r.get(15)?,
        now_at: r.get::<_, Option<String>>(16)?.unwrap_or_default(),
        doc_number: doc_number_text(r.get(18)?),
        pending_sync: r.get(17)?,
        on_behalf_of: None,
    })
}

/// Open 待办 and 待阅 tasks of `assignee` (?1), from the tally the writes keep
/// (migration 0008): a handful of rows, whatever the number of tasks.
const OPEN_COUNTS_SQL: &str = "SELECT coalesce(sum(CASE WHEN kind = 'handle' THEN n END), 0),
            coalesce(sum(CASE WHEN kind = 'read' THEN n END), 0)
     FROM task_tally WHERE assignee = ?1 AND state = 'open'";

/// Open 待办 and 待阅 tasks of `assignee`.
pub(crate) fn open_counts(c: &Connection, assignee: &str) -> Result<(u64, u64)> {
    let (todo, toread): (i64, i64) = c
        .prepare_cached(OPEN_COUNTS_SQL)?
        .query_row([assignee], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok((
        u64::try_from(todo).unwrap_or(0),
        u64::try_from(toread).unwrap_or(0),
    ))
}

/// The navigation's counts for the user ?1, in [`FlowCounts`] order: 待办, 已办, 待阅,
/// 已阅 and 督办 from the tally of tasks (migration 0008), 在办 (a walk of the
/// `flows_by_owner` prefix), refused actions.
fn count_sql() -> [String; 7] {
    let tasks = |kind: &str, state: &str| {
        format!(
            "SELECT coalesce(sum(n), 0) FROM task_tally
             WHERE assignee = ?1 AND kind = '{kind}' AND state = '{state}'"
        )
    };
    [
        tasks("handle", "open"),
        tasks("handle", "done"),
        tasks("read", "open"),
        tasks("read", "done"),
        "SELECT count(*) FROM flows WHERE owner = ?1 AND status = 'running'".into(),
        format!(
            "SELECT coalesce(sum(n), 0) FROM task_tally WHERE overdue = 1 AND state = 'open'
               AND (assignee = ?1 OR (dept != '' AND dept = (
                    SELECT p.dept FROM people p WHERE p.id = ?1
                      AND EXISTS (SELECT 1 FROM json_each(p.roles) r WHERE r.value IN ({SUPERVISOR_SQL})))))"
        ),
        "SELECT count(*) FROM outbox WHERE state = 'rejected' AND ?1 IS NOT NULL".into(),
    ]
}

fn count_all(c: &Connection, user: &str) -> Result<FlowCounts> {
    let mut n = [0u64; 7];
    for (slot, sql) in n.iter_mut().zip(count_sql()) {
        let v: i64 = c.prepare_cached(&sql)?.query_row([user], |r| r.get(0))?;
        *slot = u64::try_from(v).unwrap_or(0);
    }
    let [todo, done, toread, read, sent, overdue, rejected] = n;
    Ok(FlowCounts {
        todo,
        done,
        toread,
        read,
        sent,
        overdue,
        rejected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::migrations::{LATEST, MIGRATIONS};
    use crate::store::{DB_FILE, Db};

    /// `EXPLAIN QUERY PLAN` of `sql`, one detail line per step.
    fn plan(c: &Connection, sql: &str) -> Vec<String> {
        let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let nulls = vec![Value::Null; stmt.parameter_count()];
        stmt.query_map(params_from_iter(nulls), |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    /// The steps of a plan that read `tasks` (aliased `t` or not).
    fn task_steps(plan: &[String]) -> Vec<&String> {
        plan.iter()
            .filter(|l| {
                let mut words = l.split_whitespace();
                matches!(words.next(), Some("SCAN" | "SEARCH"))
                    && matches!(words.next(), Some("t" | "tasks"))
            })
            .collect()
    }

    /// Asserts that every read of `tasks` in `sql` is an index search through `index`
    /// (never a scan of the table), and that no temporary b-tree sorts the rows when
    /// `sorted_by_index`.
    fn assert_walks(c: &Connection, what: &str, sql: &str, index: &str, sorted_by_index: bool) {
        let p = plan(c, sql);
        let steps = task_steps(&p);
        assert!(!steps.is_empty(), "{what}: no read of tasks in {p:#?}");
        for s in &steps {
            assert!(
                s.starts_with("SEARCH") && s.contains(&format!("INDEX {index} ")),
                "{what}: {s} (expected a search of {index}); plan {p:#?}"
            );
        }
        if sorted_by_index {
            // (A tie-break on the id may be sorted among equal keys: "RIGHT PART OF".)
            assert!(
                !p.iter().any(|l| l == "USE TEMP B-TREE FOR ORDER BY"),
                "{what}: sorts every row in a temporary b-tree: {p:#?}"
            );
        }
    }

    /// A store at schema 7 (before 0008) holding a flow and three tasks.
    fn store_at_7(dir: &std::path::Path, key: &crate::key::Key) -> Vec<(String, String, String)> {
        let c = Connection::open(dir.join(DB_FILE)).unwrap();
        c.execute_batch(&format!("PRAGMA key = {};", key.pragma_value()))
            .unwrap();
        for m in &MIGRATIONS[..7] {
            c.execute_batch(m.sql).unwrap();
        }
        c.pragma_update(None, "user_version", 7).unwrap();
        c.execute_batch(
            "INSERT INTO flows (id, document_id, kind, owner, route_name, status, title,
                 content_hash, created_at, updated_at, flow_json)
             VALUES ('F1', 'D1', 'outgoing', 'zhang', '发文', 'running', '关于春耕的通知',
                 'sha256:00', '2026-03-01T01:00:00.000000Z', '2026-03-02T01:00:00.000000Z', '{}');
             INSERT INTO tasks (id, document_id, kind, assignee, state, title, created_at, due_at,
                 done_at, flow_id, step, step_name, status, since, overdue, dept)
             VALUES
               ('F1-T1', 'D1', 'handle', 'zhang', 'done', '关于春耕的通知', '2026-03-01T01:00:00.000000Z',
                NULL, '2026-03-01T02:00:00.000000Z', 'F1', 0, '起草', 'approved',
                '2026-03-01T01:00:00.000000Z', 0, '办公室'),
               ('F1-T2', 'D1', 'handle', 'li', 'open', '关于春耕的通知', '2026-03-01T02:00:00.000000Z',
                '2026-03-01T08:00:00.000000Z', NULL, 'F1', 1, '审核', 'open',
                '2026-03-01T02:00:00.000000Z', 1, '办公室'),
               ('F1-T3', 'D1', 'read', 'wang', 'open', '关于春耕的通知', '2026-03-01T02:00:00.000000Z',
                '2099-01-01T00:00:00.000000Z', NULL, 'F1', 1, '传阅', 'open',
                '2026-03-01T02:00:00.000000Z', 0, '办公室');",
        )
        .unwrap();
        task_rows(&c)
    }

    fn task_rows(c: &Connection) -> Vec<(String, String, String)> {
        let mut stmt = c
            .prepare("SELECT id, assignee || state || kind || overdue, coalesce(due_at, '') FROM tasks ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    fn task_indexes(c: &Connection) -> Vec<String> {
        let mut stmt = c
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tasks'
                   AND sql IS NOT NULL ORDER BY name",
            )
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    /// Migration 0008 drops two task indexes (one redundant, one replaced by a partial
    /// index), and 0009 makes the 待办 and 已办 indexes hold only open and done tasks:
    /// every task stays, and every queue, count and refresh still walks an index.
    #[test]
    fn migrations_0008_0009_keep_the_tasks_and_every_queue_walks_an_index() {
        let dir = tempfile::tempdir().unwrap();
        let key = crate::key::Key::from_bytes([5; 32]);
        let before = store_at_7(dir.path(), &key);
        let db = Db::open(&dir.path().join(DB_FILE), &key, false).unwrap();
        assert_eq!(db.schema_version().unwrap(), LATEST);
        db.read(|c| {
            assert_eq!(task_rows(c), before);
            assert_eq!(
                task_indexes(c),
                [
                    "tasks_by_flow",
                    "tasks_done_assignee",
                    "tasks_due_flagged",
                    "tasks_due_not_flagged",
                    "tasks_overdue_dept",
                    "tasks_todo",
                ]
            );
            // The queue indexes hold only their queue's tasks (the store has one done
            // task and two open ones).
            for (index, state, n) in [
                ("tasks_todo", "open", 2),
                ("tasks_done_assignee", "done", 1),
            ] {
                let entries: i64 = c.query_row(
                    &format!(
                        "SELECT count(*) FROM tasks INDEXED BY {index} WHERE state = '{state}'"
                    ),
                    [],
                    |r| r.get(0),
                )?;
                assert_eq!(entries, n, "{index}");
                let sql: String = c.query_row(
                    "SELECT sql FROM sqlite_master WHERE name = ?1",
                    [index],
                    |r| r.get(0),
                )?;
                assert!(sql.ends_with(&format!("WHERE state = '{state}'")), "{sql}");
            }
            // The partial 督办 index holds only the overdue open task.
            let n: i64 = c.query_row(
                "SELECT count(*) FROM tasks INDEXED BY tasks_overdue_dept
                 WHERE state = 'open' AND overdue = 1 AND dept = '办公室'",
                [],
                |r| r.get(0),
            )?;
            assert_eq!(n, 1);

            // 待办 / 待阅, also merged with a delegator's: index walks in queue order.
            for kind in [QueueKind::Todo, QueueKind::ToRead] {
                assert_walks(
                    c,
                    kind.label(),
                    &queue_sql(kind, &[1], "", 2, 3),
                    "tasks_todo",
                    true,
                );
                let merged = queue_sql(kind, &[1, 2], "", 3, 4);
                for s in task_steps(&plan(c, &merged)) {
                    assert!(s.starts_with("SEARCH t USING INDEX tasks_todo "), "{s}");
                }
            }
            // 已办 / 已阅: newest first, by index.
            for kind in [QueueKind::Done, QueueKind::Read] {
                let sql = queue_sql(kind, &[1], "", 2, 3);
                assert_walks(c, kind.label(), &sql, "tasks_done_assignee", true);
            }
            // 督办: the user's own overdue tasks and the department's, read from the
            // partial indexes that hold only overdue open tasks (before 0008, the user's
            // branch walked every open task of theirs).
            let overdue_only = |what: &str, sql: &str| {
                let p = plan(c, sql);
                let steps = task_steps(&p);
                assert!(!steps.is_empty(), "{what}: {p:#?}");
                for s in steps {
                    assert!(
                        s.contains("INDEX tasks_overdue_dept")
                            || s.contains("INDEX tasks_due_flagged"),
                        "{what}: {s}; plan {p:#?}"
                    );
                }
            };
            overdue_only("督办", &queue_sql(QueueKind::Overdue, &[1], "", 2, 3));
            // The counts read the tally the writes keep, never the tasks; the migration
            // filled it from the tasks already there.
            assert_eq!(tally(c), grouped(c));
            let counts = count_sql();
            for sql in counts[..4]
                .iter()
                .chain([&counts[5], &OPEN_COUNTS_SQL.to_owned()])
            {
                let p = plan(c, sql);
                assert!(task_steps(&p).is_empty(), "{sql}: {p:#?}");
                assert!(p.iter().any(|l| l.contains("task_tally")), "{sql}: {p:#?}");
            }
            Ok(())
        })
        .unwrap();
    }

    type Group = (String, String, String, i64, String, i64);

    fn groups(c: &Connection, sql: &str) -> Vec<Group> {
        let mut stmt = c.prepare(sql).unwrap();
        stmt.query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
    }

    /// The tally's non-empty rows, in key order.
    fn tally(c: &Connection) -> Vec<Group> {
        groups(
            c,
            "SELECT assignee, kind, state, overdue, dept, n FROM task_tally WHERE n != 0
             ORDER BY assignee, kind, state, overdue, dept",
        )
    }

    /// What the tally must hold: the tasks counted by group.
    fn grouped(c: &Connection) -> Vec<Group> {
        groups(
            c,
            "SELECT assignee, kind, state, overdue, dept, count(*) FROM tasks
             GROUP BY assignee, kind, state, overdue, dept
             ORDER BY assignee, kind, state, overdue, dept",
        )
    }

    /// The tally follows every kind of write to the tasks: an insert, an upsert that
    /// changes the state, the overdue refresh, a reassignment, a delete and the cascade
    /// when a flow is deleted; an update that changes nothing counted leaves it alone.
    #[test]
    fn the_task_tally_follows_every_write() {
        let dir = tempfile::tempdir().unwrap();
        let key = crate::key::Key::from_bytes([6; 32]);
        store_at_7(dir.path(), &key);
        let db = Db::open(&dir.path().join(DB_FILE), &key, false).unwrap();
        let steps = [
            "INSERT INTO tasks (id, document_id, kind, assignee, state, title, created_at, flow_id, dept)
             VALUES ('F1-T4', 'D1', 'handle', 'li', 'open', 't', '2026-03-01T03:00:00.000000Z', 'F1', '办公室')",
            "INSERT INTO tasks (id, document_id, kind, assignee, state, title, created_at, flow_id, dept)
             VALUES ('F1-T4', 'D1', 'handle', 'li', 'open', 't', '2026-03-01T03:00:00.000000Z', 'F1', '办公室')
             ON CONFLICT (id) DO UPDATE SET state = 'done', done_at = '2026-03-01T04:00:00.000000Z'",
            "UPDATE tasks SET overdue = 1 WHERE state = 'open' AND overdue = 0 AND due_at < '2100-01-01'",
            "UPDATE tasks SET assignee = 'zhao', dept = '综合科' WHERE id = 'F1-T2'",
            "UPDATE tasks SET opinion = '同意', title = '新标题' WHERE id = 'F1-T3'",
            "DELETE FROM tasks WHERE id = 'F1-T1'",
            "DELETE FROM flows WHERE id = 'F1'",
        ];
        for sql in steps {
            db.write(|tx| {
                tx.execute_batch(sql)?;
                Ok(())
            })
            .unwrap();
            db.read(|c| {
                assert_eq!(tally(c), grouped(c), "after {sql}");
                Ok(())
            })
            .unwrap();
        }
        // The cascade emptied the tasks: nothing is counted any more.
        db.read(|c| {
            assert!(tally(c).is_empty());
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn a_doc_number_shows_in_the_standard_form_and_blank_is_none() {
        let shown = |s: Option<&str>| doc_number_text(s.map(str::to_owned));
        assert_eq!(shown(None), None);
        assert_eq!(shown(Some("")), None);
        assert_eq!(shown(Some("  ")), None);
        assert_eq!(
            shown(Some("鹤府〔2026〕12号")).as_deref(),
            Some("鹤府〔2026〕12号")
        );
        assert_eq!(
            shown(Some(" 鹤府办 〔2026〕 3号\n")).as_deref(),
            Some("鹤府办〔2026〕3号")
        );
        // A 来文 文号 typed at 登记 in another organ's habit stays as typed.
        assert_eq!(
            shown(Some("鹤教字[2026]第7号")).as_deref(),
            Some("鹤教字[2026]第7号")
        );
    }
}
