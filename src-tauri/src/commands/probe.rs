//! The startup probe, for `scripts/desktop-bench.sh`: when `GONGWEN_STARTUP_PROBE` names a
//! file, the app appends one line per milestone of its start to it, `NAME EPOCH_MS`:
//!
//! - `main`: the process reached [`crate::run`] (written here, by Rust);
//! - `store-open`: the local store is open (or failed to open), before the window is built;
//! - `setup`: the window and its web view exist (Tauri's setup hook);
//! - `ask-COMMAND` / `got-COMMAND`: when the UI first asked a command and first had its
//!   answer (sent by the UI just before `todo-painted`);
//! - `script`: the UI's JavaScript started running (sent by the UI);
//! - `todo-painted`: the 待办 list's first page has been painted (sent by the UI two
//!   animation frames after React committed the rows, i.e. after the browser painted them).
//!
//! Times are milliseconds since the Unix epoch, read from the system clock in each
//! process, so the bench can subtract the moment it spawned the process. Without the
//! variable nothing is written and the command does nothing.

use std::io::Write;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::CommandError;

/// The environment variable naming the probe file.
pub const PROBE_ENV: &str = "GONGWEN_STARTUP_PROBE";

/// Appends `NAME EPOCH_MS` to the probe file, if there is one. Errors are logged only:
/// a probe must never change what the app does.
pub fn mark(name: &str, epoch_ms: f64) {
    if let Some(path) = std::env::var_os(PROBE_ENV).filter(|p| !p.is_empty()) {
        append(Path::new(&path), name, epoch_ms);
    }
}

fn append(path: &Path, name: &str, epoch_ms: f64) {
    let name: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(40)
        .collect();
    // One write(2) per line: the UI's marks arrive on several threads at once, and
    // `writeln!` on a bare file writes each piece of the format on its own, so two
    // marks could interleave within a line. An O_APPEND write of a short line is not.
    let line = format!("{name} {epoch_ms:.3}\n");
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(line.as_bytes()));
    if let Err(error) = written {
        tracing::warn!(%error, path = %path.display(), "startup probe not written");
    }
}

/// Marks `name` now.
pub fn mark_now(name: &str) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0);
    mark(name, now);
}

/// A milestone the UI reached (`performance.timeOrigin + performance.now()`).
#[tauri::command]
pub async fn startup_mark(name: String, epoch_ms: f64) -> Result<(), CommandError> {
    mark(&name, epoch_ms);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_appended_as_name_and_time() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("probe.txt");
        append(&file, "todo-painted", 1_700_000_000_123.5);
        append(&file, "bad name\nsecond line", 1.0);
        let text = std::fs::read_to_string(&file).unwrap();
        assert_eq!(
            text,
            "todo-painted 1700000000123.500\nbadnamesecondline 1.000\n"
        );
    }

    #[test]
    fn marks_from_several_threads_never_share_a_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("probe.txt");
        std::thread::scope(|s| {
            for t in 0..4 {
                let file = &file;
                s.spawn(move || {
                    for i in 0..200 {
                        append(file, &format!("mark-{t}"), f64::from(i));
                    }
                });
            }
        });
        let text = std::fs::read_to_string(&file).unwrap();
        assert_eq!(text.lines().count(), 800);
        for line in text.lines() {
            let fields: Vec<&str> = line.split(' ').collect();
            assert_eq!(fields.len(), 2, "torn line {line:?}");
            assert!(fields[0].starts_with("mark-"), "torn line {line:?}");
            fields[1].parse::<f64>().unwrap();
        }
    }
}
