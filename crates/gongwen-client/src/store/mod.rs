//! The local store: one encrypted SQLite database (SQLCipher) in WAL mode, with one
//! writer connection and one reader connection.
//!
//! - Transactions are owned by closures: [`Db::write`] commits when the closure returns
//!   `Ok` and rolls back otherwise; [`Db::read`] runs on the reader inside a read
//!   transaction, so it sees one consistent snapshot and never blocks the writer.
//! - Pragmas are set on every connection ([`configure`]), never in migrations.
//!   `synchronous = FULL` makes every commit durable before `write` returns: a save that
//!   returned is on disk, whatever happens to the process afterwards.
//! - The key is checked before anything is written: a wrong key fails with
//!   [`Error::WrongKey`] and leaves the file untouched.
//! - Every page is encrypted (AES-256) and authenticated (an HMAC per page); new stores
//!   use HMAC-SHA256, stores created before use SQLCipher 4's HMAC-SHA512 and keep it
//!   ([`CipherProfile`]: why, and how an existing store is recognised).
//! - Checkpoints never run on the writer's commit path: a third connection copies the
//!   WAL back into the main file in the background ([`Checkpointer`]), so a user action
//!   pays for its own WAL sync and nothing else.
//!
//! Each table's SQL lives in its own module next to typed functions.

pub mod blobs;
pub mod drafts;
pub mod migrations;
pub mod sealed;
pub mod search;
pub mod working_copies;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction};

use crate::error::{Error, Result};
use crate::key::Key;

/// The database file name inside the data folder.
pub const DB_FILE: &str = "gongwen.db";

/// A WAL longer than this when the store opens is checkpointed and emptied first.
const WAL_TRUNCATE_AT_OPEN: u64 = 64 * 1024 * 1024;

/// The WAL file beside the database at `path` (`gongwen.db-wal`).
fn wal_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// The open store.
pub struct Db {
    path: PathBuf,
    profile: CipherProfile,
    // Field order is drop order: the reader and the checkpointer close first, so the
    // writer is the last connection and checkpoints the WAL into the main file when it
    // closes.
    reader: Mutex<Connection>,
    // Held for its `Drop` (stop and join the thread before the writer closes); only
    // the tests read it.
    #[cfg_attr(not(test), allow(dead_code))]
    checkpointer: Checkpointer,
    writer: Mutex<Connection>,
}

/// WAL size (in pages) from which the background checkpointer is woken: SQLite's own
/// automatic checkpoint threshold, moved off the commit path.
const CHECKPOINT_PAGES: i32 = 1000;

/// WAL size (in pages, ~32 MB) at which the writer checkpoints inline after all. Under a
/// sustained stream of writes (an initial sync) a background PASSIVE run never catches
/// up with the frames appended while it copies, and the WAL is only reset once it has;
/// this bounds the file. Everyday actions never get near it.
const CHECKPOINT_PAGES_INLINE: i32 = 8 * CHECKPOINT_PAGES;

#[derive(Default)]
struct CheckpointState {
    wanted: bool,
    stop: bool,
    /// Checkpoints run so far (tests observe the thread through it).
    runs: u64,
}

type CheckpointShared = Arc<(Mutex<CheckpointState>, Condvar)>;

/// Copies the WAL back into the database file on its own connection and thread, when
/// the writer's WAL hook reports [`CHECKPOINT_PAGES`] or more. PASSIVE: it never waits
/// for the writer or a reader, and the writer never waits for it; frames a reader still
/// needs are left for the next run. Stopped and joined on drop.
struct Checkpointer {
    shared: CheckpointShared,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    fn start(conn: Connection) -> Checkpointer {
        let shared: CheckpointShared = Arc::default();
        let theirs = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("gongwen-checkpoint".into())
            .spawn(move || {
                let (state, wake) = &*theirs;
                loop {
                    {
                        let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
                        while !s.wanted && !s.stop {
                            s = wake.wait(s).unwrap_or_else(|p| p.into_inner());
                        }
                        if s.stop {
                            return;
                        }
                        s.wanted = false;
                    }
                    if let Err(e) =
                        conn.wal_checkpoint_v2(None::<&str>, rusqlite::wal::CheckpointMode::PASSIVE)
                    {
                        // Busy or I/O trouble: the WAL keeps every frame and the next
                        // wake-up (or the writer's close) tries again.
                        tracing::warn!("background WAL checkpoint failed: {e}");
                    }
                    state.lock().unwrap_or_else(|p| p.into_inner()).runs += 1;
                    wake.notify_all();
                }
            })
            .expect("spawning the checkpoint thread");
        Checkpointer {
            shared,
            thread: Some(thread),
        }
    }

