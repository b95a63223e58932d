//! The app booted on Tauri's mock runtime (no display): the real config, capabilities and
//! command handlers, invoked through IPC exactly as the UI does.

use std::sync::Arc;

use gongwen_client::api::OpenOptions;
use gongwen_client::key::{Key, StaticKey};
use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{App, Manager, WebviewWindow, WebviewWindowBuilder};
use tempfile::TempDir;

use super::*;

fn open_store(dir: &TempDir) -> gongwen_client::Client {
    OpenOptions::new(dir.path())
        .create(true)
        .keys(Arc::new(StaticKey(Key::random().expect("random key"))))
        .user("张三")
        .open()
        .expect("store opens")
}

fn boot(state: AppState) -> App<MockRuntime> {
    app_builder(mock_builder(), state)
        .build(tauri::generate_context!())
        .expect("app builds")
}

/// The window `label`: the one tauri.conf.json declares ("main") is created by the app
/// itself; any other is built here.
fn window(app: &App<MockRuntime>, label: &str) -> WebviewWindow<MockRuntime> {
    app.get_webview_window(label).unwrap_or_else(|| {
        WebviewWindowBuilder::new(app, label, Default::default())
            .build()
            .expect("window builds")
    })
}

/// Invokes `cmd` with no arguments from `window`, as `@tauri-apps/api`'s `invoke` would.
fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str) -> Result<Value, Value> {
    invoke_with(window, cmd, InvokeBody::default())
}

fn invoke_with(
    window: &WebviewWindow<MockRuntime>,
    cmd: &str,
    body: InvokeBody,
) -> Result<Value, Value> {
    get_ipc_response(
        window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body,
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().expect("json body"))
}

#[test]
fn the_main_window_reads_counts_status_and_store_info() {
    let dir = TempDir::new().unwrap();
    let app = boot(AppState::with_client(open_store(&dir)));
    let main = window(&app, "main");

    assert_eq!(
        invoke(&main, "queue_counts"),
        Ok(json!({ "todo": 0, "done": 0, "toRead": 0, "drafts": 0 }))
    );
    assert_eq!(
        invoke(&main, "sync_status"),
        Ok(json!({
            "online": false, "state": "离线", "connected": false, "pending": 0, "rejected": 0,
            "lastSyncedAt": null, "progress": null, "lastError": null
        }))
    );

    let info = invoke(&main, "store_info").expect("store_info answers");
    assert_eq!(info["dataDir"], json!(dir.path().display().to_string()));
    assert_eq!(info["user"], json!("张三"));
    assert_eq!(info["appVersion"], json!(env!("CARGO_PKG_VERSION")));
    assert_eq!(info["schemaVersion"], info["latestSchemaVersion"]);
    assert!(
        info["schemaVersion"].as_i64().is_some_and(|v| v >= 1),
        "{info}"
    );
}

#[test]
fn a_store_that_did_not_open_answers_every_command_with_its_reason() {
    let dir = TempDir::new().unwrap();
    let reason = CommandError::from(gongwen_client::Error::SchemaTooNew {
        found: 99,
        supported: 1,
    });
    let app = boot(AppState::failed(dir.path().to_path_buf(), reason.clone()));
    let main = window(&app, "main");

    for cmd in ["queue_counts", "sync_status", "store_info"] {
        let error = invoke(&main, cmd).expect_err(cmd);
        assert_eq!(
            error,
            json!({ "code": "schema_too_new", "message": reason.message }),
            "{cmd}"
        );
    }
}

#[test]
fn windows_without_a_capability_cannot_call_commands() {
    let dir = TempDir::new().unwrap();
    let app = boot(AppState::with_client(open_store(&dir)));
    let other = window(&app, "other");

    let error = invoke(&other, "queue_counts").expect_err("denied by the ACL");
    assert!(
        error.as_str().is_some_and(|e| e.contains("not allowed")),
        "{error}"
    );
}

