//! 收文 and 回执: documents other organs sent to this organ through the 公文交换, and
//! the receipts of documents this organ sent (issue 5 收文 chain, issue 7).
//!
//! The sync engine keeps the server's JSON of both ([`Incoming`], [`Receipt`]) in the
//! `incoming` and `receipts` tables; the fields the lists filter on are
//! generated columns (migration 0011). This module is the typed view over them and the three actions:
//!
//! * **签收** ([`Client::sign_incoming`]): one transaction writes the `exchange.sign.v1`
//!   outbox row and a local audit record. The local view is the server's state plus the
//!   pending commands: an item with a sign command waiting shows as 已签收（待同步）
//!   at once, and if the server refuses the command (not a 收文员, withdrawn…) the
//!   row stays in 同步详情 with the reason and the item is 未签收 again. The server
//!   decides; its answer (version 2 of the item, and the 回执 in the sender's bucket)
//!   comes with the next pull.
//! * **登记** ([`Client::register_incoming`]): starts the 收文 flow of a signed item,
//!   with the route chosen by 文种 (请示 → 请示件收文), records the particulars
//!   (收文编号, 来文单位, 文号, 密级, 紧急程度, 份数), completes the owner's 签收 step
//!   and, when the registering user is a handler of 登记, the 登记 step too, so the
//!   document goes on to 初审. All in one transaction with its outbox rows and audit
//!   records, like every other flow action ([`crate::flow`]). The flow's
//!   `document_id` is the incoming item's id.
//! * **附件**: the rendered PDF and the attachments of an item are downloaded by the
//!   sync engine (ranges, resumable, verified by hash) and kept while the item is;
//!   [`Client::incoming_detail`] tells which are local, [`Client::save_incoming_file`]
//!   copies one out.

use std::path::{Path, PathBuf};

use gongwen_domain::Document;
use gongwen_domain::workflow::{
    self, Action, Assignment, Command, Context, DeptAssignee, DocFacts, Event, Flow, FlowId,
    FlowKind, PersonId, Route, StepKind,
};
use gongwen_protocol::exchange::{Incoming, ItemState, OrganRef, PersonRef, Receipt};
use gongwen_protocol::sync::{ExchangeSign, mutations};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::Client;
use crate::flow::outbox::{self as flow_outbox, ActArgs};
use crate::flow::people::{self, DbDirectory};
use crate::flow::rows::{self, CST, DocMeta, ts};
use crate::flow::{FlowError, START_MUTATION};
use crate::store::blobs::{self, BlobStore, parse_ref};

pub type Result<T> = std::result::Result<T, IncomingError>;

/// Errors of the 收文 api. [`IncomingError::code`] is stable; the message is zh-CN.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IncomingError {
    #[error(transparent)]
    Store(#[from] crate::Error),

    #[error(transparent)]
    Flow(#[from] FlowError),

    #[error("找不到来文“{0}”：它不在本机的收文中（可能尚未同步，或已被收回）")]
    NotFound(String),

    #[error("来文“{title}”已签收{pending}")]
    AlreadySigned {
        title: String,
        pending: &'static str,
    },

    #[error("来文“{0}”尚未签收，请先签收再登记")]
    NotSigned(String),

    #[error("来文“{title}”已登记（收文编号 {number}）")]
    AlreadyRegistered { title: String, number: String },

    #[error("收文编号“{0}”已被使用，请换一个编号")]
    NumberTaken(String),

    #[error("来文中没有文件“{0}”")]
    FileNotFound(String),

    #[error("文件“{0}”还没有下载到本机，请联网同步后再试")]
    FileNotLocal(String),

    #[error("{0}")]
    InvalidArgument(String),
}

impl IncomingError {
    /// A stable identifier for the UI and scripts (snake_case).
    pub fn code(&self) -> String {
        match self {
            IncomingError::Store(e) => e.code().to_owned(),
            IncomingError::Flow(e) => e.code(),
            IncomingError::NotFound(_) => "incoming_not_found".into(),
            IncomingError::AlreadySigned { .. } => "already_signed".into(),
            IncomingError::NotSigned(_) => "not_signed".into(),
            IncomingError::AlreadyRegistered { .. } => "already_registered".into(),
            IncomingError::NumberTaken(_) => "receipt_number_taken".into(),
            IncomingError::FileNotFound(_) => "file_not_found".into(),
            IncomingError::FileNotLocal(_) => "file_not_local".into(),
            IncomingError::InvalidArgument(_) => "invalid_argument".into(),
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

impl From<rusqlite::Error> for IncomingError {
    fn from(e: rusqlite::Error) -> IncomingError {
        IncomingError::Store(crate::Error::from(e))
    }
}

impl From<gongwen_domain::workflow::WorkflowError> for IncomingError {
    fn from(e: gongwen_domain::workflow::WorkflowError) -> IncomingError {
        IncomingError::Flow(FlowError::Workflow(e))
    }
}

impl From<IncomingError> for crate::ErrorPayload {
    fn from(e: IncomingError) -> crate::ErrorPayload {
        e.payload()
    }
}

impl Serialize for IncomingError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.payload().serialize(s)
    }
}

/// Runs a closure in one write transaction, keeping this module's error.
fn write<T>(client: &Client, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
    let mut inner: Option<IncomingError> = None;
    let out = client.db.write(|tx| match f(tx) {
        Ok(v) => Ok(v),
        Err(e) => {
            inner = Some(e);
            Err(crate::Error::InvalidArgument("rolled back".into()))
        }
    });
    match (out, inner) {
        (Ok(v), _) => Ok(v),
        (Err(_), Some(e)) => Err(e),
        (Err(e), None) => Err(e.into()),
    }
}

fn read<T>(client: &Client, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
    let mut inner: Option<IncomingError> = None;
    let out = client.db.read(|c| match f(c) {
        Ok(v) => Ok(v),
        Err(e) => {
            inner = Some(e);
            Err(crate::Error::InvalidArgument("failed".into()))
        }
    });
    match (out, inner) {
        (Ok(v), _) => Ok(v),
        (Err(_), Some(e)) => Err(e),
        (Err(e), None) => Err(e.into()),
    }
}

fn corrupt(id: &str, e: impl std::fmt::Display) -> IncomingError {
    IncomingError::Store(crate::Error::Corrupt(format!("来文 {id}：{e}")))
}

/// Where an incoming item stands in this client's view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncomingStatus {
    /// 未签收.
    Unsigned,
    /// 签收 here, waiting for the server's confirmation (已签收（待同步）).
    SignPending,
    /// 已签收, confirmed by the server.
    Signed,
}

impl IncomingStatus {
    pub fn label(self) -> &'static str {
        match self {
            IncomingStatus::Unsigned => "未签收",
            IncomingStatus::SignPending => "已签收（待同步）",
            IncomingStatus::Signed => "已签收",
        }
    }
}

/// The 签收 filter of the 收文 list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignFilter {
    /// 未签收.
    Unsigned,
    /// 已签收 (confirmed or waiting for the server).
    Signed,
    /// 已签收 and not registered yet (待登记).
    Unregistered,
    /// 已登记: the 收文 flow runs on this device.
    Registered,
}

impl SignFilter {
    /// `未签收` / `unsigned`, `已签收` / `signed`.
    pub fn parse(s: &str) -> Option<SignFilter> {
        match s.trim() {
            "未签收" | "unsigned" => Some(SignFilter::Unsigned),
            "已签收" | "signed" => Some(SignFilter::Signed),
            "待登记" | "unregistered" => Some(SignFilter::Unregistered),
            "已登记" | "registered" => Some(SignFilter::Registered),
            _ => None,
        }
    }
}

/// Filters of [`Client::incoming`]. Dates are `YYYY-MM-DD` (China Standard Time,
/// inclusive) on the delivery time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IncomingFilter {
    pub state: Option<SignFilter>,
    /// 来文单位: its 代字, or a part of its name.
    pub from: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    /// A part of the title or of the 文号.
    pub query: Option<String>,
    /// 紧急程度: 特急, 加急, or 普通 (neither); the registration's when registered.
    pub urgency: Option<String>,
    /// 密级: 秘密, 机密, 绝密, or 非密 (none); the registration's when registered.
    pub secrecy: Option<String>,
}

