//! [`ObjectBlobStore`]: blobs in any `object_store` backend, S3-compatible
//! stores in production (MinIO, Ceph RGW, a cloud's OSS), the in-memory or
//! local-file backends in tests.
//!
//! Object stores cannot write at an offset, so each uploaded chunk is its own
//! object, named by its offset:
//!
//! ```text
//! {prefix}uploads/<upload id>/<offset, 20 digits>   one object per chunk
//! {prefix}blobs/<64 hex>                           published blobs
//! ```
//!
//! A chunk at `offset` first deletes every part at or after `offset` (a part
//! written before a crash but never recorded in the database). Finishing reads
//! the parts in order, hashing them while it streams them into a multipart
//! upload of the blob's key, and completes that upload only if the hash and
//! size match (otherwise it aborts it): an S3 multipart completion is atomic,
//! so readers see the whole blob or none. Nothing is kept in memory between
//! requests, so every server instance can take any chunk.

use std::ops::Range;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use sha2::{Digest, Sha256};

use super::BlobId;
use super::store::{BlobStore, ByteStream, StoreError, StoreResult, check_upload_id};

/// Multipart part size when publishing (S3 needs at least 5 MiB per part).
const PART_SIZE: usize = 8 * 1024 * 1024;

/// A blob store over an [`ObjectStore`].
#[derive(Debug, Clone)]
pub struct ObjectBlobStore {
    store: Arc<dyn ObjectStore>,
    /// Key prefix, empty or ending in `/`.
    prefix: String,
}

fn object_error(e: object_store::Error) -> StoreError {
    match e {
        object_store::Error::NotFound { .. } => StoreError::NotFound,
        other => StoreError::Object(other.to_string()),
    }
}

/// One stored chunk of an upload.
#[derive(Debug, Clone)]
struct Part {
    offset: u64,
    len: u64,
    path: Path,
}

impl ObjectBlobStore {
    /// Keys go under `prefix` (e.g. `gongwen/`; empty for the bucket's root).
    pub fn new(store: Arc<dyn ObjectStore>, prefix: &str) -> Self {
        let prefix = prefix.trim_matches('/');
        let prefix = if prefix.is_empty() {
            String::new()
        } else {
            format!("{prefix}/")
        };
        Self { store, prefix }
    }

    fn upload_dir(&self, upload: &str) -> StoreResult<Path> {
        check_upload_id(upload)?;
        Ok(Path::from(format!("{}uploads/{upload}", self.prefix)))
    }

    fn part_path(&self, upload: &str, offset: u64) -> StoreResult<Path> {
        check_upload_id(upload)?;
        Ok(Path::from(format!(
            "{}uploads/{upload}/{offset:020}",
            self.prefix
        )))
    }

    fn blob_path(&self, blob: &BlobId) -> Path {
        Path::from(format!("{}blobs/{}", self.prefix, blob.hex()))
    }

    /// The parts of an upload, by offset.
    async fn parts(&self, upload: &str) -> StoreResult<Vec<Part>> {
        let dir = self.upload_dir(upload)?;
        let mut parts: Vec<Part> = self
            .store
            .list(Some(&dir))
            .map_err(object_error)
            .try_filter_map(|meta| async move {
                let offset = meta
                    .location
                    .filename()
                    .and_then(|name| name.parse::<u64>().ok());
                Ok(offset.map(|offset| Part {
                    offset,
                    len: meta.size,
                    path: meta.location,
                }))
            })
            .try_collect()
            .await?;
        parts.sort_by_key(|p| p.offset);
        Ok(parts)
    }

    /// How many bytes from 0 the parts cover without a hole, counting only
    /// parts that end at or before `limit`.
    fn contiguous(parts: &[Part], limit: u64) -> u64 {
        let mut end = 0;
        for p in parts {
            if p.offset != end || p.offset + p.len > limit {
                break;
            }
            end += p.len;
        }
        end
    }

    async fn delete_parts(&self, parts: impl IntoIterator<Item = &Part>) -> StoreResult<()> {
        for p in parts {
            match self.store.delete(&p.path).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(object_error(e)),
            }
        }
        Ok(())
    }
}

#[async_trait]
impl BlobStore for ObjectBlobStore {
    async fn put_chunk(&self, upload: &str, offset: u64, data: Bytes) -> StoreResult<()> {
        let path = self.part_path(upload, offset)?;
        let parts = self.parts(upload).await?;
        let have = Self::contiguous(&parts, offset);
        // Everything from the first byte not covered up to `offset` is stale.
        let stale: Vec<&Part> = parts.iter().filter(|p| p.offset >= have).collect();
        self.delete_parts(stale).await?;
        if have < offset {
            return Err(StoreError::Behind { have });
        }
        self.store
            .put(&path, PutPayload::from_bytes(data))
            .await
            .map_err(object_error)?;
        Ok(())
    }

