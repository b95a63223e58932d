//! Commands about drafts (草稿).

use gongwen_domain::Document;
use gongwen_domain::document::DocDate;
use gongwen_domain::lint::{self, LintContext};
use tauri::State;

use crate::dto::{
    AutosaveOutcome, ConflictComparison, ConflictCopyRow, ConflictField, DraftDetail, DraftRow,
    LintFinding, SavedDraft, VersionComparison, VersionRow,
};
use crate::error::{CommandError, ErrorCode};
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

/// 自动保存: writes the editor's content to the draft's working copy (no new version;
/// durable when it returns). `base_version` is the version the editor started from.
#[tauri::command]
pub async fn autosave_draft(
    state: State<'_, AppState>,
    draft_id: String,
    document: Document,
    base_version: i64,
) -> Result<AutosaveOutcome, CommandError> {
    let result: AutosaveOutcome = state
        .client()?
        .autosave_draft(&draft_id, document, base_version)?
        .into();
    if result.version.is_some() {
        state.changed();
    }
    Ok(result)
}

/// 保存 (Ctrl+S) and leaving the editor: makes a version from the working copy, if there
/// is one; null when there were no unsaved changes.
#[tauri::command]
pub async fn commit_working_copy(
    state: State<'_, AppState>,
    draft_id: String,
) -> Result<Option<SavedDraft>, CommandError> {
    let saved = state.client()?.commit_working_copy(&draft_id)?;
    if saved.is_some() {
        state.changed();
    }
    Ok(saved.map(SavedDraft::from))
}

/// 放弃修改: drops the working copy; the head version stays. Whether there was one.
#[tauri::command]
pub async fn discard_working_copy(
    state: State<'_, AppState>,
    draft_id: String,
) -> Result<bool, CommandError> {
    Ok(state.client()?.discard_working_copy(&draft_id)?)
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

/// 冲突副本: saves of this draft that lost to another save on the server, oldest first.
/// The editor shows a banner while any exist.
#[tauri::command]
pub async fn draft_conflicts(
    state: State<'_, AppState>,
    draft_id: String,
) -> Result<Vec<ConflictCopyRow>, CommandError> {
    let client = state.client()?;
    conflict_rows(&client, &draft_id)
}

fn conflict_rows(
    client: &gongwen_client::Client,
    draft_id: &str,
) -> Result<Vec<ConflictCopyRow>, CommandError> {
    Ok(client
        .draft_conflicts(draft_id)?
        .into_iter()
        .map(|c| ConflictCopyRow {
            document: serde_json::from_value(c.document).ok(),
            id: c.id,
            base_version: c.base_version,
            author: c.author,
            saved_at: c.saved_at,
        })
        .collect())
}

/// 处理冲突副本: keeps the current version (`document` absent) or saves `document`
/// (the copy, or a merge) as the next version; either way the copy is resolved for
/// good, on the server and every device of the draft.
#[tauri::command]
pub async fn resolve_conflict(
    state: State<'_, AppState>,
    draft_id: String,
    copy_id: String,
    document: Option<Document>,
) -> Result<SavedDraft, CommandError> {
    use gongwen_client::sync::ConflictResolution;
    let resolution = match document {
        Some(d) => ConflictResolution::Save(Box::new(d)),
        None => ConflictResolution::KeepCurrent,
    };
    let saved: SavedDraft = state
        .client()?
        .resolve_conflict(&draft_id, &copy_id, resolution)?
        .into();
    state.changed();
    Ok(saved)
}

/// The current version beside conflict copy `copy_id`, element by element, for choosing
/// one side or merging field by field.
#[tauri::command]
pub async fn compare_conflict(
    state: State<'_, AppState>,
    draft_id: String,
    copy_id: String,
) -> Result<ConflictComparison, CommandError> {
    use gongwen_client::diff::{VersionInput, compare};
    let client = state.client()?;
    let head = client.open_draft(&draft_id)?;
    let copy = conflict_rows(&client, &draft_id)?
        .into_iter()
        .find(|c| c.id == copy_id)
        .ok_or_else(|| {
            CommandError::new(
                ErrorCode::NotFound,
                "这份冲突副本已不存在（可能已在其他电脑上处理）。",
            )
        })?;
    let Some(copy_doc) = copy.document.clone() else {
        return Err(CommandError::new(
            ErrorCode::InvalidInput,
            "这份冲突副本由更新版本的公文通保存，本机无法读取。请升级公文通后再处理。",
        ));
    };
    let changes = compare(&[
        VersionInput {
            version: head.version,
            author: &head.author,
            at: &head.saved_at,
            doc: &head.document,
        },
        VersionInput {
            version: copy.base_version.unwrap_or(0),
            author: &copy.author,
            at: &copy.saved_at,
            doc: &copy_doc,
        },
    ]);
    Ok(ConflictComparison {
        current_version: head.version,
        current_author: head.author,
        copy,
        fields: changes
            .into_iter()
            .map(ConflictField::from_change)
            .collect(),
    })
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
