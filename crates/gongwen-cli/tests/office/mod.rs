//! The `gongwen` binary on a fresh passphrase-encrypted store (GONGWEN_PASSPHRASE, so no
//! keychain is needed) with the people of one office, for the workflow tests that drive
//! it as several users (`flow_cli.rs`, `outgoing_cli.rs`).

use std::process::{Command, Output};

/// A data folder and the office's directory: 张三 drafts, 李四 … 周九 hold the roles of
/// the standard 发文 route.
pub struct Gongwen {
    dir: tempfile::TempDir,
}

impl Gongwen {
    pub fn new() -> Gongwen {
        let g = Gongwen {
            dir: tempfile::tempdir().unwrap(),
        };
        g.ok("zhang", &["init"]);
        for (id, name, role) in [
            ("zhang", "张三", None),
            ("li", "李四", Some("部门负责人")),
            ("wang", "王五", Some("办公室主任")),
            ("zhao", "赵六", Some("分管领导")),
            ("qian", "钱七", Some("核稿人")),
            ("sun", "孙八", Some("文书")),
            ("zhou", "周九", Some("文印")),
        ] {
            let mut args = vec![
                "people",
                "add",
                id,
                "--name",
                name,
                "--organ",
                "鹤山市人民政府办公室",
            ];
            if let Some(r) = role {
                args.extend(["--role", r]);
            }
            g.ok("zhang", &args);
        }
        g
    }

    pub fn run(&self, user: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_gongwen"))
            .args(args)
            .env("GONGWEN_DATA_DIR", self.dir.path())
            .env("GONGWEN_PASSPHRASE", "cli-test-passphrase")
            .env("GONGWEN_USER", user)
            .output()
            .unwrap()
    }

    pub fn ok(&self, user: &str, args: &[&str]) -> String {
        let out = self.run(user, args);
        let stdout = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            out.status.success(),
            "gongwen {args:?} as {user} failed:\n{stdout}\n{stderr}"
        );
        stdout
    }

    /// Runs a command that must fail; returns its stderr.
    pub fn fails(&self, user: &str, args: &[&str]) -> String {
        let out = self.run(user, args);
        assert_eq!(out.status.code(), Some(1), "gongwen {args:?} should fail");
        String::from_utf8(out.stderr).unwrap()
    }
}
