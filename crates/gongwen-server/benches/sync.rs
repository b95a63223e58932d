//! Sync benchmark, server side: a real server on 127.0.0.1 against a real PostgreSQL
//! (gongwen-testkit). Prints a table:
//!
//! * push: N queued offline actions (draft saves), pushed in batches as a client does
//!   (the server answers at most `MAX_BATCH` per request);
//! * initial pull: every op of those drafts into an empty client, page by page;
//! * no-op pull: a client that is up to date asks again (p50/p99).
//!
//! ```sh
//! cargo bench -p gongwen-server --bench sync            # N = 1000
//! cargo bench -p gongwen-server --bench sync -- 5000    # other sizes
//! ```

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use axum::http::{Request, StatusCode, header};
use gongwen_protocol::auth::{LoginRequest, TokenPair};
use gongwen_protocol::directory::{NewOrgan, NewUser, OrganLevel, Role};
use gongwen_protocol::sync::{
    Mutation, PullRequest, PullResponse, PushRequest, PushResponse, SCHEMA_VERSION,
};
use gongwen_server::{Settings, auth::password, db, directory, sync::MAX_BATCH};
use gongwen_testkit::TestPostgres;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Serialize;
use serde::de::DeserializeOwned;

const PASSWORD: &str = "bench-password-1";

type HttpClient = Client<HttpConnector, Full<Bytes>>;

fn main() -> anyhow::Result<()> {
    let sizes: Vec<usize> = {
        let args: Vec<usize> = std::env::args()
            .skip(1)
            .filter_map(|a| a.parse().ok())
            .collect();
        if args.is_empty() { vec![1000] } else { args }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        println!("| N | phase | requests | total ms | per item | p50 ms | p99 ms |");
        println!("|--:|-------|---------:|---------:|---------:|-------:|-------:|");
        for n in sizes {
            bench(n).await?;
        }
        anyhow::Ok(())
    })
}

