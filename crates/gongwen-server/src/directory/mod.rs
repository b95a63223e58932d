//! The organisation directory in PostgreSQL: organs (机关), departments,
//! users with roles, positions and delegations.
//!
//! Every function takes any client (a pooled connection or a transaction);
//! callers that write more than one row pass a transaction, so a command is
//! applied whole or not at all. Inputs are checked here with messages that
//! say what is wrong; the schema's constraints back them up.

pub mod file;
pub mod templates;

use deadpool_postgres::GenericClient;
use gongwen_domain::audit::Entry;
use gongwen_protocol::directory::{
    Delegation, Department, DirectoryImport, ImportSummary, NewDelegation, NewDepartment, NewOrgan,
    NewPosition, NewUser, Organ, OrganLevel, Position, Role, User,
};
use gongwen_protocol::sync::{DelegationData, kinds};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio_postgres::Row;

use crate::db::is_unique_violation;
use crate::error::{Error, Result};
use crate::sync::buckets::{self, NewOp};

/// Check a free-text field: trimmed, non-empty, no control characters, at
/// most `max` characters.
pub fn check_text(what: &str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::Invalid(format!("{what}不能为空")));
    }
    if v.chars().count() > max {
        return Err(Error::Invalid(format!("{what}太长：最多 {max} 个字符")));
    }
    if v.chars().any(char::is_control) {
        return Err(Error::Invalid(format!("{what}不能包含控制字符")));
    }
    Ok(v.to_owned())
}

/// A 代字 or login: [`check_text`] plus no whitespace.
pub fn check_identifier(what: &str, value: &str, max: usize) -> Result<String> {
    let v = check_text(what, value, max)?;
    if v.chars().any(char::is_whitespace) {
        return Err(Error::Invalid(format!("{what}不能包含空格")));
    }
    Ok(v)
}

fn conflict(e: tokio_postgres::Error, what: &'static str, name: &str) -> Error {
    if is_unique_violation(&e) {
        Error::AlreadyExists {
            what,
            name: name.to_owned(),
        }
    } else {
        Error::Db(e)
    }
}

/// An organ's id and parent, looked up by 代字.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrganRef {
    pub id: i64,
    pub parent_id: Option<i64>,
}

pub async fn organ_by_code(c: &impl GenericClient, code: &str) -> Result<OrganRef> {
    c.query_opt(
        "SELECT id, parent_id FROM organs WHERE code = $1",
        &[&code.trim()],
    )
    .await?
    .map(|r| OrganRef {
        id: r.get(0),
        parent_id: r.get(1),
    })
    .ok_or_else(|| Error::NotFound {
        what: "机关",
        name: code.trim().to_owned(),
    })
}

async fn department_id(
    c: &impl GenericClient,
    organ_id: i64,
    organ: &str,
    name: &str,
) -> Result<i64> {
    c.query_opt(
        "SELECT id FROM departments WHERE organ_id = $1 AND name = $2",
        &[&organ_id, &name.trim()],
    )
    .await?
    .map(|r| r.get(0))
    .ok_or_else(|| Error::NotFound {
        what: "部门",
        name: format!("{organ}/{}", name.trim()),
    })
}

async fn user_id(c: &impl GenericClient, login: &str) -> Result<i64> {
    c.query_opt("SELECT id FROM users WHERE login = $1", &[&login.trim()])
        .await?
        .map(|r| r.get(0))
        .ok_or_else(|| Error::NotFound {
            what: "用户",
            name: login.trim().to_owned(),
        })
}

/// The organ and all organs below it.
pub async fn subtree(c: &impl GenericClient, organ_id: i64) -> Result<Vec<i64>> {
    let rows = c
        .query(
            "WITH RECURSIVE t(id) AS (
                 SELECT $1::bigint
                 UNION SELECT o.id FROM organs o JOIN t ON o.parent_id = t.id
             ) SELECT id FROM t ORDER BY id",
            &[&organ_id],
        )
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

fn organ_from_row(r: &Row) -> Organ {
    let level: String = r.get(3);
    Organ {
        id: r.get(0),
        code: r.get(1),
        name: r.get(2),
        level: level.parse().unwrap_or(OrganLevel::City),
        parent: r.get(4),
    }
}

