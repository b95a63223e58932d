//! What the commands send to the UI.
//!
//! These transport types stay at the boundary: each is built from one `gongwen_client::api`
//! result, names its fields the way the UI reads them (camelCase), and exports its
//! TypeScript twin to `ui/src/bindings/` (see `bindings.rs` for the drift check).
//! Counts are `u64` in Rust and `number` in TypeScript: JSON carries them as numbers and
//! no queue comes near 2^53.
//!
//! The 公文 itself crosses in its documented snake_case JSON form
//! (`gongwen_domain::Document`); its TypeScript shape is written by hand in
//! `ui/src/lib/document.ts`, which the generated types import.

use gongwen_client::{api, flow, incoming};
use gongwen_domain::Document;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The counts beside the navigation entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueueCounts {
    /// 待办: open tasks waiting for me to handle or approve.
    #[ts(type = "number")]
    pub todo: u64,
    /// 已办: tasks I have finished.
    #[ts(type = "number")]
    pub done: u64,
    /// 待阅: open tasks waiting for me to read.
    #[ts(type = "number")]
    pub to_read: u64,
    /// 草稿: my drafts.
    #[ts(type = "number")]
    pub drafts: u64,
}

impl From<api::QueueCounts> for QueueCounts {
    fn from(counts: api::QueueCounts) -> QueueCounts {
        QueueCounts {
            todo: counts.todo,
            done: counts.done,
            to_read: counts.toread,
            drafts: counts.drafts,
        }
    }
}

/// The status bar: 在线/离线/同步中, the outbox, refused changes and the last sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// Whether the server is reachable (在线 or 同步中).
    pub online: bool,
    /// 离线, 在线 or 同步中.
    pub state: String,
    /// Whether the store is logged in to a server (else it works locally only).
    pub connected: bool,
    /// Local changes waiting to be sent (待同步).
    #[ts(type = "number")]
    pub pending: u64,
    /// Changes the server refused, waiting for 重试 or 放弃.
    #[ts(type = "number")]
    pub rejected: u64,
    /// When the last successful sync finished (RFC 3339), or null if never.
    pub last_synced_at: Option<String>,
    /// [done, total] of a running sync, for the progress bar.
    #[ts(type = "[number, number] | null")]
    pub progress: Option<(u64, u64)>,
    /// The last failure, in Chinese.
    pub last_error: Option<String>,
}

impl From<api::SyncStatus> for SyncStatus {
    fn from(status: api::SyncStatus) -> SyncStatus {
        SyncStatus {
            online: status.online,
            state: if status.online { "在线" } else { "离线" }.to_owned(),
            connected: false,
            pending: status.pending,
            rejected: 0,
            last_synced_at: status.last_sync,
            progress: None,
            last_error: None,
        }
    }
}

impl From<gongwen_client::sync::SyncStatusView> for SyncStatus {
    fn from(v: gongwen_client::sync::SyncStatusView) -> SyncStatus {
        use gongwen_client::sync::SyncState;
        SyncStatus {
            online: v.state != SyncState::Offline,
            state: v.state.label().to_owned(),
            connected: true,
            pending: v.pending,
            rejected: v.rejected,
            last_synced_at: v.last_success_at,
            progress: v.progress,
            last_error: v.last_error,
        }
    }
}

/// 设置 · 关于: where the data lives, its version, who the local user is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StoreInfo {
    /// This program's version.
    pub app_version: String,
    /// The data folder.
    pub data_dir: String,
    /// The schema version of the open database.
    #[ts(type = "number")]
    pub schema_version: i64,
    /// The newest schema version this program knows.
    #[ts(type = "number")]
    pub latest_schema_version: i64,
    /// Where the database key is kept, in words (系统钥匙串, 口令 …).
    pub key_source: String,
    /// The local user's login (author of new versions), e.g. wangfang.
    pub user: String,
    /// What to call the local user in front of people, e.g. 王芳 (the login when no name is
    /// known yet).
    pub user_name: String,
    /// Size of the database files in bytes.
    #[ts(type = "number")]
    pub db_bytes: u64,
}

impl StoreInfo {
    /// The store's facts (`Client::store_about`), and `user_name` for its user
    /// (`Client::user_display_name`).
    pub fn new(info: api::StoreAbout, user_name: String) -> StoreInfo {
        StoreInfo {
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
            data_dir: info.data_dir.display().to_string(),
            schema_version: info.schema_version,
            latest_schema_version: info.latest_schema_version,
            key_source: info.key_source.label().to_owned(),
            user: info.user,
            user_name,
            db_bytes: info.db_bytes,
        }
    }
}

/// Why the local store is locked, and what the user can do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StoreLockKind {
    /// The store is protected by a passphrase: ask for it.
    PassphraseRequired,
    /// No keychain here and no store yet: offer to protect the new store with a passphrase.
    NoKeychain,
    /// The store's key lives in a keychain that cannot be reached: only that keychain
    /// opens it (a passphrase cannot).
    KeychainNeeded,
    /// Anything else (wrong key in the keychain, a store made with an external key).
    Other,
}

/// The lock screen's question: shown instead of the main window while the store is shut.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StoreLock {
    pub kind: StoreLockKind,
    /// The zh-CN reason the store did not open.
    pub message: String,
    /// The shortest passphrase accepted.
    pub min_passphrase_chars: u32,
}

/// One row of the 草稿 list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DraftRow {
    pub id: String,
    /// 标题, as typed so far (may be empty in a fresh draft).
    pub title: String,
    /// 文种 (通知, 请示 …), once chosen.
    pub doc_type: Option<String>,
    /// 发文字号, once assigned.
    pub doc_number: Option<String>,
    /// Who wrote the first version.
    pub created_by: String,
    /// When the latest version was saved (RFC 3339).
    pub updated_at: String,
    /// The latest version's number (1, 2, …).
    #[ts(type = "number")]
    pub version: i64,
}

impl From<api::DraftSummary> for DraftRow {
    fn from(d: api::DraftSummary) -> DraftRow {
        DraftRow {
            id: d.id,
            title: d.title,
            doc_type: d.doc_type,
            doc_number: d.doc_number,
            created_by: d.created_by,
            updated_at: d.updated_at,
            version: d.head_version,
        }
    }
}

// ---------------------------------------------------------------------------
// Queues (待办 · 已办 · 待阅 · 已阅 · 在办 · 督办)
// ---------------------------------------------------------------------------

/// Which queue to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum QueueName {
    Todo,
    Done,
    ToRead,
    Read,
    Sent,
    Overdue,
}

