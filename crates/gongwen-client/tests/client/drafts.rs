use std::io::Write;

use gongwen_client::diff::ChangeKind;
use gongwen_domain::Document;

use crate::common::{doc, example, open};

fn notice() -> Document {
    doc(&example("notice-full.json"))
}

#[test]
fn every_save_is_an_immutable_version_with_author_and_hash() {
    let dir = tempfile::tempdir().unwrap();
    let client = open(dir.path());
    let v1 = client.create_draft(notice()).unwrap();
    assert_eq!(v1.version, 1);
    assert_eq!(v1.author, "张三");
    let mut d = notice();
    d.title = "鹤山市人民政府关于开展2026年冬季安全生产大检查的通知".into();
    let v2 = client.save_draft(&v1.draft_id, d.clone(), Some(1)).unwrap();
    assert_eq!(v2.version, 2);
    assert!(!v2.unchanged);
    assert_ne!(v1.content_hash, v2.content_hash);
    // Saving the same content again writes nothing.
    let same = client.save_draft(&v1.draft_id, d.clone(), Some(2)).unwrap();
    assert!(same.unchanged);
    assert_eq!(same.version, 2);

    let history = client.draft_history(&v1.draft_id).unwrap();
    assert_eq!(
        history.iter().map(|h| h.version).collect::<Vec<_>>(),
        vec![2, 1]
    );
    assert_eq!(history[0].base_version, Some(1));
    assert_eq!(history[1].base_version, None);

    // The hash is the SHA-256 of the canonical JSON.
    use sha2::Digest;
    let expected = hex::encode(sha2::Sha256::digest(d.to_canonical_json().as_bytes()));
    assert_eq!(v2.content_hash, expected);

    // 清稿 is the head; old versions stay readable.
    let head = client.open_draft(&v1.draft_id).unwrap();
    assert_eq!(head.version, 2);
    assert_eq!(head.document.title, d.title);
    let old = client.open_version(&v1.draft_id, 1).unwrap();
    assert_eq!(old.document, notice());
    assert_eq!(client.queue_counts().unwrap().drafts, 1);
}

#[test]
fn versions_are_compared_element_by_element_with_authors() {
    let dir = tempfile::tempdir().unwrap();
    let mut client = open(dir.path());
    let v1 = client.create_draft(notice()).unwrap();
    client.set_user_name("李四").unwrap();
    let mut d = notice();
    d.body = d.body.replace("有效防范", "切实有效防范");
    d.cc.push("市纪委监委".into());
    client.save_draft(&v1.draft_id, d.clone(), None).unwrap();
    client.set_user_name("王五").unwrap();
    d.body = d.body.replace("2026年12月20日前", "2026年12月15日前");
    client.save_draft(&v1.draft_id, d.clone(), None).unwrap();

    let cmp = client.compare_versions(&v1.draft_id, 1, 3).unwrap();
    let fields: Vec<&str> = cmp.changes.iter().map(|c| c.field).collect();
    assert_eq!(fields, vec!["body", "cc"]);
    let body = &cmp.changes[0];
    assert_eq!(body.element, "正文");
    let ins = |t: &str| {
        body.segments
            .iter()
            .find(|s| s.kind == ChangeKind::Insert && s.text.contains(t))
            .unwrap()
    };
    assert_eq!(ins("切实").author.as_deref(), Some("李四"));
    assert_eq!(ins("5").author.as_deref(), Some("王五"));
    assert_eq!(body.changed_by, vec!["李四", "王五"]);
    assert_eq!(cmp.changes[1].changed_by, vec!["李四"]);

    // Reverse order compares directly.
    let back = client.compare_versions(&v1.draft_id, 3, 1).unwrap();
    assert_eq!(back.changes.len(), 2);
    // A missing version is a clear error.
    let e = client.compare_versions(&v1.draft_id, 1, 9).unwrap_err();
    assert_eq!(e.code(), "version_not_found");
    assert!(e.to_string().contains("第 9 版"), "{e}");

    let json = serde_json::to_value(&cmp).unwrap();
    assert!(json["changes"][0]["changedBy"].is_array(), "{json}");
}

