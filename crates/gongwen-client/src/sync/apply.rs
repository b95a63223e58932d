//! Applying pulled pages to the local store (SYNC.md §2).
//!
//! One pull answer is applied in one SQLite transaction together with every bucket's
//! new cursor and checksum, so a crash leaves either the whole page or none of it.
//! An op at or below the bucket's cursor is skipped (replaying a page is a no-op) and
//! a PUT applies only when its version is newer than the local one. Entities are held
//! by buckets (`sync_members`); an entity no bucket holds any more is deleted with
//! everything derived from it (queue rows, search entries, cached attachments).

use std::borrow::Cow;
use std::collections::BTreeSet;

use gongwen_domain::Document;
use gongwen_domain::workflow::{Flow, FlowStatus};
use gongwen_protocol::sync::{
    DraftHead, Op, OpKind, PullResponse, bucket_checksum, kinds, mutations, parse_checksum,
};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Deserialize;
use serde_json::value::RawValue;
use time::OffsetDateTime;

use crate::flow::rows::{self, DocMeta, ts, urgency_from_name};
use crate::flow::{FlowError, Result};
use crate::store;

/// What applying one pull answer did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Applied {
    pub ops: u64,
    /// Buckets with more ops to pull.
    pub more: bool,
    /// Buckets whose checksum did not match: dropped, to pull again from 0.
    pub mismatched: Vec<String>,
    /// Something was deleted: run the blob garbage collection.
    pub removed: bool,
}

/// `data` of a `flow` op.
#[derive(Debug, Clone, Deserialize)]
struct FlowData {
    flow: Flow,
    document_id: String,
    #[serde(default)]
    doc_version: Option<i64>,
    title: String,
    #[serde(default)]
    doc_type: Option<String>,
    #[serde(default)]
    urgency: Option<String>,
    #[serde(default)]
    from_organ: Option<String>,
    /// The 文号 the server allocated at 登记 (absent before).
    #[serde(default)]
    doc_number: Option<String>,
}

/// `data` of a `person` op.
#[derive(Debug, Clone, Deserialize)]
struct PersonData {
    id: String,
    name: String,
    organ: String,
    #[serde(default)]
    dept: String,
    #[serde(default)]
    roles: Vec<String>,
}

fn corrupt(what: &str, id: &str, e: impl std::fmt::Display) -> FlowError {
    FlowError::Corrupt(format!("服务器发来的{what} {id} 无法读取：{e}"))
}

/// A page that brings more draft heads than this leaves indexing their new drafts to
/// [`store::search::catch_up`] (see store/search.rs, deferred indexing): an initial sync
/// is not held up by the index, an everyday sync keeps it complete at once.
pub(crate) const INLINE_INDEX_MAX: usize = 64;

/// Applies one pull answer. `now` is the local clock (queue overdue flags only).
///
/// The ops' `data` (JSON text, never a tree) are taken out of `resp` as they are
/// applied: each entity is parsed from its text straight into its type, and a 收文 or
/// 回执 row stores the text itself; everything else stays.
pub(crate) fn apply_response(
    tx: &Transaction<'_>,
    resp: &mut PullResponse,
    user: &str,
    now: OffsetDateTime,
) -> Result<Applied> {
    let stamp = ts(now);
    let heads = resp
        .buckets
        .values()
        .flat_map(|p| &p.ops)
        .filter(|o| o.op == OpKind::Put && o.kind == kinds::DRAFT)
        .count();
    super::outbox::acknowledge(tx, resp.last_applied_seq)?;
    let cx = Cx {
        user,
        at: now,
        stamp: &stamp,
        defer_index: heads > INLINE_INDEX_MAX,
        deferred_from: std::cell::Cell::new(None),
        // Asked once per page, not once per head: the apply never adds a save or
        // sends one, so none waiting now means none waiting for any head of the page.
        saves_waiting: heads > 0 && any_save_waiting(tx)?,
    };
    let mut out = Applied::default();
    let mut flows = BTreeSet::new();
    for bucket in resp.removed_buckets.iter().chain(&resp.resets) {
        out.removed |= drop_bucket(tx, bucket)?;
    }
    for bucket in &resp.added_buckets {
        tx.prepare_cached(
            "INSERT INTO sync_buckets (bucket, cursor, checksum, updated_at) VALUES (?1, 0, 0, ?2)
             ON CONFLICT (bucket) DO NOTHING",
        )?
        .execute(params![bucket, stamp])?;
    }
    let PullResponse {
        buckets,
        removed_buckets,
        ..
    } = resp;
    for (bucket, page) in buckets.iter_mut() {
        if removed_buckets.contains(bucket) {
            continue;
        }
        let (cursor, sum) = tx
            .prepare_cached("SELECT cursor, checksum FROM sync_buckets WHERE bucket = ?1")?
            .query_row([bucket], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
            .optional()?
            .unwrap_or((0, 0));
        let fresh: Vec<&Op> = page.ops.iter().filter(|o| o.op_id > cursor).collect();
        let ordered = fresh.windows(2).all(|w| w[0].op_id < w[1].op_id);
        let local = bucket_checksum(sum as u32, fresh.iter().copied());
        let last = fresh.last().map(|o| o.op_id);
        let expected = parse_checksum(&page.checksum);
        let next = page.next.max(cursor);
        if !ordered || expected != Some(local) || last.is_some_and(|id| id > next) {
            tracing::warn!(bucket, "bucket checksum mismatch: pulling it again from 0");
            out.removed |= drop_bucket(tx, bucket)?;
            out.mismatched.push(bucket.clone());
            continue;
        }
        for op in page.ops.iter_mut().filter(|o| o.op_id > cursor) {
            apply_op(tx, &cx, bucket, op, &mut flows)?;
            out.ops += 1;
            out.removed |= op.op == OpKind::Remove;
        }
        // Written only when it moves: an answer with nothing new (every no-op sync)
        // then writes nothing, and its commit costs no WAL frame and no fsync.
        tx.prepare_cached(
            "INSERT INTO sync_buckets (bucket, cursor, checksum, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (bucket) DO UPDATE SET cursor = excluded.cursor,
                 checksum = excluded.checksum, updated_at = excluded.updated_at
             WHERE sync_buckets.cursor <> excluded.cursor
                OR sync_buckets.checksum <> excluded.checksum",
        )?
        .execute(params![bucket, next, i64::from(local), stamp])?;
        out.more |= page.has_more;
    }
    for flow in flows {
        crate::flow::actions::rebase(tx, &flow, now)?;
    }
    // Heads whose saves stopped waiting since (acknowledged or refused by a push):
    // once per pull, on its last page, rather than a scan of every head per page.
    if !out.more {
        materialize_idle(tx, &cx)?;
    }
    if let Some(num) = cx.deferred_from.get() {
        store::search::defer_from(tx, num)?;
    }
    Ok(out)
}

/// Who applies, and when (the local clock: queue flags and bookkeeping only), and
/// whether new drafts are indexed now or left to the indexer.
struct Cx<'a> {
    user: &'a str,
    at: OffsetDateTime,
    stamp: &'a str,
    defer_index: bool,
    /// The lowest `num` of a new draft left unindexed by this page.
    deferred_from: std::cell::Cell<Option<i64>>,
    /// Some draft save waits for the server (else no head needs to ask).
    saves_waiting: bool,
}