impl From<QueueName> for flow::QueueKind {
    fn from(name: QueueName) -> flow::QueueKind {
        match name {
            QueueName::Todo => flow::QueueKind::Todo,
            QueueName::Done => flow::QueueKind::Done,
            QueueName::ToRead => flow::QueueKind::ToRead,
            QueueName::Read => flow::QueueKind::Read,
            QueueName::Sent => flow::QueueKind::Sent,
            QueueName::Overdue => flow::QueueKind::Overdue,
        }
    }
}

/// The filters above a queue; every one given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct QueueQuery {
    /// 文种, e.g. 通知.
    #[ts(optional)]
    pub doc_type: Option<String>,
    /// 特急, 加急 or 普通.
    #[ts(optional)]
    pub urgency: Option<String>,
    /// From this date (`YYYY-MM-DD`, inclusive).
    #[ts(optional)]
    pub date_from: Option<String>,
    /// Until this date (inclusive).
    #[ts(optional)]
    pub date_to: Option<String>,
    /// 来文单位 (exact).
    #[ts(optional)]
    pub from_organ: Option<String>,
    /// Text in the title.
    #[ts(optional)]
    pub text: Option<String>,
}

impl From<QueueQuery> for flow::QueueFilter {
    fn from(q: QueueQuery) -> flow::QueueFilter {
        flow::QueueFilter {
            doc_type: q.doc_type,
            urgency: q.urgency,
            date_from: q.date_from,
            date_to: q.date_to,
            from_organ: q.from_organ,
            text: q.text,
        }
    }
}

/// One row of a queue table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueueRow {
    /// The task (null in 在办, which lists flows).
    pub task_id: Option<String>,
    pub flow_id: String,
    pub document_id: String,
    pub title: String,
    pub doc_type: Option<String>,
    /// 特急 / 加急, or null.
    pub urgency: Option<String>,
    /// 来文单位 / 发文机关.
    pub from_organ: Option<String>,
    /// The task's step (审核, 签发 …).
    pub step_name: String,
    /// open, approved, read, returned, transferred, withdrawn …
    pub status: String,
    /// When it became my turn (RFC 3339).
    pub since: String,
    /// 办理时限 (RFC 3339).
    pub due_at: Option<String>,
    pub overdue: bool,
    /// When I finished it (已办, 已阅).
    pub done_at: Option<String>,
    pub opinion: Option<String>,
    /// Where the document is now ("签发（王五）", 已办结 …).
    pub now_at: String,
    /// 文号 (鹤府〔2026〕12号) once 登记 gave one; for 收文 the 来文 文号. Null before.
    pub doc_number: Option<String>,
    /// Changed here and not yet confirmed by the server (待同步).
    pub pending_sync: bool,
    /// The latest 催办 of this task (已催办: who and when), if any.
    pub reminded: Option<ReminderNote>,
}

/// A 催办 of one of my tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReminderNote {
    /// Who reminded (login) and their name.
    pub from: String,
    pub from_name: String,
    /// When (RFC 3339, China Standard Time).
    pub at: String,
    pub message: Option<String>,
    /// I opened the task since.
    pub seen: bool,
}

impl From<gongwen_client::reminders::Reminder> for ReminderNote {
    fn from(r: gongwen_client::reminders::Reminder) -> ReminderNote {
        ReminderNote {
            from: r.from,
            from_name: r.from_name,
            at: r.at,
            message: r.message,
            seen: r.seen,
        }
    }
}

impl From<flow::QueueItem> for QueueRow {
    fn from(i: flow::QueueItem) -> QueueRow {
        QueueRow {
            task_id: i.task_id,
            flow_id: i.flow_id,
            document_id: i.document_id,
            title: i.title,
            doc_type: i.doc_type,
            urgency: i.urgency,
            from_organ: i.from_organ,
            step_name: i.step_name,
            status: i.status,
            since: i.since,
            due_at: i.due_at,
            overdue: i.overdue,
            done_at: i.done_at,
            opinion: i.opinion,
            now_at: i.now_at,
            doc_number: i.doc_number,
            pending_sync: i.pending_sync,
            reminded: None,
        }
    }
}

/// One page of a queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    /// Whether a next page exists.
    pub has_more: bool,
}

impl From<flow::QueuePage> for QueuePage {
    fn from(p: flow::QueuePage) -> QueuePage {
        QueuePage {
            rows: p.items.into_iter().map(QueueRow::from).collect(),
            has_more: p.has_more,
        }
    }
}

/// The counts beside the queue entries of the navigation, and refused actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FlowCounts {
    #[ts(type = "number")]
    pub todo: u64,
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub to_read: u64,
    #[ts(type = "number")]
    pub read: u64,
    /// 在办: flows I started that are still moving.
    #[ts(type = "number")]
    pub sent: u64,
    /// 督办: overdue tasks I see.
    #[ts(type = "number")]
    pub overdue: u64,
    /// Actions the server refused, waiting for 重试 or 放弃.
    #[ts(type = "number")]
    pub rejected: u64,
}

impl From<flow::FlowCounts> for FlowCounts {
    fn from(c: flow::FlowCounts) -> FlowCounts {
        FlowCounts {
            todo: c.todo,
            done: c.done,
            to_read: c.toread,
            read: c.read,
            sent: c.sent,
            overdue: c.overdue,
            rejected: c.rejected,
        }
    }
}

// ---------------------------------------------------------------------------
// Task view (办理) and flow view (流程)
// ---------------------------------------------------------------------------

/// A handler's line in a step of the flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HandlerLine {
    pub task_id: String,
    pub person: String,
    pub name: String,
    pub status: String,
    /// 待办, 同意, 已阅, 退回, 转办, 已收回 …
    pub status_label: String,
    pub withdraw_cause: Option<String>,
    /// "张三", or "李四 代 张三" for a delegate.
    pub signature: Option<String>,
    pub acted_at: Option<String>,
    pub opinion: Option<String>,
    pub due_at: Option<String>,
    pub overdue: bool,
}

/// One step of the route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StepLine {
    #[ts(type = "number")]
    pub index: usize,
    pub name: String,
    /// 串签, 会签, 或签.
    pub mode: String,
    /// done, current or pending.
    pub state: String,
    pub handlers: Vec<HandlerLine>,
}

/// A signed opinion on the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OpinionLine {
    pub step_name: String,
    /// "张三", or "李四 代 张三".
    pub signature: String,
    /// RFC 3339.
    pub at: String,
    /// 同意, 已阅, 退回, 转办, 退文.
    pub outcome: String,
    /// None for 圈阅.
    pub opinion: Option<String>,
}

