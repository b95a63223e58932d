//! The client api: one function per user action.
//!
//! The desktop shell (a Tauri command each) and the `gongwen` CLI call these and
//! nothing else. Every function returns [`Result`]; the error converts to the UI's
//! `{code, message}` through [`crate::ErrorPayload`]. Every returned type serializes
//! with camelCase field names (see the crate docs).
//!
//! A [`Client`] is `Send + Sync`: share one per process (e.g. in Tauri `State`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::OptionalExtension;
use serde::Serialize;
use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::key::{KeyProvider, KeySource, KeychainKeys, StoreIdentity};
use crate::store::{self, DB_FILE, Db};

/// The source of "now"; injectable for tests.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

/// How to open a store. [`Client::open`] covers the common case.
pub struct OpenOptions {
    data_dir: PathBuf,
    create: bool,
    keys: Arc<dyn KeyProvider>,
    user: Option<String>,
    clock: Clock,
}

impl OpenOptions {
    /// Open the store in `data_dir`, with the key from the OS keychain, not creating it.
    pub fn new(data_dir: impl Into<PathBuf>) -> OpenOptions {
        OpenOptions {
            data_dir: data_dir.into(),
            create: false,
            keys: Arc::new(KeychainKeys),
            user: None,
            clock: Arc::new(OffsetDateTime::now_utc),
        }
    }

    /// Create the store (folder, key, database) when it does not exist yet.
    pub fn create(mut self, create: bool) -> OpenOptions {
        self.create = create;
        self
    }

    /// Where the database key comes from (default: the OS keychain).
    pub fn keys(mut self, keys: Arc<dyn KeyProvider>) -> OpenOptions {
        self.keys = keys;
        self
    }

    /// The local user's name, recorded as the author of versions. Default: the name
    /// saved in the store, else the OS user name.
    pub fn user(mut self, user: impl Into<String>) -> OpenOptions {
        self.user = Some(user.into());
        self
    }

    /// The clock (tests).
    pub fn clock(mut self, clock: Clock) -> OpenOptions {
        self.clock = clock;
        self
    }

    pub fn open(self) -> Result<Client> {
        Client::open_with(self)
    }
}

/// The open local store and everything the user can do with it.
pub struct Client {
    data_dir: PathBuf,
    identity: StoreIdentity,
    pub(crate) db: Db,
    pub(crate) user: String,
    pub(crate) clock: Clock,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("data_dir", &self.data_dir)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// Counts for the navigation (待办 · 已办 · 待阅 · 草稿).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueCounts {
    /// 待办: my open tasks to handle or approve.
    pub todo: u64,
    /// 已办: my finished tasks.
    pub done: u64,
    /// 待阅: my open tasks to read.
    pub toread: u64,
    /// 草稿: my drafts.
    pub drafts: u64,
}

/// The status bar's sync state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// Whether the last contact with the server succeeded (在线/离线).
    pub online: bool,
    /// Local changes waiting to be sent (outbox rows).
    pub pending: u64,
    /// When the last successful sync finished (RFC 3339), if ever.
    pub last_sync: Option<String>,
}

/// What `gongwen status` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoreInfo {
    pub data_dir: PathBuf,
    pub db_path: PathBuf,
    pub store_id: String,
    pub schema_version: i64,
    pub latest_schema_version: i64,
    pub key_source: KeySource,
    pub user: String,
    pub drafts: u64,
    pub versions: u64,
    pub attachments: u64,
    pub attachment_bytes: u64,
    pub tasks: u64,
    pub outbox: u64,
    /// Size of the database files (main + WAL) in bytes.
    pub db_bytes: u64,
}

impl Client {
    /// Opens the store in `data_dir`, creating it on first run, with the key in the OS
    /// keychain. Fails with [`Error::PassphraseRequired`] when the store is protected by
    /// a passphrase (use [`Client::open_with_passphrase`]) and with
    /// [`Error::KeychainUnavailable`] when there is no keychain.
    pub fn open(data_dir: &Path) -> Result<Client> {
        OpenOptions::new(data_dir).create(true).open()
    }

    /// Opens (or creates) a store whose key is derived from a passphrase (Argon2id), for
    /// machines without a keychain.
    pub fn open_with_passphrase(data_dir: &Path, passphrase: &str) -> Result<Client> {
        let keys = crate::key::PassphraseKeys::new(passphrase)?;
        OpenOptions::new(data_dir)
            .create(true)
            .keys(Arc::new(keys))
            .open()
    }

