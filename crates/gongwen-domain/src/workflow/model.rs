//! The workflow's data: routes, steps, flows, tasks and their states.
//!
//! Everything here is plain serde data. A [`Flow`] is changed only through
//! [`super::start`] and [`super::apply`]; its fields are public so that stores
//! and views can read them.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::document::Urgency;

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub fn new(s: impl Into<String>) -> Self {
                Self(s.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }
    };
}

string_id!(
    /// A person in the directory (a user id; the server's directory gives the name).
    PersonId
);
string_id!(
    /// A flow's id, chosen by the caller (a UUIDv7 in practice).
    FlowId
);
string_id!(
    /// A task's id: `{flow id}-T{n}`, allocated by the flow itself so that replaying
    /// the same commands gives the same ids on client and server.
    TaskId
);
string_id!(
    /// The content hash of one version of the document (`sm3:…` or `sha256:…`).
    /// Opaque here: the workflow only compares hashes for equality.
    ContentHash
);

/// 发文 or 收文.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowKind {
    /// 发文: a document this organ issues.
    Outgoing,
    /// 收文: a document this organ receives.
    Incoming,
}

impl FlowKind {
    pub fn label(self) -> &'static str {
        match self {
            FlowKind::Outgoing => "发文",
            FlowKind::Incoming => "收文",
        }
    }

    /// The stable code stored in the client's and the server's `flows.kind`.
    pub fn code(self) -> &'static str {
        match self {
            FlowKind::Outgoing => "outgoing",
            FlowKind::Incoming => "incoming",
        }
    }
}

/// What a step is for. The kind decides which actions the step offers
/// (see [`StepKind::editable_by_default`] and [`StepKind::is_circulation`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// 起草 (发文).
    Draft,
    /// 审核 (发文): reviewers may edit.
    Review,
    /// 签发 (发文).
    Sign,
    /// 复核 (发文): a substantive change here routes back to the signer.
    Recheck,
    /// 登记 (发文: 文号 allocated; 收文: 收文编号 and particulars recorded).
    Register,
    /// 印制 (发文).
    Print,
    /// 核发 (发文).
    Dispatch,
    /// 签收 (收文): the approval time is the 回执 time.
    Receive,
    /// 初审 (收文).
    PreCheck,
    /// 拟办 (收文).
    Propose,
    /// 批办 (收文): the leader assigns 主办/协办 and a 办理时限.
    Instruct,
    /// 承办 (收文).
    Handle,
    /// 传阅 (收文): read-only circulation; readers mark 已阅.
    Circulate,
    /// 答复/办结 (收文).
    Conclude,
}

impl StepKind {
    pub fn label(self) -> &'static str {
        match self {
            StepKind::Draft => "起草",
            StepKind::Review => "审核",
            StepKind::Sign => "签发",
            StepKind::Recheck => "复核",
            StepKind::Register => "登记",
            StepKind::Print => "印制",
            StepKind::Dispatch => "核发",
            StepKind::Receive => "签收",
            StepKind::PreCheck => "初审",
            StepKind::Propose => "拟办",
            StepKind::Instruct => "批办",
            StepKind::Handle => "承办",
            StepKind::Circulate => "传阅",
            StepKind::Conclude => "办结",
        }
    }

    /// Whether handlers of this step may change the text by default (起草, 审核, 复核).
    pub fn editable_by_default(self) -> bool {
        matches!(self, StepKind::Draft | StepKind::Review | StepKind::Recheck)
    }

    /// 传阅: tasks are marked 已阅 instead of approved, and cannot be returned.
    pub fn is_circulation(self) -> bool {
        self == StepKind::Circulate
    }

    /// 签收 and 初审 may refuse an incoming document and send it back (退文).
    pub fn may_send_back(self) -> bool {
        matches!(self, StepKind::Receive | StepKind::PreCheck)
    }
}

/// How the handlers of one step act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// 串签: one after another, in the listed order.
    Sequential,
    /// 会签: all in parallel; the step completes when all have approved; any 退回 returns it.
    AllOf,
    /// 或签: all in parallel; the first to approve completes it and the others' tasks are withdrawn.
    AnyOf,
}

impl Mode {
    pub fn label(self) -> &'static str {
        match self {
            Mode::Sequential => "串签",
            Mode::AllOf => "会签",
            Mode::AnyOf => "或签",
        }
    }
}

