//! 搜索本机公文: drafts, 发文 and 收文 on this device, offline like everything else.

use tauri::State;

use crate::dto::{SearchKind, SearchResult};
use crate::error::CommandError;
use crate::state::AppState;

/// The documents matching `query` (every word, in the title, body, 主送, 文号,
/// attachment names or 来文单位), best first; only `kind` when given.
#[tauri::command]
pub async fn search_documents(
    state: State<'_, AppState>,
    query: String,
    kind: Option<SearchKind>,
    limit: usize,
) -> Result<SearchResult, CommandError> {
    Ok(state
        .client()?
        .search_documents(&query, kind.map(Into::into), limit)?
        .into())
}
