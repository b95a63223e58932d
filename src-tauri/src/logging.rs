//! Logs: to stderr, and to `logs/desktop.log` in the data folder so that 导出诊断信息
//! can hand them to support. `RUST_LOG` filters them (default: info for our crates,
//! warn for the rest). The file is started afresh when it passes [`MAX_BYTES`]; the
//! previous one is kept as `desktop.log.1`.
//!
//! What is logged is chosen at the call sites: codes, counts, paths and server
//! addresses, never document text, passwords or tokens.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// The log file grows to about this size before it is rotated (at the next start).
pub const MAX_BYTES: u64 = 4 * 1024 * 1024;

/// The folder holding the log files of a data folder.
pub fn log_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("logs")
}

/// The current log file of a data folder.
pub fn log_file(data_dir: &Path) -> PathBuf {
    log_dir(data_dir).join("desktop.log")
}

/// Opens the log file for appending, rotating it first when it is too large.
fn open_log(data_dir: &Path) -> std::io::Result<File> {
    std::fs::create_dir_all(log_dir(data_dir))?;
    let path = log_file(data_dir);
    if std::fs::metadata(&path).is_ok_and(|m| m.len() > MAX_BYTES) {
        std::fs::rename(&path, path.with_extension("log.1"))?;
    }
    OpenOptions::new().create(true).append(true).open(path)
}

/// Starts logging. A second call (tests) is harmless. Without a usable data folder the
/// logs go to stderr only.
pub fn init(data_dir: Option<&Path>) {
    let filter = || {
        EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| EnvFilter::new("warn,gongwen_desktop=info,gongwen_client=info"))
    };
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(filter());
    let file = data_dir.and_then(|dir| match open_log(dir) {
        Ok(file) => Some(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(Mutex::new(file))
                .with_filter(filter()),
        ),
        Err(error) => {
            eprintln!("日志文件无法写入（{}）：{error}", log_file(dir).display());
            None
        }
    });
    let _ = tracing_subscriber::registry()
        .with(stderr)
        .with(file)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_log_is_rotated_and_a_new_one_started() {
        let dir = tempfile::TempDir::new().unwrap();
        std::fs::create_dir_all(log_dir(dir.path())).unwrap();
        let big = vec![b'x'; (MAX_BYTES + 1) as usize];
        std::fs::write(log_file(dir.path()), &big).unwrap();
        drop(open_log(dir.path()).unwrap());
        assert_eq!(std::fs::metadata(log_file(dir.path())).unwrap().len(), 0);
        assert_eq!(
            std::fs::metadata(log_dir(dir.path()).join("desktop.log.1"))
                .unwrap()
                .len(),
            MAX_BYTES + 1
        );
    }
}
