//! Login, tokens, refresh rotation and reuse detection, lockout, logout.

use axum::http::{StatusCode, header};
use gongwen_protocol::auth::{LoginRequest, LogoutRequest, Me, RefreshRequest, TokenPair};
use gongwen_protocol::directory::Role;

use crate::common::{PASSWORD, TestServer};

fn login_req(login: &str, password: &str) -> LoginRequest {
    LoginRequest {
        login: login.into(),
        password: password.into(),
    }
}

#[tokio::test]
async fn login_me_and_wrong_passwords() {
    let s = TestServer::start().await;
    s.seed().await;
    let pair = s.login("clerk", PASSWORD).await;
    assert!(pair.access_token.starts_with("gwa_"));
    assert_eq!(pair.user.organ, "鹤府办");
    assert_eq!(pair.user.roles, vec![Role::Clerk]);
    let me: Me = s.get("/v1/auth/me", Some(&pair.access_token)).await.json();
    assert_eq!(me.login, "clerk");

    // Wrong password and unknown user look the same.
    let a = s
        .post(
            "/v1/auth/login",
            None,
            &login_req("clerk", "wrong password"),
        )
        .await;
    let b = s
        .post(
            "/v1/auth/login",
            None,
            &login_req("nobody", "wrong password"),
        )
        .await;
    assert_eq!(
        a.assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials"),
        b.error()
    );
    // SQL-looking input is just a wrong login.
    s.post(
        "/v1/auth/login",
        None,
        &login_req("' OR '1'='1", "' OR '1'='1"),
    )
    .await
    .assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");

    // Missing, malformed and forged tokens.
    s.get("/v1/auth/me", None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    s.get("/v1/auth/me", Some("not-a-token"))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    let forged = format!("gwa_{}", "ab".repeat(32));
    s.get("/v1/auth/me", Some(&forged))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    // A refresh token is not an access token.
    s.get("/v1/auth/me", Some(&pair.refresh_token))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn access_tokens_expire() {
    let s = TestServer::start().await;
    s.seed().await;
    let pair = s.login("clerk", PASSWORD).await;
    s.clock
        .advance(time::Duration::seconds(pair.access_expires_in + 1));
    s.get("/v1/auth/me", Some(&pair.access_token))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "token_expired");
    // The refresh token still works and gives a fresh access token.
    let next: TokenPair = s
        .post(
            "/v1/auth/refresh",
            None,
            &RefreshRequest {
                refresh_token: pair.refresh_token,
                device_id: None,
            },
        )
        .await
        .json();
    assert_eq!(
        s.get("/v1/auth/me", Some(&next.access_token)).await.status,
        StatusCode::OK
    );
    // Refresh tokens expire too.
    s.clock
        .advance(time::Duration::seconds(next.refresh_expires_in + 1));
    s.post(
        "/v1/auth/refresh",
        None,
        &RefreshRequest {
            refresh_token: next.refresh_token,
            device_id: None,
        },
    )
    .await
    .assert_error(StatusCode::UNAUTHORIZED, "token_expired");
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let s = TestServer::start().await;
    s.seed().await;
    let first = s.login("leader", PASSWORD).await;
    let other_session = s.login("leader", PASSWORD).await;

    let r = s
        .post(
            "/v1/auth/refresh",
            None,
            &RefreshRequest {
                refresh_token: first.refresh_token.clone(),
                device_id: None,
            },
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let second: TokenPair = r.json();
    assert_ne!(second.refresh_token, first.refresh_token);
    assert_ne!(second.access_token, first.access_token);

    // Replaying the used refresh token: refused, and the whole family dies.
    s.post(
        "/v1/auth/refresh",
        None,
        &RefreshRequest {
            refresh_token: first.refresh_token.clone(),
            device_id: None,
        },
    )
    .await
    .assert_error(StatusCode::UNAUTHORIZED, "refresh_token_reused");
    s.get("/v1/auth/me", Some(&second.access_token))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    s.get("/v1/auth/me", Some(&first.access_token))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    s.post(
        "/v1/auth/refresh",
        None,
        &RefreshRequest {
            refresh_token: second.refresh_token,
            device_id: None,
        },
    )
    .await
    .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");

    // Another login of the same user is a different family and survives.
    assert_eq!(
        s.get("/v1/auth/me", Some(&other_session.access_token))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn logout_revokes_the_session() {
    let s = TestServer::start().await;
    s.seed().await;
    let pair = s.login("drafter", PASSWORD).await;
    let r = s
        .post(
            "/v1/auth/logout",
            Some(&pair.access_token),
            &LogoutRequest {
                refresh_token: None,
            },
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    s.get("/v1/auth/me", Some(&pair.access_token))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    s.post(
        "/v1/auth/refresh",
        None,
        &RefreshRequest {
            refresh_token: pair.refresh_token,
            device_id: None,
        },
    )
    .await
    .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn repeated_failures_lock_the_account_with_backoff() {
    let s = TestServer::start().await;
    s.seed().await;
    for _ in 0..gongwen_server::auth::session::LOCK_AFTER {
        s.post(
            "/v1/auth/login",
            None,
            &login_req("clerk", "wrong password"),
        )
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    // Now even the right password is refused until the lock ends.
    let r = s
        .post("/v1/auth/login", None, &login_req("clerk", PASSWORD))
        .await;
    r.assert_error(StatusCode::TOO_MANY_REQUESTS, "account_locked");
    let retry: u64 = r.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(retry, 30);
    // Other users are not affected.
    s.login("leader", PASSWORD).await;
    // After the lock, a wrong password locks again for twice as long.
    s.clock.advance(time::Duration::seconds(31));
    s.post("/v1/auth/login", None, &login_req("clerk", "wrong again"))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    let r = s
        .post("/v1/auth/login", None, &login_req("clerk", PASSWORD))
        .await;
    r.assert_error(StatusCode::TOO_MANY_REQUESTS, "account_locked");
    assert_eq!(r.headers[header::RETRY_AFTER].to_str().unwrap(), "60");
    // After it, the right password works and resets the count.
    s.clock.advance(time::Duration::seconds(61));
    s.login("clerk", PASSWORD).await;
    s.post("/v1/auth/login", None, &login_req("clerk", "wrong"))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    s.login("clerk", PASSWORD).await;
}

#[tokio::test]
async fn expired_sessions_are_purged() {
    let s = TestServer::start().await;
    s.seed().await;
    let live = s.login("clerk", PASSWORD).await;
    let pool = s.pool().await;
    let now = gongwen_server::Clock::now(&*s.clock);
    // Nothing has expired yet.
    assert_eq!(
        gongwen_server::auth::session::purge_expired(&pool, now)
            .await
            .unwrap(),
        0
    );
    // Past the access lifetime only the access token goes; the session lives on.
    let later = now + time::Duration::seconds(live.access_expires_in + 1);
    assert_eq!(
        gongwen_server::auth::session::purge_expired(&pool, later)
            .await
            .unwrap(),
        1
    );
    s.clock
        .advance(time::Duration::seconds(live.access_expires_in + 1));
    let next: TokenPair = s
        .post(
            "/v1/auth/refresh",
            None,
            &RefreshRequest {
                refresh_token: live.refresh_token,
                device_id: None,
            },
        )
        .await
        .json();
    // Past every lifetime, everything goes, and the old tokens stay dead.
    let much_later = later + time::Duration::seconds(next.refresh_expires_in + 1);
    assert!(
        gongwen_server::auth::session::purge_expired(&pool, much_later)
            .await
            .unwrap()
            >= 4
    );
    let client = pool.get().await.unwrap();
    let families: i64 = client
        .query_one("SELECT count(*) FROM auth_families", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(families, 0);
}

async fn refresh_from(s: &TestServer, token: &str, device: Option<&str>) -> crate::common::Resp {
    s.post(
        "/v1/auth/refresh",
        None,
        &RefreshRequest {
            refresh_token: token.to_owned(),
            device_id: device.map(str::to_owned),
        },
    )
    .await
}

#[tokio::test]
async fn a_rotation_replayed_by_the_same_device_within_the_grace_returns_the_same_pair() {
    let s = TestServer::start().await;
    s.seed().await;
    let first = s.login("leader", PASSWORD).await;
    let r = refresh_from(&s, &first.refresh_token, Some("device-A")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let rotated: TokenPair = r.json();
    // The device crashed before storing the new refresh token: it presents the old one
    // again a little later and gets the very same pair.
    s.clock.advance(time::Duration::seconds(30));
    let r = refresh_from(&s, &first.refresh_token, Some("device-A")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let again: TokenPair = r.json();
    assert_eq!(again.refresh_token, rotated.refresh_token);
    assert_eq!(again.access_token, rotated.access_token);
    assert!(again.access_expires_in <= rotated.access_expires_in - 30);
    // Only hashes are stored: neither token appears in plain text.
    let pool = s.pool().await;
    let c = pool.get().await.unwrap();
    for (sql, want) in [
        (
            "SELECT count(*) FROM refresh_tokens WHERE token_hash = convert_to($1, 'UTF8')",
            0,
        ),
        (
            "SELECT count(*) FROM refresh_tokens WHERE token_hash = sha256(convert_to($1, 'UTF8'))",
            1,
        ),
    ] {
        let n: i64 = c
            .query_one(sql, &[&again.refresh_token])
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, want, "{sql}");
    }
    // The session goes on normally.
    assert_eq!(
        s.get("/v1/auth/me", Some(&again.access_token)).await.status,
        StatusCode::OK
    );
    let r = refresh_from(&s, &again.refresh_token, Some("device-A")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let third: TokenPair = r.json();
    assert_ne!(third.refresh_token, again.refresh_token);
    // Once the new token has been used, the old one is plain reuse: revoked.
    refresh_from(&s, &first.refresh_token, Some("device-A"))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "refresh_token_reused");
    s.get("/v1/auth/me", Some(&third.access_token))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn reuse_after_the_grace_revokes_the_family() {
    let s = TestServer::start().await;
    s.seed().await;
    let first = s.login("leader", PASSWORD).await;
    let r = refresh_from(&s, &first.refresh_token, Some("device-A")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let rotated: TokenPair = r.json();
    s.clock.advance(time::Duration::seconds(
        gongwen_protocol::auth::REFRESH_GRACE_SECS + 1,
    ));
    refresh_from(&s, &first.refresh_token, Some("device-A"))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "refresh_token_reused");
    s.get("/v1/auth/me", Some(&rotated.access_token))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    refresh_from(&s, &rotated.refresh_token, Some("device-A"))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn reuse_from_another_device_or_without_a_device_revokes_the_family() {
    let s = TestServer::start().await;
    s.seed().await;
    for second_device in [Some("device-B"), None] {
        let first = s.login("leader", PASSWORD).await;
        let r = refresh_from(&s, &first.refresh_token, Some("device-A")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let rotated: TokenPair = r.json();
        // Within the grace, but not the device that rotated: a copied token.
        refresh_from(&s, &first.refresh_token, second_device)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "refresh_token_reused");
        s.get("/v1/auth/me", Some(&rotated.access_token))
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
        // The owner's replay within the grace no longer helps: the family is gone.
        refresh_from(&s, &first.refresh_token, Some("device-A"))
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    // A rotation without a device id has no grace at all (older clients).
    let first = s.login("leader", PASSWORD).await;
    let r = refresh_from(&s, &first.refresh_token, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    refresh_from(&s, &first.refresh_token, None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "refresh_token_reused");
}
