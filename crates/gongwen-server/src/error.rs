//! Errors: [`Error`] for everything that stops the server or a CLI command (its
//! messages are one line, name the problem and say what to do), and
//! [`AppError`] for what an HTTP request gets back as `{code, message}`.
//!
//! The single `From<Error> for AppError` decides what a client sees: internal
//! details are logged, never sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gongwen_protocol::ApiError;

/// The server library's error.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("数据库地址无法解析（{0}）：请使用 postgres://用户:密码@主机:端口/数据库 的形式")]
    BadDatabaseUrl(String),
    #[error("无法连接数据库 {target}（{detail}）：请确认 PostgreSQL 已启动、地址和端口正确")]
    DatabaseUnreachable { target: String, detail: String },
    #[error("数据库拒绝了用户 {user} 的登录（用户名或密码错误）：请检查数据库地址中的用户名和密码")]
    DatabaseAuth { user: String },
    #[error("数据库 {name} 不存在：请先用 createdb {name} 创建，或检查数据库地址")]
    DatabaseMissing { name: String },
    #[error(
        "数据库结构版本 {database} 比本程序支持的版本 {supported} 新：它由更新版本的 gongwen-server 创建，请升级本程序后再试"
    )]
    SchemaTooNew { database: i64, supported: i64 },
    #[error(
        "数据库结构版本 {database} 落后于本程序的版本 {supported}：请先运行 gongwen-server migrate"
    )]
    SchemaOutdated { database: i64, supported: i64 },
    #[error(
        "已执行的迁移 {version} 与本程序内置的内容不一致：迁移文件只能追加、不能修改，请检查部署的程序版本"
    )]
    MigrationModified { version: i64 },
    #[error("无法监听 {addr}：端口已被占用，请换一个端口（--listen）或停止占用它的程序")]
    AddressInUse { addr: String },
    #[error("无法监听 {addr}（{source}）：请检查 --listen 地址")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error(
        "不允许在非回环地址 {addr} 上使用明文 HTTP：请提供 --tls-cert 和 --tls-key，或明确加上 --insecure-http"
    )]
    PlainHttpNotAllowed { addr: String },
    #[error("TLS 配置错误：{0}")]
    Tls(String),
    #[error("配置错误：{0}")]
    Config(String),
    #[error("{0}")]
    Invalid(String),
    #[error("找不到{what}“{name}”")]
    NotFound { what: &'static str, name: String },
    #[error("{what}“{name}”已存在")]
    AlreadyExists { what: &'static str, name: String },
    #[error("数据库错误：{0}")]
    Db(#[from] tokio_postgres::Error),
    #[error("数据库连接池错误：{0}")]
    Pool(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

impl From<deadpool_postgres::PoolError> for Error {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        match e {
            deadpool_postgres::PoolError::Backend(e) => Error::Db(e),
            other => Error::Pool(other.to_string()),
        }
    }
}

/// The stable error codes clients branch on.
pub mod code {
    pub const BAD_REQUEST: &str = "bad_request";
    pub const INVALID_JSON: &str = "invalid_json";
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "unsupported_media_type";
    pub const PAYLOAD_TOO_LARGE: &str = "payload_too_large";
    pub const UNAUTHORIZED: &str = "unauthorized";
    pub const INVALID_CREDENTIALS: &str = "invalid_credentials";
    pub const TOKEN_EXPIRED: &str = "token_expired";
    pub const REFRESH_REUSED: &str = "refresh_token_reused";
    pub const LOCKED: &str = "account_locked";
    pub const FORBIDDEN: &str = "forbidden";
    pub const NOT_FOUND: &str = "not_found";
    pub const METHOD_NOT_ALLOWED: &str = "method_not_allowed";
    pub const CONFLICT: &str = "conflict";
    pub const UNAVAILABLE: &str = "unavailable";
    pub const INTERNAL: &str = "internal";
}

/// An error answer to an HTTP request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Extra headers (e.g. `Retry-After`).
    pub retry_after: Option<u64>,
}

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code::BAD_REQUEST, message)
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code::UNAUTHORIZED, message)
    }
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, code::FORBIDDEN, "没有权限执行此操作")
    }
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, code::NOT_FOUND, "请求的资源不存在")
    }
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            code::INTERNAL,
            "服务器内部错误，请稍后重试或联系管理员",
        )
    }
}

impl From<Error> for AppError {
    fn from(e: Error) -> Self {
        match e {
            Error::Invalid(m) => AppError::bad_request(m),
            e @ Error::NotFound { .. } => {
                AppError::new(StatusCode::NOT_FOUND, code::NOT_FOUND, e.to_string())
            }
            e @ Error::AlreadyExists { .. } => {
                AppError::new(StatusCode::CONFLICT, code::CONFLICT, e.to_string())
            }
            // No server-side error code: the connection itself failed.
            Error::Db(e) if e.as_db_error().is_none() => {
                tracing::error!(error = %e, "database connection failed");
                AppError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    code::UNAVAILABLE,
                    "数据库暂时不可用，请稍后重试",
                )
            }
            e @ (Error::DatabaseUnreachable { .. } | Error::Pool(_)) => {
                tracing::error!(error = %e, "database unavailable");
                let mut answer = AppError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    code::UNAVAILABLE,
                    "数据库暂时不可用，请稍后重试",
                );
                // Every connection busy (the pool's wait timed out) or the database
                // away: a client should back off a little, not hammer.
                answer.retry_after = Some(2);
                answer
            }
            other => {
                tracing::error!(error = %other, "request failed");
                AppError::internal()
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = ApiError {
            code: self.code.to_owned(),
            message: self.message,
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after
            && let Ok(v) = secs.to_string().parse()
        {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, v);
        }
        response
    }
}

pub type ApiResult<T> = std::result::Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exhausted_pool_answers_503_with_retry_after() {
        let response = AppError::from(Error::Pool("timed out waiting for a connection".into()))
            .into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response
                .headers()
                .get(axum::http::header::RETRY_AFTER)
                .unwrap(),
            "2"
        );
    }
}
