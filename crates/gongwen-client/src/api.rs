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

use gongwen_domain::Document;
use rusqlite::OptionalExtension;
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::diff::{ElementChange, VersionInput};
use crate::error::{Error, Result};
use crate::key::{KeyProvider, KeySource, KeychainKeys, StoreIdentity};
use crate::store::blobs::{BlobReader, BlobStore, GcReport};
use crate::store::sealed::BlobKey;
use crate::store::search::{IndexedText, Segment};
use crate::store::{self, DB_FILE, Db};

mod autosave;

pub use crate::store::migrations::{UpgradeObserver, UpgradeStep};
pub use autosave::{AutosaveResult, VERSION_INTERVAL};

/// The source of "now"; injectable for tests.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

/// How to open a store. [`Client::open`] covers the common case.
pub struct OpenOptions {
    data_dir: PathBuf,
    create: bool,
    keys: Arc<dyn KeyProvider>,
    user: Option<String>,
    clock: Clock,
    on_upgrade: Option<UpgradeObserver>,
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
            on_upgrade: None,
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

    /// Told of each schema migration before it runs (an upgrade of a large store can take
    /// minutes: the desktop says so in its window).
    pub fn on_upgrade(mut self, observer: UpgradeObserver) -> OpenOptions {
        self.on_upgrade = Some(observer);
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
    /// Seals attachment blobs; derived from the store key, never stored.
    blob_key: BlobKey,
    /// Where [`Client::attachment_path`] puts decrypted copies for this session.
    open_dir: PathBuf,
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

/// Where the store is and who works in it (the first part of [`StoreInfo`], without its
/// counts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoreAbout {
    pub data_dir: PathBuf,
    pub db_path: PathBuf,
    pub store_id: String,
    pub schema_version: i64,
    pub latest_schema_version: i64,
    pub key_source: KeySource,
    pub user: String,
    /// Size of the database files (main + WAL) in bytes.
    pub db_bytes: u64,
}

/// What `gongwen status` shows: [`StoreAbout`] and what the store holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoreInfo {
    #[serde(flatten)]
    pub about: StoreAbout,
    pub drafts: u64,
    pub versions: u64,
    pub attachments: u64,
    pub attachment_bytes: u64,
    pub tasks: u64,
    pub outbox: u64,
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

