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
    /// Where attachment bytes are stored.
    pub blob_store: BlobStoreConfig,
    /// Largest blob accepted, in bytes.
    pub blob_max_size: u64,
    /// Scheduled op-log compaction (`None`: off; see [`crate::sync::compact`]).
    pub compaction: Option<Compaction>,
}

/// When the server compacts the sync op logs (`[compaction]` in the configuration
/// file):
///
/// ```toml
/// [compaction]
/// interval_hours = 24   # 0 turns scheduled compaction off
/// retention_days = 30   # ops younger than this are never folded
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compaction {
    /// How often a pass runs.
    pub interval: std::time::Duration,
    /// How long ops stay before a pass may fold them; a device that has not pulled
    /// for longer pulls the compacted buckets again.
    pub retention: time::Duration,
}

impl Default for Compaction {
    /// Daily, keeping 30 days.
    fn default() -> Self {
        Self {
            interval: crate::sync::compact::INTERVAL,
            retention: crate::sync::compact::RETENTION,
        }
    }
}

/// The `[compaction]` table of the configuration file (see [`Compaction`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompactionFileConfig {
    /// Hours between passes; 0 turns scheduled compaction off.
    pub interval_hours: Option<u64>,
    /// Days an op stays before it may be folded (at least 1).
    pub retention_days: Option<i64>,
}

impl CompactionFileConfig {
    /// Check and apply to `settings`.
    pub fn apply(&self, settings: &mut Settings) -> Result<()> {
        let mut c = settings.compaction.unwrap_or_default();
        if let Some(days) = self.retention_days {
            if !(1..=3650).contains(&days) {
                return Err(Error::Config(
                    "[compaction] retention_days 应在 1 到 3650 之间".into(),
                ));
            }
            c.retention = time::Duration::days(days);
        }
        match self.interval_hours {
            Some(0) => settings.compaction = None,
            Some(h) if h > 24 * 366 => {
                return Err(Error::Config(
                    "[compaction] interval_hours 过大：最多 8784（一年）".into(),
                ));
            }
            Some(h) => {
                c.interval = std::time::Duration::from_secs(h * 3600);
                settings.compaction = Some(c);
            }
            None => {
                if settings.compaction.is_some() {
                    settings.compaction = Some(c);
                }
            }
        }
        Ok(())
    }
}

/// Where blob bytes live (`[blobs]` in the configuration file).
///
/// ```toml
/// [blobs]
/// store = "local"
/// dir = "/var/lib/gongwen/blobs"
/// max_size = 268435456
/// ```
///
/// or an S3-compatible store (credentials from the environment:
/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`):
///
/// ```toml
/// [blobs]
/// store = "s3"
/// bucket = "gongwen"
/// endpoint = "https://oss.example.gov.cn"
/// region = "cn-east-1"
/// prefix = "gongwen/"
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobStoreConfig {
    /// A local directory (shared by instances over a network file system if
    /// there are several).
    Local { dir: PathBuf },
    /// An S3-compatible object store.
    S3 {
        bucket: String,
        endpoint: Option<String>,
        region: Option<String>,
        prefix: Option<String>,
        /// Allow a plain-HTTP endpoint (a store on the same host or private network).
        allow_http: bool,
    },
}

impl Default for BlobStoreConfig {
    fn default() -> Self {
        BlobStoreConfig::Local {
            dir: PathBuf::from(Settings::DEFAULT_BLOB_DIR),
        }
    }
}

/// The `[blobs]` table of the configuration file (see [`BlobStoreConfig`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlobFileConfig {
    /// `local` (default) or `s3`.
    pub store: Option<String>,
    pub dir: Option<PathBuf>,
    pub bucket: Option<String>,
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub prefix: Option<String>,
    pub allow_http: Option<bool>,
    pub max_size: Option<u64>,
}

