//! SQL of the `flows` and `tasks` tables: the flow's JSON and its queue rows.

use gongwen_domain::document::Urgency;
use gongwen_domain::workflow::{Flow, Task, TaskState};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
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
    Ok(Some(FlowRow {
        flow: parse_flow(id, &json)?,
        meta,
    }))
}

/// The last state of a flow the server confirmed (None: the flow exists only locally,
/// or not at all).
pub(crate) fn load_base(c: &Connection, id: &str) -> Result<Option<Flow>> {
    let json: Option<String> = c
        .prepare_cached("SELECT base_json FROM flows WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .flatten();
    json.map(|j| parse_flow(id, &j)).transpose()
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

fn to_json(flow: &Flow) -> Result<String> {
    serde_json::to_string(flow).map_err(|e| FlowError::Corrupt(e.to_string()))
}

pub(crate) fn insert_flow(tx: &Transaction<'_>, flow: &Flow, meta: &DocMeta) -> Result<()> {
    let people = DbDirectory { conn: tx };
    tx.prepare_cached(
        "INSERT INTO flows (id, document_id, doc_version, kind, owner, route_name, status, title,
             doc_type, urgency, from_organ, current_step, content_hash, created_at, updated_at,
             flow_json, base_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, NULL)",
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
    Ok(())
}

pub(crate) fn update_flow(tx: &Transaction<'_>, flow: &Flow) -> Result<()> {
    write_flow(tx, flow, true)
}

/// [`update_flow`] after one command applied to `before`: the status is written only
/// when it changed, so the one-running-flow-per-document index (partial on the status)
/// is not rewritten by every action.
pub(crate) fn update_flow_after(tx: &Transaction<'_>, before: &Flow, after: &Flow) -> Result<()> {
    write_flow(tx, after, before.status.code() != after.status.code())
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