    /// How the store in `data_dir` is protected, without opening it: `None` when no
    /// store has been created there yet (a first open that stopped before creating the
    /// database counts as none), so the app knows whether to ask for a passphrase, offer
    /// to set one, or explain that the keychain is needed.
    pub fn existing_key_source(data_dir: &Path) -> Result<Option<KeySource>> {
        if !data_dir.join(DB_FILE).exists() {
            return Ok(None);
        }
        Ok(StoreIdentity::load(data_dir)?.map(|id| id.key_source))
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
            // A store.json whose database was never created: the first open stopped
            // before the key existed (no keychain, say). Nothing is encrypted with it, so
            // start again with this provider instead of demanding the other one.
            Some(id) if !db_exists && opts.create && id.key_source != opts.keys.source() => {
                let id = opts.keys.new_identity(uuid::Uuid::now_v7().to_string())?;
                id.save(&dir)?;
                id
            }
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
        let observe: &dyn Fn(UpgradeStep) = match &opts.on_upgrade {
            Some(observer) => observer.as_ref(),
            None => &|_| {},
        };
        let db = Db::open_observed(&db_path, &key, opts.create, observe)?;
        let blob_key = BlobKey::derive(&key);
        drop(key);
        BlobStore::new(&dir, blob_key.clone()).seal_plaintext_blobs(&db)?;
        let open_dir = open_copies_dir(&identity.store_id);
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
            blob_key,
            open_dir,
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
            // From the tally the task writes keep (migration 0008), not the tasks.
            let (todo, done, toread): (i64, i64, i64) = c.query_row(
                "SELECT
                    coalesce(sum(CASE WHEN state = 'open' AND kind = 'handle' THEN n END), 0),
                    coalesce(sum(CASE WHEN state = 'done' THEN n END), 0),
                    coalesce(sum(CASE WHEN state = 'open' AND kind = 'read' THEN n END), 0)
                 FROM task_tally WHERE assignee = ?1",
                [&self.user],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            let drafts: i64 = c.query_row("SELECT count(*) FROM drafts", [], |r| r.get(0))?;
            // 代办: open tasks of people who delegated to the user (委托).
            let (mut todo, mut toread) = (todo, toread);
            let delegators = crate::flow::routes::delegators_of(c, &self.user, self.now())
                .map_err(flow_store_error)?;
            for (login, _) in delegators {
                let (t, r) = crate::flow::queue_open_counts(c, &login).map_err(flow_store_error)?;
                todo += i64::try_from(t).unwrap_or(0);
                toread += i64::try_from(r).unwrap_or(0);
            }
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
            let pending: i64 = c.query_row(
                "SELECT count(*) FROM outbox WHERE state = 'pending'",
                [],
                |r| r.get(0),
            )?;
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

    /// Where the store is, its schema version and who works in it: no table is read
    /// beyond the schema version, so the window can ask at start-up (the counts of
    /// [`Client::store_info`] walk every draft and task).
    pub fn store_about(&self) -> Result<StoreAbout> {
        let schema_version = self.db.read(store::migrations::current_version)?;
        let db_path = self.db.path().to_path_buf();
        let file_len = |p: PathBuf| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let db_bytes = file_len(db_path.clone()) + file_len(db_path.with_extension("db-wal"));
        Ok(StoreAbout {
            data_dir: self.data_dir.clone(),
            db_path,
            store_id: self.identity.store_id.clone(),
            schema_version,
            latest_schema_version: store::migrations::LATEST,
            key_source: self.identity.key_source,
            user: self.user.clone(),
            db_bytes,
        })
    }

    /// Where the store is, its schema version and what it holds.
    pub fn store_info(&self) -> Result<StoreInfo> {
        let counts = self.db.read(|c| {
            let n = |sql: &str| -> Result<u64> {
                Ok(to_u64(c.query_row(sql, [], |r| r.get::<_, i64>(0))?))
            };
            Ok([
                n("SELECT count(*) FROM drafts")?,
                n("SELECT count(*) FROM draft_versions")?,
                n("SELECT count(*) FROM blobs")?,
                n("SELECT coalesce(sum(size), 0) FROM blobs")?,
                n("SELECT coalesce(sum(n), 0) FROM task_tally")?,
                n("SELECT count(*) FROM outbox")?,
            ])
        })?;
        Ok(StoreInfo {
            about: self.store_about()?,
            drafts: counts[0],
            versions: counts[1],
            attachments: counts[2],
            attachment_bytes: counts[3],
            tasks: counts[4],
            outbox: counts[5],
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

/// A workflow error inside a store read: the store error it wraps, or `Corrupt`.
fn flow_store_error(e: crate::flow::FlowError) -> Error {
    match e {
        crate::flow::FlowError::Store(inner) => inner,
        other => Error::Corrupt(other.to_string()),
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

// ---------------------------------------------------------------------------
// Drafts (草稿) and tracked changes (痕迹保留)
// ---------------------------------------------------------------------------

/// The largest 正文 accepted, in bytes (UTF-8). A 公文 body is a few pages; this
/// leaves room for very long reports while refusing pasted binary or runaway input.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// The largest document JSON accepted (import, save), in bytes.
pub const MAX_DOCUMENT_BYTES: usize = 8 * 1024 * 1024;

/// The result of a save: the version that is now the head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedVersion {
    pub draft_id: String,
    pub version: i64,
    pub content_hash: String,
    pub author: String,
    pub saved_at: String,
    /// True when the content equalled the head: no new version was written.
    pub unchanged: bool,
}

/// A row of the 草稿 list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftSummary {
    pub id: String,
    pub title: String,
    pub doc_type: Option<String>,
    pub doc_number: Option<String>,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub head_version: i64,
}

impl From<store::drafts::DraftRow> for DraftSummary {
    fn from(r: store::drafts::DraftRow) -> DraftSummary {
        DraftSummary {
            id: r.id,
            title: r.title,
            doc_type: r.doc_type,
            doc_number: r.doc_number,
            created_at: r.created_at,
            created_by: r.created_by,
            updated_at: r.updated_at,
            head_version: r.head_version,
        }
    }
}

/// One entry of a draft's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionSummary {
    pub version: i64,
    pub author: String,
    pub created_at: String,
    pub base_version: Option<i64>,
    pub content_hash: String,
}

/// A draft opened for editing or reading: a version's document and its facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftDetail {
    pub id: String,
    /// The version shown (the head, 清稿, unless another was asked for).
    pub version: i64,
    pub head_version: i64,
    pub author: String,
    pub saved_at: String,
    pub content_hash: String,
    /// The 公文 in its JSON form (snake_case fields, see gongwen_domain::document).
    pub document: Document,
    /// True when `document` is the draft's working copy (changes autosaved but not yet
    /// a version, e.g. after a crash): the UI shows 已恢复未保存的修改. `version` is
    /// then the version those changes started from.
    pub recovered: bool,
    /// When the working copy was last autosaved (RFC 3339), when `recovered`.
    pub working_copy_saved_at: Option<String>,
}

/// The comparison of two versions (痕迹).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    pub draft_id: String,
    pub from: VersionSummary,
    pub to: VersionSummary,
    /// The elements that differ, in document order.
    pub changes: Vec<ElementChange>,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportReport {
    pub path: PathBuf,
    /// Attachment files copied next to the JSON.
    pub attachments: Vec<PathBuf>,
}

/// A search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    pub draft_id: String,
    /// The title with the matches marked.
    pub title: Vec<Segment>,
    /// A piece of the body around the first match, with the matches marked.
    pub snippet: Vec<Segment>,
    pub doc_type: Option<String>,
    pub doc_number: Option<String>,
    pub updated_at: String,
    /// bm25 relevance (lower is better); 0 for a hit that was not ranked (a query
    /// matching very many drafts, or a draft not indexed yet: see `store::search`).
    pub score: f64,
}

/// What a search found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchResults {
    /// The hits, best first.
    pub hits: Vec<SearchHit>,
    /// The search index is still being built and some drafts waiting for it were not
    /// examined: more may match (the UI says 正在建立索引，结果可能不全).
    pub incomplete: bool,
}

impl std::ops::Deref for SearchResults {
    type Target = [SearchHit];

    fn deref(&self) -> &[SearchHit] {
        &self.hits
    }
}

/// What a document found by [`Client::search_documents`] is, and so where it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// 草稿: a draft not (yet) numbered by 登记; opens in the draft editor.
    Draft,
    /// 发文: a draft of an outgoing flow with the 文号 登记 gave it; opens in the
    /// draft editor (read-only while its flow runs).
    Outgoing,
    /// 收文: a document another organ sent here; opens in the 收文 detail.
    Incoming,
}

impl DocumentKind {
    pub fn label(self) -> &'static str {
        match self {
            DocumentKind::Draft => "草稿",
            DocumentKind::Outgoing => "发文",
            DocumentKind::Incoming => "收文",
        }
    }
}

/// One document [`Client::search_documents`] found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentHit {
    pub kind: DocumentKind,
    /// The draft's id (草稿, 发文) or the incoming item's id (收文).
    pub id: String,
    /// The title with the matches marked.
    pub title: Vec<Segment>,
    /// A piece of the body around the first match, with the matches marked.
    pub snippet: Vec<Segment>,
    pub doc_type: Option<String>,
    /// 文号, with the matches marked.
    pub doc_number: Option<Vec<Segment>>,
    /// 来文单位 (收文), with the matches marked.
    pub from_organ: Option<Vec<Segment>>,
    /// Last change (草稿, 发文) or delivery (收文), RFC 3339.
    pub date: String,
    /// 收文: 未签收, 已签收（待同步）, 已签收 or 已登记.
    pub status: Option<String>,
    /// bm25 relevance of a draft (lower is better); 0 when not ranked (收文, and see
    /// [`SearchHit::score`]).
    pub score: f64,
}

/// What [`Client::search_documents`] found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentSearch {
    /// Best first: documents with a match in the title (or 文号, 来文单位) before the
    /// others; within each group drafts by relevance, then 收文 newest first.
    pub hits: Vec<DocumentHit>,
    /// The search index is still being built: more drafts may match
    /// (正在建立索引，结果可能不全).
    pub incomplete: bool,
    /// Only the newest [`store::search::INCOMING_SCAN`] 收文 were examined.
    pub incoming_limited: bool,
}

