//! Sync benchmark, server side: a real server on 127.0.0.1 against a real PostgreSQL
//! (gongwen-testkit, or `GONGWEN_TEST_DATABASE_URL`). Prints a table:
//!
//! * **push**: N queued offline actions (draft saves of a realistic 通知, 2–3 KB of
//!   JSON each), pushed in batches as a client does (the server answers at most
//!   `MAX_BATCH` per request); target: 1,000 in ≤ 2 s;
//! * **initial sync**: D documents (default 100,000; a draft head of the same size
//!   each) pulled into an empty client over loopback, page by page (1,000 ops per
//!   page), each answer parsed and its checksum verified as the client does (the
//!   client's SQLite apply is not included: the server crate cannot depend on the
//!   client); target ≥ 10,000 documents/s;
//! * **bulk copy**: the same rows read with `COPY … TO STDOUT` on one connection, the
//!   physical bound of the database side of the initial sync;
//! * **no-op sync**: a client that is up to date asks again (p50/p99); target ≤ 20 ms.
//!
//! The documents of the initial sync are written straight into the bucket op log
//! (with their real checksums), not pushed one by one, so the run stays short.
//!
//! ```sh
//! cargo bench -p gongwen-server --bench sync               # N = 1000, D = 100000
//! cargo bench -p gongwen-server --bench sync -- 5000 20000 # N = 5000, D = 20000
//! ```

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use axum::http::{Request, StatusCode, header};
use futures_util::StreamExt;
use gongwen_protocol::auth::{LoginRequest, TokenPair};
use gongwen_protocol::directory::{NewOrgan, NewUser, OrganLevel, Role};
use gongwen_protocol::sync::{
    DraftHead, Mutation, Op, OpKind, PullRequest, PullResponse, PushRequest, PushResponse,
    SCHEMA_VERSION, bucket_checksum, kinds, op_checksum, parse_checksum,
};
use gongwen_server::{Settings, auth::password, db, directory};
use gongwen_testkit::TestPostgres;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Serialize;
use serde::de::DeserializeOwned;

const PASSWORD: &str = "bench-password-1";
/// A realistic 公文: the full 通知 example (about 2 KB of JSON).
const NOTICE: &str = include_str!("../../../docs/examples/notice-full.json");

type HttpClient = Client<HttpConnector, Full<Bytes>>;

