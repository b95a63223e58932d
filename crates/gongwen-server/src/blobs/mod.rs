//! Blobs: attachments and rendered PDFs, content-addressed by SHA-256
//! (`sha256:<64 hex>`), uploaded resumably, downloaded with ranges
//! (`../shared/design/SYNC.md` §4).
//!
//! * The bytes live in a [`BlobStore`]: a local directory by default
//!   ([`LocalDirStore`]), any S3-compatible store through `object_store`
//!   ([`ObjectBlobStore`]); [`crate::config::BlobStoreConfig`] chooses.
//! * The facts live in PostgreSQL, so server instances share them: `blobs`
//!   (complete, verified blobs), `blob_uploads` (uploads in progress and their
//!   offsets) and `blob_refs` (which entities use a blob, and through which
//!   pull bucket they are seen).
//! * Who may download a blob: its uploader, and anyone who may see a bucket
//!   through which an entity referencing it is served ([`may_read`]). Code that
//!   stores an entity pointing at a blob calls [`add_ref`] in the same
//!   transaction. Refusals are 404s, so a blob's existence does not leak.
//! * Announcing a blob the server already has answers `present` (dedup): the
//!   client skips the upload. That tells the announcer the blob exists, but
//!   gives no right to read it.
//!
//! The HTTP side is [`http`]; the wire types are `gongwen_protocol::sync`'s
//! `BlobAnnounce`/`BlobUpload`.

pub mod http;
pub mod local;
pub mod object;
pub mod store;

use std::fmt;
use std::sync::Arc;

use deadpool_postgres::GenericClient;

pub use local::LocalDirStore;
pub use object::ObjectBlobStore;
pub use store::{BlobStore, ByteStream, StoreError};

use crate::auth::Caller;
use crate::config::BlobStoreConfig;
use crate::error::{Error, Result};

/// A blob id: `sha256:` and 64 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobId(String);

impl BlobId {
    /// Parse a blob id; uppercase hex is accepted and lowered.
    pub fn parse(text: &str) -> Option<Self> {
        let hex = text.trim().strip_prefix("sha256:")?;
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some(Self(format!("sha256:{}", hex.to_ascii_lowercase())))
    }

    /// Parse, or a 400-style error naming the text.
    pub fn parse_or_invalid(text: &str) -> Result<Self> {
        Self::parse(text).ok_or_else(|| {
            Error::Invalid(format!(
                "附件标识“{}”无效：应为 sha256: 加 64 位十六进制数字",
                truncate(text, 80)
            ))
        })
    }

