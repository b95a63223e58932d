//! The at-rest format of attachment blobs: XChaCha20-Poly1305 in independent chunks.
//!
//! The database is encrypted by SQLCipher; attachment contents live outside it as files,
//! so they are sealed here. The key ([`BlobKey`]) is derived from the store key with
//! HKDF-SHA256, so it is never written anywhere: it comes from wherever the store key
//! comes from (the OS keychain, or the passphrase).
//!
//! # File layout
//! ```text
//! header  32 bytes  "GWBLOB\x01\0" (8) | nonce prefix (19 random bytes) | 5 zero bytes
//! chunk 0           ciphertext of up to 64 KiB | 16-byte tag
//! chunk 1 …         (every chunk but the last holds exactly 64 KiB of plaintext)
//! ```
//! Chunk `i` is sealed with nonce `prefix ‖ be32(i) ‖ last` (`last` is 1 for the final
//! chunk only) and the whole header as associated data. This is the STREAM construction
//! (Hoang, Reyhanitabar, Rogaway, Vizár 2015): changing, reordering, dropping or
//! appending a chunk, truncating the file or editing its header all fail
//! authentication. An empty blob is one empty final chunk.
//!
//! Because every chunk has the same size, the plaintext length follows from the file
//! length alone ([`plain_len`]) and a reader can seek to any offset by decrypting only
//! the chunk that holds it ([`SealedReader`]).
//!
//! # Downloads
//!
//! A download in progress is sealed as it arrives ([`PartialSeal`]): the same header,
//! then every complete chunk sealed as it fills, so no plaintext byte of an attachment
//! is ever written to disk, not even for a download cut off half-way. The final chunk
//! is sealed (`last`) when the last byte arrives, which makes the partial file a
//! complete sealed blob: adopting it is checking its hash and renaming it. A download
//! resumes after the last whole chunk on disk (a cut costs at most one chunk); a chunk
//! re-sealed on resume is the same plaintext of the same content address under the same
//! nonce, so it comes out the same ciphertext.
//!
//! Content addressing stays on the plaintext: the file name is the SHA-256 of the
//! plaintext. Chunk authentication cannot see a whole file swapped for another sealed
//! file under the wrong name, so a reader that reads a blob from start to end also
//! checks the plaintext hash against the name before reporting the end.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use crate::key::Key;

/// The first bytes of every sealed blob (format version 1).
pub const MAGIC: &[u8; 8] = b"GWBLOB\x01\0";
/// Header length in bytes.
pub const HEADER_LEN: u64 = 32;
/// Plaintext bytes per chunk.
pub const CHUNK: usize = 64 * 1024;
/// Authentication tag length.
pub const TAG_LEN: usize = 16;
const PREFIX_LEN: usize = 19;
const SEALED_CHUNK: u64 = (CHUNK + TAG_LEN) as u64;

/// The key that seals attachment blobs. Wiped from memory when dropped.
#[derive(Clone)]
pub struct BlobKey([u8; 32]);

impl Drop for BlobKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for BlobKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BlobKey(…)")
    }
}

impl BlobKey {
    /// Derives the blob key from the store key (HKDF-SHA256 with a fixed label), so the
    /// two keys are independent but only the store key is ever kept.
    pub fn derive(store_key: &Key) -> BlobKey {
        let hk = hkdf::Hkdf::<Sha256>::new(Some(b"gongwen"), store_key.as_bytes());
        let mut out = [0u8; 32];
        hk.expand(b"gongwen attachment blobs v1", &mut out)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        BlobKey(out)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.0.into())
    }
}

/// Why a sealed blob could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("不是加密附件文件")]
    NotSealed,
    #[error("附件文件已被篡改或损坏（第 {0} 块校验失败）")]
    Tampered(u64),
    #[error("附件文件的内容与其 SHA-256 编号不符")]
    HashMismatch,
}

impl From<OpenError> for io::Error {
    fn from(e: OpenError) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, e)
    }
}

/// Whether `e` (from a [`SealedReader`]) means the blob is damaged or tampered with.
pub fn is_tampering(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::InvalidData
        && e.get_ref().is_some_and(|inner| inner.is::<OpenError>())
}

/// The plaintext length of a sealed file of `file_len` bytes, or `None` when no sealed
/// file can have that length.
pub fn plain_len(file_len: u64) -> Option<u64> {
    let body = file_len.checked_sub(HEADER_LEN)?;
    let chunks = body.div_ceil(SEALED_CHUNK).max(1);
    body.checked_sub(chunks * TAG_LEN as u64)
}

