//! The pipelined pull (`Engine::pull`): the next page is requested while the current
//! one is applied, pages are applied in order with their own cursors, and a fetch
//! that fails after a page was applied leaves the store at that page's cursors.

mod sync_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gongwen_client::incoming::IncomingFilter;
use gongwen_client::sync::{
    BlobRange, Engine, PULL_LIMIT, SyncError, SyncReport, Transport, TransportError,
    TransportResult,
};
use gongwen_protocol::Health;
use gongwen_protocol::exchange::{Incoming, ItemState, OrganRef, PersonRef};
use gongwen_protocol::sync::{
    BlobAnnounce, BlobUpload, PullRequest, PullResponse, PushRequest, PushResponse,
};
use sync_support::{FakeServer, FakeTransport, Node};

const INBOX: &str = "organ:鹤府办";
const SENDER: &str = "organ:鹤山镇";
/// Two and a half pages.
const ITEMS: usize = PULL_LIMIT as usize * 5 / 2;

fn item(i: usize) -> Incoming {
    Incoming {
        id: format!("in-{i:05}"),
        exchange_id: format!("x-{i:05}"),
        document_id: format!("d-{i:05}"),
        from: OrganRef {
            code: "鹤山镇".into(),
            name: "鹤山镇人民政府".into(),
        },
        to: OrganRef {
            code: "鹤府办".into(),
            name: "鹤山市人民政府办公室".into(),
        },
        title: format!("关于第{i}批春耕备耕工作的通知"),
        doc_number: Some(format!("鹤镇发〔2026〕{i}号")),
        document: serde_json::json!({ "title": format!("关于第{i}批春耕备耕工作的通知") }),
        content_hash: None,
        pdf: None,
        attachments: vec![],
        sent_by: PersonRef {
            login: "town".into(),
            display_name: "镇文书".into(),
        },
        delivered_at: format!("2026-03-{:02}T09:00:00+08:00", 1 + i % 28),
        state: ItemState::Delivered,
        signed_by: None,
        signed_at: None,
    }
}

fn server_with_items() -> FakeServer {
    let server = FakeServer::new();
    server.grant("sun", INBOX);
    for i in 0..ITEMS {
        server.deliver(INBOX, SENDER, item(i));
    }
    server
}

/// Answers pulls from the fake server after a delay, logging when each request is
/// asked (with its cursor) and answered; the pull numbered `fail` (from 0) fails.
struct Slow {
    inner: Arc<FakeTransport>,
    log: Arc<Mutex<Vec<String>>>,
    pulls: AtomicUsize,
    fail: Option<usize>,
}

impl Slow {
    fn note(&self, event: String) {
        self.log.lock().unwrap().push(event);
    }
}

impl Transport for Slow {
    async fn health(&self) -> TransportResult<Health> {
        self.inner.health().await
    }
    async fn push(&self, req: &PushRequest) -> TransportResult<PushResponse> {
        self.inner.push(req).await
    }
    async fn pull(&self, req: &PullRequest) -> TransportResult<PullResponse> {
        let k = self.pulls.fetch_add(1, Ordering::SeqCst);
        let cursor = req.cursors.get(INBOX).copied().unwrap_or(0);
        self.note(format!("ask {k} at {cursor}"));
        tokio::time::sleep(Duration::from_millis(30)).await;
        if self.fail == Some(k) {
            self.note(format!("lost {k}"));
            return Err(TransportError::Offline("连接中断（测试）".into()));
        }
        let answer = self.inner.pull(req).await;
        self.note(format!("got {k}"));
        answer
    }
    async fn blob_announce(&self, req: &BlobAnnounce) -> TransportResult<BlobUpload> {
        self.inner.blob_announce(req).await
    }
    async fn blob_offset(&self, url: &str) -> TransportResult<u64> {
        self.inner.blob_offset(url).await
    }
    async fn blob_patch(&self, url: &str, offset: u64, chunk: Vec<u8>) -> TransportResult<u64> {
        self.inner.blob_patch(url, offset, chunk).await
    }
    async fn blob_get(&self, id: &str, from: u64, len: u64) -> TransportResult<BlobRange> {
        self.inner.blob_get(id, from, len).await
    }
}

fn engine(node: &Node, log: &Arc<Mutex<Vec<String>>>, fail: Option<usize>) -> Engine<Slow> {
    let progress = log.clone();
    Engine::new(
        node.client.clone(),
        Slow {
            inner: node.net.clone(),
            log: log.clone(),
            pulls: AtomicUsize::new(0),
            fail,
        },
    )
    .with_progress(Arc::new(move |done: u64, _total: u64| {
        progress.lock().unwrap().push(format!("applied {done}"));
    }))
}

