//! Attachment contents, content-addressed by SHA-256, under `<data dir>/blobs/`.
//!
//! - A file is streamed in fixed-size chunks into a temp file while it is hashed, so a
//!   1 GB attachment never sits in memory; the temp file is synced and then renamed to
//!   `blobs/<first 2 hex>/<full hex>`. An existing blob is not written again (dedup).
//! - The `blobs` table lists the stored blobs; `version_attachments` records which
//!   version references which blob. A blob is deleted only by [`gc`], and only when no
//!   version references it any more (mark and sweep under the writer lock).
//! - A reference in a document is written `sha256:<hex>`.

use std::fs::{self, File};
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use rusqlite::{OptionalExtension, Transaction, params};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::fsutil;

/// The prefix of a blob reference in a document's `attachments[].file`.
pub const REF_PREFIX: &str = "sha256:";

const CHUNK: usize = 256 * 1024;

/// A stored blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    /// Lower-case hex SHA-256 of the content.
    pub hash: String,
    pub size: u64,
}

impl Blob {
    /// The reference written into documents.
    pub fn reference(&self) -> String {
        format!("{REF_PREFIX}{}", self.hash)
    }
}

/// Parses `sha256:<64 hex>`.
pub fn parse_ref(s: &str) -> Option<&str> {
    let h = s.strip_prefix(REF_PREFIX)?;
    (h.len() == 64
        && h.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
    .then_some(h)
}

/// The blob folder.
#[derive(Debug, Clone)]
pub struct BlobStore {
    dir: PathBuf,
}

impl BlobStore {
    pub fn new(data_dir: &Path) -> BlobStore {
        BlobStore {
            dir: data_dir.join("blobs"),
        }
    }

    /// Where the blob with `hash` lives.
    pub fn path(&self, hash: &str) -> PathBuf {
        self.dir.join(&hash[..2]).join(hash)
    }

    /// Streams `reader` into the store. Returns the blob; writes nothing when a blob
    /// with the same content already exists.
    pub fn put_reader(&self, reader: &mut dyn Read) -> Result<Blob> {
        let tmp_dir = self.dir.join("tmp");
        fs::create_dir_all(&tmp_dir).map_err(|e| Error::io(&tmp_dir, e))?;
        let tmp = tmp_dir.join(format!("{}.part", uuid::Uuid::now_v7()));
        let result = self.stream_to(&tmp, reader);
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    fn stream_to(&self, tmp: &Path, reader: &mut dyn Read) -> Result<Blob> {
        let mut out = File::create(tmp).map_err(|e| Error::io(tmp, e))?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; CHUNK];
        let mut size = 0u64;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io(tmp, e)),
            };
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n]).map_err(|e| Error::io(tmp, e))?;
            size += n as u64;
        }
        out.sync_all().map_err(|e| Error::io(tmp, e))?;
        drop(out);
        let hash = hex::encode(hasher.finalize());
        let dest = self.path(&hash);
        if dest.exists() {
            fs::remove_file(tmp).map_err(|e| Error::io(tmp, e))?;
        } else {
            let parent = dest.parent().expect("blob path has a parent");
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            fs::rename(tmp, &dest).map_err(|e| Error::io(&dest, e))?;
            fsutil::sync_dir(parent)?;
        }
        Ok(Blob { hash, size })
    }

    /// Where a download of `hash` in progress keeps the bytes received so far (the sync
    /// engine resumes from its length).
    pub fn partial_path(&self, hash: &str) -> PathBuf {
        self.dir.join("tmp").join(format!("{hash}.download"))
    }

    /// Moves a complete, verified download into the store.
    pub fn adopt_partial(&self, hash: &str) -> Result<Blob> {
        let tmp = self.partial_path(hash);
        let size = fs::metadata(&tmp).map_err(|e| Error::io(&tmp, e))?.len();
        let dest = self.path(hash);
        let parent = dest.parent().expect("blob path has a parent");
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        fs::rename(&tmp, &dest).map_err(|e| Error::io(&dest, e))?;
        fsutil::sync_dir(parent)?;
        Ok(Blob {
            hash: hash.to_owned(),
            size,
        })
    }

    /// Streams the file at `path` into the store. `name` names the attachment in errors.
    pub fn put_file(&self, name: &str, path: &Path) -> Result<Blob> {
        let bad = |e: std::io::Error| Error::AttachmentFile {
            name: name.to_owned(),
            path: path.display().to_string(),
            reason: fsutil::plain_io_reason(&e),
        };
        let meta = fs::metadata(path).map_err(bad)?;
        if !meta.is_file() {
            return Err(Error::AttachmentFile {
                name: name.to_owned(),
                path: path.display().to_string(),
                reason: "不是一个文件".into(),
            });
        }
        let mut reader = BufReader::with_capacity(CHUNK, File::open(path).map_err(bad)?);
        self.put_reader(&mut reader)
    }

    /// Opens a blob for reading (streaming).
    pub fn open(&self, hash: &str) -> Result<File> {
        File::open(self.path(hash)).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::BlobMissing(hash.to_owned()),
            _ => Error::io(self.path(hash), e),
        })
    }

    /// Copies a blob to `dest`, streaming.
    pub fn copy_to(&self, hash: &str, dest: &Path) -> Result<u64> {
        let mut src = self.open(hash)?;
        let mut out = File::create(dest).map_err(|e| Error::io(dest, e))?;
        let n = std::io::copy(&mut src, &mut out).map_err(|e| Error::io(dest, e))?;
        out.sync_all().map_err(|e| Error::io(dest, e))?;
        Ok(n)
    }
}

