//! `flow.start.v1` and `flow.act.v1`: the server replays the client's workflow command
//! on the authoritative flow with the pure state machine
//! ([`gongwen_domain::workflow::start`] / [`apply`](gongwen_domain::workflow::apply)),
//! the server's clock, the directory and 委托 table from PostgreSQL, and stores the
//! result. The flow row is locked (`FOR UPDATE`) for the whole mutation, so two leaders
//! acting on one task are applied one after the other and the second is refused with
//! `ALREADY_HANDLED`.

use std::collections::{BTreeSet, HashMap};

use deadpool_postgres::GenericClient;
use gongwen_domain::workflow::{
    self, Action, Command, ContentHash, Context, Directory, Event, EventKind, Flow, FlowId,
    FlowKind, PersonId, Route, StepKind, TaskState, WithdrawCause, WorkflowError,
};
use gongwen_protocol::sync::{AlreadyHandled, codes, kinds};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{Applying, Failure, Rejection, members, people, reject, rfc3339, ts};
use crate::error::Error;

/// Args of `flow.start.v1` (the client's `StartArgs`, camelCase).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StartArgs {
    flow: String,
    kind: FlowKind,
    owner: PersonId,
    document_id: String,
    #[serde(default)]
    doc_version: Option<i64>,
    title: String,
    #[serde(default)]
    doc_type: Option<String>,
    #[serde(default)]
    urgency: Option<String>,
    #[serde(default)]
    from_organ: Option<String>,
    content_hash: ContentHash,
    route: Route,
}

/// Args of `flow.act.v1` (the client's `ActArgs`; `dispatch` is read by
/// [`super::exchange_hooks::deliver`]).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActArgs {
    flow: String,
    command: Command,
}

/// Pull `data` of `kinds::FLOW`: the client's `flows` columns plus the flow itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowData {
    pub flow: serde_json::Value,
    pub document_id: String,
    pub doc_version: Option<i64>,
    pub kind: String,
    pub owner: String,
    pub route_name: String,
    pub status: String,
    pub title: String,
    pub doc_type: Option<String>,
    pub urgency: Option<String>,
    pub from_organ: Option<String>,
    pub current_step: String,
    pub content_hash: String,
    pub created_at: String,
    pub updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc_number: Option<String>,
}

/// A stored flow.
#[derive(Debug, Clone)]
pub(super) struct FlowRow {
    pub id: String,
    pub document_id: String,
    pub doc_version: Option<i64>,
    pub owner: String,
    pub organ_code: String,
    pub title: String,
    pub doc_type: Option<String>,
    pub urgency: Option<String>,
    pub from_organ: Option<String>,
    pub current_step: String,
    pub doc_number: Option<String>,
    pub flow: Flow,
    pub version: i64,
}

impl FlowRow {
    pub fn data(&self) -> Result<FlowData, Error> {
        Ok(FlowData {
            flow: serde_json::to_value(&self.flow).map_err(|e| Error::Invalid(e.to_string()))?,
            document_id: self.document_id.clone(),
            doc_version: self.doc_version,
            kind: self.flow.kind.code().to_owned(),
            owner: self.owner.clone(),
            route_name: self.flow.route.name.clone(),
            status: self.flow.status.code().to_owned(),
            title: self.title.clone(),
            doc_type: self.doc_type.clone(),
            urgency: self.urgency.clone(),
            from_organ: self.from_organ.clone(),
            current_step: self.current_step.clone(),
            content_hash: self.flow.content_hash.0.clone(),
            created_at: ts(self.flow.created_at),
            updated_at: ts(self.flow.updated_at),
            doc_number: self.doc_number.clone(),
        })
    }
}

const SELECT: &str =
    "SELECT f.id, f.document_id, f.doc_version, u.login, o.code, f.title, f.doc_type,
        f.urgency, f.from_organ, coalesce(f.current_step, ''), f.doc_number, f.flow::text, f.version
   FROM flows f JOIN users u ON u.id = f.owner_id JOIN organs o ON o.id = f.organ_id";

