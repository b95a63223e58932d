use std::process::Command;

use crate::support::{BIN, Env, s};

#[test]
fn help_is_in_plain_words() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for word in [
        "init",
        "status",
        "draft",
        "search",
        "print",
        "--data-dir",
        "数据文件夹",
    ] {
        assert!(text.contains(word), "--help lacks {word}: {text}");
    }
}

#[test]
fn init_and_status() {
    let env = Env::new();
    let again = env.ok(&["init"]);
    assert!(again.contains("已存在"), "{again}");
    let status = env.ok(&["status"]);
    assert!(status.contains(s(env.data())), "{status}");
    assert!(status.contains("结构版本"), "{status}");
    assert!(status.contains("草稿：      0 份"), "{status}");
    let json: serde_json::Value = serde_json::from_str(&env.ok(&["status", "--json"])).unwrap();
    assert!(json["schemaVersion"].as_i64().unwrap() >= 2, "{json}");
    assert_eq!(json["schemaVersion"], json["latestSchemaVersion"]);
    assert_eq!(json["keySource"], "keychain");
}

#[test]
fn status_before_init_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(dir.path().join("none"))
        .arg("status")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("gongwen init"), "{err}");
}

#[test]
fn data_dir_comes_from_the_environment_too() {
    let env = Env::new();
    let out = Command::new(BIN)
        .env("GONGWEN_DATA_DIR", env.data())
        .arg("status")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains(s(env.data()))
    );
}

#[test]
fn unwritable_data_folder_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(file.join("data"))
        .arg("init")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("无法写入") && err.contains("GONGWEN_DATA_DIR"),
        "{err}"
    );
}

#[test]
fn newer_schema_is_refused_with_a_clear_message() {
    let env = Env::new();
    // Simulate a newer program: bump user_version through the real key.
    let client = gongwen_client::Client::open(env.data()).unwrap();
    drop(client);
    let id: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(env.data().join("store.json")).unwrap())
            .unwrap();
    let identity: gongwen_client::key::StoreIdentity = serde_json::from_value(id).unwrap();
    use gongwen_client::key::KeyProvider;
    let key = gongwen_client::key::KeychainKeys
        .load(&identity)
        .unwrap()
        .unwrap();
    let db = gongwen_client::store::Db::open(&env.data().join("gongwen.db"), &key, false).unwrap();
    db.write(|tx| Ok(tx.pragma_update(None, "user_version", 99)?))
        .unwrap();
    drop(db);
    let err = env.fails(&["status"]);
    assert!(err.contains("99") && err.contains("升级"), "{err}");
}

#[test]
fn draft_lifecycle_new_save_show_history_diff() {
    let env = Env::new();
    let example = env.example("notice-full.json");
    let id = env
        .ok(&["draft", "new", "--from", s(&example)])
        .trim()
        .to_owned();
    assert_eq!(id.len(), 36, "prints the new id: {id}");

    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&example).unwrap()).unwrap();
    doc["title"] = "鹤山市人民政府关于开展2026年冬季安全生产大检查的通知".into();
    let edited = env.file("edited.json", &doc.to_string());
    let out = env
        .command(&["draft", "save", &id, "--from", s(&edited)])
        .env("GONGWEN_USER", "李四")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout).unwrap().contains("第 2 版"));
    assert!(
        env.ok(&["draft", "save", &id, "--from", s(&edited)])
            .contains("没有变化")
    );

    let shown = env.ok(&["draft", "show", &id]);
    assert!(
        shown.contains("冬季安全生产") && shown.contains("清稿"),
        "{shown}"
    );
    let json = env.ok(&["draft", "show", &id, "--json"]);
    let back = gongwen_domain::Document::from_json(&json).unwrap();
    assert!(back.title.contains("冬季"));
    let v1 = env.ok(&["draft", "show", &id, "--version", "1"]);
    assert!(v1.contains("历史版本") && !v1.contains("冬季"), "{v1}");

    let history = env.ok(&["draft", "history", &id]);
    assert!(
        history.contains("第2版") && history.contains("李四") && history.contains("张三"),
        "{history}"
    );

    let diff = env.ok(&["draft", "diff", &id, "1", "2"]);
    assert!(diff.contains("【标题】修改人：李四"), "{diff}");
    assert!(diff.contains("[+冬季+]（李四，第2版）"), "{diff}");
    let diff_json: serde_json::Value =
        serde_json::from_str(&env.ok(&["draft", "diff", &id, "1", "2", "--json"])).unwrap();
    assert_eq!(diff_json["changes"][0]["field"], "title");

    let list = env.ok(&["draft", "list"]);
    assert!(list.contains(&id), "{list}");
    assert!(
        env.fails(&["draft", "diff", &id, "1", "7"])
            .contains("第 7 版")
    );
    assert!(
        env.fails(&["draft", "show", "no-such"])
            .contains("找不到草稿")
    );
}

