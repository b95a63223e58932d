//! Initial sync end to end (issue 7: 100,000 documents into an empty client at
//! ≥ 10,000 documents/s): the real `gongwen-server` on 127.0.0.1 against a throwaway
//! PostgreSQL (gongwen-testkit), and a real `gongwen_client` store (encrypted SQLite)
//! pulling through its HTTP transport (login, bearer token, JSON decoding, checksum
//! verification, one SQLite transaction per page with its cursors, the pipelined
//! `Engine::pull`). Nothing is simulated between the two.
//!
//! The documents are written straight into the bucket op log with their real checksums
//! (as `crates/gongwen-server/benches/sync.rs` does), so the run stays short. Two
//! cases, each into its own empty store:
//!
//! * **收文**: N incoming items (the full 通知 example as the document, ~3 KB of JSON)
//!   in the organ's bucket: what a new device of a 收文 clerk pulls first;
//! * **draft heads**: N drafts of the same size in the user's bucket, materialised as
//!   local drafts (listed, searchable); the index stage (FTS catch-up, run by every
//!   sync after its network stages) is printed on its own row and added to the pull.
//!
//! A third case, **actions**, measures the two other numbers of issue 7 with a real
//! client: a device that worked offline pushes its 1,000 queued actions (new drafts of
//! the same example, `draft.save.v1`, the engine's push stage: batches until every one
//! is acknowledged; target ≤ 2 s), then runs 200 syncs with nothing to do (the whole
//! `Engine::sync`: pull, push, index stage, status; target ≤ 20 ms per round trip).
//!
//! The physical bound printed beside each case (issue 7: "compare against a plain
//! bulk copy of the same rows"): the same rows (entity id, JSON text) read from the
//! server's op log in one query and bulk-inserted into an encrypted SQLite table in one
//! transaction, with the client store's pragmas, on the same machine.
//!
//! ```sh
//! cargo bench -p gongwen-tests --bench sync_e2e                      # N = 100,000
//! GONGWEN_BENCH_DOCS=20000 cargo bench -p gongwen-tests --bench sync_e2e
//! GONGWEN_BENCH_CASE=incoming cargo bench -p gongwen-tests --bench sync_e2e  # or drafts, actions
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use gongwen_client::Client;
use gongwen_client::api::OpenOptions;
use gongwen_client::key::{Key, StaticKey};
use gongwen_client::sync::{self, Engine, HttpTransport, MemoryTokens, SyncReport};
use gongwen_protocol::directory::{NewOrgan, NewUser, OrganLevel, Role};
use gongwen_protocol::exchange::{Incoming, ItemState, OrganRef, PersonRef};
use gongwen_protocol::sync::{DraftHead, Op, OpKind, kinds, op_checksum};
use gongwen_server::{Settings, auth::password, db, directory};
use gongwen_testkit::TestPostgres;

const PASSWORD: &str = "bench-password-1";
const NOTICE: &str = include_str!("../../docs/examples/notice-full.json");

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// The example 通知 with its own title and body (≈ 2 KB of JSON).
fn document(base: &serde_json::Value, i: usize) -> serde_json::Value {
    let mut doc = base.clone();
    doc["title"] = format!("鹤山市人民政府关于做好第{i}批春耕备耕和安全生产工作的通知").into();
    doc["body"] = format!(
        "各镇人民政府，市政府各部门、各直属机构：\n为切实做好第{i}批春耕备耕工作，\
         确保全年粮食生产稳定，经市人民政府同意，现将有关事项通知如下。\n\
         一、提高思想认识。各单位要把春耕备耕作为当前农业农村工作的重中之重。\n\
         二、落实工作责任。主要负责同志要亲自抓、负总责，分管负责同志要具体抓。"
    )
    .into();
    doc["doc_number"] = serde_json::Value::Null;
    doc
}

