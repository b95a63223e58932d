//! A small harness: a directory, a clock, and a flow driven by commands, with the audit
//! chain of every event kept alongside.

use std::collections::HashMap;

use gongwen_domain::audit::{self, AuditRecord};
use gongwen_domain::workflow::{
    self, Action, AddPosition, Assignment, Command, ContentHash, Context, Delegation, Event, Flow,
    FlowId, FlowKind, PersonId, Route, StepKind, Task, TaskId, WorkflowError,
};
use time::{Duration, OffsetDateTime};

pub fn p(s: &str) -> PersonId {
    PersonId::from(s)
}

pub fn h(s: &str) -> ContentHash {
    ContentHash::from(s)
}

pub fn t0() -> OffsetDateTime {
    time::macros::datetime!(2026-03-02 09:00 +08:00)
}

/// The people of a small county government.
pub fn directory() -> HashMap<PersonId, String> {
    [
        ("drafter", "张三"),
        ("dept_head", "李科长"),
        ("office_head", "王主任"),
        ("deputy", "赵副县长"),
        ("principal", "钱县长"),
        ("checker", "孙核稿"),
        ("clerk", "周文书"),
        ("clerk2", "吴文书"),
        ("printer", "郑文印"),
        ("fin_principal", "冯局长"),
        ("fin_handler", "陈会计"),
        ("civil_handler", "褚干事"),
        ("reader", "卫委员"),
    ]
    .into_iter()
    .map(|(id, name)| (p(id), name.to_owned()))
    .collect()
}

/// The directory's roles, as the server's resolver would answer.
pub fn resolve(role: &str, organ: Option<&str>) -> Vec<PersonId> {
    use workflow::template::roles;
    let ids: &[&str] = match (role, organ) {
        (roles::PRINCIPAL, Some("某县财政局")) => &["fin_principal"],
        (roles::PRINCIPAL, _) => &["principal"],
        (roles::DEPUTY, None) => &["deputy"],
        (roles::DEPT_HEAD, None) => &["dept_head"],
        (roles::OFFICE_HEAD, None) => &["office_head"],
        (roles::CHECKER, None) => &["checker"],
        (roles::CLERK, None) => &["clerk", "clerk2"],
        (roles::PRINTER, None) => &["printer"],
        (roles::LEADERSHIP, None) => &["deputy", "principal"],
        _ => &[],
    };
    ids.iter().map(|s| p(s)).collect()
}

/// A flow under test.
pub struct Harness {
    pub people: HashMap<PersonId, String>,
    pub delegations: Vec<Delegation>,
    pub now: OffsetDateTime,
    pub flow: Flow,
    pub audit: Vec<AuditRecord>,
}

impl Harness {
    pub fn start(kind: FlowKind, owner: &str, route: Route, hash: &str) -> Harness {
        let people = directory();
        let now = t0();
        let ctx = Context::new(now, &people);
        let (flow, events) =
            workflow::start(FlowId::from("F1"), kind, p(owner), route, h(hash), &ctx)
                .expect("the route starts");
        let mut harness = Harness {
            people,
            delegations: Vec::new(),
            now,
            flow,
            audit: Vec::new(),
        };
        harness.record(&events);
        harness
    }

    pub fn ctx(&self) -> Context<'_> {
        Context::new(self.now, &self.people).with_delegations(&self.delegations)
    }

    pub fn advance(&mut self, d: Duration) {
        self.now += d;
    }

    fn record(&mut self, events: &[Event]) {
        for e in events {
            let id = format!("A{}", self.audit.len() + 1);
            let rec = audit::append(self.audit.last(), e.audit_entry(id));
            self.audit.push(rec);
        }
    }

    /// Applies a command; on error the flow must be unchanged.
    pub fn try_act(
        &mut self,
        actor: &str,
        seen: &str,
        action: Action,
    ) -> Result<Vec<Event>, WorkflowError> {
        let cmd = Command {
            actor: p(actor),
            seen_hash: h(seen),
            action,
        };
        let before = self.flow.clone();
        let result = workflow::apply(&self.flow, &cmd, &self.ctx());
        match result {
            Ok((flow, events)) => {
                assert_eq!(flow.history.len(), before.history.len() + events.len());
                self.flow = flow;
                self.record(&events);
                Ok(events)
            }
            Err(e) => {
                assert_eq!(self.flow, before, "a refused command changes nothing");
                Err(e)
            }
        }
    }

    #[track_caller]
    pub fn act(&mut self, actor: &str, seen: &str, action: Action) -> Vec<Event> {
        match self.try_act(actor, seen, action) {
            Ok(events) => events,
            Err(e) => panic!("{actor} could not act: {} ({})", e, e.code()),
        }
    }

    /// The only open task of `who` (own or delegated).
    #[track_caller]
    pub fn task_of(&self, who: &str) -> TaskId {
        let tasks = workflow::tasks_for(&self.flow, &p(who), &self.ctx());
        assert_eq!(
            tasks.len(),
            1,
            "{who} should have exactly one open task: {tasks:?}"
        );
        tasks[0].id.clone()
    }

    pub fn task(&self, id: &TaskId) -> &Task {
        self.flow.task(id).expect("task exists")
    }

    pub fn open_assignees(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .flow
            .open_tasks()
            .map(|t| t.assignee.0.clone())
            .collect();
        v.sort();
        v
    }

    pub fn current_kind(&self) -> Option<StepKind> {
        self.flow
            .current_step()
            .map(|s| self.flow.route.steps[s].kind)
    }

    #[track_caller]
    pub fn approve(&mut self, who: &str, opinion: Option<&str>) -> Vec<Event> {
        let task = self.task_of(who);
        let hash = self.flow.content_hash.0.clone();
        self.act(who, &hash, approve(task, opinion))
    }
}

pub fn approve(task: TaskId, opinion: Option<&str>) -> Action {
    Action::Approve {
        task,
        opinion: opinion.map(str::to_owned),
        next_handlers: vec![],
        assignment: None,
    }
}

pub fn approve_with(task: TaskId, next: &[&str]) -> Action {
    Action::Approve {
        task,
        opinion: None,
        next_handlers: next.iter().map(|s| p(s)).collect(),
        assignment: None,
    }
}

pub fn assign(task: TaskId, assignment: Assignment) -> Action {
    Action::Approve {
        task,
        opinion: Some("请财政局牵头办理，民政局协办".into()),
        next_handlers: vec![],
        assignment: Some(assignment),
    }
}

pub fn ret(task: TaskId, to: Option<usize>, reason: &str) -> Action {
    Action::Return {
        task,
        to_step: to,
        reason: reason.into(),
    }
}

pub fn add(task: TaskId, person: &str, position: AddPosition) -> Action {
    Action::AddHandler {
        task,
        person: p(person),
        position,
        opinion: Some("请阅处".into()),
    }
}
