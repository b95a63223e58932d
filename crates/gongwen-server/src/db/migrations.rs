//! The server schema: an append-only, ordered list of SQL files embedded from
//! `migrations/server/` by `build.rs` (`NNNN_name.sql`, numbered from 1
//! without gaps). Never edit a migration that has shipped; add a new one.
//!
//! Applied versions are recorded in `schema_migrations` with a SHA-256 of
//! their text. Migrating takes a transaction-scoped advisory lock, so several
//! server instances starting together apply each migration once. A database
//! whose schema is newer than this binary is refused.

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/migrations.rs"));
}

/// Arbitrary constant key for `pg_advisory_xact_lock`.
const LOCK_KEY: i64 = 0x0067_6f6e_6777_656e; // "gongwen" in ASCII

/// One embedded migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

impl Migration {
    pub fn checksum(&self) -> String {
        hex::encode(Sha256::digest(self.sql.as_bytes()))
    }
}

/// The embedded list, checked by [`validate`].
pub fn all() -> Vec<Migration> {
    embedded::FILES
        .iter()
        .map(|(file, sql)| {
            let version = file
                .split('_')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            Migration {
                version,
                name: file,
                sql,
            }
        })
        .collect()
}

/// The schema version this binary brings.
pub fn latest() -> i64 {
    all().last().map(|m| m.version).unwrap_or(0)
}

/// The list must be numbered 1, 2, 3… in order, each with a name and SQL.
pub fn validate() -> Result<()> {
    for (i, m) in all().iter().enumerate() {
        let expected = i as i64 + 1;
        if m.version != expected {
            return Err(Error::Invalid(format!(
                "迁移 {} 的编号应为 {expected:04}",
                m.name
            )));
        }
        let rest = m.name.split_once('_').map(|(_, r)| r).unwrap_or("");
        if rest.is_empty() {
            return Err(Error::Invalid(format!(
                "迁移 {} 缺少名称（应为 NNNN_名称.sql）",
                m.name
            )));
        }
        if m.sql.trim().is_empty() {
            return Err(Error::Invalid(format!("迁移 {} 是空的", m.name)));
        }
    }
    Ok(())
}

/// The version recorded in the database (0 for an empty database).
pub async fn current_version(client: &impl deadpool_postgres::GenericClient) -> Result<i64> {
    let exists: bool = client
        .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])
        .await?
        .get(0);
    if !exists {
        return Ok(0);
    }
    let v: Option<i64> = client
        .query_one("SELECT max(version) FROM schema_migrations", &[])
        .await?
        .get(0);
    Ok(v.unwrap_or(0))
}

/// Fail unless the database is exactly at [`latest`].
pub async fn check_current(client: &impl deadpool_postgres::GenericClient) -> Result<i64> {
    let database = current_version(client).await?;
    let supported = latest();
    if database > supported {
        Err(Error::SchemaTooNew {
            database,
            supported,
        })
    } else if database < supported {
        Err(Error::SchemaOutdated {
            database,
            supported,
        })
    } else {
        Ok(database)
    }
}

/// What [`migrate`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub from: i64,
    pub to: i64,
}

/// Apply every pending migration in one transaction.
pub async fn migrate(client: &mut deadpool_postgres::Client) -> Result<Report> {
    validate()?;
    let list = all();
    let supported = latest();
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
        .await?;
    let exists: bool = tx
        .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])
        .await?
        .get(0);
    if !exists {
        tx.batch_execute(
            "CREATE TABLE schema_migrations (
             version     bigint PRIMARY KEY,
             name        text NOT NULL,
             checksum    text NOT NULL,
             applied_at  timestamptz NOT NULL DEFAULT now()
         )",
        )
        .await?;
    }
    let applied = tx
        .query(
            "SELECT version, checksum FROM schema_migrations ORDER BY version",
            &[],
        )
        .await?;
    let from = applied.last().map(|r| r.get::<_, i64>(0)).unwrap_or(0);
    if from > supported {
        return Err(Error::SchemaTooNew {
            database: from,
            supported,
        });
    }
    for row in &applied {
        let version: i64 = row.get(0);
        let checksum: String = row.get(1);
        let known = list.iter().find(|m| m.version == version);
        if known.is_none_or(|m| m.checksum() != checksum) {
            return Err(Error::MigrationModified { version });
        }
    }
    for m in list.iter().filter(|m| m.version > from) {
        tx.batch_execute(m.sql).await?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
            &[&m.version, &m.name, &m.checksum()],
        )
        .await?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
    }
    tx.commit().await?;
    Ok(Report {
        from,
        to: supported,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_list_validates() {
        validate().unwrap();
        assert!(latest() >= 3);
        assert_eq!(all().len() as i64, latest());
    }
}