/// How many drafts a search restricted to 草稿 or 发文 takes from the index before
/// keeping the ones of that kind.
const KIND_WINDOW: usize = 1000;

pub(crate) fn hash_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .expect("a UTC time formats as RFC 3339")
}

pub(crate) fn summary_of(doc: &Document) -> store::drafts::Summary {
    store::drafts::Summary {
        title: doc.title.trim().to_owned(),
        doc_type: doc.doc_type.map(|d| d.name().to_owned()),
        doc_number: doc.doc_number.as_ref().map(|n| n.to_string()),
    }
}

pub(crate) fn indexed_text(doc: &Document) -> IndexedText {
    IndexedText {
        title: doc.title.clone(),
        body: doc.body.clone(),
        recipients: doc.main_recipients.join(" "),
        doc_number: doc
            .doc_number
            .as_ref()
            .map(|n| n.to_string())
            .unwrap_or_default(),
        attachments: doc
            .attachments
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    }
}

fn version_summary(v: &store::drafts::VersionRow) -> VersionSummary {
    VersionSummary {
        version: v.version,
        author: v.author.clone(),
        created_at: v.created_at.clone(),
        base_version: v.base_version,
        content_hash: v.content_hash.clone(),
    }
}

fn parse_stored(v: &store::drafts::VersionRow) -> Result<Document> {
    Document::from_json(&v.content).map_err(|e| {
        Error::Corrupt(format!(
            "草稿“{}”第 {} 版的内容无法读取：{}",
            v.draft_id, v.version, e.0
        ))
    })
}

/// The text a hit's snippet is cut from: the body, or when it has none the 主送 and
/// attachment names.
fn snippet_source(doc: &Document) -> String {
    if doc.body.is_empty() {
        format!(
            "{} {}",
            doc.main_recipients.join("、"),
            indexed_text(doc).attachments
        )
    } else {
        doc.body.clone()
    }
}

/// 发文 when the draft has a 文号 and an outgoing flow (登记 numbered it), else 草稿 (a
/// 文号 typed into a draft that was never submitted does not make it a 发文).
fn draft_kind(c: &rusqlite::Connection, row: &store::drafts::DraftRow) -> Result<DocumentKind> {
    if row
        .doc_number
        .as_deref()
        .is_none_or(|n| n.trim().is_empty())
    {
        return Ok(DocumentKind::Draft);
    }
    let outgoing: bool = c
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM flows WHERE document_id = ?1 AND kind = 'outgoing')",
        )?
        .query_row([&row.id], |r| r.get(0))?;
    Ok(if outgoing {
        DocumentKind::Outgoing
    } else {
        DocumentKind::Draft
    })
}

/// Where incoming item `id` stands, as a search hit labels it: 已登记 once registered
/// here, else the 收文 lists' label (crate::incoming::IncomingStatus): 已签收, 已签收（待同步）
/// while a 签收 waits in the outbox, or 未签收.
fn incoming_status(
    c: &rusqlite::Connection,
    id: &str,
    state: gongwen_protocol::exchange::ItemState,
) -> Result<String> {
    use crate::incoming::IncomingStatus;
    let (registered, waiting): (bool, bool) = c
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM incoming_registrations WHERE incoming_id = ?1),
                    EXISTS (SELECT 1 FROM outbox o WHERE o.kind = ?2 AND o.entity_id = ?1
                        AND (o.state = 'pending' OR o.push_seq IS NOT NULL))",
        )?
        .query_row(
            rusqlite::params![id, gongwen_protocol::sync::mutations::EXCHANGE_SIGN],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
    let status = if registered {
        return Ok("已登记".to_owned());
    } else if state == gongwen_protocol::exchange::ItemState::Signed {
        IncomingStatus::Signed
    } else if waiting {
        IncomingStatus::SignPending
    } else {
        IncomingStatus::Unsigned
    };
    Ok(status.label().to_owned())
}

/// A checked document ready to be written: attachments resolved into the blob store,
/// canonical content and its hash.
pub(crate) struct PreparedDoc {
    doc: Document,
    attachments: Vec<PreparedAttachment>,
    content: String,
    content_hash: String,
}

/// An attachment file resolved into the blob store before the save transaction.
struct PreparedAttachment {
    position: usize,
    name: String,
    blob: Option<store::blobs::Blob>,
    file_name: Option<String>,
}

impl Client {
    /// The attachment blob store (sealed with this store's blob key).
    pub(crate) fn blobs(&self) -> BlobStore {
        BlobStore::new(&self.data_dir, self.blob_key.clone()).with_copies_in(self.open_dir.clone())
    }

    /// Checks the things the JSON form cannot: sizes and the 文号.
    fn check_document(doc: &Document) -> Result<()> {
        if doc.body.len() > MAX_BODY_BYTES {
            return Err(Error::TooLarge {
                what: "正文",
                size: doc.body.len(),
                limit: MAX_BODY_BYTES,
            });
        }
        if let Some(n) = &doc.doc_number {
            n.validate()
                .map_err(|e| Error::InvalidDocument(e.to_string()))?;
        }
        for (i, a) in doc.attachments.iter().enumerate() {
            if a.name.trim().is_empty() {
                return Err(Error::InvalidDocument(format!(
                    "第 {} 个附件缺少名称",
                    i + 1
                )));
            }
        }
        Ok(())
    }

    /// Streams attachment files into the blob store and rewrites their references to
    /// `sha256:…`. Relative paths are resolved against `base_dir`.
    fn prepare_attachments(
        &self,
        doc: &mut Document,
        base_dir: Option<&Path>,
    ) -> Result<Vec<PreparedAttachment>> {
        let blobs = self.blobs();
        let mut out = Vec::with_capacity(doc.attachments.len());
        for (position, a) in doc.attachments.iter_mut().enumerate() {
            let mut prepared = PreparedAttachment {
                position,
                name: a.name.clone(),
                blob: None,
                file_name: None,
            };
            if let Some(file) = a.file.clone().filter(|f| !f.trim().is_empty()) {
                if let Some(hash) = store::blobs::parse_ref(&file) {
                    let size = blobs.size(hash)?;
                    prepared.blob = Some(store::blobs::Blob {
                        hash: hash.to_owned(),
                        size,
                    });
                } else {
                    let path = Path::new(&file);
                    let path = match base_dir {
                        Some(base) if path.is_relative() => base.join(path),
                        _ => path.to_path_buf(),
                    };
                    let blob = blobs.put_file(&a.name, &path)?;
                    prepared.file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
                    a.file = Some(blob.reference());
                    prepared.blob = Some(blob);
                }
            }
            out.push(prepared);
        }
        Ok(out)
    }

