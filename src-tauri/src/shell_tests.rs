//! First run, login, settings and 关于 through IPC on Tauri's mock runtime, against a
//! small stand-in server on 127.0.0.1 that answers `/v1/health` and `/v1/auth/*` the
//! way gongwen-server does (the sync endpoints answer 503, so the service just waits).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;

use gongwen_client::api::OpenOptions;
use gongwen_client::key::{Key, StaticKey};
use gongwen_client::sync::MemoryTokens;
use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{App, Manager, WebviewWindow, WebviewWindowBuilder};
use tempfile::TempDir;

use super::*;

const PASSWORD: &str = "秘密口令-2026";
const REFRESH: &str = "refresh-token-that-must-never-leak";

/// A store whose key is `key`, and a state that reopens it with the same key.
fn state_for(dir: &TempDir, key: &Key) -> AppState {
    let open = {
        let key = key.clone();
        move |path: &std::path::Path| {
            OpenOptions::new(path)
                .create(true)
                .keys(Arc::new(StaticKey(key.clone())))
                .open()
        }
    };
    let client = open(dir.path()).expect("store opens");
    AppState::with_client(client)
        .opener(Box::new(open))
        .token_store(Arc::new(MemoryTokens::default()))
}

fn boot(state: AppState) -> (App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let app = app_builder(mock_builder(), state)
        .build(tauri::generate_context!())
        .expect("app builds");
    // The mock runtime does not open the configured window itself.
    let main = app.get_webview_window("main").unwrap_or_else(|| {
        WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("window builds")
    });
    (app, main)
}

fn call(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().expect("json body"))
}

/// Answers HTTP requests until the test ends: health, login (张三 / [`PASSWORD`]),
/// logout; 503 for anything else.
fn stand_in_server(protocol: u32) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0u8; length];
            let _ = reader.read_exact(&mut body);
            let path = request_line.split_whitespace().nth(1).unwrap_or("");
            let (status, answer) = match path {
                "/v1/health" => (
                    "200 OK",
                    json!({ "status": "ok", "version": "9.9.9", "protocol": protocol, "database": "ok", "schema_version": 7 }),
                ),
                "/v1/auth/login" => {
                    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    if request["password"] == json!(PASSWORD) {
                        (
                            "200 OK",
                            json!({
                                "access_token": "access", "access_expires_in": 900,
                                "refresh_token": REFRESH, "refresh_expires_in": 86400,
                                "user": { "user_id": 1, "login": "zhangsan", "display_name": "张三",
                                          "organ": "鹤政办", "roles": [] }
                            }),
                        )
                    } else {
                        (
                            "401 Unauthorized",
                            json!({ "code": "bad_credentials", "message": "用户名或密码不正确" }),
                        )
                    }
                }
                "/v1/auth/logout" => ("204 No Content", Value::Null),
                _ => (
                    "503 Service Unavailable",
                    json!({ "code": "unavailable", "message": "维护中" }),
                ),
            };
            let text = if answer.is_null() {
                String::new()
            } else {
                answer.to_string()
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    address
}

#[test]
fn a_new_empty_profile_asks_for_setup_until_offline_trial_is_chosen() {
    let dir = TempDir::new().unwrap();
    let key = Key::random().unwrap();
    let (_app, main) = boot(state_for(&dir, &key));

    let status = call(&main, "setup_status", json!({})).unwrap();
    assert_eq!(status["needsSetup"], json!(true), "{status}");
    assert_eq!(status["account"], Value::Null);

    let status = call(&main, "start_offline", json!({})).unwrap();
    assert_eq!(status["needsSetup"], json!(false));
    assert_eq!(status["profile"], json!("local"));
    assert_eq!(
        call(&main, "sync_now", json!({})).unwrap_err()["code"],
        json!("refused"),
        "nothing to sync with offline"
    );
    drop((_app, main));

    // The choice is remembered for the next start.
    let (_app, main) = boot(state_for(&dir, &key));
    let status = call(&main, "setup_status", json!({})).unwrap();
    assert_eq!(status["needsSetup"], json!(false));
}

