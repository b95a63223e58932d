//! Seeds a data folder for the end-to-end test (scripts/e2e.sh) and the screenshots.
//!
//! ```sh
//! cargo run -p gongwen-e2e-seed -- --data-dir DIR --todo 3 [--bulk 100000]
//! ```
//!
//! It opens (creating) the store exactly as the app does, with the key in the OS keychain,
//! fills the local directory with one 办公室 (拟稿人, reviewers, signer, clerk …), and has the
//! drafter 李明 write and 送审 `--todo` documents through the real `gongwen_client::api`, so
//! each lands as an open 审核 task of 张三 (部门负责人), the local user the app opens as. The
//! first one was sent three days ago and is overdue. The final check reads the count back
//! through the same call the app's `flow_counts` command makes, and prints it.
//!
//! Before those, two 发文 of three weeks ago went the whole way to 登记 (drafted by 李明,
//! reviewed by 王五, then 部门负责人 as well as 办公室主任, signed by 赵六, 复核, 登记 by 孙八),
//! so the 发文登记簿 has them: one printed and sent (核发), one waiting at 印制. Their 文号
//! (鹤府办〔this year〕15号 and 16号) are written the way the sync writes the number the
//! server allocated, and their commands are marked as confirmed by the server, as a sync
//! would have left them. None of their steps was 张三's, so 张三's 已办 stays empty.
//!
//! It also puts three documents other organs sent into the 收文 of this organ, as the
//! sync engine would store them from the 公文交换: two waiting for 签收 (the e2e spec
//! signs and registers the first) and one signed and waiting for 登记; and a 回执 for
//! the 发文 that was sent, so the sender's 回执 page has one organ signed and the rest
//! listed as not signed.
//!
//! `--bulk N` then makes the store large, for the desktop benchmark (scripts/desktop-bench.sh):
//! N more documents, each a copy of the last seeded one with its own title, content hash and
//! ids, in its own flow with an open 审核 task of 张三 (drafts, versions, flows and task rows,
//! as sync would have left them: server-confirmed, nothing waiting in the outbox). The
//! copies are written in SQL, in one transaction, so 100,000 take seconds rather than the
//! hours 100,000 real 送审 would; they are not in the full-text search index.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail, ensure};
use gongwen_client::Client;
use gongwen_client::api::OpenOptions;
use gongwen_client::flow::{Person, QueueFilter, QueueKind};
use gongwen_client::key::{KeyProvider, KeychainKeys, StoreIdentity};
use gongwen_client::outgoing::OutgoingFilter;
use gongwen_client::store::{DB_FILE, Db};
use gongwen_domain::Document;
use gongwen_protocol::exchange::{Incoming, ItemState, OrganRef, PersonRef, Receipt};
use rusqlite::OptionalExtension;
use rusqlite::types::Value;
use sha2::{Digest, Sha256};

/// The local user the app opens as (reviewer: 部门负责人).
const USER: &str = "张三";
/// Who drafts and submits the seeded documents.
const DRAFTER: &str = "李明";
const ORGAN: &str = "鹤山市人民政府办公室";

const PEOPLE: &[(&str, &[&str])] = &[
    (DRAFTER, &[]),
    (USER, &["部门负责人"]),
    ("王五", &["办公室主任"]),
    ("赵六", &["分管领导", "领导班子成员"]),
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

struct Args {
    data_dir: PathBuf,
    todo: u64,
    bulk: u64,
}

/// (id, title, 来文单位 代字, 来文单位, 文号 seq, 紧急程度, signed already)
type IncomingSeed = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    u32,
    Option<&'static str>,
    bool,
);

const INCOMING: &[IncomingSeed] = &[
    (
        "e2e-incoming-1",
        "鹤山市财政局关于做好2027年度部门预算编制工作的通知",
        "鹤财",
        "鹤山市财政局",
        18,
        Some("加急"),
        false,
    ),
    (
        "e2e-incoming-2",
        "鹤山市应急管理局关于开展冬季安全生产隐患排查的通知",
        "鹤应急",
        "鹤山市应急管理局",
        41,
        Some("特急"),
        false,
    ),
    (
        "e2e-incoming-3",
        "鹤山市教育局关于报送2026年学校安全工作总结的通知",
        "鹤教",
        "鹤山市教育局",
        7,
        None,
        true,
    ),
];

fn organ(code: &str, name: &str) -> OrganRef {
    OrganRef {
        code: code.to_owned(),
        name: name.to_owned(),
    }
}

fn person(login: &str, name: &str) -> PersonRef {
    PersonRef {
        login: login.to_owned(),
        display_name: name.to_owned(),
    }
}