fn nonce(prefix: &[u8; PREFIX_LEN], index: u64, last: bool) -> io::Result<XNonce> {
    let index = u32::try_from(index)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "附件过大（超过 256 TB）"))?;
    let mut n = [0u8; 24];
    n[..PREFIX_LEN].copy_from_slice(prefix);
    n[PREFIX_LEN..PREFIX_LEN + 4].copy_from_slice(&index.to_be_bytes());
    n[23] = u8::from(last);
    Ok(XNonce::from(n))
}

/// Seals a stream into `out`: write the plaintext, then [`SealWriter::finish`].
/// Also hashes the plaintext (the content address) and counts it.
pub struct SealWriter<W: Write> {
    out: W,
    cipher: XChaCha20Poly1305,
    header: [u8; HEADER_LEN as usize],
    prefix: [u8; PREFIX_LEN],
    buf: Vec<u8>,
    index: u64,
    hasher: Sha256,
    len: u64,
}

impl<W: Write> SealWriter<W> {
    /// Writes the header with a fresh random nonce prefix.
    pub fn new(key: &BlobKey, mut out: W) -> io::Result<SealWriter<W>> {
        let mut prefix = [0u8; PREFIX_LEN];
        getrandom::fill(&mut prefix).map_err(|e| io::Error::other(e.to_string()))?;
        let mut header = [0u8; HEADER_LEN as usize];
        header[..8].copy_from_slice(MAGIC);
        header[8..8 + PREFIX_LEN].copy_from_slice(&prefix);
        out.write_all(&header)?;
        Ok(SealWriter {
            out,
            cipher: key.cipher(),
            header,
            prefix,
            buf: Vec::with_capacity(CHUNK + TAG_LEN),
            index: 0,
            hasher: Sha256::new(),
            len: 0,
        })
    }

    fn seal_buffered(&mut self, last: bool) -> io::Result<()> {
        let nonce = nonce(&self.prefix, self.index, last)?;
        let tag = self
            .cipher
            .encrypt_inout_detached(&nonce, &self.header, self.buf.as_mut_slice().into())
            .map_err(|_| io::Error::other("附件加密失败"))?;
        self.out.write_all(&self.buf)?;
        self.out.write_all(tag.as_slice())?;
        self.buf.zeroize();
        self.buf.clear();
        self.index += 1;
        Ok(())
    }

    /// Seals the last chunk. Returns the writer, the plaintext's SHA-256 (lower-case
    /// hex) and its length.
    pub fn finish(mut self) -> io::Result<(W, String, u64)> {
        self.seal_buffered(true)?;
        self.out.flush()?;
        let hash = hex::encode(self.hasher.finalize());
        Ok((self.out, hash, self.len))
    }
}

