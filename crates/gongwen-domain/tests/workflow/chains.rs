//! The 发文 and 收文 chains step by step, the route templates, and each action.

use gongwen_domain::document::{Direction, DocType, Document, Issuer};
use gongwen_domain::workflow::{
    self, Action, ActionKind, AddPosition, Assignment, Delegation, DeptAssignee, EventKind,
    FlowKind, FlowStatus, Mode, NextChoice, Route, Step, StepKind, TaskOrigin, TaskState,
    TemplateSet, WithdrawCause, template::DocFacts,
};
use time::Duration;

use super::common::*;

fn outgoing_facts(direction: Direction, issuers: &[&str], important: bool) -> DocFacts {
    DocFacts {
        doc_type: Some(DocType::Notice),
        direction: Some(direction),
        issuers: issuers.iter().map(|s| s.to_string()).collect(),
        important,
    }
}

fn outgoing_route(facts: &DocFacts) -> Route {
    TemplateSet::standard()
        .route_for(FlowKind::Outgoing, facts, &p("drafter"), &resolve)
        .expect("the standard 发文 template resolves")
}

fn incoming_route(doc_type: DocType) -> Route {
    let facts = DocFacts {
        doc_type: Some(doc_type),
        direction: Some(Direction::Down),
        issuers: vec!["上级机关".into()],
        important: false,
    };
    TemplateSet::standard()
        .route_for(FlowKind::Incoming, &facts, &p("clerk"), &resolve)
        .expect("the standard 收文 template resolves")
}

/// 发文: 起草 → 审核 (two reviewers, the first edits) → 签发 → 复核 → 登记 (或签 of two clerks)
/// → 印制 → 核发, one row per action: who acts, and the step and open tasks after it.
#[test]
fn outgoing_chain_walks_every_step() {
    let route = outgoing_route(&outgoing_facts(Direction::Down, &["某县人民政府"], false));
    assert_eq!(route.name, "发文（一般）");
    let mut hx = Harness::start(FlowKind::Outgoing, "drafter", route, "v1");

    let table: &[(&str, Option<StepKind>, &[&str])] = &[
        ("drafter", Some(StepKind::Review), &["dept_head"]),
        ("dept_head", Some(StepKind::Review), &["office_head"]),
        ("office_head", Some(StepKind::Sign), &["deputy"]),
        ("deputy", Some(StepKind::Recheck), &["checker"]),
        ("checker", Some(StepKind::Register), &["clerk", "clerk2"]),
        ("clerk", Some(StepKind::Print), &["printer"]),
        ("printer", Some(StepKind::Dispatch), &["clerk", "clerk2"]),
        ("clerk2", None, &[]),
    ];
    assert_eq!(hx.current_kind(), Some(StepKind::Draft));
    for (i, (who, step, open)) in table.iter().enumerate() {
        if i == 1 {
            // 审核 may edit: a new version, tracked in the history; the reviewer then
            // approves the version they produced.
            let task = hx.task_of("dept_head");
            hx.act(
                "dept_head",
                "v1",
                Action::UpdateContent {
                    task,
                    new_hash: h("v2"),
                    substantive: false,
                    note: Some("修改第二段措辞".into()),
                },
            );
            assert_eq!(hx.flow.content_hash, h("v2"));
        }
        hx.approve(who, Some("同意"));
        assert_eq!(hx.current_kind(), *step, "after {who}");
        assert_eq!(hx.open_assignees(), *open, "after {who}");
    }
    assert!(matches!(hx.flow.status, FlowStatus::Completed { .. }));
    // 登记 was 或签: the other clerk's task was withdrawn when 周文书 acted.
    let register_tasks: Vec<_> = hx.flow.tasks.iter().filter(|t| t.step == 4).collect();
    assert!(register_tasks.iter().any(|t| t.assignee == p("clerk2")
        && t.state
            == TaskState::Withdrawn {
                cause: WithdrawCause::OtherHandlerActed
            }));
    // Every step completed exactly once.
    let completed = hx
        .flow
        .history
        .iter()
        .filter(|e| matches!(e.kind, EventKind::StepCompleted { .. }))
        .count();
    assert_eq!(completed, 7);
    // The signer saw and approved v2, the version after the review edit.
    let sign = hx.flow.tasks.iter().find(|t| t.step == 2).unwrap();
    assert_eq!(sign.acted.as_ref().unwrap().seen_hash, h("v2"));
    assert!(gongwen_domain::audit::verify(&hx.audit).is_ok());
}

