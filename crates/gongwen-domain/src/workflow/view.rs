//! Read-side views of a flow: the opinions shown on the 发文稿纸 / 收文处理笺 and in the flow view.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::command::Directory;
use super::model::{Flow, PersonId, StepKind, TaskId, TaskState};

/// One handler's signed action, as printed in its step's box on the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpinionEntry {
    /// The step's index in the route.
    pub step: usize,
    pub step_kind: StepKind,
    /// The step's display name ("审核", or the template's own name).
    pub step_name: String,
    pub task: TaskId,
    pub actor: PersonId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<PersonId>,
    /// "张三", or "李四 代 张三".
    pub signature: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// What was done: 同意, 已阅, 退回, 转办, 退文.
    pub outcome: String,
    /// The opinion text; None for 圈阅 (approved without text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opinion: Option<String>,
}

/// Every signed action of the flow, oldest first (ties in task order): the opinions for
/// the form's boxes (group by `step_kind`) and the flow view's timeline.
pub fn opinions(flow: &Flow, people: &dyn Directory) -> Vec<OpinionEntry> {
    let mut out: Vec<OpinionEntry> = flow
        .tasks
        .iter()
        .filter(|t| {
            matches!(
                t.state,
                TaskState::Approved
                    | TaskState::Read
                    | TaskState::Returned { .. }
                    | TaskState::Transferred { .. }
                    | TaskState::SentBack
            )
        })
        .filter_map(|t| {
            let acted = t.acted.as_ref()?;
            let step = flow.route.steps.get(t.step)?;
            Some(OpinionEntry {
                step: t.step,
                step_kind: step.kind,
                step_name: step.display_name().to_owned(),
                task: t.id.clone(),
                actor: acted.actor.clone(),
                on_behalf_of: acted.on_behalf_of.clone(),
                signature: acted.signature(people),
                at: acted.at,
                outcome: t.state.label().to_owned(),
                opinion: acted.opinion.clone(),
            })
        })
        .collect();
    // Stable: tasks are already in creation order.
    out.sort_by_key(|e| e.at);
    out
}
