//! Route templates: which route a 公文 takes, chosen by 文种, 行文方向 and a few facts,
//! with handlers named by role and resolved against the directory by the caller.
//!
//! Templates are data (serde), so an organ can edit its own set; [`TemplateSet::standard`]
//! is the set a new organ starts with.

use serde::{Deserialize, Serialize};

use super::error::{Result, WorkflowError};
use super::model::{FlowKind, Mode, PersonId, Route, Step, StepKind};
use crate::document::{Direction, DocType, Document};

/// Role names used by the standard templates; the directory maps them to people.
pub mod roles {
    /// 主要负责人: signs 上行文, important and joint documents.
    pub const PRINCIPAL: &str = "主要负责人";
    /// 分管领导: signs ordinary documents, 批办 of incoming ones.
    pub const DEPUTY: &str = "分管领导";
    /// 部门负责人: first reviewer of the drafting department.
    pub const DEPT_HEAD: &str = "部门负责人";
    /// 办公室主任: 审核 (核稿) and 初审/拟办.
    pub const OFFICE_HEAD: &str = "办公室主任";
    /// 核稿人: 复核 before 登记.
    pub const CHECKER: &str = "核稿人";
    /// 文书: 登记, 核发, 签收 and 办结.
    pub const CLERK: &str = "文书";
    /// 文印: 印制.
    pub const PRINTER: &str = "文印";
    /// 领导班子成员: readers of 传阅.
    pub const LEADERSHIP: &str = "领导班子成员";
}

/// Who handles a step, before resolution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum HandlerSpec {
    /// A named person.
    Person { id: PersonId },
    /// Whoever holds this role (or position) in the organ starting the flow.
    Role { role: String },
    /// The flow's owner (the drafter, or the clerk who received it).
    Owner,
    /// Whoever holds this role in each issuing organ: 会签 of a joint document.
    EachIssuer { role: String },
}

/// One step of a template. No handlers: the previous step's handler chooses them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepTemplate {
    pub kind: StepKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub mode: Mode,
    #[serde(default)]
    pub handlers: Vec<HandlerSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit_hours: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub editable: Option<bool>,
}

impl StepTemplate {
    pub fn new(kind: StepKind, mode: Mode, handlers: Vec<HandlerSpec>) -> StepTemplate {
        StepTemplate {
            kind,
            name: None,
            mode,
            handlers,
            limit_hours: None,
            editable: None,
        }
    }

    pub fn with_limit_hours(mut self, hours: u32) -> StepTemplate {
        self.limit_hours = Some(hours);
        self
    }
}

/// When a template applies. Every criterion given must hold; an empty list or None
/// means "any". The most specific matching template wins.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Applicability {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub doc_types: Vec<DocType>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub directions: Vec<Direction>,
    /// 联合行文 (more than one issuer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joint: Option<bool>,
    /// Marked important by the drafter or the office (重要公文).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub important: Option<bool>,
}

impl Applicability {
    fn matches(&self, facts: &DocFacts) -> bool {
        in_list(&self.doc_types, facts.doc_type)
            && in_list(&self.directions, facts.direction)
            && self.joint.is_none_or(|j| j == facts.is_joint())
            && self.important.is_none_or(|i| i == facts.important)
    }

    fn specificity(&self) -> usize {
        usize::from(!self.doc_types.is_empty())
            + usize::from(!self.directions.is_empty())
            + usize::from(self.joint.is_some())
            + usize::from(self.important.is_some())
    }
}

fn in_list<T: PartialEq>(list: &[T], value: Option<T>) -> bool {
    list.is_empty() || value.is_some_and(|v| list.contains(&v))
}

/// The facts about a document that choose its route.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DocFacts {
    pub doc_type: Option<DocType>,
    pub direction: Option<Direction>,
    /// 发文机关 names, the 主办机关 first.
    pub issuers: Vec<String>,
    pub important: bool,
}

impl DocFacts {
    /// The facts of a 公文; `important` is the drafter's or office's marking.
    pub fn of(doc: &Document, important: bool) -> DocFacts {
        DocFacts {
            doc_type: doc.doc_type,
            direction: doc.direction,
            issuers: doc.issuers.iter().map(|i| i.name.clone()).collect(),
            important,
        }
    }

    pub fn is_joint(&self) -> bool {
        self.issuers.len() > 1
    }

