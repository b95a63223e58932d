//! The directory as the sync layer needs it: the workflow's [`Directory`] (names by
//! login) and 委托 table from PostgreSQL, and the `person` entities published in each
//! organ's bucket.
//!
//! People are identified on the wire by their login name: a workflow `PersonId` is a
//! login.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use deadpool_postgres::GenericClient;
use gongwen_domain::workflow::{
    Action, Command, Delegation, Flow, PersonId, Route, template::roles as template_roles,
};
use gongwen_protocol::directory::Role;
use gongwen_protocol::sync::kinds;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::buckets::{self, NewOp};
use crate::auth::Caller;
use crate::error::Result;

/// Roles (or position titles) that may 催办 any flow and see the department's overdue
/// tasks (督办); the same list as the client's.
pub const SUPERVISOR_ROLES: &[&str] = &[
    "督办",
    template_roles::OFFICE_HEAD,
    template_roles::PRINCIPAL,
    template_roles::DEPUTY,
];

/// Names of the people a command may involve, by login (disabled users are unknown).
pub async fn names(
    c: &impl GenericClient,
    logins: &BTreeSet<String>,
) -> Result<HashMap<PersonId, String>> {
    let list: Vec<&str> = logins.iter().map(String::as_str).collect();
    let rows = super::sql::query(
        c,
        "SELECT login, display_name FROM users WHERE login = ANY($1) AND NOT disabled",
        &[&list],
    )
    .await?;
    Ok(rows
        .iter()
        .map(|r| (PersonId::new(r.get::<_, String>(0)), r.get(1)))
        .collect())
}

/// The 委托 given to `delegate` (whole delegations, without a role limit: the workflow
/// lets a delegate act on every task of the principal).
pub async fn delegations_to(c: &impl GenericClient, delegate: &str) -> Result<Vec<Delegation>> {
    let rows = super::sql::query(
        c,
        "SELECT f.login, t.login, g.starts_at, g.ends_at FROM delegations g
               JOIN users f ON f.id = g.from_user_id JOIN users t ON t.id = g.to_user_id
              WHERE t.login = $1 AND g.role IS NULL AND NOT f.disabled AND g.revoked_at IS NULL",
        &[&delegate],
    )
    .await?;
    Ok(rows
        .iter()
        .map(|r| Delegation {
            principal: PersonId::new(r.get::<_, String>(0)),
            delegate: PersonId::new(r.get::<_, String>(1)),
            start: r.get(2),
            end: Some(r.get(3)),
            kind: None,
        })
        .collect())
}

/// Every login a route names.
pub fn route_logins(route: &Route, out: &mut BTreeSet<String>) {
    for s in &route.steps {
        out.extend(s.handlers.iter().map(|p| p.0.clone()));
    }
}

/// Every login a flow names (owner, handlers, assignees, actors).
pub fn flow_logins(flow: &Flow, out: &mut BTreeSet<String>) {
    out.insert(flow.owner.0.clone());
    route_logins(&flow.route, out);
    for t in &flow.tasks {
        out.insert(t.assignee.0.clone());
        if let Some(a) = &t.acted {
            out.insert(a.actor.0.clone());
            if let Some(p) = &a.on_behalf_of {
                out.insert(p.0.clone());
            }
        }
    }
}

/// Every login a command names.
pub fn command_logins(cmd: &Command, out: &mut BTreeSet<String>) {
    out.insert(cmd.actor.0.clone());
    match &cmd.action {
        Action::Approve {
            next_handlers,
            assignment,
            ..
        } => {
            out.extend(next_handlers.iter().map(|p| p.0.clone()));
            if let Some(a) = assignment {
                out.insert(a.lead.handler.0.clone());
                out.extend(a.assist.iter().map(|d| d.handler.0.clone()));
            }
        }
        Action::AddHandler { person, .. } => {
            out.insert(person.0.clone());
        }
        Action::Transfer { to, .. } => {
            out.insert(to.0.clone());
        }
        _ => {}
    }
}

/// The role names a person carries on the wire: the titles of the positions they hold
/// (主要负责人, 分管领导, 部门负责人, 办公室主任…, the names route templates resolve),
/// the template roles implied by their server roles (办公室文书 → 文书, 核稿人, 领导 →
/// 领导班子成员) and the Chinese names of their server roles, sorted and without
/// repeats.
pub fn person_roles(roles: &[Role], positions: &[String]) -> Vec<String> {
    let mut out: BTreeSet<String> = positions.iter().map(|p| p.trim().to_owned()).collect();
    for r in roles {
        out.insert(r.label().to_owned());
        match r {
            Role::Clerk => {
                out.insert(template_roles::CLERK.to_owned());
            }
            Role::Reviewer => {
                out.insert(template_roles::CHECKER.to_owned());
            }
            Role::Leader => {
                out.insert(template_roles::LEADERSHIP.to_owned());
            }
            _ => {}
        }
    }
    out.retain(|s| !s.is_empty());
    out.into_iter().collect()
}

