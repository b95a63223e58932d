//! Commands that read the local store.

use tauri::{AppHandle, Manager, Runtime, State};

use crate::dto::{QueueCounts, StoreInfo, StoreLock, SyncStatus};
use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;

/// The counts beside the navigation (待办 · 已办 · 待阅 · 草稿).
#[tauri::command]
pub async fn queue_counts(state: State<'_, AppState>) -> Result<QueueCounts, CommandError> {
    Ok(state.client()?.queue_counts()?.into())
}

/// 在线/离线/同步中 and the outbox, for the status bar: the sync service's view when the
/// store is logged in to a server, else the store's own record.
#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> Result<SyncStatus, CommandError> {
    match state.sync() {
        Some(service) => Ok(service.status().into()),
        None => Ok(state.client()?.sync_status()?.into()),
    }
}

/// Where the data lives and its schema version, for 设置 · 关于; who works here, by name
/// and login, for the status bar and 设置 · 账户.
#[tauri::command]
pub async fn store_info(state: State<'_, AppState>) -> Result<StoreInfo, CommandError> {
    let client = state.client()?;
    Ok(StoreInfo::new(
        client.store_about()?,
        client.user_display_name()?,
    ))
}

/// Why the local store is shut (口令, 钥匙串), or nothing when it is open: the window
/// shows the unlock screen from this.
#[tauri::command]
pub async fn store_lock(state: State<'_, AppState>) -> Result<Option<StoreLock>, CommandError> {
    Ok(state.store_lock())
}

/// 解锁: opens the store with a passphrase (creating it when this computer has no
/// keychain and no store yet), then starts the sync when the store has an account.
#[tauri::command]
pub async fn unlock_store<R: Runtime>(
    app: AppHandle<R>,
    passphrase: String,
) -> Result<(), CommandError> {
    // Argon2id takes about a second: keep the async threads free meanwhile.
    let handle = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        handle
            .state::<AppState>()
            .unlock_with_passphrase(&passphrase)
            .map(drop)
    })
    .await
    .map_err(|e| CommandError::new(ErrorCode::Internal, format!("解锁中断：{e}")))??;
    app.state::<AppState>().start_sync();
    Ok(())
}
