//! Workflow errors: a stable `code()` for programs, a zh-CN message for people.

use time::OffsetDateTime;

use super::ActionKind;
use super::model::{ContentHash, FlowId, PersonId, TaskId, WithdrawCause};

pub type Result<T> = std::result::Result<T, WorkflowError>;

/// Why a command or a route was refused. The flow is unchanged whenever one is returned.
///
/// The UI and the sync protocol branch on [`WorkflowError::code`], never on the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WorkflowError {
    #[error("找不到该任务（{task}），请刷新待办后重试")]
    UnknownTask { task: TaskId },

    #[error("该任务不是您的待办，您无权处理")]
    NotYourTask { task: TaskId },

    #[error("该任务已由 {by} 于 {} {what}，无需再次处理", fmt_time(*at))]
    TaskCompleted {
        task: TaskId,
        /// The signature of whoever handled it ("张三" or "李四 代 张三").
        by: String,
        at: OffsetDateTime,
        /// What they did: 同意, 已阅, 退回, 转办.
        what: &'static str,
    },

    #[error("该任务已收回（{}），不能再处理", cause.label())]
    TaskWithdrawn { task: TaskId, cause: WithdrawCause },

    #[error("尚未轮到您办理：请等待本环节前面的办理人处理完毕")]
    NotYourTurn { task: TaskId },

    #[error("您阅看的不是当前版本（正文已被修改），请刷新后重新阅看再处理")]
    StaleContent {
        seen: ContentHash,
        current: ContentHash,
    },

    #[error("{}必须填写理由", action.label())]
    ReasonRequired { action: ActionKind },

    #[error("找不到人员“{person}”，请从通讯录中选择")]
    UnknownPerson { person: PersonId },

    #[error("{name} 已是本环节的办理人")]
    DuplicateHandler { person: PersonId, name: String },

    #[error("只有流程发起人可以{}", action.label())]
    NotOwner { action: ActionKind },

    #[error("流程{status}，不能再办理")]
    FlowClosed { status: &'static str },

    #[error("“{step}”环节不能“{}”", action.label())]
    ActionNotAllowed { action: ActionKind, step: String },

    #[error("当前已是第一个环节，无法退回")]
    NoEarlierStep,

    #[error("只能退回到当前环节之前的环节")]
    InvalidReturnTarget { to: usize },

    #[error("无法撤回：您没有可撤回的操作，或下一办理人已经处理")]
    WithdrawNotAllowed,

    #[error("只有发起人、经办人或督办人员可以催办")]
    RemindNotAllowed,

    #[error("请为下一环节“{step}”选择办理人")]
    NextHandlersRequired { step: String },

    #[error("本次办理不需要选择下一环节办理人")]
    NextHandlersNotAllowed,

    #[error("正文没有变化")]
    ContentUnchanged,

    #[error("流程数据已损坏（{flow}），请联系管理员")]
    CorruptFlow { flow: FlowId, detail: String },

    #[error("流程路线无效：{reason}")]
    InvalidRoute { reason: String },

    #[error("找不到适用于{what}的流程模板")]
    NoTemplate { what: String },

    #[error("流程模板“{template}”的“{step}”环节找不到办理人（{role}），请先在通讯录中设置")]
    UnresolvedHandlers {
        template: String,
        step: String,
        role: String,
    },
}

impl WorkflowError {
    /// A stable, machine-readable code (SCREAMING_SNAKE_CASE).
    pub fn code(&self) -> &'static str {
        match self {
            WorkflowError::UnknownTask { .. } => "UNKNOWN_TASK",
            WorkflowError::NotYourTask { .. } => "NOT_YOUR_TASK",
            WorkflowError::TaskCompleted { .. } => "TASK_COMPLETED",
            WorkflowError::TaskWithdrawn { .. } => "TASK_WITHDRAWN",
            WorkflowError::NotYourTurn { .. } => "NOT_YOUR_TURN",
            WorkflowError::StaleContent { .. } => "STALE_CONTENT",
            WorkflowError::ReasonRequired { .. } => "REASON_REQUIRED",
            WorkflowError::UnknownPerson { .. } => "UNKNOWN_PERSON",
            WorkflowError::DuplicateHandler { .. } => "DUPLICATE_HANDLER",
            WorkflowError::NotOwner { .. } => "NOT_OWNER",
            WorkflowError::FlowClosed { .. } => "FLOW_CLOSED",
            WorkflowError::ActionNotAllowed { .. } => "ACTION_NOT_ALLOWED",
            WorkflowError::NoEarlierStep => "NO_EARLIER_STEP",
            WorkflowError::InvalidReturnTarget { .. } => "INVALID_RETURN_TARGET",
            WorkflowError::WithdrawNotAllowed => "WITHDRAW_NOT_ALLOWED",
            WorkflowError::RemindNotAllowed => "REMIND_NOT_ALLOWED",
            WorkflowError::NextHandlersRequired { .. } => "NEXT_HANDLERS_REQUIRED",
            WorkflowError::NextHandlersNotAllowed => "NEXT_HANDLERS_NOT_ALLOWED",
            WorkflowError::ContentUnchanged => "CONTENT_UNCHANGED",
            WorkflowError::CorruptFlow { .. } => "CORRUPT_FLOW",
            WorkflowError::InvalidRoute { .. } => "INVALID_ROUTE",
            WorkflowError::NoTemplate { .. } => "NO_TEMPLATE",
            WorkflowError::UnresolvedHandlers { .. } => "UNRESOLVED_HANDLERS",
        }
    }
}

/// `2026-11-28 09:05`, in the time's own offset (the caller's clock gives +08:00).
pub(crate) fn fmt_time(t: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}
