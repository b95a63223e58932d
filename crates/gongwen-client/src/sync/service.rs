//! The background sync service for the app: a tokio task that syncs when the server
//! is reachable, after every local change, and on request, and publishes its state
//! on a `watch` channel for the status bar.
//!
//! Reachability: a cheap `GET /v1/health` probe. While the server is unreachable (or a
//! sync fails for a transient reason) the service waits with exponential backoff and
//! full jitter between `min_backoff` and `max_backoff`; [`Service::notify`] (a local
//! change) and [`Service::sync_now`] (立即同步, or a network-change event) cut the wait
//! short. While online and idle it syncs every `poll_interval` to pull what others did.
//!
//! Network changes: a watcher task takes a cheap fingerprint of the machine's network
//! state every few seconds ([`NetworkWatch`], `/proc/net` on Linux plus the default
//! route's source address everywhere) and, when it changes, wakes the service like
//! 立即同步 does: the link coming back is noticed within seconds, whatever the backoff.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use super::engine::Engine;
use super::network::NetworkWatch;
use super::transport::Transport;
use crate::Client;

/// 离线 / 在线 / 同步中.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SyncState {
    /// The server is not reachable (or not logged in).
    #[serde(rename = "离线")]
    Offline,
    /// Reachable and idle.
    #[serde(rename = "在线")]
    Online,
    /// A sync is running.
    #[serde(rename = "同步中")]
    Syncing,
}

impl SyncState {
    pub fn label(self) -> &'static str {
        match self {
            SyncState::Offline => "离线",
            SyncState::Online => "在线",
            SyncState::Syncing => "同步中",
        }
    }
}

/// What the status bar shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatusView {
    pub state: SyncState,
    /// Local changes not yet confirmed by the server.
    pub pending: u64,
    /// Changes the server refused, waiting for the user (同步详情).
    pub rejected: u64,
    /// RFC 3339, the end of the last complete sync.
    pub last_success_at: Option<String>,
    /// (done, total) of the running stage, for a progress bar.
    pub progress: Option<(u64, u64)>,
    /// The last failure, in zh-CN.
    pub last_error: Option<String>,
    /// The stable code of the last failure (`offline`, `unauthorized`,
    /// `upgrade_required`…), for the UI to branch on.
    pub last_error_code: Option<String>,
}

/// Timing of the service.
#[derive(Debug, Clone)]
pub struct ServiceOptions {
    pub min_backoff: Duration,
    pub max_backoff: Duration,
    /// Sync this often while online, to pull others' changes.
    pub poll_interval: Duration,
    /// Try at once when the network changes (None: no watching).
    pub network: Option<NetworkWatch>,
}

impl Default for ServiceOptions {
    fn default() -> ServiceOptions {
        ServiceOptions {
            min_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(300),
            poll_interval: Duration::from_secs(60),
            network: Some(NetworkWatch::system()),
        }
    }
}

struct Shared {
    wake: Notify,
    stop: Notify,
    status: watch::Sender<SyncStatusView>,
    progress: Mutex<Option<(u64, u64)>>,
}

/// The running service. Dropping it stops the task.
pub struct Service {
    shared: Arc<Shared>,
    task: Option<JoinHandle<()>>,
    watcher: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service").finish_non_exhaustive()
    }
}

fn jitter(max: Duration) -> Duration {
    let mut b = [0u8; 8];
    let r = getrandom::fill(&mut b)
        .map(|_| u64::from_le_bytes(b))
        .unwrap_or(0);
    let ms = max.as_millis().max(1) as u64;
    Duration::from_millis(r % ms)
}

fn view_of(client: &Client, state: SyncState, progress: Option<(u64, u64)>) -> SyncStatusView {
    match client.sync_details() {
        Ok(d) => SyncStatusView {
            state,
            pending: d.pending,
            rejected: d.rejected,
            last_success_at: d.last_success_at,
            progress,
            last_error: d.last_error,
            last_error_code: None,
        },
        Err(e) => SyncStatusView {
            state,
            pending: 0,
            rejected: 0,
            last_success_at: None,
            progress,
            last_error: Some(e.to_string()),
            last_error_code: Some(e.code().to_owned()),
        },
    }
}

