//! 修改密码: changing the account's password on the server.
//!
//! Online only by nature: the server checks the current password. Nothing local
//! changes unless the server accepted the new one, so a failure (offline included)
//! loses nothing. On success the server ends every session of the user (other devices
//! must log in again) and answers a new token pair for this device, whose refresh
//! token replaces the old one in the keychain exactly as [`super::login`] stores it.
//!
//! The new password is checked here first with the server's own policy (length, not
//! the login name, not the current one), so the common mistakes need no network.
//! A running sync service keeps working: its access token dies with the old session,
//! and its next request refreshes with the new refresh token from the keychain. (The
//! desktop pauses the service around the change so that no refresh of the old token
//! is in flight meanwhile.)

use std::sync::Arc;
use std::time::Duration;

use gongwen_protocol::auth::{
    ChangePasswordRequest, PASSWORD_MAX_LEN, PASSWORD_MIN_LEN, TokenPair, password_codes,
};
use gongwen_protocol::sync::SCHEMA_VERSION;
use gongwen_protocol::{ApiError, PROTOCOL_VERSION};
use reqwest::{StatusCode, header};

use super::http::{
    PROTOCOL_HEADER, SCHEMA_HEADER, build_http, decode, load_token, network, parse_base, save_token,
};
use super::{Account, TokenStore, TransportError, account};
use crate::Client;

/// Why the password was not changed. The `Display` is a zh-CN sentence for people;
/// [`PasswordChangeError::code`] is what the UI branches on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PasswordChangeError {
    /// The store has no server account (离线试用, or logged out).
    #[error("尚未登录服务器，无法修改密码：请先在“设置 · 服务器”中登录")]
    NotLoggedIn,
    /// The server cannot be reached.
    #[error("修改密码需要连接服务器，当前无法连接（{0}）。密码未修改，请联网后重试")]
    Offline(String),
    /// The session ended (e.g. the password was changed on another device).
    #[error("登录已失效，请重新登录后再修改密码")]
    SessionEnded,
    /// The current password is wrong (counted towards the lockout).
    #[error("当前密码不正确")]
    WrongPassword,
    /// Too many wrong passwords: locked for a while.
    #[error("密码错误次数过多，账号已临时锁定，请在 {retry_after_secs} 秒后重试")]
    Locked { retry_after_secs: u64 },
    /// The new password breaks the policy (`code` from
    /// [`gongwen_protocol::auth::password_codes`]).
    #[error("{message}")]
    Policy { code: String, message: String },
    /// The server is busy (its password line is full) or unavailable.
    #[error("服务器暂时繁忙，密码未修改，请稍后重试")]
    Busy { retry_after_secs: Option<u64> },
    /// The server is older than this feature.
    #[error("服务器版本较旧，不支持在客户端修改密码，请联系管理员")]
    Unsupported,
    /// Any other refusal or an unusable answer.
    #[error("密码未修改：{0}")]
    Other(String),
    /// The local store or the keychain failed (after the server accepted the change:
    /// the new password is in force, but this device must log in again).
    #[error(transparent)]
    Store(#[from] crate::Error),
}

impl PasswordChangeError {
    /// A stable code for the UI and scripts.
    pub fn code(&self) -> &str {
        match self {
            PasswordChangeError::NotLoggedIn => "not_logged_in",
            PasswordChangeError::Offline(_) => "offline",
            PasswordChangeError::SessionEnded => "unauthorized",
            PasswordChangeError::WrongPassword => password_codes::WRONG_PASSWORD,
            PasswordChangeError::Locked { .. } => "account_locked",
            PasswordChangeError::Policy { code, .. } => code,
            PasswordChangeError::Busy { .. } => "server_busy",
            PasswordChangeError::Unsupported => "unsupported",
            PasswordChangeError::Other(_) => "refused",
            PasswordChangeError::Store(e) => e.code(),
        }
    }
}

fn policy(code: &str, message: impl Into<String>) -> PasswordChangeError {
    PasswordChangeError::Policy {
        code: code.to_owned(),
        message: message.into(),
    }
}

/// The server's policy for a new password, checked before anything is sent.
pub fn check_new_password(
    login: &str,
    current: &str,
    new: &str,
) -> Result<(), PasswordChangeError> {
    let n = new.chars().count();
    if n < PASSWORD_MIN_LEN {
        return Err(policy(
            password_codes::TOO_SHORT,
            format!("新密码太短：至少需要 {PASSWORD_MIN_LEN} 个字符"),
        ));
    }
    if n > PASSWORD_MAX_LEN {
        return Err(policy(
            password_codes::TOO_LONG,
            format!("新密码太长：最多 {PASSWORD_MAX_LEN} 个字符"),
        ));
    }
    if new.trim().to_lowercase() == login.trim().to_lowercase() {
        return Err(policy(
            password_codes::SAME_AS_LOGIN,
            "新密码不能与用户名相同",
        ));
    }
    if new == current {
        return Err(policy(
            password_codes::UNCHANGED,
            "新密码不能与当前密码相同",
        ));
    }
    Ok(())
}

