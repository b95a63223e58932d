//! Workflow benchmark: the 待办 first page with 100,000 tasks in the store, and one
//! action (同意) including its audit append, outbox row and queue rows, on a real
//! encrypted store (synchronous = FULL: every action is durable when it returns).
//!
//! Run: `cargo bench -p gongwen-client --bench flow_queue` (set `GONGWEN_BENCH_DIR` to
//! put the store on a particular disk). Targets: first page p99 ≤ 5 ms, action p99 ≤ 2 ms.
//!
//! The physical bound of a durable action is measured on the same disk, in the same
//! folder: an `fdatasync` of a small file (what a WAL commit with `synchronous = FULL`
//! waits for), and a bare one-row `INSERT` + commit into an encrypted store with the
//! client's pragmas (WAL, `synchronous = FULL`). The action's own work, without the
//! disk, shows when the bench runs on tmpfs (`GONGWEN_BENCH_DIR=/dev/shm`, where a sync
//! returns at once): information only, nothing there survives a power cut.
//!
//! Every page an action dirties is encrypted and HMACed into the WAL and synced, so the
//! bench also counts the pages each action writes (its WAL frames) and prints, on
//! stderr, which b-trees they belong to.

use std::sync::Arc;
use std::time::{Duration, Instant};

use gongwen_client::api::OpenOptions;
use gongwen_client::flow::{Person, QueueFilter, QueueKind};
use gongwen_client::key::{Key, StaticKey};
use gongwen_client::store::{CipherProfile, DB_FILE, connect_raw};

const KEY: [u8; 32] = [9; 32];
const TASKS: usize = 100_000;
const FLOWS: usize = 300;

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

/// `n` timed `fdatasync`s of a 4 KB file rewritten in place in `dir`.
fn small_file_sync(dir: &std::path::Path, n: usize) -> Vec<Duration> {
    use std::io::{Seek, SeekFrom, Write};
    let mut f = std::fs::File::create(dir.join("sync-probe.bin")).unwrap();
    f.write_all(&[0u8; 4096]).unwrap();
    f.sync_all().unwrap();
    (0..n)
        .map(|i| {
            f.seek(SeekFrom::Start(0)).unwrap();
            f.write_all(&[i as u8; 4096]).unwrap();
            let t = Instant::now();
            f.sync_data().unwrap();
            t.elapsed()
        })
        .collect()
}

/// A raw connection to the bench's store (its key and cipher settings, nothing else).
fn raw(dir: &std::path::Path) -> rusqlite::Connection {
    connect_raw(&dir.join(DB_FILE), &Key::from_bytes(KEY)).unwrap()
}

/// `n` timed one-row transactions (`INSERT` + durable commit) on an encrypted store
/// in `dir` with the client's pragmas and the cipher settings of a new store.
fn bare_commit(dir: &std::path::Path, n: usize) -> Vec<Duration> {
    let c = rusqlite::Connection::open(dir.join("bound.db")).unwrap();
    c.execute_batch(&format!(
        "PRAGMA key = \"x'{}'\"; {}
         PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE rows (id INTEGER PRIMARY KEY, at TEXT NOT NULL, data TEXT NOT NULL) STRICT;",
        hex::encode_upper(KEY),
        CipherProfile::Current.pragmas()
    ))
    .unwrap();
    let payload = "同意".repeat(100);
    (0..n)
        .map(|i| {
            let t = Instant::now();
            let tx = c.unchecked_transaction().unwrap();
            tx.prepare_cached("INSERT INTO rows (at, data) VALUES (?1, ?2)")
                .unwrap()
                .execute(rusqlite::params![i.to_string(), payload])
                .unwrap();
            tx.commit().unwrap();
            t.elapsed()
        })
        .collect()
}

/// The page size of the store (SQLCipher's default).
const PAGE: usize = 4096;

