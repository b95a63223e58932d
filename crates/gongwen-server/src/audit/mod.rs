//! The server's audit chain: every mutation the server applies (and every one it
//! refuses) appends records to `audit_log`, in the mutation's transaction, hash-chained
//! with SM3 exactly as the client's local chain ([`gongwen_domain::audit`]): the same
//! canonical encoding, so a record verifies wherever it is read.
//!
//! Appends lock the single `audit_head` row (the chain's last seq and hash), so records
//! of concurrent transactions are chained one transaction at a time; the sync push takes
//! that lock last, after its bucket locks. Records are never updated or deleted (a
//! trigger refuses it); [`verify`] walks the chain page by page and names the first
//! broken link, and also notices records cut off the end (the head row remembers the
//! last seq).

use deadpool_postgres::GenericClient;
use gongwen_domain::audit::{self, AuditRecord, BrokenReason, Entry};
use time::{OffsetDateTime, UtcOffset};

use crate::error::{Error, Result};

/// Records read and verified per page.
const PAGE: i64 = 1000;

const COLUMNS: &str =
    "seq, id, time, utc_offset, actor, on_behalf_of, action, subject, detail_json, prev_hash, hash";

/// Appends `entries` after the chain's head, in order, and returns the new head's seq.
/// Pass the transaction of the effect being audited.
pub async fn append(tx: &impl GenericClient, entries: Vec<Entry>) -> Result<u64> {
    let head = tx
        .query_one(
            "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE",
            &[],
        )
        .await?;
    let seq: i64 = head.get(0);
    let mut prev = (seq > 0).then(|| AuditRecord {
        seq: seq as u64,
        id: String::new(),
        time: OffsetDateTime::UNIX_EPOCH,
        actor: String::new(),
        on_behalf_of: None,
        action: String::new(),
        subject: String::new(),
        detail_json: String::new(),
        prev_hash: String::new(),
        hash: head.get(1),
    });
    if entries.is_empty() {
        return Ok(seq as u64);
    }
    let insert = tx
        .prepare_cached(&format!(
            "INSERT INTO audit_log ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ))
        .await?;
    for entry in entries {
        let rec = audit::append(prev.as_ref(), entry);
        let seq = i64::try_from(rec.seq).map_err(|e| Error::Invalid(e.to_string()))?;
        let offset = rec.time.offset().whole_seconds();
        tx.execute(
            &insert,
            &[
                &seq,
                &rec.id,
                &rec.time,
                &offset,
                &rec.actor,
                &rec.on_behalf_of,
                &rec.action,
                &rec.subject,
                &rec.detail_json,
                &rec.prev_hash,
                &rec.hash,
            ],
        )
        .await?;
        prev = Some(rec);
    }
    let last = prev.expect("at least one record was appended");
    tx.execute(
        "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1",
        &[&(last.seq as i64), &last.hash],
    )
    .await?;
    Ok(last.seq)
}

fn record(r: &tokio_postgres::Row) -> AuditRecord {
    let time: OffsetDateTime = r.get(2);
    let offset: i32 = r.get(3);
    AuditRecord {
        seq: u64::try_from(r.get::<_, i64>(0)).unwrap_or(0),
        id: r.get(1),
        time: time.to_offset(UtcOffset::from_whole_seconds(offset).unwrap_or(UtcOffset::UTC)),
        actor: r.get(4),
        on_behalf_of: r.get(5),
        action: r.get(6),
        subject: r.get(7),
        detail_json: r.get(8),
        prev_hash: r.get(9),
        hash: r.get(10),
    }
}

/// A whole chain that verifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditSummary {
    /// Records checked.
    pub records: u64,
    /// The last record's hash, if any.
    pub head: Option<String>,
}

/// The first broken link of the chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditBroken {
    #[error("审计链在第 {seq} 条记录处断开（{action}，对象 {subject}，记录编号 {id}）：{reason}")]
    Link {
        seq: u64,
        id: String,
        action: String,
        subject: String,
        reason: BrokenReason,
    },
    #[error(
        "审计链末尾缺少记录：链头记录的是第 {head_seq} 条，实际只到第 {last_seq} 条（记录被删除）"
    )]
    Truncated { head_seq: u64, last_seq: u64 },
}

/// Walks the whole chain. `Ok(Ok(summary))` when every link holds; `Ok(Err(broken))`
/// names the first broken one; `Err` only when the database fails.
pub async fn verify(
    c: &impl GenericClient,
) -> Result<std::result::Result<AuditSummary, AuditBroken>> {
    let stmt = c
        .prepare(&format!(
            "SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
        ))
        .await?;
    let mut anchor: Option<AuditRecord> = None;
    let mut count = 0u64;
    loop {
        let after = anchor.as_ref().map_or(0, |a| a.seq as i64);
        let page: Vec<AuditRecord> = c
            .query(&stmt, &[&after, &PAGE])
            .await?
            .iter()
            .map(record)
            .collect();
        if page.is_empty() {
            break;
        }
        if let Err(b) = audit::verify_after(anchor.as_ref(), &page) {
            let r = &page[b.index];
            return Ok(Err(AuditBroken::Link {
                seq: b.seq,
                id: r.id.clone(),
                action: r.action.clone(),
                subject: r.subject.clone(),
                reason: b.reason,
            }));
        }
        count += page.len() as u64;
        anchor = page.into_iter().last();
    }
    let head = c
        .query_one("SELECT seq, hash FROM audit_head WHERE id = 1", &[])
        .await?;
    let head_seq = u64::try_from(head.get::<_, i64>(0)).unwrap_or(0);
    let last_seq = anchor.as_ref().map_or(0, |a| a.seq);
    if head_seq != last_seq {
        return Ok(Err(AuditBroken::Truncated { head_seq, last_seq }));
    }
    if let Some(a) = &anchor
        && a.hash != head.get::<_, String>(1)
    {
        return Ok(Err(AuditBroken::Link {
            seq: a.seq,
            id: a.id.clone(),
            action: a.action.clone(),
            subject: a.subject.clone(),
            reason: BrokenReason::Hash,
        }));
    }
    Ok(Ok(AuditSummary {
        records: count,
        head: anchor.map(|a| a.hash),
    }))
}
