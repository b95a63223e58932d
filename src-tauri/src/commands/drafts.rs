//! Commands about drafts (草稿).

use tauri::State;

use crate::dto::DraftRow;
use crate::error::CommandError;
use crate::state::AppState;

/// One page of my drafts, most recently changed first.
#[tauri::command]
pub async fn list_drafts(
    state: State<'_, AppState>,
    limit: usize,
    offset: usize,
) -> Result<Vec<DraftRow>, CommandError> {
    Ok(state
        .client()?
        .list_drafts(limit, offset)?
        .into_iter()
        .map(DraftRow::from)
        .collect())
}