/// The flow: the route as steps, who acted, when, what they wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FlowDetail {
    pub flow_id: String,
    pub document_id: String,
    pub title: String,
    /// 发文 / 收文.
    pub kind: String,
    pub route: String,
    pub owner_name: String,
    /// running, completed, terminated, sent_back.
    pub status: String,
    pub status_label: String,
    pub now_at: String,
    pub created_at: String,
    pub steps: Vec<StepLine>,
    pub opinions: Vec<OpinionLine>,
    /// Local actions of this flow not yet confirmed by the server.
    #[ts(type = "number")]
    pub pending_sync: u64,
}

impl From<flow::FlowView> for FlowDetail {
    fn from(v: flow::FlowView) -> FlowDetail {
        FlowDetail {
            flow_id: v.flow_id,
            document_id: v.document_id,
            title: v.title,
            kind: v.kind,
            route: v.route,
            owner_name: v.owner_name,
            status: v.status,
            status_label: v.status_label,
            now_at: v.now_at,
            created_at: v.created_at,
            steps: v
                .steps
                .into_iter()
                .map(|s| StepLine {
                    index: s.index,
                    name: s.name,
                    mode: s.mode,
                    state: s.state,
                    handlers: s
                        .handlers
                        .into_iter()
                        .map(|h| HandlerLine {
                            task_id: h.task_id,
                            person: h.person,
                            name: h.name,
                            status: h.status,
                            status_label: h.status_label,
                            withdraw_cause: h.withdraw_cause,
                            signature: h.signature,
                            acted_at: h.acted_at,
                            opinion: h.opinion,
                            due_at: h.due_at,
                            overdue: h.overdue,
                        })
                        .collect(),
                })
                .collect(),
            opinions: v
                .opinions
                .into_iter()
                .map(|o| OpinionLine {
                    step_name: o.step_name,
                    signature: o.signature,
                    at: o
                        .at
                        .format(&time::format_description::well_known::Rfc3339)
                        .unwrap_or_default(),
                    outcome: o.outcome,
                    opinion: o.opinion,
                })
                .collect(),
            pending_sync: v.pending_sync,
        }
    }
}

/// A button of the action panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TaskAction {
    /// What `act` takes: approve, read, return, add-handler, transfer, withdraw, remind,
    /// terminate, send-back, edit.
    pub action: String,
    /// 同意, 已阅, 退回 …
    pub label: String,
}

/// A step a 退回 may go to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReturnTarget {
    #[ts(type = "number")]
    pub index: usize,
    pub name: String,
}

/// What approving needs besides the opinion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NextChoice {
    /// none; handlers (pick the next step's handlers); assignment (批办).
    pub kind: String,
    /// The next step's index.
    #[ts(type = "number | null")]
    pub step: Option<usize>,
    /// Whether the choice must be made.
    pub required: bool,
}

impl From<gongwen_domain::workflow::NextChoice> for NextChoice {
    fn from(c: gongwen_domain::workflow::NextChoice) -> NextChoice {
        use gongwen_domain::workflow::NextChoice as C;
        match c {
            C::None => NextChoice {
                kind: "none".into(),
                step: None,
                required: false,
            },
            C::Handlers { step } => NextChoice {
                kind: "handlers".into(),
                step: Some(step),
                required: true,
            },
            C::Assignment { step, required } => NextChoice {
                kind: "assignment".into(),
                step: Some(step),
                required,
            },
        }
    }
}

/// The 办理 page: the document as it will print and the actions I may take.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TaskDetail {
    pub task_id: String,
    pub step_name: String,
    pub assignee_name: String,
    pub status: String,
    pub status_label: String,
    pub due_at: Option<String>,
    pub overdue: bool,
    /// The hash of the text under approval; 同意 quotes it.
    pub content_hash: String,
    /// The version under approval (null when it is not on this computer yet).
    #[ts(type = "import(\"../lib/document\").GwDocument | null")]
    pub document: Option<Document>,
    /// Exactly the actions I may take.
    pub actions: Vec<TaskAction>,
    pub next_choice: NextChoice,
    /// Where a 退回 may go, nearest first as the route lists them.
    pub return_targets: Vec<ReturnTarget>,
    pub flow: FlowDetail,
    /// The 催办 of this task, newest first.
    pub reminders: Vec<ReminderNote>,
}

impl From<flow::TaskView> for TaskDetail {
    fn from(v: flow::TaskView) -> TaskDetail {
        TaskDetail {
            task_id: v.task_id,
            step_name: v.step_name,
            assignee_name: v.assignee_name,
            status: v.status,
            status_label: v.status_label,
            due_at: v.due_at,
            overdue: v.overdue,
            content_hash: v.content_hash,
            document: v.document,
            actions: v
                .actions
                .into_iter()
                .map(|a| TaskAction {
                    action: a.action,
                    label: a.label,
                })
                .collect(),
            next_choice: v.next_choice.into(),
            return_targets: v
                .return_targets
                .into_iter()
                .map(|t| ReturnTarget {
                    index: t.index,
                    name: t.name,
                })
                .collect(),
            flow: v.flow.into(),
            reminders: Vec::new(),
        }
    }
}

/// An action on a task (or, for 撤回/催办/终止, on its flow).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ActRequest {
    pub task_id: String,
    /// approve, read, return, add-handler, add-handler-before, transfer, withdraw, remind,
    /// terminate, send-back, edit.
    pub action: String,
    /// The opinion, or the reason (退回, 终止).
    #[serde(default)]
    #[ts(optional)]
    pub opinion: Option<String>,
    /// The person (加签, 转办) or the next handlers (comma-separated).
    #[serde(default)]
    #[ts(optional)]
    pub to: Option<String>,
    /// The step a 退回 goes to (index in the route).
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub step: Option<usize>,
    /// The hash of the text the user read (同意, 已阅).
    #[serde(default)]
    #[ts(optional)]
    pub content_hash: Option<String>,
}

/// What an action did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ActResult {
    pub flow_id: String,
    /// 同意, 退回 …
    pub action: String,
    /// Its number in the outbox (待同步).
    #[ts(type = "number")]
    pub seq: i64,
    /// Where the document is now.
    pub now_at: String,
    /// 办理中, 已办结, 已终止 …
    pub status: String,
}

impl From<flow::ActOutcome> for ActResult {
    fn from(o: flow::ActOutcome) -> ActResult {
        ActResult {
            flow_id: o.flow_id,
            action: o.action,
            seq: o.seq,
            now_at: o.now_at,
            status: o.status,
        }
    }
}

/// What 送审 did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SubmitResult {
    pub flow_id: String,
    /// The draft version frozen for approval.
    #[ts(type = "number")]
    pub doc_version: i64,
    /// The route template used.
    pub route: String,
    /// Where the document is now ("审核（李四）").
    pub now_at: String,
}

impl From<flow::SubmitOutcome> for SubmitResult {
    fn from(o: flow::SubmitOutcome) -> SubmitResult {
        SubmitResult {
            flow_id: o.flow_id,
            doc_version: o.doc_version,
            route: o.route,
            now_at: o.now_at,
        }
    }
}

