//! Autosave without a version per keystroke.
//!
//! The editor calls [`Client::autosave_draft`] on a short debounce (at most 2 seconds):
//! it rewrites the draft's *working copy*, one row in the encrypted database, durable
//! when the call returns (a crash or `kill -9` loses nothing older than the debounce).
//! A working copy is not a version: it has no number, is not in 修改记录 and is never
//! synced. A real version (痕迹保留 history, pushed by sync) is made
//! - on 保存 ([`Client::save_draft`], which supersedes the working copy),
//! - on 送审 ([`Client::submit_draft`] commits it first, so the text under approval is
//!   what the drafter sees),
//! - when the editor closes ([`Client::commit_working_copy`]),
//! - and by autosave itself at most every [`VERSION_INTERVAL`] while typing (counted
//!   from the first unsaved change).
//!
//! [`Client::open_draft`] returns the working copy when there is one, with
//! `recovered: true`, so the UI can say 已恢复未保存的修改 (and offer
//! [`Client::discard_working_copy`]).

use gongwen_domain::Document;
use rusqlite::Transaction;
use serde::Serialize;
use time::OffsetDateTime;

use super::{Client, DraftDetail, PreparedAttachment, PreparedDoc, SavedVersion, rfc3339};
use crate::error::{Error, Result};
use crate::store;
use crate::store::working_copies::{self, WorkingCopy};

/// While typing, autosave turns the working copy into a version at most this often.
pub const VERSION_INTERVAL: time::Duration = time::Duration::minutes(10);

/// What an autosave did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AutosaveResult {
    pub draft_id: String,
    /// When this autosave was written (RFC 3339).
    pub saved_at: String,
    /// Whether the draft has changes not yet in a version (held in the working copy).
    /// False when the editor's content equals the head version, or when this autosave
    /// made a version.
    pub unsaved_changes: bool,
    /// The version this autosave made (the 10-minute rule), if it made one.
    pub version: Option<SavedVersion>,
    /// The head version after the autosave.
    pub head_version: i64,
}

impl Client {
    /// 自动保存: writes the editor's content of a draft to its working copy (no new
    /// version). `base_version` is the version the editor started from. Durable when it
    /// returns. When the working copy has held unsaved changes for
    /// [`VERSION_INTERVAL`], this makes a version from it (see [`AutosaveResult::version`]).
    /// Attachment files named by path are copied into the (encrypted) blob store.
    pub fn autosave_draft(
        &self,
        draft_id: &str,
        doc: Document,
        base_version: i64,
    ) -> Result<AutosaveResult> {
        let prepared = self.prepare(doc, None)?;
        let at = self.now();
        let now = rfc3339(at);
        self.db.write(|tx| {
            let draft = store::drafts::get(tx, draft_id)?;
            let head = store::drafts::version(tx, draft_id, draft.head_version)?;
            if base_version < 1 || base_version > draft.head_version {
                return Err(Error::VersionNotFound {
                    draft: draft_id.to_owned(),
                    version: base_version,
                });
            }
            let result =
                |unsaved_changes, version: Option<SavedVersion>, head_version| AutosaveResult {
                    draft_id: draft.id.clone(),
                    saved_at: now.clone(),
                    unsaved_changes,
                    version,
                    head_version,
                };
            if head.content_hash == prepared.content_hash {
                // Back to the saved text (undo): nothing unsaved.
                working_copies::delete(tx, draft_id)?;
                return Ok(result(false, None, draft.head_version));
            }
            let existing = working_copies::get(tx, draft_id)?;
            let dirty_since = existing
                .as_ref()
                .map(|w| w.dirty_since.clone())
                .unwrap_or_else(|| now.clone());
            if dirty_for(&dirty_since, at) >= VERSION_INTERVAL {
                let saved = self.append_version_in(
                    tx,
                    Some(draft_id),
                    &prepared,
                    Some(base_version),
                    &now,
                )?;
                working_copies::delete(tx, draft_id)?;
                let v = saved.version;
                return Ok(result(false, Some(saved), v));
            }
            put_working_copy(
                tx,
                &WorkingCopy {
                    draft_id: draft.id.clone(),
                    base_version,
                    author: self.user.clone(),
                    content: prepared.content.clone(),
                    content_hash: prepared.content_hash.clone(),
                    dirty_since,
                    saved_at: now.clone(),
                },
                &prepared,
                &now,
            )?;
            Ok(result(true, None, draft.head_version))
        })
    }

    /// 关闭编辑器 / before 送审: makes a version from the draft's working copy, if it has
    /// one, and removes the working copy. Returns the version made (`None` when there
    /// were no unsaved changes).
    pub fn commit_working_copy(&self, draft_id: &str) -> Result<Option<SavedVersion>> {
        let now = rfc3339(self.now());
        self.db.write(|tx| {
            store::drafts::get(tx, draft_id)?;
            self.commit_working_copy_in(tx, draft_id, &now)
        })
    }

