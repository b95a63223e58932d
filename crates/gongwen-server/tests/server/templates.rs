//! Per-organ route templates and delegations through the admin HTTP API: who may
//! change them, what devices pull (`route_template` ops in the organ bucket,
//! `delegation` ops in both users' buckets), the audit records, and the flow replay
//! accepting a route instantiated from an organ's template.

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode};
use gongwen_domain::workflow::template::{DocFacts, HandlerSpec, RouteTemplate, StepTemplate};
use gongwen_domain::workflow::{FlowKind, Mode, PersonId, StepKind};
use gongwen_protocol::PROTOCOL_VERSION;
use gongwen_protocol::auth::Me;
use gongwen_protocol::directory::{Delegation, NewDelegation, NewUser, Role};
use gongwen_protocol::sync::{
    DelegationData, Mutation, MutationStatus, Op, OpKind, PushRequest, PushResponse,
    SCHEMA_VERSION, kinds,
};
use gongwen_server::directory::templates::{OrganRouteTemplate, SetRouteTemplate};
use gongwen_server::{audit, directory};
use serde_json::json;

use crate::common::{PASSWORD, TestServer};

/// 鹤府办's own 发文 route: drafter, then the 核稿人 role, then the signer role.
fn office_template(name: &str) -> RouteTemplate {
    let role = |r: &str| HandlerSpec::Role { role: r.into() };
    RouteTemplate {
        name: name.into(),
        kind: FlowKind::Outgoing,
        applies_to: Default::default(),
        steps: vec![
            StepTemplate::new(StepKind::Draft, Mode::Sequential, vec![HandlerSpec::Owner]),
            StepTemplate::new(StepKind::Review, Mode::Sequential, vec![role("核稿人")])
                .with_limit_hours(24),
            StepTemplate::new(StepKind::Sign, Mode::Sequential, vec![role("签发人")]),
        ],
    }
}

fn ops_of<'a>(ops: &'a BTreeMap<String, Vec<Op>>, bucket: &str, kind: &str) -> Vec<&'a Op> {
    ops.get(bucket)
        .map(|v| v.iter().filter(|o| o.kind == kind).collect())
        .unwrap_or_default()
}

async fn delete(s: &TestServer, path: &str, token: &str) -> crate::common::Resp {
    s.raw(Method::DELETE, path, Some(token), Vec::new(), None)
        .await
}