fn incoming(base: &serde_json::Value, i: usize) -> (String, String) {
    let item = Incoming {
        id: format!("bench-in-{i:06}"),
        exchange_id: format!("bench-x-{i:06}"),
        document_id: format!("bench-d-{i:06}"),
        from: OrganRef {
            code: "鹤山镇".into(),
            name: "鹤山镇人民政府".into(),
        },
        to: OrganRef {
            code: "鹤府办".into(),
            name: "鹤山市人民政府办公室".into(),
        },
        title: format!("关于做好第{i}批春耕备耕工作的通知"),
        doc_number: Some(format!("鹤镇发〔2026〕{i}号")),
        document: document(base, i),
        content_hash: None,
        pdf: None,
        attachments: vec![],
        sent_by: PersonRef {
            login: "town".into(),
            display_name: "镇文书".into(),
        },
        // The server appends an item's op when it delivers the item: delivery order,
        // one every five minutes.
        delivered_at: (time::macros::datetime!(2025-11-29 08:00 +08:00)
            + time::Duration::minutes(5 * i as i64))
        .format(&time::format_description::well_known::Rfc3339)
        .expect("a fixed offset time formats as RFC 3339"),
        state: ItemState::Delivered,
        signed_by: None,
        signed_at: None,
    };
    let json = serde_json::to_string(&item).expect("an item serializes");
    (item.id, json)
}

fn draft(base: &serde_json::Value, i: usize) -> (String, String) {
    let head = DraftHead {
        draft_id: format!("bench-draft-{i:06}"),
        head_version: 1,
        content_hash: format!("sha256:{i:064x}"),
        document: document(base, i),
        conflicts: vec![],
    };
    let json = serde_json::to_string(&head).expect("a head serializes");
    (head.draft_id, json)
}

/// Appends `docs` PUT ops of `kind` to `bucket`'s op log (after whatever it holds),
/// with their real checksums, 5,000 rows per statement.
async fn seed(
    pool: &deadpool_postgres::Pool,
    bucket: &str,
    kind: &str,
    docs: usize,
    make: impl Fn(&serde_json::Value, usize) -> (String, String),
) -> anyhow::Result<()> {
    let base: serde_json::Value = serde_json::from_str(NOTICE)?;
    let client = pool.get().await?;
    client
        .execute(
            "INSERT INTO buckets (name, last_op_id, checksum) VALUES ($1, 0, 0)
             ON CONFLICT (name) DO NOTHING",
            &[&bucket],
        )
        .await?;
    let row = client
        .query_one(
            "SELECT last_op_id, checksum FROM buckets WHERE name = $1",
            &[&bucket],
        )
        .await?;
    let (start, sum): (i64, i64) = (row.get(0), row.get(1));
    let mut sum = sum as u32;
    let mut next = start + 1;
    let last = start + docs as i64;
    while next <= last {
        let end = (next + 4999).min(last);
        let (mut ids, mut entities, mut data, mut sums) = (vec![], vec![], vec![], vec![]);
        for op_id in next..=end {
            let (id, json) = make(&base, (op_id - start) as usize);
            let op = Op {
                op_id,
                op: OpKind::Put,
                kind: kind.into(),
                id: id.clone(),
                version: 1,
                data: None,
            };
            sum = sum.wrapping_add(op_checksum(&op));
            ids.push(op_id);
            entities.push(id);
            data.push(json);
            sums.push(i64::from(sum));
        }
        client
            .execute(
                "INSERT INTO bucket_ops (bucket, op_id, op, kind, entity_id, version, data, checksum)
                 SELECT $1, i, 'PUT', $2, e, 1, d::jsonb, c
                   FROM unnest($3::bigint[], $4::text[], $5::text[], $6::bigint[]) AS u(i, e, d, c)",
                &[&bucket, &kind, &ids, &entities, &data, &sums],
            )
            .await?;
        next = end + 1;
    }
    client
        .execute(
            "UPDATE buckets SET last_op_id = $2, checksum = $3 WHERE name = $1",
            &[&bucket, &last, &i64::from(sum)],
        )
        .await?;
    client.batch_execute("ANALYZE bucket_ops").await?;
    Ok(())
}

