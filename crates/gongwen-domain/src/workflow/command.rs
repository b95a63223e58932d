//! Commands (what a user asks for), the context they run in, and the events they produce.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::model::{
    AddPosition, Assignment, ContentHash, Delegation, FlowId, PersonId, TaskId, WithdrawCause,
};

/// One user action on a flow, as recorded in the outbox and replayed by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Command {
    /// Who acts (the logged-in user; a delegate acting for someone else is found via
    /// [`Context::delegations`]).
    pub actor: PersonId,
    /// The content hash of the version the actor saw. 同意 and 已阅 require it to be the
    /// flow's current hash; every action records it.
    pub seen_hash: ContentHash,
    #[serde(flatten)]
    pub action: Action,
}

/// The actions of the workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// 同意 (with an opinion) or 圈阅 (no opinion).
    Approve {
        task: TaskId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        opinion: Option<String>,
        /// The next step's handlers, when the route leaves them to this handler
        /// (see [`super::next_choice`]).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        next_handlers: Vec<PersonId>,
        /// 批办 only: 主办/协办 and 办理时限, which become the next step's handlers and due time.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        assignment: Option<Assignment>,
    },
    /// 已阅 (传阅 steps), with an optional opinion.
    MarkRead {
        task: TaskId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        opinion: Option<String>,
    },
    /// 退回 to an earlier step (default: the previous one), with a reason.
    Return {
        task: TaskId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to_step: Option<usize>,
        reason: String,
    },
    /// 加签: add a handler before or after oneself (传阅: add a reader).
    AddHandler {
        task: TaskId,
        person: PersonId,
        position: AddPosition,
        /// A note for the added person, e.g. "请王主任阅处".
        #[serde(default, skip_serializing_if = "Option::is_none")]
        opinion: Option<String>,
    },
    /// 转办: hand the task to another person.
    Transfer {
        task: TaskId,
        to: PersonId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        opinion: Option<String>,
    },
    /// The current handler saved a new version of the text (审核/复核 edits).
    /// `substantive` at 复核 routes the flow back to the signer.
    UpdateContent {
        task: TaskId,
        new_hash: ContentHash,
        #[serde(default)]
        substantive: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// 撤回: undo one's own most recent 同意/转办 while nobody has acted since.
    Withdraw {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// 催办: remind the handlers of one open task, or of all open tasks.
    Remind {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        task: Option<TaskId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// 终止 by the owner, with a reason.
    Terminate { reason: String },
    /// 退文 (签收 or 初审 of a 收文): return the document to the sending organ, with a reason.
    /// Ends the flow.
    SendBack { task: TaskId, reason: String },
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Approve { .. } => ActionKind::Approve,
            Action::MarkRead { .. } => ActionKind::MarkRead,
            Action::Return { .. } => ActionKind::Return,
            Action::AddHandler { .. } => ActionKind::AddHandler,
            Action::Transfer { .. } => ActionKind::Transfer,
            Action::UpdateContent { .. } => ActionKind::UpdateContent,
            Action::Withdraw { .. } => ActionKind::Withdraw,
            Action::Remind { .. } => ActionKind::Remind,
            Action::Terminate { .. } => ActionKind::Terminate,
            Action::SendBack { .. } => ActionKind::SendBack,
        }
    }

    /// The task the action is on, if any.
    pub fn task(&self) -> Option<&TaskId> {
        match self {
            Action::Approve { task, .. }
            | Action::MarkRead { task, .. }
            | Action::Return { task, .. }
            | Action::AddHandler { task, .. }
            | Action::Transfer { task, .. }
            | Action::UpdateContent { task, .. }
            | Action::SendBack { task, .. } => Some(task),
            Action::Remind { task, .. } => task.as_ref(),
            Action::Withdraw { .. } | Action::Terminate { .. } => None,
        }
    }
}

/// The buttons: which actions exist, independent of their arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Approve,
    MarkRead,
    Return,
    AddHandler,
    Transfer,
    UpdateContent,
    Withdraw,
    Remind,
    Terminate,
    SendBack,
}