/// One row of the 收文 list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IncomingItem {
    pub id: String,
    pub title: String,
    pub doc_number: Option<String>,
    /// 来文单位.
    pub from: OrganRef,
    pub delivered_at: String,
    pub status: IncomingStatus,
    pub status_label: String,
    pub signed_by: Option<PersonRef>,
    pub signed_at: Option<String>,
    /// 收文编号, once registered.
    pub receipt_number: Option<String>,
    /// The 收文 flow, once registered.
    pub flow_id: Option<String>,
    /// Files travelling with it (PDF and attachments).
    pub files: u32,
    /// 文种 of the document.
    pub doc_type: Option<String>,
    /// 紧急程度 (特急, 加急): the registration's, else the document's.
    pub urgency: Option<String>,
    /// 密级 (秘密★1年 …): the registration's, else the document's.
    pub secrecy: Option<String>,
}

/// A page of the 收文 list, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IncomingPage {
    pub items: Vec<IncomingItem>,
    /// Rows matching the filter.
    pub total: u64,
}

/// Counts for the navigation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IncomingCounts {
    pub unsigned: u64,
    pub signed: u64,
    /// Signed and not registered yet (登记 waits).
    pub unregistered: u64,
}

/// Whether a file is on this device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum FileStatus {
    /// Downloaded and verified.
    Local,
    /// Being downloaded: `have` of `size` bytes so far (resumes where it stopped).
    Downloading { have: u64 },
    /// Waiting for the next sync.
    Waiting,
}

/// One file of an incoming item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IncomingFile {
    pub name: String,
    /// `sha256:<hex>`.
    pub blob: String,
    pub size: u64,
    /// The rendered PDF (版式文件) rather than an attachment.
    pub is_pdf: bool,
    pub status: FileStatus,
}

/// The particulars of 收文登记.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Registration {
    pub incoming_id: String,
    pub flow_id: String,
    /// 收文编号.
    pub receipt_number: String,
    /// 来文单位.
    pub from_organ: String,
    /// 文号 of the incoming document.
    pub doc_number: Option<String>,
    /// 密级.
    pub secrecy: Option<String>,
    /// 紧急程度.
    pub urgency: Option<String>,
    /// 份数.
    pub copies: u32,
    pub registered_by: String,
    pub registered_at: String,
}

/// Everything about one incoming item.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IncomingDetail {
    pub item: IncomingItem,
    pub exchange_id: String,
    /// The sender's document id.
    pub document_id: String,
    /// The issued document, as the sender issued it.
    pub document: Document,
    pub content_hash: Option<String>,
    pub sent_by: PersonRef,
    pub to: OrganRef,
    pub files: Vec<IncomingFile>,
    pub registration: Option<Registration>,
    /// The sign command waiting in the outbox, or refused by the server (its reason).
    pub sign_rejected: Option<String>,
    /// My open task of its 收文 flow, if any (the 办理 page opens it).
    pub task_id: Option<String>,
}

/// What 签收 did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignOutcome {
    pub incoming_id: String,
    /// The outbox row: the command waits there to be sent (待同步).
    pub seq: i64,
    pub outbox_id: String,
    pub status_label: String,
}

/// What 登记 asks for. Empty fields take the document's own values.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RegisterInput {
    /// 收文编号; default `{代字}收〔{year}〕{n}号`, the next free number on this device.
    pub receipt_number: Option<String>,
    /// 密级 (秘密, 机密, 绝密); default the document's.
    pub secrecy: Option<String>,
    /// 紧急程度 (特急, 加急); default the document's.
    pub urgency: Option<String>,
    /// 份数; default 1.
    pub copies: Option<u32>,
    /// The route template's name; default chosen by 文种.
    pub route: Option<String>,
    /// Who handles the first step after 登记 (初审, or the route's next step when it
    /// has none): person ids from the directory, in order, replacing the template's
    /// handlers. Empty: the template's.
    pub first_handlers: Vec<String>,
}

/// The first step 登记 would start, as the route template gives it
/// ([`Client::first_step_preview`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FirstStepPreview {
    /// The template's name.
    pub route: String,
    /// The first step after 登记 (初审, 拟办 …); `None` when the route has none.
    pub step: Option<String>,
    /// Its handlers by the template (login and name), in order; empty when the template's
    /// role has nobody in the directory.
    pub handlers: Vec<PersonRef>,
}

/// What 登记 did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterOutcome {
    pub incoming_id: String,
    pub flow_id: String,
    pub receipt_number: String,
    pub route: String,
    /// Where the document is now ("初审（王五）").
    pub now_at: String,
    pub outbox_seqs: Vec<i64>,
    /// My open task of the new flow, when the next step is mine.
    pub task_id: Option<String>,
}

/// One 回执: a recipient organ signed a document this organ sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptItem {
    pub id: String,
    pub incoming_id: String,
    pub exchange_id: String,
    /// This organ's document id (the draft).
    pub document_id: String,
    pub title: String,
    pub doc_number: Option<String>,
    pub recipient: OrganRef,
    pub signed_by: PersonRef,
    pub signed_at: String,
    pub received_at: String,
}

const SIGN_WAITING: &str = "EXISTS (SELECT 1 FROM outbox o WHERE o.kind = 'exchange.sign.v1'
     AND o.entity_id = i.id AND (o.state = 'pending' OR o.push_seq IS NOT NULL))";

fn parse_day(s: &str, what: &str) -> Result<String> {
    let s = s.trim();
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, format)
        .map(|_| s.to_owned())
        .map_err(|_| {
            IncomingError::InvalidArgument(format!("{what}“{s}”不是 YYYY-MM-DD 格式的日期"))
        })
}

/// The where clause and its parameters for a filter.
fn where_clause(f: &IncomingFilter) -> Result<(String, Vec<String>)> {
    let mut clauses = vec!["1 = 1".to_owned()];
    let mut args = Vec::new();
    match f.state {
        Some(SignFilter::Unsigned) => {
            clauses.push(format!("i.state <> 'signed' AND NOT {SIGN_WAITING}"));
        }
        Some(SignFilter::Signed) => {
            clauses.push(format!("(i.state = 'signed' OR {SIGN_WAITING})"));
        }
        Some(SignFilter::Unregistered) => {
            clauses.push(format!(
                "(i.state = 'signed' OR {SIGN_WAITING}) AND r.incoming_id IS NULL"
            ));
        }
        Some(SignFilter::Registered) => clauses.push("r.incoming_id IS NOT NULL".to_owned()),
        None => {}
    }
    if let Some(u) = f
        .urgency
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let urgency = "coalesce(r.urgency, json_extract(i.data, '$.document.urgency'))";
        if u == "普通" {
            clauses.push(format!("{urgency} IS NULL"));
        } else {
            args.push(parse_urgency(u)?.name().to_owned());
            clauses.push(format!("{urgency} = ?{}", args.len()));
        }
    }
    if let Some(level) = f
        .secrecy
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let secrecy = "coalesce(r.secrecy, json_extract(i.data, '$.document.secrecy.level'))";
        if level == "非密" || level == "公开" {
            clauses.push(format!("{secrecy} IS NULL"));
        } else {
            let level = check_secrecy(level)?;
            args.push(level.chars().take(2).collect());
            clauses.push(format!("substr({secrecy}, 1, 2) = ?{}", args.len()));
        }
    }
    if let Some(from) = f.from.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        args.push(from.to_owned());
        let n = args.len();
        clauses.push(format!(
            "(i.from_code = ?{n} OR instr(i.from_name, ?{n}) > 0)"
        ));
    }
    // Delivery times are RFC 3339; compare them in China Standard Time.
    let local_day = "date(i.delivered_at, '+8 hours')";
    if let Some(since) = f.since.as_deref().filter(|s| !s.trim().is_empty()) {
        args.push(parse_day(since, "开始日期")?);
        clauses.push(format!("{local_day} >= ?{}", args.len()));
    }
    if let Some(until) = f.until.as_deref().filter(|s| !s.trim().is_empty()) {
        args.push(parse_day(until, "结束日期")?);
        clauses.push(format!("{local_day} <= ?{}", args.len()));
    }
    if let Some(q) = f.query.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        args.push(q.to_owned());
        let n = args.len();
        clauses.push(format!(
            "(instr(json_extract(i.data, '$.title'), ?{n}) > 0
              OR instr(coalesce(json_extract(i.data, '$.doc_number'), ''), ?{n}) > 0)"
        ));
    }
    Ok((clauses.join(" AND "), args))
}

