//! Whole chains: 发文 from 送审 to 核发, 退回, 会签, 或签, 撤回.

use gongwen_client::flow::{Person, QueueFilter, QueueKind};

use crate::common::{Env, ORGAN};

#[test]
fn full_outgoing_chain_runs_locally() {
    let mut env = Env::new();
    let draft = env.draft("notice-full.json");
    let submitted = env.as_user("zhang").submit_draft(&draft, None).unwrap();
    assert_eq!(submitted.route, "发文（一般）");
    assert_eq!(submitted.now_at, "审核（李四）");
    assert_eq!(
        submitted.outbox_seqs.len(),
        2,
        "送审 and the drafter's 起草"
    );
    assert!(submitted.content_hash.starts_with("sha256:"));
    let flow = submitted.flow_id.clone();

    // Not yet 王五's turn (串签 审核: 李四 first).
    assert!(env.todo("wang").is_empty());
    env.approve("li", &flow, Some("拟同意，请王主任审核"));
    env.approve("wang", &flow, Some("同意"));
    assert_eq!(env.client.flow_view(&flow).unwrap().now_at, "签发（赵六）");
    env.approve("zhao", &flow, Some("同意印发"));
    env.approve("qian", &flow, None);
    env.approve("sun", &flow, Some("已登记"));
    env.approve("zhou", &flow, None);
    env.approve("sun", &flow, Some("已核发"));

    let view = env.client.flow_view(&draft).unwrap();
    assert_eq!(view.flow_id, flow, "a document id finds its flow");
    assert_eq!(view.status, "completed");
    assert_eq!(view.status_label, "已办结");
    assert!(
        view.steps.iter().all(|s| s.state == "done"),
        "{:#?}",
        view.steps
    );
    let sign = view
        .opinions
        .iter()
        .find(|o| o.step_name == "签发")
        .unwrap();
    assert_eq!(sign.signature, "赵六");
    assert_eq!(sign.opinion.as_deref(), Some("同意印发"));
    let review: Vec<_> = view
        .opinions
        .iter()
        .filter(|o| o.step_name == "审核")
        .map(|o| (o.signature.as_str(), o.opinion.as_deref()))
        .collect();
    assert_eq!(
        review,
        [
            ("李四", Some("拟同意，请王主任审核")),
            ("王五", Some("同意"))
        ]
    );
    assert_eq!(
        view.pending_sync, 9,
        "送审, 起草 and 7 approvals wait to be sent"
    );

    // 已办 of the reviewer shows where the document is now.
    let done = env
        .as_user("li")
        .queue(QueueKind::Done, &QueueFilter::default(), 0, 20)
        .unwrap();
    assert_eq!(done.items.len(), 1);
    assert_eq!(done.items[0].status, "approved");
    assert_eq!(done.items[0].now_at, "已办结");
    assert!(done.items[0].pending_sync);
    assert_eq!(env.client.queue_counts().unwrap().done, 1);
    assert_eq!(env.client.queue_counts().unwrap().todo, 0);

    // 在办 of the drafter is empty again; the chain verifies.
    let sent = env
        .as_user("zhang")
        .queue(QueueKind::Sent, &QueueFilter::default(), 0, 20)
        .unwrap();
    assert!(sent.items.is_empty());
    let audit = env.client.verify_audit().unwrap();
    assert!(audit.records > 20, "{audit:?}");
}

#[test]
fn sent_queue_and_task_view_follow_the_flow() {
    let mut env = Env::new();
    let draft = env.draft("notice-full.json");
    let flow = env
        .as_user("zhang")
        .submit_draft(&draft, None)
        .unwrap()
        .flow_id;
    let sent = env
        .client
        .queue(QueueKind::Sent, &QueueFilter::default(), 0, 20)
        .unwrap();
    assert_eq!(sent.items.len(), 1);
    assert_eq!(sent.items[0].now_at, "审核（李四）");
    assert!(sent.items[0].pending_sync);

    let task = env.task_of("li", &flow);
    let view = env.client.task_view(&task).unwrap();
    assert_eq!(view.step_name, "审核");
    let doc = view
        .document
        .expect("the frozen version is on this computer");
    assert!(!doc.title.is_empty());
    let buttons: Vec<&str> = view.actions.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(
        buttons,
        ["approve", "return", "add-handler", "transfer", "edit"],
        "exactly the actions of a 审核 step"
    );
    assert_eq!(view.return_targets.len(), 1);
    assert_eq!(view.return_targets[0].name, "起草");

    // The drafter sees the same task without its buttons, but may 撤回 (李四 has not
    // acted yet), 催办 and 终止.
    let as_owner = env.as_user("zhang").task_view(&task).unwrap();
    let buttons: Vec<&str> = as_owner.actions.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(buttons, ["withdraw", "remind", "terminate"]);
}