// ---------------------------------------------------------------------------
// Drafts: editor, versions, comparison, lint
// ---------------------------------------------------------------------------

/// A draft opened in the editor.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DraftDetail {
    pub id: String,
    #[ts(type = "number")]
    pub version: i64,
    #[ts(type = "number")]
    pub head_version: i64,
    pub author: String,
    pub saved_at: String,
    #[ts(type = "import(\"../lib/document\").GwDocument")]
    pub document: Document,
    /// True when `document` holds changes autosaved but not yet a version (after a crash or
    /// a closed window): the editor says 已恢复未保存的修改. `version` is the version they
    /// started from.
    pub recovered: bool,
    /// When those changes were last autosaved (RFC 3339).
    pub working_copy_saved_at: Option<String>,
}

impl From<api::DraftDetail> for DraftDetail {
    fn from(d: api::DraftDetail) -> DraftDetail {
        DraftDetail {
            id: d.id,
            version: d.version,
            head_version: d.head_version,
            author: d.author,
            saved_at: d.saved_at,
            document: d.document,
            recovered: d.recovered,
            working_copy_saved_at: d.working_copy_saved_at,
        }
    }
}

/// What an autosave did: the working copy was written (no version), or, after ten minutes
/// of unsaved typing, a version was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AutosaveOutcome {
    pub draft_id: String,
    pub saved_at: String,
    /// Whether changes wait in the working copy for the next version.
    pub unsaved_changes: bool,
    /// The version this autosave made, if it made one.
    #[ts(type = "number | null")]
    pub version: Option<i64>,
    /// The head version now.
    #[ts(type = "number")]
    pub head_version: i64,
}

impl From<api::AutosaveResult> for AutosaveOutcome {
    fn from(r: api::AutosaveResult) -> AutosaveOutcome {
        AutosaveOutcome {
            draft_id: r.draft_id,
            saved_at: r.saved_at,
            unsaved_changes: r.unsaved_changes,
            version: r.version.map(|v| v.version),
            head_version: r.head_version,
        }
    }
}

/// The result of a save.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SavedDraft {
    pub draft_id: String,
    /// The head version now.
    #[ts(type = "number")]
    pub version: i64,
    pub saved_at: String,
    /// True when nothing changed, so no version was written.
    pub unchanged: bool,
}

impl From<api::SavedVersion> for SavedDraft {
    fn from(s: api::SavedVersion) -> SavedDraft {
        SavedDraft {
            draft_id: s.draft_id,
            version: s.version,
            saved_at: s.saved_at,
            unchanged: s.unchanged,
        }
    }
}

/// One entry of the 版本 drawer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VersionRow {
    #[ts(type = "number")]
    pub version: i64,
    pub author: String,
    pub created_at: String,
    #[ts(type = "number | null")]
    pub base_version: Option<i64>,
}

impl From<api::VersionSummary> for VersionRow {
    fn from(v: api::VersionSummary) -> VersionRow {
        VersionRow {
            version: v.version,
            author: v.author,
            created_at: v.created_at,
            base_version: v.base_version,
        }
    }
}

/// A run of text in a comparison: unchanged, inserted or deleted, and by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DiffPiece {
    /// equal, insert or delete.
    pub kind: String,
    pub text: String,
    pub author: Option<String>,
    #[ts(type = "number | null")]
    pub version: Option<i64>,
    pub at: Option<String>,
}

/// One element that differs between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ElementDiff {
    /// The element's name, e.g. 标题.
    pub element: String,
    /// The JSON field, e.g. title.
    pub field: String,
    pub pieces: Vec<DiffPiece>,
    pub changed_by: Vec<String>,
}

/// The comparison of two versions (痕迹).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VersionComparison {
    pub from: VersionRow,
    pub to: VersionRow,
    pub changes: Vec<ElementDiff>,
}

impl From<api::Comparison> for VersionComparison {
    fn from(c: api::Comparison) -> VersionComparison {
        use gongwen_client::diff::ChangeKind;
        VersionComparison {
            from: c.from.into(),
            to: c.to.into(),
            changes: c
                .changes
                .into_iter()
                .map(|e| ElementDiff {
                    element: e.element.to_owned(),
                    field: e.field.to_owned(),
                    pieces: e
                        .segments
                        .into_iter()
                        .map(|s| DiffPiece {
                            kind: match s.kind {
                                ChangeKind::Equal => "equal",
                                ChangeKind::Insert => "insert",
                                ChangeKind::Delete => "delete",
                            }
                            .to_owned(),
                            text: s.text,
                            author: s.author,
                            version: s.version,
                            at: s.at,
                        })
                        .collect(),
                    changed_by: e.changed_by,
                })
                .collect(),
        }
    }
}

/// A 行文规则 finding, shown beside the field it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LintFinding {
    /// The rule id, e.g. GW010.
    pub rule: String,
    /// error (must fix before 送审) or warning (advice).
    pub severity: String,
    /// The field of the JSON form (snake_case, e.g. main_recipients).
    pub field: String,
    /// The entry of a list field, or the 0-based line of the body.
    #[ts(type = "number | null")]
    pub index: Option<usize>,
    pub message: String,
}

impl From<gongwen_domain::lint::Finding> for LintFinding {
    fn from(f: gongwen_domain::lint::Finding) -> LintFinding {
        let field = serde_json::to_value(f.element.field)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        LintFinding {
            rule: f.rule.to_owned(),
            severity: match f.severity {
                gongwen_domain::lint::Severity::Error => "error",
                gongwen_domain::lint::Severity::Warning => "warning",
            }
            .to_owned(),
            field,
            index: f.element.index,
            message: f.message,
        }
    }
}

// ---------------------------------------------------------------------------
// 同步详情: the outbox
// ---------------------------------------------------------------------------

/// A change waiting to be sent, or refused by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OutboxRow {
    #[ts(type = "number")]
    pub seq: i64,
    /// 送审, 收文登记, 签收, 保存草稿, or the action (同意, 退回…).
    pub label: String,
    pub flow_id: String,
    pub created_at: String,
    /// pending or rejected.
    pub state: String,
}

impl From<flow::OutboxEntry> for OutboxRow {
    fn from(e: flow::OutboxEntry) -> OutboxRow {
        OutboxRow {
            seq: e.seq,
            // The client names every command kind (送审, 收文登记, 签收, 同意…).
            label: e.label,
            flow_id: e.entity_id,
            created_at: e.created_at,
            state: e.state,
        }
    }
}