#[test]
fn bad_input_keeps_the_previous_version() {
    let dir = tempfile::tempdir().unwrap();
    let client = open(dir.path());
    let v1 = client.create_draft(notice()).unwrap();
    let files = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = files.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let cases = [
        (
            write("malformed.json", "{\"title\": \"x\""),
            "invalid_document",
            "第1行",
        ),
        (
            write("unknown.json", r#"{"titel": "x"}"#),
            "invalid_document",
            "titel",
        ),
        (
            write("doctype.json", r#"{"doc_type": "通令"}"#),
            "invalid_document",
            "通令",
        ),
        (
            write(
                "docnum.json",
                r#"{"doc_number": {"prefix": "鹤府", "year": 24, "seq": 12}}"#,
            ),
            "invalid_document",
            "〔2026〕",
        ),
        (
            write(
                "missing.json",
                r#"{"title": "x", "attachments": [{"name": "预算表", "file": "no-such.xlsx"}]}"#,
            ),
            "attachment_file",
            "预算表",
        ),
    ];
    for (path, code, needle) in cases {
        let e = client
            .save_draft_from_file(&v1.draft_id, &path)
            .unwrap_err();
        assert_eq!(e.code(), code, "{}: {e}", path.display());
        assert!(e.to_string().contains(needle), "{}: {e}", path.display());
        assert_eq!(client.open_draft(&v1.draft_id).unwrap().version, 1);
    }

    // A 100 MB body: refused before it is read whole, with the limit in the message.
    let big = files.path().join("big.json");
    let mut f = std::fs::File::create(&big).unwrap();
    f.write_all(b"{\"title\": \"x\", \"body\": \"").unwrap();
    let chunk = "公".repeat(1024 * 1024 / 3);
    for _ in 0..100 {
        f.write_all(chunk.as_bytes()).unwrap();
    }
    f.write_all(b"\"}").unwrap();
    drop(f);
    let e = client.save_draft_from_file(&v1.draft_id, &big).unwrap_err();
    assert_eq!(e.code(), "too_large", "{e}");
    // The same body built in memory (as the UI would send it) is refused too.
    let mut d = notice();
    d.body = "公".repeat(100 * 1024 * 1024 / 3);
    let e = client.save_draft(&v1.draft_id, d, None).unwrap_err();
    assert_eq!(e.code(), "too_large");
    assert!(e.to_string().contains("正文"), "{e}");

    assert_eq!(client.draft_history(&v1.draft_id).unwrap().len(), 1);
    assert_eq!(client.open_draft(&v1.draft_id).unwrap().document, notice());
    assert_eq!(
        client
            .save_draft("no-such-id", notice(), None)
            .unwrap_err()
            .code(),
        "draft_not_found"
    );
}

#[test]
fn attachments_are_content_addressed_deduplicated_and_collected() {
    let dir = tempfile::tempdir().unwrap();
    let client = open(dir.path());
    let files = tempfile::tempdir().unwrap();
    std::fs::write(files.path().join("plan.docx"), "工作方案内容").unwrap();
    std::fs::write(files.path().join("table.xlsx"), "统计表内容").unwrap();
    let json = r#"{"title": "关于开展检查的通知", "attachments": [
        {"name": "工作方案", "file": "plan.docx"}, {"name": "统计表", "file": "table.xlsx"}]}"#;
    std::fs::write(files.path().join("a.json"), json).unwrap();
    let a = client
        .import_document(&files.path().join("a.json"))
        .unwrap();
    let b = client
        .import_document(&files.path().join("a.json"))
        .unwrap();
    assert_ne!(a.draft_id, b.draft_id);
    let info = client.store_info().unwrap();
    assert_eq!(info.attachments, 2, "the same files are stored once");

    let stored = client.open_draft(&a.draft_id).unwrap().document;
    let reference = stored.attachments[0].file.clone().unwrap();
    assert!(reference.starts_with("sha256:"), "{reference}");
    let path = client.attachment_path(&reference).unwrap();
    assert_eq!(std::fs::read_to_string(path).unwrap(), "工作方案内容");

    // Draft a: version 2 drops the 统计表; version 1 still references it.
    let mut d = stored.clone();
    d.attachments.truncate(1);
    client.save_draft(&a.draft_id, d, None).unwrap();
    assert_eq!(client.collect_garbage().unwrap().blobs_removed, 0);

    // Deleting draft b keeps every blob draft a's versions still use.
    let gc = client.delete_draft(&b.draft_id).unwrap();
    assert_eq!(gc.blobs_removed, 0);
    assert!(
        client
            .attachment_path(stored.attachments[1].file.as_deref().unwrap())
            .is_ok()
    );
    // Deleting draft a too frees both.
    let gc = client.delete_draft(&a.draft_id).unwrap();
    assert_eq!(gc.blobs_removed, 2);
    assert_eq!(
        client.attachment_path(&reference).unwrap_err().code(),
        "blob_missing"
    );
    assert_eq!(client.store_info().unwrap().attachments, 0);
}

