//! One's own account: changing the password, and an administrator's reset.
//!
//! A change (`POST /v1/auth/password`) is checked in this order, cheapest first, so
//! that refusals cost no hashing: the policy of the new password
//! ([`password::check_new`]), new ≠ current, the lockout, then the current password
//! through the same bounded line as a login ([`password::Gate`], 503 + `Retry-After`
//! when full), so the endpoint cannot be used to burn CPU. A wrong current password
//! counts towards the lockout exactly like a failed login. On success, in one
//! transaction: the new hash (compare-and-set on the hash that was verified), the
//! lockout cleared, every session of the user revoked (other devices must log in
//! again), a new session for this device, and an audit record. The answer is the new
//! session's token pair.
//!
//! A reset by an administrator (`POST /v1/admin/users/{login}/password`, or
//! `gongwen-server admin reset-password`) sets the hash, clears the lockout and revokes
//! every session, audited with the administrator as actor.

use axum::http::StatusCode;
use deadpool_postgres::GenericClient;
use gongwen_protocol::auth::{ChangePasswordRequest, TokenPair, password_codes};
use time::OffsetDateTime;

use super::authz::Caller;
use super::password::{self, PolicyViolation};
use super::session::{self, busy, db};
use crate::AppState;
use crate::error::{ApiResult, AppError, Error};

/// Why every session of a user ended, as `auth_families.revoked_reason`.
pub const REVOKED_PASSWORD_CHANGED: &str = "password_changed";
/// The same, after an administrator's reset.
pub const REVOKED_PASSWORD_RESET: &str = "password_reset";

fn policy(v: PolicyViolation) -> AppError {
    AppError::new(StatusCode::BAD_REQUEST, v.code, v.message)
}

fn wrong_password() -> AppError {
    AppError::new(
        StatusCode::FORBIDDEN,
        password_codes::WRONG_PASSWORD,
        "当前密码不正确",
    )
}

/// `POST /v1/auth/password`.
pub async fn change_password(
    state: &AppState,
    caller: &Caller,
    req: ChangePasswordRequest,
) -> ApiResult<TokenPair> {
    password::check_new(&caller.login, &req.new_password).map_err(policy)?;
    if req.new_password == req.current_password {
        return Err(AppError::new(
            StatusCode::BAD_REQUEST,
            password_codes::UNCHANGED,
            "新密码不能与当前密码相同",
        ));
    }
    if req.current_password.chars().count() > password::MAX_LEN {
        return Err(wrong_password());
    }
    let now = state.clock.now();
    // Read, then give the connection back while the CPU-heavy checks wait their turn.
    let (stored, locked_until) = {
        let client = state.pool.get().await.map_err(db)?;
        let row = client
            .query_one(
                "SELECT password_hash, locked_until FROM users WHERE id = $1",
                &[&caller.user_id],
            )
            .await
            .map_err(db)?;
        (
            row.get::<_, Option<String>>(0),
            row.get::<_, Option<OffsetDateTime>>(1),
        )
    };
    if let Some(e) = session::locked(locked_until, now) {
        return Err(e);
    }
    let ok = password::verify_gated(req.current_password, stored.clone())
        .await
        .map_err(busy)?;
    let now = state.clock.now();
    if !ok {
        let mut client = state.pool.get().await.map_err(db)?;
        let tx = client.transaction().await.map_err(db)?;
        session::record_failure(&tx, caller.user_id, now).await?;
        audit(
            &tx,
            &caller.login,
            "auth.password_change_refused",
            &caller.login,
            serde_json::json!({"reason": password_codes::WRONG_PASSWORD}),
            now,
        )
        .await?;
        tx.commit().await.map_err(db)?;
        tracing::warn!(
            user_id = caller.user_id,
            "password change refused: wrong current password"
        );
        return Err(wrong_password());
    }
    // Hashing the new one waits in the same bounded line.
    let new_password = req.new_password;
    let hashed = password::Gate::global()
        .run(move || password::hash(&new_password))
        .await
        .map_err(busy)?
        .map_err(AppError::from)?;
    let now = state.clock.now();
    let mut client = state.pool.get().await.map_err(db)?;
    let tx = client.transaction().await.map_err(db)?;
    // Compare-and-set on the hash just verified: a change or reset that landed while
    // this one waited for the CPU wins, and this one is refused (nothing written).
    let changed = tx
        .execute(
            "UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL
              WHERE id = $1 AND password_hash IS NOT DISTINCT FROM $3",
            &[&caller.user_id, &hashed, &stored],
        )
        .await
        .map_err(db)?;
    if changed == 0 {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            password_codes::CHANGED_MEANWHILE,
            "密码刚刚已被修改，请重新登录后再试",
        ));
    }
    let revoked = session::revoke_all(&tx, caller.user_id, now, REVOKED_PASSWORD_CHANGED)
        .await
        .map_err(AppError::from)?;
    let (family_id, issued) = session::new_session(&tx, state, caller.user_id, now).await?;
    audit(
        &tx,
        &caller.login,
        "auth.password_changed",
        &caller.login,
        serde_json::json!({"sessions_revoked": revoked}),
        now,
    )
    .await?;
    tx.commit().await.map_err(db)?;
    tracing::info!(
        user_id = caller.user_id,
        family_id,
        sessions_revoked = revoked,
        "password changed"
    );
    session::token_pair(state, &client, caller.user_id, issued).await
}

/// Sets `login`'s password to `password_hash` (already checked and hashed), clears its
/// lockout and revokes all its sessions, audited with `actor`; in `tx`. Returns how
/// many sessions ended.
pub async fn reset_password(
    tx: &deadpool_postgres::Transaction<'_>,
    login: &str,
    password_hash: &str,
    actor: &str,
    now: OffsetDateTime,
) -> crate::Result<u64> {
    let login = login.trim();
    let user_id: i64 = tx
        .query_opt(
            "UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL
              WHERE login = $1 RETURNING id",
            &[&login, &password_hash],
        )
        .await?
        .ok_or_else(|| Error::NotFound {
            what: "用户",
            name: login.to_owned(),
        })?
        .get(0);
    let revoked = session::revoke_all(tx, user_id, now, REVOKED_PASSWORD_RESET).await?;
    crate::directory::audit_admin(
        tx,
        actor,
        "auth.password_reset",
        login,
        serde_json::json!({"sessions_revoked": revoked}),
        now,
    )
    .await?;
    tracing::info!(login, actor, sessions_revoked = revoked, "password reset");
    Ok(revoked)
}

/// Checks a password an administrator sets for `login` and hashes it through the
/// hashing line (waiting its turn: administration is rare and never refused).
pub async fn hash_for_reset(login: &str, new_password: String) -> Result<String, PolicyViolation> {
    password::check_new(login, &new_password)?;
    password::Gate::global()
        .queue(move || password::hash(&new_password))
        .await
        .map_err(|e| PolicyViolation {
            code: "bad_request",
            message: e.to_string(),
        })
}

/// [`hash_for_reset`] for HTTP handlers.
pub async fn hash_for_reset_http(login: &str, new_password: String) -> ApiResult<String> {
    hash_for_reset(login, new_password).await.map_err(policy)
}

async fn audit(
    c: &impl GenericClient,
    actor: &str,
    action: &str,
    subject: &str,
    detail: serde_json::Value,
    now: OffsetDateTime,
) -> ApiResult<()> {
    crate::directory::audit_admin(c, actor, action, subject, detail, now)
        .await
        .map_err(AppError::from)
}