#[test]
fn return_with_reason_goes_back_to_the_drafter() {
    let mut env = Env::new();
    let draft = env.draft("notice-full.json");
    let flow = env
        .as_user("zhang")
        .submit_draft(&draft, None)
        .unwrap()
        .flow_id;
    let task = env.task_of("li", &flow);
    env.client
        .act(&task, "return", Some("请补充政策依据"), None, None, None)
        .unwrap();
    assert!(env.todo("li").is_empty());
    let back = env.task_of("zhang", &flow);
    let view = env.client.task_view(&back).unwrap();
    assert_eq!(view.step_name, "起草");

    let fv = env.client.flow_view(&flow).unwrap();
    let returned = fv.opinions.iter().find(|o| o.outcome == "退回").unwrap();
    assert_eq!(returned.signature, "李四");
    assert_eq!(returned.opinion.as_deref(), Some("请补充政策依据"));

    // The drafter sends it again; the same reviewer gets it.
    env.approve("zhang", &flow, None);
    env.task_of("li", &flow);
}

#[test]
fn countersign_of_a_joint_document_needs_every_issuer() {
    let mut env = Env::new();
    for (id, name, organ) in [
        ("ma", "马局长", "鹤山市应急管理局"),
        ("niu", "牛局长", "鹤山市住房和城乡建设局"),
    ] {
        env.client
            .add_person(&Person {
                id: id.into(),
                name: name.into(),
                organ: organ.into(),
                dept: "领导".into(),
                roles: vec!["主要负责人".into()],
            })
            .unwrap();
    }
    let draft = env.draft("joint-notice.json");
    let out = env.as_user("zhang").submit_draft(&draft, None).unwrap();
    assert_eq!(out.route, "联合发文");
    let flow = out.flow_id;
    env.approve("li", &flow, None);
    env.approve("wang", &flow, None);

    let view = env.client.flow_view(&flow).unwrap();
    let sign = view.steps.iter().find(|s| s.name == "签发").unwrap();
    assert_eq!(sign.mode, "会签");
    assert_eq!(sign.state, "current");

    env.approve("ma", &flow, Some("同意"));
    // One of two: still at 签发, 牛局长 still has the task.
    assert_eq!(
        env.client.flow_view(&flow).unwrap().now_at,
        "签发（牛局长）"
    );
    env.approve("niu", &flow, Some("同意会签"));
    assert_eq!(env.client.flow_view(&flow).unwrap().now_at, "复核（钱七）");
}

#[test]
fn any_of_step_withdraws_the_other_handlers_task() {
    let mut env = Env::new();
    env.client
        .add_person(&Person {
            id: "feng".into(),
            name: "冯二".into(),
            organ: ORGAN.into(),
            dept: "办公室".into(),
            roles: vec!["核稿人".into()],
        })
        .unwrap();
    let draft = env.draft("notice-full.json");
    let flow = env
        .as_user("zhang")
        .submit_draft(&draft, None)
        .unwrap()
        .flow_id;
    for (user, op) in [("li", None), ("wang", None), ("zhao", Some("同意"))] {
        env.approve(user, &flow, op);
    }
    // 复核 is 或签: both checkers have it.
    let qian_task = env.task_of("qian", &flow);
    env.task_of("feng", &flow);
    env.approve("feng", &flow, Some("核稿无误"));

    // 钱七's task left the 待办 and shows, withdrawn with the reason, in 已办.
    assert!(env.todo("qian").is_empty());
    let done = env
        .as_user("qian")
        .queue(QueueKind::Done, &QueueFilter::default(), 0, 20)
        .unwrap();
    assert_eq!(done.items.len(), 1);
    assert_eq!(done.items[0].task_id.as_deref(), Some(qian_task.as_str()));
    assert_eq!(done.items[0].status, "withdrawn");
    assert_eq!(
        done.items[0].withdraw_cause.as_deref(),
        Some("或签环节已由其他办理人处理")
    );
    // Acting on it now is refused.
    let view = env.client.task_view(&qian_task).unwrap();
    let err = env
        .client
        .act(
            &qian_task,
            "approve",
            None,
            None,
            None,
            Some(&view.content_hash),
        )
        .unwrap_err();
    assert_eq!(err.code(), "task_withdrawn", "{err}");
}

