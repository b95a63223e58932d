//! The directory through the admin HTTP API, and its authorization matrix.

use axum::http::StatusCode;
use gongwen_protocol::directory::{
    Department, DirectoryImport, NewDelegation, NewDepartment, NewOrgan, NewUser, Organ,
    OrganLevel, Role, User,
};
use gongwen_protocol::registry::AllocateRequest;

use crate::common::{PASSWORD, TestServer};

#[tokio::test]
async fn admin_builds_the_directory_over_http() {
    let s = TestServer::start().await;
    s.seed().await;
    let admin = s.login("office_admin", PASSWORD).await.access_token;

    let r = s
        .post(
            "/v1/admin/organs",
            Some(&admin),
            &NewOrgan {
                name: "鹤府办信息科".into(),
                code: "鹤府办信".into(),
                level: OrganLevel::City,
                parent: Some("鹤府办".into()),
            },
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let organ: Organ = r.json();
    assert_eq!(organ.parent.as_deref(), Some("鹤府办"));

    let r = s
        .post(
            "/v1/admin/departments",
            Some(&admin),
            &NewDepartment {
                organ: "鹤府办".into(),
                name: "秘书科".into(),
            },
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let new_user = NewUser {
        login: "zhang".into(),
        display_name: Some("张秘书".into()),
        organ: "鹤府办".into(),
        department: Some("秘书科".into()),
        roles: vec![Role::Drafter, Role::Reviewer],
        password: Some("张秘书的登录密码".into()),
    };
    let r = s.post("/v1/admin/users", Some(&admin), &new_user).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let user: User = r.json();
    assert_eq!(user.department.as_deref(), Some("秘书科"));
    assert_eq!(user.roles, vec![Role::Drafter, Role::Reviewer]);
    // The new user can log in.
    let me = s.login("zhang", "张秘书的登录密码").await.user;
    assert_eq!(me.display_name, "张秘书");
    // Duplicates are a conflict; unknown organs and departments are 404.
    s.post("/v1/admin/users", Some(&admin), &new_user)
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    let mut bad = new_user.clone();
    bad.login = "li".into();
    bad.department = Some("不存在的科".into());
    s.post("/v1/admin/users", Some(&admin), &bad)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    let mut bad = new_user.clone();
    bad.login = "li".into();
    bad.organ = "不存在".into();
    s.post("/v1/admin/users", Some(&admin), &bad)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    // Weak passwords and empty names are 400.
    let mut bad = new_user.clone();
    bad.login = "li".into();
    bad.password = Some("short".into());
    s.post("/v1/admin/users", Some(&admin), &bad)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request");
    let mut bad = new_user.clone();
    bad.login = "  ".into();
    s.post("/v1/admin/users", Some(&admin), &bad)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request");

    let users: Vec<User> = s
        .get(
            "/v1/admin/users?organ=%E9%B9%A4%E5%BA%9C%E5%8A%9E",
            Some(&admin),
        )
        .await
        .json();
    assert!(users.iter().any(|u| u.login == "zhang"));
    let depts: Vec<Department> = s
        .get("/v1/directory/departments", Some(&admin))
        .await
        .json();
    assert_eq!(depts.len(), 2);

    // Delegations with a period.
    let d = NewDelegation {
        from: "leader".into(),
        to: "zhang".into(),
        role: Some(Role::Signer),
        starts_at: "2025-03-01T08:00:00+08:00".into(),
        ends_at: "2025-03-08T08:00:00+08:00".into(),
    };
    let r = s.post("/v1/admin/delegations", Some(&admin), &d).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let mut backwards = d.clone();
    backwards.ends_at = "2025-02-01T08:00:00+08:00".into();
    s.post("/v1/admin/delegations", Some(&admin), &backwards)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn sql_like_text_is_stored_verbatim() {
    let s = TestServer::start().await;
    s.seed().await;
    let admin = s.login("city_admin", PASSWORD).await.access_token;
    let nasty = "x'); DROP TABLE users; -- \"引号\" \\ %_";
    let r = s
        .post(
            "/v1/admin/organs",
            Some(&admin),
            &NewOrgan {
                name: nasty.into(),
                code: "R'1;--".into(),
                level: OrganLevel::Village,
                parent: Some("鹤山镇".into()),
            },
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let organs: Vec<Organ> = s.get("/v1/directory/organs", Some(&admin)).await.json();
    let o = organs.iter().find(|o| o.code == "R'1;--").unwrap();
    assert_eq!(o.name, nasty);
    // users still exists
    s.login("clerk", PASSWORD).await;
}

#[tokio::test]
async fn import_is_all_or_nothing() {
    let s = TestServer::start().await;
    s.seed().await;
    let admin = s.login("city_admin", PASSWORD).await.access_token;
    let mut data = DirectoryImport {
        organs: vec![NewOrgan {
            name: "云岭乡人民政府".into(),
            code: "云乡".into(),
            level: OrganLevel::Town,
            parent: Some("鹤府".into()),
        }],
        departments: vec![NewDepartment {
            organ: "云乡".into(),
            name: "党政办".into(),
        }],
        users: vec![NewUser {
            login: "yun_clerk".into(),
            display_name: None,
            organ: "云乡".into(),
            department: Some("党政办".into()),
            roles: vec![Role::Clerk, Role::Receiver],
            password: Some("云乡文书的登录密码".into()),
        }],
        ..Default::default()
    };
    // The second user names an unknown organ: nothing of the file is kept.
    let mut broken = data.clone();
    broken.users.push(NewUser {
        login: "ghost".into(),
        organ: "无此机关".into(),
        ..broken.users[0].clone()
    });
    let r = s.post("/v1/admin/import", Some(&admin), &broken).await;
    assert!(r.status.is_client_error(), "{}", r.text());
    let organs: Vec<Organ> = s.get("/v1/directory/organs", Some(&admin)).await.json();
    assert!(!organs.iter().any(|o| o.code == "云乡"));

    // Only a top-level administrator may import.
    let office_admin = s.login("office_admin", PASSWORD).await.access_token;
    s.post("/v1/admin/import", Some(&office_admin), &data)
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");

    data.delegations = vec![];
    let r = s.post("/v1/admin/import", Some(&admin), &data).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        s.login("yun_clerk", "云乡文书的登录密码").await.user.roles,
        vec![Role::Clerk, Role::Receiver]
    );
}

/// Every seeded user × every endpoint: allowed cells succeed, all others are
/// refused with 403 or 404 (and never with a 2xx or 5xx).
#[tokio::test]
async fn authorization_matrix_over_http() {
    let s = TestServer::start().await;
    s.seed().await;
    let users = [
        "city_admin",
        "office_admin",
        "clerk",
        "leader",
        "drafter",
        "other_admin",
    ];
    let mut tokens = std::collections::HashMap::new();
    for u in users {
        tokens.insert(u, s.login(u, PASSWORD).await.access_token);
    }
    #[derive(Clone, Copy)]
    enum Op {
        ListOrgans,
        ListUsers(&'static str),
        CreateDept(&'static str),
        CreateTopOrgan,
        CreateUser(&'static str),
        Allocate(&'static str),
    }
    let ops = [
        (
            Op::ListOrgans,
            vec![
                "city_admin",
                "office_admin",
                "clerk",
                "leader",
                "drafter",
                "other_admin",
            ],
        ),
        (
            Op::ListUsers("鹤府办"),
            vec!["city_admin", "office_admin", "clerk", "leader"],
        ),
        (Op::ListUsers("鹤山镇"), vec!["city_admin", "drafter"]),
        (Op::CreateDept("鹤府办"), vec!["city_admin", "office_admin"]),
        (Op::CreateDept("鹤山镇"), vec!["city_admin"]),
        (Op::CreateTopOrgan, vec!["city_admin", "other_admin"]),
        (Op::CreateUser("鹤府办"), vec!["city_admin", "office_admin"]),
        (Op::Allocate("鹤府办"), vec!["clerk"]),
        (Op::Allocate("鹤府"), vec![]),
    ];
    for (i, (op, allowed)) in ops.iter().enumerate() {
        for u in users {
            let t = Some(tokens[u].as_str());
            let unique = format!("{u}{i}");
            let r = match *op {
                Op::ListOrgans => s.get("/v1/directory/organs", t).await,
                Op::ListUsers(o) => {
                    s.get(&format!("/v1/admin/users?organ={}", urlencode(o)), t)
                        .await
                }
                Op::CreateDept(o) => {
                    s.post(
                        "/v1/admin/departments",
                        t,
                        &NewDepartment {
                            organ: o.into(),
                            name: unique,
                        },
                    )
                    .await
                }
                Op::CreateTopOrgan => {
                    s.post(
                        "/v1/admin/organs",
                        t,
                        &NewOrgan {
                            name: unique.clone(),
                            code: unique,
                            level: OrganLevel::City,
                            parent: None,
                        },
                    )
                    .await
                }
                Op::CreateUser(o) => {
                    s.post(
                        "/v1/admin/users",
                        t,
                        &NewUser {
                            login: unique,
                            display_name: None,
                            organ: o.into(),
                            department: None,
                            roles: vec![Role::Drafter],
                            password: None,
                        },
                    )
                    .await
                }
                Op::Allocate(code) => {
                    s.post(
                        "/v1/registry/allocate",
                        t,
                        &AllocateRequest {
                            code: code.into(),
                            document_id: unique,
                        },
                    )
                    .await
                }
            };
            if allowed.contains(&u) {
                assert!(
                    r.status.is_success(),
                    "op {i} as {u}: {} {}",
                    r.status,
                    r.text()
                );
            } else {
                assert!(
                    r.status == StatusCode::FORBIDDEN || r.status == StatusCode::NOT_FOUND,
                    "op {i} as {u} should be refused: {} {}",
                    r.status,
                    r.text()
                );
            }
        }
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