/// The WAL's salt and the page numbers of its valid frames from the `skip`-th on (a
/// frame carries the header's salt). Only the 24-byte frame headers are read, so the
/// look leaves the CPU caches as the action left them.
fn wal_frames(wal: &std::path::Path, skip: usize) -> ([u8; 8], Vec<u32>) {
    use std::os::unix::fs::FileExt;
    let Ok(f) = std::fs::File::open(wal) else {
        return ([0; 8], Vec::new());
    };
    let mut header = [0u8; 32];
    if f.read_exact_at(&mut header, 0).is_err() {
        return ([0; 8], Vec::new());
    }
    let salt: [u8; 8] = header[16..24].try_into().unwrap();
    let len = f.metadata().map_or(0, |m| m.len());
    let mut pages = Vec::new();
    let mut frame = [0u8; 24];
    let mut i = skip;
    while len >= (32 + (i + 1) * (24 + PAGE)) as u64
        && f.read_exact_at(&mut frame, (32 + i * (24 + PAGE)) as u64)
            .is_ok()
        && frame[8..16] == salt
    {
        pages.push(u32::from_be_bytes(frame[0..4].try_into().unwrap()));
        i += 1;
    }
    (salt, pages)
}

/// The frames one commit appended: those after the `before` valid frames, or all of
/// them when the WAL restarted meanwhile (a new salt).
fn frames_appended(wal: &std::path::Path, before: &([u8; 8], Vec<u32>)) -> Vec<u32> {
    let after = wal_frames(wal, before.1.len());
    if after.0 == before.0 {
        after.1
    } else {
        wal_frames(wal, 0).1
    }
}