/// The 收文 of this organ and one 回执 for `sent` (the 发文 that was 核发), stored as a
/// pull would.
fn seed_exchange(client: &Client, sent: Option<&SentDocument>) -> anyhow::Result<()> {
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8));
    let stamp = |minutes_ago: i64| -> anyhow::Result<String> {
        Ok((now - time::Duration::minutes(minutes_ago))
            .format(&time::format_description::well_known::Rfc3339)?)
    };
    for (n, (id, title, code, name, seq, urgency, signed)) in INCOMING.iter().enumerate() {
        let mut doc = serde_json::json!({
            "format": "standard",
            "doc_type": "通知",
            "direction": "down",
            "issuers": [{ "name": name, "mark": format!("{name}文件") }],
            "doc_number": { "prefix": code, "year": 2026, "seq": seq },
            "title": title,
            "main_recipients": ["各镇人民政府", "市直各单位"],
            "body": "为做好有关工作，现将有关事项通知如下。\n一、高度重视\n各单位要提高认识，加强领导，明确专人负责。\n二、按时报送\n请于2026年12月25日前将有关材料报送我单位。",
            "signatures": [name],
            "date": "2026-11-27",
            "seal": true,
            "printing": { "organ": name, "date": "2026-11-27" }
        });
        if let Some(u) = urgency {
            doc["urgency"] = serde_json::Value::from(*u);
        }
        // The document must be one the app can lay out.
        Document::from_json(&doc.to_string())
            .map_err(|e| anyhow::anyhow!("示例来文“{title}”无效：{e}"))?;
        let delivered = stamp(90 - 20 * n as i64)?;
        client.store_incoming(&Incoming {
            id: (*id).to_owned(),
            exchange_id: format!("{id}-x"),
            document_id: format!("{id}-doc"),
            from: organ(code, name),
            to: organ("鹤府办", ORGAN),
            title: (*title).to_owned(),
            doc_number: Some(format!("{code}〔2026〕{seq}号")),
            document: doc,
            content_hash: None,
            pdf: None,
            attachments: Vec::new(),
            sent_by: person(&format!("{code}-clerk"), "陈文书"),
            delivered_at: delivered.clone(),
            state: if *signed {
                ItemState::Signed
            } else {
                ItemState::Delivered
            },
            signed_by: signed.then(|| person("孙八", "孙八")),
            signed_at: if *signed { Some(stamp(10)?) } else { None },
        })?;
    }
    if let Some(sent) = sent {
        client.store_receipt(&Receipt {
            id: "e2e-receipt-1".to_owned(),
            incoming_id: "e2e-receipt-1-in".to_owned(),
            exchange_id: "e2e-receipt-1-x".to_owned(),
            document_id: sent.draft_id.clone(),
            title: sent.title.to_owned(),
            doc_number: Some(sent.number.clone()),
            recipient: organ("鹤山镇", "各镇人民政府"),
            signed_by: person("鹤山镇-clerk", "黄秘书"),
            signed_at: stamp(30)?,
        })?;
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let Args {
        data_dir,
        todo,
        bulk,
    } = parse_args()?;
    ensure!(bulk == 0 || todo > 0, "--bulk 需要至少一件 --todo 作为样本");

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
    // A second run on the same folder (more 待办) does not register the 发文 again.
    let registered = client
        .outgoing_register(&OutgoingFilter::default(), 0, 1)?
        .total;
    drop(client);

    let sent = if registered == 0 {
        let documents = seed_outgoing(&data_dir).context("写入示例发文失败")?;
        documents.into_iter().find(|d| d.dispatched)
    } else {
        None
    };

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

    if bulk > 0 {
        copy_documents(&data_dir, bulk)?;
    }

    let mut client = Client::open(&data_dir)?;
    client.set_user_name(USER)?;
    seed_exchange(&client, sent.as_ref()).context("写入示例收文失败")?;
    let counts = client.flow_counts()?;
    ensure!(
        counts.todo == already + todo + bulk,
        "待办数应为 {}，实际为 {}",
        already + todo + bulk,
        counts.todo
    );
    println!("{}", counts.todo);
    Ok(())
}

/// The columns of `table`, minus an `INTEGER PRIMARY KEY` (a rowid alias: SQLite numbers
/// the copies itself).
fn columns(tx: &rusqlite::Transaction<'_>, table: &str) -> anyhow::Result<Vec<String>> {
    let mut stmt = tx.prepare(&format!("PRAGMA table_info({table})"))?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>("name")?,
            r.get::<_, String>("type")?,
            r.get::<_, i64>("pk")?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (name, kind, pk) = row?;
        let rowid_alias = pk == 1 && kind.eq_ignore_ascii_case("INTEGER");
        if !rowid_alias {
            out.push(name);
        }
    }
    Ok(out)
}