struct Loaded {
    incoming: Incoming,
    waiting: bool,
    registration: Option<Registration>,
}

fn item_of(l: &Loaded) -> IncomingItem {
    let i = &l.incoming;
    let status = if i.state == ItemState::Signed {
        IncomingStatus::Signed
    } else if l.waiting {
        IncomingStatus::SignPending
    } else {
        IncomingStatus::Unsigned
    };
    IncomingItem {
        id: i.id.clone(),
        title: i.title.clone(),
        doc_number: i.doc_number.clone(),
        from: i.from.clone(),
        delivered_at: i.delivered_at.clone(),
        status,
        status_label: status.label().to_owned(),
        signed_by: i.signed_by.clone(),
        signed_at: i.signed_at.clone(),
        receipt_number: l.registration.as_ref().map(|r| r.receipt_number.clone()),
        flow_id: l.registration.as_ref().map(|r| r.flow_id.clone()),
        files: (i.attachments.len() + usize::from(i.pdf.is_some())) as u32,
        doc_type: json_text(&i.document["doc_type"]),
        urgency: l
            .registration
            .as_ref()
            .and_then(|r| r.urgency.clone())
            .or_else(|| json_text(&i.document["urgency"])),
        secrecy: l
            .registration
            .as_ref()
            .and_then(|r| r.secrecy.clone())
            .or_else(|| secrecy_text(&i.document["secrecy"])),
    }
}

