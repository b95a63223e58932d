//! The organ's route templates and 委托 (standing delegations), as pulled by sync.
//!
//! - **Route templates** (pull kind `route_template`, organ bucket): the organ's own
//!   [`RouteTemplate`]s. 送审 prefers them over the built-in
//!   [`TemplateSet::standard`]: by name, an organ template shadows a standard one of the
//!   same name; by 文种 and 行文方向, the most specific organ template that applies is
//!   chosen, and the standard set is used only when none does.
//! - **委托** (pull kind `delegation`, in both people's user buckets): while a whole
//!   delegation (no role limit) is in force and not revoked, the delegator's tasks are
//!   listed in the delegate's 待办/待阅, and the workflow lets the delegate act on them;
//!   the record then carries `on_behalf_of` and signs as "受托人 代 委托人". Delegations
//!   limited to roles are stored and listed but, as on the server, do not change who may
//!   act.
//!
//! The apply side of sync calls [`put_route_template`], [`remove_route_template`],
//! [`put_delegation`] and [`remove_delegation`] inside its pull transaction.

use gongwen_domain::workflow::template::{DocFacts, RouteTemplate, TemplateSet};
use gongwen_domain::workflow::{Delegation, FlowKind, PersonId, Route};
use gongwen_protocol::sync::DelegationData;
use rusqlite::{Connection, Transaction, params};
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{FlowError, Result};
use crate::Client;

/// Where a route template comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum TemplateSource {
    /// Set by the organ's administrator (synced); preferred.
    Organ,
    /// Built into the program ([`TemplateSet::standard`]).
    Standard,
}

/// A route template the user can choose at 送审.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteTemplateInfo {
    pub name: String,
    /// `outgoing` (发文) or `incoming` (收文).
    pub kind: FlowKind,
    pub source: TemplateSource,
    /// The steps' names in order (审核 → 签发 → …), for display.
    pub steps: Vec<String>,
    /// Shadowed by an organ template of the same name (standard templates only).
    pub shadowed: bool,
}

/// A 委托 the current user gave or received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DelegationInfo {
    pub id: i64,
    /// 委托人 (login and name).
    pub from_login: String,
    pub from_name: String,
    /// 受托人 (login and name).
    pub to_login: String,
    pub to_name: String,
    /// RFC 3339, inclusive.
    pub starts_at: String,
    /// RFC 3339, exclusive.
    pub ends_at: String,
    /// Role codes it is limited to (empty: all the delegator's tasks).
    pub roles: Vec<String>,
    pub revoked: bool,
    /// In force now: started, not ended, not revoked.
    pub active: bool,
    /// Whether the workflow honours it (active and not limited to roles).
    pub effective: bool,
    /// How the delegate signs, e.g. "李四 代 张三".
    pub signature: String,
}

fn corrupt(what: &str, id: &str, e: impl std::fmt::Display) -> FlowError {
    FlowError::Corrupt(format!("同步的{what} {id} 无法读取：{e}"))
}

/// Stores (replaces) a route template pulled from the organ bucket. `name` is the op's
/// id (the template's name).
pub(crate) fn put_route_template(
    tx: &Transaction<'_>,
    name: &str,
    data: &serde_json::Value,
    stamp: &str,
) -> Result<()> {
    let t: RouteTemplate =
        serde_json::from_value(data.clone()).map_err(|e| corrupt("流程模板", name, e))?;
    if t.name != name {
        return Err(corrupt(
            "流程模板",
            name,
            format!("模板名称“{}”与编号不一致", t.name),
        ));
    }
    let json = serde_json::to_string(&t).map_err(|e| corrupt("流程模板", name, e))?;
    tx.prepare_cached(
        "INSERT INTO route_templates (name, kind, template, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, template = excluded.template,
             updated_at = excluded.updated_at",
    )?
    .execute(params![name, t.kind.code(), json, stamp])?;
    Ok(())
}

/// The organ deleted a template (or the user left the organ).
pub(crate) fn remove_route_template(tx: &Transaction<'_>, name: &str) -> Result<()> {
    tx.prepare_cached("DELETE FROM route_templates WHERE name = ?1")?
        .execute([name])?;
    Ok(())
}

