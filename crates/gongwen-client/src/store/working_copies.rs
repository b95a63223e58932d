//! The `draft_working_copies` table: the editor's unsaved state of a draft.
//!
//! Autosave rewrites one row per draft instead of appending a version per keystroke;
//! it is as durable as a version (same database, `synchronous = FULL`) but is not
//! history and is never synced. A version is made from it on 保存, 送审, closing the
//! editor, and by the autosave itself when the row has been dirty for
//! [`crate::api::VERSION_INTERVAL`]. The attachment blobs it references are listed in
//! `working_copy_attachments`, so blob GC keeps them.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::error::Result;

/// One working copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingCopy {
    pub draft_id: String,
    pub base_version: i64,
    pub author: String,
    pub content: String,
    pub content_hash: String,
    pub dirty_since: String,
    pub saved_at: String,
}

/// An attachment of a working copy that has stored content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingCopyAttachment {
    pub position: i64,
    pub blob_hash: String,
    pub size: i64,
    pub file_name: Option<String>,
}

pub fn get(conn: &Connection, draft_id: &str) -> Result<Option<WorkingCopy>> {
    Ok(conn
        .prepare_cached(
            "SELECT draft_id, base_version, author, content, content_hash, dirty_since, saved_at
             FROM draft_working_copies WHERE draft_id = ?1",
        )?
        .query_row([draft_id], |r| {
            Ok(WorkingCopy {
                draft_id: r.get(0)?,
                base_version: r.get(1)?,
                author: r.get(2)?,
                content: r.get(3)?,
                content_hash: r.get(4)?,
                dirty_since: r.get(5)?,
                saved_at: r.get(6)?,
            })
        })
        .optional()?)
}

/// Writes (replaces) the working copy and its attachment references. The blobs must
/// already be recorded in `blobs`.
pub fn put(
    tx: &Transaction<'_>,
    wc: &WorkingCopy,
    attachments: &[(i64, &str, Option<&str>)],
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO draft_working_copies
             (draft_id, base_version, author, content, content_hash, dirty_since, saved_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (draft_id) DO UPDATE SET base_version = excluded.base_version,
             author = excluded.author, content = excluded.content,
             content_hash = excluded.content_hash, saved_at = excluded.saved_at",
    )?
    .execute(params![
        wc.draft_id,
        wc.base_version,
        wc.author,
        wc.content,
        wc.content_hash,
        wc.dirty_since,
        wc.saved_at
    ])?;
    tx.prepare_cached("DELETE FROM working_copy_attachments WHERE draft_id = ?1")?
        .execute([&wc.draft_id])?;
    let mut ins = tx.prepare_cached(
        "INSERT INTO working_copy_attachments (draft_id, position, blob_hash, file_name)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (position, hash, file_name) in attachments {
        ins.execute(params![wc.draft_id, position, hash, file_name])?;
    }
    Ok(())
}

/// The attachments with content of a working copy, with their blob sizes.
pub fn attachments(conn: &Connection, draft_id: &str) -> Result<Vec<WorkingCopyAttachment>> {
    let mut stmt = conn.prepare_cached(
        "SELECT w.position, w.blob_hash, b.size, w.file_name
         FROM working_copy_attachments w JOIN blobs b ON b.hash = w.blob_hash
         WHERE w.draft_id = ?1 ORDER BY w.position",
    )?;
    let rows = stmt
        .query_map([draft_id], |r| {
            Ok(WorkingCopyAttachment {
                position: r.get(0)?,
                blob_hash: r.get(1)?,
                size: r.get(2)?,
                file_name: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Removes the working copy of a draft. Returns whether there was one.
pub fn delete(tx: &Transaction<'_>, draft_id: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached("DELETE FROM draft_working_copies WHERE draft_id = ?1")?
        .execute([draft_id])?
        > 0)
}

/// The original file name of a blob as a working copy knows it (for attachments added
/// since the last version).
pub fn file_name_of(conn: &Connection, hash: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT file_name FROM working_copy_attachments
             WHERE blob_hash = ?1 AND file_name IS NOT NULL LIMIT 1",
        )?
        .query_row([hash], |r| r.get(0))
        .optional()?)
}
