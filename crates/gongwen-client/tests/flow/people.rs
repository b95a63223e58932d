//! What the user is called in front of people: the directory's name, else the login
//! account's, else the login.

use crate::common::{Env, raw};

#[test]
fn the_user_is_shown_by_name_not_by_login() {
    let mut env = Env::new();
    assert_eq!(env.client.user(), "zhang");
    assert_eq!(env.client.user_display_name().unwrap(), "张三");

    // Not in the directory yet (nothing synced): the login, until the account's name is known.
    assert_eq!(
        env.as_user("wangfang").user_display_name().unwrap(),
        "wangfang"
    );
    raw(env.dir.path())
        .execute(
            "INSERT INTO sync_account (id, server_url, login, display, logged_in_at)
             VALUES (1, 'https://oa.example.gov.cn', 'wangfang', '王芳', '2026-03-02T09:00:00+08:00')",
            [],
        )
        .unwrap();
    assert_eq!(env.client.user_display_name().unwrap(), "王芳");
    // Another login on the same store is not that account.
    assert_eq!(env.as_user("nobody").user_display_name().unwrap(), "nobody");
}
