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
//!
//! Each table's SQL lives in its own module next to typed functions.

pub mod blobs;
pub mod drafts;
pub mod migrations;
pub mod sealed;
pub mod search;
pub mod working_copies;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction};

use crate::error::{Error, Result};
use crate::key::Key;

/// The database file name inside the data folder.
pub const DB_FILE: &str = "gongwen.db";

/// The open store.
pub struct Db {
    path: PathBuf,
    // Field order is drop order: the reader closes first, so the writer is the last
    // connection and checkpoints the WAL into the main file when it closes.
    reader: Mutex<Connection>,
    writer: Mutex<Connection>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// Sets the key and the per-connection pragmas, then proves the key by reading the
/// schema. Nothing is written before the key is proven.
fn configure(conn: &Connection, key: &Key, writer: bool) -> Result<()> {
    // SQLCipher would print decrypt failures to stderr; the caller reports them.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    conn.execute_batch(&format!("PRAGMA key = {};", key.pragma_value()))?;
    // The first read decrypts page 1: a wrong key fails here with SQLITE_NOTADB.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| match Error::from(e) {
        Error::Corrupt(_) => Error::WrongKey,
        other => other,
    })?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         PRAGMA synchronous = FULL;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -16000;",
    )?;
    if writer {
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::Corrupt(format!(
                "无法启用 WAL 日志模式（当前为 {mode}）"
            )));
        }
    } else {
        conn.execute_batch("PRAGMA query_only = ON;")?;
    }
    Ok(())
}

impl Db {
    /// Opens (creating when `create`) the database at `path` with `key`, and brings its
    /// schema up to date. A database newer than this program is refused untouched.
    pub fn open(path: &Path, key: &Key, create: bool) -> Result<Db> {
        let exists = path.exists();
        if !exists && !create {
            return Err(Error::NotInitialized {
                path: path.parent().unwrap_or(path).to_path_buf(),
            });
        }
        if exists {
            // Prove the key on a read-only connection first: a connection that fails
            // on a wrong key must never be able to checkpoint or write anything.
            let probe = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX
                    | OpenFlags::SQLITE_OPEN_URI,
            )?;
            configure(&probe, key, false)?;
        }
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let mut writer = Connection::open_with_flags(path, flags)?;
        configure(&writer, key, true)?;
        migrations::to_latest(&mut writer)?;
        let reader = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )?;
        configure(&reader, key, false)?;
        Ok(Db {
            path: path.to_path_buf(),
            reader: Mutex::new(reader),
            writer: Mutex::new(writer),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
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
