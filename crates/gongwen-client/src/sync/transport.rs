//! The network seam of the engine: every request the engine makes, as an async trait.
//! [`super::HttpTransport`] speaks HTTP; tests use an in-process fake server with
//! injected faults. An implementation maps every failure to a [`TransportError`]
//! and never retries by itself (the engine decides).

use std::future::Future;
use std::time::Duration;

use gongwen_protocol::Health;
use gongwen_protocol::sync::{
    BlobAnnounce, BlobUpload, PullRequest, PullResponse, PushRequest, PushResponse, SyncError,
};

pub type TransportResult<T> = std::result::Result<T, TransportError>;

/// Why a request did not give a usable answer. Every variant leaves the outbox and
/// the local state untouched; the engine stops the stage and retries later.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TransportError {
    /// The server cannot be reached (connection refused, DNS, timeout, TLS failure,
    /// connection cut mid-answer).
    #[error("无法连接服务器（{0}）")]
    Offline(String),
    /// The server answered 5xx, 429 or 503: try again later.
    #[error("服务器暂时不可用（HTTP {status}），稍后自动重试")]
    Unavailable {
        status: u16,
        retry_after: Option<Duration>,
    },
    /// The answer cannot be trusted: not JSON, cut short, the wrong shape, a redirect
    /// to another host, a wrong checksum.
    #[error("服务器的应答无法识别（{0}），本地待同步的数据未改动，稍后自动重试")]
    BadResponse(String),
    /// The session is over (refresh refused): the user must log in again.
    #[error("登录已失效，请重新登录（gongwen login）")]
    Unauthorized,
    /// No account on this store.
    #[error("尚未登录服务器，请先运行 gongwen login --server 地址 --user 用户名")]
    NotLoggedIn,
    /// 426: this client is too old for the server.
    #[error("请升级客户端：服务器要求协议版本不低于 {min_protocol}、数据版本不低于 {min_schema}")]
    UpgradeRequired { min_protocol: u32, min_schema: u32 },
    /// 409 with a recovery code ([`gongwen_protocol::sync::codes`]): SEQ_GAP,
    /// CLIENT_UNKNOWN, BUCKET_RESET, OFFSET_MISMATCH.
    #[error("服务器要求重新同步（{}）：{}", .0.code, .0.message)]
    Conflict(Box<SyncError>),
    /// Any other refusal (4xx) with the server's code and message.
    #[error("服务器拒绝了请求（{code}）：{message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
    },
}

impl TransportError {
    /// Whether retrying later (with backoff) may succeed without the user doing anything.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            TransportError::Offline(_)
                | TransportError::Unavailable { .. }
                | TransportError::BadResponse(_)
        )
    }

    /// Whether the server could not be reached at all (离线).
    pub fn is_offline(&self) -> bool {
        matches!(self, TransportError::Offline(_))
    }
}

/// A chunk of a blob download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobRange {
    pub bytes: Vec<u8>,
    /// The blob's whole size.
    pub total: u64,
}

/// Everything the engine asks the server. Futures are `Send` so the engine can run
/// in a spawned task.
pub trait Transport: Send + Sync {
    /// `GET /v1/health`: the cheap reachability probe.
    fn health(&self) -> impl Future<Output = TransportResult<Health>> + Send;

    /// `POST /v1/sync/push`.
    fn push(&self, req: &PushRequest)
    -> impl Future<Output = TransportResult<PushResponse>> + Send;

    /// `POST /v1/sync/pull`.
    fn pull(&self, req: &PullRequest)
    -> impl Future<Output = TransportResult<PullResponse>> + Send;

    /// `POST /v1/blobs`: announce a blob; the answer says whether (and from where) to upload.
    fn blob_announce(
        &self,
        req: &BlobAnnounce,
    ) -> impl Future<Output = TransportResult<BlobUpload>> + Send;

    /// `HEAD {upload_url}`: the server's offset.
    fn blob_offset(&self, upload_url: &str) -> impl Future<Output = TransportResult<u64>> + Send;

    /// `PATCH {upload_url}` with `Upload-Offset: offset`: returns the new offset. A
    /// 409 OFFSET_MISMATCH comes back as [`TransportError::Conflict`].
    fn blob_patch(
        &self,
        upload_url: &str,
        offset: u64,
        chunk: Vec<u8>,
    ) -> impl Future<Output = TransportResult<u64>> + Send;

    /// `GET /v1/blobs/{id}` with `Range: bytes=from-(from+len-1)`.
    fn blob_get(
        &self,
        id: &str,
        from: u64,
        len: u64,
    ) -> impl Future<Output = TransportResult<BlobRange>> + Send;
}

/// A shared transport (the service and a manual sync can use one connection pool).
impl<T: Transport> Transport for std::sync::Arc<T> {
    fn health(&self) -> impl Future<Output = TransportResult<Health>> + Send {
        (**self).health()
    }
    fn push(
        &self,
        req: &PushRequest,
    ) -> impl Future<Output = TransportResult<PushResponse>> + Send {
        (**self).push(req)
    }
    fn pull(
        &self,
        req: &PullRequest,
    ) -> impl Future<Output = TransportResult<PullResponse>> + Send {
        (**self).pull(req)
    }
    fn blob_announce(
        &self,
        req: &BlobAnnounce,
    ) -> impl Future<Output = TransportResult<BlobUpload>> + Send {
        (**self).blob_announce(req)
    }
    fn blob_offset(&self, upload_url: &str) -> impl Future<Output = TransportResult<u64>> + Send {
        (**self).blob_offset(upload_url)
    }
    fn blob_patch(
        &self,
        upload_url: &str,
        offset: u64,
        chunk: Vec<u8>,
    ) -> impl Future<Output = TransportResult<u64>> + Send {
        (**self).blob_patch(upload_url, offset, chunk)
    }
    fn blob_get(
        &self,
        id: &str,
        from: u64,
        len: u64,
    ) -> impl Future<Output = TransportResult<BlobRange>> + Send {
        (**self).blob_get(id, from, len)
    }
}
