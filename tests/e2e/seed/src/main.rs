//! Seeds a data folder for the end-to-end test (scripts/e2e.sh) and the screenshots.
//!
//! ```sh
//! cargo run -p gongwen-e2e-seed -- --data-dir DIR --todo 3
//! ```
//!
//! It opens (creating) the store exactly as the app does, with the key in the OS keychain,
//! fills the local directory with one 办公室 (拟稿人, reviewers, signer, clerk …), and has the
//! drafter 李明 write and 送审 `--todo` documents through the real `gongwen_client::api`, so
//! each lands as an open 审核 task of 张三 (部门负责人), the local user the app opens as. The
//! first one was sent three days ago and is overdue. The final check reads the count back
//! through the same call the app's `flow_counts` command makes, and prints it.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail, ensure};
use gongwen_client::Client;
use gongwen_client::api::OpenOptions;
use gongwen_client::flow::Person;
use gongwen_domain::Document;

/// The local user the app opens as (reviewer: 部门负责人).
const USER: &str = "张三";
/// Who drafts and submits the seeded documents.
const DRAFTER: &str = "李明";
const ORGAN: &str = "鹤山市人民政府办公室";

const PEOPLE: &[(&str, &[&str])] = &[
    (DRAFTER, &[]),
    (USER, &["部门负责人"]),
    ("王五", &["办公室主任"]),
    ("赵六", &["分管领导"]),
    ("钱七", &["核稿人"]),
    ("孙八", &["文书"]),
    ("周九", &["文印"]),
];

/// (title, 文种, 紧急程度)
const DOCUMENTS: &[(&str, &str, Option<&str>)] = &[
    (
        "鹤山市人民政府办公室关于做好2026年冬春季森林防灭火工作的通知",
        "通知",
        Some("特急"),
    ),
    (
        "鹤山市人民政府办公室关于报送2026年度基层党建工作总结的通知",
        "通知",
        None,
    ),
    (
        "鹤山市人民政府办公室关于开展安全生产大检查的通知",
        "通知",
        Some("加急"),
    ),
    (
        "鹤山市人民政府办公室关于印发《机关公文处理实施细则》的通知",
        "通知",
        None,
    ),
    (
        "鹤山市人民政府办公室关于召开全县乡村振兴工作推进会的通知",
        "通知",
        None,
    ),
];

fn document(title: &str, doc_type: &str, urgency: Option<&str>) -> anyhow::Result<Document> {
    let mut json = serde_json::json!({
        "format": "standard",
        "doc_type": doc_type,
        "direction": "down",
        "issuers": [{ "name": ORGAN, "mark": "鹤山市人民政府办公室文件" }],
        "title": title,
        "main_recipients": ["各镇人民政府", "市政府各部门"],
        "body": "为切实做好有关工作，经市人民政府同意，现将有关事项通知如下。\n一、提高思想认识\n各单位要充分认识做好此项工作的重要性，切实加强组织领导。\n二、抓好工作落实\n（一）明确责任分工\n主要负责同志要亲自部署，分管负责同志具体抓。\n（二）按时报送情况\n请于2026年12月20日前将工作情况报市政府办公室。\n三、联系方式\n联系人：李明，电话：0750-8888123。",
        "attachments": [{ "name": "工作情况统计表" }],
        "signatures": [ORGAN],
        "date": "2026-11-28",
        "seal": true,
        "cc": ["市委办公室", "市人大常委会办公室"],
        "printing": { "organ": ORGAN, "date": "2026-11-28" }
    });
    if let Some(u) = urgency {
        json["urgency"] = serde_json::Value::from(u);
    }
    Document::from_json(&json.to_string()).map_err(|e| anyhow::anyhow!("示例公文无效：{e}"))
}

fn main() -> anyhow::Result<()> {
    let (data_dir, todo) = parse_args()?;

    let client =
        Client::open(&data_dir).with_context(|| format!("打开 {} 失败", data_dir.display()))?;
    for (name, roles) in PEOPLE {
        client.add_person(&Person {
            id: (*name).to_owned(),
            name: (*name).to_owned(),
            organ: ORGAN.to_owned(),
            dept: "办公室".to_owned(),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        })?;
    }
    let already = client.flow_counts()?.todo;
    drop(client);

    for i in 0..todo {
        let (title, doc_type, urgency) =
            DOCUMENTS[usize::try_from(already + i).unwrap_or(0) % DOCUMENTS.len()];
        // The first document was sent three days ago, so its 48-hour 审核 limit has passed.
        let days_ago = if i == 0 { 3 } else { 0 };
        let clock: gongwen_client::api::Clock = Arc::new(move || {
            time::OffsetDateTime::now_utc() - time::Duration::days(days_ago)
                + time::Duration::minutes(i64::try_from(i).unwrap_or(0))
        });
        let drafter = OpenOptions::new(&data_dir)
            .user(DRAFTER)
            .clock(clock)
            .open()
            .context("以拟稿人身份打开数据失败")?;
        let draft = drafter.create_draft(document(title, doc_type, urgency)?)?;
        drafter
            .submit_draft(&draft.draft_id, None)
            .with_context(|| format!("送审“{title}”失败"))?;
    }

    let mut client = Client::open(&data_dir)?;
    client.set_user_name(USER)?;
    let counts = client.flow_counts()?;
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
