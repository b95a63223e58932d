//! The queues: 待办 order (overdue, then 特急/加急, then age), filters, pages, 督办, counts.

use gongwen_client::flow::{QueueFilter, QueueKind};
use gongwen_domain::document::Urgency;

use crate::common::{Env, raw};

fn titles(items: &[gongwen_client::flow::QueueItem]) -> Vec<&str> {
    items.iter().map(|i| i.title.as_str()).collect()
}

/// Three documents reach 李四 an hour apart: 甲 (no urgency), 乙 (特急), 丙 (加急).
fn three(env: &mut Env) {
    for (title, urgency) in [
        ("甲", None),
        ("乙", Some(Urgency::Immediate)),
        ("丙", Some(Urgency::Urgent)),
    ] {
        let draft = env.draft_with(|d| {
            d.title = title.into();
            d.urgency = urgency;
        });
        env.as_user("zhang").submit_draft(&draft, None).unwrap();
        env.clock.advance_hours(1);
    }
}

#[test]
fn todo_puts_overdue_first_then_urgency_then_age() {
    let mut env = Env::new();
    three(&mut env);
    let todo = env.todo("li");
    assert_eq!(titles(&todo), ["乙", "丙", "甲"]);
    assert!(todo.iter().all(|i| !i.overdue && i.due_at.is_some()));
    assert_eq!(todo[0].urgency.as_deref(), Some("特急"));

    // 审核 has a 48-hour limit: 甲 (the oldest) is overdue first and goes to the top.
    env.clock.advance_hours(46);
    let todo = env.todo("li");
    assert_eq!(titles(&todo), ["甲", "乙", "丙"]);
    assert!(todo[0].overdue && !todo[1].overdue);
    // All overdue: urgency decides again among them.
    env.clock.advance_hours(10);
    assert_eq!(titles(&env.todo("li")), ["乙", "丙", "甲"]);
    // The clock going back (skewed) clears the flags again.
    env.clock.advance_hours(-56);
    assert!(env.todo("li").iter().all(|i| !i.overdue));
}

#[test]
fn filters_and_pages() {
    let mut env = Env::new();
    three(&mut env);
    let c = env.as_user("li");
    let q = |f: QueueFilter| {
        c.queue(QueueKind::Todo, &f, 0, 50)
            .unwrap()
            .items
            .into_iter()
            .map(|i| i.title)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        q(QueueFilter {
            urgency: Some("加急".into()),
            ..Default::default()
        }),
        ["丙"]
    );
    assert_eq!(
        q(QueueFilter {
            urgency: Some("普通".into()),
            ..Default::default()
        }),
        ["甲"]
    );
    assert_eq!(
        q(QueueFilter {
            text: Some("乙".into()),
            ..Default::default()
        }),
        ["乙"]
    );
    assert_eq!(
        q(QueueFilter {
            text: Some("%".into()),
            ..Default::default()
        }),
        Vec::<String>::new()
    );
    assert_eq!(
        q(QueueFilter {
            doc_type: Some("通知".into()),
            ..Default::default()
        })
        .len(),
        3
    );
    assert!(
        q(QueueFilter {
            doc_type: Some("请示".into()),
            ..Default::default()
        })
        .is_empty()
    );
    assert_eq!(
        q(QueueFilter {
            from_organ: Some("鹤山市人民政府".into()),
            ..Default::default()
        })
        .len(),
        3
    );
    assert_eq!(
        q(QueueFilter {
            date_from: Some("2026-03-02".into()),
            date_to: Some("2026-03-02".into()),
            ..Default::default()
        })
        .len(),
        3
    );
    assert!(
        q(QueueFilter {
            date_from: Some("2026-03-03".into()),
            ..Default::default()
        })
        .is_empty()
    );
    let err = c
        .queue(
            QueueKind::Todo,
            &QueueFilter {
                date_from: Some("3月2日".into()),
                ..Default::default()
            },
            0,
            10,
        )
        .unwrap_err();
    assert_eq!(err.code(), "invalid_argument");
    assert!(err.to_string().contains("YYYY-MM-DD"), "{err}");
    let err = c
        .queue(
            QueueKind::Todo,
            &QueueFilter {
                urgency: Some("很急".into()),
                ..Default::default()
            },
            0,
            10,
        )
        .unwrap_err();
    assert!(err.to_string().contains("特急"), "{err}");

    let first = c
        .queue(QueueKind::Todo, &QueueFilter::default(), 0, 2)
        .unwrap();
    assert!(first.has_more);
    assert_eq!(titles(&first.items), ["乙", "丙"]);
    let second = c
        .queue(QueueKind::Todo, &QueueFilter::default(), 2, 2)
        .unwrap();
    assert!(!second.has_more);
    assert_eq!(titles(&second.items), ["甲"]);
}