/// Stores (replaces) a 委托 pulled from a user bucket. `id` is the op's id.
pub(crate) fn put_delegation(
    tx: &Transaction<'_>,
    id: &str,
    data: &serde_json::Value,
    stamp: &str,
) -> Result<()> {
    let d: DelegationData =
        serde_json::from_value(data.clone()).map_err(|e| corrupt("委托", id, e))?;
    if id.parse::<i64>().ok() != Some(d.id) {
        return Err(corrupt(
            "委托",
            id,
            format!("编号与内容中的 {} 不一致", d.id),
        ));
    }
    for (what, t) in [("开始时间", &d.starts_at), ("结束时间", &d.ends_at)] {
        OffsetDateTime::parse(t, &Rfc3339)
            .map_err(|e| corrupt("委托", id, format!("{what}：{e}")))?;
    }
    let roles = serde_json::to_string(&d.roles).map_err(|e| corrupt("委托", id, e))?;
    tx.prepare_cached(
        "INSERT INTO delegations (id, from_login, from_display, to_login, to_display, starts_at,
             ends_at, roles, revoked, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (id) DO UPDATE SET from_login = excluded.from_login,
             from_display = excluded.from_display, to_login = excluded.to_login,
             to_display = excluded.to_display, starts_at = excluded.starts_at,
             ends_at = excluded.ends_at, roles = excluded.roles, revoked = excluded.revoked,
             updated_at = excluded.updated_at",
    )?
    .execute(params![
        d.id,
        d.from_login,
        d.from_display,
        d.to_login,
        d.to_display,
        d.starts_at,
        d.ends_at,
        roles,
        d.revoked,
        stamp
    ])?;
    Ok(())
}

/// The user no longer sees the delegation.
pub(crate) fn remove_delegation(tx: &Transaction<'_>, id: &str) -> Result<()> {
    if let Ok(n) = id.parse::<i64>() {
        tx.prepare_cached("DELETE FROM delegations WHERE id = ?1")?
            .execute([n])?;
    }
    Ok(())
}

/// The organ's templates (synced), in name order.
pub(crate) fn organ_templates(c: &Connection) -> Result<TemplateSet> {
    let mut stmt = c.prepare_cached("SELECT name, template FROM route_templates ORDER BY name")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let templates = rows
        .into_iter()
        .map(|(name, json)| {
            serde_json::from_str(&json)
                .map_err(|e| FlowError::Corrupt(format!("流程模板 {name}：{e}")))
        })
        .collect::<Result<_>>()?;
    Ok(TemplateSet { templates })
}

/// The route of a new flow of `kind` for `owner` (a member of `organ`): the template
/// named `name` (organ first, then standard), else the one [`choose`] picks by 文种 and
/// 行文方向. Handlers are resolved by role from the local directory, in `organ` unless
/// the step names another.
pub(crate) fn route_for_new_flow(
    c: &Connection,
    kind: FlowKind,
    name: Option<&str>,
    facts: &DocFacts,
    owner: &PersonId,
    organ: &str,
) -> Result<Route> {
    let name = name.filter(|n| !n.trim().is_empty());
    let directory = super::people::all(c)?;
    let resolver = |role: &str, in_organ: Option<&str>| -> Vec<PersonId> {
        let in_organ = in_organ.unwrap_or(organ);
        directory
            .iter()
            .filter(|p| p.organ == in_organ && p.roles.iter().any(|r| r == role))
            .map(|p| PersonId::new(p.id.clone()))
            .collect()
    };
    let organ_set = organ_templates(c)?;
    let standard = TemplateSet::standard();
    let chosen = choose(&organ_set, &standard, kind, name, facts).map_err(|available| {
        FlowError::UnknownRoute {
            name: name.unwrap_or_default().to_owned(),
            available,
        }
    })?;
    Ok(match chosen {
        Some(t) => t.instantiate(facts, owner, &resolver)?,
        // No template applies: the domain's "no template" refusal, with its message.
        None => standard.route_for(kind, facts, owner, &resolver)?,
    })
}

/// Chooses the template for 送审: by name (organ first, then standard), or by 文种 and
/// 行文方向 (the organ's most specific applicable template, else the standard set's).
/// `Err` carries the names available, for the message.
pub(crate) fn choose<'a>(
    organ: &'a TemplateSet,
    standard: &'a TemplateSet,
    kind: FlowKind,
    name: Option<&str>,
    facts: &DocFacts,
) -> std::result::Result<Option<&'a RouteTemplate>, String> {
    match name {
        Some(name) => organ
            .by_name(name)
            .or_else(|| standard.by_name(name))
            .filter(|t| t.kind == kind)
            .map(Some)
            .ok_or_else(|| {
                let mut names: Vec<&str> = Vec::new();
                for t in organ.templates.iter().chain(&standard.templates) {
                    if t.kind == kind && !names.contains(&t.name.as_str()) {
                        names.push(&t.name);
                    }
                }
                names.join("、")
            }),
        None => Ok(organ
            .select(kind, facts)
            .or_else(|| standard.select(kind, facts))),
    }
}

