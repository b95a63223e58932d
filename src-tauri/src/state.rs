//! What the commands share: the open local store (or why it could not be opened) and,
//! when the store is logged in to a server, the background sync service.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use gongwen_client::Client;
use gongwen_client::sync::{HttpTransport, KeychainTokens, Service};

use crate::error::CommandError;

/// Managed Tauri state. The store is opened once at start-up; when that fails the window
/// still comes up, and every command answers with the reason, so the UI can explain it
/// (升级, 解锁, 检查文件夹权限) instead of the app vanishing.
#[derive(Debug)]
pub struct AppState {
    data_dir: PathBuf,
    client: Result<Arc<Client>, CommandError>,
    /// The sync service, started once the app's async runtime runs (see [`AppState::start_sync`]).
    sync: OnceLock<Service>,
}

impl AppState {
    /// Opens (creating on first run) the store in `data_dir`, with its key in the OS keychain.
    pub fn open(data_dir: PathBuf) -> AppState {
        let client = Client::open(&data_dir)
            .map(Arc::new)
            .map_err(CommandError::from);
        match &client {
            Ok(_) => tracing::info!(data_dir = %data_dir.display(), "store opened"),
            Err(error) => {
                tracing::warn!(data_dir = %data_dir.display(), code = ?error.code, "store not opened")
            }
        }
        AppState {
            data_dir,
            client,
            sync: OnceLock::new(),
        }
    }

    /// Wraps an already opened client (tests, or a caller with its own key provider).
    pub fn with_client(client: Client) -> AppState {
        AppState {
            data_dir: client.data_dir().to_path_buf(),
            client: Ok(Arc::new(client)),
            sync: OnceLock::new(),
        }
    }

    /// A state whose store failed to open with `error`.
    pub fn failed(data_dir: PathBuf, error: CommandError) -> AppState {
        AppState {
            data_dir,
            client: Err(error),
            sync: OnceLock::new(),
        }
    }

    /// The open store, or the reason it is not open.
    pub fn client(&self) -> Result<&Client, CommandError> {
        self.client.as_deref().map_err(Clone::clone)
    }

    /// Starts the background sync when the store is logged in to a server; without an
    /// account (离线试用, or not logged in yet) there is nothing to sync with. Must run on
    /// the app's tokio runtime. Returns whether a service runs.
    pub fn start_sync(&self) -> bool {
        let Ok(client) = &self.client else {
            return false;
        };
        match gongwen_client::sync::account(client) {
            Ok(Some(account)) => match HttpTransport::new(account, Arc::new(KeychainTokens)) {
                Ok(transport) => {
                    let _ = self.sync.set(Service::start(Arc::clone(client), transport));
                    tracing::info!("sync service started");
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

    /// A local change was recorded: let the sync service send it soon.
    pub fn changed(&self) {
        if let Some(service) = self.sync.get() {
            service.notify();
        }
    }

    /// The running sync service, if any.
    pub fn sync(&self) -> Option<&Service> {
        self.sync.get()
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }
}