fn json_text(v: &serde_json::Value) -> Option<String> {
    v.as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// 秘密, or 秘密★1年 with its term, from the document's `secrecy` object.
fn secrecy_text(v: &serde_json::Value) -> Option<String> {
    let level = json_text(&v["level"])?;
    Some(match json_text(&v["term"]) {
        Some(term) => format!("{level}★{term}"),
        None => level,
    })
}

const REGISTRATION_COLUMNS: &str = "incoming_id, flow_id, receipt_number, from_organ, doc_number, \
     secrecy, urgency, copies, registered_by, registered_at";

fn registration_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Registration> {
    Ok(Registration {
        incoming_id: r.get(0)?,
        flow_id: r.get(1)?,
        receipt_number: r.get(2)?,
        from_organ: r.get(3)?,
        doc_number: r.get(4)?,
        secrecy: r.get(5)?,
        urgency: r.get(6)?,
        copies: u32::try_from(r.get::<_, i64>(7)?).unwrap_or(1),
        registered_by: r.get(8)?,
        registered_at: r.get(9)?,
    })
}

fn registration(c: &Connection, id: &str) -> Result<Option<Registration>> {
    Ok(c.prepare_cached(&format!(
        "SELECT {REGISTRATION_COLUMNS} FROM incoming_registrations WHERE incoming_id = ?1"
    ))?
    .query_row([id], registration_row)
    .optional()?)
}

fn load(c: &Connection, id: &str) -> Result<Loaded> {
    let row: Option<(String, bool)> = c
        .prepare_cached(&format!(
            "SELECT i.data, {SIGN_WAITING} FROM incoming i WHERE i.id = ?1"
        ))?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (data, waiting) = row.ok_or_else(|| IncomingError::NotFound(id.to_owned()))?;
    let incoming: Incoming = serde_json::from_str(&data).map_err(|e| corrupt(id, e))?;
    Ok(Loaded {
        incoming,
        waiting,
        registration: registration(c, id)?,
    })
}

/// The newest refusal of a sign command for `id`, if it is still listed.
fn sign_rejection(c: &Connection, id: &str) -> Result<Option<(i64, String)>> {
    Ok(c.prepare_cached(
        "SELECT seq, coalesce(reject_reason, '') FROM outbox
             WHERE kind = ?1 AND entity_id = ?2 AND state = 'rejected' AND push_seq IS NULL
             ORDER BY seq DESC LIMIT 1",
    )?
    .query_row(params![mutations::EXCHANGE_SIGN, id], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .optional()?)
}

fn file_status(c: &Connection, store: &BlobStore, blob: &str) -> Result<FileStatus> {
    let Some(hash) = parse_ref(blob) else {
        return Ok(FileStatus::Waiting);
    };
    let local: Option<i64> = c
        .prepare_cached("SELECT 1 FROM blobs WHERE hash = ?1")?
        .query_row([hash], |r| r.get(0))
        .optional()?;
    if local.is_some() && store.path(hash).exists() {
        return Ok(FileStatus::Local);
    }
    let have = store.partial_len(hash);
    Ok(if have > 0 {
        FileStatus::Downloading { have }
    } else {
        FileStatus::Waiting
    })
}

fn files_of(c: &Connection, store: &BlobStore, i: &Incoming) -> Result<Vec<IncomingFile>> {
    let mut out = Vec::new();
    for (f, is_pdf) in i
        .pdf
        .iter()
        .map(|f| (f, true))
        .chain(i.attachments.iter().map(|f| (f, false)))
    {
        out.push(IncomingFile {
            name: f.name.clone(),
            blob: f.blob.clone(),
            size: f.size,
            is_pdf,
            status: file_status(c, store, &f.blob)?,
        });
    }
    Ok(out)
}

fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn audit_entries(cmd_id: &str, events: &[Event]) -> Vec<gongwen_domain::audit::Entry> {
    events
        .iter()
        .map(|e| e.audit_entry(format!("{cmd_id}/{}", e.seq)))
        .collect()
}

fn parse_urgency(s: &str) -> Result<gongwen_domain::document::Urgency> {
    rows::urgency_from_name(Some(s.trim())).ok_or_else(|| {
        IncomingError::InvalidArgument(format!("紧急程度“{s}”无效，可选：特急、加急"))
    })
}

fn check_secrecy(s: &str) -> Result<String> {
    let s = s.trim();
    if ["秘密", "机密", "绝密"]
        .iter()
        .any(|l| s == *l || s.starts_with(l))
    {
        Ok(s.to_owned())
    } else {
        Err(IncomingError::InvalidArgument(format!(
            "密级“{s}”无效，可选：秘密、机密、绝密（可带保密期限，如“秘密★1年”）"
        )))
    }
}

/// The next automatic 收文编号 of `year` on this device.
fn next_number(tx: &Connection, code: &str, year: i32) -> Result<(i64, String)> {
    let mut seq: i64 = tx
        .prepare_cached(
            "SELECT coalesce(max(seq), 0) + 1 FROM incoming_registrations WHERE year = ?1",
        )?
        .query_row([year], |r| r.get(0))?;
    loop {
        let text = format!("{code}收〔{year}〕{seq}号");
        let taken: Option<i64> = tx
            .prepare_cached("SELECT 1 FROM incoming_registrations WHERE receipt_number = ?1")?
            .query_row([&text], |r| r.get(0))
            .optional()?;
        if taken.is_none() {
            return Ok((seq, text));
        }
        seq += 1;
    }
}

impl Client {
    /// 收文: incoming documents, newest first, filtered.
    pub fn incoming(
        &self,
        filter: &IncomingFilter,
        offset: usize,
        limit: usize,
    ) -> Result<IncomingPage> {
        let (clause, args) = where_clause(filter)?;
        read(self, |c| {
            let total: i64 = c
                .prepare(&format!(
                    "SELECT count(*) FROM incoming i
                     LEFT JOIN incoming_registrations r ON r.incoming_id = i.id
                     WHERE {clause}"
                ))?
                .query_row(rusqlite::params_from_iter(&args), |r| r.get(0))?;
            let mut sql_args: Vec<rusqlite::types::Value> =
                args.iter().cloned().map(Into::into).collect();
            sql_args.push((limit.min(10_000) as i64).into());
            sql_args.push((offset as i64).into());
            let n = args.len();
            let rows: Vec<(String, bool, Option<Registration>)> = c
                .prepare(&format!(
                    "SELECT i.data, {SIGN_WAITING}, r.incoming_id IS NOT NULL,
                            r.incoming_id, r.flow_id, r.receipt_number, r.from_organ, r.doc_number,
                            r.secrecy, r.urgency, r.copies, r.registered_by, r.registered_at
                     FROM incoming i LEFT JOIN incoming_registrations r ON r.incoming_id = i.id
                     WHERE {clause}
                     ORDER BY i.delivered_at DESC, i.id
                     LIMIT ?{} OFFSET ?{}",
                    n + 1,
                    n + 2
                ))?
                .query_map(rusqlite::params_from_iter(&sql_args), |r| {
                    let registered: bool = r.get(2)?;
                    let reg = if registered {
                        Some(Registration {
                            incoming_id: r.get(3)?,
                            flow_id: r.get(4)?,
                            receipt_number: r.get(5)?,
                            from_organ: r.get(6)?,
                            doc_number: r.get(7)?,
                            secrecy: r.get(8)?,
                            urgency: r.get(9)?,
                            copies: u32::try_from(r.get::<_, i64>(10)?).unwrap_or(1),
                            registered_by: r.get(11)?,
                            registered_at: r.get(12)?,
                        })
                    } else {
                        None
                    };
                    Ok((r.get(0)?, r.get(1)?, reg))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let mut items = Vec::with_capacity(rows.len());
            for (data, waiting, registration) in rows {
                let incoming: Incoming = serde_json::from_str(&data).map_err(|e| corrupt("", e))?;
                items.push(item_of(&Loaded {
                    incoming,
                    waiting,
                    registration,
                }));
            }
            Ok(IncomingPage {
                items,
                total: u64::try_from(total).unwrap_or(0),
            })
        })
    }

    /// Counts for the navigation: 未签收, 已签收, 待登记.
    pub fn incoming_counts(&self) -> Result<IncomingCounts> {
        read(self, |c| {
            let (unsigned, signed, unregistered): (i64, i64, i64) = c.query_row(
                &format!(
                    "SELECT coalesce(sum(NOT s), 0), coalesce(sum(s), 0),
                            coalesce(sum(s AND NOT reg), 0)
                     FROM (SELECT (i.state = 'signed' OR {SIGN_WAITING}) AS s,
                                  EXISTS (SELECT 1 FROM incoming_registrations r
                                          WHERE r.incoming_id = i.id) AS reg
                           FROM incoming i)"
                ),
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            Ok(IncomingCounts {
                unsigned: u64::try_from(unsigned).unwrap_or(0),
                signed: u64::try_from(signed).unwrap_or(0),
                unregistered: u64::try_from(unregistered).unwrap_or(0),
            })
        })
    }

    /// One incoming item with its document, its files (and whether each is on this
    /// device) and its registration.
    pub fn incoming_detail(&self, id: &str) -> Result<IncomingDetail> {
        let store = self.blobs();
        read(self, |c| {
            let l = load(c, id)?;
            let i = &l.incoming;
            let document =
                Document::from_json(&i.document.to_string()).map_err(|e| corrupt(id, e.0))?;
            let files = files_of(c, &store, i)?;
            let sign_rejected = if l.waiting || i.state == ItemState::Signed {
                None
            } else {
                sign_rejection(c, id)?.map(|(_, reason)| reason)
            };
            Ok(IncomingDetail {
                item: item_of(&l),
                exchange_id: i.exchange_id.clone(),
                document_id: i.document_id.clone(),
                document,
                content_hash: i.content_hash.clone(),
                sent_by: i.sent_by.clone(),
                to: i.to.clone(),
                files,
                task_id: open_task(c, id, &self.user)?,
                registration: l.registration,
                sign_rejected,
            })
        })
    }

    /// Copies one file of an incoming item (by name, by 1-based position in
    /// [`IncomingDetail::files`], or `pdf`) to `dest` (a file, or a folder to put it
    /// in under its own name). The file must be on this device.
    pub fn save_incoming_file(&self, id: &str, which: &str, dest: &Path) -> Result<PathBuf> {
        let detail = self.incoming_detail(id)?;
        let which = which.trim();
        let file = detail
            .files
            .iter()
            .find(|f| f.name == which)
            .or_else(|| {
                which
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| n.checked_sub(1))
                    .and_then(|n| detail.files.get(n))
            })
            .or_else(|| {
                (which.eq_ignore_ascii_case("pdf"))
                    .then(|| detail.files.iter().find(|f| f.is_pdf))
                    .flatten()
            })
            .ok_or_else(|| IncomingError::FileNotFound(which.to_owned()))?;
        if file.status != FileStatus::Local {
            return Err(IncomingError::FileNotLocal(file.name.clone()));
        }
        let hash = parse_ref(&file.blob).ok_or_else(|| corrupt(id, "文件编号无效"))?;
        let target = if dest.is_dir() {
            dest.join(sanitize(&file.name))
        } else {
            dest.to_path_buf()
        };
        self.blobs().copy_to(hash, &target)?;
        Ok(target)
    }

    /// 签收: queues `exchange.sign.v1` for the server and shows the item as signed at
    /// once (已签收（待同步）). A sign the server refused before is replaced by this one.
    pub fn sign_incoming(&self, id: &str) -> Result<SignOutcome> {
        let now = self.now().to_offset(CST);
        write(self, |tx| {
            let l = load(tx, id)?;
            if l.incoming.state == ItemState::Signed || l.waiting {
                return Err(IncomingError::AlreadySigned {
                    title: l.incoming.title.clone(),
                    pending: if l.waiting {
                        "，正在等待同步"
                    } else {
                        ""
                    },
                });
            }
            // A refused sign is superseded by this one (the refusal is in the audit chain).
            if let Some((seq, _)) = sign_rejection(tx, id)? {
                tx.execute("DELETE FROM outbox WHERE seq = ?1", [seq])?;
            }
            let args = serde_json::to_value(ExchangeSign {
                incoming_id: id.to_owned(),
            })
            .map_err(|e| corrupt(id, e))?;
            let outbox_id = new_id();
            let seq =
                flow_outbox::insert(tx, &outbox_id, mutations::EXCHANGE_SIGN, id, &args, now)?;
            crate::flow::audit::append(
                tx,
                vec![gongwen_domain::audit::Entry {
                    id: format!("{outbox_id}/1"),
                    time: now,
                    actor: self.user.clone(),
                    on_behalf_of: None,
                    action: "exchange.sign".into(),
                    subject: id.to_owned(),
                    detail_json: serde_json::json!({
                        "incoming_id": id,
                        "exchange_id": l.incoming.exchange_id,
                        "from": l.incoming.from.code,
                        "title": l.incoming.title,
                    })
                    .to_string(),
                }],
            )?;
            Ok(SignOutcome {
                incoming_id: id.to_owned(),
                seq,
                outbox_id,
                status_label: IncomingStatus::SignPending.label().to_owned(),
            })
        })
    }

    /// 登记: starts the 收文 flow of a signed incoming item (see the module doc).
    pub fn register_incoming(&self, id: &str, input: &RegisterInput) -> Result<RegisterOutcome> {
        let now = self.now().to_offset(CST);
        write(self, |tx| self.register_in(tx, id, input, now))
    }

    fn register_in(
        &self,
        tx: &Transaction<'_>,
        id: &str,
        input: &RegisterInput,
        now: OffsetDateTime,
    ) -> Result<RegisterOutcome> {
        let l = load(tx, id)?;
        let inc = &l.incoming;
        if let Some(r) = &l.registration {
            return Err(IncomingError::AlreadyRegistered {
                title: inc.title.clone(),
                number: r.receipt_number.clone(),
            });
        }
        if inc.state != ItemState::Signed && !l.waiting {
            return Err(IncomingError::NotSigned(inc.title.clone()));
        }
        let running: Option<String> = tx
            .prepare_cached("SELECT id FROM flows WHERE document_id = ?1 AND status = 'running'")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        if let Some(flow) = running {
            return Err(FlowError::AlreadySubmitted {
                document: id.to_owned(),
                flow,
            }
            .into());
        }
        let (doc, me, route) = self.registration_route(tx, inc, input.route.as_deref())?;

        // The particulars.
        let year = now.year();
        let (seq, number) = match input
            .receipt_number
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(n) => {
                if n.chars().count() > 64 || n.chars().any(char::is_control) {
                    return Err(IncomingError::InvalidArgument(
                        "收文编号过长或含有控制字符".into(),
                    ));
                }
                let taken: Option<i64> = tx
                    .prepare_cached(
                        "SELECT 1 FROM incoming_registrations WHERE receipt_number = ?1",
                    )?
                    .query_row([n], |r| r.get(0))
                    .optional()?;
                if taken.is_some() {
                    return Err(IncomingError::NumberTaken(n.to_owned()));
                }
                (None, n.to_owned())
            }
            None => {
                let code = receipt_code(tx, inc, &self.user)?;
                let (seq, text) = next_number(tx, &code, year)?;
                (Some(seq), text)
            }
        };
        let urgency = match input.urgency.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(u) => Some(parse_urgency(u)?),
            None => doc.urgency,
        };
        let secrecy = match input.secrecy.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(s) => Some(check_secrecy(s)?),
            None => doc.secrecy.as_ref().map(ToString::to_string),
        };
        let copies = input.copies.unwrap_or(1);
        if copies == 0 || copies > 10_000 {
            return Err(IncomingError::InvalidArgument(
                "份数应为 1 到 10000 之间的整数".into(),
            ));
        }
        let registration = Registration {
            incoming_id: id.to_owned(),
            flow_id: new_id(),
            receipt_number: number.clone(),
            from_organ: inc.from.name.clone(),
            doc_number: inc.doc_number.clone(),
            secrecy,
            urgency: urgency.map(|u| u.name().to_owned()),
            copies,
            registered_by: self.user.clone(),
            registered_at: ts(now),
        };

        let owner = PersonId::new(me.id.clone());
        let route = with_first_handlers(tx, route, &input.first_handlers)?;
        let hash = crate::flow::actions::flow_hash(
            inc.content_hash
                .as_deref()
                .filter(|h| !h.is_empty())
                .map(str::to_owned)
                .unwrap_or_else(|| crate::api::hash_hex(&doc.to_canonical_json()))
                .as_str(),
        );
        let meta = DocMeta {
            document_id: id.to_owned(),
            doc_version: None,
            title: inc.title.clone(),
            doc_type: doc.doc_type.map(|t| t.name().to_owned()),
            urgency,
            from_organ: Some(inc.from.name.clone()),
        };
        let dir = DbDirectory { conn: tx };
        // Delegation-aware, as every other flow command (flow::actions): a 委托 in force
        // routes the registered flow's tasks to the delegate, exactly as the server will.
        let delegations = crate::flow::routes::workflow_delegations(tx)?;
        let ctx = Context::new(now, &dir)
            .with_supervisor(me.is_supervisor())
            .with_delegations(&delegations);
        let flow_id = registration.flow_id.clone();
        let (flow, events) = workflow::start(
            FlowId::new(flow_id.clone()),
            FlowKind::Incoming,
            owner.clone(),
            route.clone(),
            hash.clone(),
            &ctx,
        )?;
        let mut args = serde_json::json!({
            "flow": flow_id,
            "kind": FlowKind::Incoming,
            "owner": owner,
            "documentId": id,
            "docVersion": null,
            "title": meta.title,
            "docType": meta.doc_type,
            "urgency": registration.urgency,
            "fromOrgan": meta.from_organ,
            "contentHash": hash,
            "route": route,
            "clientTime": now
                .format(&time::format_description::well_known::Rfc3339)
                .map_err(|e| corrupt(id, e))?,
        });
        args["registration"] = serde_json::to_value(&registration).map_err(|e| corrupt(id, e))?;
        let start_id = new_id();
        let start_seq = flow_outbox::insert(tx, &start_id, START_MUTATION, &flow_id, &args, now)?;
        rows::insert_flow(tx, &flow, &meta)?;
        rows::mirror_tasks(tx, None, &flow, &meta, Some(start_seq), now)?;
        crate::flow::audit::append(tx, audit_entries(&start_id, &events))?;
        let mut seqs = vec![start_seq];
        let mut flow = flow;
        // 签收 is done (the exchange's sign): the owner's step completes; then 登记 if
        // this user handles it, with the particulars as the opinion.
        let particulars = describe(&registration);
        for opinion in [None, Some(particulars)] {
            let Some(task) = workflow::tasks_for(&flow, &owner, &ctx)
                .first()
                .map(|t| t.id.clone())
            else {
                break;
            };
            let cmd = Command {
                actor: owner.clone(),
                seen_hash: hash.clone(),
                action: Action::Approve {
                    task,
                    opinion,
                    next_handlers: vec![],
                    assignment: None,
                },
            };
            let (next, events) = workflow::apply(&flow, &cmd, &ctx)?;
            seqs.push(record_act(tx, &flow, &next, &meta, cmd, &events, now)?);
            flow = next;
        }
        tx.prepare_cached(&format!(
            "INSERT INTO incoming_registrations ({REGISTRATION_COLUMNS}, year, seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
        ))?
        .execute(params![
            registration.incoming_id,
            registration.flow_id,
            registration.receipt_number,
            registration.from_organ,
            registration.doc_number,
            registration.secrecy,
            registration.urgency,
            i64::from(registration.copies),
            registration.registered_by,
            registration.registered_at,
            year,
            seq,
        ])?;
        Ok(RegisterOutcome {
            incoming_id: id.to_owned(),
            flow_id,
            receipt_number: number,
            route: flow.route.name.clone(),
            now_at: flow.where_now(&dir),
            outbox_seqs: seqs,
            task_id: open_task(tx, id, &self.user)?,
        })
    }

    /// The 收文登记 of an incoming item, if registered on this device.
    pub fn incoming_registration(&self, id: &str) -> Result<Option<Registration>> {
        read(self, |c| registration(c, id))
    }

    /// 回执 of documents this organ sent, newest first; `document` narrows to one
    /// document (this organ's draft id).
    pub fn receipts(&self, document: Option<&str>) -> Result<Vec<ReceiptItem>> {
        read(self, |c| {
            let mut stmt = c.prepare(
                "SELECT data, received_at FROM receipts
                 WHERE ?1 IS NULL OR document_id = ?1
                 ORDER BY signed_at DESC, id",
            )?;
            let rows: Vec<(String, String)> = stmt
                .query_map([document], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let mut out = Vec::with_capacity(rows.len());
            for (data, received_at) in rows {
                let r: Receipt = serde_json::from_str(&data).map_err(|e| {
                    IncomingError::Store(crate::Error::Corrupt(format!("回执：{e}")))
                })?;
                out.push(ReceiptItem {
                    id: r.id,
                    incoming_id: r.incoming_id,
                    exchange_id: r.exchange_id,
                    document_id: r.document_id,
                    title: r.title,
                    doc_number: r.doc_number,
                    recipient: r.recipient,
                    signed_by: r.signed_by,
                    signed_at: r.signed_at,
                    received_at,
                });
            }
            Ok(out)
        })
    }
}

/// One recipient organ of a document this organ sent, and whether it signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecipientReceipt {
    /// The organ as the distribution list or the 回执 names it.
    pub organ: String,
    /// Its 代字, once a 回执 named it.
    pub code: Option<String>,
    pub signed: bool,
    pub signed_by: Option<PersonRef>,
    pub signed_at: Option<String>,
}

/// A document this organ sent (核发) with the 签收 state of each recipient organ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SentReceipts {
    /// This organ's document id (the draft).
    pub document_id: String,
    pub title: String,
    pub doc_number: Option<String>,
    /// 主送 and 抄送 first (in the document's order), then any other organ that signed.
    pub recipients: Vec<RecipientReceipt>,
    pub signed: u32,
    /// Recipients known: the distribution list when the document is on this device,
    /// else the organs that signed.
    pub total: u32,
    /// When the newest 回执 arrived (RFC 3339), for the order of the list.
    pub latest: Option<String>,
}

