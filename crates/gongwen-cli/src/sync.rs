//! `gongwen login`, `gongwen logout`, `gongwen sync [--watch]`, `gongwen sync status`.
//!
//! `gongwen sync` exits 0 only when every pending change was acknowledged by the server
//! and the pull completed; otherwise it prints the reason in plain words and exits 1
//! (2 when the user must act: log in again, upgrade).

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use gongwen_client::Client;
use gongwen_client::sync::{
    self, Engine, HttpTransport, KeychainTokens, Service, SyncError, TransportError,
};

use crate::print_json;

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// 服务器地址，如 https://oa.example.gov.cn
    #[arg(long, value_name = "URL")]
    server: String,
    /// 额外信任的 CA 证书（PEM 文件），用于内网自签证书
    #[arg(long, value_name = "FILE.pem")]
    ca: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// 持续在后台同步，显示状态变化（按 Ctrl+C 结束）
    #[arg(long)]
    watch: bool,
    #[command(subcommand)]
    action: Option<SyncAction>,
}

#[derive(Debug, Subcommand)]
enum SyncAction {
    /// 显示同步状态：服务器、待同步与被拒绝的修改、各数据分区
    Status {
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("无法启动异步运行时")
}

/// The password: GONGWEN_PASSWORD, else one line from stdin (prompted on a terminal).
fn password() -> Result<String> {
    if let Some(p) = std::env::var_os("GONGWEN_PASSWORD").filter(|p| !p.is_empty()) {
        return p
            .into_string()
            .map_err(|_| anyhow!("GONGWEN_PASSWORD 不是有效的文本"));
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("密码：");
        std::io::stderr().flush().ok();
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let p = line.trim_end_matches(['\r', '\n']).to_owned();
    if p.is_empty() {
        bail!("没有输入密码（可从标准输入提供，或设置环境变量 GONGWEN_PASSWORD）");
    }
    Ok(p)
}

pub fn login(client: Client, user: Option<&str>, args: &LoginArgs) -> Result<ExitCode> {
    let user = user
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .ok_or_else(|| anyhow!("请用 --user 指定登录用户名"))?;
    let password = password()?;
    let rt = runtime()?;
    let account = rt
        .block_on(sync::login(
            &client,
            &args.server,
            user,
            &password,
            args.ca.as_deref(),
            Arc::new(KeychainTokens),
        ))
        .map_err(|e| anyhow!("登录失败：{e}"))?;
    println!(
        "已登录 {}：{}（{}）",
        account.server_url, account.display, account.login
    );
    println!("刷新令牌已保存在系统钥匙串中；运行 gongwen sync 开始同步");
    Ok(ExitCode::SUCCESS)
}

pub fn logout(client: Client) -> Result<ExitCode> {
    let rt = runtime()?;
    let was = rt
        .block_on(sync::logout(&client, Arc::new(KeychainTokens)))
        .map_err(|e| anyhow!("退出登录失败：{e}"))?;
    if was {
        println!("已退出登录（本地数据和待同步的修改仍然保留）");
    } else {
        println!("当前没有登录任何服务器");
    }
    Ok(ExitCode::SUCCESS)
}

fn exit_for(e: &SyncError) -> ExitCode {
    match e {
        SyncError::Transport(
            TransportError::Unauthorized
            | TransportError::NotLoggedIn
            | TransportError::UpgradeRequired { .. },
        ) => ExitCode::from(2),
        _ => ExitCode::FAILURE,
    }
}

pub fn run(client: Client, args: &SyncArgs) -> Result<ExitCode> {
    if let Some(SyncAction::Status { json }) = &args.action {
        return status(&client, *json);
    }
    let client = Arc::new(client);
    let transport = match HttpTransport::from_account(&client) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("同步未完成：{e}");
            return Ok(exit_for(&e));
        }
    };
    let rt = runtime()?;
    if args.watch {
        return rt.block_on(watch(client, transport));
    }
    let engine = Engine::new(client.clone(), transport);
    match rt.block_on(engine.sync()) {
        Ok(report) => {
            println!(
                "同步完成：收到 {} 项更新，发送 {} 项修改{}",
                report.ops,
                report.applied + report.rejected,
                if report.rejected > 0 {
                    format!(
                        "（其中 {} 项被服务器拒绝，见 gongwen rejected）",
                        report.rejected
                    )
                } else {
                    String::new()
                }
            );
            if report.uploaded + report.downloaded > 0 {
                println!(
                    "附件：上传 {} 个，下载 {} 个",
                    report.uploaded, report.downloaded
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            let pending = client.sync_pending().unwrap_or(0);
            eprintln!("同步未完成：{e}");
            if pending > 0 {
                eprintln!("还有 {pending} 项修改等待发送，已安全保存在本机，下次同步时自动发送");
            }
            Ok(exit_for(&e))
        }
    }
}

async fn watch(client: Arc<Client>, transport: HttpTransport) -> Result<ExitCode> {
    let service = Service::start(client, transport);
    let mut rx = service.subscribe();
    let mut last = String::new();
    loop {
        let line = {
            let v = rx.borrow_and_update().clone();
            let mut line = format!(
                "{}  待同步 {}  被拒绝 {}",
                v.state.label(),
                v.pending,
                v.rejected
            );
            if let Some((done, total)) = v.progress {
                line.push_str(&format!("  进度 {done}/{total}"));
            }
            if let Some(t) = &v.last_success_at {
                line.push_str(&format!("  上次同步 {t}"));
            }
            if let Some(e) = &v.last_error {
                line.push_str(&format!("  （{e}）"));
            }
            line
        };
        if line != last {
            println!("{line}");
            last = line;
        }
        tokio::select! {
            changed = rx.changed() => {
                if changed.is_err() {
                    break;
                }
            }
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    service.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

fn status(client: &Client, json: bool) -> Result<ExitCode> {
    let d = client.sync_details()?;
    if json {
        print_json(&d)?;
        return Ok(ExitCode::SUCCESS);
    }
    match (&d.server_url, &d.login) {
        (Some(s), Some(l)) => println!("服务器：    {s}（{l}）"),
        _ => println!("服务器：    未登录（gongwen login --server 地址 --user 用户名）"),
    }
    if let Some(id) = &d.client_id {
        println!("本机编号：  {id}");
    }
    println!("待同步：    {} 项", d.pending);
    println!(
        "被拒绝：    {} 项{}",
        d.rejected,
        if d.rejected > 0 {
            "（gongwen rejected 查看原因）"
        } else {
            ""
        }
    );
    println!("已确认序号：{}（下一个 {}）", d.acked_seq, d.next_push_seq);
    println!(
        "上次同步：  {}",
        d.last_success_at.as_deref().unwrap_or("从未")
    );
    if let Some(e) = &d.last_error {
        println!("上次错误：  {e}");
    }
    for b in &d.buckets {
        println!(
            "  分区 {}：位置 {}，校验和 {}",
            b.bucket, b.cursor, b.checksum
        );
    }
    Ok(ExitCode::SUCCESS)
}
