//! `gongwen-server admin …`: the directory from the command line. Each
//! command runs in one transaction.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Subcommand;
use gongwen_domain::workflow::RouteTemplate;
use gongwen_protocol::directory::{
    NewDelegation, NewDepartment, NewOrgan, NewPosition, NewUser, Organ, OrganLevel, Role, User,
};
use gongwen_server::auth::password;
use gongwen_server::directory::templates;
use gongwen_server::{Error, db, directory};

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// 新建机关
    CreateOrgan {
        /// 机关全称，如 鹤山市人民政府办公室
        #[arg(long)]
        name: String,
        /// 机关代字，如 鹤府办（文号的前缀，全局唯一）
        #[arg(long)]
        code: String,
        /// 上级机关的代字
        #[arg(long)]
        parent: Option<String>,
        /// 层级：city（市县级）、town（乡镇级）、village（村级）
        #[arg(long, default_value = "city", value_parser = parse_level)]
        level: OrganLevel,
    },
    /// 新建部门
    CreateDept {
        /// 所属机关代字
        #[arg(long)]
        organ: String,
        /// 部门名称，如 综合科
        #[arg(long)]
        name: String,
    },
    /// 新建用户。未给 --password 时，若标准输入不是终端，则从标准输入读取第一行作为密码。
    CreateUser {
        /// 所属机关代字
        #[arg(long)]
        organ: String,
        /// 所属部门名称
        #[arg(long)]
        dept: Option<String>,
        /// 登录名
        #[arg(long)]
        name: String,
        /// 显示的姓名（默认同登录名）
        #[arg(long)]
        display: Option<String>,
        /// 角色（可重复）：拟稿人 核稿人 签发人 办公室文书 收文员 领导 管理员，或 drafter reviewer signer clerk receiver leader admin
        #[arg(long = "role", required = true, value_parser = parse_role)]
        roles: Vec<Role>,
        /// 初始密码（会留在命令历史中，建议改用标准输入）
        #[arg(long)]
        password: Option<String>,
    },
    /// 重设用户密码：解除登录锁定，并注销该用户在所有设备上的登录。
    /// 未给 --password 时从标准输入读取第一行。
    #[command(alias = "set-password")]
    ResetPassword {
        /// 登录名
        #[arg(long)]
        name: String,
        /// 新密码（会留在命令历史中，建议改用标准输入）
        #[arg(long)]
        password: Option<String>,
    },
    /// 新建岗位（用于按岗位流转，如“综合科科长”）
    CreatePosition {
        #[arg(long)]
        organ: String,
        #[arg(long)]
        dept: Option<String>,
        /// 岗位名称
        #[arg(long)]
        title: String,
        /// 在岗用户的登录名
        #[arg(long)]
        holder: Option<String>,
    },
    /// 新建委托：在一段时间内由 --to 代行 --from 的职责
    CreateDelegation {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        /// 只委托某一角色
        #[arg(long, value_parser = parse_role)]
        role: Option<Role>,
        /// 开始时间（RFC 3339），如 2025-03-01T08:00:00+08:00
        #[arg(long)]
        starts_at: String,
        /// 结束时间（RFC 3339）
        #[arg(long)]
        ends_at: String,
    },
    /// 撤销委托（立即失效；委托人和受托人的客户端在下次同步时收到）
    RevokeDelegation {
        /// 委托编号（list-delegations 显示的第一列）
        #[arg(long)]
        id: i64,
    },
    /// 设置本机关的流程模板（同名则替换）：模板为 JSON 文件，格式同内置模板
    SetRouteTemplate {
        /// 机关代字
        #[arg(long)]
        organ: String,
        /// 模板文件（JSON）
        #[arg(long)]
        file: PathBuf,
    },
    /// 列出机关自定义的流程模板
    ListRouteTemplates {
        /// 机关代字
        #[arg(long)]
        organ: String,
        #[arg(long)]
        json: bool,
    },
    /// 删除机关自定义的流程模板
    RemoveRouteTemplate {
        /// 机关代字
        #[arg(long)]
        organ: String,
        /// 模板名称
        #[arg(long)]
        name: String,
    },
    /// 列出机关
    ListOrgans {
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 列出部门
    ListDepts {
        #[arg(long)]
        organ: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// 列出用户
    ListUsers {
        /// 只列出该机关（代字）的用户
        #[arg(long)]
        organ: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// 列出岗位
    ListPositions {
        #[arg(long)]
        organ: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// 列出委托
    ListDelegations {
        #[arg(long)]
        organ: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// 从 CSV 或 JSON 文件导入整个目录（全部成功或全部不写入）
    Import {
        /// 文件路径（.csv 或 .json）
        file: PathBuf,
    },
    /// 压缩同步操作记录：删除早于保留期、已被后续操作取代的记录，逐个分组报告删除与保留的条数。
    /// 超过保留期未同步的设备下次同步时会重新拉取被压缩的分组。
    Compact {
        /// 保留期（天）：只压缩早于这么多天的操作（默认 30）
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(i64).range(0..=3650))]
        horizon_days: i64,
        /// 只报告将删除什么，不做任何修改
        #[arg(long)]
        dry_run: bool,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 审计链
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// 校验服务器审计链（SM3 链式哈希）：全部完好时退出码为 0，否则报告第一处断开并以非零退出
    Verify,
}

fn parse_role(s: &str) -> std::result::Result<Role, String> {
    s.parse()
}

fn parse_level(s: &str) -> std::result::Result<OrganLevel, String> {
    s.parse()
}

fn read_password_from_stdin() -> Result<Option<String>> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Ok(None);
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let pw = line.trim_end_matches(['\r', '\n']).to_owned();
    Ok((!pw.is_empty()).then_some(pw))
}

/// How the audit chain names whoever runs `gongwen-server admin` (there is no login).
fn cli_actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".to_owned());
    format!("cli:{user}")
}

fn read_template(file: &std::path::Path) -> Result<RouteTemplate> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| anyhow::anyhow!("无法读取模板文件 {}：{e}", file.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("模板文件 {} 不是有效的流程模板 JSON：{e}", file.display()))
}