/// Whether the caller holds 督办 rights.
pub async fn is_supervisor(c: &impl GenericClient, caller: &Caller) -> Result<bool> {
    let titles: Vec<String> = super::sql::query(
        c,
        "SELECT title FROM positions WHERE holder_user_id = $1",
        &[&caller.user_id],
    )
    .await?
    .iter()
    .map(|r| r.get(0))
    .collect();
    let mut roles = caller.roles.clone();
    roles.extend(caller.delegated_roles.iter().copied());
    Ok(person_roles(&roles, &titles)
        .iter()
        .any(|r| SUPERVISOR_ROLES.contains(&r.as_str())))
}

/// Pull `data` of [`kinds::PERSON`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonData {
    /// The login.
    pub id: String,
    /// The display name.
    pub name: String,
    /// The organ's 代字.
    pub organ: String,
    /// The department's name ("" when none).
    pub dept: String,
    pub roles: Vec<String>,
}

/// The people of an organ as they should be published now, by login.
async fn current_people(
    c: &impl GenericClient,
    organ_code: &str,
) -> Result<BTreeMap<String, PersonData>> {
    let stmt = c
        .prepare_cached(
            "SELECT u.login, u.display_name, coalesce(d.name, ''),
                    ARRAY(SELECT role FROM user_roles WHERE user_id = u.id ORDER BY role),
                    ARRAY(SELECT title FROM positions WHERE holder_user_id = u.id ORDER BY title)
               FROM users u JOIN organs o ON o.id = u.organ_id
               LEFT JOIN departments d ON d.id = u.department_id
              WHERE o.code = $1 AND NOT u.disabled",
        )
        .await?;
    let rows = c.query(&stmt, &[&organ_code]).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let roles: Vec<String> = r.get(3);
            let roles: Vec<Role> = roles.iter().filter_map(|s| s.parse().ok()).collect();
            let positions: Vec<String> = r.get(4);
            let login: String = r.get(0);
            (
                login.clone(),
                PersonData {
                    id: login,
                    name: r.get(1),
                    organ: organ_code.to_owned(),
                    dept: r.get(2),
                    roles: person_roles(&roles, &positions),
                },
            )
        })
        .collect())
}

fn digest(p: &PersonData) -> String {
    let json = serde_json::to_string(p).unwrap_or_default();
    hex::encode(Sha256::digest(json.as_bytes()))
}

/// What is published now: login → (version, digest; None once removed).
async fn published(
    c: &impl GenericClient,
    organ_code: &str,
) -> Result<BTreeMap<String, (i64, Option<String>)>> {
    let stmt = c
        .prepare_cached(
            "SELECT login, version, digest FROM published_persons WHERE organ_code = $1",
        )
        .await?;
    let rows = c.query(&stmt, &[&organ_code]).await?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), (r.get(1), r.get(2))))
        .collect())
}

/// The changes to publish: (login, new version, Some(data) for a PUT / None for a REMOVE).
fn diff(
    current: &BTreeMap<String, PersonData>,
    published: &BTreeMap<String, (i64, Option<String>)>,
) -> Vec<(String, i64, Option<PersonData>)> {
    let mut out = Vec::new();
    for (login, person) in current {
        let d = digest(person);
        match published.get(login) {
            Some((_, Some(old))) if *old == d => {}
            Some((v, _)) => out.push((login.clone(), v + 1, Some(person.clone()))),
            None => out.push((login.clone(), 1, Some(person.clone()))),
        }
    }
    for (login, (v, d)) in published {
        if d.is_some() && !current.contains_key(login) {
            out.push((login.clone(), v + 1, None));
        }
    }
    out
}

/// Per server process: the directory generation (migration 0008) at which each organ's
/// people were last published. A pull publishes again only when the generation moved.
#[derive(Debug, Default)]
pub struct PublishedGenerations(std::sync::Mutex<HashMap<String, i64>>);