/// A route: the steps a flow goes through, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// The template's name (e.g. "上行文发文"), shown in the flow view.
    pub name: String,
    pub steps: Vec<Step>,
}

/// One step of a route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub kind: StepKind,
    /// Display name; defaults to the kind's label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub mode: Mode,
    /// The handlers, in order (order matters for 串签). Empty: the handler of the
    /// previous step chooses them when approving (`next_handlers`, or the 批办 assignment).
    #[serde(default)]
    pub handlers: Vec<PersonId>,
    /// 办理时限 in hours from the moment the step is reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit_hours: Option<u32>,
    /// Whether handlers may change the text; defaults to [`StepKind::editable_by_default`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub editable: Option<bool>,
}

impl Step {
    /// A step with the kind's label, no time limit and the kind's default editability.
    pub fn new(kind: StepKind, mode: Mode, handlers: Vec<PersonId>) -> Step {
        Step {
            kind,
            name: None,
            mode,
            handlers,
            limit_hours: None,
            editable: None,
        }
    }

    pub fn with_limit_hours(mut self, hours: u32) -> Step {
        self.limit_hours = Some(hours);
        self
    }

    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(self.kind.label())
    }

    pub fn is_editable(&self) -> bool {
        self.editable
            .unwrap_or_else(|| self.kind.editable_by_default())
    }

    /// The mode actually used: 传阅 is always "every reader marks 已阅".
    pub fn effective_mode(&self) -> Mode {
        if self.kind.is_circulation() {
            Mode::AllOf
        } else {
            self.mode
        }
    }
}

/// A standing 委托: from `start` until `end` (exclusive), tasks of `principal` may be
/// handled by `delegate`, who signs as "delegate 代 principal".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delegation {
    pub principal: PersonId,
    pub delegate: PersonId,
    #[serde(with = "time::serde::rfc3339")]
    pub start: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub end: Option<OffsetDateTime>,
    /// Limit to one kind of flow; None: all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<FlowKind>,
}

impl Delegation {
    pub fn is_active(&self, now: OffsetDateTime, kind: FlowKind) -> bool {
        self.start <= now
            && self.end.is_none_or(|end| now < end)
            && self.kind.is_none_or(|k| k == kind)
    }
}

/// One department's part in 承办, as assigned at 批办.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeptAssignee {
    /// The department's name (e.g. "财政局").
    pub dept: String,
    /// The person who handles it for the department (resolved by the caller from the directory).
    pub handler: PersonId,
}

/// 批办: the leader's assignment of 主办 and 协办 departments and a 办理时限.
/// It becomes the handlers (主办 first, then each 协办, all in parallel) and the
/// due time of the next step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// 主办.
    pub lead: DeptAssignee,
    /// 协办.
    #[serde(default)]
    pub assist: Vec<DeptAssignee>,
    /// 办理时限.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub due: Option<OffsetDateTime>,
}

/// Where the flow is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum FlowStatus {
    /// At step `step` (an index into the route), in run `run` (an index into [`Flow::runs`]).
    Running { step: usize, run: usize },
    /// Every step completed.
    Completed {
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// 终止 by the owner.
    Terminated {
        by: PersonId,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
        reason: String,
    },
    /// 退文: a 收文 refused at 签收 or 初审 and returned to the sending organ.
    SentBack {
        by: PersonId,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
        reason: String,
    },
}

impl FlowStatus {
    pub fn label(&self) -> &'static str {
        match self {
            FlowStatus::Running { .. } => "办理中",
            FlowStatus::Completed { .. } => "已办结",
            FlowStatus::Terminated { .. } => "已终止",
            FlowStatus::SentBack { .. } => "已退文",
        }
    }

    /// The stable code stored in the client's and the server's `flows.status`.
    pub fn code(&self) -> &'static str {
        match self {
            FlowStatus::Running { .. } => "running",
            FlowStatus::Completed { .. } => "completed",
            FlowStatus::Terminated { .. } => "terminated",
            FlowStatus::SentBack { .. } => "sent_back",
        }
    }
}

/// One activation of a step. A step runs again after a 退回 to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRun {
    /// The step's index in the route.
    pub step: usize,
    pub mode: Mode,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// 办理时限 for this run.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub due: Option<OffsetDateTime>,
    /// Number of parallel lanes (1 for 串签; one per handler for 会签/或签/传阅).
    pub lanes: u32,
    /// 或签: the lane whose handler approved first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_lane: Option<u32>,
    /// 批办's assignment, when this run was assigned by one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment: Option<Assignment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<RunOutcome>,
}