fn print_json<T: serde::Serialize>(v: &T) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

fn print_organs(organs: &[Organ]) {
    println!("代字\t名称\t层级\t上级");
    for o in organs {
        println!(
            "{}\t{}\t{}\t{}",
            o.code,
            o.name,
            o.level.label(),
            o.parent.as_deref().unwrap_or("-")
        );
    }
}

fn print_users(users: &[User]) {
    println!("登录名\t姓名\t机关\t部门\t角色");
    for u in users {
        let roles: Vec<_> = u.roles.iter().map(|r| r.label()).collect();
        println!(
            "{}\t{}\t{}\t{}\t{}{}",
            u.login,
            u.display_name,
            u.organ,
            u.department.as_deref().unwrap_or("-"),
            roles.join("、"),
            if u.disabled { "\t（已停用）" } else { "" }
        );
    }
}

async fn organ_filter(
    client: &deadpool_postgres::Client,
    organ: Option<&str>,
) -> Result<Option<i64>> {
    Ok(match organ {
        Some(code) => Some(directory::organ_by_code(client, code).await?.id),
        None => None,
    })
}

pub async fn run(url: &str, command: AdminCommand) -> Result<()> {
    let pool = db::connect(url, 1).await?;
    let mut client = pool.get().await.map_err(Error::from)?;
    db::migrations::check_current(&client).await?;
    match command {
        AdminCommand::CreateOrgan {
            name,
            code,
            parent,
            level,
        } => {
            let o = directory::create_organ(
                &client,
                &NewOrgan {
                    name,
                    code,
                    level,
                    parent,
                },
            )
            .await?;
            println!("已创建机关 {}（{}）", o.name, o.code);
        }
        AdminCommand::CreateDept { organ, name } => {
            let d = directory::create_department(&client, &NewDepartment { organ, name }).await?;
            println!("已创建部门 {}/{}", d.organ, d.name);
        }
        AdminCommand::CreateUser {
            organ,
            dept,
            name,
            display,
            roles,
            password,
        } => {
            let password = match password {
                Some(p) => Some(p),
                None => read_password_from_stdin()?,
            };
            let hash = match &password {
                Some(p) => Some(password::hash_blocking(p.clone()).await?),
                None => None,
            };
            let new = NewUser {
                login: name,
                display_name: display,
                organ,
                department: dept,
                roles,
                password: None,
            };
            let tx = client.transaction().await.map_err(Error::from)?;
            let u = directory::create_user(&tx, &new, hash.as_deref()).await?;
            tx.commit().await.map_err(Error::from)?;
            println!("已创建用户 {}（{}）", u.login, u.display_name);
            if hash.is_none() {
                println!(
                    "注意：未设置密码，该用户在设置密码前无法登录（gongwen-server admin reset-password --name {}）",
                    u.login
                );
            }
        }
        AdminCommand::ResetPassword { name, password } => {
            let pw = match password {
                Some(p) => p,
                None => match read_password_from_stdin()? {
                    Some(p) => p,
                    None => bail!(
                        "请用 --password 或标准输入提供新密码，如：echo '新密码' | gongwen-server admin reset-password --name {name}"
                    ),
                },
            };
            let hash = gongwen_server::auth::account::hash_for_reset(&name, pw).await?;
            let tx = client.transaction().await.map_err(Error::from)?;
            let revoked = gongwen_server::auth::account::reset_password(
                &tx,
                &name,
                &hash,
                &cli_actor(),
                time::OffsetDateTime::now_utc(),
            )
            .await?;
            tx.commit().await.map_err(Error::from)?;
            println!(
                "已重设用户 {} 的密码，并解除登录锁定；已注销其 {revoked} 处登录",
                name.trim()
            );
        }
        AdminCommand::CreatePosition {
            organ,
            dept,
            title,
            holder,
        } => {
            let p = directory::create_position(
                &client,
                &NewPosition {
                    organ,
                    department: dept,
                    title,
                    holder,
                },
            )
            .await?;
            println!("已创建岗位 {}/{}", p.organ, p.title);
        }
        AdminCommand::CreateDelegation {
            from,
            to,
            role,
            starts_at,
            ends_at,
        } => {
            let tx = client.transaction().await.map_err(Error::from)?;
            let d = directory::create_delegation(
                &tx,
                &NewDelegation {
                    from,
                    to,
                    role,
                    starts_at,
                    ends_at,
                },
            )
            .await?;
            directory::audit_admin(
                &tx,
                &cli_actor(),
                "delegation.create",
                &format!("delegation/{}", d.id),
                serde_json::json!({"from": d.from, "to": d.to, "starts_at": d.starts_at,
                    "ends_at": d.ends_at, "role": d.role.map(|r| r.code())}),
                time::OffsetDateTime::now_utc(),
            )
            .await?;
            tx.commit().await.map_err(Error::from)?;
            println!(
                "已创建委托 {}：{} → {}（{} 至 {}）",
                d.id, d.from, d.to, d.starts_at, d.ends_at
            );
        }
        AdminCommand::RevokeDelegation { id } => {
            let now = time::OffsetDateTime::now_utc();
            let actor = cli_actor();
            let tx = client.transaction().await.map_err(Error::from)?;
            let d = directory::revoke_delegation(&tx, id, &actor, now).await?;
            directory::audit_admin(
                &tx,
                &actor,
                "delegation.revoke",
                &format!("delegation/{id}"),
                serde_json::json!({"from": d.from_login, "to": d.to_login}),
                now,
            )
            .await?;
            tx.commit().await.map_err(Error::from)?;
            println!(
                "已撤销委托 {id}：{}（{}）→ {}（{}）",
                d.from_display, d.from_login, d.to_display, d.to_login
            );
        }
        AdminCommand::SetRouteTemplate { organ, file } => {
            let template = read_template(&file)?;
            let tx = client.transaction().await.map_err(Error::from)?;
            let t = templates::set(
                &tx,
                &organ,
                &template,
                &cli_actor(),
                time::OffsetDateTime::now_utc(),
            )
            .await?;
            tx.commit().await.map_err(Error::from)?;
            println!(
                "已设置机关 {} 的流程模板“{}”（第 {} 版，{} 个环节）",
                t.organ,
                t.template.name,
                t.version,
                t.template.steps.len()
            );
        }
        AdminCommand::ListRouteTemplates { organ, json } => {
            let list = templates::list(&client, &organ).await?;
            if json {
                print_json(&list)?
            } else {
                println!("名称\t类别\t环节\t版本\t修改人\t修改时间");
                for t in list {
                    let steps: Vec<&str> = t
                        .template
                        .steps
                        .iter()
                        .map(|s| s.name.as_deref().unwrap_or_else(|| s.kind.label()))
                        .collect();
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}",
                        t.template.name,
                        t.template.kind.label(),
                        steps.join("→"),
                        t.version,
                        t.updated_by,
                        t.updated_at
                    );
                }
            }
        }
        AdminCommand::RemoveRouteTemplate { organ, name } => {
            let tx = client.transaction().await.map_err(Error::from)?;
            templates::remove(
                &tx,
                &organ,
                &name,
                &cli_actor(),
                time::OffsetDateTime::now_utc(),
            )
            .await?;
            tx.commit().await.map_err(Error::from)?;
            println!("已删除机关 {} 的流程模板“{}”", organ.trim(), name.trim());
        }
        AdminCommand::ListOrgans { json } => {
            let organs = directory::list_organs(&client).await?;
            if json {
                print_json(&organs)?
            } else {
                print_organs(&organs)
            }
        }
        AdminCommand::ListDepts { organ, json } => {
            let id = organ_filter(&client, organ.as_deref()).await?;
            let depts = directory::list_departments(&client, id).await?;
            if json {
                print_json(&depts)?
            } else {
                println!("机关\t部门");
                for d in depts {
                    println!("{}\t{}", d.organ, d.name);
                }
            }
        }
        AdminCommand::ListUsers { organ, json } => {
            let id = organ_filter(&client, organ.as_deref()).await?;
            let users = directory::list_users(&client, id).await?;
            if json {
                print_json(&users)?
            } else {
                print_users(&users)
            }
        }
        AdminCommand::ListPositions { organ, json } => {
            let id = organ_filter(&client, organ.as_deref()).await?;
            let positions = directory::list_positions(&client, id).await?;
            if json {
                print_json(&positions)?
            } else {
                println!("机关\t部门\t岗位\t在岗");
                for p in positions {
                    println!(
                        "{}\t{}\t{}\t{}",
                        p.organ,
                        p.department.as_deref().unwrap_or("-"),
                        p.title,
                        p.holder.as_deref().unwrap_or("-")
                    );
                }
            }
        }
        AdminCommand::ListDelegations { organ, json } => {
            let id = organ_filter(&client, organ.as_deref()).await?;
            let list = directory::list_delegations(&client, id).await?;
            if json {
                print_json(&list)?
            } else {
                println!("编号\t委托人\t受托人\t角色\t开始\t结束");
                for d in list {
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}",
                        d.id,
                        d.from,
                        d.to,
                        d.role.map(|r| r.label()).unwrap_or("全部"),
                        d.starts_at,
                        d.ends_at
                    );
                }
            }
        }
        AdminCommand::Import { file } => {
            let data = directory::file::read(&file)?;
            let hashes = directory::hash_import_passwords(&data).await?;
            let tx = client.transaction().await.map_err(Error::from)?;
            let s = directory::import(&tx, &data, &hashes).await?;
            tx.commit().await.map_err(Error::from)?;
            println!(
                "导入完成：机关 {}，部门 {}，用户 {}，岗位 {}，委托 {}",
                s.organs, s.departments, s.users, s.positions, s.delegations
            );
        }
        AdminCommand::Compact {
            horizon_days,
            dry_run,
            json,
        } => compact(&mut client, horizon_days, dry_run, json).await?,
        AdminCommand::Audit {
            command: AuditCommand::Verify,
        } => match gongwen_server::audit::verify(&client).await? {
            Ok(summary) => println!(
                "审计链完好：共 {} 条记录{}",
                summary.records,
                summary
                    .head
                    .map(|h| format!("，链头哈希 {h}"))
                    .unwrap_or_default()
            ),
            Err(broken) => bail!("{broken}"),
        },
    }
    Ok(())
}

