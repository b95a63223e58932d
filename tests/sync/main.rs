//! Sync end to end: real clients (the `gongwen-client` engine over its HTTP transport,
//! with login and token refresh) and the real `gongwen-server` on PostgreSQL. The
//! drafter drafts and submits offline, two reviewers approve on their own devices, and
//! every device converges (the checksums of every pulled page match the server's).

use std::sync::Arc;

use gongwen_client::Client;
use gongwen_client::api::OpenOptions;
use gongwen_client::key::{Key, StaticKey};
use gongwen_client::sync::{self, Engine, HttpTransport, MemoryTokens, SyncReport, TokenStore};
use gongwen_protocol::directory::{
    NewDepartment, NewOrgan, NewPosition, NewUser, OrganLevel, Role,
};
use gongwen_server::Settings;
use gongwen_testkit::TestPostgres;
use tokio::sync::oneshot;

const PASSWORD: &str = "correct horse battery staple";

mod account;
mod chain;
mod cli;
mod cli_kill;
mod reminders;

struct Server {
    base: String,
    /// The server's database (connection string), for seeding and for checking its state.
    db: String,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<gongwen_server::Result<()>>,
}

impl Server {
    async fn start() -> Server {
        let db = TestPostgres::shared().fresh_database();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(gongwen_server::launch(
            Settings::new(db.clone()),
            listener,
            async {
                let _ = rx.await;
            },
        ));
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::new();
        for _ in 0..600 {
            if let Ok(r) = http.get(format!("{base}/v1/health")).send().await
                && r.status() == 200
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        seed(&db).await;
        Server {
            base,
            db,
            stop: Some(tx),
            task,
        }
    }

    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.task.await.unwrap().expect("server stops cleanly");
    }
}

/// 鹤府办 with the people the standard 发文 route needs.
async fn seed(db: &str) {
    use gongwen_server::directory;
    let pool = gongwen_server::db::connect(db, 2).await.unwrap();
    let c = pool.get().await.unwrap();
    directory::create_organ(
        &c,
        &NewOrgan {
            name: "鹤山市人民政府办公室".into(),
            code: "鹤府办".into(),
            level: OrganLevel::City,
            parent: None,
        },
    )
    .await
    .unwrap();
    directory::create_department(
        &c,
        &NewDepartment {
            organ: "鹤府办".into(),
            name: "综合科".into(),
        },
    )
    .await
    .unwrap();
    let hash = gongwen_server::auth::password::hash(PASSWORD).unwrap();
    for (login, name, roles, position) in [
        ("zhang", "张三", vec![Role::Drafter], None),
        ("li", "李四", vec![Role::Drafter], Some("部门负责人")),
        ("wang", "王五", vec![Role::Drafter], Some("办公室主任")),
        (
            "zhao",
            "赵六",
            vec![Role::Signer, Role::Leader],
            Some("分管领导"),
        ),
        ("qian", "钱七", vec![Role::Reviewer], None),
        ("sun", "孙八", vec![Role::Clerk], None),
        ("zhou", "周九", vec![Role::Drafter], Some("文印")),
        (
            "wu",
            "吴十",
            vec![Role::Leader, Role::Signer],
            Some("主要负责人"),
        ),
    ] {
        directory::create_user(
            &c,
            &NewUser {
                login: login.into(),
                display_name: Some(name.into()),
                organ: "鹤府办".into(),
                department: None,
                roles,
                password: None,
            },
            Some(&hash),
        )
        .await
        .unwrap();
        if let Some(title) = position {
            directory::create_position(
                &c,
                &NewPosition {
                    organ: "鹤府办".into(),
                    department: None,
                    title: title.into(),
                    holder: Some(login.into()),
                },
            )
            .await
            .unwrap();
        }
    }
}

/// A device: its own encrypted store, logged in as `login`.
struct Device {
    _dir: tempfile::TempDir,
    client: Arc<Client>,
    tokens: Arc<MemoryTokens>,
    transport: Arc<HttpTransport>,
}

