//! Autosave survives `kill -9`: every version the autosaver reported as saved is in the
//! store afterwards, and the store opens cleanly.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::support::{Env, s};

#[test]
fn kill_9_loses_no_acknowledged_save() {
    let env = Env::new();
    let start = env.file(
        "draft.json",
        r#"{"title": "关于做好防汛工作的通知", "body": "第0稿"}"#,
    );
    let id = env
        .ok(&["draft", "new", "--from", s(&start)])
        .trim()
        .to_owned();

    let mut child = env
        .command(&[
            "draft",
            "autosave",
            &id,
            "--from",
            s(&start),
            "--interval-ms",
            "100",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let banner = lines.next().unwrap().unwrap();
    assert!(banner.contains("正在自动保存"), "{banner}");

    let mut acknowledged = 1;
    for i in 1..=15 {
        let json = format!(r#"{{"title": "关于做好防汛工作的通知", "body": "第{i}稿"}}"#);
        std::fs::write(&start, json).unwrap();
        // Wait until the autosaver reports this edit as saved (durable).
        loop {
            let line = lines.next().expect("autosave ended early").unwrap();
            if let Some(rest) = line.strip_prefix("已保存 第 ") {
                acknowledged = rest.split(' ').next().unwrap().parse::<i64>().unwrap();
                break;
            }
        }
        assert_eq!(acknowledged, i + 1);
    }
    // One more edit, then kill -9 while it may be mid-save.
    std::fs::write(
        &start,
        r#"{"title": "关于做好防汛工作的通知", "body": "最后一稿"}"#,
    )
    .unwrap();
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();

    let history = env.ok(&["draft", "history", &id, "--json"]);
    let versions: serde_json::Value = serde_json::from_str(&history).unwrap();
    let head = versions[0]["version"].as_i64().unwrap();
    assert!(
        head >= acknowledged,
        "head {head} < acknowledged {acknowledged}"
    );
    let shown = env.ok(&[
        "draft",
        "show",
        &id,
        "--version",
        &acknowledged.to_string(),
        "--json",
    ]);
    let doc = gongwen_domain::Document::from_json(&shown).unwrap();
    assert_eq!(doc.body, format!("第{}稿", acknowledged - 1));
    // The store is whole: it opens and takes a new save.
    let next = env.file(
        "next.json",
        r#"{"title": "关于做好防汛工作的通知", "body": "恢复后"}"#,
    );
    assert!(
        env.ok(&["draft", "save", &id, "--from", s(&next)])
            .contains("已保存")
    );
}
