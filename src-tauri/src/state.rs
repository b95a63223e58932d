//! What the commands share: the open local store, or why it could not be opened.

use std::path::{Path, PathBuf};

use gongwen_client::Client;

use crate::error::CommandError;

/// Managed Tauri state. The store is opened once at start-up; when that fails the window
/// still comes up, and every command answers with the reason, so the UI can explain it
/// (升级, 解锁, 检查文件夹权限) instead of the app vanishing.
#[derive(Debug)]
pub struct AppState {
    data_dir: PathBuf,
    client: Result<Client, CommandError>,
}

impl AppState {
    /// Opens (creating on first run) the store in `data_dir`, with its key in the OS keychain.
    pub fn open(data_dir: PathBuf) -> AppState {
        let client = Client::open(&data_dir).map_err(CommandError::from);
        match &client {
            Ok(_) => tracing::info!(data_dir = %data_dir.display(), "store opened"),
            Err(error) => {
                tracing::warn!(data_dir = %data_dir.display(), code = ?error.code, "store not opened")
            }
        }
        AppState { data_dir, client }
    }

    /// Wraps an already opened client (tests, or a caller with its own key provider).
    pub fn with_client(client: Client) -> AppState {
        AppState {
            data_dir: client.data_dir().to_path_buf(),
            client: Ok(client),
        }
    }

    /// A state whose store failed to open with `error`.
    pub fn failed(data_dir: PathBuf, error: CommandError) -> AppState {
        AppState {
            data_dir,
            client: Err(error),
        }
    }

    /// The open store, or the reason it is not open.
    pub fn client(&self) -> Result<&Client, CommandError> {
        self.client.as_ref().map_err(Clone::clone)
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }
}
