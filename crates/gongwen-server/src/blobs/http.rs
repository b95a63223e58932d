//! `/v1/blobs`: announce, resumable upload (tus 1.0 style) and ranged download.
//!
//! ```text
//! POST  /v1/blobs                 {"id": "sha256:…", "size": N}
//!       → 200 {"status":"present","offset":N}            the server has it (dedup)
//!       → 201 {"status":"upload","upload_url":…,"offset":K}, Location: the upload
//! HEAD  /v1/blobs/uploads/{u}     → 200, Upload-Offset: K, Upload-Length: N
//! PATCH /v1/blobs/uploads/{u}     Upload-Offset: K, Content-Type: application/offset+octet-stream
//!       → 204, Upload-Offset: K + len                     more to come
//!       → 201 {"status":"present",…}, Location: /v1/blobs/{id}   the last chunk, verified
//!       → 409 OFFSET_MISMATCH, Upload-Offset: the server's  HEAD (or use it) and resend
//!       → 413 chunk larger than MAX_CHUNK; 422 BLOB_HASH_MISMATCH (the upload is discarded)
//! GET   /v1/blobs/{id}            Range: bytes=a-b, If-None-Match, If-Range
//!       → 200 / 206 / 304 / 416, ETag: "sha256:…", Accept-Ranges: bytes
//! ```
//!
//! An upload belongs to the user who announced it; announcing again resumes
//! it. Its offset lives in PostgreSQL and each chunk is applied under the
//! upload row's lock, so chunks may reach any server instance, and two
//! requests for the same offset cannot both apply. The final chunk verifies
//! the hash and size before the blob is published and recorded.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, head, post};
use axum::{Json, Router};
use gongwen_protocol::ApiError;
use gongwen_protocol::sync::{
    BlobAnnounce, BlobStatus, BlobUpload, MAX_CHUNK, UPLOAD_CONTENT_TYPE, UPLOAD_OFFSET_HEADER,
    codes,
};

use super::store::StoreError;
use super::{BlobId, may_read};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiResult, AppError, code};
use crate::routes::extract::ApiJson;

/// `Upload-Length`: the announced size, on HEAD.
const UPLOAD_LENGTH_HEADER: &str = "Upload-Length";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/blobs", post(announce))
        .route(
            "/v1/blobs/uploads/{upload}",
            head(upload_offset).patch(patch),
        )
        .route("/v1/blobs/{id}", get(download))
}

fn upload_url(upload: &str) -> String {
    format!("/v1/blobs/uploads/{upload}")
}

fn bad_id(text: &str) -> AppError {
    AppError::bad_request(format!(
        "附件标识“{}”无效：应为 sha256: 加 64 位十六进制数字",
        text.chars().take(80).collect::<String>()
    ))
}

fn too_large(max: u64) -> AppError {
    AppError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        code::PAYLOAD_TOO_LARGE,
        format!(
            "附件太大：服务器接受的附件最大为 {} MB",
            max / (1024 * 1024)
        ),
    )
}

fn offset_mismatch(server: u64) -> Response {
    let mut response = (
        StatusCode::CONFLICT,
        Json(ApiError {
            code: codes::OFFSET_MISMATCH.to_owned(),
            message: format!("上传位置不一致：服务器已收到 {server} 字节，请从该位置继续"),
        }),
    )
        .into_response();
    response
        .headers_mut()
        .insert(UPLOAD_OFFSET_HEADER, HeaderValue::from(server));
    response
}

fn hash_mismatch() -> AppError {
    AppError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        codes::BLOB_HASH_MISMATCH,
        "上传的内容与声明的校验值或大小不一致，已丢弃，请重新上传",
    )
}

fn store_failure(e: StoreError) -> AppError {
    tracing::error!(error = %e, "blob store failed");
    AppError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        code::UNAVAILABLE,
        "附件存储暂时不可用，请稍后重试",
    )
}

fn new_upload_id() -> crate::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| crate::Error::Invalid(format!("无法生成随机数：{e}")))?;
    Ok(hex::encode(bytes))
}

