//! Each bad input gives its own error code and a zh-CN message, and changes nothing
//! (the harness asserts the flow is unchanged after every refused command).

use gongwen_domain::workflow::{
    Action, AddPosition, FlowKind, Mode, Route, Step, StepKind, TaskId, WorkflowError,
};

use super::common::*;

/// 起草 (drafter) → 审核 (dept_head) → 签发 (deputy), with 起草 and 审核 done, so that
/// the drafter's and the reviewer's tasks are completed and the signer's is open.
fn at_signing() -> (Harness, TaskId, TaskId) {
    let route = Route {
        name: "测试".into(),
        steps: vec![
            Step::new(StepKind::Draft, Mode::Sequential, vec![p("drafter")]),
            Step::new(StepKind::Review, Mode::Sequential, vec![p("dept_head")]),
            Step::new(StepKind::Sign, Mode::Sequential, vec![p("deputy")]),
        ],
    };
    let mut hx = Harness::start(FlowKind::Outgoing, "drafter", route, "v1");
    hx.approve("drafter", None);
    let review = hx.task_of("dept_head");
    hx.approve("dept_head", Some("同意"));
    let sign = hx.task_of("deputy");
    (hx, review, sign)
}

#[test]
fn each_bad_input_has_its_own_error() {
    struct Case {
        name: &'static str,
        actor: &'static str,
        seen: &'static str,
        action: fn(review: TaskId, sign: TaskId) -> Action,
        code: &'static str,
        message: &'static str,
    }
    let cases = [
        Case {
            name: "acting on someone else's task",
            actor: "principal",
            seen: "v1",
            action: |_, sign| approve(sign, Some("同意")),
            code: "NOT_YOUR_TASK",
            message: "该任务不是您的待办，您无权处理",
        },
        Case {
            name: "acting on a completed task",
            actor: "dept_head",
            seen: "v1",
            action: |review, _| approve(review, Some("同意")),
            code: "TASK_COMPLETED",
            message: "该任务已由 李科长 于 2026-03-02 09:00 同意，无需再次处理",
        },
        Case {
            name: "approving with a stale content hash",
            actor: "deputy",
            seen: "v0",
            action: |_, sign| approve(sign, Some("同意")),
            code: "STALE_CONTENT",
            message: "您阅看的不是当前版本（正文已被修改），请刷新后重新阅看再处理",
        },
        Case {
            name: "退回 without a reason",
            actor: "deputy",
            seen: "v1",
            action: |_, sign| ret(sign, None, "   "),
            code: "REASON_REQUIRED",
            message: "退回必须填写理由",
        },
        Case {
            name: "加签 of an unknown person",
            actor: "deputy",
            seen: "v1",
            action: |_, sign| add(sign, "nobody", AddPosition::Before),
            code: "UNKNOWN_PERSON",
            message: "找不到人员“nobody”，请从通讯录中选择",
        },
        Case {
            name: "转办 to an unknown person",
            actor: "deputy",
            seen: "v1",
            action: |_, sign| Action::Transfer {
                task: sign,
                to: p("nobody"),
                opinion: None,
            },
            code: "UNKNOWN_PERSON",
            message: "找不到人员“nobody”，请从通讯录中选择",
        },
        Case {
            name: "加签 of someone already handling the step",
            actor: "deputy",
            seen: "v1",
            action: |_, sign| add(sign, "deputy", AddPosition::After),
            code: "DUPLICATE_HANDLER",
            message: "赵副县长 已是本环节的办理人",
        },
        Case {
            name: "退回 to a later step",
            actor: "deputy",
            seen: "v1",
            action: |_, sign| ret(sign, Some(2), "理由"),
            code: "INVALID_RETURN_TARGET",
            message: "只能退回到当前环节之前的环节",
        },
        Case {
            name: "an unknown task",
            actor: "deputy",
            seen: "v1",
            action: |_, _| approve(TaskId::from("F1-T99"), None),
            code: "UNKNOWN_TASK",
            message: "找不到该任务（F1-T99），请刷新待办后重试",
        },
        Case {
            name: "已阅 outside 传阅",
            actor: "deputy",
            seen: "v1",
            action: |_, sign| Action::MarkRead {
                task: sign,
                opinion: None,
            },
            code: "ACTION_NOT_ALLOWED",
            message: "“签发”环节不能“已阅”",
        },
        Case {
            name: "editing at 签发",
            actor: "deputy",
            seen: "v1",
            action: |_, sign| Action::UpdateContent {
                task: sign,
                new_hash: h("v2"),
                substantive: false,
                note: None,
            },
            code: "ACTION_NOT_ALLOWED",
            message: "“签发”环节不能“修改正文”",
        },
        Case {
            name: "withdrawing someone else's approval",
            actor: "drafter",
            seen: "v1",
            action: |_, _| Action::Withdraw { reason: None },
            code: "WITHDRAW_NOT_ALLOWED",
            message: "无法撤回：您没有可撤回的操作，或下一办理人已经处理",
        },
        Case {
            name: "terminating a flow one does not own",
            actor: "deputy",
            seen: "v1",
            action: |_, _| Action::Terminate {
                reason: "不需要了".into(),
            },
            code: "NOT_OWNER",
            message: "只有流程发起人可以终止",
        },
        Case {
            name: "choosing next handlers when the route fixes them",
            actor: "deputy",
            seen: "v1",
            action: |_, sign| approve_with(sign, &["clerk"]),
            code: "NEXT_HANDLERS_NOT_ALLOWED",
            message: "本次办理不需要选择下一环节办理人",
        },
    ];
    for case in cases {
        let (mut hx, review, sign) = at_signing();
        let err = hx
            .try_act(case.actor, case.seen, (case.action)(review, sign.clone()))
            .expect_err(case.name);
        assert_eq!(err.code(), case.code, "{}: {err}", case.name);
        assert_eq!(err.to_string(), case.message, "{}", case.name);
        // Nothing changed: the right input still works afterwards.
        hx.act("deputy", "v1", approve(sign, Some("同意")));
        assert!(!hx.flow.is_running(), "{}", case.name);
    }
}

