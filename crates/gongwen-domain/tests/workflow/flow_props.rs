//! Random routes, random users, random actions: the workflow's invariants hold after every
//! command, refused or not, and the audit chain of everything that happened verifies.

use std::collections::HashMap;

use gongwen_domain::audit::{self, AuditRecord};
use gongwen_domain::workflow::{
    self, Action, AddPosition, Command, ContentHash, Context, Delegation, Event, EventKind, Flow,
    FlowId, FlowKind, FlowStatus, Mode, PersonId, Route, RunOutcome, Step, StepKind, TaskState,
};
use proptest::prelude::*;
use time::Duration;

use super::common::{directory, p, t0};

const PEOPLE: [&str; 6] = [
    "drafter",
    "dept_head",
    "office_head",
    "deputy",
    "principal",
    "checker",
];
const KINDS: [StepKind; 10] = [
    StepKind::Draft,
    StepKind::Review,
    StepKind::Sign,
    StepKind::Recheck,
    StepKind::Register,
    StepKind::Instruct,
    StepKind::Handle,
    StepKind::Circulate,
    StepKind::Receive,
    StepKind::PreCheck,
];
const CODES: [&str; 19] = [
    "UNKNOWN_TASK",
    "NOT_YOUR_TASK",
    "TASK_COMPLETED",
    "TASK_WITHDRAWN",
    "NOT_YOUR_TURN",
    "STALE_CONTENT",
    "REASON_REQUIRED",
    "UNKNOWN_PERSON",
    "DUPLICATE_HANDLER",
    "NOT_OWNER",
    "FLOW_CLOSED",
    "ACTION_NOT_ALLOWED",
    "NO_EARLIER_STEP",
    "INVALID_RETURN_TARGET",
    "WITHDRAW_NOT_ALLOWED",
    "REMIND_NOT_ALLOWED",
    "NEXT_HANDLERS_REQUIRED",
    "NEXT_HANDLERS_NOT_ALLOWED",
    "CONTENT_UNCHANGED",
];

#[derive(Debug, Clone)]
enum Op {
    Approve { opinion: bool },
    MarkRead,
    Return { to: Option<usize>, blank: bool },
    Add { person: usize, before: bool },
    Transfer { person: usize },
    Edit { substantive: bool },
    Withdraw,
    Remind,
    Terminate { blank: bool },
    SendBack { blank: bool },
}

#[derive(Debug, Clone)]
struct Move {
    op: Op,
    /// Which task: an index into the open tasks (or into all tasks).
    task_pick: usize,
    open_only: bool,
    /// None: the task's holder (or, for 赵副县长's tasks, sometimes his delegate);
    /// Some(i): PEOPLE[i], or a stranger for i == PEOPLE.len().
    actor: Option<usize>,
    stale: bool,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => any::<bool>().prop_map(|opinion| Op::Approve { opinion }),
        3 => Just(Op::MarkRead),
        2 => (proptest::option::of(0usize..5), proptest::bool::weighted(0.2))
            .prop_map(|(to, blank)| Op::Return { to, blank }),
        1 => (0..=PEOPLE.len(), any::<bool>()).prop_map(|(person, before)| Op::Add { person, before }),
        1 => (0..=PEOPLE.len()).prop_map(|person| Op::Transfer { person }),
        1 => any::<bool>().prop_map(|substantive| Op::Edit { substantive }),
        1 => Just(Op::Withdraw),
        1 => Just(Op::Remind),
        1 => proptest::bool::weighted(0.5).prop_map(|blank| Op::Terminate { blank }),
        1 => proptest::bool::weighted(0.3).prop_map(|blank| Op::SendBack { blank }),
    ]
}

fn a_move() -> impl Strategy<Value = Move> {
    (
        op(),
        any::<usize>(),
        proptest::bool::weighted(0.85),
        proptest::option::weighted(0.25, 0..=PEOPLE.len()),
        proptest::bool::weighted(0.1),
    )
        .prop_map(|(op, task_pick, open_only, actor, stale)| Move {
            op,
            task_pick,
            open_only,
            actor,
            stale,
        })
}