/// `POST /v1/blobs`.
async fn announce(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<BlobAnnounce>,
) -> ApiResult<Response> {
    let id = BlobId::parse(&req.id).ok_or_else(|| bad_id(&req.id))?;
    let max = state.settings.blob_max_size;
    if req.size > max {
        return Err(too_large(max));
    }
    let size = req.size as i64;
    let mut client = state.pool.get().await.map_err(crate::Error::from)?;
    if let Some(known) = super::size(&client, &id).await? {
        if known != req.size {
            return Err(AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                codes::BLOB_HASH_MISMATCH,
                format!(
                    "该附件在服务器上的大小为 {known} 字节，与声明的 {} 字节不一致",
                    req.size
                ),
            ));
        }
        return Ok(present(&id, req.size, StatusCode::OK));
    }
    let now = state.clock.now();
    let tx = client.transaction().await.map_err(crate::Error::from)?;
    // One upload per user and blob: announcing again resumes it.
    let row = tx
        .query_opt(
            "SELECT id, size, \"offset\" FROM blob_uploads WHERE blob_id = $1 AND user_id = $2 FOR UPDATE",
            &[&id.as_str(), &caller.user_id],
        )
        .await
        .map_err(crate::Error::from)?;
    let (upload, offset) = match row {
        Some(r) if r.get::<_, i64>(1) == size => (r.get::<_, String>(0), r.get::<_, i64>(2)),
        Some(r) => {
            // Announced with another size before: that upload cannot finish.
            let old: String = r.get(0);
            tx.execute(
                "UPDATE blob_uploads SET size = $2, \"offset\" = 0, updated_at = $3 WHERE id = $1",
                &[&old, &size, &now],
            )
            .await
            .map_err(crate::Error::from)?;
            state.blobs.discard(&old).await.map_err(store_failure)?;
            (old, 0)
        }
        None => {
            let upload = new_upload_id()?;
            tx.execute(
                "INSERT INTO blob_uploads (id, blob_id, size, \"offset\", user_id, created_at, updated_at)
                 VALUES ($1, $2, $3, 0, $4, $5, $5)
                 ON CONFLICT (blob_id, user_id) DO NOTHING",
                &[&upload, &id.as_str(), &size, &caller.user_id, &now],
            )
            .await
            .map_err(crate::Error::from)?;
            (upload, 0)
        }
    };
    if size == 0 {
        // Nothing to send: verify and publish the empty blob now.
        state
            .blobs
            .put_chunk(&upload, 0, bytes::Bytes::new())
            .await
            .map_err(store_failure)?;
        return finish(&state, tx, &caller, &upload, &id, 0).await;
    }
    tx.commit().await.map_err(crate::Error::from)?;
    let url = upload_url(&upload);
    let mut response = (
        StatusCode::CREATED,
        Json(BlobUpload {
            status: BlobStatus::Upload,
            upload_url: Some(url.clone()),
            offset: offset as u64,
        }),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&url) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
        .headers_mut()
        .insert(UPLOAD_OFFSET_HEADER, HeaderValue::from(offset));
    Ok(response)
}

fn present(id: &BlobId, size: u64, status: StatusCode) -> Response {
    let mut response = (
        status,
        Json(BlobUpload {
            status: BlobStatus::Present,
            upload_url: None,
            offset: size,
        }),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("/v1/blobs/{id}")) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
        .headers_mut()
        .insert(UPLOAD_OFFSET_HEADER, HeaderValue::from(size));
    response
}

/// Upload ids are 32 hex digits; anything else is simply not found.
fn check_upload(upload: &str) -> ApiResult<()> {
    super::store::check_upload_id(upload).map_err(|_| AppError::not_found())
}