fn row(r: &tokio_postgres::Row) -> Result<FlowRow, Error> {
    let id: String = r.get(0);
    let json: String = r.get(11);
    let flow: Flow = serde_json::from_str(&json)
        .map_err(|e| Error::Invalid(format!("流程 {id} 的数据已损坏：{e}")))?;
    Ok(FlowRow {
        id,
        document_id: r.get(1),
        doc_version: r.get(2),
        owner: r.get(3),
        organ_code: r.get(4),
        title: r.get(5),
        doc_type: r.get(6),
        urgency: r.get(7),
        from_organ: r.get(8),
        current_step: r.get(9),
        doc_number: r.get(10),
        flow,
        version: r.get(12),
    })
}

/// The flows of a document.
pub(super) async fn of_document(
    c: &impl GenericClient,
    document_id: &str,
) -> Result<Vec<FlowRow>, Error> {
    super::sql::query(
        c,
        &format!("{SELECT} WHERE f.document_id = $1 ORDER BY f.created_at, f.id"),
        &[&document_id],
    )
    .await?
    .iter()
    .map(row)
    .collect()
}

async fn lock(c: &impl GenericClient, id: &str) -> Result<Option<FlowRow>, Error> {
    super::sql::query_opt(
        c,
        &format!("{SELECT} WHERE f.id = $1 FOR UPDATE OF f"),
        &[&id],
    )
    .await?
    .as_ref()
    .map(row)
    .transpose()
}

/// Who a flow makes a member of its document: the owner, every assignee except of a
/// task recalled (撤回) before anyone acted on it, and whoever acted (delegates too).
pub(super) fn members_of(flow: &Flow) -> BTreeSet<String> {
    let mut out = BTreeSet::from([flow.owner.0.clone()]);
    for t in &flow.tasks {
        let recalled = matches!(
            t.state,
            TaskState::Withdrawn {
                cause: WithdrawCause::Recalled
            }
        );
        if !recalled || t.acted.is_some() {
            out.insert(t.assignee.0.clone());
        }
        if let Some(a) = &t.acted {
            out.insert(a.actor.0.clone());
            if let Some(p) = &a.on_behalf_of {
                out.insert(p.0.clone());
            }
        }
    }
    out
}

fn workflow_rejection(e: &WorkflowError) -> Rejection {
    if let WorkflowError::TaskCompleted { by, at, what, .. } = e {
        return already_handled(by.clone(), *at, what);
    }
    Rejection::new(e.code(), e.to_string())
}

fn already_handled(by: String, at: OffsetDateTime, action: &str) -> Rejection {
    let at_text = rfc3339(at.to_offset(super::CST));
    let shown = at.to_offset(super::CST);
    let message = format!(
        "已由 {by} 于 {:04}-{:02}-{:02} {:02}:{:02} 处理（{action}），您的意见已保留",
        shown.year(),
        u8::from(shown.month()),
        shown.day(),
        shown.hour(),
        shown.minute()
    );
    Rejection {
        code: codes::ALREADY_HANDLED.to_owned(),
        message,
        retryable: false,
        detail: Some(
            serde_json::to_value(AlreadyHandled {
                by,
                at: at_text,
                action: action.to_owned(),
            })
            .unwrap_or_default(),
        ),
    }
}

/// 或签: the caller's lane was withdrawn because another handler approved first; say who.
fn decided_by_other_lane(flow: &Flow, cmd: &Command, people: &dyn Directory) -> Option<Rejection> {
    let task = flow.task(cmd.action.task()?)?;
    if !matches!(
        task.state,
        TaskState::Withdrawn {
            cause: WithdrawCause::OtherHandlerActed
        }
    ) {
        return None;
    }
    let lane = flow.runs.get(task.run)?.claimed_lane?;
    let winner = flow
        .tasks
        .iter()
        .filter(|t| t.run == task.run && t.lane == lane)
        .filter_map(|t| t.acted.as_ref().map(|a| (t, a)))
        .min_by_key(|(_, a)| a.at)?;
    let (t, acted) = winner;
    Some(already_handled(
        acted.signature(people),
        acted.at,
        t.state.label(),
    ))
}

fn parse<T: serde::de::DeserializeOwned>(args: &serde_json::Value) -> Result<T, Failure> {
    serde_json::from_value(args.clone()).map_err(|e| {
        Failure::Rejected(Rejection::new(
            codes::BAD_ARGS,
            format!("操作参数无效：{e}"),
        ))
    })
}

