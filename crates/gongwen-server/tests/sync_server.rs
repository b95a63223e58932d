//! Sync, server side, against a real PostgreSQL: push (replay, gaps, terminal and
//! retryable rejections, idempotency ids, concurrent pushes), the workflow replayed
//! authoritatively (或签/串签 races, 登记 and its 文号), draft compare-and-set with
//! conflict copies, pull (paging, checksums, added/removed buckets, revocation) and the
//! server's audit chain.

#[allow(dead_code)]
#[path = "support/mod.rs"]
mod common;

use std::collections::BTreeMap;

use axum::http::StatusCode;
use common::{PASSWORD, TestServer};
use gongwen_domain::workflow::{Flow, Mode, PersonId, Route, Step, StepKind};
use gongwen_protocol::PROTOCOL_VERSION;
use gongwen_protocol::directory::{NewDelegation, NewUser, Role};
use gongwen_protocol::sync::{
    AlreadyHandled, DraftHead, Mutation, MutationStatus, OpKind, PullRequest, PullResponse,
    PushRequest, PushResponse, SCHEMA_VERSION, SyncError, bucket_checksum, format_checksum,
};
use gongwen_server::{audit, directory};
use serde_json::{Value, json};

/// A seeded server with a small 鹤府办 office: writer (拟稿人), reviewer (核稿人),
/// leader and leader2 (签发人), clerk (办公室文书); and town_receiver (收文员) at 鹤山镇.
async fn office() -> TestServer {
    let server = TestServer::start().await;
    server.seed().await;
    let pool = server.pool().await;
    let client = pool.get().await.unwrap();
    let hash = gongwen_server::auth::password::hash(PASSWORD).unwrap();
    for (login, display, roles) in [
        ("writer", "张拟稿", vec![Role::Drafter]),
        ("reviewer", "李核稿", vec![Role::Reviewer]),
        ("leader2", "王副职", vec![Role::Leader, Role::Signer]),
        ("town_receiver", "赵收文", vec![Role::Receiver]),
    ] {
        directory::create_user(
            &client,
            &NewUser {
                login: login.into(),
                display_name: Some(display.into()),
                organ: if login == "town_receiver" {
                    "鹤山镇"
                } else {
                    "鹤府办"
                }
                .into(),
                department: None,
                roles,
                password: None,
            },
            Some(&hash),
        )
        .await
        .unwrap();
    }
    server
}

struct Device<'a> {
    server: &'a TestServer,
    token: String,
    client_id: String,
}

