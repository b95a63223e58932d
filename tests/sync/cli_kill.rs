//! Two real `gongwen` CLI processes, each with its own data folder, sync through the
//! real server; `gongwen sync` is SIGKILLed at several points of its run (while it
//! logs in, pulls, pushes, records the answers) and started again. Afterwards nothing
//! is lost or doubled: the server holds each draft, flow and action exactly once, and
//! both clients agree with it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::Server;
use super::cli::{Cli, text};

/// How many drafts the drafter writes offline.
const DRAFTS: usize = 6;
/// When each killed `gongwen sync` gets its SIGKILL, after it started.
const KILL_AFTER_MS: [u64; 6] = [10, 40, 90, 180, 350, 700];

impl Cli {
    /// `gongwen sync`, SIGKILLed after each delay in turn (when still running), then
    /// run until it succeeds. Returns how many runs were really killed.
    async fn sync_with_kills(&self, delays: &[u64]) -> usize {
        let mut killed = 0;
        for &ms in delays {
            let mut child = self.command(&["sync"]).spawn().unwrap();
            tokio::time::sleep(Duration::from_millis(ms)).await;
            let was_running = child.try_wait().unwrap().is_none();
            if was_running {
                // std's kill is SIGKILL on Unix: no destructor, no flush, no goodbye.
                child.kill().unwrap();
                killed += 1;
            }
            tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
                .await
                .unwrap();
        }
        for attempt in 0.. {
            let out = self.run(&["sync"]).await;
            if out.status.success() {
                break;
            }
            assert!(
                attempt < 4,
                "{}: sync does not complete after the kills: {}",
                self.login,
                text(&out.stderr)
            );
            if out.status.code() == Some(2) {
                // Killed between the server's rotation of the single-use refresh
                // token and the keychain write: the server treats the old token's
                // next use as a reuse and ends the session. The user logs in again;
                // nothing that was waiting is lost (checked by the caller).
                eprintln!("{}: session ended by a kill, logging in again", self.login);
                self.ok(&["login", "--server", &self.server, "--user", self.login])
                    .await;
            }
        }
        killed
    }
}

async fn count(server: &Server, sql: &str) -> i64 {
    let pool = gongwen_server::db::connect(&server.db, 1).await.unwrap();
    let c = pool.get().await.unwrap();
    c.query_one(sql, &[]).await.unwrap().get(0)
}

fn draft_file(dir: &Path, i: usize) -> PathBuf {
    let mut doc = super::example();
    doc.title = format!("关于做好第{i}批春耕备耕工作的通知");
    doc.body = format!("各镇人民政府：\n现就第{i}批春耕备耕工作通知如下。");
    let path = dir.join(format!("draft-{i}.json"));
    std::fs::write(&path, doc.to_json_pretty()).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_processes_killed_mid_sync_lose_and_double_nothing() {
    let server = Server::start().await;
    let zhang = Cli::new("zhang", &server);
    let li = Cli::new("li", &server);
    for cli in [&zhang, &li] {
        cli.ok(&["init"]).await;
        cli.ok(&["login", "--server", &server.base, "--user", cli.login])
            .await;
        cli.ok(&["sync"]).await;
    }

    // Offline: the drafter writes and submits drafts (each a draft.save, a 送审 and
    // the drafter's own 起草 step).
    let files = tempfile::tempdir().unwrap();
    for i in 1..=DRAFTS {
        let path = draft_file(files.path(), i);
        let id = zhang
            .ok(&["draft", "new", "--from", path.to_str().unwrap()])
            .await;
        zhang.ok(&["submit", id.trim()]).await;
    }
    let status = zhang.json(&["sync", "status", "--json"]).await;
    assert_eq!(status["pending"], 3 * DRAFTS as i64);

    let killed = zhang.sync_with_kills(&KILL_AFTER_MS).await;
    let status = zhang.json(&["sync", "status", "--json"]).await;
    assert_eq!(
        (status["pending"].as_i64(), status["rejected"].as_i64()),
        (Some(0), Some(0)),
        "{status}"
    );
    // Exactly once on the server, whatever the kills interrupted.
    let n = DRAFTS as i64;
    assert_eq!(count(&server, "SELECT count(*) FROM drafts").await, n);
    assert_eq!(
        count(&server, "SELECT count(*) FROM draft_versions").await,
        n
    );
    assert_eq!(count(&server, "SELECT count(*) FROM flows").await, n);
    assert_eq!(
        count(&server, "SELECT count(*) FROM mutation_results").await,
        3 * n
    );
    assert_eq!(
        count(&server, "SELECT count(DISTINCT id) FROM mutation_results").await,
        3 * n
    );

    // The reviewer pulls (killed too), approves everything offline, and syncs with kills.
    let killed = killed + li.sync_with_kills(&KILL_AFTER_MS[..3]).await;
    let todo = li
        .json(&["queue", "todo", "--json", "--limit", "100"])
        .await;
    let tasks: Vec<String> = todo["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["taskId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(tasks.len(), DRAFTS, "{todo}");
    for task in &tasks {
        li.ok(&["act", task, "approve", "--opinion", "同意"]).await;
    }
    let killed = killed + li.sync_with_kills(&KILL_AFTER_MS).await;
    let status = li.json(&["sync", "status", "--json"]).await;
    assert_eq!(
        (status["pending"].as_i64(), status["rejected"].as_i64()),
        (Some(0), Some(0)),
        "{status}"
    );
    assert!(killed > 0, "at least one sync was really killed");

    // The server: each approval once, every flow one step further.
    assert_eq!(
        count(&server, "SELECT count(*) FROM mutation_results").await,
        4 * n
    );
    assert_eq!(
        count(
            &server,
            "SELECT count(*) FROM mutation_results WHERE name = 'flow.act.v1'"
        )
        .await,
        2 * n
    );
    assert_eq!(
        count(
            &server,
            "SELECT count(*) FROM flows WHERE current_step LIKE '%王五%'"
        )
        .await,
        n
    );

    // Both clients agree with the server: no double, nothing missing.
    zhang.ok(&["sync"]).await;
    let drafts = zhang
        .json(&["draft", "list", "--json", "--limit", "100"])
        .await;
    assert_eq!(drafts.as_array().map(Vec::len), Some(DRAFTS), "{drafts}");
    let sent = zhang
        .json(&["queue", "sent", "--json", "--limit", "100"])
        .await;
    let sent = sent["items"].as_array().unwrap();
    assert_eq!(sent.len(), DRAFTS);
    assert!(
        sent.iter()
            .all(|f| f["nowAt"].as_str().is_some_and(|s| s.contains("王五"))),
        "{sent:?}"
    );
    let done = li
        .json(&["queue", "done", "--json", "--limit", "100"])
        .await;
    assert_eq!(
        done["items"].as_array().map(Vec::len),
        Some(DRAFTS),
        "{done}"
    );
    let todo = li.json(&["queue", "todo", "--json"]).await;
    assert_eq!(todo["items"].as_array().map(Vec::len), Some(0), "{todo}");
    server.stop().await;
}