impl ActionKind {
    pub fn label(self) -> &'static str {
        match self {
            ActionKind::Approve => "同意",
            ActionKind::MarkRead => "已阅",
            ActionKind::Return => "退回",
            ActionKind::AddHandler => "加签",
            ActionKind::Transfer => "转办",
            ActionKind::UpdateContent => "修改正文",
            ActionKind::Withdraw => "撤回",
            ActionKind::Remind => "催办",
            ActionKind::Terminate => "终止",
            ActionKind::SendBack => "退文",
        }
    }

    /// The audit action code, e.g. `workflow.approve`.
    pub fn code(self) -> &'static str {
        match self {
            ActionKind::Approve => "workflow.approve",
            ActionKind::MarkRead => "workflow.mark_read",
            ActionKind::Return => "workflow.return",
            ActionKind::AddHandler => "workflow.add_handler",
            ActionKind::Transfer => "workflow.transfer",
            ActionKind::UpdateContent => "workflow.update_content",
            ActionKind::Withdraw => "workflow.withdraw",
            ActionKind::Remind => "workflow.remind",
            ActionKind::Terminate => "workflow.terminate",
            ActionKind::SendBack => "workflow.send_back",
        }
    }
}

/// Who exists, and their names (for messages and "X 代 Y" signatures).
///
/// The directory lives on the server; the client keeps a synced copy. Implemented for
/// maps from person id to name.
pub trait Directory {
    /// The person's display name, or None if there is no such person.
    fn name(&self, person: &PersonId) -> Option<String>;
}

impl<S: std::hash::BuildHasher> Directory for HashMap<PersonId, String, S> {
    fn name(&self, person: &PersonId) -> Option<String> {
        self.get(person).cloned()
    }
}

impl Directory for BTreeMap<PersonId, String> {
    fn name(&self, person: &PersonId) -> Option<String> {
        self.get(person).cloned()
    }
}

/// "张三", or "李四 代 张三" for a delegate; unknown ids are shown as they are.
pub fn signature(
    people: &dyn Directory,
    actor: &PersonId,
    on_behalf_of: Option<&PersonId>,
) -> String {
    let name = |p: &PersonId| people.name(p).unwrap_or_else(|| p.0.clone());
    match on_behalf_of {
        Some(principal) => format!("{} 代 {}", name(actor), name(principal)),
        None => name(actor),
    }
}

/// Everything a command needs from outside the flow. Pure data: the clock is passed in.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// The time of the action (the server's clock when the server applies it).
    pub now: OffsetDateTime,
    /// The 委托 table; only entries active at `now` count.
    pub delegations: &'a [Delegation],
    pub people: &'a dyn Directory,
    /// The actor holds 督办 rights (the caller decided it from roles): may 催办 any flow.
    pub supervisor: bool,
}

impl<'a> Context<'a> {
    pub fn new(now: OffsetDateTime, people: &'a dyn Directory) -> Context<'a> {
        Context {
            now,
            delegations: &[],
            people,
            supervisor: false,
        }
    }

    pub fn with_delegations(mut self, delegations: &'a [Delegation]) -> Context<'a> {
        self.delegations = delegations;
        self
    }

    pub fn with_supervisor(mut self, supervisor: bool) -> Context<'a> {
        self.supervisor = supervisor;
        self
    }
}

impl std::fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("now", &self.now)
            .field("delegations", &self.delegations)
            .field("supervisor", &self.supervisor)
            .finish_non_exhaustive()
    }
}