#[test]
fn bad_input_is_a_clear_message_and_the_draft_is_kept() {
    let env = Env::new();
    let id = env
        .ok(&["draft", "new", "--from", s(&env.example("request-up.json"))])
        .trim()
        .to_owned();
    let cases = [
        ("malformed.json", "{\"title\": ", "JSON 不完整"),
        ("unknown.json", r#"{"titel": "x"}"#, "titel"),
        ("doctype.json", r#"{"doc_type": "通令"}"#, "通令"),
        (
            "docnum.json",
            r#"{"doc_number": {"prefix": "鹤府", "year": 2026, "seq": 0}}"#,
            "文号",
        ),
        (
            "attach.json",
            r#"{"attachments": [{"name": "表格", "file": "missing.xlsx"}]}"#,
            "missing.xlsx",
        ),
    ];
    for (name, text, needle) in cases {
        let f = env.file(name, text);
        let err = env.fails(&["draft", "save", &id, "--from", s(&f)]);
        assert!(err.starts_with("错误："), "{err}");
        assert!(err.contains(needle), "{name}: {err}");
    }
    assert!(
        env.fails(&["draft", "new", "--from", "/no/such/file.json"])
            .contains("/no/such/file.json")
    );
    let history = env.ok(&["draft", "history", &id]);
    assert_eq!(
        history.lines().count(),
        2,
        "only the first version: {history}"
    );
}

#[test]
fn search_export_import() {
    let env = Env::new();
    let notice = env
        .ok(&[
            "draft",
            "new",
            "--from",
            s(&env.example("notice-full.json")),
        ])
        .trim()
        .to_owned();
    env.ok(&["draft", "new", "--from", s(&env.example("request-up.json"))]);
    let found = env.ok(&["search", "通知"]);
    assert!(
        found.contains("【通知】") && found.contains(&notice),
        "{found}"
    );
    assert!(env.ok(&["search", "不存在的词语"]).contains("没有找到"));
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["search", "安全生产", "--json"])).unwrap();
    assert_eq!(json[0]["draftId"], notice.as_str());

    let out = env.files.path().join("out.json");
    assert!(
        env.ok(&["export", &notice, "--output", s(&out)])
            .contains("已导出")
    );
    let imported = env.ok(&["import", s(&out)]).trim().to_owned();
    assert_ne!(imported, notice);
    assert_eq!(
        env.ok(&["draft", "show", &imported, "--json"]),
        env.ok(&["draft", "show", &notice, "--json"])
    );
}

#[test]
fn lint_a_file_and_a_draft() {
    let env = Env::new();
    let clean = env.example("request-up.json");
    let out = env.run(&["lint", s(&clean)]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{text}");
    let bad = env.file("bad.json", r#"{"doc_type": "请示", "direction": "up", "title": "关于申请资金的报告", "main_recipients": ["市政府", "市财政局"]}"#);
    let out = env.run(&["lint", s(&bad)]);
    assert!(!out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("错误") && text.contains("主送机关"), "{text}");
    let id = env
        .ok(&["draft", "new", "--from", s(&bad)])
        .trim()
        .to_owned();
    let out = env.run(&["lint", &id, "--json"]);
    assert!(!out.status.success());
    let findings: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        findings
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["element"]["field"] == "main_recipients"),
        "{findings}"
    );
}

#[test]
fn print_a_file_a_draft_and_a_form() {
    let env = Env::new();
    let example = env.example("notice-full.json");
    let pdf = env.files.path().join("notice.pdf");
    let out = env.ok(&["print", s(&example), "--output", s(&pdf)]);
    assert!(out.contains("已生成 PDF"), "{out}");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    let id = env
        .ok(&["draft", "new", "--from", s(&example)])
        .trim()
        .to_owned();
    let sheet = env.files.path().join("sheet.pdf");
    env.ok(&["print", &id, "--output", s(&sheet), "--form", "draft-sheet"]);
    assert!(std::fs::read(&sheet).unwrap().starts_with(b"%PDF"));
    let receipt = env.files.path().join("receipt.pdf");
    env.ok(&[
        "print",
        &id,
        "--output",
        s(&receipt),
        "--form",
        "receipt-sheet",
    ]);
    assert!(std::fs::read(&receipt).unwrap().starts_with(b"%PDF"));
}

#[test]
fn passphrase_store_without_a_keychain_entry() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let run = |pass: Option<&str>, args: &[&str]| {
        let mut c = Command::new(BIN);
        c.arg("--data-dir").arg(dir.path()).args(args);
        match pass {
            Some(p) => c.env("GONGWEN_PASSPHRASE", p),
            None => c.env_remove("GONGWEN_PASSPHRASE"),
        };
        c.output().unwrap()
    };
    let _ = &env;
    let out = run(Some("正确的口令一二三四"), &["init"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8(out.stdout).unwrap().contains("口令"));
    let out = run(None, &["status"]);
    assert!(String::from_utf8(out.stderr).unwrap().contains("口令"));
    let out = run(Some("错误的口令一二三四"), &["status"]);
    assert!(!out.status.success());
    assert!(String::from_utf8(out.stderr).unwrap().contains("不正确"));
    assert!(
        run(Some("正确的口令一二三四"), &["status"])
            .status
            .success()
    );
}