/// `HEAD /v1/blobs/uploads/{upload}`.
async fn upload_offset(
    State(state): State<AppState>,
    caller: Caller,
    Path(upload): Path<String>,
) -> ApiResult<Response> {
    check_upload(&upload)?;
    let client = state.pool.get().await.map_err(crate::Error::from)?;
    let row = client
        .query_opt(
            "SELECT size, \"offset\" FROM blob_uploads WHERE id = $1 AND user_id = $2",
            &[&upload, &caller.user_id],
        )
        .await
        .map_err(crate::Error::from)?
        .ok_or_else(AppError::not_found)?;
    let size: i64 = row.get(0);
    let offset: i64 = row.get(1);
    let mut response = StatusCode::OK.into_response();
    let h = response.headers_mut();
    h.insert(UPLOAD_OFFSET_HEADER, HeaderValue::from(offset));
    h.insert(UPLOAD_LENGTH_HEADER, HeaderValue::from(size));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `PATCH /v1/blobs/uploads/{upload}`.
async fn patch(
    State(state): State<AppState>,
    caller: Caller,
    Path(upload): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    check_upload(&upload)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type
        .trim()
        .eq_ignore_ascii_case(UPLOAD_CONTENT_TYPE)
    {
        return Err(AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code::UNSUPPORTED_MEDIA_TYPE,
            format!("上传分块的 Content-Type 必须是 {UPLOAD_CONTENT_TYPE}"),
        ));
    }
    let claimed: u64 = headers
        .get(UPLOAD_OFFSET_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| {
            AppError::bad_request(format!("缺少或无效的 {UPLOAD_OFFSET_HEADER} 请求头"))
        })?;
    let chunk_too_large = || {
        AppError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            code::PAYLOAD_TOO_LARGE,
            format!("上传分块太大：每块最多 {} MB", MAX_CHUNK / (1024 * 1024)),
        )
    };
    if headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > MAX_CHUNK)
    {
        return Err(chunk_too_large());
    }
    let data = axum::body::to_bytes(body, MAX_CHUNK as usize)
        .await
        .map_err(|_| chunk_too_large())?;

    let mut client = state.pool.get().await.map_err(crate::Error::from)?;
    let tx = client.transaction().await.map_err(crate::Error::from)?;
    let row = tx
        .query_opt(
            "SELECT blob_id, size, \"offset\" FROM blob_uploads WHERE id = $1 AND user_id = $2 FOR UPDATE",
            &[&upload, &caller.user_id],
        )
        .await
        .map_err(crate::Error::from)?
        .ok_or_else(AppError::not_found)?;
    let id = BlobId::parse(row.get(0)).ok_or_else(AppError::internal)?;
    let size = row.get::<_, i64>(1) as u64;
    let offset = row.get::<_, i64>(2) as u64;
    if claimed != offset {
        return Ok(offset_mismatch(offset));
    }
    let end = offset + data.len() as u64;
    if end > size {
        return Err(AppError::bad_request(format!(
            "上传分块超出了附件的声明大小（{size} 字节）"
        )));
    }
    let now = state.clock.now();
    match state.blobs.put_chunk(&upload, offset, data).await {
        Ok(()) => {}
        Err(StoreError::Behind { have }) => {
            // The partial lost bytes (e.g. a restored disk): resume from what it has.
            tx.execute(
                "UPDATE blob_uploads SET \"offset\" = $2, updated_at = $3 WHERE id = $1",
                &[&upload, &(have as i64), &now],
            )
            .await
            .map_err(crate::Error::from)?;
            tx.commit().await.map_err(crate::Error::from)?;
            return Ok(offset_mismatch(have));
        }
        Err(e) => return Err(store_failure(e)),
    }
    if end < size {
        tx.execute(
            "UPDATE blob_uploads SET \"offset\" = $2, updated_at = $3 WHERE id = $1",
            &[&upload, &(end as i64), &now],
        )
        .await
        .map_err(crate::Error::from)?;
        tx.commit().await.map_err(crate::Error::from)?;
        let mut response = StatusCode::NO_CONTENT.into_response();
        response
            .headers_mut()
            .insert(UPLOAD_OFFSET_HEADER, HeaderValue::from(end));
        return Ok(response);
    }
    finish(&state, tx, &caller, &upload, &id, size).await
}

/// Verify and publish a complete upload, record the blob, drop the upload.
async fn finish(
    state: &AppState,
    tx: deadpool_postgres::Transaction<'_>,
    caller: &Caller,
    upload: &str,
    id: &BlobId,
    size: u64,
) -> ApiResult<Response> {
    match state.blobs.finish(upload, id, size).await {
        Ok(()) => {
            tx.execute(
                "INSERT INTO blobs (id, size, uploaded_by, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (id) DO NOTHING",
                &[
                    &id.as_str(),
                    &(size as i64),
                    &caller.user_id,
                    &state.clock.now(),
                ],
            )
            .await
            .map_err(crate::Error::from)?;
            tx.execute("DELETE FROM blob_uploads WHERE id = $1", &[&upload])
                .await
                .map_err(crate::Error::from)?;
            tx.commit().await.map_err(crate::Error::from)?;
            tracing::info!(blob = %id, size, "blob stored");
            Ok(present(id, size, StatusCode::CREATED))
        }
        Err(StoreError::HashMismatch { .. } | StoreError::SizeMismatch { .. }) => {
            tx.execute("DELETE FROM blob_uploads WHERE id = $1", &[&upload])
                .await
                .map_err(crate::Error::from)?;
            tx.commit().await.map_err(crate::Error::from)?;
            Err(hash_mismatch())
        }
        Err(e) => Err(store_failure(e)),
    }
}

/// One satisfiable byte range of a blob, or why not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RangeAnswer {
    /// No (usable) Range header: the whole blob.
    Whole,
    /// `start..end` (end exclusive).
    Part(u64, u64),
    Unsatisfiable,
}