#[test]
fn the_real_app_state_reports_an_unwritable_data_dir() {
    // A data folder below a regular file can never be created.
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, b"x").unwrap();
    let state = AppState::open_patiently(file.join("data"), std::time::Duration::from_secs(60));
    let error = state.client().expect_err("cannot open");
    assert_eq!(error.code, ErrorCode::StoreUnavailable);
    assert!(!error.message.is_empty());
}

#[test]
fn drafts_are_listed_newest_first_with_their_version() {
    let dir = TempDir::new().unwrap();
    let client = open_store(&dir);
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples");
    client
        .import_document(&examples.join("letter.json"))
        .expect("import letter");
    client
        .import_document(&examples.join("notice-full.json"))
        .expect("import notice");
    let app = boot(AppState::with_client(client));
    let main = window(&app, "main");

    let rows = invoke_with(
        &main,
        "list_drafts",
        InvokeBody::Json(json!({ "limit": 50, "offset": 0 })),
    )
    .expect("list_drafts answers");
    let rows = rows.as_array().expect("an array");
    assert_eq!(rows.len(), 2, "{rows:?}");
    for row in rows {
        assert_eq!(row["version"], json!(1));
        assert_eq!(row["createdBy"], json!("张三"));
        assert!(
            row["title"].as_str().is_some_and(|t| !t.is_empty()),
            "{row}"
        );
    }
    assert_eq!(
        invoke(&main, "queue_counts").expect("counts")["drafts"],
        json!(2)
    );

    // A page past the end is empty, not an error.
    let past = invoke_with(
        &main,
        "list_drafts",
        InvokeBody::Json(json!({ "limit": 50, "offset": 10 })),
    );
    assert_eq!(past, Ok(json!([])));
}

#[test]
fn list_drafts_without_its_arguments_is_refused() {
    let dir = TempDir::new().unwrap();
    let app = boot(AppState::with_client(open_store(&dir)));
    let main = window(&app, "main");
    assert!(invoke(&main, "list_drafts").is_err());
}

#[test]
fn the_main_window_is_titled_and_sized_for_office_screens() {
    let dir = TempDir::new().unwrap();
    let app = boot(AppState::with_client(open_store(&dir)));
    let windows = &app.config().app.windows;
    assert_eq!(windows.len(), 1);
    let main = &windows[0];
    assert_eq!(main.label, "main");
    assert_eq!(main.title, "公文通");
    // It fits a 1366×768 office screen with its taskbar.
    assert_eq!((main.width, main.height), (1280.0, 720.0));
    assert_eq!(
        (main.min_width, main.min_height),
        (Some(1024.0), Some(600.0))
    );
}

// ---------------------------------------------------------------------------
// Workflow, drafts, printing and the outbox, through IPC
// ---------------------------------------------------------------------------

const ORGAN: &str = "鹤山市人民政府办公室";

/// A store with a small office directory in which 李明 drafted and sent one 通知 for
/// review, opened as 张三, whose 待办 it is now.
fn store_with_a_task(dir: &TempDir) -> gongwen_client::Client {
    use gongwen_client::flow::Person;
    let mut client = OpenOptions::new(dir.path())
        .create(true)
        .keys(Arc::new(StaticKey(Key::random().expect("random key"))))
        .user("李明")
        .open()
        .expect("store opens");
    for (name, roles) in [
        ("李明", vec![]),
        ("张三", vec!["部门负责人"]),
        ("王五", vec!["办公室主任"]),
        ("赵六", vec!["分管领导"]),
        ("钱七", vec!["核稿人"]),
        ("孙八", vec!["文书"]),
        ("周九", vec!["文印"]),
    ] {
        client
            .add_person(&Person {
                id: name.into(),
                name: name.into(),
                organ: ORGAN.into(),
                dept: "办公室".into(),
                roles: roles.into_iter().map(String::from).collect(),
            })
            .expect("person added");
    }
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples");
    let draft = client
        .import_document(&examples.join("notice-full.json"))
        .expect("import notice");
    client
        .submit_draft(&draft.draft_id, None)
        .expect("submitted");
    client.set_user_name("张三").expect("switch user");
    client
}