/// The physical bound: the rows of `bucket` (entity id, JSON text) read from PostgreSQL
/// in one query and inserted into an encrypted SQLite table in one transaction.
async fn bulk_copy(pool: &deadpool_postgres::Pool, bucket: &str) -> anyhow::Result<Duration> {
    let dir = tempfile::tempdir()?;
    let conn = rusqlite::Connection::open(dir.path().join("bound.db"))?;
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{}'\"; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
         CREATE TABLE rows (id TEXT PRIMARY KEY, data TEXT NOT NULL) STRICT;",
        "09".repeat(32)
    ))?;
    let client = pool.get().await?;
    let started = Instant::now();
    let rows = client
        .query(
            "SELECT entity_id, data::text FROM bucket_ops WHERE bucket = $1 ORDER BY op_id",
            &[&bucket],
        )
        .await?;
    let tx = conn.unchecked_transaction()?;
    {
        let mut insert = tx.prepare("INSERT INTO rows (id, data) VALUES (?1, ?2)")?;
        for r in &rows {
            let id: &str = r.get(0);
            let data: &str = r.get(1);
            insert.execute([id, data])?;
        }
    }
    tx.commit()?;
    Ok(started.elapsed())
}

/// An organ with one user in it.
async fn organ_with_user(
    pool: &deadpool_postgres::Pool,
    code: &str,
    name: &str,
    login: &str,
) -> anyhow::Result<()> {
    let client = pool.get().await?;
    directory::create_organ(
        &client,
        &NewOrgan {
            name: name.into(),
            code: code.into(),
            level: OrganLevel::City,
            parent: None,
        },
    )
    .await?;
    directory::create_user(
        &client,
        &NewUser {
            login: login.into(),
            display_name: Some(format!("用户{login}")),
            organ: code.into(),
            department: None,
            roles: vec![Role::Drafter, Role::Clerk],
            password: None,
        },
        Some(&password::hash(PASSWORD)?),
    )
    .await?;
    Ok(())
}

/// A user of an organ that exists.
async fn user(pool: &deadpool_postgres::Pool, organ: &str, login: &str) -> anyhow::Result<()> {
    let client = pool.get().await?;
    directory::create_user(
        &client,
        &NewUser {
            login: login.into(),
            display_name: Some(format!("用户{login}")),
            organ: organ.into(),
            department: None,
            roles: vec![Role::Drafter],
            password: None,
        },
        Some(&password::hash(PASSWORD)?),
    )
    .await?;
    Ok(())
}

/// A new store logged in as `login` over HTTP, with its sync engine.
async fn device(
    dir: &std::path::Path,
    base: &str,
    login: &str,
) -> anyhow::Result<(Arc<Client>, Engine<HttpTransport>)> {
    let client = Arc::new(
        OpenOptions::new(dir)
            .create(true)
            .keys(Arc::new(StaticKey(Key::from_bytes([9; 32]))))
            .user(login)
            .open()?,
    );
    let tokens = Arc::new(MemoryTokens::default());
    let account = sync::login(&client, base, login, PASSWORD, None, tokens.clone()).await?;
    let transport = HttpTransport::new(account, tokens)?;
    let engine = Engine::new(client.clone(), transport);
    Ok((client, engine))
}

/// What the actions case measured.
struct Actions {
    pushed: u64,
    push: Duration,
    /// Push requests (batches of at most `sync::PUSH_BATCH` rows).
    requests: usize,
    /// Each no-op sync's round trip.
    noop: Vec<Duration>,
}

