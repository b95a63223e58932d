//! 发文登记簿: the register of this organ's outgoing documents (发文) that got a 文号 at
//! 登记, with where each stands after it (印制, 核发) and how many recipient organs signed
//! for it (回执).
//!
//! # Where the rows come from
//!
//! The local store only, so the register works offline. It holds what this device holds:
//! a 发文's draft and flows reach the devices of the document's members (the drafter and
//! everyone who handled one of its steps, so the 文书 who registered and dispatched it too),
//! and the 文号 the server allocated at 登记 arrives with the flow and is kept on the draft
//! row (`drafts.doc_number`, written by the sync's apply). Someone who took no part in a
//! document does not have it and does not see it here. A document registered on this
//! device while offline is listed at once, without a number (待编号), until the next sync
//! brings the number the server allocated.
//!
//! # Which documents
//!
//! For each document, its newest 发文 flow, when that flow has passed 登记 (a run of its
//! 登记 step completed, or the whole flow completed) and the document either has a 文号 on
//! this device or the flow has local commands waiting for the server. A 文号 typed into a
//! draft by its drafter does not put the draft in the register before its 登记.
//!
//! The query starts from the drafts that have a number and the flows with pending
//! commands (never a scan of every flow's JSON); only flows still running, or terminated,
//! have their JSON looked at to see whether 登记 completed.
//!
//! # Order and paging
//!
//! Newest number first: by the 文号's year, then its sequence within the year (documents
//! still waiting for their number come first, they are the newest); `ascending` turns it
//! round. Pages of at most [`MAX_PAGE`] rows with `has_more`, like the queues. The 回执
//! filters (待签收, 已签收) need each document's distribution list, so they are applied
//! while reading, over the rows the other filters leave (one year by default).

use gongwen_domain::Document;
use gongwen_domain::workflow::{Flow, FlowStatus, RunOutcome, StepKind, TaskState};
use gongwen_protocol::exchange::{OrganRef, Receipt};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params_from_iter};
use serde::{Deserialize, Serialize};

use crate::Client;
use crate::flow::people::DbDirectory;
use crate::flow::rows::{self, CST, ts};
use crate::flow::{FlowError, FlowView, Result};
use crate::incoming::{RecipientReceipt, SentReceipts};

/// The largest page.
pub const MAX_PAGE: usize = 200;

/// The 回执 filter of the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ReceiptFilter {
    /// 未核发: registered, not sent yet (待印制, 待核发, returned or terminated).
    NotDispatched,
    /// 待签收: sent, and some recipient organ has not signed for it yet.
    Waiting,
    /// 已签收: sent, and every recipient organ signed for it.
    Complete,
}

impl ReceiptFilter {
    pub fn label(self) -> &'static str {
        match self {
            ReceiptFilter::NotDispatched => "未核发",
            ReceiptFilter::Waiting => "待签收",
            ReceiptFilter::Complete => "已签收",
        }
    }

    /// Parses `not-dispatched`, `waiting`, `complete` (or camelCase, or the zh label).
    pub fn parse(s: &str) -> Option<ReceiptFilter> {
        Some(match s.trim() {
            "not-dispatched" | "notDispatched" | "未核发" => ReceiptFilter::NotDispatched,
            "waiting" | "待签收" | "有未签收" => ReceiptFilter::Waiting,
            "complete" | "已签收" | "全部签收" | "已全部签收" => {
                ReceiptFilter::Complete
            }
            _ => return None,
        })
    }
}

/// Where a registered document stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueState {
    /// Registered, then returned to an earlier step (or to 登记 again): still being handled.
    InProgress,
    /// 待印制: at 印制.
    ToPrint,
    /// 待核发: printed (or no 印制 step), at 核发.
    ToDispatch,
    /// 已核发: sent to its recipient organs.
    Dispatched,
    /// 已终止 after 登记: the number stays taken, the document was not sent.
    Terminated,
}

impl IssueState {
    pub fn label(self) -> &'static str {
        match self {
            IssueState::InProgress => "办理中",
            IssueState::ToPrint => "待印制",
            IssueState::ToDispatch => "待核发",
            IssueState::Dispatched => "已核发",
            IssueState::Terminated => "已终止",
        }
    }
}

/// Filters of the register; every one given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OutgoingFilter {
    /// The year of the 文号 (None: every year). Documents still waiting for their number
    /// belong to the current year (the server numbers them in the year it gets them).
    pub year: Option<i32>,
    /// 文种 name, e.g. 通知.
    pub doc_type: Option<String>,
    /// Text in the title or the 文号 (鹤府办[2026]3号 finds 鹤府办〔2026〕3号).
    pub text: Option<String>,
    pub receipts: Option<ReceiptFilter>,
    /// Oldest number first (by default the newest comes first).
    pub ascending: bool,
}

