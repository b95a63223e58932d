//! The two endpoints: `POST /v1/sync/push` and `POST /v1/sync/pull`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use gongwen_protocol::PROTOCOL_VERSION;
use gongwen_protocol::sync::{
    BucketPage, MutationStatus, PullRequest, PullResponse, PushRequest, PushResponse,
    SCHEMA_VERSION, SyncError, codes, format_checksum, reset_reasons,
};

use super::push::{self, MAX_BATCH, MIN_PROTOCOL, MIN_SCHEMA_VERSION, Outcome};
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
        reason: None,
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
    let started = std::time::Instant::now();
    let answer = push(&state, &caller, &req).await;
    if answer.status() == StatusCode::OK {
        state.metrics.sync.pushes.inc();
    }
    state
        .metrics
        .sync
        .push_seconds
        .observe(started.elapsed().as_secs_f64());
    answer
}

async fn push(state: &AppState, caller: &Caller, req: &PushRequest) -> Response {
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
    let batch = &req.mutations[..req.mutations.len().min(MAX_BATCH)];
    let outcome = match push::run(state, caller, &req.client_id, batch, &mut client).await {
        Ok(o) => o,
        Err(e) if push::is_transient(&e) => {
            // Nothing of the failed transaction was consumed; say so for its first seq.
            let now = state.clock.now().to_offset(super::CST);
            let seq = batch.first().map_or(1, |m| m.seq);
            state.metrics.sync.mutation("retry", Some(codes::BUSY));
            let last_applied_seq = match client_state(&client, &req.client_id, caller).await {
                Ok(v) => v.unwrap_or(0),
                Err(r) => return r,
            };
            // Results up to last_applied_seq are replays the client can fetch again.
            return Json(PushResponse {
                results: vec![push::busy(seq.max(last_applied_seq + 1), now)],
                last_applied_seq,
            })
            .into_response();
        }
        Err(e) => return internal(e),
    };
    match outcome {
        Outcome::Done {
            results,
            replayed,
            last_applied_seq,
        } => {
            for (i, r) in results.iter().enumerate() {
                let outcome = match (r.status, r.retryable) {
                    _ if i < replayed => "replayed",
                    (_, true) => "retry",
                    (MutationStatus::Applied, _) => "applied",
                    (MutationStatus::Rejected, _) => "rejected",
                };
                state.metrics.sync.mutation(outcome, r.code.as_deref());
            }
            Json(PushResponse {
                results,
                last_applied_seq,
            })
            .into_response()
        }
        Outcome::Gap(expected) => {
            let mut e = sync_error(
                StatusCode::CONFLICT,
                codes::SEQ_GAP,
                format!("操作序号不连续：服务器期待第 {expected} 号"),
            );
            e.expected_seq = Some(expected);
            answer(StatusCode::CONFLICT, e)
        }
        Outcome::Unknown => answer(
            StatusCode::CONFLICT,
            sync_error(
                StatusCode::CONFLICT,
                codes::CLIENT_UNKNOWN,
                "服务器没有该设备的同步记录，请重新登记设备后再同步",
            ),
        ),
        Outcome::NotYours => AppError::forbidden().into_response(),
    }
}

/// The client's `last_applied_seq` (None: unknown client); 403 if it is another user's.
async fn client_state(
    c: &impl deadpool_postgres::GenericClient,
    client_id: &str,
    caller: &Caller,
) -> Result<Option<i64>, Response> {
    let stmt = c
        .prepare_cached("SELECT user_id, last_applied_seq FROM sync_clients WHERE client_id = $1")
        .await
        .map_err(|e| internal(e.into()))?;
    let row = c
        .query_opt(&stmt, &[&client_id])
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
    let started = std::time::Instant::now();
    let answer = pull(&state, &caller, &req).await;
    state
        .metrics
        .sync
        .pull_seconds
        .observe(started.elapsed().as_secs_f64());
    answer
}

/// When the client started a bucket from 0: (epoch, base checksum) of the bucket then.
type Started = (i32, u32);