    fn describe(&self, kind: FlowKind) -> String {
        let mut s = String::new();
        if let Some(d) = self.direction {
            s.push_str(d.label());
        }
        if let Some(t) = self.doc_type {
            s.push('“');
            s.push_str(t.name());
            s.push('”');
        }
        s.push_str(kind.label());
        s
    }
}

/// Finds the people who hold a role. `organ` is None for the organ starting the flow,
/// or an issuing organ's name for [`HandlerSpec::EachIssuer`].
///
/// Implemented for closures `Fn(&str, Option<&str>) -> Vec<PersonId>`.
pub trait HandlerResolver {
    fn resolve(&self, role: &str, organ: Option<&str>) -> Vec<PersonId>;
}

impl<F: Fn(&str, Option<&str>) -> Vec<PersonId>> HandlerResolver for F {
    fn resolve(&self, role: &str, organ: Option<&str>) -> Vec<PersonId> {
        self(role, organ)
    }
}

/// A named route template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteTemplate {
    pub name: String,
    pub kind: FlowKind,
    #[serde(default)]
    pub applies_to: Applicability,
    pub steps: Vec<StepTemplate>,
}

impl RouteTemplate {
    /// Resolves the handlers and returns the route. Every step that names handlers
    /// must resolve to at least one person.
    pub fn instantiate(
        &self,
        facts: &DocFacts,
        owner: &PersonId,
        resolver: &dyn HandlerResolver,
    ) -> Result<Route> {
        let mut steps = Vec::with_capacity(self.steps.len());
        for st in &self.steps {
            let mut handlers: Vec<PersonId> = Vec::new();
            let mut add = |people: Vec<PersonId>| {
                for p in people {
                    if !handlers.contains(&p) {
                        handlers.push(p);
                    }
                }
            };
            for spec in &st.handlers {
                let unresolved = |role: String| WorkflowError::UnresolvedHandlers {
                    template: self.name.clone(),
                    step: st
                        .name
                        .clone()
                        .unwrap_or_else(|| st.kind.label().to_owned()),
                    role,
                };
                match spec {
                    HandlerSpec::Person { id } => add(vec![id.clone()]),
                    HandlerSpec::Owner => add(vec![owner.clone()]),
                    HandlerSpec::Role { role } => {
                        let people = resolver.resolve(role, None);
                        if people.is_empty() {
                            return Err(unresolved(role.clone()));
                        }
                        add(people);
                    }
                    HandlerSpec::EachIssuer { role } => {
                        if facts.issuers.is_empty() {
                            return Err(unresolved(format!("各发文机关的{role}")));
                        }
                        for organ in &facts.issuers {
                            let people = resolver.resolve(role, Some(organ));
                            if people.is_empty() {
                                return Err(unresolved(format!("{organ}的{role}")));
                            }
                            add(people);
                        }
                    }
                }
            }
            steps.push(Step {
                kind: st.kind,
                name: st.name.clone(),
                mode: st.mode,
                handlers,
                limit_hours: st.limit_hours,
                editable: st.editable,
            });
        }
        if steps.is_empty() {
            return Err(WorkflowError::InvalidRoute {
                reason: format!("模板“{}”没有任何环节", self.name),
            });
        }
        Ok(Route {
            name: self.name.clone(),
            steps,
        })
    }
}

/// An organ's templates.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TemplateSet {
    pub templates: Vec<RouteTemplate>,
}

impl TemplateSet {
    /// The most specific template of `kind` that applies (the first one on a tie).
    pub fn select(&self, kind: FlowKind, facts: &DocFacts) -> Option<&RouteTemplate> {
        let mut best: Option<&RouteTemplate> = None;
        for t in self
            .templates
            .iter()
            .filter(|t| t.kind == kind && t.applies_to.matches(facts))
        {
            if best.is_none_or(|b| t.applies_to.specificity() > b.applies_to.specificity()) {
                best = Some(t);
            }
        }
        best
    }

    /// Selects and instantiates the route for a document.
    pub fn route_for(
        &self,
        kind: FlowKind,
        facts: &DocFacts,
        owner: &PersonId,
        resolver: &dyn HandlerResolver,
    ) -> Result<Route> {
        self.select(kind, facts)
            .ok_or_else(|| WorkflowError::NoTemplate {
                what: facts.describe(kind),
            })?
            .instantiate(facts, owner, resolver)
    }