/// A device that worked offline: `n` new drafts queued, then one push stage (timed),
/// one sync that pulls them back, and `rounds` syncs with nothing to do (each timed).
async fn actions(base: &str, login: &str, n: usize, rounds: usize) -> anyhow::Result<Actions> {
    let dir = tempfile::tempdir()?;
    let (client, engine) = device(dir.path(), base, login).await?;
    engine.sync().await?;
    let example: serde_json::Value = serde_json::from_str(NOTICE)?;
    for i in 0..n {
        let doc: gongwen_domain::Document = serde_json::from_value(document(&example, i))?;
        client.create_draft(doc)?;
    }
    anyhow::ensure!(
        client.sync_pending()? == n as u64,
        "{n} actions should wait"
    );
    let mut report = SyncReport::default();
    let started = Instant::now();
    let pushed = engine.push(&mut report).await?;
    let push = started.elapsed();
    anyhow::ensure!(pushed == n as u64, "pushed {pushed} of {n}: {report:?}");
    anyhow::ensure!(client.sync_pending()? == 0, "actions left after the push");
    // Pulls the drafts back (their server heads), then nothing is left to do.
    engine.sync().await?;
    let mut noop = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        let r = engine.sync().await?;
        noop.push(started.elapsed());
        anyhow::ensure!(
            r.ops == 0 && r.applied == 0,
            "a no-op sync did something: {r:?}"
        );
    }
    Ok(Actions {
        pushed,
        push,
        requests: n.div_ceil(sync::PUSH_BATCH),
        noop,
    })
}

/// What one initial sync into an empty store took.
struct Synced {
    pull: Duration,
    report: SyncReport,
    index: Duration,
    indexed: u64,
}

/// Logs `login` in on a new, empty store and pulls everything, then runs the index stage.
async fn initial_sync(base: &str, login: &str) -> anyhow::Result<Synced> {
    let dir = tempfile::tempdir()?;
    let (client, engine) = device(dir.path(), base, login).await?;
    let mut report = SyncReport::default();
    let started = Instant::now();
    engine.pull(&mut report).await?;
    let pull = started.elapsed();
    anyhow::ensure!(
        report.resets == 0,
        "a page's checksum did not match: {report:?}"
    );
    let started = Instant::now();
    let indexed = engine.build_search_index().await?;
    let index = started.elapsed();
    check(&client, login)?;
    Ok(Synced {
        pull,
        report,
        index,
        indexed,
    })
}

/// The store holds what was pulled (a spot check, outside the timings).
fn check(client: &Client, login: &str) -> anyhow::Result<()> {
    if login == "clerk" {
        let listed = client.incoming(&Default::default(), 0, 1)?;
        anyhow::ensure!(listed.total > 0, "no 收文 listed");
    } else {
        anyhow::ensure!(client.search_backlog()? == 0, "the index stage left drafts");
    }
    Ok(())
}

fn row(name: &str, took: Duration, docs: u64, pages: u64) {
    println!(
        "| {:<44} | {:>8.2} | {:>8.0} | {:>6} |",
        name,
        took.as_secs_f64(),
        docs as f64 / took.as_secs_f64(),
        pages
    );
}

/// The share of the bound's speed a pull reached.
fn ratio(case: &str, pull: Duration, bound: Duration) -> String {
    format!(
        "{case}: the pull ran at {:.0} % of the bound's speed",
        100.0 * bound.as_secs_f64() / pull.as_secs_f64()
    )
}

