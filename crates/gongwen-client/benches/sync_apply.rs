//! Client-side apply benchmark of the initial sync (issue 7: ≥ 10,000 documents/s end
//! to end): an empty encrypted store pulls N documents through the real engine
//! ([`Engine::pull`]) from an in-process transport that serves the pages as JSON bytes
//! (decoded per request, as the HTTP transport does), so the numbers cover decoding,
//! checksum verification, the per-page transactions, materialising drafts (local
//! versions, FTS index) and the 收文 rows, without the network and the server (the
//! server side is measured by `make bench-server`).
//!
//! The physical bound: the same rows (id, JSON) bulk-inserted in one transaction into a
//! table of an encrypted database with the same pragmas.
//!
//! A large pull leaves indexing its new drafts to the index stage
//! (`Client::build_search_index`, run by every sync after its network stages); the
//! draft rows show the pull itself (documents stored, listed and searchable through the
//! scan of unindexed drafts), one search while the index is behind (a title found by
//! that scan: the worst case, every unindexed draft read), and the index stage.
//!
//! ```text
//! cargo bench -p gongwen-client --bench sync_apply                 # 100,000 documents
//! GONGWEN_BENCH_DOCS=10000 cargo bench -p gongwen-client --bench sync_apply
//! GONGWEN_BENCH_CASE=drafts cargo bench -p gongwen-client --bench sync_apply  # or incoming
//! GONGWEN_BENCH_DELIVERED=cyclic cargo bench -p gongwen-client --bench sync_apply  # 收文 order before session 7
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use gongwen_client::Client;
use gongwen_client::api::OpenOptions;
use gongwen_client::key::{Key, StaticKey};
use gongwen_client::sync::{BlobRange, Engine, PULL_LIMIT, SyncReport, Transport, TransportResult};
use gongwen_protocol::Health;
use gongwen_protocol::exchange::{Incoming, ItemState, OrganRef, PersonRef};
use gongwen_protocol::sync::{
    BlobAnnounce, BlobUpload, BucketPage, DraftHead, Op, PullRequest, PullResponse, PushRequest,
    PushResponse, bucket_checksum, format_checksum, kinds,
};

/// A bucket as the server would serve it: ops, and the checksum after each op.
struct Bucket {
    ops: Vec<Op>,
    sums: Vec<u32>,
}

impl Bucket {
    fn new(ops: Vec<Op>) -> Bucket {
        let mut sum = 0;
        let sums = ops
            .iter()
            .map(|op| {
                sum = bucket_checksum(sum, std::iter::once(op));
                sum
            })
            .collect();
        Bucket { ops, sums }
    }
}

/// Serves pulls from memory, page by page, encoded as JSON and decoded per request.
struct MemoryServer {
    buckets: BTreeMap<String, Bucket>,
}

impl MemoryServer {
    fn page(&self, req: &PullRequest) -> Vec<u8> {
        let limit = req.limit.clamp(1, PULL_LIMIT) as usize;
        let mut resp = PullResponse {
            buckets: BTreeMap::new(),
            added_buckets: vec![],
            removed_buckets: vec![],
            resets: vec![],
            reset_reasons: BTreeMap::new(),
            last_applied_seq: 0,
        };
        for (name, b) in &self.buckets {
            let cursor = match req.cursors.get(name) {
                Some(c) => *c as usize,
                None => {
                    resp.added_buckets.push(name.clone());
                    0
                }
            };
            let end = (cursor + limit).min(b.ops.len());
            let ops = b.ops[cursor..end].to_vec();
            resp.buckets.insert(
                name.clone(),
                BucketPage {
                    ops,
                    next: end as i64,
                    has_more: end < b.ops.len(),
                    checksum: format_checksum(if end == 0 { 0 } else { b.sums[end - 1] }),
                },
            );
        }
        serde_json::to_vec(&resp).unwrap()
    }
}

impl Transport for MemoryServer {
    async fn health(&self) -> TransportResult<Health> {
        unreachable!("the benchmark only pulls")
    }
    async fn push(&self, _: &PushRequest) -> TransportResult<PushResponse> {
        unreachable!("the benchmark only pulls")
    }
    async fn pull(&self, req: &PullRequest) -> TransportResult<PullResponse> {
        let bytes = self.page(req);
        Ok(serde_json::from_slice(&bytes).unwrap())
    }
    async fn blob_announce(&self, _: &BlobAnnounce) -> TransportResult<BlobUpload> {
        unreachable!("no blobs")
    }
    async fn blob_offset(&self, _: &str) -> TransportResult<u64> {
        unreachable!("no blobs")
    }
    async fn blob_patch(&self, _: &str, _: u64, _: Vec<u8>) -> TransportResult<u64> {
        unreachable!("no blobs")
    }
    async fn blob_get(&self, _: &str, _: u64, _: u64) -> TransportResult<BlobRange> {
        unreachable!("no blobs")
    }
}