/// One document of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutgoingItem {
    /// The document (its draft) and its newest 发文 flow.
    pub document_id: String,
    pub flow_id: String,
    /// 文号 in the standard form (鹤府办〔2026〕3号); None while 登记 done on this device
    /// waits for the server to allocate it (待编号).
    pub doc_number: Option<String>,
    /// The 文号's year and sequence (the register's order).
    pub year: Option<i32>,
    pub seq: Option<u32>,
    pub title: String,
    pub doc_type: Option<String>,
    /// 特急 / 加急.
    pub urgency: Option<String>,
    /// 密级 with its 保密期限 (机密★1年); None for 非密.
    pub secrecy: Option<String>,
    /// 主送机关.
    pub main_recipients: Vec<String>,
    /// 签发人: who approved at 签发 ("李四 代 张三" for a delegate), else the document's own.
    pub signers: Vec<String>,
    /// 成文日期, `YYYY-MM-DD`.
    pub doc_date: Option<String>,
    /// When 登记 completed (RFC 3339, UTC).
    pub registered_at: Option<String>,
    pub state: IssueState,
    /// 待印制, 待核发, 已核发 …
    pub state_label: String,
    /// Where the document is now ("印制（周九）", 已办结 …).
    pub now_at: String,
    /// When 核发 completed (RFC 3339, UTC).
    pub dispatched_at: Option<String>,
    /// Recipient organs that signed (回执), and all the recipients known: the 主送 and
    /// 抄送 of the document, plus any other organ that signed.
    pub receipts_signed: u32,
    pub receipts_total: u32,
    /// The flow has local commands the server has not confirmed yet (待同步).
    pub pending_sync: bool,
}

/// One page of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutgoingPage {
    pub items: Vec<OutgoingItem>,
    pub has_more: bool,
    /// Rows matching the filters, over every page.
    pub total: u64,
    /// The years that have registered documents, newest first (for the year filter).
    pub years: Vec<i32>,
}

/// One registered document: as it prints, its flow and its 回执.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutgoingDetail {
    pub item: OutgoingItem,
    /// The version that went through the flow, with its 文号; None when its text is not
    /// on this device.
    pub document: Option<Document>,
    pub flow: FlowView,
    /// Each recipient organ, signed or not.
    pub receipts: SentReceipts,
}

/// A 文号 stored on this device, as SQL over `d.doc_number`: present and not blank.
const NUMBERED: &str = "(coalesce(trim(d.doc_number), '') <> '')";
/// The 文号's year and sequence (鹤府办〔2026〕3号 → 2026, 3) and its 代字.
const YEAR: &str = "CAST(substr(d.doc_number, instr(d.doc_number, '〔') + 1, 4) AS INTEGER)";
const SEQ: &str = "CAST(substr(d.doc_number, instr(d.doc_number, '〕') + 1) AS INTEGER)";
const PREFIX: &str = "substr(d.doc_number, 1, instr(d.doc_number, '〔'))";
/// The flow has local commands waiting for the server.
const PENDING: &str =
    "EXISTS (SELECT 1 FROM outbox o WHERE o.entity_id = f.id AND o.state = 'pending')";

/// Every registered document (see the module docs), before the filters: the drafts with a
/// number and the flows with pending commands, each document's newest 发文 flow, and only
/// those past 登记.
fn base() -> String {
    format!(
        "FROM (SELECT id AS document_id FROM drafts
                WHERE coalesce(trim(doc_number), '') <> ''
               UNION
               SELECT p.document_id FROM outbox o JOIN flows p ON p.id = o.entity_id
                WHERE o.state = 'pending' AND p.kind = 'outgoing') c
         JOIN flows f ON f.id = (SELECT l.id FROM flows l
                                 WHERE l.document_id = c.document_id AND l.kind = 'outgoing'
                                 ORDER BY l.created_at DESC, l.id DESC LIMIT 1)
         LEFT JOIN drafts d ON d.id = c.document_id
         WHERE ({NUMBERED} OR {PENDING})
           AND (f.status = 'completed' OR EXISTS (
                SELECT 1 FROM json_each(f.flow_json, '$.runs') r
                WHERE json_extract(r.value, '$.outcome.outcome') = 'completed'
                  AND json_extract(f.flow_json,
                        '$.route.steps[' || json_extract(r.value, '$.step') || '].kind') = 'register'))"
    )
}

/// `%text%` for LIKE … ESCAPE '\'.
fn like(text: &str) -> String {
    let mut out = String::from("%");
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

/// A 文号 as people type it, in the stored form: 〔〕 for the other brackets, no spaces.
fn number_form(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '[' | '【' | '（' | '(' | '［' => '〔',
            ']' | '】' | '）' | ')' | '］' => '〕',
            other => other,
        })
        .collect()
}

/// The WHERE additions and their arguments for the filters that SQL decides.
fn conditions(filter: &OutgoingFilter, this_year: i32) -> Result<(String, Vec<Value>)> {
    let mut cond = String::new();
    let mut args = Vec::new();
    if let Some(year) = filter.year {
        if !(1000..=9999).contains(&year) {
            return Err(FlowError::InvalidArgument(format!(
                "年份“{year}”不对，应为四位数字，如 {this_year}"
            )));
        }
        if year == this_year {
            cond.push_str(&format!(" AND (NOT {NUMBERED} OR {YEAR} = ?)"));
        } else {
            cond.push_str(&format!(" AND {NUMBERED} AND {YEAR} = ?"));
        }
        args.push(Value::Integer(year.into()));
    }
    if let Some(t) = filter
        .doc_type
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        cond.push_str(" AND f.doc_type = ?");
        args.push(Value::Text(t.to_owned()));
    }
    if let Some(text) = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        cond.push_str(
            " AND (coalesce(d.title, f.title) LIKE ? ESCAPE '\\'
                   OR coalesce(d.doc_number, '') LIKE ? ESCAPE '\\')",
        );
        args.push(Value::Text(like(text)));
        args.push(Value::Text(like(&number_form(text))));
    }
    match filter.receipts {
        None => {}
        Some(ReceiptFilter::NotDispatched) => cond.push_str(" AND f.status <> 'completed'"),
        Some(ReceiptFilter::Waiting | ReceiptFilter::Complete) => {
            cond.push_str(" AND f.status = 'completed'")
        }
    }
    Ok((cond, args))
}

