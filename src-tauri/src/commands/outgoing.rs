//! Commands of the 发文登记簿: the register of this organ's 发文 that got a 文号 at 登记
//! (read from the local store only), and one registered document with its flow and 回执.

use tauri::State;

use crate::dto::{OutgoingDetail, OutgoingListPage, OutgoingQuery};
use crate::error::CommandError;
use crate::state::AppState;

/// One page of the register, newest number first (or oldest with `ascending`), filtered.
#[tauri::command]
pub async fn outgoing_register(
    state: State<'_, AppState>,
    query: Option<OutgoingQuery>,
    offset: usize,
    limit: usize,
) -> Result<OutgoingListPage, CommandError> {
    let filter = query.unwrap_or_default().filter()?;
    Ok(state
        .client()?
        .outgoing_register(&filter, offset, limit)?
        .into())
}

/// One registered document, by its document (draft) id: as it prints, its flow, its 回执.
#[tauri::command]
pub async fn outgoing_detail(
    state: State<'_, AppState>,
    document_id: String,
) -> Result<OutgoingDetail, CommandError> {
    Ok(state.client()?.outgoing_detail(&document_id)?.into())
}
