//! Directory import files: JSON ([`DirectoryImport`] as is) or CSV.
//!
//! The CSV form has a header row and one entry per line; `kind` says what the
//! line is and which columns it uses (others may be empty or absent):
//!
//! | kind         | columns                                              |
//! |--------------|------------------------------------------------------|
//! | `organ`      | `code`, `name`, `level`, `parent`                     |
//! | `department` | `organ`, `name`                                      |
//! | `user`       | `organ`, `department`, `login`, `name` (display), `roles` (separated by `;` `；` `|` or `、`), `password` |
//! | `position`   | `organ`, `department`, `name` (title), `holder`      |
//! | `delegation` | `from`, `to`, `role`, `starts_at`, `ends_at`          |
//!
//! `kind` also accepts 机关/部门/用户/岗位/委托.

use std::path::Path;

use gongwen_protocol::directory::{
    DirectoryImport, NewDelegation, NewDepartment, NewOrgan, NewPosition, NewUser, OrganLevel, Role,
};
use serde::Deserialize;

use crate::error::{Error, Result};

/// Read a `.json` or `.csv` file (by extension; otherwise by content).
pub fn read(path: &Path) -> Result<DirectoryImport> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Invalid(format!("无法读取导入文件 {}（{e}）", path.display())))?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let is_json = ext == "json" || (ext != "csv" && text.trim_start().starts_with('{'));
    if is_json {
        parse_json(&text)
    } else {
        parse_csv(&text)
    }
}

pub fn parse_json(text: &str) -> Result<DirectoryImport> {
    serde_json::from_str(text)
        .map_err(|e| Error::Invalid(format!("导入文件不是有效的目录 JSON：{e}")))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CsvRow {
    kind: String,
    code: String,
    name: String,
    level: String,
    parent: String,
    organ: String,
    department: String,
    login: String,
    roles: String,
    password: String,
    holder: String,
    from: String,
    to: String,
    role: String,
    starts_at: String,
    ends_at: String,
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

pub fn parse_csv(text: &str) -> Result<DirectoryImport> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut out = DirectoryImport::default();
    for (i, row) in reader.deserialize::<CsvRow>().enumerate() {
        let line = i + 2;
        let row = row.map_err(|e| Error::Invalid(format!("CSV 第 {line} 行无法解析：{e}")))?;
        let bad = |m: String| Error::Invalid(format!("CSV 第 {line} 行：{m}"));
        match row.kind.trim() {
            "organ" | "机关" => out.organs.push(NewOrgan {
                name: row.name,
                code: row.code,
                level: if row.level.trim().is_empty() {
                    OrganLevel::City
                } else {
                    row.level.parse::<OrganLevel>().map_err(bad)?
                },
                parent: opt(&row.parent),
            }),
            "department" | "部门" => out.departments.push(NewDepartment {
                organ: row.organ,
                name: row.name,
            }),
            "user" | "用户" => {
                let roles = row
                    .roles
                    .split([';', '；', '|', '、'])
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .map(str::parse::<Role>)
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map_err(bad)?;
                out.users.push(NewUser {
                    login: row.login,
                    display_name: opt(&row.name),
                    organ: row.organ,
                    department: opt(&row.department),
                    roles,
                    password: opt(&row.password),
                });
            }
            "position" | "岗位" => out.positions.push(NewPosition {
                organ: row.organ,
                department: opt(&row.department),
                title: row.name,
                holder: opt(&row.holder),
            }),
            "delegation" | "委托" => out.delegations.push(NewDelegation {
                from: row.from,
                to: row.to,
                role: opt(&row.role)
                    .map(|r| r.parse::<Role>())
                    .transpose()
                    .map_err(bad)?,
                starts_at: row.starts_at,
                ends_at: row.ends_at,
            }),
            other => {
                return Err(bad(format!(
                    "未知的类型“{other}”，kind 列应为 organ/department/user/position/delegation 之一"
                )));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_all_kinds() {
        let csv = "\u{feff}kind,code,name,level,parent,organ,department,login,roles,password,holder\n\
                   organ,鹤府,鹤山市人民政府,city,,,,,,,\n\
                   机关,鹤府办,鹤山市人民政府办公室,乡镇,鹤府,,,,,,\n\
                   department,,综合科,,,鹤府办,,,,,\n\
                   user,,王文书,,,鹤府办,综合科,wang,办公室文书；拟稿人,secret-pw1,\n\
                   position,,科长,,,鹤府办,综合科,,,,wang\n";
        let d = parse_csv(csv).unwrap();
        assert_eq!(d.organs.len(), 2);
        assert_eq!(d.organs[1].parent.as_deref(), Some("鹤府"));
        assert_eq!(d.organs[1].level, OrganLevel::Town);
        assert_eq!(d.users[0].roles, vec![Role::Clerk, Role::Drafter]);
        assert_eq!(d.users[0].display_name.as_deref(), Some("王文书"));
        assert_eq!(d.positions[0].holder.as_deref(), Some("wang"));
    }

    #[test]
    fn csv_errors_name_the_line() {
        let e = parse_csv("kind,login,roles\nuser,wang,boss\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("第 2 行") && e.contains("未知角色"), "{e}");
        let e = parse_csv("kind\nfoo\n").unwrap_err().to_string();
        assert!(e.contains("未知的类型"), "{e}");
    }

    #[test]
    fn json_errors_are_clear() {
        assert!(
            parse_json("{\"organs\": 3}")
                .unwrap_err()
                .to_string()
                .contains("目录 JSON")
        );
        assert_eq!(parse_json("{}").unwrap(), DirectoryImport::default());
    }
}
