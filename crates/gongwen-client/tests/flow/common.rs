use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use gongwen_client::Client;
use gongwen_client::api::OpenOptions;
use gongwen_client::flow::{Person, QueueFilter, QueueItem, QueueKind};
use gongwen_client::key::{Key, StaticKey};
use time::OffsetDateTime;

pub const KEY: [u8; 32] = [42; 32];
pub const ORGAN: &str = "鹤山市人民政府办公室";

/// A settable clock: seconds since the Unix epoch.
#[derive(Clone)]
pub struct TestClock(Arc<AtomicI64>);

impl TestClock {
    pub fn new() -> TestClock {
        // 2026-03-02 09:00 +08:00
        TestClock(Arc::new(AtomicI64::new(1_772_413_200)))
    }

    pub fn advance_hours(&self, h: i64) {
        self.0.fetch_add(h * 3600, Ordering::SeqCst);
    }

    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.0.load(Ordering::SeqCst)).unwrap()
    }
}

pub struct Env {
    pub dir: tempfile::TempDir,
    pub clock: TestClock,
    pub client: Client,
}

impl Env {
    /// A store with the standard directory, acting as the drafter 张三 (`zhang`).
    pub fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let clock = TestClock::new();
        let client = open(dir.path(), "zhang", &clock);
        for (id, name, dept, roles) in [
            ("zhang", "张三", "综合股", vec![]),
            ("li", "李四", "办公室", vec!["部门负责人"]),
            ("wang", "王五", "办公室", vec!["办公室主任"]),
            ("zhao", "赵六", "领导", vec!["分管领导"]),
            ("qian", "钱七", "办公室", vec!["核稿人"]),
            ("sun", "孙八", "办公室", vec!["文书"]),
            ("zhou", "周九", "文印室", vec!["文印"]),
            ("wu", "吴十", "领导", vec!["主要负责人"]),
            ("zheng", "郑一", "综合股", vec![]),
        ] {
            client
                .add_person(&Person {
                    id: id.into(),
                    name: name.into(),
                    organ: ORGAN.into(),
                    dept: dept.into(),
                    roles: roles.into_iter().map(String::from).collect(),
                })
                .unwrap();
        }
        Env { dir, clock, client }
    }

    /// Switches the acting user (a new session on the same store).
    pub fn as_user(&mut self, user: &str) -> &Client {
        self.client.set_user_name(user).unwrap();
        &self.client
    }

    /// Creates a draft from an example and returns its id.
    pub fn draft(&self, example_name: &str) -> String {
        let doc = gongwen_domain::Document::from_json(&example(example_name)).unwrap();
        self.client.create_draft(doc).unwrap().draft_id
    }

    pub fn draft_with(&self, edit: impl FnOnce(&mut gongwen_domain::Document)) -> String {
        let mut doc = gongwen_domain::Document::from_json(&example("notice-full.json")).unwrap();
        edit(&mut doc);
        self.client.create_draft(doc).unwrap().draft_id
    }

    /// The user's 待办, first page.
    pub fn todo(&mut self, user: &str) -> Vec<QueueItem> {
        self.as_user(user)
            .queue(QueueKind::Todo, &QueueFilter::default(), 0, 50)
            .unwrap()
            .items
    }

    /// The user's only open task in the flow.
    pub fn task_of(&mut self, user: &str, flow: &str) -> String {
        let todo = self.todo(user);
        let mine: Vec<_> = todo.iter().filter(|i| i.flow_id == flow).collect();
        assert_eq!(
            mine.len(),
            1,
            "{user} should have one task in {flow}: {todo:#?}"
        );
        mine[0].task_id.clone().unwrap()
    }

    /// `user` approves their task in `flow`, quoting the hash they were shown.
    pub fn approve(&mut self, user: &str, flow: &str, opinion: Option<&str>) {
        let task = self.task_of(user, flow);
        let view = self.client.task_view(&task).unwrap();
        self.client
            .act(
                &task,
                "approve",
                opinion,
                None,
                None,
                Some(&view.content_hash),
            )
            .unwrap();
    }

    /// Everything an action writes: outbox and audit row counts, and the full content
    /// of the task rows and the flows, their events included (to prove a refused action
    /// changed nothing).
    pub fn snapshot(&self) -> (i64, i64, String, String) {
        let c = raw(self.dir.path());
        let n = |sql: &str| c.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
        let text = |sql: &str| c.query_row(sql, [], |r| r.get::<_, String>(0)).unwrap();
        (
            n("SELECT count(*) FROM outbox"),
            n("SELECT count(*) FROM audit_log"),
            text(
                "SELECT coalesce(group_concat(id || state || status || since || overdue
                     || coalesce(acted_by, '') || coalesce(pending_seq, ''), ';'), '')
                 FROM (SELECT * FROM tasks ORDER BY id)",
            ),
            text(
                "SELECT coalesce(group_concat(flow_json, ';'), '') FROM (SELECT flow_json FROM flows ORDER BY id)",
            ) + &text(
                "SELECT coalesce(group_concat(event, ';'), '')
                 FROM (SELECT event FROM flow_events ORDER BY flow_id, seq)",
            ),
        )
    }
}

pub fn open(dir: &Path, user: &str, clock: &TestClock) -> Client {
    let clock = clock.clone();
    OpenOptions::new(dir)
        .create(true)
        .keys(Arc::new(StaticKey(Key::from_bytes(KEY))))
        .user(user)
        .clock(Arc::new(move || clock.now()))
        .open()
        .unwrap()
}

/// A raw connection to the store (what someone with the key and the file could do).
pub fn raw(dir: &Path) -> rusqlite::Connection {
    gongwen_client::store::connect_raw(
        &dir.join(gongwen_client::store::DB_FILE),
        &Key::from_bytes(KEY),
    )
    .unwrap()
}

pub fn example(name: &str) -> String {
    let path = format!("{}/../../docs/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap()
}