fn json_body(value: Value) -> InvokeBody {
    InvokeBody::Json(value)
}

#[test]
fn a_task_is_listed_opened_approved_and_moves_to_done() {
    let dir = TempDir::new().unwrap();
    let app = boot(AppState::with_client(store_with_a_task(&dir)));
    let main = window(&app, "main");

    let page = invoke_with(
        &main,
        "queue",
        json_body(json!({ "name": "todo", "query": {}, "offset": 0, "limit": 50 })),
    )
    .expect("queue answers");
    let rows = page["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 1, "{page}");
    assert_eq!(page["hasMore"], json!(false));
    let row = &rows[0];
    assert_eq!(row["stepName"], json!("审核"));
    assert_eq!(row["docType"], json!("通知"));
    assert_eq!(row["urgency"], json!("特急"));
    assert_eq!(row["pendingSync"], json!(true));
    let task_id = row["taskId"].as_str().expect("a task id").to_owned();

    let counts = invoke(&main, "flow_counts").expect("flow_counts");
    assert_eq!(counts["todo"], json!(1));
    assert_eq!(counts["toRead"], json!(0));

    let task = invoke_with(&main, "task_view", json_body(json!({ "taskId": task_id })))
        .expect("task_view answers");
    let actions: Vec<&str> = task["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .map(|a| a["action"].as_str().expect("action name"))
        .collect();
    assert!(actions.contains(&"approve"), "{actions:?}");
    assert!(actions.contains(&"return"), "{actions:?}");
    assert!(task["document"]["title"].as_str().is_some(), "{task}");
    let steps = task["flow"]["steps"].as_array().expect("steps");
    assert_eq!(steps[0]["name"], json!("起草"));
    assert_eq!(steps[0]["state"], json!("done"));
    assert_eq!(steps[1]["state"], json!("current"));
    assert_eq!(task["returnTargets"][0]["name"], json!("起草"));
    let hash = task["contentHash"].as_str().expect("hash").to_owned();

    // 同意 without the hash of the text read is refused, plainly, and nothing changes.
    let refused = invoke_with(
        &main,
        "act",
        json_body(json!({ "request": { "taskId": task_id, "action": "approve", "opinion": "同意。", "contentHash": "sha256:0000" } })),
    )
    .expect_err("a stale hash is refused");
    assert_eq!(refused["code"], json!("refused"), "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty() && !m.is_ascii()),
        "{refused}"
    );

    let done = invoke_with(
        &main,
        "act",
        json_body(json!({ "request": { "taskId": task_id, "action": "approve", "opinion": "同意，请王主任审核。", "contentHash": hash } })),
    )
    .expect("approve answers");
    assert_eq!(done["action"], json!("同意"));
    assert!(
        done["nowAt"].as_str().is_some_and(|n| n.contains("王五")),
        "{done}"
    );

    let todo = invoke_with(
        &main,
        "queue",
        json_body(json!({ "name": "todo", "offset": 0, "limit": 50 })),
    )
    .expect("todo");
    assert_eq!(todo["rows"], json!([]));
    let done_page = invoke_with(
        &main,
        "queue",
        json_body(
            json!({ "name": "done", "query": { "docType": "通知" }, "offset": 0, "limit": 50 }),
        ),
    )
    .expect("done");
    assert_eq!(
        done_page["rows"][0]["opinion"],
        json!("同意，请王主任审核。")
    );
    assert_eq!(done_page["rows"][0]["pendingSync"], json!(true));

    // Acting again on a finished task is refused.
    let again = invoke_with(
        &main,
        "act",
        json_body(
            json!({ "request": { "taskId": task_id, "action": "approve", "contentHash": hash } }),
        ),
    )
    .expect_err("already handled");
    assert_eq!(again["code"], json!("refused"), "{again}");

    // A task that does not exist.
    let missing = invoke_with(&main, "task_view", json_body(json!({ "taskId": "nope" })))
        .expect_err("unknown task");
    assert_eq!(missing["code"], json!("not_found"), "{missing}");
}

#[test]
fn a_refused_action_is_listed_with_its_reason_and_can_be_discarded() {
    let dir = TempDir::new().unwrap();
    let app = boot(AppState::with_client(store_with_a_task(&dir)));
    let main = window(&app, "main");
    let task = invoke_with(
        &main,
        "queue",
        json_body(json!({ "name": "todo", "offset": 0, "limit": 1 })),
    )
    .expect("todo")["rows"][0]
        .clone();
    let task_id = task["taskId"].as_str().unwrap().to_owned();
    let view = invoke_with(&main, "task_view", json_body(json!({ "taskId": task_id }))).unwrap();
    let done = invoke_with(
        &main,
        "act",
        json_body(json!({ "request": { "taskId": task_id, "action": "approve", "opinion": "同意。", "contentHash": view["contentHash"] } })),
    )
    .unwrap();
    let seq = done["seq"].as_i64().unwrap();

    let outbox = invoke(&main, "outbox").expect("outbox");
    let labels: Vec<&str> = outbox
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"送审"), "{outbox}");
    assert!(labels.contains(&"同意"), "{outbox}");
    assert_eq!(invoke(&main, "rejected_actions"), Ok(json!([])));

    // The server refuses the 同意 (as sync would record it).
    app.state::<AppState>()
        .client()
        .unwrap()
        .reject_command(seq, "TASK_COMPLETED", "该任务已由他人办理")
        .expect("recorded as refused");
    let refused = invoke(&main, "rejected_actions").expect("rejected_actions");
    let refused = refused.as_array().unwrap();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0]["reason"], json!("该任务已由他人办理"));
    assert_eq!(refused[0]["opinion"], json!("同意。"));
    assert_eq!(refused[0]["actionLabel"], json!("同意"));
    assert_eq!(invoke(&main, "flow_counts").unwrap()["rejected"], json!(1));

    assert_eq!(
        invoke_with(&main, "discard_rejected", json_body(json!({ "seq": seq }))),
        Ok(Value::Null)
    );
    assert_eq!(invoke(&main, "rejected_actions"), Ok(json!([])));
    // Discarding what was not refused says so.
    let error =
        invoke_with(&main, "discard_rejected", json_body(json!({ "seq": seq }))).expect_err("gone");
    assert_eq!(error["code"], json!("not_found"), "{error}");
}