struct DelegationRow {
    data: DelegationData,
}

fn delegation_rows(c: &Connection, sql: &str, user: &str) -> Result<Vec<DelegationRow>> {
    let mut stmt = c.prepare_cached(sql)?;
    let rows = stmt
        .query_map([user], |r| {
            Ok((
                DelegationData {
                    id: r.get(0)?,
                    from_login: r.get(1)?,
                    from_display: r.get(2)?,
                    to_login: r.get(3)?,
                    to_display: r.get(4)?,
                    starts_at: r.get(5)?,
                    ends_at: r.get(6)?,
                    roles: Vec::new(),
                    revoked: r.get(8)?,
                },
                r.get::<_, String>(7)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(mut data, roles)| {
            data.roles = serde_json::from_str(&roles)
                .map_err(|e| FlowError::Corrupt(format!("委托 {} 的角色：{e}", data.id)))?;
            Ok(DelegationRow { data })
        })
        .collect()
}

const DELEGATION_COLS: &str =
    "id, from_login, from_display, to_login, to_display, starts_at, ends_at, roles, revoked";

fn span(d: &DelegationData) -> Option<(OffsetDateTime, OffsetDateTime)> {
    Some((
        OffsetDateTime::parse(&d.starts_at, &Rfc3339).ok()?,
        OffsetDateTime::parse(&d.ends_at, &Rfc3339).ok()?,
    ))
}

fn is_active(d: &DelegationData, now: OffsetDateTime) -> bool {
    !d.revoked && span(d).is_some_and(|(s, e)| s <= now && now < e)
}

/// Every whole, unrevoked delegation in the store, for the workflow's [`Context`]
/// (it checks the period and the people itself).
///
/// [`Context`]: gongwen_domain::workflow::Context
pub(crate) fn workflow_delegations(c: &Connection) -> Result<Vec<Delegation>> {
    let rows = delegation_rows(
        c,
        &format!(
            "SELECT {DELEGATION_COLS} FROM delegations WHERE revoked = 0 AND roles = '[]' AND ?1 IS NOT NULL"
        ),
        "",
    )?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let (start, end) = span(&r.data)?;
            Some(Delegation {
                principal: PersonId::new(r.data.from_login),
                delegate: PersonId::new(r.data.to_login),
                start,
                end: Some(end),
                kind: None,
            })
        })
        .collect())
}

/// The people whose tasks `user` handles now as their delegate: (login, name).
pub(crate) fn delegators_of(
    c: &Connection,
    user: &str,
    now: OffsetDateTime,
) -> Result<Vec<(String, String)>> {
    let rows = delegation_rows(
        c,
        &format!(
            "SELECT {DELEGATION_COLS} FROM delegations
             WHERE to_login = ?1 AND revoked = 0 AND roles = '[]' ORDER BY id"
        ),
        user,
    )?;
    let mut out: Vec<(String, String)> = Vec::new();
    for r in rows {
        if is_active(&r.data, now)
            && r.data.from_login != user
            && !out.iter().any(|(l, _)| *l == r.data.from_login)
        {
            out.push((r.data.from_login, r.data.from_display));
        }
    }
    Ok(out)
}

impl Client {
    /// 流程模板: the templates 送审 can use, the organ's (synced) first, then the
    /// standard ones (marked `shadowed` when an organ template has the same name).
    pub fn route_templates(&self) -> Result<Vec<RouteTemplateInfo>> {
        let organ = super::read(&self.db, organ_templates)?;
        let info = |t: &RouteTemplate, source, shadowed| RouteTemplateInfo {
            name: t.name.clone(),
            kind: t.kind,
            source,
            steps: t
                .steps
                .iter()
                .map(|s| s.name.clone().unwrap_or_else(|| s.kind.label().to_owned()))
                .collect(),
            shadowed,
        };
        let mut out: Vec<RouteTemplateInfo> = organ
            .templates
            .iter()
            .map(|t| info(t, TemplateSource::Organ, false))
            .collect();
        for t in &TemplateSet::standard().templates {
            out.push(info(
                t,
                TemplateSource::Standard,
                organ.by_name(&t.name).is_some(),
            ));
        }
        Ok(out)
    }