#[test]
fn a_delegate_completed_task_names_both_people() {
    let (mut hx, _, sign) = at_signing();
    hx.delegations.push(gongwen_domain::workflow::Delegation {
        principal: p("deputy"),
        delegate: p("principal"),
        start: t0(),
        end: None,
        kind: Some(FlowKind::Outgoing),
    });
    hx.act("principal", "v1", approve(sign.clone(), None));
    let err = hx.try_act("deputy", "v1", approve(sign, None)).unwrap_err();
    assert!(matches!(err, WorkflowError::TaskCompleted { .. }));
    assert_eq!(
        err.to_string(),
        "该任务已由 钱县长 代 赵副县长 于 2026-03-02 09:00 同意，无需再次处理"
    );
}

#[test]
fn bad_routes_are_refused() {
    let people = directory();
    let ctx = gongwen_domain::workflow::Context::new(t0(), &people);
    let start = |steps: Vec<Step>| {
        gongwen_domain::workflow::start(
            "F".into(),
            FlowKind::Outgoing,
            p("drafter"),
            Route {
                name: "r".into(),
                steps,
            },
            h("v1"),
            &ctx,
        )
        .map(|_| ())
        .unwrap_err()
        .code()
    };
    assert_eq!(start(vec![]), "INVALID_ROUTE");
    assert_eq!(
        start(vec![Step::new(StepKind::Draft, Mode::Sequential, vec![])]),
        "INVALID_ROUTE"
    );
    assert_eq!(
        start(vec![Step::new(
            StepKind::Draft,
            Mode::Sequential,
            vec![p("ghost")]
        )]),
        "UNKNOWN_PERSON"
    );
    assert_eq!(
        start(vec![Step::new(
            StepKind::Draft,
            Mode::AllOf,
            vec![p("drafter"), p("drafter")]
        )]),
        "DUPLICATE_HANDLER"
    );
    assert_eq!(
        start(vec![
            Step::new(StepKind::Draft, Mode::Sequential, vec![p("drafter")]),
            Step::new(StepKind::Circulate, Mode::AllOf, vec![p("deputy")]),
            Step::new(StepKind::Conclude, Mode::AnyOf, vec![]),
        ]),
        "INVALID_ROUTE"
    );
}

#[test]
fn next_handlers_are_required_when_the_route_leaves_them_open() {
    let route = Route {
        name: "选人".into(),
        steps: vec![
            Step::new(StepKind::Draft, Mode::Sequential, vec![p("drafter")]),
            Step::new(StepKind::Review, Mode::AnyOf, vec![]),
        ],
    };
    let mut hx = Harness::start(FlowKind::Outgoing, "drafter", route, "v1");
    let task = hx.task_of("drafter");
    let err = hx
        .try_act("drafter", "v1", approve(task.clone(), None))
        .unwrap_err();
    assert_eq!(err.code(), "NEXT_HANDLERS_REQUIRED");
    assert_eq!(err.to_string(), "请为下一环节“审核”选择办理人");
    let err = hx
        .try_act("drafter", "v1", approve_with(task.clone(), &["ghost"]))
        .unwrap_err();
    assert_eq!(err.code(), "UNKNOWN_PERSON");
    hx.act(
        "drafter",
        "v1",
        approve_with(task, &["dept_head", "office_head"]),
    );
    assert_eq!(hx.open_assignees(), ["dept_head", "office_head"]);
}

#[test]
fn a_damaged_stored_flow_is_refused_not_trusted() {
    let (hx, _, sign) = at_signing();
    let damage: [fn(&mut gongwen_domain::workflow::Flow); 3] = [
        |f| f.route.steps.truncate(1),
        |f| f.tasks[0].run = 99,
        |f| f.runs.clear(),
    ];
    for d in damage {
        let mut flow = hx.flow.clone();
        d(&mut flow);
        let cmd = gongwen_domain::workflow::Command {
            actor: p("deputy"),
            seen_hash: h("v1"),
            action: approve(sign.clone(), None),
        };
        let err = gongwen_domain::workflow::apply(&flow, &cmd, &hx.ctx()).unwrap_err();
        assert_eq!(err.code(), "CORRUPT_FLOW");
        assert_eq!(err.to_string(), "流程数据已损坏（F1），请联系管理员");
        // The read side degrades to "nothing to do" rather than panicking.
        let _ = gongwen_domain::workflow::available_actions(&flow, &p("deputy"), &hx.ctx());
        let _ = gongwen_domain::workflow::next_choice(&flow, &sign);
        let _ = gongwen_domain::workflow::return_targets(&flow);
    }
}