#[test]
fn a_draft_is_created_saved_versioned_compared_and_linted() {
    let dir = TempDir::new().unwrap();
    let app = boot(AppState::with_client(open_store(&dir)));
    let main = window(&app, "main");

    let first = invoke_with(
        &main,
        "create_draft",
        json_body(json!({ "document": { "doc_type": "通知", "title": "关于做好值班工作的通知" } })),
    )
    .expect("create_draft");
    assert_eq!(first["version"], json!(1));
    let id = first["draftId"].as_str().unwrap().to_owned();

    let second = invoke_with(
        &main,
        "save_draft",
        json_body(json!({ "draftId": id, "document": { "doc_type": "通知", "title": "关于做好元旦值班工作的通知" }, "baseVersion": 1 })),
    )
    .expect("save_draft");
    assert_eq!(second["version"], json!(2));
    assert_eq!(second["unchanged"], json!(false));

    let opened = invoke_with(&main, "open_draft", json_body(json!({ "draftId": id }))).unwrap();
    assert_eq!(opened["headVersion"], json!(2));
    assert_eq!(
        opened["document"]["title"],
        json!("关于做好元旦值班工作的通知")
    );
    assert_eq!(opened["document"]["doc_type"], json!("通知"));

    let history = invoke_with(&main, "draft_history", json_body(json!({ "draftId": id }))).unwrap();
    assert_eq!(history[0]["version"], json!(2));
    assert_eq!(history[1]["version"], json!(1));
    assert_eq!(history[0]["author"], json!("张三"));

    let cmp = invoke_with(
        &main,
        "compare_versions",
        json_body(json!({ "draftId": id, "from": 1, "to": 2 })),
    )
    .unwrap();
    let change = &cmp["changes"][0];
    assert_eq!(change["field"], json!("title"));
    assert_eq!(change["element"], json!("标题"));
    let inserted: String = change["pieces"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == json!("insert"))
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert!(inserted.contains("元旦"), "{cmp}");

    // An unknown field is refused with its name.
    let bad = invoke_with(
        &main,
        "save_draft",
        json_body(json!({ "draftId": id, "document": { "titel": "x" } })),
    )
    .expect_err("unknown field");
    assert!(bad.to_string().contains("titel"), "{bad}");

    // Lint: a 请示 with two 主送机关 is an error on main_recipients.
    let findings = invoke_with(
        &main,
        "lint_document",
        json_body(json!({ "document": {
            "doc_type": "请示", "direction": "up", "title": "关于申请经费的请示",
            "main_recipients": ["市财政局", "市发改局"], "body": "特此请示。"
        } })),
    )
    .expect("lint_document");
    let findings = findings.as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["field"] == json!("main_recipients")
                && f["severity"] == json!("error")
                && f["message"].as_str().is_some_and(|m| !m.is_empty())),
        "{findings:?}"
    );

    assert_eq!(
        invoke_with(&main, "delete_draft", json_body(json!({ "draftId": id }))),
        Ok(Value::Null)
    );
    let gone =
        invoke_with(&main, "open_draft", json_body(json!({ "draftId": id }))).expect_err("deleted");
    assert_eq!(gone["code"], json!("not_found"));
}