/// Whether an organ named on the distribution list is the one a 回执 names.
fn same_organ(listed: &str, organ: &OrganRef) -> bool {
    let listed = listed.trim();
    !listed.is_empty() && (listed == organ.name.trim() || listed == organ.code.trim())
}

impl Client {
    /// The 收文编号 登记 would give `id` now (`{代字}收〔{year}〕{n}号`, the next free
    /// number on this device), for the form to show and let the clerk change.
    pub fn suggest_receipt_number(&self, id: &str) -> Result<String> {
        let year = self.now().to_offset(CST).year();
        read(self, |c| {
            let l = load(c, id)?;
            if let Some(r) = &l.registration {
                return Ok(r.receipt_number.clone());
            }
            let code = receipt_code(c, &l.incoming, &self.user)?;
            Ok(next_number(c, &code, year)?.1)
        })
    }

    /// What 登记 would start with `route` (a template's name; `None`: chosen by 文种, as
    /// [`Client::register_incoming`] chooses): the template's name and the first step after
    /// 登记 with the handlers the template gives it, so the form can show who will get the
    /// document unless the registrar chooses someone else.
    pub fn first_step_preview(&self, id: &str, route: Option<&str>) -> Result<FirstStepPreview> {
        read(self, |c| {
            let l = load(c, id)?;
            let (_, _, route) = self.registration_route(c, &l.incoming, route)?;
            let step = route
                .steps
                .iter()
                .find(|s| !matches!(s.kind, StepKind::Receive | StepKind::Register));
            let mut handlers = Vec::new();
            for h in step.map(|s| s.handlers.as_slice()).unwrap_or_default() {
                let display_name = people::get(c, h.as_str())?
                    .map(|p| p.name)
                    .unwrap_or_else(|| h.as_str().to_owned());
                handlers.push(PersonRef {
                    login: h.as_str().to_owned(),
                    display_name,
                });
            }
            Ok(FirstStepPreview {
                route: route.name.clone(),
                step: step.map(|s| s.name.clone().unwrap_or_else(|| s.kind.label().to_owned())),
                handlers,
            })
        })
    }