/// `admin compact`: one pass of [`gongwen_server::sync::compact::compact_all_with`].
async fn compact(
    client: &mut deadpool_postgres::Client,
    horizon_days: i64,
    dry_run: bool,
    json: bool,
) -> Result<()> {
    let now = time::OffsetDateTime::now_utc();
    let cutoff = now - time::Duration::days(horizon_days);
    let Some(report) =
        gongwen_server::sync::compact::compact_all_with(client, cutoff, now, dry_run).await?
    else {
        bail!("另一个服务器实例正在压缩同步记录，请稍后再试");
    };
    if json {
        let buckets: Vec<_> = report
            .details
            .iter()
            .map(|b| {
                serde_json::json!({
                    "bucket": b.bucket, "through": b.through,
                    "deleted": b.deleted, "kept": b.kept,
                })
            })
            .collect();
        return print_json(&serde_json::json!({
            "dry_run": dry_run,
            "horizon_days": horizon_days,
            "buckets": report.buckets,
            "compacted": report.compacted,
            "deleted": report.deleted,
            "details": buckets,
        }));
    }
    let (verb, done) = if dry_run {
        ("将删除", "试运行，未做任何修改")
    } else {
        ("删除", "压缩完成")
    };
    for b in &report.details {
        println!(
            "{}：{verb} {} 条，保留 {} 条（压缩至操作 {}）",
            b.bucket, b.deleted, b.kept, b.through
        );
    }
    println!(
        "{done}：共 {} 个分组，{} 个分组{verb} {} 条操作记录（保留期 {horizon_days} 天）",
        report.buckets, report.compacted, report.deleted
    );
    Ok(())
}