    /// Checks a document, streams its attachment files into the blob store and
    /// computes its canonical content. No database write.
    pub(crate) fn prepare(
        &self,
        mut doc: Document,
        base_dir: Option<&Path>,
    ) -> Result<PreparedDoc> {
        Self::check_document(&doc)?;
        let attachments = self.prepare_attachments(&mut doc, base_dir)?;
        let content = doc.to_canonical_json();
        if content.len() > MAX_DOCUMENT_BYTES {
            return Err(Error::TooLarge {
                what: "公文",
                size: content.len(),
                limit: MAX_DOCUMENT_BYTES,
            });
        }
        let content_hash = hash_hex(&content);
        Ok(PreparedDoc {
            doc,
            attachments,
            content,
            content_hash,
        })
    }

    /// Writes a new version (or nothing, when the content equals the head). An
    /// explicit save supersedes the draft's working copy, which goes.
    fn store_version(
        &self,
        draft_id: Option<&str>,
        doc: Document,
        base_version: Option<i64>,
        base_dir: Option<&Path>,
    ) -> Result<SavedVersion> {
        let prepared = self.prepare(doc, base_dir)?;
        let now = rfc3339(self.now());
        self.db.write(|tx| {
            let saved = self.append_version_in(tx, draft_id, &prepared, base_version, &now)?;
            store::working_copies::delete(tx, &saved.draft_id)?;
            Ok(saved)
        })
    }

    /// Inside a write transaction: appends `p` as the next version of `draft_id` (a new
    /// draft when `None`), with its attachment references, search index entry and sync
    /// outbox row; nothing when it equals the head.
    pub(crate) fn append_version_in(
        &self,
        tx: &rusqlite::Transaction<'_>,
        draft_id: Option<&str>,
        p: &PreparedDoc,
        base_version: Option<i64>,
        now: &str,
    ) -> Result<SavedVersion> {
        let summary = summary_of(&p.doc);
        let author = self.user.clone();
        let content_hash = p.content_hash.clone();
        let (id, num, head) = match draft_id {
            Some(id) => {
                let row = store::drafts::get(tx, id)?;
                (row.id, row.num, row.head_version)
            }
            None => {
                let id = uuid::Uuid::now_v7().to_string();
                let num = store::drafts::create(tx, &id, now, &author, &summary)?;
                (id, num, 0)
            }
        };
        if head > 0 {
            let head_row = store::drafts::version(tx, &id, head)?;
            if head_row.content_hash == content_hash {
                return Ok(SavedVersion {
                    draft_id: id,
                    version: head,
                    content_hash,
                    author: head_row.author,
                    saved_at: head_row.created_at,
                    unchanged: true,
                });
            }
        }
        if let Some(b) = base_version
            && (b < 1 || b > head)
        {
            return Err(Error::VersionNotFound {
                draft: id,
                version: b,
            });
        }
        let version = head + 1;
        let row = store::drafts::VersionRow {
            draft_id: id.clone(),
            version,
            author: author.clone(),
            created_at: now.to_owned(),
            base_version: base_version.or((head > 0).then_some(head)),
            content_hash: content_hash.clone(),
            content: p.content.clone(),
        };
        store::drafts::append_version(tx, &row, &summary)?;
        for a in &p.attachments {
            let hash = match &a.blob {
                Some(blob) => {
                    store::blobs::record(tx, blob, now)?;
                    Some(blob.hash.as_str())
                }
                None => None,
            };
            let file_name = match (&a.file_name, hash) {
                (Some(f), _) => Some(f.clone()),
                (None, Some(h)) => store::drafts::file_name_of(tx, h)?,
                (None, None) => None,
            };
            store::drafts::add_attachment_ref(
                tx,
                &id,
                version,
                a.position,
                &a.name,
                hash,
                file_name.as_deref(),
            )?;
        }
        store::search::index(tx, num, &indexed_text(&p.doc))?;
        let deps: Vec<String> = p
            .attachments
            .iter()
            .filter_map(|a| a.blob.as_ref().map(store::blobs::Blob::reference))
            .collect();
        crate::sync::outbox::record_draft_save(
            tx,
            &id,
            (head > 0).then_some(head),
            version,
            &row.content,
            &content_hash,
            &deps,
            now,
        )?;
        Ok(SavedVersion {
            draft_id: id,
            version,
            content_hash,
            author,
            saved_at: now.to_owned(),
            unchanged: false,
        })
    }

    /// 新建草稿: creates a draft whose first version is `doc`. Attachment files named
    /// by path are copied into the store.
    pub fn create_draft(&self, doc: Document) -> Result<SavedVersion> {
        self.store_version(None, doc, None, None)
    }

    /// 保存草稿 (also autosave): appends a version when `doc` differs from the head.
    /// Durable when it returns: the UI calls this on a debounce of at most 2 seconds,
    /// so no edit older than that can be lost by a crash. `base_version` is the version
    /// the editor started from (recorded in the history).
    pub fn save_draft(
        &self,
        draft_id: &str,
        doc: Document,
        base_version: Option<i64>,
    ) -> Result<SavedVersion> {
        self.store_version(Some(draft_id), doc, base_version, None)
    }

    /// 导入: creates a draft from a document JSON file; relative attachment paths are
    /// resolved against the file's folder.
    pub fn import_document(&self, path: &Path) -> Result<SavedVersion> {
        let doc = read_document_file(path)?;
        self.store_version(None, doc, None, path.parent())
    }

    /// Saves a new version of a draft from a document JSON file.
    pub fn save_draft_from_file(&self, draft_id: &str, path: &Path) -> Result<SavedVersion> {
        let doc = read_document_file(path)?;
        self.store_version(Some(draft_id), doc, None, path.parent())
    }

    /// 打开草稿: for editing. The working copy when the draft has unsaved autosaved
    /// changes (`recovered: true`, see [`Client::autosave_draft`]), otherwise the head
    /// version (清稿).
    pub fn open_draft(&self, draft_id: &str) -> Result<DraftDetail> {
        let head = self.open_head(draft_id)?;
        Ok(self
            .working_copy_detail(draft_id, head.head_version, &head.content_hash)?
            .unwrap_or(head))
    }