/// An action the server refused: the reason, and the text the user typed (kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RejectedRow {
    #[ts(type = "number")]
    pub seq: i64,
    pub flow_id: String,
    pub title: Option<String>,
    /// 同意, 退回, 送审 …
    pub action_label: String,
    pub opinion: Option<String>,
    pub code: String,
    /// Why, in Chinese.
    pub reason: String,
    pub created_at: String,
    pub rejected_at: String,
}

impl From<flow::RejectedAction> for RejectedRow {
    fn from(r: flow::RejectedAction) -> RejectedRow {
        RejectedRow {
            seq: r.seq,
            flow_id: r.flow_id,
            title: r.title,
            action_label: r.action_label,
            opinion: r.opinion,
            code: r.code,
            reason: r.reason,
            created_at: r.created_at,
            rejected_at: r.rejected_at,
        }
    }
}

// ---------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------

/// What 导出PDF wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportedPdf {
    /// The file written (with `.pdf` added when the name had no extension).
    pub path: String,
    #[ts(type = "number")]
    pub pages: u64,
    #[ts(type = "number")]
    pub bytes: u64,
}

/// What 打印 handed to the printing system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PrintedJob {
    /// The printer's name ('' when the system did not say).
    pub printer: String,
    /// The print queue's job id, e.g. Office_HP-42.
    pub job_id: Option<String>,
    pub copies: u32,
}

// ---------------------------------------------------------------------------
// Directory (通讯录)
// ---------------------------------------------------------------------------

/// A person of the local directory, for the pickers (下一环节办理人, 加签, 转办).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PersonRow {
    /// The user id the workflow takes.
    pub id: String,
    pub name: String,
    /// 机关.
    pub organ: String,
    /// 科室/部门 ('' when unknown).
    pub dept: String,
    /// 部门负责人, 分管领导 …
    pub roles: Vec<String>,
}

impl From<flow::Person> for PersonRow {
    fn from(p: flow::Person) -> PersonRow {
        PersonRow {
            id: p.id,
            name: p.name,
            organ: p.organ,
            dept: p.dept,
            roles: p.roles,
        }
    }
}

// ---------------------------------------------------------------------------
// Conflict copies (冲突副本)
// ---------------------------------------------------------------------------

/// A save of a draft that lost to another save on the server (冲突副本): kept, so the user
/// can compare it with the current version and choose or merge.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConflictCopyRow {
    pub id: String,
    /// The version the losing save was based on.
    #[ts(type = "number | null")]
    pub base_version: Option<i64>,
    pub author: String,
    pub saved_at: String,
    /// The losing save's document; null when this version of 公文通 cannot read it.
    #[ts(type = "import(\"../lib/document\").GwDocument | null")]
    pub document: Option<Document>,
}

/// One element that differs between the current version and a conflict copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConflictField {
    /// The element's name, e.g. 标题.
    pub element: String,
    /// The JSON field, e.g. title: what a field-by-field merge takes from either side.
    pub field: String,
    /// The element as the current version has it.
    pub current: String,
    /// The element as the conflict copy has it.
    pub copy: String,
    /// From the current version to the copy, word by word.
    pub pieces: Vec<DiffPiece>,
}

/// The side-by-side comparison of the current version and a conflict copy.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConflictComparison {
    /// The head version compared.
    #[ts(type = "number")]
    pub current_version: i64,
    pub current_author: String,
    pub copy: ConflictCopyRow,
    pub fields: Vec<ConflictField>,
}

impl ConflictField {
    pub fn from_change(c: gongwen_client::diff::ElementChange) -> ConflictField {
        use gongwen_client::diff::ChangeKind;
        ConflictField {
            element: c.element.to_owned(),
            field: c.field.to_owned(),
            current: c.before,
            copy: c.after,
            pieces: c
                .segments
                .into_iter()
                .map(|s| DiffPiece {
                    kind: match s.kind {
                        ChangeKind::Equal => "equal",
                        ChangeKind::Insert => "insert",
                        ChangeKind::Delete => "delete",
                    }
                    .to_owned(),
                    text: s.text,
                    author: s.author,
                    version: s.version,
                    at: s.at,
                })
                .collect(),
        }
    }
}

// ---------------------------------------------------------------------------
// 收文 and 回执 (commands/incoming.rs)
// ---------------------------------------------------------------------------

/// Which 收文 list to show: by where the items stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum IncomingStage {
    /// 待签收.
    Unsigned,
    /// 已签收, 待登记.
    Unregistered,
    /// 已登记.
    Registered,
    /// Every item.
    All,
}

/// The filters above a 收文 list; every one given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct IncomingQuery {
    /// 来文单位: its 代字 or a part of its name.
    #[ts(optional)]
    pub from_organ: Option<String>,
    /// 特急, 加急 or 普通.
    #[ts(optional)]
    pub urgency: Option<String>,
    /// 秘密, 机密, 绝密 or 非密.
    #[ts(optional)]
    pub secrecy: Option<String>,
    /// Delivered from this date (`YYYY-MM-DD`, inclusive).
    #[ts(optional)]
    pub date_from: Option<String>,
    /// Delivered until this date (inclusive).
    #[ts(optional)]
    pub date_to: Option<String>,
    /// Text in the title or the 文号.
    #[ts(optional)]
    pub text: Option<String>,
}

impl IncomingQuery {
    pub fn filter(self, stage: IncomingStage) -> incoming::IncomingFilter {
        incoming::IncomingFilter {
            state: match stage {
                IncomingStage::Unsigned => Some(incoming::SignFilter::Unsigned),
                IncomingStage::Unregistered => Some(incoming::SignFilter::Unregistered),
                IncomingStage::Registered => Some(incoming::SignFilter::Registered),
                IncomingStage::All => None,
            },
            from: self.from_organ,
            since: self.date_from,
            until: self.date_to,
            query: self.text,
            urgency: self.urgency,
            secrecy: self.secrecy,
        }
    }
}

/// One row of a 收文 list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IncomingRow {
    pub id: String,
    pub title: String,
    pub doc_number: Option<String>,
    pub doc_type: Option<String>,
    /// 特急 / 加急, or null.
    pub urgency: Option<String>,
    /// 秘密 …, or null.
    pub secrecy: Option<String>,
    /// 来文单位.
    pub from_organ: String,
    pub from_code: String,
    /// When the exchange delivered it (RFC 3339).
    pub delivered_at: String,
    /// unsigned, sign_pending or signed.
    pub status: String,
    /// 未签收, 已签收（待同步）, 已签收.
    pub status_label: String,
    /// Who signed (display name), and when.
    pub signed_by: Option<String>,
    pub signed_at: Option<String>,
    /// 收文编号, once registered.
    pub receipt_number: Option<String>,
    /// The 收文 flow, once registered.
    pub flow_id: Option<String>,
    #[ts(type = "number")]
    pub files: u32,
}

