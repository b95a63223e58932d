//! Server settings: command-line flags, environment variables and an optional
//! TOML file, in that order of precedence (flags win; clap reads the env).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

/// Everything [`crate::launch`] needs besides the listener.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    /// Largest connection pool per server instance.
    pub pool_size: usize,
    /// Largest accepted request body, in bytes.
    pub body_limit: usize,
    /// HTTPS certificate chain and private key (PEM). `None` serves plain HTTP,
    /// which is allowed only on a loopback address or with `insecure_http`.
    pub tls: Option<TlsFiles>,
    pub insecure_http: bool,
    /// Run pending migrations at start-up (several instances may do it at once:
    /// the migrator holds a database lock).
    pub migrate_on_start: bool,
    pub access_token_ttl_secs: i64,
    pub refresh_token_ttl_secs: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Settings {
    pub const DEFAULT_BODY_LIMIT: usize = 2 * 1024 * 1024;

    /// Defaults for a database URL.
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            pool_size: 16,
            body_limit: Self::DEFAULT_BODY_LIMIT,
            tls: None,
            insecure_http: false,
            migrate_on_start: true,
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_secs: 30 * 24 * 3600,
        }
    }
}

/// The optional configuration file (`--config FILE`). Every key is optional.
///
/// ```toml
/// database_url = "postgres://gongwen@127.0.0.1/gongwen"
/// listen = "0.0.0.0:8443"
/// log_format = "json"
/// pool_size = 32
/// body_limit = 2097152
/// access_token_ttl_secs = 900
/// refresh_token_ttl_secs = 2592000
/// [tls]
/// cert = "/etc/gongwen/server.crt"
/// key = "/etc/gongwen/server.key"
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database_url: Option<String>,
    pub listen: Option<String>,
    pub log_format: Option<String>,
    pub pool_size: Option<usize>,
    pub body_limit: Option<usize>,
    pub insecure_http: Option<bool>,
    pub access_token_ttl_secs: Option<i64>,
    pub refresh_token_ttl_secs: Option<i64>,
    pub tls: Option<TlsFiles>,
}

impl FileConfig {
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::Config(format!(
                "无法读取配置文件 {}（{e}）：请检查路径和权限",
                path.display()
            ))
        })?;
        toml::from_str(&text).map_err(|e| {
            let msg = e.message().to_owned();
            Error::Config(format!(
                "配置文件 {} 格式错误（{msg}）：请对照 README 中的示例修改",
                path.display()
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_config_parses_and_rejects_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(
            &p,
            "listen = \"127.0.0.1:1\"\n[tls]\ncert = \"a\"\nkey = \"b\"\n",
        )
        .unwrap();
        let c = FileConfig::load(&p).unwrap();
        assert_eq!(c.listen.as_deref(), Some("127.0.0.1:1"));
        assert_eq!(c.tls.unwrap().key, PathBuf::from("b"));
        std::fs::write(&p, "lisen = 1\n").unwrap();
        let e = FileConfig::load(&p).unwrap_err().to_string();
        assert!(e.contains("格式错误"), "{e}");
        let e = FileConfig::load(&dir.path().join("missing.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("无法读取配置文件"), "{e}");
    }
}
