//! Workflow commands in the outbox (SYNC.md §1), and what happens when the server
//! refuses one.

use gongwen_domain::workflow::{Action, Command};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::rows::ts;
use super::{FlowError, Result};
use crate::Client;

/// One outbox row, as the sync engine pushes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry {
    /// Per-client, strictly increasing, never reused.
    pub seq: i64,
    /// UUIDv7: the idempotency key.
    pub id: String,
    /// The mutation, e.g. `flow.act.v1`.
    pub name: String,
    /// What 同步详情 calls it: 送审, 收文登记, 同意, 签收, 保存草稿…
    pub label: String,
    /// The flow it is about.
    pub entity_id: String,
    pub args: serde_json::Value,
    pub created_at: String,
    /// `pending` or `rejected`.
    pub state: String,
}

/// An action the server refused: shown to the user with the reason, the opinion kept.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectedAction {
    pub seq: i64,
    pub id: String,
    pub name: String,
    pub flow_id: String,
    /// The document's title, when the flow is still known locally.
    pub title: Option<String>,
    /// What the user did: 同意, 退回, 送审…
    pub action_label: String,
    /// The opinion, reason or message the user typed (never dropped).
    pub opinion: Option<String>,
    /// The server's (or the replay's) code, e.g. `TASK_COMPLETED`.
    pub code: String,
    /// Why, in zh-CN.
    pub reason: String,
    pub created_at: String,
    pub rejected_at: String,
}

/// The args of `flow.act.v1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ActArgs {
    pub flow: String,
    pub command: Command,
    /// When the user acted (informational for the server; the replay clock locally).
    #[serde(with = "time::serde::rfc3339")]
    pub client_time: OffsetDateTime,
}

/// Inserts a pending row; returns its seq.
pub(crate) fn insert(
    tx: &Transaction<'_>,
    id: &str,
    name: &str,
    entity: &str,
    args: &serde_json::Value,
    now: OffsetDateTime,
) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO outbox (id, kind, entity_id, payload, created_at, state)
         VALUES (?1, ?2, ?3, ?4, ?5, 'pending')",
    )?
    .execute(params![id, name, entity, args.to_string(), ts(now)])?;
    Ok(tx.last_insert_rowid())
}

pub(crate) struct Row {
    pub seq: i64,
    pub id: String,
    pub name: String,
    pub entity: String,
    pub payload: String,
    pub created_at: String,
    pub state: String,
    pub reject_code: Option<String>,
    pub reject_reason: Option<String>,
    pub rejected_at: Option<String>,
}

const COLUMNS: &str = "seq, id, kind, entity_id, payload, created_at, state, reject_code, \
                       reject_reason, rejected_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        seq: r.get(0)?,
        id: r.get(1)?,
        name: r.get(2)?,
        entity: r.get(3)?,
        payload: r.get(4)?,
        created_at: r.get(5)?,
        state: r.get(6)?,
        reject_code: r.get(7)?,
        reject_reason: r.get(8)?,
        rejected_at: r.get(9)?,
    })
}

pub(crate) fn get(c: &Connection, seq: i64) -> Result<Option<Row>> {
    Ok(
        c.prepare_cached(&format!("SELECT {COLUMNS} FROM outbox WHERE seq = ?1"))?
            .query_row([seq], row)
            .optional()?,
    )
}

/// The pending rows of one flow, in seq order: the commands to replay over the
/// server's state. Rows the server has already consumed (`push_seq <= acked_seq`,
/// known from a pull before the push answer for them arrived) are not replayed: their
/// effect, if any, is in the server's state already.
pub(crate) fn pending_for(c: &Connection, flow: &str) -> Result<Vec<Row>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM outbox WHERE entity_id = ?1 AND state = 'pending'
           AND (push_seq IS NULL
                OR push_seq > coalesce((SELECT acked_seq FROM sync_client WHERE id = 1), 0))
         ORDER BY seq"
    ))?;
    let rows = stmt.query_map([flow], row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Whether the row was sent and the server's answer for it is not known yet: such a
/// row cannot be retried or discarded (the server may still apply it).
pub(crate) fn in_flight(c: &Connection, seq: i64) -> Result<bool> {
    Ok(
        c.prepare_cached("SELECT push_seq IS NOT NULL FROM outbox WHERE seq = ?1")?
            .query_row([seq], |r| r.get::<_, bool>(0))
            .optional()?
            .unwrap_or(false),
    )
}

pub(crate) fn mark_rejected(
    tx: &Transaction<'_>,
    seq: i64,
    code: &str,
    reason: &str,
    now: OffsetDateTime,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE outbox SET state = 'rejected', reject_code = ?2, reject_reason = ?3,
             rejected_at = ?4
         WHERE seq = ?1",
    )?
    .execute(params![seq, code, reason, ts(now)])?;
    Ok(())
}

