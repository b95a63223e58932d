//! SQL of the `flows` and `tasks` tables: the flow's JSON and its queue rows.
//!
//! A flow is stored in three tables (client migration 0010), so that an action rewrites
//! a small row and appends a few instead of rewriting the whole flow:
//!
//! - `flows.flow_json`: the local view of the flow (route, status, runs, tasks,
//!   checkpoint) with an empty history;
//! - `flow_events`: its history (`Flow::history`, append-only), one row per event,
//!   keyed by (flow, seq): an action inserts the events it produced;
//! - `flow_bases`: the last state the server confirmed, history included (only the sync
//!   writes it, only a rebase reads it; no row: the flow is known only locally).
//!
//! [`load_flow`] puts the view and its history back together; every write goes through
//! [`insert_flow`], [`update_flow`] or [`update_flow_after`].

use gongwen_domain::document::Urgency;
use gongwen_domain::workflow::{Event, Flow, Task, TaskState};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use time::{OffsetDateTime, UtcOffset};

use super::people::{DbDirectory, dept_of};
use super::{FlowError, Result};

/// China Standard Time: the offset of the times the workflow records and shows.
pub(crate) const CST: UtcOffset = time::macros::offset!(+8);

/// A time as stored in comparable columns: UTC, fixed width, microseconds
/// (`2026-03-02T01:00:00.000000Z`), so text order is time order.
pub(crate) fn ts(t: OffsetDateTime) -> String {
    let u = t.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        u.year(),
        u8::from(u.month()),
        u.day(),
        u.hour(),
        u.minute(),
        u.second(),
        u.microsecond()
    )
}

/// Parses a stored time (RFC 3339).
pub(crate) fn parse_ts(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

/// What the flow's rows know about its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DocMeta {
    pub document_id: String,
    pub doc_version: Option<i64>,
    pub title: String,
    pub doc_type: Option<String>,
    pub urgency: Option<Urgency>,
    pub from_organ: Option<String>,
}

impl DocMeta {
    fn urgency_rank(&self) -> i64 {
        match self.urgency {
            Some(Urgency::Immediate) => 0,
            Some(Urgency::Urgent) => 1,
            None => 2,
        }
    }
}

pub(crate) fn urgency_from_name(name: Option<&str>) -> Option<Urgency> {
    match name {
        Some("特急") => Some(Urgency::Immediate),
        Some("加急") => Some(Urgency::Urgent),
        _ => None,
    }
}

/// A stored flow: the local view and the document's particulars.
#[derive(Debug, Clone)]
pub(crate) struct FlowRow {
    pub flow: Flow,
    pub meta: DocMeta,
}

fn parse_flow(id: &str, json: &str) -> Result<Flow> {
    serde_json::from_str(json).map_err(|e| FlowError::Corrupt(format!("流程 {id}：{e}")))
}

/// The history of a flow, from `flow_events`, in order.
fn load_events(c: &Connection, id: &str) -> Result<Vec<Event>> {
    let mut stmt =
        c.prepare_cached("SELECT event FROM flow_events WHERE flow_id = ?1 ORDER BY seq")?;
    let rows = stmt.query_map([id], |r| r.get::<_, String>(0))?;
    rows.map(|json| {
        serde_json::from_str(&json?)
            .map_err(|e| FlowError::Corrupt(format!("流程 {id} 的记录：{e}")))
    })
    .collect()
}

/// The local view of a flow (the server's state plus this device's pending commands).
/// The server's confirmed state (`base_json`, only a rebase needs it: [`load_base`]) is
/// neither read nor parsed.
pub(crate) fn load_flow(c: &Connection, id: &str) -> Result<Option<FlowRow>> {
    let row = c
        .prepare_cached(
            "SELECT flow_json, document_id, doc_version, title, doc_type, urgency, from_organ
             FROM flows WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                DocMeta {
                    document_id: r.get(1)?,
                    doc_version: r.get(2)?,
                    title: r.get(3)?,
                    doc_type: r.get(4)?,
                    urgency: urgency_from_name(r.get::<_, Option<String>>(5)?.as_deref()),
                    from_organ: r.get(6)?,
                },
            ))
        })
        .optional()?;
    let Some((json, meta)) = row else {
        return Ok(None);
    };
    let mut flow = parse_flow(id, &json)?;
    // The history is the rows, always (flow_json's is empty since migration 0010): the
    // writes append to the rows the flow was loaded with.
    flow.history = load_events(c, id)?;
    Ok(Some(FlowRow { flow, meta }))
}

