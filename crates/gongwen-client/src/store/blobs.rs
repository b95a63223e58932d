//! Attachment contents, content-addressed by SHA-256, under `<data dir>/blobs/`.
//!
//! - Contents are sealed at rest ([`super::sealed`]: XChaCha20-Poly1305 in 64 KiB
//!   chunks, with a key derived from the store key), like the database. The address
//!   stays the SHA-256 of the plaintext, so deduplication and the sync protocol's
//!   `sha256:` references are unchanged.
//! - A file is streamed in chunks into a temp file while it is hashed and sealed, so a
//!   1 GB attachment never sits in memory; the temp file is synced and then renamed to
//!   `blobs/<first 2 hex>/<full hex>`. An existing blob is not written again (dedup).
//! - The `blobs` table lists the stored blobs; `version_attachments` records which
//!   version references which blob. A blob is deleted only by [`gc`], and only when no
//!   version references it any more (mark and sweep under the writer lock).
//! - Stores written before sealing existed are converted once, on open
//!   ([`BlobStore::seal_plaintext_blobs`]).
//! - A reference in a document is written `sha256:<hex>`.

use std::fs::{self, File};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use sha2::{Digest, Sha256};

use super::sealed::{self, BlobKey, SealWriter, SealedReader};
use crate::error::{Error, Result};
use crate::fsutil;

/// The prefix of a blob reference in a document's `attachments[].file`.
pub const REF_PREFIX: &str = "sha256:";

const CHUNK: usize = 256 * 1024;

/// The `meta` key recording that every blob file is sealed.
const META_FORMAT: &str = "blob_format";
const FORMAT_SEALED: &str = "xchacha20poly1305-stream-v1";

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

/// The blob folder and the key that seals it.
#[derive(Debug, Clone)]
pub struct BlobStore {
    dir: PathBuf,
    key: BlobKey,
    /// Where decrypted copies for viewing are kept (see [`BlobStore::copies_dir`]).
    open_dir: Option<PathBuf>,
}

/// A blob opened for reading: `Read + Seek` over the plaintext.
pub type BlobReader = SealedReader;

impl BlobStore {
    pub fn new(data_dir: &Path, key: BlobKey) -> BlobStore {
        BlobStore {
            dir: data_dir.join("blobs"),
            key,
            open_dir: None,
        }
    }

    /// Also manage the decrypted copies handed out for viewing under `dir`: [`gc`]
    /// removes a blob's copies with the blob.
    pub fn with_copies_in(mut self, dir: PathBuf) -> BlobStore {
        self.open_dir = Some(dir);
        self
    }

    /// The folder holding the decrypted copies of `hash`, when copies are managed.
    pub fn copies_dir(&self, hash: &str) -> Option<PathBuf> {
        self.open_dir.as_ref().map(|d| d.join(&hash[..16]))
    }

    /// Where the (sealed) blob with `hash` lives.
    pub fn path(&self, hash: &str) -> PathBuf {
        self.dir.join(&hash[..2]).join(hash)
    }

    fn tmp_dir(&self) -> Result<PathBuf> {
        let tmp_dir = self.dir.join("tmp");
        fs::create_dir_all(&tmp_dir).map_err(|e| Error::io(&tmp_dir, e))?;
        Ok(tmp_dir)
    }