fn main() -> anyhow::Result<()> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let pushes = args.first().copied().unwrap_or(1000);
    let docs = args.get(1).copied().unwrap_or(100_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    println!("load average before: {}", load_average());
    runtime.block_on(bench(pushes, docs))?;
    println!("load average after: {}", load_average());
    Ok(())
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

async fn post<B: Serialize, T: DeserializeOwned>(
    http: &HttpClient,
    addr: std::net::SocketAddr,
    path: &str,
    token: Option<&str>,
    body: &B,
) -> anyhow::Result<T> {
    let bytes = post_bytes(http, addr, path, token, body).await?;
    Ok(serde_json::from_slice(&bytes)?)
}

/// The body of a 200 answer, not parsed.
async fn post_bytes<B: Serialize>(
    http: &HttpClient,
    addr: std::net::SocketAddr,
    path: &str,
    token: Option<&str>,
    body: &B,
) -> anyhow::Result<Bytes> {
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
    Ok(bytes)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn row(
    phase: &str,
    items: usize,
    requests: usize,
    total: Duration,
    lat: &mut [Duration],
    target: &str,
) {
    lat.sort();
    let secs = total.as_secs_f64();
    println!(
        "| {phase} | {items} | {requests} | {:.0} | {:.0} | {:.2} | {:.2} | {target} |",
        secs * 1000.0,
        items as f64 / secs.max(1e-9),
        percentile(lat, 0.5),
        percentile(lat, 0.99),
    );
}

/// A document as the bench pushes and serves it: the example with its own title.
fn document(i: usize) -> serde_json::Value {
    let mut doc: serde_json::Value = serde_json::from_str(NOTICE).expect("the example parses");
    doc["title"] = format!("鹤山市人民政府关于第{i}项工作的通知").into();
    doc["doc_number"]["seq"] = (i as i64).into();
    doc
}

async fn user(client: &deadpool_postgres::Client, login: &str) -> anyhow::Result<()> {
    directory::create_user(
        client,
        &NewUser {
            login: login.into(),
            display_name: Some(format!("用户{login}")),
            organ: "鹤府办".into(),
            department: None,
            roles: vec![Role::Drafter],
            password: None,
        },
        Some(&password::hash(PASSWORD)?),
    )
    .await?;
    Ok(())
}

/// Writes `docs` draft heads into `bucket` as PUT ops with their real checksums.
async fn seed_bucket(
    pool: &deadpool_postgres::Pool,
    bucket: &str,
    docs: usize,
) -> anyhow::Result<()> {
    let client = pool.get().await?;
    client
        .execute(
            "INSERT INTO buckets (name, last_op_id, checksum) VALUES ($1, 0, 0)",
            &[&bucket],
        )
        .await?;
    let mut sum = 0u32;
    let chunk = 5000;
    let mut first = 1;
    while first <= docs {
        let last = (first + chunk - 1).min(docs);
        let mut ids = Vec::new();
        let mut entities = Vec::new();
        let mut data = Vec::new();
        let mut sums = Vec::new();
        for i in first..=last {
            let id = format!("SEED-{i:06}");
            let head = DraftHead {
                draft_id: id.clone(),
                head_version: 3,
                document: document(i),
                content_hash: format!("sha256:{i:064x}"),
                conflicts: vec![],
            };
            let op = Op {
                op_id: i as i64,
                op: OpKind::Put,
                kind: kinds::DRAFT.into(),
                id: id.clone(),
                version: 5,
                data: None,
            };
            sum = sum.wrapping_add(op_checksum(&op));
            ids.push(i as i64);
            entities.push(id);
            data.push(serde_json::to_string(&head)?);
            sums.push(i64::from(sum));
        }
        client
            .execute(
                "INSERT INTO bucket_ops (bucket, op_id, op, kind, entity_id, version, data, checksum)
                 SELECT $1, i, 'PUT', 'draft', e, 5, d::jsonb, c
                   FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[]) AS u(i, e, d, c)",
                &[&bucket, &ids, &entities, &data, &sums],
            )
            .await?;
        first = last + 1;
    }
    client
        .execute(
            "UPDATE buckets SET last_op_id = $2, checksum = $3 WHERE name = $1",
            &[&bucket, &(docs as i64), &i64::from(sum)],
        )
        .await?;
    client.batch_execute("ANALYZE bucket_ops").await?;
    Ok(())
}

async fn bench(pushes: usize, docs: usize) -> anyhow::Result<()> {
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
    let pool = db::connect(&url, 2).await?;
    {
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
        user(&client, "writer").await?;
        user(&client, "reader").await?;
    }
    let login = |who: &'static str| {
        let http = http.clone();
        async move {
            let t: TokenPair = post(
                &http,
                addr,
                "/v1/auth/login",
                None,
                &LoginRequest {
                    login: who.into(),
                    password: PASSWORD.into(),
                },
            )
            .await?;
            anyhow::Ok(t.access_token)
        }
    };
    let writer = login("writer").await?;
    let reader = login("reader").await?;

    println!();
    println!("| phase | items | requests | total ms | items/s | p50 ms | p99 ms | target |");
    println!("|-------|------:|---------:|---------:|--------:|-------:|-------:|--------|");

    // Push N queued actions.
    let mutations: Vec<Mutation> = (1..=pushes as i64)
        .map(|i| Mutation {
            seq: i,
            id: format!("0190f3c2-0000-7000-8000-{i:012x}"),
            name: "draft.save.v1".into(),
            args: serde_json::json!({
                "draft_id": format!("D{i}"), "base_version": null, "version": 1,
                "document": document(i as usize),
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
        let t = Instant::now();
        let r: PushResponse = post(
            &http,
            addr,
            "/v1/sync/push",
            Some(&writer),
            &PushRequest {
                protocol: 1,
                schema_version: SCHEMA_VERSION,
                client_id: "bench-writer".into(),
                mutations: mutations[next..].to_vec(),
            },
        )
        .await?;
        lat.push(t.elapsed());
        anyhow::ensure!(
            r.last_applied_seq as usize > next,
            "push made no progress: {:?}",
            r.results.last()
        );
        next = r.last_applied_seq as usize;
    }
    let requests = lat.len();
    row(
        "push (draft saves)",
        pushes,
        requests,
        started.elapsed(),
        &mut lat,
        "1,000 in ≤ 2 s",
    );

    // Initial sync of D documents into an empty client.
    let bucket = "user:reader";
    seed_bucket(&pool, bucket, docs).await?;
    let mut cursors: BTreeMap<String, i64> = BTreeMap::new();
    let mut sums: BTreeMap<String, u32> = BTreeMap::new();
    let started = Instant::now();
    let mut lat = Vec::new();
    let mut pulled = 0;
    // The bench's own share of the wall time (it shares the 2 cores with the server):
    // waiting for the answer, then parsing and verifying it as the client does.
    let mut waiting = Duration::ZERO;
    let mut parsing = Duration::ZERO;
    let mut body_bytes = 0usize;
    loop {
        let t = Instant::now();
        let bytes = post_bytes(
            &http,
            addr,
            "/v1/sync/pull",
            Some(&reader),
            &PullRequest {
                protocol: 1,
                schema_version: SCHEMA_VERSION,
                client_id: "bench-reader".into(),
                cursors: cursors.clone(),
                limit: 1000,
            },
        )
        .await?;
        let answered = t.elapsed();
        waiting += answered;
        body_bytes += bytes.len();
        let r: PullResponse = serde_json::from_slice(&bytes)?;
        drop(bytes);
        let mut more = false;
        for (b, page) in r.buckets {
            pulled += page.ops.iter().filter(|o| o.kind == kinds::DRAFT).count();
            // What the client checks before applying a page.
            let sum = bucket_checksum(sums.get(&b).copied().unwrap_or(0), &page.ops);
            anyhow::ensure!(
                parse_checksum(&page.checksum) == Some(sum),
                "checksum mismatch in {b}"
            );
            sums.insert(b.clone(), sum);
            cursors.insert(b, page.next);
            more |= page.has_more;
        }
        lat.push(t.elapsed());
        parsing += t.elapsed() - answered;
        if !more {
            break;
        }
    }
    anyhow::ensure!(pulled == docs, "pulled {pulled} documents, expected {docs}");
    let requests = lat.len();
    row(
        "initial sync (pull, parse, verify)",
        docs,
        requests,
        started.elapsed(),
        &mut lat,
        "≥ 10,000 docs/s",
    );
    let pages = requests.max(1) as f64;
    println!(
        "| of which: request until the whole answer arrived | {docs} | {requests} | {:.0} | | {:.2} (mean) | | {} MB of JSON |",
        waiting.as_secs_f64() * 1000.0,
        waiting.as_secs_f64() * 1000.0 / pages,
        body_bytes / 1_000_000,
    );
    println!(
        "| of which: the bench parsing and verifying (client work) | {docs} | {requests} | {:.0} | | {:.2} (mean) | | |",
        parsing.as_secs_f64() * 1000.0,
        parsing.as_secs_f64() * 1000.0 / pages,
    );

    // The physical bound: the same rows copied out of PostgreSQL.
    {
        let client = pool.get().await?;
        let started = Instant::now();
        let stream = client
            .copy_out(
                "COPY (SELECT op_id, op, kind, entity_id, version, data, checksum FROM bucket_ops
                        WHERE bucket = 'user:reader' ORDER BY op_id) TO STDOUT",
            )
            .await?;
        let mut bytes = 0usize;
        let mut stream = std::pin::pin!(stream);
        while let Some(chunk) = stream.next().await {
            bytes += chunk?.len();
        }
        let total = started.elapsed();
        row(
            &format!("bulk COPY of the same rows ({} MB)", bytes / 1_000_000),
            docs,
            1,
            total,
            &mut [total],
            "physical bound",
        );
    }

    // No-op syncs.
    let rounds = 200;
    let started = Instant::now();
    let mut lat = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let r: PullResponse = post(
            &http,
            addr,
            "/v1/sync/pull",
            Some(&reader),
            &PullRequest {
                protocol: 1,
                schema_version: SCHEMA_VERSION,
                client_id: "bench-reader".into(),
                cursors: cursors.clone(),
                limit: 1000,
            },
        )
        .await?;
        lat.push(t.elapsed());
        anyhow::ensure!(r.buckets.values().all(|p| p.ops.is_empty()), "not a no-op");
    }
    row(
        "no-op sync (pull round trip)",
        rounds,
        rounds,
        started.elapsed(),
        &mut lat,
        "≤ 20 ms",
    );

    let _ = stop.send(());
    server.await??;
    Ok(())
}
