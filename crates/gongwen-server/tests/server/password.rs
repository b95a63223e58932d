//! Changing one's own password (`POST /v1/auth/password`) and an administrator's
//! reset (HTTP and `gongwen-server admin reset-password`): policy, lockout counting,
//! every other session ended, audit.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use axum::http::StatusCode;
use gongwen_protocol::auth::{
    ChangePasswordRequest, LoginRequest, Me, PasswordReset, ResetPasswordRequest, TokenPair,
};

use gongwen_protocol::directory::Role;

use crate::common::{PASSWORD, TestServer};

const NEW: &str = "新的密码 2026 春";

fn change(current: &str, new: &str) -> ChangePasswordRequest {
    ChangePasswordRequest {
        current_password: current.into(),
        new_password: new.into(),
    }
}

async fn refresh_status(s: &TestServer, refresh_token: &str) -> StatusCode {
    // As JSON: the request type grows optional fields.
    s.post(
        "/v1/auth/refresh",
        None,
        &serde_json::json!({ "refresh_token": refresh_token }),
    )
    .await
    .status
}

async fn login_status(s: &TestServer, login: &str, password: &str) -> StatusCode {
    s.post(
        "/v1/auth/login",
        None,
        &LoginRequest {
            login: login.into(),
            password: password.into(),
        },
    )
    .await
    .status
}

async fn failed_logins(s: &TestServer, login: &str) -> i32 {
    let pool = s.pool().await;
    let c = pool.get().await.unwrap();
    c.query_one(
        "SELECT failed_logins FROM users WHERE login = $1",
        &[&login],
    )
    .await
    .unwrap()
    .get(0)
}

async fn audit_actions(s: &TestServer, subject: &str) -> Vec<(String, String)> {
    let pool = s.pool().await;
    let c = pool.get().await.unwrap();
    c.query(
        "SELECT actor, action FROM audit_log WHERE subject = $1 AND action LIKE 'auth.%' ORDER BY time, seq",
        &[&subject],
    )
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect()
}