pub(crate) fn parse_act(r: &Row) -> Result<ActArgs> {
    serde_json::from_str(&r.payload)
        .map_err(|e| FlowError::Corrupt(format!("待同步操作 {}：{e}", r.seq)))
}

/// What 同步详情 calls an outbox row: the action's label, the text the user typed
/// and the title the command itself carries (the flow's or the incoming item's
/// title, when the device has it, is preferred by [`Client::rejected_actions`]).
/// Every command name the client writes has its own label; an unknown one (written
/// by a newer version of the app) is named as such, never as another action.
pub(crate) fn label_of(r: &Row) -> Result<(String, Option<String>, Option<String>)> {
    use gongwen_protocol::sync::mutations;
    let args = || serde_json::from_str::<serde_json::Value>(&r.payload).unwrap_or_default();
    let text = |v: &serde_json::Value| v.as_str().map(str::to_owned);
    Ok(match r.name.as_str() {
        super::ACT_MUTATION => {
            let (label, opinion) = describe(&parse_act(r)?.command);
            (label, opinion, None)
        }
        super::START_MUTATION => {
            let args = args();
            // 收文 flows start at 登记 (with the particulars); 发文 flows at 送审.
            let incoming = args["kind"] == "incoming" || !args["registration"].is_null();
            let label = if incoming { "收文登记" } else { "送审" };
            (label.to_owned(), None, text(&args["title"]))
        }
        mutations::DRAFT_SAVE => {
            let args = args();
            (
                "保存草稿".to_owned(),
                None,
                text(&args["document"]["title"]),
            )
        }
        mutations::EXCHANGE_SIGN => ("签收".to_owned(), None, None),
        other => (format!("其他操作（{other}）"), None, None),
    })
}

/// The label and the text the user typed, for a command.
pub(crate) fn describe(cmd: &Command) -> (String, Option<String>) {
    let label = cmd.action.kind().label().to_owned();
    let text = match &cmd.action {
        Action::Approve { opinion, .. }
        | Action::MarkRead { opinion, .. }
        | Action::AddHandler { opinion, .. }
        | Action::Transfer { opinion, .. } => opinion.clone(),
        Action::Return { reason, .. }
        | Action::Terminate { reason }
        | Action::SendBack { reason, .. } => Some(reason.clone()),
        Action::Withdraw { reason } => reason.clone(),
        Action::Remind { message, .. } => message.clone(),
        Action::UpdateContent { note, .. } => note.clone(),
    };
    (label, text)
}

impl Client {
    /// The outbox, in seq order (what the sync engine will push, and what it refused).
    pub fn outbox(&self) -> Result<Vec<OutboxEntry>> {
        super::read(&self.db, |c| {
            let mut stmt = c.prepare(&format!("SELECT {COLUMNS} FROM outbox ORDER BY seq"))?;
            let rows = stmt.query_map([], row)?;
            let mut out = Vec::new();
            for r in rows {
                let r = r?;
                let label = label_of(&r).map_or_else(|_| "办理".to_owned(), |(l, _, _)| l);
                out.push(OutboxEntry {
                    label,
                    seq: r.seq,
                    args: serde_json::from_str(&r.payload).unwrap_or(serde_json::Value::Null),
                    id: r.id,
                    name: r.name,
                    entity_id: r.entity,
                    created_at: r.created_at,
                    state: r.state,
                });
            }
            Ok(out)
        })
    }