    /// Opens with explicit options.
    pub fn open_with(opts: OpenOptions) -> Result<Client> {
        let dir = opts.data_dir;
        let db_path = dir.join(DB_FILE);
        if opts.create {
            crate::fsutil::ensure_writable_dir(&dir)?;
        } else if !dir.join(StoreIdentity::FILE).exists() && !db_path.exists() {
            return Err(Error::NotInitialized { path: dir });
        }
        let db_exists = db_path.exists();
        let identity = match StoreIdentity::load(&dir)? {
            Some(id) => id,
            None if db_exists => {
                return Err(Error::Corrupt(format!(
                    "数据文件夹“{}”中缺少 {}，无法确定数据库的密钥",
                    dir.display(),
                    StoreIdentity::FILE
                )));
            }
            None => {
                let id = opts.keys.new_identity(uuid::Uuid::now_v7().to_string())?;
                id.save(&dir)?;
                id
            }
        };
        check_key_source(&identity, opts.keys.source())?;
        let key = match opts.keys.load(&identity)? {
            Some(k) => k,
            None if db_exists => return Err(Error::KeyMissing),
            None => opts.keys.create(&identity)?,
        };
        let db = Db::open(&db_path, &key, opts.create)?;
        drop(key);
        let user = match opts.user {
            Some(u) if !u.trim().is_empty() => u.trim().to_owned(),
            _ => db
                .read(|c| {
                    Ok(
                        c.query_row("SELECT value FROM meta WHERE key = 'user_name'", [], |r| {
                            r.get::<_, String>(0)
                        })
                        .optional()?,
                    )
                })?
                .unwrap_or_else(os_user_name),
        };
        Ok(Client {
            data_dir: dir,
            identity,
            db,
            user,
            clock: opts.clock,
        })
    }

    /// The data folder of this store.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The local user's name (author of new versions).
    pub fn user(&self) -> &str {
        &self.user
    }

    pub(crate) fn now(&self) -> OffsetDateTime {
        (self.clock)()
    }

    /// Saves the local user's name for later sessions.
    pub fn set_user_name(&mut self, name: &str) -> Result<()> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::InvalidArgument("用户名不能为空".into()));
        }
        self.db.write(|tx| {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('user_name', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [name],
            )?;
            Ok(())
        })?;
        self.user = name.to_owned();
        Ok(())
    }

    /// Counts for the navigation: 待办 (my open tasks), 已办, 待阅, 草稿.
    pub fn queue_counts(&self) -> Result<QueueCounts> {
        self.db.read(|c| {
            let (todo, done, toread): (i64, i64, i64) = c.query_row(
                "SELECT
                    coalesce(sum(state = 'open' AND kind = 'handle'), 0),
                    coalesce(sum(state = 'done'), 0),
                    coalesce(sum(state = 'open' AND kind = 'read'), 0)
                 FROM tasks WHERE assignee = ?1",
                [&self.user],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            let drafts: i64 = c.query_row("SELECT count(*) FROM drafts", [], |r| r.get(0))?;
            Ok(QueueCounts {
                todo: to_u64(todo),
                done: to_u64(done),
                toread: to_u64(toread),
                drafts: to_u64(drafts),
            })
        })
    }

    /// The status bar: online or not, and how many changes wait to be sent.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        self.db.read(|c| {
            let pending: i64 = c.query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))?;
            let (online, last_sync): (bool, Option<String>) = c.query_row(
                "SELECT online, last_sync_at FROM sync_state WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            Ok(SyncStatus {
                online,
                pending: to_u64(pending),
                last_sync,
            })
        })
    }

    /// Where the store is, its schema version and what it holds.
    pub fn store_info(&self) -> Result<StoreInfo> {
        let (schema_version, counts) = self.db.read(|c| {
            let v = store::migrations::current_version(c)?;
            let n = |sql: &str| -> Result<u64> {
                Ok(to_u64(c.query_row(sql, [], |r| r.get::<_, i64>(0))?))
            };
            Ok((
                v,
                [
                    n("SELECT count(*) FROM drafts")?,
                    n("SELECT count(*) FROM draft_versions")?,
                    n("SELECT count(*) FROM blobs")?,
                    n("SELECT coalesce(sum(size), 0) FROM blobs")?,
                    n("SELECT count(*) FROM tasks")?,
                    n("SELECT count(*) FROM outbox")?,
                ],
            ))
        })?;
        let db_path = self.db.path().to_path_buf();
        let file_len = |p: PathBuf| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let db_bytes = file_len(db_path.clone()) + file_len(db_path.with_extension("db-wal"));
        Ok(StoreInfo {
            data_dir: self.data_dir.clone(),
            db_path,
            store_id: self.identity.store_id.clone(),
            schema_version,
            latest_schema_version: store::migrations::LATEST,
            key_source: self.identity.key_source,
            user: self.user.clone(),
            drafts: counts[0],
            versions: counts[1],
            attachments: counts[2],
            attachment_bytes: counts[3],
            tasks: counts[4],
            outbox: counts[5],
            db_bytes,
        })
    }
}

fn check_key_source(identity: &StoreIdentity, provider: KeySource) -> Result<()> {
    match (identity.key_source, provider) {
        (a, b) if a == b => Ok(()),
        (KeySource::Passphrase, _) => Err(Error::PassphraseRequired),
        (KeySource::Keychain, _) => Err(Error::InvalidArgument(
            "此数据库的密钥保存在系统钥匙串中，不需要口令；请直接打开".into(),
        )),
        (KeySource::Static, _) => Err(Error::InvalidArgument(
            "此数据库使用外部指定的密钥，无法用钥匙串或口令打开".into(),
        )),
    }
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn os_user_name() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "本机用户".to_owned())
}