/// `INSERT INTO table SELECT …` copying the rows where `key = ?1`, with the named columns
/// replaced by parameters ?2, ?3 … in the order given. Every column of the table is
/// copied, so the copies stay complete as migrations add columns.
fn copy_sql(
    tx: &rusqlite::Transaction<'_>,
    table: &str,
    key: &str,
    overrides: &[&str],
) -> anyhow::Result<String> {
    let cols = columns(tx, table)?;
    for o in overrides {
        ensure!(cols.iter().any(|c| c == o), "{table} 没有列 {o}");
    }
    let select: Vec<String> = cols
        .iter()
        .map(|c| match overrides.iter().position(|o| o == c) {
            Some(i) => format!("?{}", i + 2),
            None => c.clone(),
        })
        .collect();
    Ok(format!(
        "INSERT INTO {table} ({}) SELECT {} FROM {table} WHERE {key} = ?1",
        cols.join(", "),
        select.join(", ")
    ))
}

/// An id shaped like the template's (a UUID), unique per copy: its last 12 hex digits
/// replaced by the copy's number.
fn derived_id(template: &str, n: u64) -> String {
    let keep = template.len().saturating_sub(12);
    format!("{}{n:012x}", &template[..keep])
}

/// The store itself (no [`Client`]), with its key from the OS keychain, for what the seed
/// writes the way the sync would.
fn open_db(data_dir: &std::path::Path) -> anyhow::Result<Db> {
    let identity: StoreIdentity = serde_json::from_str(
        &std::fs::read_to_string(data_dir.join("store.json")).context("读取 store.json 失败")?,
    )
    .context("store.json 无法解析")?;
    let key = KeychainKeys
        .load(&identity)?
        .context("钥匙串中没有这个数据文件夹的密钥")?;
    Ok(Db::open(&data_dir.join(DB_FILE), &key, false)?)
}

/// A 发文 of the 发文登记簿 seed.
struct SentDocument {
    draft_id: String,
    title: &'static str,
    number: String,
    /// Went through 印制 and 核发 too.
    dispatched: bool,
}

/// (title, 文号 sequence, whether it was printed and sent)
const OUTGOING: &[(&str, u32, bool)] = &[
    (
        "鹤山市人民政府办公室关于做好2026年冬季安全生产工作的通知",
        15,
        true,
    ),
    (
        "鹤山市人民政府办公室关于开展机关作风建设专项督查的通知",
        16,
        false,
    ),
];