    /// The route 登记 of `inc` starts: the template `name`, or, without one, the one
    /// chosen by 文种 (请示 → 请示件收文), the organ's templates first. With the item's
    /// document and the registrar (this user), whose organ and role the choice used.
    /// [`Client::register_incoming`] and [`Client::first_step_preview`] both ask here, so
    /// the form shows the route 登记 will start.
    fn registration_route(
        &self,
        c: &Connection,
        inc: &Incoming,
        name: Option<&str>,
    ) -> Result<(Document, people::Person, Route)> {
        let doc =
            Document::from_json(&inc.document.to_string()).map_err(|e| corrupt(&inc.id, e.0))?;
        let me =
            people::get(c, &self.user)?.ok_or_else(|| FlowError::UnknownUser(self.user.clone()))?;
        let route = crate::flow::routes::route_for_new_flow(
            c,
            FlowKind::Incoming,
            name,
            &DocFacts::of(&doc, false),
            &PersonId::new(me.id.clone()),
            &me.organ,
        )?;
        Ok((doc, me, route))
    }

    /// 回执 by document: every document this organ sent (an outgoing flow completed
    /// here, through 核发) or got a 回执 for, with each recipient organ signed or not,
    /// newest first. Recipients come from the document's 主送 and 抄送.
    pub fn receipt_overview(&self) -> Result<Vec<SentReceipts>> {
        let receipts = self.receipts(None)?;
        let sent: Vec<(String, String)> = read(self, |c| {
            Ok(c.prepare(
                "SELECT document_id, title FROM flows
                 WHERE kind = 'outgoing' AND status = 'completed'
                 ORDER BY updated_at DESC, id",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?)
        })?;
        let mut order: Vec<(String, String)> = Vec::new();
        for r in &receipts {
            if !order.iter().any(|(d, _)| d == &r.document_id) {
                order.push((r.document_id.clone(), r.title.clone()));
            }
        }
        for (d, t) in sent {
            if !order.iter().any(|(o, _)| o == &d) {
                order.push((d, t));
            }
        }
        let mut out = Vec::with_capacity(order.len());
        for (document_id, title) in order {
            let mine: Vec<&ReceiptItem> = receipts
                .iter()
                .filter(|r| r.document_id == document_id)
                .collect();
            let (listed, doc_number, title) = match self.open_draft(&document_id) {
                Ok(d) => {
                    let mut listed: Vec<String> = Vec::new();
                    for o in d.document.main_recipients.iter().chain(&d.document.cc) {
                        let o = o.trim();
                        if !o.is_empty() && !listed.iter().any(|l| l == o) {
                            listed.push(o.to_owned());
                        }
                    }
                    let number = d.document.doc_number.as_ref().map(ToString::to_string);
                    let title = if d.document.title.trim().is_empty() {
                        title
                    } else {
                        d.document.title.clone()
                    };
                    (listed, number, title)
                }
                // Not on this device (another clerk's draft): the 回执 tell what they can.
                Err(_) => (Vec::new(), None, title),
            };
            let doc_number = doc_number.or_else(|| mine.iter().find_map(|r| r.doc_number.clone()));
            let mut recipients: Vec<RecipientReceipt> = listed
                .iter()
                .map(|organ| {
                    let signed = mine.iter().find(|r| same_organ(organ, &r.recipient));
                    RecipientReceipt {
                        organ: organ.clone(),
                        code: signed.map(|r| r.recipient.code.clone()),
                        signed: signed.is_some(),
                        signed_by: signed.map(|r| r.signed_by.clone()),
                        signed_at: signed.map(|r| r.signed_at.clone()),
                    }
                })
                .collect();
            for r in &mine {
                if !listed.iter().any(|o| same_organ(o, &r.recipient))
                    && !recipients
                        .iter()
                        .any(|x| x.code.as_deref() == Some(r.recipient.code.as_str()))
                {
                    recipients.push(RecipientReceipt {
                        organ: r.recipient.name.clone(),
                        code: Some(r.recipient.code.clone()),
                        signed: true,
                        signed_by: Some(r.signed_by.clone()),
                        signed_at: Some(r.signed_at.clone()),
                    });
                }
            }
            let signed = recipients.iter().filter(|r| r.signed).count() as u32;
            out.push(SentReceipts {
                document_id,
                title,
                doc_number,
                total: recipients.len() as u32,
                signed,
                latest: mine.iter().map(|r| r.received_at.clone()).max(),
                recipients,
            });
        }
        Ok(out)
    }

    /// Stores an incoming item exactly as a pull from the 公文交换 would (its files are
    /// queued for download). For tooling that prepares a data folder without a server
    /// (the e2e seed, demos) and for tests; the sync engine is the production path.
    pub fn store_incoming(&self, item: &Incoming) -> Result<()> {
        let now = ts(self.now().to_offset(CST));
        let data = serde_json::to_string(item).map_err(|e| corrupt(&item.id, e))?;
        write(self, |tx| Ok(put(tx, &item.id, item, &data, &now)?))
    }

    /// Stores a 回执 exactly as a pull would. Like [`Client::store_incoming`], for
    /// tooling and tests.
    pub fn store_receipt(&self, receipt: &Receipt) -> Result<()> {
        let now = ts(self.now().to_offset(CST));
        let data = serde_json::to_string(receipt).map_err(|e| corrupt(&receipt.id, e))?;
        write(self, |tx| {
            tx.prepare_cached(
                "INSERT INTO receipts (id, data, received_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET data = excluded.data",
            )?
            .execute(params![receipt.id, data, now])?;
            Ok(())
        })
    }
}

/// 批办: the leader's assignment of a 收文 to the departments that handle it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InstructInput {
    /// The 批办 opinion (请财政所牵头办理 …); none is 圈阅.
    pub opinion: Option<String>,
    /// 主办: the department and the person (id) who handles it for the department.
    pub lead_dept: String,
    pub lead_handler: String,
    /// 协办: (department, handler id) pairs.
    pub assist: Vec<(String, String)>,
    /// 办理时限: `YYYY-MM-DD` (the end of that day, China Standard Time) or RFC 3339.
    pub due: Option<String>,
    /// The hash of the text the leader read.
    pub content_hash: String,
}

/// What 批办 did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstructOutcome {
    pub flow_id: String,
    pub seq: i64,
    /// Where the document is now ("承办（李四、王五）").
    pub now_at: String,
    pub status: String,
}

fn parse_due(s: &str, now: OffsetDateTime) -> Result<OffsetDateTime> {
    let s = s.trim();
    let day = time::macros::format_description!("[year]-[month]-[day]");
    let due = if let Ok(d) = time::Date::parse(s, day) {
        d.with_hms(23, 59, 59)
            .map_err(|e| IncomingError::InvalidArgument(e.to_string()))?
            .assume_offset(CST)
    } else {
        OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).map_err(|_| {
            IncomingError::InvalidArgument(format!(
                "办理时限“{s}”不是日期，请写成 YYYY-MM-DD（如 2026-12-05）"
            ))
        })?
    };
    if due <= now {
        return Err(IncomingError::InvalidArgument(
            "办理时限已经过去，请选择今天以后的日期".into(),
        ));
    }
    Ok(due)
}

