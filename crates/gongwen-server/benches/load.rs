//! Load benchmark: N simulated desktop clients against the real server on 127.0.0.1
//! and a real PostgreSQL (gongwen-testkit, or `GONGWEN_TEST_DATABASE_URL`). Prints
//! one table row per phase and size: requests/s, p50/p99 latency, and the machine's
//! 1-minute load average before → after (2 vCPUs: above 2 the numbers are noisy).
//!
//! ```sh
//! cargo bench -p gongwen-server --bench load              # N = 100 and 1000
//! cargo bench -p gongwen-server --bench load -- 50 200    # other sizes
//! GONGWEN_BENCH_INTERVAL=60 cargo bench -p gongwen-server --bench load -- 1000
//! ```
//!
//! Users are spread over organs of 50 people, as in a county. Phases, per N:
//!
//! 1. **login storm**: all N log in at the same instant. Argon2id-bound by design
//!    (the server verifies one password per core at a time); a client turned away
//!    with 503 comes back after the `Retry-After` it got, as the desktop client does,
//!    and its latency is the whole time until it got in.
//! 2. **morning arrival**: the same N log in again, each at its own random moment
//!    within `GONGWEN_BENCH_ARRIVAL` seconds (default 120: a working day's start),
//!    and pull at once as the client does after a login (its first pull fetches the
//!    organ's directory). Rows: the logins, then those first pulls.
//! 3. **steady state**: for `GONGWEN_BENCH_STEADY` seconds (default 60) every client
//!    polls `POST /v1/sync/pull` with the cursors of its previous answer, then waits
//!    `GONGWEN_BENCH_INTERVAL` seconds (default 5, ±20 % jitter, a random first
//!    moment) before the next, as `gongwen_client::sync::service` does when idle.
//!    The desktop client's default interval is 60 s: 5 s offers twelve times its
//!    load. A share `GONGWEN_BENCH_PUSHERS` of the clients (default 0.1) also makes
//!    a local change every `GONGWEN_BENCH_CHANGE` seconds on average (default 30,
//!    exponential gaps): it pushes one action (`draft.save.v1` of the 通知 example)
//!    and pulls right after, as the client does. Rows: the polls (no-op pulls), the
//!    pushes, the pulls after a push; `offered/s` is the request rate the schedule
//!    asks for (N / interval for the polls).
//! 4. **saturation**: every client pulls `GONGWEN_BENCH_POLLS` times (default 20)
//!    back to back, each pull sent the instant the previous answer arrived: N
//!    requests always in flight, so latency ≈ N / throughput by construction; the
//!    row's `ok/s` is the most no-op pulls per second the server sustains.
//!
//! Every loop is bounded (a fixed number of requests or a fixed duration).

use std::time::{Duration, Instant};

use axum::http::{Request, StatusCode, header};
use gongwen_protocol::auth::{LoginRequest, TokenPair};
use gongwen_protocol::directory::{NewOrgan, NewUser, OrganLevel, Role};
use gongwen_protocol::sync::{
    Mutation, PullRequest, PullResponse, PushRequest, PushResponse, SCHEMA_VERSION,
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
use tokio::task::JoinSet;

const PASSWORD: &str = "bench-password-1";
/// A realistic 公文 for the pushes: the full 通知 example (about 2 KB of JSON).
const NOTICE: &str = include_str!("../../../docs/examples/notice-full.json");
/// People per organ.
const ORGAN_SIZE: usize = 50;

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// The knobs (environment variables, see the module docs).
#[derive(Debug, Clone, Copy)]
struct Plan {
    polls: usize,
    arrival: Duration,
    steady: Duration,
    interval: Duration,
    pushers: f64,
    change: Duration,
}

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

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
    let plan = Plan {
        polls: env("GONGWEN_BENCH_POLLS", 20),
        arrival: Duration::from_secs_f64(env("GONGWEN_BENCH_ARRIVAL", 120.0)),
        steady: Duration::from_secs_f64(env("GONGWEN_BENCH_STEADY", 60.0)),
        interval: Duration::from_secs_f64(env("GONGWEN_BENCH_INTERVAL", 5.0)),
        pushers: env("GONGWEN_BENCH_PUSHERS", 0.1f64).clamp(0.0, 1.0),
        change: Duration::from_secs_f64(env("GONGWEN_BENCH_CHANGE", 30.0)),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    println!(
        "plan: arrival over {:?}, steady state {:?} polling every {:?} ±20 %, {:.0} % of clients \
         change something every {:?} on average, saturation {} back-to-back pulls per client",
        plan.arrival,
        plan.steady,
        plan.interval,
        plan.pushers * 100.0,
        plan.change,
        plan.polls
    );
    runtime.block_on(async move {
        println!(
            "| clients | phase | ok | errors | 503 retries | offered/s | ok/s | p50 ms | p99 ms | wall s | load avg |"
        );
        println!(
            "|--------:|-------|---:|-------:|------------:|----------:|-----:|-------:|-------:|-------:|----------|"
        );
        for n in sizes {
            bench(n, plan).await?;
        }
        anyhow::Ok(())
    })
}

/// A small deterministic generator (SplitMix64): the same schedule every run.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// `d` scaled by a factor uniform in [lo, hi).
    fn scale(&mut self, d: Duration, lo: f64, hi: f64) -> Duration {
        d.mul_f64(lo + (hi - lo) * self.unit())
    }

    /// An exponential gap of mean `mean` (a Poisson process), capped at 10 means.
    fn exponential(&mut self, mean: Duration) -> Duration {
        mean.mul_f64((-(1.0 - self.unit()).ln()).min(10.0))
    }
}