const ORGAN_SELECT: &str = "SELECT o.id, o.code, o.name, o.level, p.code FROM organs o LEFT JOIN organs p ON p.id = o.parent_id";

pub async fn create_organ(c: &impl GenericClient, new: &NewOrgan) -> Result<Organ> {
    let code = check_identifier("机关代字", &new.code, 32)?;
    let name = check_text("机关名称", &new.name, 200)?;
    let parent_id = match new
        .parent
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(p) => Some(organ_by_code(c, p).await?.id),
        None => None,
    };
    let id: i64 = c
        .query_one(
            "INSERT INTO organs (code, name, level, parent_id) VALUES ($1, $2, $3, $4) RETURNING id",
            &[&code, &name, &new.level.code(), &parent_id],
        )
        .await
        .map_err(|e| conflict(e, "机关代字", &code))?
        .get(0);
    let row = c
        .query_one(&format!("{ORGAN_SELECT} WHERE o.id = $1"), &[&id])
        .await?;
    Ok(organ_from_row(&row))
}

pub async fn list_organs(c: &impl GenericClient) -> Result<Vec<Organ>> {
    let rows = c
        .query(&format!("{ORGAN_SELECT} ORDER BY o.id"), &[])
        .await?;
    Ok(rows.iter().map(organ_from_row).collect())
}

pub async fn create_department(c: &impl GenericClient, new: &NewDepartment) -> Result<Department> {
    let organ = organ_by_code(c, &new.organ).await?;
    let name = check_text("部门名称", &new.name, 200)?;
    let id: i64 = c
        .query_one(
            "INSERT INTO departments (organ_id, name) VALUES ($1, $2) RETURNING id",
            &[&organ.id, &name],
        )
        .await
        .map_err(|e| conflict(e, "部门", &format!("{}/{name}", new.organ.trim())))?
        .get(0);
    Ok(Department {
        id,
        organ: new.organ.trim().to_owned(),
        name,
    })
}

/// Departments, optionally of one organ.
pub async fn list_departments(
    c: &impl GenericClient,
    organ_id: Option<i64>,
) -> Result<Vec<Department>> {
    let rows = c
        .query(
            "SELECT d.id, o.code, d.name FROM departments d JOIN organs o ON o.id = d.organ_id
              WHERE $1::bigint IS NULL OR d.organ_id = $1 ORDER BY d.id",
            &[&organ_id],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Department {
            id: r.get(0),
            organ: r.get(1),
            name: r.get(2),
        })
        .collect())
}

const USER_SELECT: &str = "SELECT u.id, u.login, u.display_name, o.code, d.name, u.disabled,
        ARRAY(SELECT role FROM user_roles WHERE user_id = u.id ORDER BY role)
   FROM users u JOIN organs o ON o.id = u.organ_id LEFT JOIN departments d ON d.id = u.department_id";

fn user_from_row(r: &Row) -> User {
    let roles: Vec<String> = r.get(6);
    let mut roles: Vec<Role> = roles.iter().filter_map(|s| s.parse().ok()).collect();
    roles.sort();
    User {
        id: r.get(0),
        login: r.get(1),
        display_name: r.get(2),
        organ: r.get(3),
        department: r.get(4),
        disabled: r.get(5),
        roles,
    }
}

/// Create a user. `password_hash` is the Argon2id PHC string (hash outside
/// the transaction: it is slow).
pub async fn create_user(
    c: &impl GenericClient,
    new: &NewUser,
    password_hash: Option<&str>,
) -> Result<User> {
    let login = check_identifier("登录名", &new.login, 64)?;
    let display = match new
        .display_name
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(d) => check_text("姓名", d, 200)?,
        None => login.clone(),
    };
    if new.roles.is_empty() {
        return Err(Error::Invalid(format!(
            "用户 {login} 至少需要一个角色（--role）"
        )));
    }
    let organ = organ_by_code(c, &new.organ).await?;
    let dept = match new
        .department
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(d) => Some(department_id(c, organ.id, new.organ.trim(), d).await?),
        None => None,
    };
    let id: i64 = c
        .query_one(
            "INSERT INTO users (login, display_name, organ_id, department_id, password_hash)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
            &[&login, &display, &organ.id, &dept, &password_hash],
        )
        .await
        .map_err(|e| conflict(e, "登录名", &login))?
        .get(0);
    let mut roles = new.roles.clone();
    roles.sort();
    roles.dedup();
    for r in &roles {
        c.execute(
            "INSERT INTO user_roles (user_id, role) VALUES ($1, $2)",
            &[&id, &r.code()],
        )
        .await?;
    }
    user_by_id(c, id).await
}