    /// 委托: the delegations the current user gave or received, newest first, with
    /// whether each is in force now.
    pub fn delegations(&self) -> Result<Vec<DelegationInfo>> {
        let now = self.now();
        let rows = super::read(&self.db, |c| {
            delegation_rows(
                c,
                &format!(
                    "SELECT {DELEGATION_COLS} FROM delegations
                     WHERE from_login = ?1 OR to_login = ?1 ORDER BY starts_at DESC, id DESC"
                ),
                &self.user,
            )
        })?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let d = r.data;
                let active = is_active(&d, now);
                DelegationInfo {
                    id: d.id,
                    signature: format!("{} 代 {}", d.to_display, d.from_display),
                    effective: active && d.roles.is_empty(),
                    active,
                    from_login: d.from_login,
                    from_name: d.from_display,
                    to_login: d.to_login,
                    to_name: d.to_display,
                    starts_at: d.starts_at,
                    ends_at: d.ends_at,
                    roles: d.roles,
                    revoked: d.revoked,
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::temp_db;

    fn delegation(id: i64) -> serde_json::Value {
        serde_json::json!({
            "id": id, "from_login": "li", "from_display": "李四",
            "to_login": "zheng", "to_display": "郑一",
            "starts_at": "2026-03-01T00:00:00Z", "ends_at": "2026-03-08T00:00:00Z"
        })
    }

    #[test]
    fn pulled_templates_are_stored_replaced_and_removed() {
        let (_dir, db) = temp_db();
        let mut t = TemplateSet::standard().templates[0].clone();
        t.name = "本机关发文".into();
        let data = serde_json::to_value(&t).unwrap();
        crate::flow::write(&db, |tx| put_route_template(tx, "本机关发文", &data, "s1")).unwrap();
        t.steps.truncate(3);
        let data = serde_json::to_value(&t).unwrap();
        crate::flow::write(&db, |tx| put_route_template(tx, "本机关发文", &data, "s2")).unwrap();
        let set = crate::flow::read(&db, organ_templates).unwrap();
        assert_eq!(set.templates, vec![t.clone()]);
        // A template whose name is not the op's id is refused, not misfiled.
        let e = crate::flow::write(&db, |tx| put_route_template(tx, "别的名字", &data, "s3"))
            .unwrap_err();
        assert_eq!(e.code(), "corrupt_flow");
        crate::flow::write(&db, |tx| remove_route_template(tx, "本机关发文")).unwrap();
        assert!(
            crate::flow::read(&db, organ_templates)
                .unwrap()
                .templates
                .is_empty()
        );
    }

    #[test]
    fn pulled_delegations_drive_who_acts_for_whom() {
        let (_dir, db) = temp_db();
        crate::flow::write(&db, |tx| put_delegation(tx, "7", &delegation(7), "s")).unwrap();
        let at = |s: &str| OffsetDateTime::parse(s, &Rfc3339).unwrap();
        let now = at("2026-03-02T00:00:00Z");
        let of = |now| crate::flow::read(&db, |c| delegators_of(c, "zheng", now)).unwrap();
        assert_eq!(of(now), vec![("li".to_owned(), "李四".to_owned())]);
        assert!(
            of(at("2026-03-08T00:00:00Z")).is_empty(),
            "the end is exclusive"
        );
        assert!(of(at("2026-02-28T23:59:59Z")).is_empty());
        let wf = crate::flow::read(&db, workflow_delegations).unwrap();
        assert_eq!(wf.len(), 1);
        assert!(wf[0].is_active(now, FlowKind::Outgoing));

        let mut revoked = delegation(7);
        revoked["revoked"] = true.into();
        crate::flow::write(&db, |tx| put_delegation(tx, "7", &revoked, "s")).unwrap();
        assert!(of(now).is_empty());
        assert!(
            crate::flow::read(&db, workflow_delegations)
                .unwrap()
                .is_empty()
        );

        let mut bad = delegation(8);
        bad["ends_at"] = "next week".into();
        assert!(crate::flow::write(&db, |tx| put_delegation(tx, "8", &bad, "s")).is_err());
        assert!(
            crate::flow::write(&db, |tx| put_delegation(tx, "9", &delegation(8), "s")).is_err()
        );
        crate::flow::write(&db, |tx| remove_delegation(tx, "7")).unwrap();
        let n: i64 = db
            .read(|c| Ok(c.query_row("SELECT count(*) FROM delegations", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(n, 0);
    }
}