    /// The id of `data`.
    pub fn of(data: &[u8]) -> Self {
        use sha2::{Digest, Sha256};
        Self(format!("sha256:{}", hex::encode(Sha256::digest(data))))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 64 hex digits.
    pub fn hex(&self) -> &str {
        &self.0["sha256:".len()..]
    }
}

impl fmt::Display for BlobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// Build the configured store.
pub fn open_store(config: &BlobStoreConfig) -> Result<Arc<dyn BlobStore>> {
    match config {
        BlobStoreConfig::Local { dir } => Ok(Arc::new(LocalDirStore::new(dir.clone()))),
        BlobStoreConfig::S3 {
            bucket,
            endpoint,
            region,
            prefix,
            allow_http,
        } => {
            // reqwest is built without a bundled TLS provider: use ring, as
            // the server's own TLS does. Already installed is fine.
            let _ = rustls::crypto::ring::default_provider().install_default();
            // Credentials come from the environment (AWS_ACCESS_KEY_ID,
            // AWS_SECRET_ACCESS_KEY, …), never from the configuration file.
            let mut builder = object_store::aws::AmazonS3Builder::from_env()
                .with_bucket_name(bucket)
                .with_allow_http(*allow_http);
            if let Some(endpoint) = endpoint {
                builder = builder
                    .with_endpoint(endpoint)
                    .with_virtual_hosted_style_request(false);
            }
            if let Some(region) = region {
                builder = builder.with_region(region);
            }
            let store = builder.build().map_err(|e| {
                Error::Config(format!(
                    "对象存储配置错误（{e}）：请检查 [blobs] 中的 bucket、endpoint 和环境变量 AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY"
                ))
            })?;
            Ok(Arc::new(ObjectBlobStore::new(
                Arc::new(store),
                prefix.as_deref().unwrap_or(""),
            )))
        }
    }
}

/// Whether a complete blob with this id is on the server. For the sync push's
/// `BLOB_MISSING` check of a mutation's `blob_deps`: a malformed id is simply
/// not there. Works inside or outside a transaction.
pub async fn exists(c: &impl GenericClient, id: &str) -> Result<bool> {
    let Some(id) = BlobId::parse(id) else {
        return Ok(false);
    };
    Ok(
        c.query_opt("SELECT 1 FROM blobs WHERE id = $1", &[&id.as_str()])
            .await?
            .is_some(),
    )
}

/// The size of a complete blob, if it is on the server.
pub async fn size(c: &impl GenericClient, id: &BlobId) -> Result<Option<u64>> {
    Ok(
        c.query_opt("SELECT size FROM blobs WHERE id = $1", &[&id.as_str()])
            .await?
            .map(|r| r.get::<_, i64>(0) as u64),
    )
}

/// Record that entity `(kind, entity_id)`, served through pull bucket
/// `bucket`, references `blob`: whoever may see `bucket` may download the
/// blob. Call it in the transaction that stores the entity; idempotent. The
/// blob must exist ([`exists`]).
pub async fn add_ref(
    c: &impl GenericClient,
    blob: &BlobId,
    kind: &str,
    entity_id: &str,
    bucket: &str,
) -> Result<()> {
    c.execute(
        "INSERT INTO blob_refs (blob_id, entity_kind, entity_id, bucket) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING",
        &[&blob.as_str(), &kind, &entity_id, &bucket],
    )
    .await?;
    Ok(())
}

/// Forget every blob reference of an entity (it was deleted or withdrawn).
pub async fn remove_refs(c: &impl GenericClient, kind: &str, entity_id: &str) -> Result<u64> {
    Ok(c.execute(
        "DELETE FROM blob_refs WHERE entity_kind = $1 AND entity_id = $2",
        &[&kind, &entity_id],
    )
    .await?)
}

/// Whether `caller` may see pull bucket `bucket`, for the buckets whose
/// membership follows from the token alone (see [`crate::sync::buckets`]):
/// `organ:{代字}` (every user of the organ) and `user:{login}`. Any other
/// bucket is not visible through this check.
pub fn bucket_visible(caller: &Caller, bucket: &str) -> bool {
    match bucket.split_once(':') {
        Some(("organ", code)) => caller.organ_code == code,
        Some(("user", login)) => caller.login == login,
        _ => false,
    }
}

/// Whether `caller` may download `blob`: they uploaded it, or they may see a
/// bucket of an entity that references it.
pub async fn may_read(c: &impl GenericClient, caller: &Caller, blob: &BlobId) -> Result<bool> {
    let row = c
        .query_opt(
            "SELECT uploaded_by FROM blobs WHERE id = $1",
            &[&blob.as_str()],
        )
        .await?;
    let Some(row) = row else {
        return Ok(false);
    };
    if row.get::<_, Option<i64>>(0) == Some(caller.user_id) {
        return Ok(true);
    }
    let buckets: Vec<String> = c
        .query(
            "SELECT DISTINCT bucket FROM blob_refs WHERE blob_id = $1",
            &[&blob.as_str()],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    Ok(buckets.iter().any(|b| bucket_visible(caller, b)))
}

/// Remove uploads nobody touched since `before` (their rows and partial
/// bytes). Every instance may run it; the deletes are idempotent.
pub async fn purge_stale_uploads(
    c: &impl GenericClient,
    store: &dyn BlobStore,
    before: time::OffsetDateTime,
) -> Result<u64> {
    let rows = c
        .query(
            "DELETE FROM blob_uploads WHERE updated_at < $1 RETURNING id",
            &[&before],
        )
        .await?;
    for row in &rows {
        let id: String = row.get(0);
        if let Err(e) = store.discard(&id).await {
            tracing::warn!(upload = %id, error = %e, "could not remove a stale partial upload");
        }
    }
    Ok(rows.len() as u64)
}

/// Uploads untouched this long are abandoned (SYNC.md §4: 7 days).
pub const STALE_UPLOAD_AFTER: time::Duration = time::Duration::days(7);

/// Every hour, remove abandoned uploads. Every instance runs it; the deletes
/// are idempotent. Complete blobs are never collected here: only code that
/// records every reference ([`add_ref`]) could say a blob is unused.
pub async fn janitor(state: crate::AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let before = state.clock.now() - STALE_UPLOAD_AFTER;
        let purged = async {
            let client = state.pool.get().await?;
            purge_stale_uploads(&client, state.blobs.as_ref(), before).await
        };
        match purged.await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "purged abandoned blob uploads"),
            Err(e) => tracing::warn!(error = %e, "could not purge abandoned blob uploads"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_ids_parse_strictly() {
        let hex = "ab".repeat(32);
        let id = BlobId::parse(&format!("sha256:{}", hex.to_uppercase())).unwrap();
        assert_eq!(id.as_str(), format!("sha256:{hex}"));
        assert_eq!(id.hex(), hex);
        for bad in [
            "",
            "sha256:",
            "md5:abcd",
            &format!("sha256:{}", "g".repeat(64)),
            &format!("sha256:{}", "a".repeat(63)),
            &format!("sha256:../{}", "a".repeat(61)),
        ] {
            assert!(BlobId::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(
            BlobId::of(b"").hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    fn caller() -> Caller {
        Caller {
            user_id: 7,
            login: "u".into(),
            display_name: "u".into(),
            organ_id: 2,
            organ_code: "鹤府办".into(),
            organ_is_top_level: false,
            department_id: Some(4),
            department: None,
            roles: vec![],
            delegated_roles: vec![],
            admin_scope: vec![],
            family_id: 1,
        }
    }

    #[test]
    fn buckets_visible_from_the_token() {
        let c = caller();
        assert!(bucket_visible(&c, "organ:鹤府办"));
        assert!(!bucket_visible(&c, "organ:鹤府"));
        assert!(bucket_visible(&c, "user:u"));
        assert!(!bucket_visible(&c, "user:v"));
        assert!(!bucket_visible(&c, "dept:4"));
        assert!(!bucket_visible(&c, "doc:D1"));
        assert!(!bucket_visible(&c, "organ"));
    }
}