#[test]
fn a_document_prints_to_pdf_bytes() {
    let dir = TempDir::new().unwrap();
    let app = boot(AppState::with_client(open_store(&dir)));
    let main = window(&app, "main");
    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples/letter.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let response = get_ipc_response(
        &main,
        InvokeRequest {
            cmd: "print_pdf".into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: json_body(json!({ "document": doc })),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .expect("print_pdf answers");
    match response {
        tauri::ipc::InvokeResponseBody::Raw(bytes) => {
            assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
            assert!(bytes.len() > 1000);
        }
        other => panic!("expected raw PDF bytes, got {other:?}"),
    }
}

#[test]
fn route_names_lists_the_outgoing_routes() {
    let dir = TempDir::new().unwrap();
    let app = boot(AppState::with_client(open_store(&dir)));
    let main = window(&app, "main");
    let names = invoke(&main, "route_names").expect("route_names");
    let names: Vec<&str> = names
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(names.contains(&"发文（一般）"), "{names:?}");
    assert!(!names.iter().any(|n| n.starts_with("收文")), "{names:?}");
}

#[test]
fn a_passphrase_store_is_locked_until_the_right_passphrase_is_given() {
    use gongwen_client::key::{KdfParams, PassphraseKeys};
    let dir = TempDir::new().unwrap();
    let cheap = KdfParams {
        m_cost: 1024,
        t_cost: 1,
        p_cost: 1,
    };
    let keys = PassphraseKeys::with_params("县政府办公室口令", cheap).unwrap();
    drop(
        OpenOptions::new(dir.path())
            .create(true)
            .keys(Arc::new(keys))
            .user("张三")
            .open()
            .unwrap(),
    );
    let locked = CommandError::from(gongwen_client::Error::PassphraseRequired);
    let app = boot(AppState::failed(dir.path().to_path_buf(), locked));
    let main = window(&app, "main");

    let lock = invoke(&main, "store_lock").unwrap();
    assert_eq!(lock["kind"], "passphrase_required", "{lock}");
    assert_eq!(lock["minPassphraseChars"], 8);
    assert_eq!(
        invoke(&main, "queue_counts").unwrap_err()["code"],
        "store_locked"
    );

    // Too short, then wrong: refused in words, still locked.
    let short = invoke_with(
        &main,
        "unlock_store",
        json_body(json!({ "passphrase": "短" })),
    );
    let short = short.unwrap_err();
    assert_eq!(short["code"], "store_locked", "{short}");
    assert!(short["message"].as_str().unwrap().contains("8"), "{short}");
    let wrong = invoke_with(
        &main,
        "unlock_store",
        json_body(json!({ "passphrase": "不是这个口令啊啊" })),
    )
    .unwrap_err();
    assert!(
        wrong["message"].as_str().unwrap().contains("口令不正确"),
        "{wrong}"
    );
    assert_eq!(
        invoke(&main, "store_lock").unwrap()["kind"],
        "passphrase_required"
    );

    invoke_with(
        &main,
        "unlock_store",
        json_body(json!({ "passphrase": "县政府办公室口令" })),
    )
    .unwrap();
    assert_eq!(invoke(&main, "store_lock"), Ok(Value::Null));
    assert_eq!(invoke(&main, "queue_counts").unwrap()["drafts"], 0);
    let state = app.state::<AppState>();
    // Later reopenings (after a login) use the same key, without asking again.
    let reopened = state.reopen().unwrap().store_about().unwrap();
    assert_eq!(
        reopened.key_source,
        gongwen_client::key::KeySource::Passphrase
    );
}

#[test]
fn without_a_keychain_and_without_a_store_a_passphrase_is_offered() {
    let dir = TempDir::new().unwrap();
    let locked = CommandError::from(gongwen_client::Error::KeychainUnavailable {
        reason: "no dbus".into(),
    });
    let app = boot(AppState::failed(dir.path().to_path_buf(), locked));
    let main = window(&app, "main");
    let lock = invoke(&main, "store_lock").unwrap();
    assert_eq!(lock["kind"], "no_keychain", "{lock}");
    assert!(
        lock["message"].as_str().unwrap().contains("钥匙串"),
        "{lock}"
    );
}

#[test]
fn a_store_that_opens_slowly_says_so_until_it_is_open_then_answers() {
    let dir = TempDir::new().unwrap();
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    let (told_tx, told_rx) = std::sync::mpsc::channel::<()>();
    let data_dir = dir.path().to_path_buf();
    let state = AppState::open_patiently_with(
        dir.path().to_path_buf(),
        std::time::Duration::from_millis(20),
        move |observer| {
            // Still opening: the key, say. Then an upgrade of two steps, the first one slow.
            go_rx.recv().unwrap();
            observer(gongwen_client::api::UpgradeStep {
                step: 1,
                steps: 2,
                name: "0010_flow_rows",
            });
            told_tx.send(()).unwrap();
            go_rx.recv().unwrap();
            OpenOptions::new(&data_dir)
                .create(true)
                .keys(Arc::new(StaticKey(Key::random().expect("random key"))))
                .user("张三")
                .open()
        },
    );
    // The start did not wait for it.
    assert!(!state.is_opened());
    let app = boot(state);
    let main = window(&app, "main");

    let error = invoke(&main, "queue_counts").expect_err("still opening");
    assert_eq!(error["code"], json!("store_opening"));
    assert_eq!(error["message"], json!("正在打开本地数据，请稍候…"));

    go_tx.send(()).unwrap();
    told_rx.recv().unwrap();
    let error = invoke(&main, "setup_status").expect_err("upgrading");
    assert_eq!(error["code"], json!("store_opening"));
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with("正在升级本地数据（第 1/2 步）"),
        "{message}"
    );

    go_tx.send(()).unwrap();
    let state = app.state::<AppState>();
    tauri::async_runtime::block_on(state.wait_opened());
    assert!(state.is_opened());
    assert_eq!(
        invoke(&main, "queue_counts"),
        Ok(json!({ "todo": 0, "done": 0, "toRead": 0, "drafts": 0 }))
    );
}

#[test]
fn a_store_that_opens_at_once_is_open_when_the_start_goes_on() {
    let dir = TempDir::new().unwrap();
    let data_dir = dir.path().to_path_buf();
    let state = AppState::open_patiently_with(
        dir.path().to_path_buf(),
        std::time::Duration::from_secs(60),
        move |_| {
            OpenOptions::new(&data_dir)
                .create(true)
                .keys(Arc::new(StaticKey(Key::random().expect("random key"))))
                .open()
        },
    );
    assert!(state.is_opened());
    assert!(state.client().is_ok());
}