fn stored(node: &Node) -> u64 {
    node.client
        .incoming(&IncomingFilter::default(), 0, 1)
        .unwrap()
        .total
}

/// The 收文 bucket's cursor after `pages` pages.
fn cursor_after(server: &FakeServer, pages: usize) -> i64 {
    server.state().buckets[INBOX][pages * PULL_LIMIT as usize - 1].op_id
}

/// Ops sun's first pull brings: every bucket it sees (the directory, its own, 收文).
fn ops_for(server: &FakeServer) -> u64 {
    let s = server.state();
    ["org", "user:sun", INBOX]
        .iter()
        .filter_map(|b| s.buckets.get(*b))
        .map(|ops| ops.len() as u64)
        .sum()
}

fn position(log: &[String], event: &str) -> usize {
    log.iter()
        .position(|e| e == event)
        .unwrap_or_else(|| panic!("{event} missing from {log:?}"))
}

#[tokio::test]
async fn the_next_page_is_requested_while_the_current_one_is_applied_and_pages_apply_in_order() {
    let server = server_with_items();
    let sun = Node::new(&server, "sun", 1, 0);
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut report = SyncReport::default();
    engine(&sun, &log, None).pull(&mut report).await.unwrap();
    let log = log.lock().unwrap().clone();

    // One request per page, none wasted, each from the cursor the page before left.
    let (first, second) = (cursor_after(&server, 1), cursor_after(&server, 2));
    let asks: Vec<&String> = log.iter().filter(|e| e.starts_with("ask")).collect();
    let expected = [
        "ask 0 at 0".to_owned(),
        format!("ask 1 at {first}"),
        format!("ask 2 at {second}"),
    ];
    assert_eq!(asks, expected.iter().collect::<Vec<_>>(), "{log:?}");
    // Page 2 was asked before page 1 had been applied, page 3 before page 2 (overlap);
    // the last page asks for nothing more.
    assert!(position(&log, &expected[1]) < position(&log, "applied 1"));
    assert!(position(&log, &expected[2]) < position(&log, "applied 2"));
    // Applied in order, each after its own answer arrived.
    let applied: Vec<&String> = log.iter().filter(|e| e.starts_with("applied")).collect();
    assert_eq!(applied, ["applied 1", "applied 2", "applied 3"]);
    for k in 0..3 {
        assert!(
            position(&log, &format!("got {k}")) < position(&log, &format!("applied {}", k + 1))
        );
    }
    assert_eq!(report.pages, 3);
    assert_eq!(report.ops, ops_for(&server));
    assert_eq!(stored(&sun), ITEMS as u64);
    // Converged: a plain sync afterwards finds nothing new, with matching checksums.
    let again = sun.sync().await.unwrap();
    assert_eq!(again.ops, 0);
    assert_eq!(again.resets, 0);
}

#[tokio::test]
async fn a_fetch_ahead_that_fails_leaves_the_applied_pages_and_the_next_pull_resumes() {
    let server = server_with_items();
    let sun = Node::new(&server, "sun", 1, 0);
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut report = SyncReport::default();
    // The third request (for the last page) is made while the second page is applied,
    // and fails.
    let err = engine(&sun, &log, Some(2))
        .pull(&mut report)
        .await
        .unwrap_err();
    assert!(
        matches!(err, SyncError::Transport(TransportError::Offline(_))),
        "{err:?}"
    );
    let events = log.lock().unwrap().clone();
    assert!(position(&events, "lost 2") < events.len());
    assert_eq!(report.pages, 2, "{events:?}");
    // Both applied pages are committed with their cursor; nothing of the lost page.
    assert_eq!(stored(&sun), 2 * u64::from(PULL_LIMIT));

    // The next pull starts from the last applied cursor and completes.
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut report = SyncReport::default();
    engine(&sun, &log, None).pull(&mut report).await.unwrap();
    let events = log.lock().unwrap().clone();
    let resumed = format!("ask 0 at {}", cursor_after(&server, 2));
    assert_eq!(events.first(), Some(&resumed));
    assert_eq!(report.ops, ITEMS as u64 - 2 * u64::from(PULL_LIMIT));
    assert_eq!(stored(&sun), ITEMS as u64);
    let again = sun.sync().await.unwrap();
    assert_eq!((again.ops, again.resets), (0, 0));
}
