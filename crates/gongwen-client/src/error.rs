//! Errors of the client library.
//!
//! [`Error`] is the rich internal error. Its `Display` is a one-line zh-CN message that
//! names the problem and, where the user can act, what to do. [`Error::code`] is a stable
//! snake_case identifier that the UI branches on (never on the message text).
//! [`ErrorPayload`] is what crosses to the UI: `{ "code": …, "message": … }`.

use std::path::PathBuf;

use serde::Serialize;

pub type Result<T> = std::result::Result<T, Error>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The data folder cannot be created or written.
    #[error(
        "数据文件夹“{path}”无法写入（{reason}）。请检查该文件夹的权限，或用 --data-dir / GONGWEN_DATA_DIR 指定另一个文件夹"
    )]
    DataDirUnwritable { path: PathBuf, reason: String },

    /// No platform app data folder could be determined.
    #[error("无法确定本机的应用数据文件夹，请用 --data-dir 或环境变量 GONGWEN_DATA_DIR 指定")]
    NoDataDir,

    /// The store was never initialised in this folder.
    #[error("“{path}”中还没有本地数据库，请先运行 gongwen init")]
    NotInitialized { path: PathBuf },

    /// The database was written by a newer version of Gongwen.
    #[error(
        "本地数据库的结构版本为 {found}，而本程序只支持到 {supported}：它是由更新版本的公文通创建的。请升级公文通后再打开，数据未被改动"
    )]
    SchemaTooNew { found: i64, supported: i64 },

    /// The key does not open the database (wrong key or passphrase). Nothing was written.
    #[error("无法解密本地数据库：密钥或口令不正确（数据库文件未被改动）")]
    WrongKey,

    /// The database exists but its key is not in the keychain.
    #[error(
        "系统钥匙串中找不到本地数据库的密钥，无法打开已加密的数据库。如果数据库是用口令加密的，请输入口令"
    )]
    KeyMissing,

    /// The database was protected with a passphrase and none was given.
    #[error("本地数据库使用口令加密，请输入口令后再打开")]
    PassphraseRequired,

    /// No OS keychain (Secret Service) is reachable.
    #[error("无法访问系统钥匙串（{reason}）。可以改用口令加密本地数据库")]
    KeychainUnavailable { reason: String },

    /// A keychain operation failed.
    #[error("系统钥匙串操作失败：{0}")]
    Keychain(String),

    /// The passphrase is unusable (empty, too short).
    #[error("口令不可用：{0}")]
    BadPassphrase(&'static str),

    /// Another program holds the database lock for too long.
    #[error("本地数据库正被另一个程序占用，请关闭其他正在运行的公文通后重试")]
    Busy,

    /// The disk (or the folder's quota) is full. The previous version is kept.
    #[error("磁盘空间已满，保存失败（之前的版本仍然保留）。请清理磁盘后重试")]
    DiskFull,

    /// The database file is damaged.
    #[error("本地数据库文件已损坏：{0}")]
    Corrupt(String),

    /// No draft with this id.
    #[error("找不到草稿“{0}”")]
    DraftNotFound(String),

    /// No such version of a draft.
    #[error("草稿“{draft}”没有第 {version} 版")]
    VersionNotFound { draft: String, version: i64 },

    /// The document's JSON could not be read.
    #[error("{0}")]
    InvalidDocument(String),

    /// A field is too large.
    #[error("{what}过大（{size} 字节），上限为 {limit} 字节")]
    TooLarge {
        what: &'static str,
        size: usize,
        limit: usize,
    },

    /// An attachment's file does not exist or cannot be read.
    #[error("附件“{name}”的文件“{path}”无法读取：{reason}")]
    AttachmentFile {
        name: String,
        path: String,
        reason: String,
    },

    /// A blob referenced by a version is missing from the blob folder.
    #[error("附件内容 {0} 在本地存储中缺失")]
    BlobMissing(String),
    /// A stored attachment failed authentication (damaged or tampered with) or does
    /// not match its SHA-256 address.
    #[error("附件内容已损坏或被篡改，无法使用：{0}")]
    BlobCorrupt(String),

    /// The search query has nothing searchable in it.
    #[error("搜索词为空，请输入要查找的文字")]
    EmptyQuery,

    /// A version number given for a compare does not exist or is out of order.
    #[error("{0}")]
    InvalidArgument(String),

    /// A file-system error.
    #[error("文件操作失败（{path}）：{source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// Any other SQLite error.
    #[error("本地数据库出错：{0}")]
    Sqlite(rusqlite::Error),
}

impl Error {
    /// A stable identifier for the UI and scripts to branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::DataDirUnwritable { .. } => "data_dir_unwritable",
            Error::NoDataDir => "no_data_dir",
            Error::NotInitialized { .. } => "not_initialized",
            Error::SchemaTooNew { .. } => "schema_too_new",
            Error::WrongKey => "wrong_key",
            Error::KeyMissing => "key_missing",
            Error::PassphraseRequired => "passphrase_required",
            Error::KeychainUnavailable { .. } => "keychain_unavailable",
            Error::Keychain(_) => "keychain",
            Error::BadPassphrase(_) => "bad_passphrase",
            Error::Busy => "busy",
            Error::DiskFull => "disk_full",
            Error::Corrupt(_) => "corrupt",
            Error::DraftNotFound(_) => "draft_not_found",
            Error::VersionNotFound { .. } => "version_not_found",
            Error::InvalidDocument(_) => "invalid_document",
            Error::TooLarge { .. } => "too_large",
            Error::AttachmentFile { .. } => "attachment_file",
            Error::BlobMissing(_) => "blob_missing",
            Error::BlobCorrupt(_) => "blob_corrupt",
            Error::EmptyQuery => "empty_query",
            Error::InvalidArgument(_) => "invalid_argument",
            Error::Io { .. } => "io",
            Error::Sqlite(_) => "database",
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        if is_disk_full(&source) {
            return Error::DiskFull;
        }
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// The payload sent to the UI.
    pub fn payload(&self) -> ErrorPayload {
        ErrorPayload {
            code: self.code().to_owned(),
            message: self.to_string(),
        }
    }
}

fn is_disk_full(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    )
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        use rusqlite::ffi::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Error::Busy,
            Some(ErrorCode::DiskFull) => Error::DiskFull,
            Some(ErrorCode::NotADatabase) => Error::WrongKey,
            Some(ErrorCode::DatabaseCorrupt) => Error::Corrupt(e.to_string()),
            _ => Error::Sqlite(e),
        }
    }
}

/// The serializable form of an error, for the UI: `{ "code": "…", "message": "…" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorPayload {
    pub code: String,
    pub message: String,
}

impl From<Error> for ErrorPayload {
    fn from(e: Error) -> ErrorPayload {
        if matches!(e, Error::Sqlite(_) | Error::Io { .. } | Error::Corrupt(_)) {
            tracing::error!(code = e.code(), error = %e, "client error");
        }
        e.payload()
    }
}

impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.payload().serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_has_code_and_chinese_message() {
        let e = Error::SchemaTooNew {
            found: 9,
            supported: 1,
        };
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "schema_too_new");
        assert!(json["message"].as_str().unwrap().contains("升级"));
    }

    #[test]
    fn disk_full_io_maps_to_disk_full() {
        let e = Error::io("/x", std::io::Error::from(std::io::ErrorKind::StorageFull));
        assert_eq!(e.code(), "disk_full");
    }
}
