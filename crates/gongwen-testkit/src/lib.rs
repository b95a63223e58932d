//! Test fixtures shared by Gongwen's test suites. Use it as a **dev**-dependency only.
//!
//! [`TestPostgres`] gives every test its own fresh PostgreSQL database:
//!
//! * When `GONGWEN_TEST_DATABASE_URL` is set (an admin URL to an existing cluster,
//!   as `make test` provides), databases are created in that cluster.
//! * Otherwise a throwaway PostgreSQL 15 cluster is created with `initdb` in a
//!   temporary directory and started on a free loopback port. When running as
//!   root the cluster runs as the `postgres` system user (`runuser`).
//!
//! One cluster is shared per test process ([`TestPostgres::shared`]); each call to
//! [`TestPostgres::fresh_database`] creates a new, uniquely named database and
//! returns its URL. Many test processes (nextest runs one per test) may do this
//! in parallel: every process gets its own directory and port, and a port race
//! is retried.
//!
//! Cleanup: an owned cluster is stopped and its directory removed on `Drop`. The
//! shared cluster lives in a `static` and is never dropped, so every cluster also
//! gets a small watchdog process (in its own process group) that stops the
//! cluster and removes its directory as soon as the test process exits, however
//! it exits (normal end, panic, or a kill by the test runner).

use std::net::TcpListener;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Environment variable naming an admin URL to an existing cluster.
pub const DATABASE_URL_ENV: &str = "GONGWEN_TEST_DATABASE_URL";
/// Environment variable naming the directory holding `initdb`, `pg_ctl` and `psql`.
pub const PG_BIN_ENV: &str = "GONGWEN_PG_BIN";
const DEFAULT_PG_BIN: &str = "/usr/lib/postgresql/15/bin";
const START_ATTEMPTS: usize = 6;
/// The `postgres` user's password in a throwaway cluster (loopback only).
pub const ADMIN_PASSWORD: &str = "gongwen-test";

/// What can go wrong while preparing a test database.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "{DATABASE_URL_ENV} is not a valid PostgreSQL URL ({0}): set it to e.g. postgres://postgres@127.0.0.1:5432/postgres"
    )]
    BadUrl(String),
    #[error(
        "could not run {program}: {source}; install postgresql-15 or set {PG_BIN_ENV} to its bin directory"
    )]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    #[error("{what} failed: {output}")]
    Command { what: String, output: String },
    #[error("could not prepare the cluster directory: {0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

/// A PostgreSQL cluster for tests. See the crate docs.
#[derive(Debug)]
pub struct TestPostgres {
    admin_url: url::Url,
    owned: Option<OwnedCluster>,
}

#[derive(Debug)]
struct OwnedCluster {
    root: PathBuf,
    bin: PathBuf,
    as_postgres_user: bool,
}

static SHARED: OnceLock<TestPostgres> = OnceLock::new();
static COUNTER: AtomicU64 = AtomicU64::new(0);