fn order(ascending: bool) -> String {
    if ascending {
        format!("{NUMBERED} DESC, {YEAR}, {PREFIX}, {SEQ}, f.created_at, f.id")
    } else {
        format!("{NUMBERED}, {YEAR} DESC, {PREFIX}, {SEQ} DESC, f.created_at DESC, f.id DESC")
    }
}

/// A row of the base query.
struct Candidate {
    flow_id: String,
    document_id: String,
    version: Option<i64>,
    doc_number: Option<String>,
    pending: bool,
}

const CANDIDATE_COLS: &str =
    "f.id, f.document_id, coalesce(f.doc_version, d.head_version), d.doc_number";

fn candidate(r: &rusqlite::Row<'_>) -> rusqlite::Result<Candidate> {
    Ok(Candidate {
        flow_id: r.get(0)?,
        document_id: r.get(1)?,
        version: r.get(2)?,
        doc_number: r
            .get::<_, Option<String>>(3)?
            .filter(|n| !n.trim().is_empty()),
        pending: r.get(4)?,
    })
}

/// The 文号 in the standard form when it parses, else as stored; with its year and seq.
fn parsed_number(stored: &str) -> (String, Option<i32>, Option<u32>) {
    match stored.trim().parse::<gongwen_domain::DocNumber>() {
        Ok(n) => (n.to_string(), Some(i32::from(n.year)), Some(n.seq)),
        Err(_) => (stored.trim().to_owned(), None, None),
    }
}

/// The 主送 and 抄送 organs of a document, in order, each once.
fn listed_organs<'a>(organs: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    let mut listed: Vec<String> = Vec::new();
    for o in organs {
        let o = o.trim();
        if !o.is_empty() && !listed.iter().any(|l| l == o) {
            listed.push(o.to_owned());
        }
    }
    listed
}

/// Whether an organ named on the distribution list is the one a 回执 names.
fn same_organ(listed: &str, organ: &OrganRef) -> bool {
    let listed = listed.trim();
    !listed.is_empty() && (listed == organ.name.trim() || listed == organ.code.trim())
}

/// A 回执 as stored, with when it arrived here.
struct StoredReceipt {
    receipt: Receipt,
    received_at: String,
}

