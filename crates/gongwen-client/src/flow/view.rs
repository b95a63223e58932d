//! The flow view (the route as steps, who acted, when, what they wrote) and the task
//! view (the document and exactly the actions the current user may take).

use gongwen_domain::Document;
use gongwen_domain::workflow::{
    self, ActionKind, Context, Directory, Flow, NextChoice, OpinionEntry, PersonId, TaskId,
    TaskState,
};
use rusqlite::Connection;
use serde::Serialize;

use super::people::{self, DbDirectory};
use super::rows::{self, CST, DocMeta, ts};
use super::{FlowError, Result};
use crate::Client;

/// A handler's line in a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HandlerView {
    pub task_id: String,
    pub person: String,
    pub name: String,
    /// The task's state: waiting, open, approved, read, returned, transferred, withdrawn…
    pub status: String,
    /// 待办, 同意, 已阅, 退回, 转办, 已收回…
    pub status_label: String,
    /// Why it was withdrawn.
    pub withdraw_cause: Option<String>,
    /// "张三", or "李四 代 张三", once acted.
    pub signature: Option<String>,
    pub opened_at: Option<String>,
    pub acted_at: Option<String>,
    pub opinion: Option<String>,
    pub due_at: Option<String>,
    pub overdue: bool,
    /// Which run of the step (a step runs again after a 退回).
    pub run: usize,
}

/// One step of the route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepView {
    /// The step's index in the route (what `act --step` takes, counted from 0 here and
    /// from 1 on the command line).
    pub index: usize,
    pub name: String,
    /// 串签, 会签, 或签.
    pub mode: String,
    /// done, current, pending.
    pub state: String,
    /// The handlers named by the route (ids).
    pub planned: Vec<String>,
    /// Every task of the step, in order.
    pub handlers: Vec<HandlerView>,
}

/// The flow view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowView {
    pub flow_id: String,
    pub document_id: String,
    pub doc_version: Option<i64>,
    pub title: String,
    /// 发文 / 收文.
    pub kind: String,
    pub route: String,
    pub owner: String,
    pub owner_name: String,
    /// running, completed, terminated, sent_back.
    pub status: String,
    pub status_label: String,
    /// Where the document is now.
    pub now_at: String,
    pub content_hash: String,
    pub created_at: String,
    pub updated_at: String,
    pub steps: Vec<StepView>,
    /// Every signed opinion, oldest first: the forms' boxes and the timeline.
    pub opinions: Vec<OpinionEntry>,
    /// Local commands of this flow not yet confirmed by the server.
    pub pending_sync: u64,
}

/// A button of the task view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionButton {
    /// What `act` takes: approve, read, return, add-handler, transfer, withdraw, …
    pub action: String,
    /// 同意, 已阅, 退回…
    pub label: String,
}

/// A step a 退回 may go to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepTarget {
    pub index: usize,
    pub name: String,
}

/// The task view: the document as it will print, and the action panel.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskView {
    pub task_id: String,
    pub step_name: String,
    pub assignee: String,
    pub assignee_name: String,
    pub status: String,
    pub status_label: String,
    pub due_at: Option<String>,
    pub overdue: bool,
    /// The text under approval: quote it when approving.
    pub content_hash: String,
    /// The document version under approval (None when the document is not on this
    /// computer yet).
    pub document: Option<Document>,
    /// Exactly the actions the current user may take on this task and its flow.
    pub actions: Vec<ActionButton>,
    /// What approving needs: next handlers, or a 批办 assignment.
    pub next_choice: NextChoice,
    /// Where a 退回 may go.
    pub return_targets: Vec<StepTarget>,
    pub flow: FlowView,
}

/// The name `act` takes for an action.
pub fn action_name(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::Approve => "approve",
        ActionKind::MarkRead => "read",
        ActionKind::Return => "return",
        ActionKind::AddHandler => "add-handler",
        ActionKind::Transfer => "transfer",
        ActionKind::UpdateContent => "edit",
        ActionKind::Withdraw => "withdraw",
        ActionKind::Remind => "remind",
        ActionKind::Terminate => "terminate",
        ActionKind::SendBack => "send-back",
    }
}

fn flow_view(
    c: &Connection,
    flow: &Flow,
    meta: &DocMeta,
    now: time::OffsetDateTime,
) -> Result<FlowView> {
    let dir = DbDirectory { conn: c };
    let name = |p: &PersonId| dir.name(p).unwrap_or_else(|| p.0.clone());
    let current = flow.current_step();
    let steps = flow
        .route
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let handlers: Vec<HandlerView> = flow
                .tasks
                .iter()
                .filter(|t| t.step == i)
                .map(|t| HandlerView {
                    task_id: t.id.0.clone(),
                    person: t.assignee.0.clone(),
                    name: name(&t.assignee),
                    status: rows::task_status_code(&t.state).to_owned(),
                    status_label: t.state.label().to_owned(),
                    withdraw_cause: match &t.state {
                        TaskState::Withdrawn { cause } => Some(cause.label().to_owned()),
                        _ => None,
                    },
                    signature: t.acted.as_ref().map(|a| a.signature(&dir)),
                    opened_at: t.opened_at.map(ts),
                    acted_at: t.acted.as_ref().map(|a| ts(a.at)),
                    opinion: t.acted.as_ref().and_then(|a| a.opinion.clone()),
                    due_at: t.due.map(ts),
                    overdue: t.is_overdue(now),
                    run: t.run,
                })
                .collect();
            let state = if current == Some(i) {
                "current"
            } else if flow.runs.iter().any(|r| r.step == i && r.outcome.is_some())
                && current.is_none_or(|c| i < c)
            {
                "done"
            } else {
                "pending"
            };
            StepView {
                index: i,
                name: s.display_name().to_owned(),
                mode: s.effective_mode().label().to_owned(),
                state: state.to_owned(),
                planned: s.handlers.iter().map(|p| p.0.clone()).collect(),
                handlers,
            }
        })
        .collect();
    let pending: i64 = c
        .prepare_cached("SELECT count(*) FROM outbox WHERE entity_id = ?1 AND state = 'pending'")?
        .query_row([flow.id.as_str()], |r| r.get(0))?;
    Ok(FlowView {
        flow_id: flow.id.0.clone(),
        document_id: meta.document_id.clone(),
        doc_version: meta.doc_version,
        title: meta.title.clone(),
        kind: flow.kind.label().to_owned(),
        route: flow.route.name.clone(),
        owner: flow.owner.0.clone(),
        owner_name: name(&flow.owner),
        status: flow.status.code().to_owned(),
        status_label: flow.status.label().to_owned(),
        now_at: flow.where_now(&dir),
        content_hash: flow.content_hash.0.clone(),
        created_at: ts(flow.created_at),
        updated_at: ts(flow.updated_at),
        steps,
        opinions: workflow::opinions(flow, &dir),
        pending_sync: u64::try_from(pending).unwrap_or(0),
    })
}