async fn pull(state: &AppState, caller: &Caller, req: &PullRequest) -> Response {
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
    if let Err(e) =
        people::publish_organ_if_changed(&mut client, &state.directory, &caller.organ_code).await
    {
        return internal(e);
    }
    let visible = visible_buckets(caller);
    let limit = i64::from(req.limit.clamp(1, MAX_PAGE));
    let now = state.clock.now();
    // One round trip: the client's state, its last-seen time (written at most once a
    // minute: a poll every few seconds must not be a write each time), the buckets'
    // heads and when the client started each of them.
    let looked = async {
        let db = |e: tokio_postgres::Error| Err(Error::from(e));
        let seen = client
            .prepare_cached(
                "UPDATE sync_clients SET last_seen_at = $2
                  WHERE client_id = $1 AND user_id = $3
                    AND last_seen_at < $2::timestamptz - interval '1 minute'",
            )
            .await
            .map_err(db)?;
        let heads = client
            .prepare_cached(
                "SELECT name, last_op_id, checksum, compacted_through, compacted_checksum, epoch
                   FROM buckets WHERE name = ANY($1)",
            )
            .await
            .map_err(db)?;
        let starts = client
            .prepare_cached(
                "SELECT bucket, epoch, base_checksum FROM sync_client_buckets
                  WHERE client_id = $1 AND user_id = $2 AND bucket = ANY($3)",
            )
            .await
            .map_err(db)?;
        let (state, _, heads, starts) = futures_util::future::try_join4(
            async {
                client_state(&client, &req.client_id, caller)
                    .await
                    .map_err(Ok::<Response, Error>)
            },
            async {
                client
                    .execute(&seen, &[&req.client_id, &now, &caller.user_id])
                    .await
                    .map_err(|e| Err(e.into()))
            },
            async {
                client
                    .query(&heads, &[&visible])
                    .await
                    .map_err(|e| Err(e.into()))
            },
            async {
                client
                    .query(&starts, &[&req.client_id, &caller.user_id, &visible])
                    .await
                    .map_err(|e| Err(e.into()))
            },
        )
        .await?;
        let heads: BTreeMap<String, buckets::Head> = heads
            .iter()
            .map(|r| {
                (
                    r.get::<_, String>(0),
                    buckets::Head {
                        last_op_id: r.get(1),
                        checksum: u32::try_from(r.get::<_, i64>(2)).unwrap_or(0),
                        compacted_through: r.get(3),
                        compacted_checksum: u32::try_from(r.get::<_, i64>(4)).unwrap_or(0),
                        epoch: r.get(5),
                    },
                )
            })
            .collect();
        let starts: BTreeMap<String, Started> = starts
            .iter()
            .map(|r| {
                (
                    r.get::<_, String>(0),
                    (r.get(1), u32::try_from(r.get::<_, i64>(2)).unwrap_or(0)),
                )
            })
            .collect();
        Ok::<_, Result<Response, Error>>((state.unwrap_or(0), heads, starts))
    };
    let (last_applied_seq, heads, starts) = match looked.await {
        Ok(v) => v,
        Err(Ok(refusal)) => return refusal,
        Err(Err(e)) => return internal(e),
    };
    let mut plans = Vec::new();
    let mut resets = Vec::new();
    let mut reset_reasons = BTreeMap::new();
    let mut restarts = Vec::new();
    for bucket in &visible {
        let cursor = req.cursors.get(bucket).copied().unwrap_or(0);
        let head = heads.get(bucket).copied().unwrap_or_default();
        let (epoch, base) = if cursor == 0 {
            if head.epoch > 0 {
                restarts.push((bucket.clone(), head.epoch, head.compacted_checksum));
            }
            (head.epoch, head.compacted_checksum)
        } else {
            starts.get(bucket).copied().unwrap_or((0, 0))
        };
        let reason = if cursor > head.last_op_id {
            Some(reset_reasons::CURSOR_AHEAD)
        } else if cursor > 0 && cursor < head.compacted_through && epoch < head.epoch {
            Some(reset_reasons::COMPACTED)
        } else {
            None
        };
        if let Some(reason) = reason {
            state.metrics.sync.reset(reason);
            resets.push(bucket.clone());
            reset_reasons.insert(bucket.clone(), reason.to_owned());
            continue;
        }
        plans.push((bucket.clone(), cursor, head, base));
    }
    // The pages, pipelined; an up-to-date bucket needs no query at all.
    let pages =
        futures_util::future::try_join_all(plans.iter().map(|(bucket, cursor, head, base)| {
            let client = &client;
            async move {
                if *cursor == head.last_op_id {
                    let sum = if *cursor == 0 {
                        head.compacted_checksum
                    } else {
                        head.checksum
                    };
                    return Ok::<_, Error>((
                        bucket.clone(),
                        BucketPage {
                            ops: Vec::new(),
                            next: *cursor,
                            has_more: false,
                            checksum: format_checksum(sum.wrapping_sub(*base)),
                        },
                    ));
                }
                let page = buckets::raw_page(client, bucket, *cursor, limit).await?;
                let next = page.ops.last().map_or(*cursor, |o| o.op_id);
                let sum = match page.last_checksum {
                    Some(sum) => sum,
                    None => buckets::checksum_at(client, bucket, next).await?,
                };
                Ok((
                    bucket.clone(),
                    BucketPage {
                        ops: page.ops,
                        next,
                        has_more: page.has_more,
                        checksum: format_checksum(sum.wrapping_sub(*base)),
                    },
                ))
            }
        }));
    let record = async {
        if restarts.is_empty() {
            return Ok::<_, Error>(());
        }
        let stmt = client
            .prepare_cached(
                "INSERT INTO sync_client_buckets (client_id, user_id, bucket, epoch, base_checksum, started_at)
                 SELECT $1, $2, b, e, c, $6 FROM unnest($3::text[], $4::int[], $5::bigint[]) AS u(b, e, c)
                 ON CONFLICT (client_id, user_id, bucket) DO UPDATE
                    SET epoch = excluded.epoch, base_checksum = excluded.base_checksum,
                        started_at = excluded.started_at",
            )
            .await?;
        let names: Vec<&str> = restarts.iter().map(|r| r.0.as_str()).collect();
        let epochs: Vec<i32> = restarts.iter().map(|r| r.1).collect();
        let sums: Vec<i64> = restarts.iter().map(|r| i64::from(r.2)).collect();
        client
            .execute(
                &stmt,
                &[
                    &req.client_id,
                    &caller.user_id,
                    &names,
                    &epochs,
                    &sums,
                    &now,
                ],
            )
            .await?;
        Ok(())
    };
    let pages = match futures_util::future::try_join(pages, record).await {
        Ok((pages, ())) => pages,
        Err(e) => return internal(e),
    };
    let served: usize = pages.iter().map(|(_, p)| p.ops.len()).sum();
    state.metrics.sync.pulls.inc();
    state.metrics.sync.ops_served.inc_by(served as u64);
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
    let answer = PullResponse {
        buckets: pages.into_iter().collect(),
        added_buckets,
        removed_buckets,
        resets,
        reset_reasons,
        last_applied_seq,
    };
    match to_json(&answer) {
        Ok(body) => (
            [(
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response(),
        Err(e) => internal(Error::Invalid(format!("同步应答无法编码：{e}"))),
    }
}

/// A pull answer's JSON body, written once into a buffer sized for it. Each op's data
/// is the text PostgreSQL rendered from the stored `jsonb` ([`buckets::raw_page`]),
/// spliced in as it is (`Op::data` is JSON text), never parsed and re-serialized by the
/// server; `jsonb`'s text differs from serde_json's only in insignificant whitespace
/// and key order.
fn to_json(answer: &PullResponse) -> serde_json::Result<Vec<u8>> {
    let size: usize = answer
        .buckets
        .values()
        .map(|p| {
            p.ops
                .iter()
                .map(|o| o.data_text().map_or(0, str::len) + 160)
                .sum::<usize>()
                + 200
        })
        .sum::<usize>()
        + 256;
    let mut body = Vec::with_capacity(size);
    serde_json::to_writer(&mut body, answer)?;
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongwen_protocol::sync::{Op, OpKind};
    use serde_json::value::RawValue;

    fn op(op_id: i64, op: OpKind, data: Option<&str>) -> Op {
        Op {
            op_id,
            op,
            kind: "draft".into(),
            id: format!("D\"{op_id}\u{4e00}"),
            version: op_id * 2,
            data: data.map(|d| RawValue::from_string(d.to_owned()).unwrap()),
        }
    }

    fn answer(ops: Vec<Op>, reasons: BTreeMap<String, String>) -> PullResponse {
        PullResponse {
            buckets: BTreeMap::from([
                (
                    "user:a".to_owned(),
                    BucketPage {
                        ops,
                        next: 8,
                        has_more: true,
                        checksum: format_checksum(0xdead_beef),
                    },
                ),
                (
                    "organ:b".to_owned(),
                    BucketPage {
                        ops: vec![],
                        next: 3,
                        has_more: false,
                        checksum: format_checksum(1),
                    },
                ),
            ]),
            added_buckets: vec!["organ:b".into()],
            removed_buckets: vec!["organ:old".into()],
            resets: reasons.keys().cloned().collect(),
            reset_reasons: reasons,
            last_applied_seq: 42,
        }
    }

    #[test]
    fn the_body_is_the_protocol_type_serialized() {
        let put = r#"{"a":[1,2.5,null],"b":{"c":"公文\n"},"d":true}"#;
        for reasons in [
            BTreeMap::new(),
            BTreeMap::from([("organ:x".to_owned(), "compacted".to_owned())]),
        ] {
            let a = answer(
                vec![op(7, OpKind::Put, Some(put)), op(8, OpKind::Remove, None)],
                reasons,
            );
            let body = to_json(&a).unwrap();
            assert_eq!(
                String::from_utf8(body.clone()).unwrap(),
                serde_json::to_string(&a).unwrap()
            );
            let back: PullResponse = serde_json::from_slice(&body).unwrap();
            assert_eq!(back, a);
        }
    }

    #[test]
    fn postgres_rendered_data_is_spliced_as_it_is() {
        // jsonb's text form (spaces, keys by length) goes out byte for byte and reads
        // back as the same entity.
        let stored = r#"{"d": true, "a": [1, 2.5, null], "b": {"c": "公文\n"}}"#;
        let body = to_json(&answer(
            vec![op(1, OpKind::Put, Some(stored))],
            BTreeMap::new(),
        ))
        .unwrap();
        let text = String::from_utf8(body.clone()).unwrap();
        assert!(text.contains(&format!(r#""data":{stored}"#)), "{text}");
        let back: PullResponse = serde_json::from_slice(&body).unwrap();
        let op = &back.buckets["user:a"].ops[0];
        assert_eq!(op.data_text(), Some(stored));
        assert_eq!(
            op.parse_data::<serde_json::Value>().unwrap(),
            serde_json::json!({"a": [1, 2.5, null], "b": {"c": "公文\n"}, "d": true})
        );
    }
}
