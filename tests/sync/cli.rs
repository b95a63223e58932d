//! One `gongwen` CLI user against the test server: a data folder of its own and the
//! environment every command runs with.

use std::process::{Command, Output, Stdio};

use super::{PASSWORD, Server};

const BIN: &str = env!("CARGO_BIN_EXE_gongwen-cli-under-test");

/// One CLI user: a data folder and the environment of every command.
pub(crate) struct Cli {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) login: &'static str,
    pub(crate) server: String,
}

impl Cli {
    pub(crate) fn new(login: &'static str, server: &Server) -> Cli {
        Cli {
            dir: tempfile::tempdir().unwrap(),
            login,
            server: server.base.clone(),
        }
    }

    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .env("GONGWEN_DATA_DIR", self.dir.path())
            .env("GONGWEN_PASSPHRASE", "cli-test-passphrase")
            .env("GONGWEN_USER", self.login)
            .env("GONGWEN_PASSWORD", PASSWORD)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// Runs a command to its end (on a blocking thread: the server shares the runtime).
    pub(crate) async fn run(&self, args: &[&str]) -> Output {
        let mut cmd = self.command(args);
        let what = format!("{} {}", self.login, args.join(" "));
        tokio::task::spawn_blocking(move || cmd.output().unwrap_or_else(|e| panic!("{what}: {e}")))
            .await
            .unwrap()
    }

    pub(crate) async fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args).await;
        assert!(
            out.status.success(),
            "gongwen {} ({}) failed: {}{}",
            args.join(" "),
            self.login,
            text(&out.stdout),
            text(&out.stderr)
        );
        text(&out.stdout)
    }

    pub(crate) async fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.ok(args).await;
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{out}: {e}"))
    }
}

pub(crate) fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