impl<W: Write> Write for SealWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        // A full buffer is sealed only when more data arrives: the final chunk must be
        // the one sealed with `last`, even when the length is a multiple of CHUNK.
        if self.buf.len() == CHUNK && !data.is_empty() {
            self.seal_buffered(false)?;
        }
        let n = data.len().min(CHUNK - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        self.hasher.update(&data[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Reads a sealed blob: `Read + Seek` over the plaintext, decrypting one chunk at a
/// time. A read from the start to the end also checks the plaintext against the
/// expected SHA-256; a damaged or exchanged file fails with an `InvalidData` error
/// ([`is_tampering`]).
pub struct SealedReader {
    file: File,
    cipher: XChaCha20Poly1305,
    header: [u8; HEADER_LEN as usize],
    prefix: [u8; PREFIX_LEN],
    len: u64,
    chunks: u64,
    pos: u64,
    /// The decrypted chunk held, and its index.
    chunk: Vec<u8>,
    chunk_index: Option<u64>,
    /// The running hash while the reads have been sequential from offset 0.
    verify: Option<(Sha256, [u8; 32])>,
}

impl std::fmt::Debug for SealedReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealedReader")
            .field("len", &self.len)
            .field("pos", &self.pos)
            .finish_non_exhaustive()
    }
}

impl SealedReader {
    /// Opens a sealed file whose plaintext should hash to `expected_hash` (hex).
    pub fn new(key: &BlobKey, mut file: File, expected_hash: &str) -> io::Result<SealedReader> {
        let file_len = file.metadata()?.len();
        let mut header = [0u8; HEADER_LEN as usize];
        file.read_exact(&mut header)
            .map_err(|_| io::Error::from(OpenError::NotSealed))?;
        if &header[..8] != MAGIC || header[8 + PREFIX_LEN..].iter().any(|b| *b != 0) {
            return Err(OpenError::NotSealed.into());
        }
        let len = plain_len(file_len).ok_or(OpenError::Tampered(0))?;
        let mut prefix = [0u8; PREFIX_LEN];
        prefix.copy_from_slice(&header[8..8 + PREFIX_LEN]);
        let expected: Option<[u8; 32]> = hex::decode(expected_hash)
            .ok()
            .and_then(|v| v.try_into().ok());
        Ok(SealedReader {
            file,
            cipher: key.cipher(),
            header,
            prefix,
            len,
            chunks: (file_len - HEADER_LEN).div_ceil(SEALED_CHUNK).max(1),
            pos: 0,
            chunk: Vec::with_capacity(CHUNK + TAG_LEN),
            chunk_index: None,
            verify: expected.map(|e| (Sha256::new(), e)),
        })
    }

    /// The plaintext length.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn load(&mut self, index: u64) -> io::Result<()> {
        if self.chunk_index == Some(index) {
            return Ok(());
        }
        self.chunk_index = None;
        let last = index + 1 == self.chunks;
        let start = HEADER_LEN + index * SEALED_CHUNK;
        let plain = if last {
            self.len - index * CHUNK as u64
        } else {
            CHUNK as u64
        } as usize;
        self.chunk.resize(plain + TAG_LEN, 0);
        self.file.seek(SeekFrom::Start(start))?;
        self.file
            .read_exact(&mut self.chunk)
            .map_err(|_| io::Error::from(OpenError::Tampered(index)))?;
        let tag = Tag::try_from(&self.chunk[plain..]).expect("tag length");
        self.chunk.truncate(plain);
        let nonce = nonce(&self.prefix, index, last)?;
        self.cipher
            .decrypt_inout_detached(&nonce, &self.header, self.chunk.as_mut_slice().into(), &tag)
            .map_err(|_| io::Error::from(OpenError::Tampered(index)))?;
        self.chunk_index = Some(index);
        Ok(())
    }
}

impl Read for SealedReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        if self.pos >= self.len {
            // An empty blob is one empty final chunk: authenticate it too.
            if self.len == 0 {
                self.load(0)?;
            }
            if let Some((hasher, expected)) = self.verify.take()
                && hasher.finalize().as_slice() != expected
            {
                return Err(OpenError::HashMismatch.into());
            }
            return Ok(0);
        }
        let index = self.pos / CHUNK as u64;
        self.load(index)?;
        let offset = (self.pos - index * CHUNK as u64) as usize;
        let n = out.len().min(self.chunk.len() - offset);
        out[..n].copy_from_slice(&self.chunk[offset..offset + n]);
        if let Some((hasher, _)) = self.verify.as_mut() {
            hasher.update(&out[..n]);
        }
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for SealedReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        }
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "无效的读取位置"))?;
        if target != self.pos {
            // Reads are no longer one pass from the start: the whole-file hash check
            // cannot apply (chunk authentication still does).
            self.verify = None;
        }
        self.pos = target;
        Ok(target)
    }
}

impl Drop for SealedReader {
    fn drop(&mut self) {
        self.chunk.zeroize();
    }
}

/// A download being sealed as its bytes arrive (see the module docs): a partial file
/// that never holds plaintext. [`PartialSeal::open`] resumes one.
pub struct PartialSeal {
    file: File,
    cipher: XChaCha20Poly1305,
    header: [u8; HEADER_LEN as usize],
    prefix: [u8; PREFIX_LEN],
    /// The next chunk's index.
    index: u64,
    /// Received plaintext not sealed yet (less than a chunk, or the last chunk until
    /// the last byte is known).
    buf: Vec<u8>,
    /// Plaintext bytes received: sealed plus buffered.
    have: u64,
    complete: bool,
}

impl std::fmt::Debug for PartialSeal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartialSeal")
            .field("have", &self.have)
            .field("complete", &self.complete)
            .finish_non_exhaustive()
    }
}

/// The bytes a partial file of `file_len` bytes keeps for a resume: its whole chunks.
pub fn partial_plain_len(file_len: u64) -> u64 {
    file_len.saturating_sub(HEADER_LEN) / SEALED_CHUNK * CHUNK as u64
}