/// Parse a single `bytes=` range (RFC 9110 §14.1.2); several ranges or other
/// units are served whole, as the RFC allows.
fn parse_range(value: &str, size: u64) -> RangeAnswer {
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return RangeAnswer::Whole;
    };
    if spec.contains(',') {
        return RangeAnswer::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeAnswer::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        // Suffix: the last N bytes.
        let Ok(n) = last.parse::<u64>() else {
            return RangeAnswer::Whole;
        };
        if n == 0 || size == 0 {
            return RangeAnswer::Unsatisfiable;
        }
        return RangeAnswer::Part(size.saturating_sub(n), size);
    }
    let Ok(start) = first.parse::<u64>() else {
        return RangeAnswer::Whole;
    };
    let end = if last.is_empty() {
        size
    } else {
        match last.parse::<u64>() {
            Ok(l) if l >= start => (l + 1).min(size),
            _ => return RangeAnswer::Whole,
        }
    };
    if start >= size {
        return RangeAnswer::Unsatisfiable;
    }
    RangeAnswer::Part(start, end)
}

/// `GET /v1/blobs/{id}`.
async fn download(
    State(state): State<AppState>,
    caller: Caller,
    Path(text): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let id = BlobId::parse(&text).ok_or_else(|| bad_id(&text))?;
    let client = state.pool.get().await.map_err(crate::Error::from)?;
    let size = super::size(&client, &id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if !may_read(&client, &caller, &id).await? {
        return Err(AppError::not_found());
    }
    drop(client);
    let etag = format!("\"{id}\"");
    let matches_etag = |v: &HeaderValue| {
        v.to_str()
            .map(|s| s.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
            .unwrap_or(false)
    };
    let mut base = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        base.insert(header::ETAG, v);
    }
    base.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    base.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    if headers.get(header::IF_NONE_MATCH).is_some_and(matches_etag) {
        return Ok((StatusCode::NOT_MODIFIED, base).into_response());
    }
    // If-Range with another validator: the client's copy is stale, send it all.
    let if_range_ok = headers
        .get(header::IF_RANGE)
        .is_none_or(|v| v.to_str().is_ok_and(|s| s.trim() == etag));
    let range = match headers.get(header::RANGE).and_then(|v| v.to_str().ok()) {
        Some(r) if if_range_ok => parse_range(r, size),
        _ => RangeAnswer::Whole,
    };
    let (status, start, end) = match range {
        RangeAnswer::Whole => (StatusCode::OK, 0, size),
        RangeAnswer::Part(s, e) => (StatusCode::PARTIAL_CONTENT, s, e),
        RangeAnswer::Unsatisfiable => {
            let mut response = (
                StatusCode::RANGE_NOT_SATISFIABLE,
                Json(ApiError {
                    code: "range_not_satisfiable".to_owned(),
                    message: format!("请求的范围超出了附件大小（{size} 字节）"),
                }),
            )
                .into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                response.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return Ok(response);
        }
    };
    let stream = match state.blobs.open_range(&id, start..end).await {
        Ok(s) => s,
        Err(StoreError::NotFound) => {
            tracing::error!(blob = %id, "blob recorded in the database but missing from the store");
            return Err(AppError::not_found());
        }
        Err(e) => return Err(store_failure(e)),
    };
    let mut response = Response::new(Body::from_stream(stream));
    *response.status_mut() = status;
    let h = response.headers_mut();
    h.extend(base);
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(end - start));
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{}/{size}", end - 1))
    {
        h.insert(header::CONTENT_RANGE, v);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        use RangeAnswer::*;
        assert_eq!(parse_range("bytes=0-9", 100), Part(0, 10));
        assert_eq!(parse_range("bytes=90-", 100), Part(90, 100));
        assert_eq!(parse_range("bytes=90-500", 100), Part(90, 100));
        assert_eq!(parse_range("bytes=-10", 100), Part(90, 100));
        assert_eq!(parse_range("bytes=-500", 100), Part(0, 100));
        assert_eq!(parse_range("bytes=100-", 100), Unsatisfiable);
        assert_eq!(parse_range("bytes=-0", 100), Unsatisfiable);
        assert_eq!(parse_range("bytes=5-1", 100), Whole);
        assert_eq!(parse_range("bytes=0-1,5-6", 100), Whole);
        assert_eq!(parse_range("items=0-1", 100), Whole);
        assert_eq!(parse_range("bytes=x-1", 100), Whole);
    }
}
