//! Shared by every integration test binary of gongwen-server (`tests/server/`,
//! `tests/exchange.rs`, `tests/sync_server.rs`): the real server on 127.0.0.1:0
//! against a fresh PostgreSQL database from gongwen-testkit ([`TestServer`]), a
//! clock tests move, a small HTTP client ([`Resp`]), the seeded directory
//! ([`TestServer::seed`], [`TestServer::add_users`]), pulling
//! ([`TestServer::pull_all`]) and the [`Caller`] of a token for calling library
//! functions directly ([`TestServer::caller`]).
//!
//! Include it as `#[allow(dead_code)] #[path = "support/mod.rs"] mod common;`
//! (each binary uses only part of it).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use gongwen_protocol::auth::{LoginRequest, TokenPair};
use gongwen_protocol::directory::{NewDepartment, NewOrgan, NewUser, OrganLevel, Role};
use gongwen_protocol::sync::{Op, PullRequest, PullResponse, SCHEMA_VERSION};
use gongwen_protocol::{ApiError, PROTOCOL_VERSION};
use gongwen_server::auth::Caller;
use gongwen_server::{Clock, Settings, auth::password, db, directory};
use gongwen_testkit::TestPostgres;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Serialize;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A clock tests can move forward.
#[derive(Debug)]
pub struct TestClock(pub Mutex<OffsetDateTime>);

impl TestClock {
    pub fn new() -> Arc<Self> {
        Arc::new(Self(Mutex::new(OffsetDateTime::now_utc())))
    }
    pub fn advance(&self, d: time::Duration) {
        *self.0.lock().unwrap() += d;
    }
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub db_url: String,
    pub clock: Arc<TestClock>,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<gongwen_server::Result<()>>>,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(configure: impl FnOnce(&mut Settings)) -> Self {
        let db_url = TestPostgres::shared().fresh_database();
        Self::start_on(db_url, configure).await
    }

    pub async fn start_on(db_url: String, configure: impl FnOnce(&mut Settings)) -> Self {
        let mut settings = Settings::new(db_url.clone());
        settings.pool_size = 8;
        // Tests compact by hand (sync::compact), never on a timer.
        settings.compaction = None;
        configure(&mut settings);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel();
        let clock = TestClock::new();
        let handle = tokio::spawn(gongwen_server::launch_with_clock(
            settings,
            listener,
            async {
                let _ = rx.await;
            },
            clock.clone(),
        ));
        let server = Self {
            addr,
            db_url,
            clock,
            shutdown: Some(tx),
            handle: Some(handle),
            client: Client::builder(TokioExecutor::new()).build_http(),
        };
        // Wait until it answers (migrations run first).
        for _ in 0..600 {
            if server.handle.as_ref().is_some_and(|h| h.is_finished()) {
                break;
            }
            if let Ok(r) = server
                .try_send(Method::GET, "/v1/health", None, None, None)
                .await
                && r.status == StatusCode::OK
            {
                return server;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let mut server = server;
        let result = server.handle.take().unwrap().await.unwrap();
        panic!("test server did not come up: {result:?}");
    }

    /// Stop gracefully and return what `launch` returned.
    pub async fn stop(mut self) -> gongwen_server::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.handle.take().unwrap().await.unwrap()
    }

    pub async fn pool(&self) -> deadpool_postgres::Pool {
        db::connect(&self.db_url, 2).await.unwrap()
    }

    async fn try_send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
        content_type: Option<&str>,
    ) -> Result<Resp, String> {
        let mut req = Request::builder()
            .method(method)
            .uri(format!("http://{}{path}", self.addr));
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        let req = req
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| e.to_string())?;
        let res = self.client.request(req).await.map_err(|e| e.to_string())?;
        let status = res.status();
        let headers = res.headers().clone();
        let body = res
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok(Resp {
            status,
            headers,
            body,
        })
    }

    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Vec<u8>,
        ct: Option<&str>,
    ) -> Resp {
        self.try_send(method, path, token, Some(body), ct)
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.try_send(Method::GET, path, token, None, None)
            .await
            .unwrap()
    }

    pub async fn post<T: Serialize>(&self, path: &str, token: Option<&str>, body: &T) -> Resp {
        let bytes = serde_json::to_vec(body).unwrap();
        self.try_send(
            Method::POST,
            path,
            token,
            Some(bytes),
            Some("application/json"),
        )
        .await
        .unwrap()
    }

    pub async fn login(&self, login: &str, password: &str) -> TokenPair {
        let r = self
            .post(
                "/v1/auth/login",
                None,
                &LoginRequest {
                    login: login.into(),
                    password: password.into(),
                },
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "login {login}: {}", r.text());
        r.json()
    }

    /// Pulls every bucket the token may see to its end, from `cursors` (updated);
    /// returns the ops received, by bucket.
    pub async fn pull_all(
        &self,
        token: &str,
        client_id: &str,
        cursors: &mut BTreeMap<String, i64>,
    ) -> BTreeMap<String, Vec<Op>> {
        let mut out: BTreeMap<String, Vec<Op>> = BTreeMap::new();
        loop {
            let r = self
                .post(
                    "/v1/sync/pull",
                    Some(token),
                    &PullRequest {
                        protocol: PROTOCOL_VERSION,
                        schema_version: SCHEMA_VERSION,
                        client_id: client_id.to_owned(),
                        cursors: cursors.clone(),
                        limit: 1000,
                    },
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "pull: {}", r.text());
            let resp: PullResponse = r.json();
            for b in &resp.removed_buckets {
                cursors.remove(b);
            }
            let mut more = false;
            for (bucket, page) in resp.buckets {
                out.entry(bucket.clone()).or_default().extend(page.ops);
                cursors.insert(bucket, page.next);
                more |= page.has_more;
            }
            if !more {
                return out;
            }
        }
    }

    /// Seed: 鹤府 (top level) ⊃ 鹤府办 ⊃ 鹤山镇, and 邻县 apart. Users (all
    /// with password [`PASSWORD`]): city_admin@鹤府 (管理员), office_admin@鹤府办
    /// (管理员), clerk@鹤府办 (办公室文书), leader@鹤府办 (领导, 签发人),
    /// drafter@鹤山镇 (拟稿人), other_admin@邻县 (管理员).
    pub async fn seed(&self) {
        let pool = self.pool().await;
        let mut client = pool.get().await.unwrap();
        let tx = client.transaction().await.unwrap();
        for (code, name, level, parent) in [
            ("鹤府", "鹤山市人民政府", OrganLevel::City, None),
            (
                "鹤府办",
                "鹤山市人民政府办公室",
                OrganLevel::City,
                Some("鹤府"),
            ),
            ("鹤山镇", "鹤山镇人民政府", OrganLevel::Town, Some("鹤府")),
            ("邻县", "邻县人民政府", OrganLevel::City, None),
        ] {
            directory::create_organ(
                &tx,
                &NewOrgan {
                    name: name.into(),
                    code: code.into(),
                    level,
                    parent: parent.map(Into::into),
                },
            )
            .await
            .unwrap();
        }
        directory::create_department(
            &tx,
            &NewDepartment {
                organ: "鹤府办".into(),
                name: "综合科".into(),
            },
        )
        .await
        .unwrap();
        let hash = password::hash(PASSWORD).unwrap();
        for (login, organ, roles) in [
            ("city_admin", "鹤府", vec![Role::Admin]),
            ("office_admin", "鹤府办", vec![Role::Admin]),
            ("clerk", "鹤府办", vec![Role::Clerk]),
            ("leader", "鹤府办", vec![Role::Leader, Role::Signer]),
            ("drafter", "鹤山镇", vec![Role::Drafter]),
            ("other_admin", "邻县", vec![Role::Admin]),
        ] {
            directory::create_user(
                &tx,
                &NewUser {
                    login: login.into(),
                    display_name: None,
                    organ: organ.into(),
                    department: None,
                    roles,
                    password: None,
                },
                Some(&hash),
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    }
}

/// One extra user: (login, display name, organ 代字, roles); password [`PASSWORD`].
pub type ExtraUser<'a> = (&'a str, &'a str, &'a str, Vec<Role>);

