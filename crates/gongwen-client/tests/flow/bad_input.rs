//! Refused actions: a clear zh-CN message, and nothing written (state and outbox unchanged).

use crate::common::Env;

/// Submits a draft and lets 李四 hold the 审核 task. Returns (flow, 李四's task).
fn at_review(env: &mut Env) -> (String, String) {
    let draft = env.draft("notice-full.json");
    let flow = env
        .as_user("zhang")
        .submit_draft(&draft, None)
        .unwrap()
        .flow_id;
    let task = env.task_of("li", &flow);
    (flow, task)
}

#[test]
fn acting_on_someone_elses_task_is_refused() {
    let mut env = Env::new();
    let (_flow, task) = at_review(&mut env);
    let hash = env.client.task_view(&task).unwrap().content_hash;
    let before = env.snapshot();
    let err = env
        .as_user("wang")
        .act(&task, "approve", Some("同意"), None, None, Some(&hash))
        .unwrap_err();
    assert_eq!(err.code(), "not_your_task");
    assert_eq!(err.to_string(), "该任务不是您的待办，您无权处理");
    assert_eq!(env.snapshot(), before);
}

#[test]
fn acting_on_a_completed_task_names_who_did_it() {
    let mut env = Env::new();
    let (flow, task) = at_review(&mut env);
    env.approve("li", &flow, Some("同意"));
    let hash = env.client.task_view(&task).unwrap().content_hash;
    let before = env.snapshot();
    let err = env
        .as_user("li")
        .act(&task, "approve", Some("同意"), None, None, Some(&hash))
        .unwrap_err();
    assert_eq!(err.code(), "task_completed");
    assert!(err.to_string().contains("李四"), "{err}");
    assert!(err.to_string().contains("无需再次处理"), "{err}");
    assert_eq!(env.snapshot(), before);
}

#[test]
fn approving_a_stale_version_is_refused() {
    let mut env = Env::new();
    let (flow, task) = at_review(&mut env);
    let seen = env.client.task_view(&task).unwrap().content_hash;
    // The reviewer edits: a new version becomes the text under approval.
    let draft = env.client.flow_view(&flow).unwrap().document_id;
    let mut doc = env.client.open_draft(&draft).unwrap().document;
    doc.body.push_str("\n五、本通知自印发之日起施行。");
    env.client.save_draft(&draft, doc, None).unwrap();
    env.client
        .act(&task, "edit", Some("补充施行日期"), None, None, None)
        .unwrap();
    let current = env.client.task_view(&task).unwrap().content_hash;
    assert_ne!(current, seen);

    let before = env.snapshot();
    let err = env
        .client
        .act(&task, "approve", Some("同意"), None, None, Some(&seen))
        .unwrap_err();
    assert_eq!(err.code(), "stale_content");
    assert!(err.to_string().contains("不是当前版本"), "{err}");
    // Without any hash: refused too, with what to do.
    let err = env
        .client
        .act(&task, "approve", Some("同意"), None, None, None)
        .unwrap_err();
    assert_eq!(err.code(), "invalid_argument");
    assert!(err.to_string().contains("阅看"), "{err}");
    assert_eq!(env.snapshot(), before);
    // With the current hash it goes through.
    env.client
        .act(&task, "approve", None, None, None, Some(&current))
        .unwrap();
}

#[test]
fn return_without_a_reason_is_refused() {
    let mut env = Env::new();
    let (_flow, task) = at_review(&mut env);
    let before = env.snapshot();
    for reason in [None, Some("   ")] {
        let err = env
            .as_user("li")
            .act(&task, "return", reason, None, None, None)
            .unwrap_err();
        assert_eq!(err.code(), "reason_required");
        assert_eq!(err.to_string(), "退回必须填写理由");
    }
    assert_eq!(env.snapshot(), before);
}

#[test]
fn adding_an_unknown_person_is_refused() {
    let mut env = Env::new();
    let (_flow, task) = at_review(&mut env);
    let before = env.snapshot();
    let err = env
        .as_user("li")
        .act(&task, "add-handler", None, Some("nobody"), None, None)
        .unwrap_err();
    assert_eq!(err.code(), "unknown_person");
    assert!(err.to_string().contains("nobody"), "{err}");
    assert!(err.to_string().contains("通讯录"), "{err}");
    let err = env
        .client
        .act(&task, "add-handler", None, None, None, None)
        .unwrap_err();
    assert_eq!(err.code(), "invalid_argument");
    assert!(err.to_string().contains("加签须指定人员"), "{err}");
    assert_eq!(env.snapshot(), before);
}

#[test]
fn unknown_task_action_user_and_route_are_refused() {
    let mut env = Env::new();
    let (_flow, task) = at_review(&mut env);
    // Created before the snapshot: a draft save queues its own draft.save.v1 row.
    let draft = env.draft("notice-full.json");
    let before = env.snapshot();
    let err = env
        .as_user("li")
        .act("F-T99", "approve", None, None, None, None)
        .unwrap_err();
    assert_eq!(err.code(), "task_not_found");
    let err = env
        .client
        .act(&task, "sign", None, None, None, None)
        .unwrap_err();
    assert_eq!(err.code(), "unknown_action");
    assert!(err.to_string().contains("approve"), "{err}");
    let err = env
        .as_user("stranger")
        .act(&task, "remind", None, None, None, None)
        .unwrap_err();
    assert_eq!(err.code(), "unknown_user");
    let err = env
        .as_user("zhang")
        .submit_draft(&draft, Some("没有这个模板"))
        .unwrap_err();
    assert_eq!(err.code(), "unknown_route");
    assert!(err.to_string().contains("发文（一般）"), "{err}");
    assert_eq!(env.snapshot(), before);
}

#[test]
fn submitting_twice_or_without_handlers_is_refused() {
    let mut env = Env::new();
    let (_flow, _task) = at_review(&mut env);
    let draft = env.as_user("zhang").queue(
        gongwen_client::flow::QueueKind::Sent,
        &Default::default(),
        0,
        10,
    );
    let draft = draft.unwrap().items[0].document_id.clone();
    let before = env.snapshot();
    let err = env.as_user("zhang").submit_draft(&draft, None).unwrap_err();
    assert_eq!(err.code(), "already_submitted");
    // 上行文 needs a 主要负责人 in the drafter's organ; 重要发文 names one too. A route
    // whose role nobody holds is refused with the role named.
    env.client
        .add_person(&gongwen_client::flow::Person {
            id: "lonely".into(),
            name: "独行".into(),
            organ: "另一个机关".into(),
            dept: String::new(),
            roles: vec![],
        })
        .unwrap();
    let other = env.draft("notice-full.json");
    let before_other = env.snapshot();
    let err = env
        .as_user("lonely")
        .submit_draft(&other, None)
        .unwrap_err();
    assert_eq!(err.code(), "unresolved_handlers");
    assert!(err.to_string().contains("部门负责人"), "{err}");
    assert_eq!(env.snapshot(), before_other);
    let _ = before;
}