#[test]
fn templates_are_chosen_by_direction_joint_and_importance() {
    let set = TemplateSet::standard();
    let pick = |f: &DocFacts| set.select(FlowKind::Outgoing, f).unwrap().name.clone();
    assert_eq!(
        pick(&outgoing_facts(Direction::Down, &["某县人民政府"], false)),
        "发文（一般）"
    );
    assert_eq!(
        pick(&outgoing_facts(Direction::Up, &["某县人民政府"], false)),
        "上行文发文"
    );
    assert_eq!(
        pick(&outgoing_facts(Direction::Down, &["某县人民政府"], true)),
        "重要发文"
    );
    assert_eq!(
        pick(&outgoing_facts(
            Direction::Down,
            &["某县人民政府", "某县财政局"],
            false
        )),
        "联合发文"
    );
    let incoming = |t| {
        let f = DocFacts {
            doc_type: Some(t),
            ..DocFacts::default()
        };
        set.select(FlowKind::Incoming, &f).unwrap().name.clone()
    };
    assert_eq!(incoming(DocType::Notice), "收文（一般）");
    assert_eq!(incoming(DocType::Request), "请示件收文");

    // 上行文 is signed by the 主要负责人.
    let up = outgoing_route(&outgoing_facts(Direction::Up, &["某县人民政府"], false));
    let sign = up.steps.iter().find(|s| s.kind == StepKind::Sign).unwrap();
    assert_eq!(sign.handlers, vec![p("principal")]);

    // DocFacts come from the document itself.
    let doc = Document {
        doc_type: Some(DocType::Report),
        direction: Some(Direction::Up),
        issuers: vec![Issuer {
            name: "某县人民政府".into(),
            mark: None,
        }],
        ..Document::default()
    };
    assert_eq!(pick(&DocFacts::of(&doc, false)), "上行文发文");

    // Templates are data: they survive JSON, so an organ can edit them.
    let json = serde_json::to_string(&set).unwrap();
    let back: TemplateSet = serde_json::from_str(&json).unwrap();
    assert_eq!(back, set);
}

#[test]
fn joint_documents_need_every_co_issuer_to_sign() {
    let route = outgoing_route(&outgoing_facts(
        Direction::Down,
        &["某县人民政府", "某县财政局"],
        false,
    ));
    let sign = route
        .steps
        .iter()
        .position(|s| s.kind == StepKind::Sign)
        .unwrap();
    assert_eq!(route.steps[sign].mode, Mode::AllOf);
    assert_eq!(
        route.steps[sign].handlers,
        vec![p("principal"), p("fin_principal")]
    );

    let mut hx = Harness::start(FlowKind::Outgoing, "drafter", route, "v1");
    for who in ["drafter", "dept_head", "office_head"] {
        hx.approve(who, None);
    }
    assert_eq!(hx.open_assignees(), ["fin_principal", "principal"]);
    hx.approve("fin_principal", Some("同意联合印发"));
    assert_eq!(
        hx.current_kind(),
        Some(StepKind::Sign),
        "会签 waits for every co-issuer"
    );
    assert_eq!(hx.open_assignees(), ["principal"]);
    hx.approve("principal", Some("同意"));
    assert_eq!(hx.current_kind(), Some(StepKind::Recheck));
}

#[test]
fn unresolved_roles_and_missing_templates_are_reported() {
    let set = TemplateSet::standard();
    let nobody = |_: &str, _: Option<&str>| Vec::new();
    let err = set
        .route_for(
            FlowKind::Outgoing,
            &outgoing_facts(Direction::Down, &["某县人民政府"], false),
            &p("drafter"),
            &nobody,
        )
        .unwrap_err();
    assert_eq!(err.code(), "UNRESOLVED_HANDLERS");
    assert!(err.to_string().contains("部门负责人"), "{err}");

    let empty = TemplateSet::default();
    let err = empty
        .route_for(
            FlowKind::Incoming,
            &DocFacts::default(),
            &p("clerk"),
            &resolve,
        )
        .unwrap_err();
    assert_eq!(err.code(), "NO_TEMPLATE");
    assert_eq!(err.to_string(), "找不到适用于收文的流程模板");
}

