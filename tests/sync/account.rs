//! 修改密码 from a real client against the real server: the new refresh token is kept
//! like a login's, this device syncs on, the user's other devices must log in again; a
//! wrong current password and an unreachable server change nothing.

use gongwen_client::sync::{
    self, Engine, PasswordChangeError, SyncError, TokenStore, TransportError,
};

use super::{Device, PASSWORD, Server};

const NEW: &str = "新的密码 2026 春";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_change_keeps_this_device_and_ends_the_others() {
    let server = Server::start().await;
    let laptop = Device::login(&server, "zhang").await;
    let office = Device::login(&server, "zhang").await;
    laptop.sync().await;
    office.sync().await;
    let account = sync::account(&laptop.client).unwrap().unwrap();
    let before = laptop.tokens.load(&account).unwrap();

    // A wrong current password: refused, nothing changes.
    let e = sync::change_password(
        &laptop.client,
        "not my password",
        NEW,
        laptop.tokens.clone(),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, PasswordChangeError::WrongPassword), "{e:?}");
    assert_eq!(e.code(), "wrong_password");
    assert_eq!(e.to_string(), "当前密码不正确");
    // The policy is checked before anything is sent.
    let e = sync::change_password(&laptop.client, PASSWORD, "zhang", laptop.tokens.clone())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "password_too_short");

    sync::change_password(&laptop.client, PASSWORD, NEW, laptop.tokens.clone())
        .await
        .unwrap();
    let after = laptop.tokens.load(&account).unwrap();
    assert!(after.is_some());
    assert_ne!(after, before, "the new session's refresh token is stored");
    // This device goes on syncing (its transport refreshes with the stored token)…
    laptop.sync().await;
    // …the other device must log in again.
    let e = Engine::new(office.client.clone(), office.transport.clone())
        .sync()
        .await
        .unwrap_err();
    assert!(
        matches!(e, SyncError::Transport(TransportError::Unauthorized)),
        "{e:?}"
    );
    // The old password is gone, the new one logs in.
    let dir = tempfile::tempdir().unwrap();
    let fresh = gongwen_client::api::OpenOptions::new(dir.path())
        .create(true)
        .keys(std::sync::Arc::new(gongwen_client::key::StaticKey(
            gongwen_client::key::Key::from_bytes([7; 32]),
        )))
        .user("zhang")
        .open()
        .unwrap();
    let tokens = std::sync::Arc::new(sync::MemoryTokens::default());
    assert!(
        sync::login(
            &fresh,
            &server.base,
            "zhang",
            PASSWORD,
            None,
            tokens.clone()
        )
        .await
        .is_err()
    );
    sync::login(&fresh, &server.base, "zhang", NEW, None, tokens)
        .await
        .unwrap();

    // Offline: a clear "需要连接服务器", and the stored token is untouched.
    server.stop().await;
    let kept = laptop.tokens.load(&account).unwrap();
    let e = sync::change_password(
        &laptop.client,
        NEW,
        "再换一个新密码吧",
        laptop.tokens.clone(),
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), "offline");
    assert!(e.to_string().contains("需要连接服务器"), "{e}");
    assert_eq!(laptop.tokens.load(&account).unwrap(), kept);
    assert!(sync::account(&laptop.client).unwrap().is_some());
}