/// The latencies and counts of one phase (or one kind of request in it).
#[derive(Debug, Default)]
struct Tally {
    latencies: Vec<Duration>,
    errors: usize,
    turned_away: usize,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.latencies.extend(other.latencies);
        self.errors += other.errors;
        self.turned_away += other.turned_away;
    }
}

async fn bench(clients: usize, plan: Plan) -> anyhow::Result<()> {
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
    while get(&http, addr, "/v1/health")
        .await
        .map(|s| s != StatusCode::OK)
        .unwrap_or(true)
    {
        anyhow::ensure!(!server.is_finished(), "server failed to start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    seed(&url, clients).await?;
    let target = Target { http, addr };

    // 1. Everyone logs in at once.
    let started = Instant::now();
    let load_before = load_average();
    let mut tasks = JoinSet::new();
    for i in 0..clients {
        let target = target.clone();
        tasks.spawn(async move { (i, target.login(i).await) });
    }
    let mut storm = Tally::default();
    while let Some(done) = tasks.join_next().await {
        let (_, outcome) = done?;
        record_login(&mut storm, outcome);
    }
    report(
        clients,
        "login storm (all at once)",
        &storm,
        "—".into(),
        started.elapsed(),
        load_before,
    );

    // 2. Morning arrival: logins spread over `plan.arrival`, each followed by a pull.
    let started = Instant::now();
    let load_before = load_average();
    let mut tasks = JoinSet::new();
    for i in 0..clients {
        let target = target.clone();
        let at = started + Rng::new(i as u64).scale(plan.arrival, 0.0, 1.0);
        tasks.spawn(async move {
            tokio::time::sleep_until(at.into()).await;
            let login = target.login(i).await;
            let first = match &login {
                Ok((_, Some(token), _)) => {
                    let mut device = Device::new(i, token.clone());
                    let t = Instant::now();
                    let pulled = device.pull(&target).await;
                    Some((t.elapsed(), pulled.map(|()| device)))
                }
                _ => None,
            };
            (i, login, first)
        });
    }
    let mut logins = Tally::default();
    let mut first_pulls = Tally::default();
    let mut devices = Vec::with_capacity(clients);
    while let Some(done) = tasks.join_next().await {
        let (_, login, first) = done?;
        record_login(&mut logins, login);
        match first {
            Some((d, Ok(device))) => {
                first_pulls.latencies.push(d);
                devices.push(device);
            }
            Some((_, Err(_))) => first_pulls.errors += 1,
            None => {}
        }
    }
    let wall = started.elapsed();
    let arrival_rate = format!("{:.1}", clients as f64 / plan.arrival.as_secs_f64());
    report(
        clients,
        &format!("login, arrivals over {} s", plan.arrival.as_secs()),
        &logins,
        arrival_rate.clone(),
        wall,
        load_before.clone(),
    );
    report(
        clients,
        "first pull after login (directory)",
        &first_pulls,
        arrival_rate,
        wall,
        load_before,
    );
    devices.sort_by_key(|d| d.index);

    // 3. Steady state.
    let started = Instant::now();
    let end = started + plan.steady;
    let load_before = load_average();
    let pushing = (clients as f64 * plan.pushers).round() as usize;
    let mut tasks = JoinSet::new();
    for (k, mut device) in devices.into_iter().enumerate() {
        let target = target.clone();
        // Pushers are spread over the organs (every n-th client).
        let pusher = pushing > 0 && k % (clients / pushing).max(1) == 0;
        tasks.spawn(async move {
            let mut rng = Rng::new(device.index as u64 ^ 0x5eed);
            let mut polls = Tally::default();
            let mut pushes = Tally::default();
            let mut after_push = Tally::default();
            let mut next_poll = started + rng.scale(plan.interval, 0.0, 1.0);
            let mut next_change = started + rng.exponential(plan.change);
            loop {
                let change = pusher && next_change < next_poll;
                let at = if change { next_change } else { next_poll };
                if at >= end {
                    break;
                }
                tokio::time::sleep_until(at.into()).await;
                if change {
                    let t = Instant::now();
                    match device.push(&target).await {
                        Ok(()) => pushes.latencies.push(t.elapsed()),
                        Err(_) => pushes.errors += 1,
                    }
                    let t = Instant::now();
                    match device.pull(&target).await {
                        Ok(()) => after_push.latencies.push(t.elapsed()),
                        Err(_) => after_push.errors += 1,
                    }
                    next_change = Instant::now() + rng.exponential(plan.change);
                } else {
                    let t = Instant::now();
                    match device.pull(&target).await {
                        Ok(()) => polls.latencies.push(t.elapsed()),
                        Err(_) => polls.errors += 1,
                    }
                }
                // The client waits its interval after a sync finished.
                next_poll = Instant::now() + rng.scale(plan.interval, 0.8, 1.2);
            }
            (device, polls, pushes, after_push)
        });
    }
    let mut polls = Tally::default();
    let mut pushes = Tally::default();
    let mut after_push = Tally::default();
    let mut devices = Vec::with_capacity(clients);
    while let Some(done) = tasks.join_next().await {
        let (device, p, q, r) = done?;
        devices.push(device);
        polls.merge(p);
        pushes.merge(q);
        after_push.merge(r);
    }
    let wall = started.elapsed();
    let poll_rate = clients as f64 / plan.interval.as_secs_f64();
    let change_rate = pushing as f64 / plan.change.as_secs_f64();
    report(
        clients,
        &format!("steady: poll every {} s", plan.interval.as_secs_f64()),
        &polls,
        format!("{poll_rate:.0}"),
        wall,
        load_before.clone(),
    );
    report(
        clients,
        &format!("steady: push ({pushing} clients)"),
        &pushes,
        format!("{change_rate:.1}"),
        wall,
        load_before.clone(),
    );
    report(
        clients,
        "steady: pull after a push",
        &after_push,
        format!("{change_rate:.1}"),
        wall,
        load_before,
    );

    // 4. Saturation: back-to-back pulls.
    let started = Instant::now();
    let load_before = load_average();
    let mut tasks = JoinSet::new();
    for mut device in devices {
        let target = target.clone();
        tasks.spawn(async move {
            let mut tally = Tally::default();
            for _ in 0..plan.polls {
                let t = Instant::now();
                match device.pull(&target).await {
                    Ok(()) => tally.latencies.push(t.elapsed()),
                    Err(_) => tally.errors += 1,
                }
            }
            tally
        });
    }
    let mut saturation = Tally::default();
    while let Some(done) = tasks.join_next().await {
        saturation.merge(done?);
    }
    report(
        clients,
        "saturation: back-to-back pulls",
        &saturation,
        "closed loop".into(),
        started.elapsed(),
        load_before,
    );

    let _ = stop.send(());
    server.await??;
    Ok(())
}

/// A login's outcome: (time until in, the access token if it got in, 503s met).
type LoginOutcome = anyhow::Result<(Duration, Option<String>, usize)>;

fn record_login(tally: &mut Tally, outcome: LoginOutcome) {
    match outcome {
        Ok((d, Some(_), retries)) => {
            tally.latencies.push(d);
            tally.turned_away += retries;
        }
        Ok((_, None, retries)) => {
            tally.errors += 1;
            tally.turned_away += retries;
        }
        Err(_) => tally.errors += 1,
    }
}

/// The server under test.
#[derive(Clone)]
struct Target {
    http: HttpClient,
    addr: std::net::SocketAddr,
}

impl Target {
    /// Logs user `u{i}` in; a 503 is retried after its `Retry-After` (plus up to 1 s
    /// of jitter, as the desktop client does), at most 100 times.
    async fn login(&self, i: usize) -> LoginOutcome {
        let t = Instant::now();
        let body = serde_json::to_vec(&LoginRequest {
            login: format!("u{i}"),
            password: PASSWORD.into(),
        })?;
        let mut turned_away = 0usize;
        loop {
            let req = Request::post(format!("http://{}/v1/auth/login", self.addr))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Full::new(Bytes::from(body.clone())))?;
            let res = self.http.request(req).await?;
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
                    return Ok((t.elapsed(), Some(token), turned_away));
                }
                (StatusCode::SERVICE_UNAVAILABLE, Some(secs)) if turned_away < 100 => {
                    turned_away += 1;
                    let jitter = Duration::from_millis((i as u64 * 7919) % 1000);
                    tokio::time::sleep(Duration::from_secs(secs) + jitter).await;
                }
                _ => return Ok((t.elapsed(), None, turned_away)),
            }
        }
    }

    /// One authenticated JSON POST; the answer, or an error for anything but 200.
    async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        token: &str,
        body: &B,
    ) -> anyhow::Result<T> {
        let req = Request::post(format!("http://{}{path}", self.addr))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(serde_json::to_vec(body)?)))?;
        let res = self.http.request(req).await?;
        let status = res.status();
        let bytes = res.into_body().collect().await?.to_bytes();
        anyhow::ensure!(status == StatusCode::OK, "{path} answered {status}");
        Ok(serde_json::from_slice(&bytes)?)
    }
}