fn check_id(what: &str, id: &str) -> Result<(), Failure> {
    if id.trim().is_empty() || id.chars().count() > 100 || id.chars().any(char::is_control) {
        return reject(codes::BAD_ARGS, format!("{what}为空、过长或含有控制字符"));
    }
    Ok(())
}

/// Normalises a content hash to its hex part (`sha256:ab…` and `ab…` compare equal).
fn hash_hex(h: &str) -> &str {
    h.rsplit_once(':').map_or(h, |(_, hex)| hex)
}

async fn context_people(
    c: &impl GenericClient,
    logins: &BTreeSet<String>,
) -> Result<HashMap<PersonId, String>, Failure> {
    Ok(people::names(c, logins).await?)
}

/// `flow.start.v1`.
pub(super) async fn start(
    tx: &deadpool_postgres::Transaction<'_>,
    a: &mut Applying<'_>,
    args: &serde_json::Value,
) -> Result<Option<serde_json::Value>, Failure> {
    let args: StartArgs = parse(args)?;
    check_id("流程编号", &args.flow)?;
    check_id("公文编号", &args.document_id)?;
    if args.owner.0 != a.caller.login {
        return reject(codes::FORBIDDEN, "只能以本人身份送审");
    }
    let title = args.title.trim();
    if title.is_empty() || title.chars().count() > 500 {
        return reject(codes::BAD_ARGS, "公文标题为空或过长");
    }
    if super::sql::query_opt(tx, "SELECT 1 FROM flows WHERE id = $1", &[&args.flow])
        .await?
        .is_some()
    {
        return reject("FLOW_EXISTS", "流程已存在，不能重复送审");
    }
    // 收文: the document is an incoming item (公文交换) delivered to the caller's organ
    // and signed (签收) there; no flow for anything else.
    if args.kind == FlowKind::Incoming {
        check_incoming(tx, a, &args.document_id).await?;
    }
    // The draft, when the server holds it: only its owner submits it, and the text
    // submitted must be a version the server has.
    let draft = super::sql::query_opt(
        tx,
        "SELECT owner_id FROM drafts WHERE id = $1 FOR UPDATE",
        &[&args.document_id],
    )
    .await?;
    if let Some(d) = &draft {
        if d.get::<_, i64>(0) != a.caller.user_id {
            return reject(codes::FORBIDDEN, "只有拟稿人可以送审该公文");
        }
        if let Some(v) = args.doc_version {
            let stored: Option<String> = super::sql::query_opt(
                tx,
                "SELECT content_hash FROM draft_versions WHERE draft_id = $1 AND version = $2",
                &[&args.document_id, &v],
            )
            .await?
            .map(|r| r.get(0));
            if let Some(stored) = stored
                && hash_hex(&stored) != hash_hex(&args.content_hash.0)
            {
                return reject(
                    "STALE_CONTENT",
                    format!("送审的正文与服务器上第 {v} 版不一致，请同步后重新送审"),
                );
            }
        }
    }
    let running = super::sql::query_opt(
        tx,
        "SELECT id FROM flows WHERE document_id = $1 AND status = 'running' FOR UPDATE",
        &[&args.document_id],
    )
    .await?;
    if let Some(r) = running {
        let flow: String = r.get(0);
        return reject(
            "ALREADY_SUBMITTED",
            format!("该公文已在办理中（流程 {flow}），不能重复送审"),
        );
    }
    let mut logins = BTreeSet::from([a.caller.login.clone()]);
    people::route_logins(&args.route, &mut logins);
    let names = context_people(tx, &logins).await?;
    let supervisor = people::is_supervisor(tx, a.caller).await?;
    // The context borrows the directory as `&dyn Directory` (not Send): keep it out
    // of any await.
    let started = {
        let ctx = Context::new(a.now, &names).with_supervisor(supervisor);
        workflow::start(
            FlowId::new(args.flow.clone()),
            args.kind,
            args.owner.clone(),
            args.route.clone(),
            args.content_hash.clone(),
            &ctx,
        )
    };
    let (flow, events) = match started {
        Ok(v) => v,
        Err(e) => return Err(Failure::Rejected(workflow_rejection(&e))),
    };
    let current_step = flow.where_now(&names);
    let json = serde_json::to_string(&flow).map_err(|e| Error::Invalid(e.to_string()))?;
    super::sql::execute(tx,
        "INSERT INTO flows (id, document_id, doc_version, kind, owner_id, organ_id, route_name,
             status, title, doc_type, urgency, from_organ, current_step, content_hash, flow,
             version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::text::jsonb, 1, $16, $16)",
        &[
            &args.flow,
            &args.document_id,
            &args.doc_version,
            &flow.kind.code(),
            &a.caller.user_id,
            &a.caller.organ_id,
            &flow.route.name,
            &flow.status.code(),
            &title,
            &args.doc_type,
            &args.urgency,
            &args.from_organ,
            &current_step,
            &flow.content_hash.0,
            &json,
            &a.now,
        ],
    )
    .await?;
    audit_events(a, &events);
    members::publish(tx, a, &args.document_id, (kinds::FLOW, &args.flow)).await?;
    Ok(Some(serde_json::json!({
        "flow": args.flow,
        "version": 1,
        "status": flow.status.code(),
        "current_step": current_step,
    })))
}

