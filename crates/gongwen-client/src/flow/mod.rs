//! Local approval flows: 送审, the actions of the workflow, the queues (待办 已办 待阅 已阅
//! 在办 督办), the flow and task views, the outbox of commands and the local audit chain.
//!
//! # One user action = one SQLite transaction
//!
//! Every action ([`Client::submit_draft`], [`Client::act`]) runs in one write transaction
//! that
//! 1. loads the flow (JSON) and applies the pure state machine of
//!    [`gongwen_domain::workflow`] with the client's clock, the local directory
//!    (`people`) as the [`Directory`](gongwen_domain::workflow::Directory), and the
//!    current user as the actor;
//! 2. writes the optimistic effect: the flow's row, the events it added (`flow_events`)
//!    and its rows in `tasks`, the queue index (`pending_seq` marks rows changed by a
//!    command not yet confirmed: 待同步);
//! 3. appends one record per workflow event to the local audit chain (`audit_log`,
//!    SM3 via [`gongwen_domain::audit::append`]);
//! 4. inserts an outbox row (`seq` strictly increasing and never reused, `id` UUIDv7,
//!    name `flow.start.v1` or `flow.act.v1`, args JSON, state `pending`).
//!
//! A refused action (not your task, already handled, stale text, missing reason, unknown
//! person…) returns the domain's zh-CN error and writes nothing: the transaction rolls back.
//!
//! # Outbox and rebase (SYNC.md §1)
//!
//! The outbox table of migration 0001 is reused: `kind` holds the mutation name,
//! `entity_id` the flow id, `payload` the args JSON:
//! `{"flow": id, "command": {actor, seen_hash, action, …}, "clientTime": …}` for
//! `flow.act.v1`, and the route, document, version and frozen hash for `flow.start.v1`.
//! The sync engine pushes `state = 'pending'` rows in `seq` order. `flow_bases` holds
//! the last state the server confirmed (see [`rows`] for how a flow is stored); the
//! local view is that base plus a replay
//! of the flow's pending commands ([`Client::reject_command`] replays after a refusal, so
//! the refused command's optimistic effect disappears and any later command that no
//! longer applies is refused too). A refused command stays in the outbox as `rejected`,
//! with the server's reason and the opinion text the user typed
//! ([`Client::rejected_actions`]), until the user retries ([`Client::retry_rejected`])
//! or discards it ([`Client::discard_rejected`]); nothing is dropped silently.
//!
//! # Queues
//!
//! `tasks` rows exist for every task that has been someone's turn (tasks still waiting
//! for their turn live only in the flow). The 待办 order of
//! [`Task::todo_key`](gongwen_domain::workflow::Task::todo_key) (overdue, then 特急/加急,
//! then age) is an index (`tasks_todo`), so the first page is an index walk whatever
//! the number of tasks. "Overdue" depends on the clock: the `overdue` column is a
//! materialised `now > due_at`, brought up to date before each queue read by an update
//! that touches only the rows whose flag changed (two partial indexes on `due_at`).

pub(crate) mod actions;
pub(crate) mod audit;
pub(crate) mod outbox;
pub(crate) mod people;
mod queue;
pub(crate) mod routes;
pub(crate) mod rows;
mod view;

use gongwen_domain::audit::BrokenReason;
use gongwen_domain::workflow::WorkflowError;
use serde::Serialize;

pub use actions::{ActOutcome, SubmitOutcome};
pub use audit::AuditSummary;
pub use outbox::{OutboxEntry, RejectedAction};
pub use people::{Person, SUPERVISOR_ROLES};
pub(crate) use queue::open_counts as queue_open_counts;
pub use queue::{FlowCounts, QueueFilter, QueueItem, QueueKind, QueuePage};
pub use routes::{DelegationInfo, RouteTemplateInfo, TemplateSource};
pub use view::{ActionButton, FlowView, HandlerView, StepTarget, StepView, TaskView, action_name};

/// Mutation name of 送审 (starting a flow) in the outbox.
pub const START_MUTATION: &str = "flow.start.v1";
/// Mutation name of an action on a flow in the outbox.
pub const ACT_MUTATION: &str = "flow.act.v1";

pub type Result<T> = std::result::Result<T, FlowError>;

