//! The server's audit trail: every mutation the server applies (and every one it
//! refuses) appends records to `audit_log`, in the mutation's transaction, hash-chained
//! with SM3 exactly as the client's local chain ([`gongwen_domain::audit`]): the same
//! canonical encoding, so a record verifies wherever it is read.
//!
//! # One chain per stream
//!
//! The log is a set of independent chains, one per *stream* (`audit_log.stream`), each
//! with its own `seq` from 1 and its own head row in `audit_streams`. The sync push
//! writes to the stream of the device that sent the mutations (`client:{client_id}`,
//! [`client_stream`]); anything else the server audits outside a push goes to the
//! [`SERVER_STREAM`] (which also holds the records written before streams existed).
//!
//! Why per device: a single chain needs a single head, and every append had to lock it
//! until its transaction committed, so all pushes of all organs ran one at a time
//! behind that lock (issue 7 measured it). A device's mutations are already applied one
//! at a time, in seq order, under the lock of its `sync_clients` row, so the device's
//! chain head is only ever touched by the transaction that holds that row: the chain
//! costs no extra lock and no waiting, and pushes of different devices never meet in
//! the audit log. The chain of a device is also exactly the order in which the server
//! applied its commands (the per-client order invariant of SYNC.md §5), and a record's
//! place in it cannot change without breaking the chain. Per-organ chains were the
//! other candidate; they would still serialise every device of a busy organ (a county
//! office with dozens of clerks) for no gain in tamper evidence.
//!
//! What tamper evidence remains: altering, inserting, removing or reordering a record
//! breaks its stream's chain; cutting records off a stream's end is seen against the
//! stream's head row; a head row without records, or records without a head row, is
//! reported too. [`verify`] walks every stream page by page and names the first broken
//! link. Records are never updated or deleted (a trigger refuses it).

use std::collections::BTreeMap;

use deadpool_postgres::GenericClient;
use gongwen_domain::audit::{self, AuditRecord, BrokenReason, Entry};
use sha2::{Digest, Sha256};
use time::{OffsetDateTime, UtcOffset};

use crate::error::{Error, Result};

/// Records read and verified per page.
const PAGE: i64 = 1000;

/// The stream of records the server writes outside a sync push (and of every record
/// written before the log had streams).
pub const SERVER_STREAM: &str = "server";

const COLUMNS: &str =
    "seq, id, time, utc_offset, actor, on_behalf_of, action, subject, detail_json, prev_hash, hash";

/// The stream of one device's pushed mutations.
pub fn client_stream(client_id: &str) -> String {
    format!("client:{client_id}")
}

/// Appends `entries` to the [`SERVER_STREAM`], locking its head until the transaction
/// ends. Pass the transaction of the effect being audited. Returns the new head's seq.
pub async fn append(tx: &impl GenericClient, entries: Vec<Entry>) -> Result<u64> {
    append_to(tx, SERVER_STREAM, entries).await
}

/// Appends `entries` after the head of `stream`, in order, and returns the new head's
/// seq. The head row is locked (`FOR UPDATE`) until the transaction ends: call it with
/// the transaction of the effect being audited, as late as possible. Three round trips
/// whatever the number of entries (head, then the rows and the new head together).
pub async fn append_to(tx: &impl GenericClient, stream: &str, entries: Vec<Entry>) -> Result<u64> {
    if stream.is_empty() || stream.chars().count() > 200 {
        return Err(Error::Invalid(format!("审计流名称“{stream}”无效")));
    }
    let head = tx
        .prepare_cached("SELECT seq, hash FROM audit_streams WHERE stream = $1 FOR UPDATE")
        .await?;
    let head = tx.query_opt(&head, &[&stream]).await?;
    let seq: i64 = head.as_ref().map_or(0, |r| r.get(0));
    if entries.is_empty() {
        return Ok(seq as u64);
    }
    let mut prev = head.map(|h| AuditRecord {
        seq: seq as u64,
        id: String::new(),
        time: OffsetDateTime::UNIX_EPOCH,
        actor: String::new(),
        on_behalf_of: None,
        action: String::new(),
        subject: String::new(),
        detail_json: String::new(),
        prev_hash: String::new(),
        hash: h.get(1),
    });
    let n = entries.len();
    let mut seqs = Vec::with_capacity(n);
    let mut ids = Vec::with_capacity(n);
    let mut times = Vec::with_capacity(n);
    let mut offsets = Vec::with_capacity(n);
    let mut actors = Vec::with_capacity(n);
    let mut behalf = Vec::with_capacity(n);
    let mut actions = Vec::with_capacity(n);
    let mut subjects = Vec::with_capacity(n);
    let mut details = Vec::with_capacity(n);
    let mut prevs = Vec::with_capacity(n);
    let mut hashes = Vec::with_capacity(n);
    for entry in entries {
        let rec = audit::append(prev.as_ref(), entry);
        seqs.push(i64::try_from(rec.seq).map_err(|e| Error::Invalid(e.to_string()))?);
        ids.push(rec.id.clone());
        times.push(rec.time);
        offsets.push(rec.time.offset().whole_seconds());
        actors.push(rec.actor.clone());
        behalf.push(rec.on_behalf_of.clone());
        actions.push(rec.action.clone());
        subjects.push(rec.subject.clone());
        details.push(rec.detail_json.clone());
        prevs.push(rec.prev_hash.clone());
        hashes.push(rec.hash.clone());
        prev = Some(rec);
    }
    let last = prev.expect("at least one record was appended");
    let last_seq = last.seq as i64;
    let insert = tx
        .prepare_cached(&format!(
            "INSERT INTO audit_log (stream, {COLUMNS})
             SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::timestamptz[], $5::int[],
                 $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])"
        ))
        .await?;
    let set_head = tx
        .prepare_cached(
            "INSERT INTO audit_streams (stream, seq, hash) VALUES ($1, $2, $3)
             ON CONFLICT (stream) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        )
        .await?;
    // Pipelined: both statements go out before either answer is awaited.
    futures_util::future::try_join(
        tx.execute(
            &insert,
            &[
                &stream, &seqs, &ids, &times, &offsets, &actors, &behalf, &actions, &subjects,
                &details, &prevs, &hashes,
            ],
        ),
        tx.execute(&set_head, &[&stream, &last_seq, &last.hash]),
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

/// A whole log that verifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditSummary {
    /// Records checked, over every stream.
    pub records: u64,
    /// Streams checked.
    pub streams: u64,
    /// A fingerprint of the whole log: the SHA-256 digest of every stream's name and
    /// head hash (itself SM3), in stream order (None for an empty log). Two verifications printing the
    /// same fingerprint saw the same log.
    pub head: Option<String>,
}