    /// A template by name (for `gongwen submit --route NAME`).
    pub fn by_name(&self, name: &str) -> Option<&RouteTemplate> {
        self.templates.iter().find(|t| t.name == name)
    }

    /// The standard set: 发文 (一般, 上行文, 重要, 联合) and 收文 (一般, 请示件).
    pub fn standard() -> TemplateSet {
        use HandlerSpec::{EachIssuer, Owner};
        let role = |r: &str| HandlerSpec::Role { role: r.to_owned() };
        let st = StepTemplate::new;
        let outgoing = |name: &str, applies_to: Applicability, sign: StepTemplate| RouteTemplate {
            name: name.to_owned(),
            kind: FlowKind::Outgoing,
            applies_to,
            steps: vec![
                st(StepKind::Draft, Mode::Sequential, vec![Owner]),
                st(
                    StepKind::Review,
                    Mode::Sequential,
                    vec![role(roles::DEPT_HEAD), role(roles::OFFICE_HEAD)],
                )
                .with_limit_hours(48),
                sign.with_limit_hours(48),
                st(StepKind::Recheck, Mode::AnyOf, vec![role(roles::CHECKER)]).with_limit_hours(24),
                st(StepKind::Register, Mode::AnyOf, vec![role(roles::CLERK)]).with_limit_hours(24),
                st(StepKind::Print, Mode::AnyOf, vec![role(roles::PRINTER)]).with_limit_hours(24),
                st(StepKind::Dispatch, Mode::AnyOf, vec![role(roles::CLERK)]).with_limit_hours(24),
            ],
        };
        let incoming =
            |name: &str, applies_to: Applicability, instruct: StepTemplate| RouteTemplate {
                name: name.to_owned(),
                kind: FlowKind::Incoming,
                applies_to,
                steps: vec![
                    st(StepKind::Receive, Mode::Sequential, vec![Owner]),
                    st(StepKind::Register, Mode::AnyOf, vec![role(roles::CLERK)])
                        .with_limit_hours(24),
                    st(
                        StepKind::PreCheck,
                        Mode::AnyOf,
                        vec![role(roles::OFFICE_HEAD)],
                    )
                    .with_limit_hours(24),
                    st(
                        StepKind::Propose,
                        Mode::AnyOf,
                        vec![role(roles::OFFICE_HEAD)],
                    )
                    .with_limit_hours(24),
                    instruct.with_limit_hours(48),
                    st(StepKind::Handle, Mode::AllOf, vec![]),
                    st(
                        StepKind::Circulate,
                        Mode::AllOf,
                        vec![role(roles::LEADERSHIP)],
                    )
                    .with_limit_hours(72),
                    st(StepKind::Conclude, Mode::AnyOf, vec![role(roles::CLERK)])
                        .with_limit_hours(24),
                ],
            };
        TemplateSet {
            templates: vec![
                outgoing(
                    "发文（一般）",
                    Applicability::default(),
                    st(StepKind::Sign, Mode::Sequential, vec![role(roles::DEPUTY)]),
                ),
                outgoing(
                    "联合发文",
                    Applicability {
                        joint: Some(true),
                        ..Applicability::default()
                    },
                    st(
                        StepKind::Sign,
                        Mode::AllOf,
                        vec![EachIssuer {
                            role: roles::PRINCIPAL.to_owned(),
                        }],
                    ),
                ),
                outgoing(
                    "上行文发文",
                    Applicability {
                        directions: vec![Direction::Up],
                        ..Applicability::default()
                    },
                    st(
                        StepKind::Sign,
                        Mode::Sequential,
                        vec![role(roles::PRINCIPAL)],
                    ),
                ),
                outgoing(
                    "重要发文",
                    Applicability {
                        important: Some(true),
                        ..Applicability::default()
                    },
                    st(
                        StepKind::Sign,
                        Mode::Sequential,
                        vec![role(roles::DEPUTY), role(roles::PRINCIPAL)],
                    ),
                ),
                incoming(
                    "收文（一般）",
                    Applicability::default(),
                    st(StepKind::Instruct, Mode::AnyOf, vec![role(roles::DEPUTY)]),
                ),
                incoming(
                    "请示件收文",
                    Applicability {
                        doc_types: vec![DocType::Request],
                        ..Applicability::default()
                    },
                    st(
                        StepKind::Instruct,
                        Mode::Sequential,
                        vec![role(roles::PRINCIPAL)],
                    ),
                ),
            ],
        }
    }
}
