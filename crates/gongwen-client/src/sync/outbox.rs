//! The outbox as the sync engine sees it: wire numbering (`push_seq`), the batch to
//! send, and recording the server's answer.
//!
//! * A pending row gets its `push_seq` just before its first send, in the transaction
//!   that advances `sync_client.next_push_seq`: numbers are contiguous, and a row that
//!   was refused locally before it was ever sent takes none (no gap on the server).
//! * A row with a `push_seq` is *unresolved*: it is sent, again and again, until the
//!   server's result for it is known. The server answers a replay with the stored
//!   result, so sending twice never applies twice.
//! * Applied: the row is deleted. Terminally rejected: the row stays as `rejected`
//!   with the server's code and zh-CN reason (the user's opinion text kept), and its
//!   `push_seq` is cleared. Retryable: nothing changes.
//! * A trigger (migration 0003) refuses to delete a row whose `push_seq` is above the
//!   server's acknowledgement: an outbox row disappears only after the server's ack.

use gongwen_protocol::sync::{
    AlreadyHandled, DraftSave, Mutation, MutationResult, MutationStatus, codes, mutations,
};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::flow::rows::{CST, parse_ts};

/// Writes the `draft.save.v1` row of a saved version, in the save's transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_draft_save(
    tx: &Transaction<'_>,
    draft_id: &str,
    base_version: Option<i64>,
    version: i64,
    content: &str,
    content_hash: &str,
    blob_deps: &[String],
    now: &str,
) -> Result<i64> {
    let document: serde_json::Value = serde_json::from_str(content)
        .map_err(|e| Error::Corrupt(format!("草稿 {draft_id} 的内容：{e}")))?;
    let args = DraftSave {
        draft_id: draft_id.to_owned(),
        base_version,
        version,
        document,
        content_hash: format!("sha256:{content_hash}"),
    };
    let args = serde_json::to_string(&args).map_err(|e| Error::Corrupt(e.to_string()))?;
    let deps = serde_json::to_string(blob_deps).map_err(|e| Error::Corrupt(e.to_string()))?;
    tx.prepare_cached(
        "INSERT INTO outbox (id, kind, entity_id, payload, created_at, state, blob_deps)
         VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6)",
    )?
    .execute(params![
        uuid::Uuid::now_v7().to_string(),
        mutations::DRAFT_SAVE,
        draft_id,
        args,
        now,
        deps
    ])?;
    Ok(tx.last_insert_rowid())
}

/// This device's sync identity and counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientRow {
    pub client_id: String,
    pub next_push_seq: i64,
    pub acked_seq: i64,
}

/// The sync identity, created on first use.
pub(crate) fn client(tx: &Transaction<'_>, now: &str) -> Result<ClientRow> {
    tx.execute(
        "INSERT INTO sync_client (id, client_id, created_at) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO NOTHING",
        params![uuid::Uuid::now_v7().to_string(), now],
    )?;
    read_client(tx)?.ok_or_else(|| Error::Corrupt("sync_client".into()))
}

pub(crate) fn read_client(c: &Connection) -> Result<Option<ClientRow>> {
    Ok(c.query_row(
        "SELECT client_id, next_push_seq, acked_seq FROM sync_client WHERE id = 1",
        [],
        |r| {
            Ok(ClientRow {
                client_id: r.get(0)?,
                next_push_seq: r.get(1)?,
                acked_seq: r.get(2)?,
            })
        },
    )
    .optional()?)
}

/// Raises the acknowledgement (never lowers it).
pub(crate) fn acknowledge(tx: &Transaction<'_>, last_applied_seq: i64) -> Result<()> {
    tx.execute(
        "UPDATE sync_client SET acked_seq = ?1 WHERE id = 1 AND acked_seq < ?1",
        [last_applied_seq],
    )?;
    Ok(())
}

/// One unresolved row, ready to send.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    /// The outbox row's local seq.
    pub local_seq: i64,
    pub mutation: Mutation,
}