/// The last state of a flow the server confirmed (None: the flow exists only locally,
/// or not at all).
pub(crate) fn load_base(c: &Connection, id: &str) -> Result<Option<Flow>> {
    let json: Option<String> = c
        .prepare_cached("SELECT base_json FROM flow_bases WHERE flow_id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    json.map(|j| parse_flow(id, &j)).transpose()
}

/// Records `base_json` (the server's flow as JSON, history included) as the last state
/// of flow `id` the server confirmed. The flow's row must exist.
pub(crate) fn set_base(tx: &Transaction<'_>, id: &str, base_json: &str) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO flow_bases (flow_id, base_json) VALUES (?1, ?2)
         ON CONFLICT (flow_id) DO UPDATE SET base_json = excluded.base_json",
    )?
    .execute(params![id, base_json])?;
    Ok(())
}

/// The flow of a task row.
pub(crate) fn flow_of_task(c: &Connection, task: &str) -> Result<Option<String>> {
    Ok(c.prepare_cached("SELECT flow_id FROM tasks WHERE id = ?1")?
        .query_row([task], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}

/// A flow by its id, or the latest flow of a document.
pub(crate) fn resolve_flow_id(c: &Connection, doc_or_flow: &str) -> Result<Option<String>> {
    let direct: Option<String> = c
        .prepare_cached("SELECT id FROM flows WHERE id = ?1")?
        .query_row([doc_or_flow], |r| r.get(0))
        .optional()?;
    if direct.is_some() {
        return Ok(direct);
    }
    if let Some(f) = flow_of_task(c, doc_or_flow)? {
        return Ok(Some(f));
    }
    Ok(c.prepare_cached(
        "SELECT id FROM flows WHERE document_id = ?1 ORDER BY created_at DESC, id DESC LIMIT 1",
    )?
    .query_row([doc_or_flow], |r| r.get(0))
    .optional()?)
}

pub(crate) fn task_status_code(s: &TaskState) -> &'static str {
    match s {
        TaskState::Waiting => "waiting",
        TaskState::Open => "open",
        TaskState::Approved => "approved",
        TaskState::Read => "read",
        TaskState::Returned { .. } => "returned",
        TaskState::Transferred { .. } => "transferred",
        TaskState::SentBack => "sent_back",
        TaskState::Withdrawn { .. } => "withdrawn",
    }
}

/// The JSON of `flows.flow_json`: the flow with an empty history (the events are
/// rows of `flow_events`). Serialized from borrowed fields, with the same serde
/// attributes as [`Flow`]; the destructuring below is exhaustive, so a field added
/// to `Flow` does not compile here until it is stored too.
fn to_json(flow: &Flow) -> Result<String> {
    #[derive(Serialize)]
    struct Stored<'a> {
        id: &'a gongwen_domain::workflow::FlowId,
        kind: &'a gongwen_domain::workflow::FlowKind,
        owner: &'a gongwen_domain::workflow::PersonId,
        route: &'a gongwen_domain::workflow::Route,
        status: &'a gongwen_domain::workflow::FlowStatus,
        content_hash: &'a gongwen_domain::workflow::ContentHash,
        runs: &'a [gongwen_domain::workflow::StepRun],
        tasks: &'a [Task],
        history: [(); 0],
        #[serde(skip_serializing_if = "Option::is_none")]
        checkpoint: &'a Option<gongwen_domain::workflow::Checkpoint>,
        #[serde(with = "time::serde::rfc3339")]
        created_at: OffsetDateTime,
        #[serde(with = "time::serde::rfc3339")]
        updated_at: OffsetDateTime,
    }
    let Flow {
        id,
        kind,
        owner,
        route,
        status,
        content_hash,
        runs,
        tasks,
        history: _,
        checkpoint,
        created_at,
        updated_at,
    } = flow;
    serde_json::to_string(&Stored {
        id,
        kind,
        owner,
        route,
        status,
        content_hash,
        runs,
        tasks,
        history: [],
        checkpoint,
        created_at: *created_at,
        updated_at: *updated_at,
    })
    .map_err(|e| FlowError::Corrupt(e.to_string()))
}

fn event_json(e: &Event) -> Result<String> {
    serde_json::to_string(e).map_err(|e| FlowError::Corrupt(e.to_string()))
}