/// 收文: 签收 → 登记 → 初审 → 拟办 → 批办 (assigns 主办/协办 and a 时限) → 承办 → 传阅 → 办结.
#[test]
fn incoming_chain_walks_every_step() {
    let route = incoming_route(DocType::Notice);
    assert_eq!(route.name, "收文（一般）");
    let mut hx = Harness::start(FlowKind::Incoming, "clerk", route, "in1");

    // 签收: the approval's time is the 回执 time.
    let events = hx.approve("clerk", None);
    let receipt = events
        .iter()
        .find(|e| matches!(e.kind, EventKind::Approved { .. }))
        .unwrap();
    assert_eq!(receipt.at, t0());
    assert_eq!(hx.current_kind(), Some(StepKind::Register));
    assert_eq!(hx.open_assignees(), ["clerk", "clerk2"]);

    let table: &[(&str, StepKind)] = &[
        ("clerk2", StepKind::PreCheck),
        ("office_head", StepKind::Propose),
        ("office_head", StepKind::Instruct),
    ];
    for (who, next) in table {
        hx.approve(who, Some("拟请赵副县长阅示"));
        assert_eq!(hx.current_kind(), Some(*next), "after {who}");
    }

    // 批办: the leader must assign, since 承办 has no fixed handlers.
    let task = hx.task_of("deputy");
    assert_eq!(
        workflow::next_choice(&hx.flow, &task),
        NextChoice::Assignment {
            step: 5,
            required: true
        }
    );
    let err = hx
        .try_act("deputy", "in1", approve(task.clone(), Some("同意")))
        .unwrap_err();
    assert_eq!(err.code(), "NEXT_HANDLERS_REQUIRED");
    let due = t0() + Duration::days(5);
    let assignment = Assignment {
        lead: DeptAssignee {
            dept: "财政局".into(),
            handler: p("fin_handler"),
        },
        assist: vec![DeptAssignee {
            dept: "民政局".into(),
            handler: p("civil_handler"),
        }],
        due: Some(due),
    };
    hx.act("deputy", "in1", assign(task, assignment.clone()));
    assert_eq!(hx.current_kind(), Some(StepKind::Handle));
    assert_eq!(hx.open_assignees(), ["civil_handler", "fin_handler"]);
    let run = hx.flow.current_run().unwrap();
    assert_eq!(hx.flow.runs[run].assignment, Some(assignment));
    assert_eq!(hx.flow.runs[run].mode, Mode::AllOf);
    assert!(hx.flow.open_tasks().all(|t| t.due == Some(due)));

    // Overdue once the 时限 passes (督办).
    hx.advance(Duration::days(6));
    assert_eq!(hx.flow.overdue_tasks(hx.now).len(), 2);
    assert!(hx.flow.is_overdue(hx.now));
    hx.approve("fin_handler", Some("已按要求办理"));
    assert_eq!(
        hx.current_kind(),
        Some(StepKind::Handle),
        "主办 and 协办 both act"
    );
    hx.approve("civil_handler", Some("已配合办理"));

    // 传阅: read-only; approve and return are not offered.
    assert_eq!(hx.current_kind(), Some(StepKind::Circulate));
    assert_eq!(
        workflow::available_actions(&hx.flow, &p("deputy"), &hx.ctx()),
        [
            ActionKind::MarkRead,
            ActionKind::AddHandler,
            ActionKind::Transfer,
            ActionKind::Remind
        ]
    );
    let task = hx.task_of("deputy");
    let err = hx
        .try_act("deputy", "in1", approve(task.clone(), None))
        .unwrap_err();
    assert_eq!(err.code(), "ACTION_NOT_ALLOWED");
    assert_eq!(err.to_string(), "“传阅”环节不能“同意”");
    // Add a reader (请XX阅), then everyone ticks 已阅.
    hx.act(
        "deputy",
        "in1",
        add(task.clone(), "reader", AddPosition::After),
    );
    hx.act(
        "deputy",
        "in1",
        Action::MarkRead {
            task,
            opinion: Some("已阅".into()),
        },
    );
    for who in ["principal", "reader"] {
        let task = hx.task_of(who);
        assert_eq!(hx.current_kind(), Some(StepKind::Circulate));
        hx.act(
            who,
            "in1",
            Action::MarkRead {
                task,
                opinion: None,
            },
        );
    }
    assert_eq!(hx.current_kind(), Some(StepKind::Conclude));
    hx.approve("clerk", Some("办结归档"));
    assert!(matches!(hx.flow.status, FlowStatus::Completed { .. }));
    assert!(gongwen_domain::audit::verify(&hx.audit).is_ok());
}