#[test]
fn a_store_that_already_holds_work_opens_without_setup() {
    let dir = TempDir::new().unwrap();
    let key = Key::random().unwrap();
    let state = state_for(&dir, &key);
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples");
    state
        .client()
        .unwrap()
        .import_document(&examples.join("letter.json"))
        .unwrap();
    let (_app, main) = boot(state);
    assert_eq!(
        call(&main, "setup_status", json!({})).unwrap()["needsSetup"],
        json!(false)
    );
}

#[test]
fn the_connection_test_reports_versions_or_says_what_is_wrong() {
    let dir = TempDir::new().unwrap();
    let (_app, main) = boot(state_for(&dir, &Key::random().unwrap()));

    let server = stand_in_server(gongwen_protocol::PROTOCOL_VERSION);
    let check = call(
        &main,
        "check_server",
        json!({ "server": server, "caFile": null }),
    )
    .unwrap();
    assert_eq!(check["compatible"], json!(true), "{check}");
    assert_eq!(check["serverVersion"], json!("9.9.9"));
    assert_eq!(check["databaseOk"], json!(true));
    assert!(
        check["message"].as_str().unwrap().starts_with("连接成功"),
        "{check}"
    );

    let newer = stand_in_server(gongwen_protocol::PROTOCOL_VERSION + 1);
    let check = call(&main, "check_server", json!({ "server": newer })).unwrap();
    assert_eq!(check["compatible"], json!(false), "{check}");
    assert!(
        check["message"].as_str().unwrap().contains("升级"),
        "{check}"
    );

    // Nobody listens on port 1.
    let error = call(
        &main,
        "check_server",
        json!({ "server": "http://127.0.0.1:1" }),
    )
    .unwrap_err();
    assert_eq!(error["code"], json!("offline"), "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with("无法连接服务器 http://127.0.0.1:1"),
        "{error}"
    );

    let error = call(&main, "check_server", json!({ "server": "  " })).unwrap_err();
    assert_eq!(error["code"], json!("invalid_input"));
    let error = call(&main, "check_server", json!({ "server": "oa.example" })).unwrap_err();
    assert_eq!(error["code"], json!("offline"), "{error}");
    let error = call(
        &main,
        "check_server",
        json!({ "server": server, "caFile": "/nonexistent/ca.pem" }),
    )
    .unwrap_err();
    assert_eq!(error["code"], json!("invalid_input"), "{error}");
}

