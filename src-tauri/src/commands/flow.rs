//! Commands of the approval workflow: queues, the 办理 page, actions, 送审.

use gongwen_domain::workflow::{FlowKind, TemplateSet};
use tauri::State;

use crate::dto::{
    ActRequest, ActResult, FlowCounts, QueueName, QueuePage, QueueQuery, SubmitResult, TaskDetail,
};
use crate::error::CommandError;
use crate::state::AppState;

/// One page of a queue (待办, 已办, 待阅 …), filtered.
#[tauri::command]
pub async fn queue(
    state: State<'_, AppState>,
    name: QueueName,
    query: Option<QueueQuery>,
    offset: usize,
    limit: usize,
) -> Result<QueuePage, CommandError> {
    let filter = query.unwrap_or_default().into();
    let client = state.client()?;
    let mut page: QueuePage = client.queue(name.into(), &filter, offset, limit)?.into();
    // 已催办: the latest reminder of each listed task.
    let tasks: Vec<String> = page.rows.iter().filter_map(|r| r.task_id.clone()).collect();
    let mut latest = client.latest_reminders(&tasks)?;
    for row in &mut page.rows {
        if let Some(task) = &row.task_id {
            row.reminded = latest.remove(task).map(Into::into);
        }
    }
    Ok(page)
}

/// The counts of every queue, and of refused actions.
#[tauri::command]
pub async fn flow_counts(state: State<'_, AppState>) -> Result<FlowCounts, CommandError> {
    Ok(state.client()?.flow_counts()?.into())
}

/// The 办理 page of a task: its document, flow, the actions I may take and the 催办
/// it received (marked seen).
#[tauri::command]
pub async fn task_view(
    state: State<'_, AppState>,
    task_id: String,
) -> Result<TaskDetail, CommandError> {
    let client = state.client()?;
    let mut detail: TaskDetail = client.task_view(&task_id)?.into();
    detail.reminders = client
        .task_reminders(&task_id)?
        .into_iter()
        .map(Into::into)
        .collect();
    // Opening the task is looking at its 催办: they stop counting in the badge.
    if client.mark_reminders_seen(&task_id)? > 0 {
        state.changed();
    }
    Ok(detail)
}

/// Acts on a task (同意, 退回, 加签 …), recorded locally and queued to sync.
#[tauri::command]
pub async fn act(
    state: State<'_, AppState>,
    request: ActRequest,
) -> Result<ActResult, CommandError> {
    let result: ActResult = state
        .client()?
        .act(
            &request.task_id,
            &request.action,
            request.opinion.as_deref(),
            request.to.as_deref(),
            request.step,
            request.content_hash.as_deref(),
        )?
        .into();
    state.changed();
    Ok(result)
}

/// 送审: starts the approval of a draft, on the named route or the one its 文种 and
/// 行文方向 call for.
#[tauri::command]
pub async fn submit_draft(
    state: State<'_, AppState>,
    draft_id: String,
    route: Option<String>,
) -> Result<SubmitResult, CommandError> {
    let result: SubmitResult = state
        .client()?
        .submit_draft(&draft_id, route.as_deref())?
        .into();
    state.changed();
    Ok(result)
}

/// The names of the 发文 routes a draft may be sent on (送审's choice).
#[tauri::command]
pub async fn route_names() -> Result<Vec<String>, CommandError> {
    Ok(TemplateSet::standard()
        .templates
        .into_iter()
        .filter(|t| t.kind == FlowKind::Outgoing)
        .map(|t| t.name)
        .collect())
}
