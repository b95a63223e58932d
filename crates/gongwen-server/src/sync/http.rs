//! The two endpoints: `POST /v1/sync/push` and `POST /v1/sync/pull`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use gongwen_protocol::PROTOCOL_VERSION;
use gongwen_protocol::sync::{
    BucketPage, PullRequest, PullResponse, PushRequest, PushResponse, SCHEMA_VERSION, SyncError,
    codes, format_checksum,
};

use super::push::{self, MAX_BATCH, MIN_PROTOCOL, MIN_SCHEMA_VERSION, Step};
use super::{buckets, people};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{AppError, Error};
use crate::routes::extract::ApiJson;

/// The sync routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/sync/push", post(push_handler))
        .route("/v1/sync/pull", post(pull_handler))
}

/// The most ops of one bucket in one pull answer.
pub const MAX_PAGE: u32 = 1000;

fn sync_error(status: StatusCode, code: &str, message: impl Into<String>) -> SyncError {
    let _ = status;
    SyncError {
        code: code.to_owned(),
        message: message.into(),
        expected_seq: None,
        min_protocol: None,
        min_schema_version: None,
        bucket: None,
    }
}

fn answer(status: StatusCode, body: SyncError) -> Response {
    (status, Json(body)).into_response()
}

/// The refusal of a request, boxed (a `Response` is large).
type Refusal = Box<Response>;

/// 426 for a client older than the server accepts; 400 for one newer than it knows.
fn check_versions(protocol: u32, schema: u32) -> Result<(), Refusal> {
    if protocol < MIN_PROTOCOL || schema < MIN_SCHEMA_VERSION {
        let mut e = sync_error(
            StatusCode::UPGRADE_REQUIRED,
            codes::UPGRADE_REQUIRED,
            "客户端版本过旧，请升级公文通后再同步",
        );
        e.min_protocol = Some(MIN_PROTOCOL);
        e.min_schema_version = Some(MIN_SCHEMA_VERSION);
        return Err(Box::new(answer(StatusCode::UPGRADE_REQUIRED, e)));
    }
    if protocol > PROTOCOL_VERSION || schema > SCHEMA_VERSION {
        return Err(Box::new(answer(
            StatusCode::BAD_REQUEST,
            sync_error(
                StatusCode::BAD_REQUEST,
                "SERVER_TOO_OLD",
                format!(
                    "客户端比服务器新（协议 {protocol}、数据版本 {schema}；服务器支持协议 {PROTOCOL_VERSION}、数据版本 {SCHEMA_VERSION}），请联系管理员升级服务器"
                ),
            ),
        )));
    }
    Ok(())
}

fn check_client_id(id: &str) -> Result<(), Refusal> {
    if id.is_empty()
        || id.chars().count() > 100
        || id.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(Box::new(
            AppError::bad_request("client_id 为空、过长或含有空白/控制字符").into_response(),
        ));
    }
    Ok(())
}

fn internal(e: Error) -> Response {
    AppError::from(e).into_response()
}

async fn push_handler(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<PushRequest>,
) -> Response {
    if let Err(r) = check_versions(req.protocol, req.schema_version) {
        return *r;
    }
    if let Err(r) = check_client_id(&req.client_id) {
        return *r;
    }
    for (i, m) in req.mutations.iter().enumerate() {
        if i > 0 && m.seq != req.mutations[i - 1].seq + 1 {
            return AppError::bad_request("mutations 的 seq 必须连续递增").into_response();
        }
        if m.seq < 1 {
            return AppError::bad_request("seq 从 1 开始").into_response();
        }
        if !push::is_uuid(&m.id) {
            return AppError::bad_request(format!("第 {} 号操作的 id 不是 UUID", m.seq))
                .into_response();
        }
        if m.name.is_empty() || m.name.len() > 100 {
            return AppError::bad_request(format!("第 {} 号操作缺少名称", m.seq)).into_response();
        }
    }
    let mut client = match state.pool.get().await {
        Ok(c) => c,
        Err(e) => return internal(e.into()),
    };
    let mut results = Vec::new();
    let mut last_applied: Option<i64> = None;
    for m in req.mutations.iter().take(MAX_BATCH) {
        let step = match push::one(&state, &caller, &req.client_id, m, &mut client).await {
            Ok(s) => s,
            Err(e) if push::is_transient(&e) => {
                let now = state.clock.now().to_offset(super::CST);
                Step::Stop(gongwen_protocol::sync::MutationResult {
                    seq: m.seq,
                    status: gongwen_protocol::sync::MutationStatus::Rejected,
                    code: Some(codes::BUSY.to_owned()),
                    message: Some("服务器繁忙，稍后将自动重试".to_owned()),
                    retryable: true,
                    detail: None,
                    result: None,
                    server_time: Some(super::rfc3339(now)),
                })
            }
            Err(e) => return internal(e),
        };
        match step {
            Step::Consumed(result, last) => {
                results.push(result);
                last_applied = Some(last.max(last_applied.unwrap_or(0)));
            }
            Step::Stop(result) => {
                results.push(result);
                break;
            }
            Step::Gap(expected) => {
                let mut e = sync_error(
                    StatusCode::CONFLICT,
                    codes::SEQ_GAP,
                    format!("操作序号不连续：服务器期待第 {expected} 号"),
                );
                e.expected_seq = Some(expected);
                return answer(StatusCode::CONFLICT, e);
            }
            Step::Unknown => {
                return answer(
                    StatusCode::CONFLICT,
                    sync_error(
                        StatusCode::CONFLICT,
                        codes::CLIENT_UNKNOWN,
                        "服务器没有该设备的同步记录，请重新登记设备后再同步",
                    ),
                );
            }
            Step::NotYours => return AppError::forbidden().into_response(),
        }
    }
    let last_applied_seq = match last_applied {
        Some(v) => v,
        None => match client_state(&client, &req.client_id, &caller).await {
            Ok(Some(v)) => v,
            Ok(None) => 0,
            Err(r) => return r,
        },
    };
    Json(PushResponse {
        results,
        last_applied_seq,
    })
    .into_response()
}

