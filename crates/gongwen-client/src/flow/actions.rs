//! 送审 and the actions on a flow; each one SQLite transaction with its outbox row and
//! audit records. Also the handling of refused commands (rebase, retry, discard).

use gongwen_domain::Document;
use gongwen_domain::workflow::{
    self, Action, AddPosition, Command, ContentHash, Context, DocFacts, Event, Flow, FlowId,
    FlowKind, PersonId, Route, TaskId,
};
use rusqlite::Transaction;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::outbox::{self, ActArgs};
use super::people::{self, DbDirectory, Person};
use super::rows::{self, CST, DocMeta};
use super::{ACT_MUTATION, FlowError, Result, START_MUTATION};
use crate::Client;

/// What 送审 did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmitOutcome {
    pub flow_id: String,
    pub document_id: String,
    /// The draft version frozen for approval, and its hash.
    pub doc_version: i64,
    pub content_hash: String,
    /// The route template used.
    pub route: String,
    /// Where the document is now ("审核（李四）").
    pub now_at: String,
    /// The outbox rows written (送审, then the drafter's 同意 at 起草).
    pub outbox_seqs: Vec<i64>,
}

/// What an action did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActOutcome {
    pub flow_id: String,
    /// The action's label (同意, 退回…).
    pub action: String,
    /// The outbox row: the command waits there to be sent (待同步).
    pub seq: i64,
    pub outbox_id: String,
    /// Where the document is now ("签发（王五）", or 已办结).
    pub now_at: String,
    /// The flow's status label (办理中, 已办结, 已终止…).
    pub status: String,
}

/// The args of `flow.start.v1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StartArgs {
    pub flow: String,
    pub kind: FlowKind,
    pub owner: PersonId,
    pub document_id: String,
    pub doc_version: Option<i64>,
    pub title: String,
    pub doc_type: Option<String>,
    pub urgency: Option<String>,
    pub from_organ: Option<String>,
    pub content_hash: ContentHash,
    pub route: Route,
    #[serde(with = "time::serde::rfc3339")]
    pub client_time: OffsetDateTime,
}

/// Flow content hashes carry their algorithm (SYNC.md: `sha256:…`); drafts store bare hex.
pub(crate) fn flow_hash(draft_hash: &str) -> ContentHash {
    if draft_hash.contains(':') {
        ContentHash::from(draft_hash)
    } else {
        ContentHash::new(format!("sha256:{draft_hash}"))
    }
}

fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn audit_entries(cmd_id: &str, events: &[Event]) -> Vec<gongwen_domain::audit::Entry> {
    events
        .iter()
        .map(|e| e.audit_entry(format!("{cmd_id}/{}", e.seq)))
        .collect()
}

fn supervisor(tx: &Transaction<'_>, user: &str) -> Result<bool> {
    Ok(people::get(tx, user)?.is_some_and(|p| p.is_supervisor()))
}