/// Appends events `from..` of the flow's history (`history[i]` is row `i + 1`).
fn insert_events(tx: &Transaction<'_>, flow: &Flow, from: usize) -> Result<()> {
    let mut stmt =
        tx.prepare_cached("INSERT INTO flow_events (flow_id, seq, event) VALUES (?1, ?2, ?3)")?;
    for (i, e) in flow.history.iter().enumerate().skip(from) {
        stmt.execute(params![flow.id.as_str(), i as i64 + 1, event_json(e)?])?;
    }
    Ok(())
}

/// Makes `flow_events` hold exactly the flow's history, whatever it held: rows that
/// are already right are left alone (not even rewritten), the others are replaced,
/// and rows past the end go. For whole replacements (a rebase on the server's state).
fn sync_events(tx: &Transaction<'_>, flow: &Flow) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO flow_events (flow_id, seq, event) VALUES (?1, ?2, ?3)
         ON CONFLICT (flow_id, seq) DO UPDATE SET event = excluded.event
             WHERE event IS NOT excluded.event",
    )?;
    for (i, e) in flow.history.iter().enumerate() {
        stmt.execute(params![flow.id.as_str(), i as i64 + 1, event_json(e)?])?;
    }
    tx.prepare_cached("DELETE FROM flow_events WHERE flow_id = ?1 AND seq > ?2")?
        .execute(params![flow.id.as_str(), flow.history.len() as i64])?;
    Ok(())
}