#[test]
fn login_switches_to_the_user_starts_sync_and_logout_returns_to_setup() {
    let dir = TempDir::new().unwrap();
    let (app, main) = boot(state_for(&dir, &Key::random().unwrap()));
    let server = stand_in_server(gongwen_protocol::PROTOCOL_VERSION);

    let wrong = call(
        &main,
        "login",
        json!({ "server": server, "login": "zhangsan", "password": "wrong", "caFile": null }),
    )
    .unwrap_err();
    assert_eq!(wrong["code"], json!("unauthorized"), "{wrong}");
    assert_eq!(wrong["message"], json!("用户名或密码不正确。请重新输入。"));
    assert!(app.state::<AppState>().sync().is_none());

    let empty = call(
        &main,
        "login",
        json!({ "server": server, "login": "zhangsan", "password": "" }),
    )
    .unwrap_err();
    assert_eq!(empty["code"], json!("invalid_input"));

    let account = call(
        &main,
        "login",
        json!({ "server": server, "login": " zhangsan ", "password": PASSWORD }),
    )
    .unwrap();
    assert_eq!(account["login"], json!("zhangsan"));
    assert_eq!(account["display"], json!("张三"));
    assert_eq!(account["serverUrl"], json!(server));

    let state = app.state::<AppState>();
    assert_eq!(
        state.client().unwrap().user(),
        "zhangsan",
        "the store works as the new user"
    );
    assert!(state.sync().is_some(), "the sync service runs");
    let status = call(&main, "setup_status", json!({})).unwrap();
    assert_eq!(status["needsSetup"], json!(false));
    assert_eq!(status["profile"], json!("server"));
    assert_eq!(status["user"], json!("zhangsan"));
    assert_eq!(
        call(&main, "sync_status", json!({})).unwrap()["connected"],
        json!(true)
    );
    assert!(call(&main, "sync_now", json!({})).is_ok());

    // Diagnostics hold no secrets.
    let archive = dir.path().join("诊断信息.tar.gz");
    let size = call(
        &main,
        "export_diagnostics",
        json!({ "path": archive.display().to_string() }),
    )
    .unwrap();
    assert!(size.as_u64().unwrap() > 100);
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&archive).unwrap())
        .read_to_end(&mut tar)
        .unwrap();
    let text = String::from_utf8_lossy(&tar);
    for name in [
        "README.txt",
        "about.json",
        "store.json",
        "settings.json",
        "fonts.txt",
        "printers.json",
    ] {
        assert!(
            text.contains(&format!("gongwen-diagnostics/{name}")),
            "{name} missing"
        );
    }
    assert!(text.contains(&server), "the server address helps support");
    assert!(!text.contains(PASSWORD), "the password leaked");
    assert!(!text.contains(REFRESH), "the refresh token leaked");

    let status = call(&main, "logout", json!({})).unwrap();
    assert_eq!(status["needsSetup"], json!(true), "{status}");
    assert_eq!(status["account"], Value::Null);
    assert_eq!(
        status["serverUrl"],
        json!(server),
        "the address stays filled in"
    );
    assert!(state.sync().is_none());
}

#[test]
fn settings_are_saved_checked_and_about_tells_the_versions() {
    let dir = TempDir::new().unwrap();
    let (_app, main) = boot(state_for(&dir, &Key::random().unwrap()));

    let settings = call(&main, "get_settings", json!({})).unwrap();
    assert_eq!(settings["copies"], json!(1));
    assert_eq!(settings["fontSize"], json!("normal"));

    let update = json!({ "update": {
        "printer": "HP_LaserJet", "copies": 2, "syncIntervalSecs": 300,
        "fontSize": "large", "notifications": false
    }});
    let saved = call(&main, "save_settings", update).unwrap();
    assert_eq!(saved["printer"], json!("HP_LaserJet"));
    assert_eq!(saved["fontSize"], json!("large"));
    assert_eq!(call(&main, "get_settings", json!({})).unwrap(), saved);
    assert_eq!(
        crate::settings::Settings::load(dir.path()).copies,
        2,
        "saved to disk"
    );

    let refused = call(
        &main,
        "save_settings",
        json!({ "update": { "printer": null, "copies": 0, "syncIntervalSecs": 300, "fontSize": "normal", "notifications": true }}),
    )
    .unwrap_err();
    assert_eq!(refused["code"], json!("invalid_input"));
    assert_eq!(
        call(&main, "get_settings", json!({})).unwrap(),
        saved,
        "nothing changed"
    );

    let about = call(&main, "about", json!({})).unwrap();
    assert_eq!(about["appVersion"], json!(env!("CARGO_PKG_VERSION")));
    assert_eq!(
        about["protocolVersion"],
        json!(gongwen_protocol::PROTOCOL_VERSION)
    );
    assert_eq!(about["dataDir"], json!(dir.path().display().to_string()));
    assert!(about["storeSchemaVersion"].as_i64().unwrap() >= 1);

    let fonts = call(&main, "fonts", json!({})).unwrap();
    assert_eq!(fonts["roles"].as_array().unwrap().len(), 5, "{fonts}");
    let printers = call(&main, "printers", json!({})).unwrap();
    assert!(
        printers["printers"]
            .as_array()
            .is_some_and(|p| !p.is_empty())
            || printers["problem"].is_string(),
        "{printers}"
    );
}