    /// The wake-up handle the writer's WAL hook holds.
    fn waker(&self) -> CheckpointShared {
        Arc::clone(&self.shared)
    }

    #[cfg(test)]
    fn runs(&self) -> u64 {
        self.shared.0.lock().unwrap().runs
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.shared.0.lock().unwrap_or_else(|p| p.into_inner()).stop = true;
        self.shared.1.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// What a connection is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Writer,
    Reader,
    /// Writes nothing but checkpoints (which needs a read-write handle).
    Checkpointer,
}

/// The writer's page cache (KiB): pages an action reads and writes stay decrypted
/// between actions (the memory is taken only as pages are read). 16 MB: with 100,000
/// tasks in the store an action misses the same pages (2.5 on average) with 16, 32 and
/// 64 MB (BENCHMARKS.md, flow_queue, session 7), and the desktop app has a memory
/// target. The reader keeps the 16 MB (16,000 KiB) every connection gets.
const WRITER_CACHE_KIB: u32 = 16 * 1024;

/// Prepared statements kept per connection: an action runs about twenty distinct
/// statements, and rusqlite's default of 16 would prepare some of them again each time.
const STATEMENT_CACHE: usize = 128;

/// How the pages of a store are encrypted and authenticated.
///
/// Every page is encrypted with AES-256-CBC (a random IV per page write) and carries an
/// HMAC over its ciphertext, IV and page number, checked on every read; the key is the
/// store's random 256-bit raw key (no passphrase derivation). What differs is the
/// HMAC's hash:
///
/// - [`CipherProfile::Current`], for every store created by this version on:
///   HMAC-SHA256 (32 bytes per page). An action writes about 20–30 pages, each
///   encrypted and MACed on the commit path, and SHA-512 in software was more than
///   half of the crypto time; this CPU class computes SHA-256 with its SHA extensions
///   (SHA-NI, several times faster) and has none for SHA-512. A 256-bit HMAC key and tag
///   keep every property the store relies on: a changed, moved or foreign page fails its
///   check, a wrong key is refused before anything is written. BENCHMARKS.md, flow_queue,
///   session 8, has the A/B.
/// - [`CipherProfile::Legacy`]: SQLCipher 4's defaults (HMAC-SHA512), which every store
///   created before used. Such stores open and work as they are; the settings of an
///   existing store cannot change without rewriting it whole.
///
/// The profile is not recorded anywhere readable before the key is proven (page 1 is
/// encrypted too), so [`Db::open`] tries the current one, then the legacy one; a key
/// that opens neither is a wrong key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CipherProfile {
    /// AES-256-CBC + HMAC-SHA256 per page: what new stores use.
    Current,
    /// AES-256-CBC + HMAC-SHA512 per page (SQLCipher 4's defaults): stores created
    /// by earlier versions.
    Legacy,
}

impl CipherProfile {
    /// The cipher pragmas that follow `PRAGMA key`, before the first read.
    pub fn pragmas(self) -> &'static str {
        match self {
            CipherProfile::Current => "PRAGMA cipher_hmac_algorithm = HMAC_SHA256;",
            CipherProfile::Legacy => "",
        }
    }
}

/// Sets the key and cipher settings on `conn` and proves them by reading the schema
/// (the first read decrypts page 1). A key or profile that does not fit fails with
/// [`Error::WrongKey`]; nothing has been written then.
fn unlock(conn: &Connection, key: &Key, profile: CipherProfile) -> Result<()> {
    // SQLCipher would print decrypt failures to stderr; the caller reports them.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    conn.execute_batch(&format!("PRAGMA key = {};", key.pragma_value()))?;
    conn.execute_batch(profile.pragmas())?;
    // A wrong key (or the other profile's pages) fails here with SQLITE_NOTADB.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| match Error::from(e) {
        Error::Corrupt(_) => Error::WrongKey,
        other => other,
    })?;
    Ok(())
}

fn open_flags(role: Role) -> OpenFlags {
    let base = OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    match role {
        Role::Reader => base | OpenFlags::SQLITE_OPEN_READ_ONLY,
        Role::Writer | Role::Checkpointer => base | OpenFlags::SQLITE_OPEN_READ_WRITE,
    }
}