    /// Streams `reader` into the store. Returns the blob; writes nothing when a blob
    /// with the same content already exists.
    pub fn put_reader(&self, reader: &mut dyn Read) -> Result<Blob> {
        let tmp = self
            .tmp_dir()?
            .join(format!("{}.part", uuid::Uuid::now_v7()));
        let result = self.seal_into_store(&tmp, reader, None);
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    /// Seals `reader` into `tmp`, then moves it to its address (or drops it when that
    /// blob exists). With `expected`, a content whose hash differs is refused.
    fn seal_into_store(
        &self,
        tmp: &Path,
        reader: &mut dyn Read,
        expected: Option<&str>,
    ) -> Result<Blob> {
        let out = File::create(tmp).map_err(|e| Error::io(tmp, e))?;
        let mut writer = SealWriter::new(&self.key, BufWriter::with_capacity(CHUNK, out))
            .map_err(|e| Error::io(tmp, e))?;
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io(tmp, e)),
            };
            writer.write_all(&buf[..n]).map_err(|e| Error::io(tmp, e))?;
        }
        let (out, hash, size) = writer.finish().map_err(|e| Error::io(tmp, e))?;
        let out = out
            .into_inner()
            .map_err(|e| Error::io(tmp, e.into_error()))?;
        out.sync_all().map_err(|e| Error::io(tmp, e))?;
        drop(out);
        if let Some(expected) = expected
            && expected != hash
        {
            return Err(Error::BlobCorrupt(format!(
                "内容的 SHA-256 为 {hash}，与编号 {expected} 不符"
            )));
        }
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

    /// Where a download of `hash` in progress keeps the bytes received so far, sealed
    /// as they arrive ([`sealed::PartialSeal`]: never plaintext). [`BlobStore::open_partial`]
    /// opens or resumes it, [`BlobStore::adopt_partial`] moves it into the store.
    pub fn partial_path(&self, hash: &str) -> PathBuf {
        self.dir.join("tmp").join(format!("{hash}.download"))
    }

    /// Opens (creating, or resuming after the last whole chunk) the download of `hash`.
    pub fn open_partial(&self, hash: &str) -> Result<sealed::PartialSeal> {
        self.tmp_dir()?;
        let partial = self.partial_path(hash);
        sealed::PartialSeal::open(&self.key, &partial).map_err(|e| Error::io(&partial, e))
    }

    /// The plaintext bytes of `hash` downloaded so far (0: no download in progress).
    pub fn partial_len(&self, hash: &str) -> u64 {
        fs::metadata(self.partial_path(hash))
            .map(|m| sealed::partial_plain_len(m.len()))
            .unwrap_or(0)
    }

    /// Moves a complete download into the store: reads it through once (every chunk
    /// authenticated, the plaintext hashed against `hash`), then renames the sealed file
    /// to its address. A download whose content does not match its name is removed and
    /// refused with [`Error::BlobCorrupt`].
    pub fn adopt_partial(&self, hash: &str) -> Result<Blob> {
        let partial = self.partial_path(hash);
        let file = File::open(&partial).map_err(|e| Error::io(&partial, e))?;
        let checked = sealed::SealedReader::new(&self.key, file, hash).and_then(|mut r| {
            let size = r.len();
            std::io::copy(&mut r, &mut std::io::sink())?;
            Ok(size)
        });
        let size = match checked {
            Ok(size) => size,
            Err(e) => {
                let _ = fs::remove_file(&partial);
                return Err(if e.kind() == std::io::ErrorKind::InvalidData {
                    Error::BlobCorrupt(format!(
                        "下载的附件 {}… 无法通过校验（{e}），已丢弃",
                        &hash[..hash.len().min(12)]
                    ))
                } else {
                    Error::io(&partial, e)
                });
            }
        };
        let dest = self.path(hash);
        if dest.exists() {
            fs::remove_file(&partial).map_err(|e| Error::io(&partial, e))?;
        } else {
            File::open(&partial)
                .and_then(|f| f.sync_all())
                .map_err(|e| Error::io(&partial, e))?;
            let parent = dest.parent().expect("blob path has a parent");
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            fs::rename(&partial, &dest).map_err(|e| Error::io(&dest, e))?;
            fsutil::sync_dir(parent)?;
        }
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

    fn open_raw(&self, hash: &str) -> Result<File> {
        File::open(self.path(hash)).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::BlobMissing(hash.to_owned()),
            _ => Error::io(self.path(hash), e),
        })
    }

    /// The plaintext size of a stored blob (from the file length; nothing decrypted).
    pub fn size(&self, hash: &str) -> Result<u64> {
        let len = self
            .open_raw(hash)?
            .metadata()
            .map_err(|e| Error::io(self.path(hash), e))?
            .len();
        sealed::plain_len(len)
            .ok_or_else(|| Error::BlobCorrupt(format!("附件内容 {hash} 的文件长度不对")))
    }

    /// Opens a blob for reading: `Read + Seek` over the plaintext, decrypted chunk by
    /// chunk (a 1 GB blob never sits in memory). Reading it from start to end also
    /// checks its hash. Tampering surfaces as an `InvalidData` I/O error; use
    /// [`blob_read_error`] to turn it into [`Error::BlobCorrupt`].
    pub fn open(&self, hash: &str) -> Result<BlobReader> {
        let file = self.open_raw(hash)?;
        SealedReader::new(&self.key, file, hash)
            .map_err(|e| blob_read_error(hash, &self.path(hash), e))
    }

    /// Decrypts a blob to `dest` (streaming). The file appears only when it is complete
    /// and verified; on any failure nothing is left at `dest`.
    pub fn copy_to(&self, hash: &str, dest: &Path) -> Result<u64> {
        let mut src = self.open(hash)?;
        let dir = dest
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let tmp = dir.join(format!(
            ".{}.part-{}",
            dest.file_name().and_then(|n| n.to_str()).unwrap_or("blob"),
            uuid::Uuid::now_v7()
        ));
        let result = (|| {
            let out = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
            let mut out = BufWriter::with_capacity(CHUNK, out);
            let n = std::io::copy(&mut src, &mut out).map_err(|e| {
                if sealed::is_tampering(&e) {
                    blob_read_error(hash, &self.path(hash), e)
                } else {
                    Error::io(&tmp, e)
                }
            })?;
            let out = out
                .into_inner()
                .map_err(|e| Error::io(&tmp, e.into_error()))?;
            out.sync_all().map_err(|e| Error::io(&tmp, e))?;
            drop(out);
            fs::rename(&tmp, dest).map_err(|e| Error::io(dest, e))?;
            Ok(n)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    /// Converts blob files written before sealing existed (plaintext) into sealed files,
    /// once per store: the `meta` table remembers that it is done. Each file is sealed
    /// into a temp file, checked against its name, then renamed over the plaintext, so
    /// an interruption leaves every blob readable and the next open resumes. Also
    /// removes leftover plaintext temp files. Returns how many files were converted.
    pub fn seal_plaintext_blobs(&self, db: &super::Db) -> Result<u64> {
        let done = db.read(|c| {
            Ok(c.query_row(
                "SELECT value FROM meta WHERE key = ?1",
                [META_FORMAT],
                |r| r.get::<_, String>(0),
            )
            .optional()?)
        })?;
        if done.as_deref() == Some(FORMAT_SEALED) {
            return Ok(0);
        }
        let mut converted = 0;
        if let Ok(tmp) = fs::read_dir(self.dir.join("tmp")) {
            for f in tmp.flatten() {
                let name = f.file_name().to_string_lossy().into_owned();
                if name.ends_with(".part") || name.ends_with(".sealing") {
                    let _ = fs::remove_file(f.path());
                }
            }
        }
        for path in self.blob_files() {
            let Some(hash) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
                continue;
            };
            if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                continue;
            }
            if !is_plaintext(&path, &hash)? {
                continue;
            }
            let mut src = BufReader::with_capacity(
                CHUNK,
                File::open(&path).map_err(|e| Error::io(&path, e))?,
            );
            let tmp = self.tmp_dir()?.join(format!("{hash}.sealing"));
            let sealed = (|| {
                let out = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
                let mut w = SealWriter::new(&self.key, BufWriter::with_capacity(CHUNK, out))
                    .map_err(|e| Error::io(&tmp, e))?;
                std::io::copy(&mut src, &mut w).map_err(|e| Error::io(&path, e))?;
                let (out, got, _) = w.finish().map_err(|e| Error::io(&tmp, e))?;
                let out = out
                    .into_inner()
                    .map_err(|e| Error::io(&tmp, e.into_error()))?;
                out.sync_all().map_err(|e| Error::io(&tmp, e))?;
                Ok::<_, Error>(got)
            })();
            match sealed {
                Ok(got) if got == hash => {
                    fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))?;
                    if let Some(parent) = path.parent() {
                        fsutil::sync_dir(parent)?;
                    }
                    converted += 1;
                }
                Ok(got) => {
                    // A damaged plaintext file: keep it as it is for inspection; its
                    // reads will fail with a clear message.
                    let _ = fs::remove_file(&tmp);
                    tracing::warn!(%hash, %got, "plaintext blob does not match its name; left as is");
                }
                Err(e) => {
                    let _ = fs::remove_file(&tmp);
                    return Err(e);
                }
            }
        }
        db.write(|tx| {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [META_FORMAT, FORMAT_SEALED],
            )?;
            Ok(())
        })?;
        if converted > 0 {
            tracing::info!(converted, "sealed plaintext attachment blobs");
        }
        Ok(converted)
    }

    /// Every file under the shard folders.
    fn blob_files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        if let Ok(shards) = fs::read_dir(&self.dir) {
            for shard in shards.flatten() {
                if shard.file_name() == "tmp" || !shard.path().is_dir() {
                    continue;
                }
                for f in fs::read_dir(shard.path()).into_iter().flatten().flatten() {
                    if f.path().is_file() {
                        out.push(f.path());
                    }
                }
            }
        }
        out
    }
}