    /// The actions the server refused, oldest first, with the reason and the opinion
    /// text the user typed.
    pub fn rejected_actions(&self) -> Result<Vec<RejectedAction>> {
        super::read(&self.db, |c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS} FROM outbox WHERE state = 'rejected' ORDER BY seq"
            ))?;
            let rows = stmt
                .query_map([], row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                let (action_label, opinion, own_title) = label_of(&r)?;
                // The flow's title (flow commands), or the incoming item's (签收), or
                // what the command itself carries.
                let title: Option<String> = c
                    .prepare_cached("SELECT title FROM flows WHERE id = ?1")?
                    .query_row([&r.entity], |x| x.get(0))
                    .optional()?;
                let title = match title {
                    Some(t) => Some(t),
                    None if r.name == gongwen_protocol::sync::mutations::EXCHANGE_SIGN => c
                        .prepare_cached(
                            "SELECT json_extract(data, '$.title') FROM incoming WHERE id = ?1",
                        )?
                        .query_row([&r.entity], |x| x.get::<_, Option<String>>(0))
                        .optional()?
                        .flatten(),
                    None => None,
                }
                .or(own_title);
                out.push(RejectedAction {
                    seq: r.seq,
                    id: r.id,
                    name: r.name,
                    flow_id: r.entity,
                    title,
                    action_label,
                    opinion,
                    code: r.reject_code.unwrap_or_default(),
                    reason: r.reject_reason.unwrap_or_default(),
                    created_at: r.created_at,
                    rejected_at: r.rejected_at.unwrap_or_default(),
                });
            }
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongwen_protocol::sync::mutations;
    use serde_json::json;

    fn outbox_row(name: &str, payload: serde_json::Value) -> Row {
        Row {
            seq: 1,
            id: "01900000-0000-7000-8000-000000000001".into(),
            name: name.into(),
            entity: "F1".into(),
            payload: payload.to_string(),
            created_at: "2026-01-05T09:00:00+08:00".into(),
            state: "rejected".into(),
            reject_code: Some("X".into()),
            reject_reason: Some("原因".into()),
            rejected_at: None,
        }
    }

    fn act(action: serde_json::Value) -> serde_json::Value {
        let mut command = json!({ "actor": "li", "seen_hash": "sha256:00" });
        for (k, v) in action.as_object().unwrap() {
            command[k] = v.clone();
        }
        json!({ "flow": "F1", "command": command, "clientTime": "2026-01-05T09:00:00+08:00" })
    }

    /// Every command the client writes gets its own label in 同步详情 (a refused
    /// 签收 used to be called 送审).
    #[test]
    fn every_command_kind_has_its_own_label() {
        // (command name, args, label, text the user typed, title the command carries)
        type Case = (
            &'static str,
            serde_json::Value,
            &'static str,
            Option<&'static str>,
            Option<&'static str>,
        );
        let table: Vec<Case> = vec![
            (
                mutations::FLOW_START,
                json!({ "kind": "outgoing", "title": "关于春耕的通知" }),
                "送审",
                None,
                Some("关于春耕的通知"),
            ),
            (
                mutations::FLOW_START,
                json!({ "kind": "incoming", "title": "来文", "registration": { "receipt_number": "1" } }),
                "收文登记",
                None,
                Some("来文"),
            ),
            (
                mutations::DRAFT_SAVE,
                json!({ "draft_id": "D1", "document": { "title": "草稿标题" } }),
                "保存草稿",
                None,
                Some("草稿标题"),
            ),
            (
                mutations::EXCHANGE_SIGN,
                json!({ "incoming_id": "IN-1" }),
                "签收",
                None,
                None,
            ),
            (
                mutations::FLOW_ACT,
                act(json!({ "action": "approve", "task": "t1", "opinion": "同意。" })),
                "同意",
                Some("同意。"),
                None,
            ),
            (
                mutations::FLOW_ACT,
                act(json!({ "action": "mark_read", "task": "t1" })),
                "已阅",
                None,
                None,
            ),
            (
                mutations::FLOW_ACT,
                act(json!({ "action": "return", "task": "t1", "reason": "数据有误" })),
                "退回",
                Some("数据有误"),
                None,
            ),
            (
                mutations::FLOW_ACT,
                act(
                    json!({ "action": "add_handler", "task": "t1", "person": "wang", "position": "after" }),
                ),
                "加签",
                None,
                None,
            ),
            (
                mutations::FLOW_ACT,
                act(
                    json!({ "action": "transfer", "task": "t1", "to": "wang", "opinion": "请王主任办理" }),
                ),
                "转办",
                Some("请王主任办理"),
                None,
            ),
            (
                mutations::FLOW_ACT,
                act(
                    json!({ "action": "update_content", "task": "t1", "new_hash": "sha256:01", "note": "改了第二段" }),
                ),
                "修改正文",
                Some("改了第二段"),
                None,
            ),
            (
                mutations::FLOW_ACT,
                act(json!({ "action": "withdraw" })),
                "撤回",
                None,
                None,
            ),
            (
                mutations::FLOW_ACT,
                act(json!({ "action": "remind", "message": "请尽快办理" })),
                "催办",
                Some("请尽快办理"),
                None,
            ),
            (
                mutations::FLOW_ACT,
                act(json!({ "action": "terminate", "reason": "不再需要" })),
                "终止",
                Some("不再需要"),
                None,
            ),
            (
                mutations::FLOW_ACT,
                act(json!({ "action": "send_back", "task": "t1", "reason": "不属本机关" })),
                "退文",
                Some("不属本机关"),
                None,
            ),
            (
                "report.export.v9",
                json!({}),
                "其他操作（report.export.v9）",
                None,
                None,
            ),
        ];
        let mut kinds = std::collections::BTreeSet::new();
        for (name, payload, label, text, title) in table {
            let r = outbox_row(name, payload);
            let (l, t, own_title) = label_of(&r).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(l, label, "{name} {}", r.payload);
            assert_eq!(t.as_deref(), text, "{label}");
            assert_eq!(own_title.as_deref(), title, "{label}");
            if name == mutations::FLOW_ACT {
                kinds.insert(parse_act(&r).unwrap().command.action.kind());
            }
        }
        // The table covers every workflow action.
        assert_eq!(kinds.len(), 10, "{kinds:?}");
        // The names the client's own constants use are the protocol's.
        assert_eq!(super::super::ACT_MUTATION, mutations::FLOW_ACT);
        assert_eq!(super::super::START_MUTATION, mutations::FLOW_START);
    }
}