/// Which profile opens the existing store at `path` with `key`, proven on a read-only
/// connection (one that fails on a wrong key can never checkpoint or write anything).
fn probe(path: &Path, key: &Key) -> Result<CipherProfile> {
    let mut last = Error::WrongKey;
    for profile in [CipherProfile::Current, CipherProfile::Legacy] {
        // A fresh connection per attempt: a failed key attempt leaves nothing behind.
        let conn = Connection::open_with_flags(path, open_flags(Role::Reader))?;
        match unlock(&conn, key, profile) {
            Ok(()) => return Ok(profile),
            Err(Error::WrongKey) => last = Error::WrongKey,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

/// A connection to the store at `path` with its key and cipher settings and nothing
/// else (no migrations, SQLite's default pragmas): for tools and tests that inspect or
/// change the tables directly. Read-write; the store must exist.
pub fn connect_raw(path: &Path, key: &Key) -> Result<Connection> {
    let profile = probe(path, key)?;
    let conn = Connection::open_with_flags(path, open_flags(Role::Writer))?;
    unlock(&conn, key, profile)?;
    Ok(conn)
}

/// Sets the key and the per-connection pragmas, then proves the key by reading the
/// schema. Nothing is written before the key is proven.
fn configure(conn: &Connection, key: &Key, profile: CipherProfile, role: Role) -> Result<()> {
    unlock(conn, key, profile)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         PRAGMA synchronous = FULL;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -16000;",
    )?;
    match role {
        Role::Writer => {
            // A user action reads the index and table pages it changes: every page
            // that is not in the cache is read and decrypted (AES + HMAC check) again.
            conn.execute_batch(&format!("PRAGMA cache_size = -{WRITER_CACHE_KIB};"))?;
            let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(Error::Corrupt(format!(
                    "无法启用 WAL 日志模式（当前为 {mode}）"
                )));
            }
        }
        Role::Reader => conn.execute_batch("PRAGMA query_only = ON;")?,
        // Its own commits never happen; its automatic checkpoint is off so that only
        // the explicit PASSIVE runs touch the file.
        Role::Checkpointer => conn.execute_batch("PRAGMA wal_autocheckpoint = 0;")?,
    }
    Ok(())
}

impl Db {
    /// Opens (creating when `create`) the database at `path` with `key`, and brings its
    /// schema up to date. A database newer than this program is refused untouched.
    pub fn open(path: &Path, key: &Key, create: bool) -> Result<Db> {
        Db::open_observed(path, key, create, &|_| {})
    }

    /// [`Db::open`], telling `observe` of each schema migration before it runs.
    pub fn open_observed(
        path: &Path,
        key: &Key,
        create: bool,
        observe: &dyn Fn(migrations::UpgradeStep),
    ) -> Result<Db> {
        let exists = path.exists();
        if !exists && !create {
            return Err(Error::NotInitialized {
                path: path.parent().unwrap_or(path).to_path_buf(),
            });
        }
        // Prove the key (and find the store's cipher profile) on read-only connections
        // first; a new store gets the current profile.
        let profile = if exists {
            probe(path, key)?
        } else {
            CipherProfile::Current
        };
        let mut flags = open_flags(Role::Writer);
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let mut writer = Connection::open_with_flags(path, flags)?;
        configure(&writer, key, profile, Role::Writer)?;
        let migrated = migrations::to_latest_observed(&mut writer, observe)? > 0;
        // A migration may rewrite much of the store (0010 and 0011 rewrite every flow and
        // version), and a WAL left large by one (or by a process killed before its final
        // checkpoint) makes every later open read all of it to rebuild the WAL index: with
        // 100,000 documents, 2 GB and a second per start. Copy it back and empty it now,
        // once, while nothing else has the store open.
        let wal_len = std::fs::metadata(wal_path(path))
            .map(|m| m.len())
            .unwrap_or(0);
        if migrated || wal_len > WAL_TRUNCATE_AT_OPEN {
            writer.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        let reader = Connection::open_with_flags(path, open_flags(Role::Reader))?;
        configure(&reader, key, profile, Role::Reader)?;
        let cp_conn = Connection::open_with_flags(path, open_flags(Role::Checkpointer))?;
        configure(&cp_conn, key, profile, Role::Checkpointer)?;
        let checkpointer = Checkpointer::start(cp_conn);
        // Replaces SQLite's automatic checkpoint (which would run inside the commit of
        // whichever write crossed the threshold) with a wake-up of the checkpointer.
        let waker = checkpointer.waker();
        writer.wal_hook(Some(move |wal: &mut rusqlite::hooks::Wal, pages: i32| {
            if pages >= CHECKPOINT_PAGES_INLINE {
                // The writer holds the write lock, so this run catches up completely
                // (unless the background one holds the checkpoint lock right now:
                // SQLITE_BUSY, and one of them finishes the job). The commit has
                // happened either way; an error here must not be reported as its own.
                if let Err(e) = wal.checkpoint_v2(rusqlite::wal::CheckpointMode::PASSIVE) {
                    tracing::debug!("inline WAL checkpoint skipped: {e}");
                }
            } else if pages >= CHECKPOINT_PAGES {
                let (state, wake) = &*waker;
                state.lock().unwrap_or_else(|p| p.into_inner()).wanted = true;
                wake.notify_all();
            }
            Ok(())
        }))?;
        Ok(Db {
            path: path.to_path_buf(),
            profile,
            reader: Mutex::new(reader),
            checkpointer,
            writer: Mutex::new(writer),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How this store's pages are encrypted and authenticated.
    pub fn cipher_profile(&self) -> CipherProfile {
        self.profile
    }

    /// Runs `f` in a write transaction: commit on `Ok`, roll back on `Err`. The commit is
    /// durable (synchronous = FULL) when this returns.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` on the reader connection, in one read transaction (one snapshot).
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.reader.lock().unwrap_or_else(|p| p.into_inner());
        conn.execute_batch("BEGIN DEFERRED")?;
        let out = f(&conn);
        // A read transaction has nothing to commit; end it either way.
        let end = conn.execute_batch("COMMIT");
        let out = out?;
        end?;
        Ok(out)
    }

    /// The schema version (user_version).
    pub fn schema_version(&self) -> Result<i64> {
        self.read(migrations::current_version)
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// A fresh store in a temp folder with a fixed key.
    pub fn temp_db() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join(DB_FILE), &Key::from_bytes([7; 32]), true).unwrap();
        (dir, db)
    }
}

#[cfg(test)]
mod tests {
    use super::testing::temp_db;
    use super::*;

    #[test]
    fn opens_in_wal_with_latest_schema() {
        let (_dir, db) = temp_db();
        assert_eq!(db.schema_version().unwrap(), migrations::LATEST);
        let mode: String = db
            .read(|c| Ok(c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = db
            .read(|c| Ok(c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(fk, 1);
        // The writer keeps the larger page cache; the reader the common one.
        let writer: i64 = db
            .write(|tx| Ok(tx.query_row("PRAGMA cache_size", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(writer, -i64::from(WRITER_CACHE_KIB));
        let reader: i64 = db
            .read(|c| Ok(c.query_row("PRAGMA cache_size", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(reader, -16000);
    }

    /// How many of the tests' `k…` rows the `meta` table holds.
    fn k_rows(db: &Db) -> i64 {
        db.read(|c| {
            Ok(
                c.query_row("SELECT count(*) FROM meta WHERE key LIKE 'k%'", [], |r| {
                    r.get(0)
                })?,
            )
        })
        .unwrap()
    }

    #[test]
    fn a_store_opens_with_its_wal_emptied_after_migrations_or_a_long_wal() {
        // Created: every migration ran, and the WAL they filled is back in the file.
        let (dir, db) = temp_db();
        let path = dir.path().join(DB_FILE);
        let wal = wal_path(&path);
        assert_eq!(std::fs::metadata(&wal).unwrap().len(), 0);
        drop(db);
        // A process killed after writing much (no final checkpoint) leaves a long WAL.
        let key = Key::from_bytes([7; 32]);
        let raw = connect_raw(&path, &key).unwrap();
        raw.execute_batch("PRAGMA wal_autocheckpoint = 0;").unwrap();
        let big = "公".repeat(100_000);
        for i in 0..300 {
            raw.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                rusqlite::params![format!("k{i}"), big],
            )
            .unwrap();
        }
        let long = std::fs::metadata(&wal).unwrap().len();
        assert!(long > WAL_TRUNCATE_AT_OPEN, "{long}");
        // Killed: the connection never closes, so nothing checkpoints.
        std::mem::forget(raw);
        let db = Db::open(&path, &key, false).unwrap();
        assert_eq!(std::fs::metadata(&wal).unwrap().len(), 0);
        let rows = k_rows(&db);
        assert_eq!(rows, 300);
    }

    #[test]
    fn checkpoints_run_in_the_background_and_keep_the_wal_bounded() {
        let (dir, db) = temp_db();
        let wal = dir.path().join(format!("{DB_FILE}-wal"));
        let big = "公".repeat(100_000); // ~300 KB a row: ~75 pages a commit
        let mut max_wal = 0;
        for i in 0..300 {
            db.write(|tx| {
                tx.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                    rusqlite::params![format!("k{}", i % 10), big],
                )?;
                Ok(())
            })
            .unwrap();
            max_wal = max_wal.max(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0));
        }
        // 300 commits of ~75 pages would grow an unchecked WAL to ~90 MB.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while db.checkpointer.runs() == 0 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(db.checkpointer.runs() > 0, "the checkpointer never ran");
        assert!(
            max_wal < 40 * 1024 * 1024,
            "the WAL grew to {max_wal} bytes: it is not being reused"
        );
        // Everything is still there, and survives a reopen.
        drop(db);
        let db = Db::open(&dir.path().join(DB_FILE), &Key::from_bytes([7; 32]), false).unwrap();
        let n = k_rows(&db);
        assert_eq!(n, 10);
    }

    #[test]
    fn write_rolls_back_on_error() {
        let (_dir, db) = temp_db();
        let r: Result<()> = db.write(|tx| {
            tx.execute("INSERT INTO meta (key, value) VALUES ('a', 'b')", [])?;
            Err(Error::InvalidArgument("stop".into()))
        });
        assert!(r.is_err());
        let n: i64 = db
            .read(|c| Ok(c.query_row("SELECT count(*) FROM meta", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(n, 0);
    }

    #[test]
    fn reader_is_read_only() {
        let (_dir, db) = temp_db();
        let r = db.read(|c| Ok(c.execute("INSERT INTO meta (key, value) VALUES ('a', 'b')", [])?));
        assert!(r.is_err());
    }

    #[test]
    fn wrong_key_fails_and_leaves_the_file_intact() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        {
            let db = Db::open(&path, &Key::from_bytes([1; 32]), true).unwrap();
            db.write(|tx| Ok(tx.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')", [])?))
                .unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let e = Db::open(&path, &Key::from_bytes([2; 32]), false).unwrap_err();
        assert_eq!(e.code(), "wrong_key", "{e}");
        assert!(std::fs::read(&path).unwrap() == before, "the file changed");
        let db = Db::open(&path, &Key::from_bytes([1; 32]), false).unwrap();
        let v: String = db
            .read(|c| Ok(c.query_row("SELECT value FROM meta WHERE key = 'k'", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(v, "v");
    }

    #[test]
    fn wrong_key_after_a_crash_leaves_the_wal_intact() {
        let dir = tempfile::tempdir().unwrap();
        let crashed = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        let key = Key::from_bytes([1; 32]);
        let db = Db::open(&path, &key, true).unwrap();
        db.write(|tx| Ok(tx.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')", [])?))
            .unwrap();
        // Copy the files while the store is open: what a crash leaves behind (a WAL
        // holding committed transactions not yet checkpointed).
        let copy = crashed.path().join(DB_FILE);
        std::fs::copy(&path, &copy).unwrap();
        let wal = crashed.path().join(format!("{DB_FILE}-wal"));
        std::fs::copy(dir.path().join(format!("{DB_FILE}-wal")), &wal).unwrap();
        drop(db);
        let (db_before, wal_before) = (std::fs::read(&copy).unwrap(), std::fs::read(&wal).unwrap());
        assert!(!wal_before.is_empty());
        let e = Db::open(&copy, &Key::from_bytes([9; 32]), false).unwrap_err();
        assert_eq!(e.code(), "wrong_key", "{e}");
        assert!(
            std::fs::read(&copy).unwrap() == db_before,
            "the database file changed"
        );
        assert!(
            std::fs::read(&wal).unwrap() == wal_before,
            "the WAL changed"
        );
        let db = Db::open(&copy, &key, false).unwrap();
        let v: String = db
            .read(|c| Ok(c.query_row("SELECT value FROM meta WHERE key = 'k'", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(v, "v");
    }

    /// A store created by an earlier version: SQLCipher 4's default settings
    /// (HMAC-SHA512), a table with a row, in WAL mode.
    fn legacy_store(path: &Path, key: &Key) {
        let c = Connection::open(path).unwrap();
        c.execute_batch(&format!(
            "PRAGMA key = {};
             PRAGMA journal_mode = WAL;
             CREATE TABLE earlier (v TEXT NOT NULL);
             INSERT INTO earlier (v) VALUES ('写于旧版本');",
            key.pragma_value()
        ))
        .unwrap();
    }

    #[test]
    fn new_stores_use_the_current_cipher_profile() {
        let (dir, db) = temp_db();
        assert_eq!(db.cipher_profile(), CipherProfile::Current);
        db.write(|tx| Ok(tx.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')", [])?))
            .unwrap();
        drop(db);
        let path = dir.path().join(DB_FILE);
        let key = Key::from_bytes([7; 32]);
        // SQLCipher's default settings do not read it: its pages carry HMAC-SHA256 tags.
        let legacy = Connection::open(&path).unwrap();
        legacy
            .execute_batch(&format!("PRAGMA key = {};", key.pragma_value()))
            .unwrap();
        assert!(
            legacy
                .query_row("SELECT count(*) FROM sqlite_master", [], |r| r
                    .get::<_, i64>(0))
                .is_err()
        );
        // A raw connection finds the settings by itself.
        let raw = connect_raw(&path, &key).unwrap();
        let v: String = raw
            .query_row("SELECT value FROM meta WHERE key = 'k'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, "v");
    }

    #[test]
    fn a_store_with_the_legacy_cipher_settings_opens_reads_and_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        let key = Key::from_bytes([4; 32]);
        legacy_store(&path, &key);
        {
            let db = Db::open(&path, &key, false).unwrap();
            assert_eq!(db.cipher_profile(), CipherProfile::Legacy);
            assert_eq!(db.schema_version().unwrap(), migrations::LATEST);
            let v: String = db
                .read(|c| Ok(c.query_row("SELECT v FROM earlier", [], |r| r.get(0))?))
                .unwrap();
            assert_eq!(v, "写于旧版本");
            db.write(|tx| Ok(tx.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')", [])?))
                .unwrap();
        }
        // Still the legacy settings after the writes (SQLCipher's defaults read it),
        // and it opens again with everything in it.
        let c = Connection::open(&path).unwrap();
        c.execute_batch(&format!("PRAGMA key = {};", key.pragma_value()))
            .unwrap();
        let n: i64 = c
            .query_row("SELECT count(*) FROM meta WHERE key = 'k'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(n, 1);
        drop(c);
        let db = Db::open(&path, &key, false).unwrap();
        assert_eq!(db.cipher_profile(), CipherProfile::Legacy);
        let v: String = db
            .read(|c| Ok(c.query_row("SELECT value FROM meta WHERE key = 'k'", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(v, "v");
        assert_eq!(
            connect_raw(&path, &key)
                .unwrap()
                .query_row("SELECT v FROM earlier", [], |r| r.get::<_, String>(0))
                .unwrap(),
            "写于旧版本"
        );
    }

    #[test]
    fn a_wrong_key_on_a_legacy_store_is_a_wrong_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        let key = Key::from_bytes([4; 32]);
        legacy_store(&path, &key);
        let before = std::fs::read(&path).unwrap();
        let e = Db::open(&path, &Key::from_bytes([5; 32]), false).unwrap_err();
        assert_eq!(e.code(), "wrong_key", "{e}");
        let e = connect_raw(&path, &Key::from_bytes([5; 32])).unwrap_err();
        assert_eq!(e.code(), "wrong_key", "{e}");
        assert!(std::fs::read(&path).unwrap() == before, "the file changed");
        assert_eq!(
            Db::open(&path, &key, false).unwrap().cipher_profile(),
            CipherProfile::Legacy
        );
    }

    #[test]
    fn file_is_encrypted_on_disk() {
        let (dir, db) = temp_db();
        db.write(|tx| {
            Ok(tx.execute(
                "INSERT INTO meta (key, value) VALUES ('secret', '机密内容机密内容')",
                [],
            )?)
        })
        .unwrap();
        drop(db);
        let bytes = std::fs::read(dir.path().join(DB_FILE)).unwrap();
        assert!(!bytes.starts_with(b"SQLite format 3"));
        let needle = "机密内容".as_bytes();
        assert!(!bytes.windows(needle.len()).any(|w| w == needle));
    }

    #[test]
    fn newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        let key = Key::from_bytes([3; 32]);
        {
            let db = Db::open(&path, &key, true).unwrap();
            db.write(|tx| Ok(tx.pragma_update(None, "user_version", migrations::LATEST + 5)?))
                .unwrap();
        }
        let e = Db::open(&path, &key, false).unwrap_err();
        assert_eq!(e.code(), "schema_too_new");
        assert!(e.to_string().contains("升级"));
    }
}
