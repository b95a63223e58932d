//! `gongwen-server`: run the central server, migrate its database, and manage
//! the directory. Only argument parsing lives here; the work is in the library.

mod admin;

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use gongwen_server::config::{FileConfig, TlsFiles};
use gongwen_server::{Error, Settings, db};

/// 公文通中心服务器：为各机关的客户端提供目录、登录、文号登记与同步。
#[derive(Debug, Parser)]
#[command(name = "gongwen-server", version, about, long_about = None)]
struct Cli {
    /// 配置文件（TOML）。命令行参数和环境变量优先于配置文件。
    #[arg(long, global = true, env = "GONGWEN_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,

    /// 日志格式：text（便于阅读）或 json（便于收集）。
    #[arg(long, global = true, env = "GONGWEN_LOG_FORMAT", value_enum)]
    log_format: Option<LogFormat>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
struct DbArgs {
    /// PostgreSQL 地址，如 postgres://gongwen:密码@127.0.0.1:5432/gongwen
    #[arg(
        long,
        env = "GONGWEN_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// 执行数据库迁移，使数据库结构与本程序一致。
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// 启动服务器。收到 SIGTERM 或 Ctrl-C 后处理完进行中的请求再退出。
    Serve(ServeArgs),
    /// 管理机关、部门、用户、岗位和委托。
    Admin {
        #[command(flatten)]
        db: DbArgs,
        #[command(subcommand)]
        command: admin::AdminCommand,
    },
}

#[derive(Debug, Args)]
struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 监听地址，如 0.0.0.0:8443（默认 127.0.0.1:8080）
    #[arg(long, env = "GONGWEN_LISTEN", value_name = "ADDR")]
    listen: Option<String>,
    /// HTTPS 证书链（PEM）
    #[arg(
        long,
        env = "GONGWEN_TLS_CERT",
        value_name = "FILE",
        requires = "tls_key"
    )]
    tls_cert: Option<PathBuf>,
    /// HTTPS 私钥（PEM）
    #[arg(
        long,
        env = "GONGWEN_TLS_KEY",
        value_name = "FILE",
        requires = "tls_cert"
    )]
    tls_key: Option<PathBuf>,
    /// 在非回环地址上也允许明文 HTTP（仅用于前面有 TLS 反向代理的部署）
    #[arg(long, env = "GONGWEN_INSECURE_HTTP")]
    insecure_http: bool,
    /// 启动时不执行迁移；数据库结构不是最新时拒绝启动
    #[arg(long)]
    no_migrate: bool,
    /// 数据库连接池大小
    #[arg(long, env = "GONGWEN_POOL_SIZE")]
    pool_size: Option<usize>,
    /// 请求体大小上限（字节）
    #[arg(long, env = "GONGWEN_BODY_LIMIT")]
    body_limit: Option<usize>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let file = match cli.config.as_deref().map(FileConfig::load).transpose() {
        Ok(f) => f.unwrap_or_default(),
        Err(e) => return fail(&e.into()),
    };
    init_logging(cli.log_format, file.log_format.as_deref());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(&anyhow::Error::new(e).context("无法启动异步运行时")),
    };
    match runtime.block_on(run(cli.command, file)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// One line on stderr, exit code 1.
fn fail(e: &anyhow::Error) -> ExitCode {
    let msg = format!("{e:#}").replace('\n', " ");
    eprintln!("gongwen-server: 错误：{msg}");
    ExitCode::FAILURE
}

fn init_logging(flag: Option<LogFormat>, file: Option<&str>) {
    let json = match flag {
        Some(f) => f == LogFormat::Json,
        None => file == Some("json"),
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tokio_postgres=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.with_ansi(std::io::stderr().is_terminal()).init();
    }
}

fn database_url(db: DbArgs, file: &FileConfig) -> Result<String> {
    match db.database_url.or_else(|| file.database_url.clone()) {
        Some(url) => Ok(url),
        None => bail!(
            "缺少数据库地址：请用 --database-url、环境变量 GONGWEN_DATABASE_URL 或配置文件中的 database_url 指定"
        ),
    }
}

async fn run(command: Command, file: FileConfig) -> Result<()> {
    match command {
        Command::Migrate { db } => {
            let url = database_url(db, &file)?;
            let pool = db::connect(&url, 1).await?;
            let mut client = pool.get().await.map_err(Error::from)?;
            let report = db::migrations::migrate(&mut client).await?;
            if report.from == report.to {
                println!("数据库结构已是最新（版本 {}）", report.to);
            } else {
                println!("数据库结构已从版本 {} 升级到 {}", report.from, report.to);
            }
            Ok(())
        }
        Command::Serve(args) => serve(args, file).await,
        Command::Admin { db, command } => {
            let url = database_url(db, &file)?;
            admin::run(&url, command).await
        }
    }
}

async fn serve(args: ServeArgs, file: FileConfig) -> Result<()> {
    let url = database_url(args.db, &file)?;
    let listen = args
        .listen
        .or(file.listen.clone())
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let addr: SocketAddr = listen.parse().map_err(|_| {
        anyhow::anyhow!("监听地址“{listen}”无效：请使用 IP:端口 的形式，如 0.0.0.0:8443")
    })?;
    let mut settings = Settings::new(url);
    settings.tls = match (args.tls_cert, args.tls_key) {
        (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
        _ => file.tls.clone(),
    };
    settings.insecure_http = args.insecure_http || file.insecure_http.unwrap_or(false);
    settings.migrate_on_start = !args.no_migrate;
    if let Some(n) = args.pool_size.or(file.pool_size) {
        settings.pool_size = n;
    }
    if let Some(n) = args.body_limit.or(file.body_limit) {
        settings.body_limit = n;
    }
    if let Some(n) = file.access_token_ttl_secs {
        settings.access_token_ttl_secs = n;
    }
    if let Some(n) = file.refresh_token_ttl_secs {
        settings.refresh_token_ttl_secs = n;
    }
    if let Some(blobs) = &file.blobs {
        blobs.apply(&mut settings)?;
    }
    if let Some(compaction) = &file.compaction {
        compaction.apply(&mut settings)?;
    }
    if let Some(dir) = std::env::var_os("GONGWEN_BLOB_DIR").filter(|d| !d.is_empty()) {
        settings.blob_store = gongwen_server::config::BlobStoreConfig::Local { dir: dir.into() };
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AddrInUse => Error::AddressInUse {
                addr: addr.to_string(),
            },
            _ => Error::Bind {
                addr: addr.to_string(),
                source: e,
            },
        })?;
    gongwen_server::launch(settings, listener, shutdown_signal()).await?;
    Ok(())
}

/// Resolves on SIGTERM or SIGINT.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}