impl TestPostgres {
    /// The cluster shared by every test of this process, started on first use.
    ///
    /// # Panics
    /// When no cluster can be had; the message says why and what to do. This is
    /// a test fixture, so a panic is the way to fail the test.
    pub fn shared() -> &'static TestPostgres {
        SHARED.get_or_init(|| match Self::start() {
            Ok(pg) => pg,
            Err(e) => panic!("gongwen-testkit: no PostgreSQL for tests: {e}"),
        })
    }

    /// A cluster owned by the caller: the external one named by
    /// `GONGWEN_TEST_DATABASE_URL` if set, else a new throwaway cluster that is
    /// stopped and removed when the value is dropped.
    pub fn start() -> Result<Self> {
        match std::env::var(DATABASE_URL_ENV) {
            Ok(url) if !url.trim().is_empty() => Self::external(url.trim()),
            _ => Self::throwaway(),
        }
    }

    /// Use an existing cluster through its admin URL.
    pub fn external(admin_url: &str) -> Result<Self> {
        let url = url::Url::parse(admin_url).map_err(|e| Error::BadUrl(e.to_string()))?;
        if !matches!(url.scheme(), "postgres" | "postgresql") {
            return Err(Error::BadUrl(format!("scheme {:?}", url.scheme())));
        }
        Ok(Self {
            admin_url: url,
            owned: None,
        })
    }

    /// Create and start a new cluster in a temporary directory.
    pub fn throwaway() -> Result<Self> {
        let bin = pg_bin_dir();
        let as_postgres_user = std::fs::metadata("/proc/self")
            .map(|m| m.uid() == 0)
            .unwrap_or(false);
        // As root the cluster runs as `postgres`, which must reach the directory:
        // use /tmp rather than a possibly private $TMPDIR. A short path also
        // keeps the socket path under the 107-byte limit.
        let mut builder = tempfile::Builder::new();
        builder.prefix("gongwen-pg-");
        let root = if as_postgres_user && Path::new("/tmp").is_dir() {
            builder.tempdir_in("/tmp")?
        } else {
            builder.tempdir()?
        }
        .keep();
        let cluster = OwnedCluster {
            root,
            bin,
            as_postgres_user,
        };
        // From here on `cluster` removes the directory if anything fails.
        let data = cluster.data_dir();
        if as_postgres_user {
            run(
                Command::new("chown")
                    .arg("-R")
                    .arg("postgres:postgres")
                    .arg(&cluster.root),
                "chown",
            )?;
        }
        // TCP connections need the password (so tests can exercise a wrong one);
        // the socket in the cluster directory stays trust for the owner.
        let pwfile = cluster.root.join("pwfile");
        std::fs::write(&pwfile, format!("{ADMIN_PASSWORD}\n"))?;
        if as_postgres_user {
            run(
                Command::new("chown").arg("postgres:postgres").arg(&pwfile),
                "chown",
            )?;
        }
        let mut initdb = cluster.pg_command("initdb");
        initdb
            .arg("-D")
            .arg(&data)
            .arg(format!("--pwfile={}", pwfile.display()))
            .args([
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
                "--no-instructions",
            ]);
        run(&mut initdb, "initdb")?;
        let mut last_error = None;
        for _ in 0..START_ATTEMPTS {
            let port = free_port()?;
            match cluster.start_on(port) {
                Ok(()) => {
                    cluster.spawn_watchdog()?;
                    let admin_url = url::Url::parse(&format!(
                        "postgres://postgres:{ADMIN_PASSWORD}@127.0.0.1:{port}/postgres"
                    ))
                    .map_err(|e| Error::BadUrl(e.to_string()))?;
                    return Ok(Self {
                        admin_url,
                        owned: Some(cluster),
                    });
                }
                // Most likely another process took the port between our probe and
                // the server's bind: try another one.
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error.unwrap_or_else(|| Error::Command {
            what: "pg_ctl start".into(),
            output: String::new(),
        }))
    }

    /// True for a cluster this fixture started (password authentication over
    /// TCP, stopped on drop); false for an external one.
    pub fn is_throwaway(&self) -> bool {
        self.owned.is_some()
    }

    /// The admin URL (database `postgres` or whatever the external URL names).
    pub fn admin_url(&self) -> String {
        self.admin_url.to_string()
    }

    /// Create a new, empty database with a unique name and return its URL.
    ///
    /// # Panics
    /// When the database cannot be created (a test fixture fails its test).
    pub fn fresh_database(&self) -> String {
        match self.try_fresh_database() {
            Ok(url) => url,
            Err(e) => panic!("gongwen-testkit: could not create a test database: {e}"),
        }
    }

    /// Like [`fresh_database`](Self::fresh_database), returning the error.
    pub fn try_fresh_database(&self) -> Result<String> {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!("gw_test_{}_{n}_{nanos:x}", std::process::id());
        // CREATE DATABASE cannot run inside a transaction block: its own statement.
        self.psql(&format!("CREATE DATABASE \"{name}\""))?;
        let mut url = self.admin_url.clone();
        url.set_path(&format!("/{name}"));
        Ok(url.to_string())
    }

    /// Run one SQL statement as the admin user.
    pub fn psql(&self, sql: &str) -> Result<()> {
        let bin = self
            .owned
            .as_ref()
            .map(|c| c.bin.clone())
            .unwrap_or_else(pg_bin_dir);
        let mut cmd = Command::new(program(&bin, "psql"));
        cmd.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d"])
            .arg(self.admin_url.as_str())
            .arg("-c")
            .arg(sql);
        run(&mut cmd, "psql")
    }
}

impl OwnedCluster {
    fn data_dir(&self) -> PathBuf {
        self.root.join("data")
    }