/// Something that happened in a flow: the flow's history and the source of audit records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// 1-based position in the flow's history.
    pub seq: u64,
    pub flow: FlowId,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor: PersonId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<PersonId>,
    /// The content hash of the version the actor saw.
    pub seen_hash: ContentHash,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    Started {
        route: String,
    },
    StepStarted {
        step: usize,
        run: usize,
        #[serde(default, with = "time::serde::rfc3339::option")]
        due: Option<OffsetDateTime>,
    },
    /// A task became the assignee's turn.
    TaskOpened {
        task: TaskId,
        step: usize,
        assignee: PersonId,
    },
    /// A task was created waiting for its turn (串签, 加签 after).
    TaskQueued {
        task: TaskId,
        step: usize,
        assignee: PersonId,
    },
    Approved {
        task: TaskId,
        step: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        opinion: Option<String>,
    },
    Read {
        task: TaskId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        opinion: Option<String>,
    },
    Returned {
        task: TaskId,
        from: usize,
        to: usize,
        reason: String,
    },
    HandlerAdded {
        task: TaskId,
        new_task: TaskId,
        person: PersonId,
        position: AddPosition,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        opinion: Option<String>,
    },
    Transferred {
        task: TaskId,
        new_task: TaskId,
        to: PersonId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        opinion: Option<String>,
    },
    ContentUpdated {
        task: TaskId,
        from: ContentHash,
        to: ContentHash,
        substantive: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// A substantive change at 复核 sent the flow back to 签发.
    RoutedBackToSigner {
        task: TaskId,
        from: usize,
        to: usize,
    },
    /// 批办's assignment.
    Assigned {
        task: TaskId,
        assignment: Assignment,
    },
    /// 撤回 of the action on `task`.
    Recalled {
        task: TaskId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    TaskWithdrawn {
        task: TaskId,
        cause: WithdrawCause,
    },
    Reminded {
        tasks: Vec<TaskId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    StepCompleted {
        step: usize,
        run: usize,
    },
    Completed,
    Terminated {
        reason: String,
    },
    /// 退文 to the sending organ.
    SentBack {
        task: TaskId,
        reason: String,
    },
}

impl EventKind {
    /// The audit action code, e.g. `workflow.approved`.
    pub fn code(&self) -> &'static str {
        match self {
            EventKind::Started { .. } => "workflow.started",
            EventKind::StepStarted { .. } => "workflow.step_started",
            EventKind::TaskOpened { .. } => "workflow.task_opened",
            EventKind::TaskQueued { .. } => "workflow.task_queued",
            EventKind::Approved { .. } => "workflow.approved",
            EventKind::Read { .. } => "workflow.read",
            EventKind::Returned { .. } => "workflow.returned",
            EventKind::HandlerAdded { .. } => "workflow.handler_added",
            EventKind::Transferred { .. } => "workflow.transferred",
            EventKind::ContentUpdated { .. } => "workflow.content_updated",
            EventKind::RoutedBackToSigner { .. } => "workflow.routed_back_to_signer",
            EventKind::Assigned { .. } => "workflow.assigned",
            EventKind::Recalled { .. } => "workflow.recalled",
            EventKind::TaskWithdrawn { .. } => "workflow.task_withdrawn",
            EventKind::Reminded { .. } => "workflow.reminded",
            EventKind::StepCompleted { .. } => "workflow.step_completed",
            EventKind::Completed => "workflow.completed",
            EventKind::Terminated { .. } => "workflow.terminated",
            EventKind::SentBack { .. } => "workflow.sent_back",
        }
    }
}

impl Event {
    /// The audit entry for this event; `id` is the caller's unique id (UUIDv7).
    ///
    /// The subject is the flow id; the detail is the event's JSON form.
    pub fn audit_entry(&self, id: impl Into<String>) -> crate::audit::Entry {
        crate::audit::Entry {
            id: id.into(),
            time: self.at,
            actor: self.actor.0.clone(),
            on_behalf_of: self.on_behalf_of.as_ref().map(|p| p.0.clone()),
            action: self.kind.code().to_owned(),
            subject: self.flow.0.clone(),
            detail_json: serde_json::to_string(self)
                .expect("an event always serializes: it has only string keys"),
        }
    }
}

/// Whether `delegate` may act for `principal` at `now` in a flow of `kind`.
pub(crate) fn delegated(
    delegations: &[Delegation],
    principal: &PersonId,
    delegate: &PersonId,
    now: OffsetDateTime,
    kind: super::model::FlowKind,
) -> bool {
    delegations
        .iter()
        .any(|d| &d.principal == principal && &d.delegate == delegate && d.is_active(now, kind))
}
