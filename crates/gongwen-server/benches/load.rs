//! Load benchmark: N simulated clients log in, then poll the server, all on
//! 127.0.0.1 against a real PostgreSQL (gongwen-testkit). Prints a table of
//! requests/s and p50/p99 latency per phase.
//!
//! ```sh
//! cargo bench -p gongwen-server --bench load              # N = 100 and 1000
//! cargo bench -p gongwen-server --bench load -- 50 200    # other sizes
//! GONGWEN_BENCH_POLLS=50 cargo bench -p gongwen-server --bench load
//! ```
//!
//! Polling is `POST /v1/sync/pull`, as the desktop client does in the
//! background: each client's first pull fetches its organ's directory, later
//! ones send the cursors they got (the steady state: a no-op sync). Users are
//! spread over organs of 50 people, as in a county. Logins are dominated by
//! Argon2id by design. Every loop is bounded: each client logs in once and
//! polls a fixed number of times.
//!
//! A login turned away with 503 (the server's password-hashing line is full) is
//! retried after its `Retry-After`, as a real client does; its latency is the time
//! until it got in, and the table counts the 503s. `load avg` is the machine's
//! 1-minute load average before → after the phase (2 vCPUs: above 2 the numbers are
//! noisy).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{Request, StatusCode, header};
use gongwen_protocol::auth::{LoginRequest, TokenPair};
use gongwen_protocol::directory::{NewOrgan, NewUser, OrganLevel, Role};
use gongwen_protocol::sync::{PullRequest, PullResponse, SCHEMA_VERSION};
use gongwen_server::{Settings, auth::password, db, directory};
use gongwen_testkit::TestPostgres;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

const PASSWORD: &str = "bench-password-1";

type HttpClient = Client<HttpConnector, Full<Bytes>>;

fn main() -> anyhow::Result<()> {
    let sizes: Vec<usize> = {
        let args: Vec<usize> = std::env::args()
            .skip(1)
            .filter_map(|a| a.parse().ok())
            .collect();
        if args.is_empty() {
            vec![100, 1000]
        } else {
            args
        }
    };
    let polls: usize = std::env::var("GONGWEN_BENCH_POLLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        println!(
            "| clients | phase | ok | errors | 503 retries | ok/s | p50 ms | p99 ms | wall s | load avg |"
        );
        println!(
            "|--------:|-------|---:|-------:|------------:|-----:|-------:|-------:|-------:|----------|"
        );
        for n in sizes {
            bench(n, polls).await?;
        }
        anyhow::Ok(())
    })
}

