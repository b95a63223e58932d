//! The state machine: [`start`], [`apply`] and the read-side helpers.

use std::collections::BTreeSet;

use time::{Duration, OffsetDateTime};

use super::command::{
    Action, ActionKind, Command, Context, Event, EventKind, delegated, signature,
};
use super::error::{Result, WorkflowError};
use super::model::{
    Acted, AddPosition, Assignment, Checkpoint, ContentHash, Flow, FlowId, FlowKind, FlowStatus,
    Mode, PersonId, Route, RunOutcome, Step, StepKind, StepRun, Task, TaskId, TaskOrigin,
    TaskState, WithdrawCause,
};

/// Starts a flow: checks the route, opens the first step's tasks.
///
/// `owner` is the drafter (发文) or the clerk who receives the document (收文);
/// `content_hash` is the hash of the version being submitted.
pub fn start(
    id: FlowId,
    kind: FlowKind,
    owner: PersonId,
    route: Route,
    content_hash: ContentHash,
    ctx: &Context<'_>,
) -> Result<(Flow, Vec<Event>)> {
    validate_route(&route, ctx)?;
    if ctx.people.name(&owner).is_none() {
        return Err(WorkflowError::UnknownPerson { person: owner });
    }
    let first = route.steps[0].clone();
    let flow = Flow {
        id,
        kind,
        owner: owner.clone(),
        route: route.clone(),
        status: FlowStatus::Completed { at: ctx.now },
        content_hash: content_hash.clone(),
        runs: Vec::new(),
        tasks: Vec::new(),
        history: Vec::new(),
        checkpoint: None,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    let mut tx = Tx {
        flow,
        ctx,
        actor: owner,
        on_behalf_of: None,
        seen_hash: content_hash,
        events: Vec::new(),
    };
    tx.emit(EventKind::Started { route: route.name });
    tx.activate(
        0,
        first.handlers.clone(),
        first.effective_mode(),
        None,
        None,
    );
    Ok(tx.finish())
}

/// Checks that a stored flow's indices hold together, so that a damaged or hand-edited
/// record gives an error instead of a wrong decision.
pub fn check_integrity(flow: &Flow) -> Result<()> {
    let corrupt = |what: &str| {
        Err(WorkflowError::CorruptFlow {
            flow: flow.id.clone(),
            detail: what.to_owned(),
        })
    };
    let steps = flow.route.steps.len();
    let status_ok = |status: &FlowStatus, runs: &[StepRun]| match *status {
        FlowStatus::Running { step, run } => {
            step < steps && runs.get(run).is_some_and(|r| r.step == step)
        }
        _ => true,
    };
    if steps == 0 {
        return corrupt("route has no steps");
    }
    if !status_ok(&flow.status, &flow.runs) {
        return corrupt("status points outside the route or runs");
    }
    if flow.runs.iter().any(|r| r.step >= steps) {
        return corrupt("a run points outside the route");
    }
    let task_ok = |t: &Task| flow.runs.get(t.run).is_some_and(|r| r.step == t.step);
    if !flow.tasks.iter().all(task_ok) {
        return corrupt("a task points outside the runs");
    }
    if let Some(cp) = &flow.checkpoint {
        let ok = cp.task_count <= flow.tasks.len()
            && cp.runs.len() <= flow.runs.len()
            && cp
                .changed_tasks
                .iter()
                .all(|(i, t)| *i < cp.task_count && task_ok(t))
            && flow.tasks.iter().any(|t| t.id == cp.task)
            && status_ok(&cp.status, &cp.runs);
        if !ok {
            return corrupt("checkpoint does not match the flow");
        }
    }
    Ok(())
}

/// Checks that a route can run: at least one step, handlers known and not repeated,
/// and every step without handlers preceded by a step whose handler can choose them.
pub fn validate_route(route: &Route, ctx: &Context<'_>) -> Result<()> {
    let invalid = |reason: String| Err(WorkflowError::InvalidRoute { reason });
    if route.steps.is_empty() {
        return invalid("没有任何环节".into());
    }
    for (i, step) in route.steps.iter().enumerate() {
        check_handlers(&step.handlers, ctx)?;
        if step.handlers.is_empty() {
            if i == 0 {
                return invalid(format!("第一个环节“{}”没有办理人", step.display_name()));
            }
            if route.steps[i - 1].kind.is_circulation() {
                return invalid(format!(
                    "“{}”环节没有办理人，而它前面的传阅环节不能选择办理人",
                    step.display_name()
                ));
            }
        }
    }
    Ok(())
}

fn check_handlers(handlers: &[PersonId], ctx: &Context<'_>) -> Result<()> {
    let mut seen = BTreeSet::new();
    for p in handlers {
        if ctx.people.name(p).is_none() {
            return Err(WorkflowError::UnknownPerson { person: p.clone() });
        }
        if !seen.insert(p) {
            return Err(WorkflowError::DuplicateHandler {
                person: p.clone(),
                name: ctx.people.name(p).unwrap_or_else(|| p.0.clone()),
            });
        }
    }
    Ok(())
}

/// Applies one command. On success returns the new flow and the events it appended
/// (also appended to `flow.history`); on error the caller keeps the old flow unchanged.
pub fn apply(flow: &Flow, cmd: &Command, ctx: &Context<'_>) -> Result<(Flow, Vec<Event>)> {
    check_integrity(flow)?;
    let mut tx = Tx {
        flow: flow.clone(),
        ctx,
        actor: cmd.actor.clone(),
        on_behalf_of: None,
        seen_hash: cmd.seen_hash.clone(),
        events: Vec::new(),
    };
    let keep_checkpoint = match &cmd.action {
        Action::Approve {
            task,
            opinion,
            next_handlers,
            assignment,
        } => tx.approve(task, opinion.as_deref(), next_handlers, assignment.as_ref())?,
        Action::MarkRead { task, opinion } => tx.mark_read(task, opinion.as_deref())?,
        Action::Return {
            task,
            to_step,
            reason,
        } => tx.return_task(task, *to_step, reason)?,
        Action::AddHandler {
            task,
            person,
            position,
            opinion,
        } => tx.add_handler(task, person, *position, opinion.as_deref())?,
        Action::Transfer { task, to, opinion } => tx.transfer(task, to, opinion.as_deref())?,
        Action::UpdateContent {
            task,
            new_hash,
            substantive,
            note,
        } => tx.update_content(task, new_hash, *substantive, note.as_deref())?,
        Action::Withdraw { reason } => tx.withdraw(reason.as_deref())?,
        Action::Remind { task, message } => tx.remind(task.as_ref(), message.as_deref())?,
        Action::Terminate { reason } => tx.terminate(reason)?,
        Action::SendBack { task, reason } => tx.send_back_to_sender(task, reason)?,
    };
    match keep_checkpoint {
        Checkpointing::Keep => {}
        Checkpointing::Clear => tx.flow.checkpoint = None,
        Checkpointing::Set(task) => {
            tx.flow.checkpoint = if tx.flow.is_running() {
                Some(checkpoint(
                    flow,
                    &tx.flow,
                    task,
                    tx.actor.clone(),
                    tx.on_behalf_of.clone(),
                ))
            } else {
                None
            };
        }
    }
    Ok(tx.finish())
}

enum Checkpointing {
    /// 催办: nothing changed, an earlier action may still be withdrawn.
    Keep,
    /// Something changed: earlier actions can no longer be withdrawn.
    Clear,
    /// This action (on this task) may be withdrawn next.
    Set(TaskId),
}

fn checkpoint(
    before: &Flow,
    after: &Flow,
    task: TaskId,
    actor: PersonId,
    on_behalf_of: Option<PersonId>,
) -> Checkpoint {
    let changed_tasks = before
        .tasks
        .iter()
        .enumerate()
        .filter(|(i, t)| after.tasks.get(*i) != Some(*t))
        .map(|(i, t)| (i, t.clone()))
        .collect();
    Checkpoint {
        actor,
        on_behalf_of,
        task,
        status: before.status.clone(),
        content_hash: before.content_hash.clone(),
        runs: before.runs.clone(),
        task_count: before.tasks.len(),
        changed_tasks,
    }
}

/// One command being applied to a working copy of the flow.
struct Tx<'c, 'a> {
    flow: Flow,
    ctx: &'c Context<'a>,
    actor: PersonId,
    /// Set by [`Tx::authorize`] when the actor acts as a delegate.
    on_behalf_of: Option<PersonId>,
    seen_hash: ContentHash,
    events: Vec<Event>,
}

impl Tx<'_, '_> {
    fn finish(mut self) -> (Flow, Vec<Event>) {
        self.flow.updated_at = self.ctx.now;
        self.flow.history.extend(self.events.iter().cloned());
        (self.flow, self.events)
    }

    fn emit(&mut self, kind: EventKind) {
        let seq = (self.flow.history.len() + self.events.len() + 1) as u64;
        self.events.push(Event {
            seq,
            flow: self.flow.id.clone(),
            at: self.ctx.now,
            actor: self.actor.clone(),
            on_behalf_of: self.on_behalf_of.clone(),
            seen_hash: self.seen_hash.clone(),
            kind,
        });
    }

    fn acted(&self, opinion: Option<&str>) -> Acted {
        Acted {
            actor: self.actor.clone(),
            on_behalf_of: self.on_behalf_of.clone(),
            at: self.ctx.now,
            opinion: clean(opinion),
            seen_hash: self.seen_hash.clone(),
        }
    }

    fn step(&self, index: usize) -> &Step {
        &self.flow.route.steps[index]
    }

    fn next_task_id(&self) -> TaskId {
        TaskId(format!("{}-T{}", self.flow.id, self.flow.tasks.len() + 1))
    }

    fn require_running(&self) -> Result<()> {
        if self.flow.is_running() {
            Ok(())
        } else {
            Err(WorkflowError::FlowClosed {
                status: self.flow.status.label(),
            })
        }
    }

    fn require_known(&self, person: &PersonId) -> Result<()> {
        match self.ctx.people.name(person) {
            Some(_) => Ok(()),
            None => Err(WorkflowError::UnknownPerson {
                person: person.clone(),
            }),
        }
    }

    fn require_current(&self) -> Result<()> {
        if self.seen_hash == self.flow.content_hash {
            Ok(())
        } else {
            Err(WorkflowError::StaleContent {
                seen: self.seen_hash.clone(),
                current: self.flow.content_hash.clone(),
            })
        }
    }

    /// Finds the task and checks that the actor may act on it now; returns its index.
    fn authorize(&mut self, task: &TaskId) -> Result<usize> {
        let index = self
            .flow
            .tasks
            .iter()
            .position(|t| &t.id == task)
            .ok_or_else(|| WorkflowError::UnknownTask { task: task.clone() })?;
        let t = &self.flow.tasks[index];
        if let Some(err) = closed_error(t, self.ctx) {
            return Err(err);
        }
        self.on_behalf_of = if t.assignee == self.actor {
            None
        } else if delegated(
            self.ctx.delegations,
            &t.assignee,
            &self.actor,
            self.ctx.now,
            self.flow.kind,
        ) {
            Some(t.assignee.clone())
        } else {
            return Err(WorkflowError::NotYourTask { task: task.clone() });
        };
        if t.state == TaskState::Waiting {
            return Err(WorkflowError::NotYourTurn { task: task.clone() });
        }
        Ok(index)
    }

    fn not_allowed(&self, action: ActionKind, step: usize) -> WorkflowError {
        WorkflowError::ActionNotAllowed {
            action,
            step: self.step(step).display_name().to_owned(),
        }
    }

    fn approve(
        &mut self,
        task: &TaskId,
        opinion: Option<&str>,
        next_handlers: &[PersonId],
        assignment: Option<&Assignment>,
    ) -> Result<Checkpointing> {
        let i = self.authorize(task)?;
        let (step, run) = (self.flow.tasks[i].step, self.flow.tasks[i].run);
        let kind = self.step(step).kind;
        if kind.is_circulation() {
            return Err(self.not_allowed(ActionKind::Approve, step));
        }
        self.require_current()?;
        if assignment.is_some() && kind != StepKind::Instruct {
            return Err(WorkflowError::NextHandlersNotAllowed);
        }
        if assignment.is_some() && !next_handlers.is_empty() {
            return Err(WorkflowError::NextHandlersNotAllowed);
        }
        // Work out whether this approval completes the step before changing anything,
        // so that the next step's handlers can be checked first.
        let completes = approval_completes(&self.flow, i);
        let next = if completes {
            Some(self.plan_next(step, next_handlers, assignment)?)
        } else {
            if !next_handlers.is_empty() || assignment.is_some() {
                return Err(WorkflowError::NextHandlersNotAllowed);
            }
            None
        };

        let acted = self.acted(opinion);
        let opinion = acted.opinion.clone();
        let t = &mut self.flow.tasks[i];
        t.state = TaskState::Approved;
        t.acted = Some(acted);
        let lane = t.lane;
        let pos = t.pos;
        self.emit(EventKind::Approved {
            task: task.clone(),
            step,
            opinion,
        });
        if let Some(a) = assignment {
            self.emit(EventKind::Assigned {
                task: task.clone(),
                assignment: a.clone(),
            });
        }
        if self.flow.runs[run].mode == Mode::AnyOf && self.flow.runs[run].claimed_lane.is_none() {
            self.flow.runs[run].claimed_lane = Some(lane);
            self.withdraw_run(run, |t| t.lane != lane, WithdrawCause::OtherHandlerActed);
        }
        self.open_next_in_lane(run, lane, pos);
        if let Some(plan) = next {
            self.complete_step(step, run, plan);
        }
        Ok(Checkpointing::Set(task.clone()))
    }

    /// Decides the next step's handlers (or completion) for an approval that completes `step`.
    fn plan_next(
        &self,
        step: usize,
        next_handlers: &[PersonId],
        assignment: Option<&Assignment>,
    ) -> Result<NextPlan> {
        let Some(next) = self.flow.route.steps.get(step + 1) else {
            if !next_handlers.is_empty() || assignment.is_some() {
                return Err(WorkflowError::NextHandlersNotAllowed);
            }
            return Ok(NextPlan::Finish);
        };
        if let Some(a) = assignment {
            let mut handlers = vec![a.lead.handler.clone()];
            handlers.extend(a.assist.iter().map(|d| d.handler.clone()));
            check_handlers(&handlers, self.ctx)?;
            let mode = if next.kind.is_circulation() || handlers.len() > 1 {
                Mode::AllOf
            } else {
                next.effective_mode()
            };
            return Ok(NextPlan::Step {
                handlers,
                mode,
                due: a.due,
                assignment: Some(a.clone()),
            });
        }
        if !next_handlers.is_empty() {
            if !next.handlers.is_empty() {
                return Err(WorkflowError::NextHandlersNotAllowed);
            }
            check_handlers(next_handlers, self.ctx)?;
            return Ok(NextPlan::Step {
                handlers: next_handlers.to_vec(),
                mode: next.effective_mode(),
                due: None,
                assignment: None,
            });
        }
        if next.handlers.is_empty() {
            return Err(WorkflowError::NextHandlersRequired {
                step: next.display_name().to_owned(),
            });
        }
        Ok(NextPlan::Step {
            handlers: next.handlers.clone(),
            mode: next.effective_mode(),
            due: None,
            assignment: None,
        })
    }

    fn complete_step(&mut self, step: usize, run: usize, plan: NextPlan) {
        self.flow.runs[run].outcome = Some(RunOutcome::Completed { at: self.ctx.now });
        self.emit(EventKind::StepCompleted { step, run });
        match plan {
            NextPlan::Finish => {
                self.flow.status = FlowStatus::Completed { at: self.ctx.now };
                self.emit(EventKind::Completed);
            }
            NextPlan::Step {
                handlers,
                mode,
                due,
                assignment,
            } => self.activate(step + 1, handlers, mode, due, assignment),
        }
    }

    /// Opens the next waiting task of the lane after `pos`; false if the lane is done.
    fn open_next_in_lane(&mut self, run: usize, lane: u32, pos: u32) {
        let next = self
            .flow
            .tasks
            .iter()
            .enumerate()
            .filter(|(_, t)| {
                t.run == run && t.lane == lane && t.pos > pos && t.state == TaskState::Waiting
            })
            .min_by_key(|(_, t)| t.pos)
            .map(|(i, _)| i);
        if let Some(i) = next {
            let now = self.ctx.now;
            let t = &mut self.flow.tasks[i];
            t.state = TaskState::Open;
            t.opened_at = Some(now);
            let (task, step, assignee) = (t.id.clone(), t.step, t.assignee.clone());
            self.emit(EventKind::TaskOpened {
                task,
                step,
                assignee,
            });
        }
    }

    /// Withdraws the live tasks of a run that match `filter`.
    fn withdraw_run(&mut self, run: usize, filter: impl Fn(&Task) -> bool, cause: WithdrawCause) {
        let ids: Vec<usize> = (0..self.flow.tasks.len())
            .filter(|&i| {
                let t = &self.flow.tasks[i];
                t.run == run && t.is_live() && filter(t)
            })
            .collect();
        for i in ids {
            self.flow.tasks[i].state = TaskState::Withdrawn { cause };
            let task = self.flow.tasks[i].id.clone();
            self.emit(EventKind::TaskWithdrawn { task, cause });
        }
    }

    /// Starts a new run of `step` with these handlers.
    fn activate(
        &mut self,
        step: usize,
        handlers: Vec<PersonId>,
        mode: Mode,
        due: Option<OffsetDateTime>,
        assignment: Option<Assignment>,
    ) {
        let now = self.ctx.now;
        let due = due.or_else(|| {
            self.step(step)
                .limit_hours
                .and_then(|h| now.checked_add(Duration::hours(i64::from(h))))
        });
        let run = self.flow.runs.len();
        let lanes = match mode {
            Mode::Sequential => 1,
            Mode::AllOf | Mode::AnyOf => handlers.len() as u32,
        };
        self.flow.runs.push(StepRun {
            step,
            mode,
            started_at: now,
            due,
            lanes,
            claimed_lane: None,
            assignment,
            outcome: None,
        });
        self.flow.status = FlowStatus::Running { step, run };
        self.emit(EventKind::StepStarted { step, run, due });
        for (n, assignee) in handlers.into_iter().enumerate() {
            let n = n as u32;
            let (lane, pos) = match mode {
                Mode::Sequential => (0, n),
                Mode::AllOf | Mode::AnyOf => (n, 0),
            };
            let open = pos == 0;
            self.push_task(step, run, lane, pos, assignee, open, due, TaskOrigin::Route);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push_task(
        &mut self,
        step: usize,
        run: usize,
        lane: u32,
        pos: u32,
        assignee: PersonId,
        open: bool,
        due: Option<OffsetDateTime>,
        origin: TaskOrigin,
    ) -> TaskId {
        let id = self.next_task_id();
        let now = self.ctx.now;
        self.flow.tasks.push(Task {
            id: id.clone(),
            step,
            run,
            lane,
            pos,
            assignee: assignee.clone(),
            state: if open {
                TaskState::Open
            } else {
                TaskState::Waiting
            },
            origin,
            created_at: now,
            opened_at: open.then_some(now),
            due,
            acted: None,
        });
        let task = id.clone();
        self.emit(if open {
            EventKind::TaskOpened {
                task,
                step,
                assignee,
            }
        } else {
            EventKind::TaskQueued {
                task,
                step,
                assignee,
            }
        });
        id
    }

    /// Runs `step` again after a 退回 to it: with the people who approved it last time
    /// (so a return reaches the very person who handled it), the same assignment and due time.
    fn reactivate(&mut self, step: usize) {
        let last = self.flow.runs.iter().rposition(|r| r.step == step);
        let mut handlers = Vec::new();
        let (mut due, mut assignment) = (None, None);
        if let Some(run) = last {
            let mut done: Vec<&Task> = self
                .flow
                .tasks
                .iter()
                .filter(|t| {
                    t.run == run && matches!(t.state, TaskState::Approved | TaskState::Read)
                })
                .collect();
            done.sort_by_key(|t| (t.lane, t.pos));
            for t in done {
                if !handlers.contains(&t.assignee) {
                    handlers.push(t.assignee.clone());
                }
            }
            let r = &self.flow.runs[run];
            if r.assignment.is_some() {
                due = r.due;
                assignment = r.assignment.clone();
            }
        }
        if handlers.is_empty() {
            handlers = self.step(step).handlers.clone();
        }
        if handlers.is_empty() {
            // A step whose handlers were chosen, with no record of who: give it to the owner.
            handlers.push(self.flow.owner.clone());
        }
        let mode = self.step(step).effective_mode();
        self.activate(step, handlers, mode, due, assignment);
    }

    fn mark_read(&mut self, task: &TaskId, opinion: Option<&str>) -> Result<Checkpointing> {
        let i = self.authorize(task)?;
        let (step, run) = (self.flow.tasks[i].step, self.flow.tasks[i].run);
        if !self.step(step).kind.is_circulation() {
            return Err(self.not_allowed(ActionKind::MarkRead, step));
        }
        self.require_current()?;
        let finishes = self
            .flow
            .tasks
            .iter()
            .enumerate()
            .all(|(j, t)| j == i || t.run != run || !t.is_live());
        let plan = if finishes {
            Some(self.plan_next(step, &[], None)?)
        } else {
            None
        };
        let acted = self.acted(opinion);
        let opinion = acted.opinion.clone();
        let t = &mut self.flow.tasks[i];
        t.state = TaskState::Read;
        t.acted = Some(acted);
        self.emit(EventKind::Read {
            task: task.clone(),
            opinion,
        });
        if let Some(plan) = plan {
            self.complete_step(step, run, plan);
        }
        Ok(Checkpointing::Clear)
    }

    fn return_task(
        &mut self,
        task: &TaskId,
        to_step: Option<usize>,
        reason: &str,
    ) -> Result<Checkpointing> {
        let i = self.authorize(task)?;
        let (step, run) = (self.flow.tasks[i].step, self.flow.tasks[i].run);
        if self.step(step).kind.is_circulation() {
            return Err(self.not_allowed(ActionKind::Return, step));
        }
        let Some(reason) = clean(Some(reason)) else {
            return Err(WorkflowError::ReasonRequired {
                action: ActionKind::Return,
            });
        };
        if step == 0 {
            return Err(WorkflowError::NoEarlierStep);
        }
        let to = to_step.unwrap_or(step - 1);
        if to >= step {
            return Err(WorkflowError::InvalidReturnTarget { to });
        }
        self.send_back(i, run, to, &reason);
        self.emit(EventKind::Returned {
            task: task.clone(),
            from: step,
            to,
            reason,
        });
        self.reactivate(to);
        Ok(Checkpointing::Clear)
    }

    /// Closes task `i` as returned to step `to` and ends its run.
    fn send_back(&mut self, i: usize, run: usize, to: usize, opinion: &str) {
        let acted = self.acted(Some(opinion));
        let t = &mut self.flow.tasks[i];
        t.state = TaskState::Returned { to };
        t.acted = Some(acted);
        self.withdraw_run(run, |_| true, WithdrawCause::StepReturned);
        self.flow.runs[run].outcome = Some(RunOutcome::Returned {
            to,
            at: self.ctx.now,
        });
    }

    /// Checks that `person` may be given a task in the run of task `i`.
    fn check_newcomer(&self, i: usize, person: &PersonId) -> Result<()> {
        self.require_known(person)?;
        let run = self.flow.tasks[i].run;
        let taken = self
            .flow
            .tasks
            .iter()
            .any(|t| t.run == run && t.is_live() && &t.assignee == person);
        if taken {
            return Err(WorkflowError::DuplicateHandler {
                person: person.clone(),
                name: self
                    .ctx
                    .people
                    .name(person)
                    .unwrap_or_else(|| person.0.clone()),
            });
        }
        Ok(())
    }

    fn add_handler(
        &mut self,
        task: &TaskId,
        person: &PersonId,
        position: AddPosition,
        opinion: Option<&str>,
    ) -> Result<Checkpointing> {
        let i = self.authorize(task)?;
        self.check_newcomer(i, person)?;
        let t = self.flow.tasks[i].clone();
        let origin = TaskOrigin::Added {
            by: self.actor.clone(),
            position,
        };
        let new_task = if self.step(t.step).kind.is_circulation() {
            // 传阅: another reader, in a lane of their own.
            let lane = self.flow.runs[t.run].lanes;
            self.flow.runs[t.run].lanes += 1;
            self.push_task(t.step, t.run, lane, 0, person.clone(), true, t.due, origin)
        } else {
            let (first_moved, open) = match position {
                AddPosition::Before => (t.pos, true),
                AddPosition::After => (t.pos + 1, false),
            };
            for other in &mut self.flow.tasks {
                if other.run == t.run && other.lane == t.lane && other.pos >= first_moved {
                    other.pos += 1;
                }
            }
            if position == AddPosition::Before {
                self.flow.tasks[i].state = TaskState::Waiting;
            }
            self.push_task(
                t.step,
                t.run,
                t.lane,
                first_moved,
                person.clone(),
                open,
                t.due,
                origin,
            )
        };
        self.emit(EventKind::HandlerAdded {
            task: task.clone(),
            new_task,
            person: person.clone(),
            position,
            opinion: clean(opinion),
        });
        Ok(Checkpointing::Clear)
    }

    fn transfer(
        &mut self,
        task: &TaskId,
        to: &PersonId,
        opinion: Option<&str>,
    ) -> Result<Checkpointing> {
        let i = self.authorize(task)?;
        self.check_newcomer(i, to)?;
        let t = self.flow.tasks[i].clone();
        let new_task = self.push_task(
            t.step,
            t.run,
            t.lane,
            t.pos,
            to.clone(),
            true,
            t.due,
            TaskOrigin::TransferredFrom { task: t.id.clone() },
        );
        let acted = self.acted(opinion);
        let opinion = acted.opinion.clone();
        let old = &mut self.flow.tasks[i];
        old.state = TaskState::Transferred {
            to: new_task.clone(),
        };
        old.acted = Some(acted);
        self.emit(EventKind::Transferred {
            task: task.clone(),
            new_task,
            to: to.clone(),
            opinion,
        });
        Ok(Checkpointing::Set(task.clone()))
    }

    fn update_content(
        &mut self,
        task: &TaskId,
        new_hash: &ContentHash,
        substantive: bool,
        note: Option<&str>,
    ) -> Result<Checkpointing> {
        let i = self.authorize(task)?;
        let (step, run) = (self.flow.tasks[i].step, self.flow.tasks[i].run);
        if !self.step(step).is_editable() {
            return Err(self.not_allowed(ActionKind::UpdateContent, step));
        }
        self.require_current()?;
        if new_hash == &self.flow.content_hash {
            return Err(WorkflowError::ContentUnchanged);
        }
        let from = std::mem::replace(&mut self.flow.content_hash, new_hash.clone());
        self.emit(EventKind::ContentUpdated {
            task: task.clone(),
            from,
            to: new_hash.clone(),
            substantive,
            note: clean(note),
        });
        if substantive && self.step(step).kind == StepKind::Recheck {
            let signer = self.flow.route.steps[..step]
                .iter()
                .rposition(|s| s.kind == StepKind::Sign);
            if let Some(to) = signer {
                let opinion = clean(note)
                    .unwrap_or_else(|| "复核时作了实质性修改，退回签发人重新签发".to_owned());
                self.send_back(i, run, to, &opinion);
                self.emit(EventKind::RoutedBackToSigner {
                    task: task.clone(),
                    from: step,
                    to,
                });
                self.reactivate(to);
            }
        }
        Ok(Checkpointing::Clear)
    }

    fn withdraw(&mut self, reason: Option<&str>) -> Result<Checkpointing> {
        self.require_running()?;
        let Some(cp) = self.flow.checkpoint.take() else {
            return Err(WorkflowError::WithdrawNotAllowed);
        };
        let mine = cp.actor == self.actor || cp.on_behalf_of.as_ref() == Some(&self.actor);
        if !mine {
            return Err(WorkflowError::WithdrawNotAllowed);
        }
        self.on_behalf_of = if cp.actor == self.actor {
            cp.on_behalf_of.clone()
        } else {
            None
        };
        let new_runs: Vec<StepRun> = self.flow.runs[cp.runs.len()..].to_vec();
        let now = self.ctx.now;
        self.flow.status = cp.status.clone();
        self.flow.content_hash = cp.content_hash.clone();
        self.flow.runs = cp.runs.clone();
        for mut r in new_runs {
            r.outcome = Some(RunOutcome::Recalled { at: now });
            self.flow.runs.push(r);
        }
        for (i, t) in &cp.changed_tasks {
            self.flow.tasks[*i] = t.clone();
        }
        self.emit(EventKind::Recalled {
            task: cp.task.clone(),
            reason: clean(reason),
        });
        for i in cp.task_count..self.flow.tasks.len() {
            if self.flow.tasks[i].is_live() {
                let cause = WithdrawCause::Recalled;
                self.flow.tasks[i].state = TaskState::Withdrawn { cause };
                let task = self.flow.tasks[i].id.clone();
                self.emit(EventKind::TaskWithdrawn { task, cause });
            }
        }
        Ok(Checkpointing::Clear)
    }

    fn remind(&mut self, task: Option<&TaskId>, message: Option<&str>) -> Result<Checkpointing> {
        self.require_running()?;
        let involved = self.flow.owner == self.actor
            || self.ctx.supervisor
            || self.flow.tasks.iter().any(|t| {
                t.acted.as_ref().is_some_and(|a| {
                    a.actor == self.actor || a.on_behalf_of.as_ref() == Some(&self.actor)
                })
            });
        if !involved {
            return Err(WorkflowError::RemindNotAllowed);
        }
        let tasks = match task {
            Some(id) => {
                let t = self
                    .flow
                    .task(id)
                    .ok_or_else(|| WorkflowError::UnknownTask { task: id.clone() })?;
                if let Some(err) = closed_error(t, self.ctx) {
                    return Err(err);
                }
                if !t.is_open() {
                    return Err(WorkflowError::NotYourTurn { task: id.clone() });
                }
                vec![id.clone()]
            }
            None => self.flow.open_tasks().map(|t| t.id.clone()).collect(),
        };
        self.emit(EventKind::Reminded {
            tasks,
            message: clean(message),
        });
        Ok(Checkpointing::Keep)
    }

    fn terminate(&mut self, reason: &str) -> Result<Checkpointing> {
        self.require_running()?;
        if self.actor != self.flow.owner {
            return Err(WorkflowError::NotOwner {
                action: ActionKind::Terminate,
            });
        }
        let Some(reason) = clean(Some(reason)) else {
            return Err(WorkflowError::ReasonRequired {
                action: ActionKind::Terminate,
            });
        };
        if let Some(run) = self.flow.current_run() {
            self.withdraw_run(run, |_| true, WithdrawCause::Terminated);
            self.flow.runs[run].outcome = Some(RunOutcome::Terminated { at: self.ctx.now });
        }
        self.flow.status = FlowStatus::Terminated {
            by: self.actor.clone(),
            at: self.ctx.now,
            reason: reason.clone(),
        };
        self.emit(EventKind::Terminated { reason });
        Ok(Checkpointing::Clear)
    }
}

impl Tx<'_, '_> {
    fn send_back_to_sender(&mut self, task: &TaskId, reason: &str) -> Result<Checkpointing> {
        let i = self.authorize(task)?;
        let (step, run) = (self.flow.tasks[i].step, self.flow.tasks[i].run);
        if self.flow.kind != FlowKind::Incoming || !self.step(step).kind.may_send_back() {
            return Err(self.not_allowed(ActionKind::SendBack, step));
        }
        let Some(reason) = clean(Some(reason)) else {
            return Err(WorkflowError::ReasonRequired {
                action: ActionKind::SendBack,
            });
        };
        let acted = self.acted(Some(&reason));
        let t = &mut self.flow.tasks[i];
        t.state = TaskState::SentBack;
        t.acted = Some(acted);
        self.withdraw_run(run, |_| true, WithdrawCause::SentBack);
        self.flow.runs[run].outcome = Some(RunOutcome::SentBack { at: self.ctx.now });
        self.flow.status = FlowStatus::SentBack {
            by: self.actor.clone(),
            at: self.ctx.now,
            reason: reason.clone(),
        };
        self.emit(EventKind::SentBack {
            task: task.clone(),
            reason,
        });
        Ok(Checkpointing::Clear)
    }
}

enum NextPlan {
    Finish,
    Step {
        handlers: Vec<PersonId>,
        mode: Mode,
        due: Option<OffsetDateTime>,
        assignment: Option<Assignment>,
    },
}

/// Whether approving open task `i` completes its step.
fn approval_completes(flow: &Flow, i: usize) -> bool {
    let t = &flow.tasks[i];
    let run = &flow.runs[t.run];
    let others_in_lane = flow
        .tasks
        .iter()
        .enumerate()
        .any(|(j, o)| j != i && o.run == t.run && o.lane == t.lane && o.is_live());
    if others_in_lane {
        return false;
    }
    match run.mode {
        Mode::Sequential | Mode::AnyOf => true,
        Mode::AllOf => !flow
            .tasks
            .iter()
            .enumerate()
            .any(|(j, o)| j != i && o.run == t.run && o.is_live()),
    }
}

/// The error for acting on a task that is already closed, if it is.
fn closed_error(t: &Task, ctx: &Context<'_>) -> Option<WorkflowError> {
    match &t.state {
        TaskState::Waiting | TaskState::Open => None,
        TaskState::Withdrawn { cause } => Some(WorkflowError::TaskWithdrawn {
            task: t.id.clone(),
            cause: *cause,
        }),
        other => Some(WorkflowError::TaskCompleted {
            task: t.id.clone(),
            by: t.acted.as_ref().map_or_else(
                || "—".to_owned(),
                |a| signature(ctx.people, &a.actor, a.on_behalf_of.as_ref()),
            ),
            at: t.acted.as_ref().map_or(t.created_at, |a| a.at),
            what: other.label(),
        }),
    }
}

/// Trims an opinion; blank becomes None.
fn clean(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Whether `user` may act on `task` now (as its assignee or as a delegate).
fn holds(flow: &Flow, task: &Task, user: &PersonId, ctx: &Context<'_>) -> bool {
    task.is_open()
        && (&task.assignee == user
            || delegated(ctx.delegations, &task.assignee, user, ctx.now, flow.kind))
}

/// The user's open tasks in this flow: their own, and those of people who delegated to them.
pub fn tasks_for<'f>(flow: &'f Flow, user: &PersonId, ctx: &Context<'_>) -> Vec<&'f Task> {
    flow.tasks
        .iter()
        .filter(|t| holds(flow, t, user, ctx))
        .collect()
}

/// The actions `user` may take on this flow now, in button order: the UI shows these and only these.
pub fn available_actions(flow: &Flow, user: &PersonId, ctx: &Context<'_>) -> Vec<ActionKind> {
    let mut out = BTreeSet::new();
    for t in tasks_for(flow, user, ctx) {
        out.extend(task_actions(flow, t));
    }
    if flow.is_running() {
        if let Some(cp) = &flow.checkpoint
            && (&cp.actor == user || cp.on_behalf_of.as_ref() == Some(user))
        {
            out.insert(ActionKind::Withdraw);
        }
        let acted = flow.tasks.iter().any(|t| {
            t.acted
                .as_ref()
                .is_some_and(|a| &a.actor == user || a.on_behalf_of.as_ref() == Some(user))
        });
        if (&flow.owner == user || acted || ctx.supervisor) && flow.open_tasks().next().is_some() {
            out.insert(ActionKind::Remind);
        }
        if &flow.owner == user {
            out.insert(ActionKind::Terminate);
        }
    }
    out.into_iter().collect()
}

/// The actions the holder of an open task may take on it.
pub fn task_actions(flow: &Flow, task: &Task) -> Vec<ActionKind> {
    let Some(step) = flow.route.steps.get(task.step).filter(|_| task.is_open()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if step.kind.is_circulation() {
        out.extend([
            ActionKind::MarkRead,
            ActionKind::AddHandler,
            ActionKind::Transfer,
        ]);
    } else {
        out.push(ActionKind::Approve);
        if task.step > 0 {
            out.push(ActionKind::Return);
        }
        out.extend([ActionKind::AddHandler, ActionKind::Transfer]);
        if step.is_editable() {
            out.push(ActionKind::UpdateContent);
        }
        if flow.kind == FlowKind::Incoming && step.kind.may_send_back() {
            out.push(ActionKind::SendBack);
        }
    }
    out
}

/// What the holder of `task` must choose when approving it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "choice", rename_all = "snake_case")]
pub enum NextChoice {
    /// Nothing: the approval does not complete the step, or the next step's handlers are fixed.
    None,
    /// The next step (its index) has no fixed handlers: pick them (`next_handlers`).
    Handlers { step: usize },
    /// 批办: the approval must (or may) carry an [`Assignment`] for the next step.
    Assignment { step: usize, required: bool },
}

/// Tells the task view which choice approving `task` needs.
pub fn next_choice(flow: &Flow, task: &TaskId) -> NextChoice {
    if check_integrity(flow).is_err() {
        return NextChoice::None;
    }
    let Some(i) = flow.tasks.iter().position(|t| &t.id == task) else {
        return NextChoice::None;
    };
    let t = &flow.tasks[i];
    if !t.is_open() || !approval_completes(flow, i) {
        return NextChoice::None;
    }
    let Some(next) = flow.route.steps.get(t.step + 1) else {
        return NextChoice::None;
    };
    if flow.route.steps.get(t.step).map(|s| s.kind) == Some(StepKind::Instruct) {
        NextChoice::Assignment {
            step: t.step + 1,
            required: next.handlers.is_empty(),
        }
    } else if next.handlers.is_empty() {
        NextChoice::Handlers { step: t.step + 1 }
    } else {
        NextChoice::None
    }
}

/// The steps a 退回 from the current step may go to (all earlier ones).
pub fn return_targets(flow: &Flow) -> Vec<usize> {
    match flow.current_step() {
        Some(step)
            if flow
                .route
                .steps
                .get(step)
                .is_some_and(|s| !s.kind.is_circulation()) =>
        {
            (0..step).collect()
        }
        _ => Vec::new(),
    }
}