    /// The head version (清稿), ignoring any working copy.
    pub fn open_head(&self, draft_id: &str) -> Result<DraftDetail> {
        let row = self.db.read(|c| store::drafts::get(c, draft_id))?;
        self.open_version(draft_id, row.head_version)
    }

    /// A given version of a draft.
    pub fn open_version(&self, draft_id: &str, version: i64) -> Result<DraftDetail> {
        let (head, v) = self.db.read(|c| {
            let row = store::drafts::get(c, draft_id)?;
            Ok((
                row.head_version,
                store::drafts::version(c, draft_id, version)?,
            ))
        })?;
        Ok(DraftDetail {
            id: v.draft_id.clone(),
            version: v.version,
            head_version: head,
            author: v.author.clone(),
            saved_at: v.created_at.clone(),
            content_hash: v.content_hash.clone(),
            document: parse_stored(&v)?,
            recovered: false,
            working_copy_saved_at: None,
        })
    }

    /// 草稿列表: one page, most recently edited first.
    pub fn list_drafts(&self, limit: usize, offset: usize) -> Result<Vec<DraftSummary>> {
        let limit = limit.clamp(1, 500);
        self.db.read(|c| {
            Ok(store::drafts::list(c, limit, offset)?
                .into_iter()
                .map(DraftSummary::from)
                .collect())
        })
    }

    /// 修改记录: every version of a draft, newest first.
    pub fn draft_history(&self, draft_id: &str) -> Result<Vec<VersionSummary>> {
        let rows = self.db.read(|c| store::drafts::history(c, draft_id))?;
        Ok(rows
            .into_iter()
            .map(|m| VersionSummary {
                version: m.version,
                author: m.author,
                created_at: m.created_at,
                base_version: m.base_version,
                content_hash: m.content_hash,
            })
            .collect())
    }

    /// 比较版本 (痕迹): the changes from version `from` to version `to`, element by
    /// element and word by word, with who made each change. When `from < to` every
    /// version in between is used to attribute the changes.
    pub fn compare_versions(&self, draft_id: &str, from: i64, to: i64) -> Result<Comparison> {
        let rows = self.db.read(|c| {
            store::drafts::get(c, draft_id)?;
            let a = store::drafts::version(c, draft_id, from)?;
            let b = store::drafts::version(c, draft_id, to)?;
            if from < to {
                store::drafts::versions_between(c, draft_id, from, to)
            } else {
                Ok(vec![a, b])
            }
        })?;
        let docs: Vec<Document> = rows.iter().map(parse_stored).collect::<Result<_>>()?;
        let chain: Vec<VersionInput<'_>> = rows
            .iter()
            .zip(&docs)
            .map(|(r, d)| VersionInput {
                version: r.version,
                author: &r.author,
                at: &r.created_at,
                doc: d,
            })
            .collect();
        let changes = crate::diff::compare(&chain);
        Ok(Comparison {
            draft_id: draft_id.to_owned(),
            from: version_summary(&rows[0]),
            to: version_summary(&rows[rows.len() - 1]),
            changes,
        })
    }

    /// 删除草稿: removes a draft with its versions, then the attachment contents no
    /// other version references.
    pub fn delete_draft(&self, draft_id: &str) -> Result<GcReport> {
        let blobs = self.blobs();
        self.db.write(|tx| {
            let num = store::drafts::delete(tx, draft_id)?;
            store::search::unindex(tx, num)?;
            store::blobs::gc(tx, &blobs)
        })
    }