#[test]
fn return_goes_to_the_previous_or_a_chosen_step_and_its_last_handlers() {
    let route = outgoing_route(&outgoing_facts(Direction::Down, &["某县人民政府"], false));
    let mut hx = Harness::start(FlowKind::Outgoing, "drafter", route, "v1");
    for who in ["drafter", "dept_head", "office_head"] {
        hx.approve(who, None);
    }
    assert_eq!(workflow::return_targets(&hx.flow), [0, 1]);
    // Default: the previous step (审核), with both reviewers again, in order.
    let task = hx.task_of("deputy");
    hx.act("deputy", "v1", ret(task, None, "请补充资金来源"));
    assert_eq!(hx.current_kind(), Some(StepKind::Review));
    assert_eq!(hx.open_assignees(), ["dept_head"]);
    hx.approve("dept_head", None);
    hx.approve("office_head", None);
    // A chosen earlier step: back to the drafter.
    let task = hx.task_of("deputy");
    hx.act(
        "deputy",
        "v1",
        ret(task.clone(), Some(0), "标题不规范，请重新起草"),
    );
    assert_eq!(hx.current_kind(), Some(StepKind::Draft));
    assert_eq!(hx.open_assignees(), ["drafter"]);
    let t = hx.task(&task);
    assert_eq!(t.state, TaskState::Returned { to: 0 });
    assert_eq!(
        t.acted.as_ref().unwrap().opinion.as_deref(),
        Some("标题不规范，请重新起草")
    );
}

#[test]
fn countersign_any_return_returns_the_whole_step() {
    let route = Route {
        name: "会签".into(),
        steps: vec![
            Step::new(StepKind::Draft, Mode::Sequential, vec![p("drafter")]),
            Step::new(
                StepKind::Review,
                Mode::AllOf,
                vec![p("dept_head"), p("office_head"), p("checker")],
            ),
            Step::new(StepKind::Sign, Mode::Sequential, vec![p("deputy")]),
        ],
    };
    let mut hx = Harness::start(FlowKind::Outgoing, "drafter", route, "v1");
    hx.approve("drafter", None);
    hx.approve("dept_head", Some("同意"));
    let task = hx.task_of("office_head");
    hx.act("office_head", "v1", ret(task, None, "数据有误"));
    assert_eq!(hx.current_kind(), Some(StepKind::Draft));
    let checker = hx
        .flow
        .tasks
        .iter()
        .find(|t| t.assignee == p("checker"))
        .unwrap();
    assert_eq!(
        checker.state,
        TaskState::Withdrawn {
            cause: WithdrawCause::StepReturned
        }
    );
    let id = checker.id.clone();
    let err = hx.try_act("checker", "v1", approve(id, None)).unwrap_err();
    assert_eq!(err.code(), "TASK_WITHDRAWN");
    assert_eq!(
        err.to_string(),
        "该任务已收回（本环节已被退回），不能再处理"
    );
}

#[test]
fn substantive_change_at_recheck_goes_back_to_the_signer() {
    let route = outgoing_route(&outgoing_facts(Direction::Down, &["某县人民政府"], false));
    let mut hx = Harness::start(FlowKind::Outgoing, "drafter", route, "v1");
    for who in ["drafter", "dept_head", "office_head", "deputy"] {
        hx.approve(who, None);
    }
    assert_eq!(hx.current_kind(), Some(StepKind::Recheck));
    // A typo fix is not substantive: the flow stays at 复核.
    let task = hx.task_of("checker");
    hx.act(
        "checker",
        "v1",
        Action::UpdateContent {
            task: task.clone(),
            new_hash: h("v2"),
            substantive: false,
            note: None,
        },
    );
    assert_eq!(hx.current_kind(), Some(StepKind::Recheck));
    hx.act(
        "checker",
        "v2",
        Action::UpdateContent {
            task,
            new_hash: h("v3"),
            substantive: true,
            note: None,
        },
    );
    assert_eq!(hx.current_kind(), Some(StepKind::Sign));
    assert_eq!(hx.open_assignees(), ["deputy"]);
    // The signer must sign the new text.
    let task = hx.task_of("deputy");
    let err = hx
        .try_act("deputy", "v1", approve(task.clone(), None))
        .unwrap_err();
    assert_eq!(err.code(), "STALE_CONTENT");
    hx.act("deputy", "v3", approve(task, Some("同意")));
    assert_eq!(hx.current_kind(), Some(StepKind::Recheck));
}

