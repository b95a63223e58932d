//! Per-organ route templates (issue 5 item 2: "routes are templates chosen by 文种 and
//! direction, editable per organ").
//!
//! An organ's administrator sets, lists and removes the organ's own templates
//! ([`RouteTemplate`] JSON, the same type the client selects and instantiates with).
//! Every change is published to the organ bucket `organ:{代字}` as a
//! [`kinds::ROUTE_TEMPLATE`] op (PUT with the template, REMOVE when deleted; `Op::id`
//! is the template's name), so every device of the organ picks it up on its next pull,
//! and appended to the server's audit chain, all in the caller's transaction.
//!
//! A removed template keeps its row as a tombstone, so the entity version keeps
//! increasing when the same name is set again. The server's flow replay does not
//! require a route to come from a template: the drafter may still adjust the handlers
//! at 送审, and the state machine validates whatever route arrives.

use std::collections::HashMap;

use deadpool_postgres::GenericClient;
use gongwen_domain::workflow::template::{DocFacts, HandlerSpec, RouteTemplate};
use gongwen_domain::workflow::{Context, PersonId, validate_route};
use gongwen_protocol::sync::kinds;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{check_text, format_time, organ_by_code};
use crate::error::{Error, Result};
use crate::sync::buckets;

/// The longest template name.
pub const MAX_NAME: usize = 100;
/// The most steps a template may have.
pub const MAX_STEPS: usize = 50;

/// `POST /v1/admin/route-templates`: set (create or replace) one template of an organ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetRouteTemplate {
    /// The organ's 代字.
    pub organ: String,
    pub template: RouteTemplate,
}

/// One stored template of an organ, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganRouteTemplate {
    /// The organ's 代字.
    pub organ: String,
    /// The entity version carried by the `route_template` ops.
    pub version: i64,
    /// Who set it last (a login, or the command-line administrator).
    pub updated_by: String,
    /// RFC 3339.
    pub updated_at: String,
    pub template: RouteTemplate,
}

/// Checks a template before it is stored: a usable name, sane sizes, non-empty role
/// names, and that it yields a route the workflow accepts once its handlers resolve
/// (the check instantiates it with a stand-in person for every role).
pub fn check_template(t: &RouteTemplate) -> Result<RouteTemplate> {
    let mut t = t.clone();
    t.name = check_text("流程模板名称", &t.name, MAX_NAME)?;
    if t.steps.is_empty() {
        return Err(Error::Invalid(format!("流程模板“{}”没有任何环节", t.name)));
    }
    if t.steps.len() > MAX_STEPS {
        return Err(Error::Invalid(format!(
            "流程模板“{}”的环节太多：最多 {MAX_STEPS} 个",
            t.name
        )));
    }
    for (i, step) in t.steps.iter_mut().enumerate() {
        let at = format!("流程模板“{}”第 {} 个环节", t.name, i + 1);
        if let Some(name) = &step.name {
            step.name = Some(check_text(&format!("{at}的名称"), name, MAX_NAME)?);
        }
        if step.limit_hours == Some(0) {
            return Err(Error::Invalid(format!("{at}的办理时限必须大于 0 小时")));
        }
        for h in &mut step.handlers {
            match h {
                HandlerSpec::Role { role } | HandlerSpec::EachIssuer { role } => {
                    *role = check_text(&format!("{at}的办理角色"), role, MAX_NAME)?;
                }
                HandlerSpec::Person { id } => {
                    *id = PersonId::new(check_text(&format!("{at}的办理人"), &id.0, 64)?);
                }
                HandlerSpec::Owner => {}
            }
        }
    }
    // Instantiate with a stand-in for every role and issuer, then let the state
    // machine judge the route's shape (first step has handlers, a step without
    // handlers follows one whose handler can choose them, …).
    let owner = PersonId::new("\u{1}owner");
    let facts = DocFacts {
        issuers: vec!["\u{1}issuer".to_owned()],
        ..DocFacts::default()
    };
    let stand_in = |role: &str, organ: Option<&str>| {
        vec![PersonId::new(format!(
            "\u{1}{role}@{}",
            organ.unwrap_or_default()
        ))]
    };
    let route = t
        .instantiate(&facts, &owner, &stand_in)
        .map_err(|e| Error::Invalid(e.to_string()))?;
    let names: HashMap<PersonId, String> = route
        .steps
        .iter()
        .flat_map(|s| s.handlers.iter())
        .map(|p| (p.clone(), p.0.clone()))
        .collect();
    let ctx = Context::new(OffsetDateTime::UNIX_EPOCH, &names);
    validate_route(&route, &ctx)
        .map_err(|e| Error::Invalid(format!("流程模板“{}”不能使用：{e}", t.name)))?;
    Ok(t)
}

fn parse_stored(organ: &str, name: &str, json: &str) -> Result<RouteTemplate> {
    serde_json::from_str(json)
        .map_err(|e| Error::Invalid(format!("机关 {organ} 的流程模板“{name}”数据已损坏：{e}")))
}

fn to_json(t: &RouteTemplate) -> Result<serde_json::Value> {
    serde_json::to_value(t).map_err(|e| Error::Invalid(e.to_string()))
}