/// A person id from an id or an exact, unique name in the directory.
fn person_ref(tx: &Transaction<'_>, who: &str) -> Result<PersonId> {
    let who = who.trim();
    if people::get(tx, who)?.is_some() {
        return Ok(PersonId::from(who));
    }
    let mut stmt = tx.prepare_cached("SELECT id FROM people WHERE name = ?1 LIMIT 2")?;
    let ids: Vec<String> = stmt
        .query_map([who], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    match ids.as_slice() {
        [one] => Ok(PersonId::new(one.clone())),
        [] => Ok(PersonId::from(who)),
        _ => Err(FlowError::InvalidArgument(format!(
            "通讯录中有多人名为“{who}”，请用人员编号指定"
        ))),
    }
}

impl Client {
    fn acting_person(&self, tx: &Transaction<'_>) -> Result<Person> {
        people::get(tx, &self.user)?.ok_or_else(|| FlowError::UnknownUser(self.user.clone()))
    }

    /// 送审: starts the approval flow of a draft from a route template (by name, or
    /// chosen by 文种 and 行文方向: the organ's synced templates first, then
    /// [`TemplateSet::standard`]; see [`super::routes`]), freezing the draft's current
    /// version and content hash, and completes the drafter's 起草 step so the document
    /// goes to the first reviewer. Unsaved autosaved changes (the working copy) become a
    /// version first, so the text under approval is the text on screen. Handlers are
    /// resolved by role from the local directory, in the drafter's organ.
    pub fn submit_draft(&self, draft_id: &str, route: Option<&str>) -> Result<SubmitOutcome> {
        let now = self.now().to_offset(CST);
        super::write(&self.db, |tx| self.submit_in(tx, draft_id, route, now))
    }

    fn submit_in(
        &self,
        tx: &Transaction<'_>,
        draft_id: &str,
        route: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<SubmitOutcome> {
        let me = self.acting_person(tx)?;
        crate::store::drafts::get(tx, draft_id)?;
        self.commit_working_copy_in(tx, draft_id, &crate::api::rfc3339(self.now()))?;
        let draft = crate::store::drafts::get(tx, draft_id)?;
        let version = crate::store::drafts::version(tx, draft_id, draft.head_version)?;
        let doc = Document::from_json(&version.content)
            .map_err(|e| FlowError::Corrupt(format!("草稿 {draft_id}：{e}")))?;
        let running: Option<String> = tx
            .prepare_cached("SELECT id FROM flows WHERE document_id = ?1 AND status = 'running'")?
            .query_row([draft_id], |r| r.get(0))
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })?;
        if let Some(flow) = running {
            return Err(FlowError::AlreadySubmitted {
                document: draft_id.to_owned(),
                flow,
            });
        }
        let owner = PersonId::new(me.id.clone());
        let facts = DocFacts::of(&doc, false);
        let route = super::routes::route_for_new_flow(
            tx,
            FlowKind::Outgoing,
            route,
            &facts,
            &owner,
            &me.organ,
        )?;
        let meta = DocMeta {
            document_id: draft_id.to_owned(),
            doc_version: Some(version.version),
            title: doc.title.clone(),
            doc_type: doc.doc_type.map(|t| t.name().to_owned()),
            urgency: doc.urgency,
            from_organ: doc.issuers.first().map(|i| i.name.clone()),
        };
        let hash = flow_hash(&version.content_hash);
        let dir = DbDirectory { conn: tx };
        let delegations = super::routes::workflow_delegations(tx)?;
        let ctx = Context::new(now, &dir)
            .with_supervisor(me.is_supervisor())
            .with_delegations(&delegations);
        let flow_id = new_id();
        let (flow, events) = workflow::start(
            FlowId::new(flow_id.clone()),
            FlowKind::Outgoing,
            owner.clone(),
            route.clone(),
            hash.clone(),
            &ctx,
        )?;
        let args = StartArgs {
            flow: flow_id.clone(),
            kind: FlowKind::Outgoing,
            owner: owner.clone(),
            document_id: draft_id.to_owned(),
            doc_version: meta.doc_version,
            title: meta.title.clone(),
            doc_type: meta.doc_type.clone(),
            urgency: meta.urgency.map(|u| u.name().to_owned()),
            from_organ: meta.from_organ.clone(),
            content_hash: hash.clone(),
            route,
            client_time: now,
        };
        let start_id = new_id();
        let start_seq = outbox::insert(
            tx,
            &start_id,
            START_MUTATION,
            &flow_id,
            &to_value(&args)?,
            now,
        )?;
        rows::insert_flow(tx, &flow, &meta)?;
        rows::mirror_tasks(tx, None, &flow, &meta, Some(start_seq), now)?;
        super::audit::append(tx, audit_entries(&start_id, &events))?;
        let mut seqs = vec![start_seq];
        // The drafter's own 起草 task: 送审 completes it.
        let mut flow = flow;
        let draft_task = workflow::tasks_for(&flow, &owner, &ctx)
            .first()
            .map(|t| t.id.clone());
        if let Some(task) = draft_task {
            let cmd = Command {
                actor: owner.clone(),
                seen_hash: hash.clone(),
                action: Action::Approve {
                    task,
                    opinion: None,
                    next_handlers: vec![],
                    assignment: None,
                },
            };
            let (next, events) = workflow::apply(&flow, &cmd, &ctx)?;
            let (seq, _) = self.record_act(tx, &flow, &next, &meta, cmd, &events, now)?;
            seqs.push(seq);
            flow = next;
        }
        Ok(SubmitOutcome {
            flow_id,
            document_id: draft_id.to_owned(),
            doc_version: version.version,
            content_hash: hash.0,
            route: flow.route.name.clone(),
            now_at: flow.where_now(&dir),
            outbox_seqs: seqs,
        })
    }

    /// Writes an applied command: outbox row, flow, queue rows, audit. Returns (seq, id).
    #[allow(clippy::too_many_arguments)]
    fn record_act(
        &self,
        tx: &Transaction<'_>,
        before: &Flow,
        after: &Flow,
        meta: &DocMeta,
        command: Command,
        events: &[Event],
        now: OffsetDateTime,
    ) -> Result<(i64, String)> {
        let id = new_id();
        let args = ActArgs {
            flow: after.id.0.clone(),
            command,
            client_time: now,
        };
        let seq = outbox::insert(tx, &id, ACT_MUTATION, &after.id.0, &to_value(&args)?, now)?;
        rows::update_flow_after(tx, before, after)?;
        rows::mirror_tasks(tx, Some(before), after, meta, Some(seq), now)?;
        super::audit::append(tx, audit_entries(&id, events))?;
        Ok((seq, id))
    }

    /// 办理: one action of the current user on a task.
    ///
    /// `action`: `approve` (同意; no opinion = 圈阅), `read` (已阅), `return` (退回; the
    /// opinion is the required reason, `step` the earlier step's index, default the
    /// previous one), `add-handler` / `add-handler-before` (加签 `to`, after or before
    /// oneself), `transfer` (转办 to `to`), `withdraw` (撤回 one's last 同意/转办),
    /// `remind` (催办), `terminate` (终止, owner only, opinion = reason), `send-back`
    /// (退文), `edit` (修改正文: the draft's newest version becomes the text under
    /// approval). For `approve` and `read`, `to` may name the next step's handlers
    /// (comma-separated) when the route leaves them open.
    ///
    /// `task_id` is the task acted on; `withdraw`, `remind` and `terminate` also accept a
    /// flow or document id. `content_hash` is the hash of the text the user read; `approve`
    /// and `read` require it (and it must be the current one), other actions default to
    /// the flow's current hash.
    pub fn act(
        &self,
        task_id: &str,
        action: &str,
        opinion: Option<&str>,
        to: Option<&str>,
        step: Option<usize>,
        content_hash: Option<&str>,
    ) -> Result<ActOutcome> {
        let now = self.now().to_offset(CST);
        super::write(&self.db, |tx| {
            let me = self.acting_person(tx)?;
            let is_task = rows::flow_of_task(tx, task_id)?;
            let flow_id = match &is_task {
                Some(f) => f.clone(),
                None if matches!(
                    action,
                    "withdraw" | "remind" | "terminate" | "撤回" | "催办" | "终止"
                ) =>
                {
                    rows::resolve_flow_id(tx, task_id)?
                        .ok_or_else(|| FlowError::FlowNotFound(task_id.to_owned()))?
                }
                None => return Err(FlowError::TaskNotFound(task_id.to_owned())),
            };
            let row = rows::load_flow(tx, &flow_id)?
                .ok_or_else(|| FlowError::FlowNotFound(flow_id.clone()))?;
            let flow = row.flow;
            let task = TaskId::from(task_id);
            let text = opinion
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned);
            let need_to = |what: &str| -> Result<PersonId> {
                let who = to.map(str::trim).filter(|s| !s.is_empty()).ok_or_else(|| {
                    FlowError::InvalidArgument(format!("{what}须指定人员（--to 人员编号或姓名）"))
                })?;
                person_ref(tx, who)
            };
            let seen = |required: bool| -> Result<ContentHash> {
                match content_hash.map(str::trim).filter(|s| !s.is_empty()) {
                    Some(h) => Ok(flow_hash(h)),
                    None if required => Err(FlowError::InvalidArgument(
                        "同意或已阅前须先阅看正文：请提供所阅看版本的内容哈希".into(),
                    )),
                    None => Ok(flow.content_hash.clone()),
                }
            };
            let next_handlers = || -> Result<Vec<PersonId>> {
                to.map(|s| {
                    s.split([',', '，', '、'])
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|p| person_ref(tx, p))
                        .collect()
                })
                .unwrap_or_else(|| Ok(Vec::new()))
            };
            let mut edited_version: Option<i64> = None;
            let (action, seen_hash) = match action {
                "approve" | "同意" => (
                    Action::Approve {
                        task,
                        opinion: text,
                        next_handlers: next_handlers()?,
                        assignment: None,
                    },
                    seen(true)?,
                ),
                "read" | "mark-read" | "已阅" => (
                    Action::MarkRead {
                        task,
                        opinion: text,
                    },
                    seen(true)?,
                ),
                "return" | "退回" => (
                    Action::Return {
                        task,
                        to_step: step,
                        reason: text.unwrap_or_default(),
                    },
                    seen(false)?,
                ),
                "add-handler" | "add-handler-after" | "加签" | "add-handler-before" => (
                    Action::AddHandler {
                        task,
                        person: need_to("加签")?,
                        position: if action == "add-handler-before" {
                            AddPosition::Before
                        } else {
                            AddPosition::After
                        },
                        opinion: text,
                    },
                    seen(false)?,
                ),
                "transfer" | "转办" => (
                    Action::Transfer {
                        task,
                        to: need_to("转办")?,
                        opinion: text,
                    },
                    seen(false)?,
                ),
                "withdraw" | "撤回" => (Action::Withdraw { reason: text }, seen(false)?),
                "remind" | "催办" => (
                    Action::Remind {
                        task: is_task.as_ref().map(|_| task),
                        message: text,
                    },
                    seen(false)?,
                ),
                "terminate" | "终止" => (
                    Action::Terminate {
                        reason: text.unwrap_or_default(),
                    },
                    seen(false)?,
                ),
                "send-back" | "退文" => (
                    Action::SendBack {
                        task,
                        reason: text.unwrap_or_default(),
                    },
                    seen(false)?,
                ),
                "edit" | "修改正文" => {
                    // The reviewer's autosaved edits become the version under approval.
                    self.commit_working_copy_in(
                        tx,
                        &row.meta.document_id,
                        &crate::api::rfc3339(self.now()),
                    )?;
                    let draft = crate::store::drafts::get(tx, &row.meta.document_id)?;
                    let head = crate::store::drafts::version(
                        tx,
                        &row.meta.document_id,
                        draft.head_version,
                    )?;
                    edited_version = Some(head.version);
                    let substantive = flow
                        .task(&task)
                        .and_then(|t| flow.route.steps.get(t.step))
                        .is_some_and(|s| s.kind == workflow::StepKind::Recheck);
                    (
                        Action::UpdateContent {
                            task,
                            new_hash: flow_hash(&head.content_hash),
                            substantive,
                            note: text,
                        },
                        seen(false)?,
                    )
                }
                other => return Err(FlowError::UnknownAction(other.to_owned())),
            };
            let cmd = Command {
                actor: PersonId::new(me.id.clone()),
                seen_hash,
                action,
            };
            let label = cmd.action.kind().label().to_owned();
            let dir = DbDirectory { conn: tx };
            let delegations = super::routes::workflow_delegations(tx)?;
            let ctx = Context::new(now, &dir)
                .with_supervisor(me.is_supervisor())
                .with_delegations(&delegations);
            let (next, events) = workflow::apply(&flow, &cmd, &ctx)?;
            let mut meta = row.meta;
            if let Some(v) = edited_version {
                tx.prepare_cached("UPDATE flows SET doc_version = ?2 WHERE id = ?1")?
                    .execute(rusqlite::params![flow_id, v])?;
                meta.doc_version = Some(v);
            }
            let (seq, outbox_id) = self.record_act(tx, &flow, &next, &meta, cmd, &events, now)?;
            Ok(ActOutcome {
                flow_id,
                action: label,
                seq,
                outbox_id,
                now_at: next.where_now(&dir),
                status: next.status.label().to_owned(),
            })
        })
    }

    /// For the sync engine: the server refused the command `seq` (terminally). The row
    /// stays, as `rejected`, with `code` and `reason`; the flow is rebased (the server's
    /// last confirmed state plus the remaining pending commands), so the refused
    /// command's optimistic effect disappears from the queues. A later pending command
    /// of the same flow that no longer applies is refused too, with the workflow's reason.
    pub fn reject_command(&self, seq: i64, code: &str, reason: &str) -> Result<()> {
        let now = self.now().to_offset(CST);
        super::write(&self.db, |tx| {
            reject_in(tx, &self.user, seq, code, reason, now)
        })
    }

    /// 重新提交 a refused action: applies it again to the flow as it is now (with the
    /// current time) and queues it as a new command (new seq and id; the refused row
    /// goes). Refused again, the row stays and the workflow's reason is returned.
    pub fn retry_rejected(&self, seq: i64) -> Result<ActOutcome> {
        let now = self.now().to_offset(CST);
        super::write(&self.db, |tx| {
            let row = outbox::get(tx, seq)?.ok_or(FlowError::OutboxNotFound(seq))?;
            if row.state != "rejected" {
                return Err(FlowError::NotRejected(seq));
            }
            if outbox::in_flight(tx, seq)? {
                return Err(FlowError::InFlight(seq));
            }
            if row.name == START_MUTATION {
                let args: StartArgs = serde_json::from_str(&row.payload)
                    .map_err(|e| FlowError::Corrupt(e.to_string()))?;
                tx.execute("DELETE FROM outbox WHERE seq = ?1", [seq])?;
                let out =
                    self.submit_in(tx, &args.document_id, Some(args.route.name.as_str()), now)?;
                return Ok(ActOutcome {
                    flow_id: out.flow_id,
                    action: "送审".into(),
                    seq: out.outbox_seqs[0],
                    outbox_id: String::new(),
                    now_at: out.now_at,
                    status: "办理中".into(),
                });
            }
            let args = outbox::parse_act(&row)?;
            if args.command.actor.as_str() != self.user {
                return Err(FlowError::NotYourCommand {
                    seq,
                    actor: args.command.actor.0.clone(),
                });
            }
            let fr = rows::load_flow(tx, &args.flow)?
                .ok_or_else(|| FlowError::FlowNotFound(args.flow.clone()))?;
            let me = self.acting_person(tx)?;
            let dir = DbDirectory { conn: tx };
            let delegations = super::routes::workflow_delegations(tx)?;
            let ctx = Context::new(now, &dir)
                .with_supervisor(me.is_supervisor())
                .with_delegations(&delegations);
            let (next, events) = workflow::apply(&fr.flow, &args.command, &ctx)?;
            tx.execute("DELETE FROM outbox WHERE seq = ?1", [seq])?;
            let label = args.command.action.kind().label().to_owned();
            let (seq, outbox_id) =
                self.record_act(tx, &fr.flow, &next, &fr.meta, args.command, &events, now)?;
            Ok(ActOutcome {
                flow_id: args.flow,
                action: label,
                seq,
                outbox_id,
                now_at: next.where_now(&dir),
                status: next.status.label().to_owned(),
            })
        })
    }

    /// 放弃 a refused action: removes it from the outbox (recorded in the audit chain,
    /// with the text the user had typed).
    pub fn discard_rejected(&self, seq: i64) -> Result<()> {
        let now = self.now().to_offset(CST);
        super::write(&self.db, |tx| {
            let row = outbox::get(tx, seq)?.ok_or(FlowError::OutboxNotFound(seq))?;
            if row.state != "rejected" {
                return Err(FlowError::NotRejected(seq));
            }
            if outbox::in_flight(tx, seq)? {
                return Err(FlowError::InFlight(seq));
            }
            tx.execute("DELETE FROM outbox WHERE seq = ?1", [seq])?;
            let detail = serde_json::json!({
                "seq": seq, "id": row.id, "name": row.name, "payload": row.payload,
            });
            super::audit::append(
                tx,
                vec![gongwen_domain::audit::Entry {
                    id: format!("{}/discarded", row.id),
                    time: now,
                    actor: self.user.clone(),
                    on_behalf_of: None,
                    action: "workflow.command_discarded".into(),
                    subject: row.entity,
                    detail_json: detail.to_string(),
                }],
            )
        })
    }
}