/// The first broken link of the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditBroken {
    #[error(
        "审计链（{stream}）在第 {seq} 条记录处断开（{action}，对象 {subject}，记录编号 {id}）：{reason}"
    )]
    Link {
        stream: String,
        seq: u64,
        id: String,
        action: String,
        subject: String,
        reason: BrokenReason,
    },
    #[error(
        "审计链（{stream}）末尾缺少记录：链头记录的是第 {head_seq} 条，实际只到第 {last_seq} 条（记录被删除）"
    )]
    Truncated {
        stream: String,
        head_seq: u64,
        last_seq: u64,
    },
    #[error("审计链（{stream}）有 {records} 条记录却没有链头（链头被删除）")]
    HeadMissing { stream: String, records: u64 },
}

/// Walks every stream. `Ok(Ok(summary))` when every link holds; `Ok(Err(broken))`
/// names the first broken one; `Err` only when the database fails.
pub async fn verify(
    c: &impl GenericClient,
) -> Result<std::result::Result<AuditSummary, AuditBroken>> {
    let heads: BTreeMap<String, (u64, String)> = c
        .query("SELECT stream, seq, hash FROM audit_streams", &[])
        .await?
        .iter()
        .map(|r| {
            (
                r.get::<_, String>(0),
                (u64::try_from(r.get::<_, i64>(1)).unwrap_or(0), r.get(2)),
            )
        })
        .collect();
    let mut streams: Vec<String> = c
        .query("SELECT DISTINCT stream FROM audit_log", &[])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    streams.extend(heads.keys().cloned());
    streams.sort();
    streams.dedup();
    let stmt = c
        .prepare(&format!(
            "SELECT {COLUMNS} FROM audit_log WHERE stream = $1 AND seq > $2 ORDER BY seq LIMIT $3"
        ))
        .await?;
    let mut count = 0u64;
    let mut fingerprint = Sha256::new();
    let mut any = false;
    for stream in &streams {
        let mut anchor: Option<AuditRecord> = None;
        let mut records = 0u64;
        loop {
            let after = anchor.as_ref().map_or(0, |a| a.seq as i64);
            let page: Vec<AuditRecord> = c
                .query(&stmt, &[stream, &after, &PAGE])
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
                    stream: stream.clone(),
                    seq: b.seq,
                    id: r.id.clone(),
                    action: r.action.clone(),
                    subject: r.subject.clone(),
                    reason: b.reason,
                }));
            }
            records += page.len() as u64;
            anchor = page.into_iter().last();
        }
        let last_seq = anchor.as_ref().map_or(0, |a| a.seq);
        let Some((head_seq, head_hash)) = heads.get(stream) else {
            return Ok(Err(AuditBroken::HeadMissing {
                stream: stream.clone(),
                records,
            }));
        };
        if *head_seq != last_seq {
            return Ok(Err(AuditBroken::Truncated {
                stream: stream.clone(),
                head_seq: *head_seq,
                last_seq,
            }));
        }
        if let Some(a) = &anchor
            && a.hash != *head_hash
        {
            return Ok(Err(AuditBroken::Link {
                stream: stream.clone(),
                seq: a.seq,
                id: a.id.clone(),
                action: a.action.clone(),
                subject: a.subject.clone(),
                reason: BrokenReason::Hash,
            }));
        }
        if anchor.is_some() {
            any = true;
            fingerprint.update((stream.len() as u64).to_be_bytes());
            fingerprint.update(stream.as_bytes());
            fingerprint.update(head_hash.as_bytes());
        }
        count += records;
    }
    Ok(Ok(AuditSummary {
        records: count,
        streams: streams.len() as u64,
        head: any.then(|| hex::encode(fingerprint.finalize())),
    }))
}