pub async fn user_by_id(c: &impl GenericClient, id: i64) -> Result<User> {
    let row = c
        .query_opt(&format!("{USER_SELECT} WHERE u.id = $1"), &[&id])
        .await?
        .ok_or_else(|| Error::NotFound {
            what: "用户",
            name: id.to_string(),
        })?;
    Ok(user_from_row(&row))
}

/// Users, optionally of one organ.
pub async fn list_users(c: &impl GenericClient, organ_id: Option<i64>) -> Result<Vec<User>> {
    let rows = c
        .query(
            &format!("{USER_SELECT} WHERE $1::bigint IS NULL OR u.organ_id = $1 ORDER BY u.id"),
            &[&organ_id],
        )
        .await?;
    Ok(rows.iter().map(user_from_row).collect())
}

/// Set a user's password and clear any lockout.
pub async fn set_password(c: &impl GenericClient, login: &str, password_hash: &str) -> Result<()> {
    let n = c
        .execute(
            "UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL WHERE login = $1",
            &[&login.trim(), &password_hash],
        )
        .await?;
    if n == 0 {
        return Err(Error::NotFound {
            what: "用户",
            name: login.trim().to_owned(),
        });
    }
    Ok(())
}

pub async fn create_position(c: &impl GenericClient, new: &NewPosition) -> Result<Position> {
    let organ = organ_by_code(c, &new.organ).await?;
    let title = check_text("岗位名称", &new.title, 200)?;
    let dept_name = new
        .department
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    let dept = match dept_name {
        Some(d) => Some(department_id(c, organ.id, new.organ.trim(), d).await?),
        None => None,
    };
    let holder = match new
        .holder
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty())
    {
        Some(h) => Some(user_id(c, h).await?),
        None => None,
    };
    let id: i64 = c
        .query_one(
            "INSERT INTO positions (organ_id, department_id, title, holder_user_id) VALUES ($1, $2, $3, $4) RETURNING id",
            &[&organ.id, &dept, &title, &holder],
        )
        .await
        .map_err(|e| conflict(e, "岗位", &title))?
        .get(0);
    Ok(Position {
        id,
        organ: new.organ.trim().to_owned(),
        department: dept_name.map(str::to_owned),
        title,
        holder: new
            .holder
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .map(str::to_owned),
    })
}

pub async fn list_positions(
    c: &impl GenericClient,
    organ_id: Option<i64>,
) -> Result<Vec<Position>> {
    let rows = c
        .query(
            "SELECT p.id, o.code, d.name, p.title, u.login FROM positions p
               JOIN organs o ON o.id = p.organ_id
               LEFT JOIN departments d ON d.id = p.department_id
               LEFT JOIN users u ON u.id = p.holder_user_id
              WHERE $1::bigint IS NULL OR p.organ_id = $1 ORDER BY p.id",
            &[&organ_id],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Position {
            id: r.get(0),
            organ: r.get(1),
            department: r.get(2),
            title: r.get(3),
            holder: r.get(4),
        })
        .collect())
}

fn parse_time(what: &str, s: &str) -> Result<OffsetDateTime> {
    OffsetDateTime::parse(s.trim(), &Rfc3339).map_err(|_| {
        Error::Invalid(format!(
            "{what}“{}”不是有效时间：请使用 RFC 3339 格式，如 2025-03-01T08:00:00+08:00",
            s.trim()
        ))
    })
}