    /// 导出: writes the head version's JSON to `output`; attachment files are copied
    /// into a folder beside it (`<name>.附件/`) and referenced by relative path, so
    /// `import` of the result gives the same document.
    pub fn export_draft(&self, draft_id: &str, output: &Path) -> Result<ExportReport> {
        let detail = self.open_head(draft_id)?;
        let mut doc = detail.document;
        let dir = output
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let stem = output
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "公文".into());
        let att_dir_name = format!("{stem}.附件");
        let blobs = self.blobs();
        let mut copied = Vec::new();
        for (i, a) in doc.attachments.iter_mut().enumerate() {
            let Some(hash) = a
                .file
                .as_deref()
                .and_then(store::blobs::parse_ref)
                .map(str::to_owned)
            else {
                continue;
            };
            let file_name = self
                .db
                .read(|c| store::drafts::file_name_of(c, &hash))?
                .unwrap_or_else(|| format!("{}-{}", a.name, &hash[..8]));
            let rel = Path::new(&att_dir_name).join(format!(
                "{}-{}",
                i + 1,
                sanitize_file_name(&file_name)
            ));
            let dest = dir.join(&rel);
            let parent = dest.parent().expect("has a parent");
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            blobs.copy_to(&hash, &dest)?;
            a.file = Some(rel.to_string_lossy().replace('\\', "/"));
            copied.push(dest);
        }
        crate::fsutil::write_atomic(output, format!("{}\n", doc.to_json_pretty()).as_bytes())?;
        Ok(ExportReport {
            path: output.to_path_buf(),
            attachments: copied,
        })
    }

    /// 搜索: full-text search over title, body, 主送, 文号 and attachment names.
    /// While the index is being built (after a large sync) the answer may be
    /// incomplete, and says so ([`SearchResults::incomplete`]).
    pub fn search(&self, query: &str, limit: usize) -> Result<SearchResults> {
        let limit = limit.clamp(1, 200);
        let (found, incomplete) = self.db.read(|c| {
            let found = store::search::query(c, query, limit)?;
            let nums: Vec<i64> = found.hits.iter().map(|(n, _)| *n).collect();
            let rows = store::drafts::by_nums(c, &nums)?;
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                let score = found
                    .hits
                    .iter()
                    .find(|(n, _)| *n == row.num)
                    .map_or(0.0, |(_, s)| *s);
                let v = store::drafts::version(c, &row.id, row.head_version)?;
                out.push((row, v, score));
            }
            Ok((out, found.incomplete))
        })?;
        let hits = found
            .into_iter()
            .map(|(row, v, score)| {
                let doc = parse_stored(&v)?;
                Ok(SearchHit {
                    draft_id: row.id,
                    title: store::search::highlight(&row.title, query),
                    snippet: store::search::snippet(&snippet_source(&doc), query, 80),
                    doc_type: row.doc_type,
                    doc_number: row.doc_number,
                    updated_at: row.updated_at,
                    score,
                })
            })
            .collect::<Result<_>>()?;
        Ok(SearchResults { hits, incomplete })
    }

    /// 搜索本机公文: [`Client::search`] over drafts and 发文, plus the 收文 on this
    /// device (title, body, 主送, 文号, attachment names and 来文单位; see
    /// [`store::search::query_incoming`]), optionally only one `kind`. Each hit says
    /// what it is and so where it opens.
    pub fn search_documents(
        &self,
        query: &str,
        kind: Option<DocumentKind>,
        limit: usize,
    ) -> Result<DocumentSearch> {
        let limit = limit.clamp(1, 200);
        let want_drafts = kind != Some(DocumentKind::Incoming);
        let want_incoming = kind.is_none() || kind == Some(DocumentKind::Incoming);
        if store::search::match_expression(query).is_none() {
            return Err(Error::EmptyQuery);
        }
        let (drafts, incomplete, incoming) = self.db.read(|c| {
            let mut drafts = Vec::new();
            let mut incomplete = false;
            if want_drafts {
                // Restricted to one kind of draft: take more from the index, keep that kind.
                let take = if kind.is_some() { KIND_WINDOW } else { limit };
                let found = store::search::query(c, query, take)?;
                incomplete = found.incomplete;
                let nums: Vec<i64> = found.hits.iter().map(|(n, _)| *n).collect();
                let rows = store::drafts::by_nums(c, &nums)?;
                for row in rows {
                    let of_kind = draft_kind(c, &row)?;
                    if kind.is_some_and(|k| k != of_kind) {
                        continue;
                    }
                    let score = found
                        .hits
                        .iter()
                        .find(|(n, _)| *n == row.num)
                        .map_or(0.0, |(_, s)| *s);
                    let v = store::drafts::version(c, &row.id, row.head_version)?;
                    drafts.push((row, of_kind, v, score));
                    if drafts.len() == limit {
                        break;
                    }
                }
            }
            let mut incoming = Vec::new();
            let mut limited = false;
            if want_incoming {
                let found =
                    store::search::query_incoming(c, query, limit, store::search::INCOMING_SCAN)?;
                limited = found.limited;
                for m in found.hits {
                    let status = incoming_status(c, &m.item.id, m.item.state)?;
                    incoming.push((m, status));
                }
            }
            Ok((drafts, incomplete, (incoming, limited)))
        })?;
        let (incoming, incoming_limited) = incoming;
        let mut heading = Vec::new();
        let mut others = Vec::new();
        for (row, of_kind, v, score) in drafts {
            let doc = parse_stored(&v)?;
            let in_heading = store::search::occurs(&row.title, query)
                || row
                    .doc_number
                    .as_deref()
                    .is_some_and(|n| store::search::occurs(n, query));
            let hit = DocumentHit {
                kind: of_kind,
                id: row.id,
                title: store::search::highlight(&row.title, query),
                snippet: store::search::snippet(&snippet_source(&doc), query, 80),
                doc_type: row.doc_type,
                doc_number: row
                    .doc_number
                    .filter(|n| !n.trim().is_empty())
                    .map(|n| store::search::highlight(&n, query)),
                from_organ: None,
                date: row.updated_at,
                status: None,
                score,
            };
            if in_heading {
                heading.push(hit);
            } else {
                others.push(hit);
            }
        }
        let (mut incoming_heading, mut incoming_others) = (Vec::new(), Vec::new());
        for (m, status) in incoming {
            let item = m.item;
            let (text, _) = store::search::incoming_text(&item);
            let body = if text.body.trim().is_empty() {
                format!("{} {}", text.recipients, text.attachments)
            } else {
                text.body
            };
            let hit = DocumentHit {
                kind: DocumentKind::Incoming,
                title: store::search::highlight(&item.title, query),
                snippet: store::search::snippet(&body, query, 80),
                doc_type: item
                    .document
                    .doc_type
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
                doc_number: item
                    .doc_number
                    .as_deref()
                    .filter(|n| !n.trim().is_empty())
                    .map(|n| store::search::highlight(n, query)),
                from_organ: Some(store::search::highlight(&item.from.name, query)),
                date: item.delivered_at,
                status: Some(status),
                score: 0.0,
                id: item.id,
            };
            if m.in_heading {
                incoming_heading.push(hit);
            } else {
                incoming_others.push(hit);
            }
        }
        heading.extend(incoming_heading);
        heading.extend(others);
        heading.extend(incoming_others);
        heading.truncate(limit);
        Ok(DocumentSearch {
            hits: heading,
            incomplete,
            incoming_limited,
        })
    }

    /// 打开附件: a decrypted copy of an attachment (`sha256:…` reference) as a file, for
    /// handing to the system's viewer. Attachments are encrypted at rest, so this
    /// writes the plaintext into a private folder of this session under the system temp
    /// folder (`gongwen-<store>/<session>/`, owner-only), named after the original file
    /// so the right program opens it. The copy is verified (authenticated and hashed)
    /// before the path is returned, and removed when the client closes (copies left by
    /// a crash are removed by a later open after a day). Asking again for the same
    /// attachment reuses the copy.
    pub fn attachment_path(&self, reference: &str) -> Result<PathBuf> {
        let hash = Self::blob_hash(reference)?;
        let blobs = self.blobs();
        // Fail before writing anything when the blob is not there.
        blobs.size(hash)?;
        let file_name = self
            .db
            .read(|c| {
                Ok(match store::drafts::file_name_of(c, hash)? {
                    Some(n) => Some(n),
                    None => store::working_copies::file_name_of(c, hash)?,
                })
            })?
            .map(|n| sanitize_file_name(&n))
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| format!("附件-{}", &hash[..12]));
        let folder = blobs
            .copies_dir(hash)
            .expect("the client's blob store manages copies");
        let dest = folder.join(file_name);
        if dest.is_file() {
            return Ok(dest);
        }
        create_private_dir(&folder)?;
        blobs.copy_to(hash, &dest)?;
        Ok(dest)
    }

    /// A streaming reader over an attachment's plaintext (`Read + Seek`), for callers
    /// that consume the bytes themselves (print, upload, preview) without a temp file.
    /// A read from start to end fails with an `InvalidData` error if the stored content
    /// was tampered with.
    pub fn open_attachment(&self, reference: &str) -> Result<BlobReader> {
        let hash = Self::blob_hash(reference)?;
        self.blobs().open(hash)
    }

    /// 另存为: decrypts an attachment to `dest` (the user's choice of place). The file
    /// appears only when complete and verified. Returns the number of bytes written.
    pub fn save_attachment_as(&self, reference: &str, dest: &Path) -> Result<u64> {
        let hash = Self::blob_hash(reference)?;
        self.blobs().copy_to(hash, dest)
    }

    fn blob_hash(reference: &str) -> Result<&str> {
        store::blobs::parse_ref(reference)
            .ok_or_else(|| Error::InvalidArgument(format!("“{reference}”不是附件引用")))
    }

    /// 清理附件: removes attachment contents no version references.
    pub fn collect_garbage(&self) -> Result<GcReport> {
        let blobs = self.blobs();
        self.db.write(|tx| store::blobs::gc(tx, &blobs))
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // Decrypted copies handed out by `attachment_path` live as long as the client.
        if self.open_dir.exists() {
            let _ = std::fs::remove_dir_all(&self.open_dir);
        }
    }
}

