//! The approval workflow: one pure, deterministic state machine shared by the client
//! (optimistic local effect of an offline action) and the server (the authoritative decision).
//!
//! # Model
//!
//! A [`Route`] is a list of [`Step`]s; each step has a [`StepKind`] (起草 审核 签发 复核 登记
//! 印制 核发 for 发文; 签收 登记 初审 拟办 批办 承办 传阅 办结 for 收文), handlers and a [`Mode`]:
//!
//! - **串签** ([`Mode::Sequential`]): the handlers act one after another;
//! - **会签** ([`Mode::AllOf`]): all act in parallel; the step completes when all approved,
//!   any 退回 returns the whole step;
//! - **或签** ([`Mode::AnyOf`]): the first to approve completes the step and the others'
//!   tasks are withdrawn.
//!
//! A [`Flow`] runs its route. Each time a step is reached (again, after a 退回) it gets a new
//! [`StepRun`]; a run has *lanes*, each a sequence of [`Task`]s: one lane for 串签, one per
//! handler for 会签/或签/传阅. 加签 inserts a task into the actor's lane before or after them;
//! 转办 replaces the actor's task by a new one for someone else at the same place. A run
//! completes when its lanes are done (会签, 传阅), when its only lane is done (串签), or when
//! the lane whose handler approved first is done (或签, which withdraws the other lanes at
//! that first approval).
//!
//! # Commands
//!
//! [`apply`] takes the flow, a [`Command`] and a [`Context`] (the clock, the 委托 table and the
//! directory, all passed in) and returns the new flow and the [`Event`]s it produced, or a
//! [`WorkflowError`] with a stable [`code`](WorkflowError::code) and a zh-CN message; on error
//! nothing changed. The same commands on the same flow always give the same result, including
//! the task ids (`{flow}-T{n}`), so the client's optimistic state and the server's agree.
//!
//! - 同意/圈阅 ([`Action::Approve`]) requires `seen_hash` to equal the flow's current
//!   content hash: nobody approves text they did not see. When the approval completes a step
//!   whose next step has no fixed handlers, it names them (`next_handlers`); at 批办 it carries
//!   the [`Assignment`] (主办, 协办, 办理时限) that becomes the 承办 step. See [`next_choice`].
//! - 已阅 ([`Action::MarkRead`]) is the only way through a 传阅 step; it also quotes the
//!   current hash.
//! - 退回 ([`Action::Return`]) goes to the previous step or any earlier step, with a required
//!   reason; the step runs again with the people who approved it last time.
//! - 加签, 转办, 催办 (an event only), 终止 (owner only, with a reason).
//! - 退文 ([`Action::SendBack`]): at 签收 or 初审 of a 收文, return the document to the
//!   sending organ with a reason; the flow ends as [`FlowStatus::SentBack`].
//! - [`Action::UpdateContent`]: the holder of an open task at an editable step (起草, 审核,
//!   复核) saved a new version; the flow's content hash follows, so every other open task must
//!   re-read before approving. A substantive change at 复核 returns the flow to 签发, to the
//!   signers who signed. An edit does not reopen approvals already given earlier in the same
//!   run (串签 reviewers edit in turn, as on paper, each version tracked); what every approval
//!   covers is the hash it quoted, and the signer always signs the latest text.
//! - 撤回 ([`Action::Withdraw`]): the flow keeps a [`Checkpoint`] of the state before the most
//!   recent 同意 or 转办; any later action other than 催办 discards it. So the sender can
//!   withdraw exactly while the next handler has not acted; the tasks the approval created are
//!   withdrawn and the sender's task is open again.
//! - 委托: a [`Delegation`] in the context lets the delegate act on the principal's tasks
//!   while it is active; the record says who acted and on whose behalf ("李四 代 张三").
//!
//! Every action records actor, on-behalf-of, time, opinion and the hash the actor saw, both
//! on the task ([`Acted`]) and in the event. Events feed the hash-chained [`crate::audit`] log
//! through [`Event::audit_entry`].
//!
//! A step's optional 办理时限 (`limit_hours`, or the 批办 assignment's due time) gives each of
//! its tasks a due time; [`Task::is_overdue`] and [`Flow::overdue_tasks`] take `now`, and
//! [`Task::todo_key`] gives the 待办 order (overdue, then 特急/加急, then age).
//!
//! # For the UI
//!
//! [`tasks_for`] lists a user's open tasks in a flow (their own and delegated ones);
//! [`available_actions`] gives exactly the buttons to show; [`next_choice`] says whether
//! approving needs the next handlers or a 批办 assignment; [`return_targets`] lists the steps
//! a 退回 may go to; [`opinions`] lists every signed opinion for the forms' boxes and the
//! flow view. Everything is serde, so flows are stored as JSON on both sides.
//!
//! Commands and events are JSON on the wire and in the outbox, e.g.
//! `{"actor":"u2","seen_hash":"sm3:9f2c…","action":"approve","task":"F1-T2","opinion":"同意"}`
//! and `{"seq":7,"flow":"F1","at":"2026-03-02T09:00:00+08:00","actor":"u2",
//! "seen_hash":"sm3:9f2c…","event":"approved","task":"F1-T2","step":1,"opinion":"同意"}`.
//!
//! # Templates
//!
//! [`template`] holds route templates: data chosen by 文种, 行文方向, 联合行文 and importance,
//! with handlers named by role and resolved by a [`HandlerResolver`] the caller supplies
//! (the directory lives on the server).
//!
//! # Example
//!
//! ```
//! use std::collections::HashMap;
//! use gongwen_domain::workflow::{
//!     self, Action, ActionKind, Command, ContentHash, Context, FlowId, FlowKind, Mode,
//!     PersonId, Route, Step, StepKind,
//! };
//!
//! let p = |s: &str| PersonId::from(s);
//! let people: HashMap<PersonId, String> =
//!     [("u1", "张三"), ("u2", "李四"), ("u3", "王五")]
//!         .map(|(id, name)| (p(id), name.to_owned()))
//!         .into();
//! let now = time::macros::datetime!(2026-03-02 09:00 +08:00);
//! let ctx = Context::new(now, &people);
//! let route = Route {
//!     name: "发文".into(),
//!     steps: vec![
//!         Step::new(StepKind::Draft, Mode::Sequential, vec![p("u1")]),
//!         Step::new(StepKind::Sign, Mode::AnyOf, vec![p("u2"), p("u3")]),
//!     ],
//! };
//! let v1 = ContentHash::from("sm3:v1");
//! let (flow, _events) =
//!     workflow::start(FlowId::from("F1"), FlowKind::Outgoing, p("u1"), route, v1.clone(), &ctx)?;
//!
//! // The drafter submits (同意 at 起草); both possible signers now have the task.
//! let draft = workflow::tasks_for(&flow, &p("u1"), &ctx)[0].id.clone();
//! let submit = Command {
//!     actor: p("u1"),
//!     seen_hash: v1.clone(),
//!     action: Action::Approve { task: draft, opinion: None, next_handlers: vec![], assignment: None },
//! };
//! let (flow, _) = workflow::apply(&flow, &submit, &ctx)?;
//! assert!(workflow::available_actions(&flow, &p("u2"), &ctx).contains(&ActionKind::Approve));
//!
//! // 李四 signs; 王五's task is withdrawn (或签) and the flow is complete.
//! let task = workflow::tasks_for(&flow, &p("u2"), &ctx)[0].id.clone();
//! let sign = Command {
//!     actor: p("u2"),
//!     seen_hash: v1,
//!     action: Action::Approve { task, opinion: Some("同意".into()), next_handlers: vec![], assignment: None },
//! };
//! let (flow, events) = workflow::apply(&flow, &sign, &ctx)?;
//! assert!(!flow.is_running());
//! assert!(workflow::tasks_for(&flow, &p("u3"), &ctx).is_empty());
//!
//! // A stale approval is refused with a stable code and a message for the user.
//! let err = workflow::apply(&flow, &sign, &ctx).unwrap_err();
//! assert_eq!(err.code(), "TASK_COMPLETED");
//! assert!(err.to_string().contains("李四"));
//! # let _ = events;
//! # Ok::<(), workflow::WorkflowError>(())
//! ```

mod command;
mod engine;
mod error;
mod model;
pub mod template;
mod view;

pub use command::{Action, ActionKind, Command, Context, Directory, Event, EventKind, signature};
pub use engine::{
    NextChoice, apply, available_actions, check_integrity, next_choice, return_targets, start,
    task_actions, tasks_for, validate_route,
};
pub use error::{Result, WorkflowError};
pub use model::{
    Acted, AddPosition, Assignment, Checkpoint, ContentHash, Delegation, DeptAssignee, Flow,
    FlowId, FlowKind, FlowStatus, Mode, PersonId, Route, RunOutcome, Step, StepKind, StepRun, Task,
    TaskId, TaskOrigin, TaskState, TodoKey, WithdrawCause,
};
pub use template::{
    Applicability, DocFacts, HandlerResolver, HandlerSpec, RouteTemplate, StepTemplate, TemplateSet,
};
pub use view::{OpinionEntry, opinions};