fn example() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/examples/notice-full.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A realistic document: the full example 通知 (≈ 2 KB of JSON), varied per index.
fn document(base: &serde_json::Value, i: usize) -> serde_json::Value {
    let mut doc = base.clone();
    doc["title"] = format!("鹤山市人民政府关于做好第{i}批春耕备耕和安全生产工作的通知").into();
    doc["body"] = format!(
        "各镇人民政府，市政府各部门、各直属机构：\n为切实做好第{i}批春耕备耕工作，\
         确保全年粮食生产稳定，经市人民政府同意，现将有关事项通知如下。\n\
         一、提高思想认识。各单位要把春耕备耕作为当前农业农村工作的重中之重。\n\
         二、落实工作责任。主要负责同志要亲自抓、负总责，分管负责同志要具体抓。\n\
         三、加强督促检查。市政府办公室将适时组织督查，对工作不力的予以通报。"
    )
    .into();
    doc["doc_number"] = serde_json::Value::Null;
    doc
}

fn drafts(n: usize) -> Vec<Op> {
    let base = example();
    (0..n)
        .map(|i| {
            let document = document(&base, i);
            let head = DraftHead {
                draft_id: format!("bench-draft-{i:06}"),
                head_version: 1,
                content_hash: format!("sha256:{i:064x}"),
                document,
                conflicts: vec![],
            };
            Op::put(
                i as i64 + 1,
                kinds::DRAFT,
                &head.draft_id,
                i as i64 + 1,
                &head,
            )
            .unwrap()
        })
        .collect()
}

/// When the i-th of n 收文 items was delivered. The server appends an item's op when it
/// delivers the item, so an organ's bucket holds them in delivery order: one every few
/// minutes over the last year, oldest first. `GONGWEN_BENCH_DELIVERED=cyclic` gives the
/// order of the benches before session 7 (the day and minute cycling with i), which
/// scatters every page's entries over the whole of the two time indexes.
fn delivered_at(i: usize, n: usize, cyclic: bool) -> String {
    if cyclic {
        return format!("2026-03-{:02}T09:{:02}:00+08:00", 1 + i % 28, i % 60);
    }
    let start = time::macros::datetime!(2025-11-29 08:00 +08:00);
    let step = 365 * 24 * 3600 / n.max(1) as i64;
    (start + time::Duration::seconds(step * i as i64))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

fn incoming(n: usize) -> Vec<Op> {
    let base = example();
    let cyclic = std::env::var("GONGWEN_BENCH_DELIVERED").is_ok_and(|v| v == "cyclic");
    (0..n)
        .map(|i| {
            let item = Incoming {
                id: format!("bench-in-{i:06}"),
                exchange_id: format!("bench-x-{i:06}"),
                document_id: format!("bench-d-{i:06}"),
                from: OrganRef {
                    code: "鹤府办".into(),
                    name: "鹤山市人民政府办公室".into(),
                },
                to: OrganRef {
                    code: "鹤山镇".into(),
                    name: "鹤山镇人民政府".into(),
                },
                title: format!("关于做好第{i}批春耕备耕工作的通知"),
                doc_number: Some(format!("鹤府办〔2026〕{i}号")),
                document: document(&base, i),
                content_hash: None,
                pdf: None,
                attachments: vec![],
                sent_by: PersonRef {
                    login: "sun".into(),
                    display_name: "孙八".into(),
                },
                delivered_at: delivered_at(i, n, cyclic),
                state: ItemState::Delivered,
                signed_by: None,
                signed_at: None,
            };
            Op::put(i as i64 + 1, kinds::INCOMING, &item.id, 1, &item).unwrap()
        })
        .collect()
}

fn open(dir: &std::path::Path) -> Arc<Client> {
    Arc::new(
        OpenOptions::new(dir)
            .create(true)
            .keys(Arc::new(StaticKey(Key::from_bytes([7; 32]))))
            .user("bench")
            .open()
            .unwrap(),
    )
}

/// What one initial sync into an empty store took.
struct Pulled {
    pull: Duration,
    report: SyncReport,
    /// One search for a title while the index is behind, and how many drafts waited.
    search_behind: Option<(Duration, u64)>,
    index: Duration,
    indexed: u64,
    /// Pages of the store's file once closed (its WAL checkpointed into it): what the
    /// apply had to write, per document, against the bound's.
    store_pages: u64,
}

/// Pulls every op of `bucket` into an empty store, then runs the index stage.
fn pull(rt: &tokio::runtime::Runtime, bucket: &str, ops: Vec<Op>, probe: &str) -> Pulled {
    let dir = tempfile::tempdir().unwrap();
    let client = open(dir.path());
    let server = MemoryServer {
        buckets: [(bucket.to_owned(), Bucket::new(ops))].into(),
    };
    let engine = Engine::new(client.clone(), server);
    let mut report = SyncReport::default();
    let start = Instant::now();
    rt.block_on(engine.pull(&mut report)).unwrap();
    let pull = start.elapsed();
    let backlog = client.search_backlog().unwrap();
    let search_behind = (backlog > 0).then(|| {
        let t = Instant::now();
        let hits = client.search(probe, 20).unwrap();
        let took = t.elapsed();
        assert_eq!(
            hits.len(),
            1,
            "{probe}: found by the scan of unindexed drafts"
        );
        (took, backlog)
    });
    let start = Instant::now();
    // What Engine::build_search_index runs on the blocking pool after a sync's stages.
    let indexed = client.build_search_index().unwrap();
    let index = start.elapsed();
    assert_eq!(client.search_backlog().unwrap(), 0);
    if backlog > 0 {
        assert_eq!(
            client.search(probe, 20).unwrap().len(),
            1,
            "{probe}: indexed"
        );
    }
    drop(engine);
    drop(client);
    Pulled {
        pull,
        report,
        search_behind,
        index,
        indexed,
        store_pages: file_pages(&dir.path().join(gongwen_client::store::DB_FILE)),
    }
}

/// Pages of a closed database file (4 KB pages: SQLCipher's default).
fn file_pages(path: &std::path::Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len() / 4096).unwrap_or(0)
}

