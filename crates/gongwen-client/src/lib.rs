//! Gongwen client library: the local store, the [`sync`] engine, and [`api`], one
//! function per user action. Never depends on tauri: the desktop shell and the
//! `gongwen` CLI are thin layers over [`api::Client`].
//!
//! # Serialization convention
//! Every type the UI sees derives `serde::Serialize` with `rename_all = "camelCase"`
//! (e.g. `QueueCounts { todo, toread, … }`, `SyncStatus { online, pending, lastSync }`).
//! Errors cross as `{ "code": "…", "message": "…" }` ([`ErrorPayload`]); the UI branches
//! on `code` (see [`Error::code`]), the `message` is zh-CN text for people.
//! The one exception is the 公文 itself ([`gongwen_domain::Document`]), which keeps its
//! documented snake_case JSON form everywhere.
//!
//! # Data folder
//! [`default_data_dir`] (overridable with `GONGWEN_DATA_DIR`) holds:
//! - `gongwen.db` (+ `-wal`, `-shm`): the SQLCipher-encrypted SQLite store;
//! - `store.json`: the store's id and where its key comes from (not secret);
//! - `blobs/`: attachment contents, content-addressed by SHA-256.

pub mod api;
pub mod diff;
pub mod error;
pub mod flow;
mod fsutil;
pub mod incoming;
pub mod key;
pub mod outgoing;
pub mod reminders;
pub mod store;
pub mod sync;

use std::path::PathBuf;

pub use api::Client;
pub use error::{Error, ErrorPayload, Result};

/// The environment variable that overrides the data folder.
pub const DATA_DIR_ENV: &str = "GONGWEN_DATA_DIR";

/// The data folder: `$GONGWEN_DATA_DIR` when set (and not empty), otherwise the
/// platform's app data folder (`~/.local/share/gongwen` on Linux,
/// `%APPDATA%\gongwen\Gongwen\data` on Windows, `~/Library/Application Support/cn.gongwen.Gongwen`
/// on macOS).
pub fn default_data_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("cn", "gongwen", "Gongwen")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or(Error::NoDataDir)
}