#[test]
fn supervision_lists_the_departments_overdue_tasks() {
    let mut env = Env::new();
    three(&mut env);
    assert!(
        env.as_user("wang")
            .queue(QueueKind::Overdue, &QueueFilter::default(), 0, 10)
            .unwrap()
            .items
            .is_empty()
    );
    env.clock.advance_hours(60);
    // 王五 (办公室主任) supervises 办公室: 李四's three overdue tasks.
    let page = env
        .as_user("wang")
        .queue(QueueKind::Overdue, &QueueFilter::default(), 0, 10)
        .unwrap();
    assert_eq!(page.items.len(), 3);
    assert!(
        page.items
            .iter()
            .all(|i| i.assignee.as_deref() == Some("li") && i.overdue)
    );
    assert_eq!(env.client.flow_counts().unwrap().overdue, 3);
    // 张三 (no supervising role, another department) sees only his own: none.
    assert!(
        env.as_user("zhang")
            .queue(QueueKind::Overdue, &QueueFilter::default(), 0, 10)
            .unwrap()
            .items
            .is_empty()
    );
    // 李四 sees his own.
    assert_eq!(env.as_user("li").flow_counts().unwrap().overdue, 3);
    // 催办 by the supervisor is logged in the flow.
    let task = env.todo("li")[0].task_id.clone().unwrap();
    env.as_user("wang")
        .act(&task, "remind", Some("请尽快办理"), None, None, None)
        .unwrap();
    env.client.verify_audit().unwrap();
}

#[test]
fn counts_follow_the_queues() {
    let mut env = Env::new();
    three(&mut env);
    let counts = env.as_user("li").flow_counts().unwrap();
    assert_eq!(
        (counts.todo, counts.done, counts.toread, counts.overdue),
        (3, 0, 0, 0)
    );
    assert_eq!(env.client.queue_counts().unwrap().todo, 3);
    let flow = env.todo("li")[0].flow_id.clone();
    env.approve("li", &flow, None);
    let counts = env.client.flow_counts().unwrap();
    assert_eq!((counts.todo, counts.done), (2, 1));
    let nav = env.client.queue_counts().unwrap();
    assert_eq!((nav.todo, nav.done), (2, 1));
    assert_eq!(env.as_user("zhang").flow_counts().unwrap().sent, 3);
}

/// 在办 and 已办 show the 文号 once 登记 has given one (the sync writes it on the draft
/// row, sync/apply.rs), and none before.
#[test]
fn sent_and_done_show_the_doc_number_once_registered() {
    let mut env = Env::new();
    let draft = env.draft_with(|d| {
        d.title = "关于做好春耕备耕工作的通知".into();
        d.doc_number = None;
    });
    let flow = env
        .as_user("zhang")
        .submit_draft(&draft, None)
        .unwrap()
        .flow_id;
    env.approve("li", &flow, Some("同意。"));
    let first = |env: &mut Env, user: &str, kind: QueueKind| {
        let items = env
            .as_user(user)
            .queue(kind, &QueueFilter::default(), 0, 50)
            .unwrap()
            .items;
        assert_eq!(items.len(), 1, "{user} {kind:?}: {items:#?}");
        items.into_iter().next().unwrap()
    };
    assert_eq!(first(&mut env, "zhang", QueueKind::Sent).doc_number, None);
    assert_eq!(first(&mut env, "li", QueueKind::Done).doc_number, None);
    assert_eq!(first(&mut env, "wang", QueueKind::Todo).doc_number, None);

    raw(env.dir.path())
        .execute(
            "UPDATE drafts SET doc_number = '鹤府〔2026〕12号' WHERE id = ?1",
            [&draft],
        )
        .unwrap();
    let sent = first(&mut env, "zhang", QueueKind::Sent);
    assert_eq!(sent.doc_number.as_deref(), Some("鹤府〔2026〕12号"));
    assert_eq!(sent.flow_id, flow);
    assert_eq!(
        first(&mut env, "li", QueueKind::Done).doc_number.as_deref(),
        Some("鹤府〔2026〕12号")
    );
    assert_eq!(
        first(&mut env, "wang", QueueKind::Todo)
            .doc_number
            .as_deref(),
        Some("鹤府〔2026〕12号")
    );
}