impl From<incoming::IncomingItem> for IncomingRow {
    fn from(i: incoming::IncomingItem) -> IncomingRow {
        IncomingRow {
            id: i.id,
            title: i.title,
            doc_number: i.doc_number,
            doc_type: i.doc_type,
            urgency: i.urgency,
            secrecy: i.secrecy,
            from_organ: i.from.name,
            from_code: i.from.code,
            delivered_at: i.delivered_at,
            status: match i.status {
                incoming::IncomingStatus::Unsigned => "unsigned",
                incoming::IncomingStatus::SignPending => "sign_pending",
                incoming::IncomingStatus::Signed => "signed",
            }
            .to_owned(),
            status_label: i.status_label,
            signed_by: i.signed_by.map(|p| p.display_name),
            signed_at: i.signed_at,
            receipt_number: i.receipt_number,
            flow_id: i.flow_id,
            files: i.files,
        }
    }
}

/// One page of a 收文 list, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IncomingListPage {
    pub rows: Vec<IncomingRow>,
    /// Rows matching the filters.
    #[ts(type = "number")]
    pub total: u64,
}

impl From<incoming::IncomingPage> for IncomingListPage {
    fn from(p: incoming::IncomingPage) -> IncomingListPage {
        IncomingListPage {
            rows: p.items.into_iter().map(IncomingRow::from).collect(),
            total: p.total,
        }
    }
}

/// The counts beside the 收文 entries of the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IncomingCounts {
    /// 待签收.
    #[ts(type = "number")]
    pub unsigned: u64,
    /// 待登记.
    #[ts(type = "number")]
    pub unregistered: u64,
    /// 已登记.
    #[ts(type = "number")]
    pub registered: u64,
}

impl From<incoming::IncomingCounts> for IncomingCounts {
    fn from(c: incoming::IncomingCounts) -> IncomingCounts {
        IncomingCounts {
            unsigned: c.unsigned,
            unregistered: c.unregistered,
            registered: c.signed.saturating_sub(c.unregistered),
        }
    }
}

/// A file that came with an incoming document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IncomingFileRow {
    pub name: String,
    #[ts(type = "number")]
    pub size: u64,
    /// The rendered PDF (版式文件) rather than an attachment.
    pub is_pdf: bool,
    /// local, downloading or waiting.
    pub state: String,
    /// Bytes on this device so far (downloading).
    #[ts(type = "number | null")]
    pub have: Option<u64>,
}

/// The 收文登记 particulars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationInfo {
    pub flow_id: String,
    pub receipt_number: String,
    pub from_organ: String,
    pub doc_number: Option<String>,
    pub secrecy: Option<String>,
    pub urgency: Option<String>,
    #[ts(type = "number")]
    pub copies: u32,
    pub registered_by: String,
    pub registered_at: String,
}

impl From<incoming::Registration> for RegistrationInfo {
    fn from(r: incoming::Registration) -> RegistrationInfo {
        RegistrationInfo {
            flow_id: r.flow_id,
            receipt_number: r.receipt_number,
            from_organ: r.from_organ,
            doc_number: r.doc_number,
            secrecy: r.secrecy,
            urgency: r.urgency,
            copies: r.copies,
            registered_by: r.registered_by,
            registered_at: r.registered_at,
        }
    }
}

/// One incoming document: the document as issued, its files, sender and registration.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IncomingDetail {
    pub row: IncomingRow,
    /// The document as the sender issued it.
    #[ts(type = "import(\"../lib/document\").GwDocument")]
    pub document: Document,
    /// Who sent it (display name) and to which organ.
    pub sent_by: String,
    pub to_organ: String,
    pub files: Vec<IncomingFileRow>,
    pub registration: Option<RegistrationInfo>,
    /// Why the server refused the last 签收, when it did (签收 again is possible).
    pub sign_rejected: Option<String>,
    /// The open task of the 收文 flow for me, if any (查看流程 opens it).
    pub task_id: Option<String>,
}

impl From<incoming::IncomingDetail> for IncomingDetail {
    fn from(d: incoming::IncomingDetail) -> IncomingDetail {
        IncomingDetail {
            row: d.item.into(),
            document: d.document,
            sent_by: d.sent_by.display_name,
            to_organ: d.to.name,
            files: d
                .files
                .into_iter()
                .map(|f| {
                    let (state, have) = match f.status {
                        incoming::FileStatus::Local => ("local", None),
                        incoming::FileStatus::Downloading { have } => ("downloading", Some(have)),
                        incoming::FileStatus::Waiting => ("waiting", None),
                    };
                    IncomingFileRow {
                        name: f.name,
                        size: f.size,
                        is_pdf: f.is_pdf,
                        state: state.to_owned(),
                        have,
                    }
                })
                .collect(),
            registration: d.registration.map(Into::into),
            sign_rejected: d.sign_rejected,
            task_id: d.task_id,
        }
    }
}

/// What 签收 did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignResult {
    pub incoming_id: String,
    /// Its number in the outbox (待同步).
    #[ts(type = "number")]
    pub seq: i64,
    /// 已签收（待同步）.
    pub status_label: String,
}

impl From<incoming::SignOutcome> for SignResult {
    fn from(o: incoming::SignOutcome) -> SignResult {
        SignResult {
            incoming_id: o.incoming_id,
            seq: o.seq,
            status_label: o.status_label,
        }
    }
}

/// What the 登记 form sends. Empty fields take the document's own values.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct RegisterRequest {
    /// 收文编号; empty: the next free number.
    #[ts(optional)]
    pub receipt_number: Option<String>,
    #[ts(optional)]
    pub secrecy: Option<String>,
    #[ts(optional)]
    pub urgency: Option<String>,
    #[ts(optional, type = "number")]
    pub copies: Option<u32>,
    /// The 收文 route template's name; empty: chosen by 文种.
    #[ts(optional)]
    pub route: Option<String>,
    /// Who handles the first step after 登记 (person ids); empty: the template's.
    #[ts(optional)]
    pub first_handlers: Option<Vec<String>>,
}

impl From<RegisterRequest> for incoming::RegisterInput {
    fn from(r: RegisterRequest) -> incoming::RegisterInput {
        incoming::RegisterInput {
            receipt_number: r.receipt_number,
            secrecy: r.secrecy,
            urgency: r.urgency,
            copies: r.copies,
            route: r.route,
            first_handlers: r.first_handlers.unwrap_or_default(),
        }
    }
}

/// What 登记 did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RegisterResult {
    pub incoming_id: String,
    pub flow_id: String,
    pub receipt_number: String,
    pub route: String,
    /// Where the document is now ("初审（王五）").
    pub now_at: String,
    /// My open task of the new flow, if the next step is mine.
    pub task_id: Option<String>,
}