async fn bench(clients: usize, polls: usize) -> anyhow::Result<()> {
    let url = TestPostgres::shared().fresh_database();
    let mut settings = Settings::new(url.clone());
    settings.pool_size = 32;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(gongwen_server::launch(settings, listener, async {
        let _ = stopped.await;
    }));

    let http: HttpClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(clients)
        .build_http();
    // Wait for the server (it migrates first).
    while get(&http, addr, "/v1/health", None)
        .await
        .map(|s| s != StatusCode::OK)
        .unwrap_or(true)
    {
        anyhow::ensure!(!server.is_finished(), "server failed to start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    seed(&url, clients).await?;

    // Phase 1: everyone logs in at once. A client turned away with 503 comes back
    // after Retry-After (plus a little jitter, as the desktop client does); its
    // latency is the whole time until it got in.
    let started = Instant::now();
    let load_before = load_average();
    let mut tasks = Vec::new();
    for i in 0..clients {
        let http = http.clone();
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            let body = serde_json::to_vec(&LoginRequest {
                login: format!("u{i}"),
                password: PASSWORD.into(),
            })?;
            let mut turned_away = 0usize;
            loop {
                let req = Request::post(format!("http://{addr}/v1/auth/login"))
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Full::new(Bytes::from(body.clone())))?;
                let res = http.request(req).await?;
                let status = res.status();
                let retry_after = res
                    .headers()
                    .get(header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<u64>().ok());
                let bytes = res.into_body().collect().await?.to_bytes();
                match (status, retry_after) {
                    (StatusCode::OK, _) => {
                        let token = serde_json::from_slice::<TokenPair>(&bytes)?.access_token;
                        return anyhow::Ok((t.elapsed(), Some(token), turned_away));
                    }
                    (StatusCode::SERVICE_UNAVAILABLE, Some(secs)) if turned_away < 100 => {
                        turned_away += 1;
                        let jitter = Duration::from_millis((i as u64 * 7919) % 1000);
                        tokio::time::sleep(Duration::from_secs(secs) + jitter).await;
                    }
                    _ => return anyhow::Ok((t.elapsed(), None, turned_away)),
                }
            }
        }));
    }
    let mut latencies = Vec::new();
    let mut tokens = Vec::new();
    let mut errors = 0;
    let mut turned_away = 0;
    for t in tasks {
        match t.await? {
            Ok((d, Some(token), retries)) => {
                latencies.push(d);
                tokens.push(token);
                turned_away += retries;
            }
            Ok((_, None, retries)) => {
                errors += 1;
                turned_away += retries;
            }
            Err(_) => errors += 1,
        }
    }
    report(
        clients,
        "login",
        started.elapsed(),
        latencies,
        errors,
        turned_away,
        load_before,
    );

    // Phase 2: every client polls `polls` times, as fast as answers come.
    let started = Instant::now();
    let load_before = load_average();
    let tokens = Arc::new(tokens);
    let mut tasks = Vec::new();
    for i in 0..tokens.len() {
        let http = http.clone();
        let tokens = tokens.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(polls);
            let mut errors = 0;
            let mut request = PullRequest {
                protocol: gongwen_protocol::PROTOCOL_VERSION,
                schema_version: SCHEMA_VERSION,
                client_id: format!("bench-client-{i}"),
                cursors: Default::default(),
                limit: 1000,
            };
            for _ in 0..polls {
                let t = Instant::now();
                match pull(&http, addr, &tokens[i], &request).await {
                    Ok(answer) => {
                        lat.push(t.elapsed());
                        for (bucket, page) in answer.buckets {
                            request.cursors.insert(bucket, page.next);
                        }
                    }
                    Err(_) => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await?;
        latencies.extend(l);
        errors += e;
    }
    report(
        clients,
        "poll",
        started.elapsed(),
        latencies,
        errors,
        0,
        load_before,
    );

    let _ = stop.send(());
    server.await??;
    Ok(())
}

async fn get(
    http: &HttpClient,
    addr: std::net::SocketAddr,
    path: &str,
    token: Option<&str>,
) -> anyhow::Result<StatusCode> {
    let mut req = Request::get(format!("http://{addr}{path}"));
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let res = http.request(req.body(Full::new(Bytes::new()))?).await?;
    let status = res.status();
    res.into_body().collect().await?;
    Ok(status)
}

/// One pull; its answer, or an error for anything but 200.
async fn pull(
    http: &HttpClient,
    addr: std::net::SocketAddr,
    token: &str,
    request: &PullRequest,
) -> anyhow::Result<PullResponse> {
    let req = Request::post(format!("http://{addr}/v1/sync/pull"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(serde_json::to_vec(request)?)))?;
    let res = http.request(req).await?;
    let status = res.status();
    let bytes = res.into_body().collect().await?.to_bytes();
    anyhow::ensure!(status == StatusCode::OK, "pull answered {status}");
    Ok(serde_json::from_slice(&bytes)?)
}

/// People per organ.
const ORGAN_SIZE: usize = 50;

/// `n` users in organs of [`ORGAN_SIZE`], sharing one password hash (hashing
/// is not what this measures).
async fn seed(url: &str, n: usize) -> anyhow::Result<()> {
    let pool = db::connect(url, 1).await?;
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    for o in 0..n.div_ceil(ORGAN_SIZE) {
        let organ = NewOrgan {
            name: format!("压测机关{o}"),
            code: format!("压测{o}"),
            level: OrganLevel::Town,
            parent: None,
        };
        directory::create_organ(&tx, &organ).await?;
    }
    let hash = password::hash(PASSWORD)?;
    for i in 0..n {
        let user = NewUser {
            login: format!("u{i}"),
            display_name: None,
            organ: format!("压测{}", i / ORGAN_SIZE),
            department: None,
            roles: vec![Role::Drafter],
            password: None,
        };
        directory::create_user(&tx, &user, Some(&hash)).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The 1-minute load average (what else the machine was doing), or "?".
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

fn report(
    clients: usize,
    phase: &str,
    wall: Duration,
    mut latencies: Vec<Duration>,
    errors: usize,
    turned_away: usize,
    load_before: String,
) {
    latencies.sort();
    let pct = |p: f64| -> f64 {
        if latencies.is_empty() {
            return f64::NAN;
        }
        let i = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies[i].as_secs_f64() * 1000.0
    };
    let rps = latencies.len() as f64 / wall.as_secs_f64();
    println!(
        "| {clients} | {phase} | {} | {errors} | {turned_away} | {rps:.0} | {:.1} | {:.1} | {:.1} | {load_before} → {} |",
        latencies.len(),
        pct(0.50),
        pct(0.99),
        wall.as_secs_f64(),
        load_average()
    );
}
