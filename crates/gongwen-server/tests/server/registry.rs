//! 文号 allocation under concurrency.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use gongwen_protocol::registry::{AllocateRequest, AllocatedNumber};

use crate::common::{PASSWORD, TestServer};

const TASKS: usize = 8;
const PER_TASK: usize = 500;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_allocations_have_no_duplicates_and_no_gaps() {
    let s = std::sync::Arc::new(TestServer::start_with(|st| st.pool_size = 16).await);
    s.seed().await;
    let token = s.login("clerk", PASSWORD).await.access_token;
    let mut handles = Vec::new();
    for t in 0..TASKS {
        let s = s.clone();
        let token = token.clone();
        handles.push(tokio::spawn(async move {
            let mut got = Vec::with_capacity(PER_TASK);
            for i in 0..PER_TASK {
                let r = s
                    .post(
                        "/v1/registry/allocate",
                        Some(&token),
                        &AllocateRequest {
                            code: "鹤府办".into(),
                            document_id: format!("doc-{t}-{i}"),
                        },
                    )
                    .await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
                got.push(r.json::<AllocatedNumber>());
            }
            got
        }));
    }
    let mut seqs = BTreeSet::new();
    let mut year = None;
    for h in handles {
        for n in h.await.unwrap() {
            assert!(seqs.insert(n.seq), "duplicate 文号 {}", n.text);
            assert_eq!(*year.get_or_insert(n.year), n.year);
            assert_eq!(n.text, format!("鹤府办〔{}〕{}号", n.year, n.seq));
        }
    }
    let total = (TASKS * PER_TASK) as i64;
    assert_eq!(seqs.len() as i64, total);
    assert_eq!(seqs.first(), Some(&1));
    assert_eq!(seqs.last(), Some(&total), "no gaps: 1..={total}");

    // Registering a document again returns its number and consumes none.
    let again: AllocatedNumber = s
        .post(
            "/v1/registry/allocate",
            Some(&token),
            &AllocateRequest {
                code: "鹤府办".into(),
                document_id: "doc-3-7".into(),
            },
        )
        .await
        .json();
    let listed: Vec<AllocatedNumber> = s
        .get(
            &format!("/v1/registry/%E9%B9%A4%E5%BA%9C%E5%8A%9E/{}", again.year),
            Some(&token),
        )
        .await
        .json();
    assert_eq!(listed.len() as i64, total);
    assert_eq!(
        listed
            .iter()
            .find(|n| n.document_id == "doc-3-7")
            .unwrap()
            .seq,
        again.seq
    );
    let next: AllocatedNumber = s
        .post(
            "/v1/registry/allocate",
            Some(&token),
            &AllocateRequest {
                code: "鹤府办".into(),
                document_id: "new".into(),
            },
        )
        .await
        .json();
    assert_eq!(next.seq, total + 1);
}

#[tokio::test]
async fn sequences_are_per_code_and_year() {
    let s = TestServer::start().await;
    s.seed().await;
    let pool = s.pool().await;
    let mut client = pool.get().await.unwrap();
    let tx = client.transaction().await.unwrap();
    let a = gongwen_server::registry::allocate(&tx, "鹤府办", 2025, "a", None)
        .await
        .unwrap();
    let b = gongwen_server::registry::allocate(&tx, "鹤府办", 2026, "b", None)
        .await
        .unwrap();
    let c = gongwen_server::registry::allocate(&tx, "鹤府", 2025, "c", None)
        .await
        .unwrap();
    let d = gongwen_server::registry::allocate(&tx, "鹤府办", 2025, "d", None)
        .await
        .unwrap();
    assert_eq!((a.seq, b.seq, c.seq, d.seq), (1, 1, 1, 2));
    let e = gongwen_server::registry::allocate(&tx, "无此代字", 2025, "e", None)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("找不到机关"), "{e}");
    // A rolled-back registration gives its number back.
    drop(tx);
    let tx = client.transaction().await.unwrap();
    let again = gongwen_server::registry::allocate(&tx, "鹤府办", 2025, "z", None)
        .await
        .unwrap();
    assert_eq!(again.seq, 1);
}

/// A clerk's delegation lets a colleague register documents during its period
/// only.
#[tokio::test]
async fn delegated_clerk_may_allocate_only_during_the_period() {
    use gongwen_protocol::auth::Me;
    use gongwen_protocol::directory::{NewDelegation, Role};
    use gongwen_server::Clock;
    use time::format_description::well_known::Rfc3339;

    let s = TestServer::start().await;
    s.seed().await;
    let now = s.clock.now();
    let at = |d: time::Duration| (now + d).format(&Rfc3339).unwrap();
    let admin = s.login("office_admin", PASSWORD).await.access_token;
    let r = s
        .post(
            "/v1/admin/delegations",
            Some(&admin),
            &NewDelegation {
                from: "clerk".into(),
                to: "leader".into(),
                role: Some(Role::Clerk),
                starts_at: at(time::Duration::minutes(-5)),
                ends_at: at(time::Duration::hours(1)),
            },
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());

    let leader = s.login("leader", PASSWORD).await.access_token;
    let me: Me = s.get("/v1/auth/me", Some(&leader)).await.json();
    assert_eq!(me.delegated_roles, vec![Role::Clerk]);
    let req = AllocateRequest {
        code: "鹤府办".into(),
        document_id: "during".into(),
    };
    let r = s.post("/v1/registry/allocate", Some(&leader), &req).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());

    // After the period the delegation no longer counts.
    s.clock.advance(time::Duration::hours(2));
    let leader = s.login("leader", PASSWORD).await.access_token;
    let me: Me = s.get("/v1/auth/me", Some(&leader)).await.json();
    assert!(me.delegated_roles.is_empty());
    let req = AllocateRequest {
        code: "鹤府办".into(),
        document_id: "after".into(),
    };
    s.post("/v1/registry/allocate", Some(&leader), &req)
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
}
