//! The HTTP API. One module per area; every handler is thin: extract, call
//! [`crate::auth::authorize`], call the data module, answer.

pub mod admin;
pub mod auth;
pub mod extract;
pub mod registry;

use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use gongwen_protocol::{Health, PROTOCOL_VERSION};

use crate::error::{AppError, code};
use crate::{AppState, VERSION};

/// The whole application.
pub fn router(state: AppState) -> Router {
    let limit = state.settings.body_limit;
    Router::new()
        .route("/v1/health", get(health))
        .route("/v1/ready", get(ready))
        .route("/metrics", get(metrics))
        .merge(auth::routes())
        .merge(admin::routes())
        .merge(registry::routes())
        .merge(crate::sync::routes())
        .merge(crate::blobs::http::routes())
        .merge(crate::exchange::http::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

/// Count, time and log every request.
async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "(unmatched)".to_owned());
    let response = next.run(req).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    state
        .metrics
        .observe(&method, &route, status, elapsed.as_secs_f64());
    tracing::info!(%method, %route, status, latency_ms = elapsed.as_secs_f64() * 1000.0, "request");
    response
}

async fn not_found() -> AppError {
    AppError::not_found()
}

async fn method_not_allowed() -> AppError {
    AppError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        code::METHOD_NOT_ALLOWED,
        "该地址不支持此请求方法",
    )
}

/// Database status and schema version, with a short timeout.
async fn database_status(state: &AppState) -> (String, i64) {
    let check = async {
        let client = state.pool.get().await.map_err(crate::Error::from)?;
        crate::db::migrations::current_version(&client).await
    };
    match tokio::time::timeout(Duration::from_secs(3), check).await {
        Ok(Ok(v)) => ("ok".to_owned(), v),
        // Details go to the log, not to unauthenticated callers.
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health check: database unavailable");
            ("unavailable".to_owned(), 0)
        }
        Err(_) => {
            tracing::warn!("health check: database timed out");
            ("unavailable: timed out".to_owned(), 0)
        }
    }
}

/// `GET /v1/health`: liveness. Always 200 while the process serves; the body
/// says whether the database answers.
async fn health(State(state): State<AppState>) -> Json<Health> {
    let (database, schema_version) = database_status(&state).await;
    Json(Health {
        status: if database == "ok" { "ok" } else { "degraded" }.to_owned(),
        version: VERSION.to_owned(),
        protocol: PROTOCOL_VERSION,
        database,
        schema_version,
    })
}

/// `GET /v1/ready`: 200 when the database answers and its schema is the one
/// this binary expects; 503 otherwise (take the instance out of rotation).
async fn ready(State(state): State<AppState>) -> Response {
    let (database, schema_version) = database_status(&state).await;
    let latest = crate::db::migrations::latest();
    if database != "ok" {
        return AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            code::UNAVAILABLE,
            "数据库不可用",
        )
        .into_response();
    }
    if schema_version != latest {
        return AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            code::UNAVAILABLE,
            format!("数据库结构版本为 {schema_version}，本程序需要 {latest}"),
        )
        .into_response();
    }
    let health = Health {
        status: "ok".to_owned(),
        version: VERSION.to_owned(),
        protocol: PROTOCOL_VERSION,
        database,
        schema_version,
    };
    Json(health).into_response()
}

/// `GET /metrics`: Prometheus text format.
async fn metrics(State(state): State<AppState>) -> Response {
    let status = state.pool.status();
    state.metrics.pool_size.set(status.size as i64);
    state.metrics.pool_available.set(status.available as i64);
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.encode(),
    )
        .into_response()
}