impl Client {
    /// 批办: approves the 批办 task `task_id` with the assignment of 主办 and 协办
    /// departments and a 办理时限; they become the handlers and the due time of 承办.
    /// Recorded like every flow action (outbox row, queues, audit) and queued to sync.
    pub fn instruct(&self, task_id: &str, input: &InstructInput) -> Result<InstructOutcome> {
        let now = self.now().to_offset(CST);
        write(self, |tx| {
            let me = people::get(tx, &self.user)?
                .ok_or_else(|| FlowError::UnknownUser(self.user.clone()))?;
            let flow_id = rows::flow_of_task(tx, task_id)?
                .ok_or_else(|| FlowError::TaskNotFound(task_id.to_owned()))?;
            let row = rows::load_flow(tx, &flow_id)?
                .ok_or_else(|| FlowError::FlowNotFound(flow_id.clone()))?;
            let assignee = |dept: &str, handler: &str, what: &str| -> Result<DeptAssignee> {
                let dept = dept.trim();
                if dept.is_empty() {
                    return Err(IncomingError::InvalidArgument(format!("请选择{what}科室")));
                }
                let person = people::get(tx, handler.trim())?.ok_or_else(|| {
                    IncomingError::InvalidArgument(format!(
                        "{what}科室“{dept}”的承办人“{handler}”不在通讯录中，请重新选择"
                    ))
                })?;
                Ok(DeptAssignee {
                    dept: dept.to_owned(),
                    handler: PersonId::new(person.id),
                })
            };
            let lead = assignee(&input.lead_dept, &input.lead_handler, "主办")?;
            let mut assist = Vec::with_capacity(input.assist.len());
            for (dept, handler) in &input.assist {
                let a = assignee(dept, handler, "协办")?;
                if a.dept == lead.dept {
                    return Err(IncomingError::InvalidArgument(format!(
                        "“{}”已是主办科室，不能同时协办",
                        a.dept
                    )));
                }
                if !assist.iter().any(|x: &DeptAssignee| x.dept == a.dept) {
                    assist.push(a);
                }
            }
            let due = input
                .due
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(|s| parse_due(s, now))
                .transpose()?;
            if input.content_hash.trim().is_empty() {
                return Err(IncomingError::InvalidArgument(
                    "批办前须先阅看正文：请提供所阅看版本的内容哈希".into(),
                ));
            }
            let cmd = Command {
                actor: PersonId::new(me.id.clone()),
                seen_hash: crate::flow::actions::flow_hash(input.content_hash.trim()),
                action: Action::Approve {
                    task: workflow::TaskId::from(task_id),
                    opinion: input
                        .opinion
                        .as_deref()
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned),
                    next_handlers: vec![],
                    assignment: Some(Assignment { lead, assist, due }),
                },
            };
            let dir = DbDirectory { conn: tx };
            let delegations = crate::flow::routes::workflow_delegations(tx)?;
            let ctx = Context::new(now, &dir)
                .with_supervisor(me.is_supervisor())
                .with_delegations(&delegations);
            let (next, events) = workflow::apply(&row.flow, &cmd, &ctx)?;
            let seq = record_act(tx, &row.flow, &next, &row.meta, cmd, &events, now)?;
            Ok(InstructOutcome {
                flow_id,
                seq,
                now_at: next.where_now(&dir),
                status: next.status.label().to_owned(),
            })
        })
    }
}

/// `user`'s open task of the 收文 flow of incoming item `id`, the oldest first.
fn open_task(c: &Connection, id: &str, user: &str) -> Result<Option<String>> {
    Ok(c.prepare_cached(
        "SELECT t.id FROM tasks t
         JOIN incoming_registrations r ON r.flow_id = t.flow_id
         WHERE r.incoming_id = ?1 AND t.assignee = ?2 AND t.state = 'open'
         ORDER BY t.since, t.id LIMIT 1",
    )?
    .query_row([id, user], |r| r.get(0))
    .optional()?)
}

/// The 代字 of the automatic 收文编号: the receiving organ's, else the user's organ.
fn receipt_code(c: &Connection, inc: &Incoming, user: &str) -> Result<String> {
    if !inc.to.code.trim().is_empty() {
        return Ok(inc.to.code.clone());
    }
    let me = people::get(c, user)?.ok_or_else(|| FlowError::UnknownUser(user.to_owned()))?;
    Ok(me.organ)
}

/// The route with the first step after 登记 handled by `chosen` (person ids, validated
/// against the directory; duplicates dropped). Unchanged when `chosen` is empty.
fn with_first_handlers(tx: &Transaction<'_>, mut route: Route, chosen: &[String]) -> Result<Route> {
    let mut handlers: Vec<PersonId> = Vec::new();
    for id in chosen.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if people::get(tx, id)?.is_none() {
            return Err(IncomingError::InvalidArgument(format!(
                "通讯录中没有人员“{id}”，请从通讯录中选择首个办理步骤的办理人"
            )));
        }
        let person = PersonId::from(id);
        if !handlers.contains(&person) {
            handlers.push(person);
        }
    }
    if handlers.is_empty() {
        return Ok(route);
    }
    let name = route.name.clone();
    let step = route
        .steps
        .iter_mut()
        .find(|s| !matches!(s.kind, StepKind::Receive | StepKind::Register))
        .ok_or_else(|| {
            IncomingError::InvalidArgument(format!(
                "流程“{name}”在登记之后没有办理步骤，不能指定办理人"
            ))
        })?;
    step.handlers = handlers;
    Ok(route)
}

/// "收文编号 X；来文单位 Y；文号 Z；密级 …；紧急程度 …；份数 N": the 登记 opinion.
fn describe(r: &Registration) -> String {
    let mut parts = vec![
        format!("收文编号 {}", r.receipt_number),
        format!("来文单位 {}", r.from_organ),
    ];
    if let Some(n) = &r.doc_number {
        parts.push(format!("文号 {n}"));
    }
    if let Some(s) = &r.secrecy {
        parts.push(format!("密级 {s}"));
    }
    if let Some(u) = &r.urgency {
        parts.push(format!("紧急程度 {u}"));
    }
    parts.push(format!("份数 {}", r.copies));
    format!("登记：{}", parts.join("；"))
}

/// Writes an applied command of the owner: outbox row, flow, queue rows, audit.
fn record_act(
    tx: &Transaction<'_>,
    before: &Flow,
    after: &Flow,
    meta: &DocMeta,
    command: Command,
    events: &[Event],
    now: OffsetDateTime,
) -> Result<i64> {
    let id = new_id();
    let args = ActArgs {
        flow: after.id.0.clone(),
        command,
        client_time: now,
    };
    let args = serde_json::to_value(&args).map_err(|e| corrupt(&after.id.0, e))?;
    let seq = flow_outbox::insert(tx, &id, crate::flow::ACT_MUTATION, &after.id.0, &args, now)?;
    rows::update_flow_after(tx, before, after)?;
    rows::mirror_tasks(tx, Some(before), after, meta, Some(seq), now)?;
    crate::flow::audit::append(tx, audit_entries(&id, events))?;
    Ok(seq)
}

