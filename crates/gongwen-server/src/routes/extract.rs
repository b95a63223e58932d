//! Request extractors that answer bad input as `{code, message}`.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::auth::{Caller, session};
use crate::error::{AppError, code};

/// `axum::Json` with rejections mapped to [`AppError`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(r: JsonRejection) -> AppError {
    match r {
        JsonRejection::MissingJsonContentType(_) => AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code::UNSUPPORTED_MEDIA_TYPE,
            "请求体必须是 JSON（Content-Type: application/json）",
        ),
        JsonRejection::JsonSyntaxError(e) => AppError::new(
            StatusCode::BAD_REQUEST,
            code::INVALID_JSON,
            format!("请求体不是有效的 JSON：{}", e.body_text()),
        ),
        JsonRejection::JsonDataError(e) => AppError::new(
            StatusCode::BAD_REQUEST,
            code::INVALID_JSON,
            format!("请求内容不符合要求：{}", e.body_text()),
        ),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => AppError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            code::PAYLOAD_TOO_LARGE,
            "请求体太大，超过了服务器允许的上限",
        ),
        other => AppError::new(
            other.status(),
            code::BAD_REQUEST,
            format!("无法读取请求体：{}", other.body_text()),
        ),
    }
}

/// The authenticated caller (`Authorization: Bearer <access token>`).
impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or_else(|| AppError::unauthorized("请先登录（缺少 Authorization 请求头）"))?;
        let value = header
            .to_str()
            .map_err(|_| AppError::unauthorized("访问令牌无效，请重新登录"))?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .ok_or_else(|| AppError::unauthorized("Authorization 请求头应为 Bearer 令牌"))?;
        session::authenticate(state, token.trim()).await
    }
}
