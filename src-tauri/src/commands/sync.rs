//! Commands of 同步详情: what waits to be sent, and what the server refused.

use tauri::State;

use crate::dto::{ActResult, OutboxRow, RejectedRow};
use crate::error::CommandError;
use crate::state::AppState;

/// The outbox in order: pending and refused changes.
#[tauri::command]
pub async fn outbox(state: State<'_, AppState>) -> Result<Vec<OutboxRow>, CommandError> {
    Ok(state
        .client()?
        .outbox()?
        .into_iter()
        .map(OutboxRow::from)
        .collect())
}

/// The actions the server refused, with the reason and the text the user typed.
#[tauri::command]
pub async fn rejected_actions(
    state: State<'_, AppState>,
) -> Result<Vec<RejectedRow>, CommandError> {
    Ok(state
        .client()?
        .rejected_actions()?
        .into_iter()
        .map(RejectedRow::from)
        .collect())
}

/// 重试: applies a refused action again to the flow as it is now.
#[tauri::command]
pub async fn retry_rejected(
    state: State<'_, AppState>,
    seq: i64,
) -> Result<ActResult, CommandError> {
    let result: ActResult = state.client()?.retry_rejected(seq)?.into();
    state.changed();
    Ok(result)
}

/// 放弃: drops a refused action (kept in the audit chain).
#[tauri::command]
pub async fn discard_rejected(state: State<'_, AppState>, seq: i64) -> Result<(), CommandError> {
    Ok(state.client()?.discard_rejected(seq)?)
}