#[test]
fn withdraw_while_the_next_handler_has_not_acted() {
    let route = outgoing_route(&outgoing_facts(Direction::Down, &["某县人民政府"], false));
    let mut hx = Harness::start(FlowKind::Outgoing, "drafter", route, "v1");
    let draft = hx.task_of("drafter");
    hx.approve("drafter", None);
    let next = hx.task_of("dept_head");
    assert!(
        workflow::available_actions(&hx.flow, &p("drafter"), &hx.ctx())
            .contains(&ActionKind::Withdraw)
    );
    // 催办 does not count as acting.
    hx.act(
        "drafter",
        "v1",
        Action::Remind {
            task: None,
            message: Some("请尽快审核".into()),
        },
    );
    hx.act(
        "drafter",
        "v1",
        Action::Withdraw {
            reason: Some("还需补充附件".into()),
        },
    );
    assert_eq!(hx.current_kind(), Some(StepKind::Draft));
    assert_eq!(hx.task(&draft).state, TaskState::Open);
    assert_eq!(
        hx.task(&next).state,
        TaskState::Withdrawn {
            cause: WithdrawCause::Recalled
        }
    );
    let err = hx
        .try_act("dept_head", "v1", approve(next, None))
        .unwrap_err();
    assert_eq!(err.code(), "TASK_WITHDRAWN");

    // Once the next handler acts, the sender can no longer withdraw.
    hx.approve("drafter", None);
    hx.approve("dept_head", None);
    let err = hx
        .try_act("drafter", "v1", Action::Withdraw { reason: None })
        .unwrap_err();
    assert_eq!(err.code(), "WITHDRAW_NOT_ALLOWED");
    // …but the reviewer who just approved can.
    hx.act("dept_head", "v1", Action::Withdraw { reason: None });
    assert_eq!(hx.open_assignees(), ["dept_head"]);
}

#[test]
fn or_sign_first_approval_withdraws_the_others() {
    let route = Route {
        name: "或签".into(),
        steps: vec![
            Step::new(StepKind::Draft, Mode::Sequential, vec![p("drafter")]),
            Step::new(
                StepKind::Sign,
                Mode::AnyOf,
                vec![p("deputy"), p("principal")],
            ),
            Step::new(StepKind::Register, Mode::AnyOf, vec![p("clerk")]),
        ],
    };
    let mut hx = Harness::start(FlowKind::Outgoing, "drafter", route, "v1");
    hx.approve("drafter", None);
    let other = hx.task_of("deputy");
    hx.approve("principal", Some("同意"));
    assert_eq!(hx.current_kind(), Some(StepKind::Register));
    let err = hx
        .try_act("deputy", "v1", approve(other, None))
        .unwrap_err();
    assert_eq!(err.code(), "TASK_WITHDRAWN");
    assert_eq!(
        err.to_string(),
        "该任务已收回（或签环节已由其他办理人处理），不能再处理"
    );
}

#[test]
fn add_handler_before_and_after_and_transfer() {
    let route = Route {
        name: "加签".into(),
        steps: vec![
            Step::new(StepKind::Draft, Mode::Sequential, vec![p("drafter")]),
            Step::new(StepKind::Review, Mode::Sequential, vec![p("dept_head")]),
            Step::new(StepKind::Sign, Mode::Sequential, vec![p("deputy")]),
        ],
    };
    let mut hx = Harness::start(FlowKind::Outgoing, "drafter", route, "v1");
    hx.approve("drafter", None);
    let mine = hx.task_of("dept_head");
    // Before: 王主任 acts first, then the task comes back to 李科长.
    let events = hx.act(
        "dept_head",
        "v1",
        add(mine.clone(), "office_head", AddPosition::Before),
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e.kind, EventKind::HandlerAdded { .. }))
    );
    assert_eq!(hx.task(&mine).state, TaskState::Waiting);
    let err = hx
        .try_act("dept_head", "v1", approve(mine.clone(), None))
        .unwrap_err();
    assert_eq!(err.code(), "NOT_YOUR_TURN");
    hx.approve("office_head", Some("已核"));
    assert_eq!(hx.task_of("dept_head"), mine);
    // After: 孙核稿 acts after 李科长, still within 审核.
    hx.act("dept_head", "v1", add(mine, "checker", AddPosition::After));
    hx.approve("dept_head", None);
    assert_eq!(hx.current_kind(), Some(StepKind::Review));
    // 转办: 孙核稿 hands the task to 周文书.
    let task = hx.task_of("checker");
    hx.act(
        "checker",
        "v1",
        Action::Transfer {
            task: task.clone(),
            to: p("clerk"),
            opinion: Some("请周文书核".into()),
        },
    );
    let new = hx.task_of("clerk");
    assert_eq!(
        hx.task(&new).origin,
        TaskOrigin::TransferredFrom { task: task.clone() }
    );
    assert_eq!(hx.task(&task).state, TaskState::Transferred { to: new });
    hx.approve("clerk", None);
    assert_eq!(hx.current_kind(), Some(StepKind::Sign));
}