/// The incoming item `document_id` was delivered to the caller's organ and signed
/// there. An item of another organ is answered as a missing one (no leak of its
/// existence).
async fn check_incoming(
    tx: &deadpool_postgres::Transaction<'_>,
    a: &Applying<'_>,
    document_id: &str,
) -> Result<(), Failure> {
    let item = super::sql::query_opt(
        tx,
        "SELECT state FROM exchange_items WHERE id = $1 AND to_organ_id = $2 FOR SHARE",
        &[&document_id, &a.caller.organ_id],
    )
    .await?;
    match item {
        None => reject(
            codes::INCOMING_NOT_FOUND,
            "找不到该来文：它不存在或不是发给本机关的，不能登记办理",
        ),
        Some(r) if r.get::<_, &str>(0) != "signed" => reject(
            codes::INCOMING_NOT_SIGNED,
            "该来文尚未签收，请先签收后再登记办理",
        ),
        Some(_) => Ok(()),
    }
}

fn audit_events(a: &mut Applying<'_>, events: &[Event]) {
    for e in events {
        let n = a.audit.len() + 1;
        a.audit
            .push(e.audit_entry(format!("{}/{n}", a.mutation_id)));
    }
}

/// The kind of the step of the task a command acts on.
fn step_kind_of(flow: &Flow, cmd: &Command) -> Option<StepKind> {
    let task = flow.task(cmd.action.task()?)?;
    flow.route.steps.get(task.step).map(|s| s.kind)
}

