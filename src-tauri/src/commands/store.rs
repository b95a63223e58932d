//! Commands that read the local store.

use tauri::State;

use crate::dto::{QueueCounts, StoreInfo, SyncStatus};
use crate::error::CommandError;
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

/// Where the data lives and its schema version, for 设置 · 关于.
#[tauri::command]
pub async fn store_info(state: State<'_, AppState>) -> Result<StoreInfo, CommandError> {
    Ok(state.client()?.store_info()?.into())
}