impl PartialSeal {
    /// Opens the partial download at `path`, creating it when there is none. A file
    /// that is not a sealed partial (a plaintext one left by an older version, or a
    /// torn header) is replaced by an empty one. A complete file (its final chunk
    /// sealed, the process stopped before adopting it) opens as [`PartialSeal::is_complete`];
    /// otherwise the file is cut back to its last whole chunk and [`PartialSeal::have`]
    /// says where the download resumes.
    pub fn open(key: &BlobKey, path: &Path) -> io::Result<PartialSeal> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)?;
        let len = file.metadata()?.len();
        let mut header = [0u8; HEADER_LEN as usize];
        let sealed = len >= HEADER_LEN
            && file.read_exact(&mut header).is_ok()
            && &header[..8] == MAGIC
            && header[8 + PREFIX_LEN..].iter().all(|b| *b == 0);
        if !sealed {
            // Start over: drop whatever is there (never read it as plaintext).
            file.set_len(0)?;
            file.seek(SeekFrom::Start(0))?;
            let mut prefix = [0u8; PREFIX_LEN];
            getrandom::fill(&mut prefix).map_err(|e| io::Error::other(e.to_string()))?;
            header = [0u8; HEADER_LEN as usize];
            header[..8].copy_from_slice(MAGIC);
            header[8..8 + PREFIX_LEN].copy_from_slice(&prefix);
            file.write_all(&header)?;
            file.sync_data()?;
            return Ok(PartialSeal {
                file,
                cipher: key.cipher(),
                header,
                prefix,
                index: 0,
                buf: Vec::with_capacity(CHUNK + TAG_LEN),
                have: 0,
                complete: false,
            });
        }
        let mut prefix = [0u8; PREFIX_LEN];
        prefix.copy_from_slice(&header[8..8 + PREFIX_LEN]);
        let mut partial = PartialSeal {
            file,
            cipher: key.cipher(),
            header,
            prefix,
            index: 0,
            buf: Vec::with_capacity(CHUNK + TAG_LEN),
            have: 0,
            complete: false,
        };
        let body = len - HEADER_LEN;
        // Complete already? Its final chunk authenticates as the last one.
        if body >= TAG_LEN as u64 {
            let last_index = body.saturating_sub(1) / SEALED_CHUNK;
            let start = last_index * SEALED_CHUNK;
            if body - start >= TAG_LEN as u64 && partial.authenticates(last_index, body - start)? {
                partial.index = last_index + 1;
                partial.have = plain_len(len).unwrap_or(0);
                partial.complete = true;
                return Ok(partial);
            }
        }
        let whole = body / SEALED_CHUNK;
        partial.file.set_len(HEADER_LEN + whole * SEALED_CHUNK)?;
        partial.file.sync_data()?;
        partial.index = whole;
        partial.have = whole * CHUNK as u64;
        Ok(partial)
    }

    /// Whether chunk `index` (`sealed_len` bytes on disk) authenticates as the final one.
    fn authenticates(&mut self, index: u64, sealed_len: u64) -> io::Result<bool> {
        let Ok(sealed_len) = usize::try_from(sealed_len) else {
            return Ok(false);
        };
        let mut chunk = vec![0u8; sealed_len];
        self.file
            .seek(SeekFrom::Start(HEADER_LEN + index * SEALED_CHUNK))?;
        self.file.read_exact(&mut chunk)?;
        let plain = sealed_len - TAG_LEN;
        let tag = Tag::try_from(&chunk[plain..]).expect("tag length");
        chunk.truncate(plain);
        let nonce = nonce(&self.prefix, index, true)?;
        let ok = self
            .cipher
            .decrypt_inout_detached(&nonce, &self.header, chunk.as_mut_slice().into(), &tag)
            .is_ok();
        chunk.zeroize();
        Ok(ok)
    }

    /// Plaintext bytes kept so far: where the download goes on.
    pub fn have(&self) -> u64 {
        self.have
    }

    /// Whether the last byte arrived and the final chunk is sealed.
    pub fn is_complete(&self) -> bool {
        self.complete
    }

    fn seal(&mut self, last: bool) -> io::Result<()> {
        let nonce = nonce(&self.prefix, self.index, last)?;
        let tag = self
            .cipher
            .encrypt_inout_detached(&nonce, &self.header, self.buf.as_mut_slice().into())
            .map_err(|_| io::Error::other("附件加密失败"))?;
        self.file
            .seek(SeekFrom::Start(HEADER_LEN + self.index * SEALED_CHUNK))?;
        self.file.write_all(&self.buf)?;
        self.file.write_all(tag.as_slice())?;
        self.buf.zeroize();
        self.buf.clear();
        self.index += 1;
        Ok(())
    }

    /// Appends the next received bytes (they start at [`PartialSeal::have`]) of a blob
    /// of `total` bytes: seals each chunk that fills up, and the final chunk when the
    /// last byte arrives; then syncs the file, so what is sealed survives a crash.
    pub fn append(&mut self, mut data: &[u8], total: u64) -> io::Result<()> {
        if self.complete {
            return if data.is_empty() {
                Ok(())
            } else {
                Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "附件已下载完整，却又收到数据",
                ))
            };
        }
        if self.have + data.len() as u64 > total {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "收到的附件数据超过其大小",
            ));
        }
        while !data.is_empty() {
            let n = data.len().min(CHUNK - self.buf.len());
            self.buf.extend_from_slice(&data[..n]);
            data = &data[n..];
            self.have += n as u64;
            // A full chunk is sealed now unless it may be the final one.
            if self.buf.len() == CHUNK && self.have < total {
                self.seal(false)?;
            }
        }
        if self.have == total {
            self.seal(true)?;
            self.complete = true;
        }
        self.file.sync_data()
    }
}

