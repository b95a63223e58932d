//! The workflow commands: `queue`, `submit`, `act`, `flow`, `task`, `audit verify`,
//! `people`, `rejected`. Each is one call into `gongwen_client::flow` on the store
//! opened by `main.rs` (the acting user is `--user` / GONGWEN_USER).

use anyhow::{Result, bail};
use clap::{Subcommand, ValueEnum};
use gongwen_client::Client;
use gongwen_client::flow::{FlowView, Person, QueueFilter, QueueItem, QueueKind};

use crate::print_json;

#[derive(Debug, Subcommand)]
pub enum FlowCommand {
    /// 查看队列：待办（默认）、已办、待阅、已阅、在办、督办
    Queue {
        /// 哪个队列
        #[arg(value_enum, default_value = "todo")]
        kind: QueueArg,
        /// 只看此文种（如 通知）
        #[arg(long)]
        doc_type: Option<String>,
        /// 只看此紧急程度：特急、加急、普通
        #[arg(long)]
        urgency: Option<String>,
        /// 起始日期（YYYY-MM-DD）
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<String>,
        /// 截止日期（YYYY-MM-DD，含当天）
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<String>,
        /// 来文单位 / 发文机关
        #[arg(long)]
        organ: Option<String>,
        /// 标题中包含的文字
        #[arg(long)]
        search: Option<String>,
        /// 最多显示多少条
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// 跳过前多少条
        #[arg(long, default_value_t = 0)]
        offset: usize,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 送审：冻结草稿的当前版本，按流程模板启动审批，送第一位审核人
    Submit {
        /// 草稿编号
        id: String,
        /// 流程模板名称（默认按文种和行文方向选择），如 发文（一般）、上行文发文、重要发文、联合发文
        #[arg(long, value_name = "NAME")]
        route: Option<String>,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 办理任务：同意、退回、加签、转办、撤回、催办、终止……
    Act {
        /// 任务编号（撤回、催办、终止也可用流程编号或草稿编号）
        task: String,
        /// 操作
        #[arg(value_enum)]
        action: ActArg,
        /// 意见；退回、终止、退文时为必填的理由
        #[arg(long)]
        opinion: Option<String>,
        /// 加签、转办的人员（编号或姓名）；同意时可指定下一环节办理人（逗号分隔）
        #[arg(long, value_name = "PERSON")]
        to: Option<String>,
        /// 退回到第几个环节（从 1 数起，默认上一环节）
        #[arg(long, value_name = "N")]
        step: Option<usize>,
        /// 所阅看正文的内容哈希（默认：gongwen task 显示的当前版本）
        #[arg(long)]
        hash: Option<String>,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 查看流程：各环节、办理人、时间和意见（流程编号、任务编号或草稿编号）
    Flow {
        id: String,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 查看任务：公文和当前用户可做的操作
    Task {
        /// 任务编号
        id: String,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 审计链
    #[command(subcommand)]
    Audit(AuditCommand),
    /// 本机通讯录（同步前可手工添加）
    #[command(subcommand)]
    People(PeopleCommand),
    /// 被服务器拒绝的操作：查看、重新提交或放弃
    Rejected {
        #[command(subcommand)]
        command: Option<RejectedCommand>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// 校验本机审计链；断开时指出第一条出问题的记录，退出码为 1
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum PeopleCommand {
    /// 添加或修改人员
    Add {
        /// 人员编号（即 --user 使用的用户名）
        id: String,
        /// 姓名
        #[arg(long)]
        name: String,
        /// 所在机关
        #[arg(long)]
        organ: String,
        /// 所在部门
        #[arg(long, default_value = "")]
        dept: String,
        /// 角色（可重复）：主要负责人、分管领导、部门负责人、办公室主任、核稿人、文书、文印、领导班子成员、督办
        #[arg(long = "role")]
        roles: Vec<String>,
    },
    /// 列出通讯录
    List {
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum RejectedCommand {
    /// 列出被拒绝的操作（默认）
    List {
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 重新提交
    Retry { seq: i64 },
    /// 放弃
    Discard { seq: i64 },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum QueueArg {
    /// 待办
    Todo,
    /// 已办
    Done,
    /// 待阅
    Toread,
    /// 已阅
    Read,
    /// 在办
    Sent,
    /// 督办
    Overdue,
}

impl From<QueueArg> for QueueKind {
    fn from(q: QueueArg) -> QueueKind {
        match q {
            QueueArg::Todo => QueueKind::Todo,
            QueueArg::Done => QueueKind::Done,
            QueueArg::Toread => QueueKind::ToRead,
            QueueArg::Read => QueueKind::Read,
            QueueArg::Sent => QueueKind::Sent,
            QueueArg::Overdue => QueueKind::Overdue,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ActArg {
    /// 同意（不填意见即圈阅）
    Approve,
    /// 已阅（传阅）
    Read,
    /// 退回（须填理由）
    Return,
    /// 加签（在自己之后）
    AddHandler,
    /// 加签（在自己之前）
    AddHandlerBefore,
    /// 转办
    Transfer,
    /// 撤回自己上一次的同意或转办
    Withdraw,
    /// 催办
    Remind,
    /// 终止（发起人，须填理由）
    Terminate,
    /// 退文（收文签收、初审时）
    SendBack,
    /// 修改正文：以草稿的最新版本作为送审正文
    Edit,
}

impl ActArg {
    fn name(self) -> &'static str {
        match self {
            ActArg::Approve => "approve",
            ActArg::Read => "read",
            ActArg::Return => "return",
            ActArg::AddHandler => "add-handler",
            ActArg::AddHandlerBefore => "add-handler-before",
            ActArg::Transfer => "transfer",
            ActArg::Withdraw => "withdraw",
            ActArg::Remind => "remind",
            ActArg::Terminate => "terminate",
            ActArg::SendBack => "send-back",
            ActArg::Edit => "edit",
        }
    }
}

/// "2026-03-02 09:00" in China time, from a stored RFC 3339 time.
fn local(t: &str) -> String {
    let Ok(parsed) = time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
    else {
        return t.to_owned();
    };
    let t = parsed.to_offset(time::macros::offset!(+8));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

fn print_item(kind: QueueKind, i: &QueueItem) {
    let mut tags = String::new();
    if i.overdue {
        tags.push_str("[超期]");
    }
    if let Some(u) = &i.urgency {
        tags.push_str(&format!("[{u}]"));
    }
    if i.pending_sync {
        tags.push_str("[待同步]");
    }
    if !tags.is_empty() {
        tags.push(' ');
    }
    println!("{tags}{}", i.title);
    match kind {
        QueueKind::Sent => {
            let number = i
                .doc_number
                .as_deref()
                .map(|n| format!("　文号：{n}"))
                .unwrap_or_default();
            println!("    当前：{}　送审于 {}{number}", i.now_at, local(&i.since));
        }
        QueueKind::Done | QueueKind::Read => {
            let what = match &i.withdraw_cause {
                Some(cause) => format!("已收回（{cause}）"),
                None => i.status_label(),
            };
            println!(
                "    {}：{}　{}　当前：{}",
                i.step_name,
                what,
                i.done_at.as_deref().map(local).unwrap_or_default(),
                i.now_at
            );
        }
        _ => {
            let due = i
                .due_at
                .as_deref()
                .map(|d| format!("　期限 {}", local(d)))
                .unwrap_or_default();
            println!("    {}　收到 {}{due}", i.step_name, local(&i.since));
        }
    }
    match &i.task_id {
        Some(t) => println!("    任务 {t}"),
        None => println!("    流程 {}", i.flow_id),
    }
}

trait StatusLabel {
    fn status_label(&self) -> String;
}

impl StatusLabel for QueueItem {
    fn status_label(&self) -> String {
        match self.status.as_str() {
            "open" => "待办",
            "approved" => "同意",
            "read" => "已阅",
            "returned" => "退回",
            "transferred" => "转办",
            "sent_back" => "退文",
            "withdrawn" => "已收回",
            other => other,
        }
        .to_owned()
    }
}

fn print_flow(v: &FlowView) {
    println!("{}（{}，{}）", v.title, v.kind, v.route);
    println!("状态：{}　当前：{}", v.status_label, v.now_at);
    println!("发起人：{}　流程 {}", v.owner_name, v.flow_id);
    if v.pending_sync > 0 {
        println!("待同步操作：{} 个", v.pending_sync);
    }
    for s in &v.steps {
        let mark = match s.state.as_str() {
            "done" => "✓",
            "current" => "▶",
            _ => "·",
        };
        println!("{mark} {}. {}（{}）", s.index + 1, s.name, s.mode);
        for h in &s.handlers {
            let what = match (&h.signature, &h.withdraw_cause) {
                (_, Some(cause)) => format!("已收回：{cause}"),
                (Some(sig), None) => format!(
                    "{sig} {} {}",
                    h.status_label,
                    h.acted_at.as_deref().map(local).unwrap_or_default()
                ),
                (None, None) => h.status_label.clone(),
            };
            let overdue = if h.overdue { " [超期]" } else { "" };
            println!("    {}：{what}{overdue}", h.name);
            if let Some(op) = &h.opinion {
                println!("      意见：{op}");
            }
        }
    }
}

/// Runs a workflow command on the store `open` opens.
pub fn run(cmd: &FlowCommand, open: impl FnOnce() -> Result<Client>) -> Result<()> {
    let client = open()?;
    match cmd {
        FlowCommand::Queue {
            kind,
            doc_type,
            urgency,
            from,
            to,
            organ,
            search,
            limit,
            offset,
            json,
        } => {
            let kind = QueueKind::from(*kind);
            let filter = QueueFilter {
                doc_type: doc_type.clone(),
                urgency: urgency.clone(),
                date_from: from.clone(),
                date_to: to.clone(),
                from_organ: organ.clone(),
                text: search.clone(),
            };
            let page = client.queue(kind, &filter, *offset, *limit)?;
            if *json {
                print_json(&page)?;
            } else if page.items.is_empty() {
                println!("{}：没有事项", kind.label());
            } else {
                let counts = client.flow_counts()?;
                let total = match kind {
                    QueueKind::Todo => counts.todo,
                    QueueKind::Done => counts.done,
                    QueueKind::ToRead => counts.toread,
                    QueueKind::Read => counts.read,
                    QueueKind::Sent => counts.sent,
                    QueueKind::Overdue => counts.overdue,
                };
                println!("{}（共 {total} 项）", kind.label());
                for i in &page.items {
                    print_item(kind, i);
                }
                if page.has_more {
                    println!(
                        "……还有更多，用 --offset {} 查看下一页",
                        offset + page.items.len()
                    );
                }
            }
        }
        FlowCommand::Submit { id, route, json } => {
            let out = client.submit_draft(id, route.as_deref())?;
            if *json {
                print_json(&out)?;
            } else {
                println!("已送审：{}（第 {} 版）", out.route, out.doc_version);
                println!("当前：{}", out.now_at);
                println!("流程 {}", out.flow_id);
            }
        }
        FlowCommand::Act {
            task,
            action,
            opinion,
            to,
            step,
            hash,
            json,
        } => {
            let step = match step {
                Some(0) => bail!("--step 从 1 数起"),
                Some(n) => Some(n - 1),
                None => None,
            };
            let hash = match (hash, action) {
                (Some(h), _) => Some(h.clone()),
                (None, ActArg::Approve | ActArg::Read) => {
                    Some(client.task_view(task)?.content_hash)
                }
                (None, _) => None,
            };
            let out = client.act(
                task,
                action.name(),
                opinion.as_deref(),
                to.as_deref(),
                step,
                hash.as_deref(),
            )?;
            if *json {
                print_json(&out)?;
            } else {
                println!("已{}（待同步，第 {} 号）", out.action, out.seq);
                println!("当前：{}", out.now_at);
            }
        }
        FlowCommand::Flow { id, json } => {
            let view = client.flow_view(id)?;
            if *json {
                print_json(&view)?;
            } else {
                print_flow(&view);
            }
        }
        FlowCommand::Task { id, json } => {
            let view = client.task_view(id)?;
            if *json {
                print_json(&view)?;
            } else {
                println!(
                    "任务 {}：{}（{}，{}）",
                    view.task_id, view.step_name, view.assignee_name, view.status_label
                );
                if let Some(d) = &view.due_at {
                    let overdue = if view.overdue { " [超期]" } else { "" };
                    println!("期限：{}{overdue}", local(d));
                }
                println!("正文版本：{}", view.content_hash);
                if let Some(doc) = &view.document {
                    println!();
                    println!("{}", doc.title);
                    println!();
                    println!("{}", doc.body);
                }
                println!();
                if view.actions.is_empty() {
                    println!("您对此任务没有可做的操作");
                } else {
                    let buttons: Vec<String> = view
                        .actions
                        .iter()
                        .map(|a| format!("{}（{}）", a.label, a.action))
                        .collect();
                    println!("可做的操作：{}", buttons.join("、"));
                }
                if !view.return_targets.is_empty() {
                    let t: Vec<String> = view
                        .return_targets
                        .iter()
                        .map(|s| format!("{}. {}", s.index + 1, s.name))
                        .collect();
                    println!("可退回到：{}", t.join("、"));
                }
            }
        }
        FlowCommand::Audit(AuditCommand::Verify) => {
            let ok = client.verify_audit()?;
            println!("审计链完整：共 {} 条记录", ok.records);
        }
        FlowCommand::People(PeopleCommand::Add {
            id,
            name,
            organ,
            dept,
            roles,
        }) => {
            client.add_person(&Person {
                id: id.clone(),
                name: name.clone(),
                organ: organ.clone(),
                dept: dept.clone(),
                roles: roles.clone(),
            })?;
            println!("已保存：{name}（{id}）");
        }
        FlowCommand::People(PeopleCommand::List { json }) => {
            let people = client.people()?;
            if *json {
                print_json(&people)?;
            } else if people.is_empty() {
                println!("通讯录是空的：同步后自动填入，或用 gongwen people add 添加");
            } else {
                for p in &people {
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        p.id,
                        p.name,
                        p.organ,
                        p.dept,
                        p.roles.join("、")
                    );
                }
            }
        }
        FlowCommand::Rejected { command } => match command {
            None | Some(RejectedCommand::List { json: false }) => {
                let rows = client.rejected_actions()?;
                if rows.is_empty() {
                    println!("没有被拒绝的操作");
                }
                for r in &rows {
                    println!(
                        "第 {} 号　{}　{}",
                        r.seq,
                        r.action_label,
                        r.title.as_deref().unwrap_or("")
                    );
                    println!("    原因：{}（{}）", r.reason, r.code);
                    if let Some(op) = &r.opinion {
                        println!("    您填写的意见：{op}");
                    }
                }
            }
            Some(RejectedCommand::List { json: true }) => print_json(&client.rejected_actions()?)?,
            Some(RejectedCommand::Retry { seq }) => {
                let out = client.retry_rejected(*seq)?;
                println!("已重新提交（待同步，第 {} 号）", out.seq);
            }
            Some(RejectedCommand::Discard { seq }) => {
                client.discard_rejected(*seq)?;
                println!("已放弃第 {seq} 号操作");
            }
        },
    }
    Ok(())
}