fn a_step() -> impl Strategy<Value = Step> {
    (
        proptest::sample::select(KINDS.to_vec()),
        prop_oneof![Just(Mode::Sequential), Just(Mode::AllOf), Just(Mode::AnyOf)],
        proptest::sample::subsequence(PEOPLE.to_vec(), 1..=3).prop_shuffle(),
        proptest::option::of(1u32..72),
    )
        .prop_map(|(kind, mode, handlers, limit)| {
            let mut step = Step::new(kind, mode, handlers.into_iter().map(p).collect());
            step.limit_hours = limit;
            step
        })
}

fn a_route() -> impl Strategy<Value = Route> {
    proptest::collection::vec(a_step(), 1..=5).prop_map(|steps| Route {
        name: "随机".into(),
        steps,
    })
}

struct World {
    people: HashMap<PersonId, String>,
    delegations: Vec<Delegation>,
}

impl World {
    fn new() -> World {
        World {
            people: directory(),
            delegations: vec![Delegation {
                principal: p("deputy"),
                delegate: p("principal"),
                start: t0(),
                end: None,
                kind: None,
            }],
        }
    }

    fn ctx(&self, now: time::OffsetDateTime) -> Context<'_> {
        Context::new(now, &self.people).with_delegations(&self.delegations)
    }
}

fn command(flow: &Flow, mv: &Move, edits: &mut u32) -> Command {
    let open: Vec<_> = flow.open_tasks().collect();
    let pool: Vec<_> = if mv.open_only && !open.is_empty() {
        open
    } else {
        flow.tasks.iter().collect()
    };
    let task = pool[mv.task_pick % pool.len()];
    let actor = match mv.actor {
        None if task.assignee == p("deputy") && mv.task_pick.is_multiple_of(2) => p("principal"),
        None => task.assignee.clone(),
        Some(i) => PEOPLE.get(i).map_or_else(|| p("ghost"), |s| p(s)),
    };
    let person = |i: usize| PEOPLE.get(i).map_or_else(|| p("ghost"), |s| p(s));
    let id = task.id.clone();
    let action = match &mv.op {
        Op::Approve { opinion } => Action::Approve {
            task: id,
            opinion: opinion.then(|| "同意".to_owned()),
            next_handlers: vec![],
            assignment: None,
        },
        Op::MarkRead => Action::MarkRead {
            task: id,
            opinion: None,
        },
        Op::Return { to, blank } => Action::Return {
            task: id,
            to_step: *to,
            reason: if *blank {
                " ".into()
            } else {
                "请修改".into()
            },
        },
        Op::Add { person: i, before } => Action::AddHandler {
            task: id,
            person: person(*i),
            position: if *before {
                AddPosition::Before
            } else {
                AddPosition::After
            },
            opinion: before.then(|| "请阅处".to_owned()),
        },
        Op::Transfer { person: i } => Action::Transfer {
            task: id,
            to: person(*i),
            opinion: None,
        },
        Op::Edit { substantive } => {
            *edits += 1;
            Action::UpdateContent {
                task: id,
                new_hash: ContentHash(format!("v{}", *edits + 1)),
                substantive: *substantive,
                note: None,
            }
        }
        Op::Withdraw => Action::Withdraw { reason: None },
        Op::Remind => Action::Remind {
            task: None,
            message: None,
        },
        Op::Terminate { blank } => Action::Terminate {
            reason: if *blank {
                String::new()
            } else {
                "不再办理".into()
            },
        },
        Op::SendBack { blank } => Action::SendBack {
            task: id,
            reason: if *blank {
                String::new()
            } else {
                "不属于本机关办理范围".into()
            },
        },
    };
    Command {
        actor,
        seen_hash: if mv.stale {
            ContentHash::from("stale")
        } else {
            flow.content_hash.clone()
        },
        action,
    }
}

