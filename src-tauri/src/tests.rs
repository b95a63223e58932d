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
        Ok(json!({ "online": false, "pending": 0, "lastSyncedAt": null }))
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
    let state = AppState::open(file.join("data"));
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
    assert_eq!((main.width, main.height), (1280.0, 800.0));
    assert_eq!(
        (main.min_width, main.min_height),
        (Some(1024.0), Some(640.0))
    );
}