/// Numbers the pending rows that have no `push_seq` yet (in outbox order) and
/// returns the unresolved rows in `push_seq` order (at most `limit`), with the client id.
pub(crate) fn prepare_batch(
    tx: &Transaction<'_>,
    now: &str,
    limit: usize,
) -> Result<(String, Vec<Outgoing>)> {
    let me = client(tx, now)?;
    let fresh: Vec<i64> = tx
        .prepare_cached(
            "SELECT seq FROM outbox WHERE state = 'pending' AND push_seq IS NULL ORDER BY seq",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut next = me.next_push_seq;
    for seq in fresh {
        tx.prepare_cached("UPDATE outbox SET push_seq = ?2 WHERE seq = ?1")?
            .execute(params![seq, next])?;
        next += 1;
    }
    // Only when rows were numbered: a push with nothing new writes nothing.
    tx.execute(
        "UPDATE sync_client SET next_push_seq = ?1 WHERE id = 1 AND next_push_seq <> ?1",
        [next],
    )?;
    let rows = tx
        .prepare_cached(
            "SELECT seq, push_seq, id, kind, payload, created_at, blob_deps FROM outbox
             WHERE push_seq IS NOT NULL ORDER BY push_seq LIMIT ?1",
        )?
        .query_map([limit as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for (seq, push_seq, id, name, payload, created_at, deps) in rows {
        let args = serde_json::from_str(&payload)
            .map_err(|e| Error::Corrupt(format!("待同步操作 {seq}：{e}")))?;
        out.push(Outgoing {
            local_seq: seq,
            mutation: Mutation {
                seq: push_seq,
                id,
                name,
                args,
                client_time: Some(created_at),
                blob_deps: serde_json::from_str(&deps).unwrap_or_default(),
            },
        });
    }
    Ok((me.client_id, out))
}

/// The blobs the unresolved and pending rows need on the server.
pub(crate) fn blob_deps(c: &Connection) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    let mut stmt = c.prepare_cached(
        "SELECT blob_deps FROM outbox
         WHERE (push_seq IS NOT NULL OR state = 'pending') AND blob_deps <> '[]'
         ORDER BY seq",
    )?;
    for deps in stmt.query_map([], |r| r.get::<_, String>(0))? {
        let deps: Vec<String> = serde_json::from_str(&deps?).unwrap_or_default();
        for d in deps {
            if !out.contains(&d) {
                out.push(d);
            }
        }
    }
    Ok(out)
}

/// What recording a push answer did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Recorded {
    pub applied: u64,
    pub rejected: u64,
    /// A retryable rejection stopped the batch (the code).
    pub retry: bool,
    pub blob_missing: bool,
}

/// Records the server's answer for a batch, in one transaction.
pub(crate) fn record_results(
    tx: &Transaction<'_>,
    user: &str,
    results: &[MutationResult],
    last_applied_seq: i64,
    now: OffsetDateTime,
) -> crate::flow::Result<Recorded> {
    acknowledge(tx, last_applied_seq)?;
    let mut out = Recorded::default();
    for r in results {
        let row: Option<(i64, String, String)> = tx
            .prepare_cached("SELECT seq, kind, entity_id FROM outbox WHERE push_seq = ?1")?
            .query_row([r.seq], |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?)))
            .optional()?;
        let Some((seq, name, entity)) = row else {
            // Already resolved (a duplicated answer): nothing to do.
            continue;
        };
        match r.status {
            MutationStatus::Applied => {
                tx.prepare_cached("DELETE FROM outbox WHERE seq = ?1")?
                    .execute([seq])?;
                if name == mutations::DRAFT_SAVE {
                    // The draft's server head may now be materialised.
                    tx.execute(
                        "UPDATE draft_heads SET materialized = 0 WHERE draft_id = ?1",
                        [&entity],
                    )?;
                }
                out.applied += 1;
            }
            MutationStatus::Rejected if r.retryable => {
                out.retry = true;
                out.blob_missing |= r.code.as_deref() == Some(codes::BLOB_MISSING);
                break;
            }
            MutationStatus::Rejected => {
                let code = r.code.clone().unwrap_or_else(|| "REJECTED".into());
                let reason = rejection_reason(r);
                crate::flow::actions::reject_in(tx, user, seq, &code, &reason, now)?;
                tx.prepare_cached("UPDATE outbox SET push_seq = NULL WHERE seq = ?1")?
                    .execute([seq])?;
                out.rejected += 1;
            }
        }
    }
    Ok(out)
}

/// The zh-CN reason shown for a rejection: "已由 XX 于 时间 处理（同意）" for
/// ALREADY_HANDLED, otherwise the server's message.
pub(crate) fn rejection_reason(r: &MutationResult) -> String {
    if r.code.as_deref() == Some(codes::ALREADY_HANDLED)
        && let Some(h) = r
            .detail
            .clone()
            .and_then(|d| serde_json::from_value::<AlreadyHandled>(d).ok())
    {
        let at = parse_ts(&h.at)
            .map(|t| {
                let t = t.to_offset(CST);
                format!(
                    "{:04}-{:02}-{:02} {:02}:{:02}",
                    t.year(),
                    u8::from(t.month()),
                    t.day(),
                    t.hour(),
                    t.minute()
                )
            })
            .unwrap_or(h.at);
        let action = if h.action.is_empty() {
            String::new()
        } else {
            format!("（{}）", h.action)
        };
        return format!("已由 {} 于 {at} 处理{action}", h.by);
    }
    match (&r.message, &r.code) {
        (Some(m), _) if !m.trim().is_empty() => m.clone(),
        (_, Some(c)) => format!("服务器拒绝了此操作（{c}）"),
        _ => "服务器拒绝了此操作".into(),
    }
}

/// CLIENT_UNKNOWN (or a gap the client cannot fill): the server lost this client.
/// Rows it had acknowledged are resolved (their effect, if any, is in the server's
/// state); the rest are renumbered from 1 under a new client id.
pub(crate) fn reregister(tx: &Transaction<'_>, now: &str) -> Result<String> {
    let me = client(tx, now)?;
    tx.execute(
        "DELETE FROM outbox WHERE push_seq IS NOT NULL AND push_seq <= ?1",
        [me.acked_seq],
    )?;
    // Clear first, then renumber in outbox order (the unique index forbids overlaps).
    let rows: Vec<i64> = tx
        .prepare("SELECT seq FROM outbox WHERE push_seq IS NOT NULL ORDER BY push_seq")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    // The trigger guards deletes only; clearing push_seq is an update.
    tx.execute(
        "UPDATE outbox SET push_seq = NULL WHERE push_seq IS NOT NULL",
        [],
    )?;
    let id = uuid::Uuid::now_v7().to_string();
    tx.execute(
        "UPDATE sync_client SET client_id = ?1, next_push_seq = 1, acked_seq = 0 WHERE id = 1",
        [&id],
    )?;
    for (i, seq) in rows.iter().enumerate() {
        tx.execute(
            "UPDATE outbox SET push_seq = ?2 WHERE seq = ?1",
            params![seq, i as i64 + 1],
        )?;
    }
    tx.execute(
        "UPDATE sync_client SET next_push_seq = ?1 WHERE id = 1",
        [rows.len() as i64 + 1],
    )?;
    Ok(id)
}