impl Client {
    /// 流程: the route as steps with who acted, when and what they wrote. Takes a flow
    /// id, a task id or a document (draft) id (its latest flow).
    pub fn flow_view(&self, doc_or_flow_id: &str) -> Result<FlowView> {
        let now = self.now().to_offset(CST);
        super::read(&self.db, |c| {
            let id = rows::resolve_flow_id(c, doc_or_flow_id)?
                .ok_or_else(|| FlowError::FlowNotFound(doc_or_flow_id.to_owned()))?;
            let fr = rows::load_flow(c, &id)?.ok_or(FlowError::FlowNotFound(id))?;
            flow_view(c, &fr.flow, &fr.meta, now)
        })
    }

    /// 办理页: the task's document (the version under approval) and the actions the
    /// current user may take.
    pub fn task_view(&self, task_id: &str) -> Result<TaskView> {
        let now = self.now().to_offset(CST);
        super::read(&self.db, |c| {
            let flow_id = rows::flow_of_task(c, task_id)?
                .ok_or_else(|| FlowError::TaskNotFound(task_id.to_owned()))?;
            let fr = rows::load_flow(c, &flow_id)?.ok_or(FlowError::FlowNotFound(flow_id))?;
            let flow = &fr.flow;
            let tid = TaskId::from(task_id);
            let task = flow
                .task(&tid)
                .ok_or_else(|| FlowError::TaskNotFound(task_id.to_owned()))?;
            let dir = DbDirectory { conn: c };
            let me = people::get(c, &self.user)?;
            let delegations = super::routes::workflow_delegations(c)?;
            let ctx = Context::new(now, &dir)
                .with_supervisor(me.as_ref().is_some_and(|p| p.is_supervisor()))
                .with_delegations(&delegations);
            let user = PersonId::new(self.user.clone());
            // The task's own actions when it is the user's; the flow-wide ones
            // (撤回, 催办, 终止) always.
            let mine = workflow::tasks_for(flow, &user, &ctx)
                .iter()
                .any(|t| t.id == tid);
            let task_kinds = workflow::task_actions(flow, task);
            let actions = workflow::available_actions(flow, &user, &ctx)
                .into_iter()
                .filter(|k| {
                    !task_kinds.contains(k)
                        || mine
                        || matches!(
                            k,
                            ActionKind::Withdraw | ActionKind::Remind | ActionKind::Terminate
                        )
                })
                .map(|k| ActionButton {
                    action: action_name(k).to_owned(),
                    label: k.label().to_owned(),
                })
                .collect();
            let document = match fr.meta.doc_version {
                Some(v) => match crate::store::drafts::version(c, &fr.meta.document_id, v) {
                    Ok(row) => Some(
                        Document::from_json(&row.content)
                            .map_err(|e| FlowError::Corrupt(e.to_string()))?,
                    ),
                    Err(crate::Error::DraftNotFound(_) | crate::Error::VersionNotFound { .. }) => {
                        None
                    }
                    Err(e) => return Err(e.into()),
                },
                None => None,
            };
            // The version under approval predates 登记: show the 文号 the server gave it.
            let document = match document {
                Some(mut doc) if doc.doc_number.is_none() => {
                    doc.doc_number = match crate::store::drafts::get(c, &fr.meta.document_id) {
                        Ok(row) => row.doc_number.and_then(|n| n.parse().ok()),
                        Err(crate::Error::DraftNotFound(_)) => None,
                        Err(e) => return Err(e.into()),
                    };
                    Some(doc)
                }
                other => other,
            };
            let targets = if mine {
                workflow::return_targets(flow)
                    .into_iter()
                    .map(|i| StepTarget {
                        index: i,
                        name: flow.route.steps[i].display_name().to_owned(),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            Ok(TaskView {
                task_id: task.id.0.clone(),
                step_name: flow
                    .route
                    .steps
                    .get(task.step)
                    .map_or(String::new(), |s| s.display_name().to_owned()),
                assignee: task.assignee.0.clone(),
                assignee_name: dir
                    .name(&task.assignee)
                    .unwrap_or_else(|| task.assignee.0.clone()),
                status: rows::task_status_code(&task.state).to_owned(),
                status_label: task.state.label().to_owned(),
                due_at: task.due.map(ts),
                overdue: task.is_overdue(now),
                content_hash: flow.content_hash.0.clone(),
                document,
                next_choice: if mine {
                    workflow::next_choice(flow, &tid)
                } else {
                    NextChoice::None
                },
                return_targets: targets,
                actions,
                flow: flow_view(c, flow, &fr.meta, now)?,
            })
        })
    }
}