    fn pg_command(&self, name: &str) -> Command {
        let prog = program(&self.bin, name);
        let mut cmd = if self.as_postgres_user {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(prog);
            c
        } else {
            Command::new(prog)
        };
        // Its own process group: a test runner killing the test's group must not
        // take the cluster down before the watchdog can stop it cleanly.
        cmd.process_group(0);
        cmd
    }

    fn start_on(&self, port: u16) -> Result<()> {
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c shared_buffers=32MB -c max_connections=200",
            self.root.display()
        );
        let mut cmd = self.pg_command("pg_ctl");
        cmd.arg("-D")
            .arg(self.data_dir())
            .arg("-l")
            .arg(self.root.join("server.log"))
            .args(["-w", "-t", "60", "-o", &options, "start"]);
        cmd.stdin(Stdio::null());
        run(&mut cmd, "pg_ctl start").map_err(|e| {
            let log = std::fs::read_to_string(self.root.join("server.log")).unwrap_or_default();
            match e {
                Error::Command { what, output } => Error::Command {
                    what,
                    output: format!("{output}\n{log}"),
                },
                other => other,
            }
        })
    }

    /// A detached shell that waits for this process to exit, then stops the
    /// cluster and removes its directory.
    fn spawn_watchdog(&self) -> Result<()> {
        let script = r#"
            while kill -0 "$1" 2>/dev/null; do sleep 0.5; done
            if [ "$4" = 1 ]; then runuser -u postgres -- "$3" -D "$2/data" -m immediate -w stop
            else "$3" -D "$2/data" -m immediate -w stop; fi
            rm -rf "$2"
        "#;
        Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg("gongwen-pg-watchdog")
            .arg(std::process::id().to_string())
            .arg(&self.root)
            .arg(program(&self.bin, "pg_ctl"))
            .arg(if self.as_postgres_user { "1" } else { "0" })
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|source| Error::Spawn {
                program: "sh".into(),
                source,
            })?;
        Ok(())
    }
}

impl Drop for OwnedCluster {
    fn drop(&mut self) {
        if self.data_dir().join("postmaster.pid").exists() {
            let mut stop = self.pg_command("pg_ctl");
            stop.arg("-D")
                .arg(self.data_dir())
                .args(["-m", "immediate", "-w", "stop"]);
            stop.stdout(Stdio::null()).stderr(Stdio::null());
            let _ = stop.status();
        }
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn pg_bin_dir() -> PathBuf {
    if let Ok(dir) = std::env::var(PG_BIN_ENV) {
        return PathBuf::from(dir);
    }
    if Path::new(DEFAULT_PG_BIN).join("initdb").exists() {
        return PathBuf::from(DEFAULT_PG_BIN);
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        return PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    }
    // Fall back to PATH lookups.
    PathBuf::new()
}

fn program(bin: &Path, name: &str) -> PathBuf {
    if bin.as_os_str().is_empty() {
        PathBuf::from(name)
    } else {
        bin.join(name)
    }
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

fn run(cmd: &mut Command, what: &str) -> Result<()> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let out = cmd
        .output()
        .map_err(|source| Error::Spawn { program, source })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(Error::Command {
            what: what.to_owned(),
            output: format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout).trim(),
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_databases_are_distinct_and_usable() {
        let pg = TestPostgres::shared();
        let a = pg.fresh_database();
        let b = pg.fresh_database();
        assert_ne!(a, b);
        for url in [&a, &b] {
            let db = TestPostgres::external(url).unwrap();
            db.psql("CREATE TABLE t (x int); INSERT INTO t VALUES (1)")
                .unwrap();
        }
    }

    #[test]
    fn owned_cluster_is_removed_on_drop() {
        let pg = TestPostgres::throwaway().unwrap();
        let root = pg.owned.as_ref().unwrap().root.clone();
        let url = pg.fresh_database();
        TestPostgres::external(&url)
            .unwrap()
            .psql("SELECT 1")
            .unwrap();
        assert!(root.exists());
        drop(pg);
        assert!(!root.exists());
    }

    #[test]
    fn rejects_a_non_postgres_url() {
        let err = TestPostgres::external("mysql://localhost/x").unwrap_err();
        assert!(err.to_string().contains(DATABASE_URL_ENV));
    }
}