impl From<incoming::RegisterOutcome> for RegisterResult {
    fn from(o: incoming::RegisterOutcome) -> RegisterResult {
        RegisterResult {
            incoming_id: o.incoming_id,
            flow_id: o.flow_id,
            receipt_number: o.receipt_number,
            route: o.route,
            now_at: o.now_at,
            task_id: o.task_id,
        }
    }
}

impl From<flow::RouteTemplateInfo> for RouteChoice {
    fn from(t: flow::RouteTemplateInfo) -> RouteChoice {
        RouteChoice {
            name: t.name,
            steps: t.steps,
            source: match t.source {
                flow::TemplateSource::Organ => "本单位",
                _ => "标准",
            }
            .to_owned(),
        }
    }
}

/// A route template the 登记 form offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RouteChoice {
    pub name: String,
    /// The steps' names in order (签收 → 登记 → 初审 …).
    pub steps: Vec<String>,
    /// 本单位 (the organ's) or 标准.
    pub source: String,
}

/// Who the first step after 登记 goes to by the route template (the 登记 form's default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FirstStepChoice {
    /// The template 登记 would use.
    pub route: String,
    /// The first step after 登记 (初审, 拟办 …); null when the route has none.
    pub step: Option<String>,
    /// Its handlers by the template; empty when the template's role has nobody.
    pub handlers: Vec<PersonChoice>,
}

/// A person offered by a form (login and name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PersonChoice {
    pub id: String,
    pub name: String,
}

impl From<gongwen_client::incoming::FirstStepPreview> for FirstStepChoice {
    fn from(p: gongwen_client::incoming::FirstStepPreview) -> FirstStepChoice {
        FirstStepChoice {
            route: p.route,
            step: p.step,
            handlers: p
                .handlers
                .into_iter()
                .map(|h| PersonChoice {
                    id: h.login,
                    name: h.display_name,
                })
                .collect(),
        }
    }
}

/// One recipient organ of a sent document, signed or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RecipientRow {
    pub organ: String,
    pub signed: bool,
    pub signed_by: Option<String>,
    pub signed_at: Option<String>,
}

/// A document this organ sent, with the 签收 state of every recipient (回执).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SentDocumentRow {
    pub document_id: String,
    pub title: String,
    pub doc_number: Option<String>,
    pub recipients: Vec<RecipientRow>,
    #[ts(type = "number")]
    pub signed: u32,
    #[ts(type = "number")]
    pub total: u32,
    pub latest: Option<String>,
}

impl From<incoming::SentReceipts> for SentDocumentRow {
    fn from(s: incoming::SentReceipts) -> SentDocumentRow {
        SentDocumentRow {
            document_id: s.document_id,
            title: s.title,
            doc_number: s.doc_number,
            recipients: s
                .recipients
                .into_iter()
                .map(|r| RecipientRow {
                    organ: r.organ,
                    signed: r.signed,
                    signed_by: r.signed_by.map(|p| p.display_name),
                    signed_at: r.signed_at,
                })
                .collect(),
            signed: s.signed,
            total: s.total,
            latest: s.latest,
        }
    }
}

/// One 协办 department of 批办, and who handles it there.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeptChoice {
    pub dept: String,
    /// The handler's user id (from the directory).
    pub handler: String,
}

/// 批办: the leader's assignment of 主办 and 协办 departments and a 办理时限.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InstructRequest {
    pub task_id: String,
    #[serde(default)]
    #[ts(optional)]
    pub opinion: Option<String>,
    pub lead: DeptChoice,
    #[serde(default)]
    pub assist: Vec<DeptChoice>,
    /// `YYYY-MM-DD` (the end of that day).
    #[serde(default)]
    #[ts(optional)]
    pub due: Option<String>,
    /// The hash of the text the leader read.
    pub content_hash: String,
}

impl From<InstructRequest> for incoming::InstructInput {
    fn from(r: InstructRequest) -> incoming::InstructInput {
        incoming::InstructInput {
            opinion: r.opinion,
            lead_dept: r.lead.dept,
            lead_handler: r.lead.handler,
            assist: r.assist.into_iter().map(|a| (a.dept, a.handler)).collect(),
            due: r.due,
            content_hash: r.content_hash,
        }
    }
}

impl From<incoming::InstructOutcome> for ActResult {
    fn from(o: incoming::InstructOutcome) -> ActResult {
        ActResult {
            flow_id: o.flow_id,
            action: "批办".to_owned(),
            seq: o.seq,
            now_at: o.now_at,
            status: o.status,
        }
    }
}

// ---------------------------------------------------------------------------
// 搜索 (commands/search.rs)
// ---------------------------------------------------------------------------

/// What a search hit is, and so where it opens: 草稿 and 发文 in the draft editor, 收文
/// in its detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SearchKind {
    Draft,
    Outgoing,
    Incoming,
}

impl From<SearchKind> for api::DocumentKind {
    fn from(k: SearchKind) -> api::DocumentKind {
        match k {
            SearchKind::Draft => api::DocumentKind::Draft,
            SearchKind::Outgoing => api::DocumentKind::Outgoing,
            SearchKind::Incoming => api::DocumentKind::Incoming,
        }
    }
}

impl From<api::DocumentKind> for SearchKind {
    fn from(k: api::DocumentKind) -> SearchKind {
        match k {
            api::DocumentKind::Draft => SearchKind::Draft,
            api::DocumentKind::Outgoing => SearchKind::Outgoing,
            api::DocumentKind::Incoming => SearchKind::Incoming,
        }
    }
}

/// A run of text; `hit` marks a match of the query (the UI renders it as `<mark>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MarkedText {
    pub text: String,
    pub hit: bool,
}

fn marked(segments: Vec<gongwen_client::store::search::Segment>) -> Vec<MarkedText> {
    segments
        .into_iter()
        .map(|s| MarkedText {
            text: s.text,
            hit: s.hit,
        })
        .collect()
}

/// One document a search found.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SearchHitRow {
    pub kind: SearchKind,
    /// The draft's id (草稿, 发文) or the incoming item's id (收文).
    pub id: String,
    pub title: Vec<MarkedText>,
    /// A piece of the body around the first match.
    pub snippet: Vec<MarkedText>,
    pub doc_type: Option<String>,
    /// 文号.
    pub doc_number: Option<Vec<MarkedText>>,
    /// 来文单位 (收文).
    pub from_organ: Option<Vec<MarkedText>>,
    /// Last change (草稿, 发文) or delivery (收文), RFC 3339.
    pub date: String,
    /// 收文: 未签收, 已签收（待同步）, 已签收 or 已登记.
    pub status: Option<String>,
}