fn from_transport(e: TransportError) -> PasswordChangeError {
    match e {
        TransportError::Offline(detail) => PasswordChangeError::Offline(detail),
        TransportError::Unauthorized | TransportError::NotLoggedIn => {
            PasswordChangeError::SessionEnded
        }
        TransportError::Unavailable { retry_after, .. } => PasswordChangeError::Busy {
            retry_after_secs: retry_after.map(|d| d.as_secs()),
        },
        other => PasswordChangeError::Other(other.to_string()),
    }
}

fn retry_after(resp: &reqwest::Response) -> Option<u64> {
    resp.headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// 修改密码: checks the new password locally, then asks the server (with a fresh access
/// token from the refresh token in `tokens`), and stores the new refresh token in
/// `tokens` (the OS keychain for [`super::KeychainTokens`]). Returns the account.
pub async fn change_password(
    client: &Client,
    current: &str,
    new: &str,
    tokens: Arc<dyn TokenStore>,
) -> Result<Account, PasswordChangeError> {
    let account = account(client)?.ok_or(PasswordChangeError::NotLoggedIn)?;
    if current.is_empty() {
        return Err(PasswordChangeError::WrongPassword);
    }
    check_new_password(&account.login, current, new)?;
    let base = parse_base(&account.server_url).map_err(from_transport)?;
    let http = build_http(&base, account.extra_ca.as_deref()).map_err(from_transport)?;
    let url = |path: &str| {
        base.join(path)
            .map_err(|e| PasswordChangeError::Other(e.to_string()))
    };
    let post = |url: reqwest::Url| {
        http.post(url)
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .header(SCHEMA_HEADER, SCHEMA_VERSION.to_string())
            .timeout(Duration::from_secs(60))
    };

    // A fresh access token. The rotated refresh token is stored at once: from here on
    // the old one is used up.
    let refresh = load_token(&tokens, &account)
        .await?
        .ok_or(PasswordChangeError::SessionEnded)?;
    let resp = post(url("v1/auth/refresh")?)
        .json(&serde_json::json!({ "refresh_token": refresh }))
        .send()
        .await
        .map_err(|e| from_transport(network(e)))?;
    if matches!(
        resp.status(),
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
    ) {
        return Err(PasswordChangeError::SessionEnded);
    }
    let pair: TokenPair = decode(resp).await.map_err(from_transport)?;
    save_token(&tokens, &account, &pair.refresh_token).await?;

    let resp = post(url("v1/auth/password")?)
        .bearer_auth(&pair.access_token)
        .json(&ChangePasswordRequest {
            current_password: current.to_owned(),
            new_password: new.to_owned(),
        })
        .send()
        .await
        .map_err(|e| from_transport(network(e)))?;
    let status = resp.status();
    if !status.is_success() {
        let wait = retry_after(&resp);
        let api: ApiError = resp.json().await.unwrap_or(ApiError {
            code: String::new(),
            message: String::new(),
        });
        return Err(match (status, api.code.as_str()) {
            (_, password_codes::WRONG_PASSWORD) => PasswordChangeError::WrongPassword,
            (StatusCode::TOO_MANY_REQUESTS, _) => PasswordChangeError::Locked {
                retry_after_secs: wait.unwrap_or(30),
            },
            (StatusCode::UNAUTHORIZED, _) => PasswordChangeError::SessionEnded,
            (StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED, _) => {
                PasswordChangeError::Unsupported
            }
            (s, _) if s.is_server_error() => PasswordChangeError::Busy {
                retry_after_secs: wait,
            },
            (_, code) if code.starts_with("password_") => policy(code, api.message),
            (_, code) if !code.is_empty() => PasswordChangeError::Other(api.message),
            (s, _) => PasswordChangeError::Other(format!("HTTP {}", s.as_u16())),
        });
    }
    let pair: TokenPair = decode(resp).await.map_err(from_transport)?;
    save_token(&tokens, &account, &pair.refresh_token).await?;
    tracing::info!(login = %account.login, "password changed; other sessions ended");
    Ok(account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_is_checked_before_anything_is_sent() {
        let code = |current: &str, new: &str| {
            check_new_password("clerk", current, new)
                .err()
                .map(|e| e.code().to_owned())
        };
        assert_eq!(
            code("旧密码很长很长", "short").as_deref(),
            Some("password_too_short")
        );
        assert_eq!(
            code("旧密码很长很长", &"长".repeat(257)).as_deref(),
            Some("password_too_long")
        );
        let e = check_new_password("zhangsan01", "x", " ZHANGSAN01").unwrap_err();
        assert_eq!(e.code(), "password_same_as_login");
        assert_eq!(e.to_string(), "新密码不能与用户名相同");
        assert_eq!(
            code("同一个密码啊啊啊", "同一个密码啊啊啊").as_deref(),
            Some("password_unchanged")
        );
        assert_eq!(code("旧密码很长很长", "八个汉字的新密码"), None);
    }

    #[test]
    fn offline_says_the_server_is_needed() {
        let e = from_transport(TransportError::Offline("connection refused".into()));
        assert_eq!(e.code(), "offline");
        assert!(e.to_string().starts_with("修改密码需要连接服务器"), "{e}");
        assert!(e.to_string().contains("密码未修改"), "{e}");
    }
}
