//! Login sessions: login, refresh with rotation and reuse detection, logout,
//! and turning a bearer token into a [`Caller`].
//!
//! A *family* is one login. Each refresh marks the presented refresh token used
//! and issues a new pair in the same family. Presenting a used refresh token
//! again means it was copied: the whole family is revoked, so both the thief
//! and the owner must log in again.
//!
//! Lockout: after [`LOCK_AFTER`] consecutive failures the account is locked
//! for 30 s, doubling with each further failure up to an hour. A success
//! resets the count.
//!
//! Load: a login holds no database connection while its password is verified, and
//! verification waits in the bounded line of [`password::Gate`]; when that line is
//! full the answer is 503 with `Retry-After` (not a failure: it does not count
//! towards the lockout).

use gongwen_protocol::auth::{LoginRequest, Me, TokenPair};
use gongwen_protocol::directory::Role;
use time::{Duration, OffsetDateTime};

use super::authz::Caller;
use super::{password, tokens};
use crate::AppState;
use crate::error::{ApiResult, AppError, Error, code};
use axum::http::StatusCode;

pub const LOCK_AFTER: i32 = 5;
const LOCK_BASE_SECS: i64 = 30;
const LOCK_MAX_SECS: i64 = 3600;

/// How long an account stays locked after `failures` consecutive failures.
pub fn lock_duration(failures: i32) -> Option<Duration> {
    if failures < LOCK_AFTER {
        return None;
    }
    let doublings = (failures - LOCK_AFTER).min(20) as u32;
    Some(Duration::seconds(
        (LOCK_BASE_SECS << doublings).min(LOCK_MAX_SECS),
    ))
}

fn invalid_credentials() -> AppError {
    AppError::new(
        StatusCode::UNAUTHORIZED,
        code::INVALID_CREDENTIALS,
        "用户名或密码错误",
    )
}

fn session_ended() -> AppError {
    AppError::unauthorized("登录已失效，请重新登录")
}

/// 503 with `Retry-After`: the password-hashing line is full (see [`password::Gate`]).
pub(crate) fn busy(b: password::Busy) -> AppError {
    tracing::warn!(
        retry_after = b.retry_after.as_secs(),
        "login turned away: password hashing line full"
    );
    let mut e = AppError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        code::UNAVAILABLE,
        b.to_string(),
    );
    e.retry_after = Some(b.retry_after.as_secs());
    e
}

pub(crate) fn db(e: impl Into<Error>) -> AppError {
    AppError::from(e.into())
}

