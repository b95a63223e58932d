//! Offline-first sync with the central server (SYNC.md; wire contract in
//! [`gongwen_protocol::sync`]).
//!
//! # Stages
//!
//! [`Engine::sync`] runs, in order, each stage testable on its own without a network
//! (the [`Transport`] trait is the only seam):
//!
//! 1. **pull** ([`Engine::pull`]): every bucket, page after page until no bucket
//!    `has_more`. Each answer is applied in one SQLite transaction together with the
//!    buckets' cursors and checksums; the checksum is verified with
//!    [`bucket_checksum`](gongwen_protocol::sync::bucket_checksum)`(previous, ops)` and a
//!    mismatch drops the bucket and pulls it again from 0. A flow PUT sets `base_json`
//!    and rebases (server state + pending commands replayed); removed buckets and
//!    resets delete every row, search entry and cached attachment held only through
//!    them. The answer's `last_applied_seq` acknowledges pushed rows.
//! 2. **blobs**: attachments the waiting rows need are uploaded first (resumable
//!    chunks from the server's offset; the server verifies the hash); attachments of
//!    pulled drafts are downloaded with ranges, sealed as they arrive (no plaintext on
//!    disk, [`crate::store::sealed::PartialSeal`]), resuming after the last whole chunk
//!    kept, and verified by hash before they are kept.
//! 3. **push** ([`Engine::push`]): unresolved rows in `push_seq` order. Applied → the
//!    row goes; terminal rejection → the row stays as rejected with the server's code
//!    and zh-CN reason (ALREADY_HANDLED reads "已由 XX 于 时间 处理", the user's opinion
//!    kept); retryable → stop and retry later; SEQ_GAP → resend from the expected seq;
//!    CLIENT_UNKNOWN → a new client id and the rows renumbered.
//! 4. **acknowledge**: a second pull brings the effects of what was pushed.
//!
//! Exactly-once: an outbox row disappears only after the server's answer for it (a
//! trigger enforces it), and the server answers a replayed seq with its stored result.
//!
//! # For the desktop (UI engineer)
//!
//! ```text
//! let client = Arc::new(Client::open(&dir)?);
//! let service = sync::Service::start(client.clone(), sync::HttpTransport::from_account(&client)?);
//! let mut rx = service.subscribe();          // watch::Receiver<SyncStatusView>
//! // after every local change (save, act, …):
//! service.notify();
//! // 立即同步 button:
//! service.sync_now();
//! // the status bar: rx.changed().await; let view = rx.borrow().clone();
//! // view.state: 离线 | 在线 | 同步中; view.pending, view.rejected, view.last_success_at,
//! // view.progress: Option<(done, total)>, view.last_error (zh-CN, for a tooltip).
//! // 同步详情: client.outbox() (pending) and client.rejected_actions() (with reasons),
//! // client.retry_rejected(seq) / client.discard_rejected(seq).
//! service.shutdown().await;
//! ```
//!
//! Login and logout: [`login`] (stores the refresh token in the OS keychain and the
//! server address in the store), [`logout`]; 修改密码: [`change_password`] (online only).

mod apply;
mod conflicts;
mod engine;
mod http;
mod network;
pub(crate) mod outbox;
mod service;
mod session;
mod transport;

pub use conflicts::ConflictResolution;
pub use engine::{Engine, PULL_LIMIT, PUSH_BATCH, Progress, SyncReport};
pub use http::{
    Account, HttpTransport, KeychainTokens, MemoryTokens, TokenStore, account, login, logout,
};
pub use network::{NetworkProbe, NetworkWatch, fingerprint as network_fingerprint};
pub use service::{Service, ServiceOptions, SyncState, SyncStatusView};
pub use session::{PasswordChangeError, change_password, check_new_password};
pub use transport::{BlobRange, Transport, TransportError, TransportResult};

use serde::Serialize;

use crate::Client;