#[test]
fn sender_withdraws_while_the_next_handler_has_not_acted() {
    let mut env = Env::new();
    let draft = env.draft("notice-full.json");
    let flow = env
        .as_user("zhang")
        .submit_draft(&draft, None)
        .unwrap()
        .flow_id;
    env.approve("li", &flow, Some("同意"));
    let wang_task = env.task_of("wang", &flow);

    let out = env
        .as_user("li")
        .act(&flow, "withdraw", Some("还需修改"), None, None, None)
        .unwrap();
    assert_eq!(out.action, "撤回");
    assert!(env.todo("wang").is_empty(), "王五's task is waiting again");
    // It was never acted on: it left 王五's queues altogether (串签: back to waiting).
    assert!(
        env.as_user("wang")
            .queue(QueueKind::Done, &QueueFilter::default(), 0, 20)
            .unwrap()
            .items
            .is_empty()
    );
    let view = env.client.flow_view(&flow).unwrap();
    let recalled = view.steps[1]
        .handlers
        .iter()
        .find(|h| h.person == "wang")
        .unwrap();
    assert_eq!(recalled.status, "waiting");
    // 李四 has the task again and can act again; 王五 gets the same task back.
    env.task_of("li", &flow);
    env.approve("li", &flow, None);
    assert_eq!(env.task_of("wang", &flow), wang_task);
    // Now 王五 acted nothing yet, but 李四 cannot withdraw twice after 王五 acts.
    env.approve("wang", &flow, None);
    let err = env
        .as_user("li")
        .act(&flow, "withdraw", None, None, None, None)
        .unwrap_err();
    assert_eq!(err.code(), "withdraw_not_allowed", "{err}");
}

#[test]
fn add_handler_and_transfer() {
    let mut env = Env::new();
    let draft = env.draft("notice-full.json");
    let flow = env
        .as_user("zhang")
        .submit_draft(&draft, None)
        .unwrap()
        .flow_id;
    let task = env.task_of("li", &flow);
    // 加签 by name, after oneself: 李四 approves, then 郑一, then 王五.
    env.client
        .act(
            &task,
            "add-handler",
            Some("请郑一核对数据"),
            Some("郑一"),
            None,
            None,
        )
        .unwrap();
    env.approve("li", &flow, None);
    let zheng = env.task_of("zheng", &flow);
    // 转办 to 孙八.
    env.client
        .act(
            &zheng,
            "transfer",
            Some("请孙八代为核对"),
            Some("sun"),
            None,
            None,
        )
        .unwrap();
    assert!(env.todo("zheng").is_empty());
    env.approve("sun", &flow, Some("数据无误"));
    env.task_of("wang", &flow);
    let view = env.client.flow_view(&flow).unwrap();
    let outcomes: Vec<(&str, &str)> = view
        .opinions
        .iter()
        .map(|o| (o.signature.as_str(), o.outcome.as_str()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("张三", "同意"),
            ("李四", "同意"),
            ("郑一", "转办"),
            ("孙八", "同意")
        ]
    );
}

#[test]
fn terminate_by_the_owner_ends_the_flow_and_empties_the_queues() {
    let mut env = Env::new();
    let draft = env.draft("notice-full.json");
    let flow = env
        .as_user("zhang")
        .submit_draft(&draft, None)
        .unwrap()
        .flow_id;
    let err = env
        .as_user("li")
        .act(&flow, "terminate", Some("不需要了"), None, None, None)
        .unwrap_err();
    assert_eq!(err.code(), "not_owner", "{err}");
    let out = env
        .as_user("zhang")
        .act(
            &flow,
            "terminate",
            Some("情况有变，不再发文"),
            None,
            None,
            None,
        )
        .unwrap();
    assert_eq!(out.status, "已终止");
    assert!(env.todo("li").is_empty());
    // The document may be submitted again.
    let again = env.as_user("zhang").submit_draft(&draft, None).unwrap();
    assert_ne!(again.flow_id, flow);
}