fn format_time(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// Creates a 委托 and publishes it (a [`kinds::DELEGATION`] PUT) to the user buckets
/// of both the delegator and the delegate. Pass a transaction.
pub async fn create_delegation(c: &impl GenericClient, new: &NewDelegation) -> Result<Delegation> {
    let starts = parse_time("开始时间", &new.starts_at)?;
    let ends = parse_time("结束时间", &new.ends_at)?;
    if ends <= starts {
        return Err(Error::Invalid("委托的结束时间必须晚于开始时间".into()));
    }
    if new.role == Some(Role::Admin) {
        return Err(Error::Invalid("管理员角色不能委托".into()));
    }
    let from = user_id(c, &new.from).await?;
    let to = user_id(c, &new.to).await?;
    if from == to {
        return Err(Error::Invalid("不能委托给自己".into()));
    }
    let id: i64 = c
        .query_one(
            "INSERT INTO delegations (from_user_id, to_user_id, role, starts_at, ends_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
            &[&from, &to, &new.role.map(Role::code), &starts, &ends],
        )
        .await?
        .get(0);
    publish_delegation(c, id).await?;
    Ok(Delegation {
        id,
        from: new.from.trim().to_owned(),
        to: new.to.trim().to_owned(),
        role: new.role,
        starts_at: format_time(starts),
        ends_at: format_time(ends),
    })
}

/// Revokes a 委托 before its end: it stops being in force at once (tokens issued
/// afterwards carry no delegated roles, the flow replay no longer lets the delegate
/// act) and both users' devices get the delegation with `revoked: true`. Revoking
/// one that is already revoked is an error. Pass a transaction.
pub async fn revoke_delegation(
    c: &impl GenericClient,
    id: i64,
    actor: &str,
    now: OffsetDateTime,
) -> Result<DelegationData> {
    let row = c
        .query_opt(
            "SELECT revoked_at FROM delegations WHERE id = $1 FOR UPDATE",
            &[&id],
        )
        .await?
        .ok_or_else(|| Error::NotFound {
            what: "委托",
            name: id.to_string(),
        })?;
    if row.get::<_, Option<OffsetDateTime>>(0).is_some() {
        return Err(Error::Invalid(format!("委托 {id} 已经撤销过了")));
    }
    c.execute(
        "UPDATE delegations SET revoked_at = $2, revoked_by = $3, version = version + 1
          WHERE id = $1",
        &[&id, &now, &actor],
    )
    .await?;
    publish_delegation(c, id).await
}

/// The organ (id) of the delegating user of a 委托: who may manage it.
pub async fn delegation_organ(c: &impl GenericClient, id: i64) -> Result<i64> {
    c.query_opt(
        "SELECT u.organ_id FROM delegations g JOIN users u ON u.id = g.from_user_id
          WHERE g.id = $1",
        &[&id],
    )
    .await?
    .map(|r| r.get(0))
    .ok_or_else(|| Error::NotFound {
        what: "委托",
        name: id.to_string(),
    })
}

/// A 委托 as devices receive it, with its entity version.
pub async fn delegation_data(c: &impl GenericClient, id: i64) -> Result<(DelegationData, i64)> {
    let r = c
        .query_opt(
            "SELECT g.id, f.login, f.display_name, t.login, t.display_name, g.starts_at,
                    g.ends_at, g.role, g.revoked_at IS NOT NULL, g.version
               FROM delegations g
               JOIN users f ON f.id = g.from_user_id JOIN users t ON t.id = g.to_user_id
              WHERE g.id = $1",
            &[&id],
        )
        .await?
        .ok_or_else(|| Error::NotFound {
            what: "委托",
            name: id.to_string(),
        })?;
    let role: Option<String> = r.get(7);
    Ok((
        DelegationData {
            id: r.get(0),
            from_login: r.get(1),
            from_display: r.get(2),
            to_login: r.get(3),
            to_display: r.get(4),
            starts_at: format_time(r.get(5)),
            ends_at: format_time(r.get(6)),
            roles: role.into_iter().collect(),
            revoked: r.get(8),
        },
        r.get(9),
    ))
}

/// PUTs the 委托 into the buckets of both users (in bucket-name order).
async fn publish_delegation(c: &impl GenericClient, id: i64) -> Result<DelegationData> {
    let (data, version) = delegation_data(c, id).await?;
    let json = serde_json::to_value(&data).map_err(|e| Error::Invalid(e.to_string()))?;
    let op = |login: &str| {
        NewOp::put(
            buckets::user_bucket(login),
            kinds::DELEGATION,
            &id.to_string(),
            version,
            json.clone(),
        )
    };
    buckets::append_all(c, vec![op(&data.from_login), op(&data.to_login)]).await?;
    Ok(data)
}

/// Appends one record of an administrative change to the server's audit chain (in
/// the caller's transaction). `actor` is the administrator's login, or how the
/// command line names its user.
pub async fn audit_admin(
    c: &impl GenericClient,
    actor: &str,
    action: &str,
    subject: &str,
    detail: serde_json::Value,
    now: OffsetDateTime,
) -> Result<()> {
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce).map_err(|e| Error::Invalid(format!("无法生成随机数：{e}")))?;
    let entry = Entry {
        id: format!(
            "admin-{}-{}",
            now.unix_timestamp_nanos(),
            hex::encode(nonce)
        ),
        time: now,
        actor: actor.to_owned(),
        on_behalf_of: None,
        action: action.to_owned(),
        subject: subject.to_owned(),
        detail_json: detail.to_string(),
    };
    crate::audit::append(c, vec![entry]).await?;
    Ok(())
}

