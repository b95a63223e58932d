//! The HTTP transport against a misbehaving server (axum on 127.0.0.1:0): garbage, a
//! body cut short, 500, a redirect to another host, 426, an expired access token.
//! Sync stops with a clear, typed error and the outbox intact.

mod sync_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use gongwen_client::sync::{
    Account, Engine, HttpTransport, MemoryTokens, SyncError, TokenStore, TransportError,
};
use sync_support::{Clock, document, open_client};

#[derive(Default)]
struct Hits {
    refresh: AtomicUsize,
    pull: AtomicUsize,
}

fn token_pair(n: usize) -> serde_json::Value {
    serde_json::json!({
        "access_token": format!("access-{n}"),
        "access_expires_in": 900,
        "refresh_token": format!("refresh-{n}"),
        "refresh_expires_in": 86400,
        "user": {"user_id": 1, "login": "zhang", "display_name": "张三", "organ": "鹤府办", "roles": []}
    })
}

fn empty_pull() -> serde_json::Value {
    serde_json::json!({"buckets": {}, "last_applied_seq": 0})
}

async fn refresh(State(hits): State<Arc<Hits>>) -> Response {
    let n = hits.refresh.fetch_add(1, Ordering::SeqCst) + 1;
    axum::Json(token_pair(n)).into_response()
}

async fn pull(
    Path(case): Path<String>,
    State(hits): State<Arc<Hits>>,
    headers: HeaderMap,
) -> Response {
    hits.pull.fetch_add(1, Ordering::SeqCst);
    assert_eq!(headers["gongwen-protocol"], "1");
    assert!(headers.contains_key("gongwen-schema"));
    match case.as_str() {
        "garbage" => (StatusCode::OK, "<html>维护中</html>").into_response(),
        "half" => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"buckets": {"user:zhang": {"ops": [{"op_id": 1, "op": "PUT""#,
        )
            .into_response(),
        "error500" => (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
        "redirect" => (
            StatusCode::TEMPORARY_REDIRECT,
            [(header::LOCATION, "http://attacker.invalid/v1/sync/pull")],
        )
            .into_response(),
        "old" => (
            StatusCode::UPGRADE_REQUIRED,
            axum::Json(serde_json::json!({
                "code": "UPGRADE_REQUIRED", "message": "客户端版本过旧",
                "min_protocol": 2, "min_schema_version": 3
            })),
        )
            .into_response(),
        "expired" => {
            let auth = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            // The first access token has expired: only the refreshed one works.
            if auth == "Bearer access-1" {
                (StatusCode::UNAUTHORIZED, "expired").into_response()
            } else {
                axum::Json(empty_pull()).into_response()
            }
        }
        "wrongsum" => axum::Json(serde_json::json!({
            "buckets": {"user:zhang": {"ops": [
                {"op_id": 1, "op": "PUT", "kind": "person", "id": "x", "version": 1,
                 "data": {"id": "x", "name": "某人", "organ": "鹤府办"}}],
                "next": 1, "has_more": false, "checksum": "00000000"}},
            "added_buckets": ["user:zhang"], "last_applied_seq": 0
        }))
        .into_response(),
        _ => axum::Json(empty_pull()).into_response(),
    }
}

async fn serve() -> (String, Arc<Hits>) {
    let hits = Arc::new(Hits::default());
    let app = Router::new()
        .route("/{case}/v1/auth/refresh", post(refresh))
        .route("/{case}/v1/sync/pull", post(pull))
        .route("/{case}/v1/health", get(|| async { "ok" }))
        .with_state(hits.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, hits)
}

async fn sync_against(case: &str) -> (SyncError, Arc<Hits>, usize, Arc<MemoryTokens>) {
    let (base, hits) = serve().await;
    let dir = tempfile::tempdir().unwrap();
    let client = Arc::new(open_client(dir.path(), "zhang", &Clock::new(0)));
    client.create_draft(document("标题", "正文")).unwrap();
    let account = Account {
        server_url: format!("{base}/{case}"),
        login: "zhang".into(),
        display: "张三".into(),
        extra_ca: None,
    };
    let tokens = Arc::new(MemoryTokens::default());
    tokens.save(&account, "refresh-0").unwrap();
    let transport = HttpTransport::new(account, tokens.clone()).unwrap();
    let err = Engine::new(client.clone(), transport)
        .sync()
        .await
        .expect_err("the sync must not succeed");
    let outbox = client.outbox().unwrap().len();
    (err, hits, outbox, tokens)
}

#[tokio::test]
async fn garbage_half_bodies_500_and_redirects_stop_safely_with_the_outbox_intact() {
    for case in ["garbage", "half", "error500", "redirect", "wrongsum"] {
        let (err, hits, outbox, _) = sync_against(case).await;
        assert_eq!(outbox, 1, "{case}: the outbox is untouched");
        assert!(err.is_transient(), "{case}: retried later: {err}");
        match case {
            "error500" => assert!(
                matches!(
                    err,
                    SyncError::Transport(TransportError::Unavailable { status: 500, .. })
                ),
                "{err}"
            ),
            "wrongsum" => {
                assert!(matches!(err, SyncError::ResetLoop(_)), "{err}");
                assert!(
                    hits.pull.load(Ordering::SeqCst) >= 3,
                    "pulled again after a mismatch"
                );
            }
            _ => {
                assert!(
                    matches!(err, SyncError::Transport(TransportError::BadResponse(_))),
                    "{case}: {err:?}"
                );
                assert!(err.to_string().contains("本地待同步的数据未改动"), "{err}");
            }
        }
        if case == "redirect" {
            assert!(err.to_string().contains("别处"), "{err}");
        }
    }
}

#[tokio::test]
async fn an_old_client_is_told_to_upgrade() {
    let (err, _, outbox, _) = sync_against("old").await;
    assert_eq!(outbox, 1);
    assert_eq!(err.code(), "upgrade_required");
    assert!(!err.is_transient());
    let text = err.to_string();
    assert!(
        text.contains("请升级客户端") && text.contains('2') && text.contains('3'),
        "{text}"
    );
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_once_and_the_new_refresh_token_kept() {
    let (base, hits) = serve().await;
    let dir = tempfile::tempdir().unwrap();
    let client = Arc::new(open_client(dir.path(), "zhang", &Clock::new(0)));
    let account = Account {
        server_url: format!("{base}/expired"),
        login: "zhang".into(),
        display: "张三".into(),
        extra_ca: None,
    };
    let tokens = Arc::new(MemoryTokens::default());
    tokens.save(&account, "refresh-0").unwrap();
    let transport = HttpTransport::new(account.clone(), tokens.clone()).unwrap();
    Engine::new(client, transport).sync().await.unwrap();
    // One refresh to get a token, a 401, a second refresh, then success.
    assert_eq!(hits.refresh.load(Ordering::SeqCst), 2);
    assert_eq!(tokens.load(&account).unwrap().as_deref(), Some("refresh-2"));
}