/// This session's folder for decrypted attachment copies; sibling folders of earlier
/// sessions untouched for a day (left by a crash) are removed.
fn open_copies_dir(store_id: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("gongwen-{store_id}"));
    if let Ok(entries) = std::fs::read_dir(&root) {
        for e in entries.flatten() {
            let stale = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 24 * 3600);
            if stale {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    root.join(uuid::Uuid::now_v7().to_string())
}

/// Creates `dir` and its parents, readable by the owner only (Unix).
fn create_private_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| Error::io(dir, e))
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))
    }
}

/// Reads a document JSON file, refusing files too large before reading them.
pub fn read_document_file(path: &Path) -> Result<Document> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let size = usize::try_from(meta.len()).unwrap_or(usize::MAX);
    if size > MAX_DOCUMENT_BYTES {
        return Err(Error::TooLarge {
            what: "公文 JSON 文件",
            size,
            limit: MAX_DOCUMENT_BYTES,
        });
    }
    let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidData => {
            Error::InvalidDocument(format!("“{}”不是 UTF-8 编码的文本文件", path.display()))
        }
        _ => Error::io(path, e),
    })?;
    Document::from_json(&text).map_err(|e| Error::InvalidDocument(e.0))
}

fn sanitize_file_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if "/\\:*?\"<>|".contains(c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::{Key, StaticKey};

    fn client(dir: &Path) -> Client {
        OpenOptions::new(dir)
            .create(true)
            .keys(Arc::new(StaticKey(Key::from_bytes([5; 32]))))
            .user("张三")
            .open()
            .unwrap()
    }

    fn doc(title: &str, body: &str) -> Document {
        Document {
            title: title.into(),
            body: body.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_full_disk_fails_the_save_and_keeps_the_previous_version() {
        let dir = tempfile::tempdir().unwrap();
        let c = client(dir.path());
        let v1 = c.create_draft(doc("关于防汛的通知", "短正文")).unwrap();
        // SQLite reports SQLITE_FULL when the file may not grow: the same path as a full disk.
        c.db.write(|tx| {
            let pages: i64 = tx.query_row("PRAGMA page_count", [], |r| r.get(0))?;
            tx.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))?;
            Ok(())
        })
        .unwrap();
        let e = c
            .save_draft(
                &v1.draft_id,
                doc("关于防汛的通知", &"长".repeat(400_000)),
                None,
            )
            .unwrap_err();
        assert_eq!(e.code(), "disk_full", "{e}");
        assert!(e.to_string().contains("之前的版本仍然保留"), "{e}");
        let head = c.open_draft(&v1.draft_id).unwrap();
        assert_eq!(head.version, 1);
        assert_eq!(head.document.body, "短正文");
    }

    #[test]
    fn a_locked_store_is_reported_as_busy_and_keeps_the_previous_version() {
        let dir = tempfile::tempdir().unwrap();
        let c = client(dir.path());
        let v1 = c.create_draft(doc("关于防汛的通知", "正文")).unwrap();
        // Another program holds the write lock.
        let other = crate::store::connect_raw(&dir.path().join(DB_FILE), &Key::from_bytes([5; 32]))
            .unwrap();
        other.execute_batch("BEGIN EXCLUSIVE").unwrap();
        let e = c
            .save_draft(&v1.draft_id, doc("关于防汛的通知", "新正文"), None)
            .unwrap_err();
        assert_eq!(e.code(), "busy", "{e}");
        other.execute_batch("ROLLBACK").unwrap();
        assert_eq!(c.open_draft(&v1.draft_id).unwrap().document.body, "正文");
        assert_eq!(
            c.save_draft(&v1.draft_id, doc("关于防汛的通知", "新正文"), None)
                .unwrap()
                .version,
            2
        );
    }

    fn incoming_item(
        id: &str,
        title: &str,
        number: &str,
        from: &str,
        body: &str,
    ) -> gongwen_protocol::exchange::Incoming {
        use gongwen_protocol::exchange::{Incoming, ItemState, OrganRef, PersonRef};
        Incoming {
            id: id.into(),
            exchange_id: format!("x-{id}"),
            document_id: format!("d-{id}"),
            from: OrganRef {
                code: "SL".into(),
                name: from.into(),
            },
            to: OrganRef {
                code: "ZF".into(),
                name: "鹤山镇人民政府".into(),
            },
            title: title.into(),
            doc_number: Some(number.into()),
            document: serde_json::json!({ "title": title, "doc_type": "通知", "body": body }),
            content_hash: None,
            pdf: None,
            attachments: Vec::new(),
            sent_by: PersonRef {
                login: "li".into(),
                display_name: "李四".into(),
            },
            delivered_at: "2026-11-20T08:00:00Z".into(),
            state: ItemState::Delivered,
            signed_by: None,
            signed_at: None,
        }
    }

    /// Marks draft `id` as being in an outgoing flow (what 送审 writes, trimmed to the
    /// columns the search reads).
    fn in_outgoing_flow(c: &Client, id: &str) {
        c.db.write(|tx| {
            tx.execute(
                "INSERT INTO flows (id, document_id, kind, owner, route_name, status, title,
                     content_hash, created_at, updated_at, flow_json)
                 VALUES (?1, ?2, 'outgoing', 'zhang', '发文', 'completed', 't', 'h',
                     '2026-11-20T00:00:00Z', '2026-11-20T00:00:00Z', '{}')",
                [format!("f-{id}"), id.to_owned()],
            )?;
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn search_documents_finds_drafts_outgoing_and_incoming_and_says_which() {
        let dir = tempfile::tempdir().unwrap();
        let c = client(dir.path());
        let draft = c
            .create_draft(doc("关于防汛值班的通知", "做好防汛准备。"))
            .unwrap();
        let mut numbered = doc("关于防汛物资的通知", "调拨防汛物资。");
        numbered.doc_number = Some(gongwen_domain::DocNumber::new("鹤府", 2026, 12));
        let issued = c.create_draft(numbered.clone()).unwrap();
        in_outgoing_flow(&c, &issued.draft_id);
        // A 文号 typed into a draft never submitted keeps it a 草稿.
        numbered.title = "防汛预案（草拟）".into();
        numbered.doc_number = Some(gongwen_domain::DocNumber::new("鹤府", 2026, 13));
        let typed = c.create_draft(numbered).unwrap();
        c.store_incoming(&incoming_item(
            "in-1",
            "关于加强防汛工作的通知",
            "鹤水〔2026〕7号",
            "鹤山市水利局",
            "各镇落实防汛责任。",
        ))
        .unwrap();
        c.store_incoming(&incoming_item(
            "in-2",
            "关于春耕的通知",
            "鹤农〔2026〕2号",
            "鹤山市农业局",
            "备耕。",
        ))
        .unwrap();

        let found = c.search_documents("防汛", None, 20).unwrap();
        assert!(!found.incomplete && !found.incoming_limited);
        let kinds: Vec<(DocumentKind, &str)> =
            found.hits.iter().map(|h| (h.kind, h.id.as_str())).collect();
        assert_eq!(kinds.len(), 4, "{kinds:?}");
        assert!(kinds.contains(&(DocumentKind::Draft, draft.draft_id.as_str())));
        assert!(kinds.contains(&(DocumentKind::Outgoing, issued.draft_id.as_str())));
        assert!(kinds.contains(&(DocumentKind::Draft, typed.draft_id.as_str())));
        assert_eq!(
            kinds[3],
            (DocumentKind::Incoming, "in-1"),
            "title hits: drafts first, then 收文"
        );
        let incoming = &found.hits[3];
        assert_eq!(incoming.status.as_deref(), Some("未签收"));
        assert_eq!(incoming.doc_type.as_deref(), Some("通知"));
        assert!(incoming.title.iter().any(|s| s.hit && s.text == "防汛"));
        assert!(incoming.snippet.iter().any(|s| s.hit && s.text == "防汛"));
        let from: String = incoming
            .from_organ
            .as_ref()
            .unwrap()
            .iter()
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!(from, "鹤山市水利局");
        assert!(
            found
                .hits
                .iter()
                .filter(|h| h.kind != DocumentKind::Incoming)
                .all(|h| h.from_organ.is_none() && h.status.is_none())
        );

        // The 文号 and the 来文单位 of a 收文 find it, marked.
        let by_number = c.search_documents("鹤水〔2026〕7号", None, 20).unwrap();
        assert_eq!(by_number.hits.len(), 1);
        assert!(
            by_number.hits[0]
                .doc_number
                .as_ref()
                .unwrap()
                .iter()
                .any(|s| s.hit)
        );
        let by_sender = c.search_documents("农业局", None, 20).unwrap();
        assert_eq!(
            by_sender
                .hits
                .iter()
                .map(|h| h.id.as_str())
                .collect::<Vec<_>>(),
            ["in-2"]
        );
        assert!(
            by_sender.hits[0]
                .from_organ
                .as_ref()
                .unwrap()
                .iter()
                .any(|s| s.hit && s.text == "农业局")
        );

        // One kind only.
        let only = |kind| {
            c.search_documents("防汛", Some(kind), 20)
                .unwrap()
                .hits
                .iter()
                .map(|h| h.id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            only(DocumentKind::Outgoing),
            std::slice::from_ref(&issued.draft_id)
        );
        assert_eq!(only(DocumentKind::Incoming), ["in-1"]);
        let mut drafts = only(DocumentKind::Draft);
        drafts.sort();
        let mut want = vec![draft.draft_id.clone(), typed.draft_id.clone()];
        want.sort();
        assert_eq!(drafts, want);
        // The limit holds across both sources.
        assert_eq!(c.search_documents("防汛", None, 2).unwrap().hits.len(), 2);
    }

    #[test]
    fn search_documents_without_incoming_matches_or_words() {
        let dir = tempfile::tempdir().unwrap();
        let c = client(dir.path());
        let draft = c.create_draft(doc("关于春耕的通知", "备耕。")).unwrap();
        c.store_incoming(&incoming_item(
            "in-1",
            "关于加强防汛工作的通知",
            "鹤水〔2026〕7号",
            "鹤山市水利局",
            "落实责任。",
        ))
        .unwrap();
        // Only the draft has 春耕: no 收文 comes with it.
        let found = c.search_documents("春耕", None, 20).unwrap();
        assert_eq!(found.hits.len(), 1);
        assert_eq!(
            (found.hits[0].kind, found.hits[0].id.as_str()),
            (DocumentKind::Draft, draft.draft_id.as_str())
        );
        assert!(
            c.search_documents("春耕", Some(DocumentKind::Incoming), 20)
                .unwrap()
                .hits
                .is_empty()
        );
        // A 收文 signed by the server shows as 已签收.
        let mut signed = incoming_item(
            "in-2",
            "关于春耕备耕的通知",
            "鹤农〔2026〕2号",
            "鹤山市农业局",
            "备耕。",
        );
        signed.state = gongwen_protocol::exchange::ItemState::Signed;
        c.store_incoming(&signed).unwrap();
        let found = c.search_documents("春耕", None, 20).unwrap();
        assert_eq!(found.hits.len(), 2);
        assert_eq!(found.hits[1].status.as_deref(), Some("已签收"));
        assert!(
            c.search_documents("不存在的词", None, 20)
                .unwrap()
                .hits
                .is_empty()
        );
        assert_eq!(
            c.search_documents("  ，。", None, 20).unwrap_err().code(),
            "empty_query"
        );
    }
}