/// How a step run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RunOutcome {
    Completed {
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// 退回 to step `to`.
    Returned {
        to: usize,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// The sender of the approval that started this run withdrew it (撤回).
    Recalled {
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    Terminated {
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// 退文 from this run.
    SentBack {
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
}

/// One person's task in one step run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: TaskId,
    /// The step's index in the route.
    pub step: usize,
    /// Index into [`Flow::runs`].
    pub run: usize,
    /// Parallel lane within the run; tasks of one lane go one after another.
    pub lane: u32,
    /// Position within the lane.
    pub pos: u32,
    /// Whose task it is (a delegate acts on it on this person's behalf).
    pub assignee: PersonId,
    pub state: TaskState,
    pub origin: TaskOrigin,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it became the assignee's turn.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub opened_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub due: Option<OffsetDateTime>,
    /// What the handler did, once they did it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acted: Option<Acted>,
}

impl Task {
    /// Open, or waiting for its turn.
    pub fn is_live(&self) -> bool {
        matches!(self.state, TaskState::Waiting | TaskState::Open)
    }

    pub fn is_open(&self) -> bool {
        self.state == TaskState::Open
    }

    /// Open and past its 办理时限.
    pub fn is_overdue(&self, now: OffsetDateTime) -> bool {
        self.is_open() && self.due.is_some_and(|due| now > due)
    }

    /// The 待办 order: sorting by this key puts overdue tasks first, then 特急, then 加急,
    /// then the oldest (by when the task became the holder's turn). `urgency` is the
    /// document's 紧急程度.
    pub fn todo_key(&self, urgency: Option<Urgency>, now: OffsetDateTime) -> TodoKey {
        TodoKey {
            not_overdue: !self.is_overdue(now),
            urgency: match urgency {
                Some(Urgency::Immediate) => 0,
                Some(Urgency::Urgent) => 1,
                None => 2,
            },
            since: self.opened_at.unwrap_or(self.created_at),
            id: self.id.clone(),
        }
    }
}

/// Sort key of a 待办 entry; see [`Task::todo_key`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TodoKey {
    not_overdue: bool,
    urgency: u8,
    since: OffsetDateTime,
    id: TaskId,
}

/// A task's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TaskState {
    /// Not yet the assignee's turn (串签, or 加签 before/after).
    Waiting,
    /// The assignee's turn: in their 待办.
    Open,
    /// 同意 / 圈阅.
    Approved,
    /// 已阅 (传阅).
    Read,
    /// 退回.
    Returned { to: usize },
    /// 转办 to another person; `to` is the new task.
    Transferred { to: TaskId },
    /// 退文 to the sending organ.
    SentBack,
    /// No longer needed; nobody can act on it.
    Withdrawn { cause: WithdrawCause },
}

impl TaskState {
    pub fn label(&self) -> &'static str {
        match self {
            TaskState::Waiting => "等待",
            TaskState::Open => "待办",
            TaskState::Approved => "同意",
            TaskState::Read => "已阅",
            TaskState::Returned { .. } => "退回",
            TaskState::Transferred { .. } => "转办",
            TaskState::SentBack => "退文",
            TaskState::Withdrawn { .. } => "已收回",
        }
    }
}

/// Why a task was withdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WithdrawCause {
    /// 或签: another handler approved first.
    OtherHandlerActed,
    /// The step was returned (退回) by another handler of it.
    StepReturned,
    /// The sender withdrew (撤回) the action that created it.
    Recalled,
    /// The flow was terminated.
    Terminated,
    /// Another handler sent the document back to its sender (退文).
    SentBack,
}

impl WithdrawCause {
    pub fn label(self) -> &'static str {
        match self {
            WithdrawCause::OtherHandlerActed => "或签环节已由其他办理人处理",
            WithdrawCause::StepReturned => "本环节已被退回",
            WithdrawCause::Recalled => "上一办理人已撤回",
            WithdrawCause::Terminated => "流程已终止",
            WithdrawCause::SentBack => "来文已退回来文单位",
        }
    }
}