/// 429 `account_locked` with `Retry-After` while `locked_until` is in the future.
pub(crate) fn locked(
    locked_until: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Option<AppError> {
    let until = locked_until.filter(|u| *u > now)?;
    // Round up: the database keeps microseconds, the clock nanoseconds.
    let left = until - now;
    let secs = (left.whole_seconds() + i64::from(left.subsec_nanoseconds() > 0)).max(1);
    let mut e = AppError::new(
        StatusCode::TOO_MANY_REQUESTS,
        code::LOCKED,
        format!("登录失败次数过多，账号已临时锁定，请在 {secs} 秒后重试"),
    );
    e.retry_after = Some(secs as u64);
    Some(e)
}

/// Counts one failed password check towards the lockout (login, or the current
/// password of a password change) and locks the account when it is due.
pub(crate) async fn record_failure(
    tx: &deadpool_postgres::Transaction<'_>,
    user_id: i64,
    now: OffsetDateTime,
) -> ApiResult<()> {
    let failures: i32 = tx
        .query_one(
            "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins",
            &[&user_id],
        )
        .await
        .map_err(db)?
        .get(0);
    if let Some(d) = lock_duration(failures) {
        tx.execute(
            "UPDATE users SET locked_until = $2 WHERE id = $1",
            &[&user_id, &(now + d)],
        )
        .await
        .map_err(db)?;
        tracing::warn!(
            user_id,
            failures,
            "account locked after failed password checks"
        );
    }
    Ok(())
}

/// Starts a new session (family) for `user_id` and returns its first token pair.
pub(crate) async fn new_session(
    tx: &deadpool_postgres::Transaction<'_>,
    state: &AppState,
    user_id: i64,
    now: OffsetDateTime,
) -> ApiResult<(i64, (String, String))> {
    let family_id: i64 = tx
        .query_one(
            "INSERT INTO auth_families (user_id, created_at) VALUES ($1, $2) RETURNING id",
            &[&user_id, &now],
        )
        .await
        .map_err(db)?
        .get(0);
    let issued = issue(tx, state, family_id, now).await?;
    Ok((family_id, issued))
}

/// Revokes every live session of `user_id` (all devices must log in again) and
/// returns how many there were.
pub(crate) async fn revoke_all(
    tx: &deadpool_postgres::Transaction<'_>,
    user_id: i64,
    now: OffsetDateTime,
    reason: &str,
) -> crate::Result<u64> {
    let n = tx
        .execute(
            "UPDATE auth_families SET revoked_at = $2, revoked_reason = $3
              WHERE user_id = $1 AND revoked_at IS NULL",
            &[&user_id, &now, &reason],
        )
        .await?;
    tx.execute(
        "DELETE FROM access_tokens a USING auth_families f
          WHERE a.family_id = f.id AND f.user_id = $1",
        &[&user_id],
    )
    .await?;
    Ok(n)
}

/// `POST /v1/auth/login`.
pub async fn login(state: &AppState, req: LoginRequest) -> ApiResult<TokenPair> {
    let now = state.clock.now();
    if req.login.is_empty()
        || req.login.chars().count() > 64
        || req.password.chars().count() > password::MAX_LEN
    {
        return Err(invalid_credentials());
    }
    // Look the user up, then give the connection back: Argon2id takes far longer than
    // the query, and a login storm must not hold the pool while it waits for the CPU.
    let row = {
        let client = state.pool.get().await.map_err(db)?;
        client
            .query_opt(
                "SELECT id, password_hash, disabled, locked_until FROM users WHERE login = $1",
                &[&req.login],
            )
            .await
            .map_err(db)?
    };
    let Some(row) = row else {
        // Same work as for a real user, then the same answer.
        password::verify_gated(req.password, None)
            .await
            .map_err(busy)?;
        return Err(invalid_credentials());
    };
    let user_id: i64 = row.get(0);
    let stored: Option<String> = row.get(1);
    let disabled: bool = row.get(2);
    let locked_until: Option<OffsetDateTime> = row.get(3);
    if let Some(e) = locked(locked_until, now) {
        return Err(e);
    }
    // Turned away when the line is long: nothing was checked, nothing counts as a
    // failure, and the client comes back after Retry-After.
    let ok = password::verify_gated(req.password, stored)
        .await
        .map_err(busy)?;
    // The wait in line may have been long: lockouts and tokens count from now.
    let now = state.clock.now();
    let mut client = state.pool.get().await.map_err(db)?;
    let tx = client.transaction().await.map_err(db)?;
    if !ok || disabled {
        if !disabled {
            record_failure(&tx, user_id, now).await?;
            tx.commit().await.map_err(db)?;
        }
        return Err(invalid_credentials());
    }
    tx.execute(
        "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1",
        &[&user_id],
    )
    .await
    .map_err(db)?;
    let (family_id, issued) = new_session(&tx, state, user_id, now).await?;
    tx.commit().await.map_err(db)?;
    tracing::info!(user_id, family_id, "login");
    token_pair(state, &client, user_id, issued).await
}

/// `POST /v1/auth/refresh`: rotates the refresh token and returns a new pair.
///
/// A used refresh token presented again revokes the whole family (reuse detection),
/// with one exception, so that a crash between this rotation and the device storing
/// the new refresh token does not end the session: the same device (`device_id`)
/// presenting it again within [`REFRESH_GRACE_SECS`] of the rotation, while the pair
/// it issued is still unused, gets that same pair again. The pair is derived from the
/// presented token, the device and a secret only the server holds
/// ([`tokens::successors`]), so it is found again without storing it other than
/// hashed; a later reuse, or one from another device, still revokes the family.
///
/// [`REFRESH_GRACE_SECS`]: gongwen_protocol::auth::REFRESH_GRACE_SECS
pub async fn refresh(
    state: &AppState,
    refresh_token: &str,
    device_id: Option<&str>,
) -> ApiResult<TokenPair> {
    let now = state.clock.now();
    if !tokens::well_formed(refresh_token, tokens::REFRESH_PREFIX) {
        return Err(session_ended());
    }
    // A device id outside these bounds is ignored: no grace for that request.
    let device_id = device_id
        .filter(|d| (1..=100).contains(&d.chars().count()) && !d.chars().any(char::is_control));
    let mut client = state.pool.get().await.map_err(db)?;
    let tx = client.transaction().await.map_err(db)?;
    let row = tx
        .query_opt(
            "SELECT r.family_id, r.expires_at, r.used_at, f.revoked_at, f.user_id, u.disabled,
                    u.password_hash
               FROM refresh_tokens r
               JOIN auth_families f ON f.id = r.family_id
               JOIN users u ON u.id = f.user_id
              WHERE r.token_hash = $1
              FOR UPDATE OF r, f",
            &[&tokens::digest(refresh_token)],
        )
        .await
        .map_err(db)?;
    let Some(row) = row else {
        return Err(session_ended());
    };
    let family_id: i64 = row.get(0);
    let expires_at: OffsetDateTime = row.get(1);
    let used_at: Option<OffsetDateTime> = row.get(2);
    let revoked_at: Option<OffsetDateTime> = row.get(3);
    let user_id: i64 = row.get(4);
    let disabled: bool = row.get(5);
    // The server-side secret of the derivation: the user's stored password hash,
    // which the holder of a refresh token does not have.
    let secret: Option<String> = row.get(6);
    if revoked_at.is_some() || disabled {
        return Err(session_ended());
    }
    let derived = match (&secret, device_id) {
        (Some(secret), Some(device)) => {
            Some(tokens::successors(secret.as_bytes(), refresh_token, device))
        }
        _ => None,
    };
    if let Some(used_at) = used_at {
        if let Some(pair) = &derived
            && now - used_at <= Duration::seconds(gongwen_protocol::auth::REFRESH_GRACE_SECS)
            && let Some(left) = unused_successor(&tx, family_id, pair, now).await?
        {
            tx.commit().await.map_err(db)?;
            tracing::info!(
                user_id,
                family_id,
                "refresh replayed within the grace: same pair"
            );
            let mut answer = token_pair(state, &client, user_id, pair.clone()).await?;
            answer.access_expires_in = left.0;
            answer.refresh_expires_in = left.1;
            return Ok(answer);
        }
        revoke_family(&tx, family_id, now, "refresh_token_reused").await?;
        tx.commit().await.map_err(db)?;
        tracing::warn!(user_id, family_id, "refresh token reused: session revoked");
        return Err(AppError::new(
            StatusCode::UNAUTHORIZED,
            code::REFRESH_REUSED,
            "刷新令牌被重复使用，为安全起见已注销此次登录的全部令牌，请重新登录",
        ));
    }
    if expires_at <= now {
        return Err(AppError::new(
            StatusCode::UNAUTHORIZED,
            code::TOKEN_EXPIRED,
            "登录已过期，请重新登录",
        ));
    }
    tx.execute(
        "UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1",
        &[&tokens::digest(refresh_token), &now],
    )
    .await
    .map_err(db)?;
    let issued = match derived {
        Some(pair) => store_pair(&tx, state, family_id, now, pair).await?,
        None => issue(&tx, state, family_id, now).await?,
    };
    tx.commit().await.map_err(db)?;
    token_pair(state, &client, user_id, issued).await
}

/// Whether the pair a rotation issued is still stored in `family_id` with its refresh
/// token unused: the seconds each token has left, or `None`.
async fn unused_successor(
    tx: &deadpool_postgres::Transaction<'_>,
    family_id: i64,
    (access, refresh): &(String, String),
    now: OffsetDateTime,
) -> ApiResult<Option<(i64, i64)>> {
    let row = tx
        .query_opt(
            "SELECT a.expires_at, r.expires_at
               FROM refresh_tokens r, access_tokens a
              WHERE r.token_hash = $1 AND r.family_id = $3 AND r.used_at IS NULL
                AND a.token_hash = $2 AND a.family_id = $3",
            &[
                &tokens::digest(refresh),
                &tokens::digest(access),
                &family_id,
            ],
        )
        .await
        .map_err(db)?;
    Ok(row.map(|r| {
        let a: OffsetDateTime = r.get(0);
        let f: OffsetDateTime = r.get(1);
        (
            (a - now).whole_seconds().max(0),
            (f - now).whole_seconds().max(0),
        )
    }))
}

/// `POST /v1/auth/logout`: revoke the caller's session and, if given, the
/// session of a refresh token of the same user.
pub async fn logout(
    state: &AppState,
    caller: &Caller,
    refresh_token: Option<&str>,
) -> ApiResult<()> {
    let now = state.clock.now();
    let mut client = state.pool.get().await.map_err(db)?;
    let tx = client.transaction().await.map_err(db)?;
    revoke_family(&tx, caller.family_id, now, "logout").await?;
    if let Some(t) = refresh_token.filter(|t| tokens::well_formed(t, tokens::REFRESH_PREFIX)) {
        let other = tx
            .query_opt(
                "SELECT r.family_id FROM refresh_tokens r JOIN auth_families f ON f.id = r.family_id
                  WHERE r.token_hash = $1 AND f.user_id = $2",
                &[&tokens::digest(t), &caller.user_id],
            )
            .await
            .map_err(db)?;
        if let Some(row) = other {
            revoke_family(&tx, row.get(0), now, "logout").await?;
        }
    }
    tx.commit().await.map_err(db)?;
    Ok(())
}

/// Resolve `Authorization: Bearer <token>`.
pub async fn authenticate(state: &AppState, token: &str) -> ApiResult<Caller> {
    if !tokens::well_formed(token, tokens::ACCESS_PREFIX) {
        return Err(AppError::unauthorized("访问令牌无效，请重新登录"));
    }
    let now = state.clock.now();
    let client = state.pool.get().await.map_err(db)?;
    // Every request runs this: one prepared statement (one round trip, planned once
    // per connection), the delegated roles included. Delegated roles: those of
    // colleagues of the same organ who delegated to the caller for a period that
    // includes now; 管理员 cannot be delegated.
    let stmt = client
        .prepare_cached(
            "SELECT a.expires_at, f.revoked_at, u.disabled, u.id, u.login, u.display_name,
                    o.id, o.code, o.parent_id IS NULL, d.id, d.name, f.id,
                    ARRAY(SELECT role FROM user_roles WHERE user_id = u.id ORDER BY role),
                    ARRAY(SELECT DISTINCT r.role FROM delegations g
                            JOIN users fu ON fu.id = g.from_user_id
                            JOIN user_roles r ON r.user_id = g.from_user_id
                           WHERE g.to_user_id = u.id AND g.starts_at <= $2 AND g.ends_at > $2
                             AND g.revoked_at IS NULL
                             AND fu.organ_id = u.organ_id AND NOT fu.disabled
                             AND r.role <> 'admin' AND (g.role IS NULL OR g.role = r.role)
                           ORDER BY r.role)
               FROM access_tokens a
               JOIN auth_families f ON f.id = a.family_id
               JOIN users u ON u.id = f.user_id
               JOIN organs o ON o.id = u.organ_id
               LEFT JOIN departments d ON d.id = u.department_id
              WHERE a.token_hash = $1",
        )
        .await
        .map_err(db)?;
    let row = client
        .query_opt(&stmt, &[&tokens::digest(token), &now])
        .await
        .map_err(db)?;
    let Some(row) = row else {
        return Err(AppError::unauthorized("访问令牌无效，请重新登录"));
    };
    let expires_at: OffsetDateTime = row.get(0);
    let revoked: Option<OffsetDateTime> = row.get(1);
    let disabled: bool = row.get(2);
    if revoked.is_some() || disabled {
        return Err(session_ended());
    }
    if expires_at <= now {
        return Err(AppError::new(
            StatusCode::UNAUTHORIZED,
            code::TOKEN_EXPIRED,
            "访问令牌已过期，请刷新或重新登录",
        ));
    }
    let roles: Vec<String> = row.get(12);
    let roles: Vec<Role> = roles.iter().filter_map(|r| r.parse().ok()).collect();
    let organ_id: i64 = row.get(6);
    let user_id: i64 = row.get(3);
    let delegated: Vec<String> = row.get(13);
    let delegated_roles: Vec<Role> = delegated
        .iter()
        .filter_map(|r| r.parse().ok())
        .filter(|r| !roles.contains(r))
        .collect();
    let admin_scope = if roles.contains(&Role::Admin) {
        crate::directory::subtree(&client, organ_id)
            .await
            .map_err(AppError::from)?
    } else {
        Vec::new()
    };
    Ok(Caller {
        user_id,
        login: row.get(4),
        display_name: row.get(5),
        organ_id,
        organ_code: row.get(7),
        organ_is_top_level: row.get(8),
        department_id: row.get(9),
        department: row.get(10),
        roles,
        delegated_roles,
        admin_scope,
        family_id: row.get(11),
    })
}

pub fn me_of(caller: &Caller) -> Me {
    Me {
        user_id: caller.user_id,
        login: caller.login.clone(),
        display_name: caller.display_name.clone(),
        organ: caller.organ_code.clone(),
        department: caller.department.clone(),
        roles: caller.roles.clone(),
        delegated_roles: caller.delegated_roles.clone(),
    }
}

pub(crate) async fn token_pair(
    state: &AppState,
    client: &impl deadpool_postgres::GenericClient,
    user_id: i64,
    (access_token, refresh_token): (String, String),
) -> ApiResult<TokenPair> {
    let u = crate::directory::user_by_id(client, user_id)
        .await
        .map_err(AppError::from)?;
    Ok(TokenPair {
        access_token,
        access_expires_in: state.settings.access_token_ttl_secs,
        refresh_token,
        refresh_expires_in: state.settings.refresh_token_ttl_secs,
        user: Me {
            user_id: u.id,
            login: u.login,
            display_name: u.display_name,
            organ: u.organ,
            department: u.department,
            roles: u.roles,
            delegated_roles: Vec::new(),
        },
    })
}

async fn issue(
    tx: &deadpool_postgres::Transaction<'_>,
    state: &AppState,
    family_id: i64,
    now: OffsetDateTime,
) -> ApiResult<(String, String)> {
    let access = tokens::generate(tokens::ACCESS_PREFIX).map_err(AppError::from)?;
    let refresh = tokens::generate(tokens::REFRESH_PREFIX).map_err(AppError::from)?;
    store_pair(tx, state, family_id, now, (access, refresh)).await
}

/// Stores the hashes of a new pair in `family_id`.
async fn store_pair(
    tx: &deadpool_postgres::Transaction<'_>,
    state: &AppState,
    family_id: i64,
    now: OffsetDateTime,
    (access, refresh): (String, String),
) -> ApiResult<(String, String)> {
    let access_ttl = state.settings.access_token_ttl_secs;
    let refresh_ttl = state.settings.refresh_token_ttl_secs;
    tx.execute(
        "INSERT INTO access_tokens (token_hash, family_id, issued_at, expires_at) VALUES ($1, $2, $3, $4)",
        &[&tokens::digest(&access), &family_id, &now, &(now + Duration::seconds(access_ttl))],
    )
    .await
    .map_err(db)?;
    tx.execute(
        "INSERT INTO refresh_tokens (token_hash, family_id, issued_at, expires_at) VALUES ($1, $2, $3, $4)",
        &[&tokens::digest(&refresh), &family_id, &now, &(now + Duration::seconds(refresh_ttl))],
    )
    .await
    .map_err(db)?;
    Ok((access, refresh))
}

async fn revoke_family(
    tx: &deadpool_postgres::Transaction<'_>,
    family_id: i64,
    now: OffsetDateTime,
    reason: &str,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE auth_families SET revoked_at = $2, revoked_reason = $3 WHERE id = $1 AND revoked_at IS NULL",
        &[&family_id, &now, &reason],
    )
    .await
    .map_err(db)?;
    tx.execute(
        "DELETE FROM access_tokens WHERE family_id = $1",
        &[&family_id],
    )
    .await
    .map_err(db)?;
    Ok(())
}

