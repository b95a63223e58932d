//! What the commands send to the UI.
//!
//! These transport types stay at the boundary: each is built from one `gongwen_client::api`
//! result, names its fields the way the UI reads them (camelCase), and exports its
//! TypeScript twin to `ui/src/bindings/` (see `bindings.rs` for the drift check).
//! Counts are `u64` in Rust and `number` in TypeScript: JSON carries them as numbers and
//! no queue comes near 2^53.

use gongwen_client::api;
use serde::Serialize;
use ts_rs::TS;

/// The counts beside the navigation entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueueCounts {
    /// 待办: open tasks waiting for me to handle or approve.
    #[ts(type = "number")]
    pub todo: u64,
    /// 已办: tasks I have finished.
    #[ts(type = "number")]
    pub done: u64,
    /// 待阅: open tasks waiting for me to read.
    #[ts(type = "number")]
    pub to_read: u64,
    /// 草稿: my drafts.
    #[ts(type = "number")]
    pub drafts: u64,
}

impl From<api::QueueCounts> for QueueCounts {
    fn from(counts: api::QueueCounts) -> QueueCounts {
        QueueCounts {
            todo: counts.todo,
            done: counts.done,
            to_read: counts.toread,
            drafts: counts.drafts,
        }
    }
}

/// The status bar: 在线/离线 and the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// Whether the last contact with the server succeeded.
    pub online: bool,
    /// Local changes waiting to be sent (待同步).
    #[ts(type = "number")]
    pub pending: u64,
    /// When the last successful sync finished (RFC 3339), or null if never.
    pub last_synced_at: Option<String>,
}

impl From<api::SyncStatus> for SyncStatus {
    fn from(status: api::SyncStatus) -> SyncStatus {
        SyncStatus {
            online: status.online,
            pending: status.pending,
            last_synced_at: status.last_sync,
        }
    }
}

/// 设置 · 关于: where the data lives, its version, who the local user is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StoreInfo {
    /// This program's version.
    pub app_version: String,
    /// The data folder.
    pub data_dir: String,
    /// The schema version of the open database.
    #[ts(type = "number")]
    pub schema_version: i64,
    /// The newest schema version this program knows.
    #[ts(type = "number")]
    pub latest_schema_version: i64,
    /// Where the database key is kept, in words (系统钥匙串, 口令 …).
    pub key_source: String,
    /// The local user's name (author of new versions).
    pub user: String,
    /// Size of the database files in bytes.
    #[ts(type = "number")]
    pub db_bytes: u64,
}

impl From<api::StoreInfo> for StoreInfo {
    fn from(info: api::StoreInfo) -> StoreInfo {
        StoreInfo {
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
            data_dir: info.data_dir.display().to_string(),
            schema_version: info.schema_version,
            latest_schema_version: info.latest_schema_version,
            key_source: info.key_source.label().to_owned(),
            user: info.user,
            db_bytes: info.db_bytes,
        }
    }
}

/// One row of the 草稿 list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DraftRow {
    pub id: String,
    /// 标题, as typed so far (may be empty in a fresh draft).
    pub title: String,
    /// 文种 (通知, 请示 …), once chosen.
    pub doc_type: Option<String>,
    /// 发文字号, once assigned.
    pub doc_number: Option<String>,
    /// Who wrote the first version.
    pub created_by: String,
    /// When the latest version was saved (RFC 3339).
    pub updated_at: String,
    /// The latest version's number (1, 2, …).
    #[ts(type = "number")]
    pub version: i64,
}

impl From<api::DraftSummary> for DraftRow {
    fn from(d: api::DraftSummary) -> DraftRow {
        DraftRow {
            id: d.id,
            title: d.title,
            doc_type: d.doc_type,
            doc_number: d.doc_number,
            created_by: d.created_by,
            updated_at: d.updated_at,
            version: d.head_version,
        }
    }
}
