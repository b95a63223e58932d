//! Autosave into a working copy: no version per keystroke, versions on save, submit,
//! close and every 10 minutes of typing, recovery after a crash.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use gongwen_client::Client;
use gongwen_client::api::OpenOptions;
use gongwen_domain::Document;
use time::OffsetDateTime;

use crate::common::{doc, test_key};

/// A settable clock (seconds since the epoch).
#[derive(Clone)]
struct Clock(Arc<AtomicI64>);

impl Clock {
    fn new() -> Clock {
        Clock(Arc::new(AtomicI64::new(1_772_413_200)))
    }
    fn advance_secs(&self, s: i64) {
        self.0.fetch_add(s, Ordering::SeqCst);
    }
}

fn open(dir: &Path, clock: &Clock) -> Client {
    let c = clock.clone();
    OpenOptions::new(dir)
        .create(true)
        .keys(test_key())
        .user("张三")
        .clock(Arc::new(move || {
            OffsetDateTime::from_unix_timestamp(c.0.load(Ordering::SeqCst)).unwrap()
        }))
        .open()
        .unwrap()
}

fn with_body(body: &str) -> Document {
    doc(&format!(
        r#"{{"title": "关于做好防汛工作的通知", "body": "{body}"}}"#
    ))
}

fn draft_saves(client: &Client) -> usize {
    client
        .outbox()
        .unwrap()
        .iter()
        .filter(|e| e.name == "draft.save.v1")
        .count()
}

#[test]
fn autosave_keeps_one_working_copy_and_no_versions() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::new();
    let client = open(dir.path(), &clock);
    let v1 = client.create_draft(with_body("一、")).unwrap();
    let saves = draft_saves(&client);
    let mut text = String::from("一、");
    for ch in "总体要求各乡镇要高度重视".chars() {
        text.push(ch);
        clock.advance_secs(2);
        let r = client
            .autosave_draft(&v1.draft_id, with_body(&text), 1)
            .unwrap();
        assert!(r.unsaved_changes);
        assert!(r.version.is_none());
        assert_eq!(r.head_version, 1);
    }
    assert_eq!(client.draft_history(&v1.draft_id).unwrap().len(), 1);
    assert_eq!(draft_saves(&client), saves, "sync pushes only versions");

    let opened = client.open_draft(&v1.draft_id).unwrap();
    assert!(opened.recovered, "the editor gets the unsaved text back");
    assert_eq!(opened.document.body, text);
    assert_eq!(opened.version, 1, "the version the changes started from");
    assert!(opened.working_copy_saved_at.is_some());
    let head = client.open_head(&v1.draft_id).unwrap();
    assert!(!head.recovered);
    assert_eq!(head.document.body, "一、");

    // Closing the editor makes the version.
    let v2 = client
        .commit_working_copy(&v1.draft_id)
        .unwrap()
        .expect("a version");
    assert_eq!(v2.version, 2);
    assert_eq!(draft_saves(&client), saves + 1);
    let opened = client.open_draft(&v1.draft_id).unwrap();
    assert!(!opened.recovered);
    assert_eq!(opened.document.body, text);
    assert_eq!(client.commit_working_copy(&v1.draft_id).unwrap(), None);
}

#[test]
fn a_crash_loses_no_autosaved_text() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::new();
    let id = {
        let client = open(dir.path(), &clock);
        let v1 = client.create_draft(with_body("原文")).unwrap();
        client
            .autosave_draft(&v1.draft_id, with_body("原文，加上未保存的一句"), 1)
            .unwrap();
        // No commit: the process goes away here (the working copy is already durable:
        // the write returned after a FULL-synchronous commit).
        std::mem::forget(client);
        v1.draft_id
    };
    let client = open(dir.path(), &clock);
    let opened = client.open_draft(&id).unwrap();
    assert!(opened.recovered);
    assert_eq!(opened.document.body, "原文，加上未保存的一句");
    // 放弃修改 brings back the saved text.
    assert!(client.discard_working_copy(&id).unwrap());
    let opened = client.open_draft(&id).unwrap();
    assert!(!opened.recovered);
    assert_eq!(opened.document.body, "原文");
}