/// `flow.act.v1`.
pub(super) async fn act(
    tx: &deadpool_postgres::Transaction<'_>,
    a: &mut Applying<'_>,
    args: &serde_json::Value,
) -> Result<Option<serde_json::Value>, Failure> {
    let raw = args;
    let args: ActArgs = parse(args)?;
    check_id("流程编号", &args.flow)?;
    let cmd = args.command;
    if cmd.actor.0 != a.caller.login {
        return reject(codes::FORBIDDEN, "只能以本人身份办理");
    }
    let not_found = || reject("FLOW_NOT_FOUND", "找不到该流程：它不存在或您无权查看");
    let Some(mut stored) = lock(tx, &args.flow).await? else {
        return not_found();
    };
    let delegations = people::delegations_to(tx, &a.caller.login).await?;
    let members = members_of(&stored.flow);
    let may_see = members.contains(&a.caller.login)
        || delegations
            .iter()
            .any(|d| members.contains(&d.principal.0) && d.is_active(a.now, stored.flow.kind));
    if !may_see {
        return not_found();
    }
    let mut logins = BTreeSet::new();
    people::flow_logins(&stored.flow, &mut logins);
    people::command_logins(&cmd, &mut logins);
    let names = context_people(tx, &logins).await?;
    let supervisor = people::is_supervisor(tx, a.caller).await?;
    let before = stored.flow.clone();
    let applied = {
        let ctx = Context::new(a.now, &names)
            .with_delegations(&delegations)
            .with_supervisor(supervisor);
        workflow::apply(&before, &cmd, &ctx)
    };
    let (flow, events) = match applied {
        Ok(v) => v,
        Err(e) => {
            if let WorkflowError::TaskWithdrawn { .. } = e
                && let Some(r) = decided_by_other_lane(&before, &cmd, &names)
            {
                return Err(Failure::Rejected(r));
            }
            return Err(Failure::Rejected(workflow_rejection(&e)));
        }
    };
    let mut result = serde_json::Map::new();
    let step_kind = step_kind_of(&before, &cmd);
    // 登记 of an outgoing document: the 文号, in this transaction.
    if flow.kind == FlowKind::Outgoing
        && step_kind == Some(StepKind::Register)
        && matches!(cmd.action, Action::Approve { .. })
        && stored.doc_number.is_none()
    {
        let year = a.now.to_offset(super::CST).year();
        let number = crate::registry::allocate(
            tx,
            &stored.organ_code,
            year,
            &stored.document_id,
            Some(a.caller.user_id),
        )
        .await?;
        stored.doc_number = Some(number.text.clone());
        a.audit(
            "registry.allocated",
            &stored.document_id,
            serde_json::json!({"flow": stored.id, "doc_number": number.text}),
        );
        result.insert(
            "doc_number".into(),
            serde_json::to_value(&number).map_err(|e| Error::Invalid(e.to_string()))?,
        );
    }
    // 修改正文: the flow now follows the draft version with the new hash.
    if let Action::UpdateContent { new_hash, .. } = &cmd.action {
        let version: Option<i64> = super::sql::query_opt(
            tx,
            "SELECT version FROM draft_versions WHERE draft_id = $1
                   AND (content_hash = $2 OR content_hash = $3)
                 ORDER BY version DESC LIMIT 1",
            &[&stored.document_id, &new_hash.0, &hash_hex(&new_hash.0)],
        )
        .await?
        .map(|r| r.get(0));
        if version.is_some() {
            stored.doc_version = version;
        }
    }
    let dispatched = flow.kind == FlowKind::Outgoing
        && step_kind == Some(StepKind::Dispatch)
        && events.iter().any(|e| {
            matches!(e.kind, EventKind::StepCompleted { step, .. }
                if before.route.steps.get(step).is_some_and(|s| s.kind == StepKind::Dispatch))
        });
    if dispatched
        && let Some(delivery) = super::exchange_hooks::deliver(tx, a, &stored, raw).await?
    {
        result.insert("delivery".into(), delivery);
    }
    stored.flow = flow;
    stored.version += 1;
    stored.current_step = stored.flow.where_now(&names);
    let json = serde_json::to_string(&stored.flow).map_err(|e| Error::Invalid(e.to_string()))?;
    super::sql::execute(tx,
        "UPDATE flows SET status = $2, current_step = $3, content_hash = $4, flow = $5::text::jsonb,
             version = $6, doc_version = $7, doc_number = $8, updated_at = $9
         WHERE id = $1",
        &[
            &stored.id,
            &stored.flow.status.code(),
            &stored.current_step,
            &stored.flow.content_hash.0,
            &json,
            &stored.version,
            &stored.doc_version,
            &stored.doc_number,
            &a.now,
        ],
    )
    .await?;
    audit_events(a, &events);
    members::publish(tx, a, &stored.document_id, (kinds::FLOW, &stored.id)).await?;
    result.insert("flow".into(), stored.id.clone().into());
    result.insert("version".into(), stored.version.into());
    result.insert("status".into(), stored.flow.status.code().into());
    result.insert("current_step".into(), stored.current_step.clone().into());
    Ok(Some(serde_json::Value::Object(result)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_compare_without_their_algorithm_prefix() {
        assert_eq!(hash_hex("sha256:ab12"), "ab12");
        assert_eq!(hash_hex("ab12"), "ab12");
    }

    #[test]
    fn already_handled_names_who_when_and_what() {
        let at = time::macros::datetime!(2026-03-02 01:05 UTC);
        let r = already_handled("李四".into(), at, "同意");
        assert_eq!(r.code, "ALREADY_HANDLED");
        assert!(
            r.message.contains("已由 李四 于 2026-03-02 09:05"),
            "{}",
            r.message
        );
        let d: AlreadyHandled = serde_json::from_value(r.detail.unwrap()).unwrap();
        assert_eq!(d.by, "李四");
        assert_eq!(d.action, "同意");
        assert!(d.at.starts_with("2026-03-02T09:05:00+08:00"));
    }
}