/// [`publish_organ`] when the directory changed since this process last published
/// `organ_code`: one indexed one-row read on an unchanged directory, instead of reading
/// the organ's whole directory twice on every poll.
pub async fn publish_organ_if_changed(
    client: &mut deadpool_postgres::Client,
    seen: &PublishedGenerations,
    organ_code: &str,
) -> Result<()> {
    let stmt = client
        .prepare_cached("SELECT generation FROM directory_generation")
        .await?;
    // Read before publishing: a change committed after this read moves the generation
    // past the one recorded below, and the next pull publishes it.
    let generation: i64 = client.query_one(&stmt, &[]).await?.get(0);
    let known = seen
        .0
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(organ_code)
        .copied();
    if known == Some(generation) {
        return Ok(());
    }
    publish_organ(client, organ_code).await?;
    seen.0
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(organ_code.to_owned(), generation);
    Ok(())
}

/// Brings the `person` entities of `organ:{organ_code}` up to date with the directory
/// (whoever changed it: the admin API, the CLI, an import): a PUT for every person
/// added or changed, a REMOVE for every person who left the organ or was disabled.
/// Cheap when nothing changed (one read, no write); otherwise one transaction under
/// the bucket's lock, so concurrent pulls publish each change once.
pub async fn publish_organ(client: &mut deadpool_postgres::Client, organ_code: &str) -> Result<()> {
    let (current, published_now) = futures_util::future::try_join(
        current_people(&*client, organ_code),
        published(&*client, organ_code),
    )
    .await?;
    if diff(&current, &published_now).is_empty() {
        return Ok(());
    }
    let bucket = buckets::organ_bucket(organ_code);
    let tx = client.transaction().await?;
    // Serialize publishers of this organ on the bucket row, then look again.
    super::sql::execute(
        &tx,
        "INSERT INTO buckets (name) VALUES ($1) ON CONFLICT (name) DO NOTHING",
        &[&bucket],
    )
    .await?;
    super::sql::execute(
        &tx,
        "SELECT 1 FROM buckets WHERE name = $1 FOR UPDATE",
        &[&bucket],
    )
    .await?;
    let current = current_people(&tx, organ_code).await?;
    let changes = diff(&current, &published(&tx, organ_code).await?);
    let mut ops = Vec::with_capacity(changes.len());
    let mut logins = Vec::with_capacity(changes.len());
    let mut versions = Vec::with_capacity(changes.len());
    let mut digests = Vec::with_capacity(changes.len());
    for (login, version, person) in changes {
        digests.push(person.as_ref().map(digest));
        ops.push(match person {
            Some(p) => {
                let data =
                    serde_json::to_value(&p).map_err(|e| crate::Error::Invalid(e.to_string()))?;
                NewOp::put(bucket.clone(), kinds::PERSON, &login, version, data)
            }
            None => NewOp::remove(bucket.clone(), kinds::PERSON, &login, version),
        });
        logins.push(login);
        versions.push(version);
    }
    buckets::append_all(&tx, ops).await?;
    super::sql::execute(&tx,
        "INSERT INTO published_persons (organ_code, login, version, digest)
         SELECT $1, l, v, d FROM unnest($2::text[], $3::bigint[], $4::text[]) AS u(l, v, d)
         ON CONFLICT (organ_code, login) DO UPDATE SET version = excluded.version, digest = excluded.digest",
        &[&organ_code, &logins, &versions, &digests],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_combine_positions_template_roles_and_labels() {
        let r = person_roles(&[Role::Clerk, Role::Leader], &["办公室主任".into()]);
        assert!(r.contains(&"文书".to_owned()));
        assert!(r.contains(&"办公室文书".to_owned()));
        assert!(r.contains(&"领导班子成员".to_owned()));
        assert!(r.contains(&"办公室主任".to_owned()));
        let mut sorted = r.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(r, sorted);
    }

    #[test]
    fn diff_publishes_changes_and_removals_only() {
        let p = |login: &str, name: &str| PersonData {
            id: login.into(),
            name: name.into(),
            organ: "鹤府办".into(),
            dept: String::new(),
            roles: vec![],
        };
        let mut current = BTreeMap::new();
        current.insert("a".to_owned(), p("a", "甲"));
        current.insert("b".to_owned(), p("b", "乙"));
        let mut published = BTreeMap::new();
        published.insert("a".to_owned(), (3, Some(digest(&p("a", "甲")))));
        published.insert("b".to_owned(), (1, Some(digest(&p("b", "旧名")))));
        published.insert("c".to_owned(), (2, Some("x".to_owned())));
        published.insert("d".to_owned(), (5, None));
        let changes = diff(&current, &published);
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].0, "b");
        assert_eq!(changes[0].1, 2);
        assert!(changes[0].2.is_some());
        assert_eq!((changes[1].0.as_str(), changes[1].1), ("c", 3));
        assert!(changes[1].2.is_none());
    }
}