fn receipts_of(c: &Connection, document_id: &str) -> Result<Vec<StoredReceipt>> {
    let mut stmt = c.prepare_cached(
        "SELECT data, received_at FROM receipts WHERE document_id = ?1 ORDER BY signed_at DESC, id",
    )?;
    let rows: Vec<(String, String)> = stmt
        .query_map([document_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    rows.into_iter()
        .map(|(data, received_at)| {
            let receipt = serde_json::from_str(&data)
                .map_err(|e| FlowError::Corrupt(format!("回执：{e}")))?;
            Ok(StoredReceipt {
                receipt,
                received_at,
            })
        })
        .collect()
}

/// Each listed organ signed or not, then any other organ that signed.
fn recipient_lines(listed: &[String], receipts: &[StoredReceipt]) -> Vec<RecipientReceipt> {
    let mut lines: Vec<RecipientReceipt> = listed
        .iter()
        .map(|organ| {
            let signed = receipts
                .iter()
                .map(|s| &s.receipt)
                .find(|r| same_organ(organ, &r.recipient));
            RecipientReceipt {
                organ: organ.clone(),
                code: signed.map(|r| r.recipient.code.clone()),
                signed: signed.is_some(),
                signed_by: signed.map(|r| r.signed_by.clone()),
                signed_at: signed.map(|r| r.signed_at.clone()),
            }
        })
        .collect();
    for r in receipts.iter().map(|s| &s.receipt) {
        let known = listed.iter().any(|o| same_organ(o, &r.recipient))
            || lines
                .iter()
                .any(|l| l.code.as_deref() == Some(r.recipient.code.as_str()));
        if !known {
            lines.push(RecipientReceipt {
                organ: r.recipient.name.clone(),
                code: Some(r.recipient.code.clone()),
                signed: true,
                signed_by: Some(r.signed_by.clone()),
                signed_at: Some(r.signed_at.clone()),
            });
        }
    }
    lines
}

fn count(lines: &[RecipientReceipt]) -> (u32, u32) {
    let signed = lines.iter().filter(|l| l.signed).count();
    (
        u32::try_from(signed).unwrap_or(u32::MAX),
        u32::try_from(lines.len()).unwrap_or(u32::MAX),
    )
}

/// (signed, total) of a document's 回执 without reading the whole document: its 主送
/// and 抄送 straight from the stored JSON.
fn receipt_counts(c: &Connection, cand: &Candidate) -> Result<(u32, u32)> {
    let lists: Option<(Option<String>, Option<String>)> = match cand.version {
        Some(v) => c
            .prepare_cached(
                "SELECT json_extract(content, '$.main_recipients'), json_extract(content, '$.cc')
                 FROM draft_versions WHERE draft_id = ?1 AND version = ?2",
            )?
            .query_row((&cand.document_id, v), |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?,
        None => None,
    };
    let parse = |json: Option<String>| -> Vec<String> {
        json.and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default()
    };
    let (main, cc) = lists.unwrap_or_default();
    let (main, cc) = (parse(main), parse(cc));
    let listed = listed_organs(main.iter().chain(&cc));
    Ok(count(&recipient_lines(
        &listed,
        &receipts_of(c, &cand.document_id)?,
    )))
}

/// The document at `version`, when its text is on this device.
fn document_at(c: &Connection, id: &str, version: Option<i64>) -> Result<Option<Document>> {
    let Some(v) = version else {
        return Ok(None);
    };
    match crate::store::drafts::version(c, id, v) {
        Ok(row) => Ok(Some(
            Document::from_json(&row.content).map_err(|e| FlowError::Corrupt(e.to_string()))?,
        )),
        Err(crate::Error::DraftNotFound(_) | crate::Error::VersionNotFound { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The end of the newest run of a step of `kind` that completed.
fn completed_at(flow: &Flow, kind: StepKind) -> Option<time::OffsetDateTime> {
    flow.runs
        .iter()
        .filter(|r| flow.route.steps.get(r.step).is_some_and(|s| s.kind == kind))
        .filter_map(|r| match r.outcome {
            Some(RunOutcome::Completed { at }) => Some(at),
            _ => None,
        })
        .max()
}

/// 签发人: the approvals of the newest completed run of the 签发 step.
fn signers_of(flow: &Flow, dir: &DbDirectory<'_>) -> Vec<String> {
    let run = flow
        .runs
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            flow.route
                .steps
                .get(r.step)
                .is_some_and(|s| s.kind == StepKind::Sign)
                && matches!(r.outcome, Some(RunOutcome::Completed { .. }))
        })
        .map(|(i, _)| i)
        .next_back();
    let Some(run) = run else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for t in flow
        .tasks
        .iter()
        .filter(|t| t.run == run && t.state == TaskState::Approved)
    {
        if let Some(a) = &t.acted {
            let s = a.signature(dir);
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

fn issue_state(flow: &Flow) -> IssueState {
    match &flow.status {
        FlowStatus::Completed { .. } => IssueState::Dispatched,
        FlowStatus::Terminated { .. } | FlowStatus::SentBack { .. } => IssueState::Terminated,
        FlowStatus::Running { step, .. } => match flow.route.steps.get(*step).map(|s| s.kind) {
            Some(StepKind::Print) => IssueState::ToPrint,
            Some(StepKind::Dispatch) => IssueState::ToDispatch,
            _ => IssueState::InProgress,
        },
    }
}

/// Everything the register shows of one candidate, with the document and its 回执.
fn read_item(
    c: &Connection,
    cand: &Candidate,
) -> Result<(OutgoingItem, Option<Document>, SentReceipts)> {
    let fr = rows::load_flow(c, &cand.flow_id)?
        .ok_or_else(|| FlowError::FlowNotFound(cand.flow_id.clone()))?;
    let flow = &fr.flow;
    let dir = DbDirectory { conn: c };
    let number = cand.doc_number.as_deref().map(parsed_number);
    let mut document = document_at(c, &cand.document_id, cand.version)?;
    // The version that went through the flow predates 登记: it prints with the number.
    if let (Some(doc), Some((text, _, _))) = (document.as_mut(), &number)
        && let Ok(n) = text.parse()
    {
        doc.doc_number = Some(n);
    }
    let receipts = receipts_of(c, &cand.document_id)?;
    let listed = document
        .as_ref()
        .map(|d| listed_organs(d.main_recipients.iter().chain(&d.cc)))
        .unwrap_or_default();
    let lines = recipient_lines(&listed, &receipts);
    let (signed, total) = count(&lines);
    let title = document
        .as_ref()
        .map(|d| d.title.trim())
        .filter(|t| !t.is_empty())
        .map_or_else(|| fr.meta.title.clone(), str::to_owned);
    let signers = match signers_of(flow, &dir) {
        s if s.is_empty() => document
            .as_ref()
            .map(|d| d.signers.clone())
            .unwrap_or_default(),
        s => s,
    };
    let state = issue_state(flow);
    let dispatched_at = match &flow.status {
        FlowStatus::Completed { at } => Some(completed_at(flow, StepKind::Dispatch).unwrap_or(*at)),
        _ => None,
    };
    let (doc_number, year, seq) = match number {
        Some((text, year, seq)) => (Some(text), year, seq),
        None => (None, None, None),
    };
    let item = OutgoingItem {
        document_id: cand.document_id.clone(),
        flow_id: cand.flow_id.clone(),
        doc_number: doc_number.clone(),
        year,
        seq,
        title: title.clone(),
        doc_type: fr.meta.doc_type.clone().or_else(|| {
            document
                .as_ref()
                .and_then(|d| d.doc_type.map(|t| t.name().to_owned()))
        }),
        urgency: fr
            .meta
            .urgency
            .or_else(|| document.as_ref().and_then(|d| d.urgency))
            .map(|u| u.name().to_owned()),
        secrecy: document
            .as_ref()
            .and_then(|d| d.secrecy.as_ref())
            .map(ToString::to_string),
        main_recipients: document
            .as_ref()
            .map(|d| listed_organs(&d.main_recipients))
            .unwrap_or_default(),
        signers,
        doc_date: document
            .as_ref()
            .and_then(|d| d.date)
            .map(|d| d.to_string()),
        registered_at: completed_at(flow, StepKind::Register).map(ts),
        state,
        state_label: state.label().to_owned(),
        now_at: flow.where_now(&dir),
        dispatched_at: dispatched_at.map(ts),
        receipts_signed: signed,
        receipts_total: total,
        pending_sync: cand.pending,
    };
    let sent = SentReceipts {
        document_id: cand.document_id.clone(),
        title,
        doc_number,
        recipients: lines,
        signed,
        total,
        latest: receipts.iter().map(|r| r.received_at.clone()).max(),
    };
    Ok((item, document, sent))
}

impl Client {
    /// One page of the 发文登记簿 (see the module docs): registered 发文, newest number
    /// first, filtered. `limit` is at most [`MAX_PAGE`].
    pub fn outgoing_register(
        &self,
        filter: &OutgoingFilter,
        offset: usize,
        limit: usize,
    ) -> Result<OutgoingPage> {
        let limit = limit.clamp(1, MAX_PAGE);
        let this_year = self.now().to_offset(CST).year();
        let (cond, args) = conditions(filter, this_year)?;
        let base = base();
        let order = order(filter.ascending);
        let select = format!("SELECT {CANDIDATE_COLS}, {PENDING} {base}{cond} ORDER BY {order}");
        // 待签收 and 已签收 depend on each document's distribution list: decided here.
        let by_receipts = match filter.receipts {
            Some(f @ (ReceiptFilter::Waiting | ReceiptFilter::Complete)) => Some(f),
            _ => None,
        };
        crate::flow::read(&self.db, |c| {
            let (page, has_more, total) = match by_receipts {
                None => {
                    let total: i64 = c
                        .prepare_cached(&format!("SELECT count(*) {base}{cond}"))?
                        .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
                    let mut paged = args.clone();
                    paged.push(Value::Integer(i64::try_from(limit + 1).unwrap_or(i64::MAX)));
                    paged.push(Value::Integer(i64::try_from(offset).unwrap_or(i64::MAX)));
                    let mut rows: Vec<Candidate> = c
                        .prepare_cached(&format!("{select} LIMIT ? OFFSET ?"))?
                        .query_map(params_from_iter(paged.iter()), candidate)?
                        .collect::<rusqlite::Result<_>>()?;
                    let has_more = rows.len() > limit;
                    rows.truncate(limit);
                    (rows, has_more, u64::try_from(total).unwrap_or(0))
                }
                Some(wanted) => {
                    let all: Vec<Candidate> = c
                        .prepare_cached(&select)?
                        .query_map(params_from_iter(args.iter()), candidate)?
                        .collect::<rusqlite::Result<_>>()?;
                    let mut matching = Vec::new();
                    for cand in all {
                        let (signed, total) = receipt_counts(c, &cand)?;
                        let waiting = signed < total;
                        if waiting == (wanted == ReceiptFilter::Waiting) {
                            matching.push(cand);
                        }
                    }
                    let total = matching.len() as u64;
                    let has_more = matching.len() > offset.saturating_add(limit);
                    let page: Vec<Candidate> =
                        matching.into_iter().skip(offset).take(limit).collect();
                    (page, has_more, total)
                }
            };
            let items = page
                .iter()
                .map(|cand| read_item(c, cand).map(|(item, _, _)| item))
                .collect::<Result<Vec<_>>>()?;
            let years: Vec<Option<i32>> = c
                .prepare_cached(&format!(
                    "SELECT DISTINCT CASE WHEN {NUMBERED} THEN {YEAR} ELSE ? END AS y
                     {base} ORDER BY y DESC"
                ))?
                .query_map([this_year], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            // A number not in the standard form has no year to offer.
            let years = years.into_iter().flatten().filter(|y| *y > 0).collect();
            Ok(OutgoingPage {
                items,
                has_more,
                total,
                years,
            })
        })
    }

    /// One document of the register, by its document (draft) id or its flow id: the
    /// version that went through the flow as it prints (with its 文号), the flow, and each
    /// recipient organ's 回执.
    pub fn outgoing_detail(&self, id: &str) -> Result<OutgoingDetail> {
        let (item, document, receipts) = crate::flow::read(&self.db, |c| {
            let sql = format!(
                "SELECT {CANDIDATE_COLS}, {PENDING}
                 FROM flows f LEFT JOIN drafts d ON d.id = f.document_id
                 WHERE f.kind = 'outgoing' AND (f.document_id = ?1 OR f.id = ?1)
                 ORDER BY f.created_at DESC, f.id DESC LIMIT 1"
            );
            let cand = c
                .prepare_cached(&sql)?
                .query_row([id], candidate)
                .optional()?
                .ok_or_else(|| FlowError::FlowNotFound(id.to_owned()))?;
            read_item(c, &cand)
        })?;
        let flow = self.flow_view(&item.flow_id)?;
        Ok(OutgoingDetail {
            item,
            document,
            flow,
            receipts,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};

    use gongwen_domain::DocNumber;
    use gongwen_protocol::exchange::PersonRef;
    use time::OffsetDateTime;

    use super::*;
    use crate::api::OpenOptions;
    use crate::flow::{Person, QueueFilter, QueueKind};
    use crate::key::{Key, StaticKey};

    const ORGAN: &str = "鹤山市人民政府办公室";
    const EXAMPLE: &str = include_str!("../../../docs/examples/notice-full.json");

    struct Env {
        _dir: tempfile::TempDir,
        clock: Arc<AtomicI64>,
        client: Client,
    }

    impl Env {
        /// A store with one office's directory, as the drafter 张三; the clock at
        /// 2026-03-02 09:00 China time.
        fn new() -> Env {
            let dir = tempfile::tempdir().unwrap();
            let clock = Arc::new(AtomicI64::new(1_772_413_200));
            let now = clock.clone();
            let client = OpenOptions::new(dir.path())
                .create(true)
                .keys(Arc::new(StaticKey(Key::from_bytes([9; 32]))))
                .user("zhang")
                .clock(Arc::new(move || {
                    OffsetDateTime::from_unix_timestamp(now.load(Ordering::SeqCst)).unwrap()
                }))
                .open()
                .unwrap();
            for (id, name, roles) in [
                ("zhang", "张三", vec![]),
                ("li", "李四", vec!["部门负责人"]),
                ("wang", "王五", vec!["办公室主任"]),
                ("zhao", "赵六", vec!["分管领导"]),
                ("qian", "钱七", vec!["核稿人"]),
                ("sun", "孙八", vec!["文书"]),
                ("zhou", "周九", vec!["文印"]),
            ] {
                client
                    .add_person(&Person {
                        id: id.into(),
                        name: name.into(),
                        organ: ORGAN.into(),
                        dept: "办公室".into(),
                        roles: roles.into_iter().map(String::from).collect(),
                    })
                    .unwrap();
            }
            Env {
                _dir: dir,
                clock,
                client,
            }
        }

        fn advance_hours(&self, h: i64) {
            self.clock.fetch_add(h * 3600, Ordering::SeqCst);
        }

        /// A draft of the example with `title` and no typed 文号 unless `typed`; sent on
        /// its way (送审) by 张三. Returns (draft, flow).
        fn submit(&mut self, title: &str, typed: Option<&str>) -> (String, String) {
            let mut doc = Document::from_json(EXAMPLE).unwrap();
            doc.title = title.to_owned();
            doc.doc_number = typed.map(|t| t.parse::<DocNumber>().unwrap());
            self.client.set_user_name("zhang").unwrap();
            let draft = self.client.create_draft(doc).unwrap().draft_id;
            let flow = self.client.submit_draft(&draft, None).unwrap().flow_id;
            (draft, flow)
        }

        /// `user` approves their open task in `flow`.
        fn approve(&mut self, user: &str, flow: &str) {
            self.client.set_user_name(user).unwrap();
            let page = self
                .client
                .queue(QueueKind::Todo, &QueueFilter::default(), 0, 50)
                .unwrap();
            let task = page
                .items
                .iter()
                .find(|i| i.flow_id == flow)
                .and_then(|i| i.task_id.clone())
                .unwrap_or_else(|| panic!("{user} has no task in {flow}"));
            let hash = self.client.task_view(&task).unwrap().content_hash;
            self.client
                .act(&task, "approve", None, None, None, Some(&hash))
                .unwrap();
        }

        /// Through 审核, 签发, 复核 and 登记.
        fn register(&mut self, flow: &str) {
            for user in ["li", "wang", "zhao", "qian", "sun"] {
                self.approve(user, flow);
            }
        }

        /// 印制 and 核发 after 登记.
        fn dispatch(&mut self, flow: &str) {
            self.approve("zhou", flow);
            self.approve("sun", flow);
        }

        /// What the sync writes when the server's flow comes back with its 文号.
        fn numbered(&self, draft: &str, number: &str) {
            self.client
                .db
                .write(|tx| {
                    tx.execute(
                        "UPDATE drafts SET doc_number = ?2 WHERE id = ?1",
                        (draft, number),
                    )?;
                    Ok(())
                })
                .unwrap();
        }

        /// The server confirmed every local command (the outbox is empty again).
        fn confirmed(&self) {
            self.client
                .db
                .write(|tx| {
                    tx.execute("DELETE FROM outbox", [])?;
                    Ok(())
                })
                .unwrap();
        }

        fn register_page(&self, filter: OutgoingFilter) -> OutgoingPage {
            self.client.outgoing_register(&filter, 0, 50).unwrap()
        }
    }

    fn numbers(page: &OutgoingPage) -> Vec<Option<&str>> {
        page.items.iter().map(|i| i.doc_number.as_deref()).collect()
    }

    #[test]
    fn a_registered_flow_is_listed_and_one_before_registration_is_not() {
        let mut env = Env::new();
        // A drafter typed a 文号 into this one: still not registered (it is at 签发).
        let (_early, early_flow) = env.submit("关于尚在签发的通知", Some("鹤府〔2026〕99号"));
        env.approve("li", &early_flow);
        env.approve("wang", &early_flow);
        let (draft, flow) = env.submit("关于开展安全生产大检查的通知", None);
        env.register(&flow);

        // Registered here while offline: listed at once, waiting for its number.
        let page = env.register_page(OutgoingFilter::default());
        assert_eq!(numbers(&page), [None], "{page:#?}");
        let item = &page.items[0];
        assert_eq!(item.document_id, draft);
        assert_eq!(item.flow_id, flow);
        assert_eq!(item.state, IssueState::ToPrint);
        assert_eq!(item.state_label, "待印制");
        assert_eq!(item.now_at, "印制（周九）");
        assert!(item.pending_sync);
        assert_eq!(item.signers, ["赵六"]);
        assert_eq!(item.secrecy.as_deref(), Some("秘密★1年"));
        assert_eq!(item.urgency.as_deref(), Some("特急"));
        assert_eq!(item.doc_type.as_deref(), Some("通知"));
        assert_eq!(item.doc_date.as_deref(), Some("2026-11-28"));
        assert_eq!(
            item.main_recipients,
            ["各镇人民政府", "市政府各部门", "各直属机构"]
        );
        assert!(item.registered_at.is_some());
        assert_eq!(item.dispatched_at, None);
        assert_eq!((item.receipts_signed, item.receipts_total), (0, 6));
        assert_eq!(page.total, 1);
        assert!(!page.has_more);
        assert_eq!(page.years, [2026], "waiting for a number counts this year");

        // The sync brings the number and confirms the commands.
        env.numbered(&draft, "鹤府办〔2026〕7号");
        env.confirmed();
        let page = env.register_page(OutgoingFilter::default());
        assert_eq!(numbers(&page), [Some("鹤府办〔2026〕7号")]);
        assert_eq!(page.items[0].year, Some(2026));
        assert_eq!(page.items[0].seq, Some(7));
        assert!(!page.items[0].pending_sync);

        // The detail prints with the number, and has the flow.
        let detail = env.client.outgoing_detail(&draft).unwrap();
        let doc = detail.document.expect("the text is on this device");
        assert_eq!(doc.doc_number.unwrap().to_string(), "鹤府办〔2026〕7号");
        assert_eq!(doc.title, "关于开展安全生产大检查的通知");
        assert_eq!(detail.flow.flow_id, flow);
        assert_eq!(detail.receipts.total, 6);
        assert_eq!(
            env.client.outgoing_detail(&flow).unwrap().item.document_id,
            draft,
            "a flow id finds it too"
        );
        assert!(matches!(
            env.client.outgoing_detail("no-such-document"),
            Err(FlowError::FlowNotFound(_))
        ));
    }

    #[test]
    fn dispatch_and_receipt_counts_follow_the_flow_and_the_receipts() {
        let mut env = Env::new();
        let (draft, flow) = env.submit("关于做好防汛工作的通知", None);
        env.register(&flow);
        env.numbered(&draft, "鹤府办〔2026〕3号");
        env.advance_hours(2);
        env.dispatch(&flow);
        let item = &env.register_page(OutgoingFilter::default()).items[0];
        assert_eq!(item.state, IssueState::Dispatched);
        assert_eq!(item.state_label, "已核发");
        assert!(item.dispatched_at.is_some());
        assert_eq!((item.receipts_signed, item.receipts_total), (0, 6));

        let receipt = |id: &str, code: &str, name: &str| Receipt {
            id: id.into(),
            incoming_id: format!("{id}-in"),
            exchange_id: format!("{id}-x"),
            document_id: draft.clone(),
            title: "关于做好防汛工作的通知".into(),
            doc_number: Some("鹤府办〔2026〕3号".into()),
            recipient: OrganRef {
                code: code.into(),
                name: name.into(),
            },
            signed_by: PersonRef {
                login: format!("{code}-clerk"),
                display_name: "黄秘书".into(),
            },
            signed_at: "2026-03-02T10:00:00+08:00".into(),
        };
        // Two listed organs (one by its 代字), and one not on the list.
        env.client
            .store_receipt(&receipt("r1", "各镇", "各镇人民政府"))
            .unwrap();
        env.client
            .store_receipt(&receipt("r2", "市政协办公室", "鹤山市政协办公室"))
            .unwrap();
        env.client
            .store_receipt(&receipt("r3", "鹤山镇", "鹤山镇人民政府"))
            .unwrap();
        let item = &env.register_page(OutgoingFilter::default()).items[0];
        assert_eq!((item.receipts_signed, item.receipts_total), (3, 7));
        let detail = env.client.outgoing_detail(&draft).unwrap();
        let lines: Vec<(&str, bool)> = detail
            .receipts
            .recipients
            .iter()
            .map(|r| (r.organ.as_str(), r.signed))
            .collect();
        assert_eq!(
            lines,
            [
                ("各镇人民政府", true),
                ("市政府各部门", false),
                ("各直属机构", false),
                ("市委各部门", false),
                ("市人大常委会办公室", false),
                ("市政协办公室", true),
                ("鹤山镇人民政府", true),
            ]
        );

        // The 回执 filters.
        let with = |r: ReceiptFilter| OutgoingFilter {
            receipts: Some(r),
            ..OutgoingFilter::default()
        };
        assert_eq!(env.register_page(with(ReceiptFilter::Waiting)).total, 1);
        assert_eq!(env.register_page(with(ReceiptFilter::Complete)).total, 0);
        assert_eq!(
            env.register_page(with(ReceiptFilter::NotDispatched)).total,
            0
        );
    }

    #[test]
    fn year_filter_order_text_and_paging() {
        let mut env = Env::new();
        let mut drafts = Vec::new();
        for (title, number) in [
            ("关于甲的通知", "鹤府办〔2025〕30号"),
            ("关于乙的通知", "鹤府办〔2026〕2号"),
            ("关于丙的通知", "鹤府办〔2026〕10号"),
        ] {
            let (draft, flow) = env.submit(title, None);
            env.register(&flow);
            env.numbered(&draft, number);
            drafts.push(draft);
        }
        // The last one's number has not come yet.
        let (_waiting, flow) = env.submit("关于丁的通知", None);
        env.register(&flow);
        // And one not registered at all.
        env.submit("关于戊的通知", None);

        let all = env.register_page(OutgoingFilter::default());
        assert_eq!(
            numbers(&all),
            [
                None,
                Some("鹤府办〔2026〕10号"),
                Some("鹤府办〔2026〕2号"),
                Some("鹤府办〔2025〕30号"),
            ],
            "newest number first, the one waiting for its number before them"
        );
        assert_eq!(all.years, [2026, 2025]);
        let ascending = env.register_page(OutgoingFilter {
            ascending: true,
            ..OutgoingFilter::default()
        });
        assert_eq!(
            numbers(&ascending),
            [
                Some("鹤府办〔2025〕30号"),
                Some("鹤府办〔2026〕2号"),
                Some("鹤府办〔2026〕10号"),
                None,
            ]
        );

        let year = |y: i32| OutgoingFilter {
            year: Some(y),
            ..OutgoingFilter::default()
        };
        assert_eq!(
            numbers(&env.register_page(year(2025))),
            [Some("鹤府办〔2025〕30号")]
        );
        assert_eq!(
            numbers(&env.register_page(year(2026))),
            [None, Some("鹤府办〔2026〕10号"), Some("鹤府办〔2026〕2号")]
        );
        assert_eq!(env.register_page(year(2024)).total, 0);
        assert!(matches!(
            env.client.outgoing_register(&year(26), 0, 50),
            Err(FlowError::InvalidArgument(_))
        ));

        let text = |t: &str| OutgoingFilter {
            text: Some(t.into()),
            ..OutgoingFilter::default()
        };
        assert_eq!(
            numbers(&env.register_page(text("乙"))),
            [Some("鹤府办〔2026〕2号")]
        );
        assert_eq!(
            numbers(&env.register_page(text("鹤府办[2025]30号"))),
            [Some("鹤府办〔2025〕30号")],
            "a 文号 typed with square brackets"
        );
        assert_eq!(env.register_page(text("戊")).total, 0, "not registered");
        let by_type = OutgoingFilter {
            doc_type: Some("请示".into()),
            ..OutgoingFilter::default()
        };
        assert_eq!(env.register_page(by_type).total, 0);
        let not_sent = OutgoingFilter {
            receipts: Some(ReceiptFilter::NotDispatched),
            ..OutgoingFilter::default()
        };
        assert_eq!(env.register_page(not_sent).total, 4);

        // Pages of two.
        let first = env
            .client
            .outgoing_register(&OutgoingFilter::default(), 0, 2)
            .unwrap();
        assert_eq!(first.items.len(), 2);
        assert!(first.has_more);
        assert_eq!(first.total, 4);
        let second = env
            .client
            .outgoing_register(&OutgoingFilter::default(), 2, 2)
            .unwrap();
        assert_eq!(
            numbers(&second),
            [Some("鹤府办〔2026〕2号"), Some("鹤府办〔2025〕30号")]
        );
        assert!(!second.has_more);
    }

    #[test]
    fn a_document_returned_after_registration_keeps_its_number_and_a_terminated_one_stays() {
        let mut env = Env::new();
        let (draft, flow) = env.submit("关于退回重印的通知", None);
        env.register(&flow);
        env.numbered(&draft, "鹤府办〔2026〕5号");
        // 印制 sends it back to 签发.
        env.client.set_user_name("zhou").unwrap();
        let task = env
            .client
            .queue(QueueKind::Todo, &QueueFilter::default(), 0, 10)
            .unwrap()
            .items[0]
            .task_id
            .clone()
            .unwrap();
        let hash = env.client.task_view(&task).unwrap().content_hash;
        env.client
            .act(
                &task,
                "return",
                Some("版式有误，请重新签发"),
                None,
                Some(2),
                Some(&hash),
            )
            .unwrap();
        let item = &env.register_page(OutgoingFilter::default()).items[0];
        assert_eq!(item.doc_number.as_deref(), Some("鹤府办〔2026〕5号"));
        assert_eq!(item.state, IssueState::InProgress);
        assert_eq!(item.now_at, "签发（赵六）");

        // 终止 by its owner: the number stays taken, listed as 已终止.
        env.client.set_user_name("zhang").unwrap();
        env.client
            .act(
                &flow,
                "terminate",
                Some("情况有变，不再发文"),
                None,
                None,
                None,
            )
            .unwrap();
        let item = &env.register_page(OutgoingFilter::default()).items[0];
        assert_eq!(item.state, IssueState::Terminated);
        assert_eq!(item.state_label, "已终止");
    }

    #[test]
    fn receipt_filters_parse_both_languages() {
        assert_eq!(ReceiptFilter::parse("待签收"), Some(ReceiptFilter::Waiting));
        assert_eq!(
            ReceiptFilter::parse("not-dispatched"),
            Some(ReceiptFilter::NotDispatched)
        );
        assert_eq!(
            ReceiptFilter::parse("已签收"),
            Some(ReceiptFilter::Complete)
        );
        assert_eq!(ReceiptFilter::parse("x"), None);
        assert_eq!(number_form("鹤府办 [2026] 3号"), "鹤府办〔2026〕3号");
        assert_eq!(like("50%_"), "%50\\%\\_%");
    }
}
