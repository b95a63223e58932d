//! The local directory (通讯录), for the pickers of the 办理 page: 下一环节办理人, 加签, 转办.

use tauri::State;

use crate::dto::PersonRow;
use crate::error::CommandError;
use crate::state::AppState;

/// Everyone in the local directory, by organ, department and name.
#[tauri::command]
pub async fn directory(state: State<'_, AppState>) -> Result<Vec<PersonRow>, CommandError> {
    Ok(state
        .client()?
        .people()?
        .into_iter()
        .map(PersonRow::from)
        .collect())
}
