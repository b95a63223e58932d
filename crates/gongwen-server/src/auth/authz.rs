//! The one place that decides who may do what: [`authorize`].
//!
//! Handlers resolve the resource (e.g. an organ's 代字 to its id) and call
//! `authorize(&caller, &resource, action)` before touching data. The function
//! is pure, so the full users × resources × actions matrix is tested without a
//! database (see the tests below), and again through HTTP in the integration
//! tests.
//!
//! Rules so far:
//! * The list of organs and departments is public to every signed-in user
//!   (they need it to address documents); managing it needs 管理员 in the
//!   organ or one of its ancestors.
//! * Users of an organ are visible to its own members and to its administrators.
//! * Top-level organs and whole-directory imports need an administrator of a
//!   top-level organ.
//! * A 文号 is allocated only by an 办公室文书 of the organ owning the 代字.
//!
//! A refusal for something the caller may not even know exists is a 404, so
//! existence does not leak; otherwise 403.

use gongwen_protocol::directory::Role;

use crate::error::{ApiResult, AppError};

/// The signed-in user making a request, from their access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: i64,
    pub login: String,
    pub display_name: String,
    pub organ_id: i64,
    pub organ_code: String,
    /// The caller's organ has no parent.
    pub organ_is_top_level: bool,
    pub department_id: Option<i64>,
    pub department: Option<String>,
    pub roles: Vec<Role>,
    /// Roles held for a colleague of the same organ through a delegation whose
    /// period includes now (never 管理员).
    pub delegated_roles: Vec<Role>,
    /// For administrators: their organ and every organ below it.
    pub admin_scope: Vec<i64>,
    /// The login session the token belongs to.
    pub family_id: i64,
}

impl Caller {
    /// Holds `role`, in person or by delegation.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role) || self.delegated_roles.contains(&role)
    }

    fn administers(&self, organ_id: i64) -> bool {
        self.has(Role::Admin) && self.admin_scope.contains(&organ_id)
    }
}

/// What is being accessed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource<'a> {
    /// The organ and department lists.
    Directory,
    /// One organ: managing it means adding departments, users, positions,
    /// delegations or sub-organs to it.
    Organ { id: i64 },
    /// Creating an organ without a parent.
    TopLevelOrgans,
    /// The users of one organ.
    Users { organ_id: i64 },
    /// Importing a whole directory file.
    DirectoryImport,
    /// The 文号 sequence of a 代字.
    DocNumbers { organ_code: &'a str },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Read,
    Manage,
    Allocate,
}