/// One simulated desktop client: its token, cursors and outbox sequence.
struct Device {
    index: usize,
    token: String,
    request: PullRequest,
    seq: i64,
}

impl Device {
    fn new(index: usize, token: String) -> Self {
        Device {
            index,
            token,
            request: PullRequest {
                protocol: gongwen_protocol::PROTOCOL_VERSION,
                schema_version: SCHEMA_VERSION,
                client_id: format!("bench-client-{index}"),
                cursors: Default::default(),
                limit: 1000,
            },
            seq: 0,
        }
    }

    /// One pull, keeping the answer's cursors for the next.
    async fn pull(&mut self, target: &Target) -> anyhow::Result<()> {
        let answer: PullResponse = target
            .post("/v1/sync/pull", &self.token, &self.request)
            .await?;
        for (bucket, page) in answer.buckets {
            self.request.cursors.insert(bucket, page.next);
        }
        Ok(())
    }

    /// Pushes one queued action: a new draft (the 通知 example).
    async fn push(&mut self, target: &Target) -> anyhow::Result<()> {
        self.seq += 1;
        let seq = self.seq;
        let mut document: serde_json::Value = serde_json::from_str(NOTICE)?;
        document["title"] = format!("第{}号终端的第{seq}份通知", self.index).into();
        let answer: PushResponse = target
            .post(
                "/v1/sync/push",
                &self.token,
                &PushRequest {
                    protocol: gongwen_protocol::PROTOCOL_VERSION,
                    schema_version: SCHEMA_VERSION,
                    client_id: self.request.client_id.clone(),
                    mutations: vec![Mutation {
                        seq,
                        id: format!("0190f3c2-{:04x}-7000-8000-{seq:012x}", self.index & 0xffff),
                        name: "draft.save.v1".into(),
                        args: serde_json::json!({
                            "draft_id": format!("B{}-{seq}", self.index),
                            "base_version": null,
                            "version": 1,
                            "document": document,
                            "content_hash": format!("sha256:{seq:064x}"),
                        }),
                        client_time: None,
                        blob_deps: vec![],
                    }],
                },
            )
            .await?;
        anyhow::ensure!(
            answer.last_applied_seq == seq,
            "push not applied: {:?}",
            answer.results.last()
        );
        Ok(())
    }
}

async fn get(
    http: &HttpClient,
    addr: std::net::SocketAddr,
    path: &str,
) -> anyhow::Result<StatusCode> {
    let res = http
        .request(Request::get(format!("http://{addr}{path}")).body(Full::new(Bytes::new()))?)
        .await?;
    let status = res.status();
    res.into_body().collect().await?;
    Ok(status)
}

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
    tally: &Tally,
    offered: String,
    wall: Duration,
    load_before: String,
) {
    let mut latencies = tally.latencies.clone();
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
        "| {clients} | {phase} | {} | {} | {} | {offered} | {rps:.0} | {:.1} | {:.1} | {:.1} | {load_before} → {} |",
        latencies.len(),
        tally.errors,
        tally.turned_away,
        pct(0.50),
        pct(0.99),
        wall.as_secs_f64(),
        load_average()
    );
}