    async fn finish(&self, upload: &str, blob: &BlobId, size: u64) -> StoreResult<()> {
        let parts = self.parts(upload).await?;
        let have = Self::contiguous(&parts, u64::MAX);
        let covered: Vec<&Part> = parts.iter().take_while(|p| p.offset < have).collect();
        if have != size {
            self.discard(upload).await?;
            return Err(StoreError::SizeMismatch {
                expected: size,
                actual: have,
            });
        }
        let target = self.blob_path(blob);
        if self.exists(blob).await? {
            self.discard(upload).await?;
            return Ok(());
        }
        let mut hasher = Sha256::new();
        let mut writer = WriteMultipart::new_with_chunk_size(
            self.store
                .put_multipart(&target)
                .await
                .map_err(object_error)?,
            PART_SIZE,
        );
        let copied: StoreResult<()> = async {
            for p in &covered {
                let mut stream = self
                    .store
                    .get(&p.path)
                    .await
                    .map_err(object_error)?
                    .into_stream();
                while let Some(bytes) = stream.next().await {
                    let bytes = bytes.map_err(object_error)?;
                    hasher.update(&bytes);
                    writer.wait_for_capacity(4).await.map_err(object_error)?;
                    writer.put(bytes);
                }
            }
            Ok(())
        }
        .await;
        if let Err(e) = copied {
            let _ = writer.abort().await;
            return Err(e);
        }
        let actual = format!("sha256:{}", hex::encode(hasher.finalize()));
        if actual != blob.as_str() {
            let _ = writer.abort().await;
            self.discard(upload).await?;
            return Err(StoreError::HashMismatch { actual });
        }
        writer.finish().await.map_err(object_error)?;
        self.discard(upload).await
    }

    async fn discard(&self, upload: &str) -> StoreResult<()> {
        let parts = self.parts(upload).await?;
        self.delete_parts(&parts).await
    }

    async fn open_range(&self, blob: &BlobId, range: Range<u64>) -> StoreResult<ByteStream> {
        let path = self.blob_path(blob);
        if range.start >= range.end {
            // Object stores refuse empty ranges; check the blob is there.
            self.store.head(&path).await.map_err(object_error)?;
            return Ok(futures_util::stream::empty().boxed());
        }
        let options = GetOptions {
            range: Some(GetRange::Bounded(range)),
            ..GetOptions::default()
        };
        let result = self
            .store
            .get_opts(&path, options)
            .await
            .map_err(object_error)?;
        Ok(result
            .into_stream()
            .map_err(|e| std::io::Error::other(e.to_string()))
            .boxed())
    }

    async fn exists(&self, blob: &BlobId) -> StoreResult<bool> {
        match self.store.head(&self.blob_path(blob)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(object_error(e)),
        }
    }

    async fn delete(&self, blob: &BlobId) -> StoreResult<()> {
        match self.store.delete(&self.blob_path(blob)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(object_error(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use object_store::memory::InMemory;

    use super::*;
    use crate::blobs::store::contract;

    #[tokio::test]
    async fn keeps_the_store_contract_in_memory() {
        contract::run(&ObjectBlobStore::new(Arc::new(InMemory::new()), "")).await;
    }

    #[tokio::test]
    async fn keeps_the_store_contract_under_a_prefix() {
        let memory = Arc::new(InMemory::new());
        contract::run(&ObjectBlobStore::new(memory.clone(), "/gongwen/")).await;
        // Everything lived under the prefix.
        let keys: Vec<_> = memory
            .list(None)
            .map_ok(|m| m.location.to_string())
            .try_collect()
            .await
            .unwrap();
        assert!(keys.iter().all(|k| k.starts_with("gongwen/")), "{keys:?}");
    }

    #[tokio::test]
    async fn two_stores_on_one_bucket_share_uploads() {
        let memory: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
        let a = ObjectBlobStore::new(memory.clone(), "p");
        let b = ObjectBlobStore::new(memory, "p");
        let data = vec![7u8; 20_000];
        let id = contract::id_of(&data);
        let up = "abcdefabcdefabcdefabcdefabcdef01";
        a.put_chunk(up, 0, Bytes::copy_from_slice(&data[..12_000]))
            .await
            .unwrap();
        b.put_chunk(up, 12_000, Bytes::copy_from_slice(&data[12_000..]))
            .await
            .unwrap();
        b.finish(up, &id, 20_000).await.unwrap();
        assert!(a.exists(&id).await.unwrap());
    }
}
