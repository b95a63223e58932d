//! The organ's route templates and 委托, as sync stores them (rows written here the way
//! the pull side writes them): 送审 prefers the organ's templates; a delegate sees and
//! handles the delegator's tasks and signs as "X 代 Y".

use gongwen_client::flow::{QueueFilter, QueueKind, TemplateSource};
use gongwen_domain::workflow::template::{HandlerSpec, RouteTemplate, TemplateSet};

use crate::common::{Env, raw};

/// The standard 发文（一般） with its 审核 step reduced to the 办公室主任, renamed.
fn organ_template(name: &str) -> RouteTemplate {
    let mut t = TemplateSet::standard()
        .by_name("发文（一般）")
        .unwrap()
        .clone();
    t.name = name.to_owned();
    t.steps[1].handlers = vec![HandlerSpec::Role {
        role: "办公室主任".into(),
    }];
    t
}

fn put_template(env: &Env, t: &RouteTemplate) {
    raw(env.dir.path())
        .execute(
            "INSERT INTO route_templates (name, kind, template, updated_at)
             VALUES (?1, 'outgoing', ?2, '2026-03-01T00:00:00Z')
             ON CONFLICT (name) DO UPDATE SET template = excluded.template",
            rusqlite::params![t.name, serde_json::to_string(t).unwrap()],
        )
        .unwrap();
}

fn put_delegation(env: &Env, id: i64, from: (&str, &str), to: (&str, &str), roles: &str) {
    raw(env.dir.path())
        .execute(
            "INSERT INTO delegations (id, from_login, from_display, to_login, to_display,
                 starts_at, ends_at, roles, revoked, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, '2026-03-01T00:00:00Z', '2026-03-08T00:00:00Z', ?6, 0,
                 '2026-03-01T00:00:00Z')",
            rusqlite::params![id, from.0, from.1, to.0, to.1, roles],
        )
        .unwrap();
}

#[test]
fn submit_prefers_the_organs_template() {
    let mut env = Env::new();
    put_template(&env, &organ_template("发文（本机关）"));
    let d1 = env.draft("notice-full.json");
    let out = env.as_user("zhang").submit_draft(&d1, None).unwrap();
    assert_eq!(out.route, "发文（本机关）");
    assert_eq!(
        out.now_at, "审核（王五）",
        "the organ's 审核 has only the 办公室主任"
    );

    // The standard templates stay available by name.
    let d2 = env.draft("notice-full.json");
    let out = env.client.submit_draft(&d2, Some("发文（一般）")).unwrap();
    assert_eq!(out.now_at, "审核（李四）");

    // An organ template with a standard name shadows it.
    put_template(&env, &organ_template("发文（一般）"));
    let d3 = env.draft("notice-full.json");
    let out = env.client.submit_draft(&d3, Some("发文（一般）")).unwrap();
    assert_eq!(out.now_at, "审核（王五）");
    let listed = env.client.route_templates().unwrap();
    let general: Vec<_> = listed.iter().filter(|t| t.name == "发文（一般）").collect();
    assert_eq!(general.len(), 2);
    assert!(
        general
            .iter()
            .any(|t| t.source == TemplateSource::Organ && !t.shadowed)
    );
    assert!(
        general
            .iter()
            .any(|t| t.source == TemplateSource::Standard && t.shadowed)
    );
    assert_eq!(
        listed[0].source,
        TemplateSource::Organ,
        "organ templates first"
    );

    // Unknown names list both sets.
    let d4 = env.draft("notice-full.json");
    let e = env
        .client
        .submit_draft(&d4, Some("没有这个模板"))
        .unwrap_err();
    assert_eq!(e.code(), "unknown_route");
    assert!(
        e.to_string().contains("发文（本机关）") && e.to_string().contains("上行文发文"),
        "{e}"
    );

    // Removed by the organ: the standard set applies again.
    raw(env.dir.path())
        .execute_batch("DELETE FROM route_templates")
        .unwrap();
    let out = env.client.submit_draft(&d4, None).unwrap();
    assert_eq!(out.route, "发文（一般）");
    assert_eq!(out.now_at, "审核（李四）");
}

#[test]
fn a_delegate_handles_the_delegators_tasks_and_signs_for_them() {
    let mut env = Env::new();
    let draft = env.draft("notice-full.json");
    let flow = env
        .as_user("zhang")
        .submit_draft(&draft, None)
        .unwrap()
        .flow_id;
    // 李四 is away: 郑一 handles his tasks.
    put_delegation(&env, 7, ("li", "李四"), ("zheng", "郑一"), "[]");
    let todo = env.todo("zheng");
    assert_eq!(todo.len(), 1, "{todo:#?}");
    assert_eq!(todo[0].on_behalf_of.as_deref(), Some("李四"));
    assert_eq!(todo[0].assignee.as_deref(), Some("li"));
    assert_eq!(env.client.flow_counts().unwrap().todo, 1);
    assert_eq!(env.client.queue_counts().unwrap().todo, 1);
    let given = env.client.delegations().unwrap();
    assert_eq!(given.len(), 1);
    assert!(given[0].active && given[0].effective);
    assert_eq!(given[0].signature, "郑一 代 李四");

    // The delegator still sees the task as his own.
    let li = env.todo("li");
    assert_eq!(li.len(), 1);
    assert_eq!(li[0].on_behalf_of, None);

    env.approve("zheng", &flow, Some("同意（代）"));
    let view = env.client.flow_view(&flow).unwrap();
    let review = view
        .opinions
        .iter()
        .find(|o| o.step_name == "审核")
        .unwrap();
    assert_eq!(review.signature, "郑一 代 李四");
    assert_eq!(review.opinion.as_deref(), Some("同意（代）"));
    assert!(env.todo("li").is_empty(), "handled for him");
    assert!(env.todo("zheng").is_empty());
}

#[test]
fn revoked_expired_and_role_limited_delegations_do_not_hand_over_tasks() {
    let mut env = Env::new();
    let draft = env.draft("notice-full.json");
    env.as_user("zhang").submit_draft(&draft, None).unwrap();
    put_delegation(&env, 1, ("li", "李四"), ("zheng", "郑一"), r#"["signer"]"#);
    assert!(env.todo("zheng").is_empty(), "limited to a role");
    let listed = env.client.delegations().unwrap();
    assert!(listed[0].active && !listed[0].effective);

    put_delegation(&env, 2, ("li", "李四"), ("zheng", "郑一"), "[]");
    assert_eq!(env.todo("zheng").len(), 1);
    raw(env.dir.path())
        .execute("UPDATE delegations SET revoked = 1 WHERE id = 2", [])
        .unwrap();
    assert!(env.todo("zheng").is_empty(), "revoked");

    raw(env.dir.path())
        .execute("UPDATE delegations SET revoked = 0 WHERE id = 2", [])
        .unwrap();
    assert_eq!(env.todo("zheng").len(), 1);
    env.clock.advance_hours(24 * 7);
    assert!(env.todo("zheng").is_empty(), "ended");
    assert_eq!(
        env.client
            .queue(QueueKind::ToRead, &QueueFilter::default(), 0, 10)
            .unwrap()
            .items
            .len(),
        0
    );
}