/// Invariants of any flow, at rest.
fn check_structure(flow: &Flow) -> Result<(), TestCaseError> {
    for (i, e) in flow.history.iter().enumerate() {
        prop_assert_eq!(e.seq, i as u64 + 1);
    }
    match flow.status {
        FlowStatus::Running { step, run } => {
            prop_assert_eq!(flow.runs[run].step, step);
            prop_assert!(flow.runs[run].outcome.is_none());
            prop_assert!(
                flow.open_tasks().next().is_some(),
                "a running flow always has an open task"
            );
            for (r, other) in flow.runs.iter().enumerate() {
                prop_assert!(r == run || other.outcome.is_some(), "run {} still open", r);
            }
            for t in flow.tasks.iter().filter(|t| t.is_live()) {
                prop_assert_eq!(t.run, run, "live task {} outside the current run", t.id);
            }
            let r = &flow.runs[run];
            for lane in 0..r.lanes {
                let open = flow
                    .tasks
                    .iter()
                    .filter(|t| t.run == run && t.lane == lane && t.is_open())
                    .count();
                prop_assert!(open <= 1, "lane {} has {} open tasks", lane, open);
            }
            if let (Mode::AnyOf, Some(c)) = (r.mode, r.claimed_lane) {
                prop_assert!(
                    flow.tasks
                        .iter()
                        .all(|t| t.run != run || t.lane == c || !t.is_live()),
                    "或签: the other lanes are withdrawn once someone approved"
                );
            }
        }
        FlowStatus::Completed { .. }
        | FlowStatus::Terminated { .. }
        | FlowStatus::SentBack { .. } => {
            prop_assert!(flow.tasks.iter().all(|t| !t.is_live()));
            prop_assert!(flow.runs.iter().all(|r| r.outcome.is_some()));
        }
    }
    Ok(())
}