fn sanitize(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if "/\\:*?\"<>|".contains(c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    if s.is_empty() || s == "." || s == ".." {
        "附件".into()
    } else {
        s
    }
}

/// Stores an incoming item: its JSON `data` (the text of `item`, the only thing the row
/// holds: the list columns `state`, `from_code`, `from_name` and `delivered_at` are
/// generated from it, migration 0011, so a row of a ≈ 2 KB item takes half a page, not
/// a whole one), and its files.
pub(crate) fn put<D>(
    tx: &Transaction<'_>,
    id: &str,
    item: &Incoming<D>,
    data: &str,
    now: &str,
) -> crate::Result<()> {
    tx.prepare_cached(
        "INSERT INTO incoming (id, data) VALUES (?1, ?2)
         ON CONFLICT (id) DO UPDATE SET data = excluded.data",
    )?
    .execute(params![id, data])?;
    track_files(tx, id, item, now)
}

/// Applies the blob bookkeeping of a pulled incoming item: its files are held by it
/// (`entity_blobs`) and queued for download when not on this device.
pub(crate) fn track_files<D>(
    tx: &Transaction<'_>,
    id: &str,
    data: &Incoming<D>,
    now: &str,
) -> crate::Result<()> {
    tx.prepare_cached("DELETE FROM entity_blobs WHERE kind = 'incoming' AND id = ?1")?
        .execute([id])?;
    for f in data.pdf.iter().chain(&data.attachments) {
        let Some(hash) = parse_ref(&f.blob) else {
            continue;
        };
        tx.prepare_cached(
            "INSERT INTO entity_blobs (kind, id, hash) VALUES ('incoming', ?1, ?2)
             ON CONFLICT DO NOTHING",
        )?
        .execute(params![id, hash])?;
        if !blobs::exists(tx, hash)? {
            tx.prepare_cached(
                "INSERT INTO blob_transfers (hash, direction, size, updated_at)
                 VALUES (?1, 'down', ?2, ?3) ON CONFLICT DO NOTHING",
            )?
            .execute(params![hash, f.size as i64, now])?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongwen_domain::workflow::{Mode, Step};

    /// 签收 → 登记 → 初审 (the template's 王五) → 拟办.
    fn incoming_route() -> Route {
        Route {
            name: "收文（一般）".into(),
            steps: vec![
                Step::new(StepKind::Receive, Mode::Sequential, vec!["sun".into()]),
                Step::new(StepKind::Register, Mode::Sequential, vec!["sun".into()]),
                Step::new(StepKind::PreCheck, Mode::Sequential, vec!["wang".into()]),
                Step::new(StepKind::Propose, Mode::Sequential, vec!["li".into()]),
            ],
        }
    }

    #[test]
    fn the_registrar_chooses_the_first_handlers_after_registration() {
        let (_dir, db) = crate::store::testing::temp_db();
        db.write(|tx| {
            for (id, name) in [
                ("sun", "孙八"),
                ("wang", "王五"),
                ("li", "李四"),
                ("zhao", "赵六"),
            ] {
                tx.execute(
                    "INSERT INTO people (id, name, organ, updated_at)
                     VALUES (?1, ?2, '鹤山市人民政府办公室', '2026-03-01T00:00:00Z')",
                    params![id, name],
                )?;
            }
            // Nobody chosen: the template's handlers.
            assert_eq!(
                with_first_handlers(tx, incoming_route(), &[]).unwrap(),
                incoming_route()
            );
            let blank = [" ".to_owned()];
            assert_eq!(
                with_first_handlers(tx, incoming_route(), &blank).unwrap(),
                incoming_route()
            );
            // Chosen: they replace 初审's handlers, in order, once each; the other steps
            // keep theirs.
            let chosen = ["zhao".to_owned(), " li ".to_owned(), "zhao".to_owned()];
            let route = with_first_handlers(tx, incoming_route(), &chosen).unwrap();
            let handlers = |i: usize| -> Vec<&str> {
                route.steps[i].handlers.iter().map(|p| p.as_str()).collect()
            };
            assert_eq!(handlers(2), ["zhao", "li"]);
            assert_eq!(handlers(0), ["sun"]);
            assert_eq!(handlers(1), ["sun"]);
            assert_eq!(handlers(3), ["li"]);
            assert_eq!(route.steps[2].mode, Mode::Sequential);
            // An unknown person is refused, by name, in Chinese.
            let e = with_first_handlers(tx, incoming_route(), &["qian".to_owned()]).unwrap_err();
            assert!(matches!(e, IncomingError::InvalidArgument(_)), "{e:?}");
            assert!(e.to_string().contains("通讯录中没有人员“qian”"), "{e}");
            // A route with nothing after 登记 has no first handler to choose.
            let mut short = incoming_route();
            short.steps.truncate(2);
            let e = with_first_handlers(tx, short, &["li".to_owned()]).unwrap_err();
            assert!(e.to_string().contains("没有办理步骤"), "{e}");
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn filters_parse_both_languages() {
        assert_eq!(SignFilter::parse("未签收"), Some(SignFilter::Unsigned));
        assert_eq!(SignFilter::parse("signed"), Some(SignFilter::Signed));
        assert_eq!(SignFilter::parse("x"), None);
    }

    #[test]
    fn registration_stages_parse_both_languages() {
        assert_eq!(SignFilter::parse("待登记"), Some(SignFilter::Unregistered));
        assert_eq!(
            SignFilter::parse("registered"),
            Some(SignFilter::Registered)
        );
    }

    #[test]
    fn urgency_and_secrecy_filters_are_checked_and_bound() {
        let f = IncomingFilter {
            urgency: Some("加急".into()),
            secrecy: Some("机密★10年".into()),
            ..Default::default()
        };
        let (clause, args) = where_clause(&f).unwrap();
        assert_eq!(args, ["加急", "机密"]);
        assert!(clause.contains("r.urgency"), "{clause}");
        let plain = IncomingFilter {
            urgency: Some("普通".into()),
            secrecy: Some("非密".into()),
            ..Default::default()
        };
        let (clause, args) = where_clause(&plain).unwrap();
        assert!(args.is_empty());
        assert_eq!(clause.matches("IS NULL").count(), 2, "{clause}");
        let bad = IncomingFilter {
            urgency: Some("很急".into()),
            ..Default::default()
        };
        assert!(
            where_clause(&bad)
                .unwrap_err()
                .to_string()
                .contains("特急、加急")
        );
        let bad = IncomingFilter {
            secrecy: Some("内部".into()),
            ..Default::default()
        };
        assert!(
            where_clause(&bad)
                .unwrap_err()
                .to_string()
                .contains("秘密、机密、绝密")
        );
    }

    #[test]
    fn a_due_date_is_the_end_of_that_day_in_china_and_must_lie_ahead() {
        let now = time::macros::datetime!(2026-11-28 10:00 +08:00);
        assert_eq!(
            parse_due("2026-12-05", now).unwrap(),
            time::macros::datetime!(2026-12-05 23:59:59 +08:00)
        );
        assert_eq!(
            parse_due("2026-11-28", now).unwrap(),
            time::macros::datetime!(2026-11-28 23:59:59 +08:00),
            "today still counts"
        );
        assert!(
            parse_due("2026-11-27", now)
                .unwrap_err()
                .to_string()
                .contains("已经过去")
        );
        assert!(
            parse_due("下周五", now)
                .unwrap_err()
                .to_string()
                .contains("YYYY-MM-DD")
        );
    }

    #[test]
    fn an_organ_on_the_list_matches_a_receipt_by_name_or_code() {
        let o = OrganRef {
            code: "鹤山镇".into(),
            name: "鹤山镇人民政府".into(),
        };
        assert!(same_organ("鹤山镇人民政府", &o));
        assert!(same_organ(" 鹤山镇 ", &o));
        assert!(!same_organ("共和镇人民政府", &o));
        assert!(!same_organ("", &o));
    }

    #[test]
    fn bad_dates_are_refused_in_plain_words() {
        let f = IncomingFilter {
            since: Some("2026/1/1".into()),
            ..Default::default()
        };
        let e = where_clause(&f).unwrap_err();
        assert!(e.to_string().contains("YYYY-MM-DD"), "{e}");
        assert_eq!(e.code(), "invalid_argument");
    }

    #[test]
    fn the_registration_opinion_lists_the_particulars() {
        let r = Registration {
            incoming_id: "i".into(),
            flow_id: "f".into(),
            receipt_number: "鹤山镇收〔2026〕1号".into(),
            from_organ: "鹤山市人民政府办公室".into(),
            doc_number: Some("鹤府办〔2026〕3号".into()),
            secrecy: None,
            urgency: Some("加急".into()),
            copies: 2,
            registered_by: "sun".into(),
            registered_at: "2026-01-01T00:00:00+08:00".into(),
        };
        assert_eq!(
            describe(&r),
            "登记：收文编号 鹤山镇收〔2026〕1号；来文单位 鹤山市人民政府办公室；文号 鹤府办〔2026〕3号；紧急程度 加急；份数 2"
        );
    }

    #[test]
    fn secrecy_and_urgency_are_checked() {
        assert!(check_secrecy("秘密★1年").is_ok());
        assert!(check_secrecy("内部").is_err());
        assert!(parse_urgency("特急").is_ok());
        assert!(parse_urgency("急").is_err());
    }
}
