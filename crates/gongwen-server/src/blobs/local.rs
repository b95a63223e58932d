//! [`LocalDirStore`]: blobs in a local directory (the default).
//!
//! Layout under the root:
//!
//! ```text
//! uploads/<upload id>        partial uploads, written at offsets
//! blobs/<ab>/<cd>/<64 hex>   published blobs, immutable
//! ```
//!
//! Finishing hashes the partial, fsyncs it and renames it into `blobs/`
//! (atomic on one file system), then fsyncs the directory. Several server
//! instances may share the directory (e.g. over NFS): uploads and blobs are
//! named by ids that PostgreSQL hands out, and a rename over an existing blob
//! replaces identical bytes.
//!
//! Directories are created on first use, so a server that never stores a
//! blob never touches the disk.

use std::io::SeekFrom;
use std::ops::Range;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use super::BlobId;
use super::store::{BlobStore, ByteStream, StoreError, StoreResult, check_upload_id};

/// Read buffer for hashing and serving.
const READ_BUF: usize = 256 * 1024;

/// A blob store in a local directory.
#[derive(Debug, Clone)]
pub struct LocalDirStore {
    root: PathBuf,
}

impl LocalDirStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn upload_path(&self, upload: &str) -> StoreResult<PathBuf> {
        check_upload_id(upload)?;
        Ok(self.root.join("uploads").join(upload))
    }

    fn blob_path(&self, blob: &BlobId) -> PathBuf {
        let hex = blob.hex();
        self.root
            .join("blobs")
            .join(&hex[..2])
            .join(&hex[2..4])
            .join(hex)
    }
}

async fn sync_dir(dir: &Path) -> std::io::Result<()> {
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || std::fs::File::open(&dir)?.sync_all())
        .await
        .map_err(std::io::Error::other)?
}

#[async_trait]
impl BlobStore for LocalDirStore {
    async fn put_chunk(&self, upload: &str, offset: u64, data: Bytes) -> StoreResult<()> {
        let path = self.upload_path(upload)?;
        let mut file = match tokio::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .await
        {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if offset > 0 {
                    return Err(StoreError::Behind { have: 0 });
                }
                tokio::fs::create_dir_all(path.parent().unwrap_or(&self.root)).await?;
                tokio::fs::OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create(true)
                    .truncate(false)
                    .open(&path)
                    .await?
            }
            Err(e) => return Err(e.into()),
        };
        let have = file.metadata().await?.len();
        if have < offset {
            return Err(StoreError::Behind { have });
        }
        if have > offset {
            file.set_len(offset).await?;
        }
        file.seek(SeekFrom::Start(offset)).await?;
        file.write_all(&data).await?;
        file.sync_data().await?;
        Ok(())
    }

    async fn finish(&self, upload: &str, blob: &BlobId, size: u64) -> StoreResult<()> {
        let path = self.upload_path(upload)?;
        let mut file = match tokio::fs::File::open(&path).await {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if size == 0 {
                    // An empty blob needs no chunk: create its (empty) partial.
                    self.put_chunk(upload, 0, Bytes::new()).await?;
                    tokio::fs::File::open(&path).await?
                } else {
                    return Err(StoreError::SizeMismatch {
                        expected: size,
                        actual: 0,
                    });
                }
            }
            Err(e) => return Err(e.into()),
        };
        let actual = file.metadata().await?.len();
        if actual != size {
            drop(file);
            self.discard(upload).await?;
            return Err(StoreError::SizeMismatch {
                expected: size,
                actual,
            });
        }
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; READ_BUF];
        loop {
            let n = file.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        drop(file);
        let actual = format!("sha256:{}", hex::encode(hasher.finalize()));
        if actual != blob.as_str() {
            self.discard(upload).await?;
            return Err(StoreError::HashMismatch { actual });
        }
        let target = self.blob_path(blob);
        let parent = target.parent().unwrap_or(&self.root).to_owned();
        tokio::fs::create_dir_all(&parent).await?;
        // The partial's data was fsynced chunk by chunk; the rename publishes it.
        tokio::fs::rename(&path, &target).await?;
        sync_dir(&parent).await?;
        Ok(())
    }

    async fn discard(&self, upload: &str) -> StoreResult<()> {
        match tokio::fs::remove_file(self.upload_path(upload)?).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    async fn open_range(&self, blob: &BlobId, range: Range<u64>) -> StoreResult<ByteStream> {
        let mut file = match tokio::fs::File::open(self.blob_path(blob)).await {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::NotFound);
            }
            Err(e) => return Err(e.into()),
        };
        file.seek(SeekFrom::Start(range.start)).await?;
        let len = range.end.saturating_sub(range.start);
        let reader = file.take(len);
        let stream = tokio_util_stream(reader);
        Ok(stream)
    }

    async fn exists(&self, blob: &BlobId) -> StoreResult<bool> {
        Ok(tokio::fs::try_exists(self.blob_path(blob)).await?)
    }

    async fn delete(&self, blob: &BlobId) -> StoreResult<()> {
        match tokio::fs::remove_file(self.blob_path(blob)).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

/// A stream of buffers read from `reader` until it ends.
fn tokio_util_stream<R>(reader: R) -> ByteStream
where
    R: tokio::io::AsyncRead + Unpin + Send + 'static,
{
    futures_util::stream::unfold((reader, false), |(mut reader, done)| async move {
        if done {
            return None;
        }
        let mut buf = vec![0u8; READ_BUF];
        match reader.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(Bytes::from(buf)), (reader, false)))
            }
            Err(e) => Some((Err(e), (reader, true))),
        }
    })
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blobs::store::contract;

    #[tokio::test]
    async fn keeps_the_store_contract() {
        let dir = tempfile::tempdir().unwrap();
        contract::run(&LocalDirStore::new(dir.path())).await;
    }

    #[tokio::test]
    async fn a_partial_upload_survives_a_new_store_on_the_same_directory() {
        let dir = tempfile::tempdir().unwrap();
        let data = b"hello, resumable world";
        let id = contract::id_of(data);
        let up = "00000000000000000000000000000001";
        LocalDirStore::new(dir.path())
            .put_chunk(up, 0, Bytes::from_static(&data[..5]))
            .await
            .unwrap();
        // "Restart": a fresh store on the same directory continues.
        let store = LocalDirStore::new(dir.path());
        store
            .put_chunk(up, 5, Bytes::from_static(&data[5..]))
            .await
            .unwrap();
        store.finish(up, &id, data.len() as u64).await.unwrap();
        assert!(store.exists(&id).await.unwrap());
        assert!(!dir.path().join("uploads").join(up).exists());
    }

    #[tokio::test]
    async fn nothing_is_created_until_the_first_write() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("not-yet");
        let store = LocalDirStore::new(&root);
        assert!(!store.exists(&contract::id_of(b"x")).await.unwrap());
        assert!(!root.exists());
    }
}