fn apply_op(
    tx: &Transaction<'_>,
    cx: &Cx<'_>,
    bucket: &str,
    op: &mut Op,
    flows: &mut BTreeSet<String>,
) -> Result<()> {
    match op.op {
        OpKind::Put => {
            tx.prepare_cached(
                "INSERT INTO sync_members (bucket, kind, id) VALUES (?1, ?2, ?3)
                 ON CONFLICT DO NOTHING",
            )?
            .execute(params![bucket, op.kind, op.id])?;
            // Records the version only when it is newer than the local one; no row
            // changed means the entity is already as new (the PUT is skipped). The
            // whole page is one transaction, so a failing apply below undoes this too.
            let newer = tx
                .prepare_cached(
                    "INSERT INTO sync_versions (kind, id, version) VALUES (?1, ?2, ?3)
                     ON CONFLICT (kind, id) DO UPDATE SET version = excluded.version
                     WHERE excluded.version > sync_versions.version",
                )?
                .execute(params![op.kind, op.id, op.version])?;
            if newer == 0 {
                return Ok(());
            }
            let data = op
                .data
                .take()
                .ok_or_else(|| corrupt("数据", &op.id, "PUT 缺少 data"))?;
            put_entity(tx, cx, &op.kind, &op.id, &data, flows)?;
        }
        OpKind::Remove => {
            tx.prepare_cached(
                "DELETE FROM sync_members WHERE bucket = ?1 AND kind = ?2 AND id = ?3",
            )?
            .execute(params![bucket, op.kind, op.id])?;
            release(tx, &op.kind, &op.id)?;
        }
    }
    Ok(())
}