    /// 放弃修改: drops the draft's working copy; the head version stays. Returns whether
    /// there was one.
    pub fn discard_working_copy(&self, draft_id: &str) -> Result<bool> {
        self.db.write(|tx| {
            store::drafts::get(tx, draft_id)?;
            working_copies::delete(tx, draft_id)
        })
    }

    /// Inside a write transaction: the version from the working copy (see
    /// [`Client::commit_working_copy`]).
    pub(crate) fn commit_working_copy_in(
        &self,
        tx: &Transaction<'_>,
        draft_id: &str,
        now: &str,
    ) -> Result<Option<SavedVersion>> {
        let Some(wc) = working_copies::get(tx, draft_id)? else {
            return Ok(None);
        };
        let doc = Document::from_json(&wc.content).map_err(|e| {
            Error::Corrupt(format!("草稿“{draft_id}”的未保存修改无法读取：{}", e.0))
        })?;
        let stored = working_copies::attachments(tx, draft_id)?;
        let attachments = doc
            .attachments
            .iter()
            .enumerate()
            .map(|(position, a)| {
                let s = stored.iter().find(|s| s.position == position as i64);
                PreparedAttachment {
                    position,
                    name: a.name.clone(),
                    blob: s.map(|s| store::blobs::Blob {
                        hash: s.blob_hash.clone(),
                        size: u64::try_from(s.size).unwrap_or(0),
                    }),
                    file_name: s.and_then(|s| s.file_name.clone()),
                }
            })
            .collect();
        let prepared = PreparedDoc {
            doc,
            attachments,
            content: wc.content.clone(),
            content_hash: wc.content_hash.clone(),
        };
        // The base is kept when it still exists (it always does: versions are never
        // deleted while the draft exists).
        let saved =
            self.append_version_in(tx, Some(draft_id), &prepared, Some(wc.base_version), now)?;
        working_copies::delete(tx, draft_id)?;
        Ok((!saved.unchanged).then_some(saved))
    }

    /// The draft's working copy as a [`DraftDetail`] with `recovered: true`, when it
    /// differs from the head.
    pub(super) fn working_copy_detail(
        &self,
        draft_id: &str,
        head_version: i64,
        head_hash: &str,
    ) -> Result<Option<DraftDetail>> {
        let Some(wc) = self.db.read(|c| working_copies::get(c, draft_id))? else {
            return Ok(None);
        };
        if wc.content_hash == head_hash {
            return Ok(None);
        }
        let document = Document::from_json(&wc.content).map_err(|e| {
            Error::Corrupt(format!("草稿“{draft_id}”的未保存修改无法读取：{}", e.0))
        })?;
        Ok(Some(DraftDetail {
            id: wc.draft_id,
            version: wc.base_version,
            head_version,
            author: wc.author,
            saved_at: wc.saved_at.clone(),
            content_hash: wc.content_hash,
            document,
            recovered: true,
            working_copy_saved_at: Some(wc.saved_at),
        }))
    }
}

/// Writes the working copy with its attachment references (blobs recorded first).
fn put_working_copy(
    tx: &Transaction<'_>,
    wc: &WorkingCopy,
    prepared: &PreparedDoc,
    now: &str,
) -> Result<()> {
    let mut refs: Vec<(i64, &str, Option<&str>)> = Vec::new();
    for a in &prepared.attachments {
        if let Some(blob) = &a.blob {
            store::blobs::record(tx, blob, now)?;
            refs.push((
                a.position as i64,
                blob.hash.as_str(),
                a.file_name.as_deref(),
            ));
        }
    }
    let mut refs_owned: Vec<(i64, String, Option<String>)> = Vec::with_capacity(refs.len());
    for (position, hash, file_name) in refs {
        // A file added in an earlier autosave keeps its original name.
        let name = match file_name {
            Some(n) => Some(n.to_owned()),
            None => {
                working_copies::file_name_of(tx, hash)?.or(store::drafts::file_name_of(tx, hash)?)
            }
        };
        refs_owned.push((position, hash.to_owned(), name));
    }
    let refs: Vec<(i64, &str, Option<&str>)> = refs_owned
        .iter()
        .map(|(p, h, n)| (*p, h.as_str(), n.as_deref()))
        .collect();
    working_copies::put(tx, wc, &refs)
}

/// How long a working copy has been dirty at `now` (zero when the stamp is unreadable).
fn dirty_for(since: &str, now: OffsetDateTime) -> time::Duration {
    OffsetDateTime::parse(since, &time::format_description::well_known::Rfc3339)
        .map(|t| now - t)
        .unwrap_or(time::Duration::ZERO)
}
