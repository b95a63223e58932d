//! The background service: 离线 while the server is unreachable, then 在线 and the
//! changes sent by itself once it is reachable and nudged (`notify`, `sync_now`).

mod sync_support;

use std::sync::atomic::Ordering;
use std::time::Duration;

use gongwen_client::sync::{Service, ServiceOptions, SyncState, SyncStatusView};
use sync_support::{FakeServer, Node, document};
use tokio::sync::watch;

/// Waits (at most a generous minute: a safety net, not a speed check) for a view.
async fn until(
    rx: &mut watch::Receiver<SyncStatusView>,
    what: &str,
    f: impl Fn(&SyncStatusView) -> bool,
) -> SyncStatusView {
    let wait = async {
        loop {
            {
                let v = rx.borrow_and_update();
                if f(&v) {
                    return v.clone();
                }
            }
            rx.changed().await.unwrap();
        }
    };
    tokio::time::timeout(Duration::from_secs(60), wait)
        .await
        .unwrap_or_else(|_| panic!("the service never reached: {what}: {:?}", rx.borrow()))
}

#[tokio::test]
async fn the_service_goes_online_by_itself_and_sends_what_was_done_offline() {
    let server = FakeServer::new();
    let node = Node::new(&server, "zhang", 11, 0);
    node.net.offline.store(true, Ordering::SeqCst);
    let service = Service::start_with(
        node.client.clone(),
        node.net.clone(),
        ServiceOptions {
            min_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(40),
            poll_interval: Duration::from_secs(3600),
            network: None,
        },
    );
    let mut rx = service.subscribe();
    let v = until(&mut rx, "离线 with a reason", |v| {
        v.state == SyncState::Offline && v.last_error_code.as_deref() == Some("offline")
    })
    .await;
    assert!(v.last_error.unwrap().contains("无法连接服务器"));

    node.client
        .create_draft(document("离线时起草", "正文"))
        .unwrap();
    service.notify();
    let v = until(&mut rx, "the local change is counted", |v| v.pending == 1).await;
    assert_eq!(v.state, SyncState::Offline);

    // The link comes back: the probe notices (backoff), the change goes out.
    node.net.offline.store(false, Ordering::SeqCst);
    let v = until(&mut rx, "在线 with nothing pending", |v| {
        v.state == SyncState::Online && v.pending == 0
    })
    .await;
    assert!(v.last_success_at.is_some());
    assert_eq!(server.state().drafts.len(), 1);

    // 立即同步 after another change.
    node.client
        .create_draft(document("第二份", "正文"))
        .unwrap();
    service.sync_now();
    until(&mut rx, "the second draft is sent", |_| {
        server.state().drafts.len() == 2
    })
    .await;
    until(&mut rx, "在线 again", |v| {
        v.state == SyncState::Online && v.pending == 0
    })
    .await;
    assert_eq!(
        serde_json::to_value(service.status()).unwrap()["state"],
        "在线"
    );
    service.shutdown().await;
}

#[tokio::test]
async fn a_network_change_makes_the_service_try_at_once_whatever_its_backoff() {
    use std::sync::Arc;
    use std::sync::atomic::AtomicU64;

    use gongwen_client::sync::NetworkWatch;

    let server = FakeServer::new();
    let node = Node::new(&server, "zhang", 12, 0);
    node.net.offline.store(true, Ordering::SeqCst);
    let network = Arc::new(AtomicU64::new(1));
    let probes = Arc::new(AtomicU64::new(0));
    let (probe, counted) = (network.clone(), probes.clone());
    // A backoff of an hour: only the network event can bring the service back.
    let service = Service::start_with(
        node.client.clone(),
        node.net.clone(),
        ServiceOptions {
            min_backoff: Duration::from_secs(3600),
            max_backoff: Duration::from_secs(3600),
            poll_interval: Duration::from_secs(3600),
            network: Some(NetworkWatch {
                interval: Duration::from_millis(20),
                probe: Arc::new(move || {
                    counted.fetch_add(1, Ordering::SeqCst);
                    Some(probe.load(Ordering::SeqCst))
                }),
            }),
        },
    );
    let mut rx = service.subscribe();
    until(&mut rx, "离线", |v| {
        v.state == SyncState::Offline && v.last_error.is_some()
    })
    .await;
    node.client
        .create_draft(document("离线时起草", "正文"))
        .unwrap();

    // The watcher has its first reading before the network changes.
    tokio::time::timeout(Duration::from_secs(60), async {
        while probes.load(Ordering::SeqCst) < 2 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the watcher takes readings");
    // The link comes back with a new address: the watcher notices, the draft goes out.
    node.net.offline.store(false, Ordering::SeqCst);
    network.store(2, Ordering::SeqCst);
    until(&mut rx, "在线 with nothing pending", |v| {
        v.state == SyncState::Online && v.pending == 0
    })
    .await;
    assert_eq!(server.state().drafts.len(), 1);
    service.shutdown().await;
}