#[test]
fn delegate_signs_as_x_for_y_while_the_delegation_is_active() {
    let route = Route {
        name: "委托".into(),
        steps: vec![
            Step::new(StepKind::Draft, Mode::Sequential, vec![p("drafter")]),
            Step::new(StepKind::Sign, Mode::Sequential, vec![p("deputy")]),
        ],
    };
    let mut hx = Harness::start(FlowKind::Outgoing, "drafter", route, "v1");
    hx.approve("drafter", None);
    let task = hx.task_of("deputy");
    // No delegation yet.
    let err = hx
        .try_act("principal", "v1", approve(task.clone(), None))
        .unwrap_err();
    assert_eq!(err.code(), "NOT_YOUR_TASK");
    hx.delegations.push(Delegation {
        principal: p("deputy"),
        delegate: p("principal"),
        start: t0(),
        end: Some(t0() + Duration::days(3)),
        kind: None,
    });
    assert_eq!(hx.task_of("principal"), task);
    assert!(
        workflow::available_actions(&hx.flow, &p("principal"), &hx.ctx())
            .contains(&ActionKind::Approve)
    );
    // After the period, the delegate no longer sees it.
    hx.advance(Duration::days(4));
    assert!(workflow::tasks_for(&hx.flow, &p("principal"), &hx.ctx()).is_empty());
    hx.advance(Duration::days(-3));
    let events = hx.act("principal", "v1", approve(task.clone(), Some("同意")));
    let approved = events
        .iter()
        .find(|e| matches!(e.kind, EventKind::Approved { .. }))
        .unwrap();
    assert_eq!(approved.actor, p("principal"));
    assert_eq!(approved.on_behalf_of, Some(p("deputy")));
    let acted = hx.task(&task).acted.clone().unwrap();
    assert_eq!(acted.signature(&hx.people), "钱县长 代 赵副县长");
    assert_eq!(
        hx.audit
            .iter()
            .rev()
            .find(|r| r.action == "workflow.approved")
            .unwrap()
            .on_behalf_of
            .as_deref(),
        Some("deputy")
    );
}

#[test]
fn remind_is_an_event_only_and_terminate_is_for_the_owner() {
    let route = outgoing_route(&outgoing_facts(Direction::Down, &["某县人民政府"], false));
    let mut hx = Harness::start(FlowKind::Outgoing, "drafter", route, "v1");
    hx.approve("drafter", None);
    let before = hx.flow.clone();
    let events = hx.act(
        "drafter",
        "v1",
        Action::Remind {
            task: None,
            message: None,
        },
    );
    assert_eq!(events.len(), 1);
    assert!(matches!(&events[0].kind, EventKind::Reminded { tasks, .. } if tasks.len() == 1));
    assert_eq!(hx.flow.tasks, before.tasks);
    assert_eq!(hx.flow.status, before.status);
    // Someone unrelated may not 催办, unless they hold 督办 rights.
    let err = hx
        .try_act(
            "printer",
            "v1",
            Action::Remind {
                task: None,
                message: None,
            },
        )
        .unwrap_err();
    assert_eq!(err.code(), "REMIND_NOT_ALLOWED");

    let err = hx
        .try_act(
            "dept_head",
            "v1",
            Action::Terminate {
                reason: "不再需要".into(),
            },
        )
        .unwrap_err();
    assert_eq!(err.code(), "NOT_OWNER");
    let err = hx
        .try_act("drafter", "v1", Action::Terminate { reason: " ".into() })
        .unwrap_err();
    assert_eq!(err.code(), "REASON_REQUIRED");
    assert_eq!(err.to_string(), "终止必须填写理由");
    let open = hx.task_of("dept_head");
    hx.act(
        "drafter",
        "v1",
        Action::Terminate {
            reason: "工作已调整，不再发文".into(),
        },
    );
    assert!(matches!(hx.flow.status, FlowStatus::Terminated { .. }));
    assert_eq!(
        hx.task(&open).state,
        TaskState::Withdrawn {
            cause: WithdrawCause::Terminated
        }
    );
    let err = hx
        .try_act(
            "drafter",
            "v1",
            Action::Remind {
                task: None,
                message: None,
            },
        )
        .unwrap_err();
    assert_eq!(err.code(), "FLOW_CLOSED");
    assert!(workflow::available_actions(&hx.flow, &p("drafter"), &hx.ctx()).is_empty());
}

