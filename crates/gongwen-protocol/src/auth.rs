//! Login, token refresh and logout.
//!
//! Tokens are opaque random strings; the server stores only their SHA-256.
//! Send the access token as `Authorization: Bearer <access_token>`.

use serde::{Deserialize, Serialize};

use crate::directory::Role;

/// `POST /v1/auth/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
}

/// Returned by login and refresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenPair {
    pub access_token: String,
    /// Seconds until the access token expires.
    pub access_expires_in: i64,
    /// Single use: each refresh returns a new one. Presenting a used one again
    /// revokes every token of the session.
    pub refresh_token: String,
    pub refresh_expires_in: i64,
    pub user: Me,
}

/// `POST /v1/auth/refresh`.
///
/// A refresh token is single use, but the device that used it may present it again
/// for a short while ([`REFRESH_GRACE_SECS`]) and gets the same new pair back: a crash
/// between the server's rotation and the device storing the new token does not end the
/// session. Any other second use (later, or from another device) revokes the session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshRequest {
    pub refresh_token: String,
    /// The device's id (its sync client id), which enables the grace above; added
    /// additively in protocol 1 (without it a second use always revokes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
}

/// How long after a rotation the device that rotated may present the used refresh
/// token again and get the same new pair, in seconds.
pub const REFRESH_GRACE_SECS: i64 = 60;

/// `POST /v1/auth/logout` (with the access token); revokes the session. The
/// refresh token may be sent instead of, or as well as, the access token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogoutRequest {
    #[serde(default)]
    pub refresh_token: Option<String>,
}

/// `GET /v1/auth/me`: who the token belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: i64,
    pub login: String,
    pub display_name: String,
    /// The organ's 代字.
    pub organ: String,
    #[serde(default)]
    pub department: Option<String>,
    pub roles: Vec<Role>,
    /// Roles currently held through a delegation (see `GET /v1/auth/me`;
    /// empty in login and refresh answers).
    #[serde(default)]
    pub delegated_roles: Vec<Role>,
}

/// `POST /v1/auth/password` (with the access token): change one's own password.
///
/// Answers a new [`TokenPair`]: every session of the user ends (other devices must
/// log in again) and this device goes on in a new session with the returned tokens;
/// keep the new refresh token as after a login. A wrong `current_password` counts
/// towards the login lockout. Refusals carry one of [`password_codes`].
/// Added additively in protocol 1: an older server answers 404 `not_found`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// `POST /v1/admin/users/{login}/password` (administrators of the user's organ):
/// set a user's password, clear its lockout and end all its sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetPasswordRequest {
    pub new_password: String,
}

/// The answer of a password reset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordReset {
    pub login: String,
    /// How many sessions (logged-in devices) were ended.
    pub sessions_revoked: u64,
}

/// The `ApiError::code`s of a password change or reset, besides the general ones
/// (`unauthorized`, `account_locked` with `Retry-After`, `unavailable` with
/// `Retry-After` when the server's password-hashing line is full).
pub mod password_codes {
    /// 403: the current password is wrong (counted towards the lockout).
    pub const WRONG_PASSWORD: &str = "wrong_password";
    /// 400: shorter than [`super::PASSWORD_MIN_LEN`] characters.
    pub const TOO_SHORT: &str = "password_too_short";
    /// 400: longer than [`super::PASSWORD_MAX_LEN`] characters.
    pub const TOO_LONG: &str = "password_too_long";
    /// 400: the same as the login name.
    pub const SAME_AS_LOGIN: &str = "password_same_as_login";
    /// 400: the same as the current password.
    pub const UNCHANGED: &str = "password_unchanged";
    /// 409: the password was changed by someone else meanwhile; try again.
    pub const CHANGED_MEANWHILE: &str = "password_changed_meanwhile";
}

/// The password policy's bounds, in characters.
pub const PASSWORD_MIN_LEN: usize = 8;
pub const PASSWORD_MAX_LEN: usize = 256;