/// [`Client::reject_command`] inside the caller's transaction (the sync engine records
/// the server's answer together with its acknowledgement). A row already refused
/// locally (by a rebase) takes the server's code and reason, which are authoritative.
pub(crate) fn reject_in(
    tx: &Transaction<'_>,
    user: &str,
    seq: i64,
    code: &str,
    reason: &str,
    now: OffsetDateTime,
) -> Result<()> {
    let row = outbox::get(tx, seq)?.ok_or(FlowError::OutboxNotFound(seq))?;
    let already = row.state == "rejected";
    outbox::mark_rejected(tx, seq, code, reason, now)?;
    if already {
        return Ok(());
    }
    let detail = serde_json::json!({
        "seq": seq, "id": row.id, "name": row.name, "code": code, "reason": reason,
    });
    super::audit::append(
        tx,
        vec![gongwen_domain::audit::Entry {
            id: format!("{}/rejected", row.id),
            time: now,
            actor: user.to_owned(),
            on_behalf_of: None,
            action: "workflow.command_rejected".into(),
            subject: row.entity.clone(),
            detail_json: detail.to_string(),
        }],
    )?;
    rebase(tx, &row.entity, now)
}

fn to_value<T: Serialize>(v: &T) -> Result<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| FlowError::Corrupt(e.to_string()))
}