async fn post<B: Serialize, T: DeserializeOwned>(
    http: &HttpClient,
    addr: std::net::SocketAddr,
    path: &str,
    token: Option<&str>,
    body: &B,
) -> anyhow::Result<T> {
    let mut req = Request::post(format!("http://{addr}{path}"))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let res = http
        .request(req.body(Full::new(Bytes::from(serde_json::to_vec(body)?)))?)
        .await?;
    let status = res.status();
    let bytes = res.into_body().collect().await?.to_bytes();
    anyhow::ensure!(
        status == StatusCode::OK,
        "{path}: {status} {}",
        String::from_utf8_lossy(&bytes)
    );
    Ok(serde_json::from_slice(&bytes)?)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn row(
    n: usize,
    phase: &str,
    requests: usize,
    total: Duration,
    items: usize,
    lat: &mut [Duration],
) {
    lat.sort();
    println!(
        "| {n} | {phase} | {requests} | {:.0} | {:.3} ms | {:.2} | {:.2} |",
        total.as_secs_f64() * 1000.0,
        total.as_secs_f64() * 1000.0 / items.max(1) as f64,
        percentile(lat, 0.5),
        percentile(lat, 0.99),
    );
}

async fn bench(n: usize) -> anyhow::Result<()> {
    let url = TestPostgres::shared().fresh_database();
    let mut settings = Settings::new(url.clone());
    settings.pool_size = 16;
    settings.body_limit = 64 * 1024 * 1024;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(gongwen_server::launch(settings, listener, async {
        let _ = stopped.await;
    }));
    let http: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    loop {
        let ready = http
            .request(Request::get(format!("http://{addr}/v1/ready")).body(Full::new(Bytes::new()))?)
            .await
            .map(|r| r.status() == StatusCode::OK)
            .unwrap_or(false);
        if ready {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    {
        let pool = db::connect(&url, 1).await?;
        let client = pool.get().await?;
        directory::create_organ(
            &client,
            &NewOrgan {
                name: "鹤山市人民政府办公室".into(),
                code: "鹤府办".into(),
                level: OrganLevel::City,
                parent: None,
            },
        )
        .await?;
        directory::create_user(
            &client,
            &NewUser {
                login: "writer".into(),
                display_name: Some("张拟稿".into()),
                organ: "鹤府办".into(),
                department: None,
                roles: vec![Role::Drafter],
                password: None,
            },
            Some(&password::hash(PASSWORD)?),
        )
        .await?;
    }
    let tokens: TokenPair = post(
        &http,
        addr,
        "/v1/auth/login",
        None,
        &LoginRequest {
            login: "writer".into(),
            password: PASSWORD.into(),
        },
    )
    .await?;
    let token = tokens.access_token.as_str();

    // Push N queued actions.
    let mutations: Vec<Mutation> = (1..=n as i64)
        .map(|i| Mutation {
            seq: i,
            id: format!("0190f3c2-0000-7000-8000-{i:012x}"),
            name: "draft.save.v1".into(),
            args: serde_json::json!({
                "draft_id": format!("D{i}"), "base_version": null, "version": 1,
                "document": {"title": format!("关于第{i}项工作的通知"), "body": "正文。".repeat(200),
                             "main_recipients": ["各乡镇人民政府"]},
                "content_hash": format!("sha256:{i:064x}"),
            }),
            client_time: None,
            blob_deps: vec![],
        })
        .collect();
    let started = Instant::now();
    let mut lat = Vec::new();
    let mut next = 0;
    while next < mutations.len() {
        let batch = mutations[next..].to_vec();
        let t = Instant::now();
        let r: PushResponse = post(
            &http,
            addr,
            "/v1/sync/push",
            Some(token),
            &PushRequest {
                protocol: 1,
                schema_version: SCHEMA_VERSION,
                client_id: "bench-client".into(),
                mutations: batch,
            },
        )
        .await?;
        lat.push(t.elapsed());
        next = r.last_applied_seq as usize;
        anyhow::ensure!(!r.results.is_empty(), "push made no progress");
    }
    let requests = lat.len();
    row(
        n,
        "push (draft saves)",
        requests,
        started.elapsed(),
        n,
        &mut lat,
    );
    let _ = MAX_BATCH;

    // Initial pull into an empty client.
    let mut cursors: BTreeMap<String, i64> = BTreeMap::new();
    let started = Instant::now();
    let mut lat = Vec::new();
    let mut docs = 0;
    loop {
        let t = Instant::now();
        let r: PullResponse = post(
            &http,
            addr,
            "/v1/sync/pull",
            Some(token),
            &PullRequest {
                protocol: 1,
                schema_version: SCHEMA_VERSION,
                client_id: "bench-client".into(),
                cursors: cursors.clone(),
                limit: 1000,
            },
        )
        .await?;
        lat.push(t.elapsed());
        let mut more = false;
        for (b, page) in r.buckets {
            docs += page.ops.iter().filter(|o| o.kind == "draft").count();
            cursors.insert(b, page.next);
            more |= page.has_more;
        }
        if !more {
            break;
        }
    }
    anyhow::ensure!(docs == n, "pulled {docs} drafts, expected {n}");
    let requests = lat.len();
    row(
        n,
        "initial pull (drafts)",
        requests,
        started.elapsed(),
        n,
        &mut lat,
    );

    // No-op pulls.
    let rounds = 200;
    let started = Instant::now();
    let mut lat = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let _: PullResponse = post(
            &http,
            addr,
            "/v1/sync/pull",
            Some(token),
            &PullRequest {
                protocol: 1,
                schema_version: SCHEMA_VERSION,
                client_id: "bench-client".into(),
                cursors: cursors.clone(),
                limit: 1000,
            },
        )
        .await?;
        lat.push(t.elapsed());
    }
    row(n, "no-op pull", rounds, started.elapsed(), rounds, &mut lat);

    let _ = stop.send(());
    server.await??;
    Ok(())
}