#[tokio::test]
async fn organ_templates_are_set_listed_removed_and_pulled_by_the_organ() {
    let s = TestServer::start().await;
    s.seed().await;
    let admin = s.login("office_admin", PASSWORD).await.access_token;
    let clerk = s.login("clerk", PASSWORD).await.access_token;
    let far_admin = s.login("other_admin", PASSWORD).await.access_token;
    let town = s.login("drafter", PASSWORD).await.access_token;

    let set = |name: &str| SetRouteTemplate {
        organ: "鹤府办".into(),
        template: office_template(name),
    };
    let r = s
        .post(
            "/v1/admin/route-templates",
            Some(&admin),
            &set("办公室发文"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let stored: OrganRouteTemplate = r.json();
    assert_eq!(stored.version, 1);
    assert_eq!(stored.updated_by, "office_admin");
    // Setting it again replaces it with the next version.
    let mut changed = set("办公室发文");
    changed.template.steps[1].limit_hours = Some(48);
    let r = s
        .post("/v1/admin/route-templates", Some(&admin), &changed)
        .await;
    assert_eq!(r.json::<OrganRouteTemplate>().version, 2);
    // An administrator above the organ may set it too (鹤府 ⊃ 鹤府办).
    let city = s.login("city_admin", PASSWORD).await.access_token;
    let r = s
        .post("/v1/admin/route-templates", Some(&city), &set("市府代拟"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    // Members of the organ read the list; other organs do not learn of it.
    let r = s
        .get("/v1/admin/route-templates?organ=鹤府办", Some(&clerk))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let list: Vec<OrganRouteTemplate> = r.json();
    let names: Vec<_> = list.iter().map(|t| t.template.name.as_str()).collect();
    assert_eq!(names, ["办公室发文", "市府代拟"]);
    assert_eq!(list[0].template.steps[1].limit_hours, Some(48));
    s.get("/v1/admin/route-templates?organ=鹤府办", Some(&town))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    // Without ?organ: the caller's own organ.
    let own: Vec<OrganRouteTemplate> = s
        .get("/v1/admin/route-templates", Some(&clerk))
        .await
        .json();
    assert_eq!(own.len(), 2);

    // Only administrators of the organ change it.
    s.post("/v1/admin/route-templates", Some(&clerk), &set("越权"))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    s.post("/v1/admin/route-templates", Some(&far_admin), &set("越权"))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    // Bad templates are refused with what is wrong.
    let mut empty = set("空模板");
    empty.template.steps.clear();
    let e = s
        .post("/v1/admin/route-templates", Some(&admin), &empty)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request");
    assert!(e.message.contains("没有任何环节"), "{}", e.message);
    let mut unknown = set("未知机关");
    unknown.organ = "不存在".into();
    s.post("/v1/admin/route-templates", Some(&admin), &unknown)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");

    // Removing: once; then it is gone from the list.
    let path = "/v1/admin/route-templates?organ=鹤府办&name=市府代拟";
    delete(&s, path, &clerk)
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        delete(&s, path, &admin).await.status,
        StatusCode::NO_CONTENT
    );
    delete(&s, path, &admin)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    let list: Vec<OrganRouteTemplate> = s
        .get("/v1/admin/route-templates?organ=鹤府办", Some(&clerk))
        .await
        .json();
    assert_eq!(list.len(), 1);

    // The organ's devices pull every change, in order; other organs see none.
    let mut cursors = BTreeMap::new();
    let ops = s.pull_all(&clerk, "clerk-device", &mut cursors).await;
    let tpl_ops = ops_of(&ops, "organ:鹤府办", kinds::ROUTE_TEMPLATE);
    let seen: Vec<_> = tpl_ops
        .iter()
        .map(|o| (o.op, o.id.as_str(), o.version))
        .collect();
    assert_eq!(
        seen,
        [
            (OpKind::Put, "办公室发文", 1),
            (OpKind::Put, "办公室发文", 2),
            (OpKind::Put, "市府代拟", 1),
            (OpKind::Remove, "市府代拟", 2),
        ]
    );
    let latest: RouteTemplate =
        serde_json::from_value(tpl_ops[1].parse_data::<serde_json::Value>().unwrap()).unwrap();
    assert_eq!(latest, changed.template);
    let mut cursors = BTreeMap::new();
    let town_ops = s.pull_all(&town, "town-device", &mut cursors).await;
    assert!(
        town_ops
            .values()
            .flatten()
            .all(|o| o.kind != kinds::ROUTE_TEMPLATE)
    );

    // Every change is on the audit chain, which still verifies.
    let pool = s.pool().await;
    let client = pool.get().await.unwrap();
    let actions: Vec<String> = client
        .query(
            "SELECT action FROM audit_log WHERE action LIKE 'route_template.%' ORDER BY seq",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        actions,
        [
            "route_template.set",
            "route_template.set",
            "route_template.set",
            "route_template.remove"
        ]
    );
    assert!(audit::verify(&client).await.unwrap().is_ok());
}

/// A route instantiated from the organ's template, with its roles resolved against
/// the directory, is what the client pushes at 送审: the server accepts and runs it.
#[tokio::test]
async fn the_flow_replay_accepts_a_route_from_the_organ_template() {
    let s = TestServer::start().await;
    s.seed().await;
    {
        let pool = s.pool().await;
        let client = pool.get().await.unwrap();
        let hash = gongwen_server::auth::password::hash(PASSWORD).unwrap();
        for (login, roles) in [
            ("writer", vec![Role::Drafter]),
            ("checker", vec![Role::Reviewer]),
        ] {
            directory::create_user(
                &client,
                &NewUser {
                    login: login.into(),
                    display_name: None,
                    organ: "鹤府办".into(),
                    department: None,
                    roles,
                    password: None,
                },
                Some(&hash),
            )
            .await
            .unwrap();
        }
    }
    let admin = s.login("office_admin", PASSWORD).await.access_token;
    let r = s
        .post(
            "/v1/admin/route-templates",
            Some(&admin),
            &SetRouteTemplate {
                organ: "鹤府办".into(),
                template: office_template("办公室发文"),
            },
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    // The writer's device got the template from its organ bucket and instantiates it.
    let writer = s.login("writer", PASSWORD).await.access_token;
    let mut cursors = BTreeMap::new();
    let ops = s.pull_all(&writer, "writer-device", &mut cursors).await;
    let op = ops_of(&ops, "organ:鹤府办", kinds::ROUTE_TEMPLATE)[0];
    let template: RouteTemplate =
        serde_json::from_value(op.parse_data::<serde_json::Value>().unwrap()).unwrap();
    let resolve = |role: &str, _organ: Option<&str>| match role {
        "核稿人" => vec![PersonId::from("checker")],
        "签发人" => vec![PersonId::from("leader")],
        _ => vec![],
    };
    let route = template
        .instantiate(&DocFacts::default(), &PersonId::from("writer"), &resolve)
        .unwrap();
    assert_eq!(route.name, "办公室发文");

    let start = Mutation {
        seq: 1,
        id: "0190f3c2-0000-7000-8000-00000000a001".into(),
        name: "flow.start.v1".into(),
        args: json!({
            "flow": "F-TPL-1", "kind": "outgoing", "owner": "writer", "documentId": "D-TPL-1",
            "docVersion": null, "title": "关于按机关模板送审的通知", "docType": "通知",
            "urgency": null, "fromOrgan": "鹤府办", "contentHash": "sha256:aa", "route": route,
        }),
        client_time: None,
        blob_deps: vec![],
    };
    let r = s
        .post(
            "/v1/sync/push",
            Some(&writer),
            &PushRequest {
                protocol: PROTOCOL_VERSION,
                schema_version: SCHEMA_VERSION,
                client_id: "writer-device".into(),
                mutations: vec![start],
            },
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let answer: PushResponse = r.json();
    assert_eq!(
        answer.results[0].status,
        MutationStatus::Applied,
        "{:?}",
        answer.results[0]
    );
    // The flow runs the template's route (the draft step is the writer's own).
    let ops = s.pull_all(&writer, "writer-device", &mut cursors).await;
    let flow = ops_of(&ops, "user:writer", kinds::FLOW)[0];
    let data = flow.parse_data::<serde_json::Value>().unwrap();
    let steps = data["flow"]["route"]["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 3);
    assert_eq!(steps[1]["handlers"], json!(["checker"]));
    assert_eq!(data["route_name"], "办公室发文");
}

#[tokio::test]
async fn delegations_are_created_revoked_and_pulled_by_both_people() {
    let s = TestServer::start().await;
    s.seed().await;
    let admin = s.login("office_admin", PASSWORD).await.access_token;
    let now = time::OffsetDateTime::now_utc();
    let fmt = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let new = NewDelegation {
        from: "leader".into(),
        to: "clerk".into(),
        role: None,
        starts_at: fmt(now - time::Duration::hours(1)),
        ends_at: fmt(now + time::Duration::days(7)),
    };
    // Another organ's administrator may not record it.
    let far_admin = s.login("other_admin", PASSWORD).await.access_token;
    s.post("/v1/admin/delegations", Some(&far_admin), &new)
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    let mut admin_role = new.clone();
    admin_role.role = Some(Role::Admin);
    s.post("/v1/admin/delegations", Some(&admin), &admin_role)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request");

    let r = s.post("/v1/admin/delegations", Some(&admin), &new).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let created: Delegation = r.json();

    // In force: the delegate's session carries the delegator's roles.
    let clerk = s.login("clerk", PASSWORD).await.access_token;
    let me: Me = s.get("/v1/auth/me", Some(&clerk)).await.json();
    assert!(me.delegated_roles.contains(&Role::Signer), "{me:?}");

    // Both people's devices get it, with display names.
    let leader = s.login("leader", PASSWORD).await.access_token;
    let mut leader_cursors = BTreeMap::new();
    let mut clerk_cursors = BTreeMap::new();
    for (token, device, cursors, bucket) in [
        (&leader, "leader-device", &mut leader_cursors, "user:leader"),
        (&clerk, "clerk-device", &mut clerk_cursors, "user:clerk"),
    ] {
        let ops = s.pull_all(token, device, cursors).await;
        let d = ops_of(&ops, bucket, kinds::DELEGATION);
        assert_eq!(d.len(), 1, "{bucket}: {d:?}");
        assert_eq!(d[0].id, created.id.to_string());
        assert_eq!(d[0].version, 1);
        let data: DelegationData =
            serde_json::from_value(d[0].parse_data::<serde_json::Value>().unwrap()).unwrap();
        assert_eq!(
            (data.from_login.as_str(), data.to_login.as_str()),
            ("leader", "clerk")
        );
        assert!(data.is_whole());
        assert!(!data.revoked);
    }

    // Revoking: another organ's administrator does not learn it exists.
    let path = format!("/v1/admin/delegations/{}/revoke", created.id);
    s.post(&path, Some(&far_admin), &json!({}))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    s.post(
        "/v1/admin/delegations/999999/revoke",
        Some(&admin),
        &json!({}),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "not_found");
    let r = s.post(&path, Some(&admin), &json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.json::<DelegationData>().revoked);
    s.post(&path, Some(&admin), &json!({}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request");

    // No longer in force, no longer listed, and both devices are told.
    let me: Me = s.get("/v1/auth/me", Some(&clerk)).await.json();
    assert!(me.delegated_roles.is_empty(), "{me:?}");
    let list: Vec<Delegation> = s
        .get("/v1/admin/delegations?organ=鹤府办", Some(&admin))
        .await
        .json();
    assert!(list.is_empty(), "{list:?}");
    for (token, device, cursors, bucket) in [
        (&leader, "leader-device", &mut leader_cursors, "user:leader"),
        (&clerk, "clerk-device", &mut clerk_cursors, "user:clerk"),
    ] {
        let ops = s.pull_all(token, device, cursors).await;
        let d = ops_of(&ops, bucket, kinds::DELEGATION);
        assert_eq!(d.len(), 1, "{bucket}: {d:?}");
        assert_eq!((d[0].op, d[0].version), (OpKind::Put, 2));
        let data: DelegationData =
            serde_json::from_value(d[0].parse_data::<serde_json::Value>().unwrap()).unwrap();
        assert!(data.revoked);
    }

    let pool = s.pool().await;
    let client = pool.get().await.unwrap();
    let n: i64 = client
        .query_one(
            "SELECT count(*) FROM audit_log WHERE action IN ('delegation.create', 'delegation.revoke')",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 2);
    assert!(audit::verify(&client).await.unwrap().is_ok());
}
