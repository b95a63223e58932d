//! 冲突副本 (conflict copies) and their resolution.
//!
//! A save that lost the server's compare-and-set is kept there as a conflict copy of
//! the draft and listed in the draft's head ([`gongwen_protocol::sync::DraftHead`]) on
//! every device that holds the draft. The user resolves one by keeping the current
//! version or by saving a merge ([`Client::resolve_conflict`]): the save's
//! `draft.save.v1` row names the copy in its `resolves` args
//! ([`gongwen_protocol::sync::DRAFT_SAVE_RESOLVES`]), the server marks the copy
//! resolved in the same transaction and publishes the draft's head without it, so the
//! resolution reaches every device and survives a restart.
//!
//! Until the server has applied that save, the local view is the server's list minus
//! the copies named by saves still waiting in the outbox ([`Client::draft_conflicts`]),
//! the same rebase as for workflow commands: if the server refuses the save, the copy
//! shows again.

use gongwen_domain::Document;
use gongwen_protocol::sync::{ConflictCopy, DRAFT_SAVE_RESOLVES, mutations};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::api::{SavedVersion, rfc3339};
use crate::error::{Error, Result};
use crate::{Client, store};

/// How the user resolved a conflict copy.
#[derive(Debug, Clone, PartialEq)]
pub enum ConflictResolution {
    /// 保留当前版本: the head stays as it is; the copy is set aside.
    KeepCurrent,
    /// 采用副本 or 逐项合并: this document becomes the next version.
    Save(Box<Document>),
}

/// The copies of `draft_id` named by saves still waiting for the server.
fn resolving(c: &Connection, draft_id: &str) -> Result<Vec<String>> {
    let mut stmt = c.prepare_cached(
        "SELECT json_extract(payload, '$.resolves') FROM outbox
          WHERE kind = ?1 AND entity_id = ?2 AND state = 'pending'
            AND json_extract(payload, '$.resolves') IS NOT NULL",
    )?;
    let lists = stmt
        .query_map(params![mutations::DRAFT_SAVE, draft_id], |r| {
            r.get::<_, String>(0)
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(lists
        .iter()
        .filter_map(|l| serde_json::from_str::<Vec<String>>(l).ok())
        .flatten()
        .collect())
}

/// Names `copy` in the `resolves` args of the outbox row `seq`.
fn mark_resolves(tx: &Transaction<'_>, seq: i64, copy: &str) -> Result<()> {
    let resolves = serde_json::to_string(&[copy]).map_err(|e| Error::Corrupt(e.to_string()))?;
    tx.prepare_cached(&format!(
        "UPDATE outbox SET payload = json_set(payload, '$.{DRAFT_SAVE_RESOLVES}', json(?2))
          WHERE seq = ?1"
    ))?
    .execute(params![seq, resolves])?;
    Ok(())
}

impl Client {
    /// 冲突副本: the conflict copies the server keeps for a draft (saves that lost the
    /// compare-and-set), oldest first, each with its document JSON; without the ones
    /// this device resolved and has not yet heard back about.
    pub fn draft_conflicts(&self, draft_id: &str) -> Result<Vec<ConflictCopy>> {
        self.db.read(|c| {
            let json: Option<String> = c
                .query_row(
                    "SELECT conflicts FROM draft_heads WHERE draft_id = ?1",
                    [draft_id],
                    |r| r.get(0),
                )
                .optional()?;
            let copies: Vec<ConflictCopy> = json
                .and_then(|j| serde_json::from_str(&j).ok())
                .unwrap_or_default();
            if copies.is_empty() {
                return Ok(copies);
            }
            let resolved = resolving(c, draft_id)?;
            Ok(copies
                .into_iter()
                .filter(|copy| !resolved.contains(&copy.id))
                .collect())
        })
    }

    /// 处理冲突副本: resolves conflict copy `copy_id` of `draft_id` by keeping the
    /// current version or by saving `document` (the copy taken whole, or a merge) as the
    /// next version. Either way one `draft.save.v1` row names the copy in `resolves`:
    /// the server marks it resolved and every device of the draft stops listing it.
    /// Keeping the current version (or saving a document equal to it) sends the head
    /// again, which the server takes as no new version. Returns the head after.
    pub fn resolve_conflict(
        &self,
        draft_id: &str,
        copy_id: &str,
        resolution: ConflictResolution,
    ) -> Result<SavedVersion> {
        if !self
            .draft_conflicts(draft_id)?
            .iter()
            .any(|c| c.id == copy_id)
        {
            return Err(Error::InvalidArgument(
                "这份冲突副本已不存在（可能已在其他电脑上处理）".into(),
            ));
        }
        let prepared = match resolution {
            ConflictResolution::KeepCurrent => None,
            ConflictResolution::Save(doc) => Some(self.prepare(*doc, None)?),
        };
        let now = rfc3339(self.now());
        self.db.write(|tx| {
            let head = store::drafts::get(tx, draft_id)?.head_version;
            let saved = match &prepared {
                Some(p) => self.append_version_in(tx, Some(draft_id), p, Some(head), &now)?,
                None => {
                    let v = store::drafts::version(tx, draft_id, head)?;
                    SavedVersion {
                        draft_id: draft_id.to_owned(),
                        version: head,
                        content_hash: v.content_hash,
                        author: v.author,
                        saved_at: v.created_at,
                        unchanged: true,
                    }
                }
            };
            let seq = if saved.unchanged {
                // No new version: the head goes again, carrying the resolution.
                let v = store::drafts::version(tx, draft_id, head)?;
                crate::sync::outbox::record_draft_save(
                    tx,
                    draft_id,
                    Some(head),
                    head,
                    &v.content,
                    &v.content_hash,
                    &[],
                    &now,
                )?
            } else {
                // The version just written queued its save: the newest row of the draft.
                tx.query_row(
                    "SELECT max(seq) FROM outbox WHERE kind = ?1 AND entity_id = ?2",
                    params![mutations::DRAFT_SAVE, draft_id],
                    |r| r.get(0),
                )?
            };
            mark_resolves(tx, seq, copy_id)?;
            store::working_copies::delete(tx, draft_id)?;
            Ok(saved)
        })
    }
}