/// Invariants of one successful command.
fn check_transition(
    before: &Flow,
    cmd: &Command,
    ctx: &Context<'_>,
    after: &Flow,
    events: &[Event],
) -> Result<(), TestCaseError> {
    prop_assert_eq!(&after.history[..before.history.len()], &before.history[..]);
    prop_assert_eq!(&after.history[before.history.len()..], events);

    if let Some(task) = cmd
        .action
        .task()
        .filter(|_| !matches!(cmd.action, Action::Remind { .. }))
    {
        let t = before.task(task).expect("acted on an existing task");
        prop_assert!(t.is_open(), "acted on task {} in state {:?}", t.id, t.state);
        let delegated = ctx
            .delegations
            .iter()
            .any(|d| d.principal == t.assignee && d.delegate == cmd.actor);
        prop_assert!(
            t.assignee == cmd.actor || delegated,
            "acted on someone else's task"
        );
    }
    // Nobody approves or reads text they did not see.
    for e in events {
        if matches!(e.kind, EventKind::Approved { .. } | EventKind::Read { .. }) {
            prop_assert_eq!(&e.seen_hash, &before.content_hash);
            prop_assert_eq!(&cmd.seen_hash, &before.content_hash);
        }
    }
    // Each step run completes once, and only when its mode is satisfied.
    let mut completed = Vec::new();
    for e in events {
        if let EventKind::StepCompleted { run, .. } = e.kind {
            prop_assert!(!completed.contains(&run), "run {} completed twice", run);
            completed.push(run);
            prop_assert!(
                before.runs[run].outcome.is_none(),
                "run {} had already ended",
                run
            );
            let completed_now =
                matches!(after.runs[run].outcome, Some(RunOutcome::Completed { .. }));
            prop_assert!(completed_now, "run {} completed", run);
            let r = &after.runs[run];
            let tasks: Vec<_> = after.tasks.iter().filter(|t| t.run == run).collect();
            prop_assert!(tasks.iter().all(|t| !t.is_live()));
            let done =
                |t: &&&workflow::Task| matches!(t.state, TaskState::Approved | TaskState::Read);
            match r.mode {
                Mode::AllOf => {
                    for lane in 0..r.lanes {
                        prop_assert!(
                            tasks.iter().filter(|t| t.lane == lane).any(|t| done(&t)),
                            "会签 completed with lane {} not approved",
                            lane
                        );
                    }
                }
                Mode::AnyOf => {
                    let c = r.claimed_lane.expect("或签 completed by a claim");
                    prop_assert!(tasks.iter().filter(|t| done(t)).all(|t| t.lane == c));
                }
                Mode::Sequential => prop_assert!(tasks.iter().any(|t| done(&t))),
            }
        }
    }
    match &cmd.action {
        Action::Return { to_step, .. } => {
            let from = before.current_step().unwrap();
            prop_assert_eq!(
                after.current_step(),
                Some(to_step.unwrap_or(from - 1)),
                "退回 reaches the chosen step"
            );
        }
        Action::Withdraw { .. } => {
            let cp = before.checkpoint.as_ref().expect("withdrew a checkpoint");
            prop_assert_eq!(&after.status, &cp.status);
            prop_assert!(after.task(&cp.task).unwrap().is_live());
        }
        Action::SendBack { .. } => {
            let sent_back = matches!(after.status, FlowStatus::SentBack { .. });
            prop_assert!(sent_back, "退文 ends the flow");
            prop_assert_eq!(after.kind, FlowKind::Incoming);
        }
        Action::Remind { .. } => {
            prop_assert_eq!(&after.tasks, &before.tasks);
            prop_assert_eq!(&after.status, &before.status);
        }
        _ => {}
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_flows_keep_their_invariants(route in a_route(), incoming in any::<bool>(), moves in proptest::collection::vec(a_move(), 1..40), tamper in any::<(usize, u8)>()) {
        let world = World::new();
        let mut now = t0();
        let ctx = world.ctx(now);
        let (mut flow, events) = workflow::start(FlowId::from("F"), if incoming { FlowKind::Incoming } else { FlowKind::Outgoing }, p("drafter"), route, ContentHash::from("v1"), &ctx).unwrap();
        let mut all_events = events;
        let mut edits = 0;
        check_structure(&flow)?;
        for mv in &moves {
            now += Duration::minutes(7);
            let ctx = world.ctx(now);
            let cmd = command(&flow, mv, &mut edits);
            let before_json = serde_json::to_string(&flow).unwrap();
            match workflow::apply(&flow, &cmd, &ctx) {
                Ok((after, events)) => {
                    check_transition(&flow, &cmd, &ctx, &after, &events)?;
                    check_structure(&after)?;
                    // Deterministic, and the same from the stored JSON form.
                    let stored: Flow = serde_json::from_str(&before_json).unwrap();
                    prop_assert_eq!(workflow::apply(&stored, &cmd, &ctx).unwrap(), (after.clone(), events.clone()));
                    all_events.extend(events);
                    flow = after;
                }
                Err(err) => {
                    prop_assert!(CODES.contains(&err.code()), "unexpected code {}", err.code());
                    prop_assert!(!err.to_string().is_empty());
                    prop_assert_eq!(serde_json::to_string(&flow).unwrap(), before_json);
                    // A closed task can never be acted on.
                    if let Some(t) = cmd.action.task().and_then(|id| flow.task(id)) {
                        match t.state {
                            TaskState::Withdrawn { .. } => prop_assert_eq!(err.code(), "TASK_WITHDRAWN"),
                            TaskState::Approved | TaskState::Read | TaskState::Returned { .. } | TaskState::Transferred { .. } => {
                                prop_assert_eq!(err.code(), "TASK_COMPLETED")
                            }
                            _ => {}
                        }
                    }
                    // A stale approval of an open task its actor holds is refused as stale.
                    if let (Action::Approve { task, .. }, true) = (&cmd.action, mv.stale) {
                        let t = flow.task(task).unwrap();
                        let kind = flow.route.steps[t.step].kind;
                        if t.is_open() && t.assignee == cmd.actor && kind != StepKind::Circulate {
                            prop_assert_eq!(err.code(), "STALE_CONTENT");
                        }
                    }
                }
            }
        }

        // The audit chain of everything that happened verifies…
        let mut chain: Vec<AuditRecord> = Vec::new();
        for (i, e) in all_events.iter().enumerate() {
            let rec = audit::append(chain.last(), e.audit_entry(format!("id-{i}")));
            chain.push(rec);
        }
        prop_assert_eq!(audit::verify(&chain), Ok(()));
        // …and breaks exactly where any record is altered.
        let at = tamper.0 % chain.len();
        let rec = &mut chain[at];
        match tamper.1 % 5 {
            0 => rec.actor.push('x'),
            1 => rec.detail_json.push(' '),
            2 => rec.time += Duration::seconds(1),
            3 => rec.action = "workflow.forged".into(),
            _ => rec.on_behalf_of = Some("mallory".into()),
        }
        let broken = audit::verify(&chain).unwrap_err();
        prop_assert_eq!(broken.index, at);
    }
}