/// How many of the written pages (each counted once per action) belong to each
/// b-tree ("table:leaf", "index:internal", "table:overflow"; page 1 is the header and
/// the schema's root), from SQLite's dbstat table of the store as it ends.
fn pages_by_tree(dir: &std::path::Path, written: &[Vec<u32>]) -> Vec<(String, usize)> {
    let c = raw(dir);
    let mut owner = std::collections::HashMap::new();
    let mut stmt = c
        .prepare("SELECT name, pageno, pagetype FROM dbstat")
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, u32>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .unwrap();
    for row in rows {
        let (name, page, kind) = row.unwrap();
        owner.insert(page, format!("{name}:{kind}"));
    }
    let mut by_tree: std::collections::BTreeMap<String, usize> = Default::default();
    for pages in written {
        let mut seen = std::collections::HashSet::new();
        for p in pages.iter().filter(|p| seen.insert(**p)) {
            let tree = owner
                .get(p)
                .cloned()
                .unwrap_or_else(|| "(free now)".to_owned());
            *by_tree.entry(tree).or_default() += 1;
        }
    }
    let mut v: Vec<_> = by_tree.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

fn main() {
    let base = std::env::var_os("GONGWEN_BENCH_DIR").map(std::path::PathBuf::from);
    let dir = match &base {
        Some(b) => tempfile::tempdir_in(b).unwrap(),
        None => tempfile::tempdir().unwrap(),
    };
    let mut client = OpenOptions::new(dir.path())
        .create(true)
        .keys(Arc::new(StaticKey(Key::from_bytes(KEY))))
        .user("zhang")
        .open()
        .unwrap();
    for (id, name, roles) in [
        ("zhang", "张三", vec![]),
        ("li", "李四", vec!["部门负责人"]),
        ("wang", "王五", vec!["办公室主任"]),
        ("zhao", "赵六", vec!["分管领导"]),
        ("qian", "钱七", vec!["核稿人"]),
        ("sun", "孙八", vec!["文书"]),
        ("zhou", "周九", vec!["文印"]),
    ] {
        client
            .add_person(&Person {
                id: id.into(),
                name: name.into(),
                organ: "鹤山市人民政府办公室".into(),
                dept: "办公室".into(),
                roles: roles.into_iter().map(String::from).collect(),
            })
            .unwrap();
    }
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/examples/notice-full.json"
    ))
    .unwrap();
    let t0 = Instant::now();
    for i in 0..FLOWS {
        let mut doc = gongwen_domain::Document::from_json(&example).unwrap();
        doc.title = format!("关于第{i}项工作的通知");
        let draft = client.create_draft(doc).unwrap().draft_id;
        client.submit_draft(&draft, None).unwrap();
    }
    eprintln!(
        "{FLOWS} flows submitted in {:.1} s",
        t0.elapsed().as_secs_f64()
    );

    let real: Vec<String>;
    // Fill the store to TASKS tasks: copies of real task rows with varied urgency,
    // arrival time and due time (10% overdue), all in 李四's 待办.
    {
        let c = raw(dir.path());
        let existing: i64 = c
            .query_row("SELECT count(*) FROM tasks", [], |r| r.get(0))
            .unwrap();
        let mut stmt = c
            .prepare("SELECT id FROM tasks WHERE assignee = 'li' AND state = 'open' ORDER BY id")
            .unwrap();
        real = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        drop(stmt);
        let tx = c.unchecked_transaction().unwrap();
        {
            let mut stmt = tx
                .prepare(
                    "INSERT INTO tasks (id, document_id, kind, assignee, state, title, created_at,
                         due_at, flow_id, step, step_name, status, urgency_rank, doc_type,
                         from_organ, since, overdue, dept)
                     SELECT ?1, document_id, 'handle', 'li', 'open', title || ?1, created_at,
                         ?2, flow_id, step, step_name, 'open', ?3, doc_type, from_organ, ?4, 0, dept
                     FROM tasks WHERE state = 'open' AND assignee = 'li' LIMIT 1",
                )
                .unwrap();
            for i in 0..(TASKS as i64 - existing) {
                let day = 1 + i % 28;
                let since = format!("2026-02-{day:02}T{:02}:{:02}:00.000000Z", i % 24, i % 60);
                let due = if i % 10 == 0 {
                    "2026-02-01T00:00:00.000000Z".to_owned()
                } else {
                    "2099-01-01T00:00:00.000000Z".to_owned()
                };
                stmt.execute(rusqlite::params![format!("bulk-{i}"), due, i % 3, since])
                    .unwrap();
            }
        }
        tx.commit().unwrap();
        c.execute_batch("ANALYZE;").unwrap();
    }
    client.set_user_name("li").unwrap();
    let total = client.flow_counts().unwrap();
    eprintln!("李四's 待办: {} tasks", total.todo);

    // 待办 first page.
    let filter = QueueFilter::default();
    for _ in 0..50 {
        client.queue(QueueKind::Todo, &filter, 0, 50).unwrap();
    }
    let mut page = Vec::new();
    for _ in 0..2000 {
        let t = Instant::now();
        let p = client.queue(QueueKind::Todo, &filter, 0, 50).unwrap();
        page.push(t.elapsed());
        assert_eq!(p.items.len(), 50);
        assert!(p.items[0].overdue);
    }

    // The navigation's counts (待办 已办 待阅 已阅 在办 督办, refused): counting 李四's
    // 100,000 tasks walks index prefixes; 督办 reads only the overdue ones.
    let mut counts = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let n = client.flow_counts().unwrap();
        counts.push(t.elapsed());
        assert_eq!(n.todo, total.todo);
    }

    // 代办: 周九 has his own (few) tasks and holds a 委托 from 李四: his 待办 merges
    // both, in order.
    {
        let c = raw(dir.path());
        c.execute(
            "INSERT INTO delegations (id, from_login, from_display, to_login, to_display,
                 starts_at, ends_at, roles, revoked, updated_at)
             VALUES (1, 'li', '李四', 'zhou', '周九', '2000-01-01T00:00:00Z',
                 '2100-01-01T00:00:00Z', '[]', 0, '2026-01-01T00:00:00Z')",
            [],
        )
        .unwrap();
    }
    client.set_user_name("zhou").unwrap();
    let mut delegated = Vec::new();
    for _ in 0..2000 {
        let t = Instant::now();
        let p = client.queue(QueueKind::Todo, &filter, 0, 50).unwrap();
        delegated.push(t.elapsed());
        assert_eq!(p.items.len(), 50);
        assert_eq!(p.items[0].on_behalf_of.as_deref(), Some("李四"));
    }
    client.set_user_name("li").unwrap();

    // Half the flows as the server confirmed them (what a synced flow looks like:
    // `flow_bases` holds the server's state beside the local view), half known only
    // locally (submitted offline, not yet confirmed).
    let confirmed: std::collections::HashSet<String> = {
        let c = raw(dir.path());
        let tx = c.unchecked_transaction().unwrap();
        let mut ids = std::collections::HashSet::new();
        for task in real.iter().skip(1).step_by(2) {
            let flow: String = tx
                .query_row("SELECT flow_id FROM tasks WHERE id = ?1", [task], |r| {
                    r.get(0)
                })
                .unwrap();
            // The server's flow: the local view with its history, as the sync stores it.
            tx.execute(
                "INSERT INTO flow_bases (flow_id, base_json)
                 SELECT id, json_set(flow_json, '$.history',
                     (SELECT json_group_array(json(event) ORDER BY seq) FROM flow_events
                      WHERE flow_id = ?1))
                 FROM flows WHERE id = ?1",
                [&flow],
            )
            .unwrap();
            ids.insert(task.clone());
        }
        tx.commit().unwrap();
        ids
    };

    // One action each: 李四 approves the real tasks (audit append + outbox + queue rows).
    let mut act = Vec::new();
    let mut act_confirmed = Vec::new();
    // The pages each action writes: the WAL frames its commit appended (read outside
    // the timed part), mapped to their b-trees at the end.
    let wal = dir.path().join(format!("{}-wal", DB_FILE));
    let mut written: Vec<Vec<u32>> = Vec::new();
    for task in &real {
        let hash = client.task_view(task).unwrap().content_hash;
        let before = wal_frames(&wal, 0);
        let t = Instant::now();
        client
            .act(task, "approve", Some("同意"), None, None, Some(&hash))
            .unwrap();
        let took = t.elapsed();
        if confirmed.contains(task) {
            act_confirmed.push(took);
        } else {
            act.push(took);
        }
        written.push(frames_appended(&wal, &before));
    }
    client.verify_audit().unwrap();
    drop(client);
    let mut pages_written: Vec<usize> = written
        .iter()
        .map(|f| f.iter().collect::<std::collections::HashSet<_>>().len())
        .collect();
    pages_written.sort_unstable();
    eprintln!("pages written per action, by b-tree (mean):");
    for (tree, n) in pages_by_tree(dir.path(), &written) {
        eprintln!("  {tree:<40} {:.2}", n as f64 / written.len() as f64);
    }

    // The physical bound, on the same disk.
    let mut fsync = small_file_sync(dir.path(), 300);
    let mut bare = bare_commit(dir.path(), 300);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    eprintln!(
        "store in {}; load average {}",
        dir.path().display(),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );

    let n_page = page.len();
    let n_act = act.len();
    println!(
        "| measurement ({TASKS} tasks in the store)     | n    | p50       | p99       | target  |"
    );
    println!(
        "|---------------------------------------------|------|-----------|-----------|---------|"
    );
    println!(
        "| 待办 first page (50 rows)                    | {n_page:<4} | {:<9} | {:<9} | ≤ 5 ms  |",
        ms(percentile(&mut page, 0.50)),
        ms(percentile(&mut page, 0.99))
    );
    println!(
        "| 待办 first page for a delegate (委托 from 李四)   | {:<4} | {:<9} | {:<9} | ≤ 5 ms  |",
        delegated.len(),
        ms(percentile(&mut delegated, 0.50)),
        ms(percentile(&mut delegated, 0.99))
    );
    println!(
        "| navigation counts (7 queues, 督办 included)   | {:<4} | {:<9} | {:<9} |         |",
        counts.len(),
        ms(percentile(&mut counts, 0.50)),
        ms(percentile(&mut counts, 0.99))
    );
    println!(
        "| one action (同意), flow known only locally     | {n_act:<4} | {:<9} | {:<9} | ≤ 2 ms  |",
        ms(percentile(&mut act, 0.50)),
        ms(percentile(&mut act, 0.99))
    );
    println!(
        "| one action (同意), flow confirmed by the server | {:<4} | {:<9} | {:<9} | ≤ 2 ms  |",
        act_confirmed.len(),
        ms(percentile(&mut act_confirmed, 0.50)),
        ms(percentile(&mut act_confirmed, 0.99))
    );
    println!(
        "| pages written per action (WAL frames)        | {:<4} | {:<9} | {:<9} |         |",
        pages_written.len(),
        pages_written[pages_written.len() / 2],
        pages_written[(pages_written.len() - 1) * 99 / 100]
    );
    println!(
        "| bound: bare INSERT + commit, FULL, encrypted  | {:<4} | {:<9} | {:<9} | bound   |",
        bare.len(),
        ms(percentile(&mut bare, 0.50)),
        ms(percentile(&mut bare, 0.99))
    );
    println!(
        "| bound: fdatasync of a 4 KB file              | {:<4} | {:<9} | {:<9} | bound   |",
        fsync.len(),
        ms(percentile(&mut fsync, 0.50)),
        ms(percentile(&mut fsync, 0.99))
    );
}