/// Errors of the workflow api. [`FlowError::code`] is stable (snake_case, the UI
/// branches on it); the message is zh-CN for people.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FlowError {
    /// A store error (database, draft not found, …).
    #[error(transparent)]
    Store(#[from] crate::Error),

    /// The workflow refused the action; nothing was written.
    #[error(transparent)]
    Workflow(#[from] WorkflowError),

    #[error("找不到任务“{0}”，请刷新待办后重试")]
    TaskNotFound(String),

    #[error("找不到公文或流程“{0}”")]
    FlowNotFound(String),

    #[error("该公文已在办理中（流程 {flow}），不能重复送审")]
    AlreadySubmitted { document: String, flow: String },

    #[error(
        "不支持的操作“{0}”，可用的操作：approve（同意）、read（已阅）、return（退回）、add-handler（加签）、transfer（转办）、withdraw（撤回）、remind（催办）、terminate（终止）"
    )]
    UnknownAction(String),

    #[error("找不到流程模板“{name}”，可用的模板：{available}")]
    UnknownRoute { name: String, available: String },

    #[error("当前用户“{0}”不在本机通讯录中，请先同步通讯录（或用 gongwen people add 添加）")]
    UnknownUser(String),

    #[error("{0}")]
    InvalidArgument(String),

    #[error("找不到第 {0} 号待同步操作")]
    OutboxNotFound(i64),

    #[error("第 {0} 号操作没有被服务器拒绝，不能重试或放弃")]
    NotRejected(i64),

    #[error("第 {0} 号操作已发送到服务器，正在等待服务器确认，暂时不能重试或放弃")]
    InFlight(i64),

    #[error("第 {seq} 号操作是 {actor} 做的，只有本人可以重试")]
    NotYourCommand { seq: i64, actor: String },

    #[error(
        "本地审计链在第 {seq} 条记录处断开（{action}，对象 {subject}，记录编号 {id}）：{reason}"
    )]
    AuditBroken {
        seq: u64,
        id: String,
        action: String,
        subject: String,
        reason: BrokenReason,
    },

    #[error("本地流程数据已损坏（{0}），请重新同步")]
    Corrupt(String),
}

impl FlowError {
    /// A stable identifier for the UI and scripts (snake_case). Workflow refusals use
    /// the domain's code in lower case (`not_your_task`, `stale_content`, …).
    pub fn code(&self) -> String {
        match self {
            FlowError::Store(e) => e.code().to_owned(),
            FlowError::Workflow(e) => e.code().to_ascii_lowercase(),
            FlowError::TaskNotFound(_) => "task_not_found".into(),
            FlowError::FlowNotFound(_) => "flow_not_found".into(),
            FlowError::AlreadySubmitted { .. } => "already_submitted".into(),
            FlowError::UnknownAction(_) => "unknown_action".into(),
            FlowError::UnknownRoute { .. } => "unknown_route".into(),
            FlowError::UnknownUser(_) => "unknown_user".into(),
            FlowError::InvalidArgument(_) => "invalid_argument".into(),
            FlowError::OutboxNotFound(_) => "outbox_not_found".into(),
            FlowError::NotRejected(_) => "not_rejected".into(),
            FlowError::InFlight(_) => "in_flight".into(),
            FlowError::NotYourCommand { .. } => "not_your_command".into(),
            FlowError::AuditBroken { .. } => "audit_broken".into(),
            FlowError::Corrupt(_) => "corrupt_flow".into(),
        }
    }

    /// The payload sent to the UI: `{ "code": …, "message": … }`.
    pub fn payload(&self) -> crate::ErrorPayload {
        crate::ErrorPayload {
            code: self.code(),
            message: self.to_string(),
        }
    }
}

impl From<rusqlite::Error> for FlowError {
    fn from(e: rusqlite::Error) -> FlowError {
        FlowError::Store(crate::Error::from(e))
    }
}

impl From<FlowError> for crate::ErrorPayload {
    fn from(e: FlowError) -> crate::ErrorPayload {
        if let FlowError::Store(inner) = e {
            return inner.into();
        }
        e.payload()
    }
}

impl Serialize for FlowError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.payload().serialize(s)
    }
}

/// Runs a store closure that uses this module's errors inside [`crate::store::Db::write`],
/// keeping the flow error (the store's `write` only knows [`crate::Error`]).
pub(crate) fn write<T>(
    db: &crate::store::Db,
    f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
) -> Result<T> {
    let mut inner: Option<FlowError> = None;
    let out = db.write(|tx| match f(tx) {
        Ok(v) => Ok(v),
        Err(e) => {
            inner = Some(e);
            // Any error rolls the transaction back; the real one is returned below.
            Err(crate::Error::InvalidArgument(String::new()))
        }
    });
    match (out, inner) {
        (Ok(v), _) => Ok(v),
        (Err(_), Some(e)) => Err(e),
        (Err(e), None) => Err(FlowError::Store(e)),
    }
}

/// The same for [`crate::store::Db::read`].
pub(crate) fn read<T>(
    db: &crate::store::Db,
    f: impl FnOnce(&rusqlite::Connection) -> Result<T>,
) -> Result<T> {
    let mut inner: Option<FlowError> = None;
    let out = db.read(|c| match f(c) {
        Ok(v) => Ok(v),
        Err(e) => {
            inner = Some(e);
            Err(crate::Error::InvalidArgument(String::new()))
        }
    });
    match (out, inner) {
        (Ok(v), _) => Ok(v),
        (Err(_), Some(e)) => Err(e),
        (Err(e), None) => Err(FlowError::Store(e)),
    }
}