async fn bench(docs: usize, case: &str) -> anyhow::Result<()> {
    let url = TestPostgres::shared().fresh_database();
    let mut settings = Settings::new(url.clone());
    settings.pool_size = 16;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(gongwen_server::launch(settings, listener, async {
        let _ = stopped.await;
    }));
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..600 {
        if let Ok(r) = http.get(format!("{base}/v1/ready")).send().await
            && r.status() == 200
        {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::ensure!(ready, "the server did not become ready");
    let pool = db::connect(&url, 2).await?;
    organ_with_user(&pool, "鹤府办", "鹤山市人民政府办公室", "clerk").await?;
    organ_with_user(&pool, "鹤山镇", "鹤山镇人民政府", "drafter").await?;

    println!();
    println!(
        "| {:<44} | {:>8} | {:>8} | {:>6} |",
        "case", "seconds", "docs/s", "pages"
    );
    println!("|{:-<46}|{:->10}|{:->10}|{:->8}|", "", "", "", "");
    let mut notes = Vec::new();
    if case.is_empty() || case == "incoming" {
        seed(&pool, "organ:鹤府办", kinds::INCOMING, docs, incoming)
            .await
            .context("seeding 收文")?;
        let s = initial_sync(&base, "clerk").await?;
        anyhow::ensure!(s.report.ops >= docs as u64, "pulled {:?}", s.report);
        let bound = bulk_copy(&pool, "organ:鹤府办").await?;
        row(
            "收文: initial pull, end to end",
            s.pull,
            docs as u64,
            s.report.pages,
        );
        row("收文 rows, plain bulk copy (bound)", bound, docs as u64, 0);
        notes.push(ratio("收文", s.pull, bound));
    }
    if case.is_empty() || case == "drafts" {
        seed(&pool, "user:drafter", kinds::DRAFT, docs, draft)
            .await
            .context("seeding drafts")?;
        let s = initial_sync(&base, "drafter").await?;
        anyhow::ensure!(s.report.ops >= docs as u64, "pulled {:?}", s.report);
        let bound = bulk_copy(&pool, "user:drafter").await?;
        row(
            "draft heads: initial pull, end to end",
            s.pull,
            docs as u64,
            s.report.pages,
        );
        row(
            "draft heads: index stage (FTS catch-up)",
            s.index,
            s.indexed,
            0,
        );
        row(
            "draft heads: pull + index stage",
            s.pull + s.index,
            docs as u64,
            s.report.pages,
        );
        row(
            "draft heads, plain bulk copy (bound)",
            bound,
            docs as u64,
            0,
        );
        notes.push(ratio("draft heads", s.pull, bound));
    }
    for note in notes {
        println!("{note}");
    }
    if case.is_empty() || case == "actions" {
        user(&pool, "鹤山镇", "writer").await?;
        let a = actions(&base, "writer", 1000, 200).await?;
        let mut noop = a.noop.clone();
        noop.sort();
        let pct = |p: f64| noop[((noop.len() - 1) as f64 * p).round() as usize];
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!();
        println!(
            "| {:<44} | {:>6} | {:>8} | {:>9} | {:>8} | {:>8} | {:<16} |",
            "phase", "items", "requests", "total ms", "p50 ms", "p99 ms", "target"
        );
        println!(
            "|{:-<46}|{:->8}|{:->10}|{:->11}|{:->10}|{:->10}|{:-<18}|",
            "", "", "", "", "", "", ""
        );
        println!(
            "| {:<44} | {:>6} | {:>8} | {:>9.0} | {:>8} | {:>8} | {:<16} |",
            "push of queued offline actions (draft saves)",
            a.pushed,
            a.requests,
            ms(a.push),
            "",
            "",
            "1,000 in ≤ 2 s"
        );
        println!(
            "| {:<44} | {:>6} | {:>8} | {:>9.0} | {:>8.2} | {:>8.2} | {:<16} |",
            "no-op sync (Engine::sync round trip)",
            noop.len(),
            "",
            ms(noop.iter().sum()),
            ms(pct(0.5)),
            ms(pct(0.99)),
            "≤ 20 ms"
        );
    }
    let _ = stop.send(());
    server.await??;
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let docs: usize = std::env::var("GONGWEN_BENCH_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let case = std::env::var("GONGWEN_BENCH_CASE").unwrap_or_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    println!(
        "Sync end to end: initial sync of {docs} documents from the real server into an empty client"
    );
    println!("load average before: {}", load_average());
    runtime.block_on(bench(docs, &case))?;
    println!("load average after: {}", load_average());
    Ok(())
}