/// Two 发文 registered three weeks ago (see the module docs), through the real api, each
/// person acting in their own session at the time they acted.
fn seed_outgoing(data_dir: &std::path::Path) -> anyhow::Result<Vec<SentDocument>> {
    let year = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .year();
    // Then, 王五 stood in as 部门负责人, so 审核 was his alone.
    let client = Client::open(data_dir)?;
    for (name, roles) in PEOPLE {
        let roles: Vec<String> = match *name {
            USER => Vec::new(),
            "王五" => vec!["部门负责人".to_owned(), "办公室主任".to_owned()],
            _ => roles.iter().map(|r| (*r).to_owned()).collect(),
        };
        client.add_person(&Person {
            id: (*name).to_owned(),
            name: (*name).to_owned(),
            organ: ORGAN.to_owned(),
            dept: "办公室".to_owned(),
            roles,
        })?;
    }
    drop(client);

    let mut out = Vec::new();
    for (n, (title, seq, dispatched)) in OUTGOING.iter().enumerate() {
        // Each step an hour after the one before, from 21 days ago.
        let step = std::cell::Cell::new(0i64);
        let at = move |i: i64| {
            let n = i64::try_from(n).unwrap_or(0);
            time::OffsetDateTime::now_utc() - time::Duration::days(21)
                + time::Duration::hours(n * 24 + i)
        };
        let session = |user: &str| -> anyhow::Result<Client> {
            step.set(step.get() + 1);
            let now = at(step.get());
            let clock: gongwen_client::api::Clock = Arc::new(move || now);
            OpenOptions::new(data_dir)
                .user(user)
                .clock(clock)
                .open()
                .with_context(|| format!("以{user}身份打开数据失败"))
        };
        let drafter = session(DRAFTER)?;
        let mut doc = document(title, "通知", None)?;
        // 成文日期: the day it was drafted.
        doc.date = Some(gongwen_domain::document::DocDate(
            at(0).to_offset(time::macros::offset!(+8)).date(),
        ));
        if let (Some(printing), Some(date)) = (doc.printing.as_mut(), doc.date) {
            printing.date = date;
        }
        let draft = drafter.create_draft(doc)?.draft_id;
        let flow = drafter
            .submit_draft(&draft, None)
            .with_context(|| format!("送审“{title}”失败"))?
            .flow_id;
        drop(drafter);
        let mut chain = vec!["王五", "赵六", "钱七", "孙八"];
        if *dispatched {
            chain.extend(["周九", "孙八"]);
        }
        for user in chain {
            let client = session(user)?;
            let task = client
                .queue(QueueKind::Todo, &QueueFilter::default(), 0, 200)?
                .items
                .into_iter()
                .find(|i| i.flow_id == flow)
                .and_then(|i| i.task_id)
                .with_context(|| format!("{user} 没有“{title}”的待办"))?;
            let hash = client.task_view(&task)?.content_hash;
            client
                .act(&task, "approve", Some("同意"), None, None, Some(&hash))
                .with_context(|| format!("{user} 办理“{title}”失败"))?;
        }
        out.push((
            draft,
            flow,
            *title,
            format!("鹤府办〔{year}〕{seq}号"),
            *dispatched,
        ));
    }

    // The server's answer, as the sync applies it: the 文号 on the draft, every command
    // confirmed (the flow's base is its state, nothing waits in the outbox).
    let db = open_db(data_dir)?;
    db.write(|tx| {
        for (draft, flow, _, number, _) in &out {
            tx.execute(
                "UPDATE drafts SET doc_number = ?2 WHERE id = ?1",
                (draft, number),
            )?;
            // The base is the whole flow, its history (rows of flow_events) included.
            tx.execute(
                "INSERT INTO flow_bases (flow_id, base_json)
                 SELECT id, json_set(flow_json, '$.history',
                     (SELECT json_group_array(json(event) ORDER BY seq) FROM flow_events
                      WHERE flow_id = ?1))
                 FROM flows WHERE id = ?1
                 ON CONFLICT (flow_id) DO UPDATE SET base_json = excluded.base_json",
                [flow],
            )?;
            tx.execute(
                "UPDATE tasks SET pending_seq = NULL WHERE flow_id = ?1",
                [flow],
            )?;
            tx.execute(
                "DELETE FROM outbox WHERE entity_id IN (?1, ?2)",
                (flow, draft),
            )?;
        }
        Ok(())
    })?;
    drop(db);

    // Today's directory: 张三 is 部门负责人 again.
    let client = Client::open(data_dir)?;
    for (name, roles) in PEOPLE {
        client.add_person(&Person {
            id: (*name).to_owned(),
            name: (*name).to_owned(),
            organ: ORGAN.to_owned(),
            dept: "办公室".to_owned(),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        })?;
    }
    Ok(out
        .into_iter()
        .map(|(draft_id, _, title, number, dispatched)| SentDocument {
            draft_id,
            title,
            number,
            dispatched,
        })
        .collect())
}