/// Sets (creates or replaces) a template of the organ `organ_code`; publishes a PUT to
/// the organ bucket and audits it. Pass a transaction. `actor` is who does it.
pub async fn set(
    tx: &impl GenericClient,
    organ_code: &str,
    template: &RouteTemplate,
    actor: &str,
    now: OffsetDateTime,
) -> Result<OrganRouteTemplate> {
    let organ = organ_by_code(tx, organ_code).await?;
    let code = organ_code.trim();
    let template = check_template(template)?;
    let json = to_json(&template)?;
    let version: i64 = tx
        .query_one(
            "INSERT INTO route_templates AS t
                 (organ_id, name, kind, template, version, updated_by, updated_at)
             VALUES ($1, $2, $3, $4::text::jsonb, 1, $5, $6)
             ON CONFLICT (organ_id, name) DO UPDATE
                SET kind = EXCLUDED.kind, template = EXCLUDED.template,
                    version = t.version + 1, updated_by = EXCLUDED.updated_by,
                    updated_at = EXCLUDED.updated_at, removed_at = NULL
             RETURNING version",
            &[
                &organ.id,
                &template.name,
                &template.kind.code(),
                &json.to_string(),
                &actor,
                &now,
            ],
        )
        .await?
        .get(0);
    buckets::append_op(
        tx,
        &buckets::organ_bucket(code),
        kinds::ROUTE_TEMPLATE,
        &template.name,
        version,
        Some(json),
    )
    .await?;
    super::audit_admin(
        tx,
        actor,
        "route_template.set",
        &format!("{code}/{}", template.name),
        serde_json::json!({"organ": code, "name": template.name, "version": version}),
        now,
    )
    .await?;
    Ok(OrganRouteTemplate {
        organ: code.to_owned(),
        version,
        updated_by: actor.to_owned(),
        updated_at: format_time(now),
        template,
    })
}

/// Removes a template of the organ; publishes a REMOVE and audits it. Removing a
/// template the organ does not have is [`Error::NotFound`].
pub async fn remove(
    tx: &impl GenericClient,
    organ_code: &str,
    name: &str,
    actor: &str,
    now: OffsetDateTime,
) -> Result<i64> {
    let organ = organ_by_code(tx, organ_code).await?;
    let code = organ_code.trim();
    let name = name.trim();
    let version: i64 = tx
        .query_opt(
            "UPDATE route_templates SET version = version + 1, removed_at = $3,
                    updated_by = $4, updated_at = $3
              WHERE organ_id = $1 AND name = $2 AND removed_at IS NULL
             RETURNING version",
            &[&organ.id, &name, &now, &actor],
        )
        .await?
        .ok_or_else(|| Error::NotFound {
            what: "流程模板",
            name: format!("{code}/{name}"),
        })?
        .get(0);
    buckets::remove_op(
        tx,
        &buckets::organ_bucket(code),
        kinds::ROUTE_TEMPLATE,
        name,
        version,
    )
    .await?;
    super::audit_admin(
        tx,
        actor,
        "route_template.remove",
        &format!("{code}/{name}"),
        serde_json::json!({"organ": code, "name": name, "version": version}),
        now,
    )
    .await?;
    Ok(version)
}

/// The organ's templates in force, by name.
pub async fn list(c: &impl GenericClient, organ_code: &str) -> Result<Vec<OrganRouteTemplate>> {
    let organ = organ_by_code(c, organ_code).await?;
    let code = organ_code.trim();
    let rows = c
        .query(
            "SELECT name, template::text, version, updated_by, updated_at FROM route_templates
              WHERE organ_id = $1 AND removed_at IS NULL ORDER BY name",
            &[&organ.id],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let name: String = r.get(0);
            Ok(OrganRouteTemplate {
                organ: code.to_owned(),
                version: r.get(2),
                updated_by: r.get(3),
                updated_at: format_time(r.get(4)),
                template: parse_stored(code, &name, r.get(1))?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use gongwen_domain::workflow::template::{StepTemplate, TemplateSet};
    use gongwen_domain::workflow::{FlowKind, Mode, StepKind};

    use super::*;

    #[test]
    fn every_standard_template_passes_the_check() {
        for t in TemplateSet::standard().templates {
            let checked = check_template(&t).unwrap();
            assert_eq!(checked, t);
        }
    }

    fn tpl(steps: Vec<StepTemplate>) -> RouteTemplate {
        RouteTemplate {
            name: " 乡镇发文 ".into(),
            kind: FlowKind::Outgoing,
            applies_to: Default::default(),
            steps,
        }
    }

    #[test]
    fn names_are_trimmed_and_shapes_checked() {
        let ok = tpl(vec![
            StepTemplate::new(StepKind::Draft, Mode::Sequential, vec![HandlerSpec::Owner]),
            StepTemplate::new(
                StepKind::Sign,
                Mode::Sequential,
                vec![HandlerSpec::Role {
                    role: "分管领导".into(),
                }],
            ),
        ]);
        assert_eq!(check_template(&ok).unwrap().name, "乡镇发文");

        let empty = tpl(vec![]);
        assert!(
            check_template(&empty)
                .unwrap_err()
                .to_string()
                .contains("没有任何环节")
        );

        // The first step must have someone to handle it.
        let headless = tpl(vec![StepTemplate::new(
            StepKind::Review,
            Mode::Sequential,
            vec![],
        )]);
        let e = check_template(&headless).unwrap_err().to_string();
        assert!(e.contains("不能使用"), "{e}");

        let blank_role = tpl(vec![StepTemplate::new(
            StepKind::Draft,
            Mode::Sequential,
            vec![HandlerSpec::Role { role: "  ".into() }],
        )]);
        assert!(
            check_template(&blank_role)
                .unwrap_err()
                .to_string()
                .contains("办理角色不能为空")
        );

        let zero = tpl(vec![
            StepTemplate::new(StepKind::Draft, Mode::Sequential, vec![HandlerSpec::Owner])
                .with_limit_hours(0),
        ]);
        assert!(
            check_template(&zero)
                .unwrap_err()
                .to_string()
                .contains("时限")
        );
    }
}