/// The code of a command refused because someone else handled its task first (the
/// server's `ALREADY_HANDLED`, also used when the replay finds it out first).
pub(crate) const ALREADY_HANDLED: &str = gongwen_protocol::sync::codes::ALREADY_HANDLED;

/// "已由 王五 于 2026-03-02 09:12 处理（同意）" when the command's task was already
/// handled by someone (its state is no longer open).
fn already_handled(flow: &Flow, cmd: &Command, people: &DbDirectory<'_>) -> Option<String> {
    use gongwen_domain::workflow::{Directory, TaskState};
    let task = flow.task(cmd.action.task()?)?;
    if matches!(task.state, TaskState::Open | TaskState::Waiting) {
        return None;
    }
    let acted = task.acted.as_ref()?;
    let who = people
        .name(&acted.actor)
        .unwrap_or_else(|| acted.actor.0.clone());
    let at = acted.at.to_offset(CST);
    Some(format!(
        "已由 {who} 于 {:04}-{:02}-{:02} {:02}:{:02} 处理（{}）",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        task.state.label()
    ))
}

/// Recomputes a flow's local view: the confirmed base plus a replay of its pending
/// commands, each at its own client time. Commands that no longer apply are refused.
pub(crate) fn rebase(tx: &Transaction<'_>, flow_id: &str, now: OffsetDateTime) -> Result<()> {
    let Some(fr) = rows::load_flow(tx, flow_id)? else {
        return Ok(());
    };
    let meta = fr.meta;
    let base = rows::load_base(tx, flow_id)?;
    let pending = outbox::pending_for(tx, flow_id)?;
    let dir = DbDirectory { conn: tx };
    let delegations = super::routes::workflow_delegations(tx)?;
    tx.prepare_cached("DELETE FROM tasks WHERE flow_id = ?1")?
        .execute([flow_id])?;
    let mut flow: Option<Flow> = base;
    if let Some(base) = &flow {
        rows::mirror_tasks(tx, None, base, &meta, None, now)?;
    }
    for row in pending {
        let refuse = |code: &str, why: String| outbox::mark_rejected(tx, row.seq, code, &why, now);
        if row.name == START_MUTATION {
            let args: StartArgs = serde_json::from_str(&row.payload)
                .map_err(|e| FlowError::Corrupt(e.to_string()))?;
            let ctx = Context::new(args.client_time, &dir).with_delegations(&delegations);
            match workflow::start(
                FlowId::new(args.flow.clone()),
                args.kind,
                args.owner,
                args.route,
                args.content_hash,
                &ctx,
            ) {
                Ok((started, _)) if flow.is_none() => {
                    rows::mirror_tasks(tx, None, &started, &meta, Some(row.seq), now)?;
                    flow = Some(started);
                }
                Ok(_) => refuse("FLOW_EXISTS", "流程已存在".into())?,
                Err(e) => refuse(e.code(), e.to_string())?,
            }
            continue;
        }
        let args = outbox::parse_act(&row)?;
        let Some(current) = &flow else {
            refuse("FLOW_GONE", "该公文的送审已被拒绝，流程不存在".into())?;
            continue;
        };
        let sup = supervisor(tx, args.command.actor.as_str())?;
        let ctx = Context::new(args.client_time, &dir)
            .with_supervisor(sup)
            .with_delegations(&delegations);
        match workflow::apply(current, &args.command, &ctx) {
            Ok((next, _)) => {
                rows::mirror_tasks(tx, Some(current), &next, &meta, Some(row.seq), now)?;
                flow = Some(next);
            }
            Err(e) => match already_handled(current, &args.command, &dir) {
                Some(reason) => refuse(ALREADY_HANDLED, reason)?,
                None => refuse(e.code(), e.to_string())?,
            },
        }
    }
    match flow {
        Some(f) => rows::update_flow(tx, &f)?,
        None => {
            tx.prepare_cached("DELETE FROM flows WHERE id = ?1")?
                .execute([flow_id])?;
        }
    }
    Ok(())
}
