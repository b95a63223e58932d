//! The organisation directory: 机关, 部门, 用户, 岗位, 委托.
//!
//! Roles and levels travel as stable English codes; [`Role::label`] and
//! [`OrganLevel::label`] give the Chinese names people see. Parsing accepts both.

use serde::{Deserialize, Serialize};

/// What a user may do. A user holds any number of roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 拟稿人: drafts documents.
    Drafter,
    /// 核稿人: reviews drafts.
    Reviewer,
    /// 签发人: signs documents off for issue.
    Signer,
    /// 办公室文书: the clerk who registers (登记) and sends documents.
    Clerk,
    /// 收文员: receives incoming documents.
    Receiver,
    /// 领导: leadership, reads and instructs.
    Leader,
    /// 管理员: manages the directory of their organ and its subordinates.
    Admin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Drafter,
        Role::Reviewer,
        Role::Signer,
        Role::Clerk,
        Role::Receiver,
        Role::Leader,
        Role::Admin,
    ];

    /// The stable code stored and sent on the wire.
    pub fn code(self) -> &'static str {
        match self {
            Role::Drafter => "drafter",
            Role::Reviewer => "reviewer",
            Role::Signer => "signer",
            Role::Clerk => "clerk",
            Role::Receiver => "receiver",
            Role::Leader => "leader",
            Role::Admin => "admin",
        }
    }

    /// The Chinese name people see.
    pub fn label(self) -> &'static str {
        match self {
            Role::Drafter => "拟稿人",
            Role::Reviewer => "核稿人",
            Role::Signer => "签发人",
            Role::Clerk => "办公室文书",
            Role::Receiver => "收文员",
            Role::Leader => "领导",
            Role::Admin => "管理员",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    /// Accepts the code (`clerk`) or the Chinese name (`办公室文书`, also `文书`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.code() == s || r.label() == s || (*r == Role::Clerk && s == "文书"))
            .ok_or_else(|| {
                let names: Vec<_> = Role::ALL
                    .iter()
                    .map(|r| format!("{}({})", r.label(), r.code()))
                    .collect();
                format!("未知角色“{s}”，可用角色：{}", names.join("、"))
            })
    }
}

/// The administrative level of an organ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganLevel {
    /// 市（县）级
    City,
    /// 乡镇级
    Town,
    /// 村（社区）级
    Village,
}

impl OrganLevel {
    pub fn code(self) -> &'static str {
        match self {
            OrganLevel::City => "city",
            OrganLevel::Town => "town",
            OrganLevel::Village => "village",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OrganLevel::City => "市县级",
            OrganLevel::Town => "乡镇级",
            OrganLevel::Village => "村级",
        }
    }
}

impl std::str::FromStr for OrganLevel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "city" | "市" | "县" | "市县级" | "市级" | "县级" => Ok(OrganLevel::City),
            "town" | "乡" | "镇" | "乡镇" | "乡镇级" => Ok(OrganLevel::Town),
            "village" | "村" | "社区" | "村级" => Ok(OrganLevel::Village),
            other => Err(format!(
                "未知机关层级“{other}”，可用：city(市县级)、town(乡镇级)、village(村级)"
            )),
        }
    }
}

/// A 机关 as the directory shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organ {
    pub id: i64,
    pub name: String,
    /// 机关代字, e.g. 鹤府办. Unique.
    pub code: String,
    pub level: OrganLevel,
    /// The parent organ's 代字.
    #[serde(default)]
    pub parent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOrgan {
    pub name: String,
    pub code: String,
    pub level: OrganLevel,
    #[serde(default)]
    pub parent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    pub id: i64,
    /// The organ's 代字.
    pub organ: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDepartment {
    pub organ: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    /// The organ's 代字.
    pub organ: String,
    #[serde(default)]
    pub department: Option<String>,
    pub roles: Vec<Role>,
    #[serde(default)]
    pub disabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUser {
    pub login: String,
    #[serde(default)]
    pub display_name: Option<String>,
    pub organ: String,
    #[serde(default)]
    pub department: Option<String>,
    pub roles: Vec<Role>,
    /// Initial password; a user without one cannot log in until it is set.
    #[serde(default)]
    pub password: Option<String>,
}

/// A post used for routing, e.g. the head (`title` = 主任) of 办公室 in 鹤府办.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub id: i64,
    pub organ: String,
    #[serde(default)]
    pub department: Option<String>,
    pub title: String,
    /// Login of the user holding the post, if filled.
    #[serde(default)]
    pub holder: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPosition {
    pub organ: String,
    #[serde(default)]
    pub department: Option<String>,
    pub title: String,
    #[serde(default)]
    pub holder: Option<String>,
}

/// `from` lets `to` act in their place (optionally only for one role) during
/// `[starts_at, ends_at)`; times are RFC 3339.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delegation {
    pub id: i64,
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub role: Option<Role>,
    pub starts_at: String,
    pub ends_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDelegation {
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub role: Option<Role>,
    pub starts_at: String,
    pub ends_at: String,
}

/// A whole directory in one file, for `gongwen-server admin import` and
/// `POST /v1/admin/import`. Entries are applied in order: organs (parents
/// first), departments, users, positions, delegations; all in one transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryImport {
    #[serde(default)]
    pub organs: Vec<NewOrgan>,
    #[serde(default)]
    pub departments: Vec<NewDepartment>,
    #[serde(default)]
    pub users: Vec<NewUser>,
    #[serde(default)]
    pub positions: Vec<NewPosition>,
    #[serde(default)]
    pub delegations: Vec<NewDelegation>,
}

/// What an import created.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub organs: usize,
    pub departments: usize,
    pub users: usize,
    pub positions: usize,
    pub delegations: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_from_code_and_chinese_name() {
        for r in Role::ALL {
            assert_eq!(r.code().parse::<Role>().unwrap(), r);
            assert_eq!(r.label().parse::<Role>().unwrap(), r);
            assert_eq!(
                serde_json::to_string(&r).unwrap(),
                format!("\"{}\"", r.code())
            );
        }
        assert!("boss".parse::<Role>().unwrap_err().contains("未知角色"));
    }

    #[test]
    fn levels_parse() {
        assert_eq!("乡镇".parse::<OrganLevel>().unwrap(), OrganLevel::Town);
        assert_eq!(
            "village".parse::<OrganLevel>().unwrap(),
            OrganLevel::Village
        );
        assert!("province".parse::<OrganLevel>().is_err());
    }
}
