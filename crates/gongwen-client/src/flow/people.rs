//! The local directory (通讯录): who exists, their names, organ, department and roles.
//! Sync fills it from the server; until then it is seeded by hand.

use gongwen_domain::workflow::template::roles;
use gongwen_domain::workflow::{Directory, PersonId};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{FlowError, Result};
use crate::Client;

/// Roles that may see and 催办 the overdue tasks of their department (督办).
pub const SUPERVISOR_ROLES: &[&str] =
    &["督办", roles::OFFICE_HEAD, roles::PRINCIPAL, roles::DEPUTY];

/// A person in the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    /// The user id (what `--user` / GONGWEN_USER names).
    pub id: String,
    /// The display name, e.g. 张三.
    pub name: String,
    /// The organ (机关), e.g. 某某县人民政府办公室.
    pub organ: String,
    /// The department within the organ.
    #[serde(default)]
    pub dept: String,
    /// Roles held, e.g. 部门负责人, 分管领导 (see the route templates).
    #[serde(default)]
    pub roles: Vec<String>,
}

impl Person {
    /// Whether the person may see the department's overdue tasks (督办) and 催办 any flow.
    pub fn is_supervisor(&self) -> bool {
        self.roles
            .iter()
            .any(|r| SUPERVISOR_ROLES.contains(&r.as_str()))
    }
}

impl Client {
    /// Adds a person to the local directory, or updates them (same id).
    pub fn add_person(&self, person: &Person) -> Result<()> {
        let clean = |s: &str, what: &str| -> Result<String> {
            let s = s.trim();
            if s.is_empty() {
                return Err(FlowError::InvalidArgument(format!("{what}不能为空")));
            }
            Ok(s.to_owned())
        };
        let id = clean(&person.id, "人员编号")?;
        let name = clean(&person.name, "姓名")?;
        let organ = clean(&person.organ, "所在机关")?;
        let roles: Vec<String> = person
            .roles
            .iter()
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty())
            .collect();
        let roles = serde_json::to_string(&roles).map_err(|e| FlowError::Corrupt(e.to_string()))?;
        let now = super::rows::ts(self.now());
        super::write(&self.db, |tx| {
            tx.execute(
                "INSERT INTO people (id, name, organ, dept, roles, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, organ = excluded.organ,
                     dept = excluded.dept, roles = excluded.roles, updated_at = excluded.updated_at",
                params![id, name, organ, person.dept.trim(), roles, now],
            )?;
            Ok(())
        })
    }

    /// The whole local directory, by organ, department and name.
    pub fn people(&self) -> Result<Vec<Person>> {
        super::read(&self.db, all)
    }

    /// What to call the current user in front of people: 王芳, not `wangfang` (see
    /// `display_name`: the directory, else the logged-in account, else the login).
    pub fn user_display_name(&self) -> Result<String> {
        super::read(&self.db, |c| Ok(display_name(c, &self.user)?))
    }

    /// The current user as a directory entry.
    pub fn current_person(&self) -> Result<Person> {
        super::read(&self.db, |c| {
            get(c, &self.user)?.ok_or_else(|| FlowError::UnknownUser(self.user.clone()))
        })
    }
}

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, String, String, String, String)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn to_person(
    (id, name, organ, dept, roles): (String, String, String, String, String),
) -> Result<Person> {
    let roles: Vec<String> = serde_json::from_str(&roles)
        .map_err(|e| FlowError::Corrupt(format!("人员 {id} 的角色：{e}")))?;
    Ok(Person {
        id,
        name,
        organ,
        dept,
        roles,
    })
}

pub(crate) fn get(c: &Connection, id: &str) -> Result<Option<Person>> {
    let row = c
        .prepare_cached("SELECT id, name, organ, dept, roles FROM people WHERE id = ?1")?
        .query_row([id], from_row)
        .optional()?;
    row.map(to_person).transpose()
}

pub(crate) fn all(c: &Connection) -> Result<Vec<Person>> {
    let mut stmt = c.prepare(
        "SELECT id, name, organ, dept, roles FROM people ORDER BY organ, dept, name, id",
    )?;
    let rows = stmt.query_map([], from_row)?;
    let mut out = Vec::new();
    for r in rows {
        out.push(to_person(r?)?);
    }
    Ok(out)
}

/// What to call `login` in front of people (王芳, not `wangfang`): the directory's name
/// (sync keeps it current), else the name the server gave when this account logged in,
/// else the login itself.
pub(crate) fn display_name(c: &Connection, login: &str) -> rusqlite::Result<String> {
    let name: Option<String> = c
        .prepare_cached(
            "SELECT coalesce(
                 (SELECT nullif(trim(name), '') FROM people WHERE id = ?1),
                 (SELECT nullif(trim(display), '') FROM sync_account WHERE id = 1 AND login = ?1))",
        )?
        .query_row([login], |r| r.get(0))?;
    Ok(name.unwrap_or_else(|| login.to_owned()))
}

/// The directory as the workflow sees it: names looked up in `people`.
pub(crate) struct DbDirectory<'c> {
    pub conn: &'c Connection,
}

impl Directory for DbDirectory<'_> {
    fn name(&self, person: &PersonId) -> Option<String> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name FROM people WHERE id = ?1")
            .ok()?;
        stmt.query_row([person.as_str()], |r| r.get::<_, String>(0))
            .optional()
            .ok()
            .flatten()
    }
}

/// The department of a person ('' when unknown).
pub(crate) fn dept_of(c: &Connection, id: &str) -> Result<String> {
    Ok(c.prepare_cached("SELECT dept FROM people WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .unwrap_or_default())
}