/// Writes `count` copies of the newest seeded flow (see the module docs).
fn copy_documents(data_dir: &std::path::Path, count: u64) -> anyhow::Result<()> {
    let db = open_db(data_dir)?;
    let started = std::time::Instant::now();
    db.write(|tx| {
        copy_in(tx, count).map_err(|e| gongwen_client::Error::Corrupt(format!("{e:#}")))
    })?;
    db.write(|tx| Ok(tx.execute_batch("ANALYZE;")?))?;
    eprintln!(
        "copied {count} documents in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn copy_in(tx: &rusqlite::Transaction<'_>, count: u64) -> anyhow::Result<()> {
    // The template: the newest running flow, its document's head version and its tasks.
    let (flow_id, doc_id, version, old_hash, flow_json): (String, String, i64, String, String) = tx
        .query_row(
            "SELECT id, document_id, doc_version, content_hash, flow_json FROM flows
             WHERE status = 'running' ORDER BY created_at DESC, id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .context("没有可复制的流程")?;
    let content: String = tx.query_row(
        "SELECT content FROM draft_versions WHERE draft_id = ?1 AND version = ?2",
        (&doc_id, version),
        |r| r.get(0),
    )?;
    let mut document =
        Document::from_json(&content).map_err(|e| anyhow::anyhow!("样本公文无效：{e}"))?;
    let old_title = document.title.clone();
    let task_ids: Vec<String> = {
        let mut stmt = tx.prepare("SELECT id FROM tasks WHERE flow_id = ?1")?;
        stmt.query_map([&flow_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    // The flow's history (one row per event) and the server's state of it.
    let events: Vec<(i64, String)> = {
        let mut stmt =
            tx.prepare("SELECT seq, event FROM flow_events WHERE flow_id = ?1 ORDER BY seq")?;
        stmt.query_map([&flow_id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    let base_json: Option<String> = tx
        .query_row(
            "SELECT base_json FROM flow_bases WHERE flow_id = ?1",
            [&flow_id],
            |r| r.get(0),
        )
        .optional()?;

    let drafts = copy_sql(tx, "drafts", "id", &["id", "title"])?;
    let versions = copy_sql(
        tx,
        "draft_versions",
        "draft_id",
        &["draft_id", "content_hash", "content"],
    )?;
    let attachments = copy_sql(tx, "version_attachments", "draft_id", &["draft_id"])?;
    let flows = copy_sql(
        tx,
        "flows",
        "id",
        &["id", "document_id", "title", "content_hash", "flow_json"],
    )?;
    let tasks = copy_sql(
        tx,
        "tasks",
        "id",
        &["id", "document_id", "flow_id", "title", "pending_seq"],
    )?;

    for n in 1..=count {
        let subject = BULK_SUBJECTS[usize::try_from(n).unwrap_or(0) % BULK_SUBJECTS.len()];
        let title = format!("{ORGAN}关于{subject}的通知（第{n}号）");
        document.title = title.clone();
        let content = document.to_canonical_json();
        let hash = hex::encode(Sha256::digest(content.as_bytes()));
        let new_doc = derived_id(&doc_id, n);
        let new_flow = derived_id(&flow_id, n);
        // Task ids are the flow's id with a step suffix (`{flow}-T2`): renaming the flow
        // inside the JSON renames its tasks too, and the task rows follow the same rule.
        let rename = |json: &str| {
            json.replace(&flow_id, &new_flow)
                .replace(&doc_id, &new_doc)
                .replace(&old_hash, &hash)
                .replace(&old_title, &title)
        };
        let json = rename(&flow_json);
        let new_tasks: Vec<String> = task_ids
            .iter()
            .map(|t| t.replace(&flow_id, &new_flow))
            .collect();

        tx.prepare_cached(&drafts)?
            .execute((&doc_id, &new_doc, &title))?;
        tx.prepare_cached(&versions)?
            .execute((&doc_id, &new_doc, &hash, &content))?;
        tx.prepare_cached(&attachments)?
            .execute((&doc_id, &new_doc))?;
        tx.prepare_cached(&flows)?
            .execute((&flow_id, &new_flow, &new_doc, &title, &hash, &json))?;
        for (seq, event) in &events {
            tx.prepare_cached("INSERT INTO flow_events (flow_id, seq, event) VALUES (?1, ?2, ?3)")?
                .execute((&new_flow, seq, rename(event)))?;
        }
        if let Some(base) = &base_json {
            tx.prepare_cached("INSERT INTO flow_bases (flow_id, base_json) VALUES (?1, ?2)")?
                .execute((&new_flow, rename(base)))?;
        }
        for (old, new) in task_ids.iter().zip(&new_tasks) {
            tx.prepare_cached(&tasks)?.execute((
                old,
                new,
                &new_doc,
                &new_flow,
                &title,
                Value::Null,
            ))?;
        }
    }
    Ok(())
}

/// Subjects for the copies' titles.
const BULK_SUBJECTS: &[&str] = &[
    "做好防汛抗旱工作",
    "开展安全生产专项整治",
    "报送年度工作总结",
    "加强耕地保护",
    "做好疫苗接种工作",
    "开展消防安全检查",
    "推进数字政府建设",
    "做好困难群众救助",
];

fn parse_args() -> anyhow::Result<Args> {
    let mut data_dir = None;
    let mut todo = None;
    let mut bulk = 0;
    let number = |value: Option<String>, flag: &str| -> anyhow::Result<u64> {
        value
            .with_context(|| format!("{flag} 需要一个数字"))?
            .parse()
            .with_context(|| format!("{flag} 需要一个数字"))
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--data-dir" => data_dir = args.next().map(PathBuf::from),
            "--todo" => todo = Some(number(args.next(), "--todo")?),
            "--bulk" => bulk = number(args.next(), "--bulk")?,
            other => {
                bail!("未知参数 {other}；用法：gongwen-e2e-seed --data-dir DIR --todo N [--bulk M]")
            }
        }
    }
    Ok(Args {
        data_dir: data_dir.context("缺少 --data-dir DIR")?,
        todo: todo.context("缺少 --todo N")?,
        bulk,
    })
}