#[tokio::test]
async fn a_change_ends_every_other_session_and_continues_this_one() {
    let s = TestServer::start().await;
    s.seed().await;
    let laptop = s.login("clerk", PASSWORD).await;
    let office_pc = s.login("clerk", PASSWORD).await;
    // Another user's session is not touched.
    let leader = s.login("leader", PASSWORD).await;

    let r = s
        .post(
            "/v1/auth/password",
            Some(&laptop.access_token),
            &change(PASSWORD, NEW),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let fresh: TokenPair = r.json();
    assert_eq!(fresh.user.login, "clerk");
    assert_ne!(fresh.refresh_token, laptop.refresh_token);

    // This device goes on with the new pair, and it rotates as any other.
    let me: Me = s.get("/v1/auth/me", Some(&fresh.access_token)).await.json();
    assert_eq!(me.login, "clerk");
    assert_eq!(
        refresh_status(&s, &fresh.refresh_token).await,
        StatusCode::OK
    );
    // The other device must log in again: its access and refresh tokens are dead.
    s.get("/v1/auth/me", Some(&office_pc.access_token))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(
        refresh_status(&s, &office_pc.refresh_token).await,
        StatusCode::UNAUTHORIZED
    );
    // So are the tokens of the session the change was made in.
    assert_eq!(
        refresh_status(&s, &laptop.refresh_token).await,
        StatusCode::UNAUTHORIZED
    );
    s.get("/v1/auth/me", Some(&laptop.access_token))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(
        s.get("/v1/auth/me", Some(&leader.access_token))
            .await
            .status,
        StatusCode::OK
    );
    // The old password no longer works, the new one does.
    assert_eq!(
        login_status(&s, "clerk", PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(login_status(&s, "clerk", NEW).await, StatusCode::OK);
    assert_eq!(
        audit_actions(&s, "clerk").await,
        vec![("clerk".to_owned(), "auth.password_changed".to_owned())]
    );
    // The server's audit chain still verifies.
    let pool = s.pool().await;
    let c = pool.get().await.unwrap();
    assert!(gongwen_server::audit::verify(&c).await.unwrap().is_ok());
}

#[tokio::test]
async fn a_wrong_current_password_counts_towards_the_lockout() {
    let s = TestServer::start().await;
    s.seed().await;
    let pair = s.login("clerk", PASSWORD).await;
    let token = pair.access_token.clone();
    for n in 1..=4 {
        let e = s
            .post(
                "/v1/auth/password",
                Some(&token),
                &change("not my password", NEW),
            )
            .await
            .assert_error(StatusCode::FORBIDDEN, "wrong_password");
        assert_eq!(e.message, "当前密码不正确");
        assert_eq!(failed_logins(&s, "clerk").await, n);
    }
    // A failed login adds to the same count: the fifth failure locks the account.
    assert_eq!(
        login_status(&s, "clerk", "still wrong").await,
        StatusCode::UNAUTHORIZED
    );
    let r = s
        .post("/v1/auth/password", Some(&token), &change(PASSWORD, NEW))
        .await;
    r.assert_error(StatusCode::TOO_MANY_REQUESTS, "account_locked");
    assert_eq!(r.headers.get("retry-after").unwrap(), "30");
    // Locked for logins too, even with the right password; nothing was changed.
    assert_eq!(
        login_status(&s, "clerk", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    s.clock.advance(time::Duration::seconds(31));
    // The session itself was not ended by the failures.
    assert_eq!(
        s.get("/v1/auth/me", Some(&token)).await.status,
        StatusCode::OK
    );
    let r = s
        .post("/v1/auth/password", Some(&token), &change(PASSWORD, NEW))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // Success clears the count.
    assert_eq!(failed_logins(&s, "clerk").await, 0);
    let actions = audit_actions(&s, "clerk").await;
    assert_eq!(
        actions
            .iter()
            .filter(|(_, a)| a == "auth.password_change_refused")
            .count(),
        4
    );
    assert_eq!(actions.last().unwrap().1, "auth.password_changed");
}

#[tokio::test]
async fn the_policy_refuses_weak_passwords_with_a_code_and_changes_nothing() {
    let s = TestServer::start().await;
    s.seed().await;
    let token = s.token("clerk").await;
    for (new, code) in [
        ("short7!", "password_too_short"),
        ("clerk", "password_too_short"),
        ("CLERK", "password_too_short"),
        (PASSWORD, "password_unchanged"),
    ] {
        s.post("/v1/auth/password", Some(&token), &change(PASSWORD, new))
            .await
            .assert_error(StatusCode::BAD_REQUEST, code);
    }
    let too_long = "长".repeat(257);
    s.post(
        "/v1/auth/password",
        Some(&token),
        &change(PASSWORD, &too_long),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "password_too_long");
    // The login name as a password, long enough to pass the length rule.
    s.add_users(&[("wangxiaoming", "王小明", "鹤府办", vec![Role::Drafter])])
        .await;
    let wang = s.token("wangxiaoming").await;
    let e = s
        .post(
            "/v1/auth/password",
            Some(&wang),
            &change(PASSWORD, "WangXiaoMing"),
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, "password_same_as_login");
    assert!(e.message.contains("用户名"), "{}", e.message);
    // Policy refusals are not failed password checks, and nothing changed.
    assert_eq!(failed_logins(&s, "clerk").await, 0);
    assert_eq!(login_status(&s, "clerk", PASSWORD).await, StatusCode::OK);
    assert_eq!(
        s.get("/v1/auth/me", Some(&token)).await.status,
        StatusCode::OK
    );
    // Without a token there is nothing to change; malformed JSON is a 400.
    s.post("/v1/auth/password", None, &change(PASSWORD, NEW))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    s.raw(
        axum::http::Method::POST,
        "/v1/auth/password",
        Some(&token),
        b"{\"current_password\": 1".to_vec(),
        Some("application/json"),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "invalid_json");
}

#[tokio::test]
async fn an_administrator_resets_a_password_and_ends_every_session() {
    let s = TestServer::start().await;
    s.seed().await;
    let clerk = s.login("clerk", PASSWORD).await;
    // Lock the clerk out first: the reset lifts the lock.
    for _ in 0..5 {
        login_status(&s, "clerk", "wrong wrong").await;
    }
    assert_eq!(
        login_status(&s, "clerk", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    let admin = s.token("office_admin").await;
    let reset = |new: &str| ResetPasswordRequest {
        new_password: new.into(),
    };
    // Policy first.
    s.post(
        "/v1/admin/users/clerk/password",
        Some(&admin),
        &reset("short"),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "password_too_short");
    // Not an administrator: forbidden. Another organ's administrator: not found.
    let leader = s.token("leader").await;
    s.post("/v1/admin/users/clerk/password", Some(&leader), &reset(NEW))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    let outsider = s.token("other_admin").await;
    s.post(
        "/v1/admin/users/clerk/password",
        Some(&outsider),
        &reset(NEW),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "not_found");
    s.post("/v1/admin/users/nobody/password", Some(&admin), &reset(NEW))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");

    let r = s
        .post("/v1/admin/users/clerk/password", Some(&admin), &reset(NEW))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let done: PasswordReset = r.json();
    assert_eq!(done.login, "clerk");
    assert_eq!(done.sessions_revoked, 1);
    assert_eq!(
        refresh_status(&s, &clerk.refresh_token).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(login_status(&s, "clerk", NEW).await, StatusCode::OK);
    assert_eq!(
        audit_actions(&s, "clerk").await,
        vec![("office_admin".to_owned(), "auth.password_reset".to_owned())]
    );
}

const BIN: &str = env!("CARGO_BIN_EXE_gongwen-server");

fn admin(url: &str, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(["admin", "--database-url", url])
        .args(args)
        .env_remove("GONGWEN_DATABASE_URL")
        .env_remove("GONGWEN_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn the_admin_command_resets_from_stdin_or_the_flag() {
    let s = TestServer::start().await;
    s.seed().await;
    let before = s.login("leader", PASSWORD).await;
    let url = s.db_url.clone();
    let out = tokio::task::spawn_blocking(move || {
        admin(
            &url,
            &["reset-password", "--name", "leader"],
            &format!("{NEW}\n"),
        )
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("已重设用户 leader 的密码") && stdout.contains("已注销其 1 处登录"),
        "{stdout}"
    );
    assert_eq!(
        refresh_status(&s, &before.refresh_token).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(login_status(&s, "leader", NEW).await, StatusCode::OK);

    // --password, through the old name of the command; the policy holds here too.
    let url = s.db_url.clone();
    let (ok, weak, missing) = tokio::task::spawn_blocking(move || {
        let ok = admin(
            &url,
            &[
                "set-password",
                "--name",
                "leader",
                "--password",
                "又一个新的密码啊!",
            ],
            "",
        );
        let weak = admin(
            &url,
            &["reset-password", "--name", "leader", "--password", "leader"],
            "",
        );
        let missing = admin(
            &url,
            &[
                "reset-password",
                "--name",
                "nobody",
                "--password",
                "一个足够长的密码",
            ],
            "",
        );
        (ok, weak, missing)
    })
    .await
    .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(
        login_status(&s, "leader", "又一个新的密码啊!").await,
        StatusCode::OK
    );
    let weak_err = String::from_utf8_lossy(&weak.stderr);
    assert_eq!(weak.status.code(), Some(1), "{weak_err}");
    assert!(weak_err.contains("太短"), "{weak_err}");
    let missing_err = String::from_utf8_lossy(&missing.stderr);
    assert_eq!(missing.status.code(), Some(1), "{missing_err}");
    assert!(missing_err.contains("找不到用户“nobody”"), "{missing_err}");
    let actions = audit_actions(&s, "leader").await;
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert!(
        actions
            .iter()
            .all(|(actor, action)| actor.starts_with("cli:") && action == "auth.password_reset")
    );
}
