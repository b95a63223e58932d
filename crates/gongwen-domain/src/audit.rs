//! The audit chain: an append-only list of records, each hashed (SM3, GB/T 32905-2016)
//! together with the previous record's hash, so that altering, removing or reordering any
//! record breaks every link after it.
//!
//! # Canonical encoding
//!
//! A record's hash is `SM3(encoding)` in lowercase hex, where the encoding is the bytes
//! `gongwen-audit-v1` followed by each field in this order:
//!
//! | field          | encoding                                                      |
//! |----------------|---------------------------------------------------------------|
//! | `seq`          | u64, big-endian                                               |
//! | `id`           | u64 BE byte length, then UTF-8                                |
//! | `time`         | i64 BE Unix microseconds, then i32 BE UTC offset in seconds   |
//! | `actor`        | length-prefixed UTF-8                                         |
//! | `on_behalf_of` | byte 0 (none) or byte 1 then length-prefixed UTF-8            |
//! | `action`       | length-prefixed UTF-8                                         |
//! | `subject`      | length-prefixed UTF-8                                         |
//! | `detail_json`  | length-prefixed UTF-8, exactly as stored                      |
//! | `prev_hash`    | length-prefixed UTF-8 (the hex text)                          |
//!
//! Length prefixes make the encoding unambiguous without escaping. Times are kept to the
//! microsecond ([`append`] truncates), the precision PostgreSQL and SQLite both store, so a
//! record read back from either database verifies. The first record's `prev_hash` is
//! [`GENESIS`]; `seq` starts at 1 and goes up by one.
//!
//! ```
//! use gongwen_domain::audit::{self, Entry};
//!
//! let entry = |n: u32| Entry {
//!     id: format!("id-{n}"),
//!     time: time::macros::datetime!(2026-03-02 09:00 +08:00),
//!     actor: "u1".into(),
//!     on_behalf_of: None,
//!     action: "workflow.approved".into(),
//!     subject: "F1".into(),
//!     detail_json: "{}".into(),
//! };
//! let first = audit::append(None, entry(1));
//! let second = audit::append(Some(&first), entry(2));
//! let mut chain = vec![first, second];
//! assert!(audit::verify(&chain).is_ok());
//!
//! chain[0].actor = "u2".into();
//! let broken = audit::verify(&chain).unwrap_err();
//! assert_eq!((broken.index, broken.seq), (0, 1));
//! ```

use serde::{Deserialize, Serialize};
use sm3::{Digest, Sm3};
use time::OffsetDateTime;

/// `prev_hash` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const DOMAIN: &[u8] = b"gongwen-audit-v1";

/// One audit record. Records are never updated or deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// 1-based position in the chain.
    pub seq: u64,
    /// Unique id (the command's UUIDv7, so a replayed command is recognisable).
    pub id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    pub actor: String,
    /// 委托: the person the actor acted for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<String>,
    /// What happened, e.g. `workflow.approved`.
    pub action: String,
    /// What it happened to, e.g. a flow or document id.
    pub subject: String,
    /// Details as JSON text; hashed exactly as stored.
    pub detail_json: String,
    /// The previous record's hash ([`GENESIS`] for the first).
    pub prev_hash: String,
    /// SM3 of the canonical encoding, lowercase hex.
    pub hash: String,
}

/// The fields of a record to append; the chain supplies `seq`, `prev_hash` and `hash`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    pub actor: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<String>,
    pub action: String,
    pub subject: String,
    pub detail_json: String,
}

/// Appends an entry after `prev` (None: starts a chain) and returns the new record.
pub fn append(prev: Option<&AuditRecord>, entry: Entry) -> AuditRecord {
    let time = entry
        .time
        .replace_nanosecond(entry.time.nanosecond() / 1_000 * 1_000)
        .unwrap_or(entry.time);
    let mut record = AuditRecord {
        seq: prev.map_or(1, |p| p.seq + 1),
        id: entry.id,
        time,
        actor: entry.actor,
        on_behalf_of: entry.on_behalf_of,
        action: entry.action,
        subject: entry.subject,
        detail_json: entry.detail_json,
        prev_hash: prev.map_or_else(|| GENESIS.to_owned(), |p| p.hash.clone()),
        hash: String::new(),
    };
    record.hash = record.compute_hash();
    record
}