impl Device {
    async fn login(server: &Server, login: &str) -> Device {
        let dir = tempfile::tempdir().unwrap();
        let client = Arc::new(
            OpenOptions::new(dir.path())
                .create(true)
                .keys(Arc::new(StaticKey(Key::from_bytes([9; 32]))))
                .user(login)
                .open()
                .unwrap(),
        );
        let tokens = Arc::new(MemoryTokens::default());
        let account = sync::login(&client, &server.base, login, PASSWORD, None, tokens.clone())
            .await
            .unwrap();
        assert_eq!(account.login, login);
        let transport = Arc::new(HttpTransport::new(account, tokens.clone()).unwrap());
        Device {
            _dir: dir,
            client,
            tokens,
            transport,
        }
    }

    async fn sync(&self) -> SyncReport {
        let report = Engine::new(self.client.clone(), self.transport.clone())
            .sync()
            .await
            .unwrap_or_else(|e| panic!("sync of {} failed: {e}", self.client.user()));
        assert_eq!(
            report.resets, 0,
            "every page's checksum matched: {report:?}"
        );
        assert_eq!(report.pending, 0);
        report
    }

    fn approve_first(&self) -> String {
        use gongwen_client::flow::{QueueFilter, QueueKind};
        let todo = self
            .client
            .queue(QueueKind::Todo, &QueueFilter::default(), 0, 10)
            .unwrap()
            .items;
        assert_eq!(
            todo.len(),
            1,
            "{} should have one task: {todo:#?}",
            self.client.user()
        );
        let task = todo[0].task_id.clone().unwrap();
        let view = self.client.task_view(&task).unwrap();
        self.client
            .act(
                &task,
                "approve",
                Some("同意"),
                None,
                None,
                Some(&view.content_hash),
            )
            .unwrap();
        todo[0].flow_id.clone()
    }
}

fn example() -> gongwen_domain::Document {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/examples/notice-full.json"
    );
    gongwen_domain::Document::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flow_drafted_offline_is_approved_on_other_devices_through_the_real_server() {
    let server = Server::start().await;
    let zhang = Device::login(&server, "zhang").await;
    let first_refresh = zhang
        .tokens
        .load(&sync::account(&zhang.client).unwrap().unwrap())
        .unwrap();
    // The first sync brings the directory (and rotates the refresh token).
    zhang.sync().await;
    assert!(zhang.client.people().unwrap().len() >= 8);
    let rotated = zhang
        .tokens
        .load(&sync::account(&zhang.client).unwrap().unwrap())
        .unwrap();
    assert_ne!(
        first_refresh, rotated,
        "refresh tokens are single use: the new one is kept"
    );

    // Offline: draft and submit.
    let draft = zhang.client.create_draft(example()).unwrap();
    let submitted = zhang.client.submit_draft(&draft.draft_id, None).unwrap();
    assert_eq!(zhang.client.sync_status().unwrap().pending, 3);
    let report = zhang.sync().await;
    assert_eq!(report.applied, 3, "{report:?}");
    assert!(zhang.client.outbox().unwrap().is_empty());

    // The two reviewers approve, each on their own device.
    for login in ["li", "wang"] {
        let device = Device::login(&server, login).await;
        device.sync().await;
        let flow = device.approve_first();
        assert_eq!(flow, submitted.flow_id);
        let report = device.sync().await;
        assert_eq!(report.applied, 1);
        assert!(device.client.outbox().unwrap().is_empty());
        // The draft came along with the flow (the reviewer may read the text).
        assert_eq!(
            device
                .client
                .open_draft(&draft.draft_id)
                .unwrap()
                .content_hash,
            draft.content_hash
        );
    }

    // The drafter sees where the document is now, confirmed by the server.
    zhang.sync().await;
    let view = zhang.client.flow_view(&submitted.flow_id).unwrap();
    assert!(view.now_at.contains("赵六"), "{}", view.now_at);
    let zhao = Device::login(&server, "zhao").await;
    zhao.sync().await;
    assert_eq!(zhao.approve_first(), submitted.flow_id);
    zhao.sync().await;
    zhang.sync().await;
    let view = zhang.client.flow_view(&submitted.flow_id).unwrap();
    assert!(view.now_at.contains("钱七"), "{}", view.now_at);

    // Logging out forgets the token and the account; the store keeps its data.
    assert!(
        sync::logout(&zhang.client, zhang.tokens.clone())
            .await
            .unwrap()
    );
    assert!(sync::account(&zhang.client).unwrap().is_none());
    assert!(zhang.client.flow_view(&submitted.flow_id).is_ok());
    server.stop().await;
}
