//! PostgreSQL access: the connection pool, connection-error classification and
//! the embedded migrations.
//!
//! Each table's SQL lives next to the module that owns the data
//! (`directory/`, `auth/`, `registry/`); every command runs in one transaction.

pub mod migrations;

use std::str::FromStr;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::error::SqlState;
use tokio_postgres::{Config, NoTls};

use crate::error::{Error, Result};

/// Parse a `postgres://` URL (or a key=value connection string).
pub fn parse_url(url: &str) -> Result<Config> {
    let url = url.trim();
    if url.is_empty() {
        return Err(Error::BadDatabaseUrl("地址为空".into()));
    }
    let mut config = Config::from_str(url).map_err(|e| Error::BadDatabaseUrl(e.to_string()))?;
    if config.get_hosts().is_empty() {
        return Err(Error::BadDatabaseUrl("缺少主机名".into()));
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(5));
    }
    if config.get_application_name().is_none() {
        config.application_name("gongwen-server");
    }
    Ok(config)
}

/// A human description of where `config` points, for error messages.
pub fn target(config: &Config) -> String {
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "?".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "{host}:{port}/{}",
        config
            .get_dbname()
            .unwrap_or(config.get_user().unwrap_or(""))
    )
}

/// Turn a connection error into one that says what to fix.
pub fn classify(e: tokio_postgres::Error, config: &Config) -> Error {
    if let Some(db) = e.as_db_error() {
        let code = db.code();
        if *code == SqlState::INVALID_PASSWORD
            || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        {
            return Error::DatabaseAuth {
                user: config.get_user().unwrap_or("?").to_owned(),
            };
        }
        if *code == SqlState::INVALID_CATALOG_NAME {
            return Error::DatabaseMissing {
                name: config.get_dbname().unwrap_or("?").to_owned(),
            };
        }
        return Error::Db(e);
    }
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        detail = format!("{detail}: {s}");
        source = s.source();
    }
    Error::DatabaseUnreachable {
        target: target(config),
        detail,
    }
}

/// Build the pool and check that one connection works, so a wrong URL fails
/// at start-up with a clear message rather than on the first request.
pub async fn connect(url: &str, max_size: usize) -> Result<Pool> {
    let config = parse_url(url)?;
    // Try once directly to get the real error (the pool wraps it).
    let (client, connection) = config
        .connect(NoTls)
        .await
        .map_err(|e| classify(e, &config))?;
    let task = tokio::spawn(connection);
    drop(client);
    let _ = task.await;

    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(max_size.max(1))
        .wait_timeout(Some(Duration::from_secs(10)))
        .create_timeout(Some(Duration::from_secs(10)))
        .runtime(deadpool_postgres::Runtime::Tokio1)
        .build()
        .map_err(|e| Error::Pool(e.to_string()))
}

/// True when `e` is a unique-constraint violation.
pub fn is_unique_violation(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_urls_are_reported_in_plain_words() {
        for url in ["", "not a url", "postgres://[::1", "mysql://x/y"] {
            let e = parse_url(url).unwrap_err();
            assert!(matches!(e, Error::BadDatabaseUrl(_)), "{url}: {e:?}");
            assert!(e.to_string().contains("数据库地址无法解析"));
        }
        assert!(parse_url("postgres://u:p@127.0.0.1:5/db").is_ok());
    }
}