/// A running server flow arrives for a document that has another running flow here.
/// The server accepts one running flow per document, so it wins the document:
/// * a flow only this device knows (its 送审 never confirmed: no `flow_bases` row) is
///   refused here at once, as the server would refuse it (`ALREADY_SUBMITTED`): its
///   commands stay in 同步详情 as rejected, with the opinions typed, to retry or
///   discard, and its optimistic rows go (rebase). A 送审 already sent is still
///   answered by the server, whose answer is authoritative;
/// * a flow the server confirmed before (it ended there; its own PUT follows, the
///   server's op order puts it first within a bucket but not across buckets) leaves
///   the running slot until that PUT brings its final state.
fn yield_document(
    tx: &Transaction<'_>,
    cx: &Cx<'_>,
    document: &str,
    server_flow: &str,
) -> Result<()> {
    let others: Vec<(String, bool)> = tx
        .prepare_cached(
            "SELECT f.id, NOT EXISTS (SELECT 1 FROM flow_bases b WHERE b.flow_id = f.id)
             FROM flows f
             WHERE f.document_id = ?1 AND f.status = 'running' AND f.id <> ?2",
        )?
        .query_map(params![document, server_flow], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (local, local_only) in others {
        let start: Option<i64> = if local_only {
            tx.prepare_cached(
                "SELECT seq FROM outbox WHERE kind = ?1 AND entity_id = ?2 AND state = 'pending'
                 ORDER BY seq LIMIT 1",
            )?
            .query_row(params![mutations::FLOW_START, local], |r| r.get(0))
            .optional()?
        } else {
            None
        };
        match start {
            Some(seq) => {
                tracing::info!(
                    local,
                    server_flow,
                    "a server flow took the document: refusing the local 送审"
                );
                crate::flow::actions::reject_in(
                    tx,
                    cx.user,
                    seq,
                    "ALREADY_SUBMITTED",
                    &format!(
                        "该公文已在服务器上由他人送审（流程 {server_flow}），本机的送审没有生效；\
                         本机的操作和意见已保留，可放弃或重新提交"
                    ),
                    cx.at,
                )?;
            }
            None => {
                tracing::info!(
                    local,
                    server_flow,
                    "a server flow took the document: the older flow leaves the running slot"
                );
                tx.prepare_cached("UPDATE flows SET status = 'terminated' WHERE id = ?1")?
                    .execute([&local])?;
            }
        }
    }
    Ok(())
}

/// Deletes an entity locally when no bucket holds it any more. Returns whether it did.
fn release(tx: &Transaction<'_>, kind: &str, id: &str) -> Result<bool> {
    let held: Option<i64> = tx
        .prepare_cached("SELECT 1 FROM sync_members WHERE kind = ?1 AND id = ?2 LIMIT 1")?
        .query_row(params![kind, id], |r| r.get(0))
        .optional()?;
    if held.is_some() {
        return Ok(false);
    }
    remove_entity(tx, kind, id)?;
    tx.prepare_cached("DELETE FROM sync_versions WHERE kind = ?1 AND id = ?2")?
        .execute(params![kind, id])?;
    Ok(true)
}

/// Forgets a bucket: its cursor, and every entity held only through it.
pub(crate) fn drop_bucket(tx: &Transaction<'_>, bucket: &str) -> Result<bool> {
    let members: Vec<(String, String)> = tx
        .prepare_cached("SELECT kind, id FROM sync_members WHERE bucket = ?1")?
        .query_map([bucket], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    tx.prepare_cached("DELETE FROM sync_members WHERE bucket = ?1")?
        .execute([bucket])?;
    tx.prepare_cached("DELETE FROM sync_buckets WHERE bucket = ?1")?
        .execute([bucket])?;
    let mut removed = false;
    for (kind, id) in members {
        removed |= release(tx, &kind, &id)?;
    }
    Ok(removed)
}

/// Parses a pulled document (a draft head's) from its JSON text; a document that does
/// not parse is named by the field that is wrong.
fn parse_document(id: &str, text: &str) -> Result<Document> {
    serde_json::from_str(text)
        // The same parse again, slower, to name the field (only on an error).
        .or_else(|_| Document::from_json(text))
        .map_err(|e| corrupt("草稿", id, e.0))
}

fn put_entity(
    tx: &Transaction<'_>,
    cx: &Cx<'_>,
    kind: &str,
    id: &str,
    data: &RawValue,
    flows: &mut BTreeSet<String>,
) -> Result<()> {
    let text = data.get();
    match kind {
        kinds::PERSON => {
            let p: PersonData = serde_json::from_str(text).map_err(|e| corrupt("人员", id, e))?;
            let roles = serde_json::to_string(&p.roles).map_err(|e| corrupt("人员", id, e))?;
            tx.prepare_cached(
                "INSERT INTO people (id, name, organ, dept, roles, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, organ = excluded.organ,
                     dept = excluded.dept, roles = excluded.roles, updated_at = excluded.updated_at",
            )?
            .execute(params![p.id, p.name, p.organ, p.dept, roles, cx.stamp])?;
        }
        kinds::FLOW => {
            let f: FlowData = serde_json::from_str(text).map_err(|e| corrupt("流程", id, e))?;
            let json = serde_json::to_string(&f.flow).map_err(|e| corrupt("流程", id, e))?;
            let meta = DocMeta {
                document_id: f.document_id.clone(),
                doc_version: f.doc_version,
                title: f.title.clone(),
                doc_type: f.doc_type.clone(),
                urgency: urgency_from_name(f.urgency.as_deref()),
                from_organ: f.from_organ.clone(),
            };
            let exists: Option<i64> = tx
                .prepare_cached("SELECT 1 FROM flows WHERE id = ?1")?
                .query_row([id], |r| r.get(0))
                .optional()?;
            if matches!(f.flow.status, FlowStatus::Running { .. }) {
                yield_document(tx, cx, &f.document_id, id)?;
            }
            if exists.is_none() {
                rows::insert_flow(tx, &f.flow, &meta)?;
            }
            rows::set_base(tx, id, &json)?;
            tx.prepare_cached(
                "UPDATE flows SET document_id = ?2, doc_version = ?3, title = ?4,
                     doc_type = ?5, urgency = ?6, from_organ = ?7
                 WHERE id = ?1",
            )?
            .execute(params![
                id,
                f.document_id,
                f.doc_version,
                f.title,
                f.doc_type,
                f.urgency,
                f.from_organ
            ])?;
            // The 文号 belongs to the document: the 草稿 list and the print preview show it.
            if let Some(number) = &f.doc_number {
                tx.prepare_cached("UPDATE drafts SET doc_number = ?2 WHERE id = ?1")?
                    .execute(params![f.document_id, number])?;
            }
            // 催办 of this user's tasks, kept until the task is opened (reminders.rs).
            crate::reminders::record(tx, &f.flow, cx.user)?;
            flows.insert(id.to_owned());
        }
        kinds::DRAFT => {
            // The documents stay text until parsed into their own type: the head's
            // into a Document, the conflict copies' not at all (stored as they came).
            let h: DraftHead<&RawValue> =
                serde_json::from_str(text).map_err(|e| corrupt("草稿", id, e))?;
            let conflicts =
                serde_json::to_string(&h.conflicts).map_err(|e| corrupt("草稿", id, e))?;
            // The head becomes the local head now unless a local save of the draft
            // still waits for the server (then materialize_idle does it later, from the
            // document kept in the head's row: the canonical JSON the local version
            // will store, the content hash being over it). A head made local at once
            // keeps no copy of its document (`HEAD_IS_LOCAL`): the local version
            // `head_version` holds it, and one copy of every document is written, not two.
            let waiting = cx.saves_waiting && saves_waiting(tx, id)?;
            let doc = parse_document(id, h.document.get())?;
            let content = doc.to_canonical_json();
            tx.prepare_cached(
                "INSERT INTO draft_heads (draft_id, head_version, content_hash, document, conflicts, materialized)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (draft_id) DO UPDATE SET head_version = excluded.head_version,
                     content_hash = excluded.content_hash, document = excluded.document,
                     conflicts = excluded.conflicts, materialized = excluded.materialized",
            )?
            .execute(params![
                id,
                h.head_version,
                h.content_hash,
                if waiting { content.as_str() } else { HEAD_IS_LOCAL },
                conflicts,
                !waiting
            ])?;
            if !waiting {
                materialize(tx, cx, id, h.head_version, &doc, content)?;
            }
        }
        kinds::INCOMING => {
            // Stored as it came (the text itself); the typed item checks it and gives
            // the list columns and the files, its document left as text (the row keeps it).
            let item: gongwen_protocol::exchange::Incoming<&RawValue> =
                serde_json::from_str(text).map_err(|e| corrupt("来文", id, e))?;
            crate::incoming::put(tx, id, &item, &compact_json(text), cx.stamp)?;
        }
        kinds::RECEIPT => {
            serde_json::from_str::<gongwen_protocol::exchange::Receipt>(text)
                .map_err(|e| corrupt("回执", id, e))?;
            tx.prepare_cached(
                "INSERT INTO receipts (id, data, received_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET data = excluded.data",
            )?
            .execute(params![id, text, cx.stamp])?;
        }
        kinds::ROUTE_TEMPLATE | kinds::DELEGATION => {
            // Rare (an organ's templates, 委托): parsed into a tree as their writers take it.
            let value: serde_json::Value =
                serde_json::from_str(text).map_err(|e| corrupt("数据", id, e))?;
            if kind == kinds::ROUTE_TEMPLATE {
                crate::flow::routes::put_route_template(tx, id, &value, cx.stamp)?;
            } else {
                crate::flow::routes::put_delegation(tx, id, &value, cx.stamp)?;
            }
        }
        other => {
            // A newer server's kind: kept out of the local model, never misread.
            tracing::debug!(kind = other, id, "ignoring an unknown entity kind");
        }
    }
    Ok(())
}

/// `text` (valid JSON: the op's data, checked when the page was decoded) without the
/// whitespace between its tokens. PostgreSQL renders `jsonb` with a space after every
/// `:` and `,` (≈ 5 % of a 收文 item), enough to push a ≈ 2 KB row past half a page, and
/// a row per page where two fit (BENCHMARKS.md, sync_apply, session 8). Strings are
/// copied untouched; text with no whitespace between its tokens is returned as it is.
fn compact_json(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    // Copied from the first byte left out; none left out: the text as it is.
    let mut out: Option<Vec<u8>> = None;
    let (mut in_string, mut escaped) = (false, false);
    for (i, &b) in bytes.iter().enumerate() {
        let keep = if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            true
        } else if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
            false
        } else {
            in_string = b == b'"';
            true
        };
        match (&mut out, keep) {
            (Some(o), true) => o.push(b),
            (None, false) => {
                let mut o = Vec::with_capacity(bytes.len());
                o.extend_from_slice(&bytes[..i]);
                out = Some(o);
            }
            _ => {}
        }
    }
    // Only ASCII bytes between tokens were left out: the rest is still UTF-8.
    match out {
        None => Cow::Borrowed(text),
        Some(o) => String::from_utf8(o).map_or(Cow::Borrowed(text), Cow::Owned),
    }
}