#[test]
fn large_attachments_are_streamed_into_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let client = open(dir.path());
    let files = tempfile::tempdir().unwrap();
    let big = files.path().join("scan.pdf");
    let mut f = std::fs::File::create(&big).unwrap();
    let block: Vec<u8> = (0..1024 * 1024).map(|i| (i % 251) as u8).collect();
    for _ in 0..48 {
        f.write_all(&block).unwrap();
    }
    drop(f);
    let json = format!(
        r#"{{"title": "扫描件", "attachments": [{{"name": "扫描件", "file": "{}"}}]}}"#,
        big.display()
    );
    std::fs::write(files.path().join("d.json"), json).unwrap();
    let saved = client
        .import_document(&files.path().join("d.json"))
        .unwrap();
    let doc = client.open_draft(&saved.draft_id).unwrap().document;
    let stored = client
        .attachment_path(doc.attachments[0].file.as_deref().unwrap())
        .unwrap();
    assert_eq!(std::fs::metadata(stored).unwrap().len(), 48 * 1024 * 1024);
    assert_eq!(
        client.store_info().unwrap().attachment_bytes,
        48 * 1024 * 1024
    );
}

#[test]
fn export_then_import_gives_the_same_document() {
    let dir = tempfile::tempdir().unwrap();
    let client = open(dir.path());
    let files = tempfile::tempdir().unwrap();
    std::fs::write(files.path().join("预算表.xlsx"), "预算").unwrap();
    let mut d = doc(&example("request-up.json"));
    d.attachments[0].file = Some("预算表.xlsx".into());
    std::fs::write(files.path().join("in.json"), d.to_json_pretty()).unwrap();
    let saved = client
        .import_document(&files.path().join("in.json"))
        .unwrap();

    let out = tempfile::tempdir().unwrap();
    let report = client
        .export_draft(&saved.draft_id, &out.path().join("请示.json"))
        .unwrap();
    assert_eq!(report.attachments.len(), 1);
    assert!(
        report.attachments[0]
            .to_string_lossy()
            .contains("预算表.xlsx")
    );
    let exported = Document::from_json(&std::fs::read_to_string(&report.path).unwrap()).unwrap();
    assert_eq!(
        exported.attachments[0].file.as_deref(),
        Some("请示.附件/1-预算表.xlsx")
    );

    let again = client.import_document(&report.path).unwrap();
    assert_eq!(again.content_hash, saved.content_hash);
}

#[test]
fn the_draft_list_is_most_recent_first_and_paged() {
    let dir = tempfile::tempdir().unwrap();
    let t = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(1_700_000_000));
    let clock = {
        let t = t.clone();
        std::sync::Arc::new(move || {
            time::OffsetDateTime::from_unix_timestamp(
                t.fetch_add(1, std::sync::atomic::Ordering::SeqCst),
            )
            .unwrap()
        })
    };
    let client = gongwen_client::api::OpenOptions::new(dir.path())
        .create(true)
        .keys(crate::common::test_key())
        .user("张三")
        .clock(clock)
        .open()
        .unwrap();
    let mut ids = Vec::new();
    for i in 0..5 {
        let mut d = notice();
        d.title = format!("第{i}号通知");
        ids.push(client.create_draft(d).unwrap().draft_id);
    }
    // Editing the first makes it the most recent.
    let mut d = notice();
    d.title = "第0号通知（修改）".into();
    client.save_draft(&ids[0], d, None).unwrap();
    let page = client.list_drafts(3, 0).unwrap();
    let titles: Vec<&str> = page.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, vec!["第0号通知（修改）", "第4号通知", "第3号通知"]);
    let next = client.list_drafts(3, 3).unwrap();
    assert_eq!(next.len(), 2);
    assert_eq!(page[0].head_version, 2);
}