/// Why a sync did not complete. The `Display` is a zh-CN sentence for people; the
/// outbox is intact in every case.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    #[error(transparent)]
    Transport(#[from] TransportError),

    #[error(transparent)]
    Store(#[from] crate::Error),

    #[error(transparent)]
    Flow(#[from] crate::flow::FlowError),

    /// The server asked to try a mutation again later (e.g. a lock timeout).
    #[error("服务器暂时无法处理待同步的操作（{0}），稍后自动重试")]
    RetryLater(String),

    /// A bucket keeps failing its checksum: the server's data is inconsistent.
    #[error("数据分区“{0}”多次校验失败，已停止同步，稍后自动重试")]
    ResetLoop(String),

    /// The sync ran but rows still wait (the server did not answer them all).
    #[error("还有 {pending} 项修改没有被服务器确认")]
    Incomplete { pending: u64 },
}

impl SyncError {
    /// A stable code for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::Transport(t) => match t {
                TransportError::Offline(_) => "offline",
                TransportError::Unavailable { .. } => "server_unavailable",
                TransportError::BadResponse(_) => "bad_response",
                TransportError::Unauthorized => "unauthorized",
                TransportError::NotLoggedIn => "not_logged_in",
                TransportError::UpgradeRequired { .. } => "upgrade_required",
                TransportError::Conflict(_) => "sync_conflict",
                TransportError::Refused { .. } => "refused",
            },
            SyncError::Store(e) => e.code(),
            SyncError::Flow(_) => "store",
            SyncError::RetryLater(_) => "retry_later",
            SyncError::ResetLoop(_) => "checksum_loop",
            SyncError::Incomplete { .. } => "incomplete",
        }
    }

    /// Whether the service should simply try again later.
    pub fn is_transient(&self) -> bool {
        match self {
            SyncError::Transport(t) => t.is_transient(),
            SyncError::RetryLater(_) | SyncError::ResetLoop(_) | SyncError::Incomplete { .. } => {
                true
            }
            SyncError::Store(crate::Error::Busy) => true,
            _ => false,
        }
    }
}

/// A bucket as this client holds it (for `gongwen sync status` and the tests).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BucketState {
    pub bucket: String,
    pub cursor: i64,
    /// [`gongwen_protocol::sync::format_checksum`] of the additive checksum.
    pub checksum: String,
}

/// What `gongwen sync status` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncDetails {
    pub server_url: Option<String>,
    pub login: Option<String>,
    pub client_id: Option<String>,
    /// Rows waiting to be sent or answered.
    pub pending: u64,
    /// Rows the server (or a replay) refused, waiting for the user.
    pub rejected: u64,
    /// The server's last acknowledgement and the next wire seq.
    pub acked_seq: i64,
    pub next_push_seq: i64,
    pub last_success_at: Option<String>,
    pub last_error: Option<String>,
    pub buckets: Vec<BucketState>,
}

impl Client {
    /// Rows not finished with: pending, or sent and not answered yet.
    pub fn sync_pending(&self) -> crate::Result<u64> {
        self.db.read(|c| {
            let n: i64 = c.query_row(
                "SELECT count(*) FROM outbox WHERE state = 'pending' OR push_seq IS NOT NULL",
                [],
                |r| r.get(0),
            )?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }

    /// The sync bookkeeping: account, counters, buckets.
    pub fn sync_details(&self) -> crate::Result<SyncDetails> {
        self.db.read(|c| {
            use rusqlite::OptionalExtension;
            let account: Option<(String, String)> = c
                .query_row(
                    "SELECT server_url, login FROM sync_account WHERE id = 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            type Counters = (String, i64, i64, Option<String>, Option<String>);
            let me: Option<Counters> = c
                .query_row(
                    "SELECT client_id, acked_seq, next_push_seq, last_success_at, last_error
                     FROM sync_client WHERE id = 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()?;
            let count = |sql: &str| -> crate::Result<u64> {
                Ok(u64::try_from(c.query_row(sql, [], |r| r.get::<_, i64>(0))?).unwrap_or(0))
            };
            let buckets = c
                .prepare("SELECT bucket, cursor, checksum FROM sync_buckets ORDER BY bucket")?
                .query_map([], |r| {
                    Ok(BucketState {
                        bucket: r.get(0)?,
                        cursor: r.get(1)?,
                        checksum: gongwen_protocol::sync::format_checksum(
                            r.get::<_, i64>(2)? as u32
                        ),
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            let (client_id, acked_seq, next_push_seq, last_success_at, last_error) = match me {
                Some((a, b, c, d, e)) => (Some(a), b, c, d, e),
                None => (None, 0, 1, None, None),
            };
            Ok(SyncDetails {
                server_url: account.as_ref().map(|a| a.0.clone()),
                login: account.map(|a| a.1),
                client_id,
                pending: count(
                    "SELECT count(*) FROM outbox WHERE state = 'pending' OR push_seq IS NOT NULL",
                )?,
                rejected: count(
                    "SELECT count(*) FROM outbox WHERE state = 'rejected' AND push_seq IS NULL",
                )?,
                acked_seq,
                next_push_seq,
                last_success_at,
                last_error,
                buckets,
            })
        })
    }
}
