//! The `drafts` and `draft_versions` tables.
//!
//! A draft is a row in `drafts` pointing at its head version; its content lives in
//! immutable `draft_versions` rows (a trigger refuses updates). Saving appends a
//! version and moves the head in the same transaction.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::error::{Error, Result};

/// One stored version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRow {
    pub draft_id: String,
    pub version: i64,
    pub author: String,
    pub created_at: String,
    pub base_version: Option<i64>,
    pub content_hash: String,
    pub content: String,
}

/// A version without its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionMeta {
    pub version: i64,
    pub author: String,
    pub created_at: String,
    pub base_version: Option<i64>,
    pub content_hash: String,
}

/// A row of the 草稿 list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftRow {
    pub num: i64,
    pub id: String,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub head_version: i64,
    pub title: String,
    pub doc_type: Option<String>,
    pub doc_number: Option<String>,
}

const DRAFT_COLS: &str =
    "num, id, created_at, created_by, updated_at, head_version, title, doc_type, doc_number";

fn draft_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DraftRow> {
    Ok(DraftRow {
        num: r.get(0)?,
        id: r.get(1)?,
        created_at: r.get(2)?,
        created_by: r.get(3)?,
        updated_at: r.get(4)?,
        head_version: r.get(5)?,
        title: r.get(6)?,
        doc_type: r.get(7)?,
        doc_number: r.get(8)?,
    })
}

/// The list columns denormalised from the head version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub title: String,
    pub doc_type: Option<String>,
    pub doc_number: Option<String>,
}

/// Creates a draft row (head version 0 until the first version is appended).
pub fn create(
    tx: &Transaction<'_>,
    id: &str,
    now: &str,
    author: &str,
    summary: &Summary,
) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO drafts (id, created_at, created_by, updated_at, head_version, title, doc_type, doc_number)
         VALUES (?1, ?2, ?3, ?2, 0, ?4, ?5, ?6)",
    )?
    .execute(params![id, now, author, summary.title, summary.doc_type, summary.doc_number])?;
    Ok(tx.last_insert_rowid())
}

/// Appends version `row.version` and makes it the head.
pub fn append_version(tx: &Transaction<'_>, row: &VersionRow, summary: &Summary) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO draft_versions (draft_id, version, author, created_at, base_version, content_hash, content)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
            row.draft_id,
            row.version,
            row.author,
            row.created_at,
            row.base_version,
            row.content_hash,
            row.content
        ])?;
    tx.prepare_cached(
        "UPDATE drafts SET head_version = ?2, updated_at = ?3, title = ?4, doc_type = ?5,
             doc_number = coalesce(?6, doc_number)
         WHERE id = ?1",
    )?
    .execute(params![
        row.draft_id,
        row.version,
        row.created_at,
        summary.title,
        summary.doc_type,
        summary.doc_number
    ])?;
    Ok(())
}

/// Records that version `version` references blob `hash` at `position`.
pub fn add_attachment_ref(
    tx: &Transaction<'_>,
    draft_id: &str,
    version: i64,
    position: usize,
    name: &str,
    hash: Option<&str>,
    file_name: Option<&str>,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO version_attachments (draft_id, version, position, name, blob_hash, file_name)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        draft_id,
        version,
        position as i64,
        name,
        hash,
        file_name
    ])?;
    Ok(())
}

pub fn get(conn: &Connection, id: &str) -> Result<DraftRow> {
    conn.query_row(
        &format!("SELECT {DRAFT_COLS} FROM drafts WHERE id = ?1"),
        [id],
        draft_row,
    )
    .optional()?
    .ok_or_else(|| Error::DraftNotFound(id.to_owned()))
}

pub fn version(conn: &Connection, id: &str, version: i64) -> Result<VersionRow> {
    conn.query_row(
        "SELECT draft_id, version, author, created_at, base_version, content_hash, content
         FROM draft_versions WHERE draft_id = ?1 AND version = ?2",
        params![id, version],
        |r| {
            Ok(VersionRow {
                draft_id: r.get(0)?,
                version: r.get(1)?,
                author: r.get(2)?,
                created_at: r.get(3)?,
                base_version: r.get(4)?,
                content_hash: r.get(5)?,
                content: r.get(6)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| Error::VersionNotFound {
        draft: id.to_owned(),
        version,
    })
}

/// Versions `from..=to` with content, oldest first.
pub fn versions_between(
    conn: &Connection,
    id: &str,
    from: i64,
    to: i64,
) -> Result<Vec<VersionRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT draft_id, version, author, created_at, base_version, content_hash, content
         FROM draft_versions WHERE draft_id = ?1 AND version BETWEEN ?2 AND ?3 ORDER BY version",
    )?;
    let rows = stmt.query_map(params![id, from, to], |r| {
        Ok(VersionRow {
            draft_id: r.get(0)?,
            version: r.get(1)?,
            author: r.get(2)?,
            created_at: r.get(3)?,
            base_version: r.get(4)?,
            content_hash: r.get(5)?,
            content: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// All versions of a draft, newest first, without content.
pub fn history(conn: &Connection, id: &str) -> Result<Vec<VersionMeta>> {
    get(conn, id)?;
    let mut stmt = conn.prepare_cached(
        "SELECT version, author, created_at, base_version, content_hash
         FROM draft_versions WHERE draft_id = ?1 ORDER BY version DESC",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(VersionMeta {
            version: r.get(0)?,
            author: r.get(1)?,
            created_at: r.get(2)?,
            base_version: r.get(3)?,
            content_hash: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// One page of the 草稿 list, most recently edited first.
pub fn list(conn: &Connection, limit: usize, offset: usize) -> Result<Vec<DraftRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {DRAFT_COLS} FROM drafts ORDER BY updated_at DESC, num DESC LIMIT ?1 OFFSET ?2"
    ))?;
    let rows = stmt.query_map(params![limit as i64, offset as i64], draft_row)?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Drafts by their `num` (search results), in the given order.
pub fn by_nums(conn: &Connection, nums: &[i64]) -> Result<Vec<DraftRow>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {DRAFT_COLS} FROM drafts WHERE num = ?1"))?;
    let mut out = Vec::with_capacity(nums.len());
    for n in nums {
        if let Some(row) = stmt.query_row([n], draft_row).optional()? {
            out.push(row);
        }
    }
    Ok(out)
}

/// Deletes a draft with all its versions and attachment references.
pub fn delete(tx: &Transaction<'_>, id: &str) -> Result<i64> {
    let num = tx
        .query_row("SELECT num FROM drafts WHERE id = ?1", [id], |r| {
            r.get::<_, i64>(0)
        })
        .optional()?
        .ok_or_else(|| Error::DraftNotFound(id.to_owned()))?;
    tx.execute("DELETE FROM version_attachments WHERE draft_id = ?1", [id])?;
    tx.execute("DELETE FROM draft_versions WHERE draft_id = ?1", [id])?;
    tx.execute("DELETE FROM drafts WHERE id = ?1", [id])?;
    Ok(num)
}

/// The original file name last recorded for blob `hash`.
pub fn file_name_of(conn: &Connection, hash: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT file_name FROM version_attachments WHERE blob_hash = ?1 AND file_name IS NOT NULL LIMIT 1",
            [hash],
            |r| r.get(0),
        )
        .optional()?)
}