/// How a task came to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "origin", rename_all = "snake_case")]
pub enum TaskOrigin {
    /// From the route (or the previous handler's choice).
    Route,
    /// 加签 by another handler of the step.
    Added { by: PersonId, position: AddPosition },
    /// 转办 from another task.
    TransferredFrom { task: TaskId },
}

/// 加签 before or after oneself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddPosition {
    /// The added person acts first; then the task returns to the one who added them.
    Before,
    /// The added person acts after the one who added them.
    After,
}

/// What a handler did on a task: the signature on the 稿纸/处理笺.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acted {
    /// Who pressed the button.
    pub actor: PersonId,
    /// 委托: whose task it was, when the actor acted as a delegate ("actor 代 principal").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<PersonId>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The opinion; None for 圈阅.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opinion: Option<String>,
    /// The content hash of the version the actor saw.
    pub seen_hash: ContentHash,
}

impl Acted {
    /// "张三" or "李四 代 张三", with names from the directory.
    pub fn signature(&self, people: &dyn super::Directory) -> String {
        super::signature(people, &self.actor, self.on_behalf_of.as_ref())
    }
}

/// The state needed to undo the most recent approval or 转办 (撤回).
///
/// It exists only while nothing else has happened in the flow since (催办 aside):
/// any other action clears it, so "the next handler has not acted" holds by construction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Who acted (and on whose behalf): both may withdraw.
    pub actor: PersonId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<PersonId>,
    /// The task acted on; it becomes open again.
    pub task: TaskId,
    pub status: FlowStatus,
    pub content_hash: ContentHash,
    pub runs: Vec<StepRun>,
    /// Number of tasks before the action; tasks created by it are withdrawn.
    pub task_count: usize,
    /// Earlier tasks the action changed, with their previous value.
    pub changed_tasks: Vec<(usize, Task)>,
}

/// One 公文's flow through its route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    pub id: FlowId,
    pub kind: FlowKind,
    /// Who started it (the drafter, or the 收文 clerk): may 终止 and 催办.
    pub owner: PersonId,
    pub route: Route,
    pub status: FlowStatus,
    /// The hash of the current version of the document.
    pub content_hash: ContentHash,
    pub runs: Vec<StepRun>,
    pub tasks: Vec<Task>,
    /// Every event, in order; `history[i].seq == i + 1`.
    pub history: Vec<super::Event>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<Checkpoint>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl Flow {
    pub fn task(&self, id: &TaskId) -> Option<&Task> {
        self.tasks.iter().find(|t| &t.id == id)
    }

    /// The current step's index, while running.
    pub fn current_step(&self) -> Option<usize> {
        match self.status {
            FlowStatus::Running { step, .. } => Some(step),
            _ => None,
        }
    }

    /// The current run's index, while running.
    pub fn current_run(&self) -> Option<usize> {
        match self.status {
            FlowStatus::Running { run, .. } => Some(run),
            _ => None,
        }
    }

    pub fn is_running(&self) -> bool {
        matches!(self.status, FlowStatus::Running { .. })
    }

    /// Where the flow stands, for lists: "审核（李四、王五）" while running (the
    /// step and the holders of its open tasks), the status label (已办结…) otherwise.
    pub fn where_now(&self, people: &dyn super::Directory) -> String {
        let Some(step) = self.current_step() else {
            return self.status.label().to_owned();
        };
        let name = self.route.steps.get(step).map_or("", |s| s.display_name());
        let holders: Vec<String> = self
            .open_tasks()
            .map(|t| {
                people
                    .name(&t.assignee)
                    .unwrap_or_else(|| t.assignee.0.clone())
            })
            .collect();
        if holders.is_empty() {
            name.to_owned()
        } else {
            format!("{name}（{}）", holders.join("、"))
        }
    }

    /// The open tasks (whoever they belong to).
    pub fn open_tasks(&self) -> impl Iterator<Item = &Task> {
        self.tasks.iter().filter(|t| t.is_open())
    }

    /// Open tasks past their 办理时限 (the 督办 view).
    pub fn overdue_tasks(&self, now: OffsetDateTime) -> Vec<&Task> {
        self.tasks.iter().filter(|t| t.is_overdue(now)).collect()
    }

    /// Whether the flow as a whole is past the current step's 办理时限.
    pub fn is_overdue(&self, now: OffsetDateTime) -> bool {
        self.current_run()
            .and_then(|r| self.runs.get(r))
            .and_then(|r| r.due)
            .is_some_and(|due| now > due)
    }
}