/// The client's `last_applied_seq` (None: unknown client); 403 if it is another user's.
async fn client_state(
    c: &impl deadpool_postgres::GenericClient,
    client_id: &str,
    caller: &Caller,
) -> Result<Option<i64>, Response> {
    let row = c
        .query_opt(
            "SELECT user_id, last_applied_seq FROM sync_clients WHERE client_id = $1",
            &[&client_id],
        )
        .await
        .map_err(|e| internal(e.into()))?;
    match row {
        None => Ok(None),
        Some(r) if r.get::<_, i64>(0) != caller.user_id => {
            Err(AppError::forbidden().into_response())
        }
        Some(r) => Ok(Some(r.get(1))),
    }
}

/// The buckets the caller may see, from the token only.
pub fn visible_buckets(caller: &Caller) -> Vec<String> {
    let mut v = vec![
        buckets::organ_bucket(&caller.organ_code),
        buckets::user_bucket(&caller.login),
    ];
    v.sort();
    v
}

async fn pull_handler(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<PullRequest>,
) -> Response {
    if let Err(r) = check_versions(req.protocol, req.schema_version) {
        return *r;
    }
    if let Err(r) = check_client_id(&req.client_id) {
        return *r;
    }
    if req.cursors.values().any(|c| *c < 0) || req.cursors.len() > 10_000 {
        return AppError::bad_request("游标无效").into_response();
    }
    let mut client = match state.pool.get().await {
        Ok(c) => c,
        Err(e) => return internal(e.into()),
    };
    if let Err(e) = people::publish_organ(&mut client, &caller.organ_code).await {
        return internal(e);
    }
    let last_applied_seq = match client_state(&client, &req.client_id, &caller).await {
        Ok(v) => v.unwrap_or(0),
        Err(r) => return r,
    };
    let now = state.clock.now();
    if let Err(e) = client
        .execute(
            "UPDATE sync_clients SET last_seen_at = $2 WHERE client_id = $1",
            &[&req.client_id, &now],
        )
        .await
    {
        return internal(e.into());
    }
    let limit = i64::from(req.limit.clamp(1, MAX_PAGE));
    let visible = visible_buckets(&caller);
    let mut pages = BTreeMap::new();
    let mut resets = Vec::new();
    for bucket in &visible {
        let cursor = req.cursors.get(bucket).copied().unwrap_or(0);
        let page = async {
            let (last, _) = buckets::head(&client, bucket).await?;
            if cursor > last {
                return Ok::<_, Error>(None);
            }
            let (ops, has_more) = buckets::page(&client, bucket, cursor, limit).await?;
            let next = ops.last().map_or(cursor, |o| o.op_id);
            let checksum = buckets::checksum_at(&client, bucket, next).await?;
            Ok(Some(BucketPage {
                ops,
                next,
                has_more,
                checksum: format_checksum(checksum),
            }))
        };
        match page.await {
            Ok(Some(p)) => {
                pages.insert(bucket.clone(), p);
            }
            Ok(None) => resets.push(bucket.clone()),
            Err(e) => return internal(e),
        }
    }
    let added_buckets = visible
        .iter()
        .filter(|b| !req.cursors.contains_key(*b))
        .cloned()
        .collect();
    let removed_buckets = req
        .cursors
        .keys()
        .filter(|b| !visible.contains(b))
        .cloned()
        .collect();
    Json(PullResponse {
        buckets: pages,
        added_buckets,
        removed_buckets,
        resets,
        last_applied_seq,
    })
    .into_response()
}
