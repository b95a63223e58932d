//! Seeds a data folder for the end-to-end test (scripts/e2e.sh) and the screenshots.
//!
//! ```sh
//! cargo run -p gongwen-e2e-seed -- --data-dir DIR --todo 3
//! ```
//!
//! It opens (creating) the store exactly as the app does, with the key in the OS keychain,
//! names the local user 张三, and records `--todo` open 待办 tasks for that user. Tasks
//! normally arrive through sync, which does not exist yet, so they are written with the
//! store's own `Db` handle; the final check reads the count back through the same
//! `gongwen_client::api` call the app's `queue_counts` command makes.

use std::path::PathBuf;

use anyhow::{Context, bail, ensure};
use gongwen_client::Client;
use gongwen_client::key::{KeyProvider, KeychainKeys, StoreIdentity};
use gongwen_client::store::{DB_FILE, Db};

const USER: &str = "张三";

const TITLES: &[&str] = &[
    "关于做好2026年冬春季森林防灭火工作的通知",
    "关于报送2026年度基层党建工作总结的函",
    "关于开展安全生产大检查的紧急通知",
    "关于印发《机关公文处理实施细则》的通知",
    "关于召开全县乡村振兴工作推进会的通知",
];

fn main() -> anyhow::Result<()> {
    let (data_dir, todo) = parse_args()?;

    let mut client =
        Client::open(&data_dir).with_context(|| format!("打开 {} 失败", data_dir.display()))?;
    client.set_user_name(USER)?;
    let already = client.queue_counts()?.todo;
    drop(client);

    let identity: StoreIdentity = serde_json::from_str(
        &std::fs::read_to_string(data_dir.join("store.json")).context("读取 store.json 失败")?,
    )?;
    let key = KeychainKeys
        .load(&identity)?
        .context("钥匙串中没有该数据库的密钥")?;
    let db = Db::open(&data_dir.join(DB_FILE), &key, false)?;
    db.write(|tx| {
        for i in 0..todo {
            let n = already + i + 1;
            tx.execute(
                "INSERT INTO tasks (id, document_id, kind, assignee, state, title, created_at, due_at)
                 VALUES (?1, ?2, 'handle', ?3, 'open', ?4, ?5, ?6)",
                (
                    format!("e2e-task-{n}"),
                    format!("e2e-doc-{n}"),
                    USER,
                    TITLES[usize::try_from(n).unwrap_or(0) % TITLES.len()],
                    format!("2026-11-{:02}T09:{:02}:00+08:00", 20 + n % 8, n % 60),
                    format!("2026-12-{:02}T17:00:00+08:00", 1 + n % 28),
                ),
            )?;
        }
        Ok(())
    })?;
    drop(db);

    let counts = Client::open(&data_dir)?.queue_counts()?;
    ensure!(
        counts.todo == already + todo,
        "待办数应为 {}，实际为 {}",
        already + todo,
        counts.todo
    );
    println!("{}", counts.todo);
    Ok(())
}

fn parse_args() -> anyhow::Result<(PathBuf, u64)> {
    let mut data_dir = None;
    let mut todo = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--data-dir" => data_dir = args.next().map(PathBuf::from),
            "--todo" => {
                todo = Some(
                    args.next()
                        .context("--todo 需要一个数字")?
                        .parse()
                        .context("--todo 需要一个数字")?,
                )
            }
            other => bail!("未知参数 {other}；用法：gongwen-e2e-seed --data-dir DIR --todo N"),
        }
    }
    Ok((
        data_dir.context("缺少 --data-dir DIR")?,
        todo.context("缺少 --todo N")?,
    ))
}
