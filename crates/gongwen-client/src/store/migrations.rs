//! The client schema's migrations: an append-only ordered list of SQL files from
//! `migrations/client/`, embedded at compile time.
//!
//! The schema version is SQLite's `user_version`: the number of migrations applied.
//! Each migration runs in its own transaction together with the bump of
//! `user_version`, so a crash leaves the store at a whole version. A database whose
//! version is newer than [`LATEST`] is refused untouched ([`Error::SchemaTooNew`]).
//! Pragmas are per connection and are set by the caller, never here.

use rusqlite::Connection;

use crate::error::{Error, Result};

/// One migration: a name (its file name without `.sql`) and its SQL.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration, in order. Never edit or reorder a shipped entry: only append.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        name: "0001_init",
        sql: include_str!("../../../../migrations/client/0001_init.sql"),
    },
    Migration {
        name: "0002_workflow",
        sql: include_str!("../../../../migrations/client/0002_workflow.sql"),
    },
    Migration {
        name: "0003_sync",
        sql: include_str!("../../../../migrations/client/0003_sync.sql"),
    },
    Migration {
        name: "0004_working_copies_routes",
        sql: include_str!("../../../../migrations/client/0004_working_copies_routes.sql"),
    },
    Migration {
        name: "0005_incoming",
        sql: include_str!("../../../../migrations/client/0005_incoming.sql"),
    },
    Migration {
        name: "0006_reminders",
        sql: include_str!("../../../../migrations/client/0006_reminders.sql"),
    },
    Migration {
        name: "0007_incoming_columns",
        sql: include_str!("../../../../migrations/client/0007_incoming_columns.sql"),
    },
    Migration {
        name: "0008_task_indexes",
        sql: include_str!("../../../../migrations/client/0008_task_indexes.sql"),
    },
    Migration {
        name: "0009_open_done_task_indexes",
        sql: include_str!("../../../../migrations/client/0009_open_done_task_indexes.sql"),
    },
    Migration {
        name: "0010_flow_rows",
        sql: include_str!("../../../../migrations/client/0010_flow_rows.sql"),
    },
    Migration {
        name: "0011_sync_row_layout",
        sql: include_str!("../../../../migrations/client/0011_sync_row_layout.sql"),
    },
];

/// The schema version this program writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

/// Reads the schema version of an open database.
pub fn current_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// One migration about to run, for whoever waits on the store to open (the desktop says
/// "正在升级本地数据（第 1/2 步）" while a long one runs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpgradeStep {
    /// Which of the pending migrations this is, from 1.
    pub step: usize,
    /// How many migrations this open applies.
    pub steps: usize,
    /// The migration's name (`0010_flow_rows`).
    pub name: &'static str,
}

/// Told of each migration before it runs.
pub type UpgradeObserver = std::sync::Arc<dyn Fn(UpgradeStep) + Send + Sync>;

/// Brings the database to [`LATEST`]. Refuses a newer database without writing to it.
/// Returns the number of migrations applied.
pub fn to_latest(conn: &mut Connection) -> Result<usize> {
    to_latest_observed(conn, &|_| {})
}

/// [`to_latest`], telling `observe` of each migration before it runs on an existing
/// database (the migrations that create a new one are not an upgrade).
pub fn to_latest_observed(conn: &mut Connection, observe: &dyn Fn(UpgradeStep)) -> Result<usize> {
    let found = current_version(conn)?;
    if found > LATEST {
        return Err(Error::SchemaTooNew {
            found,
            supported: LATEST,
        });
    }
    let done = usize::try_from(found).unwrap_or(0);
    let steps = MIGRATIONS.len() - done;
    let mut applied = 0;
    for (i, m) in MIGRATIONS.iter().enumerate().skip(done) {
        // A new database is being created, not upgraded: nothing to announce.
        if done > 0 {
            observe(UpgradeStep {
                step: applied + 1,
                steps,
                name: m.name,
            });
        }
        let tx = conn.transaction()?;
        tx.execute_batch(m.sql)
            .map_err(|e| Error::Corrupt(format!("数据库升级步骤 {} 失败：{e}", m.name)))?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
        applied += 1;
        tracing::info!(migration = m.name, "applied client migration");
    }
    Ok(applied)
}

/// Checks the list: names are ordered, unique and numbered from 0001 without gaps,
/// and the whole list applies cleanly to an empty database.
pub fn validate() -> std::result::Result<(), String> {
    for (i, m) in MIGRATIONS.iter().enumerate() {
        let expected = format!("{:04}_", i + 1);
        if !m.name.starts_with(&expected) {
            return Err(format!("migration {} should start with {expected}", m.name));
        }
        if m.sql.trim().is_empty() {
            return Err(format!("migration {} is empty", m.name));
        }
    }
    let mut conn = Connection::open_in_memory().map_err(|e| e.to_string())?;
    to_latest(&mut conn).map_err(|e| e.to_string())?;
    let v = current_version(&conn).map_err(|e| e.to_string())?;
    if v != LATEST {
        return Err(format!(
            "schema version {v} after migrating, expected {LATEST}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_validate() {
        assert_eq!(validate(), Ok(()));
    }

    #[test]
    fn every_sql_file_is_listed_in_order() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/client");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .map(|n| n.trim_end_matches(".sql").to_owned())
            .collect();
        files.sort();
        let listed: Vec<&str> = MIGRATIONS.iter().map(|m| m.name).collect();
        assert_eq!(files, listed);
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(to_latest(&mut conn).unwrap(), MIGRATIONS.len());
        assert_eq!(to_latest(&mut conn).unwrap(), 0);
    }

    #[test]
    fn each_pending_migration_is_announced() {
        let mut conn = Connection::open_in_memory().unwrap();
        // A store two versions behind.
        let behind = MIGRATIONS.len() - 2;
        for m in &MIGRATIONS[..behind] {
            conn.execute_batch(m.sql).unwrap();
        }
        conn.pragma_update(None, "user_version", behind as i64)
            .unwrap();
        let seen = std::sync::Mutex::new(Vec::new());
        let applied =
            to_latest_observed(&mut conn, &|step| seen.lock().unwrap().push(step)).unwrap();
        assert_eq!(applied, 2);
        let expected: Vec<UpgradeStep> = (0..2)
            .map(|i| UpgradeStep {
                step: i + 1,
                steps: 2,
                name: MIGRATIONS[behind + i].name,
            })
            .collect();
        assert_eq!(seen.into_inner().unwrap(), expected);
        // Nothing pending: nothing announced.
        let none = std::sync::Mutex::new(0);
        to_latest_observed(&mut conn, &|_| *none.lock().unwrap() += 1).unwrap();
        assert_eq!(none.into_inner().unwrap(), 0);
        // A new database is created, not upgraded: nothing announced either.
        let mut fresh = Connection::open_in_memory().unwrap();
        let created = std::sync::Mutex::new(0);
        let applied = to_latest_observed(&mut fresh, &|_| *created.lock().unwrap() += 1).unwrap();
        assert_eq!(applied, MIGRATIONS.len());
        assert_eq!(created.into_inner().unwrap(), 0);
    }

    #[test]
    fn newer_schema_is_refused_untouched() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", LATEST + 1)
            .unwrap();
        let e = to_latest(&mut conn).unwrap_err();
        assert_eq!(e.code(), "schema_too_new");
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .unwrap();
        assert_eq!(tables, 0);
    }
}