impl BlobFileConfig {
    /// Check and apply to `settings`.
    pub fn apply(&self, settings: &mut Settings) -> Result<()> {
        let s3_only = [
            ("bucket", self.bucket.is_some()),
            ("endpoint", self.endpoint.is_some()),
            ("region", self.region.is_some()),
            ("prefix", self.prefix.is_some()),
            ("allow_http", self.allow_http.is_some()),
        ];
        settings.blob_store = match self.store.as_deref().unwrap_or("local") {
            "local" => {
                if let Some((key, _)) = s3_only.iter().find(|(_, set)| *set) {
                    return Err(Error::Config(format!(
                        "[blobs] 的 {key} 只用于 store = \"s3\""
                    )));
                }
                match &self.dir {
                    Some(dir) => BlobStoreConfig::Local { dir: dir.clone() },
                    None => BlobStoreConfig::default(),
                }
            }
            "s3" => {
                if self.dir.is_some() {
                    return Err(Error::Config(
                        "[blobs] 的 dir 只用于 store = \"local\"".into(),
                    ));
                }
                let bucket = self
                    .bucket
                    .clone()
                    .filter(|b| !b.trim().is_empty())
                    .ok_or_else(|| {
                        Error::Config("[blobs] store = \"s3\" 需要 bucket（存储桶名称）".into())
                    })?;
                BlobStoreConfig::S3 {
                    bucket,
                    endpoint: self.endpoint.clone(),
                    region: self.region.clone(),
                    prefix: self.prefix.clone(),
                    allow_http: self.allow_http.unwrap_or(false),
                }
            }
            other => {
                return Err(Error::Config(format!(
                    "[blobs] store = \"{other}\" 无效：应为 \"local\" 或 \"s3\""
                )));
            }
        };
        if let Some(n) = self.max_size {
            if n == 0 {
                return Err(Error::Config("[blobs] max_size 必须大于 0".into()));
            }
            settings.blob_max_size = n;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Settings {
    pub const DEFAULT_BODY_LIMIT: usize = 2 * 1024 * 1024;
    /// Blobs go here unless configured otherwise (a systemd `StateDirectory`).
    pub const DEFAULT_BLOB_DIR: &'static str = "/var/lib/gongwen/blobs";
    /// 256 MiB: attachments are up to about 100 MB.
    pub const DEFAULT_BLOB_MAX_SIZE: u64 = 256 * 1024 * 1024;

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
            blob_store: BlobStoreConfig::default(),
            blob_max_size: Self::DEFAULT_BLOB_MAX_SIZE,
            compaction: Some(Compaction::default()),
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
/// [blobs]
/// store = "local"
/// dir = "/var/lib/gongwen/blobs"
/// [compaction]
/// interval_hours = 24
/// retention_days = 30
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
    pub blobs: Option<BlobFileConfig>,
    pub compaction: Option<CompactionFileConfig>,
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
        std::fs::write(
            &p,
            "[blobs]\nstore = \"s3\"\nbucket = \"b\"\nendpoint = \"http://127.0.0.1:9000\"\nallow_http = true\nmax_size = 10\n",
        )
        .unwrap();
        let blobs = FileConfig::load(&p).unwrap().blobs.unwrap();
        let mut settings = Settings::new("postgres://x@h/db");
        blobs.apply(&mut settings).unwrap();
        assert_eq!(settings.blob_max_size, 10);
        assert!(matches!(
            settings.blob_store,
            BlobStoreConfig::S3 { ref bucket, allow_http: true, .. } if bucket == "b"
        ));
        std::fs::write(&p, "[blobs]\nstore = \"local\"\ndir = \"/srv/b\"\n").unwrap();
        let blobs = FileConfig::load(&p).unwrap().blobs.unwrap();
        blobs.apply(&mut settings).unwrap();
        assert_eq!(
            settings.blob_store,
            BlobStoreConfig::Local {
                dir: PathBuf::from("/srv/b")
            }
        );
        for bad in [
            "[blobs]\nstore = \"ftp\"\n",
            "[blobs]\nstore = \"s3\"\n",
            "[blobs]\nbucket = \"b\"\n",
            "[blobs]\nmax_size = 0\n",
        ] {
            std::fs::write(&p, bad).unwrap();
            let blobs = FileConfig::load(&p).unwrap().blobs.unwrap();
            let e = blobs.apply(&mut settings).unwrap_err().to_string();
            assert!(e.contains("[blobs]"), "{bad}: {e}");
        }
        // Compaction: daily by default, configurable, 0 turns it off.
        let mut settings = Settings::new("postgres://x@h/db");
        assert_eq!(settings.compaction, Some(Compaction::default()));
        assert_eq!(
            Compaction::default().interval,
            std::time::Duration::from_secs(24 * 3600)
        );
        std::fs::write(&p, "[compaction]\ninterval_hours = 6\nretention_days = 7\n").unwrap();
        let c = FileConfig::load(&p).unwrap().compaction.unwrap();
        c.apply(&mut settings).unwrap();
        assert_eq!(
            settings.compaction,
            Some(Compaction {
                interval: std::time::Duration::from_secs(6 * 3600),
                retention: time::Duration::days(7),
            })
        );
        std::fs::write(&p, "[compaction]\ninterval_hours = 0\n").unwrap();
        let c = FileConfig::load(&p).unwrap().compaction.unwrap();
        c.apply(&mut settings).unwrap();
        assert_eq!(settings.compaction, None);
        for bad in [
            "[compaction]\nretention_days = 0\n",
            "[compaction]\ninterval_hours = 100000\n",
        ] {
            std::fs::write(&p, bad).unwrap();
            let c = FileConfig::load(&p).unwrap().compaction.unwrap();
            let e = c.apply(&mut settings).unwrap_err().to_string();
            assert!(e.contains("[compaction]"), "{bad}: {e}");
        }
        std::fs::write(&p, "[compaction]\ninterval = 1\n").unwrap();
        assert!(FileConfig::load(&p).is_err());
        std::fs::write(&p, "[blobs]\nbuckett = \"b\"\n").unwrap();
        assert!(FileConfig::load(&p).is_err());
        let e = FileConfig::load(&dir.path().join("missing.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("无法读取配置文件"), "{e}");
    }
}