/// Delete expired access tokens, and refresh tokens (with their revoked or
/// idle families) past their expiry. Runs periodically; see [`crate::launch`].
/// Returns the number of rows removed.
pub async fn purge_expired(
    pool: &deadpool_postgres::Pool,
    now: OffsetDateTime,
) -> crate::Result<u64> {
    let client = pool.get().await?;
    let mut removed = client
        .execute("DELETE FROM access_tokens WHERE expires_at <= $1", &[&now])
        .await?;
    removed += client
        .execute("DELETE FROM refresh_tokens WHERE expires_at <= $1", &[&now])
        .await?;
    // A family with no live refresh token can never be used again.
    removed += client
        .execute(
            "DELETE FROM auth_families f WHERE NOT EXISTS
                 (SELECT 1 FROM refresh_tokens r WHERE r.family_id = f.id AND r.expires_at > $1)",
            &[&now],
        )
        .await?;
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockout_backs_off_and_caps() {
        assert_eq!(lock_duration(4), None);
        assert_eq!(lock_duration(5), Some(Duration::seconds(30)));
        assert_eq!(lock_duration(6), Some(Duration::seconds(60)));
        assert_eq!(lock_duration(7), Some(Duration::seconds(120)));
        assert_eq!(lock_duration(100), Some(Duration::seconds(3600)));
    }
}