impl Service {
    /// Starts the service on the current tokio runtime.
    pub fn start<T: Transport + 'static>(client: Arc<Client>, transport: T) -> Service {
        Service::start_with(client, transport, ServiceOptions::default())
    }

    pub fn start_with<T: Transport + 'static>(
        client: Arc<Client>,
        transport: T,
        opts: ServiceOptions,
    ) -> Service {
        let (tx, _) = watch::channel(view_of(&client, SyncState::Offline, None));
        let shared = Arc::new(Shared {
            wake: Notify::new(),
            stop: Notify::new(),
            status: tx,
            progress: Mutex::new(None),
        });
        let s2 = shared.clone();
        let progress: super::Progress = Arc::new(move |done, total| {
            *s2.progress.lock().unwrap_or_else(|p| p.into_inner()) = Some((done, total));
            s2.status.send_modify(|v| v.progress = Some((done, total)));
        });
        let engine = Engine::new(client.clone(), transport).with_progress(progress);
        let watcher = opts
            .network
            .clone()
            .map(|w| tokio::spawn(watch_network(w, shared.clone())));
        let task = tokio::spawn(run(engine, shared.clone(), opts));
        Service {
            shared,
            task: Some(task),
            watcher,
        }
    }

    /// The status bar's feed.
    pub fn subscribe(&self) -> watch::Receiver<SyncStatusView> {
        self.shared.status.subscribe()
    }

    /// The current state.
    pub fn status(&self) -> SyncStatusView {
        self.shared.status.borrow().clone()
    }

    /// A local change was made: sync soon (immediately when online).
    pub fn notify(&self) {
        self.shared.wake.notify_one();
    }

    /// 立即同步 (also: the network changed): probe and sync now, skipping any backoff.
    pub fn sync_now(&self) {
        self.shared.wake.notify_one();
    }

    /// Stops the task after the current step (a running transaction always completes).
    pub async fn shutdown(mut self) {
        if let Some(w) = self.watcher.take() {
            w.abort();
        }
        self.shared.stop.notify_one();
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
        if let Some(w) = self.watcher.take() {
            w.abort();
        }
    }
}

async fn run<T: Transport>(engine: Engine<T>, shared: Arc<Shared>, opts: ServiceOptions) {
    let client = engine.client().clone();
    let mut failures: u32 = 0;
    loop {
        let reachable = engine.transport().health().await;
        let wait = match reachable {
            Err(e) => {
                failures = failures.saturating_add(1);
                let mut v = view_of(&client, SyncState::Offline, None);
                v.last_error = Some(e.to_string());
                v.last_error_code = Some(super::SyncError::from(e).code().to_owned());
                shared.status.send_replace(v);
                backoff(&opts, failures)
            }
            Ok(_) => {
                shared
                    .status
                    .send_replace(view_of(&client, SyncState::Syncing, None));
                let result = engine.sync().await;
                *shared.progress.lock().unwrap_or_else(|p| p.into_inner()) = None;
                match result {
                    Ok(_) => {
                        failures = 0;
                        shared
                            .status
                            .send_replace(view_of(&client, SyncState::Online, None));
                        opts.poll_interval
                    }
                    Err(e) => {
                        failures = failures.saturating_add(1);
                        let offline = matches!(
                            &e,
                            super::SyncError::Transport(t) if t.is_offline()
                                || matches!(t, super::TransportError::NotLoggedIn
                                    | super::TransportError::Unauthorized)
                        );
                        let state = if offline {
                            SyncState::Offline
                        } else {
                            SyncState::Online
                        };
                        let mut v = view_of(&client, state, None);
                        v.last_error = Some(e.to_string());
                        v.last_error_code = Some(e.code().to_owned());
                        shared.status.send_replace(v);
                        if e.is_transient() {
                            backoff(&opts, failures)
                        } else {
                            // Needs the user (log in again, upgrade): wait for a nudge.
                            opts.max_backoff
                        }
                    }
                }
            }
        };
        tokio::select! {
            _ = shared.stop.notified() => return,
            _ = shared.wake.notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// Wakes the service whenever the network fingerprint changes. The probe reads a few
/// small files and opens a socket: it runs on the blocking pool.
async fn watch_network(watch: NetworkWatch, shared: Arc<Shared>) {
    let take = |probe: super::network::NetworkProbe| async move {
        tokio::task::spawn_blocking(move || probe())
            .await
            .ok()
            .flatten()
    };
    let mut last = take(watch.probe.clone()).await;
    loop {
        tokio::time::sleep(watch.interval).await;
        let now = take(watch.probe.clone()).await;
        if now != last {
            tracing::info!("network changed: trying the server now");
            last = now;
            shared.wake.notify_one();
        }
    }
}

/// Exponential backoff with full jitter.
fn backoff(opts: &ServiceOptions, failures: u32) -> Duration {
    let exp = opts
        .min_backoff
        .saturating_mul(1u32 << failures.min(16).saturating_sub(1))
        .min(opts.max_backoff);
    opts.min_backoff.min(exp) / 2 + jitter(exp)
}
