//! 催办 reaches the reminded handler: the Reminded event is part of the flow data the
//! server publishes to the members' `user:{login}` buckets (the handler's among them),
//! and never to anyone outside the document.

#[allow(dead_code)]
#[path = "support/mod.rs"]
mod common;

use std::collections::BTreeMap;

use axum::http::StatusCode;
use common::TestServer;
use gongwen_domain::workflow::{EventKind, Flow, Mode, PersonId, Route, Step, StepKind};
use gongwen_protocol::PROTOCOL_VERSION;
use gongwen_protocol::sync::{
    Mutation, MutationStatus, OpKind, PushRequest, PushResponse, SCHEMA_VERSION, kinds,
};
use serde_json::{Value, json};

fn mutation(seq: i64, n: u64, name: &str, args: Value) -> Mutation {
    Mutation {
        seq,
        id: format!("0190f3c2-0000-7000-8000-{n:012x}"),
        name: name.into(),
        args,
        client_time: None,
        blob_deps: vec![],
    }
}

fn act(seq: i64, n: u64, actor: &str, action: Value) -> Mutation {
    let mut command = json!({"actor": actor, "seen_hash": "sha256:aa"});
    for (k, v) in action.as_object().unwrap() {
        command[k] = v.clone();
    }
    mutation(
        seq,
        n,
        "flow.act.v1",
        json!({"flow": "F-remind", "command": command, "clientTime": "2026-03-02T09:00:00+08:00"}),
    )
}

async fn push(s: &TestServer, token: &str, client: &str, mutations: Vec<Mutation>) {
    let r = s
        .post(
            "/v1/sync/push",
            Some(token),
            &PushRequest {
                protocol: PROTOCOL_VERSION,
                schema_version: SCHEMA_VERSION,
                client_id: client.into(),
                mutations,
            },
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let resp: PushResponse = r.json();
    assert!(
        resp.results
            .iter()
            .all(|x| x.status == MutationStatus::Applied),
        "{resp:?}"
    );
}

/// The flows a login's pull brings, newest PUT per flow, from any bucket.
async fn flows_seen(s: &TestServer, login: &str) -> BTreeMap<String, Flow> {
    let token = s.token(login).await;
    let mut cursors = BTreeMap::new();
    let ops = s
        .pull_all(&token, &format!("c-pull-{login}"), &mut cursors)
        .await;
    let mut out = BTreeMap::new();
    for op in ops.into_values().flatten() {
        if op.kind == kinds::FLOW && op.op == OpKind::Put {
            let data = op
                .parse_data::<serde_json::Value>()
                .expect("a PUT carries data");
            let flow: Flow = serde_json::from_value(data["flow"].clone()).unwrap();
            out.insert(op.id.clone(), flow);
        }
    }
    out
}

fn reminders(flow: &Flow) -> Vec<(String, Vec<String>, Option<String>)> {
    flow.history
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Reminded { tasks, message } => Some((
                e.actor.0.clone(),
                tasks.iter().map(|t| t.0.clone()).collect(),
                message.clone(),
            )),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_reminder_reaches_the_handlers_bucket_and_nobody_elses() {
    let s = TestServer::start().await;
    s.seed().await;
    // clerk (鹤府办) starts a flow whose 签发 is leader's; office_admin is of the same
    // organ but no member of the document, drafter of another organ.
    let clerk = s.token("clerk").await;
    let route = Route {
        name: "测试发文".into(),
        steps: vec![
            Step::new(
                StepKind::Draft,
                Mode::Sequential,
                vec![PersonId::from("clerk")],
            ),
            Step::new(
                StepKind::Sign,
                Mode::Sequential,
                vec![PersonId::from("leader")],
            ),
        ],
    };
    push(
        &s,
        &clerk,
        "c-clerk",
        vec![mutation(
            1,
            1,
            "flow.start.v1",
            json!({
                "flow": "F-remind", "kind": "outgoing", "owner": "clerk", "documentId": "D-remind",
                "docVersion": null, "title": "关于催办的通知", "docType": "通知", "urgency": null,
                "fromOrgan": "鹤府办", "contentHash": "sha256:aa", "route": route,
                "clientTime": "2026-03-02T09:00:00+08:00",
            }),
        )],
    )
    .await;
    let flow = &flows_seen(&s, "clerk").await["F-remind"];
    let draft_task = flow.open_tasks().next().unwrap().id.0.clone();
    push(
        &s,
        &clerk,
        "c-clerk",
        vec![act(
            2,
            2,
            "clerk",
            json!({"action": "approve", "task": draft_task}),
        )],
    )
    .await;
    // Before the reminder the leader's copy has none.
    let before = flows_seen(&s, "leader").await;
    let leader_task = before["F-remind"]
        .open_tasks()
        .find(|t| t.assignee.0 == "leader")
        .unwrap()
        .id
        .0
        .clone();
    assert!(reminders(&before["F-remind"]).is_empty());

    // 催办, by the owner, offline-first like any other command.
    push(
        &s,
        &clerk,
        "c-clerk",
        vec![act(
            3,
            3,
            "clerk",
            json!({"action": "remind", "task": leader_task, "message": "请尽快签发"}),
        )],
    )
    .await;

    let leader = flows_seen(&s, "leader").await;
    assert_eq!(
        reminders(&leader["F-remind"]),
        vec![(
            "clerk".to_owned(),
            vec![leader_task.clone()],
            Some("请尽快签发".to_owned())
        )],
        "the reminder is in the flow data of the handler's bucket"
    );
    // The sender's own devices see it in the flow's history too.
    assert_eq!(
        reminders(&flows_seen(&s, "clerk").await["F-remind"]).len(),
        1
    );
    // Nobody outside the document gets the flow at all.
    for outsider in ["office_admin", "drafter", "other_admin"] {
        assert!(
            flows_seen(&s, outsider).await.is_empty(),
            "{outsider} must not receive the flow"
        );
    }
}