/// Whether a blob file is a plaintext one from before sealing: it does not start with
/// the sealed header, or (vanishingly unlikely) it does but its raw bytes hash to its
/// name.
fn is_plaintext(path: &Path, hash: &str) -> Result<bool> {
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut head = [0u8; 8];
    let mut got = 0;
    while got < head.len() {
        match f.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    if got < head.len() || &head != sealed::MAGIC {
        return Ok(true);
    }
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut f, &mut hasher).map_err(|e| Error::io(path, e))?;
    Ok(hex::encode(hasher.finalize()) == hash)
}

/// Maps a read error of a sealed blob: tampering becomes [`Error::BlobCorrupt`].
pub fn blob_read_error(hash: &str, path: &Path, e: std::io::Error) -> Error {
    if sealed::is_tampering(&e) {
        let detail = e
            .get_ref()
            .map(ToString::to_string)
            .unwrap_or_else(|| e.to_string());
        Error::BlobCorrupt(format!(
            "附件内容 {}…：{detail}",
            &hash[..hash.len().min(12)]
        ))
    } else {
        Error::io(path, e)
    }
}

/// Whether the `meta` table says the blobs are sealed (tests, diagnostics).
pub fn is_sealed_store(c: &Connection) -> Result<bool> {
    Ok(c.query_row(
        "SELECT value FROM meta WHERE key = ?1",
        [META_FORMAT],
        |r| r.get::<_, String>(0),
    )
    .optional()?
    .is_some_and(|v| v == FORMAT_SEALED))
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

/// Mark and sweep: removes blobs no version or working copy references and no synced entity holds
/// (`entity_blobs`: incoming documents, draft heads). Runs under the writer lock
/// (inside `tx`); files are deleted after their rows, so a crash in between leaves at
/// worst an unlisted file, which the next run removes.
pub fn gc(tx: &Transaction<'_>, store: &BlobStore) -> Result<GcReport> {
    let mut stmt = tx.prepare(
        "SELECT hash, size FROM blobs
         WHERE NOT EXISTS (SELECT 1 FROM version_attachments va WHERE va.blob_hash = blobs.hash)
           AND NOT EXISTS (SELECT 1 FROM entity_blobs eb WHERE eb.hash = blobs.hash)
           AND NOT EXISTS (SELECT 1 FROM working_copy_attachments w WHERE w.blob_hash = blobs.hash)",
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
        // A decrypted copy of content that is gone (deleted, or no longer shared with
        // this user) goes too.
        if let Some(copies) = store.copies_dir(hash) {
            let _ = fs::remove_dir_all(copies);
        }
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
    use crate::key::Key;

    fn store(dir: &Path) -> BlobStore {
        BlobStore::new(dir, BlobKey::derive(&Key::from_bytes([4; 32])))
    }

    fn read_all(store: &BlobStore, hash: &str) -> Result<Vec<u8>> {
        let mut r = store.open(hash)?;
        let mut out = Vec::new();
        r.read_to_end(&mut out)
            .map_err(|e| blob_read_error(hash, &store.path(hash), e))?;
        Ok(out)
    }

    #[test]
    fn same_content_is_stored_once_and_sealed() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let a = store.put_reader(&mut &b"hello"[..]).unwrap();
        let b = store.put_reader(&mut &b"hello"[..]).unwrap();
        assert_eq!(a, b);
        assert_eq!(
            a.hash,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        let raw = std::fs::read(store.path(&a.hash)).unwrap();
        assert!(raw.starts_with(sealed::MAGIC));
        assert!(!raw.windows(5).any(|w| w == b"hello"));
        assert_eq!(read_all(&store, &a.hash).unwrap(), b"hello");
        assert_eq!(store.size(&a.hash).unwrap(), 5);
        assert_eq!(
            std::fs::read_dir(dir.path().join("blobs/tmp"))
                .unwrap()
                .count(),
            0
        );
    }

    #[test]
    fn tampering_is_reported_as_blob_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let blob = store.put_reader(&mut &b"some attachment"[..]).unwrap();
        let path = store.path(&blob.hash);
        let mut raw = std::fs::read(&path).unwrap();
        let last = raw.len() - 1;
        raw[last] ^= 0x80;
        std::fs::write(&path, raw).unwrap();
        let e = read_all(&store, &blob.hash).unwrap_err();
        assert_eq!(e.code(), "blob_corrupt", "{e}");
        let out = dir.path().join("out.bin");
        let e = store.copy_to(&blob.hash, &out).unwrap_err();
        assert_eq!(e.code(), "blob_corrupt", "{e}");
        assert!(!out.exists(), "nothing is left where the copy was going");
    }

    #[test]
    fn another_stores_key_cannot_read_the_blobs() {
        let dir = tempfile::tempdir().unwrap();
        let blob = store(dir.path()).put_reader(&mut &b"hello"[..]).unwrap();
        let other = BlobStore::new(dir.path(), BlobKey::derive(&Key::from_bytes([5; 32])));
        assert_eq!(
            read_all(&other, &blob.hash).unwrap_err().code(),
            "blob_corrupt"
        );
    }

    #[test]
    fn a_download_is_sealed_as_it_arrives_and_checked_against_its_name_when_adopted() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let hash = hex::encode(Sha256::digest(b"downloaded"));
        let mut partial = store.open_partial(&hash).unwrap();
        partial.append(b"downlo", 10).unwrap();
        assert!(!partial.is_complete());
        partial.append(b"aded", 10).unwrap();
        assert!(partial.is_complete());
        drop(partial);
        let on_disk = std::fs::read(store.partial_path(&hash)).unwrap();
        assert!(
            !on_disk.windows(6).any(|w| w == b"downlo"),
            "sealed, not plaintext"
        );
        let blob = store.adopt_partial(&hash).unwrap();
        assert_eq!(blob.size, 10);
        assert!(!store.partial_path(&hash).exists());
        assert_eq!(read_all(&store, &hash).unwrap(), b"downloaded");

        // Content that does not match its name is refused and removed.
        let wrong = hex::encode(Sha256::digest(b"expected"));
        let mut partial = store.open_partial(&wrong).unwrap();
        partial.append(b"something else", 14).unwrap();
        drop(partial);
        assert_eq!(
            store.adopt_partial(&wrong).unwrap_err().code(),
            "blob_corrupt"
        );
        assert!(!store.path(&wrong).exists());
        assert!(!store.partial_path(&wrong).exists());

        // A plaintext partial left by an older version is never adopted: opening it
        // starts the download over.
        let old = hex::encode(Sha256::digest(b"old plaintext partial"));
        std::fs::write(store.partial_path(&old), b"old plaintext").unwrap();
        let partial = store.open_partial(&old).unwrap();
        assert_eq!(partial.have(), 0);
        drop(partial);
        let on_disk = std::fs::read(store.partial_path(&old)).unwrap();
        assert!(!on_disk.windows(9).any(|w| w == b"plaintext"));
        assert_eq!(store.partial_len(&old), 0);
    }

    #[test]
    fn plaintext_blobs_are_sealed_once_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::store::Db::open(
            &dir.path().join(crate::store::DB_FILE),
            &Key::from_bytes([4; 32]),
            true,
        )
        .unwrap();
        let store = store(dir.path());
        // What an older version left: plaintext files at their addresses, a stray temp
        // file, and one damaged file.
        let text = "附件正文：关于防汛工作的安排".repeat(10_000);
        let hash = hex::encode(Sha256::digest(text.as_bytes()));
        std::fs::create_dir_all(store.path(&hash).parent().unwrap()).unwrap();
        std::fs::write(store.path(&hash), &text).unwrap();
        let bad = hex::encode(Sha256::digest(b"original"));
        std::fs::create_dir_all(store.path(&bad).parent().unwrap()).unwrap();
        std::fs::write(store.path(&bad), b"bit rot").unwrap();
        std::fs::create_dir_all(dir.path().join("blobs/tmp")).unwrap();
        std::fs::write(dir.path().join("blobs/tmp/x.part"), "附件正文").unwrap();

        assert!(!db.read(is_sealed_store).unwrap());
        assert_eq!(store.seal_plaintext_blobs(&db).unwrap(), 1);
        assert!(db.read(is_sealed_store).unwrap());
        let raw = std::fs::read(store.path(&hash)).unwrap();
        let needle = "关于防汛工作".as_bytes();
        assert!(!raw.windows(needle.len()).any(|w| w == needle));
        assert_eq!(read_all(&store, &hash).unwrap(), text.as_bytes());
        assert!(!dir.path().join("blobs/tmp/x.part").exists());
        assert_eq!(std::fs::read(store.path(&bad)).unwrap(), b"bit rot");
        // Done once: a later open does not scan again.
        assert_eq!(store.seal_plaintext_blobs(&db).unwrap(), 0);
    }

    #[test]
    fn missing_file_names_the_attachment() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
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
