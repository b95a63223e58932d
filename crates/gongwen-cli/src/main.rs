//! `gongwen`: the Gongwen client without a window. Every command is one call into
//! `gongwen_client::api` (or `gongwen_print`), with plain output for people and
//! `--json` where scripts need it. Messages for users are in Chinese.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use clap::{Args, Parser, Subcommand, ValueEnum};
use gongwen_client::api::{Comparison, OpenOptions, SearchHit, read_document_file};
use gongwen_client::diff::ChangeKind;
use gongwen_client::key::PassphraseKeys;
use gongwen_client::store::search::Segment;
use gongwen_client::{Client, DATA_DIR_ENV};
use gongwen_domain::Document;
use gongwen_domain::document::DocDate;
use gongwen_domain::lint::{self, LintContext, Severity};

mod account;
mod flow;
mod incoming;
mod outgoing;
mod sync;

/// 公文通命令行：在本机起草、保存、比较、搜索和打印公文。
///
/// 数据保存在本机的加密数据库中（默认在系统的应用数据文件夹，可用 --data-dir
/// 或环境变量 GONGWEN_DATA_DIR 指定）。数据库密钥保存在系统钥匙串中；
/// 没有钥匙串的电脑可设置环境变量 GONGWEN_PASSPHRASE，改用口令加密。
#[derive(Debug, Parser)]
#[command(name = "gongwen", version, about, long_about = None, disable_help_subcommand = true)]
struct Cli {
    /// 数据文件夹（默认：系统的应用数据文件夹）
    #[arg(long, global = true, env = DATA_DIR_ENV, value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// 以此用户名记录修改人（默认：上次保存的用户名或系统用户名）
    #[arg(long, global = true, env = "GONGWEN_USER", value_name = "NAME")]
    user: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// 创建本地数据库（第一次使用时运行）
    Init,
    /// 显示本地数据库的位置、结构版本和数据数量
    Status {
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 草稿：新建、保存、查看、修改记录、比较版本
    #[command(subcommand)]
    Draft(DraftCommand),
    /// 按行文规则检查公文（JSON 文件或草稿编号）；有错误时退出码为 1
    Lint {
        /// 公文 JSON 文件，或草稿编号
        target: String,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 全文搜索草稿（标题、正文、主送机关、文号、附件名称）
    Search {
        /// 要查找的文字；多个词用空格分开，须同时出现
        query: String,
        /// 最多显示多少条
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 把草稿导出为公文 JSON 文件（附件复制到旁边的“<文件名>.附件”文件夹）
    Export {
        /// 草稿编号
        id: String,
        /// 输出的 JSON 文件
        #[arg(long, short)]
        output: PathBuf,
    },
    /// 从公文 JSON 文件导入为新草稿，输出新草稿的编号
    Import {
        /// 公文 JSON 文件
        file: PathBuf,
    },
    /// 按 GB/T 9704 排版并输出 PDF
    Print(PrintArgs),
    #[command(flatten)]
    Flow(flow::FlowCommand),
    /// 登录服务器（用户名用 --user；密码从标准输入或环境变量 GONGWEN_PASSWORD 读取）
    Login(sync::LoginArgs),
    /// 退出登录（删除钥匙串中的刷新令牌；本地数据保留）
    Logout,
    /// 修改密码（需要连接服务器；终端上不回显，否则从标准输入依次读取当前密码和新密码）
    Passwd,
    /// 与服务器同步：发送本机的修改，接收别人的修改；全部确认后退出码为 0
    Sync(sync::SyncArgs),
    /// 收文：其他单位发来的公文（列出、查看、签收、登记）
    #[command(subcommand)]
    Incoming(incoming::IncomingCommand),
    /// 回执：本单位发出的公文被收文单位签收的记录
    Receipts(incoming::ReceiptsArgs),
    /// 发文登记簿：本单位登记取得文号的发文，及其印制、核发和回执情况（默认今年）
    Outgoing(outgoing::OutgoingArgs),
}

#[derive(Debug, Subcommand)]
enum DraftCommand {
    /// 从公文 JSON 文件新建草稿，输出新草稿的编号
    New {
        /// 公文 JSON 文件
        #[arg(long = "from", value_name = "FILE.json")]
        from: PathBuf,
    },
    /// 用公文 JSON 文件的内容保存草稿的新版本
    Save {
        /// 草稿编号
        id: String,
        /// 公文 JSON 文件
        #[arg(long = "from", value_name = "FILE.json")]
        from: PathBuf,
    },
    /// 显示草稿（默认为最新版本，即清稿）
    Show {
        /// 草稿编号
        id: String,
        /// 显示指定版本
        #[arg(long)]
        version: Option<i64>,
        /// 输出公文 JSON
        #[arg(long)]
        json: bool,
    },
    /// 列出草稿，最近修改的在前
    List {
        /// 最多显示多少条
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// 跳过前多少条
        #[arg(long, default_value_t = 0)]
        offset: usize,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 显示草稿的全部版本（修改人、时间、基于哪一版）
    History {
        /// 草稿编号
        id: String,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 比较两个版本：逐项列出改动，正文逐字标出增删和修改人
    Diff {
        /// 草稿编号
        id: String,
        /// 较早的版本
        v1: i64,
        /// 较新的版本
        v2: i64,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 自动保存：监视 JSON 文件，内容一变就保存新版本（用外部编辑器起草时使用，按 Ctrl-C 结束）
    Autosave {
        /// 草稿编号
        id: String,
        /// 监视的公文 JSON 文件
        #[arg(long = "from", value_name = "FILE.json")]
        from: PathBuf,
        /// 检查间隔（毫秒，100–2000）：任何修改最迟在这个时间后保存到磁盘
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(100..=2000))]
        interval_ms: u64,
    },
    /// 删除草稿及其全部版本（其他草稿仍在使用的附件会保留）
    Delete {
        /// 草稿编号
        id: String,
    },
}

#[derive(Debug, Args)]
struct PrintArgs {
    /// 公文 JSON 文件，或草稿编号
    input: String,
    /// 输出的 PDF 文件
    #[arg(long, short)]
    output: PathBuf,
    /// 打印公文处理单而不是公文本身
    #[arg(long, value_enum)]
    form: Option<Form>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Form {
    /// 发文稿纸
    DraftSheet,
    /// 收文处理笺
    ReceiptSheet,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            let msg = match e.downcast_ref::<gongwen_client::Error>() {
                Some(ce) => ce.to_string(),
                None => format!("{e:#}"),
            };
            eprintln!("错误：{msg}");
            ExitCode::FAILURE
        }
    }
}

fn data_dir(cli: &Cli) -> Result<PathBuf> {
    match &cli.data_dir {
        Some(d) => Ok(d.clone()),
        None => Ok(gongwen_client::default_data_dir()?),
    }
}

/// Opens the store; `create` for `init`. The key comes from the keychain, or from the
/// passphrase in GONGWEN_PASSPHRASE when that is set.
fn open(cli: &Cli, create: bool) -> Result<Client> {
    // Upgrading a large store to a new version's schema can take minutes: say why the command
    // waits (on stderr: stdout stays the command's output). A new store is not announced.
    let mut opts = OpenOptions::new(data_dir(cli)?)
        .create(create)
        .on_upgrade(Arc::new(|step: gongwen_client::api::UpgradeStep| {
            eprintln!(
                "正在升级本地数据（第 {}/{} 步：{}），数据较多时需要几分钟…",
                step.step, step.steps, step.name
            );
        }));
    if let Some(pass) = std::env::var_os("GONGWEN_PASSPHRASE").filter(|p| !p.is_empty()) {
        let pass = pass
            .into_string()
            .map_err(|_| anyhow!("GONGWEN_PASSPHRASE 不是有效的文本"))?;
        opts = opts.keys(Arc::new(PassphraseKeys::new(pass)?));
    }
    if let Some(user) = &cli.user {
        opts = opts.user(user.clone());
    }
    Ok(opts.open()?)
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

fn run(cli: Cli) -> Result<ExitCode> {
    match &cli.command {
        Command::Init => {
            let dir = data_dir(&cli)?;
            let existed = dir.join(gongwen_client::store::DB_FILE).exists();
            let client = open(&cli, true)?;
            let info = client.store_about()?;
            if existed {
                println!("本地数据库已存在：{}", info.db_path.display());
            } else {
                println!("已创建本地数据库：{}", info.db_path.display());
            }
            println!("结构版本：{}", info.schema_version);
            println!("密钥保存在：{}", info.key_source.label());
        }
        Command::Status { json } => {
            let client = open(&cli, false)?;
            let info = client.store_info()?;
            if *json {
                print_json(&info)?;
            } else {
                println!("数据文件夹：{}", info.about.data_dir.display());
                println!("数据库文件：{}", info.about.db_path.display());
                println!(
                    "结构版本：  {}（本程序支持 {}）",
                    info.about.schema_version, info.about.latest_schema_version
                );
                println!("密钥保存在：{}", info.about.key_source.label());
                println!("当前用户：  {}", info.about.user);
                println!(
                    "草稿：      {} 份（共 {} 个版本）",
                    info.drafts, info.versions
                );
                println!(
                    "附件：      {} 个（{}）",
                    info.attachments,
                    human_bytes(info.attachment_bytes)
                );
                println!("待办事项：  {}", info.tasks);
                println!("待同步：    {}", info.outbox);
                println!("数据库大小：{}", human_bytes(info.about.db_bytes));
            }
        }
        Command::Draft(cmd) => return draft(&cli, cmd),
        Command::Lint { target, json } => return lint_cmd(&cli, target, *json),
        Command::Search { query, limit, json } => {
            let client = open(&cli, false)?;
            let found = client.search(query, *limit)?;
            if *json {
                print_json(&found.hits)?;
            } else {
                if found.is_empty() {
                    println!("没有找到包含“{query}”的草稿");
                } else {
                    print_hits(&found);
                }
                if found.incomplete {
                    println!("正在建立索引，结果可能不全");
                }
            }
        }
        Command::Export { id, output } => {
            let client = open(&cli, false)?;
            let report = client.export_draft(id, output)?;
            println!(
                "已导出到 {}（附件 {} 个）",
                report.path.display(),
                report.attachments.len()
            );
        }
        Command::Import { file } => {
            let client = open(&cli, false)?;
            let saved = client.import_document(file)?;
            println!("{}", saved.draft_id);
        }
        Command::Print(args) => print_cmd(&cli, args)?,
        Command::Flow(cmd) => flow::run(cmd, || open(&cli, false))?,
        Command::Login(args) => return sync::login(open(&cli, false)?, cli.user.as_deref(), args),
        Command::Logout => return sync::logout(open(&cli, false)?),
        Command::Passwd => return account::passwd(open(&cli, false)?),
        Command::Sync(args) => return sync::run(open(&cli, false)?, args),
        Command::Incoming(cmd) => incoming::run(&open(&cli, false)?, cmd)?,
        Command::Receipts(args) => incoming::receipts(&open(&cli, false)?, args)?,
        Command::Outgoing(args) => outgoing::run(&open(&cli, false)?, args)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn draft(cli: &Cli, cmd: &DraftCommand) -> Result<ExitCode> {
    let client = open(cli, false)?;
    match cmd {
        DraftCommand::New { from } => {
            let saved = client.import_document(from)?;
            println!("{}", saved.draft_id);
        }
        DraftCommand::Save { id, from } => {
            let saved = client.save_draft_from_file(id, from)?;
            if saved.unchanged {
                println!("内容没有变化，仍为第 {} 版", saved.version);
            } else {
                println!("已保存：第 {} 版（{}）", saved.version, saved.saved_at);
            }
        }
        DraftCommand::Show { id, version, json } => {
            let detail = match version {
                Some(v) => client.open_version(id, *v)?,
                None => client.open_draft(id)?,
            };
            if *json {
                println!("{}", detail.document.to_json_pretty());
            } else {
                let state = if detail.version == detail.head_version {
                    "清稿"
                } else {
                    "历史版本"
                };
                println!(
                    "草稿 {}　第 {} 版（{}，共 {} 版）　{} 保存于 {}",
                    detail.id,
                    detail.version,
                    state,
                    detail.head_version,
                    detail.author,
                    detail.saved_at
                );
                println!();
                print_document(&detail.document);
            }
        }
        DraftCommand::List {
            limit,
            offset,
            json,
        } => {
            let rows = client.list_drafts(*limit, *offset)?;
            if *json {
                print_json(&rows)?;
            } else if rows.is_empty() {
                println!("还没有草稿");
            } else {
                for r in rows {
                    let title = if r.title.is_empty() {
                        "（无标题）"
                    } else {
                        r.title.as_str()
                    };
                    println!(
                        "{}  第{}版  {}  {}",
                        r.id, r.head_version, r.updated_at, title
                    );
                }
            }
        }
        DraftCommand::History { id, json } => {
            let versions = client.draft_history(id)?;
            if *json {
                print_json(&versions)?;
            } else {
                println!("版本  修改人        保存时间                    基于    内容摘要");
                for v in versions {
                    let base = v
                        .base_version
                        .map(|b| format!("第{b}版"))
                        .unwrap_or_else(|| "—".into());
                    println!(
                        "{:<5} {:<12} {:<27} {:<7} {}",
                        format!("第{}版", v.version),
                        v.author,
                        v.created_at,
                        base,
                        &v.content_hash[..12]
                    );
                }
            }
        }
        DraftCommand::Diff { id, v1, v2, json } => {
            let cmp = client.compare_versions(id, *v1, *v2)?;
            if *json {
                print_json(&cmp)?;
            } else {
                print_comparison(&cmp);
            }
        }
        DraftCommand::Autosave {
            id,
            from,
            interval_ms,
        } => autosave(&client, id, from, *interval_ms)?,
        DraftCommand::Delete { id } => {
            let gc = client.delete_draft(id)?;
            println!(
                "已删除草稿 {id}（释放附件 {} 个，{}）",
                gc.blobs_removed,
                human_bytes(gc.bytes_freed)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Watches `file` and saves a version whenever its content changes. Every save is
/// durable when "已保存" is printed; with an interval of at most 2 s no edit older than
/// that can be lost.
fn autosave(client: &Client, id: &str, file: &Path, interval_ms: u64) -> Result<()> {
    client.open_draft(id)?;
    println!(
        "正在自动保存草稿 {id}（监视 {}，每 {interval_ms} 毫秒检查一次，按 Ctrl-C 结束）",
        file.display()
    );
    let mut last_text: Option<String> = None;
    let mut last_error: Option<String> = None;
    loop {
        match std::fs::read_to_string(file) {
            Ok(text) if last_text.as_deref() != Some(text.as_str()) => {
                match Document::from_json(&text) {
                    Ok(doc) => {
                        let saved = client.save_draft(id, doc, None)?;
                        if !saved.unchanged {
                            println!("已保存 第 {} 版 {}", saved.version, saved.saved_at);
                        }
                        last_error = None;
                    }
                    Err(e) => {
                        if last_error.as_deref() != Some(e.0.as_str()) {
                            eprintln!("暂不保存：{}", e.0);
                            last_error = Some(e.0);
                        }
                    }
                }
                std::io::stdout().flush()?;
                last_text = Some(text);
            }
            Ok(_) => {}
            Err(e) => {
                let msg = format!("无法读取 {}：{e}", file.display());
                if last_error.as_deref() != Some(msg.as_str()) {
                    eprintln!("{msg}");
                    last_error = Some(msg);
                }
            }
        }
        std::thread::sleep(Duration::from_millis(interval_ms));
    }
}

/// A document for `lint` and `print`: a JSON file when the path exists, else a draft id.
fn load_target(cli: &Cli, target: &str) -> Result<(Document, Option<Client>)> {
    let path = Path::new(target);
    if path.exists() || target.ends_with(".json") {
        return Ok((read_document_file(path)?, None));
    }
    let client = open(cli, false)?;
    let doc = client.open_draft(target)?.document;
    Ok((doc, Some(client)))
}

/// Today in China Standard Time (UTC+8), where every 成文日期 is dated.
fn today() -> DocDate {
    let cst = time::UtcOffset::from_hms(8, 0, 0).expect("UTC+8 is a valid offset");
    DocDate(time::OffsetDateTime::now_utc().to_offset(cst).date())
}

fn lint_cmd(cli: &Cli, target: &str, json: bool) -> Result<ExitCode> {
    let (doc, _) = load_target(cli, target)?;
    let findings = lint::lint(&doc, &LintContext::new(today()));
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    if json {
        print_json(&findings)?;
    } else if findings.is_empty() {
        println!("未发现问题");
    } else {
        for f in &findings {
            let level = match f.severity {
                Severity::Error => "错误",
                Severity::Warning => "提示",
            };
            let place = match f.element.index {
                Some(i) => format!("{}（第{}项）", field_label(f.element.field), i + 1),
                None => field_label(f.element.field).to_owned(),
            };
            println!("[{}] {level} {place}：{}", f.rule, f.message);
        }
        println!();
        println!(
            "共 {} 条：错误 {errors} 条，提示 {} 条",
            findings.len(),
            findings.len() - errors
        );
    }
    Ok(if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn field_label(field: lint::Field) -> &'static str {
    use lint::Field::*;
    match field {
        Format => "公文格式",
        DocType => "文种",
        Direction => "行文方向",
        CopyNumber => "份号",
        Secrecy => "密级和保密期限",
        Urgency => "紧急程度",
        Issuers => "发文机关",
        DocNumber => "发文字号",
        Signers => "签发人",
        Title => "标题",
        MainRecipients => "主送机关",
        Body => "正文",
        Attachments => "附件",
        Signatures => "发文机关署名",
        Date => "成文日期",
        Seal => "印章",
        Note => "附注",
        Cc => "抄送机关",
        Printing => "印发机关和印发日期",
        OrderNumber => "令号",
        SignerTitle => "签署人职务",
        Minutes => "纪要",
    }
}

fn print_cmd(cli: &Cli, args: &PrintArgs) -> Result<()> {
    let (doc, client) = load_target(cli, &args.input)?;
    let output = match args.form {
        None => gongwen_print::print_document(&doc)?,
        Some(Form::DraftSheet) => {
            let drafter = client
                .as_ref()
                .map(|c| c.user().to_owned())
                .unwrap_or_default();
            gongwen_print::forms::print_draft_sheet(&gongwen_print::forms::DraftSheet {
                drafter,
                ..gongwen_print::forms::DraftSheet::from_document(&doc)
            })?
        }
        Some(Form::ReceiptSheet) => gongwen_print::forms::print_receipt_sheet(
            &gongwen_print::forms::ReceiptSheet::from_document(&doc),
        )?,
    };
    for w in &output.warnings {
        eprintln!("注意：{w}");
    }
    write_file(&args.output, &output.pdf)?;
    println!(
        "已生成 PDF：{}（{} 页）",
        args.output.display(),
        output.pages
    );
    Ok(())
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("pdf.part");
    std::fs::write(&tmp, bytes).with_context(|| format!("无法写入 {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("无法写入 {}", path.display()))?;
    Ok(())
}

fn print_document(doc: &Document) {
    let line = |label: &str, value: String| {
        if !value.trim().is_empty() {
            println!("{label}：{value}");
        }
    };
    line("公文格式", doc.format.label().to_owned());
    line(
        "文种",
        doc.doc_type
            .map(|d| d.name().to_owned())
            .unwrap_or_default(),
    );
    line(
        "行文方向",
        doc.direction
            .map(|d| d.label().to_owned())
            .unwrap_or_default(),
    );
    line("份号", doc.copy_number.clone().unwrap_or_default());
    line(
        "密级",
        doc.secrecy
            .as_ref()
            .map(|s| s.to_string())
            .unwrap_or_default(),
    );
    line(
        "紧急程度",
        doc.urgency.map(|u| u.name().to_owned()).unwrap_or_default(),
    );
    line(
        "发文机关",
        doc.issuers
            .iter()
            .map(|i| i.name.as_str())
            .collect::<Vec<_>>()
            .join("、"),
    );
    line(
        "发文字号",
        doc.doc_number
            .as_ref()
            .map(|n| n.to_string())
            .unwrap_or_default(),
    );
    line("签发人", doc.signers.join("、"));
    line("标题", doc.title.clone());
    line("主送机关", doc.main_recipients.join("、"));
    if !doc.body.is_empty() {
        println!("正文：");
        for p in doc.body.lines() {
            println!("　　{p}");
        }
    }
    for (i, a) in doc.attachments.iter().enumerate() {
        let file = a
            .file
            .as_deref()
            .map(|f| format!("（{f}）"))
            .unwrap_or_default();
        println!("附件{}：{}{file}", i + 1, a.name);
    }
    line("发文机关署名", doc.signatures.join("、"));
    line(
        "成文日期",
        doc.date.map(|d| d.chinese()).unwrap_or_default(),
    );
    line("附注", doc.note.clone().unwrap_or_default());
    line("抄送", doc.cc.join("、"));
    line(
        "印发",
        doc.printing
            .as_ref()
            .map(|p| format!("{}　{}印发", p.organ, p.date.chinese()))
            .unwrap_or_default(),
    );
}

fn marked(segments: &[Segment]) -> String {
    segments
        .iter()
        .map(|s| {
            if s.hit {
                format!("【{}】", s.text)
            } else {
                s.text.clone()
            }
        })
        .collect()
}

fn print_hits(hits: &[SearchHit]) {
    for (i, h) in hits.iter().enumerate() {
        let kind = h
            .doc_type
            .as_deref()
            .map(|d| format!("［{d}］"))
            .unwrap_or_default();
        let number = h
            .doc_number
            .as_deref()
            .map(|n| format!("　{n}"))
            .unwrap_or_default();
        println!("{}. {kind}{}{number}", i + 1, marked(&h.title));
        let snippet = marked(&h.snippet);
        if !snippet.is_empty() {
            println!("   {snippet}");
        }
        println!("   草稿 {}　修改于 {}", h.draft_id, h.updated_at);
    }
}

fn print_comparison(cmp: &Comparison) {
    println!(
        "草稿 {}：第 {} 版（{}）→ 第 {} 版（{}）",
        cmp.draft_id, cmp.from.version, cmp.from.author, cmp.to.version, cmp.to.author
    );
    if cmp.changes.is_empty() {
        println!("两个版本内容相同");
        return;
    }
    println!("标记：[+插入+] [-删除-]，括号内为修改人和版本");
    for c in &cmp.changes {
        println!();
        println!("【{}】修改人：{}", c.element, c.changed_by.join("、"));
        let mut out = String::new();
        for s in &c.segments {
            let who = || match (&s.author, s.version) {
                (Some(a), Some(v)) => format!("（{a}，第{v}版）"),
                _ => String::new(),
            };
            match s.kind {
                ChangeKind::Equal => out.push_str(&s.text),
                ChangeKind::Insert => out.push_str(&format!("[+{}+]{}", s.text, who())),
                ChangeKind::Delete => out.push_str(&format!("[-{}-]{}", s.text, who())),
            }
        }
        for l in out.lines() {
            println!("  {l}");
        }
    }
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["字节", "KB", "MB", "GB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} 字节")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn bytes_are_human_readable() {
        assert_eq!(human_bytes(12), "12 字节");
        assert_eq!(human_bytes(1536), "1.5 KB");
        assert_eq!(human_bytes(3 * 1024 * 1024), "3.0 MB");
    }

    #[test]
    fn autosave_interval_is_at_most_two_seconds() {
        assert!(
            Cli::try_parse_from([
                "gongwen",
                "draft",
                "autosave",
                "x",
                "--from",
                "a.json",
                "--interval-ms",
                "5000"
            ])
            .is_err()
        );
        assert!(
            Cli::try_parse_from([
                "gongwen",
                "draft",
                "autosave",
                "x",
                "--from",
                "a.json",
                "--interval-ms",
                "2000"
            ])
            .is_ok()
        );
    }
}