/// Delegations in force or to come (not revoked) whose delegating user belongs to the
/// organ (or all).
pub async fn list_delegations(
    c: &impl GenericClient,
    organ_id: Option<i64>,
) -> Result<Vec<Delegation>> {
    let rows = c
        .query(
            "SELECT g.id, f.login, t.login, g.role, g.starts_at, g.ends_at FROM delegations g
               JOIN users f ON f.id = g.from_user_id JOIN users t ON t.id = g.to_user_id
              WHERE ($1::bigint IS NULL OR f.organ_id = $1) AND g.revoked_at IS NULL
              ORDER BY g.id",
            &[&organ_id],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let role: Option<String> = r.get(3);
            Delegation {
                id: r.get(0),
                from: r.get(1),
                to: r.get(2),
                role: role.and_then(|s| s.parse().ok()),
                starts_at: format_time(r.get(4)),
                ends_at: format_time(r.get(5)),
            }
        })
        .collect())
}

/// Apply a whole directory. `password_hashes[i]` belongs to `data.users[i]`.
/// Pass a transaction: on the first error nothing is kept.
pub async fn import(
    c: &impl GenericClient,
    data: &DirectoryImport,
    password_hashes: &[Option<String>],
) -> Result<ImportSummary> {
    let at = |kind: &str, i: usize, e: Error| match e {
        Error::Db(e) => Error::Db(e),
        other => Error::Invalid(format!("第 {} 个{kind}：{other}", i + 1)),
    };
    for (i, o) in data.organs.iter().enumerate() {
        create_organ(c, o).await.map_err(|e| at("机关", i, e))?;
    }
    for (i, d) in data.departments.iter().enumerate() {
        create_department(c, d)
            .await
            .map_err(|e| at("部门", i, e))?;
    }
    for (i, u) in data.users.iter().enumerate() {
        let hash = password_hashes.get(i).and_then(|h| h.as_deref());
        create_user(c, u, hash)
            .await
            .map_err(|e| at("用户", i, e))?;
    }
    for (i, p) in data.positions.iter().enumerate() {
        create_position(c, p).await.map_err(|e| at("岗位", i, e))?;
    }
    for (i, d) in data.delegations.iter().enumerate() {
        create_delegation(c, d)
            .await
            .map_err(|e| at("委托", i, e))?;
    }
    Ok(ImportSummary {
        organs: data.organs.len(),
        departments: data.departments.len(),
        users: data.users.len(),
        positions: data.positions.len(),
        delegations: data.delegations.len(),
    })
}

/// Hash the import's passwords (checking the policy), outside any transaction.
pub async fn hash_import_passwords(data: &DirectoryImport) -> Result<Vec<Option<String>>> {
    let mut out = Vec::with_capacity(data.users.len());
    for u in &data.users {
        out.push(match &u.password {
            Some(p) => Some(
                crate::auth::password::hash_blocking(p.clone())
                    .await
                    .map_err(|e| Error::Invalid(format!("用户 {} 的{e}", u.login.trim())))?,
            ),
            None => None,
        });
    }
    Ok(out)
}
