//! `gongwen incoming list|show|sign|register` (收文) and `gongwen receipts` (回执):
//! each one call into `gongwen_client::incoming`. 签收 and 登记 are written locally
//! at once and sent by the next `gongwen sync`.

use std::path::PathBuf;

use anyhow::{Result, anyhow};
use clap::{Args, Subcommand};
use gongwen_client::Client;
use gongwen_client::incoming::{
    FileStatus, IncomingFilter, IncomingItem, RegisterInput, SignFilter,
};

use crate::{human_bytes, print_json};

#[derive(Debug, Subcommand)]
pub enum IncomingCommand {
    /// 列出收文，最新的在前
    List(ListArgs),
    /// 显示一件来文：正文、附件（是否已下载）、签收与登记情况
    Show {
        /// 来文编号
        id: String,
        /// 把已下载的正文 PDF 和附件保存到此文件夹
        #[arg(long, value_name = "DIR")]
        save: Option<PathBuf>,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 签收来文（本机立即显示为已签收，同步后由服务器确认并向来文单位发送回执）
    Sign {
        /// 来文编号
        id: String,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 登记已签收的来文，启动收文办理流程（初审、拟办、批办……）
    Register(RegisterArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// 只看未签收或已签收的来文
    #[arg(long, value_name = "未签收|已签收")]
    state: Option<String>,
    /// 来文单位（代字或名称中的文字）
    #[arg(long, value_name = "ORGAN")]
    from: Option<String>,
    /// 送达日期起（YYYY-MM-DD）
    #[arg(long, value_name = "YYYY-MM-DD")]
    since: Option<String>,
    /// 送达日期止（YYYY-MM-DD，含当天）
    #[arg(long, value_name = "YYYY-MM-DD")]
    until: Option<String>,
    /// 标题或文号中包含的文字
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
}

#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// 来文编号
    id: String,
    /// 收文编号（默认自动编号，如 鹤府办收〔2026〕12号）
    #[arg(long, value_name = "NUMBER")]
    number: Option<String>,
    /// 密级：秘密、机密、绝密（默认取来文标注）
    #[arg(long)]
    secrecy: Option<String>,
    /// 紧急程度：特急、加急（默认取来文标注）
    #[arg(long)]
    urgency: Option<String>,
    /// 份数（默认 1）
    #[arg(long)]
    copies: Option<u32>,
    /// 流程模板名称（默认按文种选择），如 收文（一般）、请示件收文
    #[arg(long, value_name = "NAME")]
    route: Option<String>,
    /// 登记后首个办理步骤（初审或拟办）的办理人编号，可重复指定（默认取流程模板）
    #[arg(long = "handler", value_name = "ID")]
    handlers: Vec<String>,
    /// 以 JSON 输出
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct ReceiptsArgs {
    /// 只看此公文（本单位的草稿编号）的回执
    #[arg(long, value_name = "ID")]
    document: Option<String>,
    /// 以 JSON 输出
    #[arg(long)]
    json: bool,
}

fn line(i: &IncomingItem) -> String {
    let mut s = format!(
        "{}  [{}]  {}  {}",
        i.id,
        i.status_label,
        i.delivered_at
            .get(..16)
            .unwrap_or(&i.delivered_at)
            .replace('T', " "),
        i.title
    );
    if let Some(n) = &i.doc_number {
        s.push_str(&format!("（{n}）"));
    }
    s.push_str(&format!("  来文单位：{}", i.from.name));
    if let Some(n) = &i.receipt_number {
        s.push_str(&format!("  收文编号：{n}"));
    }
    s
}

pub fn run(client: &Client, cmd: &IncomingCommand) -> Result<()> {
    match cmd {
        IncomingCommand::List(a) => {
            let state = match a.state.as_deref() {
                Some(s) => Some(SignFilter::parse(s).ok_or_else(|| {
                    anyhow!("--state 只能是 未签收 或 已签收（也可写 unsigned、signed）")
                })?),
                None => None,
            };
            let filter = IncomingFilter {
                state,
                from: a.from.clone(),
                since: a.since.clone(),
                until: a.until.clone(),
                query: a.search.clone(),
                ..Default::default()
            };
            let page = client.incoming(&filter, a.offset, a.limit)?;
            if a.json {
                return print_json(&page);
            }
            if page.items.is_empty() {
                println!("没有符合条件的来文");
            }
            for i in &page.items {
                println!("{}", line(i));
            }
            let c = client.incoming_counts()?;
            println!(
                "共 {} 件（未签收 {}，已签收 {}，待登记 {}）",
                page.total, c.unsigned, c.signed, c.unregistered
            );
        }
        IncomingCommand::Show { id, save, json } => {
            let d = client.incoming_detail(id)?;
            if let Some(dir) = save {
                std::fs::create_dir_all(dir)?;
                for (n, f) in d.files.iter().enumerate() {
                    if f.status == FileStatus::Local {
                        let path = client.save_incoming_file(id, &(n + 1).to_string(), dir)?;
                        if !json {
                            println!("已保存：{}", path.display());
                        }
                    } else if !json {
                        eprintln!("“{}”尚未下载，运行 gongwen sync 后再保存", f.name);
                    }
                }
            }
            if *json {
                return print_json(&d);
            }
            println!("{}", line(&d.item));
            println!(
                "发送人：    {}（{}）",
                d.sent_by.display_name, d.sent_by.login
            );
            println!("收文单位：  {}", d.to.name);
            if let (Some(by), Some(at)) = (&d.item.signed_by, &d.item.signed_at) {
                println!("签收：      {} 于 {at}", by.display_name);
            }
            if let Some(reason) = &d.sign_rejected {
                println!("签收被服务器拒绝：{reason}（可再次签收，或在同步详情中放弃）");
            }
            if let Some(r) = &d.registration {
                println!(
                    "登记：      收文编号 {}，份数 {}，{} 登记于 {}（流程 {}）",
                    r.receipt_number, r.copies, r.registered_by, r.registered_at, r.flow_id
                );
            }
            for (n, f) in d.files.iter().enumerate() {
                let state = match f.status {
                    FileStatus::Local => "已下载".to_owned(),
                    FileStatus::Downloading { have } => {
                        format!("下载中 {}/{}", human_bytes(have), human_bytes(f.size))
                    }
                    FileStatus::Waiting => "等待同步".to_owned(),
                };
                println!(
                    "文件 {}：{}{}（{}，{}）",
                    n + 1,
                    f.name,
                    if f.is_pdf { " [版式正文]" } else { "" },
                    human_bytes(f.size),
                    state
                );
            }
            println!();
            println!("{}", d.document.title);
            println!();
            println!("{}", d.document.body);
        }
        IncomingCommand::Sign { id, json } => {
            let out = client.sign_incoming(id)?;
            if *json {
                return print_json(&out);
            }
            println!(
                "已签收（待同步，第 {} 号操作）；运行 gongwen sync 后服务器确认并向来文单位发送回执",
                out.seq
            );
        }
        IncomingCommand::Register(a) => {
            let input = RegisterInput {
                receipt_number: a.number.clone(),
                secrecy: a.secrecy.clone(),
                urgency: a.urgency.clone(),
                copies: a.copies,
                route: a.route.clone(),
                first_handlers: a.handlers.clone(),
            };
            let out = client.register_incoming(&a.id, &input)?;
            if a.json {
                return print_json(&out);
            }
            println!("已登记：收文编号 {}", out.receipt_number);
            println!(
                "流程：{}（{}），当前：{}",
                out.flow_id, out.route, out.now_at
            );
        }
    }
    Ok(())
}

pub fn receipts(client: &Client, a: &ReceiptsArgs) -> Result<()> {
    let list = client.receipts(a.document.as_deref())?;
    if a.json {
        return print_json(&list);
    }
    if list.is_empty() {
        println!("还没有回执");
    }
    for r in &list {
        let mut s = format!(
            "{}  {} 已签收  {}",
            r.signed_at
                .get(..16)
                .unwrap_or(&r.signed_at)
                .replace('T', " "),
            r.recipient.name,
            r.title
        );
        if let Some(n) = &r.doc_number {
            s.push_str(&format!("（{n}）"));
        }
        s.push_str(&format!("  签收人：{}", r.signed_by.display_name));
        println!("{s}");
    }
    Ok(())
}