impl From<api::DocumentHit> for SearchHitRow {
    fn from(h: api::DocumentHit) -> SearchHitRow {
        SearchHitRow {
            kind: h.kind.into(),
            id: h.id,
            title: marked(h.title),
            snippet: marked(h.snippet),
            doc_type: h.doc_type,
            doc_number: h.doc_number.map(marked),
            from_organ: h.from_organ.map(marked),
            date: h.date,
            status: h.status,
        }
    }
}

/// What a search found, best first.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SearchResult {
    pub hits: Vec<SearchHitRow>,
    /// The search index is still being built: more may match (正在建立索引，结果可能不全).
    pub incomplete: bool,
    /// Only the newest 收文 were examined (very many are stored).
    pub incoming_limited: bool,
}

impl From<api::DocumentSearch> for SearchResult {
    fn from(s: api::DocumentSearch) -> SearchResult {
        SearchResult {
            hits: s.hits.into_iter().map(SearchHitRow::from).collect(),
            incomplete: s.incomplete,
            incoming_limited: s.incoming_limited,
        }
    }
}

// ---------------------------------------------------------------------------
// 发文登记簿 (commands/outgoing.rs)
// ---------------------------------------------------------------------------

/// The filters above the 发文 register; every one given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct OutgoingQuery {
    /// The 文号's year; absent: every year.
    #[ts(optional)]
    pub year: Option<i32>,
    /// 文种, e.g. 通知.
    #[ts(optional)]
    pub doc_type: Option<String>,
    /// Text in the title or the 文号.
    #[ts(optional)]
    pub text: Option<String>,
    /// 未核发, 待签收 or 已签收.
    #[ts(optional)]
    pub receipts: Option<String>,
    /// Oldest number first.
    #[ts(optional)]
    pub ascending: Option<bool>,
}

impl OutgoingQuery {
    /// The client's filter; an unknown 回执 choice is refused with the choices.
    pub fn filter(
        self,
    ) -> Result<gongwen_client::outgoing::OutgoingFilter, crate::error::CommandError> {
        let receipts = match self.receipts.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(r) => Some(
                gongwen_client::outgoing::ReceiptFilter::parse(r).ok_or_else(|| {
                    crate::error::CommandError::new(
                        crate::error::ErrorCode::InvalidInput,
                        format!("回执情况“{r}”不对，可选：未核发、待签收、已签收"),
                    )
                })?,
            ),
        };
        Ok(gongwen_client::outgoing::OutgoingFilter {
            year: self.year,
            doc_type: self.doc_type,
            text: self.text,
            receipts,
            ascending: self.ascending.unwrap_or(false),
        })
    }
}

/// One document of the 发文 register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OutgoingRow {
    pub document_id: String,
    pub flow_id: String,
    /// 文号; null while it waits for the server (登记 done here, offline).
    pub doc_number: Option<String>,
    #[ts(type = "number | null")]
    pub year: Option<i32>,
    #[ts(type = "number | null")]
    pub seq: Option<u32>,
    pub title: String,
    pub doc_type: Option<String>,
    /// 特急 / 加急.
    pub urgency: Option<String>,
    /// 机密★1年; null for 非密.
    pub secrecy: Option<String>,
    /// 主送机关.
    pub main_recipients: Vec<String>,
    /// 签发人.
    pub signers: Vec<String>,
    /// 成文日期, `YYYY-MM-DD`.
    pub doc_date: Option<String>,
    pub registered_at: Option<String>,
    /// in_progress, to_print, to_dispatch, dispatched or terminated.
    pub state: String,
    /// 办理中, 待印制, 待核发, 已核发, 已终止.
    pub state_label: String,
    /// Where the document is now.
    pub now_at: String,
    pub dispatched_at: Option<String>,
    /// 回执: recipient organs that signed, of all known.
    #[ts(type = "number")]
    pub receipts_signed: u32,
    #[ts(type = "number")]
    pub receipts_total: u32,
    /// Local commands of its flow wait for the server (待同步).
    pub pending_sync: bool,
}

impl From<gongwen_client::outgoing::OutgoingItem> for OutgoingRow {
    fn from(i: gongwen_client::outgoing::OutgoingItem) -> OutgoingRow {
        let state = match i.state {
            gongwen_client::outgoing::IssueState::InProgress => "in_progress",
            gongwen_client::outgoing::IssueState::ToPrint => "to_print",
            gongwen_client::outgoing::IssueState::ToDispatch => "to_dispatch",
            gongwen_client::outgoing::IssueState::Dispatched => "dispatched",
            gongwen_client::outgoing::IssueState::Terminated => "terminated",
        };
        OutgoingRow {
            document_id: i.document_id,
            flow_id: i.flow_id,
            doc_number: i.doc_number,
            year: i.year,
            seq: i.seq,
            title: i.title,
            doc_type: i.doc_type,
            urgency: i.urgency,
            secrecy: i.secrecy,
            main_recipients: i.main_recipients,
            signers: i.signers,
            doc_date: i.doc_date,
            registered_at: i.registered_at,
            state: state.to_owned(),
            state_label: i.state_label,
            now_at: i.now_at,
            dispatched_at: i.dispatched_at,
            receipts_signed: i.receipts_signed,
            receipts_total: i.receipts_total,
            pending_sync: i.pending_sync,
        }
    }
}

/// One page of the 发文 register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OutgoingListPage {
    pub rows: Vec<OutgoingRow>,
    pub has_more: bool,
    #[ts(type = "number")]
    pub total: u64,
    /// Years with registered documents, newest first.
    pub years: Vec<i32>,
}

impl From<gongwen_client::outgoing::OutgoingPage> for OutgoingListPage {
    fn from(p: gongwen_client::outgoing::OutgoingPage) -> OutgoingListPage {
        OutgoingListPage {
            rows: p.items.into_iter().map(OutgoingRow::from).collect(),
            has_more: p.has_more,
            total: p.total,
            years: p.years,
        }
    }
}

/// One registered document: as it prints, its flow and each recipient's 回执.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OutgoingDetail {
    pub row: OutgoingRow,
    /// The version that went through the flow, with its 文号; null when its text is not
    /// on this computer.
    #[ts(type = "import(\"../lib/document\").GwDocument | null")]
    pub document: Option<Document>,
    pub flow: FlowDetail,
    pub receipts: SentDocumentRow,
}

impl From<gongwen_client::outgoing::OutgoingDetail> for OutgoingDetail {
    fn from(d: gongwen_client::outgoing::OutgoingDetail) -> OutgoingDetail {
        OutgoingDetail {
            row: d.item.into(),
            document: d.document,
            flow: d.flow.into(),
            receipts: d.receipts.into(),
        }
    }
}