impl TestServer {
    /// Adds users (after [`TestServer::seed`]), all with password [`PASSWORD`].
    pub async fn add_users(&self, users: &[ExtraUser<'_>]) {
        let pool = self.pool().await;
        let mut client = pool.get().await.unwrap();
        let tx = client.transaction().await.unwrap();
        let hash = password::hash(PASSWORD).unwrap();
        for (login, display, organ, roles) in users {
            directory::create_user(
                &tx,
                &NewUser {
                    login: (*login).into(),
                    display_name: Some((*display).into()),
                    organ: (*organ).into(),
                    department: None,
                    roles: roles.clone(),
                    password: None,
                },
                Some(&hash),
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    }

    /// Logs in with [`PASSWORD`] and returns the access token.
    pub async fn token(&self, login: &str) -> String {
        self.login(login, PASSWORD).await.access_token
    }

    /// The [`Caller`] a token stands for, as the server resolves it (roles, organ,
    /// delegations, administration scope), for calling library functions directly.
    pub async fn caller(&self, token: &str) -> Caller {
        let state = gongwen_server::AppState {
            pool: self.pool().await,
            settings: Arc::new(Settings::new(self.db_url.clone())),
            metrics: Arc::new(gongwen_server::metrics::Metrics::new()),
            clock: self.clock.clone(),
            blobs: Arc::new(gongwen_server::blobs::LocalDirStore::new(
                std::env::temp_dir().join("gongwen-test-unused-blobs"),
            )),
            directory: Default::default(),
        };
        gongwen_server::auth::session::authenticate(&state, token)
            .await
            .unwrap_or_else(|e| panic!("token does not authenticate: {e:?}"))
    }
}

pub const PASSWORD: &str = "correct horse 电池";

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// The `{code, message}` error body.
    pub fn error(&self) -> ApiError {
        self.json()
    }
    #[track_caller]
    pub fn assert_error(&self, status: StatusCode, code: &str) -> ApiError {
        assert_eq!(self.status, status, "{}", self.text());
        let e = self.error();
        assert_eq!(e.code, code, "{}", self.text());
        assert!(!e.message.is_empty());
        e
    }
}