fn remove_entity(tx: &Transaction<'_>, kind: &str, id: &str) -> Result<()> {
    match kind {
        kinds::PERSON => {
            tx.prepare_cached("DELETE FROM people WHERE id = ?1")?
                .execute([id])?;
        }
        kinds::FLOW => {
            crate::reminders::forget_flow(tx, id)?;
            tx.prepare_cached("DELETE FROM tasks WHERE flow_id = ?1")?
                .execute([id])?;
            tx.prepare_cached("DELETE FROM flows WHERE id = ?1")?
                .execute([id])?;
        }
        kinds::DRAFT => {
            tx.prepare_cached("DELETE FROM draft_heads WHERE draft_id = ?1")?
                .execute([id])?;
            let num: Option<i64> = tx
                .prepare_cached("SELECT num FROM drafts WHERE id = ?1")?
                .query_row([id], |r| r.get(0))
                .optional()?;
            if let Some(num) = num {
                store::search::unindex(tx, num)?;
                store::drafts::delete(tx, id)?;
            }
            tx.prepare_cached("DELETE FROM entity_blobs WHERE kind = ?1 AND id = ?2")?
                .execute(params![kind, id])?;
        }
        kinds::INCOMING => {
            tx.prepare_cached("DELETE FROM incoming WHERE id = ?1")?
                .execute([id])?;
            tx.prepare_cached("DELETE FROM incoming_registrations WHERE incoming_id = ?1")?
                .execute([id])?;
            tx.prepare_cached("DELETE FROM entity_blobs WHERE kind = ?1 AND id = ?2")?
                .execute(params![kind, id])?;
        }
        kinds::RECEIPT => {
            tx.prepare_cached("DELETE FROM receipts WHERE id = ?1")?
                .execute([id])?;
        }
        kinds::ROUTE_TEMPLATE => crate::flow::routes::remove_route_template(tx, id)?,
        kinds::DELEGATION => crate::flow::routes::remove_delegation(tx, id)?,
        _ => {}
    }
    Ok(())
}

/// Whether a save of the draft still waits for the server's answer.
fn saves_waiting(tx: &Transaction<'_>, draft: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached(
            "SELECT 1 FROM outbox WHERE entity_id = ?1 AND kind = ?2
               AND (state = 'pending' OR push_seq IS NOT NULL) LIMIT 1",
        )?
        .query_row(params![draft, mutations::DRAFT_SAVE], |r| {
            r.get::<_, i64>(0)
        })
        .optional()?
        .is_some())
}

/// Whether any draft save waits for the server's answer.
fn any_save_waiting(tx: &Transaction<'_>) -> Result<bool> {
    Ok(tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM outbox WHERE kind = ?1
               AND (state = 'pending' OR push_seq IS NOT NULL))",
        )?
        .query_row([mutations::DRAFT_SAVE], |r| r.get(0))?)
}

/// `draft_heads.document` of a head that was made the local head when it arrived: its
/// document is the local version `head_version` (canonical JSON, the same text), so the
/// head's row does not keep a second copy. Never a document: a document is a JSON object.
const HEAD_IS_LOCAL: &str = "";

/// Materialises the server heads of drafts with no save waiting.
fn materialize_idle(tx: &Transaction<'_>, cx: &Cx<'_>) -> Result<()> {
    let heads: Vec<(String, i64, String)> = tx
        .prepare_cached(
            "SELECT draft_id, head_version, document FROM draft_heads WHERE materialized = 0",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, head, mut document) in heads {
        if saves_waiting(tx, &id)? {
            continue;
        }
        if document == HEAD_IS_LOCAL {
            // Made local when it arrived (a save acknowledged since asks for it again):
            // its document is the local version. Gone only if the user deleted the
            // draft here; then there is nothing to bring back until the server's next head.
            let local: Option<String> = tx
                .prepare_cached(
                    "SELECT content FROM draft_versions WHERE draft_id = ?1 AND version = ?2",
                )?
                .query_row(params![id, head], |r| r.get(0))
                .optional()?;
            match local {
                Some(content) => document = content,
                None => {
                    tx.prepare_cached(
                        "UPDATE draft_heads SET materialized = 1 WHERE draft_id = ?1",
                    )?
                    .execute([&id])?;
                    continue;
                }
            }
        }
        // Canonical again: a row written by an older version may hold another spelling.
        let doc = parse_document(&id, &document)?;
        let content = doc.to_canonical_json();
        materialize(tx, cx, &id, head, &doc, content)?;
        tx.prepare_cached("UPDATE draft_heads SET materialized = 1 WHERE draft_id = ?1")?
            .execute([&id])?;
    }
    Ok(())
}