impl Drop for PartialSeal {
    fn drop(&mut self) {
        self.buf.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> BlobKey {
        BlobKey::derive(&Key::from_bytes([9; 32]))
    }

    fn seal(data: &[u8]) -> (tempfile::NamedTempFile, String) {
        let f = tempfile::NamedTempFile::new().unwrap();
        let mut w = SealWriter::new(&key(), f.reopen().unwrap()).unwrap();
        // Odd-sized writes cross chunk boundaries.
        for piece in data.chunks(7000) {
            w.write_all(piece).unwrap();
        }
        let (_, hash, len) = w.finish().unwrap();
        assert_eq!(len, data.len() as u64);
        (f, hash)
    }

    fn unseal(f: &tempfile::NamedTempFile, hash: &str) -> io::Result<Vec<u8>> {
        let mut r = SealedReader::new(&key(), f.reopen().unwrap(), hash)?;
        let mut out = Vec::new();
        r.read_to_end(&mut out)?;
        Ok(out)
    }

    fn data(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 31 % 251) as u8).collect()
    }

    #[test]
    fn round_trips_every_boundary_length() {
        for n in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 17] {
            let d = data(n);
            let (f, hash) = seal(&d);
            assert_eq!(hash, hex::encode(Sha256::digest(&d)), "len {n}");
            let file_len = f.as_file().metadata().unwrap().len();
            assert_eq!(plain_len(file_len), Some(n as u64), "len {n}");
            assert_eq!(unseal(&f, &hash).unwrap(), d, "len {n}");
        }
    }

    #[test]
    fn seeking_reads_any_range() {
        let d = data(3 * CHUNK + 100);
        let (f, hash) = seal(&d);
        let mut r = SealedReader::new(&key(), f.reopen().unwrap(), &hash).unwrap();
        for start in [0usize, 5, CHUNK - 3, 2 * CHUNK + 50, 3 * CHUNK + 99] {
            r.seek(SeekFrom::Start(start as u64)).unwrap();
            let mut buf = vec![0; 10.min(d.len() - start)];
            r.read_exact(&mut buf).unwrap();
            assert_eq!(buf, d[start..start + buf.len()]);
        }
    }

    #[test]
    fn every_kind_of_tampering_fails() {
        let d = data(2 * CHUNK + 5);
        let (f, hash) = seal(&d);
        let original = std::fs::read(f.path()).unwrap();
        let check = |bytes: Vec<u8>, what: &str| {
            std::fs::write(f.path(), bytes).unwrap();
            let e = unseal(&f, &hash).expect_err(what);
            assert!(is_tampering(&e), "{what}: {e}");
        };
        let mut flipped = original.clone();
        flipped[HEADER_LEN as usize + CHUNK + 40] ^= 1;
        check(flipped, "a flipped ciphertext bit");
        let mut header = original.clone();
        header[10] ^= 1;
        check(header, "a changed nonce prefix");
        let cut = original[..(HEADER_LEN + 2 * SEALED_CHUNK) as usize].to_vec();
        check(cut, "truncated at a chunk boundary");
        let mut swapped = original.clone();
        let (a, b) = (HEADER_LEN as usize, (HEADER_LEN + SEALED_CHUNK) as usize);
        let first = original[a..b].to_vec();
        swapped[a..b].copy_from_slice(&original[b..b + (b - a)]);
        swapped[b..b + (b - a)].copy_from_slice(&first);
        check(swapped, "two chunks swapped");
        // A different sealed file under this name: authentic chunks, wrong content.
        let (other, _) = seal(&data(10));
        check(std::fs::read(other.path()).unwrap(), "another blob's file");
    }

    #[test]
    fn another_key_cannot_read() {
        let (f, hash) = seal(b"secret");
        let other = BlobKey::derive(&Key::from_bytes([8; 32]));
        let mut r = SealedReader::new(&other, f.reopen().unwrap(), &hash).unwrap();
        let e = r.read_to_end(&mut Vec::new()).unwrap_err();
        assert!(is_tampering(&e));
    }

    #[test]
    fn the_plaintext_is_not_on_disk() {
        let text = "关于印发防汛应急预案的通知".repeat(50);
        let (f, _) = seal(text.as_bytes());
        let bytes = std::fs::read(f.path()).unwrap();
        let needle = "防汛应急预案".as_bytes();
        assert!(!bytes.windows(needle.len()).any(|w| w == needle));
        assert!(bytes.starts_with(MAGIC));
    }

    fn partial_file() -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.download");
        (dir, path)
    }

    fn read_sealed(path: &Path, hash: &str) -> io::Result<Vec<u8>> {
        let mut r = SealedReader::new(&key(), File::open(path)?, hash)?;
        let mut out = Vec::new();
        r.read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn a_partial_download_resumes_after_its_last_whole_chunk() {
        for total in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 77] {
            let plain = data(total);
            let hash = hex::encode(Sha256::digest(&plain));
            let (_dir, path) = partial_file();
            // First run: pieces of an odd size, cut at about half.
            let mut p = PartialSeal::open(&key(), &path).unwrap();
            let half = total / 2;
            let mut at = 0;
            while at < half {
                let n = 10_007.min(half - at);
                p.append(&plain[at..at + n], total as u64).unwrap();
                at += n;
            }
            let complete_early = p.is_complete();
            drop(p); // killed: the buffered tail is lost
            let mut p = PartialSeal::open(&key(), &path).unwrap();
            assert_eq!(p.is_complete(), complete_early, "{total}");
            let from = p.have() as usize;
            assert_eq!(from % CHUNK, 0, "{total}: whole chunks");
            assert!(from <= half, "{total}");
            let mut at = from;
            while !p.is_complete() {
                let n = 30_011.min(total - at);
                p.append(&plain[at..at + n], total as u64).unwrap();
                at += n;
            }
            drop(p);
            assert_eq!(read_sealed(&path, &hash).unwrap(), plain, "{total}");
            // Opening a complete one again says so, and keeps it whole.
            let p = PartialSeal::open(&key(), &path).unwrap();
            assert!(p.is_complete(), "{total}");
            assert_eq!(p.have(), total as u64);
            drop(p);
            assert_eq!(read_sealed(&path, &hash).unwrap(), plain, "{total}");
        }
    }

    #[test]
    fn a_partial_download_refuses_more_than_its_size_and_a_torn_chunk_is_cut() {
        let (_dir, path) = partial_file();
        let mut p = PartialSeal::open(&key(), &path).unwrap();
        let e = p.append(&[1, 2, 3], 2).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        let plain = data(2 * CHUNK + 5);
        p.append(&plain[..CHUNK + 10], plain.len() as u64).unwrap();
        drop(p);
        // A crash in the middle of writing the second chunk: a torn tail.
        let f = OpenOptions::new().append(true).open(&path).unwrap();
        (&f).write_all(&[0xAB; 1000]).unwrap();
        drop(f);
        let p = PartialSeal::open(&key(), &path).unwrap();
        assert_eq!(p.have(), CHUNK as u64);
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            HEADER_LEN + SEALED_CHUNK
        );
        assert_eq!(
            partial_plain_len(HEADER_LEN + SEALED_CHUNK + 1000),
            CHUNK as u64
        );
    }
}
