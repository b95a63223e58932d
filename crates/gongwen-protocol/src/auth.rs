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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

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