impl<'a> Device<'a> {
    async fn new(server: &'a TestServer, login: &str, client_id: &str) -> Device<'a> {
        let token = server.login(login, PASSWORD).await.access_token;
        Device {
            server,
            token,
            client_id: client_id.into(),
        }
    }

    async fn push_raw(&self, mutations: Vec<Mutation>) -> common::Resp {
        self.server
            .post(
                "/v1/sync/push",
                Some(&self.token),
                &PushRequest {
                    protocol: PROTOCOL_VERSION,
                    schema_version: SCHEMA_VERSION,
                    client_id: self.client_id.clone(),
                    mutations,
                },
            )
            .await
    }

    async fn push(&self, mutations: Vec<Mutation>) -> PushResponse {
        let r = self.push_raw(mutations).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        r.json()
    }

    async fn pull(&self, cursors: &BTreeMap<String, i64>, limit: u32) -> PullResponse {
        let r = self
            .server
            .post(
                "/v1/sync/pull",
                Some(&self.token),
                &PullRequest {
                    protocol: PROTOCOL_VERSION,
                    schema_version: SCHEMA_VERSION,
                    client_id: self.client_id.clone(),
                    cursors: cursors.clone(),
                    limit,
                },
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        r.json()
    }

    /// Pulls every bucket to its end; returns the ops by bucket and the final cursors.
    async fn pull_all(
        &self,
        cursors: &mut BTreeMap<String, i64>,
        limit: u32,
    ) -> BTreeMap<String, Vec<gongwen_protocol::sync::Op>> {
        let mut out: BTreeMap<String, Vec<_>> = BTreeMap::new();
        loop {
            let resp = self.pull(cursors, limit).await;
            for b in &resp.removed_buckets {
                cursors.remove(b);
            }
            let mut more = false;
            for (bucket, page) in resp.buckets {
                out.entry(bucket.clone()).or_default().extend(page.ops);
                cursors.insert(bucket, page.next);
                more |= page.has_more;
            }
            if !more {
                return out;
            }
        }
    }
}

fn uuid(n: u64) -> String {
    format!("0190f3c2-0000-7000-8000-{n:012x}")
}

fn mutation(seq: i64, id: u64, name: &str, args: Value) -> Mutation {
    Mutation {
        seq,
        id: uuid(id),
        name: name.into(),
        args,
        client_time: None,
        blob_deps: vec![],
    }
}

fn doc(title: &str) -> Value {
    json!({"title": title, "body": "正文", "main_recipients": ["鹤山镇"]})
}

fn hash_of(text: &str) -> String {
    use sha2::Digest;
    format!(
        "sha256:{}",
        hex::encode(sha2::Sha256::digest(text.as_bytes()))
    )
}

fn save(seq: i64, id: u64, draft: &str, base: Option<i64>, version: i64, text: &str) -> Mutation {
    mutation(
        seq,
        id,
        "draft.save.v1",
        json!({
            "draft_id": draft, "base_version": base, "version": version,
            "document": doc(text), "content_hash": hash_of(text),
        }),
    )
}

fn start(seq: i64, id: u64, flow: &str, document: &str, owner: &str, steps: Vec<Step>) -> Mutation {
    let route = Route {
        name: "测试发文".into(),
        steps,
    };
    mutation(
        seq,
        id,
        "flow.start.v1",
        json!({
            "flow": flow, "kind": "outgoing", "owner": owner, "documentId": document,
            "docVersion": null, "title": "关于测试的通知", "docType": "通知", "urgency": null,
            "fromOrgan": "鹤府办", "contentHash": "sha256:aa", "route": route,
            "clientTime": "2026-03-02T09:00:00+08:00",
        }),
    )
}

fn act(seq: i64, id: u64, flow: &str, actor: &str, action: Value) -> Mutation {
    let mut command = json!({"actor": actor, "seen_hash": "sha256:aa"});
    for (k, v) in action.as_object().unwrap() {
        command[k] = v.clone();
    }
    mutation(
        seq,
        id,
        "flow.act.v1",
        json!({"flow": flow, "command": command, "clientTime": "2026-03-02T09:00:00+08:00"}),
    )
}

fn step(kind: StepKind, mode: Mode, handlers: &[&str]) -> Step {
    Step::new(
        kind,
        mode,
        handlers.iter().map(|h| PersonId::from(*h)).collect(),
    )
}

async fn stored_flow(server: &TestServer, id: &str) -> Flow {
    let pool = server.pool().await;
    let c = pool.get().await.unwrap();
    let json: String = c
        .query_one("SELECT flow::text FROM flows WHERE id = $1", &[&id])
        .await
        .unwrap()
        .get(0);
    serde_json::from_str(&json).unwrap()
}

/// The open task of `login` in the flow.
async fn task_of(server: &TestServer, flow: &str, login: &str) -> String {
    let f = stored_flow(server, flow).await;
    f.open_tasks()
        .find(|t| t.assignee.0 == login)
        .unwrap_or_else(|| panic!("{login} has no open task in {flow}"))
        .id
        .0
        .clone()
}

async fn count(server: &TestServer, sql: &str) -> i64 {
    let pool = server.pool().await;
    let c = pool.get().await.unwrap();
    c.query_one(sql, &[]).await.unwrap().get(0)
}

#[tokio::test]
async fn replay_returns_the_stored_result_and_gaps_name_the_expected_seq() {
    let server = office().await;
    let dev = Device::new(&server, "writer", "c-writer-1").await;
    let first = dev.push(vec![save(1, 1, "D1", None, 1, "一")]).await;
    assert_eq!(first.last_applied_seq, 1);
    assert_eq!(first.results[0].status, MutationStatus::Applied);
    assert_eq!(
        first.results[0].result,
        Some(json!({"conflict": false, "head": 1}))
    );

    // The same batch again (the answer was lost): the stored result, nothing applied twice.
    let again = dev.push(vec![save(1, 1, "D1", None, 1, "一")]).await;
    assert_eq!(again.results, first.results);
    assert_eq!(
        count(&server, "SELECT count(*) FROM draft_versions").await,
        1
    );

    // A gap: 409 with the seq to resend from.
    let r = dev.push_raw(vec![save(3, 3, "D1", Some(1), 2, "三")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let e: SyncError = r.json();
    assert_eq!((e.code.as_str(), e.expected_seq), ("SEQ_GAP", Some(2)));

    // A replayed prefix followed by new work in one batch.
    let mixed = dev
        .push(vec![
            save(1, 1, "D1", None, 1, "一"),
            save(2, 2, "D1", Some(1), 2, "二"),
        ])
        .await;
    assert_eq!(mixed.results.len(), 2);
    assert_eq!(
        mixed.results[1].result,
        Some(json!({"conflict": false, "head": 2}))
    );
    assert_eq!(mixed.last_applied_seq, 2);

    // An unknown client that does not start at 1.
    let other = Device::new(&server, "writer", "c-writer-2").await;
    let r = other.push_raw(vec![save(5, 50, "D9", None, 1, "x")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json::<SyncError>().code, "CLIENT_UNKNOWN");
}

#[tokio::test]
async fn old_clients_get_426_and_anonymous_ones_401() {
    let server = office().await;
    let dev = Device::new(&server, "writer", "c1").await;
    for (protocol, schema) in [(0, SCHEMA_VERSION), (PROTOCOL_VERSION, 0)] {
        for path in ["/v1/sync/push", "/v1/sync/pull"] {
            let body = json!({"protocol": protocol, "schema_version": schema, "client_id": "c1",
                              "mutations": [], "cursors": {}});
            let r = server.post(path, Some(&dev.token), &body).await;
            assert_eq!(
                r.status,
                StatusCode::UPGRADE_REQUIRED,
                "{path}: {}",
                r.text()
            );
            let e: SyncError = r.json();
            assert_eq!(e.code, "UPGRADE_REQUIRED");
            assert_eq!(e.min_protocol, Some(1));
            assert_eq!(e.min_schema_version, Some(1));
            assert!(e.message.contains("升级"));
        }
    }
    let body = json!({"protocol": 1, "schema_version": 1, "client_id": "c1", "mutations": []});
    let r = server.post("/v1/sync/push", None, &body).await;
    r.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    let r = server.post("/v1/sync/pull", Some("forged"), &body).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = server
        .raw(
            axum::http::Method::POST,
            "/v1/sync/push",
            Some(&dev.token),
            b"{not json".to_vec(),
            Some("application/json"),
        )
        .await;
    r.assert_error(StatusCode::BAD_REQUEST, "invalid_json");
    // The body limit holds for pushes too (each mutation is small; a client batches).
    let huge = save(1, 1, "D1", None, 1, &"长".repeat(1_000_000));
    let r = dev.push_raw(vec![huge]).await;
    r.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert_eq!(count(&server, "SELECT count(*) FROM sync_clients").await, 0);
}

#[tokio::test]
async fn terminal_rejections_consume_the_seq_retryable_ones_nothing() {
    let server = office().await;
    let dev = Device::new(&server, "writer", "c-w").await;
    let r = dev
        .push(vec![
            mutation(1, 1, "approval.decide.v9", json!({})),
            mutation(2, 2, "draft.save.v1", json!({"draft_id": 7})),
        ])
        .await;
    assert_eq!(r.last_applied_seq, 2);
    assert_eq!(r.results[0].status, MutationStatus::Rejected);
    assert_eq!(r.results[0].code.as_deref(), Some("UNKNOWN_MUTATION"));
    assert!(!r.results[0].retryable);
    assert_eq!(r.results[1].code.as_deref(), Some("BAD_ARGS"));

    // A blob the mutation needs is not there: retryable, nothing consumed, batch stops.
    let mut needs_blob = save(3, 3, "D1", None, 1, "附件");
    needs_blob.blob_deps = vec![format!("sha256:{}", "ab".repeat(32))];
    let r = dev
        .push(vec![needs_blob, save(4, 4, "D2", None, 1, "后一个")])
        .await;
    assert_eq!(
        r.results.len(),
        1,
        "the batch stops at the retryable rejection"
    );
    assert_eq!(r.results[0].code.as_deref(), Some("BLOB_MISSING"));
    assert!(r.results[0].retryable);
    assert_eq!(r.last_applied_seq, 2);
    assert_eq!(count(&server, "SELECT count(*) FROM drafts").await, 0);

    // The rejected seqs replay as rejected; the queue goes on at 3.
    let r = dev
        .push(vec![
            mutation(1, 1, "approval.decide.v9", json!({})),
            mutation(2, 2, "draft.save.v1", json!({"draft_id": 7})),
            save(3, 3, "D1", None, 1, "附件"),
        ])
        .await;
    assert_eq!(r.results[0].code.as_deref(), Some("UNKNOWN_MUTATION"));
    assert_eq!(r.results[1].code.as_deref(), Some("BAD_ARGS"));
    assert_eq!(r.results[2].status, MutationStatus::Applied);
    assert_eq!(r.last_applied_seq, 3);
}

#[tokio::test]
async fn a_mutation_id_is_used_once_and_a_client_id_belongs_to_one_user() {
    let server = office().await;
    let a = Device::new(&server, "writer", "c-a").await;
    let b = Device::new(&server, "writer", "c-b").await;
    a.push(vec![save(1, 42, "D1", None, 1, "一")]).await;
    let r = b.push(vec![save(1, 42, "D2", None, 1, "二")]).await;
    assert_eq!(r.results[0].code.as_deref(), Some("DUPLICATE_MUTATION_ID"));
    assert_eq!(
        r.last_applied_seq, 1,
        "a terminal rejection: the seq is consumed"
    );
    assert_eq!(
        count(&server, "SELECT count(*) FROM drafts WHERE id = 'D2'").await,
        0
    );

    // Another user presenting writer's client id.
    let thief = Device::new(&server, "leader", "c-a").await;
    let r = thief.push_raw(vec![save(2, 43, "D3", None, 1, "三")]).await;
    r.assert_error(StatusCode::FORBIDDEN, "forbidden");
    let r = thief
        .server
        .post(
            "/v1/sync/pull",
            Some(&thief.token),
            &json!({"protocol": 1, "schema_version": 1, "client_id": "c-a", "cursors": {}}),
        )
        .await;
    r.assert_error(StatusCode::FORBIDDEN, "forbidden");
}

/// writer starts a flow: 起草 (writer) → 签发 (mode, signers) → 登记 (clerk) → 核发 (clerk).
async fn started_flow<'a>(
    server: &'a TestServer,
    flow: &str,
    mode: Mode,
    signers: &[&str],
) -> Device<'a> {
    let dev = Device::new(server, "writer", &format!("c-writer-{flow}")).await;
    let r = dev
        .push(vec![
            save(1, 900, flow, None, 1, "正文"),
            start(
                2,
                901,
                flow,
                flow,
                "writer",
                vec![
                    step(StepKind::Draft, Mode::Sequential, &["writer"]),
                    step(StepKind::Sign, mode, signers),
                    step(StepKind::Register, Mode::Sequential, &["clerk"]),
                    step(StepKind::Dispatch, Mode::Sequential, &["clerk"]),
                ],
            ),
        ])
        .await;
    assert!(
        r.results
            .iter()
            .all(|x| x.status == MutationStatus::Applied),
        "{r:?}"
    );
    let task = task_of(server, flow, "writer").await;
    let r = dev
        .push(vec![act(
            3,
            902,
            flow,
            "writer",
            json!({"action": "approve", "task": task}),
        )])
        .await;
    assert_eq!(r.results[0].status, MutationStatus::Applied, "{r:?}");
    dev
}

#[tokio::test]
async fn two_leaders_on_one_any_of_task_the_second_sees_who_handled_it() {
    let server = office().await;
    started_flow(&server, "F1", Mode::AnyOf, &["leader", "leader2"]).await;
    let t1 = task_of(&server, "F1", "leader").await;
    let t2 = task_of(&server, "F1", "leader2").await;
    let l1 = Device::new(&server, "leader", "c-l1").await;
    let l2 = Device::new(&server, "leader2", "c-l2").await;
    let r1 = l1
        .push(vec![act(
            1,
            10,
            "F1",
            "leader",
            json!({"action": "approve", "task": t1, "opinion": "同意"}),
        )])
        .await;
    assert_eq!(r1.results[0].status, MutationStatus::Applied, "{r1:?}");
    let r2 = l2
        .push(vec![act(
            1,
            11,
            "F1",
            "leader2",
            json!({"action": "approve", "task": t2, "opinion": "同意发"}),
        )])
        .await;
    let res = &r2.results[0];
    assert_eq!(res.status, MutationStatus::Rejected);
    assert_eq!(res.code.as_deref(), Some("ALREADY_HANDLED"), "{res:?}");
    assert!(!res.retryable);
    let detail: AlreadyHandled = serde_json::from_value(res.detail.clone().unwrap()).unwrap();
    assert_eq!(detail.by, "leader");
    assert_eq!(detail.action, "同意");
    assert!(
        res.message
            .as_deref()
            .unwrap()
            .starts_with("已由 leader 于 ")
    );
    assert_eq!(r2.last_applied_seq, 1, "the refusal consumed leader2's seq");
    let flow = stored_flow(&server, "F1").await;
    assert_eq!(
        flow.tasks
            .iter()
            .filter(|t| t.acted.as_ref().is_some_and(|a| a.opinion.is_some()))
            .count(),
        1,
        "one decision on the step"
    );
}

#[tokio::test]
async fn a_delegate_and_the_principal_on_one_sequential_task() {
    let server = office().await;
    {
        let pool = server.pool().await;
        let c = pool.get().await.unwrap();
        let now = time::OffsetDateTime::now_utc();
        let fmt = |t: time::OffsetDateTime| {
            t.format(&time::format_description::well_known::Rfc3339)
                .unwrap()
        };
        directory::create_delegation(
            &c,
            &NewDelegation {
                from: "leader".into(),
                to: "leader2".into(),
                role: None,
                starts_at: fmt(now - time::Duration::days(1)),
                ends_at: fmt(now + time::Duration::days(7)),
            },
        )
        .await
        .unwrap();
    }
    started_flow(&server, "F2", Mode::Sequential, &["leader"]).await;
    let task = task_of(&server, "F2", "leader").await;
    let delegate = Device::new(&server, "leader2", "c-d").await;
    let principal = Device::new(&server, "leader", "c-p").await;
    let r = delegate
        .push(vec![act(
            1,
            20,
            "F2",
            "leader2",
            json!({"action": "approve", "task": task, "opinion": "代签"}),
        )])
        .await;
    assert_eq!(r.results[0].status, MutationStatus::Applied, "{r:?}");
    let r = principal
        .push(vec![act(
            1,
            21,
            "F2",
            "leader",
            json!({"action": "approve", "task": task, "opinion": "同意"}),
        )])
        .await;
    assert_eq!(r.results[0].code.as_deref(), Some("ALREADY_HANDLED"));
    let detail: AlreadyHandled =
        serde_json::from_value(r.results[0].detail.clone().unwrap()).unwrap();
    assert_eq!(detail.by, "王副职 代 leader");
}

#[tokio::test]
async fn registration_allocates_the_doc_number_in_the_same_transaction() {
    let server = office().await;
    started_flow(&server, "F3", Mode::AnyOf, &["leader"]).await;
    let l = Device::new(&server, "leader", "c-l").await;
    let t = task_of(&server, "F3", "leader").await;
    l.push(vec![act(
        1,
        30,
        "F3",
        "leader",
        json!({"action": "approve", "task": t}),
    )])
    .await;
    let clerk = Device::new(&server, "clerk", "c-clerk").await;
    let t = task_of(&server, "F3", "clerk").await;
    // A stale view of the text is refused (the approval must quote the current hash).
    let mut stale = act(
        1,
        31,
        "F3",
        "clerk",
        json!({"action": "approve", "task": t}),
    );
    stale.args["command"]["seen_hash"] = json!("sha256:old");
    let r = clerk.push(vec![stale]).await;
    assert_eq!(r.results[0].code.as_deref(), Some("STALE_CONTENT"));
    let r = clerk
        .push(vec![act(
            2,
            32,
            "F3",
            "clerk",
            json!({"action": "approve", "task": t}),
        )])
        .await;
    let result = r.results[0].result.clone().expect("applied with a result");
    let year = server
        .clock
        .0
        .lock()
        .unwrap()
        .to_offset(time::macros::offset!(+8))
        .year();
    assert_eq!(
        result["doc_number"]["text"],
        json!(format!("鹤府办〔{year}〕1号"))
    );
    assert_eq!(
        count(
            &server,
            "SELECT count(*) FROM doc_numbers WHERE document_id = 'F3'"
        )
        .await,
        1
    );
    // The flow carries the number to every member.
    let mut cursors = BTreeMap::new();
    let ops = Device::new(&server, "writer", "c-w-pull")
        .await
        .pull_all(&mut cursors, 100)
        .await;
    let last_flow = ops["user:writer"]
        .iter()
        .rev()
        .find(|o| o.kind == "flow" && o.id == "F3")
        .unwrap();
    let data = last_flow.parse_data::<serde_json::Value>().unwrap();
    assert_eq!(data["doc_number"], json!(format!("鹤府办〔{year}〕1号")));
    assert_eq!(data["status"], "running");
    assert_eq!(data["owner"], "writer");
    assert_eq!(data["kind"], "outgoing");
    assert!(data["current_step"].as_str().unwrap().starts_with("核发"));
    let flow: Flow = serde_json::from_value(data["flow"].clone()).unwrap();
    assert_eq!(flow.id.0, "F3");
}

#[tokio::test]
async fn a_lost_compare_and_set_keeps_the_conflict_copy() {
    let server = office().await;
    let a = Device::new(&server, "writer", "c-desk").await;
    let b = Device::new(&server, "writer", "c-laptop").await;
    a.push(vec![save(1, 1, "D1", None, 1, "初稿")]).await;
    let r = a.push(vec![save(2, 2, "D1", Some(1), 2, "办公室改")]).await;
    assert_eq!(
        r.results[0].result,
        Some(json!({"conflict": false, "head": 2}))
    );
    // The laptop edited version 1 offline too.
    let r = b.push(vec![save(1, 3, "D1", Some(1), 2, "笔记本改")]).await;
    let res = r.results[0].result.clone().unwrap();
    assert_eq!(res["conflict"], json!(true));
    assert_eq!(res["head"], json!(2));
    let copy = res["copy"].as_str().unwrap().to_owned();

    let mut cursors = BTreeMap::new();
    let ops = a.pull_all(&mut cursors, 100).await;
    let head: DraftHead = serde_json::from_value(
        ops["user:writer"]
            .iter()
            .rev()
            .find(|o| o.kind == "draft")
            .unwrap()
            .parse_data::<serde_json::Value>()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(head.head_version, 2);
    assert_eq!(head.document["title"], "办公室改");
    assert_eq!(head.conflicts.len(), 1);
    assert_eq!(head.conflicts[0].document["title"], "笔记本改");
    assert_eq!(head.conflicts[0].base_version, Some(1));
    assert_eq!(head.conflicts[0].author, "writer");

    // The user merged: a save on the head that resolves the copy.
    let mut merge = save(3, 4, "D1", Some(2), 3, "合并稿");
    merge.args["resolves"] = json!([copy]);
    let r = a.push(vec![merge]).await;
    assert_eq!(
        r.results[0].result,
        Some(json!({"conflict": false, "head": 3}))
    );
    let ops = a.pull_all(&mut cursors, 100).await;
    let head: DraftHead = serde_json::from_value(
        ops["user:writer"]
            .iter()
            .rev()
            .find(|o| o.kind == "draft")
            .unwrap()
            .parse_data::<serde_json::Value>()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(head.head_version, 3);
    assert!(head.conflicts.is_empty());
    assert_eq!(
        count(
            &server,
            "SELECT count(*) FROM draft_versions WHERE draft_id = 'D1'"
        )
        .await,
        3
    );
    // Somebody without a task on it may not save it.
    let stranger = Device::new(&server, "reviewer", "c-r").await;
    let r = stranger
        .push(vec![save(1, 5, "D1", Some(3), 4, "乱改")])
        .await;
    assert_eq!(r.results[0].code.as_deref(), Some("FORBIDDEN"));
}

#[tokio::test]
async fn pull_pages_with_cursors_and_checksums_that_sum_the_ops() {
    let server = office().await;
    let dev = Device::new(&server, "writer", "c-w").await;
    let saves: Vec<Mutation> = (1..=25)
        .map(|i| save(i, i as u64, &format!("D{i}"), None, 1, "稿"))
        .collect();
    dev.push(saves).await;

    let first = dev.pull(&BTreeMap::new(), 10).await;
    assert_eq!(
        first.added_buckets,
        vec!["organ:鹤府办".to_owned(), "user:writer".to_owned()]
    );
    assert!(first.removed_buckets.is_empty());
    assert_eq!(first.last_applied_seq, 25);
    let page = &first.buckets["user:writer"];
    assert_eq!(page.ops.len(), 10);
    assert!(page.has_more);
    assert_eq!(page.next, page.ops.last().unwrap().op_id);
    assert_eq!(
        page.checksum,
        format_checksum(bucket_checksum(0, &page.ops))
    );
    // The directory of the organ: every person, with roles for the route templates.
    let people = &first.buckets["organ:鹤府办"].ops;
    let clerk = people.iter().find(|o| o.id == "clerk").unwrap();
    assert_eq!(clerk.kind, "person");
    let data = clerk.parse_data::<serde_json::Value>().unwrap();
    assert_eq!(data["organ"], "鹤府办");
    assert!(data["roles"].as_array().unwrap().contains(&json!("文书")));
    assert!(
        people.iter().any(|o| o.id == "writer"
            && o.parse_data::<serde_json::Value>().unwrap()["name"] == "张拟稿")
    );

    let mut cursors = BTreeMap::new();
    let mut all: BTreeMap<String, Vec<_>> = BTreeMap::new();
    let mut last_checksum = BTreeMap::new();
    loop {
        let resp = dev.pull(&cursors, 10).await;
        let mut more = false;
        for (b, p) in resp.buckets {
            let ops = all.entry(b.clone()).or_insert_with(Vec::new);
            ops.extend(p.ops);
            assert_eq!(
                p.checksum,
                format_checksum(bucket_checksum(0, ops.iter())),
                "{b}"
            );
            cursors.insert(b.clone(), p.next);
            last_checksum.insert(b, p.checksum);
            more |= p.has_more;
        }
        if !more {
            break;
        }
    }
    let drafts: Vec<_> = all["user:writer"]
        .iter()
        .filter(|o| o.kind == "draft")
        .collect();
    assert_eq!(drafts.len(), 25);
    // A no-op pull: empty pages at the same cursors, same checksums.
    let again = dev.pull(&cursors, 10).await;
    for (b, p) in &again.buckets {
        assert!(p.ops.is_empty());
        assert_eq!(p.next, cursors[b]);
        assert_eq!(p.checksum, last_checksum[b]);
    }
    // The server's running checksum equals the sum of the ops.
    let pool = server.pool().await;
    let c = pool.get().await.unwrap();
    let stored: i64 = c
        .query_one(
            "SELECT checksum FROM buckets WHERE name = 'user:writer'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(format_checksum(stored as u32), last_checksum["user:writer"]);
    // A cursor past the end (the server was restored from a backup): reset.
    let mut ahead = cursors.clone();
    ahead.insert("user:writer".into(), 10_000);
    let resp = dev.pull(&ahead, 10).await;
    assert_eq!(resp.resets, vec!["user:writer".to_owned()]);
    assert!(!resp.buckets.contains_key("user:writer"));
}

#[tokio::test]
async fn revocation_moved_organ_and_recalled_task() {
    let server = office().await;
    // reviewer becomes a member when 起草 is approved, and stops being one when the
    // writer withdraws (撤回) before the reviewer acted.
    let writer = Device::new(&server, "writer", "c-w").await;
    writer
        .push(vec![
            save(1, 1, "D7", None, 1, "稿"),
            start(
                2,
                2,
                "F7",
                "D7",
                "writer",
                vec![
                    step(StepKind::Draft, Mode::Sequential, &["writer"]),
                    step(StepKind::Review, Mode::Sequential, &["reviewer"]),
                ],
            ),
        ])
        .await;
    let t = task_of(&server, "F7", "writer").await;
    writer
        .push(vec![act(
            3,
            3,
            "F7",
            "writer",
            json!({"action": "approve", "task": t}),
        )])
        .await;
    let reviewer = Device::new(&server, "reviewer", "c-r").await;
    let mut cursors = BTreeMap::new();
    let ops = reviewer.pull_all(&mut cursors, 100).await;
    let mine = &ops["user:reviewer"];
    assert!(
        mine.iter()
            .any(|o| o.kind == "flow" && o.id == "F7" && o.op == OpKind::Put)
    );
    assert!(
        mine.iter()
            .any(|o| o.kind == "draft" && o.id == "D7" && o.op == OpKind::Put)
    );

    let r = writer
        .push(vec![act(
            4,
            4,
            "F7",
            "writer",
            json!({"action": "withdraw", "reason": "再改改"}),
        )])
        .await;
    assert_eq!(r.results[0].status, MutationStatus::Applied, "{r:?}");
    let ops = reviewer.pull_all(&mut cursors, 100).await;
    let mine = &ops["user:reviewer"];
    let removed: Vec<_> = mine
        .iter()
        .filter(|o| o.op == OpKind::Remove)
        .map(|o| (o.kind.as_str(), o.id.as_str()))
        .collect();
    assert!(
        removed.contains(&("flow", "F7")) && removed.contains(&("draft", "D7")),
        "{mine:?}"
    );
    // The reviewer may no longer act on it: it is not found for them.
    let r = reviewer
        .push(vec![act(
            1,
            5,
            "F7",
            "reviewer",
            json!({"action": "approve", "task": "F7-T2"}),
        )])
        .await;
    assert_eq!(r.results[0].code.as_deref(), Some("FLOW_NOT_FOUND"));

    // Moved to another organ: the old organ's bucket is removed, the new one added.
    {
        let pool = server.pool().await;
        let c = pool.get().await.unwrap();
        c.execute(
            "UPDATE users SET organ_id = (SELECT id FROM organs WHERE code = '鹤山镇') WHERE login = 'reviewer'",
            &[],
        )
        .await
        .unwrap();
    }
    let reviewer = Device::new(&server, "reviewer", "c-r").await;
    let resp = reviewer.pull(&cursors, 100).await;
    assert_eq!(resp.removed_buckets, vec!["organ:鹤府办".to_owned()]);
    assert_eq!(resp.added_buckets, vec!["organ:鹤山镇".to_owned()]);
    // …and the old organ's directory drops the person.
    let clerk = Device::new(&server, "clerk", "c-c").await;
    let mut cc = BTreeMap::new();
    let ops = clerk.pull_all(&mut cc, 100).await;
    let last = ops["organ:鹤府办"]
        .iter()
        .rev()
        .find(|o| o.id == "reviewer")
        .unwrap();
    assert_eq!(last.op, OpKind::Remove);
}

#[tokio::test]
async fn the_audit_chain_verifies_and_tampering_is_found() {
    let server = office().await;
    started_flow(&server, "F9", Mode::AnyOf, &["leader", "leader2"]).await;
    let pool = server.pool().await;
    let mut c = pool.get().await.unwrap();
    let summary = audit::verify(&c).await.unwrap().expect("an intact chain");
    assert!(summary.records >= 5, "{summary:?}");
    let actions: Vec<String> = c
        .query("SELECT action FROM audit_log ORDER BY seq", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(actions.contains(&"draft.created".to_owned()));
    assert!(actions.contains(&"workflow.started".to_owned()));
    assert!(actions.contains(&"workflow.approved".to_owned()));

    // The table refuses changes; a DBA bypassing the trigger is caught by the hashes.
    let e = c
        .execute("UPDATE audit_log SET actor = 'x' WHERE seq = 2", &[])
        .await
        .unwrap_err();
    let message = e
        .as_db_error()
        .map(|d| d.message().to_owned())
        .unwrap_or_default();
    assert!(message.contains("never updated"), "{e:?}");
    let tx = c.transaction().await.unwrap();
    tx.batch_execute(
        "SET LOCAL session_replication_role = replica;
         UPDATE audit_log SET actor = 'mallory' WHERE seq = 3;",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    match audit::verify(&c).await.unwrap() {
        Err(audit::AuditBroken::Link { seq, reason, .. }) => {
            assert_eq!(seq, 3);
            assert_eq!(reason.code(), "HASH");
        }
        other => panic!("tampering not found: {other:?}"),
    }
    // The admin command says so too, with a non-zero exit.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gongwen-server"))
        .args(["admin", "--database-url", &server.db_url, "audit", "verify"])
        .env_remove("GONGWEN_DATABASE_URL")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("第 3 条记录"), "{stderr}");
}

#[tokio::test]
async fn the_admin_command_reports_an_intact_chain() {
    let server = office().await;
    let dev = Device::new(&server, "writer", "c-w").await;
    dev.push(vec![
        save(1, 1, "D1", None, 1, "一"),
        save(2, 2, "D1", Some(1), 2, "二"),
    ])
    .await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gongwen-server"))
        .args(["admin", "--database-url", &server.db_url, "audit", "verify"])
        .env_remove("GONGWEN_DATABASE_URL")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("审计链完好：共 2 条记录"), "{stdout}");
}

#[tokio::test]
async fn concurrent_pushes_of_one_batch_apply_it_once() {
    let server = office().await;
    let dev = Device::new(&server, "writer", "c-twice").await;
    let batch: Vec<Mutation> = (1..=8)
        .map(|i| save(i, 100 + i as u64, &format!("D{i}"), None, 1, "稿"))
        .collect();
    let (a, b) = tokio::join!(dev.push(batch.clone()), dev.push(batch.clone()));
    assert_eq!(a.last_applied_seq, 8);
    assert_eq!(b.last_applied_seq, 8);
    assert_eq!(a.results, b.results);
    assert_eq!(
        count(&server, "SELECT count(*) FROM draft_versions").await,
        8
    );
    assert_eq!(
        count(&server, "SELECT count(*) FROM mutation_results").await,
        8
    );
    assert_eq!(count(&server, "SELECT count(*) FROM audit_log").await, 8);
    // Each draft reached the bucket once.
    assert_eq!(
        count(
            &server,
            "SELECT count(*) FROM bucket_ops WHERE bucket = 'user:writer'"
        )
        .await,
        8
    );
}

#[tokio::test]
async fn dispatch_delivers_to_the_recipient_inbox_and_signing_sends_the_receipt_back() {
    let server = office().await;
    started_flow(&server, "F6", Mode::AnyOf, &["leader"]).await;
    let leader = Device::new(&server, "leader", "c-l").await;
    let t = task_of(&server, "F6", "leader").await;
    leader
        .push(vec![act(
            1,
            60,
            "F6",
            "leader",
            json!({"action": "approve", "task": t}),
        )])
        .await;
    let clerk = Device::new(&server, "clerk", "c-clerk").await;
    let t = task_of(&server, "F6", "clerk").await;
    let r = clerk
        .push(vec![act(
            1,
            61,
            "F6",
            "clerk",
            json!({"action": "approve", "task": t}),
        )])
        .await;
    let number = r.results[0].result.clone().unwrap()["doc_number"]["text"].clone();
    // 核发: the document goes to its 主送 (鹤山镇) in the same transaction.
    let t = task_of(&server, "F6", "clerk").await;
    let r = clerk
        .push(vec![act(
            2,
            62,
            "F6",
            "clerk",
            json!({"action": "approve", "task": t}),
        )])
        .await;
    assert_eq!(r.results[0].status, MutationStatus::Applied, "{r:?}");
    let result = r.results[0].result.clone().unwrap();
    assert_eq!(result["status"], "completed");
    let items = result["delivery"]["items"].as_array().expect("delivered");
    assert_eq!(items.len(), 1);

    let receiver = Device::new(&server, "town_receiver", "c-town").await;
    let mut cursors = BTreeMap::new();
    let ops = receiver.pull_all(&mut cursors, 100).await;
    let incoming = ops["organ:鹤山镇"]
        .iter()
        .find(|o| o.kind == "incoming")
        .expect("the item is in the recipient organ's bucket");
    let data = incoming.parse_data::<serde_json::Value>().unwrap();
    assert_eq!(data["title"], "正文");
    assert_eq!(
        data["doc_number"], number,
        "the 文号 allocated at 登记 travels with it"
    );
    let r = receiver
        .push(vec![mutation(
            1,
            63,
            "exchange.sign.v1",
            json!({"incoming_id": incoming.id}),
        )])
        .await;
    assert_eq!(r.results[0].status, MutationStatus::Applied, "{r:?}");
    assert_eq!(
        r.results[0].result.as_ref().unwrap()["signed_by"]["login"],
        "town_receiver"
    );
    // Signing again by someone else of the organ is refused; the 回执 reached the sender.
    let mut cc = BTreeMap::new();
    let ops = clerk.pull_all(&mut cc, 100).await;
    assert!(ops["organ:鹤府办"].iter().any(|o| o.kind == "receipt"));
    assert!(
        count(
            &server,
            "SELECT count(*) FROM audit_log WHERE action = 'exchange.signed'"
        )
        .await
            == 1
    );
}

/// A client's view of its buckets as the real client keeps it: cursor and running
/// checksum per bucket; every page is verified before it is taken.
#[derive(Default)]
struct Replica {
    buckets: BTreeMap<String, (i64, u32)>,
}

impl Replica {
    async fn pull(&mut self, dev: &Device<'_>, limit: u32) -> PullResponse {
        let cursors = self
            .buckets
            .iter()
            .map(|(b, (c, _))| (b.clone(), *c))
            .collect();
        let resp = dev.pull(&cursors, limit).await;
        for b in resp.resets.iter().chain(&resp.removed_buckets) {
            self.buckets.remove(b);
        }
        for (b, page) in &resp.buckets {
            let (_, sum) = self.buckets.get(b).copied().unwrap_or((0, 0));
            let sum = bucket_checksum(sum, &page.ops);
            assert_eq!(format_checksum(sum), page.checksum, "checksum of {b}");
            self.buckets.insert(b.clone(), (page.next, sum));
        }
        resp
    }

    fn cursor(&self, bucket: &str) -> i64 {
        self.buckets.get(bucket).map_or(0, |b| b.0)
    }
}

#[tokio::test]
async fn compaction_folds_superseded_ops_and_resets_only_stale_cursors() {
    let server = office().await;
    let writer = Device::new(&server, "writer", "c-w").await;
    // user:writer gets: 1 D1 v1, 2 D2, 3 D3, 4 D1 v2.
    writer
        .push(vec![
            save(1, 1, "D1", None, 1, "一"),
            save(2, 2, "D2", None, 1, "二"),
            save(3, 3, "D3", None, 1, "三"),
            save(4, 4, "D1", Some(1), 2, "一改"),
        ])
        .await;
    let bucket = "user:writer";
    // An up-to-date device and a stale one (it pulled the first op only).
    let up_to_date_dev = Device::new(&server, "writer", "c-up").await;
    let mut up_to_date = Replica::default();
    while up_to_date
        .pull(&up_to_date_dev, 2)
        .await
        .buckets
        .values()
        .any(|p| p.has_more)
    {}
    assert_eq!(up_to_date.cursor(bucket), 4);
    let stale_dev = Device::new(&server, "writer", "c-stale").await;
    let mut stale = Replica::default();
    stale.pull(&stale_dev, 1).await;
    assert_eq!(stale.cursor(bucket), 1);

    let pool = server.pool().await;
    let mut db = pool.get().await.unwrap();
    let now = time::OffsetDateTime::now_utc();
    let done = gongwen_server::sync::compact::compact_bucket(&mut db, bucket, 4, now)
        .await
        .unwrap();
    assert_eq!(
        (done.through, done.deleted, done.kept),
        (4, 1, 3),
        "{done:?}"
    );
    let left: Vec<i64> = db
        .query(
            "SELECT op_id FROM bucket_ops WHERE bucket = $1 ORDER BY op_id",
            &[&bucket],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(left, vec![2, 3, 4], "the superseded D1 v1 is folded away");
    // Compacting again at the same horizon finds nothing new.
    let again = gongwen_server::sync::compact::compact_bucket(&mut db, bucket, 4, now)
        .await
        .unwrap();
    assert_eq!(again.deleted, 0);

    // A change after the compaction: op 5.
    writer
        .push(vec![save(5, 5, "D2", Some(1), 2, "二改")])
        .await;

    // The up-to-date device never notices: the next op, and its checksum verifies.
    let r = up_to_date.pull(&up_to_date_dev, 100).await;
    assert!(r.resets.is_empty());
    assert_eq!(
        r.buckets[bucket]
            .ops
            .iter()
            .map(|o| o.op_id)
            .collect::<Vec<_>>(),
        vec![5]
    );

    // The stale device may have missed what was folded: reset, with the reason.
    let r = stale.pull(&stale_dev, 100).await;
    assert_eq!(r.resets, vec![bucket.to_owned()]);
    assert_eq!(r.reset_reasons[bucket], "compacted");
    assert!(!r.buckets.contains_key(bucket));
    // It pulls the shorter bucket again from 0, a page at a time: while its cursor is
    // below the horizon it is not reset again (it started after the compaction).
    let mut ids = Vec::new();
    loop {
        let r = stale.pull(&stale_dev, 1).await;
        assert!(r.resets.is_empty(), "{r:?}");
        let page = &r.buckets[bucket];
        ids.extend(page.ops.iter().map(|o| o.op_id));
        if !page.has_more {
            break;
        }
    }
    assert_eq!(ids, vec![2, 3, 4, 5]);
    // Both devices reach the same cursor, each having verified every page against
    // the server (their running sums differ by the folded ops, which only the
    // up-to-date one ever received).
    assert_eq!(stale.cursor(bucket), up_to_date.cursor(bucket));

    // The compaction is audited and the audit log still verifies.
    let summary = audit::verify(&db).await.unwrap().expect("an intact log");
    assert!(summary.streams >= 2, "{summary:?}");
    assert_eq!(
        count(
            &server,
            "SELECT count(*) FROM audit_log WHERE action = 'sync.compacted' AND stream = 'server'"
        )
        .await,
        1
    );
    // The reset and the pushes show on /metrics.
    let metrics = server.get("/metrics", None).await.text();
    assert!(
        metrics.contains(r#"gongwen_sync_resets_total{reason="compacted"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"gongwen_sync_mutations_total{outcome="applied",code=""} 5"#),
        "{metrics}"
    );
    assert!(metrics.contains("gongwen_sync_pull_duration_seconds_count"));
    assert!(metrics.contains("gongwen_sync_ops_served_total"));
}

#[tokio::test]
async fn compact_all_uses_the_retention_horizon_and_one_instance_at_a_time() {
    let server = office().await;
    let writer = Device::new(&server, "writer", "c-w").await;
    writer
        .push(vec![
            save(1, 1, "D1", None, 1, "一"),
            save(2, 2, "D1", Some(1), 2, "二"),
        ])
        .await;
    let pool = server.pool().await;
    let mut db = pool.get().await.unwrap();
    let now = time::OffsetDateTime::now_utc();
    // Nothing is older than the retention period: nothing is folded.
    let r = gongwen_server::sync::compact::compact_all(
        &mut db,
        now - gongwen_server::sync::compact::RETENTION,
        now,
    )
    .await
    .unwrap()
    .expect("the lock is free");
    assert_eq!(r.deleted, 0);
    // Another instance holding the lock: this one skips the pass.
    let other = pool.get().await.unwrap();
    other
        .execute("SELECT pg_advisory_lock(7455532588810989665)", &[])
        .await
        .unwrap();
    assert!(
        gongwen_server::sync::compact::compact_all(&mut db, now, now)
            .await
            .unwrap()
            .is_none()
    );
    other
        .execute("SELECT pg_advisory_unlock(7455532588810989665)", &[])
        .await
        .unwrap();
    // With a cutoff in the future every op is old enough: the superseded save goes.
    let r =
        gongwen_server::sync::compact::compact_all(&mut db, now + time::Duration::hours(1), now)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(r.deleted, 1, "{r:?}");
    assert_eq!(
        count(
            &server,
            "SELECT count(*) FROM bucket_ops WHERE bucket = 'user:writer'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn an_incoming_flow_starts_only_on_an_item_delivered_to_and_signed_by_the_organ() {
    let server = office().await;
    started_flow(&server, "F7", Mode::AnyOf, &["leader"]).await;
    let leader = Device::new(&server, "leader", "c-l").await;
    let t = task_of(&server, "F7", "leader").await;
    leader
        .push(vec![act(
            1,
            70,
            "F7",
            "leader",
            json!({"action": "approve", "task": t}),
        )])
        .await;
    let clerk = Device::new(&server, "clerk", "c-clerk").await;
    for (seq, id) in [(1, 71), (2, 72)] {
        let t = task_of(&server, "F7", "clerk").await;
        let r = clerk
            .push(vec![act(
                seq,
                id,
                "F7",
                "clerk",
                json!({"action": "approve", "task": t}),
            )])
            .await;
        assert_eq!(r.results[0].status, MutationStatus::Applied, "{r:?}");
    }
    let receiver = Device::new(&server, "town_receiver", "c-town").await;
    let mut cursors = BTreeMap::new();
    let ops = receiver.pull_all(&mut cursors, 100).await;
    let item = ops["organ:鹤山镇"]
        .iter()
        .find(|o| o.kind == "incoming")
        .expect("delivered")
        .id
        .clone();
    let incoming_start = |seq: i64, id: u64, flow: &str, document: &str| {
        let route = Route {
            name: "收文办理".into(),
            steps: vec![step(StepKind::Handle, Mode::AnyOf, &["town_receiver"])],
        };
        mutation(
            seq,
            id,
            "flow.start.v1",
            json!({
                "flow": flow, "kind": "incoming", "owner": "town_receiver",
                "documentId": document, "docVersion": null, "title": "来文", "docType": "通知",
                "urgency": null, "fromOrgan": "鹤府办", "contentHash": "sha256:aa",
                "route": route,
            }),
        )
    };
    // Not signed yet: refused, and the seq is consumed.
    let r = receiver
        .push(vec![incoming_start(1, 73, "IN-F1", &item)])
        .await;
    assert_eq!(r.results[0].status, MutationStatus::Rejected);
    assert_eq!(r.results[0].code.as_deref(), Some("INCOMING_NOT_SIGNED"));
    assert_eq!(r.last_applied_seq, 1);
    // An item that was not delivered to this organ: refused as unknown.
    let r = receiver
        .push(vec![incoming_start(2, 74, "IN-F2", "no-such-item")])
        .await;
    assert_eq!(r.results[0].code.as_deref(), Some("INCOMING_NOT_FOUND"));
    // Someone of the sending organ cannot start a 收文 flow on the recipient's item.
    let writer = Device::new(&server, "writer", "c-w2").await;
    let r = writer
        .push(vec![mutation(
            1,
            75,
            "flow.start.v1",
            json!({
                "flow": "IN-F3", "kind": "incoming", "owner": "writer",
                "documentId": item, "docVersion": null, "title": "来文", "docType": "通知",
                "urgency": null, "fromOrgan": "鹤府办", "contentHash": "sha256:aa",
                "route": Route {
                    name: "收文办理".into(),
                    steps: vec![step(StepKind::Handle, Mode::AnyOf, &["writer"])],
                },
            }),
        )])
        .await;
    assert_eq!(r.results[0].code.as_deref(), Some("INCOMING_NOT_FOUND"));
    // 签收, then the flow starts.
    let r = receiver
        .push(vec![
            mutation(3, 76, "exchange.sign.v1", json!({"incoming_id": item})),
            incoming_start(4, 77, "IN-F1", &item),
        ])
        .await;
    assert_eq!(r.results[0].status, MutationStatus::Applied, "{r:?}");
    assert_eq!(r.results[1].status, MutationStatus::Applied, "{r:?}");
    assert_eq!(r.last_applied_seq, 4);
}

/// Runs `gongwen-server admin … compact ARGS` against the test database.
fn admin_compact(server: &TestServer, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_gongwen-server"))
        .args(["admin", "--database-url", &server.db_url, "compact"])
        .args(args)
        .env_remove("GONGWEN_DATABASE_URL")
        .env_remove("GONGWEN_CONFIG")
        .output()
        .unwrap()
}

#[tokio::test]
async fn admin_compact_reports_per_bucket_and_a_dry_run_changes_nothing() {
    let server = office().await;
    let writer = Device::new(&server, "writer", "c-w").await;
    writer
        .push(vec![
            save(1, 1, "D1", None, 1, "一"),
            save(2, 2, "D1", Some(1), 2, "二"),
            save(3, 3, "D2", None, 1, "三"),
        ])
        .await;
    let ops = "SELECT count(*) FROM bucket_ops WHERE bucket = 'user:writer'";
    assert_eq!(count(&server, ops).await, 3);

    // Nothing is older than the default 30 days: every bucket keeps its ops.
    let out = admin_compact(&server, &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("压缩完成"), "{stdout}");
    assert!(stdout.contains("0 个分组删除 0 条操作记录"), "{stdout}");
    assert_eq!(count(&server, ops).await, 3);

    // The ops age past the horizon.
    let pool = server.pool().await;
    pool.get()
        .await
        .unwrap()
        .execute(
            "UPDATE bucket_ops SET created_at = created_at - interval '40 days'",
            &[],
        )
        .await
        .unwrap();

    // A dry run says what would go, per bucket, and deletes nothing.
    let out = admin_compact(&server, &["--dry-run"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("user:writer：将删除 1 条，保留 2 条（压缩至操作 3）"),
        "{stdout}"
    );
    assert!(stdout.contains("试运行，未做任何修改"), "{stdout}");
    assert_eq!(count(&server, ops).await, 3);
    assert_eq!(
        count(
            &server,
            "SELECT count(*) FROM audit_log WHERE action = 'sync.compacted' AND subject = 'user:writer'"
        )
        .await,
        0
    );

    // The JSON form of the same dry run.
    let out = admin_compact(&server, &["--dry-run", "--json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["dry_run"], json!(true));
    assert_eq!(report["deleted"], json!(1));
    let writer_bucket = report["details"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["bucket"] == "user:writer")
        .unwrap();
    assert_eq!(writer_bucket["kept"], json!(2));

    // A horizon longer than the ops' age folds nothing.
    let out = admin_compact(&server, &["--horizon-days", "60"]);
    assert!(out.status.success());
    assert_eq!(count(&server, ops).await, 3);

    // The real pass deletes the superseded save, reports it, and audits it.
    let out = admin_compact(&server, &["--horizon-days", "30"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("user:writer：删除 1 条，保留 2 条"),
        "{stdout}"
    );
    assert_eq!(count(&server, ops).await, 2);
    assert_eq!(
        count(
            &server,
            "SELECT count(*) FROM audit_log WHERE action = 'sync.compacted' AND subject = 'user:writer'"
        )
        .await,
        1
    );
    // Again: nothing new to delete.
    let out = admin_compact(&server, &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("user:writer：删除 0 条，保留 2 条"),
        "{stdout}"
    );

    // Bad input: one line, non-zero exit.
    let out = admin_compact(&server, &["--horizon-days", "-3"]);
    assert!(!out.status.success());
}

#[tokio::test]
async fn a_scheduled_compaction_pass_is_counted_in_the_metrics() {
    let server = office().await;
    let writer = Device::new(&server, "writer", "c-w").await;
    writer
        .push(vec![
            save(1, 1, "D1", None, 1, "一"),
            save(2, 2, "D1", Some(1), 2, "二"),
        ])
        .await;
    let state = gongwen_server::AppState {
        pool: server.pool().await,
        settings: std::sync::Arc::new(gongwen_server::Settings::new(server.db_url.clone())),
        metrics: std::sync::Arc::new(gongwen_server::metrics::Metrics::new()),
        clock: server.clock.clone(),
        blobs: std::sync::Arc::new(gongwen_server::blobs::LocalDirStore::new(
            std::env::temp_dir().join("gongwen-test-unused-blobs"),
        )),
        directory: Default::default(),
    };
    // Within the retention period: a pass that deletes nothing.
    let r = gongwen_server::sync::compact::run_once(&state, time::Duration::days(30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.deleted, 0);
    // Some time later the superseded save is older than a one-day retention.
    server.clock.advance(time::Duration::days(2));
    let r = gongwen_server::sync::compact::run_once(&state, time::Duration::days(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.deleted, 1, "{r:?}");
    let metrics = state.metrics.encode();
    assert!(
        metrics.contains(r#"gongwen_sync_compaction_runs_total{outcome="done"} 2"#),
        "{metrics}"
    );
    assert!(
        metrics.contains("gongwen_sync_compacted_ops_total 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn keeping_the_current_version_resolves_the_copy_on_every_device() {
    let server = office().await;
    let desk = Device::new(&server, "writer", "c-desk").await;
    let laptop = Device::new(&server, "writer", "c-laptop").await;
    desk.push(vec![save(1, 1, "D1", None, 1, "初稿")]).await;
    desk.push(vec![save(2, 2, "D1", Some(1), 2, "办公室改")])
        .await;
    let r = laptop
        .push(vec![save(1, 3, "D1", Some(1), 2, "笔记本改")])
        .await;
    let copy = r.results[0].result.clone().unwrap()["copy"]
        .as_str()
        .unwrap()
        .to_owned();
    let head_of = |ops: &BTreeMap<String, Vec<gongwen_protocol::sync::Op>>| -> DraftHead {
        serde_json::from_value(
            ops["user:writer"]
                .iter()
                .rev()
                .find(|o| o.kind == "draft")
                .unwrap()
                .parse_data::<serde_json::Value>()
                .unwrap(),
        )
        .unwrap()
    };
    let mut laptop_cursors = BTreeMap::new();
    let ops = laptop.pull_all(&mut laptop_cursors, 100).await;
    assert_eq!(head_of(&ops).conflicts.len(), 1);

    // 保留当前版本 on the desk: the head's text again, naming the copy.
    let mut keep = save(3, 4, "D1", Some(2), 2, "办公室改");
    keep.args["resolves"] = json!([copy]);
    let r = desk.push(vec![keep]).await;
    assert_eq!(
        r.results[0].result,
        Some(json!({"conflict": false, "head": 2})),
        "no new version"
    );
    // The laptop hears of it on its next pull: the copy is gone there too.
    let ops = laptop.pull_all(&mut laptop_cursors, 100).await;
    let head = head_of(&ops);
    assert_eq!(head.head_version, 2);
    assert!(head.conflicts.is_empty(), "{:?}", head.conflicts);
    assert_eq!(
        count(
            &server,
            "SELECT count(*) FROM draft_versions WHERE draft_id = 'D1'"
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &server,
            "SELECT count(*) FROM draft_conflicts WHERE draft_id = 'D1' AND resolved_at IS NOT NULL"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &server,
            "SELECT count(*) FROM audit_log WHERE action = 'draft.conflicts_resolved'"
        )
        .await,
        1
    );
}
