//! `/v1/auth/*`: login, refresh, logout, me, and changing one's own password.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use gongwen_protocol::auth::{
    ChangePasswordRequest, LoginRequest, LogoutRequest, Me, RefreshRequest, TokenPair,
};

use super::extract::ApiJson;
use crate::AppState;
use crate::auth::{Caller, account, session};
use crate::error::{ApiResult, AppError, code};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/auth/login", post(login))
        .route("/v1/auth/refresh", post(refresh))
        .route("/v1/auth/logout", post(logout))
        .route("/v1/auth/me", get(me))
        .route("/v1/auth/password", post(change_password))
}

async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<ChangePasswordRequest>,
) -> ApiResult<Json<TokenPair>> {
    account::change_password(&state, &caller, req)
        .await
        .map(Json)
}

async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Json<TokenPair>> {
    session::login(&state, req).await.map(Json)
}

async fn refresh(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> ApiResult<Json<TokenPair>> {
    session::refresh(&state, &req.refresh_token, req.device_id.as_deref())
        .await
        .map(Json)
}

async fn logout(
    State(state): State<AppState>,
    caller: Caller,
    body: axum::body::Bytes,
) -> ApiResult<StatusCode> {
    // The body is optional: an empty one logs out the caller's own session.
    let refresh = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice::<LogoutRequest>(&body)
            .map_err(|e| {
                AppError::new(
                    StatusCode::BAD_REQUEST,
                    code::INVALID_JSON,
                    format!("请求体不是有效的 JSON：{e}"),
                )
            })?
            .refresh_token
    };
    session::logout(&state, &caller, refresh.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn me(caller: Caller) -> Json<Me> {
    Json(session::me_of(&caller))
}
