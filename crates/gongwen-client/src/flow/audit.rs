//! The local audit chain: every workflow event applied on this client, hash-chained
//! with SM3 ([`gongwen_domain::audit`]). Records are only ever appended (triggers refuse
//! UPDATE and DELETE); [`Client::verify_audit`] checks the whole chain.

use gongwen_domain::audit::{self, AuditRecord, Entry};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use super::rows::parse_ts;
use super::{FlowError, Result};
use crate::Client;

/// The result of a successful verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditSummary {
    /// Number of records checked.
    pub records: u64,
    /// The hash of the last record (the chain's head), if any.
    pub head: Option<String>,
}

const COLUMNS: &str =
    "seq, id, time, actor, on_behalf_of, action, subject, detail_json, prev_hash, hash";

fn record(r: &rusqlite::Row<'_>) -> rusqlite::Result<(AuditRecord, String)> {
    let time: String = r.get(2)?;
    Ok((
        AuditRecord {
            seq: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
            id: r.get(1)?,
            time: time::OffsetDateTime::UNIX_EPOCH,
            actor: r.get(3)?,
            on_behalf_of: r.get(4)?,
            action: r.get(5)?,
            subject: r.get(6)?,
            detail_json: r.get(7)?,
            prev_hash: r.get(8)?,
            hash: r.get(9)?,
        },
        time,
    ))
}

fn finish((mut rec, time): (AuditRecord, String)) -> Result<AuditRecord> {
    rec.time = parse_ts(&time).ok_or_else(|| FlowError::AuditBroken {
        seq: rec.seq,
        id: rec.id.clone(),
        action: rec.action.clone(),
        subject: rec.subject.clone(),
        reason: audit::BrokenReason::Hash,
    })?;
    Ok(rec)
}

/// The last record of the chain.
pub(crate) fn head(c: &Connection) -> Result<Option<AuditRecord>> {
    let row = c
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 1"
        ))?
        .query_row([], record)
        .optional()?;
    row.map(finish).transpose()
}

/// Appends entries after the current head, in order.
pub(crate) fn append(tx: &Transaction<'_>, entries: Vec<Entry>) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut prev = head(tx)?;
    let mut stmt = tx.prepare_cached(&format!(
        "INSERT INTO audit_log ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    ))?;
    for entry in entries {
        let rec = audit::append(prev.as_ref(), entry);
        let time = rec
            .time
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(|e| FlowError::Corrupt(e.to_string()))?;
        stmt.execute(params![
            i64::try_from(rec.seq).map_err(|e| FlowError::Corrupt(e.to_string()))?,
            rec.id,
            time,
            rec.actor,
            rec.on_behalf_of,
            rec.action,
            rec.subject,
            rec.detail_json,
            rec.prev_hash,
            rec.hash,
        ])?;
        prev = Some(rec);
    }
    Ok(())
}

/// Records read and verified per page.
const PAGE: i64 = 1000;

impl Client {
    /// 审计校验: checks the whole local audit chain. Ok with the number of records, or
    /// [`FlowError::AuditBroken`] naming the first broken record.
    pub fn verify_audit(&self) -> Result<AuditSummary> {
        super::read(&self.db, |c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS} FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2"
            ))?;
            let mut anchor: Option<AuditRecord> = None;
            let mut count = 0u64;
            loop {
                let after = anchor.as_ref().map_or(0, |a| a.seq as i64);
                let rows = stmt.query_map(params![after, PAGE], record)?;
                let mut page = Vec::new();
                for r in rows {
                    page.push(finish(r?)?);
                }
                if page.is_empty() {
                    break;
                }
                audit::verify_after(anchor.as_ref(), &page).map_err(|b| {
                    let r = &page[b.index];
                    FlowError::AuditBroken {
                        seq: b.seq,
                        id: r.id.clone(),
                        action: r.action.clone(),
                        subject: r.subject.clone(),
                        reason: b.reason,
                    }
                })?;
                count += page.len() as u64;
                anchor = page.pop();
            }
            Ok(AuditSummary {
                records: count,
                head: anchor.map(|a| a.hash),
            })
        })
    }
}