/// The physical bound: the same rows bulk-inserted in one transaction. Returns its time
/// and the pages of its file once closed.
fn bulk_copy(ops: &[Op]) -> (Duration, u64) {
    let dir = tempfile::tempdir().unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("bound.db")).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{}'\"; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
         CREATE TABLE rows (id TEXT PRIMARY KEY, data TEXT NOT NULL) STRICT;",
        "07".repeat(32)
    ))
    .unwrap();
    let rows: Vec<(String, String)> = ops
        .iter()
        .map(|o| (o.id.clone(), o.data_text().unwrap().to_owned()))
        .collect();
    let start = Instant::now();
    let tx = conn.unchecked_transaction().unwrap();
    {
        let mut stmt = tx
            .prepare("INSERT INTO rows (id, data) VALUES (?1, ?2)")
            .unwrap();
        for (id, data) in &rows {
            stmt.execute([id, data]).unwrap();
        }
    }
    tx.commit().unwrap();
    let took = start.elapsed();
    drop(conn);
    (took, file_pages(&dir.path().join("bound.db")))
}

fn pages_line(case: &str, store: u64, bound: u64, n: usize) -> String {
    format!(
        "{case}: store file {store} pages ({:.2} per document), bound {bound} pages ({:.2})",
        store as f64 / n as f64,
        bound as f64 / n as f64
    )
}

fn main() {
    let n: usize = std::env::var("GONGWEN_BENCH_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let case = std::env::var("GONGWEN_BENCH_CASE").unwrap_or_default();
    let load = || {
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!("Sync (client apply): initial pull of {n} documents into an empty encrypted store");
    println!("load average at start: {}", load());
    if case.is_empty() || case == "incoming" {
        let cyclic = std::env::var("GONGWEN_BENCH_DELIVERED").is_ok_and(|v| v == "cyclic");
        println!(
            "收文 delivered_at: {}",
            if cyclic {
                "cyclic (day and minute cycle with the op: the order before session 7)"
            } else {
                "in op order (as the server appends them)"
            }
        );
    }
    println!(
        "| {:<52} | {:>8} | {:>8} | {:>6} |",
        "case", "seconds", "docs/s", "pages"
    );
    println!("|{:-<54}|{:->10}|{:->10}|{:->8}|", "", "", "", "");
    let mut notes = Vec::new();
    let row = |name: &str, took: Duration, docs: u64, pages: u64| {
        println!(
            "| {:<52} | {:>8.2} | {:>8.0} | {:>6} |",
            name,
            took.as_secs_f64(),
            docs as f64 / took.as_secs_f64(),
            pages
        );
    };
    if case.is_empty() || case == "incoming" {
        let ops = incoming(n);
        let (bound, bound_pages) = bulk_copy(&ops);
        let p = pull(&rt, "organ:鹤山镇", ops, "");
        assert_eq!(p.report.ops, n as u64);
        row(
            "收文 (incoming), engine end to end",
            p.pull,
            n as u64,
            p.report.pages,
        );
        row("收文 rows, plain bulk copy (bound)", bound, n as u64, 0);
        notes.push(pages_line("收文", p.store_pages, bound_pages, n));
    }
    if case.is_empty() || case == "drafts" {
        let ops = drafts(n);
        let (bound, bound_pages) = bulk_copy(&ops);
        let probe = format!("第{}批春耕", n - 1);
        let p = pull(&rt, "user:bench", ops, &probe);
        assert_eq!(p.report.ops, n as u64);
        row(
            "draft heads: pull (stored, listed, searchable)",
            p.pull,
            n as u64,
            p.report.pages,
        );
        row(
            "draft heads: index stage (FTS catch-up)",
            p.index,
            p.indexed,
            0,
        );
        row(
            "draft heads: pull + index stage",
            p.pull + p.index,
            n as u64,
            p.report.pages,
        );
        row("draft heads, plain bulk copy (bound)", bound, n as u64, 0);
        notes.push(pages_line(
            "draft heads (FTS index included)",
            p.store_pages,
            bound_pages,
            n,
        ));
        if let Some((took, backlog)) = p.search_behind {
            println!(
                "search while {backlog} drafts wait for the index: {:.1} ms (scan of the unindexed drafts)",
                took.as_secs_f64() * 1000.0
            );
        }
    }
    for note in notes {
        println!("{note}");
    }
    println!("load average at end: {}", load());
}
