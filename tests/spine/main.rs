//! The spine, end to end across crates: the real `gongwen-server` on 127.0.0.1:0
//! against a fresh database in the throwaway PostgreSQL, spoken to over HTTP by the
//! same HTTP stack the client uses, and a real encrypted client store beside it.

use std::sync::Arc;

use gongwen_client::api::OpenOptions;
use gongwen_client::key::{Key, StaticKey};
use gongwen_protocol::Health;
use gongwen_server::Settings;
use gongwen_testkit::TestPostgres;
use tokio::sync::oneshot;

/// How many server migrations the repository holds: the schema version a freshly
/// migrated database must report.
fn server_migration_count() -> i64 {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations/server");
    std::fs::read_dir(dir)
        .expect("migrations/server exists")
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "sql")
        })
        .count() as i64
}

struct Server {
    base: String,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<gongwen_server::Result<()>>,
}

async fn start_server() -> Server {
    let db = TestPostgres::shared().fresh_database();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(gongwen_server::launch(Settings::new(db), listener, async {
        let _ = rx.await;
    }));
    Server {
        base,
        stop: Some(tx),
        task,
    }
}

impl Server {
    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.task.await.unwrap().expect("server stops cleanly");
    }
}

/// An HTTP client with the same TLS stack the desktop client uses (rustls + ring).
fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

async fn get_when_up(http: &reqwest::Client, url: &str) -> reqwest::Response {
    for _ in 0..200 {
        if let Ok(r) = http.get(url).send().await {
            return r;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("server at {url} never answered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_reports_health_and_current_migrations() {
    let server = start_server().await;
    let http = http();

    let health = get_when_up(&http, &format!("{}/v1/health", server.base)).await;
    assert_eq!(health.status(), 200);
    let health: Health = health.json().await.unwrap();
    assert_eq!(health.status, "ok");
    assert_eq!(health.database, "ok");
    assert_eq!(health.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(health.protocol, gongwen_protocol::PROTOCOL_VERSION);
    assert_eq!(health.schema_version, server_migration_count());

    let ready = http
        .get(format!("{}/v1/ready", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200, "{}", ready.text().await.unwrap());

    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_routes_answer_with_a_coded_error() {
    let server = start_server().await;
    let http = http();
    let r = get_when_up(&http, &format!("{}/v1/no-such-thing", server.base)).await;
    assert_eq!(r.status(), 404);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["code"].is_string(), "{body}");
    assert!(body["message"].is_string(), "{body}");
    server.stop().await;
}

#[test]
fn a_new_client_store_is_at_the_latest_schema_and_empty() {
    let dir = tempfile::tempdir().unwrap();
    let client = OpenOptions::new(dir.path().join("data"))
        .create(true)
        .keys(Arc::new(StaticKey(Key::from_bytes([7; 32]))))
        .user("张三")
        .open()
        .unwrap();
    let counts = client.queue_counts().unwrap();
    assert_eq!(counts.todo, 0);
    let sync = client.sync_status().unwrap();
    assert_eq!(sync.pending, 0);
    assert!(!sync.online);
    let info = client.store_info().unwrap();
    assert_eq!(info.about.schema_version, info.about.latest_schema_version);
    assert_eq!(info.drafts, 0);
}