/// Records a blob in the `blobs` table (idempotent).
pub fn record(tx: &Transaction<'_>, blob: &Blob, now: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO blobs (hash, size, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (hash) DO NOTHING",
        params![blob.hash, blob.size as i64, now],
    )?;
    Ok(())
}

/// Whether the `blobs` table knows `hash`.
pub fn exists(tx: &Transaction<'_>, hash: &str) -> Result<bool> {
    Ok(tx
        .query_row("SELECT 1 FROM blobs WHERE hash = ?1", [hash], |_| Ok(()))
        .optional()?
        .is_some())
}

/// What a garbage collection removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GcReport {
    pub blobs_removed: u64,
    pub bytes_freed: u64,
}

/// Mark and sweep: removes blobs no version references. Runs under the writer lock
/// (inside `tx`); files are deleted after their rows, so a crash in between leaves at
/// worst an unlisted file, which the next run removes.
pub fn gc(tx: &Transaction<'_>, store: &BlobStore) -> Result<GcReport> {
    let mut stmt = tx.prepare(
        "SELECT hash, size FROM blobs
         WHERE NOT EXISTS (SELECT 1 FROM version_attachments va WHERE va.blob_hash = blobs.hash)",
    )?;
    let dead: Vec<(String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<std::result::Result<_, _>>()?;
    let mut report = GcReport::default();
    for (hash, size) in &dead {
        tx.execute("DELETE FROM blobs WHERE hash = ?1", [hash])?;
        report.blobs_removed += 1;
        report.bytes_freed += u64::try_from(*size).unwrap_or(0);
    }
    for (hash, _) in &dead {
        match fs::remove_file(store.path(hash)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(store.path(hash), e)),
        }
    }
    // Sweep files that no row lists (left by a crash between writing a blob and
    // recording it). Only files older than an hour: a save may be recording one now.
    if let Ok(shards) = fs::read_dir(&store.dir) {
        for shard in shards.flatten() {
            if shard.file_name() == "tmp" || !shard.path().is_dir() {
                continue;
            }
            for f in fs::read_dir(shard.path()).into_iter().flatten().flatten() {
                let name = f.file_name().to_string_lossy().into_owned();
                let old = f
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age.as_secs() > 3600);
                let listed = tx
                    .query_row("SELECT 1 FROM blobs WHERE hash = ?1", [&name], |_| Ok(()))
                    .optional()?;
                if old && listed.is_none() {
                    let _ = fs::remove_file(f.path());
                }
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_content_is_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::new(dir.path());
        let a = store.put_reader(&mut &b"hello"[..]).unwrap();
        let b = store.put_reader(&mut &b"hello"[..]).unwrap();
        assert_eq!(a, b);
        assert_eq!(
            a.hash,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert_eq!(std::fs::read(store.path(&a.hash)).unwrap(), b"hello");
        assert_eq!(
            std::fs::read_dir(dir.path().join("blobs/tmp"))
                .unwrap()
                .count(),
            0
        );
    }

    #[test]
    fn missing_file_names_the_attachment() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::new(dir.path());
        let e = store
            .put_file("预算表", &dir.path().join("nope.xlsx"))
            .unwrap_err();
        assert_eq!(e.code(), "attachment_file");
        assert!(
            e.to_string().contains("预算表") && e.to_string().contains("nope.xlsx"),
            "{e}"
        );
    }

    #[test]
    fn refs_parse() {
        let h = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
        assert_eq!(parse_ref(&format!("sha256:{h}")), Some(h));
        assert_eq!(parse_ref("sha256:xyz"), None);
        assert_eq!(parse_ref("附件.pdf"), None);
    }
}