#[test]
fn step_time_limit_gives_overdue_tasks() {
    let route = Route {
        name: "时限".into(),
        steps: vec![
            Step::new(StepKind::Draft, Mode::Sequential, vec![p("drafter")]),
            Step::new(StepKind::Review, Mode::Sequential, vec![p("dept_head")])
                .with_limit_hours(24),
        ],
    };
    let mut hx = Harness::start(FlowKind::Outgoing, "drafter", route, "v1");
    hx.approve("drafter", None);
    let task = hx.task_of("dept_head");
    assert_eq!(hx.task(&task).due, Some(t0() + Duration::hours(24)));
    assert!(hx.flow.overdue_tasks(t0() + Duration::hours(24)).is_empty());
    assert_eq!(hx.flow.overdue_tasks(t0() + Duration::hours(25)).len(), 1);
}

#[test]
fn flows_survive_json_and_replay_identically() {
    let route = outgoing_route(&outgoing_facts(Direction::Down, &["某县人民政府"], false));
    let mut hx = Harness::start(FlowKind::Outgoing, "drafter", route, "v1");
    hx.approve("drafter", Some("请审核"));
    hx.approve("dept_head", None);
    let json = serde_json::to_string(&hx.flow).unwrap();
    let back: workflow::Flow = serde_json::from_str(&json).unwrap();
    assert_eq!(back, hx.flow);
    let cmd = workflow::Command {
        actor: p("office_head"),
        seen_hash: h("v1"),
        action: approve(hx.task_of("office_head"), Some("同意")),
    };
    let cmd_json = serde_json::to_value(&cmd).unwrap();
    assert_eq!(cmd_json["action"], "approve");
    let cmd_back: workflow::Command = serde_json::from_value(cmd_json).unwrap();
    let a = workflow::apply(&hx.flow, &cmd, &hx.ctx()).unwrap();
    let b = workflow::apply(&back, &cmd_back, &hx.ctx()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn a_failed_pre_check_sends_the_document_back_to_its_sender() {
    let mut hx = Harness::start(
        FlowKind::Incoming,
        "clerk",
        incoming_route(DocType::Notice),
        "in1",
    );
    hx.approve("clerk", None);
    // 登记 cannot send back; 签收 and 初审 can.
    let task = hx.task_of("clerk");
    let err = hx
        .try_act(
            "clerk",
            "in1",
            Action::SendBack {
                task,
                reason: "错送".into(),
            },
        )
        .unwrap_err();
    assert_eq!(err.to_string(), "“登记”环节不能“退文”");
    hx.approve("clerk", None);
    let task = hx.task_of("office_head");
    assert!(
        workflow::available_actions(&hx.flow, &p("office_head"), &hx.ctx())
            .contains(&ActionKind::SendBack)
    );
    let err = hx
        .try_act(
            "office_head",
            "in1",
            Action::SendBack {
                task: task.clone(),
                reason: String::new(),
            },
        )
        .unwrap_err();
    assert_eq!(err.to_string(), "退文必须填写理由");
    hx.act(
        "office_head",
        "in1",
        Action::SendBack {
            task: task.clone(),
            reason: "不属于本机关职责范围".into(),
        },
    );
    assert!(
        matches!(&hx.flow.status, FlowStatus::SentBack { by, reason, .. }
        if by == &p("office_head") && reason == "不属于本机关职责范围")
    );
    assert_eq!(hx.task(&task).state, TaskState::SentBack);
    assert!(hx.flow.open_tasks().next().is_none());
    let err = hx
        .try_act("office_head", "in1", approve(task, None))
        .unwrap_err();
    assert_eq!(err.code(), "TASK_COMPLETED");
}

#[test]
fn todo_order_is_overdue_then_urgency_then_age() {
    use gongwen_domain::document::Urgency;
    let route = Route {
        name: "待办".into(),
        steps: vec![
            Step::new(
                StepKind::Review,
                Mode::AllOf,
                vec![p("dept_head"), p("office_head"), p("checker")],
            )
            .with_limit_hours(24),
        ],
    };
    let hx = Harness::start(FlowKind::Outgoing, "drafter", route, "v1");
    let tasks: Vec<_> = hx.flow.open_tasks().cloned().collect();
    let later = t0() + Duration::hours(1);
    let mut keyed = [
        (tasks[0].todo_key(None, later), "plain"),
        (tasks[1].todo_key(Some(Urgency::Urgent), later), "加急"),
        (tasks[2].todo_key(Some(Urgency::Immediate), later), "特急"),
    ];
    keyed.sort();
    assert_eq!(
        keyed.iter().map(|k| k.1).collect::<Vec<_>>(),
        ["特急", "加急", "plain"]
    );
    // Once past the 时限, an ordinary task outranks an urgent one that is not overdue.
    let mut other = tasks[1].clone();
    other.due = None;
    let overdue = t0() + Duration::hours(30);
    assert!(tasks[0].todo_key(None, overdue) < other.todo_key(Some(Urgency::Immediate), overdue));
}

#[test]
fn opinions_list_every_signature_for_the_forms() {
    let route = Route {
        name: "意见".into(),
        steps: vec![
            Step::new(StepKind::Draft, Mode::Sequential, vec![p("drafter")]),
            Step::new(StepKind::Review, Mode::Sequential, vec![p("dept_head")]),
            Step::new(StepKind::Sign, Mode::Sequential, vec![p("deputy")]),
        ],
    };
    let mut hx = Harness::start(FlowKind::Outgoing, "drafter", route, "v1");
    hx.delegations.push(Delegation {
        principal: p("deputy"),
        delegate: p("principal"),
        start: t0(),
        end: None,
        kind: None,
    });
    hx.approve("drafter", None);
    hx.advance(Duration::hours(1));
    hx.approve("dept_head", Some("拟同意，请赵副县长签发"));
    hx.advance(Duration::hours(1));
    let task = hx.task_of("principal");
    hx.act("principal", "v1", approve(task, Some("同意")));
    let ops = workflow::opinions(&hx.flow, &hx.people);
    let rows: Vec<_> = ops
        .iter()
        .map(|o| {
            (
                o.step_kind,
                o.signature.as_str(),
                o.outcome.as_str(),
                o.opinion.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (StepKind::Draft, "张三", "同意", None),
            (
                StepKind::Review,
                "李科长",
                "同意",
                Some("拟同意，请赵副县长签发")
            ),
            (StepKind::Sign, "钱县长 代 赵副县长", "同意", Some("同意")),
        ]
    );
    assert_eq!(ops[2].at, t0() + Duration::hours(2));
}

#[test]
fn commands_and_events_have_the_documented_json_form() {
    let cmd = workflow::Command {
        actor: p("u2"),
        seen_hash: h("sm3:9f2c"),
        action: approve(workflow::TaskId::from("F1-T2"), Some("同意")),
    };
    assert_eq!(
        serde_json::to_string(&cmd).unwrap(),
        r#"{"actor":"u2","seen_hash":"sm3:9f2c","action":"approve","task":"F1-T2","opinion":"同意"}"#
    );
    let event = workflow::Event {
        seq: 7,
        flow: "F1".into(),
        at: t0(),
        actor: p("u2"),
        on_behalf_of: None,
        seen_hash: h("sm3:9f2c"),
        kind: EventKind::Approved {
            task: "F1-T2".into(),
            step: 1,
            opinion: Some("同意".into()),
        },
    };
    assert_eq!(
        serde_json::to_string(&event).unwrap(),
        r#"{"seq":7,"flow":"F1","at":"2026-03-02T09:00:00+08:00","actor":"u2","seen_hash":"sm3:9f2c","event":"approved","task":"F1-T2","step":1,"opinion":"同意"}"#
    );
    let back: workflow::Event =
        serde_json::from_str(&serde_json::to_string(&event).unwrap()).unwrap();
    assert_eq!(back, event);
}
