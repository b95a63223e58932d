use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Once;

pub const BIN: &str = env!("CARGO_BIN_EXE_gongwen");

fn require_secret_service() {
    static CHECK: Once = Once::new();
    CHECK.call_once(|| {
        if let Err(e) = gongwen_client::key::KeychainKeys::probe() {
            panic!(
                "no Secret Service is reachable ({e}). The CLI keeps its database key in the \
                 keychain: run these tests with scripts/with-keyring.sh cargo test -p gongwen-cli \
                 (make test does this)"
            );
        }
    });
}

/// A data folder and helpers to run `gongwen` against it.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub files: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        require_secret_service();
        let env = Env {
            dir: tempfile::tempdir().unwrap(),
            files: tempfile::tempdir().unwrap(),
        };
        env.ok(&["init"]);
        env
    }

    pub fn data(&self) -> &Path {
        self.dir.path()
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.arg("--data-dir").arg(self.data()).args(args);
        c.env_remove("GONGWEN_DATA_DIR")
            .env_remove("GONGWEN_PASSPHRASE")
            .env("GONGWEN_USER", "张三");
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "gongwen {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs and expects failure; returns stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            !out.status.success(),
            "gongwen {args:?} should fail: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.files.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    pub fn example(&self, name: &str) -> PathBuf {
        PathBuf::from(format!(
            "{}/../../docs/examples/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
    }
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}
