//! What the commands share: the open local store (or why it could not be opened), the
//! desktop settings and, when the store is logged in to a server, the background sync
//! service.
//!
//! Logging in or out changes who the store works for, so the store handle and the sync
//! service can be replaced while the app runs: [`AppState::client`] hands out an
//! `Arc<Client>` that stays valid for the command holding it, and the next command sees
//! the new one.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use gongwen_client::Client;
use gongwen_client::api::{OpenOptions, UpgradeObserver, UpgradeStep};
use gongwen_client::key::{KeySource, PassphraseKeys};
use gongwen_client::sync::{
    HttpTransport, KeychainTokens, MemoryTokens, Service, ServiceOptions, TokenStore,
};
use tokio::sync::{Notify, watch};

use crate::dto::{StoreLock, StoreLockKind};
use crate::error::{CommandError, ErrorCode};
use crate::settings::Settings;

/// Opens the store of a data folder again (after login, to work as the new user).
pub type Opener = Box<dyn Fn(&Path) -> gongwen_client::Result<Client> + Send + Sync>;

/// Managed Tauri state. The store is opened once at start-up; when that fails the window
/// still comes up, and every command answers with the reason, so the UI can explain it
/// (升级, 解锁, 检查文件夹权限) instead of the app vanishing.
pub struct AppState {
    data_dir: PathBuf,
    /// Shared with the thread that opens the store when that outlasts the start (see
    /// [`AppState::open_patiently`]).
    client: Arc<RwLock<Result<Arc<Client>, CommandError>>>,
    /// False while that thread runs.
    opened: watch::Sender<bool>,
    /// How the store is opened again; replaced when the user unlocks it with a passphrase.
    opener: Mutex<Opener>,
    /// Where refresh tokens live: the OS keychain, or memory (tests, and stores protected
    /// by a passphrase because there is no keychain: the user logs in each session).
    tokens: RwLock<Arc<dyn TokenStore>>,
    settings: Mutex<Settings>,
    /// The sync service, started once the app's async runtime runs (see [`AppState::start_sync`]).
    sync: Mutex<Option<Arc<Service>>>,
    /// Bumped whenever the sync service is started or stopped, so watchers resubscribe.
    sync_generation: watch::Sender<u64>,
    /// Woken on every local change (see [`AppState::changed`]).
    local_change: Arc<Notify>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

/// What every command answers while the store opens in the background.
fn store_opening(step: Option<UpgradeStep>) -> CommandError {
    let message = match step {
        Some(UpgradeStep { step, steps, .. }) => format!(
            "正在升级本地数据（第 {step}/{steps} 步）。数据较多时需要几分钟，请勿关闭公文通，完成后自动进入。"
        ),
        None => "正在打开本地数据，请稍候…".to_owned(),
    };
    CommandError::new(ErrorCode::StoreOpening, message)
}

fn log_open(data_dir: &Path, client: &gongwen_client::Result<Client>) {
    match client {
        Ok(_) => tracing::info!(data_dir = %data_dir.display(), "store opened"),
        Err(error) => {
            tracing::warn!(data_dir = %data_dir.display(), code = error.code(), "store not opened")
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl AppState {
    /// Opens (creating on first run) the store in `data_dir`, with its key in the OS keychain,
    /// on a thread of its own, and waits for it at most `patience`. An open that takes longer (an upgrade of a large store to this
    /// version's schema can take minutes; a keychain may be waiting to be unlocked) goes on
    /// in the background while the window comes up: until it ends, every command answers
    /// [`ErrorCode::StoreOpening`] with what is happening ("正在升级本地数据（第 1/2 步）…"),
    /// the window shows that and asks again, and [`AppState::wait_opened`] returns when it
    /// has ended.
    pub fn open_patiently(data_dir: PathBuf, patience: Duration) -> AppState {
        let dir = data_dir.clone();
        AppState::open_patiently_with(data_dir, patience, move |observer| {
            OpenOptions::new(&dir)
                .create(true)
                .on_upgrade(observer)
                .open()
        })
    }

    /// [`AppState::open_patiently`] with the store opened by `open` (tests: a store that
    /// takes as long as they like), which must tell the observer of each upgrade step.
    pub fn open_patiently_with(
        data_dir: PathBuf,
        patience: Duration,
        open: impl FnOnce(UpgradeObserver) -> gongwen_client::Result<Client> + Send + 'static,
    ) -> AppState {
        let state = AppState::build(
            data_dir.clone(),
            Err(store_opening(None)),
            Box::new(Client::open),
            Arc::new(KeychainTokens),
        );
        state.opened.send_replace(false);
        let slot = Arc::clone(&state.client);
        let opened = state.opened.clone();
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("store-open".into())
            .spawn(move || {
                let progress = Arc::clone(&slot);
                let observer: UpgradeObserver = Arc::new(move |step: UpgradeStep| {
                    tracing::info!(
                        step = step.step,
                        steps = step.steps,
                        migration = step.name,
                        "upgrading the store"
                    );
                    *progress.write().unwrap_or_else(|p| p.into_inner()) =
                        Err(store_opening(Some(step)));
                });
                let client = open(observer);
                log_open(&data_dir, &client);
                *slot.write().unwrap_or_else(|p| p.into_inner()) =
                    client.map(Arc::new).map_err(CommandError::from);
                opened.send_replace(true);
                let _ = done_tx.send(());
            });
        match spawned {
            Ok(_) => {
                if done_rx.recv_timeout(patience).is_err() {
                    tracing::info!(
                        waited_ms = patience.as_millis(),
                        "the store is still opening; the window comes up and says so"
                    );
                }
            }
            Err(error) => {
                tracing::error!(%error, "could not start the store-opening thread");
                *state.client.write().unwrap_or_else(|p| p.into_inner()) = Err(CommandError::new(
                    ErrorCode::StoreUnavailable,
                    format!(
                        "无法打开本地数据：系统资源不足（{error}）。请关闭其他程序后重新启动公文通。"
                    ),
                ));
                state.opened.send_replace(true);
            }
        }
        state
    }

    /// Whether the store's opening has ended (well or not); see [`AppState::open_patiently`].
    pub fn is_opened(&self) -> bool {
        *self.opened.borrow()
    }

    /// Returns once the store's opening has ended; at once for every state not made by
    /// [`AppState::open_patiently`].
    pub async fn wait_opened(&self) {
        let mut opened = self.opened.subscribe();
        // The sender lives as long as `self`: the wait cannot outlive it.
        let _ = opened.wait_for(|done| *done).await;
    }

    /// Wraps an already opened client (tests, or a caller with its own key provider).
    /// After a login the store is opened again with [`Client::open`] unless
    /// [`AppState::opener`] says how; refresh tokens go to the OS keychain unless
    /// [`AppState::token_store`] says where.
    pub fn with_client(client: Client) -> AppState {
        let data_dir = client.data_dir().to_path_buf();
        AppState::build(
            data_dir,
            Ok(Arc::new(client)),
            Box::new(Client::open),
            Arc::new(KeychainTokens),
        )
    }

    /// How the store is opened again after a login.
    pub fn opener(self, opener: Opener) -> AppState {
        *lock(&self.opener) = opener;
        self
    }

    /// Where refresh tokens are kept.
    pub fn token_store(self, tokens: Arc<dyn TokenStore>) -> AppState {
        *self.tokens.write().unwrap_or_else(|p| p.into_inner()) = tokens;
        self
    }

    /// A state whose store failed to open with `error`.
    pub fn failed(data_dir: PathBuf, error: CommandError) -> AppState {
        AppState::build(
            data_dir,
            Err(error),
            Box::new(Client::open),
            Arc::new(KeychainTokens),
        )
    }

    fn build(
        data_dir: PathBuf,
        client: Result<Arc<Client>, CommandError>,
        opener: Opener,
        tokens: Arc<dyn TokenStore>,
    ) -> AppState {
        let settings = Settings::load(&data_dir);
        AppState {
            data_dir,
            client: Arc::new(RwLock::new(client)),
            opened: watch::channel(true).0,
            opener: Mutex::new(opener),
            tokens: RwLock::new(tokens),
            settings: Mutex::new(settings),
            sync: Mutex::new(None),
            sync_generation: watch::channel(0).0,
            local_change: Arc::new(Notify::new()),
        }
    }

    /// The open store, or the reason it is not open.
    pub fn client(&self) -> Result<Arc<Client>, CommandError> {
        self.client
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Opens the store again (it now works as the user recorded in it, e.g. after a
    /// login) and makes that the store every command uses from now on.
    pub fn reopen(&self) -> Result<Arc<Client>, CommandError> {
        let client = Arc::new((lock(&self.opener))(&self.data_dir)?);
        *self
            .client
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Ok(Arc::clone(&client));
        tracing::info!(user = client.user(), "store reopened");
        Ok(client)
    }

    /// Where refresh tokens are kept.
    pub fn tokens(&self) -> Arc<dyn TokenStore> {
        Arc::clone(&self.tokens.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// Why the store is shut and what the user can do, or `None` when it is open (or
    /// failed for a reason a passphrase cannot help with: the main window explains those).
    pub fn store_lock(&self) -> Option<StoreLock> {
        let error = match self.client() {
            Ok(_) => return None,
            Err(error) if error.code == ErrorCode::StoreLocked => error,
            Err(_) => return None,
        };
        let kind = match Client::existing_key_source(&self.data_dir) {
            Ok(Some(KeySource::Passphrase)) => StoreLockKind::PassphraseRequired,
            Ok(None) => StoreLockKind::NoKeychain,
            Ok(Some(KeySource::Keychain)) => StoreLockKind::KeychainNeeded,
            Ok(Some(KeySource::Static)) | Err(_) => StoreLockKind::Other,
        };
        Some(StoreLock {
            kind,
            message: error.message,
            min_passphrase_chars: u32::try_from(PassphraseKeys::MIN_CHARS).unwrap_or(8),
        })
    }

    /// Opens the store with a key derived from `passphrase` (Argon2id, derived once for
    /// the session), creating it when there is none yet. From now on the store is opened
    /// again with the same key (after a login), and refresh tokens stay in memory: a
    /// machine without a keychain has nowhere safe to keep them between sessions.
    /// Blocks for the key derivation (about a second): call it off the async threads.
    pub fn unlock_with_passphrase(&self, passphrase: &str) -> Result<Arc<Client>, CommandError> {
        let keys = Arc::new(PassphraseKeys::new(passphrase)?);
        let open = move |dir: &Path| {
            OpenOptions::new(dir)
                .create(true)
                .keys(Arc::clone(&keys) as Arc<dyn gongwen_client::key::KeyProvider>)
                .open()
        };
        let client = Arc::new(open(&self.data_dir)?);
        *lock(&self.opener) = Box::new(open);
        *self.tokens.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(MemoryTokens::default());
        *self
            .client
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Ok(Arc::clone(&client));
        tracing::info!(data_dir = %self.data_dir.display(), "store unlocked with a passphrase");
        Ok(client)
    }

    /// The desktop settings as they are now.
    pub fn settings(&self) -> Settings {
        lock(&self.settings).clone()
    }

    /// Changes the settings with `change` and saves them; nothing changes when saving fails.
    pub fn update_settings(
        &self,
        change: impl FnOnce(&mut Settings) -> Result<(), CommandError>,
    ) -> Result<Settings, CommandError> {
        let mut guard = lock(&self.settings);
        let mut next = guard.clone();
        change(&mut next)?;
        next.save(&self.data_dir)?;
        *guard = next.clone();
        Ok(next)
    }

    /// Starts the background sync when the store is logged in to a server; without an
    /// account (离线试用, or not logged in yet) there is nothing to sync with. Must run on
    /// the app's tokio runtime. Returns whether a service runs.
    pub fn start_sync(&self) -> bool {
        let Ok(client) = self.client() else {
            return false;
        };
        let mut slot = lock(&self.sync);
        if slot.is_some() {
            return true;
        }
        match gongwen_client::sync::account(&client) {
            Ok(Some(account)) => match HttpTransport::new(account, self.tokens()) {
                Ok(transport) => {
                    let interval = self.settings().sync_interval_secs;
                    let options = ServiceOptions {
                        poll_interval: Duration::from_secs(u64::from(interval)),
                        ..ServiceOptions::default()
                    };
                    *slot = Some(Arc::new(Service::start_with(client, transport, options)));
                    drop(slot);
                    self.sync_generation.send_modify(|g| *g += 1);
                    tracing::info!(interval, "sync service started");
                    true
                }
                Err(error) => {
                    tracing::warn!(%error, "sync not started: the server address cannot be used");
                    false
                }
            },
            Ok(None) => false,
            Err(error) => {
                tracing::warn!(code = error.code(), "sync not started: account unreadable");
                false
            }
        }
    }

    /// Stops the sync service, letting a running transaction finish.
    pub async fn stop_sync(&self) {
        let service = lock(&self.sync).take();
        if let Some(service) = service {
            self.sync_generation.send_modify(|g| *g += 1);
            match Arc::try_unwrap(service) {
                Ok(service) => service.shutdown().await,
                // A command still holds it: it stops when that command lets go.
                Err(shared) => drop(shared),
            }
            tracing::info!("sync service stopped");
        }
    }

    /// Stops and starts the sync service again (new account, new interval).
    pub async fn restart_sync(&self) -> bool {
        self.stop_sync().await;
        self.start_sync()
    }

    /// A local change was recorded: let the sync service send it soon, and the badge
    /// and title follow it.
    pub fn changed(&self) {
        if let Some(service) = lock(&self.sync).as_ref() {
            service.notify();
        }
        self.local_change.notify_one();
    }

    /// The running sync service, if any.
    pub fn sync(&self) -> Option<Arc<Service>> {
        lock(&self.sync).clone()
    }

    /// Changes whenever the sync service is started or stopped.
    pub fn sync_generation(&self) -> watch::Receiver<u64> {
        self.sync_generation.subscribe()
    }

    /// Woken on every local change.
    pub fn local_change(&self) -> Arc<Notify> {
        Arc::clone(&self.local_change)
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }
}
