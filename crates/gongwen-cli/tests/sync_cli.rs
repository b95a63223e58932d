//! `gongwen login`, `logout`, `sync` and `sync status` without a server: the exit codes
//! and the plain-words reasons (the full round trip runs in tests/sync against a real
//! server).

use std::process::{Command, Output};

fn gongwen(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gongwen"));
    cmd.args(args)
        .env("GONGWEN_DATA_DIR", dir)
        .env("GONGWEN_PASSPHRASE", "sync-cli-test-passphrase")
        .env("GONGWEN_USER", "zhang")
        .env_remove("GONGWEN_PASSWORD")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(text) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn sync_without_login_fails_with_the_reason_and_keeps_the_changes() {
    let dir = tempfile::tempdir().unwrap();
    assert!(gongwen(dir.path(), &["init"], None).status.success());
    let out = gongwen(dir.path(), &["sync"], None);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("尚未登录"),
        "{}",
        text(&out.stderr)
    );

    let out = gongwen(dir.path(), &["sync", "status"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(
        s.contains("未登录") && s.contains("待同步：    0 项"),
        "{s}"
    );

    let out = gongwen(dir.path(), &["sync", "status", "--json"], None);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["pending"], 0);
    assert!(v["serverUrl"].is_null());
}

#[test]
fn login_to_an_unreachable_server_fails_in_plain_words() {
    let dir = tempfile::tempdir().unwrap();
    assert!(gongwen(dir.path(), &["init"], None).status.success());
    // A port nobody listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let out = gongwen(
        dir.path(),
        &["login", "--server", &url, "--user", "zhang"],
        Some("secret\n"),
    );
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("登录失败") && err.contains("无法连接服务器"),
        "{err}"
    );
    let out = gongwen(
        dir.path(),
        &["login", "--server", "ftp://x", "--user", "zhang"],
        Some("p\n"),
    );
    assert!(
        text(&out.stderr).contains("https://"),
        "{}",
        text(&out.stderr)
    );
    let out = gongwen(
        dir.path(),
        &["login", "--server", &url, "--user", "zhang"],
        Some(""),
    );
    assert!(
        text(&out.stderr).contains("没有输入密码"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn logout_without_login_says_so() {
    let dir = tempfile::tempdir().unwrap();
    assert!(gongwen(dir.path(), &["init"], None).status.success());
    let out = gongwen(dir.path(), &["logout"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("没有登录"));
}

#[test]
fn incoming_commands_answer_in_plain_words_before_anything_arrived() {
    let dir = tempfile::tempdir().unwrap();
    assert!(gongwen(dir.path(), &["init"], None).status.success());
    let out = gongwen(dir.path(), &["incoming", "list"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(
        s.contains("没有符合条件的来文") && s.contains("未签收 0"),
        "{s}"
    );

    let out = gongwen(dir.path(), &["incoming", "list", "--state", "半签收"], None);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("未签收 或 已签收"),
        "{}",
        text(&out.stderr)
    );

    let out = gongwen(
        dir.path(),
        &["incoming", "list", "--since", "2026/3/1"],
        None,
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("YYYY-MM-DD"),
        "{}",
        text(&out.stderr)
    );

    let out = gongwen(dir.path(), &["incoming", "sign", "no-such-item"], None);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("找不到来文"),
        "{}",
        text(&out.stderr)
    );

    let out = gongwen(dir.path(), &["receipts", "--json"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v, serde_json::json!([]));
}
