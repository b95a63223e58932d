//! Commands about drafts (草稿).

use gongwen_domain::Document;
use gongwen_domain::document::DocDate;
use gongwen_domain::lint::{self, LintContext};
use tauri::State;

use crate::dto::{DraftDetail, DraftRow, LintFinding, SavedDraft, VersionComparison, VersionRow};
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

/// Opens a draft at its head version (清稿).
#[tauri::command]
pub async fn open_draft(
    state: State<'_, AppState>,
    draft_id: String,
) -> Result<DraftDetail, CommandError> {
    Ok(state.client()?.open_draft(&draft_id)?.into())
}

/// 新建草稿: a new draft whose first version is `document`.
#[tauri::command]
pub async fn create_draft(
    state: State<'_, AppState>,
    document: Document,
) -> Result<SavedDraft, CommandError> {
    let result: SavedDraft = state.client()?.create_draft(document)?.into();
    state.changed();
    Ok(result)
}

/// 保存 (also autosave): a new version when `document` differs from the head.
#[tauri::command]
pub async fn save_draft(
    state: State<'_, AppState>,
    draft_id: String,
    document: Document,
    base_version: Option<i64>,
) -> Result<SavedDraft, CommandError> {
    let result: SavedDraft = state
        .client()?
        .save_draft(&draft_id, document, base_version)?
        .into();
    state.changed();
    Ok(result)
}

/// 删除草稿, with its versions.
#[tauri::command]
pub async fn delete_draft(
    state: State<'_, AppState>,
    draft_id: String,
) -> Result<(), CommandError> {
    state.client()?.delete_draft(&draft_id)?;
    Ok(())
}

/// The 版本 drawer: every version, newest first.
#[tauri::command]
pub async fn draft_history(
    state: State<'_, AppState>,
    draft_id: String,
) -> Result<Vec<VersionRow>, CommandError> {
    Ok(state
        .client()?
        .draft_history(&draft_id)?
        .into_iter()
        .map(VersionRow::from)
        .collect())
}

/// The changes from version `from` to version `to`, element by element, with who made them.
#[tauri::command]
pub async fn compare_versions(
    state: State<'_, AppState>,
    draft_id: String,
    from: i64,
    to: i64,
) -> Result<VersionComparison, CommandError> {
    Ok(state
        .client()?
        .compare_versions(&draft_id, from, to)?
        .into())
}

/// 行文规则: the lint findings of a document as typed, dated today (China time).
#[tauri::command]
pub async fn lint_document(document: Document) -> Result<Vec<LintFinding>, CommandError> {
    Ok(lint::lint(&document, &LintContext::new(today()))
        .into_iter()
        .map(LintFinding::from)
        .collect())
}

/// Today in China Standard Time (UTC+8), where every 成文日期 is dated.
fn today() -> DocDate {
    let cst = time::UtcOffset::from_hms(8, 0, 0).expect("UTC+8 is a valid offset");
    DocDate(time::OffsetDateTime::now_utc().to_offset(cst).date())
}