#[test]
fn typing_makes_a_version_at_most_every_ten_minutes() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::new();
    let client = open(dir.path(), &clock);
    let v1 = client.create_draft(with_body("开始")).unwrap();
    let mut made = Vec::new();
    // 25 minutes of typing, an autosave every 2 seconds.
    let mut text = String::from("开始");
    for i in 0..750 {
        text.push(if i % 2 == 0 { '文' } else { '字' });
        clock.advance_secs(2);
        let base = client.open_draft(&v1.draft_id).unwrap().version;
        let r = client
            .autosave_draft(&v1.draft_id, with_body(&text), base)
            .unwrap();
        if let Some(v) = r.version {
            made.push((i, v.version));
        }
    }
    assert_eq!(
        made.iter().map(|(_, v)| *v).collect::<Vec<_>>(),
        [2, 3],
        "a version at 10 and 20 minutes, not per keystroke"
    );
    // The first version comes 10 minutes after the first unsaved change; the next one
    // 10 minutes after the first change following it.
    assert_eq!(made[0].0, 300);
    assert_eq!(made[1].0 - made[0].0, 301, "never closer than 10 minutes");
    assert_eq!(client.draft_history(&v1.draft_id).unwrap().len(), 3);
    // The last 5 minutes are in the working copy.
    assert!(client.open_draft(&v1.draft_id).unwrap().recovered);
}

#[test]
fn explicit_save_supersedes_and_undo_clears_the_working_copy() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::new();
    let client = open(dir.path(), &clock);
    let v1 = client.create_draft(with_body("甲")).unwrap();
    client
        .autosave_draft(&v1.draft_id, with_body("甲乙"), 1)
        .unwrap();
    // Undo back to the saved text: nothing unsaved any more.
    let r = client
        .autosave_draft(&v1.draft_id, with_body("甲"), 1)
        .unwrap();
    assert!(!r.unsaved_changes);
    assert!(!client.open_draft(&v1.draft_id).unwrap().recovered);

    client
        .autosave_draft(&v1.draft_id, with_body("甲丙"), 1)
        .unwrap();
    let v2 = client
        .save_draft(&v1.draft_id, with_body("甲丙丁"), Some(1))
        .unwrap();
    assert_eq!(v2.version, 2);
    let opened = client.open_draft(&v1.draft_id).unwrap();
    assert!(!opened.recovered, "保存 replaced the working copy");
    assert_eq!(opened.document.body, "甲丙丁");
}

#[test]
fn bad_autosaves_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::new();
    let client = open(dir.path(), &clock);
    let v1 = client.create_draft(with_body("甲")).unwrap();
    assert_eq!(
        client
            .autosave_draft(&v1.draft_id, with_body("乙"), 7)
            .unwrap_err()
            .code(),
        "version_not_found"
    );
    assert_eq!(
        client
            .autosave_draft("no-such-draft", with_body("乙"), 1)
            .unwrap_err()
            .code(),
        "draft_not_found"
    );
    assert!(!client.open_draft(&v1.draft_id).unwrap().recovered);
    assert_eq!(
        client
            .commit_working_copy("no-such-draft")
            .unwrap_err()
            .code(),
        "draft_not_found"
    );
}

#[test]
fn attachments_of_a_working_copy_survive_gc_and_reach_the_version() {
    let dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let clock = Clock::new();
    let client = open(dir.path(), &clock);
    let v1 = client.create_draft(with_body("正文")).unwrap();
    let file = files.path().join("名单.xlsx");
    std::fs::write(&file, "名单内容").unwrap();
    let mut d = with_body("正文");
    d.attachments.push(gongwen_domain::document::Attachment {
        name: "参会人员名单".into(),
        file: Some(file.display().to_string()),
        body: None,
    });
    client.autosave_draft(&v1.draft_id, d, 1).unwrap();
    assert_eq!(client.collect_garbage().unwrap().blobs_removed, 0);
    let wc = client.open_draft(&v1.draft_id).unwrap();
    let reference = wc.document.attachments[0].file.clone().unwrap();
    assert!(reference.starts_with("sha256:"));
    let copy = client.attachment_path(&reference).unwrap();
    assert_eq!(
        copy.file_name().unwrap(),
        "名单.xlsx",
        "named after the original"
    );
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), "名单内容");

    let v2 = client.commit_working_copy(&v1.draft_id).unwrap().unwrap();
    let exported = files.path().join("out.json");
    client.export_draft(&v1.draft_id, &exported).unwrap();
    let back = std::fs::read_to_string(files.path().join("out.附件/1-名单.xlsx")).unwrap();
    assert_eq!(back, "名单内容", "the version kept the original file name");
    assert_eq!(v2.version, 2);
}