/// Makes the server's head `head` (document `doc`) of a draft its local head; the
/// caller has checked that no local save of it waits for the server (until then the
/// local versions are the user's view). Local versions above the server's head are
/// saves that lost the compare-and-set: the server keeps each as a conflict copy
/// (冲突副本, listed in `draft_heads.conflicts`), so they leave the local history and
/// every client shows the same versions. `content` is `doc`'s canonical JSON.
fn materialize(
    tx: &Transaction<'_>,
    cx: &Cx<'_>,
    draft: &str,
    head: i64,
    doc: &Document,
    content: String,
) -> Result<()> {
    let now = cx.stamp;
    let hash = crate::api::hash_hex(&content);
    let summary = crate::api::summary_of(doc);
    let existing: Option<i64> = tx
        .prepare_cached("SELECT num FROM drafts WHERE id = ?1")?
        .query_row([draft], |r| r.get(0))
        .optional()?;
    let (num, keep_head) = match existing {
        Some(num) => {
            let same: Option<String> = tx
                .prepare_cached(
                    "SELECT content_hash FROM draft_versions WHERE draft_id = ?1 AND version = ?2",
                )?
                .query_row(params![draft, head], |r| r.get(0))
                .optional()?;
            let keep_head = same.as_deref() == Some(hash.as_str());
            let from = if keep_head { head + 1 } else { head };
            tx.prepare_cached("DELETE FROM draft_versions WHERE draft_id = ?1 AND version >= ?2")?
                .execute(params![draft, from])?;
            (num, keep_head)
        }
        None => {
            // A new draft: its row is written once, already at this head (what
            // drafts::create and then append_version would leave, without the update
            // that moves its entry in drafts_by_updated).
            tx.prepare_cached(
                "INSERT INTO drafts (id, created_at, created_by, updated_at, head_version, title, doc_type, doc_number)
                 VALUES (?1, ?2, '', ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                draft,
                now,
                head,
                summary.title,
                summary.doc_type,
                summary.doc_number
            ])?;
            (tx.last_insert_rowid(), false)
        }
    };
    if !keep_head {
        if existing.is_some() {
            let row = store::drafts::VersionRow {
                draft_id: draft.to_owned(),
                version: head,
                author: String::new(),
                created_at: now.to_owned(),
                base_version: None,
                content_hash: hash,
                content,
            };
            store::drafts::append_version(tx, &row, &summary)?;
        } else {
            tx.prepare_cached(
                "INSERT INTO draft_versions (draft_id, version, author, created_at, base_version, content_hash, content)
                 VALUES (?1, ?2, '', ?3, NULL, ?4, ?5)",
            )?
            .execute(params![draft, head, now, hash, content])?;
        }
        for (position, a) in doc.attachments.iter().enumerate() {
            let blob = a
                .file
                .as_deref()
                .and_then(store::blobs::parse_ref)
                .map(str::to_owned);
            let local = match &blob {
                Some(h) => store::blobs::exists(tx, h)?,
                None => false,
            };
            if let Some(h) = &blob {
                tx.prepare_cached(
                    "INSERT INTO entity_blobs (kind, id, hash) VALUES ('draft', ?1, ?2)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![draft, h])?;
                if !local {
                    tx.prepare_cached(
                        "INSERT INTO blob_transfers (hash, direction, size, updated_at)
                         VALUES (?1, 'down', 0, ?2) ON CONFLICT DO NOTHING",
                    )?
                    .execute(params![h, now])?;
                }
            }
            store::drafts::add_attachment_ref(
                tx,
                draft,
                head,
                position,
                &a.name,
                blob.as_deref().filter(|_| local),
                None,
            )?;
        }
    } else {
        // A 文号 allocated by the server stays when the version carries none.
        tx.prepare_cached("UPDATE drafts SET head_version = ?2, title = ?3, doc_type = ?4, doc_number = coalesce(?5, doc_number) WHERE id = ?1")?
            .execute(params![draft, head, summary.title, summary.doc_type, summary.doc_number])?;
    }
    if cx.defer_index && existing.is_none() {
        let from = cx.deferred_from.get().map_or(num, |n| n.min(num));
        cx.deferred_from.set(Some(from));
    } else {
        store::search::index(tx, num, &crate::api::indexed_text(doc))?;
    }
    Ok(())
}

/// A downloaded blob is now local: link it to the attachments that name it.
pub(crate) fn link_blob(tx: &Transaction<'_>, hash: &str) -> Result<()> {
    let reference = format!("{}{hash}", store::blobs::REF_PREFIX);
    let drafts: Vec<String> = tx
        .prepare_cached("SELECT id FROM entity_blobs WHERE kind = 'draft' AND hash = ?1")?
        .query_map([hash], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for draft in drafts {
        let Some((version, content)) = tx
            .prepare_cached(
                "SELECT v.version, v.content FROM drafts d
                 JOIN draft_versions v ON v.draft_id = d.id AND v.version = d.head_version
                 WHERE d.id = ?1",
            )?
            .query_row([&draft], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .optional()?
        else {
            continue;
        };
        let Ok(doc) = Document::from_json(&content) else {
            continue;
        };
        for (position, a) in doc.attachments.iter().enumerate() {
            if a.file.as_deref() == Some(reference.as_str()) {
                tx.prepare_cached(
                    "UPDATE version_attachments SET blob_hash = ?4
                     WHERE draft_id = ?1 AND version = ?2 AND position = ?3",
                )?
                .execute(params![draft, version, position as i64, hash])?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use gongwen_protocol::sync::{BucketPage, format_checksum};

    use super::*;
    use crate::store::{Db, search};

    const BUCKET: &str = "user:zhang";

    fn at() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_780_000_000).unwrap()
    }

    fn head(op_id: i64, i: usize) -> Op {
        let document = Document {
            title: format!("关于做好第{i}批春耕备耕工作的通知"),
            body: format!("各镇人民政府：\n现将第{i}批春耕备耕工作有关事项通知如下。"),
            ..Default::default()
        };
        let head = DraftHead {
            draft_id: format!("D{i:04}"),
            head_version: 1,
            content_hash: format!("sha256:{i:064x}"),
            document: serde_json::to_value(&document).unwrap(),
            conflicts: vec![],
        };
        Op::put(op_id, kinds::DRAFT, &head.draft_id, 1, &head).unwrap()
    }

    /// The first page of a new bucket holding draft heads 0..n.
    fn first_page(n: usize) -> PullResponse {
        let ops: Vec<Op> = (0..n).map(|i| head(i as i64 + 1, i)).collect();
        let page = BucketPage {
            next: n as i64,
            has_more: false,
            checksum: format_checksum(bucket_checksum(0, &ops)),
            ops,
        };
        PullResponse {
            buckets: BTreeMap::from([(BUCKET.to_owned(), page)]),
            added_buckets: vec![BUCKET.into()],
            removed_buckets: vec![],
            resets: vec![],
            reset_reasons: BTreeMap::new(),
            last_applied_seq: 0,
        }
    }

    fn removal() -> PullResponse {
        PullResponse {
            buckets: BTreeMap::new(),
            added_buckets: vec![],
            removed_buckets: vec![BUCKET.into()],
            resets: vec![],
            reset_reasons: BTreeMap::new(),
            last_applied_seq: 0,
        }
    }

    fn apply(db: &Db, mut resp: PullResponse) -> Applied {
        crate::flow::write(db, |tx| apply_response(tx, &mut resp, "zhang", at())).unwrap()
    }

    fn hits(db: &Db, q: &str) -> Vec<(i64, f64)> {
        db.read(|c| search::query(c, q, 50)).unwrap().hits
    }

    fn count(db: &Db, sql: &str) -> i64 {
        db.read(|c| Ok(c.query_row(sql, [], |r| r.get(0))?))
            .unwrap()
    }

    #[test]
    fn a_small_page_indexes_its_drafts_at_once() {
        let (_d, db) = crate::store::testing::temp_db();
        let applied = apply(&db, first_page(3));
        assert_eq!(applied.ops, 3);
        assert_eq!(db.read(search::backlog).unwrap(), 0);
        let found = hits(&db, "第2批");
        assert_eq!(found.len(), 1);
        assert!(found[0].1 < 0.0, "ranked by the index: {found:?}");
        assert_eq!(
            count(
                &db,
                "SELECT count(*) FROM draft_heads WHERE materialized = 1"
            ),
            3
        );
    }

    #[test]
    fn a_large_page_defers_indexing_and_search_still_finds_every_draft() {
        let (_d, db) = crate::store::testing::temp_db();
        let n = INLINE_INDEX_MAX + 36;
        apply(&db, first_page(n));
        assert_eq!(count(&db, "SELECT count(*) FROM drafts"), n as i64);
        assert_eq!(count(&db, "SELECT count(*) FROM draft_versions"), n as i64);
        assert_eq!(db.read(search::backlog).unwrap(), n as u64);
        // Found by the scan of unindexed drafts (no score) …
        let found = hits(&db, "第42批");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, 0.0);
        let num = found[0].0;
        assert_eq!(hits(&db, "春耕").len(), n.min(50));
        // … and by the index once the catch-up ran, batch by batch.
        let mut indexed = 0;
        loop {
            let k = db.write(|tx| search::catch_up(tx, 40)).unwrap();
            if k == 0 {
                break;
            }
            indexed += k;
        }
        assert_eq!(indexed, n);
        assert_eq!(db.read(search::backlog).unwrap(), 0);
        let found = hits(&db, "第42批");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, num);
        assert!(found[0].1 < 0.0);
        // Replaying the page changes nothing.
        apply(&db, first_page(n));
        assert_eq!(count(&db, "SELECT count(*) FROM drafts"), n as i64);
        assert_eq!(db.read(search::backlog).unwrap(), 0);
    }

    #[test]
    fn migration_0007_keeps_the_incoming_rows_and_fills_their_columns() {
        use crate::store::migrations::{self, MIGRATIONS};
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        for m in &MIGRATIONS[..6] {
            conn.execute_batch(m.sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 6).unwrap();
        let data = serde_json::json!({
            "id": "in-1", "state": "signed", "delivered_at": "2026-03-02T09:00:00+08:00",
            "from": { "code": "鹤山镇", "name": "鹤山镇人民政府" },
        });
        conn.execute(
            "INSERT INTO incoming (id, data, received_at) VALUES ('in-1', ?1, 'now')",
            [data.to_string()],
        )
        .unwrap();
        assert_eq!(
            migrations::to_latest(&mut conn).unwrap(),
            MIGRATIONS.len() - 6
        );
        let row: (String, String, String, String, String) = conn
            .query_row(
                "SELECT data, state, from_code, from_name, delivered_at FROM incoming
                 WHERE from_code = '鹤山镇'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .unwrap();
        assert_eq!(row.0, data.to_string());
        assert_eq!(
            (
                row.1.as_str(),
                row.2.as_str(),
                row.3.as_str(),
                row.4.as_str()
            ),
            (
                "signed",
                "鹤山镇",
                "鹤山镇人民政府",
                "2026-03-02T09:00:00+08:00"
            )
        );
    }

    type VersionCols = (String, i64, String, String, Option<i64>, String, String);
    type AttachmentCols = (String, i64, i64, String, Option<String>, Option<String>);

    const VERSIONS: &str =
        "SELECT draft_id, version, author, created_at, base_version, content_hash,
            content FROM draft_versions ORDER BY draft_id, version";
    const ATTACHMENTS: &str = "SELECT draft_id, version, position, name, blob_hash, file_name
            FROM version_attachments ORDER BY draft_id, version, position";

    fn versions_of(c: &rusqlite::Connection) -> Vec<VersionCols> {
        c.prepare(VERSIONS)
            .unwrap()
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    fn attachments_of(c: &rusqlite::Connection) -> Vec<AttachmentCols> {
        c.prepare(ATTACHMENTS)
            .unwrap()
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    /// A store as migrations 0001–0009 left it (encrypted, foreign keys on), with
    /// drafts (versions, attachments, one with a file) and 收文 rows written as 0007's
    /// writers wrote them. Returns the 收文 JSON and the rows as read before migrating.
    fn store_at_0009(
        path: &std::path::Path,
        key: &crate::key::Key,
    ) -> (Vec<String>, Vec<VersionCols>, Vec<AttachmentCols>) {
        use crate::store::migrations::MIGRATIONS;
        let mut conn = rusqlite::Connection::open(path).unwrap();
        conn.execute_batch(&format!(
            "PRAGMA key = {}; PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;",
            key.pragma_value()
        ))
        .unwrap();
        for (i, m) in MIGRATIONS[..9].iter().enumerate() {
            let tx = conn.transaction().unwrap();
            tx.execute_batch(m.sql).unwrap();
            tx.pragma_update(None, "user_version", i as i64 + 1)
                .unwrap();
            tx.commit().unwrap();
        }
        let hash = "a".repeat(64);
        conn.execute_batch(&format!(
            "INSERT INTO blobs (hash, size, created_at) VALUES ('{hash}', 3, 't0');
             INSERT INTO drafts (id, created_at, created_by, updated_at, head_version, title)
                 VALUES ('D1', 't1', 'zhang', 't2', 2, '通知'), ('D2', 't3', 'li', 't3', 1, '请示');
             INSERT INTO draft_versions
                 (draft_id, version, author, created_at, base_version, content_hash, content)
                 VALUES ('D1', 1, 'zhang', 't1', NULL, 'h1', '{{\"title\":\"通知\"}}'),
                        ('D1', 2, 'zhang', 't2', 1, 'h2', '{{\"title\":\"通知\",\"body\":\"{}\"}}'),
                        ('D2', 1, 'li', 't3', NULL, 'h3', '{{\"title\":\"请示\"}}');
             INSERT INTO version_attachments (draft_id, version, position, name, blob_hash, file_name)
                 VALUES ('D1', 2, 0, '方案', '{hash}', '方案.docx'),
                        ('D1', 2, 1, '统计表', NULL, NULL),
                        ('D2', 1, 0, '附件', NULL, NULL);",
            "春耕".repeat(600)
        ))
        .unwrap();
        let items = [
            ("in-1", "delivered", "鹤府办", "鹤山市人民政府办公室", "2026-03-02T09:00:00+08:00"),
            ("in-2", "signed", "鹤山镇", "鹤山镇人民政府", "2026-03-05T10:30:00+08:00"),
        ]
        .into_iter()
        .map(|(id, state, code, name, delivered)| {
            let data = serde_json::json!({
                "id": id, "exchange_id": "x", "document_id": "d", "title": "关于春耕的通知",
                "from": { "code": code, "name": name },
                "to": { "code": "鹤山镇", "name": "鹤山镇人民政府" },
                "document": { "title": "关于春耕的通知" }, "attachments": [],
                "sent_by": { "login": "sun", "display_name": "孙八" },
                "delivered_at": delivered, "state": state,
            })
            .to_string();
            conn.execute(
                "INSERT INTO incoming (id, data, received_at, state, from_code, from_name, delivered_at)
                 VALUES (?1, ?2, 'now', ?3, ?4, ?5, ?6)",
                params![id, data, state, code, name, delivered],
            )
            .unwrap();
            data
        })
        .collect();
        (items, versions_of(&conn), attachments_of(&conn))
    }

    #[test]
    fn migration_0011_keeps_the_versions_attachments_and_incoming_of_a_0009_store() {
        use crate::store::{DB_FILE, drafts, migrations};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        let key = crate::key::Key::from_bytes([7; 32]);
        let (items, versions, attachments) = store_at_0009(&path, &key);
        assert_eq!((versions.len(), attachments.len()), (3, 3));

        // Opening migrates, with foreign keys on, as a user's store is.
        let db = Db::open(&path, &key, false).unwrap();
        assert_eq!(db.schema_version().unwrap(), migrations::LATEST);
        // Every version and attachment is still there, unchanged (dropping the old
        // table did not cascade into the attachments).
        assert_eq!(db.read(|c| Ok(versions_of(c))).unwrap(), versions);
        assert_eq!(db.read(|c| Ok(attachments_of(c))).unwrap(), attachments);
        let schema = text(
            &db,
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'draft_versions'",
        );
        assert!(!schema.contains("WITHOUT ROWID"), "{schema}");
        assert_eq!(text(&db, "PRAGMA integrity_check"), "ok");
        assert_eq!(
            count(&db, "SELECT count(*) FROM pragma_foreign_key_check"),
            0
        );
        // The drafts module reads the same history.
        let (v2, history) = db
            .read(|c| Ok((drafts::version(c, "D1", 2)?, drafts::history(c, "D1")?)))
            .unwrap();
        assert_eq!(v2.content, versions[1].6);
        assert_eq!(history.len(), 2);
        // Versions stay immutable; the attachments' foreign key names the new table.
        let e = db
            .write(|tx| {
                Ok(tx.execute(
                    "UPDATE draft_versions SET content = 'x' WHERE draft_id = 'D2'",
                    [],
                )?)
            })
            .unwrap_err();
        assert!(e.to_string().contains("immutable"), "{e}");
        let e = db
            .write(|tx| drafts::add_attachment_ref(tx, "D2", 9, 0, "无此版本", None, None))
            .unwrap_err();
        assert!(e.to_string().to_lowercase().contains("foreign key"), "{e}");
        // Deleting a draft still takes its versions and their attachments with it.
        db.write(|tx| drafts::delete(tx, "D1")).unwrap();
        assert_eq!(db.read(|c| Ok(versions_of(c))).unwrap(), versions[2..]);
        assert_eq!(
            db.read(|c| Ok(attachments_of(c))).unwrap(),
            attachments[2..]
        );

        // 收文: the rows are (id, data) as they were; the list columns read the JSON.
        let rows: Vec<(String, String, String, String, String, String)> = db
            .read(|c| {
                Ok(c.prepare(
                    "SELECT id, data, state, from_code, from_name, delivered_at FROM incoming
                     ORDER BY delivered_at DESC, id",
                )?
                .query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                })?
                .collect::<rusqlite::Result<_>>()?)
            })
            .unwrap();
        let row = |id: &str, data: &str, state: &str, code: &str, name: &str, at: &str| {
            let s = |v: &str| v.to_owned();
            (s(id), s(data), s(state), s(code), s(name), s(at))
        };
        assert_eq!(
            rows,
            vec![
                row(
                    "in-2",
                    &items[1],
                    "signed",
                    "鹤山镇",
                    "鹤山镇人民政府",
                    "2026-03-05T10:30:00+08:00"
                ),
                row(
                    "in-1",
                    &items[0],
                    "delivered",
                    "鹤府办",
                    "鹤山市人民政府办公室",
                    "2026-03-02T09:00:00+08:00"
                ),
            ]
        );
        // Stored: id and data only (the list columns are generated, VIRTUAL: hidden 2;
        // received_at is gone); newest first walks incoming_by_time.
        assert_eq!(
            text(
                &db,
                "SELECT group_concat(name || ':' || hidden, ' ') FROM pragma_table_xinfo('incoming')"
            ),
            "id:0 data:0 state:2 from_code:2 from_name:2 delivered_at:2"
        );
        let plan: Vec<String> = db
            .read(|c| {
                Ok(c.prepare(
                    "EXPLAIN QUERY PLAN SELECT id FROM incoming ORDER BY delivered_at DESC, id LIMIT 20",
                )?
                .query_map([], |r| r.get(3))?
                .collect::<rusqlite::Result<_>>()?)
            })
            .unwrap();
        assert!(
            plan.iter().any(|d| d.contains("incoming_by_time")),
            "{plan:?}"
        );
        assert_eq!(
            count(
                &db,
                "SELECT count(*) FROM sqlite_master WHERE name = 'incoming_by_sender'"
            ),
            0
        );
    }

    #[test]
    fn compact_json_drops_the_space_between_tokens_and_keeps_strings() {
        let spaced = "{\"id\": \"in-1\", \"title\": \"关于 \\\"春耕\\\" 的通知\\n\\\\\",\n \"n\": [1, 2,\t{\"a b\": null}]}";
        let compact = compact_json(spaced);
        assert_eq!(
            compact,
            "{\"id\":\"in-1\",\"title\":\"关于 \\\"春耕\\\" 的通知\\n\\\\\",\"n\":[1,2,{\"a b\":null}]}"
        );
        let parse = |t: &str| serde_json::from_str::<serde_json::Value>(t).unwrap();
        assert_eq!(parse(&compact), parse(spaced));
        // Already compact (serde_json's own output): the same text, not a copy.
        let tight = r#"{"a":"b c","d":[1,2]}"#;
        assert!(matches!(compact_json(tight), Cow::Borrowed(t) if t == tight));
        assert!(
            matches!(compact_json("{\"a\": \"b c\"}"), Cow::Owned(t) if t == "{\"a\":\"b c\"}")
        );
    }

    fn text(db: &Db, sql: &str) -> String {
        db.read(|c| Ok(c.query_row(sql, [], |r| r.get(0))?))
            .unwrap()
    }

    #[test]
    fn a_new_draft_is_written_once_at_its_head_and_its_head_keeps_no_copy() {
        let (_d, db) = crate::store::testing::temp_db();
        apply(&db, first_page(3));
        let stamp = ts(at());
        let row: (i64, String, String, String, String) = db
            .read(|c| {
                Ok(c.query_row(
                    "SELECT head_version, created_at, updated_at, created_by, title
                     FROM drafts WHERE id = 'D0002'",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )?)
            })
            .unwrap();
        assert_eq!(
            row,
            (
                1,
                stamp.clone(),
                stamp,
                String::new(),
                "关于做好第2批春耕备耕工作的通知".to_owned()
            )
        );
        // The document is stored once, as the local version; the head row points at it.
        assert_eq!(
            count(&db, "SELECT count(*) FROM draft_heads WHERE document <> ''"),
            0
        );
        let content = text(
            &db,
            "SELECT content FROM draft_versions WHERE draft_id = 'D0002' AND version = 1",
        );
        assert!(content.contains("第2批"), "{content}");
    }

    #[test]
    fn an_acknowledged_save_materialises_the_head_again_from_the_local_version() {
        let (_d, db) = crate::store::testing::temp_db();
        apply(&db, first_page(3));
        let before = text(
            &db,
            "SELECT content FROM draft_versions WHERE draft_id = 'D0001' AND version = 1",
        );
        // What outbox::record_results does when a save of the draft is acknowledged.
        db.write(|tx| {
            tx.execute(
                "UPDATE draft_heads SET materialized = 0 WHERE draft_id IN ('D0001', 'D0002')",
                [],
            )?;
            // D0002 was deleted on this device meanwhile (删除草稿).
            store::drafts::delete(tx, "D0002")?;
            Ok(())
        })
        .unwrap();
        // The next pull's last page (here the same page again: every op already applied).
        let applied = apply(&db, first_page(3));
        assert_eq!(applied.ops, 0);
        assert_eq!(
            count(
                &db,
                "SELECT count(*) FROM draft_heads WHERE materialized = 0"
            ),
            0
        );
        assert_eq!(
            text(
                &db,
                "SELECT content FROM draft_versions WHERE draft_id = 'D0001' AND version = 1"
            ),
            before
        );
        assert_eq!(
            count(&db, "SELECT head_version FROM drafts WHERE id = 'D0001'"),
            1
        );
        // Nothing to bring a deleted draft back from: it stays deleted until a new head.
        assert_eq!(
            count(&db, "SELECT count(*) FROM drafts WHERE id = 'D0002'"),
            0
        );
    }

    #[test]
    fn a_head_that_arrives_while_a_save_waits_keeps_its_document_until_materialised() {
        let (_d, db) = crate::store::testing::temp_db();
        db.write(|tx| {
            tx.execute(
                "INSERT INTO outbox (id, kind, entity_id, payload, created_at, state)
                 VALUES ('o1', ?1, 'D0001', '{}', 'now', 'pending')",
                [mutations::DRAFT_SAVE],
            )?;
            Ok(())
        })
        .unwrap();
        apply(&db, first_page(3));
        let kept = text(
            &db,
            "SELECT document FROM draft_heads WHERE draft_id = 'D0001' AND materialized = 0",
        );
        assert!(kept.contains("第1批"), "{kept}");
        assert_eq!(
            count(&db, "SELECT count(*) FROM drafts WHERE id = 'D0001'"),
            0
        );
        // The save is answered; the next pull materialises the head from its row.
        db.write(|tx| {
            tx.execute("DELETE FROM outbox WHERE id = 'o1'", [])?;
            Ok(())
        })
        .unwrap();
        apply(&db, first_page(3));
        assert_eq!(
            count(&db, "SELECT head_version FROM drafts WHERE id = 'D0001'"),
            1
        );
        let content = text(
            &db,
            "SELECT content FROM draft_versions WHERE draft_id = 'D0001' AND version = 1",
        );
        assert_eq!(content, kept);
        assert_eq!(db.read(search::backlog).unwrap(), 0);
        assert_eq!(hits(&db, "第1批").len(), 1);
    }

    #[test]
    fn an_answer_with_nothing_new_writes_nothing() {
        let (_d, db) = crate::store::testing::temp_db();
        apply(&db, first_page(3));
        db.write(|tx| {
            crate::sync::outbox::client(tx, "now")?;
            crate::sync::outbox::acknowledge(tx, 7)?;
            Ok(())
        })
        .unwrap();
        let bucket = |db: &Db| {
            text(
                db,
                "SELECT cursor || ' ' || checksum || ' ' || updated_at FROM sync_buckets",
            )
        };
        let before = bucket(&db);
        // The same answer an hour later (what a no-op sync gets): no row changes, so
        // its commit writes nothing.
        let changed = crate::flow::write(&db, |tx| {
            let mut resp = first_page(3);
            resp.last_applied_seq = 7;
            let start = tx.total_changes();
            apply_response(tx, &mut resp, "zhang", at() + time::Duration::hours(1))?;
            Ok(tx.total_changes() - start)
        })
        .unwrap();
        assert_eq!(changed, 0);
        assert_eq!(bucket(&db), before);
        assert_eq!(count(&db, "SELECT acked_seq FROM sync_client"), 7);
        // An older acknowledgement never lowers it.
        db.write(|tx| crate::sync::outbox::acknowledge(tx, 3))
            .unwrap();
        assert_eq!(count(&db, "SELECT acked_seq FROM sync_client"), 7);
    }

    #[test]
    fn revocation_removes_drafts_whether_indexed_or_still_waiting() {
        for catch_up_first in [false, true] {
            let (_d, db) = crate::store::testing::temp_db();
            apply(&db, first_page(INLINE_INDEX_MAX + 1));
            if catch_up_first {
                db.write(|tx| search::catch_up(tx, 10_000)).unwrap();
            }
            let applied = apply(&db, removal());
            assert!(applied.removed);
            assert_eq!(count(&db, "SELECT count(*) FROM drafts"), 0);
            assert_eq!(count(&db, "SELECT count(*) FROM draft_versions"), 0);
            assert!(
                hits(&db, "春耕").is_empty(),
                "catch_up_first = {catch_up_first}"
            );
            assert!(hits(&db, "第1批").is_empty());
            assert_eq!(db.write(|tx| search::catch_up(tx, 10_000)).unwrap(), 0);
            assert_eq!(db.read(search::backlog).unwrap(), 0);
            assert!(hits(&db, "春耕").is_empty());
        }
    }
}