/// Allow, or the error to answer with.
pub fn authorize(caller: &Caller, resource: &Resource<'_>, action: Action) -> ApiResult<()> {
    let allowed = match (resource, action) {
        (Resource::Directory, Action::Read) => true,
        (Resource::Organ { .. }, Action::Read) => true,
        (Resource::Organ { id }, Action::Manage) => caller.administers(*id),
        (Resource::TopLevelOrgans | Resource::DirectoryImport, Action::Manage) => {
            caller.has(Role::Admin) && caller.organ_is_top_level
        }
        (Resource::Users { organ_id }, Action::Read) => {
            if caller.organ_id == *organ_id || caller.administers(*organ_id) {
                true
            } else {
                return Err(AppError::not_found());
            }
        }
        (Resource::Users { organ_id }, Action::Manage) => caller.administers(*organ_id),
        (Resource::DocNumbers { organ_code }, Action::Allocate) => {
            caller.organ_code == *organ_code && caller.has(Role::Clerk)
        }
        (Resource::DocNumbers { organ_code }, Action::Read) => {
            caller.organ_code == *organ_code
                && (caller.has(Role::Clerk) || caller.has(Role::Leader))
        }
        _ => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use axum::http::StatusCode;

    // Seeded directory: 鹤府 (id 1, top level) ⊃ 鹤府办 (2) ⊃ 鹤山镇 (3); 邻县 (9) is separate.
    fn caller(login: &str, organ_id: i64, code: &str, roles: &[Role]) -> Caller {
        let admin_scope = match organ_id {
            1 => vec![1, 2, 3],
            2 => vec![2, 3],
            3 => vec![3],
            _ => vec![organ_id],
        };
        Caller {
            user_id: 0,
            login: login.into(),
            display_name: login.into(),
            organ_id,
            organ_code: code.into(),
            organ_is_top_level: organ_id == 1 || organ_id == 9,
            department_id: None,
            department: None,
            roles: roles.to_vec(),
            delegated_roles: vec![],
            admin_scope: if roles.contains(&Role::Admin) {
                admin_scope
            } else {
                vec![]
            },
            family_id: 0,
        }
    }

    #[test]
    fn matrix() {
        let users = [
            caller("city_admin", 1, "鹤府", &[Role::Admin]),
            caller("office_admin", 2, "鹤府办", &[Role::Admin]),
            caller("office_clerk", 2, "鹤府办", &[Role::Clerk]),
            caller("office_leader", 2, "鹤府办", &[Role::Leader, Role::Signer]),
            caller("town_drafter", 3, "鹤山镇", &[Role::Drafter]),
            caller("other_admin", 9, "邻县", &[Role::Admin]),
        ];
        let resources = [
            Resource::Directory,
            Resource::Organ { id: 2 },
            Resource::Organ { id: 3 },
            Resource::TopLevelOrgans,
            Resource::Users { organ_id: 2 },
            Resource::Users { organ_id: 3 },
            Resource::DirectoryImport,
            Resource::DocNumbers {
                organ_code: "鹤府办",
            },
        ];
        let actions = [Action::Read, Action::Manage, Action::Allocate];
        // Every allowed cell; everything else must be refused.
        let allowed: HashMap<&str, Vec<(usize, Action)>> = HashMap::from([
            (
                "city_admin",
                vec![
                    (0, Action::Read),
                    (1, Action::Read),
                    (1, Action::Manage),
                    (2, Action::Read),
                    (2, Action::Manage),
                    (3, Action::Manage),
                    (4, Action::Read),
                    (4, Action::Manage),
                    (5, Action::Read),
                    (5, Action::Manage),
                    (6, Action::Manage),
                ],
            ),
            (
                "office_admin",
                vec![
                    (0, Action::Read),
                    (1, Action::Read),
                    (1, Action::Manage),
                    (2, Action::Read),
                    (2, Action::Manage),
                    (4, Action::Read),
                    (4, Action::Manage),
                    (5, Action::Read),
                    (5, Action::Manage),
                ],
            ),
            (
                "office_clerk",
                vec![
                    (0, Action::Read),
                    (1, Action::Read),
                    (2, Action::Read),
                    (4, Action::Read),
                    (7, Action::Read),
                    (7, Action::Allocate),
                ],
            ),
            (
                "office_leader",
                vec![
                    (0, Action::Read),
                    (1, Action::Read),
                    (2, Action::Read),
                    (4, Action::Read),
                    (7, Action::Read),
                ],
            ),
            (
                "town_drafter",
                vec![
                    (0, Action::Read),
                    (1, Action::Read),
                    (2, Action::Read),
                    (5, Action::Read),
                ],
            ),
            // Administers its own top-level organ, nothing of 鹤府's tree.
            (
                "other_admin",
                vec![
                    (0, Action::Read),
                    (1, Action::Read),
                    (2, Action::Read),
                    (3, Action::Manage),
                    (6, Action::Manage),
                ],
            ),
        ]);
        for u in &users {
            for (ri, r) in resources.iter().enumerate() {
                for a in actions {
                    let expect = allowed[u.login.as_str()].contains(&(ri, a));
                    let got = authorize(u, r, a);
                    assert_eq!(
                        got.is_ok(),
                        expect,
                        "{} {:?} {:?}: {:?}",
                        u.login,
                        r,
                        a,
                        got
                    );
                    if let Err(e) = got {
                        assert!(matches!(
                            e.status,
                            StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
                        ));
                    }
                }
            }
        }
    }

    #[test]
    fn other_organs_users_are_not_found_rather_than_forbidden() {
        let drafter = caller("town_drafter", 3, "鹤山镇", &[Role::Drafter]);
        let e = authorize(&drafter, &Resource::Users { organ_id: 2 }, Action::Read).unwrap_err();
        assert_eq!(e.status, StatusCode::NOT_FOUND);
    }

    #[test]
    fn delegated_roles_count() {
        let mut leader = caller("office_leader", 2, "鹤府办", &[Role::Leader]);
        let allocate = Resource::DocNumbers {
            organ_code: "鹤府办",
        };
        assert!(authorize(&leader, &allocate, Action::Allocate).is_err());
        leader.delegated_roles = vec![Role::Clerk];
        assert!(authorize(&leader, &allocate, Action::Allocate).is_ok());
    }
}