impl AuditRecord {
    /// The hash this record should carry, computed from its other fields.
    pub fn compute_hash(&self) -> String {
        let mut h = Sm3::new();
        h.update(DOMAIN);
        h.update(self.seq.to_be_bytes());
        put(&mut h, &self.id);
        let micros = self.time.unix_timestamp_nanos().div_euclid(1_000) as i64;
        h.update(micros.to_be_bytes());
        h.update(self.time.offset().whole_seconds().to_be_bytes());
        put(&mut h, &self.actor);
        match &self.on_behalf_of {
            None => h.update([0u8]),
            Some(p) => {
                h.update([1u8]);
                put(&mut h, p);
            }
        }
        put(&mut h, &self.action);
        put(&mut h, &self.subject);
        put(&mut h, &self.detail_json);
        put(&mut h, &self.prev_hash);
        hex::encode(h.finalize())
    }
}

fn put(h: &mut Sm3, s: &str) {
    h.update((s.len() as u64).to_be_bytes());
    h.update(s.as_bytes());
}

/// The first broken link of a chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("审计链在第 {seq} 条记录（位置 {index}）处断开：{reason}")]
pub struct BrokenLink {
    /// Position in the slice given to [`verify`].
    pub index: usize,
    /// The record's `seq` as stored.
    pub seq: u64,
    pub reason: BrokenReason,
}

/// Why a link is broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum BrokenReason {
    /// The sequence number is not the previous one plus one (a record is missing or inserted).
    #[error("序号应为 {expected}，实际为 {found}（记录缺失或被插入）")]
    Sequence { expected: u64, found: u64 },
    /// `prev_hash` is not the previous record's hash (records removed, reordered or replaced).
    #[error("前序哈希与上一条记录不符（记录被删除、调换或替换）")]
    PrevHash,
    /// The stored hash does not match the record's content (the record was altered).
    #[error("记录内容与其哈希不符（记录被篡改）")]
    Hash,
}

impl BrokenReason {
    /// A stable code: `SEQUENCE`, `PREV_HASH` or `HASH`.
    pub fn code(&self) -> &'static str {
        match self {
            BrokenReason::Sequence { .. } => "SEQUENCE",
            BrokenReason::PrevHash => "PREV_HASH",
            BrokenReason::Hash => "HASH",
        }
    }
}

/// Verifies a whole chain, from its first record.
pub fn verify(records: &[AuditRecord]) -> Result<(), BrokenLink> {
    verify_after(None, records)
}

/// Verifies records that continue after `anchor` (a record already verified, e.g. the
/// last one of the previous page); None: the records start the chain.
pub fn verify_after(
    anchor: Option<&AuditRecord>,
    records: &[AuditRecord],
) -> Result<(), BrokenLink> {
    let mut prev_seq = anchor.map_or(0, |a| a.seq);
    let mut prev_hash = anchor.map_or(GENESIS, |a| a.hash.as_str());
    for (index, r) in records.iter().enumerate() {
        let broken = |reason| BrokenLink {
            index,
            seq: r.seq,
            reason,
        };
        if r.hash != r.compute_hash() {
            return Err(broken(BrokenReason::Hash));
        }
        let expected = prev_seq + 1;
        if r.seq != expected {
            return Err(broken(BrokenReason::Sequence {
                expected,
                found: r.seq,
            }));
        }
        if r.prev_hash != prev_hash {
            return Err(broken(BrokenReason::PrevHash));
        }
        prev_seq = r.seq;
        prev_hash = &r.hash;
    }
    Ok(())
}