pub(crate) fn insert_flow(tx: &Transaction<'_>, flow: &Flow, meta: &DocMeta) -> Result<()> {
    let people = DbDirectory { conn: tx };
    tx.prepare_cached(
        "INSERT INTO flows (id, document_id, doc_version, kind, owner, route_name, status, title,
             doc_type, urgency, from_organ, current_step, content_hash, created_at, updated_at,
             flow_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?
    .execute(params![
        flow.id.as_str(),
        meta.document_id,
        meta.doc_version,
        flow.kind.code(),
        flow.owner.as_str(),
        flow.route.name,
        flow.status.code(),
        meta.title,
        meta.doc_type,
        meta.urgency.map(Urgency::name),
        meta.from_organ,
        flow.where_now(&people),
        flow.content_hash.as_str(),
        ts(flow.created_at),
        ts(flow.updated_at),
        to_json(flow)?,
    ])?;
    insert_events(tx, flow, 0)
}

/// Replaces the stored flow (its row and its history) by `flow`.
pub(crate) fn update_flow(tx: &Transaction<'_>, flow: &Flow) -> Result<()> {
    write_flow(tx, flow, true)?;
    sync_events(tx, flow)
}

/// [`update_flow`] after one command applied to `before` (the flow as stored): the
/// status is written only when it changed, so the one-running-flow-per-document index
/// (partial on the status) is not rewritten by every action, and only the events the
/// command added are inserted.
pub(crate) fn update_flow_after(tx: &Transaction<'_>, before: &Flow, after: &Flow) -> Result<()> {
    write_flow(tx, after, before.status.code() != after.status.code())?;
    let kept = before.history.len();
    if after.history.len() >= kept && after.history[..kept] == before.history[..] {
        insert_events(tx, after, kept)
    } else {
        sync_events(tx, after)
    }
}

fn write_flow(tx: &Transaction<'_>, flow: &Flow, with_status: bool) -> Result<()> {
    let people = DbDirectory { conn: tx };
    let sql = if with_status {
        "UPDATE flows SET status = ?2, current_step = ?3, content_hash = ?4, updated_at = ?5,
             flow_json = ?6
         WHERE id = ?1"
    } else {
        "UPDATE flows SET current_step = ?3, content_hash = ?4, updated_at = ?5, flow_json = ?6
         WHERE id = ?1 AND status = ?2"
    };
    tx.prepare_cached(sql)?.execute(params![
        flow.id.as_str(),
        flow.status.code(),
        flow.where_now(&people),
        flow.content_hash.as_str(),
        ts(flow.updated_at),
        to_json(flow)?,
    ])?;
    Ok(())
}

/// Writes the queue rows of the tasks that changed between `before` and `after`
/// (all of them when `before` is None). `pending_seq` is the outbox seq of the local
/// command that made the change (None: confirmed by the server).
pub(crate) fn mirror_tasks(
    tx: &Transaction<'_>,
    before: Option<&Flow>,
    after: &Flow,
    meta: &DocMeta,
    pending_seq: Option<i64>,
    now: OffsetDateTime,
) -> Result<()> {
    for (i, t) in after.tasks.iter().enumerate() {
        if before.and_then(|b| b.tasks.get(i)) == Some(t) {
            continue;
        }
        write_task(tx, after, t, meta, pending_seq, now)?;
    }
    Ok(())
}

fn write_task(
    tx: &Transaction<'_>,
    flow: &Flow,
    t: &Task,
    meta: &DocMeta,
    pending_seq: Option<i64>,
    now: OffsetDateTime,
) -> Result<()> {
    let shown = match t.state {
        TaskState::Waiting => false,
        _ => t.opened_at.is_some() || t.acted.is_some(),
    };
    if !shown {
        tx.prepare_cached("DELETE FROM tasks WHERE id = ?1")?
            .execute([t.id.as_str()])?;
        return Ok(());
    }
    let step = flow.route.steps.get(t.step);
    let kind = if step.is_some_and(|s| s.kind.is_circulation()) {
        "read"
    } else {
        "handle"
    };
    let open = t.is_open();
    let done_at = if open {
        None
    } else {
        Some(ts(t.acted.as_ref().map_or(flow.updated_at, |a| a.at)))
    };
    let cause = match &t.state {
        TaskState::Withdrawn { cause } => Some(cause.label()),
        _ => None,
    };
    tx.prepare_cached(
        "INSERT INTO tasks (id, document_id, kind, assignee, state, title, created_at, due_at,
             done_at, flow_id, step, step_name, status, withdraw_cause, urgency_rank, doc_type,
             from_organ, since, overdue, acted_by, acted_for, opinion, dept, pending_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
             ?18, ?19, ?20, ?21, ?22, ?23, ?24)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, due_at = excluded.due_at,
             done_at = excluded.done_at, status = excluded.status,
             withdraw_cause = excluded.withdraw_cause, since = excluded.since,
             overdue = excluded.overdue, acted_by = excluded.acted_by,
             acted_for = excluded.acted_for, opinion = excluded.opinion,
             pending_seq = excluded.pending_seq, title = excluded.title,
             urgency_rank = excluded.urgency_rank",
    )?
    .execute(params![
        t.id.as_str(),
        meta.document_id,
        kind,
        t.assignee.as_str(),
        if open { "open" } else { "done" },
        meta.title,
        ts(t.created_at),
        t.due.map(ts),
        done_at,
        flow.id.as_str(),
        t.step as i64,
        step.map_or("", |s| s.display_name()),
        task_status_code(&t.state),
        cause,
        meta.urgency_rank(),
        meta.doc_type,
        meta.from_organ,
        ts(t.opened_at.unwrap_or(t.created_at)),
        i64::from(t.is_overdue(now)),
        t.acted.as_ref().map(|a| a.actor.as_str()),
        t.acted
            .as_ref()
            .and_then(|a| a.on_behalf_of.as_ref())
            .map(|p| p.as_str()),
        t.acted.as_ref().and_then(|a| a.opinion.as_deref()),
        dept_of(tx, t.assignee.as_str())?,
        pending_seq,
    ])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::Path;
    use std::sync::Arc;

    use gongwen_domain::workflow::{
        self, Action, Command, ContentHash, Context, FlowId, FlowKind, Mode, PersonId, Route, Step,
        StepKind,
    };

    use super::*;
    use crate::api::OpenOptions;
    use crate::flow::outbox::ActArgs;
    use crate::key::{Key, StaticKey};
    use crate::store::DB_FILE;
    use crate::store::migrations::{LATEST, MIGRATIONS};

    const KEY: [u8; 32] = [6; 32];

    fn open(dir: &Path, user: &str, create: bool) -> crate::Client {
        OpenOptions::new(dir)
            .create(create)
            .keys(Arc::new(StaticKey(Key::from_bytes(KEY))))
            .user(user)
            .open()
            .unwrap()
    }

    /// A flow as a client before migration 0010 held it: started by 张三, who submitted
    /// it (同意 at 起草); 李四 reviews, 王五 signs. Returns (started, submitted, the
    /// submitting command).
    fn flows(id: &str, at: OffsetDateTime) -> (Flow, Flow, Command) {
        let p = PersonId::from;
        let names: HashMap<PersonId, String> =
            [("zhang", "张三"), ("li", "李四"), ("wang", "王五")]
                .map(|(id, name)| (p(id), name.to_owned()))
                .into();
        let ctx = Context::new(at, &names);
        let route = Route {
            name: "发文".into(),
            steps: vec![
                Step::new(StepKind::Draft, Mode::Sequential, vec![p("zhang")]),
                Step::new(StepKind::Review, Mode::Sequential, vec![p("li")]),
                Step::new(StepKind::Sign, Mode::Sequential, vec![p("wang")]),
            ],
        };
        let hash = ContentHash::from("sha256:v1");
        let (started, _) = workflow::start(
            FlowId::from(id),
            FlowKind::Outgoing,
            p("zhang"),
            route,
            hash.clone(),
            &ctx,
        )
        .unwrap();
        let submit = Command {
            actor: p("zhang"),
            seen_hash: hash,
            action: Action::Approve {
                task: started.tasks[0].id.clone(),
                opinion: None,
                next_handlers: vec![],
                assignment: None,
            },
        };
        let (submitted, _) = workflow::apply(&started, &submit, &ctx).unwrap();
        (started, submitted, submit)
    }

    /// Writes a store at schema 9 (before 0010) in `dir`: the directory, flow F1 as the
    /// server confirmed it at its start (base_json) with the submission still in the
    /// outbox, and flow F2 known only locally, each with its task rows.
    fn store_at_9(dir: &Path, at: OffsetDateTime) -> (Flow, Flow) {
        let c = rusqlite::Connection::open(dir.join(DB_FILE)).unwrap();
        c.execute_batch(&format!("PRAGMA key = \"x'{}'\";", hex::encode_upper(KEY)))
            .unwrap();
        for m in &MIGRATIONS[..9] {
            c.execute_batch(m.sql).unwrap();
        }
        c.pragma_update(None, "user_version", 9).unwrap();
        c.execute_batch(
            "INSERT INTO people (id, name, organ, dept, roles, updated_at) VALUES
               ('zhang', '张三', '鹤山市人民政府办公室', '办公室', '[]', '2026-03-01T00:00:00Z'),
               ('li', '李四', '鹤山市人民政府办公室', '办公室', '[]', '2026-03-01T00:00:00Z'),
               ('wang', '王五', '鹤山市人民政府办公室', '办公室', '[]', '2026-03-01T00:00:00Z');",
        )
        .unwrap();
        let tx = c.unchecked_transaction().unwrap();
        let mut out = None;
        for (id, confirmed) in [("F1", true), ("F2", false)] {
            let (started, submitted, submit) = flows(id, at);
            let full = |f: &Flow| serde_json::to_string(f).unwrap();
            tx.execute(
                "INSERT INTO flows (id, document_id, doc_version, kind, owner, route_name,
                     status, title, content_hash, created_at, updated_at, flow_json, base_json)
                 VALUES (?1, ?2, 1, 'outgoing', 'zhang', '发文', 'running', '关于春耕的通知',
                     'sha256:v1', ?3, ?3, ?4, ?5)",
                params![
                    id,
                    format!("D-{id}"),
                    ts(at),
                    full(&submitted),
                    confirmed.then(|| full(&started)),
                ],
            )
            .unwrap();
            let args = ActArgs {
                flow: id.to_owned(),
                command: submit,
                client_time: at,
            };
            tx.execute(
                "INSERT INTO outbox (id, kind, entity_id, payload, created_at, state)
                 VALUES (?1, 'flow.act.v1', ?2, ?3, ?4, 'pending')",
                params![
                    format!("cmd-{id}"),
                    id,
                    serde_json::to_string(&args).unwrap(),
                    ts(at)
                ],
            )
            .unwrap();
            let meta = DocMeta {
                document_id: format!("D-{id}"),
                doc_version: Some(1),
                title: "关于春耕的通知".into(),
                doc_type: None,
                urgency: None,
                from_organ: None,
            };
            mirror_tasks(
                &tx,
                None,
                &submitted,
                &meta,
                Some(tx.last_insert_rowid()),
                at,
            )
            .unwrap();
            if confirmed {
                out = Some((started, submitted));
            }
        }
        tx.commit().unwrap();
        out.unwrap()
    }

    fn count(c: &Connection, sql: &str) -> i64 {
        c.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// Migration 0010 on a store written by 0001–0009: every flow keeps its local view
    /// and its history (now rows of flow_events), a confirmed flow keeps its base (now in
    /// flow_bases), a local-only flow still has none; a rebase gives the same view, and
    /// actions go on appending to the history.
    #[test]
    fn migration_0010_moves_history_and_base_out_of_the_flow_row() {
        let dir = tempfile::tempdir().unwrap();
        let at = time::macros::datetime!(2026-03-02 09:00 +08:00);
        // A client first (store.json and its key), then the store replaced by one at 9.
        drop(open(dir.path(), "li", true));
        for f in [
            DB_FILE.to_owned(),
            format!("{DB_FILE}-wal"),
            format!("{DB_FILE}-shm"),
        ] {
            let _ = std::fs::remove_file(dir.path().join(f));
        }
        let (started, submitted) = store_at_9(dir.path(), at);
        assert!(submitted.history.len() > started.history.len());

        let client = open(dir.path(), "li", false);
        assert_eq!(client.db.schema_version().unwrap(), LATEST);
        client
            .db
            .read(|c| {
                let base_column = count(
                    c,
                    "SELECT count(*) FROM pragma_table_info('flows') WHERE name = 'base_json'",
                );
                assert_eq!(base_column, 0);
                assert_eq!(
                    count(
                        c,
                        "SELECT count(*) FROM flows WHERE flow_json ->> '$.history' <> '[]'"
                    ),
                    0,
                    "flow_json keeps no history"
                );
                assert_eq!(
                    count(c, "SELECT count(*) FROM flow_events"),
                    2 * submitted.history.len() as i64
                );
                for id in ["F1", "F2"] {
                    let row = load_flow(c, id).unwrap().unwrap();
                    assert_eq!(row.flow, flows(id, at).1, "{id}");
                }
                assert_eq!(load_base(c, "F1").unwrap(), Some(started.clone()));
                assert_eq!(load_base(c, "F2").unwrap(), None);
                assert_eq!(
                    count(c, "SELECT count(*) FROM flow_bases"),
                    1,
                    "only the confirmed flow has a base"
                );
                Ok(())
            })
            .unwrap();

        // The rebase (base + the pending submission, replayed at its client time) gives
        // the view back, history included.
        crate::flow::write(&client.db, |tx| {
            crate::flow::actions::rebase(tx, "F1", at)?;
            assert_eq!(load_flow(tx, "F1")?.unwrap().flow, flows("F1", at).1);
            Ok(())
        })
        .unwrap();

        // 李四 approves both: the history grows by the action's events, in order.
        for id in ["F1", "F2"] {
            let task = format!("{id}-T2");
            let before = client
                .db
                .read(|c| {
                    Ok(count(
                        c,
                        &format!("SELECT count(*) FROM flow_events WHERE flow_id = '{id}'"),
                    ))
                })
                .unwrap();
            client
                .act(
                    &task,
                    "approve",
                    Some("同意"),
                    None,
                    None,
                    Some("sha256:v1"),
                )
                .unwrap();
            client
                .db
                .read(|c| {
                    let flow = load_flow(c, id).unwrap().unwrap().flow;
                    assert!(flow.history.len() as i64 > before);
                    for (i, e) in flow.history.iter().enumerate() {
                        assert_eq!(e.seq, i as u64 + 1, "{id}");
                    }
                    assert_eq!(
                        count(
                            c,
                            &format!("SELECT max(seq) FROM flow_events WHERE flow_id = '{id}'")
                        ),
                        flow.history.len() as i64
                    );
                    assert_eq!(flow.tasks[1].state, TaskState::Approved);
                    Ok(())
                })
                .unwrap();
        }
        client.verify_audit().unwrap();

        // Deleting a flow deletes its rows in both new tables.
        client
            .db
            .write(|tx| Ok(tx.execute("DELETE FROM flows WHERE id = 'F1'", [])?))
            .unwrap();
        client
            .db
            .read(|c| {
                assert_eq!(
                    count(c, "SELECT count(*) FROM flow_events WHERE flow_id = 'F1'"),
                    0
                );
                assert_eq!(count(c, "SELECT count(*) FROM flow_bases"), 0);
                Ok(())
            })
            .unwrap();
    }

    /// What `flows.flow_json` holds parses back to the flow minus its history, and a
    /// command's events are appended after the stored ones.
    #[test]
    fn stored_json_is_the_flow_without_its_history() {
        let at = time::macros::datetime!(2026-03-02 09:00 +08:00);
        let (_, submitted, _) = flows("F9", at);
        let stored: Flow = serde_json::from_str(&to_json(&submitted).unwrap()).unwrap();
        assert!(stored.history.is_empty());
        let mut whole = stored;
        whole.history = submitted.history.clone();
        assert_eq!(whole, submitted);
    }
}
